"""A rule that lists a path may name the figures shown beside it (``figures:``), checked like any name."""

from __future__ import annotations

import pytest

from facts.errors import RuleBaseError
from knowledge.load import load_rule_base_from_files, read_rule_files

TOPIC = """topic: shown
title: {{ja: 表示, en: Shown}}
rules:
  - id: shown.rule
    title: {{ja: 進路, en: A path}}
    sources: ["test"]
    when:
      - mortgage.arrears_months > 1
    then:
      - path: installment_negotiation
        figures: [{figures}]
        summary: {{ja: 分割, en: Installments}}
"""


def test_a_figure_beside_a_path_that_the_catalog_lacks_is_refused_with_a_suggestion():
    files, _ = read_rule_files()
    files["shown.yaml"] = TOPIC.format(figures="monthly_capacity, monthly_capacty").encode()
    with pytest.raises(RuleBaseError) as caught:
        load_rule_base_from_files(files)
    problems = [p for p in caught.value.problems if "shown.rule" in p.location]
    assert problems and "monthly_capacty" in problems[0].en and "monthly_capacity" in problems[0].en.split("unknown figure")[1]
    assert "カタログにありません" in problems[0].ja


def test_figures_the_catalog_knows_are_accepted():
    files, _ = read_rule_files()
    files["shown.yaml"] = TOPIC.format(figures="monthly_capacity").encode()
    rule_base = load_rule_base_from_files(files)
    (conclusion,) = [c for c, _ in rule_base.rule("shown.rule").conclusions]
    assert conclusion.figures == ["monthly_capacity"]
