"""Reading a case file: bytes in, a validated :class:`~facts.case.Case` out.

Every way a file can be wrong ends here as one :class:`InputError` listing
*all* its problems, each at a dotted location (``other_debts[0].balance``)
with Japanese and English text, so an advisor can fix the file in one pass.
Field problems are located by path alone; problems with the file as a whole
(encoding, syntax, size) are located by the source name, with line and column
when known.

YAML is read with the YAML 1.2 core schema, not PyYAML's YAML 1.1 default,
because 1.1 silently turns what an advisor typed into other numbers:

* a number written with leading zeros is the decimal number written
  (``age: 045`` is 45, ``balance: 031000000`` is 31,000,000), never octal;
  a case id keeps it as text (``case_id: 0412`` is ``"0412"``);
* ``31:00`` (sexagesimal), ``0x10`` and ``0o17`` stay text, so a money or
  count field reports them instead of reading 1,860 or 16;
* only ``true``/``false`` are booleans (``yes``/``on`` stay text), and the
  case model never takes a boolean as a number;
* decimals are read exactly (``0.146`` is ``Decimal("0.146")``, not a float);
* ``2025-06-27`` unquoted is a date; tags (``!!binary``, ``!!python/…``) and
  merge keys (``<<``) are refused.

The loader builds values from the parser's events itself (libyaml's C parser
when PyYAML has it, PyYAML's pure-Python parser otherwise), which is what
lets it bound the input while reading: at most :data:`MAX_CASE_BYTES` bytes
(a parameter of :func:`load_case_file`), :data:`MAX_DEPTH` levels of nesting
and :data:`MAX_VALUES` values after aliases are expanded, so neither a deep
file nor a billion-laughs alias bomb can exhaust the stack or the memory.
"""

from __future__ import annotations

import difflib
import sys
import types
import typing
from pathlib import Path
from typing import Any, Union

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from facts.errors import InputError, Problem
from facts.case import Case
from facts.values import shown

try:  # libyaml: the same events, an order of magnitude faster
    from yaml.cyaml import CParser as _CParser
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    _CParser = None

from facts.decode import _check_characters, _decode  # noqa: F401
from facts.syntax import MAX_DEPTH, MAX_VALUES, _check_shape, _location, _parse  # noqa: F401

__all__ = [
    "MAX_CASE_BYTES",
    "MAX_DEPTH",
    "MAX_VALUES",
    "load_case_text",
    "load_case_file",
    "read_case_bytes",
    "parse_case_data",
    "validate_problems",
    "did_you_mean",
]

# Bytes read from one case file by default (1 MiB): a real case is a few KB.
# Defined in facts.bounds so the CLI can name it without importing the models.
from facts.bounds import MAX_CASE_BYTES  # noqa: E402

_BOM = "\ufeff"


def load_case_text(text: str | bytes, source: str) -> Case:
    """Parse and validate one case given as YAML or JSON text.

    ``source`` names the input in file-level messages (a path, ``<stdin>``).
    """
    data = parse_case_data(text, source)
    try:
        return Case.model_validate(data)
    except ValidationError as error:
        raise InputError([p for e in error.errors() for p in _problems(e)]) from None


def load_case_file(path_or_dash: str | Path, *, max_bytes: int = MAX_CASE_BYTES) -> Case:
    """Load a case from a file, or from standard input when given ``-``.

    At most ``max_bytes`` bytes are read; a longer input is refused, not cut.
    """
    source = "<stdin>" if str(path_or_dash) == "-" else str(path_or_dash)
    return load_case_text(read_case_bytes(path_or_dash, max_bytes=max_bytes), source)


