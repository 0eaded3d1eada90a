"""The advisor's report, as plain text or Markdown, in Japanese or English.

Everything shown comes from the Result; nothing here knows the domain
beyond how to lay out what the rules concluded.
"""

from __future__ import annotations

from typing import Any

from engine.result import Figure, Result
from facts import display

_L = {
    "title": {"ja": "zansai 判定結果", "en": "zansai assessment"},
    "case": {"ja": "事案", "en": "Case"},
    "as_of": {"ja": "時点", "en": "as of"},
    "summary": {"ja": "事案の概要", "en": "The case"},
    "paths": {"ja": "推奨される進路（優先順）", "en": "Recommended paths (in order)"},
    "no_paths": {"ja": "推奨できる進路はありません（情報不足の可能性があります）。", "en": "No path can be recommended (information may be missing)."},
    "why_first": {"ja": "順位の理由", "en": "Why this order"},
    "blocked": {"ja": "検討したが適さない進路", "en": "Paths considered but not fitting"},
    "warnings": {"ja": "注意点", "en": "Warnings"},
    "missing": {"ja": "不足している情報", "en": "Missing information"},
    "blocks": {"ja": "判断できないもの", "en": "cannot determine"},
    "figures": {"ja": "数値", "en": "Figures"},
    "sources": {"ja": "根拠", "en": "Sources"},
    "rules": {"ja": "ルール", "en": "rules"},
    "footer": {"ja": "ルールセット", "en": "Rule set"},
    "explain": {
        "ja": "各結論の根拠は `zansai explain` で、推奨されない進路の理由は `zansai explain --why-not 進路` で確認できます。",
        "en": "See `zansai explain` for the reasoning behind each conclusion, and `zansai explain --why-not PATH` for a path that was not recommended.",
    },
    "overridden": {"ja": "この事案で変更したパラメータ", "en": "Parameters overridden for this case"},
}
_SEVERITY = {
    "high": {"ja": "重要", "en": "High"},
    "medium": {"ja": "注意", "en": "Medium"},
    "low": {"ja": "参考", "en": "Low"},
    "info": {"ja": "情報", "en": "Info"},
}
_STAGE = {
    "pre_sale": {"ja": "売却前", "en": "before the sale"},
    "post_sale": {"ja": "売却後", "en": "after the sale"},
}


_SOURCE_KIND = {
    "law": {"ja": "法令・判例", "en": "Statutes and case law"},
    "article": {"ja": "元記事", "en": "The article"},
    "practice": {"ja": "実務・zansai の方針", "en": "Practice and zansai policy"},
}


def source_groups(result: Result) -> dict[str, list[str]]:
    """Every source the fired rules cite, once, grouped so a lawyer finds the statutes first."""
    groups: dict[str, list[str]] = {"law": [], "article": [], "practice": []}
    for firing in result.trace:
        for source in firing.sources:
            if source.startswith("article"):
                key = "article"
            elif source.startswith(("domain.md", "zansai", "practice")) or "(practice" in source:
                key = "practice"
            else:
                key = "law"
            if source not in groups[key]:
                groups[key].append(source)
    groups["law"].sort()
    return groups


def figure_text(fig: Figure, lang: str, table: bool = False) -> str:
    return display.value(fig.value, fig.kind, lang, fig.unit, table=table)


def _fact(result: Result, fact_id: str) -> dict[str, Any]:
    for f in result.facts:
        if f.id == fact_id:
            return f.fields
    return {}


def case_paragraph(result: Result, lang: str) -> str:
    debtor = _fact(result, "debtor")
    mortgage = _fact(result, "mortgage")
    figs = result.figures
    y = lambda v: display.yen(int(v), lang)  # noqa: E731
    parts: list[str] = []
    # a blocked voluntary sale (bids opened) means the figures rest on the auction
    auction_only = any(b.path == "voluntary_sale" for b in result.blocked)
    stage = _STAGE.get(result.stage or "", {}).get(lang)
    if lang == "ja":
        if stage:
            parts.append(f"{stage}の事案です。")
        if mortgage.get("balance") is not None:
            parts.append(f"住宅ローン残高は{y(mortgage['balance'])}")
            if auction_only and "auction_expected_price" in figs:
                parts[-1] += f"です。開札済みのため、競売での想定価格{figure_text(figs['auction_expected_price'], lang)}で見積もっています"
            elif "expected_sale_price" in figs:
                parts[-1] += f"、任意売却の想定価格は{figure_text(figs['expected_sale_price'], lang)}"
            parts[-1] += "。" if auction_only and "auction_expected_price" in figs else "です。"
        if "residual_debt" in figs and figs["residual_debt"].value == 0:
            parts.append("売却代金でローンを完済でき、残債は生じません"
                         + (f"（余剰金 {figure_text(figs['surplus'], lang)}）" if "surplus" in figs else "") + "。")
        elif "residual_debt" in figs:
            parts.append(f"残債は{figure_text(figs['residual_debt'], lang)}")
            if "total_debt" in figs:
                parts[-1] += f"、その他の借入を含む債務総額は{figure_text(figs['total_debt'], lang)}"
            parts[-1] += "です。"
        if debtor.get("annual_income") is not None:
            parts.append(f"年収は{y(debtor['annual_income'])}")
            if "monthly_capacity" in figs:
                parts[-1] += f"、月々の返済原資は{figure_text(figs['monthly_capacity'], lang)}"
            parts[-1] += "です。"
    else:
        if stage:
            parts.append(f"The case is {stage}.")
        if mortgage.get("balance") is not None:
            s = f"The mortgage balance is {y(mortgage['balance'])}"
            if auction_only and "auction_expected_price" in figs:
                s += f"; bids have been opened, so the expected auction price {figure_text(figs['auction_expected_price'], lang)} is used"
            elif "expected_sale_price" in figs:
                s += f" and the expected voluntary-sale price {figure_text(figs['expected_sale_price'], lang)}"
            parts.append(s + ".")
        if "residual_debt" in figs and figs["residual_debt"].value == 0:
            parts.append("The sale repays the loan in full: no residual remains"
                         + (f" (surplus {figure_text(figs['surplus'], lang)})" if "surplus" in figs else "") + ".")
        elif "residual_debt" in figs:
            s = f"The residual debt is {figure_text(figs['residual_debt'], lang)}"
            if "total_debt" in figs:
                s += f", {figure_text(figs['total_debt'], lang)} in all with other debts"
            parts.append(s + ".")
        if debtor.get("annual_income") is not None:
            s = f"Annual income is {y(debtor['annual_income'])}"
            if "monthly_capacity" in figs:
                s += f" and the monthly repayment capacity {figure_text(figs['monthly_capacity'], lang)}"
            parts.append(s + ".")
    return ("" if lang == "ja" else " ").join(parts)


