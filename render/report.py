"""The report, as plain text or Markdown, in Japanese or English.

It leads with what a distressed reader needs (where the debtor stands, the
options side by side, up to three things to do this week), then the warnings in
order of urgency, then what the figures rest on and a plain "not legal advice"
line; the full detail (each option's reasoning, figures, sources, rule ids,
rule-set version) comes after. ``audience="debtor"`` leaves out what only the
advisor needs (rule ids, the rule set, command hints). Everything shown comes
from the Result; the wording rules are in docs/messages.md.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from app.result import Figure, Result
from facts import display
from render.statutes import ACTS, ALIASES, CITE, article_en, gloss_en, source_display

_L = {
    "title": {"ja": "zansai 判定結果", "en": "zansai assessment"},
    "case": {"ja": "事案", "en": "Case"},
    "as_of": {"ja": "時点", "en": "as of"},
    "standing": {"ja": "いまの状況", "en": "Where the debtor stands"},
    "paths": {"ja": "検討できる進路（目安・順位つき）", "en": "Options to discuss with a lawyer or judicial scrivener (in order)"},
    "no_paths_blocked": {
        "ja": "この事案に当てはまる進路はありません。理由は詳細の「検討したが適さない進路」に、次にすることは注意点にあります。",
        "en": "No option fits this case. Why is under \"Options considered but not fitting\" in the detail; what to do next is in the warnings.",
    },
    "no_paths": {
        "ja": "情報が足りないため、まだ進路を判断できません。下の「不足している情報」をそろえて、もう一度判定します。",
        "en": "There is not yet enough information to assess the options. Gather what is listed under \"Missing information\" and run the assessment again.",
    },
    "steps": {"ja": "今週やること", "en": "This week"},
    "bring": {"ja": "相談に持っていくもの", "en": "What to take to the consultation"},
    "warnings": {"ja": "注意点（急ぐ順）", "en": "Warnings (most urgent first)"},
    "about": {"ja": "この結果について", "en": "About this result"},
    "glossary": {"ja": "ことばの説明", "en": "Terms used"},
    "detail": {"ja": "詳細", "en": "Detail"},
    "path_detail": {"ja": "進路ごとの説明", "en": "Each option explained"},
    "why_first": {"ja": "順位の理由", "en": "Why this order"},
    "blocked": {"ja": "検討したが適さない進路", "en": "Options considered but not fitting"},
    "missing": {"ja": "不足している情報", "en": "Missing information"},
    "blocks": {"ja": "判断できないもの", "en": "cannot determine"},
    "figures": {"ja": "数値（概算）", "en": "Figures (estimates)"},
    "sources": {"ja": "根拠", "en": "Sources"},
    "sources_note": {
        "ja": "出典の一覧と正式名は docs/sources.md にあります。",
        "en": "Every source is listed with its full name in docs/sources.md.",
    },
    "rules": {"ja": "ルール", "en": "rules"},
    "footer": {"ja": "ルールセット", "en": "Rule set"},
    "explain": {
        "ja": "各結論の根拠は `zansai explain` で、推奨されない進路の理由は `zansai explain --why-not 進路` で確認できます。",
        "en": "See `zansai explain` for the reasoning behind each conclusion, and `zansai explain --why-not PATH` for a path that was not recommended.",
    },
    "overridden": {"ja": "この事案で変更したパラメータ", "en": "Parameters overridden for this case"},
    "see_warnings": {"ja": "（注意点を参照）", "en": " (see the warnings)"},
    "most_urgent": {"ja": "いちばん急ぐこと", "en": "Most urgent"},
}
_SEVERITY = {
    "high": {"ja": "重要", "en": "High"},
    "medium": {"ja": "注意", "en": "Medium"},
    "low": {"ja": "参考", "en": "Low"},
    "info": {"ja": "情報", "en": "Info"},
}
_SOURCE_KIND = {
    "law": {"ja": "法令・判例", "en": "Statutes and case law"},
    "article": {"ja": "元記事", "en": "The source article"},
    "practice": {"ja": "実務・zansai の方針", "en": "Practice and zansai's own policy"},
}

_MAX_STEPS = 3

# Words a debtor meets in the report, explained after "about this result" when they
# occur in what comes before it (docs/messages.md, terms).
_GLOSSARY = [
    ({"ja": "残債", "en": "residual"},
     {"ja": "売却代金で返しきれずに残る住宅ローンの借金", "en": "the mortgage debt left after the sale proceeds are paid to the lender"}),
    ({"ja": "返済原資", "en": "repayment capacity"},
     {"ja": "手取りから生活費を引いた、毎月返済に回せる額", "en": "what is left each month for repayment after living costs"}),
    ({"ja": "期限の利益喪失", "en": "acceleration"},
     {"ja": "滞納が続き、分割ではなく残高全部を一括で返すよう求められること", "en": "after continued arrears, the lender demands the whole balance at once instead of installments"}),
    ({"ja": "代位弁済", "en": "subrogation"},
     {"ja": "保証会社が銀行に立て替えて払い、以後は保証会社が請求すること", "en": "the guarantee company repays the bank and from then on claims the debt itself"}),
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


def source_groups(result: Result, lang: str = "ja") -> dict[str, list[str]]:
    """Every source the fired rules cite, once, as a reader looks it up (docs/sources.md), statutes first."""
    groups: dict[str, list[str]] = {"law": [], "article": [], "practice": []}
    for firing in result.trace:
        for source in firing.sources:
            key, shown = source_display(source, lang)
            if shown not in groups[key]:
                groups[key].append(shown)
    # 破産法2条 before 破産法15条: article numbers sort as numbers
    groups["law"].sort(key=lambda t: [int(x) if x.isdigit() else x for x in re.split(r"(\d+)", t)])
    return groups


def _law_en(sources: list[str]) -> list[str]:
    """English statute list: one entry per act, its Japanese name once, then its articles."""
    by_act: dict[str, list[str]] = {}
    other: list[str] = []
    for source in sources:
        m = CITE.match(source)
        if m and m.group("act") and m.end() == len(source):
            by_act.setdefault(ALIASES.get(m.group("act"), m.group("act")), []).append(article_en(m).replace("art. ", ""))
        else:
            other.append(gloss_en(source, set()))
    out = [f"{ACTS[act]} ({act}) " + ("art. " if len(arts) == 1 else "arts. ") + ", ".join(arts) for act, arts in by_act.items()]
    return out + other


def figure_text(fig: Figure, lang: str, table: bool = False) -> str:
    # one format per value in each language: the table shows money as the text does
    return display.value(fig.value, fig.kind, lang, fig.unit)


# Figures whose zero is itself the finding: no residual after the sale, none even at auction.
_ZERO_IS_THE_POINT = {"residual_debt", "residual_debt_auction"}


def shown_figures(result: Result) -> list[Figure]:
    """Figures that are advice for this case: about the case itself, or a working of a listed path.

    A figure of a path that is blocked or not listed (698 months of installments for a
    debtor on welfare) is not shown, and neither is a zero (no tax arrears, no release
    money, a zero ratio), which says nothing, unless the zero is the point (no residual).
    The Result, and so the JSON, keeps every figure.
    """
    listed = {r.path for r in result.recommendations}
    out = []
    for fig in result.figure_items().values():
        if fig.paths and not listed & set(fig.paths):
            continue
        if _shows_as_zero(fig) and fig.name not in _ZERO_IS_THE_POINT:
            continue
        out.append(fig)
    return out


def _shows_as_zero(fig: Figure) -> bool:
    """Zero as the reader would see it: 0円, 0か月, or a ratio that rounds to 0 (0.001倍 shows as 0倍)."""
    if fig.kind not in ("yen", "int", "ratio") or isinstance(fig.value, bool):
        return False
    return not re.sub(r"\D", "", display.value(fig.value, fig.kind, "en", fig.unit)).strip("0")


def _fact(result: Result, fact_id: str) -> dict[str, Any]:
    for f in result.facts:
        if f.id == fact_id:
            return f.fields
    return {}


def _about(value: int, lang: str) -> str:
    """A money estimate rounded to 10,000 yen, with 約 / about: an estimate is not exact to the yen."""
    rounded = int(round(int(value), -4)) if abs(int(value)) >= 10**5 else int(value)
    return ("約" if lang == "ja" else "about ") + display.yen(rounded, lang)


def headline(result: Result, lang: str) -> str:
    """Where the debtor stands: the stage, the residual as an estimate beside the auction, the one deadline."""
    mortgage = _fact(result, "mortgage")
    figs = result.figure_items()
    ja = lang == "ja"
    y = lambda v: display.yen(int(v), lang)  # noqa: E731
    parts: list[str] = []
    bids_opened = any(b.path == "voluntary_sale" for b in result.blocked)
    balance = mortgage.get("balance")
    arrears = mortgage.get("arrears_months") or 0
    if result.stage == "pre_sale":
        s = "自宅はまだ売却していません。" if ja else "The home has not been sold yet."
        if balance is not None:
            if ja:
                s += f"住宅ローン残高は{y(balance)}" + (f"で、{arrears}か月滞納しています。" if arrears else "です。")
            else:
                s += f" The mortgage balance is {y(balance)}" + (f", with payments {arrears} months in arrears." if arrears else ".")
        parts.append(s)
    elif result.stage == "post_sale":
        parts.append("自宅は売却済みです。" if ja else "The home has been sold.")

    residual = figs.get("residual_debt")
    auction = figs.get("residual_debt_auction")
    if residual is not None and residual.value == 0:
        surplus = figs.get("surplus")
        if ja:
            parts.append("売却代金でローンを完済でき、残債は生じない見込みです"
                         + (f"（手元に残る額は{_about(surplus.value, lang)}）" if surplus and surplus.value else "") + "。")
        else:
            parts.append("The sale should repay the loan in full and leave no residual"
                         + (f" (about {display.yen(int(round(surplus.value, -4)), lang)} left over)" if surplus and surplus.value else "") + ".")
    elif residual is not None:
        if result.stage == "pre_sale" and bids_opened:
            price = figs.get("auction_expected_price")
            basis = figure_text(price, lang) if price is not None else ""
            parts.append(f"開札済みのため、競売の想定価格{basis}をもとに、売却後に残る借金（残債）は{_about(residual.value, lang)}と見込まれます。" if ja
                         else f"Bids have been opened, so on the expected auction price of {basis} the debt left after the sale (the residual) is estimated at {_about(residual.value, lang)}.")
        elif result.stage == "pre_sale" and auction is not None and auction.value != residual.value:
            parts.append(f"売却後に残る借金（残債）は、任意売却なら{_about(residual.value, lang)}、競売になれば{_about(auction.value, lang)}の見込みです（査定額と費用からの概算）。" if ja
                         else f"The debt left after the sale (the residual) is estimated at {_about(residual.value, lang)} after a voluntary sale, or {_about(auction.value, lang)} if the home is auctioned (from the valuation and costs).")
        elif result.stage == "pre_sale":
            parts.append(f"売却後に残る借金（残債）は{_about(residual.value, lang)}の見込みです。" if ja
                         else f"The debt left after the sale (the residual) is estimated at {_about(residual.value, lang)}.")
        else:
            parts.append(f"残っている借金（残債）は{y(residual.value)}です。" if ja
                         else f"The remaining debt (the residual) is {y(residual.value)}.")
        total = figs.get("total_debt")
        if total is not None and total.value != residual.value:
            parts.append(f"その他の借入を含む債務総額は{_about(total.value, lang)}です。" if ja
                         else f"Including other debts, the total is {_about(total.value, lang)}.")
    urgent = next((w for w in result.warnings if w.urgency == 1), None)
    if urgent is not None:
        parts.append(f"{_L['most_urgent'][lang]}: {urgent.title.get(lang)}{_L['see_warnings'][lang]}" + ("。" if ja else "."))
    return ("" if ja else " ").join(parts)


def next_steps(result: Result, lang: str) -> list[str]:
    """Up to three things to do this week: what cannot wait or decides the path, then seeing a professional.

    The steps are data (catalog ``next_step`` of warnings and paths), in the warnings'
    urgency order with the first option's step after the deadlines; the last slot goes
    to a background step (consulting a lawyer or scrivener, 法テラス) when there is one.
    """
    first = result.recommendations[0] if result.recommendations else None
    pressing: list[str] = []
    background: list[str] = []
    for w in result.warnings:
        if first is not None and w.urgency > 1 and first.next_step and first.next_step.get(lang) not in pressing:
            pressing.append(first.next_step.get(lang))
            first = None
        if w.next_step is None:
            continue
        (pressing if w.urgency <= 2 else background).append(w.next_step.get(lang))
    if first is not None and first.next_step:
        pressing.append(first.next_step.get(lang))
    steps: list[str] = []
    for s in pressing:
        if s not in steps:
            steps.append(s)
    steps = steps[: _MAX_STEPS - 1] if background else steps[:_MAX_STEPS]
    for s in background:
        if len(steps) < _MAX_STEPS and s not in steps:
            steps.append(s)
    return steps


def documents(result: Result, lang: str) -> list[str]:
    """Papers to take to the lawyer or scrivener: catalog ``bring`` data of the listed paths
    (in rank order), then of the warnings, each once."""
    out: list[str] = []
    for item in [b for r in result.recommendations for b in r.bring] + [b for w in result.warnings for b in w.bring]:
        text = item.get(lang)
        if text not in out:
            out.append(text)
    return out


def about_result(result: Result, lang: str) -> list[str]:
    """What the figures rest on, and the plain statement that this is not legal advice."""
    ja = lang == "ja"
    as_of = display.date(result.as_of, lang)
    lines = [
        f"金額・月数は、入力された事案と{as_of}時点のパラメータにもとづく概算（目安）です。査定額・費用・利率が変われば結果も変わります。" if ja
        else f"Amounts and months are estimates from the case as entered and the parameters in force on {as_of}; a different valuation, cost or rate changes them.",
    ]
    practice = [p for p in result.parameters.values() if p.practice and p.used and not p.overridden]
    if practice:
        # every rough figure from practice the result rests on, so the reader can see and question it
        lines.append(("実務の目安として使った値（事案ごとに変更できます）: " if ja else "Rough figures from practice used here (each can be changed for the case): ")
                     + ("、" if ja else "; ").join(f"{p.title.get(lang)} {display.value(p.value, p.kind, lang, p.unit)}" for p in practice)
                     + ("。" if ja else "."))
    assumed = [m.message.get(lang) for m in result.missing if not m.blocks]
    if assumed:
        lines.append(("仮に置いた値: " if ja else "Assumed: ") + ("" if ja else " ").join(assumed))
    overridden = [p for p in result.parameters.values() if p.overridden]
    if overridden:
        lines.append(("この事案で変更した前提: " if ja else "Assumptions changed for this case: ")
                     + ("、" if ja else "; ").join(f"{p.title.get(lang)} {parameter_change(p, lang)}" for p in overridden))
    lines.append(
        "この結果は判断の材料で、法的助言ではありません。どの進路をとるかは、弁護士・司法書士と相談して決めてください。" if ja
        else "This result is material for a decision, not legal advice. Which path to take is for the debtor to decide with a lawyer or judicial scrivener."
    )
    return lines


def parameter_change(p: Any, lang: str) -> str:
    """'default → value' of an overridden parameter, each written as the report writes that kind
    (20万円, 14.6%, 36か月; a ratio as a decimal, 0.7), never the raw number."""
    return f"{display.value(p.default, p.kind, lang, p.unit)} → {display.value(p.value, p.kind, lang, p.unit)}"


def render(result: Result, lang: str = "ja", markdown: bool = False, audience: str = "advisor") -> str:
    L = lambda key: _L[key][lang]  # noqa: E731
    ja = lang == "ja"
    advisor = audience == "advisor"
    out: list[str] = []

    def heading(text: str, level: int = 2) -> None:
        if markdown:
            out.append("#" * level + " " + text)
        else:
            out.append(text)
            out.append(("=" if level == 1 else "-") * _width(text))
        out.append("")

    as_of = display.date(result.as_of, lang)
    heading(f"{L('title')} — {L('case')} {result.case_id}（{as_of}{L('as_of')}）" if ja
            else f"{L('title')} — {L('case')} {result.case_id} ({L('as_of')} {as_of})", 1)

    # --- the lead: where the debtor stands, the options, this week --------------------
    heading(L("standing"))
    out.append(headline(result, lang))
    out.append("")

    heading(L("paths"))
    if not result.recommendations:
        out.append(L("no_paths_blocked") if result.blocked else L("no_paths"))
    items = result.figure_items()
    for rec in result.recommendations:
        title = f"**{rec.title.get(lang)}**" if markdown else rec.title.get(lang)
        out.append(f"{rec.rank}. {title}")
        figs = [
            f"{items[name].title.get(lang)} {figure_text(items[name], lang)}"
            for name in rec.figures
            if name in items
        ]
        if figs:
            out.append("   " + ("、" if ja else "; ").join(figs))
    out.append("")

    steps = next_steps(result, lang)
    if steps:
        heading(L("steps"))
        for i, step in enumerate(steps, start=1):
            out.append(f"{i}. {step}")
        out.append("")

    papers = documents(result, lang)
    if papers:
        heading(L("bring"))
        # one line: the list is a checklist to glance at, and the lead must stay short
        out.append(_sentence(("、" if ja else "; ").join(papers) + ("。" if ja else ".")))
        out.append("")

    # --- warnings by urgency, what the result rests on -------------------------------
    if result.warnings:
        heading(L("warnings"))
        for w in result.warnings:
            sev = _SEVERITY[w.severity][lang]
            label = f"**[{sev}] {w.title.get(lang)}**" if markdown else f"[{sev}] {w.title.get(lang)}"
            out.append(f"- {label}: {_sentence(w.message.get(lang))}")
        out.append("")

    if result.missing:
        heading(L("missing"))
        for m in result.missing:
            blocks = ("、" if ja else ", ").join(t.get(lang) for t in m.block_titles)
            out.append(f"- {m.message.get(lang)}" + ((f"（{L('blocks')}: {blocks}）" if ja else f" ({L('blocks')}: {blocks})") if blocks else ""))
        out.append("")

    heading(L("about"))
    out.extend(about_result(result, lang))
    out.append("")

    shown_so_far = "\n".join(out)
    # a term may be written "shown|matched" when the report uses another form of the word
    terms = [(t[lang].split("|")[0], d[lang]) for t, d in _GLOSSARY if t[lang].split("|")[-1] in shown_so_far]
    if terms:
        heading(L("glossary"))
        for term, meaning in terms:
            out.append(f"- {term}: {meaning}")
        out.append("")

    # --- the full detail ------------------------------------------------------------------
    heading(L("detail"), 1 if not markdown else 2)

    if result.recommendations:
        heading(L("path_detail"))
        for rec in result.recommendations:
            title = f"**{rec.title.get(lang)}**" if markdown else rec.title.get(lang)
            out.append(f"{rec.rank}. {title} — {rec.summary.get(lang)}")
            for reason in rec.ranking:
                if reason.applied and reason.reason.get(lang):
                    out.append(f"   {L('why_first')}: {reason.reason.get(lang)}" + (f" [{reason.rule}]" if advisor else ""))
            if advisor:
                out.append(f"   ({L('rules')}: {', '.join(rec.rules)})")
        out.append("")

    if result.blocked:
        heading(L("blocked"))
        for b in result.blocked:
            rules = f" [{', '.join(b.rules)}]" if advisor else ""
            out.append(f"- {b.title.get(lang)}: {b.reason.get(lang)}{rules}")
        out.append("")

    figures = shown_figures(result)
    if figures:
        heading(L("figures"))
        if markdown:
            out.append("| | |")
            out.append("|---|---:|")
            for fig in figures:
                out.append(f"| {fig.title.get(lang)} | {figure_text(fig, lang)} |")
        else:
            width = max(_width(f.title.get(lang)) for f in figures)
            for fig in figures:
                label = fig.title.get(lang)
                value = figure_text(fig, lang)
                out.append(f"  {label}{' ' * (width - _width(label))}  {' ' * max(0, 16 - _width(value))}{value}")
        out.append("")

    if advisor:
        overridden = [p for p in result.parameters.values() if p.overridden]
        if overridden:
            heading(L("overridden"))
            for p in overridden:
                # the advisor sees the label a reader knows, and the id to write in the case file
                out.append(f"- {p.title.get(lang)}: {parameter_change(p, lang)} [{p.name}]")
            out.append("")

    if not ja:
        # English: every Japanese citation in the body in English, each act glossed once
        glossed: set[str] = set()
        out[:] = [gloss_en(line, glossed) for line in out]

    groups = source_groups(result, lang)
    if any(groups.values()):
        heading(L("sources"))
        for key, items in groups.items():
            if items:
                if key == "law" and not ja:
                    items = _law_en(items)
                out.append(f"- {_SOURCE_KIND[key][lang]}: " + ("、" if ja else "; ").join(items))
        out.append(L("sources_note"))
        out.append("")

    if advisor:
        out.append(f"{L('footer')}: {result.ruleset.version[:12]} ({result.ruleset.rules} {L('rules')}) · {result.engine.name} {result.engine.version}")
        out.append(L("explain"))
    return "\n".join(out).rstrip() + "\n"


def lead_lines(report: str, lang: str = "ja") -> list[str]:
    """The lines before the warnings: the headline, the options and this week's steps."""
    lines = report.splitlines()
    marker = _L["warnings"][lang]
    for i, line in enumerate(lines):
        if line.lstrip("# ") == marker:
            return lines[:i]
    return lines


def _sentence(text: str) -> str:
    """A message opens with a capital even when it starts with a case-supplied word ("the debtor's wife")."""
    return text[:1].upper() + text[1:] if text[:1].isascii() else text


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
