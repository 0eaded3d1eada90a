"""From a validated case to the facts the rules read.

The builder only restates the case in the fact vocabulary: it gives every
fact a stable id, normalises text, adds plain sums the rules would otherwise
each recompute (living costs, asset total, other-debt totals overall and for
tax and child support), and carries the parameter values the knowledge layer resolved for the case.
It draws no conclusion: residual
debt, capacity, limitation dates and the rest belong to the rules, where the
trace can show them.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from pydantic import BaseModel

from facts.case import Case
from facts.vocabulary import (
    AssetsFact,
    BudgetFact,
    CaseFact,
    DebtorFact,
    Fact,
    GuarantorFact,
    MortgageFact,
    OtherDebtFact,
    PropertyFact,
    SaleFact,
)

__all__ = ["FactSet", "build_facts", "LIVING_COST_LINES"]

ParamValue = int | Decimal | dt.date

# The expense lines of the budget form. other_income is income, and
# other_debt_payments is left out on purpose: restructuring replaces those
# payments, so they must not shrink the capacity the rules compute.
LIVING_COST_LINES: tuple[str, ...] = (
    "rent",
    "food",
    "utilities",
    "communication",
    "insurance",
    "medical",
    "education",
    "transport",
    "daily_goods",
    "other",
)


@dataclass(frozen=True)
class FactSet:
    """Everything the engine needs about one case."""

    facts: list[Fact]
    params: dict[str, ParamValue]  # every parameter, with this case's overrides applied
    overridden: frozenset[str]  # the parameters the case's assumptions set

    def get(self, fact_id: str) -> Fact | None:
        return next((fact for fact in self.facts if fact.id == fact_id), None)


def build_facts(case: Case, params: Mapping[str, ParamValue], overridden: Iterable[str] = ()) -> FactSet:
    """Restate ``case`` as facts, with the parameter values that apply to it (resolved by the knowledge layer)."""

    # Debts secured on the home rank after the housing loan (rank 1) in the order the case
    # lists them; each carries the sum ranked before it so a rule can see what reaches it.
    other_debts: list[OtherDebtFact] = []
    secured_before = 0
    secured_count = 0
    for n, debt in enumerate(case.other_debts, start=1):
        rank = None
        before = 0
        if debt.secured_on_home:
            secured_count += 1
            rank = 1 + secured_count
            before = secured_before
            secured_before += debt.balance
        other_debts.append(
            OtherDebtFact(
                id=f"other_debt_{n}", lien_rank=rank, secured_before=before, **_fields(debt, rename={"type": "debt_type"})
            )
        )
    holder = _nfkc(case.mortgage.creditor).strip() if case.mortgage.creditor else None
    guarantors = [GuarantorFact(id=f"guarantor_{n}", **_fields(g)) for n, g in enumerate(case.guarantors, start=1)]
    balances = [debt.balance for debt in other_debts]

    facts: list[Fact] = [
        CaseFact(
            id="case",
            case_id=_nfkc(case.case_id),
            as_of=case.as_of,
            residual_debt=case.residual_debt,
            has_property=case.property is not None,
            other_debts_count=len(other_debts),
            other_debts_total=sum(balances),
            other_debts_max_balance=max(balances, default=0),
            other_debts_tax_total=sum(debt.balance for debt in other_debts if debt.debt_type == "tax"),
            other_debts_child_support_total=sum(debt.balance for debt in other_debts if debt.debt_type == "child_support"),
            guarantors_count=len(guarantors),
            other_creditors_voting_count=_voting_creditors(other_debts, holder),
            residual_holder_other_debts_total=sum(
                debt.balance for debt in other_debts if _owed_to(debt, holder) and not debt.secured_on_home and debt.debt_type != "tax"
            ),
            secured_debts_count=secured_count,
            secured_debts_total=secured_before,
            other_debts_unsecured_total=sum(debt.balance for debt in other_debts if not debt.secured_on_home),
        ),
        DebtorFact(id="debtor", **_fields(case.debtor)),
    ]
    if case.budget is not None:
        budget = _fields(case.budget)
        facts.append(BudgetFact(id="budget", living_costs=sum(budget[line] for line in LIVING_COST_LINES), **budget))
    if case.property is not None:
        facts.append(
            PropertyFact(
                id="property",
                junior_liens_unlisted=max(case.property.junior_liens - secured_count, 0),
                **_fields(case.property),
            )
        )
    if case.sale is not None:
        facts.append(SaleFact(id="sale", **_fields(case.sale)))
    facts.append(MortgageFact(id="mortgage", **_fields(case.mortgage)))
    facts.extend(other_debts)
    facts.extend(guarantors)
    if case.assets is not None:
        assets = _fields(case.assets)
        facts.append(AssetsFact(id="assets", total=sum(assets.values()), **assets))

    return FactSet(facts=facts, params=dict(params), overridden=frozenset(overridden))


def _owed_to(debt: OtherDebtFact, holder: str | None) -> bool:
    return holder is not None and debt.creditor is not None and debt.creditor.strip() == holder


def _voting_creditors(other_debts: list[OtherDebtFact], holder: str | None = None) -> int:
    """Creditors who vote on a small-claims plan (民事再生法230条6項), besides the residual holder.

    Taxes are general priority claims with no vote (民事再生法122条1項); several debts
    owed to one named creditor (a pair loan's two loans from one bank) are one vote, and
    a debt owed to the residual holder itself (``holder``, the mortgage's creditor named
    in the case) is that holder's vote, not another's.
    A debt whose creditor is not named is taken as a creditor of its own.
    """
    named: set[str] = set()
    unnamed = 0
    for debt in other_debts:
        if debt.debt_type == "tax" or _owed_to(debt, holder):
            continue
        if debt.creditor:
            named.add(debt.creditor.strip())
        else:
            unnamed += 1
    return len(named) + unnamed


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def _fields(section: BaseModel, rename: Mapping[str, str] | None = None) -> dict[str, Any]:
    """A case section's values under the fact's field names, text NFKC-normalised.

    The fact models forbid unknown fields, so a case field the vocabulary does
    not declare fails here rather than being dropped.
    """
    rename = rename or {}
    return {
        rename.get(name, name): _nfkc(value) if isinstance(value, str) else value
        for name, value in section.model_dump().items()
    }
