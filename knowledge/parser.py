"""Parsing rule expressions: the tokenizer and the recursive-descent parser of the grammar in
``knowledge.expr``. Nothing is ``eval``-ed; unknown functions and malformed text fail here
with the position and a bilingual message.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from knowledge.expr import (
    FUNCTIONS,
    children,
    And,
    Bool,
    Call,
    Compare,
    Contains,
    Exists,
    ExprError,
    In,
    Missing,
    Neg,
    Node,
    Not,
    Num,
    Or,
    Ref,
    Str,
    BinOp,
)

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<num>\d[\d_]*(?:\.\d+)?)
  | (?P<str>"[^"\\]*"|'[^'\\]*')
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op>==|!=|<=|>=|<|>|\+|-|\*|/|\(|\)|\[|\]|,|\.)
  | (?P<bad>.)
    """,
    re.VERBOSE,
)

KEYWORDS = {"and", "or", "not", "in", "contains", "exists", "missing", "true", "false"}
COMPARATORS = {"==", "!=", "<", "<=", ">", ">="}


@dataclass
class _Tok:
    kind: str
    text: str
    pos: int


def _tokenize(src: str) -> list[_Tok]:
    toks: list[_Tok] = []
    for m in _TOKEN.finditer(src):
        kind = m.lastgroup
        text = m.group()
        if kind == "ws":
            continue
        if kind == "bad":
            raise ExprError(
                f"使えない文字 {text!r} があります（{m.start() + 1}文字目）",
                f"unexpected character {text!r} at column {m.start() + 1}",
                m.start(),
            )
        toks.append(_Tok(kind, text, m.start()))
    toks.append(_Tok("end", "", len(src)))
    return toks


