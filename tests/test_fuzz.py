"""Fuzzing the parsers with hypothesis: any input gives a value or the parser's own error.

The money, date, rate and count parsers and the case loader are fed arbitrary
text, bytes and Python values; whatever comes back must be in bounds, and
whatever is raised must be the bilingual error the CLI turns into exit 2 —
never a bare ValueError, OverflowError or RecursionError (exit 70). Round
trips check that every value an advisor can write is read back exactly.
Crashes found here are kept as explicit examples (``@example``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from facts.errors import InputError
from facts.case import Case
from facts.load import load_case_text
from facts.values import (
    MAX_DATE,
    MAX_YEN,
    MIN_DATE,
    CountParseError,
    DateParseError,
    RateParseError,
    YenParseError,
    parse_count,
    parse_date,
    parse_rate,
    parse_yen,
)

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Text biased towards what the parsers look at: digits of every width, units, era names, signs.
_ALPHABET = st.sampled_from(
    list("0123456789０１２３４５６７８９,.，．-−‐+¥￥円万億千百十年月日元/:% 　eExX_")
    + ["令和", "平成", "昭和", "大正", "明治", "R", "H", "S", "T", "M", "㍻", "㋿", "\u202e", "\x00", "\ud800"]
)
advisor_text = st.one_of(st.text(max_size=30), st.lists(_ALPHABET, max_size=16).map("".join))
any_value = st.one_of(
    advisor_text,
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
    st.dates(),
    st.lists(st.integers(), max_size=3),
)


@FUZZ
@given(any_value)
@example("9" * 5000)
@example(10**5000)
@example(Decimal("1e999999"))
@example("1e400")
def test_parse_yen_gives_bounded_whole_yen_or_its_own_error(value):
    try:
        amount = parse_yen(value)
    except YenParseError as error:
        assert error.ja and error.en and len(error.en) < 400
        return
    assert type(amount) is int and 0 <= amount <= MAX_YEN


@FUZZ
@given(any_value)
@example("昭和100年1月1日")
@example("R999.1.1")
@example(dt.date(9999, 12, 31))
def test_parse_date_gives_a_bounded_date_or_its_own_error(value):
    try:
        date = parse_date(value)
    except DateParseError as error:
        assert error.ja and error.en and len(error.en) < 400
        return
    assert type(date) is dt.date and MIN_DATE <= date <= MAX_DATE


@FUZZ
@given(any_value, st.booleans())
@example("1" + "0" * 5000, True)
@example(Decimal("1e999999"), False)
def test_parse_rate_gives_a_bounded_fraction_or_its_own_error(value, multiplier):
    try:
        rate = parse_rate(value, maximum=None if multiplier else Decimal(1))
    except RateParseError as error:
        assert error.ja and error.en and len(error.en) < 400
        return
    assert isinstance(rate, Decimal) and 0 <= rate <= (1000 if multiplier else 1)


@FUZZ
@given(any_value)
@example("9" * 5000)
@example(Decimal("1e999999"))
def test_parse_count_gives_a_bounded_count_or_its_own_error(value):
    try:
        count = parse_count(value)
    except CountParseError as error:
        assert error.ja and error.en and len(error.en) < 400
        return
    assert type(count) is int and 0 <= count <= 1_000_000


# ---------------------------------------------------------------- round trips


def _fullwidth(text: str) -> str:
    return text.translate(str.maketrans("0123456789,", "０１２３４５６７８９，"))


def _japanese(amount: int) -> str:
    oku, rest = divmod(amount, 10**8)
    man, rest = divmod(rest, 10**4)
    parts = [f"{oku}億" if oku else "", f"{man}万" if man else "", str(rest) if rest or amount == 0 else ""]
    return "".join(parts) + "円"


@FUZZ
@given(st.integers(min_value=0, max_value=MAX_YEN))
def test_every_amount_reads_back_in_every_notation(amount):
    for written in (amount, str(amount), f"{amount:,}", f"¥{amount:,}", _japanese(amount), _fullwidth(f"{amount:,}円")):
        assert parse_yen(written) == amount, written


@FUZZ
@given(st.dates(min_value=MIN_DATE, max_value=MAX_DATE))
def test_every_date_reads_back_in_every_notation(date):
    written = [date, date.isoformat(), f"{date.year}/{date.month}/{date.day}", f"{date.year}年{date.month}月{date.day}日"]
    for era, letter, offset, first, last in (
        ("大正", "T", 1911, dt.date(1912, 7, 30), dt.date(1926, 12, 24)),
        ("昭和", "S", 1925, dt.date(1926, 12, 25), dt.date(1989, 1, 7)),
        ("平成", "H", 1988, dt.date(1989, 1, 8), dt.date(2019, 4, 30)),
        ("令和", "R", 2018, dt.date(2019, 5, 1), MAX_DATE),
    ):
        if first <= date <= last:
            year = date.year - offset
            written += [f"{era}{year}年{date.month}月{date.day}日", f"{letter}{year}.{date.month}.{date.day}"]
    for text in written:
        assert parse_date(text) == date, text


@FUZZ
@given(st.decimals(min_value=0, max_value=1, places=4))
def test_every_rate_reads_back_as_a_fraction_and_as_a_percentage(rate):
    assert parse_rate(str(rate)) == rate
    assert parse_rate(f"{rate * 100}%") == rate


# ---------------------------------------------------------------- the loader


BASE = "case_id: fz\nas_of: 2026-11-26\ndebtor:\n  annual_income: 300万\nmortgage:\n  lender_type: bank\n  balance: 2000万\n"

yaml_scalars = st.one_of(advisor_text, st.integers(), st.booleans(), st.none(), st.floats(allow_nan=False))
yaml_values = st.recursive(
    yaml_scalars,
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(st.text(max_size=8), children, max_size=4)),
    max_leaves=12,
)


def _loads_or_refuses(text: str | bytes) -> None:
    try:
        case = load_case_text(text, "fuzz.yaml")
    except InputError as error:
        assert error.problems
        for problem in error.problems:
            assert problem.ja and problem.en
            problem.line("ja").encode("utf-8")  # printable: no lone surrogate reaches the terminal
        return
    assert isinstance(case, Case)


@FUZZ
@given(st.binary(max_size=200))
def test_any_bytes_load_or_are_refused_as_input(data):
    _loads_or_refuses(data)


@FUZZ
@given(st.text(max_size=200))
def test_any_text_loads_or_is_refused_as_input(text):
    _loads_or_refuses(text)


@FUZZ
@given(st.sampled_from(["debtor", "mortgage", "case_id", "as_of", "other_debts", "guarantors", "assumptions", "budget"]), yaml_values)
def test_any_value_in_any_section_loads_or_is_refused(section, value):
    data = yaml.safe_load(BASE)
    data[section] = value
    try:
        text = yaml.safe_dump(data, allow_unicode=True)
    except yaml.YAMLError:
        return
    _loads_or_refuses(text)


@FUZZ
@given(st.sampled_from(["annual_income", "age", "household_size", "occupation", "on_welfare", "prior_discharge_date"]), yaml_scalars)
def test_any_scalar_in_any_debtor_field_loads_or_is_refused(field, value):
    data = yaml.safe_load(BASE)
    data["debtor"][field] = value
    _loads_or_refuses(yaml.safe_dump(data, allow_unicode=True))
