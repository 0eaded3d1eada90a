"""The interview's drop-downs offer exactly the codes the case format accepts.

The form words its options for a form ("Bank", 住宅金融支援機構（旧公庫）), so
it keeps its own wording; what must not drift is the set of codes, against the
case model's choices and the rule base's labels for the same field."""

from __future__ import annotations

import typing

from facts import vocabulary as V
from web import interview as I

CODED = {  # the form's key -> the case model's choices and the rule base's label field
    "lender_type": (V.LenderType, "mortgage.lender_type"),
    "current_creditor": (V.CreditorKind, "mortgage.current_creditor"),
    "type": (V.DebtType, "other_debt.debt_type"),
    "kind": (V.GuarantorKind, "guarantor.kind"),
    "loan_guarantor": (V.LoanGuarantor, "mortgage.loan_guarantor"),
}


def test_every_drop_down_offers_the_case_models_codes_the_rule_base_words(desk):
    choice_fields = [f for section in I.sections() for f in section.fields if f.kind == "choice"]
    assert {f.key for f in choice_fields} == set(I.CHOICES) == set(CODED)
    for f in choice_fields:
        literal, label_field = CODED[f.key]
        assert list(f.choices) == list(typing.get_args(literal)), f.name  # every code, in the format's order
        assert set(f.choices) == set(desk.labels[label_field]), f.name
        assert all(ja and en for ja, en in f.choices.values()), f.name
