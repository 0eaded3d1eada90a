"""Explanations: why each conclusion was reached, and why a path was not.

``explain`` walks the trace from each recommendation and warning back to the
case's inputs, as a tree of rules with their sources and each condition with
the values it saw. ``why_not`` re-evaluates, on the case's final facts, every
rule that could have listed a path, with the same evaluator that audits the
engine, and shows which condition failed.
"""

from __future__ import annotations

import itertools

from engine.result import Derived, Result
from engine.rulebase import PathConclusion, Rule
from engine.session import Engine, Run
from facts import display

_T = {
    "rec": {"ja": "推奨 {rank}: {title}（{path}）", "en": "Recommendation {rank}: {title} ({path})"},
    "warn": {"ja": "注意 [{sev}]: {title}（{id}）", "en": "Warning [{sev}]: {title} ({id})"},
    "missing": {"ja": "不足情報: {field}", "en": "Missing information: {field}"},
    "see_above": {"ja": "（上記参照）", "en": "(see above)"},
    "input": {"ja": "入力", "en": "input"},
    "recommended": {"ja": "{path} は推奨されています（{rank}位）。", "en": "{path} is recommended (rank {rank})."},
    "blocked": {"ja": "{path} は次のルールで除外されました:", "en": "{path} was ruled out by:"},
    "listing": {"ja": "{path} を挙げうるルール:", "en": "Rules that could list {path}:"},
    "fired": {"ja": "発火しました", "en": "fired"},
    "not_fired": {"ja": "発火していません", "en": "did not fire"},
    "no_fact": {
        "ja": "必要な事実 {slot} がありません",
        "en": "the fact {slot} it needs is absent",
    },
    "producers": {"ja": "{slot} を結論づけるルールも発火していません: {rules}", "en": "no rule concluding {slot} fired either: {rules}"},
    "no_rules": {"ja": "{path} を挙げるルールはありません。", "en": "No rule lists {path}."},
    "absent_fact": {"ja": "あってはならない事実 {slot} があります", "en": "the fact {slot} must be absent but exists"},
}


_NEUTRAL = ("あり/present", "なし/absent", "なし/none")


def localise(text: str, lang: str) -> str:
    """Trace lines are stored language-neutral ("あり/present"); show the reader's half."""
    for token in _NEUTRAL:
        ja, en = token.split("/")
        text = text.replace(token, ja if lang == "ja" else en)
    return text


def _t(key: str, lang: str, **kw: object) -> str:
    return _T[key][lang].format(**kw)


def explain(result: Result, lang: str = "ja") -> str:
    """The reasoning tree behind every recommendation, warning and missing item."""
    out: list[str] = []
    seen: set[str] = set()
    for rec in result.recommendations:
        out.append("■ " + _t("rec", lang, rank=rec.rank, title=rec.title.get(lang), path=rec.path))
        out.append(f"  {rec.summary.get(lang)}")
        for reason in rec.ranking:
            mark = "✓" if reason.applied else "–"
            out.append(f"  {mark} [{reason.rule} step {reason.step}] {reason.reason.get(lang)}")
        _walk(result, rec.fact, lang, 1, seen, out)
        out.append("")
    for w in result.warnings:
        out.append("■ " + _t("warn", lang, sev=w.severity, title=w.title.get(lang), id=w.id))
        out.append(f"  {w.message.get(lang)}")
        _walk(result, w.fact, lang, 1, seen, out)
        out.append("")
    for m in result.missing:
        out.append("■ " + _t("missing", lang, field=m.field))
        out.append(f"  {m.message.get(lang)}")
        _walk(result, m.fact, lang, 1, seen, out)
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def _walk(result: Result, fact_id: str, lang: str, depth: int, seen: set[str], out: list[str]) -> None:
    pad = "  " * depth
    fact = result.fact(fact_id)
    if fact is None or not hasattr(fact, "firings"):
        return
    for index in fact.firings:
        firing = result.trace[index]
        key = f"{fact_id}@{index}"
        out.append(f"{pad}← {firing.rule}: {firing.title.get(lang)}  [{'; '.join(firing.sources)}]")
        if key in seen:
            out.append(f"{pad}   {_T['see_above'][lang]}")
            continue
        seen.add(key)
        if firing.note is not None:
            out.append(f"{pad}   ※ {firing.note.get(lang)}")
        for cond in firing.conditions:
            out.append(f"{pad}   {localise(cond.evaluated, lang)}")
        for matched in firing.matched:
            sub = result.fact(matched)
            if sub is not None and hasattr(sub, "firings"):
                shown = _show(sub, lang)
                out.append(f"{pad}   ├ {matched}" + (f" = {shown}" if shown else ""))
                _walk(result, matched, lang, depth + 2, seen, out)


