"""What-if: a case with some inputs changed, assessed, and the decision diff against the original.

The changed values go through the same notations and the same case model as a
case file; the diff is app.diff's, the one audit replay uses.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from app.whatif import changed_case, field_kind, parse_settings, split_path, what_if
from cli import main
from facts.errors import InputError

ROOT = Path(__file__).resolve().parent.parent
CASE_A = str(ROOT / "examples" / "case_a.yaml")


def run(*args: str):
    result = CliRunner().invoke(main, list(args))
    assert "Traceback" not in (result.output or ""), result.output
    return result


def changes_by_name(outcome):
    return {(c.kind, c.name): c for c in outcome.diff.changes}


# --- settings read like a case file -------------------------------------------


def test_a_set_value_is_read_in_case_file_notation(case_a):
    changed = changed_case(case_a, ["debtor.monthly_take_home=22万", "mortgage.late_damage_rate=14%", "as_of=令和9年1月5日"])
    assert changed.debtor.monthly_take_home == 220_000
    assert str(changed.mortgage.late_damage_rate) == "0.14"
    assert changed.as_of.isoformat() == "2027-01-05"
    assert case_a.debtor.monthly_take_home == 250_000  # the original is left alone


def test_a_list_entry_is_reached_by_index_in_either_spelling(case_a):
    assert changed_case(case_a, ["other_debts[0].balance=50万"]).other_debts[0].balance == 500_000
    assert changed_case(case_a, ["other_debts.0.balance=40万"]).other_debts[0].balance == 400_000
    assert split_path("other_debts[0].balance") == ["other_debts", 0, "balance"]
    assert split_path("..x") == []


def test_a_mapping_of_settings_works_like_the_command_line(case_a):
    changed = changed_case(case_a, {"property.expected_sale_price": "2500万", "debtor.monthly_take_home": 230000})
    assert (changed.property.expected_sale_price, changed.debtor.monthly_take_home) == (25_000_000, 230_000)


def test_a_field_kind_is_taken_from_the_case_model():
    assert field_kind("debtor.monthly_take_home") == "yen"
    assert field_kind("other_debts[0].balance") == "yen"
    assert field_kind("as_of") == "date"
    assert field_kind("mortgage.late_damage_rate") == "rate"
    assert field_kind("debtor.on_welfare") == "flag"
    assert field_kind("debtor.age") == "count"


@pytest.mark.parametrize(
    ("setting", "where", "ja_words", "en_words"),
    [
        ("debtor.monthly_take_hom=22万", "--set debtor.monthly_take_hom=22万", "monthly_take_home", "did you mean 'monthly_take_home'"),
        ("debtor.monthly_take_home=abc", "--set debtor.monthly_take_home=abc", "'abc'", "cannot read 'abc' as an amount of yen"),
        ("debtor.monthly_take_home=-5万", "--set debtor.monthly_take_home=-5万", "-5万", "-5万"),
        ("other_debts[3].balance=1", "--set other_debts[3].balance=1", "[3] はありません", "no entry [3]"),
        ("debtor.annual_income=null", "--set debtor.annual_income=null", "null", "null"),
        ("mortgage.subrogated=true", "--set mortgage.subrogated=true", "代位弁済", "accelerated"),
        ("assumptions.auction_price_ratio=7", "--set assumptions.auction_price_ratio=7", "率 7", "cannot read 7 as a rate"),
        ("debtor..age=3", "--set debtor..age=3", "項目の書き方", "not a field path"),
    ],
)
def test_a_bad_setting_names_the_field_and_value_in_both_languages(desk, case_a, setting, where, ja_words, en_words):
    with pytest.raises(InputError) as caught:
        what_if(desk, case_a, [setting])
    (problem, *_rest) = caught.value.problems
    assert problem.location.startswith(where)
    assert ja_words in problem.ja
    assert en_words in problem.en
    assert problem.ja != problem.en


def test_a_setting_without_an_equals_sign_is_refused():
    with pytest.raises(InputError) as caught:
        parse_settings(["debtor.monthly_take_home"])
    assert "PATH=VALUE" in caught.value.problems[0].en


# --- the decision diff ----------------------------------------------------------


def test_a_higher_sale_price_lowers_the_residual_with_the_rules_responsible(desk, case_a):
    outcome = what_if(desk, case_a, ["property.expected_sale_price=2500万"])
    changes = changes_by_name(outcome)
    residual = changes[("figure_changed", "residual_debt")]
    assert (residual.old, residual.new) == (8_049_000, 7_082_000)  # 3,100万 − (2,500万 − 108万2,000円)
    assert residual.rules == ["sale.over_loan"]
    assert changes[("figure_changed", "brokerage_fee")].new == 891_000  # (3% × 2,500万 + 6万) × 1.1
    assert outcome.inputs[0].old == 24_000_000 and outcome.inputs[0].new == 25_000_000
    assert ("figure_changed", "monthly_capacity") not in changes  # the price does not touch the budget


def test_a_price_that_covers_the_loan_removes_the_residual_paths_and_adds_ordinary_sale(desk, case_a):
    outcome = what_if(desk, case_a, ["property.expected_sale_price=3400万"])
    kinds = {(c.kind, c.name) for c in outcome.diff.changes}
    assert ("path_added", "ordinary_sale") in kinds
    assert ("path_removed", "bankruptcy") in kinds
    assert ("path_removed", "voluntary_sale") in kinds
    assert ("warning_removed", "late_damages_accrue") in kinds
    added = changes_by_name(outcome)[("path_added", "ordinary_sale")]
    assert added.new == 1 and added.rules  # the listing rule is named
    assert [r.path for r in outcome.result.recommendations][0] == "ordinary_sale"


def test_an_unchanged_value_gives_an_unchanged_decision(desk, case_a):
    outcome = what_if(desk, case_a, ["debtor.monthly_take_home=25万"])
    assert outcome.diff.unchanged
    assert outcome.to_json()["diff"]["changes"] == []


def test_the_json_carries_inputs_the_diff_and_the_paths_before_and_after(desk, case_a):
    data = what_if(desk, case_a, ["property.expected_sale_price=3400万"]).to_json("en")
    json.dumps(data)  # plain JSON all the way down
    assert data["inputs"] == [{"path": "property.expected_sale_price", "old": 24_000_000, "new": 34_000_000, "kind": "yen"}]
    assert data["paths"]["after"][0] == "ordinary_sale"
    assert any(c["kind"] == "path_removed" and c["name"] == "bankruptcy" and c["rules"] for c in data["diff"]["changes"])


# --- the command ------------------------------------------------------------------


def test_whatif_prints_the_changed_inputs_and_figures_in_japanese():
    result = run("whatif", CASE_A, "--set", "debtor.monthly_take_home=22万", "--set", "property.expected_sale_price=2500万")
    assert result.exit_code == 0, result.output
    assert "debtor.monthly_take_home: 25万円 → 22万円" in result.output
    assert "残債 (residual_debt): 804万9,000円 → 708万2,000円" in result.output
    assert "ルール: sale.over_loan" in result.output


def test_whatif_in_english_and_as_json():
    result = run("whatif", CASE_A, "--set", "property.expected_sale_price=3400万", "--lang", "en")
    assert result.exit_code == 0, result.output
    assert "path added: Ordinary sale (ordinary_sale) — → #1" in result.output
    data = json.loads(run("whatif", CASE_A, "--set", "property.expected_sale_price=3400万", "--json").output)
    assert data["paths"]["before"][0] == "voluntary_sale" and data["paths"]["after"][0] == "ordinary_sale"


def test_whatif_with_a_bad_value_exits_2_naming_field_and_value():
    result = run("whatif", CASE_A, "--set", "debtor.monthly_take_home=たくさん", "--lang", "en")
    assert result.exit_code == 2
    assert "--set debtor.monthly_take_home=たくさん" in result.output
    assert "amount of yen" in result.output
    ja = run("whatif", CASE_A, "--set", "debtor.monthly_take_home=たくさん")
    assert ja.exit_code == 2 and "金額" in ja.output


def test_whatif_without_any_change_exits_2():
    result = run("whatif", CASE_A)
    assert result.exit_code == 2
    assert "--set" in result.output


def test_a_field_set_twice_is_refused_whichever_way_its_path_is_written():
    with pytest.raises(InputError) as caught:
        parse_settings(["case_id=x", "other_debts[0].balance=90万", "case_id=y", "other_debts.0.balance=1"])
    assert [p.en for p in caught.value.problems] == ["case_id is set twice", "other_debts.0.balance is set twice"]


def test_a_change_below_the_display_rounding_shows_the_exact_values(desk, case_a):
    from render.whatif import whatif_text

    text = whatif_text(what_if(desk, case_a, ["debtor.annual_income=3801000"]), "en")
    line = next(x for x in text.splitlines() if "(debt_to_income_ratio)" in x)
    assert line.endswith("2.12× → 2.12× (2.1182 → 2.1176)")
    moved = whatif_text(what_if(desk, case_a, ["debtor.annual_income=3810000"]), "en")
    assert next(x for x in moved.splitlines() if "(debt_to_income_ratio)" in x).endswith("2.12× → 2.11×")  # shown apart: no exact values
