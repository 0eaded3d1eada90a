"""The household budget statement a servicer asks for (生活状況申告書・家計収支表), as a view for its template.

Every amount comes from the Result's figures and facts; with the case, a
budget line it leaves out stays a blank to fill in by hand, never a number
zansai made up.
"""

from __future__ import annotations

from typing import Any

from app.result import Result
from facts import display
from facts.builder import LIVING_COST_LINES
from facts.case import Budget, Case
from facts.text import Labels
from render.documents.common import Line, Reason, gloss, wording

_WORDING: dict[str, dict[str, str]] = {
    "budget_title": {"ja": "生活状況申告書・家計収支表", "en": "Statement of living situation and household budget"},
    "draft": {"ja": "下書き（zansai が事案の入力から作成。空欄は手書きで記入してください）",
              "en": "Draft (prepared by zansai from the case as entered; fill in the blanks by hand)"},
    "submitted_to": {"ja": "提出先", "en": "To"},
    "date": {"ja": "作成日", "en": "Date"},
    "applicant": {"ja": "申告者", "en": "Applicant"},
    "name": {"ja": "氏名", "en": "Name"},
    "address": {"ja": "住所", "en": "Address"},
    "phone": {"ja": "電話番号", "en": "Phone"},
    "employer": {"ja": "勤務先", "en": "Employer"},
    "age": {"ja": "年齢", "en": "Age"},
    "occupation": {"ja": "職業", "en": "Occupation"},
    "household": {"ja": "世帯人数", "en": "People in the household"},
    "annual_income": {"ja": "額面年収", "en": "Gross annual income"},
    "welfare": {"ja": "生活保護の受給", "en": "Public assistance"},
    "yes": {"ja": "あり", "en": "yes"},
    "no": {"ja": "なし", "en": "no"},
    "income": {"ja": "収入（月額・手取り）", "en": "Income (monthly, take-home)"},
    "take_home": {"ja": "本人の手取り月収", "en": "Debtor's take-home pay"},
    "expenses": {"ja": "支出（月額）", "en": "Expenses (monthly)"},
    "living_costs": {"ja": "生活費の合計", "en": "Living costs in total"},
    "other_debt_payments": {"ja": "他の借入れへの現在の返済（参考）", "en": "Current payments on other debts (for reference)"},
    "other_debt_payments_note": {"ja": "返済原資の計算には含めません。", "en": "Not subtracted from the capacity."},
    "capacity_title": {"ja": "返済原資と提案する月額", "en": "Repayment capacity and the proposed monthly payment"},
    "capacity": {"ja": "毎月返済に回せる額（返済原資）", "en": "What can go to repayment each month (capacity)"},
    "capacity_formula": {"ja": "本人の手取り月収 ＋ その他の収入 − 生活費の合計", "en": "take-home pay + other income − living costs"},
    "ceiling": {"ja": "分割額の上限（家計から計算）", "en": "Installment ceiling (from the budget)"},
    "offer": {"ja": "提案する月額", "en": "Proposed monthly payment"},
    "offer_range": {"ja": "{low}〜{high}の範囲で、続けられる額", "en": "an amount that can be kept up, between {low} and {high}"},
    "offer_ceiling": {"ja": "{high}（家計から計算した上限で、これより低い額から始める余地はありません）",
                      "en": "{high} (the ceiling the budget allows; there is no lower amount to start from)"},
    "offer_blank": {"ja": "月額 ＿＿＿＿＿＿ 円（相談のうえ記入）", "en": "¥ ________ a month (to agree and fill in)"},
    "months": {"ja": "上限額で払った場合の完済までの月数", "en": "Months to repay at the ceiling"},
    "reasoning": {"ja": "この額の根拠", "en": "How these amounts were reached"},
    "not_listed": {"ja": "この事案では分割返済は進路に挙がっていないため、提案する月額は記入していません。",
                   "en": "Installments are not among this case's options, so no monthly amount is proposed."},
    "debts": {"ja": "借入れの状況", "en": "Debts"},
    "creditor": {"ja": "債権者", "en": "Creditor"},
    "kind": {"ja": "種類", "en": "Kind"},
    "balance": {"ja": "残高", "en": "Balance"},
    "monthly": {"ja": "月々の返済額", "en": "Monthly payment"},
    "residual": {"ja": "住宅ローンの残債", "en": "Mortgage residual"},
    "residual_expected": {"ja": "住宅ローンの残債（売却後の見込み）", "en": "Mortgage residual (expected after the sale)"},
    "mortgage_balance": {"ja": "住宅ローンの残高", "en": "Mortgage balance"},
    "assets": {"ja": "資産", "en": "Assets"},
    "cash": {"ja": "現金・預貯金", "en": "Cash and savings"},
    "surrender": {"ja": "保険の解約返戻金", "en": "Insurance surrender value"},
    "car": {"ja": "自動車", "en": "Car"},
    "other_assets": {"ja": "その他の資産", "en": "Other assets"},
    "declaration": {"ja": "上記のとおり申告します。", "en": "I declare the above to be true."},
    "signature": {"ja": "署名", "en": "Signature"},
    "blank_note": {"ja": "空欄は事案に記載がない項目です。", "en": "Blank lines are what the case does not give."},
    "caution": {"ja": "提出の前に確認してください（この頁は提出しません）", "en": "Check before sending (do not send this page)"},
}

