"""The smallest change that opens or closes a path: ``zansai whatif CASE --open PATH`` / ``--close PATH``.

Only inputs that can really change are moved (the *levers*): the expected
sale price, the debtor's take-home pay, the household's living costs, each
other debt's balance, and the date of the assessment ("wait until").

For each lever the answer is found in one of two ways, and the answer says which:

* **linear**: the conditions of the rules that could list the path (and of the
  rules concluding the findings those read) are solved back through the figure
  formulas of this case's trace, as ``a·x + b`` in the lever ``x``; the
  integer where such a condition flips is a candidate. Rounding (``floor``) is
  ignored while solving and settled by assessing: a candidate counts only if
  the goal holds there and fails one unit (1 yen, 1 day) nearer the case as it is.
* **bisection**: where no condition is linear in the lever, or the solved value
  is not the exact edge, the goal is sampled across the lever's range
  (monotonicity checked: once reached it must stay reached) and the first
  switching interval bisected down to one unit.

Every answer is verified by assessing the changed case with the full desk
(explanations and the engine cross-check on). Where no single lever reaches
the goal, the best two-lever change is searched for.

The pieces, one job each: ``levers`` (what can move, and the case with it
moved), ``linear`` (the solver through the figure formulas), ``bisection``
(sampled monotonicity, then halving), ``goal`` (the goal test and the
verification by full assessment), ``pairs`` (the two-lever grid) and
``answer`` (the answers as data). This module runs the search.

Data in, data out (for the CLI and the web desk)::

    answer = smallest_change(desk, case, "specific_conciliation", goal="open")
    answer.to_json()     # levers tried, each answer with method, value, change and the verifying result
"""

from __future__ import annotations

from typing import Any

from app.result import Result
from app.smallest.answer import Answer, Search, relative_change
from app.smallest.bisection import SAMPLES, bisect_edge
from app.smallest.goal import KEY_FIGURES, Goal, verify
from app.smallest.levers import MAX_YEARS_WAIT, Lever, lever_case, levers, levers_case
from app.smallest.linear import Threshold, rules_for, thresholds
from app.smallest.pairs import best_pair
from facts.case import Case
from facts.errors import InputError, Problem

# the names this module had before it was split (tests and callers import them from here)
_bisect = bisect_edge
_Goal = Goal

__all__ = [
    "KEY_FIGURES", "MAX_YEARS_WAIT", "SAMPLES", "Answer", "Goal", "Lever", "Search", "Threshold",
    "lever_case", "levers", "levers_case", "rules_for", "smallest_change", "thresholds",
]


def smallest_change(desk: Any, case: Case, path: str, goal: str = "open", *, pairs: bool = True) -> Search:
    """The smallest change of each lever that makes ``path`` listed (``goal="open"``) or not listed (``"close"``).

    ``desk`` is an ``app.desk.Desk``; ``path`` a path id of its catalog
    (checked: an unknown one is an InputError with a "did you mean").
    Answers are ordered by the size of the change relative to the lever's
    value (smallest first); each is verified by a full assessment.
    """
    if goal not in ("open", "close"):
        raise InputError([Problem("goal", "open か close を指定してください", "goal must be open or close")])
    desk.check_path(path, "--open" if goal == "open" else "--close")
    title = desk.rule_base.catalog.paths[path].title
    titles = {p: d.title for p, d in desk.rule_base.catalog.paths.items()}
    original = desk.assess(case)
    g = Goal(desk, case, path, goal)
    if g.reached(original):
        return Search(path, goal, True, [], [], title=title, original=original, path_titles=titles)
    answers: list[Answer] = []
    unreachable: list[Lever] = []
    all_levers = levers(case, original)
    for lever in all_levers:
        answer = _one_lever(desk, g, original, lever)
        if answer is None:
            unreachable.append(lever)
        else:
            answers.append(answer)
    for answer in answers:
        verify(g, answer)
    answers = [a for a in answers if a.verified]
    answers.sort(key=relative_change)
    search = Search(path, goal, False, answers, unreachable, title=title, original=original, path_titles=titles)
    if not answers and pairs:
        search.pair = best_pair(g, all_levers)
        if search.pair is not None:
            verify(g, search.pair)
    search.assessments = g.count
    return search


def _one_lever(desk: Any, g: Goal, original: Result, lever: Lever) -> Answer | None:
    """One lever's answer, not yet verified: the linear candidates nearest first, else bisection towards either bound."""
    x0 = lever.num(lever.current)
    lo, hi = lever.num(lever.lo), lever.num(lever.hi)

    def test(n: int) -> bool:
        return g.at([(lever, n)])

    # linear: the flip points of the conditions behind the path, nearest first
    found = sorted(thresholds(desk.rule_base, original, lever, g.path), key=lambda t: abs(t.value - x0))
    tried: set[int] = set()
    for t in found:
        if not lo <= t.value <= hi:
            continue
        step = 1 if t.value > x0 else -1
        for k in range(0, 4 if t.rounded else 1):  # floors: the edge may sit a few units further
            n = t.value + step * k
            if n in tried or not lo <= n <= hi:
                continue
            tried.add(n)
            if test(n):
                # rounding may put the edge a few units nearer: walk back while the goal still holds
                for _ in range(4 if t.rounded else 1):
                    if n - step == x0 or not test(n - step):
                        return Answer([lever], [lever.val(n)], "linear", False, condition=t)
                    n -= step
                # the goal holds well nearer: the solved value is not the edge, so bisect towards it
                edge, monotone = bisect_edge(test, x0, n)
                if edge is not None:
                    return Answer([lever], [lever.val(edge)], "bisection", False, monotone=monotone)
                break
    # bisection over the lever's range, in each direction; the nearer answer wins
    best: Answer | None = None
    for end in (hi, lo):
        if end == x0 or not test(end):
            continue
        edge, monotone = bisect_edge(test, x0, end)
        if edge is not None and (best is None or abs(edge - x0) < abs(lever.num(best.values[0]) - x0)):
            best = Answer([lever], [lever.val(edge)], "bisection", False, monotone=monotone)
    return best
