"""The case entry form: the case file's fields as an interview, and the way back.

The form asks in the order an advisor asks at a first consultation: who the
client is, the loan and how far behind it is, whether the home is sold yet,
who else signed, other debts, the household's month, what they own. Every
field is a field of ``facts.case`` (its labels are that model's own
descriptions); a form field's name is the field's path in the case file
(``debtor.annual_income``, ``guarantors[0].kind``), so the problems the case
loader reports land beside the field they are about.

Values go into the case file exactly as typed (``3100万``, ``令和7年6月27日``):
the form builds the same YAML an advisor would write, and the same loader
reads it, so the browser accepts exactly what a case file accepts.
"""

from __future__ import annotations

import datetime as dt
import re
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import yaml
from pydantic import BaseModel

from facts.case import Assets, Budget, Case, Debtor, Guarantor, Mortgage, OtherDebt, Property, Sale
from facts.errors import Problem
from facts import values
from facts.load import unwrap_annotation

# Labels of coded values, in both languages (the case format's descriptions list them inline).
CHOICES: dict[str, dict[str, tuple[str, str]]] = {
    "lender_type": {
        "bank": ("銀行", "Bank"),
        "shinkin": ("信用金庫", "Shinkin bank"),
        "credit_union": ("信用組合", "Credit union"),
        "labour_bank": ("労働金庫", "Labour bank"),
        "agricultural_coop": ("農業協同組合（JA）", "Agricultural co-operative (JA)"),
        "jhf": ("住宅金融支援機構（旧公庫）", "Japan Housing Finance Agency (JHF)"),
        "flat35_bank": ("銀行取扱いのフラット35", "Flat 35 through a bank"),
        "other": ("その他", "Other"),
    },
    "current_creditor": {
        "bank": ("銀行", "Bank"),
        "guarantee_company": ("保証会社", "Guarantee company"),
        "servicer": ("サービサー（債権回収会社）", "Servicer (debt collector)"),
        "jhf": ("住宅金融支援機構", "Japan Housing Finance Agency"),
    },
    "type": {
        "card_loan": ("カードローン", "Card loan"),
        "consumer_loan": ("消費者金融", "Consumer loan"),
        "car_loan": ("自動車ローン", "Car loan"),
        "tax": ("税金", "Tax"),
        "child_support": ("養育費", "Child support"),
        "other": ("その他", "Other"),
    },
    "kind": {
        "joint_guarantor": ("連帯保証人", "Joint guarantor"),
        "joint_debtor": ("連帯債務者", "Joint debtor"),
        "guarantor": ("保証人", "Guarantor"),
    },
    "loan_guarantor": {
        "guarantee_company": ("保証会社（株式会社）", "Guarantee company (a stock company)"),
        "guarantee_association": ("信用保証協会などの保証機関", "Guarantee association (not a company)"),
        "none": ("保証なし", "No guarantor"),
    },
}

FLAG_CHOICES = {"": ("未回答", "not answered"), "true": ("はい", "yes"), "false": ("いいえ", "no")}

# Placeholders showing the notations each kind accepts.
HINTS = {"yen": "3100万", "date": "令和7年6月27日", "rate": "14.6%", "count": "", "text": "", "id": ""}


@dataclass(frozen=True)
class FormField:
    name: str  # path in the case file: debtor.age, guarantors[0].kind
    key: str  # the case model's field name
    kind: str  # yen | date | rate | count | text | flag | choice | id
    label: tuple[str, str]
    help: tuple[str, str]
    required: bool
    choices: dict[str, tuple[str, str]] = field(default_factory=dict)

    def label_in(self, lang: str) -> str:
        return self.label[0 if lang == "ja" else 1]

    def help_in(self, lang: str) -> str:
        return self.help[0 if lang == "ja" else 1]


@dataclass
class Section:
    id: str
    title: tuple[str, str]
    fields: list[FormField]
    rows: int | None = None  # repeated sections (guarantors, other debts): how many rows shown

    def title_in(self, lang: str) -> str:
        return self.title[0 if lang == "ja" else 1]


def _cut(text: str, marks: str) -> str:
    """``text`` up to the first of ``marks`` that stands outside brackets."""
    depth = 0
    for i, ch in enumerate(text):
        if ch in "（(":
            depth += 1
        elif ch in "）)":
            depth -= 1
        elif depth == 0 and ch in marks:
            return text[:i].strip()
    return text.strip()


def _split(description: str | None) -> tuple[tuple[str, str], tuple[str, str]]:
    """("label", "help") in both languages from a case-model description "日本語 / English"."""
    ja, _, en = (description or "").partition(" / ")
    ja_label, en_label = _cut(ja, ":：。"), _cut(en, ":;")
    return (ja_label, en_label or ja_label), (ja.strip(), en.strip())


