"""Case files as data: JSON or YAML text parsed into plain values, exactly and within bounds (see ``facts.load``)."""

from __future__ import annotations

import json
import re
from decimal import Decimal, InvalidOperation
from typing import Any


from facts.errors import InputError, Problem

from facts.yaml12 import MAX_DEPTH, MAX_VALUES, DuplicateKey, _exact_decimal, _parse_yaml, _syntax_error, _too_deep  # noqa: F401


# --------------------------------------------------------------------------- syntax


def _parse(text: str, source: str) -> dict:
    # JSON first when the file says it is JSON: YAML reads most JSON too, but
    # reports JSON mistakes in YAML's terms, and rejects tab indentation.
    is_json_file = source.lower().endswith(".json")
    if is_json_file or text.lstrip().startswith("{"):
        try:
            data = _parse_json(text)
        except json.JSONDecodeError as error:
            json_problem = Problem(
                f"{source}:{error.lineno}:{error.colno}",
                f"JSON の書式に誤りがあります（{error.lineno}行{error.colno}列）",
                f"JSON syntax error at line {error.lineno}, column {error.colno}: {error.msg}",
            )
            if is_json_file:
                raise InputError([json_problem]) from None
            try:  # "{a: 1}" is YAML, not JSON
                data = _parse_yaml(text, source)
            except InputError:
                # '{"' can only be JSON: say what is wrong with it as JSON (JSON piped on stdin)
                if re.match(r'\s*\{\s*"', text):
                    raise InputError([json_problem]) from None
                raise
        except DuplicateKey as error:
            raise InputError([error.problem(source)]) from None
        except RecursionError:
            raise _too_deep(source, None) from None
    else:
        data = _parse_yaml(text, source)

    if data is None:  # a file holding only comments
        raise InputError([Problem(source, "ファイルに内容がありません", "the file has no content")])
    if not isinstance(data, dict):
        kind_ja, kind_en = ("リスト", "a list") if isinstance(data, list) else ("単一の値", "a single value")
        raise InputError(
            [
                Problem(
                    source,
                    f"事案はキーと値の組（case_id: … など）で書いてください。{kind_ja}になっています",
                    f"a case must be a mapping of keys to values (case_id: …), not {kind_en}",
                )
            ]
        )
    return data


def _json_int(text: str) -> int | str:
    # Python refuses to turn more than 4,300 digits into an int; the text is
    # handed on so that the field reports the number as too large.
    return int(text) if len(text) <= 18 else text


def _json_float(text: str) -> Decimal | str:
    if len(text) > 40:
        return text
    if "e" in text or "E" in text:
        try:
            return Decimal(text)
        except InvalidOperation:  # an exponent beyond what Decimal holds
            return text
    return _exact_decimal(text)


def _parse_json(text: str) -> Any:
    return json.loads(text, object_pairs_hook=unique_json_object, parse_int=_json_int, parse_float=_json_float)


def unique_json_object(pairs: list[tuple[str, Any]]) -> dict:
    """``object_pairs_hook`` for json.loads: a key given twice raises DuplicateKey (which value was meant is unknowable)."""
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise DuplicateKey(key)
        result[key] = value
    return result


def _check_shape(data: Any, source: str) -> None:
    """Depth, size and unprintable text, checked without recursion.

    YAML is already bounded while it is built; JSON is bounded here. Either
    may carry a lone surrogate through an escape (``"\\ud800"``), which
    could be neither printed nor stored: it is refused where it stands.
    """
    pending: list[tuple[Any, tuple[int | str, ...]]] = [(data, ())]
    seen = 0
    while pending:
        value, loc = pending.pop()
        seen += 1
        if seen > MAX_VALUES:
            raise InputError(
                [Problem(source, f"値が多すぎます（{MAX_VALUES:,} 個まで）", f"too many values (at most {MAX_VALUES:,})")]
            )
        if len(loc) > MAX_DEPTH:
            raise _too_deep(source, None)
        if isinstance(value, dict):
            for key, item in value.items():
                if isinstance(key, str) and _SURROGATE.search(key):
                    raise _surrogate(_location(loc) or source)
                pending.append((item, (*loc, str(key))))
        elif isinstance(value, list):
            pending.extend((item, (*loc, index)) for index, item in enumerate(value))
        elif isinstance(value, str) and _SURROGATE.search(value):
            raise _surrogate(_location(loc) or source)


_SURROGATE = re.compile("[\ud800-\udfff]")


def _surrogate(where: str) -> InputError:
    return InputError(
        [Problem(where, "文字として読めない値（対になっていないサロゲート）が含まれています", "the text contains a lone surrogate, which is not a character")]
    )

def _location(loc: tuple[int | str, ...]) -> str:
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text
