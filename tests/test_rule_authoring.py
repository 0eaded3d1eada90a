"""Mistakes a rule author makes are refused by name, before any case runs (an engineer's review).

Each was accepted before: a second ``when:`` silently replaced the first, an
unmatched brace in a message stopped the loader with an internal error, an
empty ``{}`` printed nothing, and a message quoting ``{other_debt.balance}`` in
a rule that matches no debt printed some debt's balance.
"""

from __future__ import annotations

import pytest

from facts.errors import RuleBaseError
from knowledge.load import load_rule_base_from_files, read_rule_files

RULE = """topic: authoring
title: {ja: 作成, en: Authoring}
rules:
  - id: authoring.rule
    title: {ja: テスト, en: A test}
    sources: ["test"]
    when:
      - mortgage.arrears_months > 1
    then:
      - warning: late_damages_accrue
        message: {ja: "JA", en: "EN"}
"""


def problems(text: str) -> list:
    files, _ = read_rule_files()
    files["authoring.yaml"] = text.encode()
    with pytest.raises(RuleBaseError) as caught:
        load_rule_base_from_files(files)
    return caught.value.problems


def test_the_rule_loads_as_written():
    files, _ = read_rule_files()
    files["authoring.yaml"] = RULE.encode()
    assert load_rule_base_from_files(files).rule("authoring.rule")


def test_a_key_given_twice_is_refused_at_its_line():
    text = RULE.replace("    then:\n", "    when:\n      - debtor.age > 1\n    then:\n")
    (p,) = problems(text)
    assert p.location == "authoring.yaml:9:5"  # the second when:
    assert "when" in p.en and "twice" in p.en and "2回" in p.ja


@pytest.mark.parametrize("message", ['"約{figure.residual_debt かかる"', '"残り}"'])
def test_an_unmatched_brace_in_a_message_names_the_rule_and_the_language(message):
    found = problems(RULE.replace('ja: "JA"', f"ja: {message}"))
    assert [p.location for p in found] == ["authoring.yaml: authoring.rule then[0] ja"]
    assert "unmatched brace" in found[0].en and "対応していません" in found[0].ja


@pytest.mark.parametrize("field", ["{}", "{0}"])
def test_an_empty_or_numbered_field_is_refused(field):
    found = problems(RULE.replace('en: "EN"', f'en: "about {field} left"'))
    assert [p.location for p in found] == ["authoring.yaml: authoring.rule then[0] en"]
    assert "name the value quoted" in found[0].en


def test_a_debt_can_be_quoted_only_by_a_rule_that_matches_one():
    found = problems(RULE.replace('en: "EN"', 'en: "about {other_debt.balance}"'))
    assert any("{other_debt.balance} can be read only by a rule whose conditions match a other_debt" in p.en for p in found)
    # matched by a condition, the same quote is fine
    files, _ = read_rule_files()
    files["authoring.yaml"] = RULE.replace('en: "EN"', 'en: "about {other_debt.balance}"').replace(
        "      - mortgage.arrears_months > 1\n", "      - mortgage.arrears_months > 1\n      - other_debt.balance > 0\n").encode()
    assert load_rule_base_from_files(files).rule("authoring.rule")


def test_a_computed_value_cannot_read_a_debt_the_conditions_do_not_match():
    text = RULE.replace("      - warning: late_damages_accrue\n        message: {ja: \"JA\", en: \"EN\"}\n",
                        "      - finding: pre_sale\n        value: other_debt.secured_on_home\n")
    assert any("other_debt.secured_on_home can be read only by a rule whose conditions match" in p.en for p in problems(text))


def _rules_dir(tmp_path, text: str):
    import shutil
    from pathlib import Path

    folder = tmp_path / "rules"
    shutil.copytree(Path(__file__).resolve().parent.parent / "rules", folder)
    (folder / "authoring.yaml").write_text(text, encoding="utf-8")
    return folder


def _check(folder, lang="en"):
    from click.testing import CliRunner

    from cli import main

    return CliRunner().invoke(main, ["rules", "check", "--rules", str(folder), "--lang", lang])


def test_rules_check_passes_the_rule_base_as_shipped(tmp_path):
    result = _check(_rules_dir(tmp_path, RULE.replace('sources: ["test"]', 'sources: ["domain.md §2"]')))
    assert result.exit_code == 0, result.output
    assert "No problems" in result.output and "every source is in docs/sources.md" in result.output


