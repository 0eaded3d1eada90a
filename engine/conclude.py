"""Conclusions: turning a firing into derived facts, with messages filled from the case.

A rule's ``then`` becomes figures, findings, paths, warnings, blocks, ranks
and missing items in working memory. A conclusion reached twice is recorded
as a second reason for the same fact (durable-rules would reject the
duplicate); one reached with two different values is an error, loudly.
"""

from __future__ import annotations

import datetime as dt
import math
import string
from decimal import Decimal
from fractions import Fraction
from typing import Any, Callable

from facts import display
from facts.models import build
from facts.text import Bilingual
from knowledge import expr as E
from knowledge.model import RuleBase
from knowledge.schema import (
    BlockConclusion,
    FigureConclusion,
    FindingConclusion,
    MissingConclusion,
    PathConclusion,
    RankConclusion,
    WarningConclusion,
)
from engine.codec import engine_error
from engine.conditions import compile_expression
from engine.memory import FiringRecord, Record, Run, resolver

# a value expression reads only the bound facts, never the rest of working memory
_NO_SLOTS: dict[str, Any] = {}
# kinds of derived facts other rules can read: they go back into the engine
ASSERTED_KINDS = ("figure", "finding", "path")
# the entities a warning is about when its firing binds them
_ABOUT_TYPES = ("other_debt", "guarantor")