def _kind(model: type[BaseModel], key: str) -> tuple[str, dict[str, tuple[str, str]]]:
    annotation = model.model_fields[key].annotation
    inner = unwrap_annotation(annotation)
    if typing.get_origin(inner) is typing.Literal:
        return "choice", CHOICES[key]
    if key == "case_id":
        return "id", {}
    # pydantic moves a required field's Annotated metadata to the field; an optional one keeps it in the union
    seen = {id(m) for m in model.model_fields[key].metadata}
    seen |= {id(m) for a in typing.get_args(annotation) for m in getattr(a, "__metadata__", ())}
    for typ, kind in ((values.Yen, "yen"), (values.CaseDate, "date"), (values.Rate, "rate"), (values.Flag, "flag")):
        if any(id(m) in seen for m in typ.__metadata__):
            return kind, (FLAG_CHOICES if kind == "flag" else {})
    if inner is int:
        return "count", {}  # Count(n): a fresh Annotated type per bound
    return "text", {}


def _fields(model: type[BaseModel], prefix: str, first: list[str] | None = None, leave: tuple[str, ...] = ()) -> list[FormField]:
    """A form field for every field of the model: ``first`` in that order, then the others as declared.

    Every field, not a chosen list: a field the form did not ask was dropped from an imported case
    without a word, and the web's answer differed from the command line's.
    """
    out = []
    first = first or []
    for key in first + [k for k in model.model_fields if k not in first and k not in leave]:
        info = model.model_fields[key]
        kind, choices = _kind(model, key)
        label, help_ = _split(info.description)
        out.append(FormField(f"{prefix}{key}", key, kind, label, help_, info.is_required(), choices))
    return out


# The interview, in the order of a first consultation.
CASE_FIELDS = _fields(Case, "", ["case_id", "as_of"], leave=tuple(k for k in Case.model_fields if k not in ("case_id", "as_of")))
DEBTOR_ORDER = ["age", "occupation", "household_size", "annual_income", "monthly_take_home", "wage_earner",
                "income_stable", "on_welfare", "gambling_or_waste", "prior_discharge_date"]
MORTGAGE_ORDER = ["lender_type", "balance", "contract_date", "arrears_months", "last_payment_date", "late_damage_rate",
                  "accelerated", "acceleration_date", "subrogated", "subrogation_date", "current_creditor", "court_title_date"]
STAGES = {"before": ("まだ売却していない", "not sold yet"), "sold": ("売却（決済）済み", "already sold")}


def sections(guarantor_rows: int = 1, debt_rows: int = 1) -> list[Section]:
    return [
        Section("case", ("相談の受付", "The consultation"), CASE_FIELDS),
        Section("debtor", ("ご本人のこと", "The client"), _fields(Debtor, "debtor.", DEBTOR_ORDER)),
        Section("mortgage", ("住宅ローン", "The mortgage"), _fields(Mortgage, "mortgage.", MORTGAGE_ORDER)),
        Section("property", ("自宅（売却前）", "The home (not sold yet)"), _fields(Property, "property.")),
        Section("sale", ("売却の結果（売却後）", "The sale (once sold)"),
                _fields(Sale, "sale.", ["sale_date", "sale_price", "sale_costs"], leave=("sold",))
                + _fields(Case, "", ["residual_debt"], leave=tuple(k for k in Case.model_fields if k != "residual_debt"))),
        Section("guarantors", ("保証人・連帯債務者", "Guarantors and joint debtors"), _fields(Guarantor, "guarantors[{i}]."),
                rows=guarantor_rows),
        Section("other_debts", ("住宅ローン以外の借入れ", "Other debts"), _fields(OtherDebt, "other_debts[{i}]."), rows=debt_rows),
        Section("budget", ("家計（売却後の見込み、月額）", "The household's month (after the sale)"), _fields(Budget, "budget.")),
        Section("assets", ("資産", "Assets"), _fields(Assets, "assets.")),
    ]


FIELD_NAMES = {f.name for sec in sections() if sec.rows is None for f in sec.fields}


def row_counts(form: Mapping[str, str]) -> tuple[int, int]:
    def count(name: str, prefix: str) -> int:
        try:
            n = int(form.get(name, "") or 0)
        except ValueError:
            n = 0
        used = [int(m.group(1)) + 1 for k in form for m in [re.match(re.escape(prefix) + r"\[(\d+)\]\.", k)] if m]
        return max(0, min(max([n, *used]), 20))

    return count("guarantor_rows", "guarantors"), count("debt_rows", "other_debts")


@dataclass
class Built:
    """A case built from the form: the data, the YAML text, and where each row of the case came from."""

    data: dict[str, Any]
    text: str
    row_of: dict[str, list[int]]  # "guarantors" -> form row of each case row


def _value(f: FormField, raw: str) -> Any:
    if f.kind == "flag":
        return {"true": True, "false": False}.get(raw, raw)
    return raw


