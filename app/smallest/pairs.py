"""The two-lever grid, for when no single lever reaches the goal.

The first lever is set at a quarter, half, three quarters or all of its way
to a bound, and the second bisected from the case as it is at each: the pair
with the smallest total relative change on that grid wins (the best on the
grid, not necessarily the exact minimum).
"""

from __future__ import annotations

from fractions import Fraction

from app.smallest.answer import Answer, relative_change
from app.smallest.bisection import bisect_edge
from app.smallest.goal import Goal
from app.smallest.levers import Lever


def best_pair(goal: Goal, all_levers: list[Lever]) -> Answer | None:
    """The two-lever change with the smallest total relative change on the grid (not yet verified)."""
    best: Answer | None = None
    for i, a in enumerate(all_levers):
        for b in all_levers[i + 1:]:
            for a_end in (a.hi, a.lo):
                for b_end in (b.hi, b.lo):
                    a0, b0 = a.num(a.current), b.num(b.current)
                    a1, b1 = a.num(a_end), b.num(b_end)
                    if a1 == a0 or b1 == b0 or not goal.at([(a, a1), (b, b1)]):
                        continue
                    for frac in (Fraction(1, 4), Fraction(1, 2), Fraction(3, 4), Fraction(1)):
                        an = a0 + int((a1 - a0) * frac)
                        if not goal.at([(a, an), (b, b1)]):
                            continue
                        edge, monotone = bisect_edge(lambda n: goal.at([(a, an), (b, n)]), b0, b1)
                        if edge is None:
                            continue
                        candidate = Answer([a, b], [a.val(an), b.val(edge)], "bisection", False, monotone=monotone)
                        if best is None or relative_change(candidate) < relative_change(best):
                            best = candidate
    return best
