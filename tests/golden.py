"""Golden cases: YAML files under tests/cases/, one per rule topic, named by full sentences.

Each case is either a whole case (``case:``) or an example plus a patch
(``base: case_a`` and ``patch:``, merged key by key; lists are replaced), so
that boundary pairs differ only in the value under test.

``expect`` may hold:
- ``paths``: the recommended paths, exactly, in rank order;
- ``includes_paths`` / ``excludes_paths``: paths that must / must not be recommended;
- ``blocked``: paths a rule blocked;
- ``figures``: exact values (yen as integers, dates as ISO strings, ratios as numbers);
- ``absent_figures``: figures that must not be concluded;
- ``findings``: exact values of intermediate findings (e.g. the band brokerage fee);
- ``per_debt_figures``: exact values of figures kept per debt, keyed ``name@other_debt_N``
  (N counts the case's other_debts from 1), e.g. each junior lienholder's release money;
- ``warnings`` / ``no_warnings``: warning ids that must / must not be present;
- ``missing``: missing-information fields that must be reported;
- ``fired`` / ``not_fired``: rule ids;
- ``stage``: pre_sale or post_sale;
- ``path_figures``: the figures given beside a listed path, by path, in order;
- ``steps`` / ``no_steps``: text that must / must not be part of a step of the Japanese
  report's 今週やること (the catalog's or a rule's ``next_step``), e.g. who to see first.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

from app.result_json import plain
from render.lead import next_steps

ROOT = Path(__file__).resolve().parent.parent
CASES = Path(__file__).resolve().parent / "cases"
EXAMPLES = ROOT / "examples"

EXPECT_KEYS = {
    "paths", "includes_paths", "excludes_paths", "blocked", "figures", "absent_figures",
    "warnings", "no_warnings", "missing", "fired", "not_fired", "stage", "findings", "per_debt_figures",
    "path_figures", "steps", "no_steps",
}


def merge(base: Any, patch: Any) -> Any:
    if isinstance(base, dict) and isinstance(patch, dict):
        out = dict(base)
        for key, value in patch.items():
            out[key] = merge(base.get(key), value) if key in base else copy.deepcopy(value)
        return out
    return copy.deepcopy(patch)


def golden_cases() -> list[tuple[str, str, dict, dict]]:
    """(file stem, sentence, case mapping, expectations) for every golden case."""
    out = []
    for path in sorted(CASES.glob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        for item in doc["cases"]:
            if "case" in item:
                case = item["case"]
            else:
                base = yaml.safe_load((EXAMPLES / f"{item['base']}.yaml").read_text(encoding="utf-8"))
                case = merge(base, item.get("patch") or {})
            unknown = set(item.get("expect", {})) - EXPECT_KEYS
            if unknown:
                raise ValueError(f"{path.name}: {item['name']}: unknown expectation keys {sorted(unknown)}")
            out.append((path.stem, item["name"], case, item.get("expect", {})))
    return out


def check(result: Any, expect: dict) -> list[str]:
    """Every way the result differs from the expectations, as readable lines."""
    errors: list[str] = []
    paths = [r.path for r in result.recommendations]
    fired = {f.rule for f in result.trace}
    warnings = {w.id for w in result.warnings}
    if "paths" in expect and paths != expect["paths"]:
        errors.append(f"paths {paths} != expected {expect['paths']}")
    for p in expect.get("includes_paths", []):
        if p not in paths:
            errors.append(f"path {p} not recommended (got {paths})")
    for p in expect.get("excludes_paths", []):
        if p in paths:
            errors.append(f"path {p} recommended but should not be (got {paths})")
    blocked = {b.path for b in result.blocked}
    for p in expect.get("blocked", []):
        if p not in blocked:
            errors.append(f"path {p} not blocked (blocked: {sorted(blocked)})")
    for name, value in (expect.get("figures") or {}).items():
        got_value = plain(result.figures.get(name))  # as the JSON result shows it
        if isinstance(value, float) and isinstance(got_value, (int, float)):
            if abs(got_value - value) > 0.005:
                errors.append(f"figure {name} = {got_value}, expected {value}")
        elif got_value != value:
            errors.append(f"figure {name} = {got_value!r}, expected {value!r}")
    findings = {d.name: plain(d.value) for d in result.derived if d.kind == "finding"}
    for name, value in (expect.get("findings") or {}).items():
        if findings.get(name) != value:
            errors.append(f"finding {name} = {findings.get(name)!r}, expected {value!r}")
    per_debt = {f"{d.name}@{'+'.join(d.about)}": plain(d.value) for d in result.derived if d.kind == "figure" and d.about}
    for key, value in (expect.get("per_debt_figures") or {}).items():
        if per_debt.get(key) != value:
            errors.append(f"per-debt figure {key} = {per_debt.get(key)!r}, expected {value!r} (got {per_debt})")
    for name in expect.get("absent_figures", []):
        if name in result.figures:
            errors.append(f"figure {name} concluded ({result.figures[name]}) but should not be")
    for w in expect.get("warnings", []):
        if w not in warnings:
            errors.append(f"warning {w} missing (got {sorted(warnings)})")
    for w in expect.get("no_warnings", []):
        if w in warnings:
            errors.append(f"warning {w} present but should not be")
    missing = {m.field for m in result.missing}
    for m in expect.get("missing", []):
        if m not in missing:
            errors.append(f"missing-information {m} not reported (got {sorted(missing)})")
    for r in expect.get("fired", []):
        if r not in fired:
            errors.append(f"rule {r} did not fire")
    for r in expect.get("not_fired", []):
        if r in fired:
            errors.append(f"rule {r} fired but should not have")
    if "stage" in expect and result.stage != expect["stage"]:
        errors.append(f"stage {result.stage} != {expect['stage']}")
    shown = {r.path: list(r.figures) for r in result.recommendations}
    for path, names in expect.get("path_figures", {}).items():  # the figures given beside a listed path
        if shown.get(path) != names:
            errors.append(f"figures beside {path}: {shown.get(path)} != {names}")
    if "steps" in expect or "no_steps" in expect:
        steps = next_steps(result, "ja")  # the report's own choice of at most three steps
        for text in expect.get("steps", []):
            if not any(text in s for s in steps):
                errors.append(f"no step says «{text}» (steps: {steps})")
        for text in expect.get("no_steps", []):
            if any(text in s for s in steps):
                errors.append(f"a step says «{text}» but should not (steps: {steps})")
    return errors
