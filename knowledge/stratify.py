"""Stratifying the rules: the order in which absence can be tested safely."""

from __future__ import annotations

from facts.errors import Problem, RuleBaseError
from knowledge.model import Rule


def stratify(rules: list[Rule]) -> None:
    """Give each rule a stratum so every absence test runs after all producers of that fact.

    A rule that tests that X is absent must wait until no rule can still
    conclude X. Strata are the classic answer: producers of X sit in a lower
    stratum than any rule that tests X's absence. Input facts are all asserted
    before stratum 1 starts, so testing their absence needs stratum >= 1.
    """
    producers: dict[str, list[Rule]] = {}
    for r in rules:
        for key in r.produces():
            producers.setdefault(key, []).append(r)
    for r in rules:
        r.stratum = 1 if r.absent else 0
    limit = len(rules) + 2
    changed = True
    while changed:
        changed = False
        for r in rules:
            need = r.stratum
            for key in r.slots:
                for p in producers.get(key, []):
                    need = max(need, p.stratum)
            for key in r.absent:
                for p in producers.get(key, []):
                    need = max(need, p.stratum + 1)
            if need != r.stratum:
                if need > limit:
                    raise RuleBaseError(
                        [
                            Problem(
                                f"{r.file}: {r.id}",
                                "「ない」ことを条件にするルールが循環しています",
                                "rules depend on each other's absence in a cycle",
                            )
                        ]
                    )
                r.stratum = need
                changed = True
