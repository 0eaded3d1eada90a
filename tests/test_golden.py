"""Runs every golden case in tests/cases/ and checks that every rule is fired by one."""

from __future__ import annotations

import pytest

from app.desk import Desk
from facts.load import load_case_text
from tests.golden import check, golden_cases

import yaml

CASES = golden_cases()


@pytest.fixture(scope="module")
def assessor():
    with Desk() as a:
        yield a


@pytest.mark.parametrize(
    "topic,name,case,expect", CASES, ids=[f"{topic}: {name}" for topic, name, _, _ in CASES]
)
def test_golden_case(assessor, topic, name, case, expect):
    result = assessor.assess(load_case_text(yaml.safe_dump(case, allow_unicode=True), f"{topic}: {name}"))
    errors = check(result, expect)
    assert not errors, "\n".join(errors)


def test_every_rule_is_fired_by_a_golden_case(assessor):
    fired: set[str] = set()
    for topic, name, case, _ in CASES:
        result = assessor.assess(load_case_text(yaml.safe_dump(case, allow_unicode=True), name))
        fired |= {f.rule for f in result.trace}
    never = sorted(r.id for r in assessor.rule_base.rules if r.id not in fired)
    assert not never, f"rules no golden case fires: {never}"


def test_every_topic_has_golden_cases(assessor):
    topics = {r.topic for r in assessor.rule_base.rules}
    with_cases = {topic for topic, *_ in CASES}
    assert topics <= with_cases, f"topics without tests/cases/<topic>.yaml: {sorted(topics - with_cases)}"
