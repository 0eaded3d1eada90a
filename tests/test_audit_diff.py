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


def test_a_case_without_as_of_is_replayed_on_the_day_it_was_recorded(tmp_path):
    """Its as_of defaulted to the day of recording; a replay months later must not move it to its own day."""
    import datetime as dt

    from app.records import open_store, rank1, replay
    from audit import NewRecord

    text = CASE_A.read_text(encoding="utf-8")
    without = "\n".join(line for line in text.splitlines() if not line.startswith("as_of:")) + "\n"
    assert "as_of" not in without
    recorded_on = dt.date(2025, 7, 1)
    with Desk() as desk, open_store(str(tmp_path / "audit.sqlite3")) as store:
        case = desk.parse_case(without.encode(), "case")
        assert case.as_of == dt.date.today()
        case = case.model_copy(update={"as_of": recorded_on})  # as it was read on the day it was recorded
        result = desk.assess(case)
        rid = store.record(NewRecord(
            case_id=result.case_id, case_bytes=without.encode(), case=case.model_dump(mode="json"),
            result=result.to_json("ja"), ruleset_version=desk.rule_base.version, rule_files=dict(desk.rule_base.sources),
            engine_name=result.engine.name, engine_version=result.engine.version, zansai_version="test",
            as_of=recorded_on.isoformat(), rank1=rank1(result),
        ))
        replayed = replay(store, rid)
    assert replayed.replayed.as_of == recorded_on
    assert replayed.identical and replayed.diff.unchanged


def test_a_value_that_takes_effect_after_the_case_date_is_no_cause_of_its_changes(tmp_path):
    # a new 2030 consumption-tax value, and a changed rule that really moves case A (the auction ratio)
    copy = copy_rules(tmp_path, "parameters.yaml", "{from: 2019-10-01, value: 0.10, sources: [\"消費税法29条（平成28年法律85号による改正）\", \"地方税法72条の83\"]}",
                      "{from: 2019-10-01, value: 0.10, sources: [\"消費税法29条（平成28年法律85号による改正）\", \"地方税法72条の83\"]}\n"
                      "      - {from: 2030-04-01, value: 0.15, sources: [\"消費税法29条（平成28年法律85号による改正）\"]}")
    text = (copy / "parameters.yaml").read_text(encoding="utf-8")
    (copy / "parameters.yaml").write_text(text.replace("    value: 0.70\n", "    value: 0.60\n", 1), encoding="utf-8")
    with Desk() as old, Desk(copy) as new:
        case = old.load_case(CASE_A)  # as_of 2026-11-26: the 2030 value is not in force
        diff = decision_diff(old.assess(case), new.assess(case), old.rule_base, new.rule_base)
    assert {p.name for p in diff.rule_base.parameters} == {"consumption_tax_rate", "auction_price_ratio"}
    moved = [c for c in diff.changes if c.because]
    assert moved and all(c.because == ["parameter:auction_price_ratio"] for c in moved)

    from render.audit import diff_text

    lines = diff_text(diff, "en")
    because = [line.strip() for line in lines if line.strip().startswith("because:")]
    assert len(because) == len(moved) > 1
    assert "changed 0.7 → 0.6" in because[0]  # the cause in full once, then by name
    assert because[1:] == ["because: parameter auction_price_ratio (as above)"] * (len(moved) - 1)
    dated = next(line for line in lines if "consumption_tax_rate" in line)
    assert "0.15 (from 2030-04-01)" in dated and "[{" not in dated
