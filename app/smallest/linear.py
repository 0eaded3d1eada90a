"""The linear way: a path's conditions solved back through the figure formulas of a case's trace.

The conditions of the rules that could list the path (and of the rules
concluding the findings and figures those read) are rewritten as ``a·x + b``
in one lever ``x``, following the formula each figure was concluded with in
this case's trace; the integer where such a condition flips is a candidate.
Rounding (``floor``) and the argument in force of a ``min``/``max`` are
passed through and flagged: the candidate is then an estimate that assessing
settles (see ``app.smallest``).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from app.result import Result
from app.smallest.levers import Lever
from knowledge import expr as E
from knowledge.model import RuleBase
from knowledge.parser import parse


class NotLinear(Exception):
    pass


@dataclass(frozen=True)
class Affine:
    a: Fraction  # coefficient of the lever
    b: Fraction

    def at(self, x: int) -> Fraction:
        return self.a * x + self.b


class Chain:
    """The formulas of one Result's trace, as affine functions of one lever where they are."""

    def __init__(self, rule_base: RuleBase, result: Result, lever: Lever):
        self.rb, self.result, self.lever = rule_base, result, lever
        self.x0 = lever.num(lever.current)
        self.inputs: dict[str, dict[str, Any]] = {}
        several: set[str] = set()
        for f in result.facts:
            if f.type in self.inputs:
                several.add(f.type)
            self.inputs[f.type] = f.fields
        for kind in several:  # several facts of one type (other debts): a reference to them is not one value
            self.inputs[kind] = {}
        self.derived = {(d.kind, d.name): d for d in result.derived}
        self.firings = {f.index: f.rule for f in result.trace}
        self._memo: dict[str, Affine] = {}
        self.rounded = False  # a floor or ceil was passed through: the candidate is settled by assessing

    def symbol_offset(self, text: str) -> Fraction | None:
        if text not in self.lever.symbols:
            return None
        if self.lever.id.startswith("other_debts["):  # a total moves one for one with the one balance
            scope, name = text.split(".")
            total = self.inputs.get(scope, {}).get(name)
            return None if total is None else Fraction(total) - self.x0
        return Fraction(0)

    def ref(self, ref: E.Ref) -> Affine:
        offset = self.symbol_offset(ref.text)
        if offset is not None:
            return Affine(Fraction(1), offset)
        if ref.scope == "params":
            p = self.result.parameters.get(ref.name or "")
            if p is None:
                raise NotLinear(ref.text)
            return Affine(Fraction(0), _number(p.value))
        if ref.scope in ("figure", "finding"):
            if ref.text in self._memo:
                return self._memo[ref.text]
            expression = self.formula(ref)
            if not self.depends(ref.text):  # a figure the lever does not reach is a number here (a date, say)
                fact = self.derived.get((ref.scope, ref.name))
                value = Affine(Fraction(0), _number(fact.value if fact is not None else None))
            else:
                value = self.node(expression)
            self._memo[ref.text] = value
            return value
        fields = self.inputs.get(ref.scope)
        if fields is None or ref.name not in fields or fields[ref.name] is None:
            raise NotLinear(ref.text)
        return Affine(Fraction(0), _number(fields[ref.name]))

    def formula(self, ref: E.Ref) -> Any:
        """The expression this case's trace concluded a figure or finding with."""
        fact = self.derived.get((ref.scope, ref.name))
        if fact is None or not fact.firings:
            raise NotLinear(ref.text)
        rule = self.rb.rule(self.firings[fact.firings[0]])
        for spec, expression in rule.conclusions:
            if getattr(spec, ref.scope, None) == ref.name and expression is not None:
                return expression
        raise NotLinear(ref.text)

    def depends(self, text: str, seen: set[str] | None = None) -> bool:
        """Whether a figure or finding moves with the lever, through the formulas of this trace."""
        if text in self.lever.symbols:
            return True
        seen = set() if seen is None else seen
        if text in seen:
            return False
        seen.add(text)
        scope, _, name = text.partition(".")
        if scope not in ("figure", "finding"):
            return False
        try:
            expression = self.formula(E.Ref(scope, name))
        except NotLinear:
            return True  # unknown: treat as moving, so it is never taken for a constant
        return any(self.depends(r.text, seen) for r in E.refs(expression))

    def node(self, n: Any) -> Affine:
        if isinstance(n, E.Num):
            return Affine(Fraction(0), n.value)
        if isinstance(n, E.Ref):
            return self.ref(n)
        if isinstance(n, E.Neg):
            v = self.node(n.operand)
            return Affine(-v.a, -v.b)
        if isinstance(n, E.BinOp):
            left, right = self.node(n.left), self.node(n.right)
            if n.op == "+":
                return Affine(left.a + right.a, left.b + right.b)
            if n.op == "-":
                return Affine(left.a - right.a, left.b - right.b)
            if n.op == "*":
                if left.a == 0:
                    return Affine(left.b * right.a, left.b * right.b)
                if right.a == 0:
                    return Affine(right.b * left.a, right.b * left.b)
                raise NotLinear("product of two terms that move")
            if n.op == "/":
                if right.a == 0 and right.b != 0:
                    return Affine(left.a / right.b, left.b / right.b)
                raise NotLinear("division by a term that moves")
        if isinstance(n, E.Call):
            if n.func in ("floor", "ceil") and len(n.args) == 1:
                inner = self.node(n.args[0])
                if inner.a != 0:
                    self.rounded = True
                    return inner
                return Affine(Fraction(0), Fraction(math.floor(inner.b) if n.func == "floor" else math.ceil(inner.b)))
            if n.func in ("min", "max"):
                # the argument in force on this case; a switch to another one is caught by assessing
                args = [self.node(a) for a in n.args]
                pick = (min if n.func == "min" else max)(args, key=lambda v: v.at(self.x0))
                if any(a.a != 0 for a in args):
                    self.rounded = True
                return pick
        raise NotLinear(type(n).__name__)


