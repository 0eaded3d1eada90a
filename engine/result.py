"""The Result: the one object every renderer reads (text, Markdown, JSON, later documents and the UI).

It is self-contained, so an audit store can keep it as JSON and a renderer
can show it without the rule base: every firing carries its rule's title and
sources, every message is stored in both languages.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict

from facts.parameters import Bilingual


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ConditionSeen(_Model):
    text: str
    values: dict[str, Any]
    result: bool
    evaluated: str


class Firing(_Model):
    index: int
    rule: str
    title: Bilingual
    sources: list[str]
    note: Bilingual | None = None
    stratum: int
    matched: list[str]
    conditions: list[ConditionSeen]
    concluded: list[str]


class Derived(_Model):
    """A fact a rule concluded; ``firings`` are the trace entries that concluded it."""

    id: str
    kind: str  # figure | finding | path | warning | block | rank | missing
    name: str
    value: Any = None
    value_kind: str | None = None  # yen, ratio, int, date, bool, text
    about: list[str] = []
    firings: list[int]
    text: Bilingual | None = None  # message / summary / reason, placeholders filled
    extra: dict[str, Any] = {}


class InputFact(_Model):
    id: str
    type: str
    fields: dict[str, Any]


class Figure(_Model):
    name: str
    value: Any
    kind: str
    unit: str | None = None
    title: Bilingual
    fact: str  # id of the derived fact, to walk the trace back
    paths: list[str] = []  # the paths it is a working of; empty when it is about the case


class RankReason(_Model):
    rule: str
    step: int
    above: list[str]
    reason: Bilingual
    applied: bool  # false when a stronger rule had already ordered the same pair the other way


class Recommendation(_Model):
    path: str
    rank: int
    title: Bilingual
    rules: list[str]
    summary: Bilingual
    figures: dict[str, Any]
    ranking: list[RankReason] = []
    next_step: Bilingual | None = None
    fact: str


class Blocked(_Model):
    path: str
    title: Bilingual
    rules: list[str]
    reason: Bilingual


class WarningItem(_Model):
    id: str
    severity: str
    title: Bilingual
    rules: list[str]
    message: Bilingual
    about: list[str] = []
    urgency: int = 3
    next_step: Bilingual | None = None
    fact: str


class MissingItem(_Model):
    field: str
    blocks: list[str]
    block_titles: list[Bilingual] = []
    rules: list[str]
    message: Bilingual
    fact: str


class Parameter(_Model):
    name: str
    value: Any
    default: Any
    overridden: bool
    title: Bilingual
    sources: list[str]


class RulesetInfo(_Model):
    version: str
    rules: int
    path: str


class EngineInfo(_Model):
    name: str
    version: str


class Result(_Model):
    case_id: str
    as_of: dt.date
    stage: str | None
    ruleset: RulesetInfo
    engine: EngineInfo
    figures: dict[str, Figure]
    recommendations: list[Recommendation]
    blocked: list[Blocked]
    warnings: list[WarningItem]
    missing: list[MissingItem]
    parameters: dict[str, Parameter]
    facts: list[InputFact]
    derived: list[Derived]
    trace: list[Firing]

    def fact(self, fact_id: str) -> InputFact | Derived | None:
        for f in self.derived:
            if f.id == fact_id:
                return f
        for f in self.facts:
            if f.id == fact_id:
                return f
        return None
