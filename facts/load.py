"""Reading a case file: bytes in, a validated :class:`~facts.case.Case` out.

Every way a file can be wrong ends here as one :class:`InputError` listing
*all* its problems, each at a dotted location (``other_debts[0].balance``)
with Japanese and English text, so an advisor can fix the file in one pass.
Field problems are located by path alone; problems with the file as a whole
(encoding, syntax) are located by the source name, with line and column when
known.
"""

from __future__ import annotations

import difflib
import json
import sys
import types
import typing
from pathlib import Path
from typing import Any, Union

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from engine.errors import InputError, Problem
from facts.case import Case
from facts.values import shown

__all__ = ["load_case_text", "load_case_file", "validate_problems", "did_you_mean"]

_BOM = "\ufeff"


def load_case_text(text: str | bytes, source: str) -> Case:
    """Parse and validate one case given as YAML or JSON text.

    ``source`` names the input in file-level messages (a path, ``<stdin>``).
    """
    data = _parse(_decode(text, source), source)
    try:
        return Case.model_validate(data)
    except ValidationError as error:
        raise InputError([p for e in error.errors() for p in _problems(e)]) from None


def load_case_file(path_or_dash: str | Path) -> Case:
    """Load a case from a file, or from standard input when given ``-``."""
    if str(path_or_dash) == "-":
        return load_case_text(sys.stdin.buffer.read(), "<stdin>")
    path = Path(path_or_dash)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError([Problem(str(path), "ファイルが見つかりません", "file not found")]) from None
    except IsADirectoryError:
        raise InputError([Problem(str(path), "ファイルではなくディレクトリです", "this is a directory, not a file")]) from None
    except OSError as error:
        reason = error.strerror or str(error)
        raise InputError([Problem(str(path), f"ファイルを読めません（{reason}）", f"cannot read the file ({reason})")]) from None
    return load_case_text(raw, str(path))


def validate_problems(path_or_dash: str | Path) -> list[Problem]:
    """Every problem in a case file; empty when it is valid (for ``zansai validate``)."""
    try:
        load_case_file(path_or_dash)
    except InputError as error:
        return error.problems
    return []


def did_you_mean(name: str, candidates: typing.Iterable[str]) -> str | None:
    """The closest candidate to a misspelt name, if one is close enough."""
    matches = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return matches[0] if matches else None


# --------------------------------------------------------------------------- text and syntax


def _decode(text: str | bytes, source: str) -> str:
    binary = InputError([Problem(source, "テキストではなくバイナリファイルのようです", "this looks like a binary file, not text")])
    if isinstance(text, bytes):
        if b"\x00" in text:  # before decoding: "binary" says more than "not UTF-8 at byte 0"
            raise binary
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as error:
            raise InputError(
                [
                    Problem(
                        source,
                        f"UTF-8 として読めません（{error.start}バイト目）。Shift_JIS などではなく UTF-8 で保存してください",
                        f"not valid UTF-8 (at byte {error.start}); save the file as UTF-8, not Shift_JIS or another encoding",
                    )
                ]
            ) from None
    text = text.removeprefix(_BOM)
    if "\x00" in text:
        raise binary
    if not text.strip():
        raise InputError([Problem(source, "ファイルが空です", "the file is empty")])
    return text


