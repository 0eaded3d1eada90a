"""From case to facts: ids, plain sums, absent sections, NFKC text, parameter overrides."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from facts.errors import InputError
from facts.builder import LIVING_COST_LINES, FactSet
from facts.builder import build_facts as _build_facts
from facts.case import Budget
from facts.load import load_case_file, load_case_text
from facts.text import Bilingual
from knowledge.parameters import Parameter, resolve_parameters
from facts.vocabulary import FACT_TYPES, BudgetFact, Fact

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
EXAMPLE_FILES = sorted(EXAMPLES.glob("*.yaml"))


def parameter(name: str, kind: str, value) -> Parameter:
    return Parameter(
        name=name,
        kind=kind,
        value=value,
        title=Bilingual(ja=name, en=name),
        sources=["test"],
    )


PARAMS = {
    p.name: p
    for p in (
        parameter("auction_price_ratio", "ratio", Decimal("0.70")),
        parameter("voluntary_sale_price_ratio", "ratio", Decimal("0.85")),
        parameter("bankruptcy_review_income_multiple", "ratio", Decimal(3)),
        parameter("bankruptcy_review_total_debt", "yen", 5_000_000),
        parameter("capacity_horizon_months", "int", 36),
    )
}

BASE = """\
case_id: "b-1"
as_of: 2026-11-26
debtor: {annual_income: 360万}
mortgage: {lender_type: bank, balance: 3100万}
"""


def build_facts(case, params) -> FactSet:
    """The builder fed as the desk feeds it: parameter values resolved for the case first."""
    applied = resolve_parameters(case, params)
    return _build_facts(case, {n: a.value for n, a in applied.items()}, [n for n, a in applied.items() if a.overridden])


def overrides(text: str, params=PARAMS) -> dict:
    """name -> (value in force, value the case gave) for every parameter the case's assumptions set."""
    applied = resolve_parameters(load_case_text(text, "case.yaml"), params)
    return {n: (a.default, a.value) for n, a in applied.items() if a.overridden}


def build(text: str, params=PARAMS) -> FactSet:
    return build_facts(load_case_text(text, "case.yaml"), params)


def build_example(name: str, params=PARAMS) -> FactSet:
    return build_facts(load_case_file(EXAMPLES / f"{name}.yaml"), params)


def ids(facts: FactSet) -> list[str]:
    return [fact.id for fact in facts.facts]


# --------------------------------------------------------------------------- ids and sections


def test_case_a_has_every_fact_with_stable_ids():
    facts = build_example("case_a")
    assert ids(facts) == ["case", "debtor", "budget", "property", "mortgage", "other_debt_1", "guarantor_1", "assets"]
    assert [type(f).type for f in facts.facts] == [
        "case", "debtor", "budget", "property", "mortgage", "other_debt", "guarantor", "assets",
    ]


def test_ids_number_each_debt_and_guarantor_in_file_order():
    facts = build(
        BASE
        + "other_debts:\n  - {type: card_loan, creditor: A社, balance: 1}\n  - {type: tax, balance: 2}\n  - {type: other, balance: 3}\n"
        + "guarantors:\n  - {kind: joint_guarantor, name: 妻}\n  - {kind: guarantor, name: 父}\n"
    )
    assert ids(facts) == ["case", "debtor", "mortgage", "other_debt_1", "other_debt_2", "other_debt_3", "guarantor_1", "guarantor_2"]
    assert [facts.get(f"other_debt_{n}").debt_type for n in (1, 2, 3)] == ["card_loan", "tax", "other"]
    assert facts.get("guarantor_2").name == "父"
    assert facts.get("nothing") is None


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_every_example_builds_with_unique_ids(path):
    facts = build_facts(load_case_file(path), PARAMS)
    assert len(set(ids(facts))) == len(facts.facts)
    assert all(isinstance(f, Fact) and type(f) in FACT_TYPES.values() for f in facts.facts)
    singles = [type(f).type for f in facts.facts if not type(f).multiple]
    assert len(singles) == len(set(singles))


