"""The sections of a case (debtor, budget, home, sale, mortgage, other debts, guarantors, assets).

Each section checks its own values and the contradictions inside it (a
subrogation before the acceleration …); ``facts.case`` puts them together and
checks what crosses sections. Every field's description (Japanese / English)
becomes the published JSON Schema.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from facts.values import CaseDate, Count, Flag, Rate, Text, Yen
from facts.vocabulary import CreditorKind, DebtType, GuarantorKind, LenderType, LoanGuarantor

MAX_NAME = 200


@dataclass(frozen=True)
class Contradiction:
    """Two or more fields of a case that cannot all be true (not part of the case format)."""

    fields: tuple[str, ...]  # dotted paths relative to the model that found it
    ja: str
    en: str


def before_contract(field: str, label: str, date: dt.date | None, contract: str, contract_date: dt.date | None) -> Contradiction | None:
    """A date of the loan's life (``label`` names it in Japanese) that lies before the loan was contracted.

    ``field`` and ``contract`` are the two fields' paths as the model reporting
    it sees them (``acceleration_date`` inside the mortgage, ``sale.sale_date``
    from the case).
    """
    if date is None or contract_date is None or date >= contract_date:
        return None
    return Contradiction(
        fields=(field, contract),
        ja=f"{label}がローンの契約日より前になっています",
        en=f"{field} is before the loan was contracted",
    )


def raise_contradictions(found: list[Contradiction]) -> None:
    """Report every contradiction at once, so one run lists all of them."""
    if found:
        raise PydanticCustomError(
            "contradiction",
            "{summary}",
            {"problems": found, "summary": "; ".join(f"{', '.join(c.fields)}: {c.en}" for c in found)},
        )


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Debtor(Section):
    """債務者 / The debtor."""

    age: Count(130) | None = Field(None, description="年齢 / Age in years")
    annual_income: Yen = Field(description="額面年収（必須） / Gross annual income (required)")
    monthly_take_home: Yen | None = Field(
        None,
        description="手取り月収（本人分。他の世帯収入は budget.other_income） / Monthly take-home pay of the debtor; other earners go in budget.other_income",
    )
    household_size: Count(30) | None = Field(None, ge=1, description="世帯人数 / Number of people in the household")
    income_stable: Flag | None = Field(
        None, description="継続的・反復的な収入の見込みがある（個人再生の要件） / Continuing or recurring income is expected (a requirement of individual rehabilitation)"
    )
    wage_earner: Flag | None = Field(None, description="給与所得者である（給与所得者等再生） / Has salaried income (wage-earner rehabilitation)")
    occupation: Text(MAX_NAME) | None = Field(
        None, description="職業（自由記述。破産で制限される職業は判定に使う） / Occupation, free text; occupations restricted during bankruptcy are recognised"
    )
    prior_discharge_date: CaseDate | None = Field(None, description="過去の免責許可決定が確定した日（7年は確定の日から数えます） / Date an earlier bankruptcy discharge became final, if any (the 7 years run from then)")
    on_welfare: Flag = Field(False, description="生活保護を受給している / Receiving public assistance (生活保護)")
    gambling_or_waste: Flag = Field(
        False, description="借入れの原因に浪費・ギャンブルがある（免責不許可事由） / Gambling or waste is among the causes of the debt (a bar to discharge)"
    )
    preferential_payment: Flag = Field(
        False,
        description="返せなくなった後に、特定の債権者（親族・勤務先など）にだけ返済した（免責不許可事由・偏頗弁済） / After becoming unable to pay, repaid some creditors only, e.g. relatives or an employer (a bar to discharge; a voidable preference)",
    )
    assets_hidden_or_transferred: Flag = Field(
        False,
        description="財産を隠した、名義を移した、親族などに時価より安く売った（免責不許可事由・否認） / Hid assets, put them in another's name or sold them below value, e.g. to a relative (a bar to discharge; avoidable)",
    )
    divorce_property_division: Flag = Field(
        False,
        description="離婚の財産分与で自宅やローンの負担を決めようとしている / The home or the loan is being settled in a divorce property division (財産分与)",
    )
    date_of_death: CaseDate | None = Field(
        None, description="債務者が亡くなった日（相続人が相談している場合） / Date the debtor died, when the heirs are the ones seeking advice"
    )


class Budget(Section):
    """家計収支表（月額・円）。記載のない行は0円 / Monthly household budget in yen; a line left out counts as 0."""

    other_income: Yen = Field(0, description="本人以外の手取り・年金・児童手当など / Spouse's take-home pay, pensions, child allowance and other household income")
    rent: Yen = Field(0, description="家賃 / Rent")
    food: Yen = Field(0, description="食費 / Food")
    utilities: Yen = Field(0, description="水道光熱費 / Utilities")
    communication: Yen = Field(0, description="通信費 / Phone and internet")
    insurance: Yen = Field(0, description="保険料 / Insurance premiums")
    medical: Yen = Field(0, description="医療費 / Medical costs")
    education: Yen = Field(0, description="教育費 / Education")
    transport: Yen = Field(0, description="交通費 / Transport")
    daily_goods: Yen = Field(0, description="日用品費 / Daily goods")
    other: Yen = Field(0, description="その他の生活費（被服・交際費など） / Other living costs (clothing, social costs …)")
    other_debt_payments: Yen = Field(0, description="他の借入れへの現在の月々の返済額 / What other debts currently take each month")


class Property(Section):
    """売却前の自宅（売却後は省略） / The home, before it is sold; omit after the sale."""

    market_value: Yen = Field(description="査定額（必須） / Market value from an appraisal (required)")
    expected_sale_price: Yen | None = Field(
        None, description="任意売却の見込価格。省略時は査定額×任意売却価格率 / Expected voluntary-sale price; default: market value × the voluntary-sale price ratio"
    )
    condo_fee_arrears: Yen = Field(0, description="滞納管理費・修繕積立金 / Unpaid condominium management and repair-reserve fees")
    condo_monthly_fee: Yen | None = Field(
        None,
        description="管理費・修繕積立金の月額。滞納のうち5年を超える古い分（時効にかかりうる分）を分けるのに使う"
        " / Monthly management and repair-reserve fee; separates arrears older than 5 years (which may be time-barred)",
    )
    property_tax_arrears: Yen = Field(0, description="固定資産税の滞納額 / Unpaid property tax")
    junior_liens: Count(100) = Field(
        0,
        description="後順位抵当権者の数。other_debts に secured_on_home で記載した債務を含む（記載の数より少なければ記載の数とみる）"
        " / Number of junior mortgagees, including the debts listed with secured_on_home (never fewer than those)",
    )
    moving_allowance_requested: Yen = Field(0, description="売却代金から希望する引越し費用 / Moving allowance the debtor hopes to get from the proceeds")
    auction_filed: Flag = Field(False, description="競売の申立てがされている / An auction has been filed")
    auction_bid_opened: Flag = Field(False, description="競売の開札が済んでいる / The auction's bids have been opened")
    auction_bid_date: CaseDate | None = Field(
        None, description="開札期日（裁判所が定めたもの） / Date the court set for opening the bids"
    )

    @model_validator(mode="after")
    def _consistent(self) -> Property:
        found = []
        if self.auction_bid_date is not None and not self.auction_filed:
            found.append(
                Contradiction(
                    fields=("auction_bid_date", "auction_filed"),
                    ja="開札期日があるのに競売の申立てがされていないことになっています",
                    en="a bid opening date is given but no auction was filed",
                )
            )
        if self.auction_bid_opened and not self.auction_filed:
            found.append(
                Contradiction(
                    fields=("auction_bid_opened", "auction_filed"),
                    ja="開札済みなのに競売の申立てがされていないことになっています",
                    en="bids cannot have been opened in an auction that was never filed",
                )
            )
        raise_contradictions(found)
        return self


class Sale(Section):
    """任意売却（実施後に記入） / The voluntary sale, once it has happened."""

    sold: Flag = Field(False, description="売却（決済）が済んでいる / The sale has closed")
    sale_date: CaseDate | None = Field(None, description="売却（決済）日 / Date the sale closed")
    sale_price: Yen | None = Field(None, description="売却価格 / Sale price")
    sale_costs: Yen | None = Field(None, description="売却代金から支払われた費用の実額。省略時は計算 / Actual costs paid out of the price; default: computed")

    @model_validator(mode="after")
    def _consistent(self) -> Sale:
        found = []
        if self.sale_price is not None and self.sale_costs is not None and self.sale_costs > self.sale_price:
            found.append(
                Contradiction(
                    fields=("sale_costs", "sale_price"),
                    ja="売却代金から支払われた費用が売却価格を上回っています",
                    en="the costs paid out of the price exceed the price itself",
                )
            )
        raise_contradictions(found)
        return self


class Mortgage(Section):
    """住宅ローン / The mortgage loan."""

    lender_type: LenderType = Field(
        description="貸し手の種類（必須。時効期間に影響）: bank 銀行, shinkin 信用金庫, credit_union 信用組合, jhf 住宅金融支援機構（旧公庫）, flat35_bank 銀行取扱いのフラット35, labour_bank 労働金庫, agricultural_coop 農業協同組合（JA）, other / Kind of lender (required; it decides the limitation period)"
    )
    balance: Yen = Field(description="売却前のローン残高（元本、必須） / Outstanding principal before the sale (required)")
    contract_date: CaseDate | None = Field(None, description="金銭消費貸借契約の締結日 / Date the loan contract was signed")
    arrears_months: Count(1200) | None = Field(None, description="滞納月数 / Months in arrears")
    accelerated: Flag = Field(False, description="期限の利益を喪失している / The installment benefit has been lost (期限の利益喪失)")
    acceleration_date: CaseDate | None = Field(None, description="期限の利益喪失日 / Date of the acceleration")
    subrogated: Flag = Field(False, description="保証会社による代位弁済が済んでいる / The guarantee company has repaid the bank (代位弁済)")
    subrogation_date: CaseDate | None = Field(None, description="代位弁済日 / Date of the subrogation")
    current_creditor: CreditorKind | None = Field(
        None, description="現在の債権者: bank 銀行, guarantee_company 保証会社, servicer サービサー, jhf 住宅金融支援機構 / Who holds the claim now"
    )
    creditor: Text(MAX_NAME) | None = Field(
        None,
        description="今の債権者の名前（例: ○○保証）。その他の債務に同じ名前の債権者があれば、再生計画の決議では同じ1社と数える（ペアローンの相手方の借入の保証など）"
        " / Name of whoever holds the claim now (e.g. ○○保証); another debt owed to the same name is the same creditor when a rehabilitation plan is put to the vote (a pair loan's other loan the debtor guarantees, say)",
    )
    loan_guarantor: LoanGuarantor | None = Field(
        None,
        description="ローンの保証人: guarantee_company 保証会社（株式会社）, guarantee_association 信用保証協会・農業信用基金協会・日本労働者信用基金協会など, none 保証なし"
        " / Who guarantees the loan: a guarantee company (a stock company), a guarantee association (not a company), or none; it decides the recourse claim's limitation period",
    )
    late_damage_rate: Rate | None = Field(None, description="契約上の遅延損害金の年率（例 14.6%） / Yearly late-damage rate in the contract, e.g. 14.6%")
    last_payment_date: CaseDate | None = Field(
        None, description="最後に返済した日、または債務を承認した日 / Date of the last payment or other acknowledgment of the debt (承認)"
    )
    court_title_date: CaseDate | None = Field(
        None, description="判決・支払督促・裁判上の和解など債務名義が確定した日 / Date a judgment, final payment order or court settlement fixed the claim (債務名義)"
    )

    @model_validator(mode="after")
    def _consistent(self) -> Mortgage:
        found = []
        if self.subrogated and not self.accelerated:
            found.append(
                Contradiction(
                    fields=("subrogated", "accelerated"),
                    ja="代位弁済は期限の利益喪失の後に行われるため、代位弁済済みなら期限の利益も喪失しているはずです",
                    en="a guarantee company repays the bank only after the loan has been accelerated",
                )
            )
        if self.subrogated and self.loan_guarantor == "none":
            found.append(
                Contradiction(
                    fields=("subrogated", "loan_guarantor"),
                    ja="保証なし（loan_guarantor: none）のローンでは代位弁済は起きません",
                    en="a loan with no guarantor (loan_guarantor: none) cannot have been repaid by a guarantor",
                )
            )
        if self.acceleration_date is not None and not self.accelerated:
            found.append(
                Contradiction(
                    fields=("acceleration_date", "accelerated"),
                    ja="期限の利益喪失日があるのに、期限の利益を喪失していないことになっています",
                    en="an acceleration date is given but accelerated is false",
                )
            )
        if self.subrogation_date is not None and not self.subrogated:
            found.append(
                Contradiction(
                    fields=("subrogation_date", "subrogated"),
                    ja="代位弁済日があるのに、代位弁済されていないことになっています",
                    en="a subrogation date is given but subrogated is false",
                )
            )
        if self.current_creditor == "guarantee_company" and not self.subrogated:
            found.append(
                Contradiction(
                    fields=("current_creditor", "subrogated"),
                    ja="保証会社が債権者になるのは代位弁済の後です",
                    en="the guarantee company holds the claim only after it has repaid the bank (subrogation)",
                )
            )
        if self.acceleration_date and self.subrogation_date and self.subrogation_date < self.acceleration_date:
            found.append(
                Contradiction(
                    fields=("subrogation_date", "acceleration_date"),
                    ja="代位弁済日が期限の利益喪失日より前になっています",
                    en="the subrogation is dated before the acceleration that must precede it",
                )
            )
        for name, label in (
            ("acceleration_date", "期限の利益喪失日"),
            ("subrogation_date", "代位弁済日"),
            ("last_payment_date", "最終返済日"),
            ("court_title_date", "債務名義の日"),
        ):
            early = before_contract(name, label, getattr(self, name), "contract_date", self.contract_date)
            if early is not None:
                found.append(early)
        raise_contradictions(found)
        return self


class OtherDebt(Section):
    """住宅ローン以外の債務 / A debt other than the mortgage."""

    type: DebtType = Field(
        description="種類（必須）: card_loan カードローン, consumer_loan 消費者金融, car_loan 自動車ローン, tax 税金, child_support 養育費, other / Kind of debt (required)"
    )
    creditor: Text(MAX_NAME) | None = Field(None, description="債権者名 / Creditor's name")
    balance: Yen = Field(description="残高（必須） / Outstanding balance (required)")
    monthly_payment: Yen | None = Field(None, description="現在の月々の返済額 / Current monthly payment")
    secured_on_home: Flag = Field(
        False,
        description="自宅に後順位の抵当権が設定されている債務。売却代金から住宅ローンの次に、記載の順に支払われる"
        " / Secured by a later-ranked mortgage on the home; paid from the proceeds after the mortgage, in list order",
    )


class Guarantor(Section):
    """保証人・連帯債務者 / A guarantor or joint debtor of the mortgage."""

    name: Text(MAX_NAME) | None = Field(None, description="氏名または呼び方（例: 妻） / Name, or how the debtor refers to them (e.g. 妻)")
    relation: Text(MAX_NAME) | None = Field(None, description="債務者との関係（例: spouse, parent） / Relation to the debtor (e.g. spouse, parent)")
    kind: GuarantorKind = Field(
        description="種類（必須）: joint_guarantor 連帯保証人, joint_debtor 連帯債務者, guarantor 保証人 / Kind of liability (required)"
    )
    informed: Flag | None = Field(None, description="状況を伝えてある / Has been told about the situation")
    guarantee_date: CaseDate | None = Field(None, description="保証契約の日 / Date the guarantee was signed")


class Assets(Section):
    """資産（円）。記載のない項目は0円 / Assets in yen; an item left out counts as 0."""

    cash_and_savings: Yen = Field(0, description="現金・預貯金 / Cash and savings")
    insurance_surrender_value: Yen = Field(0, description="保険の解約返戻金 / Surrender value of insurance policies")
    car_value: Yen = Field(0, description="自動車の評価額 / Value of a car")
    other: Yen = Field(0, description="その他の資産 / Other assets")
