"""The part of the report a distressed reader needs first.

Where the debtor stands (one headline), the options side by side, up to three
things to do this week and the papers to take along, then the warnings by urgency,
what is missing, what the figures rest on with the plain "not legal advice" line,
and the words used so far. The wording rules are in docs/messages.md.
"""

from __future__ import annotations

from typing import Any

from app.result import Result
from facts import display
from render.glossary import terms_used
from render.layout import Page, figure_text, sentence
from render.report_labels import LABELS, MAX_STEPS, SEVERITY


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
            # the auction figure is the argument for a voluntary sale, so its basis is said where it is given
            ratio = result.parameters.get("auction_price_ratio")
            basis = "" if ratio is None else display.value(ratio.value, ratio.kind, lang, ratio.unit)
            parts.append(f"売却後に残る借金（残債）は、任意売却なら{_about(residual.value, lang)}、競売になれば{_about(auction.value, lang)}の見込みです（査定額と費用からの概算。"
                         + (f"競売は査定額の{basis}倍で売れるとした目安で、実際の落札額はこれより高いこともあります）。" if basis else "）。") if ja
                         else f"The debt left after the sale (the residual) is estimated at {_about(residual.value, lang)} after a voluntary sale, or {_about(auction.value, lang)} if the home is auctioned (from the valuation and costs"
                         + (f"; the auction price is taken as {basis} times the valuation, a rough figure: actual winning bids can be higher)." if basis else ")."))
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
        parts.append(f"{LABELS['most_urgent'][lang]}: {urgent.title.get(lang)}{LABELS['see_warnings'][lang]}" + ("。" if ja else "."))
    # the one date to act by, when the case gives it: the last day a voluntary sale or the housing
    # clause is still open (the limitation date is not a limit to act by, and is shown where it is live)
    offered = {w.id for w in result.warnings}
    # the clause's last day is a limit to act by only while the clause is offered: not when another
    # lien on the home excludes it (民事再生法198条1項ただし書, situations.housing_clause_excluded_*)
    limit = next((d for d in result.deadlines if d.id in _ACT_BY and d.status == "upcoming"
                  and (d.id != "housing_loan_clause" or "housing_loan_clause_possible" in offered)), None)
    if limit is not None and limit.date is not None:
        when = display.date(limit.date, lang)
        parts.append(f"期限: {when}（あと{limit.days_left}日）— {limit.title.ja}。" if ja
                     else f"Deadline: {when} ({limit.days_left} days from now) — {limit.title.en}.")
    return ("" if ja else " ").join(parts)


_ACT_BY = ("auction_bid_opening", "housing_loan_clause")


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
    steps = steps[: MAX_STEPS - 1] if background else steps[:MAX_STEPS]
    for s in background:
        if len(steps) < MAX_STEPS and s not in steps:
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


def write_lead(page: Page, result: Result, lang: str) -> None:
    """The title, then everything before the detail: the headline, options, this week, the
    papers, the warnings, what is missing, what the result rests on and the terms used."""
    L = lambda key: LABELS[key][lang]  # noqa: E731
    ja = lang == "ja"
    as_of = display.date(result.as_of, lang)
    page.heading(f"{L('title')} — {L('case')} {result.case_id}（{as_of}{L('as_of')}）" if ja
                 else f"{L('title')} — {L('case')} {result.case_id} ({L('as_of')} {as_of})", 1)

    page.heading(L("standing"))
    # a case that gives neither the loan nor the home has no standing to sum up: said, not left blank
    page.add(headline(result, lang) or L("standing_unknown"))
    page.add("")

    page.heading(L("paths"))
    if not result.recommendations:
        page.add(L("no_paths_blocked") if result.blocked else L("no_paths"))
    items = result.figure_items()
    for rec in result.recommendations:
        page.add(f"{rec.rank}. {page.bold(rec.title.get(lang))}")
        figs = [
            f"{items[name].title.get(lang)} {figure_text(items[name], lang)}"
            for name in rec.figures
            if name in items
        ]
        if figs:
            page.add("   " + ("、" if ja else "; ").join(figs))
    page.add("")

    steps = next_steps(result, lang)
    if steps:
        page.heading(L("steps"))
        for i, step in enumerate(steps, start=1):
            page.add(f"{i}. {step}")
        page.add("")

    papers = documents(result, lang)
    if papers:
        page.heading(L("bring"))
        # one line: the list is a checklist to glance at, and the lead must stay short
        page.add(sentence(("、" if ja else "; ").join(papers) + ("。" if ja else ".")))
        page.add("")

    if result.warnings:
        page.heading(L("warnings"))
        for w in result.warnings:
            sev = SEVERITY[w.severity][lang]
            page.add(f"- {page.bold(f'[{sev}] {w.title.get(lang)}')}: {sentence(w.message.get(lang))}")
        page.add("")

    if result.missing:
        page.heading(L("missing"))
        for m in result.missing:
            blocks = ("、" if ja else ", ").join(t.get(lang) for t in m.block_titles)
            page.add(f"- {m.message.get(lang)}" + ((f"（{L('blocks')}: {blocks}）" if ja else f" ({L('blocks')}: {blocks})") if blocks else ""))
        page.add("")

    page.heading(L("about"))
    for line in about_result(result, lang):
        page.add(line)
    page.add("")

    # the terms are those the reader has met so far, so the glossary comes last in the lead
    terms = terms_used(page.text(), lang)
    if terms:
        page.heading(L("glossary"))
        for term, meaning in terms:
            page.add(f"- {term}: {meaning}")
        page.add("")
