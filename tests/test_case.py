"""The case file contract: examples, validation problems, contradictions, file-level failures."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import sys
import typing
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from pydantic import BaseModel

from facts.errors import InputError, Problem
from facts.case import Case, case_json_schema
from facts.load import load_case_file, load_case_text, validate_problems

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
EXAMPLE_FILES = sorted(EXAMPLES.glob("*.yaml"))
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def problems_of(text: str | bytes, source: str = "case.yaml") -> list[Problem]:
    with pytest.raises(InputError) as caught:
        load_case_text(text, source)
    problems = caught.value.problems
    assert problems, "an InputError must say what is wrong"
    return problems


def by_location(problems: list[Problem]) -> dict[str, Problem]:
    located = {p.location: p for p in problems}
    assert len(located) == len(problems), f"two problems at one location: {problems}"
    return located


def assert_bilingual(problem: Problem) -> None:
    assert problem.ja and problem.en
    assert JAPANESE.search(problem.ja), problem.ja
    assert re.search(r"[A-Za-z]{3}", problem.en), problem.en
    assert problem.ja != problem.en


VALID = """\
case_id: "t-1"
as_of: 2026-11-26
debtor:
  annual_income: 360万
mortgage:
  lender_type: bank
  balance: 3100万
"""


# --------------------------------------------------------------------------- examples


def test_the_expected_examples_exist():
    assert [p.name for p in EXAMPLE_FILES] == [
        "auction_filed.yaml",
        "case_a.yaml",
        "limitation_old.yaml",
        "minimal.yaml",
        "over_loan_800.yaml",
        "post_sale_servicer.yaml",
        "rehabilitation_600.yaml",
        "restricted_occupation.yaml",
        "under_loan.yaml",
        "welfare_no_capacity.yaml",
    ]


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_every_example_is_valid_and_reproducible(path):
    assert validate_problems(path) == []
    case = load_case_file(path)
    # An explicit as_of keeps the examples' conclusions from drifting with the calendar.
    assert re.search(r"^as_of: 2026-11-26$", path.read_text(encoding="utf-8"), re.M)
    assert case.as_of == dt.date(2026, 11, 26)


def example(name: str) -> Case:
    return load_case_file(EXAMPLES / f"{name}.yaml")


def test_case_a_matches_the_article():
    case = example("case_a")
    assert case.mortgage.balance == 31_000_000
    assert case.property is not None and case.property.expected_sale_price == 24_000_000
    assert case.mortgage.contract_date is not None
    assert case.as_of.year - case.mortgage.contract_date.year == 5
    assert case.budget is not None
    [spouse] = case.guarantors
    assert (spouse.relation, spouse.kind, spouse.informed) == ("spouse", "joint_guarantor", False)
    assert [d.type for d in case.other_debts] == ["card_loan"]


def test_article_figures_in_the_other_examples():
    under = example("under_loan")
    assert (under.mortgage.balance, under.property.expected_sale_price) == (20_000_000, 25_000_000)

    over = example("over_loan_800")
    assert over.sale is not None and over.sale.sold and over.property is None
    assert (over.mortgage.balance, over.sale.sale_price) == (30_000_000, 22_000_000)

    rehab = example("rehabilitation_600")
    assert rehab.sale is not None and rehab.sale.sold
    assert rehab.residual_debt + sum(d.balance for d in rehab.other_debts) == 6_000_000
    assert rehab.debtor.income_stable and rehab.debtor.wage_earner
    assert "card_loan" in {d.type for d in rehab.other_debts}


def test_situation_examples_show_their_situation():
    servicer = example("post_sale_servicer")
    assert servicer.sale.sold and servicer.mortgage.subrogated and servicer.mortgage.current_creditor == "servicer"

    old = example("limitation_old")
    five_years_before = old.as_of.replace(year=old.as_of.year - 5)
    assert old.mortgage.last_payment_date < five_years_before
    assert old.mortgage.court_title_date is None
    assert old.mortgage.subrogated and old.mortgage.current_creditor == "guarantee_company"

    assert example("welfare_no_capacity").debtor.on_welfare
    assert example("restricted_occupation").debtor.occupation == "警備員"

    auction = example("auction_filed").property
    assert auction.auction_filed and not auction.auction_bid_opened


def test_minimal_example_has_only_required_fields():
    data = yaml.safe_load((EXAMPLES / "minimal.yaml").read_text(encoding="utf-8"))
    assert data == {
        "case_id": "minimal",
        "as_of": dt.date(2026, 11, 26),  # not required, but kept for reproducibility
        "debtor": {"annual_income": "300万"},
        "mortgage": {"lender_type": "bank", "balance": "2000万"},
    }
    case = load_case_text((EXAMPLES / "minimal.yaml").read_bytes(), "minimal.yaml")
    assert case.budget is None and case.property is None and case.sale is None and case.assets is None
    # Every omitted field takes the documented default.
    assert case.other_debts == [] and case.guarantors == [] and case.assumptions == {}
    assert case.debtor.on_welfare is False and case.mortgage.accelerated is False


def test_the_required_fields_are_exactly_these():
    for field in ("case_id", "debtor", "mortgage"):
        data = yaml.safe_load(VALID)
        del data[field]
        assert [p.location for p in problems_of(json.dumps(data, default=str))] == [field]
    for section, field in (("debtor", "annual_income"), ("mortgage", "lender_type"), ("mortgage", "balance")):
        data = yaml.safe_load(VALID)
        del data[section][field]
        [problem] = problems_of(json.dumps(data, default=str))
        assert problem.location == f"{section}.{field}"
        assert "required" in problem.en and "必須" in problem.ja


# --------------------------------------------------------------------------- field problems


FIVE_MISTAKES = """\
case_id: "t-5"
as_of: 2026-11-26
debtor:
  annual_income: 360万
  ocupation: 警備員
