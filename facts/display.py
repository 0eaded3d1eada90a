"""Showing values to people: the inverse of facts/values.py.

Money is shown the way advisors write it (``785万8,000円``) in Japanese and
as ``¥7,858,000`` in English; tables use plain ``7,858,000円``. Dates are
``2026年（令和8年）11月26日`` / ``26 November 2026``: courts and creditors write the
era year, the western year keeps the date easy to compare.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction
from typing import Any

from facts.values import MISSING


def yen_words(amount: int) -> str:
    """785万8,000円, 2億4,000万円, 5,000円, 0円."""
    if amount < 0:
        return "−" + yen_words(-amount)
    oku, rest = divmod(amount, 10**8)
    man, yen = divmod(rest, 10**4)
    parts = []
    if oku:
        parts.append(f"{oku:,}億")
    if man:
        parts.append(f"{man:,}万")
    if yen or not parts:
        parts.append(f"{yen:,}")
    return "".join(parts) + "円"


def yen_plain(amount: int) -> str:
    return f"{amount:,}円"


def yen_en(amount: int) -> str:
    return f"-¥{-amount:,}" if amount < 0 else f"¥{amount:,}"


def yen(amount: int, lang: str, table: bool = False) -> str:
    if lang == "ja":
        return yen_plain(amount) if table else yen_words(amount)
    return yen_en(amount)


# eras after the calendar reform, newest first: (name, first day, western year of its year 1 - 1)
_ERAS = (("令和", dt.date(2019, 5, 1), 2018), ("平成", dt.date(1989, 1, 8), 1988), ("昭和", dt.date(1926, 12, 25), 1925),
         ("大正", dt.date(1912, 7, 30), 1911), ("明治", dt.date(1873, 1, 1), 1867))


def era_year(value: dt.date) -> str:
    """令和8年, 令和元年 (the first year of an era is 元年); empty before 1873 (lunar calendar)."""
    for name, first, offset in _ERAS:
        if value >= first:
            n = value.year - offset
            return f"{name}{'元' if n == 1 else n}年"
    return ""


def date(value: dt.date, lang: str) -> str:
    if lang == "ja":
        era = era_year(value)
        return f"{value.year}年" + (f"（{era}）" if era else "") + f"{value.month}月{value.day}日"
    return f"{value.day} {value.strftime('%B')} {value.year}"


def about_yen(amount: int, step: int, lang: str) -> str:
    """An estimate shown to the nearest ``step`` yen (half up), with 約 / about when that changed it."""
    rounded = (amount + step // 2) // step * step if amount >= 0 else -((-amount + step // 2) // step * step)
    if rounded == amount:
        return yen(amount, lang)
    return ("約" if lang == "ja" else "about ") + yen(rounded, lang)


def ratio(value: Any) -> str:
    if isinstance(value, (Fraction, Decimal)):
        value = float(value)
    return f"{value:.2f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)


def percent(value: Any) -> str:
    if isinstance(value, (Fraction, Decimal)):
        value = float(value)
    return f"{value * 100:.2f}".rstrip("0").rstrip(".") + "%"


def value(v: Any, kind: str, lang: str, unit: str | None = None, table: bool = False, bare: bool = False) -> str:
    """Display a value of a given kind (yen, ratio, int, date, bool, text); dates may be ISO strings.

    ``unit`` ``about_100`` / ``about_1000`` on money: an estimate shown to that many yen.
    ``bare``: a number without its unit, for the first end of a range (約5〜7年, 5 to 7 years).
    """
    if v is None:
        return "—"
    if kind == "yen":
        if unit and unit.startswith("about_"):
            return about_yen(int(v), int(unit.removeprefix("about_")), lang)
        return yen(int(v), lang, table=table)
    if kind == "date" and isinstance(v, str):
        v = dt.date.fromisoformat(v)
    if kind == "date" and isinstance(v, dt.date):
        return date(v, lang)
    if kind == "ratio":
        if unit == "percent":
            return percent(v)
        if unit == "times":
            return ratio(v) + ("倍" if lang == "ja" else "×")
        return ratio(v)
    if kind == "bool":
        return ("はい" if v else "いいえ") if lang == "ja" else ("yes" if v else "no")
    if kind == "int":
        n = int(v)
        if bare:
            return f"{n:,}"
        if unit == "years":
            return f"{n}年" if lang == "ja" else f"{n} year" + ("" if n == 1 else "s")
        if unit == "months":
            return f"{n}か月" if lang == "ja" else f"{n} month" + ("" if n == 1 else "s")
        return f"{n:,}"
    return str(v)


def neutral(value: Any) -> str:
    """A value in a trace line, before anyone chose a language: numbers with commas, dates ISO,
    and the one word that needs both languages written as "ja/en" for the renderer to pick."""
    if value is None or value is MISSING:
        return "(なし/none)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Fraction):
        if value.denominator == 1:
            return f"{int(value):,}"
        return f"{float(value):,.4f}".rstrip("0").rstrip(".")
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        return f'"{value}"'
    return str(value)
