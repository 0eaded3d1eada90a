"""The cross-check: durable-rules must fire exactly the rules whose conditions hold.

After a case settles, every rule is evaluated again on the final facts with
the reference evaluator (``knowledge.evaluate``), for every combination of
facts its slots could bind. A firing durable-rules missed, or one it made
whose conditions are false, is an ``EngineError``: no result is returned
from a run that fails it. (Called "audit" before the audit trail existed.)
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
    """Every combination of facts in working memory that the rule's slots could bind."""
    pools = [run.by_slot.get(slot.key, []) for slot in compiled.order]
    for combo in itertools.product(*pools):
        yield {slot.key: rec for slot, rec in zip(compiled.order, combo)}


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
    by_slot = run.by_slot
    for rule in rule_base.rules:
        cr = compiled[rule.id]
        test = cr.holds
        for binding in candidates(cr, run):
            matched = tuple(rec.id for rec in binding.values())
            ok = test(binding, by_slot)
            did = (rule.id, matched) in fired
            if ok and not did:
                raise engine_error(
                    f"ルール {rule.id} は条件を満たしていますが、durable-rules が発火させませんでした（{', '.join(matched)}）",
                    f"durable-rules did not fire rule {rule.id} although its conditions hold on {', '.join(matched)}",
                    rule.id,
                )
            if did and not ok:
                raise engine_error(
                    f"ルール {rule.id} は最終的な事実では条件を満たしません",
                    f"rule {rule.id} fired but its conditions do not hold on the final facts",
                    rule.id,
                )
