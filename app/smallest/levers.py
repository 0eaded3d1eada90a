"""The levers: the inputs of a case that can really change, and the case with them moved.

The expected sale price, the debtor's take-home pay, the household's living
costs, each other debt's balance (not taxes or child support), and the date of
the assessment ("wait until"). Only inputs the case gives are levers: a
missing take-home is not guessed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from app.result import Result
from app.result_json import plain
from app.whatif import case_data, validate_data
from facts.builder import LIVING_COST_LINES
from facts.case import Case
from facts.text import Bilingual

MAX_YEARS_WAIT = 30  # how far "wait until" looks ahead


@dataclass(frozen=True)
class Lever:
    """One input that can really change, with the range it may move in."""

    id: str  # property.expected_sale_price, debtor.monthly_take_home, budget.living_costs, other_debts[0].balance, as_of
    kind: str  # yen | date
    title: Bilingual
    current: Any  # int yen, or a date
    lo: Any
    hi: Any
    symbols: tuple[str, ...] = ()  # references in the rules that equal the lever's value (or move with it one for one)

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "title": {"ja": self.title.ja, "en": self.title.en},
                "current": plain(self.current), "range": [plain(self.lo), plain(self.hi)]}

    def num(self, value: Any) -> int:
        return value.toordinal() if isinstance(value, dt.date) else int(value)

    def val(self, n: int) -> Any:
        return dt.date.fromordinal(n) if self.kind == "date" else n


def levers(case: Case, result: Result) -> list[Lever]:
    """The levers this case has: only inputs it gives (a missing take-home is not guessed)."""
    out: list[Lever] = []
    sold = case.sale is not None and case.sale.sold
    if case.property is not None and not sold and "expected_sale_price" in result.figures:
        price = int(result.figures["expected_sale_price"])
        top = 2 * max(price, case.mortgage.balance + sum(d.balance for d in case.other_debts if d.secured_on_home))
        out.append(Lever("property.expected_sale_price", "yen", Bilingual(ja="任意売却の想定価格", en="expected sale price"),
                         price, 0, top, ("property.expected_sale_price", "figure.expected_sale_price", "finding.sale_price_basis")))
    if case.debtor.monthly_take_home is not None:
        pay = case.debtor.monthly_take_home
        out.append(Lever("debtor.monthly_take_home", "yen", Bilingual(ja="手取り月収", en="monthly take-home pay"),
                         pay, 0, max(2 * pay, 1_000_000), ("debtor.monthly_take_home",)))
    if case.budget is not None:
        living = sum(getattr(case.budget, line) for line in LIVING_COST_LINES)
        out.append(Lever("budget.living_costs", "yen", Bilingual(ja="生活費（月額）", en="monthly living costs"),
                         living, 0, max(2 * living, 100_000), ("budget.living_costs",)))
    for n, debt in enumerate(case.other_debts):
        if debt.type in ("tax", "child_support"):
            continue  # not something a debtor can choose to owe less of by the assessment
        symbols = ["case.other_debts_total"] + (["case.other_debts_unsecured_total"] if not debt.secured_on_home else ["case.secured_debts_total"])
        name = debt.creditor or str(n)
        out.append(Lever(f"other_debts[{n}].balance", "yen",
                         Bilingual(ja=f"その他の借入（{name}）の残高", en=f"balance of the other debt ({name})"),
                         debt.balance, 0, max(2 * debt.balance, 1_000_000), tuple(symbols)))
    out.append(Lever("as_of", "date", Bilingual(ja="判定日（待つ場合）", en="date of assessment (waiting)"),
                     case.as_of, case.as_of, _add_years(case.as_of, MAX_YEARS_WAIT), ("case.as_of",)))
    return out


def _add_years(d: dt.date, n: int) -> dt.date:
    try:
        return d.replace(year=d.year + n)
    except ValueError:
        return dt.date(d.year + n, 3, 1) - dt.timedelta(days=1)


def lever_case(case: Case, lever: Lever, value: Any) -> Case:
    """The case with one lever moved to ``value`` (validated like a case file)."""
    return levers_case(case, [(lever, value)])


def levers_case(case: Case, moves: list[tuple[Lever, Any]]) -> Case:
    data = case_data(case)
    for lever, value in moves:
        _write(data, lever, value)
    return validate_data(data, [])


def _write(data: dict[str, Any], lever: Lever, value: Any) -> None:
    if lever.id == "budget.living_costs":
        # a change in living costs is taken from (or added to) the most discretionary lines first
        budget = data["budget"]
        delta = int(value) - lever.current
        if delta > 0:
            budget["other"] = budget.get("other", 0) + delta
        for line in reversed(LIVING_COST_LINES):
            if delta >= 0:
                break
            take = min(budget.get(line, 0), -delta)
            budget[line] = budget.get(line, 0) - take
            delta += take
        return
    if lever.id == "as_of":
        data["as_of"] = value
        return
    if lever.id.startswith("other_debts["):
        n = int(lever.id[len("other_debts["):].split("]")[0])
        data["other_debts"][n]["balance"] = int(value)
        return
    section, name = lever.id.split(".")
    data[section][name] = int(value)