def test_absent_sections_make_no_facts():
    facts = build_example("minimal")
    assert ids(facts) == ["case", "debtor", "mortgage"]
    case = facts.get("case")
    assert case.has_property is False
    assert (case.other_debts_count, case.other_debts_total, case.other_debts_max_balance, case.guarantors_count) == (0, 0, 0, 0)
    assert (case.other_debts_tax_total, case.other_debts_child_support_total) == (0, 0)
    assert case.residual_debt is None


def test_has_property_follows_the_property_section():
    assert build_example("case_a").get("case").has_property is True
    assert build_example("over_loan_800").get("case").has_property is False


def test_case_fields_carry_over_unchanged():
    facts = build_example("limitation_old")
    assert facts.get("case").residual_debt == 6_500_000
    mortgage = facts.get("mortgage")
    assert mortgage.last_payment_date == dt.date(2020, 9, 30)
    assert mortgage.late_damage_rate == Decimal("0.14")
    assert mortgage.current_creditor == "guarantee_company"
    assert facts.get("sale").sale_price == 14_000_000


# --------------------------------------------------------------------------- sums


def test_living_costs_are_the_expense_lines_only():
    budget = build_example("case_a").get("budget")
    # 7万+6万+2万+1.2万+1万+5千+1.5万+1万+8千+1.5万, worked out by hand.
    assert budget.living_costs == 225_000
    # Neither the spouse's income nor the card-loan payment is a living cost.
    assert (budget.other_income, budget.other_debt_payments) == (60_000, 20_000)


def test_living_costs_respond_to_each_expense_line_and_no_other():
    base = build(BASE + "budget: {}\n").get("budget").living_costs
    assert base == 0
    for line in LIVING_COST_LINES:
        assert build(BASE + f"budget: {{{line}: 1234}}\n").get("budget").living_costs == 1234, line
    for line in ("other_income", "other_debt_payments"):
        assert build(BASE + f"budget: {{{line}: 1234}}\n").get("budget").living_costs == 0, line


def test_every_budget_line_is_classified():
    # A new budget line must be placed deliberately: expense, or one of the two exclusions.
    assert set(LIVING_COST_LINES) | {"other_income", "other_debt_payments"} == set(Budget.model_fields)
    assert set(Budget.model_fields) | {"id", "living_costs"} == set(BudgetFact.model_fields)


def test_asset_total_and_other_debt_sums():
    assets = build_example("case_a").get("assets")
    assert assets.total == 300_000 + 120_000

    case = build_example("rehabilitation_600").get("case")
    assert (case.other_debts_count, case.other_debts_total, case.other_debts_max_balance) == (3, 1_800_000, 900_000)

    case = build_example("restricted_occupation").get("case")
    assert (case.other_debts_total, case.other_debts_max_balance, case.guarantors_count) == (2_100_000, 1_500_000, 1)


def test_other_debt_sums_by_type_add_only_that_type():
    case = build(
        BASE
        + "other_debts:\n"
        + "  - {type: tax, balance: 100}\n  - {type: card_loan, balance: 20}\n  - {type: tax, balance: 3}\n"
        + "  - {type: child_support, balance: 4000}\n  - {type: other, balance: 50000}\n"
    ).get("case")
    assert case.other_debts_total == 54_123
    assert case.other_debts_tax_total == 103
    assert case.other_debts_child_support_total == 4_000

    # The examples hold neither tax nor child support.
    case = build_example("rehabilitation_600").get("case")
    assert (case.other_debts_tax_total, case.other_debts_child_support_total) == (0, 0)


