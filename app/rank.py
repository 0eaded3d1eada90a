"""Ranking the listed paths by the rules' own ranking conclusions.

Each ranking conclusion says a path goes above others, with the step of the
decision policy (domain.md §11) it implements. Where two disagree about a
pair, the lower step wins and the other is kept, marked as not applied, so
the explanation can say why. Paths no rule orders keep the catalog's order.
"""

from __future__ import annotations

from engine.memory import Record
from facts.errors import EngineError, Problem
from facts.text import Bilingual
from knowledge.model import RuleBase
from app.result import RankReason


def rank(paths: list[str], rank_records: list[Record], rb: RuleBase) -> tuple[list[str], dict[str, list[RankReason]]]:
    """Order the listed paths by the rules' ranking conclusions; ties by the catalog's order."""
    listed = set(paths)
    edges: set[tuple[str, str]] = set()
    reasons: dict[str, list[RankReason]] = {}
    for rec in sorted(rank_records, key=lambda r: (r.extra["step"], r.extra["rule"])):
        path = rec.name
        if path not in listed:
            continue
        above = [p for p in rec.extra["above"] if p in listed]
        applied_any = False
        for other in above:
            if (other, path) in edges or _reaches(edges, other, path):
                continue  # a stronger (lower-step) rule already put `other` first
            edges.add((path, other))
            applied_any = True
        reasons.setdefault(path, []).append(
            RankReason(
                rule=rec.extra["rule"],
                step=rec.extra["step"],
                above=above,
                reason=rec.text or Bilingual(ja="", en=""),
                applied=applied_any or not above,
            )
        )
    return in_order(paths, edges, {p: rb.catalog.paths[p].order for p in paths}), reasons


def in_order(paths: list[str], edges: set[tuple[str, str]], base: dict[str, int]) -> list[str]:
    """The paths with every ``(above, below)`` edge respected; ties by ``base`` (the catalog order), then name."""
    remaining = set(paths)
    order: list[str] = []
    while remaining:
        ready = [p for p in remaining if not any((q, p) in edges for q in remaining)]
        if not ready:  # rank() adds no edge that closes a cycle, so this is a bug, said loudly
            raise EngineError([Problem("ranking", "順位づけが循環しました", "path ranking formed a cycle")])
        nxt = min(ready, key=lambda p: (base[p], p))
        order.append(nxt)
        remaining.remove(nxt)
    return order


def _reaches(edges: set[tuple[str, str]], start: str, goal: str) -> bool:
    stack, seen = [start], set()
    while stack:
        node = stack.pop()
        if node == goal:
            return True
        if node in seen:
            continue
        seen.add(node)
        stack.extend(b for a, b in edges if a == node)
    return False
