"""Whether the goal holds for a changed case, and the verification of an answer by a full assessment.

While searching, the goal is tested with the fast assessment (no
explanations), each set of moves once. An answer found that way stands only
when the full desk (explanations and the engine cross-check on) agrees; its
values rounded for display are checked too.
"""

from __future__ import annotations

from typing import Any

from app.result import Result
from app.smallest.answer import Answer
from app.smallest.levers import Lever, levers_case
from facts.case import Case
from facts.errors import InputError

KEY_FIGURES = ("residual_debt", "total_debt", "monthly_capacity")  # shown beside a verified answer


class Goal:
    """``path`` listed (``goal="open"``) or not listed (``"close"``), tested on the case with levers moved."""

    def __init__(self, desk: Any, case: Case, path: str, goal: str):
        self.desk, self.case, self.path, self.goal = desk, case, path, goal
        self.count = 0  # assessments run
        self.cache: dict[tuple, bool] = {}

    def reached(self, result: Result) -> bool:
        listed = any(r.path == self.path for r in result.recommendations)
        return listed if self.goal == "open" else not listed

    def at(self, moves: list[tuple[Lever, int]]) -> bool:
        key = tuple((l.id, n) for l, n in moves)
        if key not in self.cache:
            try:
                changed = levers_case(self.case, [(l, l.val(n)) for l, n in moves])
            except InputError:
                self.cache[key] = False  # a value the case model refuses (a contradiction) is no answer
                return False
            self.count += 1
            self.cache[key] = self.reached(self.desk.assess(changed, explain=False))
        return self.cache[key]


def verify(goal: Goal, answer: Answer) -> None:
    """Assess the changed case with the full desk; the answer stands only if the goal holds there."""
    changed = levers_case(goal.case, list(zip(answer.levers, answer.values)))
    result = goal.desk.assess(changed)
    goal.count += 1
    answer.verified = goal.reached(result)
    answer.figures = {k: result.figures[k] for k in KEY_FIGURES if k in result.figures}
    answer.paths = [r.path for r in result.recommendations]
    answer.shown = [
        lever.val(shown_value(lever, lever.num(v), lever.num(lever.current))) for lever, v in zip(answer.levers, answer.values)
    ]
    if answer.shown == answer.values:
        answer.shown_verified = answer.verified
    else:
        answer.shown_verified = goal.at([(l, l.num(v)) for l, v in zip(answer.levers, answer.shown)])


def shown_value(lever: Lever, n: int, x0: int) -> int:
    """A sensible unit for display, rounded away from the case as it is (so the goal still holds)."""
    if lever.kind == "date":
        return n
    change = abs(n - x0)
    unit = 10_000 if change >= 1_000_000 else (1_000 if change >= 10_000 else 1)
    if n > x0:
        return -(-n // unit) * unit
    return (n // unit) * unit
