"""YAML read with the YAML 1.2 core schema, value by value from the parser's events, within bounds.

Why not PyYAML's loader: it resolves YAML 1.1 forms (octal, sexagesimal, yes/no)
into other values without a word. See ``facts.load`` for what is read and refused.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import yaml

from facts.errors import InputError, Problem
from facts.values import shown

try:  # libyaml: the same events, an order of magnitude faster
    from yaml.cyaml import CParser as _CParser
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    _CParser = None

MAX_DEPTH = 16
MAX_VALUES = 10_000


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


def yaml_problem_ja(english: str) -> str | None:
    """PyYAML's problem in Japanese, for the commonest mistakes (None for the rest)."""
    for needle, ja in _YAML_PROBLEMS_JA:
        if needle in english:
            return ja
    return None


def _syntax_error(source: str, mark: Any, english: str) -> InputError:
    ja = yaml_problem_ja(english)
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
    except DuplicateKey as error:
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
            raise DuplicateKey(value, mark.line + 1, mark.column + 1)
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


def _exact_decimal(text: str) -> Decimal:
    """The decimal written, without trailing zeros: 0.70 is 0.7 and 3.0 is 3, exactly."""
    text = text.rstrip("0").rstrip(".") if "." in text else text
    return Decimal(text if text not in ("", "+", "-") else "0")


class DuplicateKey(Exception):
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


def plain_scalar(text: str) -> Any:
    """A value typed outside a file (``--set path=VALUE``), read as the same plain YAML scalar in a case file would be."""
    return _plain(text)
