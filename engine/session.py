"""Running one case on durable-rules, and every workaround its defects need.

durable-rules 2.0.28 is wrapped here and nowhere else. What this module does
about each defect measured in engine-notes.md:

- **No Host, no threads.** ``durable.engine.Host`` starts timer threads that
  steal actions and read freed sessions. We drive the C core directly with a
  loop of our own (``_drain``): nothing runs in the background.
- **Swallowed action exceptions.** Our loop calls the action itself; any
  exception abandons the action and is raised as an ``EngineError`` naming
  the rule.
- **Segfault deleting a session that never ran an action.** The compiled
  ruleset has a catch-all rule on the case fact, which is asserted first; a
  session is deleted only once that rule has run.
- **The 1,024-session cap.** One session per case, deleted in ``finally``.
- **Identical facts rejected; false "already observed" collisions.** Every
  fact has a unique id; a derived fact concluded twice is asserted once; a
  collision on a fresh fact is retried with a nonce, then fails loudly.
- **Exponent floats and Decimals.** Facts are serialised by ``encode_fact``:
  dates become day ordinals, Decimals become plain decimal notation, never
  ``1e-05``.
- **Comparisons with other facts mis-evaluated** (a segfault when the last
  one is false; never evaluated when written after an ``or``): handled by
  the compiler's pattern layout, see ``engine.compile._pattern``.
- **Silent drops.** After the case settles, ``audit`` re-evaluates every
  rule on the final facts: a firing durable-rules missed, or one it made
  whose conditions are false, is an ``EngineError``. No result is returned
  from a run that fails it.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import math
import string
from dataclasses import dataclass, field
from decimal import Decimal, localcontext
from fractions import Fraction
from typing import Any, Callable, Iterable

import durable_rules_engine as dre

from engine import expr as E
from engine.compile import CATCH_ALL, CompiledRule, compile_rule_base
from engine.errors import EngineError, Problem
from engine.rulebase import (
    BlockConclusion,
    FigureConclusion,
    FindingConclusion,
    MissingConclusion,
    PathConclusion,
    RankConclusion,
    Rule,
    RuleBase,
    WarningConclusion,
    slot_key,
)
from engine.trace import Seen, holds, see
from facts import display
from facts.parameters import Bilingual

_ruleset_names = itertools.count(1)
_sids = itertools.count(1)

MAX_SAFE_INT = 2**53
COLLISION_RETRIES = 4


def engine_error(ja: str, en: str, rule_id: str | None = None) -> EngineError:
    where = f"rule {rule_id}" if rule_id else "engine"
    return EngineError([Problem(where, ja, en)], rule_id=rule_id)


# ---------------------------------------------------------------------------
# Facts as durable-rules sees them


def _encode_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        if abs(value) >= MAX_SAFE_INT:
            raise engine_error(f"値 {value} が大きすぎます", f"value {value} is too large for the engine")
        return str(value)
    if isinstance(value, (Decimal, Fraction, float)):
        number = Decimal(value) if not isinstance(value, Fraction) else Decimal(value.numerator) / Decimal(value.denominator)
        if not number.is_finite():
            raise engine_error(f"数値 {value} は有限ではありません", f"value {value} is not finite")
        # durable-rules fails to parse exponent notation and then drops the fact
        # silently, so write plain positional notation, at most 12 decimals.
        if number == number.to_integral_value():
            return _encode_value(int(number))
        with localcontext() as ctx:
            ctx.prec = 60
            text = format(number.quantize(Decimal("1.000000000000")), "f").rstrip("0").rstrip(".")
        if text in ("", "-0"):
            text = "0"
        if number != 0 and text == "0":
            raise engine_error(f"数値 {value} が小さすぎます", f"value {value} is too small for the engine")
        return text
    if isinstance(value, dt.date):
        return str(value.toordinal())
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    raise engine_error(f"エンジンに渡せない値です: {value!r}", f"cannot pass {type(value).__name__} to the engine")


def encode_fact(fields: dict[str, Any]) -> str:
    """Serialise a flat fact; None fields are left out so ``missing`` can see them."""
    parts = [f"{json.dumps(k)}:{_encode_value(v)}" for k, v in fields.items() if v is not None]
    return "{" + ",".join(parts) + "}"


# ---------------------------------------------------------------------------
# Working memory mirror


@dataclass
class Record:
    """A fact in working memory, with typed values (the engine holds an encoded copy)."""

    id: str
    type: str  # input type, "params", or a derived kind
    name: str | None
    fields: dict[str, Any]
    about: tuple[str, ...] = ()
    firings: list[int] = field(default_factory=list)
    text: Bilingual | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    value_kind: str | None = None

    @property
    def slot_key(self) -> str:
        return slot_key(self.type, self.name)


@dataclass
class FiringRecord:
    index: int
    rule: Rule
    matched: list[str]
    seen: list[Seen]
    concluded: list[str] = field(default_factory=list)


@dataclass
class Run:
    sid: str
    records: dict[str, Record] = field(default_factory=dict)
    by_slot: dict[str, list[Record]] = field(default_factory=dict)
    derived_keys: dict[tuple, str] = field(default_factory=dict)
    firings: list[FiringRecord] = field(default_factory=list)
    initialised: bool = False

    def add(self, rec: Record) -> None:
        self.records[rec.id] = rec
        self.by_slot.setdefault(rec.slot_key, []).append(rec)


def _resolver(binding: dict[str, Record]) -> tuple[Callable[[E.Ref], Any], Callable[[E.Ref], bool]]:
    def resolve(ref: E.Ref) -> Any:
        rec = binding.get(slot_key(ref.scope, ref.name))
        if rec is None:
            return E.MISSING
        fld = "value" if ref.scope in ("figure", "finding") else ref.name
        if fld is None:
            return True
        value = rec.fields.get(fld)
        return E.MISSING if value is None else E.to_exact(value)

    return resolve, lambda ref: slot_key(ref.scope, ref.name) in binding


# ---------------------------------------------------------------------------
# The engine


class Engine:
    """A rule base compiled onto durable-rules, ready to run any number of cases."""

    def __init__(self, rule_base: RuleBase, audit: bool = True):
        self.rule_base = rule_base
        self.audit_enabled = audit
        definition, self.compiled = compile_rule_base(rule_base)
        self.definition = definition
        self.name = f"zansai_{rule_base.version[:12]}_{next(_ruleset_names)}"
        self._by_rule = {cr.rule.id: cr for cr in self.compiled.values()}
        try:
            self._handle = dre.create_ruleset(self.name, json.dumps(definition, ensure_ascii=False))
        except dre.error as exc:
            raise engine_error(
                f"durable-rules がルールセットを受け付けません: {exc}", f"durable-rules rejected the ruleset: {exc}"
            ) from exc
        self.max_stratum = max((r.stratum for r in rule_base.rules), default=0)

    def close(self) -> None:
        if self._handle is not None:
            dre.delete_ruleset(self._handle)
            self._handle = None

    def compiled_rule(self, rule_id: str) -> CompiledRule:
        return self._by_rule[rule_id]

    # -- one case ------------------------------------------------------------

    def run(self, inputs: Iterable[Record]) -> Run:
        """Assert the input records, let the rules settle stratum by stratum, audit, return the run."""
        run = Run(sid=f"s{next(_sids)}")
        inputs = list(inputs)
        case = [r for r in inputs if r.type == "case"]
        if len(case) != 1:
            raise engine_error("case の事実がちょうど1つ必要です", "exactly one case fact is required")
        try:
            # the case fact first: the catch-all rule fires, so the session is safe to delete
            for rec in case + [r for r in inputs if r.type != "case"]:
                run.add(rec)
                self._assert(run, rec)
            if not run.initialised:
                raise engine_error("catch-all ルールが発火しませんでした", "the catch-all rule did not fire")
            for stratum in range(1, self.max_stratum + 1):
                phase = Record(id=f"phase_{stratum}", type="phase", name=None, fields={"n": stratum})
                self._assert(run, phase)
            if self.audit_enabled:
                self.audit(run)
        finally:
            if run.initialised:
                dre.delete_state(self._handle, run.sid)
        return run

    def _assert(self, run: Run, rec: Record) -> None:
        body = {"sid": run.sid, "id": rec.id, "t": rec.type}
        if rec.name is not None:
            body["name"] = rec.name
        body.update(rec.fields)
        payload = encode_fact(body)
        result = self._send(payload, rec.id)
        if result is None:
            return
        self._drain(run, result)

    def _send(self, payload: str, fact_id: str) -> int | None:
        """Assert one encoded fact; retry false 'already observed' collisions; None if nothing matched."""
        for attempt in range(COLLISION_RETRIES + 1):
            body = payload if attempt == 0 else payload[:-1] + f',"nonce__":{attempt}}}'
            try:
                code, state = dre.assert_fact(self._handle, body)
            except dre.error as exc:
                raise engine_error(
                    f"durable-rules が事実 {fact_id} を受け付けません: {exc}",
                    f"durable-rules rejected fact {fact_id}: {exc}",
                ) from exc
            if code == 0:
                return state
            if code == 1:
                return None  # no rule reads this kind of fact: nothing to do, nothing lost
            if code != 2:
                raise engine_error(f"想定外の結果コード {code}", f"unexpected result code {code} for fact {fact_id}")
            # code 2: "already observed". Ids are unique, so this is a hash collision.
        raise engine_error(
            f"事実 {fact_id} が重複と誤判定され続けました", f"fact {fact_id} was repeatedly rejected as already observed"
        )

    def _drain(self, run: Run, state_handle: int) -> None:
        """Run every pending action of the session, in our own thread, with errors raised."""
        result = dre.start_action_for_state(self._handle, state_handle)
        while result:
            message = json.loads(result[1])
            try:
                for name, bound in message.items():
                    self._fire(run, name, bound)
            except BaseException:
                dre.abandon_action(self._handle, state_handle)
                raise
            following = dre.complete_and_start_action(self._handle, state_handle)
            result = (None, following) if following else None

    # -- a firing ------------------------------------------------------------

    def _fire(self, run: Run, name: str, bound: dict[str, Any]) -> None:
        if name == CATCH_ALL:
            run.initialised = True
            return
        cr = self.compiled.get(name)
        if cr is None:
            raise engine_error(f"未知のルール {name} が発火しました", f"unknown rule {name} fired")
        rule = cr.rule
        binding: dict[str, Record] = {}
        for slot in cr.order:
            fact = bound.get(slot.alias)
            rec = run.records.get(fact.get("id")) if isinstance(fact, dict) else None
            if rec is None:
                raise engine_error(
                    f"ルール {rule.id} が未知の事実で発火しました", f"rule {rule.id} fired on an unknown fact", rule.id
                )
            binding[slot.key] = rec
        seen = self.evaluate(run, rule, binding)
        failed = [s for s in seen if not s.result]
        if failed:
            raise engine_error(
                f"durable-rules はルール {rule.id} を発火させましたが、条件が成り立っていません: {failed[0].evaluated}",
                f"durable-rules fired rule {rule.id} although a condition is false: {failed[0].evaluated}",
                rule.id,
            )
        firing = FiringRecord(index=len(run.firings), rule=rule, matched=[binding[s.key].id for s in cr.order], seen=seen)
        run.firings.append(firing)
        for index, (conclusion, node) in enumerate(rule.conclusions):
            try:
                self._conclude(run, firing, binding, conclusion, node)
            except E.EvalError as exc:
                raise engine_error(
                    f"ルール {rule.id} の結論 then[{index}] を計算できません: {exc.ja}",
                    f"rule {rule.id} could not compute then[{index}]: {exc.en}",
                    rule.id,
                ) from exc

    def evaluate(self, run: Run, rule: Rule, binding: dict[str, Record]) -> list[Seen]:
        """Each condition of the rule on these facts, with the values it saw (for the trace)."""
        resolve, present = self._lookups(run, binding)
        return [see(c.text, c.tree, resolve, present) for c in rule.conditions]

    def holds(self, run: Run, rule: Rule, binding: dict[str, Record]) -> bool:
        """Whether every condition of the rule holds on these facts (same evaluator, nothing recorded)."""
        resolve, present = self._lookups(run, binding)
        return holds([c.tree for c in rule.conditions], resolve, present)

    @staticmethod
    def _lookups(run: Run, binding: dict[str, Record]) -> tuple[Callable[[E.Ref], Any], Callable[[E.Ref], bool]]:
        resolve, bound_present = _resolver(binding)

        def present(ref: E.Ref) -> bool:
            if bound_present(ref):
                return True
            return bool(run.by_slot.get(slot_key(ref.scope, ref.name)))

        return resolve, present

    def _conclude(self, run: Run, firing: FiringRecord, binding: dict[str, Record], c: Any, node: Any) -> None:
        rule = firing.rule
        resolve, _ = _resolver(binding)
        catalog = self.rule_base.catalog
        about = tuple(rec.id for key, rec in binding.items() if rec.type in ("other_debt", "guarantor"))

        def value_of(kind: str, label: str) -> Any:
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
            self._derive(run, firing, "figure", c.figure, {"value": value_of(decl.kind, c.figure)}, (), None, decl.kind)
        elif isinstance(c, FindingConclusion):
            decl = catalog.findings[c.finding]
            value = True if node is None else value_of(decl.kind, c.finding)
            self._derive(run, firing, "finding", c.finding, {"value": value}, (), None, decl.kind)
        elif isinstance(c, PathConclusion):
            self._derive(run, firing, "path", c.path, {}, (), self._fill(c.summary, binding), None)
        elif isinstance(c, WarningConclusion):
            self._derive(run, firing, "warning", c.warning, {}, about, self._fill(c.message, binding), None)
        elif isinstance(c, BlockConclusion):
            self._derive(run, firing, "block", c.block, {}, (), self._fill(c.reason, binding), None)
        elif isinstance(c, RankConclusion):
            above = list(catalog.paths) if c.above == "all" else list(c.above)
            self._derive(
                run,
                firing,
                "rank",
                c.rank,
                {},
                (),
                self._fill(c.reason, binding),
                None,
                extra={"above": [p for p in above if p != c.rank], "step": c.step, "rule": rule.id},
                key_extra=(rule.id,),
            )
        elif isinstance(c, MissingConclusion):
            self._derive(
                run, firing, "missing", c.missing, {}, (), self._fill(c.message, binding), None, extra={"blocks": c.blocks}
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
            if kind == "warning" and text is not None and existing.text is not None and text.ja not in existing.text.ja:
                existing.text = Bilingual(ja=f"{existing.text.ja}{text.ja}", en=f"{existing.text.en} {text.en}")  # Japanese sentences join without a space
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
        if kind in ("figure", "finding", "path"):
            self._assert(run, rec)

    def _fill(self, text: Bilingual, binding: dict[str, Record]) -> Bilingual:
        resolve, _ = _resolver(binding)
        rb = self.rule_base

        def render(template: str, lang: str) -> str:
            out = []
            for literal, name, spec, _ in string.Formatter().parse(template):
                out.append(literal)
                if name:
                    scope, _, fld = name.partition(".")
                    ref = E.Ref(scope, fld or None)
                    value = resolve(ref)
                    out.append(_display(rb, ref, value, lang))
            return "".join(out)

        return Bilingual(ja=render(text.ja, "ja"), en=render(text.en, "en"))

    # -- the audit -----------------------------------------------------------

    def candidates(self, run: Run, rule: Rule) -> Iterable[dict[str, Record]]:
        """Every combination of facts in working memory that the rule's slots could bind."""
        cr = self._by_rule[rule.id]
        pools = [run.by_slot.get(slot.key, []) for slot in cr.order]
        for combo in itertools.product(*pools):
            yield {slot.key: rec for slot, rec in zip(cr.order, combo)}

    def audit(self, run: Run) -> None:
        """Check that durable-rules fired exactly the rules whose conditions hold."""
        fired = {(f.rule.id, tuple(f.matched)) for f in run.firings}
        for rule in self.rule_base.rules:
            for binding in self.candidates(run, rule):
                matched = tuple(rec.id for rec in binding.values())
                holds = self.holds(run, rule, binding)
                did = (rule.id, matched) in fired
                if holds and not did:
                    raise engine_error(
                        f"ルール {rule.id} は条件を満たしていますが、durable-rules が発火させませんでした（{', '.join(matched)}）",
                        f"durable-rules did not fire rule {rule.id} although its conditions hold on {', '.join(matched)}",
                        rule.id,
                    )
                if did and not holds:
                    raise engine_error(
                        f"ルール {rule.id} は最終的な事実では条件を満たしません",
                        f"rule {rule.id} fired but its conditions do not hold on the final facts",
                        rule.id,
                    )


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


def _display(rb: RuleBase, ref: E.Ref, value: Any, lang: str) -> str:
    if value is E.MISSING or value is None:
        return "—"
    labels = rb.catalog.labels.get(ref.text)
    if labels is not None and isinstance(value, str) and value in labels:
        return labels[value].get(lang)
    kind, unit = rb.kind_of(ref)
    if isinstance(value, Fraction) and kind in ("yen", "int"):
        value = int(value) if value.denominator == 1 else math.floor(value)
    return display.value(value, kind, lang, unit)
