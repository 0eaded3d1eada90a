"""Error 311: a comparison whose operand is a field the case leaves out.

durable-rules reads a comparison's right side from a fact already matched (or
from the same fact); when that field is missing it fails the whole assertion
with error 311 (ERR_PROPERTY_NOT_FOUND in its rules.h) instead of treating the
comparison as false. The engine makes such a comparison false, as the
reference evaluator does, and refuses by name a case whose parameters lack one
a rule reads.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import durable_rules_engine as dre
import pytest

from engine.session import Engine, Record
from facts.errors import EngineError, RuleBaseError
from knowledge.load import load_rule_base

RULES = Path(__file__).resolve().parent / "rulebases" / "optional_operand"
PARAMS = {"income_multiple": 3, "floor": 50}


@pytest.fixture(scope="module")
def engine():
    e = Engine(load_rule_base(RULES))
    yield e
    e.close()


def run(engine, debtor, params=PARAMS):
    return engine.run([
        Record("case", "case", None, {"case_id": "t", "as_of": dt.date(2026, 11, 26)}),
        Record("debtor", "debtor", None, {"on_welfare": False, **debtor}),
        Record("mortgage", "mortgage", None, {"balance": 100, "lender_type": "bank"}),
        Record("params", "params", None, params),
    ])


def fired(r):
    return sorted(f.rule.id for f in r.firings)


def test_durable_rules_itself_fails_with_311_when_an_operand_field_is_missing():
    # the defect the engine works around: if this stops failing, the guard can go
    definition = {"r": {"all": [
        {"a": {"t": "a"}},
        {"b": {"$and": [{"t": "b"}, {"$gte": {"v": {"a": "w"}}}, {"$or": [{"t": "b"}]}]}},
    ]}}
    handle = dre.create_ruleset("operand_311", json.dumps(definition))
    try:
        dre.assert_fact(handle, json.dumps({"sid": "1", "id": "a", "t": "a"}))
        with pytest.raises(dre.error, match="311"):
            dre.assert_fact(handle, json.dumps({"sid": "1", "id": "b", "t": "b", "v": 5}))
    finally:
        dre.delete_ruleset(handle)


def test_with_the_income_given_every_comparison_with_it_is_evaluated(engine):
    assert fired(run(engine, {"annual_income": 20, "monthly_take_home": 50})) == [
        "optional.arithmetic", "optional.other_fact", "optional.parameter", "optional.residual", "optional.same_fact",
    ]
    # just over the balance: the comparisons turn false, the derived one true
    assert fired(run(engine, {"annual_income": 101, "monthly_take_home": 50})) == [
        "optional.derived", "optional.parameter", "optional.residual",
    ]


def test_without_the_income_every_comparison_with_it_is_false_and_the_case_still_runs(engine):
    # before the guard this case failed with "error code: 311" (the cross-check is on: the reference evaluator agrees)
    assert engine.cross_check_enabled
    assert fired(run(engine, {"monthly_take_home": 50})) == ["optional.parameter", "optional.residual"]
    assert fired(run(engine, {"monthly_take_home": 50, "annual_income": None})) == ["optional.parameter", "optional.residual"]


def test_the_fact_holding_an_operand_is_required_to_have_it(engine):
    patterns = engine.compiled_rule("optional.other_fact").definition["all"]
    debtor = next(p["debtor"] for p in patterns if "debtor" in p)
    assert {"$ex": {"annual_income": 1}} in debtor["$and"]
    same = engine.compiled_rule("optional.same_fact").definition["all"][0]["debtor"]["$and"]
    assert {"$ex": {"annual_income": 1}} in same
    # a parameter is never guarded: a missing one is refused instead
    params = next(p["params"] for p in engine.compiled_rule("optional.parameter").definition["all"] if "params" in p)
    assert "$ex" not in json.dumps(params)


@pytest.mark.parametrize("params", [{"income_multiple": 3}, {"income_multiple": 3, "floor": None}])
def test_a_case_whose_parameters_lack_one_a_rule_reads_is_refused_by_name(engine, params):
    with pytest.raises(EngineError) as error:
        run(engine, {"annual_income": 20, "monthly_take_home": 50}, params)
    text = str(error.value)
    assert "params.floor" in text and "311" not in text
    assert "params.income_multiple" not in text


def test_an_or_comparing_with_a_field_that_may_be_missing_is_refused_when_the_rules_load(tmp_path):
    for name in ("catalog.yaml", "parameters.yaml"):
        (tmp_path / name).write_bytes((RULES / name).read_bytes())
    (tmp_path / "optional.yaml").write_text(
        (RULES / "optional.yaml").read_text(encoding="utf-8")
        + "  - id: optional.either\n"
        "    title: {ja: どちらか, en: Either}\n"
        "    sources: [\"test\"]\n"
        "    when: [debtor.monthly_take_home >= debtor.annual_income or debtor.on_welfare]\n"
        "    then:\n"
        "      - finding: pay_above_income\n",
        encoding="utf-8",
    )
    with pytest.raises(RuleBaseError, match="debtor.annual_income"):
        Engine(load_rule_base(tmp_path))
