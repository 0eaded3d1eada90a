"""A joint debtor (連帯債務者) is a debtor, not a guarantor: nothing said about one may call them 保証人."""

from __future__ import annotations

import re

import pytest

from app.desk import Desk
from facts.load import load_case_text

CASE = """
case_id: jd
as_of: 2026-11-26
debtor: {annual_income: 400万, monthly_take_home: 25万, income_stable: true}
budget: {rent: 7万, food: 5万}
sale: {sold: true, sale_date: 2026-06-30, sale_price: 2000万}
residual_debt: 500万
mortgage: {lender_type: bank, balance: 2500万, contract_date: 2015-04-01, last_payment_date: 2026-06-30}
other_debts:
  - {type: card_loan, creditor: "Aカード", balance: 100万}
guarantors:
  - {name: "妻", relation: spouse, kind: %s, informed: false}
"""

# A joint debtor's text may name the word only to say they are not one ("保証人ではなく") or in
# a title shared by both kinds ("保証人・連帯債務者").
GUARANTOR = re.compile(r"保証人(?!ではなく|・連帯債務者)")


@pytest.fixture(scope="module")
def assessor():
    with Desk() as a:
        yield a


def test_nothing_said_about_a_joint_debtor_calls_them_a_guarantor(assessor):
    result = assessor.assess(load_case_text(CASE % "joint_debtor", "jd.yaml"))
    about = [w for w in result.warnings if any(a.startswith("guarantor_") for a in w.about)]
    assert {w.id for w in about} >= {"guarantor_not_informed", "joint_debtor_full_claim"}
    offending = [f"{w.id}: {w.title.ja} / {w.message.ja}" for w in about if GUARANTOR.search(w.title.ja + w.message.ja)]
    assert not offending, "\n".join(offending)


def test_a_joint_guarantor_is_still_called_one(assessor):
    result = assessor.assess(load_case_text(CASE % "joint_guarantor", "jg.yaml"))
    told = next(w for w in result.warnings if w.id == "guarantor_not_informed")
    assert "連帯保証人" in told.message.ja
