"""The desk (app/): one entry point, layers a tool checks, rule bases by version, dated parameters,
explanations kept as data in the Result."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from app.desk import Desk, load_result
from app.result import Result
from cli import main
from facts.errors import InputError, RuleBaseError
from facts.load import load_case_file, load_case_text
from knowledge.load import load_rule_base_from_files
from knowledge.parameters import Parameter
from render import explain as X

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
CASE_A = ROOT / "examples" / "case_a.yaml"


# -- layers ---------------------------------------------------------------------


def test_the_layer_contracts_hold():
    linter = Path(sys.executable).parent / "lint-imports"
    proc = subprocess.run([str(linter)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "0 broken" in proc.stdout


def test_no_module_imports_the_cli():
    for path in ROOT.glob("*/*.py"):
        if path.parts[-2] in ("tests", ".venv", "bench"):
            continue
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"^\s*(import cli\b|from cli import)", text, re.M), path


# -- explanations as data ----------------------------------------------------------


def _cli(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_saved_result_explains_exactly_as_the_case_does(tmp_path, lang):
    saved = tmp_path / "r.json"
    saved.write_text(_cli("assess", str(CASE_A), "--format", "json", "--lang", lang), encoding="utf-8")
    assert _cli("explain", "--result", str(saved), "--lang", lang) == _cli("explain", str(CASE_A), "--lang", lang)
    for path in ("specific_conciliation", "voluntary_sale", "ordinary_sale"):
        from_result = _cli("explain", "--result", str(saved), "--why-not", path, "--lang", lang)
        assert from_result == _cli("explain", str(CASE_A), "--why-not", path, "--lang", lang)
    rule = "paths.rehabilitation_over_bankruptcy"
    assert _cli("explain", "--result", str(saved), "--rule", rule, "--lang", lang) == _cli(
        "explain", str(CASE_A), "--rule", rule, "--lang", lang
    )


def test_explaining_a_saved_result_never_starts_the_engine(tmp_path):
    saved = tmp_path / "r.json"
    saved.write_text(_cli("assess", str(CASE_A), "--format", "json"), encoding="utf-8")
    code = (
        "import sys\n"
        "from cli import main\n"
        "try:\n"
        f"    main(['explain', '--result', {str(saved)!r}, '--why-not', 'specific_conciliation'])\n"
        "except SystemExit as e:\n"
        "    assert not e.code, e.code\n"
        "loaded = sorted(m for m in sys.modules if m.startswith(('durable', 'engine.session', 'engine.compile')))\n"
        "print('LOADED', loaded)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "特定調停" in proc.stdout or "specific_conciliation" in proc.stdout
    assert "LOADED []" in proc.stdout


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_result_survives_its_json_round_trip(desk, path):
    result = desk.assess(load_case_file(path))
    for lang in ("ja", "en"):
        document = json.loads(json.dumps(result.to_json(lang), ensure_ascii=False), parse_float=Decimal)
        again = Result.from_json(document)
        assert again.to_json(lang) == result.to_json(lang)
        assert X.explain(again, lang) == X.explain(result, lang)


def test_ratios_stay_exact_in_the_result_and_become_numbers_in_json(desk):
    result = desk.assess(load_case_file(CASE_A))
    ratio = result.figures["debt_to_income_ratio"]
    assert isinstance(ratio, Decimal)
    assert isinstance(result.to_json()["figures"]["debt_to_income_ratio"], float)


def test_a_result_file_that_is_not_a_result_is_bad_input(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"case_id": 1}', encoding="utf-8")
    with pytest.raises(InputError):
        load_result(bad)
    out = CliRunner().invoke(main, ["explain", "--result", str(bad)])
    assert out.exit_code == 2
    assert "Traceback" not in out.output


# -- CLI: bad names are bad input (exit 2) -------------------------------------------


@pytest.mark.parametrize(
    "args, named",
    [
        (["explain", str(CASE_A), "--why-not", "bankrupcy"], "bankruptcy"),
        (["explain", str(CASE_A), "--rule", "paths.rehabilitation_over_bankrupcy"], "paths.rehabilitation_over_bankruptcy"),
        (["rules", "show", "sale.net_proceed"], "sale.net_proceeds"),
    ],
)
def test_an_unknown_path_or_rule_exits_2_with_a_suggestion(args, named):
    out = CliRunner().invoke(main, args)
    assert out.exit_code == 2
    assert f"もしかして {named}" in out.output


def test_why_not_and_rule_together_are_refused():
    out = CliRunner().invoke(main, ["--lang", "en", "explain", str(CASE_A), "--why-not", "bankruptcy", "--rule", "sale.net_proceeds"])
    assert out.exit_code == 2
    assert "--why-not and --rule cannot be used together" in out.output


def test_facts_speak_japanese():
    out = _cli("facts", str(CASE_A))
    assert "True" not in out and "False" not in out
    assert "はい" in out or "いいえ" in out
    assert "True" in _cli("facts", str(CASE_A), "--format", "json") or "true" in _cli("facts", str(CASE_A), "--format", "json")


def test_rules_list_says_where_the_rules_came_from():
    assert "rules" in _cli("rules", "list").splitlines()[0]


# -- rule bases by version -------------------------------------------------------------


def test_two_versions_of_the_rule_base_assess_the_same_case_side_by_side(tmp_path):
    copy = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", copy)
    params = copy / "parameters.yaml"
    text = params.read_text(encoding="utf-8")
    assert "    value: 0.85\n" in text
    params.write_text(text.replace("    value: 0.85\n", "    value: 0.80\n", 1), encoding="utf-8")
    # without an expected price the voluntary-sale estimate is market value x the changed ratio
    case = load_case_text((ROOT / "examples" / "case_a.yaml").read_text(encoding="utf-8").replace("expected_sale_price: 2400万", "expected_sale_price: null"), "a")
    with Desk() as today, Desk(copy) as changed:
        a, b = today.assess(case), changed.assess(case)
    assert a.ruleset.version != b.ruleset.version
    changed_files = {n for n in a.ruleset.files if a.ruleset.files[n] != b.ruleset.files[n]}
    assert changed_files == {"parameters.yaml"}
    assert a.parameters["voluntary_sale_price_ratio"].value == Decimal("0.85")
    assert b.parameters["voluntary_sale_price_ratio"].value == Decimal("0.80")
    assert b.figures["expected_sale_price"] < a.figures["expected_sale_price"]
    assert b.figures["residual_debt"] > a.figures["residual_debt"]


def test_a_rule_base_loads_from_its_stored_bytes_with_the_same_version(desk):
    stored = {name: bytes(data) for name, data in desk.rule_base.sources.items()}
    again = load_rule_base_from_files(stored, origin="<stored>")
    assert again.version == desk.rule_base.version
    assert again.files == desk.rule_base.files
    case = load_case_file(CASE_A)
    with Desk(files=stored) as replay:
        assert replay.assess(case).to_json() | {"ruleset": None} == desk.assess(case).to_json() | {"ruleset": None}


def test_a_rule_file_name_with_a_folder_is_refused():
    with pytest.raises(RuleBaseError, match="no folder"):
        load_rule_base_from_files({"../parameters.yaml": b""})


# -- dated parameters --------------------------------------------------------------------


def _dated(**extra) -> Parameter:
    return Parameter.model_validate(
        {
            "name": "cap",
            "kind": "yen",
            "title": {"ja": "上限", "en": "cap"},
            "values": [
                {"from": "2018-01-01", "value": 180000, "sources": ["平成29年国土交通省告示1155号"]},
                {"from": "2024-07-01", "value": 300000, "sources": ["令和6年国土交通省告示949号"]},
            ],
            **extra,
        }
    )


def test_the_value_in_force_changes_on_its_date_and_not_before():
    cap = _dated()
    assert cap.at(dt.date(2024, 6, 30)).value == 180000
    assert cap.at(dt.date(2024, 6, 30)).sources == ["平成29年国土交通省告示1155号"]
    assert cap.at(dt.date(2024, 7, 1)).value == 300000
    assert cap.at(dt.date(2024, 7, 1)).sources == ["令和6年国土交通省告示949号"]


def test_dated_values_out_of_order_or_mixed_with_a_single_value_are_refused():
    with pytest.raises(ValueError, match="increasing order"):
        Parameter.model_validate(
            {
                "name": "cap", "kind": "yen", "title": {"ja": "上限", "en": "cap"},
                "values": [
                    {"from": "2024-07-01", "value": 300000, "sources": ["b"]},
                    {"from": "2018-01-01", "value": 180000, "sources": ["a"]},
                ],
            }
        )
    with pytest.raises(ValueError, match="either value"):
        _dated(value=1, sources=["x"])


def test_a_sold_home_takes_the_brokerage_cap_in_force_on_its_sale_date(desk):
    text = """
