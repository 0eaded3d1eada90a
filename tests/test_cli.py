"""The command line as a user meets it: exit codes, languages, and no tracebacks."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from cli import main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))


def run(*args: str, input: str | bytes | None = None):
    result = CliRunner().invoke(main, list(args), input=input)
    assert "Traceback" not in (result.output or ""), result.output
    return result


def test_version():
    result = run("--version")
    assert result.exit_code == 0
    assert "zansai" in result.output


def test_schema_is_a_valid_json_schema_that_accepts_every_example():
    import yaml

    result = run("schema")
    assert result.exit_code == 0
    schema = json.loads(result.output)
    jsonschema.Draft202012Validator.check_schema(schema)
    for path in EXAMPLES:
        instance = json.loads(json.dumps(yaml.safe_load(path.read_text(encoding="utf-8")), default=str))
        jsonschema.validate(instance, schema)


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_every_example_validates_and_assesses(path):
    assert run("validate", str(path)).exit_code == 0
    result = run("assess", str(path), "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["case_id"]
    assert data["ruleset"]["version"] and data["engine"]["name"] == "durable-rules"
    assert any(w["id"] == "consult_professional" for w in data["warnings"])


FIVE_MISTAKES = """\
case_id: bad
debtor:
  anual_income: 300万
  age: -3
mortgage:
  lender_type: banc
  balance: 3百円万
  contract_date: 令和7年13月1日
