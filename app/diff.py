"""The decision diff: what changed between two Results, and which rule-base differences reach each change.

Used by ``audit replay`` (a recorded Result against today's rules) and by
anything else that compares two assessments of one case (a what-if).

A change is a path added, removed or re-ranked (or newly blocked / unblocked),
a figure changed, added or removed, or a warning added or removed. The rule
bases are compared definition by definition: rules by id (conditions,
conclusions, title, sources, note) and parameters by name (value or dated
values, kind, date that selects the value). A rule-base difference is named
under a change when the trace reaches it: the rules behind the changed item
in either Result, the rules that concluded the facts those rules matched (down
to the inputs), the rules that could list the path, and the parameters all of
those rules read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.result import Result
from app.result_json import plain
from facts.text import Bilingual
from knowledge.model import Rule, RuleBase


# ---------------------------------------------------------------------------
# Rule-base differences


@dataclass(frozen=True)
class RuleChange:
    id: str
    change: str  # added | removed | changed
    fields: tuple[str, ...] = ()  # for "changed": when, then, title, sources, note, file
    title: Bilingual | None = None

    @property
    def key(self) -> str:
        return f"rule:{self.id}"

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "change": self.change, "fields": list(self.fields),
                "title": None if self.title is None else {"ja": self.title.ja, "en": self.title.en}}


@dataclass(frozen=True)
class ParameterChange:
    name: str
    change: str  # added | removed | changed
    old: Any = None  # the definition: a value, or the dated values [{from, value}]
    new: Any = None
    title: Bilingual | None = None

    @property
    def key(self) -> str:
        return f"parameter:{self.name}"

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "change": self.change, "old": self.old, "new": self.new,
                "title": None if self.title is None else {"ja": self.title.ja, "en": self.title.en}}


@dataclass
class RuleBaseDiff:
    old_version: str
    new_version: str
    rules: list[RuleChange] = field(default_factory=list)
    parameters: list[ParameterChange] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.rules and not self.parameters

    def to_json(self) -> dict[str, Any]:
        return {
            "old_version": self.old_version,
            "new_version": self.new_version,
            "rules": [r.to_json() for r in self.rules],
            "parameters": [p.to_json() for p in self.parameters],
        }


def _rule_definition(rule: Rule) -> dict[str, Any]:
    return {**rule.spec.model_dump(mode="json", exclude_none=True), "file": rule.file}


def _parameter_definition(param: Any) -> Any:
    if param.values:
        return [{"from": v.from_.isoformat(), "value": plain(v.value)} for v in param.values]
    return plain(param.value)


def _parameter_whole(param: Any) -> dict[str, Any]:
    return param.model_dump(mode="json", by_alias=True, exclude_none=True)


def rule_base_diff(old: RuleBase, new: RuleBase) -> RuleBaseDiff:
    """Every rule and parameter whose definition differs between two rule bases."""
    diff = RuleBaseDiff(old.version, new.version)
    old_rules = {r.id: r for r in old.rules}
    new_rules = {r.id: r for r in new.rules}
    for rid, rule in old_rules.items():
        if rid not in new_rules:
            diff.rules.append(RuleChange(rid, "removed", title=rule.spec.title))
            continue
        a, b = _rule_definition(rule), _rule_definition(new_rules[rid])
        if a != b:
            fields = tuple(k for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k))
            diff.rules.append(RuleChange(rid, "changed", fields, new_rules[rid].spec.title))
    for rid, rule in new_rules.items():
        if rid not in old_rules:
            diff.rules.append(RuleChange(rid, "added", title=rule.spec.title))
    for name, param in old.parameters.items():
        if name not in new.parameters:
            diff.parameters.append(ParameterChange(name, "removed", _parameter_definition(param), None, param.title))
        elif _parameter_whole(param) != _parameter_whole(new.parameters[name]):
            other = new.parameters[name]
            diff.parameters.append(
                ParameterChange(name, "changed", _parameter_definition(param), _parameter_definition(other), other.title)
            )
    for name, param in new.parameters.items():
        if name not in old.parameters:
            diff.parameters.append(ParameterChange(name, "added", None, _parameter_definition(param), param.title))
    return diff


# ---------------------------------------------------------------------------
# Decision changes


@dataclass
class Change:
    kind: str  # path_added | path_removed | path_reranked | path_blocked | path_unblocked |
    #            figure_changed | figure_added | figure_removed | warning_added | warning_removed
    name: str
    title: Bilingual | None
    old: Any = None
    new: Any = None
    because: list[str] = field(default_factory=list)  # keys of RuleChange / ParameterChange
    via: dict[str, list[str]] = field(default_factory=dict)  # changed parameter -> the involved rules reading it
    rules: list[str] = field(default_factory=list)  # the rules that concluded the item, in either Result

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "name": self.name,
            "title": None if self.title is None else {"ja": self.title.ja, "en": self.title.en},
            "old": self.old,
            "new": self.new,
            "because": self.because,
            "via": self.via,
            "rules": self.rules,
        }


@dataclass
class DecisionDiff:
    changes: list[Change]
    rule_base: RuleBaseDiff | None

    @property
    def unchanged(self) -> bool:
        return not self.changes

    def reasons(self) -> dict[str, RuleChange | ParameterChange]:
        if self.rule_base is None:
            return {}
        return {x.key: x for x in [*self.rule_base.rules, *self.rule_base.parameters]}

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for c in self.changes:
            out[c.kind] = out.get(c.kind, 0) + 1
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "unchanged": self.unchanged,
            "changes": [c.to_json() for c in self.changes],
            "rule_base": None if self.rule_base is None else self.rule_base.to_json(),
        }


class _Trace:
    """Walks one Result's trace from conclusions back to the rules and facts behind them."""

    def __init__(self, result: Result):
        self.result = result
        self.firings = {f.index: f for f in result.trace}
        self.by_rule: dict[str, list[int]] = {}
        for f in result.trace:
            self.by_rule.setdefault(f.rule, []).append(f.index)

    def upstream(self, rules: set[str], facts: set[str]) -> set[str]:
        """The given rules and every rule that concluded a fact they (or the given facts) depend on."""
        seen_rules: set[str] = set()
        seen_facts: set[str] = set()
        todo_rules, todo_facts = set(rules), set(facts)
        while todo_rules or todo_facts:
            while todo_facts:
                fact_id = todo_facts.pop()
                if fact_id in seen_facts:
                    continue
                seen_facts.add(fact_id)
                todo_rules.update(firing.rule for firing in self.result.firings_of(fact_id))
            while todo_rules:
                rule_id = todo_rules.pop()
                if rule_id in seen_rules:
                    continue
                seen_rules.add(rule_id)
                for index in self.by_rule.get(rule_id, []):
                    todo_facts.update(self.firings[index].matched)
        return seen_rules

    def behind_path(self, path: str) -> set[str]:
        rules: set[str] = set()
        facts: set[str] = set()
        for r in self.result.recommendations:
            if r.path == path:
                rules.update(r.rules)
                rules.update(x.rule for x in r.ranking)
                facts.add(r.fact)
            # a ranking rule that put another path above or below this one
            rules.update(x.rule for x in r.ranking if path in x.above)
        for b in self.result.blocked:
            if b.path == path:
                rules.update(b.rules)
        listing = set()
        if self.result.explanations is not None:
            listing = set(self.result.explanations.listing.get(path, []))
        return self.upstream(rules, facts) | listing

    def behind_figure(self, name: str) -> set[str]:
        info = self.result.figure_info.get(name)
        return self.upstream(set(), {info.fact} if info else set())

    def behind_warning(self, warning_id: str) -> set[str]:
        rules: set[str] = set()
        facts: set[str] = set()
        for w in self.result.warnings:
            if w.id == warning_id:
                rules.update(w.rules)
                facts.add(w.fact)
        return self.upstream(rules, facts)


