"""Boundaries of the value parsers that a mutant would slip through, and the case bounds.

Each pair sits on both sides of one comparison in facts/values.py: the unit
order at equality, the largest amount, the first and last date, the largest
count. Error text is asserted as whole phrases in both languages, so
"negative" cannot pass on "non-negative".
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from pydantic import BaseModel, ValidationError

from facts.values import (
    MAX_DATE,
    MAX_MULTIPLIER,
    MAX_YEN,
    MIN_DATE,
    CountParseError,
    DateParseError,
    Flag,
    RateParseError,
    Text,
    YenParseError,
    check_text,
    parse_count,
    parse_date,
    parse_rate,
    parse_yen,
    shown,
)

# ---------------------------------------------------------------- unit order at equality


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1億9999万", 199_990_000),  # the 万-group just below one 億
        ("3100万9999", 31_009_999),  # the rest just below one 万
        ("千百", 1_100),  # 百 after 千: smaller, allowed
        ("9千9百万", 99_000_000),
    ],
)
def test_a_unit_group_just_below_the_next_unit_is_read(text, expected):
    assert parse_yen(text) == expected


@pytest.mark.parametrize("text", ["1億10000万", "3100万10000", "千千", "百百", "1万10000", "2億1億"])
def test_a_unit_group_equal_to_the_next_unit_is_out_of_order(text):
    with pytest.raises(YenParseError) as caught:
        parse_yen(text)
    assert "the units are out of order (write 億, 万, 千, 百 from largest to smallest)" in caught.value.en
    assert "単位の順序が正しくありません（億・万・千・百の順に、大きい単位から書いてください）" in caught.value.ja


# ---------------------------------------------------------------- money bounds


def test_money_up_to_one_cho_is_read_and_one_yen_more_is_refused():
    assert parse_yen(MAX_YEN) == 10**12
    assert parse_yen("10000億") == 10**12
    assert parse_yen("1,000,000,000,000円") == 10**12
    assert parse_yen("1兆円") == 10**12  # the limit as the messages write it
    for too_much in (MAX_YEN + 1, "10000億1", "1000000000001", "1兆1円", Decimal(MAX_YEN) + 1, 10**5000, "9" * 500):
        with pytest.raises(YenParseError) as caught:
            parse_yen(too_much)
        assert "amounts above 1,000,000,000,000 yen (1兆円) are not accepted" in caught.value.en
        assert "1兆円を超える金額は指定できません" in caught.value.ja
        assert len(caught.value.en) < 300  # the value itself is shown shortened


@pytest.mark.parametrize(
    ("value", "en", "ja"),
    [
        ("-5万", "the amount is negative", "負の金額は指定できません"),
        (-1, "the amount is negative", "負の金額は指定できません"),
        ("1.5円", "the amount has a fraction of a yen", "1円未満の端数があります"),
        (True, "a boolean is not an amount", "真偽値は金額ではありません"),
        ("1,23万", "misplaced thousands separator", "桁区切りのカンマの位置が正しくありません"),
        (float("inf"), "not a finite number", "有限の数ではありません"),
        ("", "it is empty", "空です"),
        ("x" * 101, "the text is too long", "長すぎます"),
    ],
)
def test_yen_errors_say_why_in_both_languages(value, en, ja):
    with pytest.raises(YenParseError) as caught:
        parse_yen(value)
    assert caught.value.en.endswith(en) or f": {en}" in caught.value.en
    assert ja in caught.value.ja
    assert caught.value.ja.startswith("金額 ")


# ---------------------------------------------------------------- date bounds


def test_the_first_and_last_dates_are_read_and_the_days_beyond_refused():
    assert parse_date("1900-01-01") == MIN_DATE
    assert parse_date("2200-12-31") == MAX_DATE
    assert parse_date(MAX_DATE) == MAX_DATE
    for outside in ("1899-12-31", "2201-01-01", dt.date(1, 1, 1), dt.date(9999, 12, 31)):
        with pytest.raises(DateParseError) as caught:
            parse_date(outside)
        assert "the date must lie between 1900-01-01 and 2200-12-31" in caught.value.en
        assert "1900-01-01 から 2200-12-31 までの日付を指定してください" in caught.value.ja


@pytest.mark.parametrize(
    ("text", "en", "ja"),
    [
        ("昭和100年1月1日", "there is no 昭和 100", "昭和は64年（1989-01-07）までです。昭和100年はありません"),
        ("S65.1.1", "the 昭和 era ended on 1989-01-07", "昭和65年はありません"),
        ("平成32年1月1日", "the 平成 era ended on 2019-04-30", "平成は31年（2019-04-30）までです"),
        ("大正16年1月1日", "the 大正 era ended on 1926-12-24", "大正は15年"),
    ],
)
def test_an_era_year_after_the_era_ended_says_so(text, en, ja):
    with pytest.raises(DateParseError) as caught:
        parse_date(text)
    assert en in caught.value.en
    assert ja in caught.value.ja


def test_the_last_day_of_an_era_is_read():
    assert parse_date("昭和64年1月7日") == dt.date(1989, 1, 7)
    assert parse_date("平成31年4月30日") == dt.date(2019, 4, 30)


# ---------------------------------------------------------------- counts


def test_parse_count_reads_zero_in_every_form():
    assert parse_count(Decimal(0)) == 0
    assert parse_count(Decimal("0.0")) == 0
    assert parse_count(0.0) == 0
    assert parse_count("0") == 0
    assert parse_count("045") == 45  # leading zeros: the decimal written, never octal


def test_parse_count_maximum_is_inclusive():
    assert parse_count(130, maximum=130) == 130
    assert parse_count("130", maximum=130) == 130
    with pytest.raises(CountParseError) as caught:
        parse_count(131, maximum=130)
    assert caught.value.en == "131 is too large (at most 130)"
    assert caught.value.ja == "131 は大きすぎます（130以下）"
    for huge in ("9" * 40, Decimal("1e30"), 1e30):
        with pytest.raises(CountParseError):
            parse_count(huge)


def test_a_negative_count_is_called_not_non_negative():
    with pytest.raises(CountParseError) as caught:
        parse_count(-1)
    assert caught.value.en == "-1 is not a non-negative whole number"
    assert caught.value.ja == "-1 は0以上の整数ではありません"


def test_a_boolean_is_never_a_count():
    for flag in (True, False):
        with pytest.raises(CountParseError):
            parse_count(flag)


# ---------------------------------------------------------------- rates


def test_a_multiplier_is_bounded_too():
    assert parse_rate(MAX_MULTIPLIER, maximum=None) == Decimal(1000)
    with pytest.raises(RateParseError) as caught:
        parse_rate(Decimal(1001), maximum=None)
    assert "it must be at most 1000" in caught.value.en
    assert "1000以下で指定してください" in caught.value.ja


def test_a_rate_of_exactly_one_is_allowed_and_just_above_is_not():
    assert parse_rate(1) == 1
    assert parse_rate("100%") == 1
    with pytest.raises(RateParseError) as caught:
        parse_rate("100.01%")
    assert "it must be between 0 and 1 (0% to 100%)" in caught.value.en
    assert "0から1（0%〜100%）の範囲で指定してください" in caught.value.ja


# ---------------------------------------------------------------- text and flags


class _Form(BaseModel):
    name: Text(10) | None = None
    flag: Flag = False


def test_text_is_bounded_and_printable():
    assert check_text("  妻  ", 10) == "妻"
    assert check_text("x" * 10, 10) == "x" * 10
    with pytest.raises(ValueError, match="at most 10"):
        check_text("x" * 11, 10)
    for bad, code in (("a\nb", "U+000A"), ("\x1b[31m", "U+001B"), ("\u202eabc", "U+202E"), ("a\ud800", "U+D800"), ("\u2066x", "U+2066")):
        with pytest.raises(ValueError) as caught:
            check_text(bad, 10)
        assert code in caught.value.en and code in caught.value.ja
        assert "制御文字" in caught.value.ja


@pytest.mark.parametrize("value", [1, 0, "yes", "true", "on", None])
def test_a_flag_is_only_true_or_false(value):
    with pytest.raises(ValidationError) as caught:
        _Form(flag=value)
    assert caught.value.errors()[0]["ctx"]["en"].startswith("must be true or false")
    assert caught.value.errors()[0]["ctx"]["ja"].startswith("true か false を指定してください")


def test_shown_keeps_messages_short_and_printable():
    assert shown("x" * 1000).endswith("…") and len(shown("x" * 1000)) < 70
    assert shown("\x1b[31m") == "'\\x1b[31m'"
    assert len(shown(10**5000)) < 40
    assert shown(True) == "true" and shown(None) == "null"
