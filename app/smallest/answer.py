"""What ``--open`` / ``--close`` hands back, as data: each answer and the search that found them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.result import Result
from app.result_json import plain
from app.smallest.levers import Lever
from app.smallest.linear import Threshold
from facts.text import Bilingual


@dataclass
class Answer:
    """The smallest move of one lever (or two) that reaches the goal, verified by assessing."""

    levers: list[Lever]
    values: list[Any]  # exact: integer yen or a date
    method: str  # linear | bisection
    verified: bool
    condition: Threshold | None = None  # the condition solved, for a linear answer
    monotone: bool = True
    shown: list[Any] = field(default_factory=list)  # the values rounded for display, on the goal's side
    shown_verified: bool = False  # the rounded values reach the goal too
    figures: dict[str, Any] = field(default_factory=dict)  # key figures of the verified assessment
    paths: list[str] = field(default_factory=list)  # the paths listed at the answer

    def changes(self) -> list[Any]:
        return [_delta(l, v) for l, v in zip(self.levers, self.values)]

    def to_json(self) -> dict[str, Any]:
        return {
            "levers": [l.to_json() for l in self.levers],
            "values": [plain(v) for v in self.values],
            "changes": [plain(c) for c in self.changes()],
            "shown": [plain(v) for v in self.shown],
            "method": self.method,
            "verified": self.verified,
            "shown_verified": self.shown_verified,
            "monotone": self.monotone,
            "condition": None if self.condition is None else {"rule": self.condition.rule, "text": self.condition.condition},
            "figures": {k: plain(v) for k, v in self.figures.items()},
            "paths": self.paths,
        }


def _delta(lever: Lever, value: Any) -> Any:
    return (value - lever.current).days if lever.kind == "date" else value - lever.current


@dataclass
class Search:
    """What ``--open`` / ``--close`` found: one answer per lever that reaches the goal, and the levers that cannot."""

    path: str
    goal: str  # open | close
    already: bool  # the goal already holds for the case as it is
    answers: list[Answer]
    unreachable: list[Lever]
    pair: Answer | None = None  # the best two-lever change, when no single lever reaches the goal
    assessments: int = 0
    title: Bilingual | None = None  # the path's title in the catalog
    original: Result | None = None  # the assessment of the case as it is
    path_titles: dict[str, Bilingual] = field(default_factory=dict)  # every path's title, for the paths at an answer

    @property
    def best(self) -> Answer | None:
        return self.answers[0] if self.answers else self.pair

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "title": None if self.title is None else {"ja": self.title.ja, "en": self.title.en},
            "goal": self.goal,
            "already": self.already,
            "answers": [a.to_json() for a in self.answers],
            "unreachable": [l.to_json() for l in self.unreachable],
            "pair": None if self.pair is None else self.pair.to_json(),
            "assessments": self.assessments,
        }


def relative_change(answer: Answer) -> float:
    """The size of a change relative to each lever's value (a date's: to its range), summed: answers are ordered by it."""
    total = 0.0
    for lever, value in zip(answer.levers, answer.values):
        d = abs(lever.num(value) - lever.num(lever.current))
        base = abs(lever.num(lever.hi) - lever.num(lever.lo)) if lever.kind == "date" else max(abs(int(lever.current)), 1)
        total += d / base
    return total
