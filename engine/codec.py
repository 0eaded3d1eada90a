"""Facts as durable-rules sees them: flat JSON it can parse without dropping anything.

durable-rules fails to parse exponent floats (and then silently drops the fact
and every later one in a batch), raises on Decimals and loses precision past
2**53, so every value is written here in a form it reads exactly.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal, localcontext
from fractions import Fraction
from typing import Any

from facts.errors import EngineError, Problem

MAX_SAFE_INT = 2**53
COLLISION_RETRIES = 4


def engine_error(ja: str, en: str, rule_id: str | None = None) -> EngineError:
    where = f"rule {rule_id}" if rule_id else "engine"
    return EngineError([Problem(where, ja, en)], rule_id=rule_id)



# Decimal -> its text: the parameters' rates and ratios, the same few in every case. The text
# depends on the value alone (equal Decimals quantize alike); only finite values are kept.
_decimal_texts: dict[Decimal, str] = {}
_DECIMAL_TEXTS_SIZE = 4096


def _encode_decimal(value: Decimal) -> str:
    text = _decimal_texts.get(value)
    if text is None:
        text = _encode_value(value)
        if len(_decimal_texts) >= _DECIMAL_TEXTS_SIZE:
            _decimal_texts.clear()
        _decimal_texts[value] = text
    return text


def _encode_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        if abs(value) >= MAX_SAFE_INT:
            raise engine_error(f"値 {value} が大きすぎます", f"value {value} is too large for the engine")
        return str(value)
    if isinstance(value, (Decimal, Fraction, float)):
        number = Decimal(value) if not isinstance(value, Fraction) else Decimal(value.numerator) / Decimal(value.denominator)
        if not number.is_finite():
            raise engine_error(f"数値 {value} は有限ではありません", f"value {value} is not finite")
        # durable-rules fails to parse exponent notation and then drops the fact
        # silently, so write plain positional notation, at most 12 decimals.
        if number == number.to_integral_value():
            return _encode_value(int(number))
        with localcontext() as ctx:
            ctx.prec = 60
            text = format(number.quantize(Decimal("1.000000000000")), "f").rstrip("0").rstrip(".")
        if text in ("", "-0"):
            text = "0"
        if number != 0 and text == "0":
            raise engine_error(f"数値 {value} が小さすぎます", f"value {value} is too small for the engine")
        return text
    if isinstance(value, dt.date):
        return str(value.toordinal())
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    raise engine_error(f"エンジンに渡せない値です: {value!r}", f"cannot pass {type(value).__name__} to the engine")


# json.dumps(text, ensure_ascii=False) without the encoder object around it (the same C function)
_encode_text = json.encoder.encode_basestring
_keys: dict[str, str] = {}


def _key(name: str) -> str:
    text = _keys.get(name)
    if text is None:
        text = _keys[name] = json.dumps(name) + ":"
    return text


def encode_fact(fields: dict[str, Any]) -> str:
    """Serialise a flat fact; None fields are left out so ``missing`` can see them.

    Most values are small ints, text and booleans: those are written here
    directly (the same text ``_encode_value`` writes), Decimals through the
    texts already written for them, the rest go through it.
    """
    parts = []
    keys = _keys
    for name, value in fields.items():
        kind = type(value)
        if kind is int and -MAX_SAFE_INT < value < MAX_SAFE_INT:
            parts.append((keys.get(name) or _key(name)) + str(value))
        elif kind is str:
            parts.append((keys.get(name) or _key(name)) + _encode_text(value))
        elif kind is bool:
            parts.append((keys.get(name) or _key(name)) + ("true" if value else "false"))
        elif kind is Decimal and value.is_finite():
            parts.append((keys.get(name) or _key(name)) + _encode_decimal(value))
        elif value is not None:
            parts.append((keys.get(name) or _key(name)) + _encode_value(value))
    return "{" + ",".join(parts) + "}"

