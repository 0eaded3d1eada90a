"""The result as JSON: the public contract of shared/spec/case-format.md, plus additions.

Contract names are kept exactly (figures as a name → value map, path ids,
warning ids, ``missing``, ``trace``, ``ruleset.version``, ``engine``).
Texts appear in the chosen language under the contract's keys, and in both
languages under ``texts`` so an integrator can pick either.
"""

from __future__ import annotations

from typing import Any

from engine.result import Result


def _both(text: Any) -> dict[str, str] | None:
    return None if text is None else {"ja": text.ja, "en": text.en}


def to_json(result: Result, lang: str = "ja") -> dict[str, Any]:
    def t(text: Any) -> str:
        return "" if text is None else text.get(lang)

    return {
        "case_id": result.case_id,
        "as_of": result.as_of.isoformat(),
        "ruleset": {"version": result.ruleset.version, "rules": result.ruleset.rules},
        "engine": {"name": result.engine.name, "version": result.engine.version},
        "stage": result.stage,
        "figures": {name: fig.value for name, fig in result.figures.items()},
        "recommendations": [
            {
                "path": r.path,
                "rank": r.rank,
                "title": t(r.title),
                "rules": r.rules,
                "summary": t(r.summary),
                "figures": r.figures,
                "ranking": [
                    {"rule": x.rule, "step": x.step, "above": x.above, "applied": x.applied, "reason": t(x.reason)}
                    for x in r.ranking
                ],
                "texts": {"title": _both(r.title), "summary": _both(r.summary)},
            }
            for r in result.recommendations
        ],
        "blocked": [
            {"path": b.path, "title": t(b.title), "rules": b.rules, "reason": t(b.reason),
             "texts": {"title": _both(b.title), "reason": _both(b.reason)}}
            for b in result.blocked
        ],
        "warnings": [
            {
                "id": w.id,
                "severity": w.severity,
                "rules": w.rules,
                "message": t(w.message),
                "about": w.about,
                "texts": {"title": _both(w.title), "message": _both(w.message)},
            }
            for w in result.warnings
        ],
        "missing": [
            {"field": m.field, "blocks": m.blocks, "rules": m.rules, "message": t(m.message), "texts": {"message": _both(m.message)}}
            for m in result.missing
        ],
        "parameters": {
            name: {"value": p.value, "default": p.default, "overridden": p.overridden, "sources": p.sources}
            for name, p in result.parameters.items()
        },
        "trace": [
            {
                "index": f.index,
                "rule": f.rule,
                "title": t(f.title),
                "sources": f.sources,
                "matched": f.matched,
                "conditions": [
                    {"text": c.text, "values": c.values, "result": c.result, "evaluated": c.evaluated}
                    for c in f.conditions
                ],
                "concluded": f.concluded,
            }
            for f in result.trace
        ],
        "facts": [{"id": f.id, "type": f.type, "fields": f.fields} for f in result.facts],
        "derived": [
            {"id": d.id, "kind": d.kind, "name": d.name, "value": d.value, "about": d.about, "firings": d.firings}
            for d in result.derived
        ],
    }