def test_a_debt_owed_to_the_residual_holder_votes_with_it_not_as_another_creditor():
    debts = (
        "other_debts:\n"
        "  - {type: other, creditor: \"Ｋ保証\", balance: 250}\n"  # full-width: the same name once NFKC-normalised
        "  - {type: card_loan, creditor: Lカード, balance: 60}\n  - {type: card_loan, creditor: Lカード, balance: 7}\n"
        "  - {type: tax, creditor: 市役所, balance: 9}\n  - {type: other, balance: 1}\n"
        "  - {type: other, creditor: K保証, balance: 40, secured_on_home: true}\n"
    )
    named = build(BASE.replace("balance: 3100万}", "balance: 3100万, creditor: K保証}") + debts).get("case")
    # Lカード once, the unnamed debt once; K保証 is the residual holder; the tax has no vote
    assert named.other_creditors_voting_count == 2
    # only its unsecured claim adds to the residual holder's vote (the secured one is already in the residual)
    assert named.residual_holder_other_debts_total == 250

    unnamed = build(BASE + debts).get("case")
    assert unnamed.other_creditors_voting_count == 3
    assert unnamed.residual_holder_other_debts_total == 0


def test_the_builder_concludes_nothing():
    # No residual is computed for a case that does not state one: that is the rules' work.
    facts = build_example("over_loan_800")
    assert facts.get("case").residual_debt is None
    assert facts.get("sale").sale_costs is None


# --------------------------------------------------------------------------- text


def test_text_is_nfkc_normalised():
    facts = build(
        BASE.replace('"b-1"', '"ＣＡＳＥ－１"').replace("{annual_income: 360万}", "{annual_income: 360万, occupation: 警備員（施設） }")
        + "other_debts:\n  - {type: card_loan, creditor: ＡＢＣカード, balance: 1}\n"
        + "guarantors:\n  - {kind: joint_guarantor, name: ﾊﾅｺ, relation: ｓｐｏｕｓｅ}\n"
    )
    assert facts.get("case").case_id == "CASE-1"
    assert facts.get("debtor").occupation == "警備員(施設)"
    assert facts.get("other_debt_1").creditor == "ABCカード"
    guarantor = facts.get("guarantor_1")
    assert (guarantor.name, guarantor.relation) == ("ハナコ", "spouse")


# --------------------------------------------------------------------------- parameters


def test_params_hold_every_default_when_nothing_is_assumed():
    facts = build(BASE)
    assert facts.params == {name: p.value for name, p in PARAMS.items()}
    assert facts.overridden == frozenset()


ASSUMED = (
    BASE
    + "assumptions:\n"
    + "  auction_price_ratio: 0.6\n"
    + "  voluntary_sale_price_ratio: 80%\n"
    + "  bankruptcy_review_total_debt: 600万\n"
    + "  capacity_horizon_months: '６０'\n"
)


def test_assumptions_override_parsed_by_kind():
    facts = build(ASSUMED)
    assert facts.params["auction_price_ratio"] == Decimal("0.6")
    assert isinstance(facts.params["auction_price_ratio"], Decimal)
    assert facts.params["voluntary_sale_price_ratio"] == Decimal("0.8")
    assert facts.params["bankruptcy_review_total_debt"] == 6_000_000
    assert facts.params["capacity_horizon_months"] == 60
    assert facts.params["bankruptcy_review_income_multiple"] == Decimal(3)  # untouched
    assert set(facts.overridden) == {
        "auction_price_ratio", "voluntary_sale_price_ratio", "bankruptcy_review_total_debt", "capacity_horizon_months"
    }
    assert overrides(ASSUMED) == {
        "auction_price_ratio": (Decimal("0.70"), Decimal("0.6")),
        "voluntary_sale_price_ratio": (Decimal("0.85"), Decimal("0.8")),
        "bankruptcy_review_total_debt": (5_000_000, 6_000_000),
        "capacity_horizon_months": (36, 60),
    }


def test_an_assumption_equal_to_the_default_is_still_recorded():
    facts = build(BASE + "assumptions: {auction_price_ratio: 0.70}\n")
    assert facts.overridden == {"auction_price_ratio"}
    assert overrides(BASE + "assumptions: {auction_price_ratio: 0.70}\n") == {"auction_price_ratio": (Decimal("0.70"), Decimal("0.70"))}


