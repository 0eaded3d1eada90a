"""The bisection way: where no condition is linear in a lever, or the solved value is not the exact edge.

The goal is sampled at ``SAMPLES`` points across the way from the case as it
is to a bound (the monotonicity check: once reached it must stay reached),
and the first switching interval is bisected down to one unit (1 yen, 1 day).
"""

from __future__ import annotations

from collections.abc import Callable

SAMPLES = 8  # points sampled across a lever's range before bisecting: the monotonicity check


def bisect_edge(test: Callable[[int], bool], start: int, end: int) -> tuple[int | None, bool]:
    """The value nearest ``start`` (where the goal fails) on the way to ``end`` where it holds; and whether it looked monotone."""
    if start == end:
        return None, True
    step = 1 if end > start else -1
    span = abs(end - start)
    points = sorted({start + step * max(1, round(span * k / SAMPLES)) for k in range(1, SAMPLES + 1)}, key=lambda p: abs(p - start))
    seen = [test(p) for p in points]
    if not any(seen):
        return None, True
    first = seen.index(True)
    monotone = all(seen[first:])
    lo, hi = (start if first == 0 else points[first - 1]), points[first]
    while abs(hi - lo) > 1:
        mid = (lo + hi) // 2
        if test(mid):
            hi = mid
        else:
            lo = mid
    return hi, monotone