def render(result: Result, lang: str = "ja", markdown: bool = False) -> str:
    L = lambda key: _L[key][lang]  # noqa: E731
    out: list[str] = []

    def heading(text: str, level: int = 2) -> None:
        if markdown:
            out.append("#" * level + " " + text)
        else:
            out.append(text)
            out.append(("=" if level == 1 else "-") * max(8, len(text) * (2 if lang == "ja" else 1)))
        out.append("")

    as_of = display.date(result.as_of, lang)
    heading(f"{L('title')} — {L('case')} {result.case_id}（{as_of}{L('as_of')}）" if lang == "ja"
            else f"{L('title')} — {L('case')} {result.case_id} ({L('as_of')} {as_of})", 1)

    heading(L("summary"))
    out.append(case_paragraph(result, lang))
    out.append("")

    heading(L("paths"))
    if not result.recommendations:
        out.append(L("no_paths"))
    for rec in result.recommendations:
        bullet = f"{rec.rank}. " if not markdown else f"{rec.rank}. "
        title = f"**{rec.title.get(lang)}**" if markdown else rec.title.get(lang)
        out.append(f"{bullet}{title} — {rec.summary.get(lang)}")
        figs = [
            f"{result.figures[name].title.get(lang)}: {figure_text(result.figures[name], lang)}"
            for name in rec.figures
            if name in result.figures
        ]
        if figs:
            out.append("   " + ("、" if lang == "ja" else "; ").join(figs))
        for reason in rec.ranking:
            if reason.applied and reason.reason.get(lang):
                out.append(f"   {L('why_first')}: {reason.reason.get(lang)} [{reason.rule}]")
        out.append(f"   ({L('rules')}: {', '.join(rec.rules)})")
    out.append("")

    if result.blocked:
        heading(L("blocked"))
        for b in result.blocked:
            out.append(f"- {b.title.get(lang)}（{b.path}）: {b.reason.get(lang)} [{', '.join(b.rules)}]" if lang == "ja"
                       else f"- {b.title.get(lang)} ({b.path}): {b.reason.get(lang)} [{', '.join(b.rules)}]")
        out.append("")

    if result.warnings:
        heading(L("warnings"))
        for w in result.warnings:
            sev = _SEVERITY[w.severity][lang]
            label = f"**[{sev}] {w.title.get(lang)}**" if markdown else f"[{sev}] {w.title.get(lang)}"
            out.append(f"- {label}: {w.message.get(lang)}")
        out.append("")

    if result.missing:
        heading(L("missing"))
        for m in result.missing:
            blocks = ("、" if lang == "ja" else ", ").join(t.get(lang) for t in m.block_titles) or ", ".join(m.blocks)
            out.append(f"- {m.message.get(lang)}" + (f"（{L('blocks')}: {blocks}）" if lang == "ja" and blocks else f" ({L('blocks')}: {blocks})" if blocks else ""))
        out.append("")

    if result.figures:
        heading(L("figures"))
        if markdown:
            out.append("| | |")
            out.append("|---|---:|")
            for fig in result.figures.values():
                out.append(f"| {fig.title.get(lang)} | {figure_text(fig, lang, table=True)} |")
        else:
            width = max(_width(f.title.get(lang)) for f in result.figures.values())
            for fig in result.figures.values():
                label = fig.title.get(lang)
                out.append(f"  {label}{' ' * (width - _width(label))}  {figure_text(fig, lang, table=True):>16}")
        out.append("")

    overridden = [p for p in result.parameters.values() if p.overridden]
    if overridden:
        heading(L("overridden"))
        for p in overridden:
            out.append(f"- {p.title.get(lang)} ({p.name}): {p.default} → {p.value}")
        out.append("")

    groups = source_groups(result)
    if any(groups.values()):
        heading(L("sources"))
        for key, items in groups.items():
            if items:
                out.append(f"- {_SOURCE_KIND[key][lang]}: " + ("、" if lang == "ja" else "; ").join(items))
        out.append("")

    out.append(f"{L('footer')}: {result.ruleset.version[:12]} ({result.ruleset.rules} {L('rules')}) · {result.engine.name} {result.engine.version}")
    out.append(L("explain"))
    return "\n".join(out).rstrip() + "\n"


def _width(text: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
