"""The Result: the one object every front end and renderer reads.

It is self-contained: every firing carries its rule's title and sources,
every message exists in both languages, and the explanations (why each
conclusion, why not each path, how each rule fared) are computed once, as
data, when the case is assessed. So an audit store can keep a Result as JSON
and anyone can explain it later without the engine or the rule base.

Numbers stay exact here (integers, Decimals); they become JSON floats only
in ``to_json``, and ``from_json`` reads them back as Decimals.

``to_json(lang)`` is the public contract of shared/spec/case-format.md:
every text appears in the chosen language under its own key and in both
languages under ``texts``, which is what ``from_json`` reads back.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, PrivateAttr, model_validator

from facts.models import collector_paused
from facts.text import Bilingual


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")



class ConditionSeen(_Model):
    """A condition of a firing and the values it saw."""

    text: str  # as written in the rule file
    values: dict[str, Any]  # each reference and the value it had
    result: bool

    # The condition with its values, language-neutral ("あり/present"), is
    # ``evaluated``: written when first read, from what the engine saw
    # (``_seen``), not when the rule fired. A Result read from JSON keeps the
    # text the document holds (``_written``). ``_kept`` is what app.assemble
    # keeps of the same condition seen with the same values in other firings:
    # the text is written there once for all of them.
    _seen: Any = PrivateAttr(default=None)
    _written: str | None = PrivateAttr(default=None)
    _kept: Any = PrivateAttr(default=None)

    @model_validator(mode="wrap")
    @classmethod
    def _keep_written(cls, data: Any, handler: Any) -> "ConditionSeen":
        written = None
        if isinstance(data, dict) and "evaluated" in data:
            data = dict(data)
            written = data.pop("evaluated")
        model = handler(data)
        model._written = written
        return model

    @property
    def evaluated(self) -> str:
        private = self.__pydantic_private__  # read directly: pydantic's attribute hook costs more than the text
        written = private["_written"]
        if written is None:
            seen, kept = private["_seen"], private["_kept"]
            if kept is None:
                written = seen.evaluated if seen is not None else ""
            else:
                written = kept.written
                if written is None:
                    written = kept.written = seen.evaluated
            private["_written"] = written
        return written


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
    # the parameters its conclusions' values read: the conditions show theirs with their values, these
    # are shown beside them (``explain``) with the value applied and, if dated, since when
    parameters: list[str] = []


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


class FigureInfo(_Model):
    """What the catalog says of a figure. Frozen: every Result shares one per figure (app.assemble)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: str
    unit: str | None = None
    title: Bilingual
    fact: str  # id of the derived fact, to walk the trace back
    paths: list[str] = []  # the paths it is a working of; empty when it is about the case


class Figure(_Model):
    """A figure with what a reader needs to show it (a view over ``figures`` and ``figure_info``)."""

    name: str
    value: Any
    kind: str
    unit: str | None = None
    title: Bilingual
    fact: str
    paths: list[str] = []


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
    bring: list[Bilingual] = []
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
    bring: list[Bilingual] = []
    fact: str


class MissingItem(_Model):
    field: str
    blocks: list[str]
    block_titles: list[Bilingual] = []
    rules: list[str]
    message: Bilingual
    fact: str


class Parameter(_Model):
    """A parameter as this case used it: the value in force on the case's date, or the case's override.

    Frozen: Results of cases on the same date share one (app.assemble._parameters).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    value: Any
    default: Any  # the value in force on ``on``
    overridden: bool
    title: Bilingual
    sources: list[str]  # the sources of the value in force
    kind: str
    unit: str | None = None
    applies_on: str = "as_of"  # which case date selects the value
    on: dt.date | None = None  # that date
    in_force_from: dt.date | None = None  # when the value in force took effect (dated parameters)
    practice: bool = False  # a rough figure from practice, not statute
    used: bool = False  # read by a rule that fired on this case (a condition or a computed value)


class RulesetInfo(_Model):
    version: str
    rules: int
    origin: str  # the folder, the installed package, or a stored version
    files: dict[str, str] = {}  # each rule file's sha256


class EngineInfo(_Model):
    name: str
    version: str


class RuleEvaluation(_Model):
    """One rule evaluated on the case's final facts: why it fired, or what it lacked."""

    rule: str
    title: Bilingual
    sources: list[str]
    fired: bool
    absent: list[str] = []  # facts it reads that the case does not have
    unexpected: list[str] = []  # facts that must be absent but exist
    bindings: list[list[str]] = []  # the fact ids of each combination shown (up to three)
    conditions: list[list[ConditionSeen]] = []  # each combination's conditions, with their values
    producers: dict[str, list[str]] = {}  # for each absent derived fact, the rules that could conclude it


