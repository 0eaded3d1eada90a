"""The cross-check: durable-rules must fire exactly the rules whose conditions hold.

After a case settles, every rule is evaluated again on the final facts, for
every combination of facts its slots could bind. A firing durable-rules
missed, or one it made whose conditions are false, is an ``EngineError``: no
result is returned from a run that fails it. (Called "audit" before the
audit trail existed.)

A binding a rule fired on is evaluated again only when the rule tests a
fact's absence: ``Engine._fire`` already refused any firing whose conditions
were false (with the reference evaluator, the values of the trace), and
facts are only ever added, so nothing else it saw true can have turned false.
"""

from __future__ import annotations

import itertools
import operator
from collections import Counter
from typing import Any, Callable, Iterable

from engine.codec import engine_error
from engine.compile import CompiledRule
from engine.conditions import read_slots
from engine.memory import Record, Run, lookups
from knowledge.evaluate import holds
from knowledge.model import Rule, RuleBase


def candidates(compiled: CompiledRule, run: Run) -> Iterable[dict[str, Record]]:
    """Every combination of facts in working memory that the rule's slots could bind.

    The plain enumeration the tests hold the compiled conditions to; the
    cross-check itself (``_holding``) walks the same combinations without
    building a binding for a rule whose facts are absent.
    """
    keys = compiled.slot_keys
    for combo in itertools.product(*(run.by_slot.get(key, []) for key in keys)):
        yield dict(zip(keys, combo))


def rule_holds(run: Run, rule: Rule, binding: dict[str, Record]) -> bool:
    """Whether every condition of the rule holds on these facts (nothing recorded)."""
    resolve, present = lookups(run, binding)
    return holds([c.tree for c in rule.conditions], resolve, present)


def cross_check(rule_base: RuleBase, compiled: dict[str, CompiledRule], run: Run) -> None:
    """Raise if durable-rules' firings differ from the rules whose conditions hold."""
    # The conditions are checked by their compiled form (engine.conditions), which
    # tests/test_conditions.py holds to the reference evaluator on every rule.
    fired = Counter((f.rule.id, tuple(f.matched)) for f in run.firings)
    twice = [key for key, count in fired.items() if count > 1]
    if twice:  # counted, not collected into a set: a repeat would otherwise pass unseen
        rule_id, matched = twice[0]
        raise engine_error(
            f"ルール {rule_id} が同じ事実（{', '.join(matched)}）で{fired[twice[0]]}回発火しました",
            f"rule {rule_id} fired {fired[twice[0]]} times on the same facts ({', '.join(matched)})",
            rule_id,
        )
    fired_by_rule: dict[str, set[tuple[str, ...]]] = {}
    for rule_id, matched in fired:
        fired_by_rule.setdefault(rule_id, set()).add(matched)
    by_slot = run.by_slot
    present = by_slot.keys()
    # the slots holding more than one fact (debts, guarantors): a rule reading none of them has one binding
    several = {key for key, recs in by_slot.items() if len(recs) > 1}
    first = {key: recs[0] for key, recs in by_slot.items() if recs}
    first_ids = {key: rec.id for key, rec in first.items()}
    for rule_id, slot_set, keys, pick, cr, monotone, own_only in _plan(rule_base, compiled):
        # Only the bindings whose conditions hold are named (a tuple of ids each);
        # the many that fail are just tested. The two sets must then be equal.
        did = fired_by_rule.get(rule_id, _NONE)
        if not slot_set <= present:  # most rules, on most cases: a fact they need is not there
            if did:
                _differ(rule_id, _NONE, did)
            continue
        if several.isdisjoint(slot_set):  # one binding: most rules that can bind at all
            # ``first`` serves as the binding when the rule reads values from its own slots alone
            # (every rule, see _plan): any other slot ``first`` holds is one a test of absence
            # finds in memory anyway
            binding = first if own_only else dict(zip(keys, pick(first)))
            if not did:
                if cr.holds(binding, by_slot):  # compiled when first needed
                    _differ(rule_id, {pick(first_ids)}, did)
                continue
            ids = pick(first_ids)
            # a firing of a rule with no test of absence is trusted to _fire's own evaluation (module docstring)
            held = (monotone and ids in did) or cr.holds(binding, by_slot)
            if not held:
                _differ(rule_id, _NONE, did)
            if len(did) != 1 or ids not in did:
                _differ(rule_id, {ids}, did)
            continue
        holding = _holding(keys, cr.holds, by_slot, did if monotone else _NONE)
        if holding != did:
            _differ(rule_id, holding, did)


