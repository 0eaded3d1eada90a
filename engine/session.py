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
- **Error 311 on a missing operand.** A comparison that reads a field the
  fact leaves out as its operand fails the whole assertion: the compiler
  requires the field there (``engine.compile._guard_operands``), and a case
  whose parameters lack one a rule reads is refused by name before it runs.
- **Silent drops.** After the case settles, the cross-check re-evaluates every
  rule on the final facts: a firing durable-rules missed, or one it made
  whose conditions are false, is an ``EngineError``. No result is returned
  from a run that fails it.
"""

from __future__ import annotations

import itertools
import json

from typing import Any, Iterable

import durable_rules_engine as dre

from engine.codec import COLLISION_RETRIES, encode_fact, engine_error
from engine.compile import CATCH_ALL, CompiledRule, compile_rule_base
from engine.conclude import Concluder
from engine.conditions import compile_seeing
from engine.crosscheck import cross_check
from engine.memory import FiringRecord, Record, Run, lookups
from knowledge import expr as E
from knowledge.evaluate import Seen, see
from knowledge.model import Rule, RuleBase

_ruleset_names = itertools.count(1)
_sids = itertools.count(1)


class Engine:
    """A rule base compiled onto durable-rules, ready to run any number of cases."""

    def __init__(self, rule_base: RuleBase, cross_check: bool = True):
        self.rule_base = rule_base
        self.cross_check_enabled = cross_check
        self._concluder = Concluder(rule_base, self._assert)
        definition, self.compiled = compile_rule_base(rule_base)
        self.definition = definition
        self.name = f"zansai_{rule_base.version[:12]}_{next(_ruleset_names)}"
        self._by_rule = {cr.rule.id: cr for cr in self.compiled.values()}
        # what every firing of a rule needs that never changes: its rule, id and slots (alias, key) in join order
        self._plans = {
            name: (cr.rule, cr.rule.id, tuple((slot.alias, slot.key) for slot in cr.order))
            for name, cr in self.compiled.items()
        }
        self._seers: dict[str, tuple[tuple[str, Any, Any], ...]] = {}  # rule id -> (text, tree, compiled seeing) per condition
        self._marker = ("", "")  # the sid of the run being drained and how its facts begin (_fact_marker)
        try:
            self._handle = dre.create_ruleset(self.name, json.dumps(definition, ensure_ascii=False))
        except dre.error as exc:
            raise engine_error(
                f"durable-rules がルールセットを受け付けません: {exc}", f"durable-rules rejected the ruleset: {exc}"
            ) from exc
        self.max_stratum = max((r.stratum for r in rule_base.rules), default=0)
        # every parameter a condition reads: one missing from a case's params fails the whole
        # assertion inside durable-rules (error 311), so it is refused here first, by name
        self._params_read = sorted(
            {ref.name for r in rule_base.rules for c in r.conditions for ref in E.refs(c.tree) if ref.scope == "params"}
        )

    def close(self) -> None:
        if self._handle is not None:
            dre.delete_ruleset(self._handle)
            self._handle = None

    def compiled_rule(self, rule_id: str) -> CompiledRule:
        return self._by_rule[rule_id]

    # -- one case ------------------------------------------------------------

    def run(self, inputs: Iterable[Record]) -> Run:
        """Assert the input records, let the rules settle stratum by stratum, cross-check, return the run."""
        run = Run(sid=f"s{next(_sids)}")
        inputs = list(inputs)
        case = [r for r in inputs if r.type == "case"]
        if len(case) != 1:
            raise engine_error("case の事実がちょうど1つ必要です", "exactly one case fact is required")
        self._check_params([r for r in inputs if r.type == "params"])
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
            if self.cross_check_enabled:
                cross_check(self.rule_base, self._by_rule, run)
        finally:
            if run.initialised:
                dre.delete_state(self._handle, run.sid)
        return run

    def _check_params(self, params: list[Record]) -> None:
        # without a params fact a rule reading one never matches: nothing fails there
        for rec in params:
            lacking = [f"params.{name}" for name in self._params_read if rec.fields.get(name) is None]
            if lacking:
                raise engine_error(
                    f"ルールが読むパラメータの値がありません: {', '.join(lacking)}",
                    f"the rules read parameters this case has no value for: {', '.join(lacking)}",
                )

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
        if self._marker[0] != run.sid:  # one run drains some fifty times
            self._marker = (run.sid, _fact_marker(run.sid))
        marker = self._marker[1]
        while result:
            message = result[1]
            action = _bound_ids(message, marker)
            decoded = json.loads(message) if action is None else None
            try:
                if action is not None:
                    self._fire(run, *action)
                else:
                    for name, bound in decoded.items():
                        self._fire(run, name, _ids(bound))
            except BaseException:
                dre.abandon_action(self._handle, state_handle)
                raise
            following = dre.complete_and_start_action(self._handle, state_handle)
            result = (None, following) if following else None

    # -- a firing ------------------------------------------------------------

    def _fire(self, run: Run, name: str, bound: dict[str, Any]) -> None:
        """Act on one firing; ``bound`` gives the id of the fact bound to each alias."""
        if name == CATCH_ALL:
            run.initialised = True
            return
        plan = self._plans.get(name)
        if plan is None:
            raise engine_error(f"未知のルール {name} が発火しました", f"unknown rule {name} fired")
        rule, rule_id, slots = plan
        records = run.records
        binding: dict[str, Record] = {}
        matched: list[str] = []
        for alias, slot_key in slots:
            rec = records.get(bound.get(alias))
            if rec is None:
                raise engine_error(
                    f"ルール {rule_id} が未知の事実で発火しました", f"rule {rule_id} fired on an unknown fact", rule_id
                )
            binding[slot_key] = rec
            matched.append(rec.id)
        # durable-rules expands an `$or` inside a pattern into alternatives and
        # fires the rule once for each alternative that matches: an `or` with
        # three true branches fired three times on the same mortgage, concluding
        # everything three times (tests/test_or_fires_once.py). A rule acts once
        # per combination of facts; the repeats are counted, not acted on.
        key = (rule_id, tuple(matched))
        if key in run.fired_keys:
            run.repeats += 1
            return
        run.fired_keys.add(key)
        seen = self._see(run, rule, binding)
        for s in seen:
            if not s.result:
                raise engine_error(
                    f"durable-rules はルール {rule_id} を発火させましたが、条件が成り立っていません: {s.evaluated}",
                    f"durable-rules fired rule {rule_id} although a condition is false: {s.evaluated}",
                    rule_id,
                )
        firing = FiringRecord(index=len(run.firings), rule=rule, matched=matched, seen=seen)
        run.firings.append(firing)
        self._concluder.conclude(run, firing, binding)


    def evaluate(self, run: Run, rule: Rule, binding: dict[str, Record]) -> list[Seen]:
        """Each condition of the rule on these facts, with the values it saw, by the reference evaluator."""
        resolve, present = lookups(run, binding)
        return [see(c.text, c.tree, resolve, present) for c in rule.conditions]

    def _see(self, run: Run, rule: Rule, binding: dict[str, Record]) -> list[Seen]:
        """``evaluate`` by each condition's compiled form (engine.conditions.compile_seeing), which
        tests/test_conditions.py holds equal to it: a firing's trace without walking the trees."""
        seers = self._seers.get(rule.id)
        if seers is None:  # compiled at the rule's first firing: most rules never fire on a case
            seers = self._seers[rule.id] = tuple((c.text, c.tree, compile_seeing(c.tree)) for c in rule.conditions)
        by_slot = run.by_slot
        out = []
        for text, tree, seer in seers:
            values: dict[str, Any] = {}
            out.append(Seen(text, seer(binding, by_slot, values), values, tree))
        return out


