"""From a validated case to the facts the rules read.

The builder only restates the case in the fact vocabulary: it gives every
fact a stable id, normalises text, adds plain sums the rules would otherwise
each recompute (living costs, asset total, other-debt totals overall and for
tax and child support), and settles which parameter values apply to this case. It draws no conclusion: residual
debt, capacity, limitation dates and the rest belong to the rules, where the
trace can show them.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from pydantic import BaseModel

from engine.errors import InputError, Problem
from facts.case import Case
from facts.load import did_you_mean
from facts.parameters import Parameter
from facts.values import ValueParseError, parse_count, parse_date, parse_rate, parse_yen
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

__all__ = ["FactSet", "build_facts", "LIVING_COST_LINES", "resolve_parameters"]

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
    overridden: dict[str, tuple[ParamValue, ParamValue]]  # name -> (default, value the case gave)

    def get(self, fact_id: str) -> Fact | None:
        return next((fact for fact in self.facts if fact.id == fact_id), None)


def build_facts(case: Case, parameters: Mapping[str, Parameter]) -> FactSet:
    """Restate ``case`` as facts, with ``parameters`` as overridden by its assumptions."""
    params, overridden = resolve_parameters(case.assumptions, parameters)

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
            other_creditors_voting_count=_voting_creditors(other_debts),
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

    return FactSet(facts=facts, params=params, overridden=overridden)


def _voting_creditors(other_debts: list[OtherDebtFact]) -> int:
    """Creditors who vote on a small-claims plan (民事再生法230条6項), besides the residual holder.

    Taxes are general priority claims with no vote (民事再生法122条1項); several debts
    owed to one named creditor (a pair loan's two loans from one bank) are one vote.
    A debt whose creditor is not named is taken as a creditor of its own.
    """
    named: set[str] = set()
    unnamed = 0
    for debt in other_debts:
        if debt.debt_type == "tax":
            continue
        if debt.creditor:
            named.add(debt.creditor.strip())
        else:
            unnamed += 1
    return len(named) + unnamed


def resolve_parameters(
    assumptions: Mapping[str, Any], parameters: Mapping[str, Parameter]
) -> tuple[dict[str, ParamValue], dict[str, tuple[ParamValue, ParamValue]]]:
    """Parameter values for one case: the defaults, overridden by its assumptions.

    Every assumption the case states is recorded as an override, even one
    equal to the default, so the trace can say the value came from the case.
    All problems are reported together.
    """
    params: dict[str, ParamValue] = {name: parameter.value for name, parameter in parameters.items()}
    overridden: dict[str, tuple[ParamValue, ParamValue]] = {}
    problems: list[Problem] = []
    for raw_name, raw_value in assumptions.items():
        name = _nfkc(raw_name)
        location = f"assumptions.{raw_name}"
        parameter = parameters.get(name)
        if parameter is None:
            suggestion = did_you_mean(name, parameters)
            hint_ja = f"'{suggestion}' の誤りではありませんか？" if suggestion else "ルールベースのパラメータ名を指定してください"
            hint_en = f"did you mean '{suggestion}'?" if suggestion else "name a parameter of the rule base"
            problems.append(Problem(location, f"不明なパラメータ '{raw_name}' です。{hint_ja}", f"unknown parameter '{raw_name}'; {hint_en}"))
            continue
        try:
            value = _parse_parameter_value(parameter, raw_value)
        except ValueParseError as error:
            problems.append(Problem(location, error.ja, error.en))
            continue
        params[name] = value
        overridden[name] = (parameter.value, value)
    if problems:
        raise InputError(problems)
    return params, overridden


def _parse_parameter_value(parameter: Parameter, value: Any) -> ParamValue:
    if parameter.kind == "yen":
        return parse_yen(value)
    if parameter.kind == "ratio":
        # A ratio whose default is a fraction (auction price ratio 0.70) must stay
        # one; a multiplier (3 × annual income) may exceed 1.
        return parse_rate(value, maximum=Decimal(1) if parameter.value <= 1 else None)
    if parameter.kind == "date":
        return parse_date(value)
    return parse_count(value)


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
