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

import datetime as dt
import difflib
import json
import re
import sys
import types
import typing
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Union

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from facts.errors import InputError, Problem
from facts.case import Case
from facts.values import shown

try:  # libyaml: the same events, an order of magnitude faster
    from yaml.cyaml import CParser as _CParser
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    _CParser = None

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

MAX_CASE_BYTES = 1024 * 1024
"""Bytes read from one case file by default (1 MiB): a real case is a few KB."""

MAX_DEPTH = 16
"""Nesting levels allowed in a case file; the case format itself needs three."""

MAX_VALUES = 10_000
"""Keys and values allowed in one case after YAML aliases are expanded."""

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
                    f"ファイルが大きすぎます（上限 {max_bytes:,} バイト）。事案ファイルは通常数KBです",
                    f"the file is too large (the limit is {max_bytes:,} bytes); a case file is normally a few KB",
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


# --------------------------------------------------------------------------- text


_UTF_BOMS = (  # longest first: the UTF-32LE BOM begins with the UTF-16LE one
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"),
    (b"\xfe\xff", "UTF-16"),
)


def _other_unicode(raw: bytes) -> str | None:
    """UTF-16 or UTF-32, recognised by a BOM or by where the NUL bytes fall."""
    for bom, name in _UTF_BOMS:
        if raw.startswith(bom):
            return name
    head = raw[:400]
    if len(head) >= 8 and head.count(0) * 4 >= len(head):
        # ASCII text in UTF-16 has a NUL in every other byte, in UTF-32 three in every four
        if head.count(0) * 4 >= len(head) * 3 - 4:
            return "UTF-32"
        if head[0::2].count(0) * 2 >= len(head[0::2]) - 1 or head[1::2].count(0) * 2 >= len(head[1::2]) - 1:
            return "UTF-16"
    return None


def _decode(text: str | bytes, source: str) -> str:
    binary = InputError([Problem(source, "テキストではなくバイナリファイルのようです", "this looks like a binary file, not text")])
    if isinstance(text, bytes):
        encoding = _other_unicode(text)
        if encoding:
            raise InputError(
                [
                    Problem(
                        source,
                        f"{encoding} で保存されたファイルです。UTF-8 で保存し直してください（メモ帳なら「名前を付けて保存」で文字コードに UTF-8 を選びます）",
                        f"the file is saved as {encoding}; save it as UTF-8 (in Notepad: Save As, Encoding: UTF-8)",
                    )
                ]
            )
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
    _check_characters(text, source)
    return text


# What YAML 1.2 allows in a stream (tab, line ends, printable characters, NEL);
# JSON allows less. Checked up front so the message can give line and column.
_FORBIDDEN_CHARACTER = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")


def _check_characters(text: str, source: str) -> None:
    match = _FORBIDDEN_CHARACTER.search(text)
    if match is None:
        return
    offset = match.start()
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    code = f"U+{ord(match.group()):04X}"
    raise InputError(
        [
            Problem(
                f"{source}:{line}:{column}",
                f"使えない制御文字 {code} が含まれています（{line}行{column}列）",
                f"the file contains the control character {code} (line {line}, column {column})",
            )
        ]
    )


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
        except _DuplicateKey as error:
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


def _exact_decimal(text: str) -> Decimal:
    """The decimal written, without trailing zeros: 0.70 is 0.7 and 3.0 is 3, exactly."""
    text = text.rstrip("0").rstrip(".") if "." in text else text
    return Decimal(text if text not in ("", "+", "-") else "0")


def _parse_json(text: str) -> Any:
    return json.loads(text, object_pairs_hook=_unique_json_object, parse_int=_json_int, parse_float=_json_float)


def _too_deep(source: str, mark: Any) -> InputError:
    where = source if mark is None else f"{source}:{mark.line + 1}:{mark.column + 1}"
    return InputError(
        [
            Problem(
                where,
                f"入れ子が深すぎます（{MAX_DEPTH}段まで）。事案ファイルは3段で足ります",
                f"the file is nested too deeply (at most {MAX_DEPTH} levels; a case needs three)",
            )
        ]
    )


# libyaml's messages, in the advisor's terms. Anything else gets the plain
# "syntax error at line, column" in Japanese, never English parser text.
_YAML_PROBLEMS_JA = (
    ("mapping values are not allowed", "ここでは「キー: 値」を書けません（字下げや「:」の後の空白を確認してください）"),
    ("tab character", "タブ文字は使えません。字下げには空白を使ってください"),
    ("found character '\\t'", "タブ文字は使えません。字下げには空白を使ってください"),
    ("that cannot start any token", "ここに書けない文字があります"),
    ("could not find expected ':'", "「:」が見つかりません"),
    ("did not find expected key", "キーがあるべき位置です（字下げを確認してください）"),
    ("did not find expected '-' indicator", "リストの「-」があるべき位置です（字下げを確認してください）"),
    ("did not find expected ',' or ']'", "「,」か「]」が見つかりません（[ の閉じ忘れ）"),
    ("did not find expected ',' or '}'", "「,」か「}」が見つかりません（{ の閉じ忘れ）"),
    ("found unexpected end of stream", "ファイルが途中で終わっています（引用符や括弧の閉じ忘れ）"),
    ("found unknown escape character", "不明なエスケープ文字があります"),
    ("found invalid Unicode character escape code", "不正な文字コードのエスケープがあります"),
    ("found undefined alias", "定義されていないエイリアス（*名前）です"),
    ("found duplicate anchor", "同じアンカー名（&名前）が2回定義されています"),
    ("block sequence entries are not allowed", "ここでは「- 」のリストを書けません（字下げを確認してください）"),
    ("expected <document start>", "文書の終わりの後に内容があります（字下げを確認してください）"),
    ("found unexpected ':'", "予期しない「:」があります"),
    ("did not find expected node content", "値があるべき位置です"),
)