class _UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that refuses a key given twice: PyYAML would silently keep the last one."""


def _construct_unique_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: dict[Any, yaml.Node] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if not isinstance(key, typing.Hashable):
            continue  # PyYAML's own construct_mapping reports an unhashable key
        if key in seen:
            mark = key_node.start_mark
            raise _DuplicateKey(key, mark.line + 1, mark.column + 1)
        seen[key] = key_node
    return loader.construct_mapping(node, deep=deep)


def _construct_timestamp(loader: _UniqueKeyLoader, node: yaml.ScalarNode) -> Any:
    # PyYAML raises a bare ValueError on an unquoted impossible date (2025-02-30).
    # Hand the text on instead, so the date field reports it with its location.
    try:
        return loader.construct_yaml_timestamp(node)
    except ValueError:
        return loader.construct_scalar(node)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_unique_mapping)
_UniqueKeyLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


def _parse(text: str, source: str) -> dict:
    # JSON first when the file says it is JSON: YAML reads most JSON too, but
    # reports JSON mistakes in YAML's terms, and rejects tab indentation.
    looks_like_json = source.lower().endswith(".json") or text.lstrip().startswith("{")
    if looks_like_json:
        try:
            data = json.loads(text, object_pairs_hook=_unique_json_object)
        except json.JSONDecodeError as error:
            if source.lower().endswith(".json"):
                raise InputError(
                    [
                        Problem(
                            f"{source}:{error.lineno}:{error.colno}",
                            f"JSON の書式に誤りがあります（{error.lineno}行{error.colno}列: {error.msg}）",
                            f"JSON syntax error at line {error.lineno}, column {error.colno}: {error.msg}",
                        )
                    ]
                ) from None
            data = _parse_yaml(text, source)
        except _DuplicateKey as error:
            raise InputError([error.problem(source)]) from None
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


def _parse_yaml(text: str, source: str) -> Any:
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass
    except _DuplicateKey as error:
        raise InputError([error.problem(source)]) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        what = error.problem or error.context or "error"
        if mark is None:
            raise InputError([Problem(source, f"YAML の書式に誤りがあります: {what}", f"YAML syntax error: {what}")]) from None
        line, column = mark.line + 1, mark.column + 1
        raise InputError(
            [
                Problem(
                    f"{source}:{line}:{column}",
                    f"YAML の書式に誤りがあります（{line}行{column}列: {what}）",
                    f"YAML syntax error at line {line}, column {column}: {what}",
                )
            ]
        ) from None
    except yaml.YAMLError as error:  # e.g. a control character the reader refuses
        raise InputError([Problem(source, f"YAML として読めません: {error}", f"cannot read as YAML: {error}")]) from None


class _DuplicateKey(Exception):
    """A mapping names the same key twice; which value was meant is unknowable."""

    def __init__(self, key: Any, line: int | None = None, column: int | None = None):
        self.key, self.line, self.column = key, line, column
        super().__init__(key)

    def problem(self, source: str) -> Problem:
        key = shown(self.key)
        if self.line is None:
            return Problem(source, f"キー {key} が重複しています", f"the key {key} is given twice")
        return Problem(
            f"{source}:{self.line}:{self.column}",
            f"キー {key} が重複しています（{self.line}行{self.column}列）",
            f"the key {key} is given twice (line {self.line}, column {self.column})",
        )


def _unique_json_object(pairs: list[tuple[str, Any]]) -> dict:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKey(key)
        result[key] = value
    return result


# --------------------------------------------------------------------------- validation errors


def _location(loc: tuple[int | str, ...]) -> str:
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def _unwrap(annotation: Any) -> Any:
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


def _type_at(loc: tuple[int | str, ...]) -> Any:
    """The declared type at a location of the case, or None if there is none."""
    current: Any = Case
    for part in loc:
        current = _unwrap(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(part) if isinstance(part, str) else None
            if field is None:
                return None
            current = field.annotation
        elif typing.get_origin(current) is list and isinstance(part, int):
            current = typing.get_args(current)[0]
        elif typing.get_origin(current) is dict:
            current = typing.get_args(current)[1]
        else:
            return None
    return _unwrap(current)


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
        allowed = typing.get_args(_type_at(loc)) or (ctx.get("expected", "?"),)
        listed = ", ".join(str(a) for a in allowed)
        return [Problem(where, f"{given} は指定できません。次のいずれかです: {listed}", f"{given} is not allowed; use one of: {listed}")]

    ja, en = _MESSAGES.get(kind, (None, None))
    if ja is None:
        return [Problem(where, f"値が正しくありません（入力: {given}）: {error['msg']}", f"{error['msg']} (got {given})")]
    return [Problem(where, ja.format(given=given, **ctx), en.format(given=given, **ctx))]


def _brief(value: Any, limit: int = 60) -> str:
    text = shown(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _unknown_key(loc: tuple[int | str, ...]) -> Problem:
    key = str(loc[-1])
    parent = _type_at(loc[:-1])
    allowed = list(parent.model_fields) if isinstance(parent, type) and issubclass(parent, BaseModel) else []
    suggestion = did_you_mean(key, allowed)
    if suggestion:
        return Problem(
            _location(loc),
            f"不明な項目 '{key}' です。'{suggestion}' の誤りではありませんか？",
            f"unknown key '{key}'; did you mean '{suggestion}'?",
        )
    listed = ", ".join(allowed)
    return Problem(
        _location(loc),
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
    "model_type": ("項目と値の組（マッピング）を指定してください（入力: {given}）", "must be a mapping of keys to values (got {given})"),
    "model_attributes_type": ("項目と値の組（マッピング）を指定してください（入力: {given}）", "must be a mapping of keys to values (got {given})"),
    "dict_type": ("項目と値の組（マッピング）を指定してください（入力: {given}）", "must be a mapping of keys to values (got {given})"),
    "list_type": ("リストを指定してください（入力: {given}）", "must be a list (got {given})"),
    "greater_than_equal": ("{ge} 以上を指定してください（入力: {given}）", "must be at least {ge} (got {given})"),
    "less_than_equal": ("{le} 以下を指定してください（入力: {given}）", "must be at most {le} (got {given})"),
}
