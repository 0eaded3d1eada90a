"""The web interview asks every field of the case: an imported case comes back from the form unchanged.

A field the form did not ask was dropped from an imported case without a word (a deceased
debtor's date of death, a preferential payment, the loan's guarantor), and the web desk's
answer then differed from the command line's for the same file.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from facts.case import Assets, Budget, Debtor, Guarantor, Mortgage, OtherDebt, Property, Sale
from facts.load import load_case_text, parse_case_data
from web import interview as I

ROOT = Path(__file__).resolve().parent.parent
CASE_A = (ROOT / "examples" / "case_a.yaml").read_text(encoding="utf-8")

# case A with every field the original interview left out
EVERY_FIELD = CASE_A.replace(
    "debtor:\n", "debtor:\n  preferential_payment: true\n  assets_hidden_or_transferred: true\n"
    "  divorce_property_division: true\n  date_of_death: 2026-10-01\n", 1
).replace("mortgage:\n", "mortgage:\n  loan_guarantor: guarantee_company\n  creditor: ○○保証\n", 1)


def test_the_form_has_a_field_for_every_field_of_every_section():
    asked = {s.id: {f.key for f in s.fields} for s in I.sections()}
    for section, model in (("debtor", Debtor), ("mortgage", Mortgage), ("property", Property), ("budget", Budget),
                           ("assets", Assets), ("guarantors", Guarantor), ("other_debts", OtherDebt)):
        assert asked[section] == set(model.model_fields), section
    assert asked["sale"] == (set(Sale.model_fields) - {"sold"}) | {"residual_debt"}  # "sold" is the stage choice


@pytest.mark.parametrize("text", [p.read_text(encoding="utf-8") for p in sorted((ROOT / "examples").glob("*.yaml"))] + [EVERY_FIELD],
                         ids=[p.stem for p in sorted((ROOT / "examples").glob("*.yaml"))] + ["every_field"])
def test_a_case_imported_into_the_form_is_the_same_case_when_the_form_is_sent(text):
    assert "date_of_death" not in text or "preferential_payment: true" in text  # the extra case is what it says
    built = I.build(I.form_values(parse_case_data(text.encode("utf-8"), "in.yaml")))
    assert load_case_text(built.text, "form.yaml") == load_case_text(text, "in.yaml")