def _yaml_problem_ja(english: str) -> str | None:
    for needle, ja in _YAML_PROBLEMS_JA:
        if needle in english:
            return ja
    return None


def _syntax_error(source: str, mark: Any, english: str) -> InputError:
    ja = _yaml_problem_ja(english)
    if mark is None:
        return InputError(
            [Problem(source, f"YAML の書式に誤りがあります{'（' + ja + '）' if ja else ''}", f"YAML syntax error: {english}")]
        )
    line, column = mark.line + 1, mark.column + 1
    return InputError(
        [
            Problem(
                f"{source}:{line}:{column}",
                f"YAML の書式に誤りがあります（{line}行{column}列{'：' + ja if ja else ''}）",
                f"YAML syntax error at line {line}, column {column}: {english}",
            )
        ]
    )


def _parse_yaml(text: str, source: str) -> Any:
    parser = _CParser(text) if _CParser is not None else _PyParser(text)
    try:
        return _build(parser, source)
    except _DuplicateKey as error:
        raise InputError([error.problem(source)]) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        what = error.problem or error.context or "error"
        if "nesting depth" in what:  # libyaml's own limit, reached before ours in a flow collection
            raise _too_deep(source, mark) from None
        raise _syntax_error(source, mark, what) from None
    except yaml.YAMLError as error:  # the reader's own errors carry no line
        raise _syntax_error(source, None, str(error).splitlines()[0]) from None


class _PyParser(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser):
    """PyYAML's pure-Python parser, for an installation without libyaml."""

    def __init__(self, stream: str):
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)


_STR_TAGS = frozenset({None, "!", "tag:yaml.org,2002:str"})
_COLLECTION_TAGS = {
    yaml.MappingStartEvent: frozenset({None, "!", "tag:yaml.org,2002:map"}),
    yaml.SequenceStartEvent: frozenset({None, "!", "tag:yaml.org,2002:seq"}),
}


class _Frame:
    __slots__ = ("container", "is_map", "key", "key_mark", "anchor", "start_count")

    def __init__(self, container: Any, anchor: str | None, start_count: int):
        self.container = container
        self.is_map = isinstance(container, dict)
        self.key: Any = _NO_KEY
        self.key_mark: Any = None
        self.anchor = anchor
        self.start_count = start_count


_NO_KEY = object()


def _build(parser: Any, source: str) -> Any:
    """One document's value, built from parser events with bounded depth and size."""
    stack: list[_Frame] = []
    anchors: dict[str, tuple[Any, int]] = {}
    open_anchors: set[str] = set()
    count = 0  # values so far, aliases counted as the values they stand for
    root: Any = None
    documents = 0
    while True:
        event = parser.get_event()
        kind = type(event)
        if kind is yaml.ScalarEvent:
            value, size = _scalar(event, source), 1
            count += 1
        elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
            if event.tag not in _COLLECTION_TAGS[kind]:
                raise _tag_refused(source, event)
            if len(stack) >= MAX_DEPTH:
                raise _too_deep(source, event.start_mark)
            if stack and stack[-1].is_map and stack[-1].key is _NO_KEY:
                raise _complex_key(source, event.start_mark)
            count += 1
            stack.append(_Frame({} if kind is yaml.MappingStartEvent else [], event.anchor, count))
            if event.anchor:
                open_anchors.add(event.anchor)
            continue
        elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
            frame = stack.pop()
            value, size = frame.container, count - frame.start_count + 1
            if frame.anchor:
                open_anchors.discard(frame.anchor)
                anchors[frame.anchor] = (value, size)
            if stack:
                _add(stack, value, source, event, from_plain=False)
            else:
                root = value
            continue
        elif kind is yaml.AliasEvent:
            if event.anchor in open_anchors:
                raise InputError(
                    [_at(source, event.start_mark, "エイリアスが自分自身を含んでいます", "an alias refers to the value that contains it")]
                )
            if event.anchor not in anchors:
                raise _syntax_error(source, event.start_mark, "found undefined alias")
            value, size = anchors[event.anchor]
            count += size
            if stack and stack[-1].is_map and stack[-1].key is _NO_KEY and isinstance(value, (dict, list)):
                raise _complex_key(source, event.start_mark)
        elif kind is yaml.DocumentStartEvent:
            documents += 1
            if documents > 1:
                raise InputError(
                    [
                        _at(
                            source,
                            event.start_mark,
                            "1つのファイルに書ける事案は1件です（「---」の後に2件目があります）",
                            "a file holds one case; a second document follows '---'",
                        )
                    ]
                )
            continue
        elif kind is yaml.StreamEndEvent:
            return root
        else:
            continue

        _check_count(count, source, event)
        if kind is yaml.ScalarEvent and event.anchor:
            anchors[event.anchor] = (value, size)
        if stack:
            _add(stack, value, source, event, from_plain=kind is yaml.ScalarEvent and event.tag is None and event.implicit[0])
        else:
            root = value