def read_case_bytes(path_or_dash: str | Path, *, max_bytes: int = MAX_CASE_BYTES) -> bytes:
    """The bytes of a case file or of standard input (``-``), at most ``max_bytes`` of them."""
    if str(path_or_dash) == "-":
        source = "<stdin>"
        try:
            stream = sys.stdin.buffer
            raw = stream.read(max_bytes + 1)
        except (AttributeError, ValueError, OSError):  # stdin closed or absent
            raise InputError(
                [Problem(source, "標準入力を読めません（閉じられています）", "standard input cannot be read (it is closed)")]
            ) from None
    else:
        path = Path(path_or_dash)
        source = str(path)
        try:
            with path.open("rb") as stream:  # /dev/zero and FIFOs too: never read more than the limit
                raw = stream.read(max_bytes + 1)
        except FileNotFoundError:
            raise InputError([Problem(source, "ファイルが見つかりません", "file not found")]) from None
        except IsADirectoryError:
            raise InputError([Problem(source, "ファイルではなくディレクトリです", "this is a directory, not a file")]) from None
        except OSError as error:
            reason = error.strerror or type(error).__name__
            raise InputError([Problem(source, f"ファイルを読めません（{reason}）", f"cannot read the file ({reason})")]) from None
    if raw is None:  # a non-blocking stream with nothing in it
        raw = b""
    if len(raw) > max_bytes:
        raise InputError(
            [
                Problem(
                    source,
                    f"ファイルが大きすぎます（上限 {max_bytes:,} バイト）。事案ファイルは通常数KBです（上限は --max-bytes で変えられます）",
                    f"the file is too large (the limit is {max_bytes:,} bytes); a case file is normally a few KB (--max-bytes changes the limit)",
                )
            ]
        )
    return raw


def validate_problems(path_or_dash: str | Path, *, max_bytes: int = MAX_CASE_BYTES) -> list[Problem]:
    """Every problem in a case file; empty when it is valid (for ``zansai validate``)."""
    try:
        load_case_file(path_or_dash, max_bytes=max_bytes)
    except InputError as error:
        return error.problems
    return []


def did_you_mean(name: str, candidates: typing.Iterable[str]) -> str | None:
    """The closest candidate to a misspelt name, if one is close enough."""
    matches = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return matches[0] if matches else None


def parse_case_data(text: str | bytes, source: str) -> dict:
    """The mapping a case file holds, before the case model checks it."""
    data = _parse(_decode(text, source), source)
    _check_shape(data, source)
    return data


# --------------------------------------------------------------------------- validation errors



