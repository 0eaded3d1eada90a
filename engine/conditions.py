"""Rule conditions and conclusions compiled into Python closures, so the engine's hot paths need not walk trees.

The reference evaluator (``knowledge.evaluate``) walks a condition tree and
writes down every value it sees; the explanations use it. Three compiled
forms do the engine's work with the same comparisons on the same exact
values (``to_exact``), reading the bound facts directly; each is built once,
at its rule's first use:

- ``compile_conditions``/``compile_test``: only whether the conditions hold,
  for the cross-check's many re-evaluations after each case;
- ``compile_seeing``: a firing's result with every value it read, for the trace;
- ``compile_expression``: a conclusion's value (and a computed side of a condition).

They must never disagree with the reference: tests/test_conditions.py runs
each against it over every rule of the rule base on the facts of generated
cases. One deliberate difference: ``compile_test``'s ``and``/``or`` stop at
the first deciding item, while the reference and ``compile_seeing`` evaluate
every item so the trace can show every value.
"""

from __future__ import annotations

import operator
from fractions import Fraction
from typing import Any, Callable

from engine.memory import place
from knowledge import expr as E
from knowledge.model import FactTest, FieldTest, slot_key

Getter = Callable[[dict, dict], Any]  # (binding, by_slot) -> value
Test = Callable[[dict, dict], bool]

MISSING = E.MISSING
_to_exact = E.to_exact


def _field_getter(ref: E.Ref, compared: bool = False) -> Getter:
    """A reference's value as the evaluator sees it (``to_exact``).

    ``compared``: the value only meets a comparison, never arithmetic, so an
    int may stay an int. Python compares an int with an int or a Fraction
    exactly, so the answer is the same, without building a Fraction for
    every value the cross-check reads.
    """
    key, fld = place(ref)
    if fld is None:
        return lambda binding, by_slot: True if key in binding else MISSING

    def get(binding: dict, by_slot: dict) -> Any:
        rec = binding.get(key)
        if rec is None:
            return MISSING
        value = rec.fields.get(fld)
        if value is None:
            return MISSING
        if compared and type(value) is int:
            return value
        return _to_exact(value)

    return get


def _value(node: Any) -> Getter:
    """A side of a condition as a getter; anything but a plain reference is a value expression (``compile_expression``)."""
    if isinstance(node, E.Ref):
        return _field_getter(node, compared=True)
    return compile_expression(node)


def compile_test(node: Any) -> Test:
    """A condition tree (And/Or of Compare, In, Contains, FieldTest, FactTest) as one closure."""
    if isinstance(node, E.And):
        return _all_of(tuple(compile_test(i) for i in node.items))
    if isinstance(node, E.Or):
        items = tuple(compile_test(i) for i in node.items)

        def any_of(b: dict, s: dict) -> bool:
            for t in items:
                if t(b, s):
                    return True
            return False

        return any_of
    if isinstance(node, E.Compare):
        return _compare(node.op, _value(node.left), _value(node.right))
    if isinstance(node, E.In):
        subject = _value(node.ref)
        options = tuple(_value(x) for x in node.values)
        negated = node.negated

        def within(b: dict, s: dict) -> bool:
            v = subject(b, s)
            if v is MISSING or v is None:
                return False
            hit = any(v == o(b, s) for o in options)
            return not hit if negated else hit

        return within
    if isinstance(node, E.Contains):
        subject, needle = _value(node.ref), node.needle

        def contains(b: dict, s: dict) -> bool:
            v = subject(b, s)
            return isinstance(v, str) and needle in v

        return contains
    if isinstance(node, FieldTest):
        get, want = _field_getter(node.ref), node.present

        def field_test(b: dict, s: dict) -> bool:
            v = get(b, s)
            return (v is not MISSING and v is not None) == want

        return field_test
    if isinstance(node, FactTest):
        key, want = slot_key(node.ref.scope, node.ref.name), node.present
        return lambda b, s: (key in b or bool(s.get(key))) == want
    raise AssertionError(f"unexpected condition node {node!r}")


