"""The report's detail, after the lead: each option's reasoning, options that do not fit,
the figures, the parameters changed for the case, the sources and, for the advisor,
the rule ids and the rule set.

What only the advisor needs (rule ids, parameter ids, the rule set, command hints) is
left out of the debtor's copy (``advisor=False``).
"""

from __future__ import annotations

import re

from app.result import Figure, Result
from facts import display
from render.layout import Page, figure_text, width
from render.lead import parameter_change
from render.report_labels import LABELS, SOURCE_KIND
from render.statutes import ACTS, ALIASES, CITE, article_number_en, gloss_en, source_display


def source_groups(result: Result, lang: str = "ja") -> dict[str, list[str]]:
    """Every source the fired rules cite and every source of a parameter value they used (the value in
    force on the case's date: a dated value cites its own act), once, as a reader looks it up
    (docs/sources.md), statutes first."""
    groups: dict[str, list[str]] = {"law": [], "article": [], "practice": []}
    cited = [s for firing in result.trace for s in firing.sources]
    cited += [s for p in result.parameters.values() if p.used for s in p.sources]
    for source in cited:
        key, shown = source_display(source, lang)
        if shown not in groups[key]:
            groups[key].append(shown)
    # 破産法2条 before 破産法15条: article numbers sort as numbers
    groups["law"].sort(key=lambda t: [int(x) if x.isdigit() else x for x in re.split(r"(\d+)", t)])
    return groups


def _law_en(sources: list[str]) -> list[str]:
    """English statute list: one entry per act, its Japanese name once, then its articles."""
    # per act: the main provisions' articles, then the supplementary provisions' (附則), which
    # are labelled apart: "Supplementary Provisions art. 4(1)", never "art. Supplementary Provisions 4(1)"
    by_act: dict[str, tuple[list[str], list[str]]] = {}
    other: list[str] = []
    for source in sources:
        m = CITE.match(source)
        if m and m.group("act") and m.end() == len(source):
            main, supp = by_act.setdefault(ALIASES.get(m.group("act"), m.group("act")), ([], []))
            (supp if m.group("supp") else main).append(article_number_en(m))
        else:
            other.append(gloss_en(source, set()))

    def arts(label: str, numbers: list[str]) -> str:
        return label + ("art. " if len(numbers) == 1 else "arts. ") + ", ".join(numbers)

    out = []
    for act, (main, supp) in by_act.items():
        parts = ([arts("", main)] if main else []) + ([arts("Supplementary Provisions ", supp)] if supp else [])
        out.append(f"{ACTS[act]} ({act}) " + ", ".join(parts))
    return out + other


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



def write_detail(page: Page, result: Result, lang: str, advisor: bool) -> None:
    """The detail section, with the English glosses applied to the whole page before the sources."""
    L = lambda key: LABELS[key][lang]  # noqa: E731
    ja = lang == "ja"
    page.heading(L("detail"), 1 if not page.markdown else 2)

    if result.recommendations:
        page.heading(L("path_detail"))
        for rec in result.recommendations:
            page.add(f"{rec.rank}. {page.bold(rec.title.get(lang))} — {rec.summary.get(lang)}")
            for reason in rec.ranking:
                if reason.applied and reason.reason.get(lang):
                    page.add(f"   {L('why_first')}: {reason.reason.get(lang)}" + (f" [{reason.rule}]" if advisor else ""))
            if advisor:
                page.add(f"   ({L('rules')}: {', '.join(rec.rules)})")
        page.add("")

    if result.blocked:
        page.heading(L("blocked"))
        for b in result.blocked:
            rules = f" [{', '.join(b.rules)}]" if advisor else ""
            page.add(f"- {b.title.get(lang)}: {b.reason.get(lang)}{rules}")
        page.add("")

    figures = shown_figures(result)
    if figures:
        page.heading(L("figures"))
        if page.markdown:
            page.add("| | |")
            page.add("|---|---:|")
            for fig in figures:
                page.add(f"| {fig.title.get(lang)} | {figure_text(fig, lang)} |")
        else:
            column = max(width(f.title.get(lang)) for f in figures)
            for fig in figures:
                label = fig.title.get(lang)
                value = figure_text(fig, lang)
                page.add(f"  {label}{' ' * (column - width(label))}  {' ' * max(0, 16 - width(value))}{value}")
        page.add("")

    if advisor:
        overridden = [p for p in result.parameters.values() if p.overridden]
        if overridden:
            page.heading(L("overridden"))
            for p in overridden:
                # the advisor sees the label a reader knows, and the id to write in the case file
                page.add(f"- {p.title.get(lang)}: {parameter_change(p, lang)} [{p.name}]")
            page.add("")

    if not ja:
        # English: every Japanese citation in the body in English, each act glossed once
        glossed: set[str] = set()
        page.lines[:] = [gloss_en(line, glossed) for line in page.lines]

    groups = source_groups(result, lang)
    if any(groups.values()):
        page.heading(L("sources"))
        for key, items in groups.items():
            # the project's own notes are cited by its docs/sources.md, which the debtor's copy cannot point to
            if items and (advisor or key != "practice"):
                if key == "law" and not ja:
                    items = _law_en(items)
                page.add(f"- {SOURCE_KIND[key][lang]}: " + ("、" if ja else "; ").join(items))
        if advisor:  # the list is in the project's docs/sources.md, which the debtor's copy cannot point to
            page.add(L("sources_note"))
        page.add("")

    if advisor:
        page.add(f"{L('footer')}: {result.ruleset.version[:12]} ({result.ruleset.rules} {L('rules')}) · {result.engine.name} {result.engine.version}")
        page.add(L("explain"))
