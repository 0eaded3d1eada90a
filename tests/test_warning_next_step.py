"""A rule may give its warning a first step of its own (``next_step``), in place of the catalog's.

One warning id can arise from causes that call for different first steps: a tax office seizes
without a court, and neither bankruptcy nor rehabilitation stops it (破産法253条1項1号, 民事再生法122条),
so a debtor threatened only by a tax seizure is sent to the tax office, not to a lawyer for a filing.
"""

from __future__ import annotations

import pytest

from app.desk import Desk
from facts.errors import RuleBaseError
from knowledge.load import load_rule_base_from_files, read_rule_files

TOPIC = """topic: {name}
title: {{ja: 手順, en: Steps}}
rules:
  - id: {name}.rule
    title: {{ja: 手順, en: A step}}
    sources: ["test"]
    when:
      - mortgage.arrears_months > {over}
    then:
      - warning: garnishment_risk
        next_step: {{ja: "{step}", en: "Ask the tax office"}}
        message: {{ja: "テストです。", en: "A test."}}
"""


def _warning(extra_topics: list[str]):
    files, _ = read_rule_files()
    for i, text in enumerate(extra_topics):
        files[f"steps{i}.yaml"] = text.encode()
    desk = Desk(rule_base=load_rule_base_from_files(files))
    try:
        result = desk.assess(desk.load_case("examples/case_a.yaml"))  # 4 months in arrears, no court title, no tax
    finally:
        desk.close()
    return next(w for w in result.warnings if w.id == "garnishment_risk")


def test_the_rules_step_replaces_the_catalogs_when_it_alone_gives_the_warning():
    w = _warning([TOPIC.format(name="one", over=1, step="税務署に相談する")])
    assert w.next_step.ja == "税務署に相談する" and w.next_step.en == "Ask the tax office"


def test_rules_that_disagree_on_the_step_leave_the_catalogs():
    w = _warning([
        TOPIC.format(name="one", over=1, step="税務署に相談する"),
        TOPIC.format(name="two", over=0, step="市役所に相談する"),
    ])
    assert w.next_step.ja.startswith("差押えへの備え")


def test_a_step_cannot_fill_in_a_value():
    files, _ = read_rule_files()
    files["steps.yaml"] = TOPIC.format(name="one", over=1, step="{mortgage.balance}を払う").encode()
    with pytest.raises(RuleBaseError) as caught:
        load_rule_base_from_files(files)
    assert any("one.rule" in p.location for p in caught.value.problems)