class _Parser:
    def __init__(self, src: str):
        self.src = src
        self.toks = _tokenize(src)
        self.i = 0

    def peek(self) -> _Tok:
        return self.toks[self.i]

    def next(self) -> _Tok:
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def accept(self, text: str) -> bool:
        tok = self.peek()
        if tok.text == text and tok.kind in ("op", "name"):
            self.i += 1
            return True
        return False

    def expect(self, text: str) -> None:
        if not self.accept(text):
            tok = self.peek()
            found = tok.text or "終わり"
            raise ExprError(
                f"{tok.pos + 1}文字目で {text!r} が必要ですが {found!r} があります",
                f"expected {text!r} at column {tok.pos + 1}, found {tok.text or 'end of expression'!r}",
                tok.pos,
            )

    def parse(self) -> Node:
        node = self.or_()
        tok = self.peek()
        if tok.kind != "end":
            raise ExprError(
                f"{tok.pos + 1}文字目の {tok.text!r} は式の続きとして読めません",
                f"unexpected {tok.text!r} at column {tok.pos + 1}",
                tok.pos,
            )
        return node

    def or_(self) -> Node:
        items = [self.and_()]
        while self.accept("or"):
            items.append(self.and_())
        return items[0] if len(items) == 1 else Or(tuple(items))

    def and_(self) -> Node:
        items = [self.not_()]
        while self.accept("and"):
            items.append(self.not_())
        return items[0] if len(items) == 1 else And(tuple(items))

    def not_(self) -> Node:
        if self.accept("not"):
            return Not(self.not_())
        return self.test()

    def test(self) -> Node:
        if self.accept("exists"):
            return Exists(self.ref_only("exists"))
        if self.accept("missing"):
            return Missing(self.ref_only("missing"))
        left = self.sum()
        tok = self.peek()
        if tok.kind == "op" and tok.text in COMPARATORS:
            self.next()
            right = self.sum()
            return Compare(tok.text, left, right)
        if tok.text == "not" and self.toks[self.i + 1].text == "in":
            self.i += 2
            return In(left, self.literal_list(), negated=True)
        if tok.text == "in":
            self.next()
            return In(left, self.literal_list())
        if tok.text == "contains":
            self.next()
            needle = self.atom()
            if not isinstance(needle, Str) or not needle.value:
                raise ExprError("contains の後には文字列が必要です", "contains must be followed by a non-empty string")
            return Contains(left, unicodedata.normalize("NFKC", needle.value))
        return left

    def literal_list(self) -> tuple[Node, ...]:
        self.expect("[")
        items = [self.atom()]
        while self.accept(","):
            items.append(self.atom())
        self.expect("]")
        for item in items:
            if not isinstance(item, (Num, Str, Bool)):
                raise ExprError("in [...] には定数だけを書けます", "only constants may appear in an 'in [...]' list")
        return tuple(items)

    def ref_only(self, keyword: str) -> Ref:
        node = self.atom()
        if not isinstance(node, Ref):
            raise ExprError(
                f"{keyword} の後には事実の名前（例: budget, debtor.age）が必要です",
                f"{keyword} must be followed by a fact or field name (e.g. budget, debtor.age)",
            )
        return node

    def sum(self) -> Node:
        node = self.term()
        while True:
            tok = self.peek()
            if tok.kind == "op" and tok.text in ("+", "-"):
                self.next()
                node = BinOp(tok.text, node, self.term())
            else:
                return node

    def term(self) -> Node:
        node = self.unary()
        while True:
            tok = self.peek()
            if tok.kind == "op" and tok.text in ("*", "/"):
                self.next()
                node = BinOp(tok.text, node, self.unary())
            else:
                return node

    def unary(self) -> Node:
        if self.accept("-"):
            return Neg(self.unary())
        return self.atom()

    def atom(self) -> Node:
        tok = self.next()
        if tok.kind == "num":
            text = tok.text.replace("_", "")
            return Num(Fraction(Decimal(text)), tok.text)
        if tok.kind == "str":
            body = tok.text[1:-1]
            return Str(body)
        if tok.kind == "op" and tok.text == "(":
            node = self.or_()
            self.expect(")")
            return node
        if tok.kind == "name":
            if tok.text == "true":
                return Bool(True)
            if tok.text == "false":
                return Bool(False)
            if tok.text in KEYWORDS:
                raise ExprError(
                    f"{tok.pos + 1}文字目の {tok.text!r} はここでは使えません",
                    f"{tok.text!r} cannot stand here (column {tok.pos + 1})",
                    tok.pos,
                )
            if tok.text.startswith("__") or tok.text.endswith("__"):
                raise ExprError(
                    f"名前 {tok.text!r} は使えません（__ で始まる名前は禁止）",
                    f"the name {tok.text!r} is not allowed (no dunder names)",
                    tok.pos,
                )
            if self.peek().text == "(":
                return self.call(tok)
            if self.accept("."):
                field = self.next()
                if field.kind != "name" or field.text in KEYWORDS:
                    raise ExprError(
                        f"{field.pos + 1}文字目: '.' の後には項目名が必要です",
                        f"a field name must follow '.' (column {field.pos + 1})",
                        field.pos,
                    )
                if field.text.startswith("_"):
                    raise ExprError(
                        f"項目名 {field.text!r} は使えません",
                        f"the field name {field.text!r} is not allowed",
                        field.pos,
                    )
                if self.peek().text == ".":
                    raise ExprError(
                        "名前は「種類.項目」の2段までです（例: debtor.age）",
                        "names have at most two parts (e.g. debtor.age)",
                        self.peek().pos,
                    )
                if self.peek().text == "(":
                    raise ExprError(
                        f"メソッド呼び出し {tok.text}.{field.text}(...) は使えません",
                        f"method calls such as {tok.text}.{field.text}(...) are not allowed",
                        field.pos,
                    )
                return Ref(tok.text, field.text)
            return Ref(tok.text, None)
        found = tok.text or "終わり"
        raise ExprError(
            f"{tok.pos + 1}文字目で値が必要ですが {found!r} があります",
            f"expected a value at column {tok.pos + 1}, found {tok.text or 'end of expression'!r}",
            tok.pos,
        )

    def call(self, tok: _Tok) -> Node:
        name = tok.text
        if name not in FUNCTIONS:
            from difflib import get_close_matches

            hint = get_close_matches(name, FUNCTIONS, n=1)
            extra_ja = f"（もしかして {hint[0]}?）" if hint else ""
            extra_en = f" (did you mean {hint[0]}?)" if hint else ""
            raise ExprError(
                f"関数 {name}() は使えません{extra_ja}。使える関数: {', '.join(FUNCTIONS)}",
                f"unknown function {name}(){extra_en}; allowed: {', '.join(FUNCTIONS)}",
                tok.pos,
            )
        self.expect("(")
        args = [self.or_()]
        while self.accept(","):
            args.append(self.or_())
        self.expect(")")
        lo, hi, _, _ = FUNCTIONS[name]
        if not lo <= len(args) <= hi:
            raise ExprError(
                f"{name}() の引数の数が違います（{len(args)}個）",
                f"{name}() takes {lo}{'' if lo == hi else f' to {hi}'} arguments, got {len(args)}",
                tok.pos,
            )
        return Call(name, tuple(args))


def parse(src: str) -> Node:
    if not isinstance(src, str):
        raise ExprError("式は文字列で書いてください", f"an expression must be a string, got {type(src).__name__}")
    if not src.strip():
        raise ExprError("式が空です", "empty expression")
    if len(src) > MAX_LENGTH:
        raise ExprError(f"式が長すぎます（{MAX_LENGTH}文字まで）", f"the expression is too long (at most {MAX_LENGTH} characters)")
    # The parser, the normaliser and the evaluator all recurse: bound the nesting
    # before any of them runs, so a hostile rule file is an error, not a crash.
    depth = deepest = 0
    for char in src:
        if char in "([":
            depth += 1
            deepest = max(deepest, depth)
        elif char in ")]":
            depth -= 1
    if deepest > MAX_NESTING:
        raise ExprError(f"括弧の入れ子が深すぎます（{MAX_NESTING}段まで）", f"brackets are nested too deeply (at most {MAX_NESTING} levels)")
    try:
        node = _Parser(src).parse()
    except RecursionError:  # a long chain of unary minus or not
        raise ExprError("式が複雑すぎます", "the expression is too deeply nested") from None
    pending, levels = [(node, 1)], 0
    while pending:
        current, level = pending.pop()
        levels = max(levels, level)
        pending.extend((child, level + 1) for child in children(current))
    if levels > MAX_TREE_DEPTH:
        raise ExprError(f"式が複雑すぎます（{MAX_TREE_DEPTH}段まで）", f"the expression is too deeply nested (at most {MAX_TREE_DEPTH} levels)")
    return node


MAX_LENGTH = 2000
MAX_NESTING = 32
MAX_TREE_DEPTH = 100


