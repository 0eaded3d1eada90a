"""Evaluating a rule's conditions the way durable-rules does, and writing down what was seen.

This is the reference for three purposes: the trace of a firing (each
condition with its values), the cross-check that durable-rules fired exactly
the rules whose conditions hold, and ``explain --why-not``. The first two run
compiled forms of the same normalised trees (engine.conditions), which
tests/test_conditions.py holds equal to this evaluator on every condition of
every rule; explanations use it directly. So an explanation can never disagree
with what the engine did without the engine failing loudly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from facts import display
from knowledge import expr as E
from knowledge.model import FactTest, FieldTest


@dataclass
class Seen:
    """What one condition saw: the values it read and its result.

    The condition written out with its values (``evaluated``) is made only
    when someone reads it: a firing records values, and most firings are
    never shown as text.
    """

    text: str
    result: bool
    values: dict[str, Any] = field(default_factory=dict)
    tree: Any = None  # the normalised condition, as evaluated

    @property
    def evaluated(self) -> str:
        return describe(self.tree, self.values, self.result)


_SHOW_OP = {"*": "×", "/": "÷", "+": "+", "-": "−"}


class Evaluator:
    """Evaluates condition trees against a resolver; records values as it goes."""

    __slots__ = ("_resolve", "_present", "values")  # one per condition of every firing

    def __init__(self, resolve: Callable[[E.Ref], Any], present: Callable[[E.Ref], bool]):
        self._resolve = resolve
        self._present = present
        self.values: dict[str, Any] = {}

    def ref(self, ref: E.Ref) -> Any:
        value = self._resolve(ref)
        self.values[ref.text] = value
        return value

    def value(self, node: Any) -> Any:
        # most sides are a plain reference or a literal: read them here, as E.evaluate would
        kind = type(node)
        if kind is E.Ref:
            value = self._resolve(node)
            self.values[node.text] = value
            return value
        if kind is E.Num:
            return node.value
        return E.evaluate(node, self.ref)

    def test(self, node: Any) -> bool:
        # by exact class, the commonest first: the condition nodes are a closed set of final classes
        kind = type(node)
        if kind is E.Compare:
            return E.compare(node.op, self.value(node.left), self.value(node.right))
        if kind is FieldTest:
            v = self.ref(node.ref)
            present = v is not E.MISSING and v is not None
            return present if node.present else not present
        if kind is FactTest:
            present = self._present(node.ref)
            self.values[node.ref.text] = present
            return present if node.present else not present
        if kind is E.And:
            results = [self.test(i) for i in node.items]  # evaluate all: the trace shows every value
            return all(results)
        if kind is E.Or:
            results = [self.test(i) for i in node.items]
            return any(results)
        if kind is E.In:
            v = self.value(node.ref)
            # every item read, so the values hold all the condition shows (``describe``)
            items = [E.evaluate(x, self.ref) for x in node.values]
            if v is E.MISSING or v is None:
                return False
            hit = v in items
            return not hit if node.negated else hit
        if kind is E.Contains:
            v = self.value(node.ref)
            return isinstance(v, str) and node.needle in v
        raise AssertionError(f"unexpected condition node {node!r}")

    # -- display -----------------------------------------------------------

    def show(self, node: Any) -> str:
        if isinstance(node, E.And):
            return " and ".join(self._paren(i) for i in node.items)
        if isinstance(node, E.Or):
            return " or ".join(self._paren(i) for i in node.items)
        if isinstance(node, E.Compare):
            return f"{self._side(node.left)} {node.op} {self._side(node.right)}"
        if isinstance(node, E.In):
            items = ", ".join(display.neutral(E.evaluate(x, self.ref)) for x in node.values)
            word = "not in" if node.negated else "in"
            return f"{self._side(node.ref)} {word} [{items}]"
        if isinstance(node, E.Contains):
            return f'{self._side(node.ref)} contains "{node.needle}"'
        if isinstance(node, FieldTest):
            word = "exists" if node.present else "missing"
            value = self.values.get(node.ref.text, E.MISSING)
            shown = display.neutral(value) if value is not E.MISSING and value is not None else "なし/none"
            return f"{word} {node.ref.text} ({shown})"
        if isinstance(node, FactTest):
            word = "exists" if node.present else "missing"
            seen = self.values.get(node.ref.text)
            state = "あり/present" if seen else "なし/absent"
            return f"{word} {node.ref.text} ({state})"
        return "?"

    def _paren(self, node: Any) -> str:
        text = self.show(node)
        return f"({text})" if isinstance(node, (E.And, E.Or)) else text

    def _side(self, node: Any) -> str:
        if isinstance(node, E.Ref):
            return f"{node.text} {display.neutral(self.values.get(node.text, E.MISSING))}"
        if isinstance(node, (E.Num, E.Str, E.Bool)):
            return display.neutral(E.evaluate(node, self.ref))
        try:
            result = display.neutral(E.evaluate(node, self.ref))
        except E.EvalError:
            result = "?"
        return f"{self._expr(node)} = {result}"

    def _expr(self, node: Any) -> str:
        if isinstance(node, E.Ref):
            return f"{node.text} {display.neutral(self.values.get(node.text, E.MISSING))}"
        if isinstance(node, E.Num):
            return display.neutral(node.value)
        if isinstance(node, E.Neg):
            return f"−{self._expr(node.operand)}"
        if isinstance(node, E.BinOp):
            left, right = self._expr(node.left), self._expr(node.right)
            if isinstance(node.left, E.BinOp) and node.op in "*/" and node.left.op in "+-":
                left = f"({left})"
            if isinstance(node.right, E.BinOp):
                right = f"({right})"
            return f"{left} {_SHOW_OP[node.op]} {right}"
        return display.neutral(E.evaluate(node, self.ref))


def see(text: str, tree: Any, resolve: Callable[[E.Ref], Any], present: Callable[[E.Ref], bool]) -> Seen:
    ev = Evaluator(resolve, present)
    result = ev.test(tree)
    return Seen(text=text, result=result, values=ev.values, tree=tree)


def describe(tree: Any, values: dict[str, Any], result: bool) -> str:
    """A condition written out with the values it saw ("language-neutral": "あり/present"), and ✓ or ✗.

    Everything it shows is in ``values``: the evaluation read every
    reference of the condition (``and``/``or`` evaluate all their items).
    """
    ev = Evaluator(lambda ref: values.get(ref.text, E.MISSING), lambda ref: bool(values.get(ref.text)))
    ev.values = dict(values)
    return f"{ev.show(tree)} {'✓' if result else '✗'}"


def holds(trees: list[Any], resolve: Callable[[E.Ref], Any], present: Callable[[E.Ref], bool]) -> bool:
    """Whether all conditions hold, without writing anything down (for the audit's many checks)."""
    ev = Evaluator(resolve, present)
    return all(ev.test(tree) for tree in trees)