# The budget figures a servicer reads, in the order the reasoning is shown.
_BUDGET_FIGURES = ("monthly_capacity", "proposed_monthly_payment", "installment_offer_high", "months_to_repay")

# The texts glossed in English, in the order a statute is glossed the first time it is cited.
_GLOSSED = ("blocked", "cautions", "reasons", "capacity_lines")


def _label(model_field: Any, lang: str) -> str:
    """A budget line's label from the case model's own description ("家賃 / Rent")."""
    ja, _, en = (model_field.description or "").partition(" / ")
    text = ja if lang == "ja" else en
    return text.split("（")[0] if lang == "ja" else text


def _yen(value: Any, lang: str) -> str | None:
    return None if value is None else display.yen(int(value), lang, table=True)


def _reasons(result: Result, names: tuple[str, ...], lang: str) -> list[Reason]:
    """The rules behind the figures, as the trace recorded them: title, note, sources (each once)."""
    out: list[Reason] = []
    seen: set[str] = set()
    for name in names:
        info = result.figure_info.get(name)
        if info is None or name not in result.figures:
            continue
        for firing in result.firings_of(info.fact):
            if firing.rule in seen:
                continue
            seen.add(firing.rule)
            note = firing.note.get(lang) if firing.note else ""
            out.append(Reason(firing.title.get(lang), note, list(firing.sources)))
    return out


