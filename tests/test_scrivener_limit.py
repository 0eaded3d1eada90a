"""The ¥1.4 million limit of a certified judicial scrivener applies claim by claim (司法書士法3条1項7号,
最判平成28年6月27日): every other debt over it is named with its creditor (legal review A.11, c12_thresholds,
where only the largest of two such debts was named)."""

from __future__ import annotations

from app.whatif import changed_case
from tests.golden import EXAMPLES

SERVICER = str(EXAMPLES / "post_sale_servicer.yaml")


def _lawyer_messages(desk, other_debts, lang="ja"):
    case = changed_case(desk.load_case(SERVICER), {"residual_debt": 1_000_000, "other_debts": other_debts})
    result = desk.assess(case)
    return [w.message.get(lang) for w in result.warnings if w.id == "lawyer_needed_over_1_4m"]


TWO = [
    {"type": "card_loan", "creditor": "Iカード", "balance": 2_000_000, "monthly_payment": 20_000},
    {"type": "consumer_loan", "creditor": "J社", "balance": 1_600_000, "monthly_payment": 20_000},
    {"type": "car_loan", "creditor": "Kオート", "balance": 1_400_000, "monthly_payment": 20_000},
]


def test_every_other_debt_over_the_limit_is_named_with_its_creditor(desk):
    messages = _lawyer_messages(desk, TWO)
    assert len(messages) == 2
    joined = "\n".join(messages)
    assert "Iカードへの借入200万円（カードローン）" in joined and "J社への借入160万円（消費者金融）" in joined
    assert "Kオート" not in joined  # exactly 1.4 million: a certified scrivener may act


def test_the_english_warnings_name_each_creditor_too(desk):
    joined = "\n".join(_lawyer_messages(desk, TWO, "en"))
    assert "owed to Iカード" in joined and "owed to J社" in joined and "Kオート" not in joined
