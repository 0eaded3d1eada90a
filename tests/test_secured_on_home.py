"""other_debts[].secured_on_home: the schema carries it, and impossible combinations are refused."""

from __future__ import annotations

import pytest

from facts.errors import InputError
from facts.case import case_json_schema
from facts.load import load_case_text

BASE = """
case_id: t
as_of: 2026-11-26
debtor: {annual_income: 380万}
property: {market_value: 2800万, junior_liens: %(junior)d}
mortgage: {lender_type: bank, balance: 2000万}
other_debts:
  - {type: %(type)s, balance: 100万, secured_on_home: true}
  - {type: other, balance: 50万, secured_on_home: %(second)s}
"""


def problems(text: str):
    with pytest.raises(InputError) as caught:
        load_case_text(text, "case.yaml")
    return caught.value.problems


def test_the_schema_describes_secured_on_home():
    debt = case_json_schema()["$defs"]["OtherDebt"]["properties"]["secured_on_home"]
    assert debt["type"] == "boolean"
    assert debt["default"] is False
    assert "抵当権" in debt["description"]


def test_a_tax_cannot_be_secured_by_a_mortgage():
    found = problems(BASE % {"type": "tax", "junior": 0, "second": "false"})
    assert any("other_debts[0].secured_on_home" in p.location and "tax" in p.en for p in found), found


def test_fewer_junior_liens_than_secured_debts_is_a_contradiction():
    found = problems(BASE % {"type": "other", "junior": 1, "second": "true"})
    assert any("property.junior_liens" in p.location and "(1)" in p.en and "(2)" in p.en for p in found), found


@pytest.mark.parametrize("junior", [0, 2, 3])
def test_junior_liens_zero_or_at_least_the_secured_debts_is_accepted(junior):
    case = load_case_text(BASE % {"type": "other", "junior": junior, "second": "true"}, "case.yaml")
    assert [d.secured_on_home for d in case.other_debts] == [True, True]


def test_the_schema_describes_the_mortgage_creditor():
    creditor = case_json_schema()["$defs"]["Mortgage"]["properties"]["creditor"]
    assert {"type": "string", "maxLength": 200} in creditor["anyOf"]
    assert "ペアローン" in creditor["description"] and "pair loan" in creditor["description"]
