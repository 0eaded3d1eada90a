"""Dates as advisors write them: ISO or a Japanese era (``令和7年6月27日``, ``R7.6.27``), within bounds."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, NamedTuple

from facts.notation import MAX_DATE, MIN_DATE, DateParseError, nfkc, shown

class _Era(NamedTuple):
    name: str
    letter: str
    offset: int  # Gregorian year = offset + era year
    first: dt.date
    last: dt.date | None


_ERAS = (
    # Meiji 1-5 ran on the lunar calendar; Japan adopted the Gregorian calendar on
    # 明治6年1月1日, so earlier Meiji dates cannot be converted by adding an offset.
    _Era("明治", "M", 1867, dt.date(1873, 1, 1), dt.date(1912, 7, 29)),
    _Era("大正", "T", 1911, dt.date(1912, 7, 30), dt.date(1926, 12, 24)),
    _Era("昭和", "S", 1925, dt.date(1926, 12, 25), dt.date(1989, 1, 7)),
    _Era("平成", "H", 1988, dt.date(1989, 1, 8), dt.date(2019, 4, 30)),
    _Era("令和", "R", 2018, dt.date(2019, 5, 1), None),
)
_ERA_BY_KEY = {key: era for era in _ERAS for key in (era.name, era.letter)}

_ERA_NAMES = "|".join([era.name for era in _ERAS] + [era.letter for era in _ERAS])
_DATE_PATTERNS = (
    re.compile(r"(?P<y>\d{4})(?P<sep>[-/.])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})"),
    re.compile(r"(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日"),
    re.compile(rf"(?P<era>{_ERA_NAMES})\s*(?P<y>元|\d{{1,3}})\s*年\s*(?P<m>\d{{1,2}})\s*月\s*(?P<d>\d{{1,2}})\s*日"),
    re.compile(rf"(?P<era>{_ERA_NAMES})\s*(?P<y>元|\d{{1,3}})(?P<sep>[-/.])(?P<m>\d{{1,2}})(?P=sep)(?P<d>\d{{1,2}})"),
)
_WITH_TIME = re.compile(r"\d{4}-\d{1,2}-\d{1,2}(?:[T ]|\s+)\d{1,2}:\d{2}")


def _date_error(value: Any, ja_reason: str, en_reason: str) -> DateParseError:
    text = shown(value)
    return DateParseError(f"日付 {text} を読み取れません: {ja_reason}", f"cannot read {text} as a date: {en_reason}")


def parse_date(value: Any) -> dt.date:
    """Read a calendar date.

    Accepts a ``date`` (YAML's unquoted ``2025-06-27``), ISO ``2025-06-27``,
    ``2025/6/27``, ``2025年6月27日``, and Japanese era dates such as
    ``令和7年6月27日``, ``令和元年5月1日``, ``R7.6.27``, ``H31.4.1``; the era
    must actually have been in force on that day.
    """
    if isinstance(value, dt.datetime):  # checked first: a datetime is also a date
        raise _date_error(value, "時刻を含めず日付だけを書いてください", "give a date without a time of day")
    if isinstance(value, dt.date):
        return _within_bounds(value, value)
    if not isinstance(value, str):
        raise _date_error(value, "2025-06-27 や 令和7年6月27日 のように書いてください", "write e.g. 2025-06-27 or 令和7年6月27日")
    if len(value) > 100:
        raise _date_error(value, "長すぎます", "the text is too long")

    text = nfkc(value)  # also turns the one-character era signs ㍻ and ㋿ into 平成 and 令和
    if _WITH_TIME.match(text):
        raise _date_error(value, "時刻を含めず日付だけを書いてください", "give a date without a time of day")
    for pattern in _DATE_PATTERNS:
        match = pattern.fullmatch(text) or pattern.fullmatch(text.upper())
        if match:
            break
    else:
        raise _date_error(value, "2025-06-27 や 令和7年6月27日 のように書いてください", "write e.g. 2025-06-27 or 令和7年6月27日")

    parts = match.groupdict()
    era = _ERA_BY_KEY[parts["era"]] if parts.get("era") else None
    era_year = 1 if parts["y"] == "元" else int(parts["y"])
    year = era.offset + era_year if era else era_year
    if era and era.last and year > era.last.year:  # 昭和100年: the era had ended decades before
        last_year = era.last.year - era.offset
        raise _date_error(
            value,
            f"{era.name}は{last_year}年（{era.last.isoformat()}）までです。{era.name}{era_year}年はありません",
            f"the {era.name} era ended on {era.last.isoformat()} (its year {last_year}); there is no {era.name} {era_year}",
        )
    try:
        date = dt.date(year, int(parts["m"]), int(parts["d"]))
    except ValueError:
        raise _date_error(value, "存在しない日付です", "no such date") from None
    if era and era_year == 0:
        raise _date_error(value, f"{era.name}0年はありません", f"there is no year 0 of {era.name}")
    if era and date < era.first:
        if era.letter == "M":
            raise _date_error(value, "明治5年以前は旧暦のため西暦に換算できません", "Meiji 1-5 dates are lunar-calendar dates and cannot be converted")
        raise _date_error(value, f"{era.name}は{era.first.isoformat()}からです", f"the {era.name} era began on {era.first.isoformat()}")
    if era and era.last and date > era.last:
        raise _date_error(value, f"{era.name}は{era.last.isoformat()}で終わっています", f"the {era.name} era ended on {era.last.isoformat()}")
    return _within_bounds(value, date)


def _within_bounds(value: Any, date: dt.date) -> dt.date:
    # Later arithmetic (a limitation period added to a date) must stay inside
    # what datetime can hold; no case needs a date outside these.
    if not MIN_DATE <= date <= MAX_DATE:
        raise _date_error(
            value,
            f"{MIN_DATE.isoformat()} から {MAX_DATE.isoformat()} までの日付を指定してください",
            f"the date must lie between {MIN_DATE.isoformat()} and {MAX_DATE.isoformat()}",
        )
    return date
