"""The client report for the debtor, as a view for its template: the situation, the options side by
side, the option to look at first and why, the next steps, the sources.

What each option means for the debtor (cost, time, the guarantor, the home,
work, the credit record) is knowledge with sources, in render/data/options.yaml.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from app.result import Result
from facts import display
from render import report
from render.documents.common import gloss, wording

_WORDING: dict[str, dict[str, str]] = {
    "report_title": {"ja": "これからの進め方についてのご説明", "en": "Your situation and the ways forward"},
    "standing": {"ja": "いまの状況", "en": "Where you stand"},
    "options": {"ja": "考えられる進め方（比較）", "en": "The options side by side"},
    "option_figures": {"ja": "この事案での金額", "en": "Amounts in this case"},
    "recommended": {"ja": "まず検討したい進め方と、その理由", "en": "The option to look at first, and why"},
    "steps": {"ja": "次にすること", "en": "Next steps"},
    "bring": {"ja": "相談に持っていくもの", "en": "What to take to the consultation"},
    "watch": {"ja": "注意点", "en": "Warnings"},
    "not_fitting": {"ja": "検討したが合わない進め方", "en": "Options considered that do not fit"},
    "missing": {"ja": "まだわからないこと", "en": "What is not known yet"},
    "about": {"ja": "この説明について", "en": "About this report"},
    "terms": {"ja": "ことばの説明", "en": "Terms used"},
    "sources": {"ja": "根拠", "en": "Sources"},
    "no_options": {"ja": "情報が足りないため、まだ進め方を比べられません。「まだわからないこと」をそろえて、もう一度判定します。",
                   "en": "There is not enough information yet to compare the options. Gather what is listed under \"What is not known yet\" and assess again."},
}

# The texts glossed in English, in the order a statute is glossed the first time it is cited.
_NOT_YET = {
    "ja": "いまの状況をまとめるための情報（住宅ローン・自宅・収入）が、まだそろっていません。「まだわからないこと」をご覧ください。",
    "en": "We do not yet have what we need to sum up where you stand (the mortgage, the home, the income): see What is not known yet.",
}
_GLOSSED = ("standing", "options", "recommended", "others", "bring", "watch", "blocked", "missing", "about")


@lru_cache(maxsize=1)
def option_knowledge() -> dict[str, Any]:
    """render/data/options.yaml: the aspects and, per path, each aspect's text and sources."""
    text = resources.files("render").joinpath("data/options.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def report_view(result: Result, lang: str = "ja") -> dict[str, Any]:
    """The client report's content, for a debtor: the report's own lead (render/report.py) laid
    out as a page, the options side by side, the first option and why, the next steps, sources."""
    L = wording(_WORDING, lang)
    knowledge = option_knowledge()
    aspects = knowledge["aspects"]
    items = result.figure_items()
    options = []
    for rec in result.recommendations:
        effects = knowledge["paths"].get(rec.path, {})
        options.append({
            "path": rec.path,
            "rank": rec.rank,
            "title": rec.title.get(lang),
            "figures": [
                {"label": items[name].title.get(lang), "value": report.figure_text(items[name], lang)}
                for name in rec.figures if name in items
            ],
            "aspects": {key: (effects.get(key) or {}).get(lang) for key in aspects},
        })
    first = result.recommendations[0] if result.recommendations else None
    recommended = None
    if first is not None:
        recommended = {
            "title": first.title.get(lang),
            "summary": first.summary.get(lang),
            "reasons": [r.reason.get(lang) for r in first.ranking if r.applied and r.reason.get(lang)],
        }
    # the reasons other options are not first: each listed option's applied ranking reasons
    others = [
        {"title": rec.title.get(lang), "summary": rec.summary.get(lang),
         "reasons": [r.reason.get(lang) for r in rec.ranking if r.applied and r.reason.get(lang)]}
        for rec in result.recommendations[1:]
    ]
    # what cannot wait or matters most; the rest stays in the advisor's full report
    watch = [{"title": w.title.get(lang), "message": w.message.get(lang)} for w in result.warnings
             if w.urgency == 1 or w.severity == "high"]
    groups = report.source_groups(result, lang)
    for rec in result.recommendations:
        for key in aspects:
            for s in (knowledge["paths"].get(rec.path, {}).get(key) or {}).get("sources", []):
                shown = report.source_display(s, lang)
                if shown[1] not in groups[shown[0]]:
                    groups[shown[0]].append(shown[1])
    if lang == "en" and groups["law"]:
        groups["law"] = report._law_en(groups["law"])
    view = {
        "lang": lang,
        "L": L,
        "title": L["report_title"],
        "case_id": result.case_id,
        "as_of": display.date(result.as_of, lang),
        "standing": report.headline(result, lang) or _NOT_YET[lang],  # never a heading over nothing
        "aspects": {key: label[lang] for key, label in aspects.items()},
        "options": options,
        "recommended": recommended,
        "others": others,
        "steps": report.next_steps(result, lang),
        "bring": report.documents(result, lang),
        "watch": watch,
        "blocked": [{"title": b.title.get(lang), "reason": b.reason.get(lang)} for b in result.blocked],
        "missing": [m.message.get(lang) for m in result.missing],
        "about": report.about_result(result, lang),
        "sources": [(report._SOURCE_KIND[k][lang], v) for k, v in groups.items() if v],
        "key_figures": [
            report.figure_text(items[name], lang) for name in ("residual_debt",) if name in items
        ],
    }
    shown = " ".join(str(x) for x in (view["standing"], options, recommended, view["steps"], watch))
    view["terms"] = [(t[lang], d[lang]) for t, d in report._GLOSSARY if t[lang] in shown]
    if lang == "en":
        gloss(view, _GLOSSED)
    return view
