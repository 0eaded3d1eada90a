"""Money as advisors write it: ``3100万円``, ``2億4000万円``, ``¥5,000``, ``2.5万`` — exact whole yen.

Computed with :class:`~decimal.Decimal` only: ``2.5万`` must be exactly 25,000
and ``2.00001万`` must be rejected, which binary floats cannot promise.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from typing import Any

from facts.notation import MAX_YEN, YenParseError, nfkc, shown

# Japanese numerals group digits by 万 (10^4): 億 and 万 close a group, 千 and
# 百 multiply within one. 十 is left out on purpose: nobody writes "3十万" in a
# loan document, and accepting it would only widen what a typo can mean.
_BIG_UNITS = {"兆": Decimal(10) ** 12, "億": Decimal(10) ** 8, "万": Decimal(10) ** 4}  # 兆: the limit is written 1兆円
_SMALL_UNITS = {"千": Decimal(1000), "百": Decimal(100)}
_NUMBER = re.compile(r"\d+(?:\.\d+)?|\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_TOKEN = re.compile(r"(?P<num>\d[\d,]*(?:\.\d+)?)|(?P<unit>[兆億万千百])|(?P<space>\s+)|(?P<other>.)")
_YEN_MARKS = "¥\\"
_MINUS = "-−‐"  # ASCII, U+2212 and U+2010: all three survive NFKC and all mean "minus" here


def _yen_error(value: Any, ja_reason: str, en_reason: str) -> YenParseError:
    text = shown(value)
    return YenParseError(f"金額 {text} を読み取れません: {ja_reason}", f"cannot read {text} as an amount of yen: {en_reason}")


def _not_money(value: Any) -> YenParseError:
    return _yen_error(
        value,
        "0以上の整数（円）か、3100万円・2億4000万円・¥5,000 のように書いてください",
        "write a non-negative whole number of yen, or e.g. 3100万円, 2億4000万円, ¥5,000",
    )


def _whole_yen(value: Any, amount: Decimal) -> int:
    if not amount.is_finite():
        raise _yen_error(value, "有限の数ではありません", "not a finite number")
    if amount < 0:
        raise _yen_error(value, "負の金額は指定できません", "the amount is negative")
    if amount > MAX_YEN:
        raise _too_much(value)
    if amount != amount.to_integral_value():
        raise _yen_error(value, "1円未満の端数があります", "the amount has a fraction of a yen")
    return int(amount)


def _too_much(value: Any) -> YenParseError:
    return _yen_error(value, "1兆円を超える金額は指定できません", "amounts above 1,000,000,000,000 yen (1兆円) are not accepted")


def parse_yen(value: Any) -> int:
    """Read a non-negative whole number of yen.

    Accepts an ``int``, a whole-valued ``float``/``Decimal``, or text such as
    ``3100万円``, ``3,100万``, ``2億4000万円``, ``1,234万5千円``, ``3百万``,
    ``千円``, ``¥5,000``, ``￥５，０００``, ``\\5,000`` (CP932's yen sign), ``2.5万円``, ``1.5億``.
    """
    if isinstance(value, bool):
        raise _yen_error(value, "真偽値は金額ではありません", "a boolean is not an amount")
    if isinstance(value, int):
        if value.bit_length() > 64:  # Decimal() of a 5,000-digit int may be refused outright
            raise _yen_error(value, "負の金額は指定できません", "the amount is negative") if value < 0 else _too_much(value)
        return _whole_yen(value, Decimal(value))
    if isinstance(value, float):
        if not math.isfinite(value):
            raise _yen_error(value, "有限の数ではありません", "not a finite number")
        # str() gives the shortest repr that round-trips, so 2.5 stays 2.5 and is not 2.4999…
        return _whole_yen(value, Decimal(str(value)))
    if isinstance(value, Decimal):
        return _whole_yen(value, value)
    if not isinstance(value, str):
        raise _not_money(value)
    if len(value) > 100:
        raise _too_much(value) if value.strip().isdigit() else _yen_error(value, "長すぎます", "the text is too long")

    text = nfkc(value)
    if not text:
        raise _yen_error(value, "空です", "it is empty")

    # Sign and currency marks may come in either order: "-¥5,000", "¥-5,000". A backslash is the yen
    # sign too: CP932 has one byte for both, so Excel's currency cells in a Japanese CSV read "\5,000".
    negative = False
    while text and (text[0] in _MINUS or text[0] in _YEN_MARKS or text[0].isspace()):
        negative = negative or text[0] in _MINUS
        text = text[1:]
    if text.endswith("円"):
        text = text[:-1].rstrip()

    amount = _read_japanese_number(value, text)
    if negative:
        raise _yen_error(value, "負の金額は指定できません", "the amount is negative")
    return _whole_yen(value, amount)


def _read_japanese_number(value: Any, text: str) -> Decimal:
    """Evaluate digits mixed with 億/万/千/百, insisting on a single reading."""

    def out_of_order() -> YenParseError:
        return _yen_error(
            value,
            "単位の順序が正しくありません（億・万・千・百の順に、大きい単位から書いてください）",
            "the units are out of order (write 億, 万, 千, 百 from largest to smallest)",
        )

    tokens: list[tuple[str, str]] = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        if kind == "other":
            raise _not_money(value)
        if kind != "space":
            tokens.append((kind, match.group()))
    if not tokens:
        raise _not_money(value)

    total = Decimal(0)
    previous_big: Decimal | None = None  # multiplier of the last 億/万 seen
    group = Decimal(0)  # value of the current 万-group so far
    last_small: Decimal | None = None  # last 千/百 inside the current group
    pending: Decimal | None = None  # a number not yet attached to a unit
    for kind, token in tokens:
        if kind == "num":
            if pending is not None:  # "1 000": two numbers side by side
                raise _not_money(value)
            if not _NUMBER.fullmatch(token):
                if "," in token:
                    raise _yen_error(
                        value,
                        "桁区切りのカンマの位置が正しくありません（3桁ごとに置いてください）",
                        "misplaced thousands separator (commas go every three digits)",
                    )
                raise _not_money(value)
            pending = Decimal(token.replace(",", ""))
        elif token in _SMALL_UNITS:
            unit = _SMALL_UNITS[token]
            # A bare 千 or 百 means one of it, as in 千円 or 百万円.
            term = (pending if pending is not None else Decimal(1)) * unit
            if last_small is not None and term >= last_small:
                raise out_of_order()
            group += term
            last_small, pending = unit, None
        else:
            unit = _BIG_UNITS[token]
            if pending is None and last_small is None:  # "万円", "億万"
                raise _not_money(value)
            if last_small is not None and pending is not None:
                # "5千2万": within a group every number after 千/百 needs its own smaller unit.
                raise out_of_order()
            term = (group + (pending or 0)) * unit
            if previous_big is not None and term >= previous_big:  # "5万2億", "2億12000万"
                raise out_of_order()
            total += term
            previous_big, group, last_small, pending = unit, Decimal(0), None, None

    if last_small is not None and pending is not None:  # "5千2"
        raise out_of_order()
    rest = group + (pending or 0)
    if previous_big is not None and rest >= previous_big:  # "3100万12000"
        raise out_of_order()
    return total + rest