def build(form: Mapping[str, str]) -> Built:
    """The case file the form describes: only what was answered, values as typed."""
    g_rows, d_rows = row_counts(form)
    stage = form.get("stage", "before")
    data: dict[str, Any] = {}
    row_of: dict[str, list[int]] = {}
    for sec in sections(g_rows, d_rows):
        if sec.id == "property" and stage == "sold":
            continue
        if sec.id == "sale" and stage != "sold":
            continue
        if sec.rows is not None:
            rows, origin = [], []
            for i in range(sec.rows):
                row = {}
                for f in sec.fields:
                    raw = (form.get(f.name.format(i=i)) or "").strip()
                    if raw:
                        row[f.key] = _value(f, raw)
                if row:
                    rows.append(row)
                    origin.append(i)
            if rows:
                data[sec.id] = rows
                row_of[sec.id] = origin
            continue
        answered = {}
        for f in sec.fields:
            raw = (form.get(f.name) or "").strip()
            if raw:
                answered[f.name] = _value(f, raw)
        if sec.id == "sale":
            sale = {k.split(".", 1)[1]: v for k, v in answered.items() if k.startswith("sale.")}
            data["sale"] = {"sold": True, **sale}
            if "residual_debt" in answered:
                data["residual_debt"] = answered["residual_debt"]
            continue
        for name, value in answered.items():
            head, _, rest = name.partition(".")
            if rest:
                data.setdefault(head, {})[rest] = value
            else:
                data[head] = value
        if sec.id in ("debtor", "mortgage"):
            data.setdefault(sec.id, {})  # required: an empty section reports its required fields by name
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, default_flow_style=False)
    assumptions = (form.get("assumptions") or "").strip()
    if assumptions:
        # written as YAML lines ("auction_price_ratio: 0.70") and read by the case loader itself,
        # so a ratio stays an exact decimal and a mistake is reported at assumptions.NAME
        text += "assumptions:\n" + "".join(f"  {line}\n" for line in assumptions.splitlines() if line.strip())
    return Built(data, text, row_of)


def field_problems(problems: list[Problem], built: Built | None) -> tuple[dict[str, list[Problem]], list[Problem]]:
    """Problems by form field name, and the ones that belong to no single field."""
    by_field: dict[str, list[Problem]] = {}
    general: list[Problem] = []
    for p in problems:
        names = []
        for loc in p.location.split(", "):
            m = re.match(r"^(guarantors|other_debts)\[(\d+)\](\..+)?$", loc)
            if m and built is not None:
                origin = built.row_of.get(m.group(1), [])
                index = int(m.group(2))
                if index < len(origin) and m.group(3):
                    names.append(f"{m.group(1)}[{origin[index]}]{m.group(3)}")
                continue
            if loc.startswith("sale.sold"):
                names.append("stage")
            elif loc.startswith("assumptions"):
                names.append("assumptions")
            elif loc in FIELD_NAMES:
                names.append(loc)
        known = [n for n in names if n]
        if known:
            for n in known:
                by_field.setdefault(n, []).append(p)
        else:
            general.append(p)
    return by_field, general


def _plain(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return "" if value is None else str(value)


def form_values(data: Mapping[str, Any]) -> dict[str, str]:
    """A case file's data (as parsed, before validation) as form values: the way back for an import."""
    out: dict[str, str] = {}
    for key, value in data.items():
        if key in ("guarantors", "other_debts") and isinstance(value, list):
            for i, row in enumerate(value):
                if isinstance(row, dict):
                    for k, v in row.items():
                        out[f"{key}[{i}].{k}"] = _plain(v)
            out["guarantor_rows" if key == "guarantors" else "debt_rows"] = str(len(value))
        elif key == "sale" and isinstance(value, dict):
            out["stage"] = "sold" if value.get("sold") else "before"
            for k, v in value.items():
                if k != "sold":
                    out[f"sale.{k}"] = _plain(v)
        elif key == "assumptions" and isinstance(value, dict):
            out["assumptions"] = "\n".join(f"{k}: {_plain(v)}" for k, v in value.items())
        elif isinstance(value, dict):
            for k, v in value.items():
                out[f"{key}.{k}"] = _plain(v)
        else:
            out[key] = _plain(value)
    if "residual_debt" in out:
        out.setdefault("stage", "sold")
    return out


def json_ready(data: Any) -> Any:
    """A parsed case file as JSON holds it (exact decimals as numbers, dates as ISO text)."""
    if isinstance(data, dict):
        return {k: json_ready(v) for k, v in data.items()}
    if isinstance(data, list):
        return [json_ready(v) for v in data]
    if isinstance(data, Decimal):
        return int(data) if data == data.to_integral_value() else float(data)
    if isinstance(data, (dt.date, dt.datetime)):
        return data.isoformat()
    return data
