"""Every error of the value parsers, word for word in both languages.

These are the sentences an advisor reads; mutation testing showed that a
test asserting only part of them let a changed message, a dropped language
or a lost input through. Each row is one way a value can be wrong.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from pydantic import BaseModel, ValidationError

from facts.values import (
    CaseDate,
    Count,
    Rate,
    Text,
    ValueParseError,
    Yen,
    check_text,
    parse_count,
    parse_date,
    parse_rate,
    parse_yen,
)

MESSAGES = [
    (parse_yen, True, '金額 true を読み取れません: 真偽値は金額ではありません', 'cannot read true as an amount of yen: a boolean is not an amount'),
    (parse_yen, -10**30, '金額 -1000000000000000000000000000000 を読み取れません: 負の金額は指定できません', 'cannot read -1000000000000000000000000000000 as an amount of yen: the amount is negative'),
    (parse_yen, 10**30, '金額 1000000000000000000000000000000 を読み取れません: 1兆円を超える金額は指定できません', 'cannot read 1000000000000000000000000000000 as an amount of yen: amounts above 1,000,000,000,000 yen (1兆円) are not accepted'),
    (parse_yen, float("inf"), '金額 inf を読み取れません: 有限の数ではありません', 'cannot read inf as an amount of yen: not a finite number'),
    (parse_yen, Decimal("-1"), '金額 -1 を読み取れません: 負の金額は指定できません', 'cannot read -1 as an amount of yen: the amount is negative'),
    (parse_yen, Decimal("0.5"), '金額 0.5 を読み取れません: 1円未満の端数があります', 'cannot read 0.5 as an amount of yen: the amount has a fraction of a yen'),
    (parse_yen, "5千2万", "金額 '5千2万' を読み取れません: 単位の順序が正しくありません（億・万・千・百の順に、大きい単位から書いてください）", "cannot read '5千2万' as an amount of yen: the units are out of order (write 億, 万, 千, 百 from largest to smallest)"),
    (parse_yen, "abc", "金額 'abc' を読み取れません: 0以上の整数（円）か、3100万円・2億4000万円・¥5,000 のように書いてください", "cannot read 'abc' as an amount of yen: write a non-negative whole number of yen, or e.g. 3100万円, 2億4000万円, ¥5,000"),
    (parse_yen, "1,23万", "金額 '1,23万' を読み取れません: 桁区切りのカンマの位置が正しくありません（3桁ごとに置いてください）", "cannot read '1,23万' as an amount of yen: misplaced thousands separator (commas go every three digits)"),
    (parse_yen, "x" * 101, "金額 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'… を読み取れません: 長すぎます", "cannot read 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'… as an amount of yen: the text is too long"),
    (parse_yen, "", "金額 '' を読み取れません: 空です", "cannot read '' as an amount of yen: it is empty"),
    (parse_yen, "-5万", "金額 '-5万' を読み取れません: 負の金額は指定できません", "cannot read '-5万' as an amount of yen: the amount is negative"),
    (parse_yen, None, '金額 null を読み取れません: 0以上の整数（円）か、3100万円・2億4000万円・¥5,000 のように書いてください', 'cannot read null as an amount of yen: write a non-negative whole number of yen, or e.g. 3100万円, 2億4000万円, ¥5,000'),
    (parse_yen, "9" * 101, "金額 '99999999999999999999999999999999999999999999999999999999999'… を読み取れません: 1兆円を超える金額は指定できません", "cannot read '99999999999999999999999999999999999999999999999999999999999'… as an amount of yen: amounts above 1,000,000,000,000 yen (1兆円) are not accepted"),
    (parse_date, dt.datetime(2025, 1, 1, 10), '日付 2025-01-01 10:00:00 を読み取れません: 時刻を含めず日付だけを書いてください', 'cannot read 2025-01-01 10:00:00 as a date: give a date without a time of day'),
    (parse_date, "2025-06-27 10:00", "日付 '2025-06-27 10:00' を読み取れません: 時刻を含めず日付だけを書いてください", "cannot read '2025-06-27 10:00' as a date: give a date without a time of day"),
    (parse_date, 20250627, '日付 20250627 を読み取れません: 2025-06-27 や 令和7年6月27日 のように書いてください', 'cannot read 20250627 as a date: write e.g. 2025-06-27 or 令和7年6月27日'),
    (parse_date, "x" * 101, "日付 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'… を読み取れません: 長すぎます", "cannot read 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'… as a date: the text is too long"),
    (parse_date, "2025-02-30", "日付 '2025-02-30' を読み取れません: 存在しない日付です", "cannot read '2025-02-30' as a date: no such date"),
    (parse_date, "令和0年1月1日", "日付 '令和0年1月1日' を読み取れません: 令和0年はありません", "cannot read '令和0年1月1日' as a date: there is no year 0 of 令和"),
    (parse_date, "明治5年1月1日", "日付 '明治5年1月1日' を読み取れません: 明治5年以前は旧暦のため西暦に換算できません", "cannot read '明治5年1月1日' as a date: Meiji 1-5 dates are lunar-calendar dates and cannot be converted"),
    (parse_date, "平成1年1月1日", "日付 '平成1年1月1日' を読み取れません: 平成は1989-01-08からです", "cannot read '平成1年1月1日' as a date: the 平成 era began on 1989-01-08"),
    (parse_date, "令和1年4月30日", "日付 '令和1年4月30日' を読み取れません: 令和は2019-05-01からです", "cannot read '令和1年4月30日' as a date: the 令和 era began on 2019-05-01"),
    (parse_date, "昭和64年1月8日", "日付 '昭和64年1月8日' を読み取れません: 昭和は1989-01-07で終わっています", "cannot read '昭和64年1月8日' as a date: the 昭和 era ended on 1989-01-07"),
    (parse_date, "1899-12-31", "日付 '1899-12-31' を読み取れません: 1900-01-01 から 2200-12-31 までの日付を指定してください", "cannot read '1899-12-31' as a date: the date must lie between 1900-01-01 and 2200-12-31"),
    (parse_date, "abc", "日付 'abc' を読み取れません: 2025-06-27 や 令和7年6月27日 のように書いてください", "cannot read 'abc' as a date: write e.g. 2025-06-27 or 令和7年6月27日"),
    (parse_rate, True, '率 true を読み取れません: 真偽値は率ではありません', 'cannot read true as a rate: a boolean is not a rate'),
    (parse_rate, "abc", "率 'abc' を読み取れません: 0.146 や 14.6% のように書いてください", "cannot read 'abc' as a rate: write e.g. 0.146 or 14.6%"),
    (parse_rate, None, '率 null を読み取れません: 0.146 や 14.6% のように書いてください', 'cannot read null as a rate: write e.g. 0.146 or 14.6%'),
    (parse_rate, float("nan"), '率 nan を読み取れません: 有限の数ではありません', 'cannot read nan as a rate: not a finite number'),
    (parse_rate, "-3%", "率 '-3%' を読み取れません: 負の値は指定できません", "cannot read '-3%' as a rate: the rate is negative"),
    (parse_rate, 2, '率 2 を読み取れません: 0から1（0%〜100%）の範囲で指定してください', 'cannot read 2 as a rate: it must be between 0 and 1 (0% to 100%)'),
    (parse_rate, "1" * 101, "率 '11111111111111111111111111111111111111111111111111111111111'… を読み取れません: 0.146 や 14.6% のように書いてください", "cannot read '11111111111111111111111111111111111111111111111111111111111'… as a rate: write e.g. 0.146 or 14.6%"),
    (parse_count, -1, '-1 は0以上の整数ではありません', '-1 is not a non-negative whole number'),
    (parse_count, "9" * 19, "'9999999999999999999' は大きすぎます（1,000,000以下）", "'9999999999999999999' is too large (at most 1,000,000)"),
    (parse_count, "1" * 101, "'11111111111111111111111111111111111111111111111111111111111'… は0以上の整数ではありません", "'11111111111111111111111111111111111111111111111111111111111'… is not a non-negative whole number"),
    (parse_count, 2.5, '2.5 は0以上の整数ではありません', '2.5 is not a non-negative whole number'),
]


@pytest.mark.parametrize(("parser", "value", "ja", "en"), MESSAGES)
def test_each_error_reads_exactly_so_in_both_languages(parser, value, ja, en):
    with pytest.raises(ValueParseError) as caught:
        parser(value)
    assert caught.value.ja == ja
    assert caught.value.en == en
    assert str(caught.value) == f"{ja} / {en}"


@pytest.mark.parametrize(
    ("parser", "padded", "expected"),
    [
        (parse_date, " " * 90 + "2025-06-27", dt.date(2025, 6, 27)),
        (parse_rate, " " * 96 + "0.5%", Decimal("0.005")),
        (parse_count, " " * 98 + "36", 36),
        (parse_yen, " " * 96 + "300万", 3_000_000),
    ],
)
def test_text_of_exactly_100_characters_is_read_and_101_is_refused(parser, padded, expected):
    assert len(padded) == 100
    assert parser(padded[-100:]) == expected
    with pytest.raises(ValueParseError):
        parser(" " + padded[-100:])


def test_counts_are_read_up_to_18_digits_and_refused_beyond():
    assert parse_count("9" * 18, maximum=10**18) == int("9" * 18)
    with pytest.raises(ValueParseError):
        parse_count("1" + "0" * 18, maximum=10**19)
    assert parse_count(Decimal(130), maximum=130) == 130
    assert parse_count(130.0, maximum=130) == 130


class _Form(BaseModel):
    price: Yen | None = None
    when: CaseDate | None = None
    rate: Rate | None = None
    months: Count(12) | None = None
    name: Text(5) | None = None


@pytest.mark.parametrize(
    ("field", "value", "kind"),
    [("price", "abc", "yen"), ("when", "abc", "date"), ("rate", "abc", "rate"), ("months", 13, "count"), ("name", "abcdef", "text")],
)
def test_each_pydantic_type_reports_its_kind_with_both_languages(field, value, kind):
    with pytest.raises(ValidationError) as caught:
        _Form(**{field: value})
    [error] = caught.value.errors()
    assert error["type"] == kind
    assert error["loc"] == (field,)
    assert error["ctx"]["ja"] and error["ctx"]["en"] and error["ctx"]["ja"] != error["ctx"]["en"]
    assert error["msg"] == f"{error['ctx']['ja']} / {error['ctx']['en']}"


def test_text_errors_word_for_word():
    with pytest.raises(ValueParseError) as caught:
        check_text(5, 10)
    assert (caught.value.ja, caught.value.en) == ("文字列を指定してください（入力: 5）", "must be text (got 5)")
    with pytest.raises(ValueParseError) as caught:
        check_text("abcdef", 5)
    assert (caught.value.ja, caught.value.en) == ("長すぎます（5文字まで、6文字あります）", "too long (6 characters; at most 5)")
    with pytest.raises(ValueParseError) as caught:
        check_text("a\tb", 5)
    assert caught.value.ja == "制御文字・書字方向の制御文字（U+0009）は使えません（入力: 'a\\tb'）"
    assert caught.value.en == "control and text-direction characters (U+0009) are not allowed (got 'a\\tb')"


def test_shown_quotes_text_and_shortens_it_past_60_characters():
    from facts.values import shown

    assert shown("x" * 60) == repr("x" * 60)
    assert shown("x" * 61) == repr("x" * 59) + "…"
    assert shown("3100万") == "'3100万'"
    assert shown(False) == "false" and shown(True) == "true" and shown(None) == "null"
    assert shown(12) == "12" and shown(Decimal("0.5")) == "0.5"
    assert shown(Decimal("1" * 70)) == "1" * 59 + "…"
    assert shown(2**127) == str(2**127)  # 39 digits: shown whole
    assert shown(-(2**129)) == "-~10^38"
    assert shown(10**5000) == "~10^5000"
    assert shown([1, 2, 3, 4, 5, 6]) == "[1, 2, 3, 4, ...]"


def test_the_remaining_messages_name_the_value_given():
    from facts.values import Flag, shown

    assert shown(2**128) == "~10^38"  # 129 bits: shortened; 128 bits are shown whole
    assert shown(Decimal("1" * 60)) == "1" * 60
    assert shown(Decimal("1" * 61)) == "1" * 59 + "…"
    with pytest.raises(ValueParseError) as caught:
        parse_yen(Decimal("NaN"))
    assert (caught.value.ja, caught.value.en) == ("金額 NaN を読み取れません: 有限の数ではありません", "cannot read NaN as an amount of yen: not a finite number")
    with pytest.raises(ValueParseError) as caught:
        parse_yen(Decimal(10**12 + 1))
    assert caught.value.en == "cannot read 1000000000001 as an amount of yen: amounts above 1,000,000,000,000 yen (1兆円) are not accepted"
    with pytest.raises(ValueParseError) as caught:
        parse_yen("円")
    assert caught.value.en.startswith("cannot read '円' as an amount of yen: write a non-negative whole number")
    with pytest.raises(ValueParseError) as caught:
        parse_date(dt.date(1899, 1, 1))
    assert caught.value.en == "cannot read 1899-01-01 as a date: the date must lie between 1900-01-01 and 2200-12-31"
    with pytest.raises(ValueParseError) as caught:
        parse_rate([1])
    assert caught.value.en == "cannot read [1] as a rate: write e.g. 0.146 or 14.6%"
    with pytest.raises(ValueParseError) as caught:
        parse_rate(Decimal(1001), maximum=None)
    assert (caught.value.ja, caught.value.en) == ("率 1001 を読み取れません: 1000以下で指定してください", "cannot read 1001 as a rate: it must be at most 1000")

    class Form(BaseModel):
        flag: Flag

    with pytest.raises(ValidationError) as caught:
        Form(flag=1)
    ctx = caught.value.errors()[0]["ctx"]
    assert (ctx["ja"], ctx["en"]) == ("true か false を指定してください（入力: 1）", "must be true or false (got 1)")