def _add(stack: list[_Frame], value: Any, source: str, event: Any, from_plain: bool) -> None:
    frame = stack[-1]
    if not frame.is_map:
        frame.container.append(value)
        return
    if frame.key is _NO_KEY:
        if from_plain and value == "<<":
            raise InputError(
                [
                    _at(
                        source,
                        event.start_mark,
                        "YAML のマージキー（<<）は使えません。項目をそれぞれ書いてください",
                        "YAML merge keys (<<) are not supported; write each key out",
                    )
                ]
            )
        if value in frame.container:
            mark = event.start_mark
            raise _DuplicateKey(value, mark.line + 1, mark.column + 1)
        frame.key, frame.key_mark = value, event.start_mark
        return
    frame.container[frame.key] = value
    frame.key = _NO_KEY


def _check_count(count: int, source: str, event: Any) -> None:
    if count > MAX_VALUES:
        raise InputError(
            [
                _at(
                    source,
                    event.start_mark,
                    f"値が多すぎます（エイリアスを展開して {MAX_VALUES:,} 個まで）",
                    f"too many values (at most {MAX_VALUES:,}, with aliases expanded)",
                )
            ]
        )


def _at(source: str, mark: Any, ja: str, en: str) -> Problem:
    line, column = mark.line + 1, mark.column + 1
    return Problem(f"{source}:{line}:{column}", f"{ja}（{line}行{column}列）", f"{en} (line {line}, column {column})")


def _complex_key(source: str, mark: Any) -> InputError:
    return InputError([_at(source, mark, "キーには文字列を書いてください", "a key must be text, not a list or mapping")])


def _tag_refused(source: str, event: Any) -> InputError:
    tag = event.tag.replace("tag:yaml.org,2002:", "!!")
    return InputError(
        [_at(source, event.start_mark, f"YAML のタグ {shown(tag)} は使えません", f"the YAML tag {shown(tag)} is not supported")]
    )


# YAML 1.2 core schema, minus what an advisor never means: 0x/0o numbers stay text.
_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT = re.compile(r"[-+]?[0-9]+")
# Exponents (1e3) stay text: nobody writes money or months that way, and a
# field that reports "1e3" beats one that silently reads 1000.
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)")
_SPECIAL_FLOATS = {
    **{f"{sign}.{word}": Decimal(f"{sign}Infinity") for sign in ("", "+", "-") for word in ("inf", "Inf", "INF")},
    **{f".{word}": Decimal("NaN") for word in ("nan", "NaN", "NAN")},
}
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _scalar(event: Any, source: str) -> Any:
    value = event.value
    if event.tag is None and event.implicit[0]:
        return _plain(value)
    if event.tag in _STR_TAGS:
        return value
    raise _tag_refused(source, event)


def _plain(value: str) -> Any:
    if value in _NULLS:
        return None
    if value in _BOOLS:
        return _BOOLS[value]
    first = value[0]
    if first.isdigit() or first in "+-.":
        if _INT.fullmatch(value):
            digits = value.lstrip("+-")
            if (len(digits) > 1 and digits[0] == "0") or len(digits) > 18:
                # 0412 is the text as written: a case id keeps its zeros, a number
                # field reads the decimal; a huge number is reported by its field.
                return value
            return int(value)
        if value in _SPECIAL_FLOATS:
            return _SPECIAL_FLOATS[value]
        if _DATE.fullmatch(value):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                return value  # 2025-02-30: the date field reports it with its location
        if len(value) <= 40 and _FLOAT.fullmatch(value):
            return _exact_decimal(value)
    return value


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
    if ja is None:  # never pydantic's English inside the Japanese text
        return [Problem(where, f"値が正しくありません（入力: {given}）", f"{error['msg']} (got {given})")]
    return [Problem(where, ja.format(given=given, **ctx), en.format(given=given, **ctx))]


def _brief(value: Any, limit: int = 60) -> str:
    text = shown(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _unknown_key(loc: tuple[int | str, ...]) -> Problem:
    raw = str(loc[-1])
    # a key is shown as written unless it is long or holds what a terminal cannot show
    key = raw if len(raw) <= 40 and raw.isprintable() else shown(raw)[1:-1][:40]
    parent = _type_at(loc[:-1])
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
