"""Compiling checked rules into durable-rules' JSON ruleset form.

Each rule becomes one durable-rules rule whose ``all`` list joins the facts
the rule reads. durable-rules has a narrow notion of a condition (see
engine-notes.md), so the compiler arranges every comparison to fit it:

- the left side must be one field of the fact being matched; arithmetic may
  appear only on the right and may read facts matched *earlier* in the join
  (or the same fact, through ``$m``). A comparison written the other way round
  is mirrored; the join order is chosen so every right side's facts come first;
- an ``or`` must stay within one fact;
- every pattern is anchored by a positive type test (``t``), since a pattern
  of negative tests alone matches durable-rules' own state fact and loops;
- absence (``missing figure.x``, ``missing budget``) is only reliable as the
  tail of a join that a *phase* fact completes: such rules get the phase of
  their stratum, then their ``none`` patterns last.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import cached_property
from fractions import Fraction
from typing import Any

from knowledge import expr as E
from facts.errors import Problem, RuleBaseError
from knowledge.model import FactTest, FieldTest, Rule, RuleBase, Slot, slot_key
from engine.conditions import Test, compile_conditions

CATCH_ALL = "r_case"  # always fires on the case fact: a sid that never ran an action segfaults on delete

_INPUT_ORDER = ["case", "debtor", "budget", "property", "sale", "mortgage", "other_debt", "guarantor", "assets", "params"]
_OPS = {"<": "$lt", "<=": "$lte", ">": "$gt", ">=": "$gte", "!=": "$neq"}
_ARITH = {"+": "$add", "-": "$sub", "*": "$mul", "/": "$div"}


@dataclass
class CompiledRule:
    rule: Rule
    name: str  # the durable-rules rule name (r0, r1 …)
    order: list[Slot]  # positive slots in join order
    definition: dict[str, Any]

    @cached_property
    def slot_keys(self) -> tuple[str, ...]:
        return tuple(slot.key for slot in self.order)

    @cached_property
    def slot_set(self) -> frozenset[str]:
        return frozenset(self.slot_keys)

    @cached_property
    def monotone(self) -> bool:
        """Whether the rule's conditions, once true, stay true as facts are added: no test of a fact's absence.

        Facts are never changed or withdrawn, so only ``missing <fact>`` can turn
        false later; a field test reads the bound fact, which does not change.
        """
        return not any(_tests_absence(c.tree) for c in self.rule.conditions)

    @cached_property
    def holds(self) -> Test:
        """All the rule's conditions as one Python closure (engine.conditions), for the cross-check.

        Built when first needed: a rule whose facts never occur is never checked,
        and building every closure up front cost a cold start more than its case.
        """
        return compile_conditions([c.tree for c in self.rule.conditions])


def _tests_absence(node: Any) -> bool:
    if isinstance(node, (E.And, E.Or)):
        return any(_tests_absence(i) for i in node.items)
    return isinstance(node, FactTest) and not node.present


def _compile_error(rule: Rule, ja: str, en: str) -> RuleBaseError:
    return RuleBaseError([Problem(f"{rule.file}: {rule.id}", ja, en)])


def _slot_of(rule: Rule, ref: E.Ref) -> Slot:
    return rule.slots[slot_key(ref.scope, ref.name)]


def _field_of(ref: E.Ref) -> str:
    return "value" if ref.scope in ("figure", "finding") else ref.name  # type: ignore[return-value]


def encode_number(value: Fraction) -> int | float:
    if value.denominator == 1:
        return int(value)
    return float(value)


class _Option:
    """One way to attach a test to a slot: the slot, its JSON builder, the slots it needs first,
    and the references durable-rules reads as operands (from a fact already matched, or the same one)."""

    def __init__(self, slot: Slot, build: Any, deps: set[str], reads: tuple[E.Ref, ...] = ()):
        self.slot, self.build, self.deps, self.reads = slot, build, deps, reads


def _rhs(rule: Rule, node: Any, home: Slot) -> Any:
    if isinstance(node, E.Num):
        return encode_number(node.value)
    if isinstance(node, (E.Str, E.Bool)):
        return node.value
    if isinstance(node, E.Ref):
        slot = _slot_of(rule, node)
        if slot.key == home.key:
            return {"$m": _field_of(node)}
        return {slot.alias: _field_of(node)}
    if isinstance(node, (E.Neg, E.BinOp)) and not E.refs(node):
        # durable-rules silently never matches arithmetic between two literals
        # (`x > 1 + 1` did not fire while the cross-check saw it hold), so a
        # constant is folded to its exact value here, where the rule compiles.
        try:
            return encode_number(E.to_exact(E.evaluate(node, _no_refs)))
        except E.EvalError as error:  # e.g. 1 / 0: the rule can never be evaluated
            raise _compile_error(rule, error.ja, error.en) from None
    if isinstance(node, E.Neg):
        return {"$sub": {"$l": 0, "$r": _rhs(rule, node.operand, home)}}
    if isinstance(node, E.BinOp):
        return {_ARITH[node.op]: {"$l": _rhs(rule, node.left, home), "$r": _rhs(rule, node.right, home)}}
    raise AssertionError(f"not a value: {node!r}")


def _no_refs(ref: Any) -> Any:
    raise AssertionError(f"a constant has no references: {ref!r}")


def _escape_pattern(text: str) -> str:
    # durable-rules' match dialect escapes with % (like Lua), not backslash
    return "".join("%" + ch if ch in ".+*?()|[]{}%^$-" else ch for ch in text)


def _compare_json(field: str, op: str, rhs: Any) -> dict:
    if op == "==":
        return {field: rhs}
    return {_OPS[op]: {field: rhs}}


def _options(rule: Rule, atom: Any) -> list[_Option]:
    if isinstance(atom, FieldTest):
        slot = _slot_of(rule, atom.ref)
        key = "$ex" if atom.present else "$nex"
        return [_Option(slot, lambda s, f=_field_of(atom.ref), k=key: {k: {f: 1}}, set())]
    if isinstance(atom, E.Contains):
        slot = _slot_of(rule, atom.ref)
        pattern = ".*" + _escape_pattern(atom.needle) + ".*"
        return [_Option(slot, lambda s, f=_field_of(atom.ref), p=pattern: {"$mt": {f: p}}, set())]
    if isinstance(atom, E.In):
        slot = _slot_of(rule, atom.ref)
        field = _field_of(atom.ref)
        values = [_rhs(rule, v, slot) for v in atom.values]
        if atom.negated:
            build = lambda s, f=field, vs=values: {"$and": [{"$neq": {f: v}} for v in vs]}  # noqa: E731
        else:
            build = lambda s, f=field, vs=values: {"$or": [{f: v} for v in vs]}  # noqa: E731
        return [_Option(slot, build, set(), tuple(r for v in atom.values for r in E.refs(v)))]
    if isinstance(atom, E.Compare):
        out = []
        for lhs, op, rhs in ((atom.left, atom.op, atom.right), (atom.right, E.mirror(atom.op), atom.left)):
            if not isinstance(lhs, E.Ref):
                continue
            slot = _slot_of(rule, lhs)
            deps = {_slot_of(rule, r).key for r in E.refs(rhs)} - {slot.key}
            out.append(
                _Option(
                    slot,
                    lambda s, f=_field_of(lhs), o=op, r=rhs: _compare_json(f, o, _rhs(rule, r, s)),
                    deps,
                    tuple(E.refs(rhs)),
                )
            )
        return out
    raise AssertionError(f"not an atom: {atom!r}")


def _groups(rule: Rule) -> list[Any]:
    """Flatten the conditions into AND-ed groups: a single atom, or an Or of atoms."""
    groups: list[Any] = []

    def walk(node: Any) -> None:
        if isinstance(node, E.And):
            for item in node.items:
                walk(item)
        elif isinstance(node, FactTest):
            return  # presence is the slot itself; absence becomes a none() pattern
        else:
            groups.append(node)

    for cond in rule.conditions:
        walk(cond.tree)
    return groups


def _group_options(rule: Rule, group: Any) -> list[tuple[Slot, Any, set[str], tuple[E.Ref, ...]]]:
    """Ways to attach one AND-ed group: (slot, json builder, deps, operand references)."""
    if not isinstance(group, E.Or):
        return [(o.slot, o.build, o.deps, o.reads) for o in _options(rule, group)]
    atoms: list[Any] = []

    def flat(node: Any) -> None:
        if isinstance(node, (E.Or, E.And)):
            for i in node.items:
                flat(i)
        else:
            atoms.append(node)

    flat(group)
    if any(isinstance(a, FactTest) for a in atoms):
        raise _compile_error(
            rule,
            "or の中で事実の有無（exists/missing）は使えません。ルールを2つに分けてください",
            "an 'or' cannot test whether a whole fact exists: split it into two rules",
        )
    # every atom of the or must sit on the same slot
    per_atom = [_options(rule, a) for a in atoms]
    slots = set.intersection(*({o.slot.key for o in opts} for opts in per_atom))
    if not slots:
        raise _compile_error(
            rule,
            "or の両側は同じ事実の項目でなければなりません。ルールを2つに分けてください",
            "both sides of an 'or' must test the same fact: split it into two rules",
        )
    out = []
    for key in sorted(slots):
        chosen = [next(o for o in opts if o.slot.key == key) for opts in per_atom]
        deps = set().union(*(o.deps for o in chosen))

        def build(s: Slot, g: Any = group, r: Rule = rule) -> Any:
            return _or_json(r, g, s)

        out.append((chosen[0].slot, build, deps, tuple(r for o in chosen for r in o.reads)))
    return out


def _or_json(rule: Rule, node: Any, slot: Slot) -> Any:
    if isinstance(node, (E.Or, E.And)):
        key = "$or" if isinstance(node, E.Or) else "$and"
        return {key: [_or_json(rule, i, slot) for i in node.items]}
    opts = [o for o in _options(rule, node) if o.slot.key == slot.key]
    return opts[0].build(slot)


def _order(rule: Rule, slots: dict[str, Slot], deps: dict[str, set[str]]) -> list[Slot] | None:
    def rank(s: Slot) -> tuple:
        base = _INPUT_ORDER.index(s.type) if s.type in _INPUT_ORDER else len(_INPUT_ORDER)
        return (base, list(slots).index(s.key))

    remaining = dict(slots)
    out: list[Slot] = []
    while remaining:
        ready = [s for k, s in remaining.items() if not (deps.get(k, set()) & set(remaining))]
        if not ready:
            return None
        nxt = min(ready, key=rank)
        out.append(nxt)
        del remaining[nxt.key]
    return out


def _pattern(slot: Slot, tests: list[Any], joined: list[Any] | None = None) -> dict:
    """One fact's pattern, its tests laid out so durable-rules evaluates them correctly.

    durable-rules evaluates a pattern's comparisons with *earlier facts* in
    ``reduceExpressionSequence`` (events.c), and that function has two defects,
    each reproduced in tests/test_engine.py:

    - its short-circuit skip is off by one: when such a comparison is false and
      nothing follows it in the pattern, it reads past the end of its expression
      array (a segfault in most runs);
    - any ``$or``/``$and`` group in the pattern (even one of plain constant tests,
      which are matched elsewhere) ends the evaluation: comparisons written after
      it are never evaluated, so the rule fires although they are false.

    So the comparisons with earlier facts come right after the plain tests and
    before every group, and at least one group follows them; where the pattern has
    none, a group that is always true (the type test again) is added.
    """
    anchor: list[Any] = [{"t": slot.type}]
    if slot.name is not None:
        anchor.append({"name": slot.name})
    leaves = [t for t in tests if not _is_group(t)]
    groups = [t for t in tests if _is_group(t)]
    parts = anchor + leaves
    if joined:
        parts += list(joined) + (groups or [{"$or": [{"t": slot.type}]}])
    else:
        parts += groups
    return parts[0] if len(parts) == 1 else {"$and": parts}


def _guard_operands(rule: Rule, group: Any, reads: tuple[E.Ref, ...], local: dict[str, list[Any]]) -> None:
    """Make a comparison with a field a fact leaves out false, as the reference evaluator has it.

    durable-rules treats a missing field on the tested side as no match, but
    one it reads as an operand (``m.x >= c.y`` with no ``y`` on ``c``, or
    ``m.x >= m.y``) fails the whole assertion with error 311
    (ERR_PROPERTY_NOT_FOUND, reproduced in tests/test_engine.py). So the fact
    that holds such an operand is required to have it: an ``$ex`` test on its
    own pattern, equivalent because the group is AND-ed with the rest of the
    rule. Inside an ``or`` that requirement would be wrong (the other branch
    may hold), so such a rule is refused. Parameters are never guarded: every
    parameter a rule reads must be given, and ``Engine.run`` refuses a case
    whose parameters lack one.
    """
    for ref in reads:
        if ref.scope == "params":
            continue
        if isinstance(group, E.Or):
            raise _compile_error(
                rule,
                f"or の中で省略されうる項目 {ref.text} と比べることはできません（durable-rules の欠陥のため）。ルールを2つに分けてください",
                f"an 'or' cannot compare with {ref.text}, which a case may leave out (a durable-rules defect): "
                "split it into two rules",
            )
        test = {"$ex": {_field_of(ref): 1}}
        tests = local[_slot_of(rule, ref).key]
        if test not in tests:
            tests.append(test)


def _is_group(test: Any) -> bool:
    return isinstance(test, dict) and len(test) == 1 and next(iter(test)) in ("$or", "$and")


def _anchor(rule: Rule) -> None:
    """A rule that reads nothing positive (only absences, or nothing at all) is joined on the case fact."""
    if not rule.slots:
        rule.slots.setdefault("case", Slot("case", "case"))


def compile_rule(rule: Rule, name: str) -> CompiledRule:
    _anchor(rule)
    slots = dict(rule.slots)
    groups = _groups(rule)
    choices = [_group_options(rule, g) for g in groups]
    for combo in itertools.product(*choices) if choices else [()]:
        deps: dict[str, set[str]] = {}
        for slot, _, d, _ in combo:
            deps.setdefault(slot.key, set()).update(d)
        order = _order(rule, slots, deps)
        if order is not None:
            break
    else:
        raise _compile_error(
            rule,
            "条件の参照が循環していて、結合の順序を決められません",
            "the conditions refer to each other in a cycle: no join order satisfies them",
        )
    local: dict[str, list[Any]] = {s.key: [] for s in order}
    joined: dict[str, list[Any]] = {s.key: [] for s in order}
    for (slot, build, deps, reads), group in zip(combo, groups):
        if deps and isinstance(group, E.Or):
            raise _compile_error(
                rule,
                "他の事実を参照する or は使えません（durable-rules の評価の欠陥のため）。ルールを2つに分けてください",
                "an 'or' that compares with another fact cannot be compiled safely (a durable-rules defect): "
                "split it into two rules",
            )
        _guard_operands(rule, group, reads, local)
        (joined if deps else local)[slot.key].append(build(slot))
    patterns = [{s.alias: _pattern(s, local[s.key], joined[s.key])} for s in order]
    if rule.absent:
        patterns.append({"phase__": {"$and": [{"t": "phase"}, {"n": rule.stratum}]}})
        for slot in rule.absent.values():
            patterns.append({f"{slot.alias}$not": _pattern(slot, [])})
    return CompiledRule(
        rule=rule, name=name, order=order, definition={"all": patterns}
    )


def compile_rule_base(rb: RuleBase) -> tuple[dict[str, Any], dict[str, CompiledRule]]:
    """The durable-rules ruleset definition and the compiled rules by durable name.

    The compiled form depends only on the rule files and on this code, so it is
    kept on disk beside the checked rule base (``knowledge.cache``, key: the
    rule base's content version, its rule ids, and the source of facts/,
    knowledge/ and engine/): compiling every rule costs a start tens of milliseconds.
    An entry that does not name the same rules in the same order is not used.
    """
    from knowledge.cache import cached

    ids = tuple(rule.id for rule in rb.rules)
    key = rb.version + "|" + "|".join(ids)
    parts = cached(key, lambda: _form(_compile_all(rb)), kind="compiled", packages=_CACHE_PACKAGES)
    if not (isinstance(parts, tuple) and tuple(part[0] for part in parts) == ids):
        parts = _form(_compile_all(rb))
    definition: dict[str, Any] = {CATCH_ALL: {"all": [{"m": {"t": "case"}}]}}
    compiled: dict[str, CompiledRule] = {}
    for (_, name, order, rule_definition), rule in zip(parts, rb.rules):
        _anchor(rule)  # as compile_rule does: the slot it joins on is read by the firing
        compiled[name] = CompiledRule(rule=rule, name=name, order=list(order), definition=rule_definition)
        definition[name] = rule_definition
    return definition, compiled


# what the compiled form is made by: a change to any of it makes a new cache key
_CACHE_PACKAGES = ("facts", "knowledge", "engine")


def _compile_all(rb: RuleBase) -> dict[str, CompiledRule]:
    return {f"r{i}": compile_rule(rule, f"r{i}") for i, rule in enumerate(rb.rules)}


def _form(compiled: dict[str, CompiledRule]) -> tuple[tuple[str, str, tuple[Slot, ...], dict[str, Any]], ...]:
    """The compiled rules as plain data (rule id, durable name, join order, definition): what the cache keeps."""
    return tuple((cr.rule.id, name, tuple(cr.order), cr.definition) for name, cr in compiled.items())
