"""Compiled conditions agree with the reference evaluator on every rule, over many generated cases."""

from __future__ import annotations

import json
import sys
from pathlib import Path


from engine.conditions import compile_conditions, compile_expression, compile_seeing
from engine.crosscheck import candidates
from engine.memory import input_records, lookups
from knowledge import expr as E
from knowledge.evaluate import holds, see

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import cases as generated  # noqa: E402


def _bindings(desk, cases: int, seed: int):
    """Every rule with every combination of facts its slots could bind, in the final memory of each of
    ``cases`` generated cases."""
    engine = desk.engine
    for data in generated.generate(cases, seed=seed):
        case = desk.parse_case(json.dumps(data, ensure_ascii=False), "gen")
        run = engine.run(input_records(desk.facts(case)))
        for rule in desk.rule_base.rules:
            for binding in candidates(engine.compiled_rule(rule.id), run):
                yield rule, binding, run


def test_compiled_conditions_agree_with_the_reference_on_every_binding_of_every_rule(desk):
    compiled = {rule.id: compile_conditions([c.tree for c in rule.conditions]) for rule in desk.rule_base.rules}
    checked = agreed_true = 0
    for rule, binding, run in _bindings(desk, 60, seed=5):
        resolve, present = lookups(run, binding)
        try:
            expected = holds([c.tree for c in rule.conditions], resolve, present)
        except E.EvalError:
            continue  # the reference raises; the compiled form may stop earlier (documented)
        assert compiled[rule.id](binding, run.by_slot) == expected, (rule.id, [r.id for r in binding.values()])
        checked += 1
        agreed_true += expected
    assert checked > 1000 and agreed_true > 100  # both outcomes were exercised, many times


def _outcome(fn):
    """What a seeing gives: its result and the values in the order written, with their types
    (True equals 1, Fraction(2) equals 2), or the error it raises."""
    values: dict = {}
    try:
        result = fn(values)
    except E.EvalError as error:
        return ("raises", error.en)
    return (result, [(k, type(v), v) for k, v in values.items()])


def test_compiled_seeing_writes_what_the_reference_evaluator_sees_on_every_condition_of_every_rule(desk):
    """A firing's trace comes from the compiled form (Engine._see): the same result, the same values in the
    same order and of the same types, the same errors as knowledge.evaluate.see, condition by condition."""
    seers = {
        rule.id: [(c, compile_seeing(c.tree)) for c in rule.conditions] for rule in desk.rule_base.rules
    }
    checked = held = 0
    for rule, binding, run in _bindings(desk, 40, seed=11):
        resolve, present = lookups(run, binding)
        for condition, seer in seers[rule.id]:
            def reference(values, c=condition):
                s = see(c.text, c.tree, resolve, present)
                values.update(s.values)
                return s.result

            expected = _outcome(reference)
            assert _outcome(lambda values: seer(binding, run.by_slot, values)) == expected, (rule.id, condition.text)
            checked += 1
            held += expected[0] is True
    assert checked > 5000 and held > 500  # both outcomes, many times


def _value_outcome(fn):
    try:
        value = fn()
    except E.EvalError as error:
        return ("raises", error.en)
    return (type(value), value)


def test_compiled_conclusion_values_equal_the_reference_evaluator_on_every_conclusion_of_every_rule(desk):
    """A conclusion's value is computed by its compiled form (Concluder._expression): on every binding of every
    rule, held or not, it gives what E.evaluate gives with the firing's resolver - value, type, MISSING or error."""
    from engine.memory import resolver

    expressions = [
        (rule, node, compile_expression(node))
        for rule in desk.rule_base.rules
        for _, node in rule.conclusions
        if node is not None
    ]
    assert any(isinstance(node, E.BinOp) for _, node, _ in expressions) and any(isinstance(node, E.Call) for _, node, _ in expressions)
    by_rule: dict = {}
    for rule, node, compiled in expressions:
        by_rule.setdefault(rule.id, []).append((node, compiled))
    checked = computed = 0
    for rule, binding, _ in _bindings(desk, 30, seed=13):
        resolve, _ = resolver(binding)
        for node, compiled in by_rule.get(rule.id, ()):
            expected = _value_outcome(lambda: E.evaluate(node, resolve))
            assert _value_outcome(lambda: compiled(binding, {})) == expected, (rule.id, node)
            checked += 1
            computed += expected[1] is not E.MISSING and expected[0] != "raises"
    assert checked > 2000 and computed > 1000