def _show(fact: Derived, lang: str) -> str:
    """A derived value as a person reads it; a yes/no finding needs no value."""
    if fact.value is None or fact.value_kind == "bool":
        return ""
    return display.value(fact.value, fact.value_kind or "text", lang)


def why_not(engine: Engine, run: Run, result: Result, path: str, lang: str = "ja") -> str:
    out: list[str] = []
    for rec in result.recommendations:
        if rec.path == path:
            out.append(_t("recommended", lang, path=path, rank=rec.rank))
            return "\n".join(out) + "\n"
    for b in result.blocked:
        if b.path == path:
            out.append(_t("blocked", lang, path=path))
            out.append(f"  {b.reason.get(lang)} [{', '.join(b.rules)}]")
    listing = [
        r for r in engine.rule_base.rules if any(isinstance(c, PathConclusion) and c.path == path for c, _ in r.conclusions)
    ]
    if not listing:
        out.append(_t("no_rules", lang, path=path))
        return "\n".join(out) + "\n"
    out.append(_t("listing", lang, path=path))
    for rule in listing:
        out.extend(explain_rule(engine, run, rule, lang, indent=1))
    return "\n".join(out).rstrip() + "\n"


def explain_rule(
    engine: Engine, run: Run, rule: Rule, lang: str = "ja", indent: int = 0, depth: int = 0, seen: set[str] | None = None
) -> list[str]:
    """One rule evaluated on the case's final facts; for facts it lacks, why no rule concluded them."""
    seen = set() if seen is None else seen
    pad = "  " * indent
    fired = any(f.rule.id == rule.id for f in run.firings)
    status = _T["fired"][lang] if fired else _T["not_fired"][lang]
    out = [f"{pad}- {rule.id}: {rule.spec.title.get(lang)}  [{'; '.join(rule.spec.sources)}] — {status}"]
    if rule.id in seen:
        out.append(f"{pad}    {_T['see_above'][lang]}")
        return out
    seen.add(rule.id)
    cr = engine.compiled_rule(rule.id)
    absent_slots = [slot for slot in cr.order if not run.by_slot.get(slot.key)]
    for slot in absent_slots:
        out.append(f"{pad}    ✗ {_t('no_fact', lang, slot=slot.key)}")
    for key in rule.absent:
        if run.by_slot.get(key):
            out.append(f"{pad}    ✗ {_t('absent_fact', lang, slot=key)}")
    # evaluate every condition, leaving the absent facts unbound (their values show as none)
    pools = [run.by_slot.get(slot.key) or [None] for slot in cr.order]
    for shown, combo in enumerate(itertools.product(*pools)):
        if shown >= 3:
            break
        binding = {slot.key: rec for slot, rec in zip(cr.order, combo) if rec is not None}
        if any(rec.type in ("other_debt", "guarantor") for rec in binding.values()):
            out.append(f"{pad}    [{', '.join(rec.id for rec in binding.values())}]")
        for seen_condition in engine.evaluate(run, rule, binding):
            out.append(f"{pad}    {localise(seen_condition.evaluated, lang)}")
    if depth >= 3:
        return out
    for slot in absent_slots:
        if not slot.derived:
            continue
        producers = [r for r in engine.rule_base.rules if slot.key in r.produces()]
        if producers:
            out.append(f"{pad}      {_t('producers', lang, slot=slot.key, rules=', '.join(r.id for r in producers))}")
        for producer in producers:
            out.extend(explain_rule(engine, run, producer, lang, indent + 3, depth + 1, seen))
    return out
