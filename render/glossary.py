"""The words a debtor meets in the report, each explained in one line (docs/messages.md, terms)."""

from __future__ import annotations

# Words a debtor meets in the report, explained after "about this result" when they
# occur in what comes before it (docs/messages.md, terms).
GLOSSARY = [
    ({"ja": "残債", "en": "residual"},
     {"ja": "売却代金で返しきれずに残る住宅ローンの借金", "en": "the mortgage debt left after the sale proceeds are paid to the lender"}),
    ({"ja": "返済原資", "en": "repayment capacity"},
     {"ja": "手取りから生活費を引いた、毎月返済に回せる額", "en": "what is left each month for repayment after living costs"}),
    ({"ja": "期限の利益喪失", "en": "acceleration"},
     {"ja": "滞納が続き、分割ではなく残高全部を一括で返すよう求められること", "en": "after continued arrears, the lender demands the whole balance at once instead of installments"}),
    ({"ja": "代位弁済", "en": "subrogation"},
     {"ja": "保証会社や保証協会などの保証人が貸し手に立て替えて払い、以後はその保証人が請求すること",
      "en": "the guarantor (a guarantee company or association) repays the lender and from then on claims the debt itself"}),
    ({"ja": "求償権", "en": "recourse claim"},
     {"ja": "立て替えて払った保証会社などが、債務者に返済を求める権利", "en": "the right of whoever paid on the debtor's behalf to be repaid by the debtor"}),
    ({"ja": "免責", "en": "discharge"},
     {"ja": "自己破産で、裁判所の許可により借金の支払義務がなくなること", "en": "in bankruptcy, the court's release from the duty to pay the debts"}),
    ({"ja": "清算価値", "en": "liquidation value"},
     {"ja": "持っている財産をお金に換えたときの価値", "en": "what the debtor's property would fetch if sold"}),
    ({"ja": "再生債権", "en": "rehabilitation claims"},
     {"ja": "個人再生で減額の対象になる借金（税金などは含まない）", "en": "the debts a rehabilitation plan reduces (taxes and the like are not among them)"}),
    ({"ja": "承認", "en": "acknowledgment|acknowledg"},
     {"ja": "支払いや支払いの約束などで借金があると認めること。時効は最初から数え直しになる", "en": "admitting the debt, by paying or promising to pay; the limitation period starts again"}),
    ({"ja": "催告", "en": "demand (for payment)|demand letter"},
     {"ja": "督促状などで支払いを求めること。時効の完成を一度だけ6か月延ばす", "en": "a request to pay, such as a demand letter; it delays the limitation only once, by six months"}),
    ({"ja": "完成猶予", "en": "postponement|postpone"},
     {"ja": "時効の完成が一時的に先に延びること（時効が最初から数え直しになる「更新」とは違う）", "en": "the limitation's completion put off for a time (unlike a renewal, which starts the period again)"}),
    ({"ja": "一般優先債権", "en": "general priority claim"},
     {"ja": "税金など、個人再生の計画の外で全額を払う債権", "en": "a claim such as tax that is paid in full outside a rehabilitation plan"}),
    ({"ja": "否認", "en": "avoidance|avoidab"},
     {"ja": "破産管財人が、申立て前の一部の債権者への返済や安売りを取り消すこと", "en": "the trustee undoing a preferential payment or a sale below value made before the filing"}),
    ({"ja": "予納金", "en": "court deposit"},
     {"ja": "破産・再生の手続の費用として、裁判所に前もって納めるお金", "en": "money paid to the court in advance for the costs of the procedure"}),
    ({"ja": "ハンコ代", "en": "release money"},
     {"ja": "配当を受けられない後順位の抵当権者に、抹消に応じてもらうために支払うお金", "en": "money paid to a junior lienholder who gets nothing from the sale, for releasing its mortgage"}),
    ({"ja": "相続放棄", "en": "renouncing an inheritance|renounc"},
     {"ja": "家庭裁判所に申し出て、借金も財産も引き継がないこと", "en": "declaring to the family court that one takes neither the debts nor the property of the deceased"}),
    ({"ja": "復権", "en": "restoration of rights"},
     {"ja": "免責の確定などで、破産による職業の制限がなくなること", "en": "the end of the bankruptcy's occupational restrictions, normally when the discharge becomes final"}),
    ({"ja": "記事", "en": "source article"},
     {"ja": "zansai の知識の元になった、任意売却後の残債についての解説記事（見出しは「根拠」の元記事の欄）", "en": "the explainer on residual debt after a voluntary sale that zansai's knowledge starts from (its headings are listed under Sources)"}),
    ({"ja": "債務名義", "en": "court title"},
     {"ja": "判決や調停調書など、差押えを申し立てるための公的な書面", "en": "a judgment or similar record on which a creditor can apply for garnishment"}),
]


def terms_used(text: str, lang: str) -> list[tuple[str, str]]:
    """(term, meaning) for each glossary word the text uses, in glossary order.

    A term may be written "shown|matched" when the report uses another form of the word.
    """
    return [(t[lang].split("|")[0], d[lang]) for t, d in GLOSSARY if t[lang].split("|")[-1] in text]
