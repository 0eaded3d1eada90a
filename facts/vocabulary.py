"""The fact vocabulary: every kind of fact the rules may read, and its fields.

This is the contract between ``facts/`` (which builds these from a case) and
``rules/`` (whose conditions are checked against it when they load). A rule
that names a field not declared here fails at load time.

Conventions, chosen because durable-rules compares loosely and cannot hold
some Python values (see engine-notes.md):
- money is ``int`` yen; counts and months are ``int``;
- dates are ``datetime.date``;
- rates and ratios are ``Decimal`` (exact; the engine never lets them reach
  durable-rules in exponent form);
- text is NFKC-normalised ``str``; enums are plain ``str`` values;
- an optional field that the case leaves empty is ``None`` and is *absent*
  from the engine's fact, so ``exists`` / ``missing`` can test it.
"""

from __future__ import annotations

import datetime as dt
import functools
import typing
from decimal import Decimal
from typing import Annotated, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field


class FieldKind:
    """Marks what a field holds, for the rule loader and the trace formatter."""

    def __init__(self, kind: str):
        self.kind = kind

    def __repr__(self) -> str:
        return f"FieldKind({self.kind!r})"


Money = Annotated[int, FieldKind("yen")]
Count = Annotated[int, FieldKind("int")]
Date = Annotated[dt.date, FieldKind("date")]
Ratio = Annotated[Decimal, FieldKind("ratio")]
Flag = Annotated[bool, FieldKind("bool")]
Text = Annotated[str, FieldKind("text")]

LenderType = Literal["bank", "shinkin", "credit_union", "labour_bank", "agricultural_coop", "jhf", "flat35_bank", "other"]
CreditorKind = Literal["bank", "guarantee_company", "servicer", "jhf"]
# who guarantees the loan: a stock-company guarantor is a merchant (commercial recourse claim),
# a guarantee association (信用保証協会, 農業信用基金協会 …) is not (civil recourse claim)
LoanGuarantor = Literal["guarantee_company", "guarantee_association", "none"]
DebtType = Literal["card_loan", "consumer_loan", "car_loan", "tax", "child_support", "other"]
GuarantorKind = Literal["joint_guarantor", "joint_debtor", "guarantor"]


