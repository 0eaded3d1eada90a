"""The rule expression language: a small, safe grammar for conditions and figures.

Rules are data, so their expressions are parsed here, never ``eval``-ed. The
grammar is deliberately small::

    expr    := or
    or      := and ("or" and)*
    and     := not ("and" not)*
    not     := "not" not | test
    test    := ("exists" | "missing") ref
             | sum [cmp sum | ["not"] "in" "[" literal ("," literal)* "]"]
    sum     := term (("+" | "-") term)*
    term    := unary (("*" | "/") unary)*
    unary   := "-" unary | atom
    atom    := INTEGER | DECIMAL | STRING | "true" | "false"
             | ref | FUNCTION "(" expr ("," expr)* ")" | "(" expr ")"
    ref     := NAME ("." NAME)?        e.g. debtor.annual_income, figure.residual_debt

Conditions are *normalised* before they are compiled or evaluated: ``not`` is
pushed down to the tests (De Morgan, flipped comparisons, exists <-> missing),
so durable-rules and the explainer see exactly the same negation-free tree.
A comparison with a missing operand is false, as it is in durable-rules.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
import operator
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any, Callable, Union

from facts import values

# ---------------------------------------------------------------------------
# AST


@dataclass(frozen=True)
class Num:
    value: Fraction  # exact; ints are Fractions with denominator 1
    text: str


@dataclass(frozen=True)
class Str:
    value: str


@dataclass(frozen=True)
class Bool:
    value: bool


@dataclass(frozen=True)
class Ref:
    """``scope.name`` (a fact field, a parameter, a figure…) or a bare ``scope`` (a whole fact)."""

    scope: str
    name: str | None
    # written once: the evaluator keys every value it records by it
    text: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "text", f"{self.scope}.{self.name}" if self.name else self.scope)


@dataclass(frozen=True)
class BinOp:
    op: str  # + - * /
    left: "Node"
    right: "Node"


@dataclass(frozen=True)
class Neg:
    operand: "Node"


@dataclass(frozen=True)
class Call:
    func: str
    args: tuple["Node", ...]


@dataclass(frozen=True)
class Compare:
    op: str  # == != < <= > >=
    left: "Node"
    right: "Node"


@dataclass(frozen=True)
class In:
    ref: "Node"
    values: tuple["Node", ...]
    negated: bool = False


@dataclass(frozen=True)
class Contains:
    """``text contains "s"``: a substring test, for free text such as an occupation."""

    ref: "Node"
    needle: str


@dataclass(frozen=True)
class Exists:
    ref: Ref


@dataclass(frozen=True)
class Missing:
    ref: Ref


@dataclass(frozen=True)
class And:
    items: tuple["Node", ...]


@dataclass(frozen=True)
class Or:
    items: tuple["Node", ...]


@dataclass(frozen=True)
class Not:
    operand: "Node"


Node = Union[Num, Str, Bool, Ref, BinOp, Neg, Call, Compare, In, Contains, Exists, Missing, And, Or, Not]


class ExprError(Exception):
    """A syntax or semantic error in an expression, with bilingual text."""

    def __init__(self, ja: str, en: str, position: int | None = None):
        self.ja, self.en, self.position = ja, en, position
        super().__init__(en)


# ---------------------------------------------------------------------------
# Functions. Each takes already-evaluated arguments. Only these names may be called.


def _add_years(d: dt.date, n: Fraction) -> dt.date:
    years = _whole(n, "add_years")
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February in a non-leap target year: the day before 1 March
        return dt.date(d.year + years, 3, 1) - dt.timedelta(days=1)


def _add_months(d: dt.date, n: Fraction) -> dt.date:
    months = _whole(n, "add_months")
    index = d.year * 12 + (d.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def _add_days(d: dt.date, n: Fraction) -> dt.date:
    return d + dt.timedelta(days=_whole(n, "add_days"))


def _years_between(start: dt.date, end: dt.date) -> Fraction:
    years = end.year - start.year - ((end.month, end.day) < (start.month, start.day))
    return Fraction(years)


def _months_between(start: dt.date, end: dt.date) -> Fraction:
    months = (end.year - start.year) * 12 + end.month - start.month - (end.day < start.day)
    return Fraction(months)


def _whole(n: Fraction, fn: str) -> int:
    if not isinstance(n, Fraction) or n.denominator != 1:
        raise EvalError(f"{fn}() には整数を渡してください（{n}）", f"{fn}() needs a whole number, got {n}")
    return int(n)


def _latest(*dates: Any) -> Any:
    present = [d for d in dates if d is not None]
    if not present:
        return None
    return max(present)


FUNCTIONS: dict[str, tuple[int, int, Callable[..., Any], str]] = {
    # name: (min args, max args, implementation, result kind or "arg")
    "min": (2, 8, lambda *a: min(a), "arg"),
    "max": (2, 8, lambda *a: max(a), "arg"),
    "floor": (1, 1, lambda x: Fraction(math.floor(x)), "number"),
    "ceil": (1, 1, lambda x: Fraction(math.ceil(x)), "number"),
    "add_years": (2, 2, _add_years, "date"),
    "add_months": (2, 2, _add_months, "date"),
    "add_days": (2, 2, _add_days, "date"),
    "years_between": (2, 2, _years_between, "number"),
    "months_between": (2, 2, _months_between, "number"),
    # the latest of several dates, ignoring those the case does not give
    "latest": (1, 8, _latest, "date"),
}

# Functions whose arguments may be missing (the others fail on a missing value).
TOLERATES_MISSING = {"latest"}


# ---------------------------------------------------------------------------
# Normalisation: push `not` down so no Not node survives.

_FLIP = {"==": "!=", "!=": "==", "<": ">=", ">=": "<", ">": "<=", "<=": ">"}
_MIRROR = {"==": "==", "!=": "!=", "<": ">", ">": "<", "<=": ">=", ">=": "<="}


def normalise(node: Node, negate: bool = False) -> Node:
    """Return an equivalent tree with no ``Not``; boolean refs become explicit tests."""
    if isinstance(node, Not):
        return normalise(node.operand, not negate)
    if isinstance(node, And):
        items = tuple(normalise(i, negate) for i in node.items)
        return Or(items) if negate else And(items)
    if isinstance(node, Or):
        items = tuple(normalise(i, negate) for i in node.items)
        return And(items) if negate else Or(items)
    if isinstance(node, Compare):
        return Compare(_FLIP[node.op], node.left, node.right) if negate else node
    if isinstance(node, In):
        return In(node.ref, node.values, node.negated != negate)
    if isinstance(node, Contains):
        if negate:
            raise ExprError(
                "not ... contains は使えません（durable-rules に否定の照合がないため）。該当する場合を肯定形で書いてください",
                "'not ... contains' is not supported (durable-rules has no negated match): state the positive cases",
            )
        return node
    if isinstance(node, Exists):
        return Missing(node.ref) if negate else node
    if isinstance(node, Missing):
        return Exists(node.ref) if negate else node
    if isinstance(node, Ref):
        # A bare reference used as a condition: `debtor.on_welfare` means `== true`;
        # a whole fact or a finding without a field means "it exists". Which one
        # applies is decided by the rule loader, which knows the vocabulary; here
        # we keep the shape and let `Truthy` carry the polarity.
        return Truthy(node, not negate)
    if isinstance(node, Bool):
        raise ExprError("条件に true/false だけを書くことはできません", "a condition cannot be a bare true/false")
    raise ExprError(
        "条件は比較・exists・missing・真偽の項目でなければなりません",
        "a condition must be a comparison, exists, missing or a yes/no field",
    )


@dataclass(frozen=True)
class Truthy:
    """A bare reference used as a condition; ``positive`` false means it was negated."""

    ref: Ref
    positive: bool


def mirror(op: str) -> str:
    return _MIRROR[op]


# ---------------------------------------------------------------------------
# Walking


def children(node: Any) -> tuple[Any, ...]:
    """The sub-expressions of a node, in reading order."""
    if isinstance(node, (BinOp, Compare)):
        return (node.left, node.right)
    if isinstance(node, (Neg, Not)):
        return (node.operand,)
    if isinstance(node, Call):
        return node.args
    if isinstance(node, In):
        return (node.ref, *node.values)
    if isinstance(node, (Contains, Exists, Missing, Truthy)):
        return (node.ref,)
    if isinstance(node, (And, Or)):
        return node.items
    return ()


def walk(node: Any):
    """Every node of a tree, depth first, in reading order."""
    yield node
    for child in children(node):
        yield from walk(child)


def refs(node: Any) -> list[Ref]:
    """Every reference in a tree, in reading order (duplicates kept once)."""
    out: list[Ref] = []
    for n in walk(node):
        if isinstance(n, Ref) and n not in out:
            out.append(n)
    return out


def numbers(node: Any) -> list[Num]:
    return [n for n in walk(node) if isinstance(n, Num)]


def calls(node: Any) -> list[Call]:
    return [n for n in walk(node) if isinstance(n, Call)]


# ---------------------------------------------------------------------------
# Evaluation


class EvalError(Exception):
    def __init__(self, ja: str, en: str):
        self.ja, self.en = ja, en
        super().__init__(en)


MISSING = values.MISSING  # a value the case does not give


# Fractions of the ints and Decimals facts hold: the same few amounts and parameters are read
# by rule after rule, and building a Fraction costs more than the comparison it serves.
# Fractions are immutable, so one object may serve every reader; bounded, since amounts vary by case.
_exact_ints: dict[int, Fraction] = {}
_exact_decimals: dict[Decimal, Fraction] = {}
_EXACT_CACHE_SIZE = 4096


def _kept_fraction(kept: dict[Any, Fraction], value: int | Decimal) -> Fraction:
    if len(kept) >= _EXACT_CACHE_SIZE:
        kept.clear()
    exact = kept[value] = Fraction(value)
    return exact


def to_exact(value: Any) -> Any:
    """Bring a fact value into the evaluator's domain: numbers become Fractions."""
    kind = type(value)
    if kind is int:
        exact = _exact_ints.get(value)
        return _kept_fraction(_exact_ints, value) if exact is None else exact
    if kind is str or kind is bool or value is None:
        return value
    if kind is Decimal and value.is_finite():  # a NaN cannot be a key; Fraction() refuses it below
        exact = _exact_decimals.get(value)
        return _kept_fraction(_exact_decimals, value) if exact is None else exact
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, Decimal):
        return Fraction(value)
    if isinstance(value, float):
        return Fraction(Decimal(repr(value)))
    return value


