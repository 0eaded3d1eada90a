"""Documents a case needs on paper: the household budget statement a servicer
asks for (生活状況申告書・家計収支表) and the client report for the debtor.

Each document is a view (plain data, built here from the Result and, for the
budget lines, the case) poured into a Jinja2 template under render/templates/.
Every amount comes from the Result's figures and facts; the templates only
place and format them, so nothing is computed twice. A line the case does not
give stays a blank to fill in by hand, never a number zansai made up.

What each option means for the debtor (cost, time, the guarantor, the home,
work, the credit record) is knowledge with sources, in render/data/options.yaml.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import jinja2
import yaml

from app.result import Result
from facts import display
from facts.builder import LIVING_COST_LINES
from facts.case import Budget, Case
from render import report
from render.statutes import gloss_en

KINDS = ("budget", "report")

# Document-level wording. Knowledge (what an option means) is not here: it is in options.yaml.
_L: dict[str, dict[str, str]] = {
    "budget_title": {"ja": "生活状況申告書・家計収支表", "en": "Statement of living situation and household budget"},
    "draft": {"ja": "下書き（zansai が事案の入力から作成。空欄は手書きで記入してください）",
              "en": "Draft (prepared by zansai from the case as entered; fill in the blanks by hand)"},
    "submitted_to": {"ja": "提出先", "en": "To"},
    "date": {"ja": "作成日", "en": "Date"},
    "case": {"ja": "事案", "en": "Case"},
    "applicant": {"ja": "申告者", "en": "Applicant"},
    "name": {"ja": "氏名", "en": "Name"},
    "address": {"ja": "住所", "en": "Address"},
    "phone": {"ja": "電話番号", "en": "Phone"},
    "employer": {"ja": "勤務先", "en": "Employer"},
    "age": {"ja": "年齢", "en": "Age"},
    "occupation": {"ja": "職業", "en": "Occupation"},
    "household": {"ja": "世帯人数", "en": "People in the household"},
    "annual_income": {"ja": "額面年収", "en": "Gross annual income"},
    "welfare": {"ja": "生活保護の受給", "en": "Public assistance"},
    "yes": {"ja": "あり", "en": "yes"},
    "no": {"ja": "なし", "en": "no"},
    "income": {"ja": "収入（月額・手取り）", "en": "Income (monthly, take-home)"},
    "take_home": {"ja": "本人の手取り月収", "en": "Debtor's take-home pay"},
    "expenses": {"ja": "支出（月額）", "en": "Expenses (monthly)"},
    "living_costs": {"ja": "生活費の合計", "en": "Living costs in total"},
    "other_debt_payments": {"ja": "他の借入れへの現在の返済（参考）", "en": "Current payments on other debts (for reference)"},
    "other_debt_payments_note": {"ja": "返済原資の計算には含めません。", "en": "Not subtracted from the capacity."},
    "capacity_title": {"ja": "返済原資と提案する月額", "en": "Repayment capacity and the proposed monthly payment"},
    "capacity": {"ja": "毎月返済に回せる額（返済原資）", "en": "What can go to repayment each month (capacity)"},
    "capacity_formula": {"ja": "本人の手取り月収 ＋ その他の収入 − 生活費の合計", "en": "take-home pay + other income − living costs"},
    "ceiling": {"ja": "分割額の上限（家計から計算）", "en": "Installment ceiling (from the budget)"},
    "offer": {"ja": "提案する月額", "en": "Proposed monthly payment"},
    "offer_range": {"ja": "{low}〜{high}の範囲で、続けられる額", "en": "an amount that can be kept up, between {low} and {high}"},
    "offer_blank": {"ja": "月額 ＿＿＿＿＿＿ 円（相談のうえ記入）", "en": "¥ ________ a month (to agree and fill in)"},
    "months": {"ja": "上限額で払った場合の完済までの月数", "en": "Months to repay at the ceiling"},
    "reasoning": {"ja": "この額の根拠", "en": "How these amounts were reached"},
    "not_listed": {"ja": "この事案では分割返済は進路に挙がっていないため、提案する月額は記入していません。",
                   "en": "Installments are not among this case's options, so no monthly amount is proposed."},
    "debts": {"ja": "借入れの状況", "en": "Debts"},
    "creditor": {"ja": "債権者", "en": "Creditor"},
    "kind": {"ja": "種類", "en": "Kind"},
    "balance": {"ja": "残高", "en": "Balance"},
    "monthly": {"ja": "月々の返済額", "en": "Monthly payment"},
    "residual": {"ja": "住宅ローンの残債", "en": "Mortgage residual"},
    "residual_expected": {"ja": "住宅ローンの残債（売却後の見込み）", "en": "Mortgage residual (expected after the sale)"},
    "mortgage_balance": {"ja": "住宅ローンの残高", "en": "Mortgage balance"},
    "assets": {"ja": "資産", "en": "Assets"},
    "cash": {"ja": "現金・預貯金", "en": "Cash and savings"},
    "surrender": {"ja": "保険の解約返戻金", "en": "Insurance surrender value"},
    "car": {"ja": "自動車", "en": "Car"},
    "other_assets": {"ja": "その他の資産", "en": "Other assets"},
    "declaration": {"ja": "上記のとおり申告します。", "en": "I declare the above to be true."},
    "signature": {"ja": "署名", "en": "Signature"},
    "blank_note": {"ja": "空欄は事案に記載がない項目です。", "en": "Blank lines are what the case does not give."},
    "caution": {"ja": "提出の前に確認してください（この頁は提出しません）", "en": "Check before sending (do not send this page)"},
    "report_title": {"ja": "これからの進め方についてのご説明", "en": "Your situation and the ways forward"},
    "standing": {"ja": "いまの状況", "en": "Where you stand"},
    "options": {"ja": "考えられる進め方（比較）", "en": "The options side by side"},
    "option_figures": {"ja": "この事案での金額", "en": "Amounts in this case"},
    "recommended": {"ja": "まず検討したい進め方と、その理由", "en": "The option to look at first, and why"},
    "why": {"ja": "理由", "en": "Why"},
    "steps": {"ja": "次にすること", "en": "Next steps"},
    "bring": {"ja": "相談に持っていくもの", "en": "What to take to the consultation"},
    "watch": {"ja": "注意点", "en": "Warnings"},
    "not_fitting": {"ja": "検討したが合わない進め方", "en": "Options considered that do not fit"},
    "missing": {"ja": "まだわからないこと", "en": "What is not known yet"},
    "about": {"ja": "この説明について", "en": "About this report"},
    "terms": {"ja": "ことばの説明", "en": "Terms used"},
    "sources": {"ja": "根拠", "en": "Sources"},
    "no_options": {"ja": "情報が足りないため、まだ進め方を比べられません。「まだわからないこと」をそろえて、もう一度判定します。",
                   "en": "There is not enough information yet to compare the options. Gather what is listed under \"What is not known yet\" and assess again."},
    "rank": {"ja": "順位", "en": "Rank"},
}

# Where a debt's kind is coded, the catalog's wording for it (the same labels messages use).
_DEBT_KIND = {
    "card_loan": {"ja": "カードローン", "en": "card loan"},
    "consumer_loan": {"ja": "消費者金融", "en": "consumer loan"},
    "car_loan": {"ja": "自動車ローン", "en": "car loan"},
    "tax": {"ja": "税金", "en": "tax"},
    "child_support": {"ja": "養育費", "en": "child support"},
    "other": {"ja": "その他の借入", "en": "other debt"},
}

# The budget figures a servicer reads, in the order the reasoning is shown.
_BUDGET_FIGURES = ("monthly_capacity", "proposed_monthly_payment", "installment_offer_high", "months_to_repay")


@dataclass
class Line:
    label: str
    value: str | None  # None: a blank to fill in
    note: str = ""


@dataclass
class Reason:
    title: str
    note: str
    sources: list[str] = field(default_factory=list)


def _label(model_field: Any, lang: str) -> str:
    """A budget line's label from the case model's own description ("家賃 / Rent")."""
    ja, _, en = (model_field.description or "").partition(" / ")
    text = ja if lang == "ja" else en
    return text.split("（")[0] if lang == "ja" else text


def _fact(result: Result, fact_id: str) -> dict[str, Any]:
    for f in result.facts:
        if f.id == fact_id:
            return f.fields
    return {}


def _yen(value: Any, lang: str) -> str | None:
    return None if value is None else display.yen(int(value), lang, table=True)


def _reasons(result: Result, names: tuple[str, ...], lang: str) -> list[Reason]:
    """The rules behind the figures, as the trace recorded them: title, note, sources (each once)."""
    out: list[Reason] = []
    seen: set[str] = set()
    for name in names:
        info = result.figure_info.get(name)
        fact = result.fact(info.fact) if info else None
        if fact is None or name not in result.figures:
            continue
        for index in getattr(fact, "firings", []):
            firing = result.trace[index]
            if firing.rule in seen:
                continue
            seen.add(firing.rule)
            note = firing.note.get(lang) if firing.note else ""
            out.append(Reason(firing.title.get(lang), note, list(firing.sources)))
    return out


def budget_view(result: Result, case: Case | None, lang: str = "ja") -> dict[str, Any]:
    """The budget statement's content. With the case, a budget line it leaves out is a blank;
    from a Result alone every line the fact builder saw is shown."""
    L = {k: v[lang] for k, v in _L.items()}
    debtor = _fact(result, "debtor")
    budget = _fact(result, "budget")
    given: set[str] | None = None
    if case is not None:
        given = set(case.budget.model_fields_set) if case.budget is not None else set()

    def line_value(name: str) -> str | None:
        if not budget or (given is not None and name not in given):
            return None
        return _yen(budget.get(name), lang)

    fields = Budget.model_fields
    income = [
        Line(L["take_home"], _yen(debtor.get("monthly_take_home"), lang)),
        Line(_label(fields["other_income"], lang), line_value("other_income")),
    ]
    expenses = [Line(_label(fields[name], lang), line_value(name)) for name in LIVING_COST_LINES]
    living_total = _yen(budget.get("living_costs"), lang) if budget else None

    figures = result.figures
    listed = {r.path for r in result.recommendations}
    installments = "installment_negotiation" in listed
    floor = result.parameters.get("installment_floor")
    offer = None
    if installments and "installment_offer_high" in figures and floor is not None:
        offer = L["offer_range"].format(low=display.yen(int(floor.value), lang), high=display.yen(int(figures["installment_offer_high"]), lang))
    formula = L["capacity_formula"]
    parts = (debtor.get("monthly_take_home"), budget.get("other_income"), budget.get("living_costs"), figures.get("monthly_capacity"))
    if all(v is not None for v in parts):
        # the values the rule saw, placed beside its formula: the sum itself is the Result's figure
        formula += "（{} ＋ {} − {} ＝ {}）".format(*(_yen(v, lang) for v in parts)) if lang == "ja" else \
            " ({} + {} − {} = {})".format(*(_yen(v, lang) for v in parts))
    capacity_lines = [
        Line(L["capacity"], _yen(figures.get("monthly_capacity"), lang), formula),
    ]
    if installments:
        capacity_lines.append(Line(L["ceiling"], _yen(figures.get("proposed_monthly_payment"), lang)))
        months = figures.get("months_to_repay")
        capacity_lines.append(Line(L["months"], None if months is None else display.value(months, "int", lang, "months")))

    # What a servicer's form asks about debts: the mortgage residual and every other debt.
    debts = []
    mortgage = _fact(result, "mortgage")
    if "residual_debt" in figures:
        label = L["residual_expected"] if result.stage == "pre_sale" else L["residual"]
        debts.append({"creditor": None, "kind": label, "balance": _yen(figures["residual_debt"], lang), "monthly": None})
    elif mortgage:
        debts.append({"creditor": None, "kind": L["mortgage_balance"], "balance": _yen(mortgage.get("balance"), lang), "monthly": None})
    given_debts = [set(d.model_fields_set) for d in case.other_debts] if case is not None else None
    for i, f in enumerate(x for x in result.facts if x.type == "other_debt"):
        kind = _DEBT_KIND.get(str(f.fields.get("debt_type")), {}).get(lang, str(f.fields.get("debt_type") or ""))
        monthly = f.fields.get("monthly_payment")
        if given_debts is not None and i < len(given_debts) and "monthly_payment" not in given_debts[i]:
            monthly = None
        debts.append({
            "creditor": f.fields.get("creditor") or None,
            "kind": kind,
            "balance": _yen(f.fields.get("balance"), lang),
            "monthly": _yen(monthly, lang),
        })

    assets_fact = _fact(result, "assets")
    given_assets = set(case.assets.model_fields_set) if case is not None and case.assets is not None else None

    def asset(name: str) -> str | None:
        if not assets_fact or (given_assets is not None and name not in given_assets):
            return None
        return _yen(assets_fact.get(name), lang)

    assets = [
        Line(L["cash"], asset("cash_and_savings")),
        Line(L["surrender"], asset("insurance_surrender_value")),
        Line(L["car"], asset("car_value")),
        Line(L["other_assets"], asset("other")),
    ]

    # The warnings about the installment itself and, where the limitation may have run, the
    # warning not to hand the form to the creditor: on a cover page that is not sent.
    cautions = [
        w.message.get(lang) for w in result.warnings
        if w.id.startswith("installment_") or (w.id.startswith("limitation") and w.severity == "high")
    ]
    blocked = [b.reason.get(lang) for b in result.blocked if b.path == "installment_negotiation"]

    occupation = debtor.get("occupation")
    age = debtor.get("age")
    household = debtor.get("household_size")
    person = [
        Line(L["name"], None), Line(L["address"], None), Line(L["phone"], None), Line(L["employer"], None),
        Line(L["age"], None if age is None else (f"{age}歳" if lang == "ja" else str(age))),
        Line(L["occupation"], occupation or None),
        Line(L["household"], None if household is None else (f"{household}人" if lang == "ja" else str(household))),
        Line(L["annual_income"], _yen(debtor.get("annual_income"), lang)),
        Line(L["welfare"], L["yes"] if debtor.get("on_welfare") else L["no"]),
    ]
    view = {
        "lang": lang,
        "L": L,
        "title": L["budget_title"],
        "case_id": result.case_id,
        "as_of": display.date(result.as_of, lang),
        "person": person,
        "income": income,
        "expenses": expenses,
        "living_total": living_total,
        "other_debt_payments": line_value("other_debt_payments"),
        "capacity_lines": capacity_lines,
        "installments": installments,
        "offer": offer,
        "reasons": _reasons(result, _BUDGET_FIGURES if installments else ("monthly_capacity",), lang),
        "cautions": cautions,
        "blocked": blocked,
        "debts": debts,
        "assets": assets,
        "key_figures": [v for v in (_yen(figures.get("monthly_capacity"), lang), _yen(figures.get("proposed_monthly_payment"), lang)) if v],
    }
    if lang == "en":
        _gloss(view)
    return view


@lru_cache(maxsize=1)
def option_knowledge() -> dict[str, Any]:
    """render/data/options.yaml: the aspects and, per path, each aspect's text and sources."""
    text = resources.files("render").joinpath("data/options.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def report_view(result: Result, lang: str = "ja") -> dict[str, Any]:
    """The client report's content, for a debtor: the report's own lead (render/report.py) laid
    out as a page, the options side by side, the first option and why, the next steps, sources."""
    L = {k: v[lang] for k, v in _L.items()}
    knowledge = option_knowledge()
    aspects = knowledge["aspects"]
    items = result.figure_items()
    options = []
    for rec in result.recommendations:
        effects = knowledge["paths"].get(rec.path, {})
        options.append({
            "path": rec.path,
            "rank": rec.rank,
            "title": rec.title.get(lang),
            "figures": [
                {"label": items[name].title.get(lang), "value": report.figure_text(items[name], lang)}
                for name in rec.figures if name in items
            ],
            "aspects": {key: (effects.get(key) or {}).get(lang) for key in aspects},
        })
    first = result.recommendations[0] if result.recommendations else None
    recommended = None
    if first is not None:
        recommended = {
            "title": first.title.get(lang),
            "summary": first.summary.get(lang),
            "reasons": [r.reason.get(lang) for r in first.ranking if r.applied and r.reason.get(lang)],
        }
    # the reasons other options are not first: each listed option's applied ranking reasons
    others = [
        {"title": rec.title.get(lang), "summary": rec.summary.get(lang),
         "reasons": [r.reason.get(lang) for r in rec.ranking if r.applied and r.reason.get(lang)]}
        for rec in result.recommendations[1:]
    ]
    # what cannot wait or matters most; the rest stays in the advisor's full report
    watch = [{"title": w.title.get(lang), "message": w.message.get(lang)} for w in result.warnings
             if w.urgency == 1 or w.severity == "high"]
    groups = report.source_groups(result, lang)
    for rec in result.recommendations:
        for key in aspects:
            for s in (knowledge["paths"].get(rec.path, {}).get(key) or {}).get("sources", []):
                shown = report.source_display(s, lang)
                if shown[1] not in groups[shown[0]]:
                    groups[shown[0]].append(shown[1])
    if lang == "en" and groups["law"]:
        groups["law"] = report._law_en(groups["law"])
    view = {
        "lang": lang,
        "L": L,
        "title": L["report_title"],
        "case_id": result.case_id,
        "as_of": display.date(result.as_of, lang),
        "standing": report.headline(result, lang),
        "aspects": {key: label[lang] for key, label in aspects.items()},
        "options": options,
        "recommended": recommended,
        "others": others,
        "steps": report.next_steps(result, lang),
        "bring": report.documents(result, lang),
        "watch": watch,
        "blocked": [{"title": b.title.get(lang), "reason": b.reason.get(lang)} for b in result.blocked],
        "missing": [m.message.get(lang) for m in result.missing],
        "about": report.about_result(result, lang),
        "sources": [(report._SOURCE_KIND[k][lang], v) for k, v in groups.items() if v],
        "key_figures": [
            report.figure_text(items[name], lang) for name in ("residual_debt",) if name in items
        ],
    }
    shown = " ".join(str(x) for x in (view["standing"], options, recommended, view["steps"], watch))
    view["terms"] = [(t[lang], d[lang]) for t, d in report._GLOSSARY if t[lang] in shown]
    if lang == "en":
        _gloss(view)
    return view


def _gloss(view: dict[str, Any]) -> None:
    """English: Japanese statute citations in the texts glossed once each, as the text report does."""
    glossed: set[str] = set()

    def walk(node: Any) -> Any:
        if isinstance(node, str):
            return gloss_en(node, glossed)
        if isinstance(node, list):
            return [walk(v) for v in node]
        if isinstance(node, tuple):
            return tuple(walk(v) for v in node)
        if isinstance(node, dict):
            return {k: walk(v) for k, v in node.items()}
        if isinstance(node, (Line, Reason)):
            for name in node.__dataclass_fields__:
                if name != "sources":
                    setattr(node, name, walk(getattr(node, name)))
            return node
        return node

    for key in ("standing", "options", "recommended", "others", "bring", "watch", "blocked", "missing", "about",
                "cautions", "reasons", "capacity_lines"):
        if key in view:
            view[key] = walk(view[key])


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("render", "templates"),
        autoescape=True,  # case text (names, creditors, occupations) reaches the page: escape everything
        undefined=jinja2.StrictUndefined,  # a misspelt name in a template fails loudly, not as a blank
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env


def render_html(kind: str, result: Result, lang: str = "ja", case: Case | None = None) -> str:
    if kind == "budget":
        view = budget_view(result, case, lang)
    elif kind == "report":
        view = report_view(result, lang)
    else:  # pragma: no cover - the CLI offers only KINDS
        raise ValueError(kind)
    return _environment().get_template(f"{kind}.html.j2").render(**view)


def html_to_pdf(html: str) -> bytes:
    """The page as PDF through WeasyPrint (A4 from the template's @page rule)."""
    import weasyprint  # heavy: only when a PDF is asked for

    return weasyprint.HTML(string=html).write_pdf()