def _all_of(tests: tuple[Test, ...]) -> Test:
    if len(tests) == 1:
        return tests[0]

    def all_of(b: dict, s: dict) -> bool:
        for t in tests:
            if not t(b, s):
                return False
        return True

    return all_of


def _compare(op: str, left: Getter, right: Getter) -> Test:
    """``E.compare`` with its operator chosen once, not on every binding."""
    fn = E.OPERATORS[op]

    def compare(b: dict, s: dict) -> bool:
        return _compared(op, fn, left(b, s), right(b, s))  # both sides, always: one may raise as the reference's would

    return compare


def _compared(op: str, fn: Callable[[Any, Any], bool], x: Any, y: Any) -> bool:
    """``E.compare`` with its operator already chosen."""
    if x is MISSING or y is MISSING or x is None or y is None:
        return False
    try:
        return fn(x, y)
    except TypeError:
        return E.compare(op, x, y)  # raises the evaluator's own EvalError


def compile_conditions(trees: list[Any]) -> Test:
    """All of a rule's conditions as one closure: true when every one holds."""
    return _all_of(tuple(compile_test(t) for t in trees))


# -- seeing: the result with the values, as the trace records them ------------------------------

Seer = Callable[[dict, dict, dict], bool]  # (binding, by_slot, values written into) -> result


def compile_seeing(node: Any) -> Seer:
    """A condition tree as one closure that returns its result and writes the values it read.

    What ``knowledge.evaluate.see`` does for a firing's trace, without walking
    the tree: every item of an ``and``/``or`` evaluated, each reference's value
    written under its text in the order the reference evaluator reads them, the
    same values (``to_exact``) and the same errors. tests/test_conditions.py
    holds the two equal on every condition of every rule.
    """
    kind = type(node)
    if kind is E.Compare:
        return _seen_compare(node.op, _seen_value(node.left), _seen_value(node.right))
    if kind is FieldTest:
        get, want = _seen_ref(node.ref), node.present

        def field_test(b: dict, s: dict, seen: dict) -> bool:
            v = get(b, s, seen)
            present = v is not MISSING and v is not None
            return present if want else not present

        return field_test
    if kind is FactTest:
        key, text, want = slot_key(node.ref.scope, node.ref.name), node.ref.text, node.present

        def fact_test(b: dict, s: dict, seen: dict) -> bool:
            present = key in b or bool(s.get(key))
            seen[text] = present
            return present if want else not present

        return fact_test
    if kind is E.And or kind is E.Or:
        items = tuple(compile_seeing(i) for i in node.items)
        combine = all if kind is E.And else any

        def each(b: dict, s: dict, seen: dict) -> bool:
            return combine([t(b, s, seen) for t in items])  # every item: the trace shows every value

        return each
    if kind is E.In:
        subject = _seen_value(node.ref)
        options = tuple(_seen_value(x) for x in node.values)  # as E.evaluate reads each item
        negated = node.negated

        def within(b: dict, s: dict, seen: dict) -> bool:
            v = subject(b, s, seen)
            items = [o(b, s, seen) for o in options]  # every item read, as the reference does
            if v is MISSING or v is None:
                return False
            hit = v in items
            return not hit if negated else hit

        return within
    if kind is E.Contains:
        subject, needle = _seen_value(node.ref), node.needle

        def contains(b: dict, s: dict, seen: dict) -> bool:
            v = subject(b, s, seen)
            return isinstance(v, str) and needle in v

        return contains
    raise AssertionError(f"unexpected condition node {node!r}")


def _seen_compare(op: str, left: Callable, right: Callable) -> Seer:
    fn = E.OPERATORS[op]

    def compare(b: dict, s: dict, seen: dict) -> bool:
        return _compared(op, fn, left(b, s, seen), right(b, s, seen))

    return compare


def _seen_value(node: Any) -> Callable[[dict, dict, dict], Any]:
    """A side of a condition, read and written down as ``Evaluator.value`` does; anything but a
    reference or a literal is evaluated by the reference evaluator, each reference it reads written down."""
    kind = type(node)
    if kind is E.Ref:
        return _seen_ref(node)
    if kind is E.Num or kind is E.Str or kind is E.Bool:
        constant = node.value
        return lambda b, s, seen: constant
    getters = {ref: _seen_ref(ref) for ref in E.refs(node)}

    def computed(b: dict, s: dict, seen: dict) -> Any:
        return E.evaluate(node, lambda ref: getters[ref](b, s, seen))

    return computed