mortgage:
  lender_type: megabank
  balance: -5万
  contract_date: 2025-02-30
other_debts:
  - type: card_loan
    balance: 1,23万
"""


def test_five_mistakes_give_five_problems_each_naming_its_field():
    problems = problems_of(FIVE_MISTAKES)
    located = by_location(problems)
    assert set(located) == {
        "debtor.ocupation",
        "mortgage.lender_type",
        "mortgage.balance",
        "mortgage.contract_date",
        "other_debts[0].balance",
    }
    assert "did you mean 'occupation'" in located["debtor.ocupation"].en
    assert "'megabank'" in located["mortgage.lender_type"].en
    assert "'-5万'" in located["mortgage.balance"].en and "negative" in located["mortgage.balance"].en
    # Unquoted, YAML itself cannot read 2025-02-30; the date field must still report it.
    assert "'2025-02-30'" in located["mortgage.contract_date"].ja
    assert "'1,23万'" in located["other_debts[0].balance"].ja
    for problem in problems:
        assert_bilingual(problem)


def test_a_misspelt_required_key_is_both_unknown_and_missing():
    located = by_location(problems_of("case_id: x\ndebtor: {anual_income: 360万}\nmortgage: {lender_type: bank, balance: 1}\n"))
    assert set(located) == {"debtor.anual_income", "debtor.annual_income"}
    assert "did you mean 'annual_income'?" in located["debtor.anual_income"].en
    assert "missing" in located["debtor.annual_income"].en


def test_problems_render_as_location_and_message_in_each_language():
    problems = by_location(problems_of(FIVE_MISTAKES))
    balance = problems["mortgage.balance"]
    assert balance.line("en") == "mortgage.balance: " + balance.en
    assert balance.line("ja").startswith("mortgage.balance: 金額 '-5万'")


@pytest.mark.parametrize(
    ("yaml_text", "location", "suggestion"),
    [
        ("anual_income: 1\n", "anual_income", None),  # top level: not close to any top-level key
        ("debtor: {annual_income: 1, anual_income: 1}\n", "debtor.anual_income", "annual_income"),
        ("debtor: {annual_income: 1, ocupation: x}\n", "debtor.ocupation", "occupation"),
        ("mortage: {}\n", "mortage", "mortgage"),
        ("other_debts: [{type: tax, balanse: 1}]\n", "other_debts[0].balanse", "balance"),
        ("assumption: {}\n", "assumption", "assumptions"),
    ],
)
def test_unknown_key_is_an_error_with_a_suggestion(yaml_text, location, suggestion):
    located = by_location(problems_of(yaml_text))
    problem = located[location]
    if suggestion:
        assert f"did you mean '{suggestion}'?" in problem.en
        assert f"'{suggestion}' の誤りではありませんか" in problem.ja
    else:
        # With nothing close, the message lists what is allowed instead.
        assert "case_id" in problem.en and "case_id" in problem.ja


def test_a_key_that_is_not_text_is_reported_without_a_fake_index():
    [problem] = problems_of(VALID + "1: x\n")
    assert (problem.location, problem.en) == ("", "the key 1 must be text")
    located = by_location(problems_of("case_id: a\nmortgage: {lender_type: bank, balance: 1}\ndebtor: {annual_income: 1, null: 2}\n"))
    assert located["debtor"].en == "the key null must be text"
    assert "文字列" in located["debtor"].ja


def test_wrong_enum_lists_the_allowed_values():
    located = by_location(problems_of("guarantors: [{kind: spouse}]\nmortgage: {lender_type: bank, balance: 1, current_creditor: Servicer}\n"))
    kind = located["guarantors[0].kind"]
    assert "'spouse'" in kind.en
    assert "joint_guarantor, joint_debtor, guarantor" in kind.en and "joint_guarantor, joint_debtor, guarantor" in kind.ja
    assert "bank, guarantee_company, servicer, jhf" in located["mortgage.current_creditor"].en


@pytest.mark.parametrize(
    ("fragment", "location", "words"),
    [
        ("debtor: {annual_income: 1, age: 四十}", "debtor.age", "whole number"),
        ("debtor: {annual_income: 1, on_welfare: maybe}", "debtor.on_welfare", "true or false"),
        ("debtor: {annual_income: 1, household_size: 0}", "debtor.household_size", "at least 1"),
        ("debtor: 5", "debtor", "mapping"),
        ("other_debts: {type: tax}", "other_debts", "list"),
        ("debtor: {annual_income: 3百万x}", "debtor.annual_income", "'3百万x'"),
        ("as_of: 令和1年4月30日", "as_of", "began on 2019-05-01"),
        ("as_of: 2026-11-26 10:00:00", "as_of", "without a time"),
        ("mortgage: {lender_type: bank, balance: 1, late_damage_rate: 146%}", "mortgage.late_damage_rate", "'146%'"),
        ("assumptions: {auction_price_ratio: [0.7]}", "assumptions.auction_price_ratio", "a number, a date or a string"),
        ("assumptions: {auction_price_ratio: true}", "assumptions.auction_price_ratio", "a number, a date or a string"),
        ("assumptions: {auction_price_ratio: [0.7, 0.8]}", "assumptions.auction_price_ratio", "a number, a date or a string"),
        ('case_id: ""', "case_id", "empty"),
        ('case_id: "  "', "case_id", "empty"),
    ],
)
def test_bad_values_name_the_field(fragment, location, words):
    located = by_location(problems_of(fragment + "\n"))
    assert words in located[location].en
    assert_bilingual(located[location])


# --------------------------------------------------------------------------- contradictions


def with_changes(**sections) -> str:
    data = yaml.safe_load(VALID)
    for key, value in sections.items():
        if isinstance(value, dict) and isinstance(data.get(key), dict):
            data[key].update(value)
        else:
            data[key] = value
    return json.dumps(data, default=str, ensure_ascii=False)


CONTRADICTIONS = [
    (
        {"sale": {"sold": True}},
        "sale.sold, sale.sale_price, residual_debt",
    ),
    (
        {"mortgage": {"accelerated": True, "acceleration_date": "2026-03-01", "subrogated": True, "subrogation_date": "2026-02-01"}},
        "mortgage.subrogation_date, mortgage.acceleration_date",
    ),
    ({"mortgage": {"subrogated": True}}, "mortgage.subrogated, mortgage.accelerated"),
    ({"mortgage": {"accelerated": True, "subrogated": True, "loan_guarantor": "none"}}, "mortgage.subrogated, mortgage.loan_guarantor"),
    ({"mortgage": {"acceleration_date": "2026-03-01"}}, "mortgage.acceleration_date, mortgage.accelerated"),
    (
        {"mortgage": {"accelerated": True, "subrogation_date": "2026-03-01"}},
        "mortgage.subrogation_date, mortgage.subrogated",
    ),
    ({"mortgage": {"current_creditor": "guarantee_company"}}, "mortgage.current_creditor, mortgage.subrogated"),
    (
        {"mortgage": {"contract_date": "2020-01-01", "last_payment_date": "2019-12-27"}},
        "mortgage.last_payment_date, mortgage.contract_date",
    ),
    ({"mortgage": {"last_payment_date": "2026-12-27"}}, "mortgage.last_payment_date, as_of"),
    ({"mortgage": {"court_title_date": "令和9年1月1日"}}, "mortgage.court_title_date, as_of"),
    ({"debtor": {"prior_discharge_date": "2027-01-01"}}, "debtor.prior_discharge_date, as_of"),
    ({"sale": {"sold": True, "sale_price": 1, "sale_date": "2026-12-01"}}, "sale.sale_date, as_of"),
    ({"guarantors": [{"kind": "guarantor", "guarantee_date": "2030-01-01"}]}, "guarantors[0].guarantee_date, as_of"),
    ({"sale": {"sold": True, "sale_price": 1}, "property": {"market_value": 1}}, "sale.sold, property"),
    ({"property": {"market_value": 1, "auction_bid_opened": True}}, "property.auction_bid_opened, property.auction_filed"),
    ({"sale": {"sale_price": 100, "sale_costs": 200}}, "sale.sale_costs, sale.sale_price"),
    ({"residual_debt": 100, "sale": {"sold": False}}, "residual_debt, sale.sold"),
    ({"residual_debt": 100, "property": {"market_value": 1}}, "residual_debt, property"),
]


@pytest.mark.parametrize(("changes", "location"), CONTRADICTIONS, ids=[c[1] for c in CONTRADICTIONS])
def test_a_contradiction_names_every_field_involved(changes, location):
    [problem] = problems_of(with_changes(**changes))
    assert problem.location == location
    assert_bilingual(problem)


def test_the_fields_that_look_contradictory_but_are_not():
    # A sale not yet closed may have a scheduled date after as_of; a fixed residual
    # with a sold home and no price is complete; after an auction there is no sale section.
    for changes in (
        {"sale": {"sold": False, "sale_date": "2027-01-15"}},
        {"sale": {"sold": True, "sale_date": "2026-01-15"}, "residual_debt": "700万"},
        {"residual_debt": "700万"},
        {"mortgage": {"current_creditor": "servicer"}},  # JHF hands claims to servicers without subrogation
    ):
        load_case_text(with_changes(**changes), "case.json")


def test_all_contradictions_are_reported_together():
    text = with_changes(
        mortgage={"subrogated": True, "acceleration_date": "2026-01-01", "last_payment_date": "2027-01-01"},
        sale={"sold": True},
    )
    # Section checks run before the whole-case checks, which need valid sections.
    assert {p.location for p in problems_of(text)} == {
        "mortgage.subrogated, mortgage.accelerated",
        "mortgage.acceleration_date, mortgage.accelerated",
    }
    text = with_changes(mortgage={"last_payment_date": "2027-01-01"}, sale={"sold": True})
    assert {p.location for p in problems_of(text)} == {
        "mortgage.last_payment_date, as_of",
        "sale.sold, sale.sale_price, residual_debt",
    }


# --------------------------------------------------------------------------- the file as a whole


def test_bom_is_tolerated_in_bytes_and_text():
    assert load_case_text(b"\xef\xbb\xbf" + VALID.encode("utf-8"), "bom.yaml").case_id == "t-1"
    assert load_case_text("\ufeff" + VALID, "bom.yaml").case_id == "t-1"


def test_json_is_read_as_json():
    data = yaml.safe_load((EXAMPLES / "case_a.yaml").read_text(encoding="utf-8"))
    text = json.dumps(data, default=str, ensure_ascii=False, indent="\t")  # tabs: not valid YAML indentation
    assert load_case_text(text, "case_a.json") == example("case_a")


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"", "empty"),
        (b"  \n\n", "empty"),
        ("# コメントだけ\n", "no content"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        (bytes(range(256)), "binary"),
        (b"case_id: \x82\xa0\n", "not valid UTF-8 (at byte 9)"),  # Shift_JIS "あ"
        ("- case_id: x\n", "not a list"),
        ("42\n", "not a single value"),
        ('"just text"', "not a single value"),
    ],
)
def test_unreadable_files_give_one_clean_problem(content, words):
    [problem] = problems_of(content, source="broken.yaml")
    assert problem.location == "broken.yaml"
    assert words in problem.en
    assert_bilingual(problem)


def test_yaml_syntax_error_has_line_and_column():
    [problem] = problems_of("case_id: x\ndebtor:\n  annual_income: [360万\n", source="s.yaml")
    assert re.fullmatch(r"s\.yaml:\d+:\d+", problem.location)
    assert "YAML syntax error at line" in problem.en and "YAML の書式に誤り" in problem.ja


def test_json_syntax_error_has_line_and_column():
    [problem] = problems_of('{\n  "case_id": "x",\n}\n', source="c.json")
    assert problem.location == "c.json:3:1"
    assert "JSON syntax error at line 3, column 1" in problem.en


def test_a_key_given_twice_is_an_error():
    [problem] = problems_of("case_id: a\ndebtor:\n  annual_income: 1\n  annual_income: 2\n", source="d.yaml")
    assert problem.location == "d.yaml:4:3"
    assert "'annual_income' is given twice" in problem.en and "重複" in problem.ja
    [problem] = problems_of('{"case_id": "a", "case_id": "b"}', source="d.json")
    assert "'case_id' is given twice" in problem.en


def test_yaml_tags_cannot_build_python_objects():
    [problem] = problems_of("case_id: !!python/object/apply:os.system ['true']\n")
    assert problem.location == "case.yaml:1:10"
    assert "the YAML tag '!!python/object/apply:os.system' is not supported" in problem.en
    assert "YAML のタグ" in problem.ja and "使えません" in problem.ja


def test_load_case_file_reads_stdin_and_reports_missing_files(monkeypatch, tmp_path):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(VALID.encode("utf-8"))))
    assert load_case_file("-").case_id == "t-1"

    missing = tmp_path / "nope.yaml"
    with pytest.raises(InputError) as caught:
        load_case_file(missing)
    assert caught.value.problems == [Problem(str(missing), "ファイルが見つかりません", "file not found")]
    assert validate_problems(tmp_path)[0].en == "this is a directory, not a file"


def test_validate_problems_lists_every_problem(tmp_path):
    path = tmp_path / "five.yaml"
    path.write_text(FIVE_MISTAKES, encoding="utf-8")
    assert len(validate_problems(path)) == 5


# --------------------------------------------------------------------------- model details


def test_as_of_defaults_to_today():
    assert load_case_text(VALID.replace("as_of: 2026-11-26\n", ""), "c.yaml").as_of == dt.date.today()


def test_an_unquoted_numeric_case_id_is_still_an_id():
    assert load_case_text(VALID.replace('"t-1"', "20260412"), "c.yaml").case_id == "20260412"


def test_assumption_floats_become_exact_decimals():
    case = load_case_text(VALID + "assumptions:\n  auction_price_ratio: 0.70\n  capacity_horizon_months: 60\n", "c.yaml")
    assert case.assumptions == {"auction_price_ratio": Decimal("0.70"), "capacity_horizon_months": 60}
    assert str(case.assumptions["auction_price_ratio"]) == "0.7"


def _models(model: type[BaseModel], seen: set | None = None):
    seen = set() if seen is None else seen
    if model in seen:
        return seen
    seen.add(model)
    for field in model.model_fields.values():
        for candidate in _nested_types(field.annotation):
            if isinstance(candidate, type) and issubclass(candidate, BaseModel):
                _models(candidate, seen)
    return seen


def _nested_types(annotation):
    yield annotation
    for arg in typing.get_args(annotation):
        yield from _nested_types(arg)


def test_every_field_is_described_in_both_languages():
    models = _models(Case)
    assert len(models) == 9
    for model in models:
        for name, field in model.model_fields.items():
            assert field.description, f"{model.__name__}.{name} has no description"
            ja, sep, en = field.description.partition(" / ")
            assert sep and JAPANESE.search(ja) and en, f"{model.__name__}.{name}: {field.description!r}"


def test_every_model_forbids_unknown_keys():
    for model in _models(Case):
        assert model.model_config.get("extra") == "forbid", model.__name__


def _json_ready(value):
    if isinstance(value, dict):
        return {k: _json_ready(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_ready(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_the_published_schema_accepts_every_example(path):
    jsonschema = pytest.importorskip("jsonschema")
    schema = case_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    data = _json_ready(yaml.safe_load(path.read_text(encoding="utf-8")))
    jsonschema.validate(data, schema, cls=jsonschema.Draft202012Validator)


def test_the_published_schema_rejects_unknown_keys():
    jsonschema = pytest.importorskip("jsonschema")
    data = _json_ready(yaml.safe_load(VALID))
    data["debtor"]["anual_income"] = 1
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, case_json_schema(), cls=jsonschema.Draft202012Validator)
