"""Every order between two recommended paths comes from a ranking rule with its reason (domain.md §11 step 6),
never from the catalog's tie-break."""

from __future__ import annotations

import pytest
import yaml

from app.desk import Desk
from app.rank import _reaches
from facts.load import load_case_text
from tests.golden import golden_cases

CASES = golden_cases()


@pytest.fixture(scope="module")
def assessor():
    with Desk() as a:
        yield a



def test_every_pair_of_recommended_paths_is_ordered_by_a_reason(assessor):
    unexplained = []
    for topic, name, case, _ in CASES:
        result = assessor.assess(load_case_text(yaml.safe_dump(case, allow_unicode=True), name))
        order = [r.path for r in result.recommendations]
        edges = {
            (rec.path, other)
            for rec in result.recommendations
            for reason in rec.ranking
            if reason.applied
            for other in reason.above
        }
        for i, first in enumerate(order):
            for second in order[i + 1 :]:
                if not _reaches(edges, first, second):
                    unexplained.append(f"{topic}: {name}: {first} before {second}")
    assert not unexplained, "\n".join(unexplained)
