"""Figures kept per debt (catalog ``per: other_debt``): each junior lienholder's release money.

A per-debt figure belongs to one debt, so no other rule could tell which value it reads: the
loader refuses any rule reading one, and the rule concluding it may quote it in its own messages.
"""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest
import yaml

from facts.errors import RuleBaseError
from facts.load import load_case_text
from knowledge.load import load_rule_base
from tests.golden import EXAMPLES, merge

RULES = Path(__file__).resolve().parent.parent / "rules"


def rules_with(tmp_path: Path, extra: str) -> Path:
    root = tmp_path / "rules"
    shutil.copytree(RULES, root, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    (root / "zz.yaml").write_text(textwrap.dedent(extra), encoding="utf-8")
    return root


def test_a_rule_reading_a_per_debt_figure_in_a_condition_is_refused(tmp_path):
    root = rules_with(
        tmp_path,
        """
        topic: zz
        title: {ja: t, en: t}
        rules:
          - id: zz.reads
            title: {ja: t, en: t}
            sources: ["民法369条1項"]
            when: [figure.junior_release_money_listed > 0]
            then: [{finding: over_loan}]
        """,
    )
    with pytest.raises(RuleBaseError) as err:
        load_rule_base(root)
    text = " ".join(f"{p.location}: {p.en}" for p in err.value.problems)
    assert "zz.reads" in text and "one value per other_debt" in text


def test_a_per_debt_figure_concluded_without_a_debt_is_refused(tmp_path):
    root = rules_with(
        tmp_path,
        """
        topic: zz
        title: {ja: t, en: t}
        rules:
          - id: zz.no_debt
            title: {ja: t, en: t}
            sources: ["民法369条1項"]
            when: [mortgage.balance > 0]
            then:
              - figure: junior_release_money_listed
                value: mortgage.balance
        """,
    )
    with pytest.raises(RuleBaseError) as err:
        load_rule_base(root)
    text = " ".join(f"{p.location}: {p.en}" for p in err.value.problems)
    assert "zz.no_debt" in text and "only a rule matching a other_debt" in text


def test_each_lienholder_from_the_4th_on_is_told_its_own_release_money(desk):
    base = yaml.safe_load((EXAMPLES / "case_a.yaml").read_text(encoding="utf-8"))
    case = merge(base, {"other_debts": [
        {"type": "other", "creditor": "C信用", "balance": 1_000_000, "secured_on_home": True},
        {"type": "other", "creditor": "D商事", "balance": 3_000_000, "secured_on_home": True},
        {"type": "other", "creditor": "E商事", "balance": 500_000, "secured_on_home": True},
        {"type": "other", "creditor": "F商事", "balance": 2_000_000, "secured_on_home": True},
    ]})
    result = desk.assess(load_case_text(yaml.safe_dump(case, allow_unicode=True), "four"))
    per_debt = {d.about[0]: d.value for d in result.derived if d.kind == "figure" and d.name == "junior_release_money_listed"}
    assert per_debt == {"other_debt_1": 100_000, "other_debt_2": 200_000, "other_debt_3": 50_000, "other_debt_4": 100_000}
    assert "junior_release_money_listed" not in result.figures  # not one value for the case
    messages = {w.about[0]: w.message.ja for w in result.warnings if w.id == "junior_lien_release_money"}
    assert "E商事（4番抵当権" in messages["other_debt_3"] and "ハンコ代5万円" in messages["other_debt_3"]
    assert "F商事（5番抵当権" in messages["other_debt_4"] and "ハンコ代10万円" in messages["other_debt_4"]
