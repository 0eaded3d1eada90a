"""What every reader of advisors' notation shares: the bounds, the error, how the input is shown.

The parsers (``facts.money``, ``facts.dates``, ``facts.numbers``) and the
pydantic field types (``facts.fieldtypes``) build on this; ``facts.values``
gathers them all under one name.
"""

from __future__ import annotations

import datetime as dt
import math
import reprlib
import unicodedata
from decimal import Decimal
from typing import Any

MAX_YEN = 10**12
"""The largest amount of money a case may state: 1兆円, far beyond any household."""

MIN_DATE = dt.date(1900, 1, 1)
MAX_DATE = dt.date(2200, 12, 31)
"""The dates a case may state: a loan, a judgment or a plan lies in between."""

MAX_COUNT = 1_000_000
"""The largest count (months, years, people) any field or parameter may take."""

MAX_MULTIPLIER = Decimal(1000)
"""The largest multiplier (a ratio allowed above 1, such as 3× income) an assumption may set."""


class ValueParseError(ValueError):
    """A value the user wrote cannot be read; ``ja`` and ``en`` say why."""

    def __init__(self, ja: str, en: str):
        self.ja = ja
        self.en = en
        super().__init__(f"{ja} / {en}")


class YenParseError(ValueParseError):
    pass


class DateParseError(ValueParseError):
    pass


class RateParseError(ValueParseError):
    pass


class CountParseError(ValueParseError):
    pass


_SHORT_REPR = reprlib.Repr()
_SHORT_REPR.maxlevel, _SHORT_REPR.maxlist, _SHORT_REPR.maxdict, _SHORT_REPR.maxstring = 2, 4, 4, 40


def shown(value: Any) -> str:
    """The user's input as it should appear inside an error message."""
    if isinstance(value, bool):
        # YAML spells them true/false; Python's True would confuse a YAML author.
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, str):
        # Bounded: a 1 MB value must not become a 1 MB message; repr escapes
        # control characters and lone surrogates, which a terminal cannot show.
        return repr(value) if len(value) <= 60 else repr(value[:59]) + "…"
    if isinstance(value, (list, dict, tuple, set)):
        # Bounded: a YAML alias bomb must not turn an error message into a hang.
        return _SHORT_REPR.repr(value)
    if isinstance(value, int) and value.bit_length() > 128:
        # str() of it may be refused (over 4,300 digits); its order of magnitude says enough, in any language
        return f"{'-' if value < 0 else ''}~10^{int(math.log10(abs(value)))}"
    text = str(value)
    return text if len(text) <= 60 else text[:59] + "…"


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


class _Missing:
    """A value the case does not give (distinct from None, which JSON null also means)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"


MISSING = _Missing()