def test_a_multiplier_ratio_may_exceed_one_but_a_fraction_may_not():
    assert build(BASE + "assumptions: {bankruptcy_review_income_multiple: 2.5}\n").params[
        "bankruptcy_review_income_multiple"
    ] == Decimal("2.5")
    with pytest.raises(InputError) as caught:
        build(BASE + "assumptions: {auction_price_ratio: 1.2}\n")
    [problem] = caught.value.problems
    assert problem.location == "assumptions.auction_price_ratio"
    assert "1.2" in problem.en and "between 0 and 1" in problem.en


def test_unknown_assumption_is_an_error_with_a_suggestion():
    with pytest.raises(InputError) as caught:
        build(BASE + "assumptions: {auction_price_rato: 0.6}\n")
    [problem] = caught.value.problems
    assert problem.location == "assumptions.auction_price_rato"
    assert "did you mean 'auction_price_ratio'?" in problem.en
    assert "'auction_price_ratio' の誤りではありませんか" in problem.ja


def test_every_assumption_problem_is_reported_at_once():
    with pytest.raises(InputError) as caught:
        build(
            BASE
            + "assumptions:\n"
            + "  no_such_thing: 1\n"
            + "  bankruptcy_review_total_debt: -5万\n"
            + "  capacity_horizon_months: 三十六\n"
            + "  auction_price_ratio: abc\n"
        )
    problems = {p.location: p for p in caught.value.problems}
    assert set(problems) == {
        "assumptions.no_such_thing",
        "assumptions.bankruptcy_review_total_debt",
        "assumptions.capacity_horizon_months",
        "assumptions.auction_price_ratio",
    }
    assert "name a parameter" in problems["assumptions.no_such_thing"].en
    assert "'-5万'" in problems["assumptions.bankruptcy_review_total_debt"].en
    assert "'三十六'" in problems["assumptions.capacity_horizon_months"].ja
    assert "'abc'" in problems["assumptions.auction_price_ratio"].en
    for problem in problems.values():
        assert problem.ja != problem.en


@pytest.mark.parametrize("bad", ["-3", "2.5", "1e3"])
def test_int_parameters_need_non_negative_whole_numbers(bad):
    with pytest.raises(InputError) as caught:
        build(BASE + f"assumptions: {{capacity_horizon_months: {bad}}}\n")
    assert caught.value.problems[0].location == "assumptions.capacity_horizon_months"


def test_date_parameters_are_read_as_dates():
    try:
        reform = parameter("civil_code_reform_date", "date", dt.date(2020, 4, 1))
    except Exception:  # noqa: BLE001 - the parameter model may not know dates yet
        pytest.skip("facts.parameters does not declare date parameters")
    for written in ("令和2年4月1日", "2020-04-01"):  # the second reaches the builder as a YAML date
        facts = build(BASE + f"assumptions: {{civil_code_reform_date: {written}}}\n", {reform.name: reform})
        assert facts.params["civil_code_reform_date"] == dt.date(2020, 4, 1)


def test_the_fact_set_cannot_be_rebound():
    facts = build(BASE)
    with pytest.raises(dataclasses.FrozenInstanceError):
        facts.params = {}  # type: ignore[misc]


def real_parameters() -> dict[str, Parameter]:
    """rules/parameters.yaml through the rule base's own loader."""
    from knowledge.load import load_rule_base

    return load_rule_base().parameters


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_every_example_builds_against_the_real_parameters(path):
    real = real_parameters()
    case = load_case_file(path)
    facts = build_facts(case, real)
    assert set(facts.params) == set(real)
    assert set(facts.overridden) == set(case.assumptions)


def test_the_spec_example_assumptions_name_real_parameters():
    facts = build(BASE + "assumptions: {auction_price_ratio: 0.70, voluntary_sale_price_ratio: 0.85}\n", real_parameters())
    assert facts.params["auction_price_ratio"] == Decimal("0.70")
    assert facts.params["voluntary_sale_price_ratio"] == Decimal("0.85")


def test_auction_example_overrides_the_auction_ratio():
    facts = build_example("auction_filed", real_parameters())
    assert "auction_price_ratio" in facts.overridden
    assert facts.params["auction_price_ratio"] == Decimal("0.75")