def _number(value: Any) -> Fraction:
    if isinstance(value, dt.date):
        return Fraction(value.toordinal())
    if isinstance(value, bool) or value is None:
        raise NotLinear("not a number")
    try:
        return Fraction(value)
    except (TypeError, ValueError):
        raise NotLinear("not a number") from None


def _compares(tree: Any) -> list[E.Compare]:
    if isinstance(tree, E.Compare):
        return [tree]
    if isinstance(tree, (E.And, E.Or)):
        return [c for item in tree.items for c in _compares(item)]
    return []


def _holds(op: str, value: Fraction) -> bool:
    return {"<": value < 0, "<=": value <= 0, ">": value > 0, ">=": value >= 0, "==": value == 0, "!=": value != 0}[op]


@dataclass(frozen=True)
class Threshold:
    """Where a condition of a rule flips, solved for the lever."""

    rule: str
    condition: str
    value: int  # the first integer (yen, or a date's ordinal) on the far side of the flip
    rounded: bool  # floors or a min/max were passed: an estimate that assessing settles


def rules_for(rule_base: RuleBase, path: str, depth: int = 3) -> list[str]:
    """The rules that could list a path and, down to ``depth``, the rules concluding the findings and figures they read."""
    out: list[str] = []
    wanted = {f"path.{path}"}
    for _ in range(depth):
        found = [r for r in rule_base.rules if r.produces() & wanted and r.id not in out]
        if not found:
            break
        out.extend(r.id for r in found)
        wanted = set()
        for r in found:
            for c in r.conditions:
                wanted.update(ref.text for ref in E.refs(parse(c.text)) if ref.scope in ("finding", "figure"))
    return out


def thresholds(rule_base: RuleBase, result: Result, lever: Lever, path: str) -> list[Threshold]:
    """Every flip point of a linear condition, on the lever, among the rules behind a path."""
    out: list[Threshold] = []
    x0 = lever.num(lever.current)
    for rule_id in rules_for(rule_base, path):
        rule = rule_base.rule(rule_id)
        for condition in rule.conditions:
            for cmp in _compares(condition.tree):
                chain = Chain(rule_base, result, lever)
                try:
                    g = chain.node(E.BinOp("-", cmp.left, cmp.right))
                except (NotLinear, KeyError, ZeroDivisionError):
                    continue
                if g.a == 0:
                    continue
                now = _holds(cmp.op, g.at(x0))
                root = -g.b / g.a
                best = None
                for x in (math.floor(root) - 1, math.floor(root), math.ceil(root), math.ceil(root) + 1):
                    if _holds(cmp.op, g.at(x)) != now and (best is None or abs(x - x0) < abs(best - x0)):
                        best = x
                if best is not None and best != x0:
                    out.append(Threshold(rule_id, condition.text, best, chain.rounded))
    return out
