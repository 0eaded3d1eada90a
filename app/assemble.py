"""From an engine run to a Result: gather what the rules concluded, nothing more.

Assembly adds no domain knowledge. It restates the run's firings and derived
facts, drops paths a rule blocked, orders the rest by the rules' ranking
conclusions (``app.rank``) and records which parameter values applied.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction
from typing import Any

from app.deadlines import deadlines_of
from app.rank import rank
from app.result import (
    Blocked,
    ConditionSeen,
    Derived,
    EngineInfo,
    Explanations,
    FigureInfo,
    Firing,
    InputFact,
    MissingItem,
    Parameter,
    Recommendation,
    Result,
    RulesetInfo,
    WarningItem,
)
from engine.memory import Record, Run
from facts.builder import FactSet
from facts.models import build, collector_paused, maker
from facts.case import Case
from facts.text import Bilingual
from knowledge import expr as E
from knowledge.model import RuleBase
from knowledge.parameters import Applied

SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2, "info": 3}


def exact(value: Any) -> Any:
    """A value as the Result keeps it: whole numbers as int, others as Decimal, missing as None."""
    if value is E.MISSING:
        return None
    if isinstance(value, Fraction):
        return int(value) if value.denominator == 1 else Decimal(value.numerator) / Decimal(value.denominator)
    return value


# Values ``exact`` returns as they are: most of what a run holds, so they skip the call.
_AS_IS = frozenset({bool, int, str, type(None), Decimal, dt.date})


@collector_paused()  # a fresh pause for each call: the context manager works as a decorator
def assemble(
    rb: RuleBase,
    case: Case,
    factset: FactSet,
    applied: dict[str, Applied],
    run: Run,
    engine: EngineInfo,
    explanations: Explanations | None,
) -> Result:
    derived_records = [r for r in run.records.values() if r.firings]
    figures, figure_info = _figures(rb, derived_records)
    recommendations, blocked = _paths(rb, run, derived_records, figures)
    result = Result.model_construct(
        case_id=case.case_id,
        as_of=case.as_of,
        ruleset=RulesetInfo.model_construct(version=rb.version, rules=len(rb.rules), origin=rb.origin, files=dict(rb.files)),
        engine=engine,
        stage=next((r.fields["value"] for r in derived_records if r.type == "finding" and r.name == "stage"), None),
        figures=figures,
        figure_info=figure_info,
        recommendations=recommendations,
        blocked=blocked,
        warnings=_warnings(rb, run, derived_records),
        missing=_missing(rb, run, derived_records),
        parameters=_parameters(rb, applied, _params_read(run)),
        facts=[
            _make_input({"id": r.id, "type": r.type, "fields": {
                k: v if type(v) in _AS_IS else exact(v) for k, v in r.fields.items() if v is not None}})
            for r in run.records.values()
            if not r.firings and r.type != "params"
        ],
        derived=[_derived(r) for r in derived_records],
        trace=[_firing(f) for f in run.firings],
        explanations=explanations,
    )
    result.deadlines = deadlines_of(result)
    return result


_make_input = maker(InputFact)
_make_firing = maker(Firing)
_make_condition = maker(ConditionSeen)
_make_derived = maker(Derived)
_make_parameter = maker(Parameter)
_make_figure_info = maker(FigureInfo)
_make_recommendation = maker(Recommendation)
_make_blocked = maker(Blocked)
_make_warning = maker(WarningItem)
_make_missing = maker(MissingItem)

# What every firing of a rule repeats, read once per rule (kept with it, so its id is never reused).
_RULE_PARTS: dict[int, tuple[Any, str, Bilingual, tuple[str, ...], Bilingual | None, int, tuple[str, ...]]] = {}


def _rule_parts(rule: Any) -> tuple[Any, str, Bilingual, tuple[str, ...], Bilingual | None, int, tuple[str, ...]]:
    parts = _RULE_PARTS.get(id(rule))
    if parts is None or parts[0] is not rule:
        spec = rule.spec
        then_params = tuple(sorted(rule.parameters_computed))
        parts = _RULE_PARTS[id(rule)] = (rule, rule.id, spec.title, tuple(spec.sources), spec.note, rule.stratum, then_params)
    return parts


def _firing(f: Any) -> Firing:
    _, rule_id, title, sources, note, stratum, then_params = _rule_parts(f.rule)
    return _make_firing({
        "index": f.index,
        "rule": rule_id,
        "title": title,
        "sources": list(sources),
        "note": note,
        "stratum": stratum,
        "matched": f.matched,
        "conditions": [condition_seen(s) for s in f.seen],
        "concluded": f.concluded,
        "parameters": list(then_params),
    })


def condition_seen(seen: Any) -> ConditionSeen:
    values = seen.values
    seen_values = tuple(values.values())
    types = tuple(map(type, seen_values))
    if not _KEYED.issuperset(types):
        return _condition(seen, _exact_values(values), None)
    # the same condition with the same values (and types: True equals 1 and hashes alike,
    # but is shown as "true") as in an earlier firing: its values as shown and its text are reused
    key = (id(seen.tree), seen.result, tuple(values), seen_values, types)
    kept = _KEPT_CONDITIONS.get(key)
    if kept is None or kept.tree is not seen.tree:
        if len(_KEPT_CONDITIONS) >= _KEPT_CONDITIONS_MAX:
            _KEPT_CONDITIONS.clear()
        kept = _KEPT_CONDITIONS[key] = KeptCondition(seen.tree, _exact_values(values))
    return _condition(seen, dict(kept.values), kept)


def _condition(seen: Any, values: dict[str, Any], kept: KeptCondition | None) -> ConditionSeen:
    condition = _make_condition({"text": seen.text, "values": values, "result": seen.result})
    private = condition.__pydantic_private__
    private["_seen"] = seen  # the text is written out from it when shown, with the values as the engine saw them
    private["_kept"] = kept
    return condition


def _exact_values(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v if type(v) in _AS_IS else exact(v) for k, v in values.items()}


class KeptCondition:
    """A condition seen with given values, as a Result shows it: its values, whether each is
    already as JSON holds it, and its text once written (``ConditionSeen.evaluated``). Each
    Result still gets a ConditionSeen and a values dict of its own."""

    __slots__ = ("tree", "values", "plain", "written")

    def __init__(self, tree: Any, values: dict[str, Any]):
        self.tree = tree  # kept, so its id, in the key, is not reused
        self.values = values
        self.plain: bool | None = None  # worked out at the first writing (app.result_json)
        self.written: str | None = None


# Case after case a trace repeats the same conditions with the same values (on 2,000 varied
# generated cases, about four in five had been seen before with the same values; most read a
# flag, a code or a parameter), and writing one out costs more than the rest of its entry in
# the document. Values of other types (Decimal: 1.0 equals 1 but is shown otherwise; float:
# 0.0 equals -0.0) are never keyed.
_KEYED = frozenset({bool, int, str, Fraction, dt.date, type(None), type(E.MISSING)})
_KEPT_CONDITIONS: dict[tuple[Any, ...], KeptCondition] = {}
# Numbers make many keys unique in a long run: start over rather than grow.
_KEPT_CONDITIONS_MAX = 8192


def _derived(r: Record) -> Derived:
    value = r.fields.get("value")  # None for kinds without a value (paths, warnings…)
    return _make_derived({
        "id": r.id,
        "kind": r.type,
        "name": r.name or "",
        "value": value if type(value) in _AS_IS else exact(value),
        "value_kind": r.value_kind,
        "about": list(r.about),
        "firings": list(r.firings),
        "text": r.text,
        "extra": r.extra,
    })


def _rules_of(run: Run, rec: Record) -> list[str]:
    out: list[str] = []
    for i in rec.firings:
        rid = run.firings[i].rule.id
        if rid not in out:
            out.append(rid)
    return out


def _figures(rb: RuleBase, derived: list[Record]) -> tuple[dict[str, Any], dict[str, FigureInfo]]:
    # a figure about one debt (release money per lienholder) is not the case's: it stays in derived
    found = {r.name: r for r in derived if r.type == "figure" and not r.about}
    figures: dict[str, Any] = {}
    info: dict[str, FigureInfo] = {}
    for name, decl in rb.catalog.figures.items():  # catalog order
        if name in found:
            value = found[name].fields["value"]
            figures[name] = value if type(value) in _AS_IS else exact(value)
            info[name] = _figure_info(decl, found[name].id)
    return figures, info


# What the catalog says of a figure is the same in every Result: one frozen FigureInfo per
# declaration and fact, shared (the declaration kept with it, so its id is not reused).
_FIGURE_INFO: dict[tuple[int, str], tuple[Any, FigureInfo]] = {}


def _figure_info(decl: Any, fact: str) -> FigureInfo:
    known = _FIGURE_INFO.get((id(decl), fact))
    if known is None or known[0] is not decl:
        if len(_FIGURE_INFO) >= _KEPT_MAX:
            _FIGURE_INFO.clear()
        info = _make_figure_info({"kind": decl.kind, "unit": decl.unit, "title": decl.title, "fact": fact, "paths": list(decl.paths)})
        known = _FIGURE_INFO[(id(decl), fact)] = (decl, info)
    return known[1]


def _paths(rb: RuleBase, run: Run, derived: list[Record], figures: dict[str, Any]) -> tuple[list[Recommendation], list[Blocked]]:
    catalog = rb.catalog
    blocked_records = [r for r in derived if r.type == "block"]
    blocked_paths = {r.name for r in blocked_records}
    listed = [r for r in derived if r.type == "path" and r.name not in blocked_paths]
    order, reasons = rank([r.name for r in listed], [r for r in derived if r.type == "rank"], rb)
    by_path = {r.name: r for r in listed}
    recommendations = []
    for position, path in enumerate(order, start=1):
        rec = by_path[path]
        decl = catalog.paths[path]
        rank_rules = [x.rule for x in reasons.get(path, []) if x.applied]
        listing = _rules_of(run, rec)
        recommendations.append(
            _make_recommendation({
                "path": path,
                "rank": position,
                "title": decl.title,
                "rules": listing + [r for r in rank_rules if r not in listing],
                "summary": rec.text or decl.description,
                "figures": {k: figures[k] for k in rec.extra.get("figures", decl.key_figures) if k in figures},
                "ranking": list(reasons.get(path, [])),
                "next_step": decl.next_step,
                "bring": list(decl.bring),
                "fact": rec.id,
            })
        )
    blocked = [
        _make_blocked({
            "path": r.name,
            "title": catalog.paths[r.name].title,
            "rules": _rules_of(run, r),
            "reason": r.text or Bilingual(ja="", en=""),
        })
        for r in blocked_records
    ]
    return recommendations, blocked


def _warnings(rb: RuleBase, run: Run, derived: list[Record]) -> list[WarningItem]:
    catalog = rb.catalog.warnings
    warnings = []
    for r in derived:
        if r.type != "warning":
            continue
        decl = catalog[r.name]
        warnings.append(_make_warning({
            "id": r.name,
            "severity": decl.severity,
            "title": decl.title,
            "rules": _rules_of(run, r),
            "message": r.text or decl.title,
            "about": list(r.about),
            "urgency": decl.urgency,
            # a step every rule behind the warning gave in place of the catalog's (engine/conclude.py)
            "next_step": build(Bilingual, **r.extra["next_step"]) if "next_step" in r.extra else decl.next_step,
            "bring": list(decl.bring),
            "fact": r.id,
        }))
    order = {name: i for i, name in enumerate(catalog)}
    # a reader acts on what cannot wait first: urgency, then severity, then catalog order
    warnings.sort(key=lambda w: (w.urgency, SEVERITY_ORDER[w.severity], order[w.id]))
    return warnings


def _missing(rb: RuleBase, run: Run, derived: list[Record]) -> list[MissingItem]:
    catalog = rb.catalog
    return [
        _make_missing({
            "field": r.name,
            "blocks": list(r.extra.get("blocks", [])),
            "block_titles": [catalog.figures[b].title for b in r.extra.get("blocks", []) if b in catalog.figures],
            "rules": _rules_of(run, r),
            "message": r.text or catalog.missing_fields.get(r.name, Bilingual(ja=r.name, en=r.name)),
            "fact": r.id,
        })
        for r in derived
        if r.type == "missing"
    ]


def _params_read(run: Run) -> set[str]:
    read: set[str] = set()
    for f in run.firings:
        read |= f.rule.parameters_read
    return read


def _parameters(rb: RuleBase, applied: dict[str, Applied], read: set[str]) -> dict[str, Parameter]:
    out = {}
    kept = _KEPT_PARAMETERS
    if len(kept) >= _KEPT_MAX:
        kept.clear()
    for name, p in rb.parameters.items():
        a = applied[name]
        used = name in read
        if a.overridden:  # the case's own value: made for this case alone
            out[name] = _parameter(p, a, used)
            continue
        key = (id(a), id(p), used)
        known = kept.get(key)
        if known is None or known[0] is not a or known[1] is not p:
            known = kept[key] = (a, p, _parameter(p, a, used))
        out[name] = known[2]
    return out


# A value in force is the same Applied case after case (ParameterTable keeps them), and so is
# what the Result makes of it: one frozen Parameter for each, shared by every Result that used it.
# The Applied and the rule base's parameter are kept with it, so their ids are not reused.
_KEPT_PARAMETERS: dict[tuple[int, int, bool], tuple[Applied, Any, Parameter]] = {}
_KEPT_MAX = 8192


def _parameter(p: Any, a: Applied, used: bool) -> Parameter:
    value, default = a.value, a.default
    return _make_parameter({
        "name": a.name,
        "value": value if type(value) in _AS_IS else exact(value),
        "default": default if type(default) in _AS_IS else exact(default),
        "overridden": a.overridden,
        "title": p.title,
        "sources": list(a.sources),
        "kind": p.kind,
        "unit": p.unit,
        "applies_on": a.applies_on,
        "on": a.on,
        "in_force_from": a.in_force_from,
        "practice": p.practice,
        "used": used,
    })
