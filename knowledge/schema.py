"""The rule-base file schema: what catalog.yaml and a topic file may say.

These models only check shape (keys, types, id patterns); what the names and
expressions mean is checked by ``knowledge.check`` once everything is loaded.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from facts.text import Bilingual
from knowledge.parameters import Parameter

Severity = Literal["high", "medium", "low", "info"]
FigureKind = Literal["yen", "ratio", "int", "date"]
FindingKind = Literal["bool", "text", "yen", "int", "date", "ratio"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# ---------------------------------------------------------------------------
# Catalog


class FigureDecl(_Strict):
    kind: FigureKind
    title: Bilingual
    # how a reader sees it: years / months for int figures, percent / times for ratios;
    # about_100 / about_1000 for money that is an estimate, shown to that many yen with 約
    unit: Literal["years", "months", "percent", "times", "about_100", "about_1000"] | None = None
    # the paths this figure is a working of; when none of them is listed (or all are
    # blocked) the report does not show it as advice. Empty: the figure is about the case.
    paths: list[str] = []
    # one value per fact of this type rather than one for the case (e.g. the release money of
    # each junior lienholder): concluded by a rule matching one such fact, kept "about" it, and
    # quoted only in the messages of the rule that concludes it (no other rule could tell which)
    per: Literal["other_debt", "guarantor"] | None = None


class FindingDecl(_Strict):
    kind: FindingKind = "bool"
    title: Bilingual


class WarningDecl(_Strict):
    severity: Severity
    title: Bilingual
    # how soon the reader must act: 1 a deadline or harm that grows by the month,
    # 2 bears on which path to choose, 3 background. The report lists warnings in this order.
    urgency: int = Field(default=3, ge=1, le=3)
    next_step: Bilingual | None = None  # what to do this week, when the warning calls for an action
    bring: list[Bilingual] = []  # papers to take to the lawyer or scrivener when this warning is given


class PathDecl(_Strict):
    order: int = Field(description="Tie-break order when no rule ranks two paths (domain.md §11.6)")
    title: Bilingual
    description: Bilingual
    key_figures: list[str] = []
    next_step: Bilingual | None = None  # the first thing to do this week if this path is the first option
    bring: list[Bilingual] = []  # papers to take to the consultation when this path is listed


class Catalog(_Strict):
    figures: dict[str, FigureDecl]
    findings: dict[str, FindingDecl]
    warnings: dict[str, WarningDecl]
    paths: dict[str, PathDecl]
    missing_fields: dict[str, Bilingual] = {}
    # how coded values read in messages: {"other_debt.debt_type": {"tax": {ja: 税金, en: tax}}}
    labels: dict[str, dict[str, Bilingual]] = {}

    @model_validator(mode="after")
    def _known_paths(self) -> "Catalog":
        for name, fig in self.figures.items():
            unknown = [p for p in fig.paths if p not in self.paths]
            if unknown:
                raise ValueError(f"figure {name}: unknown paths {unknown}")
        for name, path in self.paths.items():
            unknown = [f for f in path.key_figures if f not in self.figures]
            if unknown:
                raise ValueError(f"path {name}: unknown key_figures {unknown}")
        return self


# ---------------------------------------------------------------------------
# Rule files


class FigureConclusion(_Strict):
    figure: str
    value: str

    @field_validator("value", mode="before")
    @classmethod
    def _num(cls, v: Any) -> Any:
        return str(v) if isinstance(v, int) and not isinstance(v, bool) else v


class FindingConclusion(_Strict):
    finding: str
    value: str | None = None

    @field_validator("value", mode="before")
    @classmethod
    def _num(cls, v: Any) -> Any:
        if isinstance(v, bool):
            return "true" if v else "false"
        return str(v) if isinstance(v, int) else v


class WarningConclusion(_Strict):
    warning: str
    message: Bilingual
    # what to do this week when this rule gives the warning, in place of the catalog's
    # next_step: one warning id can arise from causes that call for different first steps
    # (a tax seizure is answered at the tax office, a court title with a lawyer). Used only
    # when every rule that gave the warning says the same; otherwise the catalog's step.
    next_step: Bilingual | None = None


class PathConclusion(_Strict):
    path: str
    summary: Bilingual
    # the figures shown beside the path, in place of the catalog's key_figures; like a warning's
    # next_step, used only when every rule that listed the path says the same (engine.conclude)
    figures: list[str] | None = None


class BlockConclusion(_Strict):
    block: str
    reason: Bilingual


class RankConclusion(_Strict):
    rank: str
    above: list[str] | Literal["all"]
    step: int = Field(ge=1, le=9, description="The step of domain.md §11 this ordering comes from; lower wins")
    reason: Bilingual


class MissingConclusion(_Strict):
    missing: str
    blocks: list[str]
    message: Bilingual


Conclusion = (
    FigureConclusion
    | FindingConclusion
    | WarningConclusion
    | PathConclusion
    | BlockConclusion
    | RankConclusion
    | MissingConclusion
)
_CONCLUSION_KEYS = {
    "figure": FigureConclusion,
    "finding": FindingConclusion,
    "warning": WarningConclusion,
    "path": PathConclusion,
    "block": BlockConclusion,
    "rank": RankConclusion,
    "missing": MissingConclusion,
}


class RuleSpec(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")
    title: Bilingual
    sources: list[str] = Field(min_length=1)
    note: Bilingual | None = None
    when: list[str] = []
    then: list[Conclusion] = Field(min_length=1)

    @field_validator("then", mode="before")
    @classmethod
    def _typed(cls, items: Any) -> Any:
        if not isinstance(items, list):
            return items
        out = []
        for item in items:
            if isinstance(item, dict):
                kinds = [k for k in _CONCLUSION_KEYS if k in item]
                if len(kinds) != 1:
                    raise ValueError(
                        f"each conclusion needs exactly one of {', '.join(_CONCLUSION_KEYS)}; got keys {sorted(item)}"
                    )
                out.append(_CONCLUSION_KEYS[kinds[0]].model_validate(item))
            else:
                out.append(item)
        return out

    @field_validator("when", mode="before")
    @classmethod
    def _list(cls, v: Any) -> Any:
        return [v] if isinstance(v, str) else v


class TopicFile(_Strict):
    topic: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: Bilingual
    rules: list[RuleSpec] = Field(min_length=1)

    @model_validator(mode="after")
    def _ids_in_topic(self) -> "TopicFile":
        for rule in self.rules:
            if not rule.id.startswith(self.topic + "."):
                raise ValueError(f"rule id {rule.id!r} must start with the topic {self.topic!r}.")
        return self




def produced_by(spec: RuleSpec) -> set[str]:
    """The derived facts (figure.x, finding.x, path.x) a rule concludes, which other rules may read."""
    out = set()
    for c in spec.then:
        if isinstance(c, FigureConclusion):
            out.add(f"figure.{c.figure}")
        elif isinstance(c, FindingConclusion):
            out.add(f"finding.{c.finding}")
        elif isinstance(c, PathConclusion):
            out.add(f"path.{c.path}")
    return out


class ParameterFile(_Strict):
    parameters: list[Parameter]
