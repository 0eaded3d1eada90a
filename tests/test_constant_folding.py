"""Arithmetic between literals in a condition is folded before it reaches durable-rules.

durable-rules never matches a test such as ``x > 1 + 1`` (no error, no firing),
which the cross-check reported as an engine failure. engine/compile.py folds a
constant subexpression to its exact value, so the rule fires as written.
"""

from __future__ import annotations

import pytest

from app.desk import Desk
from engine.session import Engine
from facts.errors import RuleBaseError
from knowledge.load import load_rule_base_from_files, read_rule_files

TOPIC = """topic: folding
title: {{ja: 定数, en: Constants}}
rules:
  - id: folding.rule
    title: {{ja: 定数の式, en: A constant expression}}
    sources: ["test"]
    when:
      - {condition}
    then:
      - finding: pre_sale
"""


def fired(condition: str) -> bool:
    files, _ = read_rule_files()
    files["folding.yaml"] = TOPIC.format(condition=condition).encode()
    desk = Desk(rule_base=load_rule_base_from_files(files))
    try:
        result = desk.assess(desk.load_case("examples/case_a.yaml"))  # 4 months in arrears
    finally:
        desk.close()
    return any(f.rule == "folding.rule" for f in result.trace)


@pytest.mark.parametrize(
    ("condition", "fires"),
    [
        ("mortgage.arrears_months > 1 + 1", True),
        ("mortgage.arrears_months == 1 + 1 + 1 + 1", True),
        ("mortgage.arrears_months > 1 + 1 + 1 + 1", False),  # just over: 4 > 4 does not hold
        ("mortgage.arrears_months >= -1 + 1 + 1 + 1 + 1 + 1", True),
        ("mortgage.arrears_months == (1 + 1) * (1 + 1)", True),
    ],
)
def test_a_condition_with_literal_arithmetic_fires_exactly_when_it_holds(condition, fires):
    assert fired(condition) is fires


def test_a_constant_that_cannot_be_computed_is_a_rule_base_error():
    files, _ = read_rule_files()
    files["folding.yaml"] = TOPIC.format(condition="mortgage.arrears_months > 1 / 0").encode()
    with pytest.raises(RuleBaseError) as caught:
        Engine(load_rule_base_from_files(files))
    assert any("folding.rule" in p.location for p in caught.value.problems)


def test_a_note_cannot_fill_in_a_value_it_would_show_as_written():
    # notes are printed as written; "{params.bankruptcy_free_cash}" once reached the trace as those characters
    files, _ = read_rule_files()
    files["folding.yaml"] = (TOPIC.format(condition="mortgage.arrears_months > 1")
                             .replace("    when:", "    note: {ja: \"現金は{params.bankruptcy_free_cash}まで\", en: \"plain\"}\n    when:")).encode()
    with pytest.raises(RuleBaseError) as caught:
        load_rule_base_from_files(files)
    assert any(p.location.endswith("folding.rule note.ja") and "{params.bankruptcy_free_cash}" in p.en
               for p in caught.value.problems)
