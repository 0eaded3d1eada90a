"""The case file: what an advisor knows about one debtor, as typed models.

This is the public input contract of ``/work/shared/spec/case-format.md``;
field names follow it exactly and every field's description (Japanese /
English) becomes the published JSON Schema. Unknown keys are errors, because
a misspelt key silently ignored would change the advice.

The models check each value and the contradictions *inside* the case (a
subrogation before the acceleration, a sale dated after the assessment …).
They do not draw conclusions: residual debt, capacity or limitation dates are
the rules' work, from the facts that ``facts.builder`` makes of a case.
The sections (debtor, mortgage …) are in ``facts.sections``; this module is
the case as a whole: its id, its assumptions, what crosses sections.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, WithJsonSchema, model_validator
from pydantic_core import PydanticCustomError

from facts.sections import (  # noqa: F401  (the sections are part of the case's public names)
    MAX_NAME,
    Assets,
    Budget,
    Contradiction,
    Debtor,
    Guarantor,
    Mortgage,
    OtherDebt,
    Property,
    Sale,
    Section,
    before_contract,
    raise_contradictions,
)
from facts.values import CaseDate, Text, ValueParseError, Yen, check_text, shown


MAX_CASE_ID = 100
MAX_OTHER_DEBTS = 100
MAX_GUARANTORS = 20
MAX_ASSUMPTIONS = 100


def _case_id(value: Any) -> Any:
    # YAML reads an unquoted ``case_id: 20260412`` as a number and ``2026-04-12``
    # as a date; either is still the id as written. (``0412`` stays text in the loader.)
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    elif isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        value = value.isoformat()
    try:
        value = check_text(value, MAX_CASE_ID)
    except ValueParseError as error:
        raise PydanticCustomError("case_id", "{ja} / {en}", {"ja": error.ja, "en": error.en}) from None
    if not value:
        raise PydanticCustomError("empty_id", "{ja} / {en}", {"ja": "事案IDが空です", "en": "the case id is empty"})
    return value


def _assumption_value(value: Any) -> Any:
    """Keep numbers exact and reject what cannot be a parameter value.

    The value is checked against the parameter's kind later, by the builder,
    which knows the parameter table; here only its shape is checked.
    """
    # YAML gives an unquoted 2020-04-01 as a date, which a date parameter needs.
    is_date = isinstance(value, dt.date) and not isinstance(value, dt.datetime)
    if isinstance(value, bool) or not (is_date or isinstance(value, (int, float, Decimal, str))):
        raise PydanticCustomError(
            "assumption_value",
            "{ja} / {en}",
            {
                "ja": f"前提値には数値・日付・文字列のいずれかを指定してください（入力: {shown(value)}）",
                "en": f"an assumption must be a number, a date or a string (got {shown(value)})",
            },
        )
    if isinstance(value, str) and len(value) > 100:
        raise PydanticCustomError(
            "assumption_value", "{ja} / {en}", {"ja": "前提値が長すぎます（100文字まで）", "en": "the assumption is too long (at most 100 characters)"}
        )
    if isinstance(value, float):
        return Decimal(str(value))  # 0.70 stays 0.70, not 0.6999…
    return value


CaseId = Annotated[str, BeforeValidator(_case_id), WithJsonSchema({"anyOf": [{"type": "string", "maxLength": MAX_CASE_ID}, {"type": "integer"}]})]
AssumptionValue = Annotated[
    int | Decimal | dt.date | str,
    BeforeValidator(_assumption_value),
    WithJsonSchema({"anyOf": [{"type": "number"}, {"type": "string"}]}),
]


# Dates that record something that has already happened: none may lie after as_of.
_PAST_EVENTS: tuple[tuple[str, str, str], ...] = (
    ("debtor", "prior_discharge_date", "過去の免責の日"),
    ("debtor", "date_of_death", "亡くなった日"),
    ("mortgage", "contract_date", "ローンの契約日"),
    ("mortgage", "acceleration_date", "期限の利益喪失日"),
    ("mortgage", "subrogation_date", "代位弁済日"),
    ("mortgage", "last_payment_date", "最終返済日"),
    ("mortgage", "court_title_date", "債務名義の日"),
)


class Case(Section):
    """任意売却後の残債に関する相談事案 / One case of residual mortgage debt around a voluntary sale."""

    case_id: CaseId = Field(description="事案ID（必須） / Case id (required)")
    as_of: CaseDate = Field(
        default_factory=dt.date.today,
        description="判定基準日。省略時は今日（1900-01-01 .. 2200-12-31） / Date of the assessment; default: today (1900-01-01 .. 2200-12-31)",
    )
    debtor: Debtor = Field(description="債務者（必須） / The debtor (required)")
    budget: Budget | None = Field(None, description="家計収支表（月額） / Monthly household budget")
    property: Property | None = Field(None, description="売却前の自宅。売却後は省略 / The home before it is sold; omit after the sale")
    sale: Sale | None = Field(None, description="任意売却の結果 / The voluntary sale, once it has happened")
    mortgage: Mortgage = Field(description="住宅ローン（必須） / The mortgage loan (required)")
    residual_debt: Yen | None = Field(
        None, description="売却後に確定した残債。計算より優先 / Residual debt already fixed after the sale; overrides the computation"
    )
    other_debts: list[OtherDebt] = Field(default_factory=list, max_length=MAX_OTHER_DEBTS, description="住宅ローン以外の債務 / Debts other than the mortgage")
    guarantors: list[Guarantor] = Field(default_factory=list, max_length=MAX_GUARANTORS, description="保証人・連帯債務者 / Guarantors and joint debtors of the mortgage")
    assets: Assets | None = Field(None, description="資産 / Assets")
    assumptions: dict[Text(MAX_CASE_ID), AssumptionValue] = Field(
        default_factory=dict,
        max_length=MAX_ASSUMPTIONS,
        description="ルールベースのパラメータをこの事案だけ上書きする値（例 auction_price_ratio: 0.70） / Per-case overrides of the rule base's parameters, e.g. auction_price_ratio: 0.70",
    )

    @model_validator(mode="after")
    def _consistent(self) -> Case:
        found: list[Contradiction] = []

        for section, name, ja in _PAST_EVENTS:
            date = getattr(getattr(self, section), name)
            if date is not None and date > self.as_of:
                found.append(self._after_as_of(f"{section}.{name}", ja, date))
        for index, guarantor in enumerate(self.guarantors):
            if guarantor.guarantee_date is not None and guarantor.guarantee_date > self.as_of:
                found.append(self._after_as_of(f"guarantors[{index}].guarantee_date", "保証契約の日", guarantor.guarantee_date))

        sale = self.sale
        if sale is not None and sale.sold:
            # A sale not yet closed may well carry a future (scheduled) date; a closed one may not.
            if sale.sale_date is not None and sale.sale_date > self.as_of:
                found.append(self._after_as_of("sale.sale_date", "売却日", sale.sale_date))
            if sale.sale_price is None and self.residual_debt is None:
                found.append(
                    Contradiction(
                        fields=("sale.sold", "sale.sale_price", "residual_debt"),
                        ja="売却済みですが、売却価格も確定した残債もありません。どちらかを記入してください",
                        en="the home is sold but neither the sale price nor the fixed residual debt is given; give one of them",
                    )
                )
            if self.property is not None:
                found.append(
                    Contradiction(
                        fields=("sale.sold", "property"),
                        ja="売却済みなのに、売却前の自宅（property）が記載されています。売却後は property を省略してください",
                        en="the home is sold, yet property describes a home not yet sold; omit property after the sale",
                    )
                )
            early = before_contract("sale.sale_date", "売却日", sale.sale_date, "mortgage.contract_date", self.mortgage.contract_date)
            if early is not None:
                found.append(early)

        if self.residual_debt is not None:
            # A residual is fixed by the sale; before it there is only an estimate for the rules to make.
            if sale is not None and not sale.sold:
                found.append(
                    Contradiction(
                        fields=("residual_debt", "sale.sold"),
                        ja="確定した残債が記入されていますが、売却は済んでいないことになっています",
                        en="a fixed residual debt is given, but the sale has not closed",
                    )
                )
            elif sale is None and self.property is not None:
                found.append(
                    Contradiction(
                        fields=("residual_debt", "property"),
                        ja="確定した残債が記入されていますが、売却前の自宅（property）も記載されています",
                        en="a fixed residual debt is given, yet property describes a home not yet sold",
                    )
                )

        secured = [i for i, debt in enumerate(self.other_debts) if debt.secured_on_home]
        for index in secured:
            debt_type = self.other_debts[index].type
            if debt_type in ("tax", "child_support"):
                # A tax office secures itself by seizure (差押え), a support creditor by enforcement:
                # neither holds a mortgage, and the proceeds would be distributed wrongly.
                found.append(
                    Contradiction(
                        fields=(f"other_debts[{index}].secured_on_home", f"other_debts[{index}].type"),
                        ja=f"種類が {debt_type} の債務は抵当権で担保されません。差押えは抵当権ではないため secured_on_home を外してください",
                        en=f"a debt of type {debt_type} is not secured by a mortgage; a seizure is not a mortgage, so drop secured_on_home",
                    )
                )
        if self.property is not None and 0 < self.property.junior_liens < len(secured):
            found.append(
                Contradiction(
                    fields=("property.junior_liens", "other_debts[].secured_on_home"),
                    ja=f"後順位抵当権者の数（{self.property.junior_liens}）が、自宅を担保とする債務の数（{len(secured)}）より少なくなっています",
                    en=f"property.junior_liens ({self.property.junior_liens}) is less than the number of debts secured on the home ({len(secured)})",
                )
            )

        raise_contradictions(found)
        return self

    def _after_as_of(self, field: str, ja: str, date: dt.date) -> Contradiction:
        return Contradiction(
            fields=(field, "as_of"),
            ja=f"{ja}（{date.isoformat()}）が判定基準日（{self.as_of.isoformat()}）より後になっています",
            en=f"{field} ({date.isoformat()}) is after the assessment date as_of ({self.as_of.isoformat()})",
        )


def case_json_schema() -> dict[str, Any]:
    """The published JSON Schema of a case file (what ``zansai schema`` prints)."""
    schema = Case.model_json_schema()
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}