def _titles(*items: Any) -> Bilingual | None:
    for item in items:
        if item is not None:
            return item.title
    return None


def decision_diff(old: Result, new: Result, old_rules: RuleBase | None = None, new_rules: RuleBase | None = None) -> DecisionDiff:
    """What changed from ``old`` to ``new``; with both rule bases, which of their differences reach each change."""
    rb_diff = rule_base_diff(old_rules, new_rules) if old_rules is not None and new_rules is not None else None
    changes: list[Change] = []

    old_recs = {r.path: r for r in old.recommendations}
    new_recs = {r.path: r for r in new.recommendations}
    for path, rec in old_recs.items():
        if path not in new_recs:
            changes.append(Change("path_removed", path, rec.title, rec.rank, None))
        elif new_recs[path].rank != rec.rank:
            changes.append(Change("path_reranked", path, rec.title, rec.rank, new_recs[path].rank))
    for path, rec in new_recs.items():
        if path not in old_recs:
            changes.append(Change("path_added", path, rec.title, None, rec.rank))
    old_blocked = {b.path: b for b in old.blocked}
    new_blocked = {b.path: b for b in new.blocked}
    for path, b in new_blocked.items():
        if path not in old_blocked:
            changes.append(Change("path_blocked", path, b.title, None, b.reason.model_dump()))
    for path, b in old_blocked.items():
        if path not in new_blocked:
            changes.append(Change("path_unblocked", path, b.title, b.reason.model_dump(), None))

    old_figs, new_figs = old.figure_items(), new.figure_items()
    for name, fig in old_figs.items():
        if name not in new_figs:
            changes.append(Change("figure_removed", name, fig.title, plain(fig.value), None))
        elif plain(new_figs[name].value) != plain(fig.value):
            changes.append(Change("figure_changed", name, fig.title, plain(fig.value), plain(new_figs[name].value)))
    for name, fig in new_figs.items():
        if name not in old_figs:
            changes.append(Change("figure_added", name, fig.title, None, plain(fig.value)))

    old_warn = {w.id: w for w in old.warnings}
    new_warn = {w.id: w for w in new.warnings}
    for wid, w in old_warn.items():
        if wid not in new_warn:
            changes.append(Change("warning_removed", wid, w.title, w.severity, None))
    for wid, w in new_warn.items():
        if wid not in old_warn:
            changes.append(Change("warning_added", wid, w.title, None, w.severity))

    for change in changes:
        change.rules = _responsible(change, old, new)

    if rb_diff is not None and not rb_diff.empty:
        assert old_rules is not None and new_rules is not None
        old_trace, new_trace = _Trace(old), _Trace(new)
        changed_rules = {r.id for r in rb_diff.rules}
        # a parameter whose definition changed moves a decision only if the value applied to this case did:
        # a new dated value from 2027 is no cause of anything in a case assessed on a 2026 date
        changed_params = {
            p.name for p in rb_diff.parameters
            if p.name not in old.parameters or p.name not in new.parameters
            or plain(old.parameters[p.name].value) != plain(new.parameters[p.name].value)
        }
        rules_old = {r.id: r for r in old_rules.rules}
        rules_new = {r.id: r for r in new_rules.rules}
        for change in changes:
            if change.kind.startswith("path"):
                involved = old_trace.behind_path(change.name) | new_trace.behind_path(change.name)
            elif change.kind.startswith("figure"):
                involved = old_trace.behind_figure(change.name) | new_trace.behind_figure(change.name)
            else:
                involved = old_trace.behind_warning(change.name) | new_trace.behind_warning(change.name)
            because = [f"rule:{rid}" for rid in sorted(involved & changed_rules)]
            readers: dict[str, set[str]] = {}
            for rid in involved:
                for table in (rules_old, rules_new):
                    if rid in table:
                        for name in table[rid].parameters_read & changed_params:
                            readers.setdefault(name, set()).add(rid)
            because += [f"parameter:{name}" for name in sorted(readers)]
            change.because = because
            change.via = {name: sorted(rids) for name, rids in sorted(readers.items())}
        _moved_by_others(changes)
    return DecisionDiff(changes, rb_diff)


