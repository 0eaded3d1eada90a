"""Parts of the rule language no other test pinned down (found by mutation testing).

Inverting ``!=``, swapping ``true`` and ``false``, turning ``and`` into
``or``, or shifting a month or an anniversary by one all survived the earlier
tests; each assertion here fails under one of those mutants.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest

from knowledge import expr as E
from knowledge.parser import parse


def value(src: str, env: dict | None = None):
    env = env or {}
    return E.evaluate(parse(src), lambda r: env.get(r.text, E.MISSING))


def test_not_equal_is_its_own_operator_and_holds_only_on_different_values():
    node = parse("a.x != 1")
    assert isinstance(node, E.Compare) and node.op == "!="
    assert E.compare("!=", Fraction(1), Fraction(2)) is True
    assert E.compare("!=", Fraction(1), Fraction(1)) is False
    assert E.compare("!=", "bank", "jhf") is True
    assert E.compare("!=", E.MISSING, Fraction(1)) is False  # a missing value satisfies no comparison


def test_negating_equality_gives_inequality_and_back():
    assert E.normalise(parse("not (a.x == 1)")).op == "!="
    assert E.normalise(parse("not (a.x != 1)")).op == "=="


@pytest.mark.parametrize(("src", "expected"), [("true", True), ("false", False)])
def test_true_and_false_are_the_booleans(src, expected):
    node = parse(src)
    assert isinstance(node, E.Bool) and node.value is expected
    assert value(src) is expected


def test_comparing_with_a_boolean_literal():
    node = parse("a.flag == false")
    assert E.compare(node.op, value("a.flag", {"a.flag": False}), value("false")) is True
    assert E.compare(node.op, value("a.flag", {"a.flag": True}), value("false")) is False


def test_and_binds_tighter_than_or():
    node = parse("a.x == 1 or a.y == 2 and a.z == 3")
    assert isinstance(node, E.Or) and len(node.items) == 2
    assert isinstance(node.items[1], E.And) and len(node.items[1].items) == 2
    both = parse("a.x == 1 and a.y == 2")
    assert isinstance(both, E.And) and [i.op for i in both.items] == ["==", "=="]


@pytest.mark.parametrize(
    ("start", "end", "months"),
    [
        (dt.date(2024, 1, 15), dt.date(2024, 3, 15), 2),  # on the monthly anniversary
        (dt.date(2024, 1, 15), dt.date(2024, 3, 14), 1),  # the day before it
        (dt.date(2024, 1, 31), dt.date(2024, 2, 29), 0),
        (dt.date(2023, 11, 1), dt.date(2025, 2, 1), 15),  # across a year end
        (dt.date(2024, 3, 15), dt.date(2024, 1, 15), -2),
    ],
)
def test_months_between(start, end, months):
    assert value("months_between(d.a, d.b)", {"d.a": start, "d.b": end}) == months


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (dt.date(2024, 3, 31), 1, dt.date(2024, 4, 30)),  # clamped to the shorter month
        (dt.date(2024, 11, 30), 3, dt.date(2025, 2, 28)),  # into the next year
        (dt.date(2024, 12, 15), 1, dt.date(2025, 1, 15)),  # from December
        (dt.date(2024, 11, 15), 1, dt.date(2024, 12, 15)),  # into December
        (dt.date(2024, 5, 31), -3, dt.date(2024, 2, 29)),
        (dt.date(2024, 7, 10), 12, dt.date(2025, 7, 10)),
    ],
)
def test_add_months_from_any_month(start, n, expected):
    assert value(f"add_months(d.a, {n})" if n >= 0 else f"add_months(d.a, 0 - {-n})", {"d.a": start}) == expected


@pytest.mark.parametrize(
    ("start", "end", "years"),
    [
        (dt.date(2020, 6, 27), dt.date(2025, 6, 27), 5),  # the anniversary itself
        (dt.date(2020, 6, 27), dt.date(2025, 6, 26), 4),  # the day before
        (dt.date(2020, 6, 27), dt.date(2025, 7, 1), 5),
        (dt.date(2020, 2, 29), dt.date(2021, 2, 28), 0),
    ],
)
def test_years_between_on_and_around_the_anniversary(start, end, years):
    assert value("years_between(d.a, d.b)", {"d.a": start, "d.b": end}) == years