def _seen_ref(ref: E.Ref) -> Callable[[dict, dict, dict], Any]:
    """A reference's value as ``engine.memory.resolver`` gives it, written under the reference's text."""
    key, fld = place(ref)
    text = ref.text
    if fld is None:

        def whole(b: dict, s: dict, seen: dict) -> Any:
            v = seen[text] = True if key in b else MISSING
            return v

        return whole

    def get(b: dict, s: dict, seen: dict) -> Any:
        rec = b.get(key)
        if rec is None:
            v = MISSING
        else:
            v = rec.fields.get(fld)
            v = MISSING if v is None else _to_exact(v)
        seen[text] = v
        return v

    return get


# -- values: a conclusion's expression ----------------------------------------------------------


def compile_expression(node: Any) -> Getter:
    """A value expression (a conclusion's ``value``) as one closure over the bound facts.

    ``E.evaluate`` with the firing's resolver, without the walk: the same
    exact values (``to_exact``), MISSING propagated the same way, the same
    errors. tests/test_conditions.py holds the two equal on every conclusion
    of every rule.
    """
    kind = type(node)
    if kind is E.Ref:
        return _field_getter(node)
    if kind is E.Num or kind is E.Str or kind is E.Bool:
        constant = node.value
        return lambda b, s: constant
    if kind is E.BinOp:
        return _binop(node.op, compile_expression(node.left), compile_expression(node.right))
    if kind is E.Neg:
        operand = compile_expression(node.operand)

        def negative(b: dict, s: dict) -> Any:
            v = operand(b, s)
            return v if v is MISSING else -E.operand(v, "-")

        return negative
    if kind is E.Call:
        args = tuple(compile_expression(a) for a in node.args)
        func, tolerant, impl = node.func, node.func in E.TOLERATES_MISSING, E.FUNCTIONS[node.func][2]

        def call(b: dict, s: dict) -> Any:
            values = [a(b, s) for a in args]
            if tolerant:
                values = [None if v is MISSING else v for v in values]
            elif any(v is MISSING for v in values):
                return MISSING
            try:
                return impl(*values)
            except E.EvalError:
                raise
            except (TypeError, ValueError, OverflowError) as exc:
                raise E.EvalError(f"{func}() を計算できません: {exc}", f"cannot compute {func}(): {exc}") from exc

        return call
    return lambda b, s: E.evaluate(node, lambda ref: MISSING)  # raises the evaluator's own error for anything else


def _binop(op: str, left: Getter, right: Getter) -> Getter:
    number = E.operand
    if op == "/":

        def divide(b: dict, s: dict) -> Any:
            x, y = left(b, s), right(b, s)
            if x is MISSING or y is MISSING:
                return MISSING
            x = x if type(x) is Fraction else number(x, op)
            y = y if type(y) is Fraction else number(y, op)
            if y == 0:
                raise E.EvalError("0 で割ろうとしました", "division by zero")
            return x / y

        return divide
    fn = {"+": operator.add, "-": operator.sub, "*": operator.mul}[op]

    def arithmetic(b: dict, s: dict) -> Any:
        x, y = left(b, s), right(b, s)
        if x is MISSING or y is MISSING:
            return MISSING
        return fn(x if type(x) is Fraction else number(x, op), y if type(y) is Fraction else number(y, op))

    return arithmetic


def read_slots(node: Any) -> set[str]:
    """The slots whose facts a condition reads a value from (a test of a whole fact's presence reads none)."""
    if isinstance(node, (E.And, E.Or)):
        return set().union(*(read_slots(i) for i in node.items))
    if isinstance(node, FactTest):
        return set()
    if isinstance(node, FieldTest):
        return {slot_key(node.ref.scope, node.ref.name)}
    return {slot_key(ref.scope, ref.name) for ref in E.refs(node)}
