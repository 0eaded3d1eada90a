"""Explanations as text: why each conclusion was reached, why a path was not, how one rule fared.

Everything comes from the Result: ``explain`` walks the trace from each
recommendation and warning back to the case's inputs; ``why_not`` and
``explain_rule`` read the rule evaluations the desk computed when the case
was assessed (``Result.explanations``). No engine, no rule base: a stored
Result explains itself exactly as it did on the day.
"""

from __future__ import annotations

import datetime as dt
import re

from app.names import check_name, result_paths, result_rules
from app.result import ConditionSeen, Derived, Explanations, InputFact, Result, RuleEvaluation
from facts import display
from facts.errors import InputError, Problem
from render.statutes import gloss_en, source_display

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


_ISO_DATE = re.compile(r"(?<![\d-])(\d{4})-(\d{2})-(\d{2})(?![\d-])")


def localise(text: str, lang: str) -> str:
    """Trace lines are stored language-neutral ("あり/present", ISO dates); show them as the
    report does: the reader's half, and dates in the one date format (facts/display.py)."""
    for token in _NEUTRAL:
        ja, en = token.split("/")
        text = text.replace(token, ja if lang == "ja" else en)
    return _ISO_DATE.sub(lambda m: display.date(dt.date(int(m[1]), int(m[2]), int(m[3])), lang), text)


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
        out.append(f"{pad}← {firing.rule}: {firing.title.get(lang)}  [{sources_text(firing.sources, lang)}]")
        if key in seen:
            out.append(f"{pad}   {_T['see_above'][lang]}")
            continue
        seen.add(key)
        if firing.note is not None:
            out.append(f"{pad}   ※ {firing.note.get(lang)}")
        for cond in firing.conditions:
            out.append(f"{pad}   {localise(cond.evaluated, lang)}")
        out.extend(f"{pad}   {line}" for line in _dated_parameters(result, firing.conditions, lang, firing.parameters))
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


def why_not(result: Result, path: str, lang: str = "ja") -> str:
    out: list[str] = []
    for rec in result.recommendations:
        if rec.path == path:
            out.append(_t("recommended", lang, path=path, rank=rec.rank))
            return "\n".join(out) + "\n"
    for b in result.blocked:
        if b.path == path:
            out.append(_t("blocked", lang, path=path))
            out.append(f"  {b.reason.get(lang)} [{', '.join(b.rules)}]")
    listing = _explanations(result).listing.get(path, [])
    if not listing:
        out.append(_t("no_rules", lang, path=path))
        return "\n".join(out) + "\n"
    out.append(_t("listing", lang, path=path))
    for rule_id in listing:
        out.extend(explain_rule(result, rule_id, lang, indent=1))
    return "\n".join(out).rstrip() + "\n"


def explain_rule(
    result: Result, rule_id: str, lang: str = "ja", indent: int = 0, depth: int = 0, seen: set[str] | None = None
) -> list[str]:
    """One rule evaluated on the case's final facts; for facts it lacks, why no rule concluded them."""
    seen = set() if seen is None else seen
    ev: RuleEvaluation = _explanations(result).rules[rule_id]
    pad = "  " * indent
    status = _T["fired"][lang] if ev.fired else _T["not_fired"][lang]
    out = [f"{pad}- {ev.rule}: {ev.title.get(lang)}  [{sources_text(ev.sources, lang)}] — {status}"]
    if ev.rule in seen:
        out.append(f"{pad}    {_T['see_above'][lang]}")
        return out
    seen.add(ev.rule)
    for slot in ev.absent:
        out.append(f"{pad}    ✗ {_t('no_fact', lang, slot=slot)}")
    for key in ev.unexpected:
        out.append(f"{pad}    ✗ {_t('absent_fact', lang, slot=key)}")
    for ids, conditions in zip(ev.bindings, ev.conditions):
        if any(_is_listed_input(result, i) for i in ids):
            out.append(f"{pad}    [{', '.join(ids)}]")
        for cond in conditions:
            out.append(f"{pad}    {localise(cond.evaluated, lang)}")
        computed = next((f.parameters for f in result.trace if f.rule == ev.rule), [])  # read by its conclusions, if it fired
        out.extend(f"{pad}    {line}" for line in _dated_parameters(result, conditions, lang, computed))
    if depth >= 3:
        return out
    for slot, producers in ev.producers.items():
        if producers:
            out.append(f"{pad}      {_t('producers', lang, slot=slot, rules=', '.join(producers))}")
        for producer in producers:
            out.extend(explain_rule(result, producer, lang, indent + 3, depth + 1, seen))
    return out


def sources_text(sources: list[str], lang: str) -> str:
    """Sources as the report shows them: the article by its heading, the notes by docs/sources.md;
    in English, statutes as the English report cites them (Civil Code (民法) art. 369(1))."""
    shown = [source_display(s, lang)[1] for s in sources]
    if lang == "en":
        glossed: set[str] = set()
        shown = [gloss_en(text, glossed) for text in shown]
    return "; ".join(shown)


def _dated_parameters(result: Result, conditions: list[ConditionSeen], lang: str, computed: list[str] = ()) -> list[str]:
    """For each dated parameter a rule's conditions read, and each parameter its conclusions' values
    read (``computed``, not shown in any condition): the value applied to the case, since when if
    dated, and its source."""
    out = []
    in_conditions = dict.fromkeys(k for c in conditions for k in c.values if k.startswith("params."))
    for name in [*in_conditions, *(f"params.{n}" for n in computed if f"params.{n}" not in in_conditions)]:
        p = result.parameters.get(name.split(".", 1)[1])
        if p is None or (p.in_force_from is None and name in in_conditions):
            continue
        shown = display.neutral(p.value)
        if p.in_force_from is None:
            out.append(f"※ {name} = {shown}（{sources_text(p.sources, lang)}）" if lang == "ja" else f"※ {name} = {shown} ({sources_text(p.sources, lang)})")
            continue
        since = display.date(p.in_force_from, lang)
        if lang == "ja":
            out.append(f"※ {name} = {shown}（{since}から有効、{sources_text(p.sources, lang)}）")
        else:
            out.append(f"※ {name} = {shown} (in force from {since}; {sources_text(p.sources, lang)})")
    return out


def _is_listed_input(result: Result, fact_id: str) -> bool:
    """Facts of which a case may have several (debts, guarantors): the reader needs to know which one."""
    fact = result.fact(fact_id)
    return isinstance(fact, InputFact) and fact.type in ("other_debt", "guarantor")


def _explanations(result: Result) -> Explanations:
    if result.explanations is None:
        raise InputError(
            [Problem("result", "この結果は根拠データなしで判定されています（explanations がありません）",
                     "this result was assessed without explanations (no explanations data)")]
        )
    return result.explanations


def explanation_text(result: Result, lang: str, why_not_path: str | None = None, rule_id: str | None = None) -> str:
    """What `explain` prints for a Result: why-not one path, one rule, or the whole reasoning.

    A path or rule the Result does not know is bad input naming the option, with a suggestion.
    """
    if why_not_path:
        check_name("--why-not", why_not_path, result_paths(result), "path")
        return why_not(result, why_not_path, lang)
    if rule_id:
        check_name("--rule", rule_id, result_rules(result), "rule")
        return "\n".join(explain_rule(result, rule_id, lang)) + "\n"
    return explain(result, lang)
