"""--open / --close: the smallest change of one input that lists a path or takes it off the list.

Each answer is checked here against the case's own arithmetic and as a
boundary pair: the goal holds at the answer and fails one yen nearer the case
as it is, both by full assessments independent of the search.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from click.testing import CliRunner

from app.smallest import _bisect, _Goal, lever_case, levers, smallest_change, thresholds
from cli import main
from facts.errors import InputError

ROOT = Path(__file__).resolve().parent.parent
CASE_A = str(ROOT / "examples" / "case_a.yaml")


@pytest.fixture(scope="module")
def open_conciliation(desk, case_a):
    return smallest_change(desk, case_a, "specific_conciliation", "open")


@pytest.fixture(scope="module")
def close_bankruptcy(desk, case_a):
    return smallest_change(desk, case_a, "bankruptcy", "close")


def listed(desk, case, path):
    return path in [r.path for r in desk.assess(case).recommendations]


def answer_for(search, lever_id):
    (answer,) = [a for a in search.answers if a.levers[0].id == lever_id]
    return answer


def test_case_a_lists_specific_conciliation_once_take_home_pay_covers_the_debt_in_60_months(desk, case_a, open_conciliation):
    answer = answer_for(open_conciliation, "debtor.monthly_take_home")
    # total debt 8,849,000 repaid within 60 months needs a capacity of ceil(8,849,000 / 60) = 147,484;
    # capacity = take-home + other income 60,000 − living costs 225,000
    needed = math.ceil(8_849_000 / 60) + 225_000 - 60_000
    assert answer.values == [needed] == [312_484]
    assert answer.method == "linear"
    assert answer.condition.rule == "conciliation.repayable_in_extended_horizon"
    assert answer.verified and answer.shown == [313_000] and answer.shown_verified
    lever = answer.levers[0]
    assert listed(desk, lever_case(case_a, lever, 312_484), "specific_conciliation")
    assert not listed(desk, lever_case(case_a, lever, 312_483), "specific_conciliation")


def test_case_a_lists_specific_conciliation_once_living_costs_fall_by_the_same_amount(desk, case_a, open_conciliation):
    answer = answer_for(open_conciliation, "budget.living_costs")
    assert answer.values == [225_000 - 62_484] and answer.method == "linear"
    lever = answer.levers[0]
    assert listed(desk, lever_case(case_a, lever, 162_516), "specific_conciliation")
    assert not listed(desk, lever_case(case_a, lever, 162_517), "specific_conciliation")


def test_case_a_lists_specific_conciliation_at_a_sale_price_solved_back_through_the_fees(desk, case_a, open_conciliation):
    answer = answer_for(open_conciliation, "property.expected_sale_price")
    price = answer.values[0]
    assert answer.method == "linear" and answer.verified
    assert answer.figures["total_debt"] == 5_100_000  # exactly 60 × the capacity of 85,000
    lever = answer.levers[0]
    assert listed(desk, lever_case(case_a, lever, price), "specific_conciliation")
    assert not listed(desk, lever_case(case_a, lever, price - 1), "specific_conciliation")
    # the smallest sale-price change is the smallest relative change of all three
    assert open_conciliation.answers[0].levers[0].id == "property.expected_sale_price"


def test_the_solved_price_is_the_edge_bisection_finds_on_its_own(desk, case_a, open_conciliation):
    answer = answer_for(open_conciliation, "property.expected_sale_price")
    lever = answer.levers[0]
    goal = _Goal(desk, case_a, "specific_conciliation", "open")
    edge, monotone = _bisect(lambda n: goal.at([(lever, n)]), lever.current, lever.hi)
    assert edge == answer.values[0]
    # not monotone over the whole range: once the price covers the loan there is no residual to conciliate
    assert monotone is False
    assert not listed(desk, lever_case(case_a, lever, lever.hi), "specific_conciliation")


def test_a_balance_of_other_debts_and_waiting_cannot_list_conciliation_in_case_a(open_conciliation):
    assert {l.id for l in open_conciliation.unreachable} == {"other_debts[0].balance", "as_of"}
    assert open_conciliation.pair is None  # single inputs suffice: no two-input search


def test_case_a_takes_bankruptcy_off_the_list_only_through_the_sale_price(desk, case_a, close_bankruptcy):
    (answer,) = close_bankruptcy.answers
    assert answer.levers[0].id == "property.expected_sale_price"
    # both triggers must stop: total debt ≤ 500万 and ≤ 36 × capacity 85,000 = 3,060,000 (the tighter)
    assert answer.figures["total_debt"] == 3_060_000 and answer.figures["residual_debt"] == 2_260_000
    price = answer.values[0]
    lever = answer.levers[0]
    assert not listed(desk, lever_case(case_a, lever, price), "bankruptcy")
    assert listed(desk, lever_case(case_a, lever, price - 1), "bankruptcy")
    assert {l.id for l in close_bankruptcy.unreachable} >= {"debtor.monthly_take_home", "budget.living_costs"}


def test_thresholds_are_solved_from_the_rules_behind_the_path(desk, case_a):
    result = desk.assess(case_a)
    take_home = next(l for l in levers(case_a, result) if l.id == "debtor.monthly_take_home")
    found = {(t.rule, t.value) for t in thresholds(desk.rule_base, result, take_home, "specific_conciliation")}
    assert ("conciliation.repayable_in_extended_horizon", 312_484) in found


def test_a_path_already_listed_needs_no_change(desk, case_a):
    search = smallest_change(desk, case_a, "voluntary_sale", "open")
    assert search.already and search.answers == []


def test_an_unknown_path_is_bad_input_with_a_suggestion(desk, case_a):
    with pytest.raises(InputError) as caught:
        smallest_change(desk, case_a, "bankrupcy", "close")
    assert caught.value.problems[0].location == "--close"
    assert "bankruptcy" in caught.value.problems[0].en


def test_waiting_is_the_lever_that_lists_invoking_limitation(desk):
    case = desk.parse_case(
        "case_id: wait\nas_of: 2026-11-26\ndebtor: {annual_income: 300万, monthly_take_home: 20万}\n"
        "mortgage: {lender_type: bank, balance: 500万, contract_date: 2020-06-01, accelerated: true,"
        " acceleration_date: 2022-01-10, current_creditor: bank, last_payment_date: 2022-01-05}\n"
        "sale: {sold: true, sale_date: 2022-06-01, sale_price: 0}\nresidual_debt: 300万\n"
    )
    result = desk.assess(case)
    completion = result.figures["limitation_completion_date"]
    search = smallest_change(desk, case, "invoke_limitation", "open")
    answer = next(a for a in search.answers if a.levers[0].id == "as_of")
    assert answer.values == [completion] and answer.verified
    assert answer.method == "linear"


def test_whatif_open_prints_the_sentence_method_and_verification():
    result = CliRunner().invoke(main, ["whatif", CASE_A, "--open", "specific_conciliation"])
    assert result.exit_code == 0, result.output
    assert "特定調停が選択肢に入るのは、手取り月収が 31万3,000円 以上のとき" in result.output
    assert "正確な境目は 312,484円" in result.output
    assert "方法: 線形" in result.output and "判定で確認済み" in result.output


def test_whatif_close_in_english_and_json():
    result = CliRunner().invoke(main, ["whatif", CASE_A, "--close", "bankruptcy", "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "Bankruptcy drops off the list once expected sale price is at least" in result.output
    data = json.loads(CliRunner().invoke(main, ["whatif", CASE_A, "--close", "bankruptcy", "--json"]).output)
    (answer,) = data["answers"]
    assert answer["verified"] and answer["figures"]["total_debt"] == 3_060_000
    assert data["goal"] == "close" and data["path"] == "bankruptcy"


def test_whatif_open_and_close_together_is_refused():
    result = CliRunner().invoke(main, ["whatif", CASE_A, "--open", "bankruptcy", "--close", "bankruptcy"])
    assert result.exit_code == 2 and "--close" in result.output


PAIR_CASE = """
case_id: pair
as_of: 2026-11-26
debtor: {annual_income: 300万, monthly_take_home: 20万, income_stable: true, wage_earner: true}
budget: {rent: 7万, food: 5万, other: 3万}
mortgage: {lender_type: bank, balance: 2000万, contract_date: 2021-04-01, accelerated: true, acceleration_date: 2025-10-01,
           subrogated: true, subrogation_date: 2025-11-01, current_creditor: guarantee_company, last_payment_date: 2026-10-27}
