"""Explanations as data: every rule evaluated on the case's final facts, once, when the case is assessed.

For each rule the Result keeps whether it fired, which facts it lacked (and
which rules could have concluded them), and each condition with the values
it saw and its result — the failures as well as the successes. ``render``
turns this into explain, why-not and single-rule texts; a stored Result is
explained from it without the engine or the rule base.
"""

from __future__ import annotations

import itertools

from app.assemble import condition_seen
from app.result import Explanations, RuleEvaluation
from engine.memory import Run
from knowledge.model import Rule, RuleBase
from knowledge.schema import PathConclusion

# combinations of facts shown per rule: enough to see the pattern, bounded for many debts
SHOWN_COMBINATIONS = 3


_INDEXES: dict[str, tuple[dict[str, list[str]], dict[str, list[str]]]] = {}


def _index(rb: RuleBase) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Which rules could conclude each derived fact, and which could list each path (once per rule base)."""
    if rb.version in _INDEXES:
        return _INDEXES[rb.version]
    producers: dict[str, list[str]] = {}
    for r in rb.rules:
        for key in sorted(r.produces()):
            producers.setdefault(key, []).append(r.id)
    listing = {
        path: [r.id for r in rb.rules if any(isinstance(c, PathConclusion) and c.path == path for c, _ in r.conclusions)]
        for path in rb.catalog.paths
    }
    _INDEXES[rb.version] = (producers, listing)
    return producers, listing


def explain_run(engine: object, run: Run) -> Explanations:
    rb: RuleBase = engine.rule_base  # type: ignore[attr-defined]
    producers, listing = _index(rb)
    fired = {f.rule.id for f in run.firings}
    return Explanations(
        rules={rule.id: _evaluate(engine, run, rule, rule.id in fired, producers) for rule in rb.rules},
        listing=listing,
        topics=dict(rb.topics),
    )


def _evaluate(engine: object, run: Run, rule: Rule, fired: bool, producers: dict[str, list[str]]) -> RuleEvaluation:
    compiled = engine.compiled_rule(rule.id)  # type: ignore[attr-defined]
    absent_slots = [slot for slot in compiled.order if not run.by_slot.get(slot.key)]
    pools = [run.by_slot.get(slot.key) or [None] for slot in compiled.order]
    bindings: list[list[str]] = []
    conditions = []
    for combo in itertools.islice(itertools.product(*pools), SHOWN_COMBINATIONS):
        # absent facts stay unbound: their values show as none
        binding = {slot.key: rec for slot, rec in zip(compiled.order, combo) if rec is not None}
        bindings.append([rec.id for rec in binding.values()])
        conditions.append([condition_seen(s) for s in engine.evaluate(run, rule, binding)])  # type: ignore[attr-defined]
    return RuleEvaluation(
        rule=rule.id,
        title=rule.spec.title,
        sources=list(rule.spec.sources),
        fired=fired,
        absent=[slot.key for slot in absent_slots],
        unexpected=[key for key in rule.absent if run.by_slot.get(key)],
        bindings=bindings,
        conditions=conditions,
        producers={slot.key: producers.get(slot.key, []) for slot in absent_slots if slot.derived},
    )
