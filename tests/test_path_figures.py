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


def _case_a_installment_figures(then: str) -> list[str]:
    """The figures beside installment negotiation in case A, with one more rule listing it."""
    from app.desk import Desk

    files, _ = read_rule_files()
    # read after the listing's own figures, so this rule fires after case A's listing rule
    files["shown.yaml"] = (TOPIC.replace("        figures: [{figures}]\n", then)
                           .replace("mortgage.arrears_months > 1", "figure.months_to_repay > 1").format().encode())
    desk = Desk(rule_base=load_rule_base_from_files(files))
    try:
        result = desk.assess(desk.load_case("examples/case_a.yaml"), explain=False)
    finally:
        desk.close()
    assert any(f.rule == "shown.rule" for f in result.trace)
    return next(list(r.figures) for r in result.recommendations if r.path == "installment_negotiation")


def test_rules_that_list_a_path_with_the_same_figures_keep_them_and_rules_that_disagree_get_the_catalogs():
    # case A's own listing (damages waived) names four figures; a second rule naming the same keeps them
    same = "        figures: [installment_offer_high, proposed_monthly_payment, monthly_late_damages, months_to_repay]\n"
    assert _case_a_installment_figures(same) == [
        "installment_offer_high", "proposed_monthly_payment", "monthly_late_damages", "months_to_repay"]
    # one naming none disagrees, whichever fires first: the catalog's key figures are shown
    assert _case_a_installment_figures("") == ["installment_offer_high", "proposed_monthly_payment", "months_to_repay"]