def _concluded_by(result: Result, kind: str, name: str) -> list[str]:
    """The rules that concluded a path, block, figure or warning in one Result, in trace order."""
    if kind == "path":
        ids = [[*r.rules, *(x.rule for x in r.ranking if x.applied)] for r in result.recommendations if r.path == name]
        ids += [b.rules for b in result.blocked if b.path == name]
        return [rule for rules in ids for rule in rules]
    if kind == "warning":
        return [rule for w in result.warnings if w.id == name for rule in w.rules]
    info = result.figure_info.get(name)
    fact = result.fact(info.fact) if info is not None else None
    firings = {f.index: f.rule for f in result.trace}
    return [firings[i] for i in (getattr(fact, "firings", None) or []) if i in firings]


def _responsible(change: Change, old: Result, new: Result) -> list[str]:
    """The rules directly behind a change: what concluded the item before and after it."""
    kind = change.kind.split("_", 1)[0]
    out: list[str] = []
    for result in (old, new):
        for rule in _concluded_by(result, kind, change.name):
            if rule not in out:
                out.append(rule)
    return out


def _moved_by_others(changes: list[Change]) -> None:
    """A path that only moved because a path above it came or went inherits that path's reasons."""
    for change in changes:
        if change.kind != "path_reranked" or change.because:
            continue
        for other in changes:
            above = (other.kind == "path_removed" and other.old < change.old) or (
                other.kind == "path_added" and other.new < change.new
            )
            if above:
                change.because += [k for k in other.because if k not in change.because]
                for name, rids in other.via.items():
                    change.via[name] = sorted(set(change.via.get(name, [])) | set(rids))


def comparable(result_json: dict[str, Any]) -> dict[str, Any]:
    """A result document without where its rule files were read from (a folder, a stored version).

    Two assessments of the same case under the same rule-base version must be
    equal in everything else, byte for byte once canonical.
    """
    out = dict(result_json)
    ruleset = dict(out.get("ruleset") or {})
    ruleset.pop("origin", None)
    out["ruleset"] = ruleset
    return out