"""


@pytest.mark.parametrize(
    "lang,words",
    [("ja", ["'annual_income' の誤り", "debtor.age", "mortgage.lender_type", "mortgage.balance", "mortgage.contract_date"]),
     ("en", ["did you mean 'annual_income'", "debtor.age", "mortgage.lender_type", "mortgage.balance", "mortgage.contract_date"])],
)
def test_validate_lists_every_mistake_with_its_field_in_both_languages(lang, words):
    result = run("--lang", lang, "validate", "-", input=FIVE_MISTAKES)
    assert result.exit_code == 2
    for word in words:
        assert word in result.output, (word, result.output)


@pytest.mark.parametrize(
    "payload",
    [b"", b"\x00\x01\xff\xfe garbage", b"- a\n- b\n", b"case_id: [unclosed", b"42"],
    ids=["empty", "binary", "list", "yaml-syntax", "scalar"],
)
def test_bad_input_to_assess_exits_2_with_a_message_and_no_output(payload):
    result = run("assess", "-", input=payload)
    assert result.exit_code == 2
    assert result.output.strip()  # a message, on stderr (mixed in by CliRunner)
    assert "判定結果" not in result.output  # nothing written half-way


def test_english_messages_with_lang_en():
    result = run("assess", "-", "--lang", "en", input=b"")
    assert result.exit_code == 2
    assert any(ch.isascii() for ch in result.output)
    assert "empty" in result.output.lower()


def test_assess_text_report_in_japanese_and_english():
    ja = run("assess", str(ROOT / "examples" / "case_a.yaml"))
    en = run("assess", str(ROOT / "examples" / "case_a.yaml"), "--lang", "en")
    assert ja.exit_code == 0 and en.exit_code == 0
    assert "検討できる進路" in ja.output and "法的助言ではありません" in ja.output
    assert "Options to discuss" in en.output and "not legal advice" in en.output


def test_explain_why_not_an_unknown_path_suggests_the_right_one():
    result = run("explain", str(ROOT / "examples" / "case_a.yaml"), "--why-not", "bankrupcy", "--lang", "en")
    assert result.exit_code != 0
    assert "did you mean bankruptcy" in result.output


def test_rules_list_and_show():
    listing = run("rules", "list")
    assert listing.exit_code == 0
    first_rule = next(line.split(":")[0].strip() for line in listing.output.splitlines() if line.startswith("  ") and "." in line)
    shown = run("rules", "show", first_rule, "--lang", "en")
    assert shown.exit_code == 0
    assert "Sources:" in shown.output


def test_a_broken_rule_folder_is_reported_not_crashed(tmp_path):
    (tmp_path / "parameters.yaml").write_text("parameters: [}", encoding="utf-8")
    result = run("assess", str(ROOT / "examples" / "minimal.yaml"), "--rules", str(tmp_path))
    assert result.exit_code == 3
    assert "parameters.yaml" in result.output


def test_coded_values_quoted_in_messages_read_as_words_not_ids():
    case = (
        "case_id: t\nas_of: 2026-11-26\ndebtor: {annual_income: 300万}\n"
        "mortgage: {lender_type: bank, balance: 2000万}\nresidual_debt: 500万\n"
        "sale: {sold: true, sale_date: 2026-01-10, sale_price: 1500万}\n"
        "other_debts:\n  - {type: tax, creditor: 市役所, balance: 50万}\n"
    )
    result = run("assess", "-", input=case)
    assert result.exit_code == 0, result.output
    assert "市役所への50万円（税金）" in result.output
    assert "（tax）" not in result.output


def test_explain_speaks_the_readers_language_in_its_condition_lines():
    en = run("explain", str(ROOT / "examples" / "case_a.yaml"), "--lang", "en")
    ja = run("explain", str(ROOT / "examples" / "case_a.yaml"))
    assert en.exit_code == 0 and ja.exit_code == 0
    assert "(present) ✓" in en.output and "あり/present" not in en.output
    assert "(あり) ✓" in ja.output and "あり/present" not in ja.output


def test_once_bids_are_opened_the_summary_speaks_of_the_auction_price_not_a_voluntary_sale():
    case = (
        "case_id: bids\nas_of: 2026-11-26\ndebtor: {annual_income: 400万}\n"
        "property: {market_value: 3000万, auction_filed: true, auction_bid_opened: true}\n"
        "mortgage: {lender_type: bank, balance: 3100万, accelerated: true, acceleration_date: 2026-01-10,"
        " subrogated: true, subrogation_date: 2026-02-20, current_creditor: guarantee_company}\n"
    )
    result = run("assess", "-", input=case)
    assert result.exit_code == 0, result.output
    summary = result.output.split("検討できる進路")[0]
    assert "開札済みのため、競売の想定価格2,100万円をもとに" in summary
    assert "任意売却の想定価格" not in summary


def test_a_warning_given_by_two_rules_keeps_what_each_of_them_says():
    result = run("assess", str(ROOT / "examples" / "case_a.yaml"), "--format", "json")
    warning = next(w for w in json.loads(result.output)["warnings"] if w["id"] == "guarantor_not_released")
    assert warning["rules"] == ["guarantors.not_released_by_bankruptcy", "guarantors.not_released_by_rehabilitation"]
    assert "破産法253条2項" in warning["message"] and "民事再生法177条2項" in warning["message"]


@pytest.mark.parametrize(
    "args,japanese,english",
    [
        (["batch", "in.jsonl", "--workers", "0"], "エラー: --workers の値が正しくありません", "0 is not in the range x>=1"),
        (["assess", "--nope"], "エラー: --nope というオプションはありません", "No such option '--nope'"),
        (["assess"], "エラー: CASE の指定が必要です", "Missing argument 'CASE'"),
        (["--lang", "fr", "assess", "x"], "エラー: --lang の値が正しくありません", "'fr' is not one of"),
    ],
)
def test_a_usage_error_is_said_in_japanese_first_then_in_clicks_english(args, japanese, english):
    result = run(*args)
    assert result.exit_code == 2
    first, *rest = result.output.splitlines()
    assert first.startswith(japanese)
    assert english in "\n".join(rest)


def test_outputs_that_would_replace_the_case_or_go_nowhere_are_refused(tmp_path):
    case = tmp_path / "case.yaml"
    case.write_bytes((ROOT / "examples" / "case_a.yaml").read_bytes())
    before = case.read_bytes()
    same = run("--lang", "en", "deadlines", str(case), "--ics", str(case))
    assert same.exit_code == 2 and "--ics" in same.output and case.read_bytes() == before
    for args in (["deadlines", str(case), "--ics", str(tmp_path / "no" / "d.ics")],
                 ["whatif", str(case), "--sweep", "property.expected_sale_price=2000万..2400万:200万", "--plot", str(tmp_path / "no" / "s.png")]):
        out = run("--lang", "en", *args)
        assert out.exit_code == 2 and "does not exist" in out.output, out.output


def test_an_empty_why_not_is_refused_not_read_as_none():
    out = run("--lang", "en", "explain", str(EXAMPLES[0]), "--why-not", "")
    assert out.exit_code == 2 and "--why-not needs a name (it is empty)" in out.output


def test_a_case_too_thin_to_sum_up_says_so_under_its_heading_not_a_blank():
    out = run("assess", str(ROOT / "examples" / "minimal.yaml"))
    lines = out.output.splitlines()
    at = lines.index("いまの状況")
    assert lines[at + 3].startswith("状況をまとめるための情報（住宅ローン・自宅・収入）がまだ足りません")


def test_the_debtors_copy_points_to_no_file_of_the_project():
    advisor = run("assess", str(ROOT / "examples" / "case_a.yaml")).output
    debtor = run("assess", str(ROOT / "examples" / "case_a.yaml"), "--for", "debtor").output
    assert "docs/sources.md" in advisor and "docs/sources.md" not in debtor


def test_explain_in_english_cites_statutes_in_english():
    out = run("--lang", "en", "explain", str(ROOT / "examples" / "case_a.yaml")).output
    assert "Civil Code (民法) art. 369(1)" in out and "民法369条1項" not in out


def test_what_is_kept_with_a_record_is_refused_without_record():
    for option in ("--advisor", "--note", "--db"):
        out = run("--lang", "en", "assess", str(ROOT / "examples" / "case_a.yaml"), option, "x")
        assert out.exit_code == 2 and f"{option} goes with --record" in out.output


def test_rules_and_calendars_cite_the_projects_notes_where_they_are(tmp_path):
    # the rule files write "domain.md §12"; readers find the notes in docs/sources.md
    for args in (["rules", "list"], ["rules", "show", "sale.over_loan"]):
        out = run(*args).output
        assert "docs/sources.md §12" in out and "domain.md" not in out.replace("docs/sources.md", "")
    run("deadlines", str(ROOT / "examples" / "auction_filed.yaml"), "--ics", str(tmp_path / "d.ics"))
    assert "domain.md" not in (tmp_path / "d.ics").read_text(encoding="utf-8")


def test_explain_shows_the_parameters_a_rules_conclusion_read_with_their_values_and_dates():
    out = run("explain", "examples/case_a.yaml", "--rule", "sale.brokerage_band3", "--lang", "en").output
    # read only by the fee's formula, so no condition shows them: each with the value applied
    assert "※ params.brokerage_rate_band3 = 0.03 (" in out
    assert "※ params.consumption_tax_rate = 0.1 (in force from 1 October 2019; Consumption Tax Act (消費税法) art. 29" in out
    # a parameter a condition reads is shown in the condition, not again
    assert "params.brokerage_band2_limit 4,000,000 ✓" in out and "※ params.brokerage_band2_limit" not in out
    data = json.loads(run("assess", "examples/case_a.yaml", "--format", "json").output)
    band3 = next(f for f in data["trace"] if f["rule"] == "sale.brokerage_band3")
    assert {"consumption_tax_rate", "brokerage_rate_band3"} <= set(band3["parameters"])  # what its formula reads