def _ids(bound: Any) -> Any:
    """The id of the fact bound to each alias, from a decoded action message (None where there is none);
    anything but an object is passed on for ``_fire`` to refuse."""
    if not isinstance(bound, dict):
        return bound
    return {alias: fact.get("id") if isinstance(fact, dict) else None for alias, fact in bound.items()}


def _fact_marker(sid: str) -> str:
    """How every fact of session ``sid`` begins in an action message, after its alias: as encode_fact wrote it."""
    return '":{"sid":' + json.dumps(sid) + ',"id":"'


def _bound_ids(message: str, marker: str) -> tuple[str, dict[str, str]] | None:
    """The rule and the id bound to each alias of an action message, read without decoding the facts;
    None when the message is not in the plain form below (the caller then decodes it whole).

    Decoding every bound fact (the parameters alone are some eighty fields) cost more than the rest of a
    firing, and only the ids are used. durable-rules writes ``{"rule":{"alias":<fact as asserted>,...}}``
    (a list instead when a rule takes several results). With no backslash in the message every quote
    delimits a string, and ``":{"`` occurs only where a key's value is an object or where a text is
    exactly ``:{``. Each fact of this session starts ``{"sid":"s1","id":"`` (``_assert`` puts them
    first), so one occurrence must close the rule's name and every other must begin ``marker``: then each
    is an alias and the id of its fact, and there is no second rule, no fact of another form and no such text.
    """
    if "\\" in message or not message.startswith('{"'):
        return None
    name_end = message.find('":{"', 2)
    if name_end < 0 or message.find('"', 2) != name_end or message.startswith(marker, name_end):
        return None
    ids: dict[str, str] = {}
    width = len(marker)
    at = message.find('":{"', name_end + 3)
    while at >= 0:
        if not message.startswith(marker, at):
            return None
        start = at + width
        end = message.find('"', start)  # the id holds no quote: there is no backslash to escape one
        ids[message[message.rfind('"', 0, at) + 1 : at]] = message[start:end]
        at = message.find('":{"', end)
    return message[2:name_end], ids