class Concluder:
    """Writes a firing's conclusions into the run; ``assert_fact`` feeds readable ones back to the engine."""

    def __init__(self, rule_base: RuleBase, assert_fact: Callable[[Run, Record], None]):
        self.rule_base = rule_base
        self._assert = assert_fact
        self._per_entity_rules: dict[str, bool] = {}
        self._expressions: dict[int, tuple[Any, Any]] = {}
        self._entity_rules: dict[str, bool] = {}
        # message template -> its parts, each reference with how this rule base shows it (``_shown_parts``)
        self._parts: dict[str, tuple[tuple[str, E.Ref | None, bool, Any, str, str | None], ...]] = {}

    def conclude(self, run: Run, firing: FiringRecord, binding: dict[str, Record]) -> None:
        rule = firing.rule
        resolve, _ = resolver(binding)  # once per firing: every conclusion reads the same facts
        about = (
            tuple(rec.id for rec in binding.values() if rec.type in _ABOUT_TYPES) if self._reads_entities(rule) else ()
        )
        own: dict[str, Any] | None = None
        if self._concludes_per_entity(rule):
            # per-entity figures this firing concludes, quoted by its own later messages (no other rule can read them)
            own = {}
            bound, own_values = resolve, own

            def resolve(ref: E.Ref) -> Any:
                if ref.scope == "figure" and ref.name in own_values:
                    return own_values[ref.name]
                return bound(ref)

        for index, (conclusion, node) in enumerate(rule.conclusions):
            try:
                self._conclude(run, firing, resolve, about, conclusion, node, own, binding)
            except E.EvalError as exc:
                raise engine_error(
                    f"ルール {rule.id} の結論 then[{index}] を計算できません: {exc.ja}",
                    f"rule {rule.id} could not compute then[{index}]: {exc.en}",
                    rule.id,
                ) from exc

    def _expression(self, node: Any) -> Any:
        """A conclusion's expression compiled (engine.conditions.compile_expression), at its first use."""
        known = self._expressions.get(id(node))
        if known is None or known[0] is not node:
            known = self._expressions[id(node)] = (node, compile_expression(node))  # the node kept: its id is not reused
        return known[1]

    def _reads_entities(self, rule: Any) -> bool:
        """Whether the rule binds a debt or a guarantor (a fact's slot has its type: every pattern tests ``t``)."""
        known = self._entity_rules.get(rule.id)
        if known is None:
            known = self._entity_rules[rule.id] = any(slot.type in _ABOUT_TYPES for slot in rule.slots.values())
        return known

    def _concludes_per_entity(self, rule: Any) -> bool:
        known = self._per_entity_rules.get(rule.id)
        if known is None:
            figures = self.rule_base.catalog.figures
            known = self._per_entity_rules[rule.id] = any(
                isinstance(c, FigureConclusion) and figures[c.figure].per is not None for c, _ in rule.conclusions
            )
        return known

    def _conclude(
        self,
        run: Run,
        firing: FiringRecord,
        resolve: Callable[[E.Ref], Any],
        about: tuple[str, ...],
        c: Any,
        node: Any,
        own: dict[str, Any] | None = None,
        binding: dict[str, Record] | None = None,
    ) -> None:
        rule = firing.rule
        catalog = self.rule_base.catalog

        def value_of(kind: str, label: str) -> Any:
            if own is None and binding is not None:  # the compiled form reads the bound facts (no figure of its own to see)
                value = self._expression(node)(binding, _NO_SLOTS)
            else:
                value = E.evaluate(node, resolve)
            if value is E.MISSING:
                missing = [r.text for r in E.refs(node) if resolve(r) is E.MISSING]
                raise E.EvalError(
                    f"{label} の計算に必要な値がありません: {', '.join(missing)}（条件に exists を加えてください）",
                    f"{label} needs values the case does not give: {', '.join(missing)} (add 'exists' to the conditions)",
                )
            return _typed(value, kind, label)

        if isinstance(c, FigureConclusion):
            decl = catalog.figures[c.figure]
            value = value_of(decl.kind, c.figure)
            if decl.per is None or own is None or binding is None:
                self._derive(run, firing, "figure", c.figure, {"value": value}, (), None, decl.kind)
            else:
                of = tuple(rec.id for rec in binding.values() if rec.type == decl.per)
                own[c.figure] = E.to_exact(value)
                self._derive(run, firing, "figure", c.figure, {"value": value}, of, None, decl.kind)
        elif isinstance(c, FindingConclusion):
            decl = catalog.findings[c.finding]
            value = True if node is None else value_of(decl.kind, c.finding)
            self._derive(run, firing, "finding", c.finding, {"value": value}, (), None, decl.kind)
        elif isinstance(c, PathConclusion):
            self._derive(run, firing, "path", c.path, {}, (), self._fill(c.summary, resolve), None,
                         extra={"figures": list(c.figures)} if c.figures is not None else None)
        elif isinstance(c, WarningConclusion):
            step = None if c.next_step is None else {"next_step": {"ja": c.next_step.ja, "en": c.next_step.en}}
            self._derive(run, firing, "warning", c.warning, {}, about, self._fill(c.message, resolve), None, extra=step)
        elif isinstance(c, BlockConclusion):
            self._derive(run, firing, "block", c.block, {}, (), self._fill(c.reason, resolve), None)
        elif isinstance(c, RankConclusion):
            above = list(catalog.paths) if c.above == "all" else list(c.above)
            self._derive(
                run,
                firing,
                "rank",
                c.rank,
                {},
                (),
                self._fill(c.reason, resolve),
                None,
                extra={"above": [p for p in above if p != c.rank], "step": c.step, "rule": rule.id},
                key_extra=(rule.id,),
            )
        elif isinstance(c, MissingConclusion):
            self._derive(
                run, firing, "missing", c.missing, {}, (), self._fill(c.message, resolve), None, extra={"blocks": c.blocks}
            )

    def _derive(
        self,
        run: Run,
        firing: FiringRecord,
        kind: str,
        name: str,
        fields: dict[str, Any],
        about: tuple[str, ...],
        text: Bilingual | None,
        value_kind: str | None,
        extra: dict[str, Any] | None = None,
        key_extra: tuple = (),
    ) -> None:
        key = (kind, name, about, *key_extra)
        existing_id = run.derived_keys.get(key)
        if existing_id is not None:
            existing = run.records[existing_id]
            if existing.fields != fields:
                first = run.firings[existing.firings[0]].rule.id
                raise engine_error(
                    f"{kind} {name} がルール {first} と {firing.rule.id} で異なる値になりました"
                    f"（{existing.fields.get('value')} と {fields.get('value')}）",
                    f"{kind} {name} was concluded with different values by rules {first} and {firing.rule.id}"
                    f" ({existing.fields.get('value')} vs {fields.get('value')})",
                    firing.rule.id,
                )
            # the same conclusion again: durable-rules would reject the duplicate, so it is
            # recorded as a second reason for the fact we already have. A warning keeps
            # what each rule said: two rules may give the same warning for different paths.
            existing.firings.append(firing.index)
            for override in _OVERRIDES:
                if existing.extra.get(override) != (extra or {}).get(override):
                    # the rules giving this conclusion disagree on how it is shown: the catalog's applies
                    existing.extra.pop(override, None)
            if kind == "warning" and text is not None and existing.text is not None and text.ja not in existing.text.ja:
                existing.text = build(Bilingual, ja=f"{existing.text.ja}{text.ja}", en=f"{existing.text.en} {text.en}")  # Japanese sentences join without a space
            firing.concluded.append(existing_id)
            return
        suffix = "" if not about else "@" + "+".join(about)
        extra_suffix = "" if not key_extra else "#" + "+".join(key_extra)
        rec = Record(
            id=f"{kind}:{name}{suffix}{extra_suffix}",
            type=kind,
            name=name,
            fields=fields,
            about=about,
            firings=[firing.index],
            text=text,
            extra=extra or {},
            value_kind=value_kind,
        )
        run.derived_keys[key] = rec.id
        run.add(rec)
        firing.concluded.append(rec.id)
        # a per-entity figure is read by no rule (knowledge/check.py refuses it), so the engine never needs it
        if kind in ASSERTED_KINDS and not (kind == "figure" and about):
            self._assert(run, rec)

    def _fill(self, text: Bilingual, resolve: Callable[[E.Ref], Any]) -> Bilingual:
        return build(Bilingual, ja=self._render(text.ja, "ja", resolve), en=self._render(text.en, "en", resolve))

    def _render(self, template: str, lang: str, resolve: Callable[[E.Ref], Any]) -> str:
        parts = self._parts.get(template)
        if parts is None:
            parts = self._parts[template] = self._shown_parts(template)
        out = []
        for literal, ref, bare, labels, kind, unit in parts:
            out.append(literal)
            if ref is not None:
                out.append(_show(resolve(ref), labels, kind, unit, lang, bare))
        return "".join(out)

    def _shown_parts(self, template: str) -> tuple[tuple[str, E.Ref | None, bool, Any, str, str | None], ...]:
        """A template's parts with each reference's labels, kind and unit in this rule base:
        looked up once, not at every message filled (a case fills some forty)."""
        rb = self.rule_base
        parts = []
        for literal, ref, spec in _template(template):
            if ref is None:
                parts.append((literal, None, False, None, "text", None))
            else:
                parts.append((literal, ref, spec == "bare", rb.catalog.labels.get(ref.text), *rb.kind_of(ref)))
        return tuple(parts)