sale: {sold: true, sale_date: 2026-03-01, sale_price: 1700万}
residual_debt: 300万
other_debts:
  - {type: card_loan, creditor: "C社", balance: 300万, monthly_payment: 3万}
"""


def test_when_no_single_input_can_close_bankruptcy_the_best_two_input_change_is_shown(desk):
    # both triggers hold: total debt 600万 > 500万, and 600万 > 36 × capacity 5万. Paying the card down
    # alone leaves the capacity test; more pay or lower costs alone leave the 500万 trigger.
    case = desk.parse_case(PAIR_CASE)
    search = smallest_change(desk, case, "bankruptcy", "close")
    assert search.answers == []
    assert {l.id for l in search.unreachable} >= {"debtor.monthly_take_home", "budget.living_costs", "other_debts[0].balance"}
    pair = search.pair
    assert pair is not None and pair.verified and len(pair.levers) == 2
    assert not listed(desk, case_from(desk, case, pair), "bankruptcy")
    for keep in range(2):  # each move alone is not enough
        only = [(l, v) for i, (l, v) in enumerate(zip(pair.levers, pair.values)) if i == keep]
        from app.smallest import levers_case

        assert listed(desk, levers_case(case, only), "bankruptcy")
    assert pair.figures["total_debt"] <= 5_000_000
    assert pair.figures["total_debt"] <= 36 * pair.figures["monthly_capacity"]


def case_from(desk, case, answer):
    from app.smallest import levers_case

    return levers_case(case, list(zip(answer.levers, answer.values)))


def test_the_text_says_when_no_single_input_does_it(desk):
    result = CliRunner().invoke(main, ["whatif", str(ROOT / "examples" / "welfare_no_capacity.yaml"), "--close", "bankruptcy"])
    assert result.exit_code == 0, result.output
    assert "どの入力も単独では届きません。" in result.output
    assert "2つの入力の組合せでも届きません" in result.output  # on welfare: no input moves the welfare trigger


def test_the_paths_at_an_answer_are_named_in_the_readers_language(close_bankruptcy):
    from render.whatif import smallest_text

    ja = smallest_text(close_bankruptcy, close_bankruptcy.original, "ja")
    en = smallest_text(close_bankruptcy, close_bankruptcy.original, "en")
    assert "変えた後の進路: 任意売却 > 分割返済の交渉" in ja and "voluntary_sale" not in ja
    assert "Voluntary sale" in en and "voluntary_sale >" not in en
