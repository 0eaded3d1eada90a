"""Rates (``14.6%``, ``0.146``) and counts (months, years, people): exact, bounded, never a boolean."""

from __future__ import annotations

import math
import re
from decimal import Decimal
from typing import Any

from facts.notation import MAX_COUNT, MAX_MULTIPLIER, CountParseError, RateParseError, nfkc, shown

_RATE = re.compile(r"(?P<minus>[-−]?)\s*(?P<num>\d+(?:\.\d+)?|\.\d+)\s*(?P<pct>%?)")


def _rate_error(value: Any, ja_reason: str, en_reason: str) -> RateParseError:
    text = shown(value)
    return RateParseError(f"率 {text} を読み取れません: {ja_reason}", f"cannot read {text} as a rate: {en_reason}")


def parse_rate(value: Any, *, maximum: Decimal | None = Decimal(1)) -> Decimal:
    """Read a rate as an exact fraction: ``0.146``, ``14.6%``, ``１４．６％``, ``0``.

    ``maximum`` is 1 for rates (a fraction of something); callers reading a
    multiplier such as "3× annual income" pass ``None``.
    """
    if isinstance(value, bool):
        raise _rate_error(value, "真偽値は率ではありません", "a boolean is not a rate")
    if isinstance(value, int):
        rate = Decimal(value)
    elif isinstance(value, float):
        rate = Decimal(str(value))  # the decimal the author wrote, not the binary float
    elif isinstance(value, Decimal):
        rate = value
    elif isinstance(value, str):
        match = _RATE.fullmatch(nfkc(value)) if len(value) <= 100 else None
        if not match:
            raise _rate_error(value, "0.146 や 14.6% のように書いてください", "write e.g. 0.146 or 14.6%")
        rate = Decimal(match["num"])
        if match["pct"]:
            rate = rate / 100
        if match["minus"]:
            rate = -rate
    else:
        raise _rate_error(value, "0.146 や 14.6% のように書いてください", "write e.g. 0.146 or 14.6%")

    if not rate.is_finite():
        raise _rate_error(value, "有限の数ではありません", "not a finite number")
    if rate < 0:
        raise _rate_error(value, "負の値は指定できません", "the rate is negative")
    if maximum is not None and rate > maximum:
        raise _rate_error(
            value,
            "0から1（0%〜100%）の範囲で指定してください",
            "it must be between 0 and 1 (0% to 100%)",
        )
    if rate > MAX_MULTIPLIER:
        raise _rate_error(value, f"{MAX_MULTIPLIER}以下で指定してください", f"it must be at most {MAX_MULTIPLIER}")
    return rate


# --------------------------------------------------------------------------
# Counts
# --------------------------------------------------------------------------


def parse_count(value: Any, *, maximum: int = MAX_COUNT) -> int:
    """Read a non-negative whole number (months, years, a count): ``36``, ``"６０"``.

    Leading zeros are read as the decimal written (``"045"`` is 45), never octal.
    """
    number: int | None = None
    if isinstance(value, str):
        text = nfkc(value) if len(value) <= 100 else ""
        if re.fullmatch(r"\d+", text):
            number = int(text) if len(text.lstrip("0")) <= 18 else maximum + 1
    elif isinstance(value, int) and not isinstance(value, bool):
        if value >= 0:
            number = value
    elif isinstance(value, Decimal) and value.is_finite() and value >= 0 and value == value.to_integral_value():
        number = int(value) if value <= maximum else maximum + 1
    elif isinstance(value, float) and math.isfinite(value) and value >= 0 and value.is_integer():
        number = int(value) if value <= maximum else maximum + 1
    given = shown(value)
    if number is None:
        raise CountParseError(f"{given} は0以上の整数ではありません", f"{given} is not a non-negative whole number")
    if number > maximum:
        raise CountParseError(f"{given} は大きすぎます（{maximum:,}以下）", f"{given} is too large (at most {maximum:,})")
    return number
