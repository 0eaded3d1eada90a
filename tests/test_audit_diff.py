"""The decision diff on its own: two Results of one case, two rule bases, and what reaches what."""

from __future__ import annotations

import shutil
from pathlib import Path

from app import Desk
from app.diff import decision_diff, rule_base_diff

ROOT = Path(__file__).resolve().parent.parent
CASE_A = ROOT / "examples" / "case_a.yaml"


def copy_rules(tmp_path: Path, file: str, old: str, new: str) -> Path:
    copy = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", copy, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    path = copy / file
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")
    return copy


def test_the_same_rules_give_no_change_and_no_rule_base_difference():
    with Desk() as desk:
        case = desk.load_case(CASE_A)
        a, b = desk.assess(case), desk.assess(case)
        diff = decision_diff(a, b, desk.rule_base, desk.rule_base)
    assert diff.unchanged and diff.rule_base is not None and diff.rule_base.empty


def test_a_dated_rate_changed_names_the_figures_it_moves_and_the_rule_whose_conclusion_reads_it(tmp_path):
    copy = copy_rules(tmp_path, "parameters.yaml", "{from: 2019-10-01, value: 0.10,", "{from: 2019-10-01, value: 0.12,")
    with Desk() as old, Desk(copy) as new:
        case = old.load_case(CASE_A)
        diff = decision_diff(old.assess(case), new.assess(case), old.rule_base, new.rule_base)
    assert [(p.name, p.change) for p in diff.rule_base.parameters] == [("consumption_tax_rate", "changed")]
    change = diff.rule_base.parameters[0]
    assert change.old[-1] == {"from": "2019-10-01", "value": 0.1} and change.new[-1] == {"from": "2019-10-01", "value": 0.12}
    fee = next(c for c in diff.changes if c.kind == "figure_changed" and c.name == "brokerage_fee")
    assert fee.new > fee.old
    assert fee.because == ["parameter:consumption_tax_rate"]
    assert any(rid.startswith("sale.") for rid in fee.via["consumption_tax_rate"])
    # a figure the rate does not reach is not blamed on it
    assert not any(c.name == "expected_sale_price" for c in diff.changes)


def test_rules_added_removed_and_changed_are_told_apart(tmp_path):
    copy = copy_rules(tmp_path, "rehabilitation.yaml", "  - id: rehabilitation.path\n", "  - id: rehabilitation.path_renamed\n")
    with Desk() as old, Desk(copy) as new:
        rb = rule_base_diff(old.rule_base, new.rule_base)
    assert {(r.id, r.change) for r in rb.rules} == {("rehabilitation.path", "removed"), ("rehabilitation.path_renamed", "added")}
    assert rb.parameters == []