def budget_view(result: Result, case: Case | None, lang: str = "ja", labels: Labels | None = None) -> dict[str, Any]:
    """The budget statement's content. With the case, a budget line it leaves out is a blank;
    from a Result alone every line the fact builder saw is shown.

    ``labels``: the rule base's wording of coded values (``Desk.labels``), the
    same its messages use; a debt's kind is shown by it ("card_loan" as カードローン).
    """
    debt_kinds = (labels or {}).get("other_debt.debt_type", {})
    L = wording(_WORDING, lang)
    debtor = result.fields("debtor")
    budget = result.fields("budget")
    given: set[str] | None = None
    if case is not None:
        given = set(case.budget.model_fields_set) if case.budget is not None else set()

    def line_value(name: str) -> str | None:
        if not budget or (given is not None and name not in given):
            return None
        return _yen(budget.get(name), lang)

    fields = Budget.model_fields
    income = [
        Line(L["take_home"], _yen(debtor.get("monthly_take_home"), lang)),
        Line(_label(fields["other_income"], lang), line_value("other_income")),
    ]
    expenses = [Line(_label(fields[name], lang), line_value(name)) for name in LIVING_COST_LINES]
    living_total = _yen(budget.get("living_costs"), lang) if budget else None

    figures = result.figures
    listed = {r.path for r in result.recommendations}
    installments = "installment_negotiation" in listed
    floor = result.parameters.get("installment_floor")
    offer = None
    if installments and "installment_offer_high" in figures and floor is not None:
        low, high = int(floor.value), int(figures["installment_offer_high"])
        # a ceiling at or below the floor leaves no range: not "5,000円〜5,000円" (installments.negotiation_at_ceiling)
        key = "offer_range" if high > low else "offer_ceiling"
        offer = L[key].format(low=display.yen(low, lang), high=display.yen(high, lang))
    formula = L["capacity_formula"]
    parts = (debtor.get("monthly_take_home"), budget.get("other_income"), budget.get("living_costs"), figures.get("monthly_capacity"))
    if all(v is not None for v in parts):
        # the values the rule saw, placed beside its formula: the sum itself is the Result's figure
        formula += "（{} ＋ {} − {} ＝ {}）".format(*(_yen(v, lang) for v in parts)) if lang == "ja" else \
            " ({} + {} − {} = {})".format(*(_yen(v, lang) for v in parts))
    capacity_lines = [
        Line(L["capacity"], _yen(figures.get("monthly_capacity"), lang), formula),
    ]
    if installments:
        capacity_lines.append(Line(L["ceiling"], _yen(figures.get("proposed_monthly_payment"), lang)))
        months = figures.get("months_to_repay")
        capacity_lines.append(Line(L["months"], None if months is None else display.value(months, "int", lang, "months")))

    # What a servicer's form asks about debts: the mortgage residual and every other debt.
    debts = []
    mortgage = result.fields("mortgage")
    if "residual_debt" in figures:
        label = L["residual_expected"] if result.stage == "pre_sale" else L["residual"]
        debts.append({"creditor": None, "kind": label, "balance": _yen(figures["residual_debt"], lang), "monthly": None})
    elif mortgage:
        debts.append({"creditor": None, "kind": L["mortgage_balance"], "balance": _yen(mortgage.get("balance"), lang), "monthly": None})
    given_debts = [set(d.model_fields_set) for d in case.other_debts] if case is not None else None
    for i, f in enumerate(x for x in result.facts if x.type == "other_debt"):
        code = str(f.fields.get("debt_type") or "")
        kind = debt_kinds[code].get(lang) if code in debt_kinds else code
        monthly = f.fields.get("monthly_payment")
        if given_debts is not None and i < len(given_debts) and "monthly_payment" not in given_debts[i]:
            monthly = None
        debts.append({
            "creditor": f.fields.get("creditor") or None,
            "kind": kind,
            "balance": _yen(f.fields.get("balance"), lang),
            "monthly": _yen(monthly, lang),
        })

    assets_fact = result.fields("assets")
    given_assets = set(case.assets.model_fields_set) if case is not None and case.assets is not None else None

    def asset(name: str) -> str | None:
        if not assets_fact or (given_assets is not None and name not in given_assets):
            return None
        return _yen(assets_fact.get(name), lang)

    assets = [
        Line(L["cash"], asset("cash_and_savings")),
        Line(L["surrender"], asset("insurance_surrender_value")),
        Line(L["car"], asset("car_value")),
        Line(L["other_assets"], asset("other")),
    ]

    # The warnings about the installment itself and, where the limitation may have run, the
    # warning not to hand the form to the creditor: on a cover page that is not sent.
    cautions = [
        w.message.get(lang) for w in result.warnings
        if w.id.startswith("installment_") or (w.id.startswith("limitation") and w.severity == "high")
    ]
    blocked = [b.reason.get(lang) for b in result.blocked if b.path == "installment_negotiation"]

    occupation = debtor.get("occupation")
    age = debtor.get("age")
    household = debtor.get("household_size")
    person = [
        Line(L["name"], None), Line(L["address"], None), Line(L["phone"], None), Line(L["employer"], None),
        Line(L["age"], None if age is None else (f"{age}歳" if lang == "ja" else str(age))),
        Line(L["occupation"], occupation or None),
        Line(L["household"], None if household is None else (f"{household}人" if lang == "ja" else str(household))),
        Line(L["annual_income"], _yen(debtor.get("annual_income"), lang)),
        Line(L["welfare"], L["yes"] if debtor.get("on_welfare") else L["no"]),
    ]
    view = {
        "lang": lang,
        "L": L,
        "title": L["budget_title"],
        "case_id": result.case_id,
        "as_of": display.date(result.as_of, lang),
        "person": person,
        "income": income,
        "expenses": expenses,
        "living_total": living_total,
        "other_debt_payments": line_value("other_debt_payments"),
        "capacity_lines": capacity_lines,
        "installments": installments,
        "offer": offer,
        "reasons": _reasons(result, _BUDGET_FIGURES if installments else ("monthly_capacity",), lang),
        "cautions": cautions,
        "blocked": blocked,
        "debts": debts,
        "assets": assets,
        "key_figures": [v for v in (_yen(figures.get("monthly_capacity"), lang), _yen(figures.get("proposed_monthly_payment"), lang)) if v],
    }
    if lang == "en":
        gloss(view, _GLOSSED)
    return view