class Fact(BaseModel):
    """Base of every fact. ``type`` is the name rules use (``debtor.age``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: ClassVar[str]
    multiple: ClassVar[bool] = False  # several instances per case (one rule firing each)

    id: str = Field(description="Stable id, unique within the case / 事案内で一意のID")


class CaseFact(Fact):
    type: ClassVar[str] = "case"
    case_id: Text
    as_of: Date = Field(description="Assessment date / 判定基準日")
    residual_debt: Money | None = Field(None, description="Residual fixed after the sale / 売却後に確定した残債")
    has_property: Flag = Field(description="The case describes a home not yet sold / 未売却の物件情報あり")
    other_debts_count: Count
    other_debts_total: Money = Field(description="Sum of other debts' balances / その他債務残高の合計")
    other_debts_max_balance: Money = Field(description="Largest single other debt / その他債務の最大残高")
    other_debts_tax_total: Money = Field(description="Sum of the balances of other debts of type tax / その他債務のうち種類が税金の残高の合計")
    other_debts_child_support_total: Money = Field(
        description="Sum of the balances of other debts of type child support / その他債務のうち種類が養育費の残高の合計"
    )
    guarantors_count: Count
    other_creditors_voting_count: Count = Field(
        description="Creditors of the other debts who vote on a rehabilitation plan besides the residual holder: taxes excluded, one creditor named twice"
        " counted once, a debt owed to the residual holder (mortgage.creditor) not counted"
        " / 再生計画の決議で議決権を持つ、残債の債権者以外のその他の債務の債権者の数（税金を除き、同じ債権者は1と数え、mortgage.creditor と同じ債権者は数えない）"
    )
    residual_holder_other_debts_total: Money = Field(
        description="Other debts owed to the residual holder (mortgage.creditor) and not secured on the home, taxes excluded: they vote with the residual"
        " / 残債の債権者（mortgage.creditor）へのその他の債務（自宅の担保なし、税金を除く）の合計。議決では残債と合わせて数える"
    )
    secured_debts_count: Count = Field(description="Other debts secured on the home by a junior mortgage / 自宅に後順位抵当権のあるその他の債務の数")
    secured_debts_total: Money = Field(description="Sum of their balances / その残高の合計")
    other_debts_unsecured_total: Money = Field(
        description="Sum of the other debts not secured on the home / 自宅を担保としないその他の債務の残高の合計"
    )


class DebtorFact(Fact):
    type: ClassVar[str] = "debtor"
    age: Count | None = None
    annual_income: Money
    monthly_take_home: Money | None = None
    household_size: Count | None = None
    income_stable: Flag | None = None
    wage_earner: Flag | None = None
    occupation: Text | None = None
    prior_discharge_date: Date | None = None
    on_welfare: Flag
    gambling_or_waste: Flag
    preferential_payment: Flag = False
    assets_hidden_or_transferred: Flag = False
    divorce_property_division: Flag = False
    date_of_death: Date | None = None


class BudgetFact(Fact):
    type: ClassVar[str] = "budget"
    other_income: Money
    rent: Money
    food: Money
    utilities: Money
    communication: Money
    insurance: Money
    medical: Money
    education: Money
    transport: Money
    daily_goods: Money
    other: Money
    other_debt_payments: Money
    living_costs: Money = Field(description="Sum of the expense lines, other-debt payments excluded / 生活費合計（他債務返済を除く）")


class PropertyFact(Fact):
    type: ClassVar[str] = "property"
    market_value: Money
    expected_sale_price: Money | None = None
    condo_fee_arrears: Money
    condo_monthly_fee: Money | None = None
    property_tax_arrears: Money
    junior_liens: Count
    junior_liens_unlisted: Count = Field(
        description="Junior mortgagees not listed among the other debts / その他の債務に記載のない後順位抵当権者の数"
    )
    moving_allowance_requested: Money
    auction_filed: Flag
    auction_bid_opened: Flag
    auction_bid_date: Date | None = None


class SaleFact(Fact):
    type: ClassVar[str] = "sale"
    sold: Flag
    sale_date: Date | None = None
    sale_price: Money | None = None
    sale_costs: Money | None = None


class MortgageFact(Fact):
    type: ClassVar[str] = "mortgage"
    lender_type: Text
    balance: Money
    contract_date: Date | None = None
    arrears_months: Count | None = None
    accelerated: Flag
    acceleration_date: Date | None = None
    subrogated: Flag
    subrogation_date: Date | None = None
    current_creditor: Text | None = None
    creditor: Text | None = None
    loan_guarantor: Text | None = None
    late_damage_rate: Ratio | None = None
    last_payment_date: Date | None = None
    court_title_date: Date | None = None


class OtherDebtFact(Fact):
    type: ClassVar[str] = "other_debt"
    multiple: ClassVar[bool] = True
    debt_type: Text
    creditor: Text | None = None
    balance: Money
    monthly_payment: Money | None = None
    secured_on_home: Flag
    lien_rank: Count | None = Field(None, description="Rank of its mortgage on the home (the housing loan is 1) / 自宅の抵当権の順位")
    secured_before: Money = Field(
        description="Balances of the debts secured on the home ranked before it, the housing loan excluded / 先順位の担保付き債務（住宅ローンを除く）の残高の合計"
    )


class GuarantorFact(Fact):
    type: ClassVar[str] = "guarantor"
    multiple: ClassVar[bool] = True
    name: Text | None = None
    relation: Text | None = None
    kind: Text
    informed: Flag | None = None
    guarantee_date: Date | None = None


class AssetsFact(Fact):
    type: ClassVar[str] = "assets"
    cash_and_savings: Money
    insurance_surrender_value: Money
    car_value: Money
    other: Money
    total: Money = Field(description="Sum of all assets / 資産合計")


FACT_TYPES: dict[str, type[Fact]] = {
    cls.type: cls
    for cls in (
        CaseFact,
        DebtorFact,
        BudgetFact,
        PropertyFact,
        SaleFact,
        MortgageFact,
        OtherDebtFact,
        GuarantorFact,
        AssetsFact,
    )
}


@functools.cache
def _hints(model: type[Fact]) -> dict:
    return typing.get_type_hints(model, include_extras=True)


def field_kind(model: type[Fact], name: str) -> str:
    """The declared kind of a field ('yen', 'date', 'bool', 'text', ...)."""
    annotation = _hints(model)[name]
    candidates = [annotation] if typing.get_origin(annotation) is Annotated else typing.get_args(annotation)
    for candidate in candidates:
        for meta in getattr(candidate, "__metadata__", ()):
            if isinstance(meta, FieldKind):
                return meta.kind
    return "text"


def is_optional(model: type[Fact], name: str) -> bool:
    return not model.model_fields[name].is_required()