class Explanations(_Model):
    """Why-not and "which rule could have concluded this", computed once, as data."""

    rules: dict[str, RuleEvaluation]  # every rule of the rule base, in rule-base order
    listing: dict[str, list[str]]  # path -> the rules that could list it
    topics: dict[str, Bilingual] = {}


class Deadline(_Model):
    """A dated limit the case implies (app.deadlines), or one it cannot date (``date`` None, ``missing`` says why)."""

    id: str  # auction_bid_opening | housing_loan_clause | limitation_completion | inheritance_renunciation
    date: dt.date | None = None
    title: Bilingual
    consequence: Bilingual  # what happens when it passes
    sources: list[str]
    rules: list[str] = []  # the rules that computed the date, where rules did
    note: Bilingual | None = None
    missing: Bilingual | None = None
    status: str = "missing"  # upcoming | passed | missing (against as_of)
    days_left: int | None = None


class Result(_Model):
    case_id: str
    as_of: dt.date
    ruleset: RulesetInfo
    engine: EngineInfo
    stage: str | None
    figures: dict[str, Any]  # name -> exact value, in catalog order
    figure_info: dict[str, FigureInfo]
    recommendations: list[Recommendation]
    blocked: list[Blocked]
    warnings: list[WarningItem]
    missing: list[MissingItem]
    parameters: dict[str, Parameter]
    facts: list[InputFact]
    derived: list[Derived]
    trace: list[Firing]
    explanations: Explanations | None = None
    deadlines: list[Deadline] = []  # added after the first result format: a stored Result without it reads as none

    _index: dict[str, InputFact | Derived] | None = PrivateAttr(default=None)
    _by_index: dict[int, Firing] | None = PrivateAttr(default=None)

    def figure_items(self) -> dict[str, Figure]:
        """Every figure with its kind, unit and title, in catalog order."""
        return {
            name: Figure(name=name, value=value, **self.figure_info[name].model_dump())
            for name, value in self.figures.items()
        }

    def fact(self, fact_id: str) -> InputFact | Derived | None:
        if self._index is None:
            self._index = {f.id: f for f in self.facts}
            self._index.update({f.id: f for f in self.derived})
        return self._index.get(fact_id)

    def fields(self, fact_id: str) -> dict[str, Any]:
        """An input fact's fields by its id (``debtor``, ``mortgage`` …); {} when the case has none."""
        fact = self.fact(fact_id)
        return fact.fields if isinstance(fact, InputFact) else {}

    def firings_of(self, fact_id: str) -> list[Firing]:
        """The trace entries that concluded a derived fact, in firing order; none for an input fact."""
        fact = self.fact(fact_id)
        if not isinstance(fact, Derived):
            return []
        if self._by_index is None:
            self._by_index = {f.index: f for f in self.trace}
        return [self._by_index[i] for i in fact.firings if i in self._by_index]

    # -- JSON ----------------------------------------------------------------

    def to_json(self, lang: str = "ja") -> dict[str, Any]:
        """The public result document (texts in ``lang`` and, under ``texts``, in both): app.result_json."""
        from app.result_json import dump

        with collector_paused():
            return dump(self, lang)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Result":
        """A Result from ``to_json``'s document, in either language (numbers best parsed as Decimal)."""
        from app.result_json import restore

        return cls.model_validate(restore(data, cls))
