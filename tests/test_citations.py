"""Citations the second review found wrong: each rule cites the item of the statute it applies."""

from __future__ import annotations

import pytest

from knowledge.load import load_rule_base

SEIBI_4_1 = "民法の一部を改正する法律の施行に伴う関係法律の整備等に関する法律（平成29年法律第45号）附則4条1項"


@pytest.fixture(scope="module")
def rules():
    return {rule.id: rule for rule in load_rule_base().rules}


@pytest.mark.parametrize(
    "rule_id",
    ["rehabilitation.minimum_below_floor", "rehabilitation.minimum_floor", "rehabilitation.minimum_fifth", "rehabilitation.minimum_cap"],
)
def test_the_band_up_to_30m_cites_item_4(rules, rule_id):
    assert "民事再生法231条2項4号" in rules[rule_id].spec.sources
    assert "民事再生法231条2項3号" not in rules[rule_id].spec.sources


def test_the_band_from_30m_to_50m_cites_item_3(rules):
    assert rules["rehabilitation.minimum_tenth"].spec.sources == ["民事再生法231条2項3号"]


def test_taxes_and_child_support_cite_their_own_items_of_253(rules):
    assert "破産法253条1項1号" in rules["bankruptcy.non_dischargeable_tax"].spec.sources
    assert "破産法253条1項4号" not in rules["bankruptcy.non_dischargeable_tax"].spec.sources
    assert "破産法253条1項4号" in rules["bankruptcy.non_dischargeable_child_support"].spec.sources
    assert "破産法253条1項1号" not in rules["bankruptcy.non_dischargeable_child_support"].spec.sources


@pytest.mark.parametrize("rule_id", ["limitation.period_old_commercial", "limitation.period_guarantee_recourse"])
def test_the_commercial_code_transition_is_the_adjustment_act(rules, rule_id):
    assert SEIBI_4_1 in rules[rule_id].spec.sources


def test_the_old_commercial_period_does_not_cite_the_civil_code_transition(rules):
    assert "民法の一部を改正する法律（平成29年法律第44号）附則10条4項" not in rules["limitation.period_old_commercial"].spec.sources
