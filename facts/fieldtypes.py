"""The pydantic field types of a case: each runs its parser first and keeps both languages of its error."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Annotated, Any, Callable

from pydantic import BeforeValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

from facts.dates import parse_date
from facts.money import parse_yen
from facts.notation import MAX_DATE, MAX_YEN, MIN_DATE, ValueParseError, shown
from facts.numbers import parse_count, parse_rate

def _as_pydantic(parser: Callable[[Any], Any], error_type: str) -> BeforeValidator:
    """Run ``parser`` before pydantic's own check, keeping both languages.

    The error's context carries ``ja`` and ``en`` separately so that
    ``facts.load`` can build a bilingual Problem; the message shows both for
    anyone reading a raw ValidationError.
    """

    def validate(value: Any) -> Any:
        try:
            return parser(value)
        except ValueParseError as error:
            raise PydanticCustomError(error_type, "{ja} / {en}", {"ja": error.ja, "en": error.en}) from None

    return BeforeValidator(validate)


Yen = Annotated[
    int,
    _as_pydantic(parse_yen, "yen"),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "integer", "minimum": 0, "maximum": MAX_YEN},
                {"type": "string", "examples": ["3100万円", "2億4000万円", "30万", "¥5,000", "2.5万円"]},
            ]
        }
    ),
]
"""Whole yen, written as an integer or in advisors' notation."""

CaseDate = Annotated[
    dt.date,
    _as_pydantic(parse_date, "date"),
    WithJsonSchema(
        {
            "type": "string",
            "description": f"{MIN_DATE.isoformat()} .. {MAX_DATE.isoformat()}",
            "examples": ["2025-06-27", "令和7年6月27日", "R7.6.27"],
        }
    ),
]
"""A calendar date, ISO or Japanese era."""

Rate = Annotated[
    Decimal,
    _as_pydantic(parse_rate, "rate"),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "minimum": 0, "maximum": 1},
                {"type": "string", "examples": ["14.6%", "0.146"]},
            ]
        }
    ),
]
"""A fraction in [0, 1], given as ``0.146`` or ``14.6%``."""


def Count(maximum: int) -> Any:  # noqa: N802 - used like a type: Count(130)
    """A whole number from 0 to ``maximum``; never a boolean (``true`` is not 1)."""
    return Annotated[
        int,
        _as_pydantic(lambda value: parse_count(value, maximum=maximum), "count"),
        WithJsonSchema(
            {"anyOf": [{"type": "integer", "minimum": 0, "maximum": maximum}, {"type": "string", "pattern": r"^\s*[0-9０-９]+\s*$"}]}
        ),
    ]


def _parse_flag(value: Any) -> bool:
    # Only true/false: pydantic alone would take 1, "yes" or "on" as true.
    if isinstance(value, bool):
        return value
    given = shown(value)
    raise ValueParseError(f"true か false を指定してください（入力: {given}）", f"must be true or false (got {given})")


Flag = Annotated[bool, _as_pydantic(_parse_flag, "flag"), WithJsonSchema({"type": "boolean"})]
"""A yes/no field: ``true`` or ``false`` and nothing else."""

# Characters that would let a value rewrite the report around it: C0/C1
# controls (newlines, ANSI escapes), lone surrogates, bidirectional overrides.
_UNSHOWABLE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def check_text(value: Any, max_length: int) -> str:
    """One line of text, at most ``max_length`` characters, with nothing unshowable in it."""
    if not isinstance(value, str):
        given = shown(value)
        raise ValueParseError(f"文字列を指定してください（入力: {given}）", f"must be text (got {given})")
    value = value.strip()
    if len(value) > max_length:
        raise ValueParseError(f"長すぎます（{max_length}文字まで、{len(value)}文字あります）", f"too long ({len(value)} characters; at most {max_length})")
    bad = _UNSHOWABLE.search(value)
    if bad:
        code = f"U+{ord(bad.group()):04X}"
        raise ValueParseError(
            f"制御文字・書字方向の制御文字（{code}）は使えません（入力: {shown(value)}）",
            f"control and text-direction characters ({code}) are not allowed (got {shown(value)})",
        )
    return value


def Text(max_length: int) -> Any:  # noqa: N802 - used like a type: Text(200)
    """A single line of free text (a name, an occupation), bounded and printable."""
    return Annotated[
        str,
        _as_pydantic(lambda value: check_text(value, max_length), "text"),
        WithJsonSchema({"type": "string", "maxLength": max_length}),
    ]