def test_rules_check_finds_what_only_compiling_finds(tmp_path):
    # an `or` comparing with another fact is refused when the rule base is compiled, not when it is read
    text = RULE.replace("      - mortgage.arrears_months > 1\n",
                        "      - mortgage.arrears_months > 1 or debtor.age > params.bankruptcy_review_income_multiple\n")
    folder = _rules_dir(tmp_path, text)
    from click.testing import CliRunner

    from cli import main

    assert CliRunner().invoke(main, ["rules", "list", "--rules", str(folder)]).exit_code == 0  # reading alone passes it
    result = _check(folder)
    assert result.exit_code == 3 and "authoring.rule" in result.output and "Traceback" not in result.output


def test_rules_check_refuses_a_source_docs_sources_md_does_not_list(tmp_path):
    result = _check(_rules_dir(tmp_path, RULE.replace('sources: ["test"]', 'sources: ["老人法3条", "domain.md §44"]')), "ja")
    assert result.exit_code == 3
    assert "authoring.yaml: authoring.rule: 根拠 老人法3条 が docs/sources.md にありません" in result.output
    assert "根拠 domain.md §44 が" in result.output


def test_a_missing_or_unknown_key_is_named_by_rule_id_with_a_suggestion():
    found = problems(RULE.replace("    when:", "    wehn:"))
    assert [(p.location, p.en) for p in found] == [("authoring.yaml: authoring.rule", "unknown key wehn (did you mean when?)")]
    assert found[0].ja == "知らない項目 wehn です（もしかして when?）"
    found = problems(RULE.replace("title: {ja: テスト, en: A test}", "title:\n      ja: テスト\n    en: A test"))
    assert ("authoring.yaml: authoring.rule title.en", "en is required") in [(p.location, p.en) for p in found]
    assert "unknown key en (is it indented wrongly?)" in [p.en for p in found]


def test_a_parameter_value_of_the_wrong_kind_is_one_message_naming_the_parameter():
    files, _ = read_rule_files()
    files["parameters.yaml"] = files["parameters.yaml"].decode().replace(
        "  - name: auction_price_ratio\n    kind: ratio\n    value: 0.70\n",
        "  - name: auction_price_ratio\n    kind: ratio\n    value: 7割\n").encode()
    with pytest.raises(RuleBaseError) as caught:
        load_rule_base_from_files(files)
    assert [(p.location, p.en) for p in caught.value.problems] == [
        ("parameters.yaml: auction_price_ratio value",
         "the value '7割' cannot be read as kind ratio (yen and int are whole numbers, ratio a number, date a date)")]


def test_rules_show_gives_a_parameter_its_values_by_date_with_sources_and_readers():
    from click.testing import CliRunner

    from cli import main

    out = CliRunner().invoke(main, ["rules", "show", "consumption_tax_rate", "--lang", "en"])
    assert out.exit_code == 0, out.output
    assert "Parameter consumption_tax_rate (kind: ratio)" in out.output and "Value chosen on: sale_date" in out.output
    assert "- from 2014-04-01: 0.08" in out.output and "- from 2019-10-01: 0.1" in out.output
    assert "Read by: sale.brokerage_band1" in out.output
    typo = CliRunner().invoke(main, ["rules", "show", "consumption_tax_rat", "--lang", "en"])
    assert typo.exit_code == 2 and "unknown rule or parameter consumption_tax_rat (did you mean consumption_tax_rate?)" in typo.output


def test_a_misspelt_field_is_reported_once():
    found = problems(RULE.replace("mortgage.arrears_months > 1", "debtor.agee > 1"))
    assert [(p.location, p.en) for p in found] == [
        ("authoring.yaml: authoring.rule when[0]", "debtor has no field agee (did you mean age?)")]


@pytest.mark.parametrize("second", ["mortgage.arrears_months <= 1", "missing debtor.age\n      - exists debtor.age"])
def test_conditions_that_cannot_both_hold_are_refused(second):
    found = problems(RULE.replace("      - mortgage.arrears_months > 1\n", f"      - mortgage.arrears_months > 1\n      - {second}\n"))
    assert any(p.en.endswith("cannot both hold: the rule could never fire") for p in found), found


def test_conditions_that_only_look_alike_are_accepted():
    files, _ = read_rule_files()
    files["authoring.yaml"] = RULE.replace("      - mortgage.arrears_months > 1\n",
                                           "      - mortgage.arrears_months > 1\n      - mortgage.arrears_months <= 12\n").encode()
    assert load_rule_base_from_files(files).rule("authoring.rule")


def test_a_yaml_mistake_in_a_rule_file_is_told_in_japanese_without_pyyaml_s_own_location():
    (p,) = problems(RULE.replace('        message: {ja: "JA", en: "EN"}', '      message: {ja: "JA", en: "EN"}'))
    assert p.location == "authoring.yaml:11:7"
    assert p.ja == "YAML として読めません: リストの「-」があるべき位置です（字下げを確認してください）"
    assert p.en.startswith("not valid YAML: did not find expected '-' indicator") and "<unicode string>" not in p.en
