"""From a case to a Result: build the facts, run the rules, assemble what they concluded.

Assembly adds no domain knowledge. It gathers the rules' conclusions, drops
paths that a rule blocked, and orders the rest by the rules' own ranking
conclusions (each with the step of domain.md §11 it implements). Where two
ranking conclusions disagree about a pair, the lower step wins and the
other is kept in the result, marked as not applied, so the explanation can
say why.
"""

from __future__ import annotations

import datetime as dt
import importlib.metadata
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

from engine import expr as E
from engine.errors import EngineError, Problem
from engine.result import (
    Blocked,
    ConditionSeen,
    Derived,
    EngineInfo,
    Figure,
    Firing,
    InputFact,
    MissingItem,
    Parameter,
    RankReason,
    Recommendation,
    Result,
    RulesetInfo,
    WarningItem,
)
from engine.rulebase import RuleBase, load_rule_base
from engine.session import Engine, Record, Run
from facts.builder import FactSet, build_facts
from facts.case import Case
from facts.parameters import Bilingual

_SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2, "info": 3}


def _engine_version() -> str:
    try:
        return importlib.metadata.version("durable_rules")
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover - always installed with zansai
        return "unknown"


class Assessor:
    """Holds one compiled rule base and assesses any number of cases with it."""

    def __init__(self, rule_base: RuleBase | None = None, rules_dir: Path | str | None = None, audit: bool = True):
        self.rule_base = rule_base if rule_base is not None else load_rule_base(rules_dir)
        self.engine = Engine(self.rule_base, audit=audit)

    def close(self) -> None:
        self.engine.close()

    def __enter__(self) -> "Assessor":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def facts(self, case: Case) -> FactSet:
        return build_facts(case, self.rule_base.parameters)

    def assess(self, case: Case) -> Result:
        return self.run_case(case)[0]

    def run_case(self, case: Case) -> tuple[Result, Run]:
        """The result and the engine's run, for explanations that re-evaluate rules on the final facts."""
        factset = self.facts(case)
        run = self.engine.run(_records(factset))
        return _assemble(self.rule_base, case, factset, run), run


def _records(factset: FactSet) -> list[Record]:
    records = [
        Record(id=f.id, type=type(f).type, name=None, fields=f.model_dump(exclude={"id"})) for f in factset.facts
    ]
    records.append(Record(id="params", type="params", name=None, fields=dict(factset.params)))
    return records


