"""The dated deadlines a case implies, read from its Result.

``zansai deadlines CASE`` and the ``deadlines`` key of the result JSON. Each
deadline has its date (or is listed as missing when the case cannot fix it),
what happens when it passes, and its sources. Dates the rules compute are
taken from the Result (the limitation completion date, the housing-loan
clause's limit); the others come from the case's own dates, and every period
is a parameter of rules/parameters.yaml with its source, read from the Result.

Data in, data out: ``deadlines_of(result)`` needs nothing but a Result, so a
stored Result (the audit trail, the web desk) gives the same list.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from app.result import Deadline, Result
from facts.text import Bilingual

_RENEWS = Bilingual(
    ja="支払い・分割の申出・債務承認書への署名（承認、民法152条1項）、訴訟・支払督促（147条1項）、差押え・競売（148条1項）で更新されます。督促状は完成を6か月延ばすだけで、1度限りです（150条）。",
    en="Renewed by a payment, a request for installments or a signed acknowledgment (acknowledgment, Civil Code art. 152(1)), a lawsuit or payment order (art. 147(1)), or an attachment or auction (art. 148(1)). A demand letter only postpones completion by 6 months, once (art. 150).",
)

# One title a deadline, whether the case dates it or lists it as missing.
_TITLES = {
    "housing_loan_clause": Bilingual(
        ja="住宅資金特別条項つき個人再生の申立期限（代位弁済から6か月）",
        en="Last day to petition for rehabilitation with a housing-loan clause (6 months after subrogation)",
    ),
    "limitation_completion": Bilingual(ja="消滅時効が完成しうる最も早い日", en="Earliest day the claim could be time-barred"),
}


def _derived(result: Result, kind: str, name: str) -> Any:
    for d in result.derived:
        if d.kind == kind and d.name == name:
            return d
    return None


def _rules_of(result: Result, fact: Any) -> tuple[list[str], list[str]]:
    """The rules that concluded a derived fact, and their sources."""
    rules: list[str] = []
    sources: list[str] = []
    for firing in result.firings_of(fact.id):
        if firing.rule not in rules:
            rules.append(firing.rule)
            sources.extend(s for s in firing.sources if s not in sources)
    return rules, sources


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _param(result: Result, name: str) -> tuple[Any, list[str]]:
    p = result.parameters.get(name)
    return (None, []) if p is None else (p.value, list(p.sources))


def deadlines_of(result: Result) -> list[Deadline]:
    """Every deadline the case implies, dated ones in date order, then the ones the case cannot date."""
    out: list[Deadline] = []
    prop = result.fields("property")
    mortgage = result.fields("mortgage")
    pre_sale = result.stage == "pre_sale"
    residual = result.figures.get("residual_debt")

    # 1. bid opening of a filed auction: the last moment a voluntary sale can close
    if pre_sale and prop.get("auction_filed") and not prop.get("auction_bid_opened"):
        out.append(Deadline(
            id="auction_bid_opening",
            date=_date(prop.get("auction_bid_date")),
            title=Bilingual(ja="競売の開札期日（任意売却はこの日より前に決済を終える）",
                            en="Auction bid opening (the voluntary sale must close before this day)"),
            consequence=Bilingual(
                ja="開札後は最高価買受申出人（と次順位買受申出人）の同意なしに競売を取り下げられず、任意売却に切り替えられなくなります。",
                en="After the bids are opened the auction cannot be withdrawn without the highest (and second) bidder's consent, so a voluntary sale is no longer possible.",
            ),
            sources=["民事執行法76条1項", "民事執行法188条"],
            missing=Bilingual(ja="開札期日（property.auction_bid_date）が事案にありません。裁判所の売却実施の通知で確認してください",
                              en="the bid opening date (property.auction_bid_date) is not in the case: see the court's notice of sale"),
        ))

    # 2. the housing-loan clause's six months after a guarantor's subrogation (computed by the rules)
    clause = _derived(result, "finding", "housing_clause_deadline")
    if clause is not None:
        rules, sources = _rules_of(result, clause)
        out.append(Deadline(
            id="housing_loan_clause",
            date=_date(clause.value),
            title=_TITLES["housing_loan_clause"],
            consequence=Bilingual(
                ja="この日を過ぎると住宅資金特別条項を定められず、代位弁済を巻き戻して自宅を残す道がなくなります。",
                en="After this day no housing-loan clause can be proposed: the subrogation can no longer be undone to keep the home.",
            ),
            sources=sources or ["民事再生法198条2項"],
            rules=rules,
        ))
    elif pre_sale and mortgage.get("subrogated") and not prop.get("auction_bid_opened"):
        months, sources = _param(result, "housing_clause_subrogation_months")
        out.append(Deadline(
            id="housing_loan_clause",
            date=None,
            title=_TITLES["housing_loan_clause"],
            consequence=Bilingual(ja="この日を過ぎると住宅資金特別条項を定められません。", en="After this day no housing-loan clause can be proposed."),
            sources=sources or ["民事再生法198条2項"],
            missing=Bilingual(ja="代位弁済日（mortgage.subrogation_date）が事案にありません",
                              en="the subrogation date (mortgage.subrogation_date) is not in the case"),
        ))

    # 3. the earliest day the claim could be time-barred (computed by the rules)
    completion = _derived(result, "figure", "limitation_completion_date")
    if completion is not None:
        rules, sources = _rules_of(result, completion)
        out.append(Deadline(
            id="limitation_completion",
            date=_date(result.figures.get("limitation_completion_date")),
            title=_TITLES["limitation_completion"],
            consequence=Bilingual(
                ja="この日以降は時効を援用できる可能性があります（援用しなければ効果はありません、民法145条）。それまでの支払いや署名は時効を更新します。",
                en="From this day the limitation may be invoked (it has no effect until invoked, Civil Code art. 145); any payment or signature before then renews it.",
            ),
            sources=sources,
            rules=rules,
            note=_RENEWS,
        ))
    elif residual:
        blocking = [m for m in result.missing if "limitation_completion_date" in m.blocks]
        out.append(Deadline(
            id="limitation_completion",
            date=None,
            title=_TITLES["limitation_completion"],
            consequence=Bilingual(ja="時効の援用ができるかの判断材料です。", en="Whether the limitation could be invoked."),
            sources=["民法166条1項"],
            missing=blocking[0].message if blocking else Bilingual(
                ja="最終返済日など時効の起算点が事案にありません", en="the case lacks the date the limitation runs from"),
            note=_RENEWS,
        ))

    # 4. the heirs' three months to renounce the inheritance, only when the debtor has died
    #    (debtor.date_of_death): for a living debtor it is no deadline of the case, and listing
    #    it under "the case lacks the information" read as a gap in the file. The date is the
    #    rules' (situations.renunciation_deadline), counted as if the heirs learned on the day
    #    of death, as the assessment's warning says.
    renunciation = _derived(result, "figure", "inheritance_renunciation_deadline")
    if renunciation is not None:
        rules, sources = _rules_of(result, renunciation)
        months, _ = _param(result, "inheritance_renunciation_months")
        out.append(Deadline(
            id="inheritance_renunciation",
            date=_date(result.figures.get("inheritance_renunciation_deadline")),
            title=Bilingual(ja="相続放棄の期限（相続人が亡くなった日に知った場合）",
                            en="Deadline to renounce the inheritance (for an heir who learned of the death on the day)"),
            consequence=Bilingual(
                ja="期限を過ぎると相続を単純承認したものとみなされ、相続人が残債を引き継ぎます（民法921条2号・896条）。",
                en="After it the heirs are deemed to have accepted the inheritance outright and take on the residual (Civil Code arts. 921(ii), 896).",
            ),
            sources=sources or ["民法915条1項"],
            rules=rules,
            note=Bilingual(
                ja=f"期限は自分が相続人になったことを知った時から{months}か月で数えるため、知ったのが後なら期限も後になります（民法915条1項）。",
                en=f"The {months} months run from when each heir learned of being an heir, so an heir who learned later has until later (Civil Code art. 915(1)).",
            ),
        ))

    for d in out:
        if d.date is not None:
            d.days_left = (d.date - result.as_of).days
            d.status = "passed" if d.days_left < 0 else "upcoming"
        else:
            d.status = "missing"
    dated = sorted((d for d in out if d.date is not None), key=lambda d: (d.date, d.id))
    return dated + [d for d in out if d.date is None]