# What a rule may give in place of the catalog's: a warning's first step (next_step), the figures
# shown beside a path (figures). Kept only while every rule giving the conclusion says the same,
# so what is shown never depends on which rule durable-rules fired first.
_OVERRIDES = ("next_step", "figures")

_templates: dict[str, tuple[tuple[str, E.Ref | None, str], ...]] = {}


def _template(template: str) -> tuple[tuple[str, E.Ref | None, str], ...]:
    """A message template split once into literal text, the references it fills in and their format
    (``bare``: the number without its unit, knowledge/check.py allows nothing else)."""
    parts = _templates.get(template)
    if parts is None:
        parsed = []
        for literal, name, spec, _ in string.Formatter().parse(template):
            ref = None
            if name:
                scope, _, fld = name.partition(".")
                ref = E.Ref(scope, fld or None)
            parsed.append((literal, ref, spec or ""))
        parts = _templates[template] = tuple(parsed)
    return parts


def _typed(value: Any, kind: str, label: str) -> Any:
    """Check a computed value against its declared kind; money must be whole yen."""
    if kind in ("yen", "int"):
        if isinstance(value, bool) or not isinstance(value, Fraction) or value.denominator != 1:
            raise E.EvalError(
                f"{label} は整数（円）でなければなりません（{value}）。floor() / ceil() で丸めてください",
                f"{label} must be a whole number (yen), got {value}: round it with floor() or ceil()",
            )
        return int(value)
    if kind == "ratio":
        if isinstance(value, bool) or not isinstance(value, Fraction):
            raise E.EvalError(f"{label} は数値でなければなりません", f"{label} must be a number, got {value!r}")
        return Decimal(value.numerator) / Decimal(value.denominator)
    if kind == "date":
        if not isinstance(value, dt.date):
            raise E.EvalError(f"{label} は日付でなければなりません", f"{label} must be a date, got {value!r}")
        return value
    if kind == "bool":
        if not isinstance(value, bool):
            raise E.EvalError(f"{label} は真偽値でなければなりません", f"{label} must be true or false, got {value!r}")
        return value
    if isinstance(value, Fraction):
        return int(value) if value.denominator == 1 else Decimal(value.numerator) / Decimal(value.denominator)
    return value


def _show(value: Any, labels: Any, kind: str, unit: str | None, lang: str, bare: bool) -> str:
    """A value in a message: its label if it has one, else as its kind and unit show it."""
    if value is E.MISSING or value is None:
        return "—"
    if labels is not None and isinstance(value, str) and value in labels:
        return labels[value].get(lang)
    if isinstance(value, Fraction) and kind in ("yen", "int"):
        value = int(value) if value.denominator == 1 else math.floor(value)
    return display.value(value, kind, lang, unit, bare=bare)