def _plain(value: Any) -> Any:
    """A value as JSON holds it: exact numbers as int or float, dates as ISO text, missing as null."""
    if value is E.MISSING:
        return None
    if isinstance(value, Fraction):
        return int(value) if value.denominator == 1 else float(value)
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() and value.as_tuple().exponent >= 0 else float(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _assemble(rb: RuleBase, case: Case, factset: FactSet, run: Run) -> Result:
    catalog = rb.catalog
    firings = [
        Firing(
            index=f.index,
            rule=f.rule.id,
            title=f.rule.spec.title,
            sources=list(f.rule.spec.sources),
            note=f.rule.spec.note,
            stratum=f.rule.stratum,
            matched=f.matched,
            conditions=[
                ConditionSeen(
                    text=s.text,
                    values={k: _plain(v) for k, v in s.values.items()},
                    result=s.result,
                    evaluated=s.evaluated,
                )
                for s in f.seen
            ],
            concluded=f.concluded,
        )
        for f in run.firings
    ]

    def rules_of(rec: Record) -> list[str]:
        out: list[str] = []
        for i in rec.firings:
            rid = run.firings[i].rule.id
            if rid not in out:
                out.append(rid)
        return out

    derived_records = [r for r in run.records.values() if r.firings]
    derived = [
        Derived(
            id=r.id,
            kind=r.type,
            name=r.name or "",
            value=_plain(r.fields.get("value")) if "value" in r.fields else None,
            value_kind=r.value_kind,
            about=list(r.about),
            firings=list(r.firings),
            text=r.text,
            extra=r.extra,
        )
        for r in derived_records
    ]

    figures: dict[str, Figure] = {}
    for r in derived_records:
        if r.type == "figure":
            decl = catalog.figures[r.name]
            figures[r.name] = Figure(
                name=r.name,
                value=_plain(r.fields["value"]),
                kind=decl.kind,
                unit=decl.unit,
                title=decl.title,
                fact=r.id,
                paths=list(decl.paths),
            )
    figures = {name: figures[name] for name in catalog.figures if name in figures}  # catalog order

    stage = None
    for r in derived_records:
        if r.type == "finding" and r.name == "stage":
            stage = r.fields["value"]

    blocked_records = [r for r in derived_records if r.type == "block"]
    blocked_paths = {r.name for r in blocked_records}
    listed = [r for r in derived_records if r.type == "path" and r.name not in blocked_paths]
    order, reasons = _rank([r.name for r in listed], [r for r in derived_records if r.type == "rank"], rb, run)
    by_path = {r.name: r for r in listed}
    recommendations = []
    for rank, path in enumerate(order, start=1):
        rec = by_path[path]
        decl = catalog.paths[path]
        rank_rules = [x.rule for x in reasons.get(path, []) if x.applied]
        listing = rules_of(rec)
        recommendations.append(
            Recommendation(
                path=path,
                rank=rank,
                title=decl.title,
                rules=listing + [r for r in rank_rules if r not in listing],
                summary=rec.text or decl.description,
                figures={k: figures[k].value for k in decl.key_figures if k in figures},
                ranking=reasons.get(path, []),
                next_step=decl.next_step,
                fact=rec.id,
            )
        )

    blocked = []
    for r in blocked_records:
        blocked.append(
            Blocked(
                path=r.name,
                title=catalog.paths[r.name].title,
                rules=rules_of(r),
                reason=r.text or Bilingual(ja="", en=""),
            )
        )

    warnings = [
        WarningItem(
            id=r.name,
            severity=catalog.warnings[r.name].severity,
            title=catalog.warnings[r.name].title,
            rules=rules_of(r),
            message=r.text or catalog.warnings[r.name].title,
            about=list(r.about),
            urgency=catalog.warnings[r.name].urgency,
            next_step=catalog.warnings[r.name].next_step,
            fact=r.id,
        )
        for r in derived_records
        if r.type == "warning"
    ]
    warning_order = list(catalog.warnings)
    # a reader acts on what cannot wait first: urgency, then severity, then catalog order
    warnings.sort(key=lambda w: (w.urgency, _SEVERITY_ORDER[w.severity], warning_order.index(w.id)))

    missing = [
        MissingItem(
            field=r.name,
            blocks=list(r.extra.get("blocks", [])),
            block_titles=[catalog.figures[b].title for b in r.extra.get("blocks", []) if b in catalog.figures],
            rules=rules_of(r),
            message=r.text or catalog.missing_fields.get(r.name, Bilingual(ja=r.name, en=r.name)),
            fact=r.id,
        )
        for r in derived_records
        if r.type == "missing"
    ]

    parameters = {
        name: Parameter(
            name=name,
            value=_plain(factset.params[name]),
            default=_plain(p.value),
            overridden=name in factset.overridden,
            title=p.title,
            sources=list(p.sources),
        )
        for name, p in rb.parameters.items()
    }
    inputs = [
        InputFact(id=r.id, type=r.type, fields={k: _plain(v) for k, v in r.fields.items() if v is not None})
        for r in run.records.values()
        if not r.firings and r.type not in ("params",)
    ]
    return Result(
        case_id=case.case_id,
        as_of=case.as_of,
        stage=stage,
        ruleset=RulesetInfo(version=rb.version, rules=len(rb.rules), path=str(rb.root)),
        engine=EngineInfo(name="durable-rules", version=_engine_version()),
        figures=figures,
        recommendations=recommendations,
        blocked=blocked,
        warnings=warnings,
        missing=missing,
        parameters=parameters,
        facts=inputs,
        derived=derived,
        trace=firings,
    )


def _rank(paths: list[str], rank_records: list[Record], rb: RuleBase, run: Run) -> tuple[list[str], dict[str, list[RankReason]]]:
    """Order the listed paths by the rules' ranking conclusions; ties by the catalog's order."""
    listed = set(paths)
    edges: set[tuple[str, str]] = set()
    reasons: dict[str, list[RankReason]] = {}
    for rec in sorted(rank_records, key=lambda r: (r.extra["step"], r.extra["rule"])):
        path = rec.name
        if path not in listed:
            continue
        above = [p for p in rec.extra["above"] if p in listed]
        applied_any = False
        for other in above:
            if (other, path) in edges or _reaches(edges, other, path):
                continue  # a stronger (lower-step) rule already put `other` first
            edges.add((path, other))
            applied_any = True
        reasons.setdefault(path, []).append(
            RankReason(
                rule=rec.extra["rule"],
                step=rec.extra["step"],
                above=above,
                reason=rec.text or Bilingual(ja="", en=""),
                applied=applied_any or not above,
            )
        )
    base = {p: rb.catalog.paths[p].order for p in paths}
    remaining = set(paths)
    order: list[str] = []
    while remaining:
        ready = [p for p in remaining if not any((q, p) in edges for q in remaining)]
        if not ready:  # cannot happen: edges are only added when they make no cycle
            raise EngineError([Problem("ranking", "順位づけが循環しました", "path ranking formed a cycle")])
        nxt = min(ready, key=lambda p: (base[p], p))
        order.append(nxt)
        remaining.remove(nxt)
    return order, reasons


def _reaches(edges: set[tuple[str, str]], start: str, goal: str) -> bool:
    stack, seen = [start], set()
    while stack:
        node = stack.pop()
        if node == goal:
            return True
        if node in seen:
            continue
        seen.add(node)
        stack.extend(b for a, b in edges if a == node)
    return False