def unwrap_annotation(annotation: Any) -> Any:
    """Strip Annotated and Optional to reach the type a value must have."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(args) != 1:
                return annotation
            annotation = args[0]
        else:
            return annotation


def declared_type(loc: tuple[int | str, ...], model: type[BaseModel] = Case) -> Any:
    """The type the case declares at a location (a field path), or None where it declares none."""
    current: Any = model
    for part in loc:
        current = unwrap_annotation(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(part) if isinstance(part, str) else None
            if field is None:
                return None
            current = field.annotation
        elif typing.get_origin(current) is list and isinstance(part, int):
            current = typing.get_args(current)[0]
        elif typing.get_origin(current) is dict and isinstance(part, str):
            current = typing.get_args(current)[1]
        else:
            return None
    return unwrap_annotation(current)


def _problems(error: ErrorDetails) -> list[Problem]:
    loc = tuple(error["loc"])
    kind = error["type"]
    ctx = error.get("ctx") or {}
    where = _location(loc)
    given = _brief(error.get("input"))

    if kind == "contradiction":
        prefix = f"{where}." if where else ""
        return [Problem(", ".join(prefix + f for f in c.fields), c.ja, c.en) for c in ctx["problems"]]
    if "ja" in ctx and "en" in ctx:  # from facts.values and the other custom checks
        return [Problem(where, ctx["ja"], ctx["en"])]
    if kind == "extra_forbidden":
        return [_unknown_key(loc)]
    if kind == "invalid_key":  # YAML's "1: x" or "null: x"; the last loc part is that key, not an index
        return [Problem(_location(loc[:-1]), f"項目名 {given} は文字列で書いてください", f"the key {given} must be text")]
    if kind == "literal_error":
        allowed = typing.get_args(declared_type(loc)) or (ctx.get("expected", "?"),)
        listed = ", ".join(str(a) for a in allowed)
        return [Problem(where, f"{given} は指定できません。次のいずれかです: {listed}", f"{given} is not allowed; use one of: {listed}")]

    ja, en = _MESSAGES.get(kind, (None, None))
    if ja is None:  # never pydantic's English inside the Japanese text
        return [Problem(where, f"値が正しくありません（入力: {given}）", f"{error['msg']} (got {given})")]
    return [Problem(where, ja.format(given=given, **ctx), en.format(given=given, **ctx))]


def _brief(value: Any, limit: int = 60) -> str:
    text = shown(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def unknown_place(loc: tuple[int | str, ...], model: type[BaseModel] = Case) -> Problem | None:
    """What is wrong with a field path the case has no place for (its first part that is unknown), or None."""
    for cut in range(1, len(loc) + 1):
        if declared_type(loc[:cut], model) is None:
            parent = declared_type(loc[: cut - 1], model)
            if isinstance(parent, type) and issubclass(parent, BaseModel) and isinstance(loc[cut - 1], str):
                return _unknown_key(loc[:cut])
            where = _location(loc[:cut])
            return Problem(where, f"{where} という項目はありません", f"the case has no field {where}")
    return None


def _unknown_key(loc: tuple[int | str, ...]) -> Problem:
    raw = str(loc[-1])
    # a key is shown as written unless it is long or holds what a terminal cannot show
    key = raw if len(raw) <= 40 and raw.isprintable() else shown(raw)[1:-1][:40]
    parent = declared_type(loc[:-1])
    allowed = list(parent.model_fields) if isinstance(parent, type) and issubclass(parent, BaseModel) else []
    suggestion = did_you_mean(raw, allowed)
    where = _location(loc[:-1])
    where = f"{where}.{key}" if where else key
    if suggestion:
        return Problem(
            where,
            f"不明な項目 '{key}' です。'{suggestion}' の誤りではありませんか？",
            f"unknown key '{key}'; did you mean '{suggestion}'?",
        )
    listed = ", ".join(allowed)
    return Problem(
        where,
        f"不明な項目 '{key}' です。使える項目: {listed}",
        f"unknown key '{key}'; the keys allowed here are: {listed}",
    )


# Pydantic's own error types, in both languages. ``{given}`` is the input as written.
_MESSAGES: dict[str, tuple[str, str]] = {
    "missing": ("必須項目がありません", "this required field is missing"),
    "int_type": ("整数を指定してください（入力: {given}）", "must be a whole number (got {given})"),
    "int_parsing": ("整数を指定してください（入力: {given}）", "must be a whole number (got {given})"),
    "int_from_float": ("整数を指定してください（入力: {given}）", "must be a whole number (got {given})"),
    "bool_type": ("true か false を指定してください（入力: {given}）", "must be true or false (got {given})"),
    "bool_parsing": ("true か false を指定してください（入力: {given}）", "must be true or false (got {given})"),
    "string_type": ("文字列を指定してください（入力: {given}）", "must be text (got {given})"),
    "string_too_short": ("空にはできません", "must not be empty"),
    "string_too_long": ("長すぎます（{max_length}文字まで）", "too long (at most {max_length} characters)"),
    "too_long": ("多すぎます（{max_length}件まで）", "too many entries (at most {max_length})"),
    "model_type": ("項目と値の組（マッピング）を指定してください（入力: {given}）", "must be a mapping of keys to values (got {given})"),
    "model_attributes_type": ("項目と値の組（マッピング）を指定してください（入力: {given}）", "must be a mapping of keys to values (got {given})"),
    "dict_type": ("項目と値の組（マッピング）を指定してください（入力: {given}）", "must be a mapping of keys to values (got {given})"),
    "list_type": ("リストを指定してください（入力: {given}）", "must be a list (got {given})"),
    "greater_than_equal": ("{ge} 以上を指定してください（入力: {given}）", "must be at least {ge} (got {given})"),
    "less_than_equal": ("{le} 以下を指定してください（入力: {given}）", "must be at most {le} (got {given})"),
}
