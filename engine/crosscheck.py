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
from collections import Counter
from typing import Iterable

from engine.codec import engine_error
from engine.compile import CompiledRule
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
    for rule in rule_base.rules:
        rule_id = rule.id
        cr = compiled[rule_id]
        # Only the bindings whose conditions hold are named (a tuple of ids each);
        # the many that fail are just tested. The two sets must then be equal.
        did = fired_by_rule.get(rule_id, _NONE)
        if not cr.slot_set <= by_slot.keys():  # most rules, on most cases: a fact they need is not there
            if not did:
                continue
            holding = _NONE
        else:
            holding = _holding(cr, by_slot, did if cr.monotone else _NONE)
        if holding == did:
            continue
        missed = sorted(holding - did)
        if missed:
            raise engine_error(
                f"ルール {rule.id} は条件を満たしていますが、durable-rules が発火させませんでした（{', '.join(missed[0])}）",
                f"durable-rules did not fire rule {rule.id} although its conditions hold on {', '.join(missed[0])}",
                rule.id,
            )
        raise engine_error(
            f"ルール {rule.id} は最終的な事実では条件を満たしません",
            f"rule {rule.id} fired but its conditions do not hold on the final facts",
            rule.id,
        )


_NONE: frozenset[tuple[str, ...]] = frozenset()


def _holding(
    cr: CompiledRule, by_slot: dict[str, list[Record]], known: set[tuple[str, ...]] | frozenset[tuple[str, ...]]
) -> set[tuple[str, ...]]:
    """The id tuples of every binding of the rule's slots on which its conditions hold.

    ``known``: bindings already seen to hold, not tested again. For a rule with
    no test of absence these are its firings: ``Engine._fire`` refused any whose
    conditions were false, with the reference evaluator, and facts only ever
    being added, what held then holds now. A firing on a binding that is not a
    combination of facts in memory is still never found here.
    """
    keys = cr.slot_keys
    pools = [by_slot[key] for key in keys]
    test = cr.holds
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
