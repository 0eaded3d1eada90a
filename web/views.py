"""What the result page shows, as plain data for the templates, all drawn from one Result.

The derivation of each conclusion is the same walk ``render.explain`` makes
for the text report (trace entries back to the case's inputs), kept as a tree
so the page can fold and unfold it; why-not and the report text come from the
renderers themselves.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.result import Result
from facts import display
from render import explain as X
from render.report import headline, next_steps, render as report_text, shown_figures
from render.statutes import source_display

SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2, "info": 3}
SEVERITY = {"high": ("重要", "High"), "medium": ("注意", "Medium"), "low": ("参考", "Low"), "info": ("情報", "Info")}


@dataclass
class Node:
    rule: str
    title: str
    sources: list[str]
    note: str | None
    conditions: list[str]
    inputs: list[str] = field(default_factory=list)  # input facts the rule matched
    children: list[tuple[str, "Node | None"]] = field(default_factory=list)  # (derived fact shown, its derivation)
    seen: bool = False  # already unfolded higher up


def derivation(result: Result, fact_id: str, lang: str, depth: int = 0, seen: set[str] | None = None) -> list[Node]:
    seen = set() if seen is None else seen
    fact = result.fact(fact_id)
    if fact is None or not hasattr(fact, "firings") or depth > 12:
        return []
    nodes = []
    for index in fact.firings:
        firing = result.trace[index]
        node = Node(
            rule=firing.rule,
            title=firing.title.get(lang),
            sources=[source_display(s, lang)[1] for s in firing.sources],
            note=firing.note.get(lang) if firing.note else None,
            conditions=[X.localise(c.evaluated, lang) for c in firing.conditions],
        )
        key = f"{fact_id}@{index}"
        if key in seen:
            node.seen = True
            nodes.append(node)
            continue
        seen.add(key)
        for matched in firing.matched:
            sub = result.fact(matched)
            if sub is not None and hasattr(sub, "firings"):
                shown = X._show(sub, lang)
                label = matched + (f" = {shown}" if shown else "")
                subs = derivation(result, matched, lang, depth + 1, seen)
                for s in subs or [None]:
                    node.children.append((label, s))
            elif sub is not None:
                node.inputs.append(matched)
        nodes.append(node)
    return nodes


def figure_value(result: Result, name: str, lang: str) -> str:
    info = result.figure_info.get(name)
    if info is None:
        return str(result.figures.get(name))
    return display.value(result.figures.get(name), info.kind, lang, info.unit)


def result_view(result: Result, lang: str) -> dict[str, Any]:
    items = result.figure_items()
    listed = [r.path for r in result.recommendations]
    listing = result.explanations.listing if result.explanations else {}
    unlisted = [p for p in listing if p not in listed]
    recs = []
    for rec in sorted(result.recommendations, key=lambda r: r.rank):
        recs.append(
            {
                "path": rec.path,
                "rank": rec.rank,
                "title": rec.title.get(lang),
                "summary": rec.summary.get(lang),
                "next_step": rec.next_step.get(lang) if rec.next_step else None,
                "ranking": [{"rule": r.rule, "applied": r.applied, "reason": r.reason.get(lang)} for r in rec.ranking],
                "figures": [(items[n].title.get(lang), figure_value(result, n, lang)) for n in rec.figures if n in items],
                "derivation": derivation(result, rec.fact, lang),
            }
        )
    warnings = []
    for w in sorted(result.warnings, key=lambda w: (SEVERITY_ORDER.get(w.severity, 9), w.urgency)):
        warnings.append(
            {
                "id": w.id,
                "severity": w.severity,
                "severity_label": SEVERITY.get(w.severity, (w.severity, w.severity))[0 if lang == "ja" else 1],
                "title": w.title.get(lang),
                "message": w.message.get(lang),
                "next_step": w.next_step.get(lang) if w.next_step else None,
                "derivation": derivation(result, w.fact, lang),
            }
        )
    missing = [
        {
            "field": m.field,
            "message": m.message.get(lang),
            "blocks": [t.get(lang) for t in m.block_titles],
            "derivation": derivation(result, m.fact, lang),
        }
        for m in result.missing
    ]
    blocked = {b.path: b.reason.get(lang) for b in result.blocked}
    titles = {b.path: b.title.get(lang) for b in result.blocked}
    topics = result.explanations.topics if result.explanations else {}
    why_not = [
        {
            "path": p,
            "title": titles.get(p) or (topics[p].get(lang) if p in topics else p),
            "blocked": blocked.get(p),
            "text": X.why_not(result, p, lang),
        }
        for p in unlisted
    ]
    return {
        "headline": headline(result, lang),
        "steps": next_steps(result, lang),
        "recommendations": recs,
        "figures": [(f.name, f.title.get(lang), display.value(f.value, f.kind, lang, f.unit)) for f in shown_figures(result)],
        "warnings": warnings,
        "missing": missing,
        "why_not": why_not,
        "report": report_text(result, lang),
        "ruleset": result.ruleset.version[:12],
    }