def _differ(rule_id: str, holding: set[tuple[str, ...]] | frozenset[tuple[str, ...]], did: set[tuple[str, ...]]) -> None:
    missed = sorted(holding - did)
    if missed:
        raise engine_error(
            f"ルール {rule_id} は条件を満たしていますが、durable-rules が発火させませんでした（{', '.join(missed[0])}）",
            f"durable-rules did not fire rule {rule_id} although its conditions hold on {', '.join(missed[0])}",
            rule_id,
        )
    raise engine_error(
        f"ルール {rule_id} は最終的な事実では条件を満たしません",
        f"rule {rule_id} fired but its conditions do not hold on the final facts",
        rule_id,
    )


# What the cross-check reads of every rule, in rule-base order, worked out once per compiled
# rule base (kept with it, so its id is not reused): the loop then touches no attribute.
_Plan = tuple[tuple[str, frozenset[str], tuple[str, ...], Callable[[dict], tuple], CompiledRule, bool, bool], ...]
_PLANS: dict[int, tuple[dict[str, CompiledRule], _Plan]] = {}
_PLANS_MAX = 8  # an engine per rule-base version: a long-lived process building many starts over


def _plan(rule_base: RuleBase, compiled: dict[str, CompiledRule]) -> _Plan:
    kept = _PLANS.get(id(compiled))
    if kept is not None and kept[0] is compiled:
        return kept[1]
    plan = tuple(
        (rule.id, cr.slot_set, cr.slot_keys, _picker(cr.slot_keys), cr, cr.monotone, _own_slots_only(rule, cr))
        for rule in rule_base.rules
        for cr in (compiled[rule.id],)
    )
    if len(_PLANS) >= _PLANS_MAX:
        _PLANS.clear()
    _PLANS[id(compiled)] = (compiled, plan)
    return plan


def _own_slots_only(rule: Rule, cr: CompiledRule) -> bool:
    """Whether the rule's conditions read values only from the facts its slots bind (the compiler
    binds every fact a condition reads; this is checked, not assumed)."""
    return all(read_slots(c.tree) <= cr.slot_set for c in rule.conditions)


def _picker(keys: tuple[str, ...]) -> Callable[[dict], tuple]:
    """The values at ``keys`` of a dict, as a tuple in that order (itemgetter gives a bare value for one key)."""
    if len(keys) == 1:
        (key,) = keys
        return lambda values: (values[key],)
    return operator.itemgetter(*keys)


_NONE: frozenset[tuple[str, ...]] = frozenset()


def _holding(
    keys: tuple[str, ...],
    test: Any,
    by_slot: dict[str, list[Record]],
    known: set[tuple[str, ...]] | frozenset[tuple[str, ...]],
) -> set[tuple[str, ...]]:
    """The id tuples of every binding of the rule's slots on which its conditions hold.

    ``known``: bindings already seen to hold, not tested again. For a rule with
    no test of absence these are its firings: ``Engine._fire`` refused any whose
    conditions were false, with the reference evaluator, and facts only ever
    being added, what held then holds now. A firing on a binding that is not a
    combination of facts in memory is still never found here.
    """
    pools = [by_slot[key] for key in keys]
    found = set()
    if len(keys) == 1:  # one fact: no product, and one binding reused
        key, binding = keys[0], {}
        for rec in pools[0]:
            ids = (rec.id,)
            if ids in known:
                found.add(ids)
                continue
            binding[key] = rec
            if test(binding, by_slot):
                found.add(ids)
        return found
    for combo in itertools.product(*pools):
        if known:
            ids = tuple(rec.id for rec in combo)
            if ids in known:
                found.add(ids)
                continue
        if test(dict(zip(keys, combo)), by_slot):
            found.add(tuple(rec.id for rec in combo))
    return found
