"""Recording what the pipeline asks of durable-rules, so bench/run can replay it alone.

For each case the pipeline is run once (untimed) with an engine that notes
every fact it asserts: the inputs and phase facts at the top, and for each
firing, in the order durable-rules fired them, the facts that firing's
conclusions asserted. Replaying those exact payloads with actions that only
assert them again makes durable-rules do the same matching and firing work,
with none of ours around it: the floor of (a).

This reaches into the engine's internals on purpose (it measures them);
nothing outside bench/ should.
"""

from __future__ import annotations

import json
from typing import Any

from app.desk import Desk
from engine.memory import input_records
from engine.session import Engine
from facts.load import load_case_text
from facts.errors import ZansaiError


class _RecordingEngine(Engine):
    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._target: list[str] = []
        self.firings: list[tuple[str, list[str]]] = []

    def _send(self, payload: str, fact_id: str) -> int | None:
        self._target.append(payload)
        return super()._send(payload, fact_id)

    def _fire(self, run: Any, name: str, bound: dict[str, Any]) -> None:
        entry: tuple[str, list[str]] = (name, [])
        self.firings.append(entry)
        saved, self._target = self._target, entry[1]
        try:
            super()._fire(run, name, bound)
        finally:
            self._target = saved


class Recorder:
    def __init__(self) -> None:
        self.assessor = Desk(cross_check=False)
        self.engine = _RecordingEngine(self.assessor.rule_base, cross_check=False)
        self.handle = self.engine._handle

    def record_line(self, line: bytes) -> tuple[str, list[str], list[tuple[str, list[str]]]] | None:
        """(sid, top-level payloads, firings) for one JSON Lines case; None for a record that fails."""
        try:
            case = load_case_text(json.dumps(json.loads(line), ensure_ascii=False), "bench")
            factset = self.assessor.facts(case)
            script: list[str] = []
            self.engine._target, self.engine.firings = script, []
            run = self.engine.run(input_records(factset))
        except ZansaiError:
            return None
        return run.sid, script, self.engine.firings

    def close(self) -> None:
        self.engine.close()
        self.assessor.close()