Resolver = Callable[[Ref], Any]  # returns a value, or MISSING


def evaluate(node: Any, resolve: Resolver) -> Any:
    """Evaluate an expression (not a condition) to a value; MISSING propagates."""
    # by exact class, the commonest first: the nodes are a closed set of final classes
    kind = type(node)
    if kind is Ref:
        return resolve(node)
    if kind is Num or kind is Str or kind is Bool:
        return node.value
    if kind is BinOp:
        left = evaluate(node.left, resolve)
        right = evaluate(node.right, resolve)
        if left is MISSING or right is MISSING:
            return MISSING
        op = node.op
        a = left if type(left) is Fraction else operand(left, op)
        b = right if type(right) is Fraction else operand(right, op)
        if op == "+":
            return a + b
        if op == "-":
            return a - b
        if op == "*":
            return a * b
        if b == 0:
            raise EvalError("0 で割ろうとしました", "division by zero")
        return a / b
    if kind is Neg:
        v = evaluate(node.operand, resolve)
        return v if v is MISSING else -operand(v, "-")
    if kind is Call:
        args = [evaluate(a, resolve) for a in node.args]
        if node.func in TOLERATES_MISSING:
            args = [None if a is MISSING else a for a in args]
        elif any(a is MISSING for a in args):
            return MISSING
        impl = FUNCTIONS[node.func][2]
        try:
            return impl(*args)
        except EvalError:
            raise
        except (TypeError, ValueError, OverflowError) as exc:
            raise EvalError(f"{node.func}() を計算できません: {exc}", f"cannot compute {node.func}(): {exc}") from exc
    raise EvalError("ここには値を書いてください", f"not a value expression: {type(node).__name__}")


def operand(v: Any, op: str) -> Fraction:
    """A value as an arithmetic operator takes it: a number (a Fraction); a boolean or a text is refused."""
    if isinstance(v, bool) or not isinstance(v, Fraction):
        raise EvalError(f"{op} は数値どうしでしか計算できません（{v!r}）", f"{op} needs numbers, got {v!r}")
    return v


# The comparison each operator names; engine.conditions chooses from the same table
OPERATORS = {"==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}


def compare(op: str, a: Any, b: Any) -> bool:
    if a is MISSING or b is MISSING or a is None or b is None:
        return False
    try:
        return OPERATORS.get(op, operator.ge)(a, b)
    except TypeError as exc:
        raise EvalError(f"比較できない値です: {a!r} {op} {b!r}", f"cannot compare {a!r} {op} {b!r}") from exc