case_id: sold-2024
as_of: 2026-11-26
debtor: {annual_income: 300万}
sale: {sold: true, sale_date: 2024-06-30, sale_price: 700万}
mortgage: {lender_type: bank, balance: 900万}
"""
    before = desk.assess(load_case_text(text, "a"))
    after = desk.assess(load_case_text(text.replace("2024-06-30", "2024-07-01"), "b"))
    cap_before, cap_after = before.parameters["brokerage_low_price_fee_cap"], after.parameters["brokerage_low_price_fee_cap"]
    assert (cap_before.value, cap_before.on, cap_before.applies_on) == (180000, dt.date(2024, 6, 30), "sale_date")
    assert cap_before.sources == ["平成29年国土交通省告示1155号"]
    assert (cap_after.value, cap_after.in_force_from) == (300000, dt.date(2024, 7, 1))
    assert cap_after.sources == ["令和6年国土交通省告示949号"]
    assert before.figures["brokerage_fee"] == 297000
    assert after.figures["brokerage_fee"] == 330000


@pytest.mark.parametrize("as_of, cap, notice", [("2024-06-30", "180,000", "平成29年国土交通省告示1155号"), ("2024-07-01", "300,000", "令和6年国土交通省告示949号")])
def test_explain_cites_the_notice_of_the_brokerage_cap_in_force(tmp_path, as_of, cap, notice):
    case = tmp_path / "c.yaml"
    case.write_text(
        f"case_id: c\nas_of: {as_of}\ndebtor: {{annual_income: 300万}}\n"
        "property: {market_value: 1000万, expected_sale_price: 700万}\nmortgage: {lender_type: bank, balance: 900万}\n",
        encoding="utf-8",
    )
    out = _cli("explain", str(case), "--rule", "sale.brokerage_low_price_special")
    assert f"params.brokerage_low_price_fee_cap = {cap}" in out
    assert notice in out


def test_validate_runs_the_parameter_checks_assess_runs(tmp_path):
    case = tmp_path / "c.yaml"
    case.write_text(CASE_A.read_text(encoding="utf-8") + "\nassumptions: {auction_price_ratoi: 0.7}\n", encoding="utf-8")
    out = CliRunner().invoke(main, ["validate", str(case)])
    assert out.exit_code == 2
    assert "assumptions.auction_price_ratoi" in out.output


# -- the trace keeps values; the text is written when shown ---------------------


def test_a_firing_records_values_and_the_condition_text_is_written_only_when_shown(desk, monkeypatch):
    from knowledge import evaluate

    written = []
    real = evaluate.describe
    monkeypatch.setattr(evaluate, "describe", lambda *a: written.append(a) or real(*a))
    monkeypatch.setattr("app.assemble._KEPT_CONDITIONS", {})  # not the texts earlier tests had written
    result = desk.assess(load_case_file(CASE_A))
    assert written == []  # every rule fired and every explanation evaluated, no text yet
    firing = result.trace[0]
    assert firing.conditions and firing.conditions[0].values and firing.conditions[0]._written is None
    document = result.to_json("en")
    assert written  # the JSON document writes each condition out
    shown = document["trace"][0]["conditions"][0]["evaluated"]
    assert shown.endswith("✓") and shown == firing.conditions[0].evaluated
    # the text is the same whether written now or read back from a saved result
    again = Result.from_json(json.loads(json.dumps(document), parse_float=Decimal))
    assert again.trace[0].conditions[0].evaluated == shown and "evaluated" not in type(again.trace[0].conditions[0]).model_fields
    # the same conditions with the same values in another assessment: their texts are kept, not written again
    count = len(written)
    assert desk.assess(load_case_file(CASE_A)).to_json("en") == document
    assert len(written) == count


def test_the_desk_resolves_parameters_from_one_table_as_the_function_does(desk):
    from knowledge.parameters import resolve_parameters

    for path in EXAMPLES:
        case = load_case_file(path)
        assert desk.parameters_for(case) == resolve_parameters(case, desk.rule_base.parameters)
    dated = [n for n, p in desk.rule_base.parameters.items() if p.dated]
    assert dated  # the table looks these up per case; the rest it read once
    early = load_case_text("case_id: x\nas_of: 2019-01-01\ndebtor: {annual_income: 300万}\nmortgage: {lender_type: bank, balance: 1000万}\n", "x.yaml")
    late = early.model_copy(update={"as_of": dt.date(2025, 1, 1)})
    a, b = desk.parameters_for(early), desk.parameters_for(late)
    # no sale yet: the sale-dated tax rate is the one in force on as_of
    assert (a["consumption_tax_rate"].default, b["consumption_tax_rate"].default) == (Decimal("0.08"), Decimal("0.1"))
    assert b["consumption_tax_rate"].in_force_from == dt.date(2019, 10, 1)
    single = next(n for n, p in desk.rule_base.parameters.items() if not p.dated)
    assert (a[single].on, b[single].on) == (dt.date(2019, 1, 1), dt.date(2025, 1, 1)) and a[single].in_force_from is None
