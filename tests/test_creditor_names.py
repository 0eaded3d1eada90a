"""The creditor and the lender are named as the case gives them (legal review A.13, c01_assoc_oldlaw):
a guarantee association is not called a guarantee company (its recourse claim runs 10 years under
the old law precisely because it is not a company), and a labour bank or shinkin bank is not 'the bank'."""

from __future__ import annotations

from app.whatif import changed_case
from render.report import render
from tests.golden import EXAMPLES

OVER_LOAN = str(EXAMPLES / "over_loan_800.yaml")


def _assess(desk, **mortgage):
    return desk.assess(changed_case(desk.load_case(OVER_LOAN), {f"mortgage.{k}": v for k, v in mortgage.items()}))


def test_a_guarantee_association_and_a_labour_bank_are_named_as_such(desk):
    result = _assess(desk, lender_type="labour_bank", loan_guarantor="guarantee_association")
    w = next(w for w in result.warnings if w.id == "creditor_guarantee_association")
    assert w.message.ja.startswith("保証協会が労働金庫に立て替えて払った")
    assert "保証会社" not in w.message.ja and "銀行" not in w.message.ja
    assert "guarantee association has repaid the labour bank" in w.message.en
    assert "subrogation: the guarantor (a guarantee company or association) repays the lender" in render(result, "en")


def test_a_guarantee_company_of_a_shinkin_loan_is_named_with_the_shinkin_bank(desk):
    w = next(w for w in _assess(desk, lender_type="shinkin", loan_guarantor="guarantee_company").warnings
             if w.id == "creditor_guarantee_company")
    assert w.message.ja.startswith("保証会社が信用金庫に立て替えて払った") and "銀行ではなく" not in w.message.ja
    assert "repaid the shinkin bank" in w.message.en


def test_a_bank_loan_still_reads_as_before(desk):
    w = next(w for w in _assess(desk, lender_type="bank").warnings if w.id == "creditor_guarantee_company")
    assert w.message.ja.startswith("保証会社が銀行に立て替えて払った（代位弁済）ため、残債を請求してくるのは銀行ではなく保証会社です。")
    assert "repaid the bank on the debtor's behalf" in w.message.en
