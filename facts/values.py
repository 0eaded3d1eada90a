"""Reading money, dates and rates the way Japanese advisors write them.

Advisors fill cases with ``3100万円``, ``令和7年6月27日`` and ``14.6%``, often
typed with a Japanese IME (full-width digits, ``￥``, ``，``). Each parser here
accepts those notations, normalises with NFKC first, and either returns an
exact value or raises a :class:`ValueParseError` that says in Japanese and
English what was wrong with *the text the user wrote*. The field name is not
known here; pydantic (through the ``Yen`` / ``CaseDate`` / ``Rate`` types) and
``facts.load`` add the location.

Money is computed with :class:`~decimal.Decimal` only: ``2.5万`` must be
exactly 25,000 and ``2.00001万`` must be rejected, which binary floats cannot
promise.

The work is split by job: ``facts.notation`` (bounds, the error, how input is
shown), ``facts.money``, ``facts.dates``, ``facts.numbers`` (rates and counts)
and ``facts.fieldtypes`` (the pydantic types).
"""

from __future__ import annotations

# One name for all of it; each job lives in its own module.
from facts.dates import parse_date
from facts.fieldtypes import CaseDate, Count, Flag, Rate, Text, Yen, check_text
from facts.money import parse_yen
from facts.notation import (
    MAX_COUNT,
    MAX_DATE,
    MAX_MULTIPLIER,
    MAX_YEN,
    MIN_DATE,
    MISSING,
    CountParseError,
    DateParseError,
    RateParseError,
    ValueParseError,
    YenParseError,
    shown,
)
from facts.numbers import parse_count, parse_rate

__all__ = [
    "ValueParseError",
    "YenParseError",
    "DateParseError",
    "RateParseError",
    "CountParseError",
    "parse_yen",
    "parse_date",
    "parse_rate",
    "parse_count",
    "Yen",
    "CaseDate",
    "Rate",
    "shown",
    "MAX_YEN",
    "MIN_DATE",
    "MAX_DATE",
    "MAX_COUNT",
    "MAX_MULTIPLIER",
    "Count",
    "Flag",
    "Text",
    "check_text",
    "MISSING",
]

