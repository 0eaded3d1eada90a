"""Rule conditions compiled into Python closures, for checking many bindings fast.

The reference evaluator (``knowledge.evaluate``) walks a condition tree and
writes down every value it sees: what the trace and the explanations need.
Checking whether a firing's conditions hold, and the cross-check's many
re-evaluations after each case, need only the answer. Each condition tree is
turned once, when the engine is built, into nested closures that read the
bound facts directly: the same comparisons on the same exact values
(``to_exact``), without the walk and without the bookkeeping.

The two must never disagree: tests/test_conditions.py runs both over every
rule of the rule base on the facts of generated cases. One deliberate
difference: ``and``/``or`` stop at the first deciding item here, while the
reference evaluates every item so the trace can show every value.
"""

from __future__ import annotations

from typing import Any, Callable

from knowledge import expr as E
from knowledge.model import FactTest, FieldTest, slot_key

Getter = Callable[[dict, dict], Any]  # (binding, by_slot) -> value
Test = Callable[[dict, dict], bool]

MISSING = E.MISSING
_to_exact = E.to_exact


def _field_getter(ref: E.Ref) -> Getter:
    key = slot_key(ref.scope, ref.name)
    fld = "value" if ref.scope in ("figure", "finding") else ref.name
    if fld is None:
        return lambda binding, by_slot: True if key in binding else MISSING

    def get(binding: dict, by_slot: dict) -> Any:
        rec = binding.get(key)
        if rec is None:
            return MISSING
        value = rec.fields.get(fld)
        return MISSING if value is None else _to_exact(value)

    return get


def _value(node: Any) -> Getter:
    """An expression as a getter; anything but a plain reference or literal defers to the reference evaluator."""
    if isinstance(node, (E.Num, E.Str, E.Bool)):
        constant = node.value
        return lambda binding, by_slot: constant
    if isinstance(node, E.Ref):
        return _field_getter(node)
    getters = {ref: _field_getter(ref) for ref in E.refs(node)}

    def computed(binding: dict, by_slot: dict) -> Any:
        return E.evaluate(node, lambda ref: getters[ref](binding, by_slot))

    return computed


def compile_test(node: Any) -> Test:
    """A condition tree (And/Or of Compare, In, Contains, FieldTest, FactTest) as one closure."""
    if isinstance(node, E.And):
        items = tuple(compile_test(i) for i in node.items)
        return lambda b, s: all(t(b, s) for t in items)
    if isinstance(node, E.Or):
        items = tuple(compile_test(i) for i in node.items)
        return lambda b, s: any(t(b, s) for t in items)
    if isinstance(node, E.Compare):
        left, right, op, compare = _value(node.left), _value(node.right), node.op, E.compare
        return lambda b, s: compare(op, left(b, s), right(b, s))
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


def compile_conditions(trees: list[Any]) -> Test:
    """All of a rule's conditions as one closure: true when every one holds."""
    tests = tuple(compile_test(t) for t in trees)
    if len(tests) == 1:
        return tests[0]
    return lambda b, s: all(t(b, s) for t in tests)
