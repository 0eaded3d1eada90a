"""Evaluation of the rule language at its edges, and the messages it fails with.

An evaluation error reaches the advisor inside the engine's message ("rule X could
not compute then[0]: ..."), so the Japanese and the English text must both name
the function or operator and the value. Each test here failed under a mutant of
knowledge/expr.py that the earlier tests let through (see tests/README.md,
"Mutation testing").
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest

from knowledge import expr as E
from knowledge.parser import parse


def value(src: str, env: dict | None = None):
    env = env or {}
    return E.evaluate(parse(src), lambda r: env.get(r.text, E.MISSING))


def failure(src: str, env: dict | None = None) -> E.EvalError:
    with pytest.raises(E.EvalError) as info:
        value(src, env)
    return info.value


# --- date functions -----------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (dt.date(2020, 6, 27), 5, dt.date(2025, 6, 27)),
        (dt.date(2025, 6, 27), -5, dt.date(2020, 6, 27)),
        (dt.date(2024, 2, 29), 4, dt.date(2028, 2, 29)),  # leap year to leap year keeps the day
        (dt.date(2024, 2, 29), 1, dt.date(2025, 2, 28)),  # to a common year: the day before 1 March
        (dt.date(2024, 2, 28), 1, dt.date(2025, 2, 28)),
    ],
)
def test_add_years_moves_forward_and_back_and_keeps_leap_days_inside_february(start, n, expected):
    src = f"add_years(d.a, {n})" if n >= 0 else f"add_years(d.a, -{-n})"
    assert value(src, {"d.a": start}) == expected


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (dt.date(2024, 1, 31), 1, dt.date(2024, 2, 29)),  # leap February
        (dt.date(2023, 1, 31), 1, dt.date(2023, 2, 28)),  # common February
        (dt.date(2024, 1, 31), 11, dt.date(2024, 12, 31)),  # into December keeps the 31st
        (dt.date(2024, 10, 31), 2, dt.date(2024, 12, 31)),
        (dt.date(2025, 3, 31), -4, dt.date(2024, 11, 30)),  # back across a year end, clamped
        (dt.date(2024, 12, 31), 0, dt.date(2024, 12, 31)),
    ],
)
def test_add_months_ends_on_the_last_day_when_the_target_month_is_shorter(start, n, expected):
    src = f"add_months(d.a, {n})" if n >= 0 else f"add_months(d.a, -{-n})"
    assert value(src, {"d.a": start}) == expected


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (dt.date(2024, 2, 28), 1, dt.date(2024, 2, 29)),
        (dt.date(2023, 2, 28), 1, dt.date(2023, 3, 1)),
        (dt.date(2024, 12, 31), 1, dt.date(2025, 1, 1)),
        (dt.date(2025, 1, 1), -1, dt.date(2024, 12, 31)),
        (dt.date(2024, 1, 1), 366, dt.date(2025, 1, 1)),
    ],
)
def test_add_days_across_month_year_and_leap_day(start, n, expected):
    src = f"add_days(d.a, {n})" if n >= 0 else f"add_days(d.a, -{-n})"
    assert value(src, {"d.a": start}) == expected


@pytest.mark.parametrize("func", ["add_years", "add_months", "add_days"])
def test_a_fractional_count_is_refused_naming_the_function_and_the_value(func):
    exc = failure(f"{func}(d.a, 1 / 2)", {"d.a": dt.date(2024, 1, 1)})
    assert exc.ja == f"{func}() には整数を渡してください（1/2）"
    assert exc.en == f"{func}() needs a whole number, got 1/2"


@pytest.mark.parametrize("count", ['"3"', "true"])
def test_a_count_that_is_not_a_number_is_refused_not_taken_as_one(count):
    # true would otherwise pass as 1 (a bool has a denominator), "3" would raise
    # an AttributeError the engine does not turn into a message.
    exc = failure(f"add_days(d.a, {count})", {"d.a": dt.date(2024, 1, 1)})
    assert exc.en.startswith("add_days() needs a whole number, got ")
    assert exc.ja.startswith("add_days() には整数を渡してください")


def test_a_date_past_the_calendar_is_an_error_naming_the_function():
    exc = failure("add_days(d.a, 1)", {"d.a": dt.date(9999, 12, 31)})
    assert exc.ja.startswith("add_days() を計算できません: ")
    assert exc.en.startswith("cannot compute add_days(): ")
    assert "out of range" in exc.en and "out of range" in exc.ja  # the cause, as Python states it


def test_a_year_past_the_calendar_is_an_error_too():
    exc = failure("add_years(d.a, 1)", {"d.a": dt.date(9999, 2, 28)})
    assert exc.en.startswith("cannot compute add_years(): ")


# --- arithmetic ---------------------------------------------------------------


def test_negation_of_a_reference_and_of_a_missing_value():
    assert value("-a.x", {"a.x": Fraction(5)}) == -5
    assert value("-a.x") is E.MISSING


def test_negating_text_is_refused_naming_the_minus_and_the_value():
    exc = failure("-a.x", {"a.x": "bank"})
    assert exc.ja == "- は数値どうしでしか計算できません（'bank'）"
    assert exc.en == "- needs numbers, got 'bank'"


@pytest.mark.parametrize(
    ("src", "op"),
    [('a.x + 1', "+"), ('1 * a.x', "*"), ('a.x / 2', "/"), ('3 - a.x', "-")],
)
def test_arithmetic_on_text_names_the_operator_on_either_side(src, op):
    exc = failure(src, {"a.x": "jhf"})
    assert exc.ja == f"{op} は数値どうしでしか計算できません（'jhf'）"
    assert exc.en == f"{op} needs numbers, got 'jhf'"


def test_division_by_zero_says_so_in_both_languages():
    exc = failure("a.x / a.y", {"a.x": Fraction(1), "a.y": Fraction(0)})
    assert (exc.ja, exc.en) == ("0 で割ろうとしました", "division by zero")


def test_a_condition_where_a_value_belongs_is_refused_naming_its_kind():
    with pytest.raises(E.EvalError) as info:
        E.evaluate(parse("a.x > 1"), lambda r: Fraction(2))
    assert (info.value.ja, info.value.en) == ("ここには値を書いてください", "not a value expression: Compare")


# --- comparison ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("op", "a", "b", "expected"),
    [
        ("<=", 1, 1, True),
        ("<=", 1, 2, True),
        ("<=", 2, 1, False),
        ("<", 1, 1, False),
        (">=", 1, 1, True),
        (">", 1, 1, False),
        ("==", 1, 1, True),
    ],
)
def test_comparisons_on_equal_and_unequal_numbers(op, a, b, expected):
    assert E.compare(op, Fraction(a), Fraction(b)) is expected


@pytest.mark.parametrize("op", ["==", "!=", "<", "<=", ">", ">="])
@pytest.mark.parametrize(
    ("a", "b"),
    [(None, Fraction(1)), (Fraction(1), None), (E.MISSING, Fraction(1)), (Fraction(1), E.MISSING), (None, None)],
)
def test_an_absent_operand_on_either_side_fails_every_comparison(op, a, b):
    assert E.compare(op, a, b) is False


def test_comparing_a_date_with_a_number_names_both():
    with pytest.raises(E.EvalError) as info:
        E.compare("<", dt.date(2024, 1, 1), Fraction(3))
    assert info.value.ja == "比較できない値です: datetime.date(2024, 1, 1) < Fraction(3, 1)"
    assert info.value.en == "cannot compare datetime.date(2024, 1, 1) < Fraction(3, 1)"


# --- bringing values in -------------------------------------------------------


def test_to_exact_keeps_booleans_and_none_and_makes_numbers_exact():
    assert E.to_exact(True) is True and E.to_exact(False) is False
    assert E.to_exact(None) is None
    assert E.to_exact(12) == Fraction(12) and type(E.to_exact(12)) is Fraction
    assert E.to_exact(Decimal("0.125")) == Fraction(1, 8)
    assert E.to_exact(0.1) == Fraction(1, 10)  # the decimal the float was written as, not its binary value
    assert E.to_exact("bank") == "bank"


# --- normalisation and walking ------------------------------------------------


def test_normalise_keeps_and_and_or_when_nothing_is_negated():
    both = E.normalise(parse("a.x > 1 and a.y < 2"))
    assert isinstance(both, E.And) and [i.op for i in both.items] == [">", "<"]
    either = E.normalise(parse("a.x > 1 or a.y < 2"))
    assert isinstance(either, E.Or) and [i.op for i in either.items] == [">", "<"]


def test_normalise_swaps_and_and_or_under_not():
    either = E.normalise(parse("not (a.x > 1 and a.y < 2)"))
    assert isinstance(either, E.Or) and [i.op for i in either.items] == ["<=", ">="]
    both = E.normalise(parse("not (a.x > 1 or a.y < 2)"))
    assert isinstance(both, E.And) and [i.op for i in both.items] == ["<=", ">="]


def test_numbers_and_calls_are_found_anywhere_in_a_tree():
    node = parse("a.x > max(12, add_days(d.a, 3)) and a.y == 1")
    assert [n.value for n in E.numbers(node)] == [12, 3, 1]
    assert [c.func for c in E.calls(node)] == ["max", "add_days"]
