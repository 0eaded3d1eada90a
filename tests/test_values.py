"""Money, date and rate notations: every accepted form with its exact value,
and rejected forms whose error names the text the advisor wrote."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from pydantic import BaseModel, ValidationError

from facts.values import (
    CaseDate,
    CountParseError,
    DateParseError,
    Rate,
    RateParseError,
    Yen,
    YenParseError,
    parse_count,
    parse_date,
    parse_rate,
    parse_yen,
)


def as_written(value) -> str:
    """How an error message should quote an input: text in quotes, YAML spellings for true/null."""
    if isinstance(value, str):
        return repr(value)
    if value is True or value is False:
        return str(value).lower()
    if value is None:
        return "null"
    return str(value)


# --------------------------------------------------------------------------- money

ACCEPTED_YEN = [
    (0, 0),
    (8000, 8000),
    (31_000_000, 31_000_000),
    (2500.0, 2500),  # YAML may give a whole-valued float
    (Decimal("25000"), 25000),
    ("8000", 8000),
    ("8,000円", 8000),
    ("3100万円", 31_000_000),
    ("3,100万", 31_000_000),
    ("3100万", 31_000_000),
    ("2億4000万円", 240_000_000),
    ("1,234万5千円", 12_345_000),
    ("30万", 300_000),
    ("5千円", 5000),
    ("５千円", 5000),
    ("¥5,000", 5000),
    ("￥５，０００", 5000),
    ("2.5万円", 25_000),
    ("1.5億", 150_000_000),
    ("3百万", 3_000_000),
    ("2千5百万円", 25_000_000),
    ("千円", 1000),
    ("百万円", 1_000_000),
    ("1億", 100_000_000),
    ("12,000万円", 120_000_000),  # a leading group above 9999 is how some write 1.2億
    ("３１００万円", 31_000_000),
    ("  3100 万円 ", 31_000_000),
    ("\u30003100万円\u3000", 31_000_000),  # ideographic spaces from a Japanese IME
    ("0円", 0),
    ("¥1,234,567", 1_234_567),
    ("6.5万", 65_000),
]


@pytest.mark.parametrize(("text", "expected"), ACCEPTED_YEN)
def test_parse_yen_accepts(text, expected):
    value = parse_yen(text)
    assert value == expected
    assert type(value) is int


REJECTED_YEN = [
    ("-5万", "negative"),
    ("-8000", "negative"),
    ("¥-5,000", "negative"),
    ("−3万", "negative"),  # U+2212 MINUS SIGN
    (-1, "negative"),
    ("1.5円", "fraction of a yen"),
    ("2.00001万", "fraction of a yen"),
    (2.5, "fraction of a yen"),
    (Decimal("0.5"), "fraction of a yen"),
    (True, "boolean"),
    (False, "boolean"),
    (float("inf"), "finite"),
    (float("nan"), "finite"),
    (Decimal("NaN"), "finite"),
    ("", "empty"),
    ("   ", "empty"),
    ("abc", "e.g. 3100万円"),
    ("3100万円くらい", "e.g. 3100万円"),
    ("1,23万", "thousands separator"),
    ("12,34", "thousands separator"),
    ("5千2万円", "out of order"),
    ("5万2億", "out of order"),
    ("2億12000万", "out of order"),
    ("3100万12000", "out of order"),
    ("5千12百", "out of order"),
    ("万円", "e.g. 3100万円"),
    ("1 000", "e.g. 3100万円"),
    ("3十万", "e.g. 3100万円"),  # 十 is deliberately not a unit
    ("1e6", "e.g. 3100万円"),
    ("3100万円円", "e.g. 3100万円"),
    (None, "e.g. 3100万円"),
    ([3100], "e.g. 3100万円"),
]


@pytest.mark.parametrize(("value", "reason"), REJECTED_YEN)
def test_parse_yen_rejects_naming_the_input(value, reason):
    with pytest.raises(YenParseError) as caught:
        parse_yen(value)
    error = caught.value
    assert isinstance(error, ValueError)
    assert reason in error.en
    # Both languages quote the input so the advisor can find it in the file.
    quoted = as_written(value)
    assert quoted in error.en
    assert quoted in error.ja
    assert error.ja != error.en


# --------------------------------------------------------------------------- dates

ACCEPTED_DATES = [
    (dt.date(2025, 6, 27), dt.date(2025, 6, 27)),
    ("2025-06-27", dt.date(2025, 6, 27)),
    ("2025-6-7", dt.date(2025, 6, 7)),
    ("2025/6/27", dt.date(2025, 6, 27)),
    ("2025.06.27", dt.date(2025, 6, 27)),
    ("2025年6月27日", dt.date(2025, 6, 27)),
    ("２０２５年６月２７日", dt.date(2025, 6, 27)),
    ("令和7年6月27日", dt.date(2025, 6, 27)),
    ("令和 7 年 6 月 27 日", dt.date(2025, 6, 27)),
    ("令和元年5月1日", dt.date(2019, 5, 1)),
    ("R7.6.27", dt.date(2025, 6, 27)),
    ("r7.6.27", dt.date(2025, 6, 27)),
    ("R7/6/27", dt.date(2025, 6, 27)),
    ("Ｒ７．６．２７", dt.date(2025, 6, 27)),
    ("㋿7年6月27日", dt.date(2025, 6, 27)),
    ("H31.4.1", dt.date(2019, 4, 1)),
    ("H31.4.30", dt.date(2019, 4, 30)),
    ("平成31年4月1日", dt.date(2019, 4, 1)),
    ("平成元年1月8日", dt.date(1989, 1, 8)),
    ("昭和64年1月7日", dt.date(1989, 1, 7)),
    ("S63.12.31", dt.date(1988, 12, 31)),
    ("大正15年12月24日", dt.date(1926, 12, 24)),
    ("T1.7.30", dt.date(1912, 7, 30)),
    ("明治45年7月29日", dt.date(1912, 7, 29)),
    ("  2025-06-27  ", dt.date(2025, 6, 27)),
]


@pytest.mark.parametrize(("value", "expected"), ACCEPTED_DATES)
def test_parse_date_accepts(value, expected):
    assert parse_date(value) == expected


REJECTED_DATES = [
    ("2025-02-30", "no such date"),
    ("2025-13-01", "no such date"),
    ("令和7年13月1日", "no such date"),
    ("令和7年2月29日", "no such date"),
    ("令和1年4月30日", "began on 2019-05-01"),
    ("R1.4.30", "began on 2019-05-01"),
    ("平成32年1月1日", "ended on 2019-04-30"),
    ("H31.5.1", "ended on 2019-04-30"),
    ("昭和64年1月8日", "ended on 1989-01-07"),
    ("平成元年1月7日", "began on 1989-01-08"),
    ("令和0年6月1日", "year 0"),
    ("明治3年1月1日", "lunar"),
    (dt.datetime(2025, 6, 27, 10, 30), "without a time"),
    (dt.datetime(2025, 6, 27), "without a time"),
    ("2025-06-27 10:00", "without a time"),
    ("2025-06-27T10:00:00", "without a time"),
    ("garbage", "write e.g."),
    ("", "write e.g."),
    ("2025-6/27", "write e.g."),  # mixed separators
    ("25-06-27", "write e.g."),  # two-digit year: which century?
    ("X7.6.27", "write e.g."),
    (20250627, "write e.g."),
    (True, "write e.g."),
    (None, "write e.g."),
]


@pytest.mark.parametrize(("value", "reason"), REJECTED_DATES)
def test_parse_date_rejects_naming_the_input(value, reason):
    with pytest.raises(DateParseError) as caught:
        parse_date(value)
    error = caught.value
    assert reason in error.en
    quoted = as_written(value)
    assert quoted in error.en
    assert quoted in error.ja


# --------------------------------------------------------------------------- rates

ACCEPTED_RATES = [
    ("0.146", Decimal("0.146")),
    ("14.6%", Decimal("0.146")),
    ("１４．６％", Decimal("0.146")),
    (" 14.6 % ", Decimal("0.146")),
    (0.146, Decimal("0.146")),
    (0.7, Decimal("0.7")),
    (0, Decimal(0)),
    (1, Decimal(1)),
    ("100%", Decimal(1)),
    ("0%", Decimal(0)),
    (Decimal("0.145"), Decimal("0.145")),
    ("14%", Decimal("0.14")),
]


@pytest.mark.parametrize(("value", "expected"), ACCEPTED_RATES)
def test_parse_rate_accepts(value, expected):
    rate = parse_rate(value)
    assert rate == expected
    assert isinstance(rate, Decimal)


def test_parse_rate_keeps_the_decimal_the_author_wrote():
    # Decimal(0.146) would be 0.14599999999999999200639422269887290894985198974609375.
    assert str(parse_rate(0.146)) == "0.146"


REJECTED_RATES = [
    ("146%", "between 0 and 1"),
    (1.5, "between 0 and 1"),
    (2, "between 0 and 1"),
    (-0.1, "negative"),
    ("-3%", "negative"),
    (float("nan"), "finite"),
    (float("inf"), "finite"),
    ("abc", "write e.g."),
    ("14.6%%", "write e.g."),
    ("", "write e.g."),
    (True, "boolean"),
    (None, "write e.g."),
]


@pytest.mark.parametrize(("value", "reason"), REJECTED_RATES)
def test_parse_rate_rejects_naming_the_input(value, reason):
    with pytest.raises(RateParseError) as caught:
        parse_rate(value)
    error = caught.value
    assert reason in error.en
    quoted = as_written(value)
    assert quoted in error.en
    assert quoted in error.ja


def test_parse_rate_without_maximum_reads_a_multiplier():
    assert parse_rate("3", maximum=None) == Decimal(3)
    with pytest.raises(RateParseError):
        parse_rate("-3", maximum=None)


# --------------------------------------------------------------------------- counts


@pytest.mark.parametrize(("value", "expected"), [(36, 36), (0, 0), ("60", 60), ("６０", 60), (" 7 ", 7), (Decimal("36"), 36), (36.0, 36)])
def test_parse_count_accepts(value, expected):
    assert parse_count(value) == expected


@pytest.mark.parametrize("value", [-1, "-3", 2.5, Decimal("2.5"), "三十六", "36か月", "", True, None, float("nan"), Decimal("NaN")])
def test_parse_count_rejects_naming_the_input(value):
    with pytest.raises(CountParseError) as caught:
        parse_count(value)
    assert as_written(value) in caught.value.en and as_written(value) in caught.value.ja


def test_error_text_stays_short_for_huge_nested_input():
    nested: list = []
    for _ in range(50):
        nested = [nested] * 10  # an alias bomb from YAML looks like this: shared, exponentially large
    with pytest.raises(YenParseError) as caught:
        parse_yen(nested)
    assert len(caught.value.en) < 300


# --------------------------------------------------------------------------- pydantic types


class _Form(BaseModel):
    price: Yen
    when: CaseDate
    rate: Rate | None = None


def test_pydantic_types_parse_notations():
    form = _Form(price="2,400万円", when="R7.6.27", rate="14.6%")
    assert form.price == 24_000_000
    assert form.when == dt.date(2025, 6, 27)
    assert form.rate == Decimal("0.146")


def test_pydantic_error_has_location_and_both_languages():
    with pytest.raises(ValidationError) as caught:
        _Form(price="-5万", when="2025-02-30", rate="146%")
    errors = {error["loc"]: error for error in caught.value.errors()}
    assert set(errors) == {("price",), ("when",), ("rate",)}
    assert errors[("price",)]["type"] == "yen"
    assert "'-5万'" in errors[("price",)]["ctx"]["ja"]
    assert "negative" in errors[("price",)]["ctx"]["en"]
    assert "存在しない日付" in errors[("when",)]["ctx"]["ja"]
    assert "'146%'" in errors[("rate",)]["msg"]


def test_pydantic_types_publish_a_schema_that_admits_notations():
    schema = _Form.model_json_schema()
    price_types = {branch["type"] for branch in schema["properties"]["price"]["anyOf"]}
    assert price_types == {"integer", "string"}
    assert schema["properties"]["when"]["type"] == "string"
