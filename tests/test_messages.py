"""What a person reads: the checks of docs/messages.md over every golden case, example and template."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from engine.assess import Assessor
from facts.load import load_case_text
from render.report import render
from tests.golden import EXAMPLES, golden_cases

ROOT = Path(__file__).resolve().parent.parent


def _style() -> dict:
    text = (ROOT / "docs" / "messages.md").read_text(encoding="utf-8")
    block = text.split("## Checked by tests", 1)[1].split("```yaml", 1)[1].split("```", 1)[0]
    return yaml.safe_load(block)


STYLE = _style()


@pytest.fixture(scope="module")
def reports():
    """(name, result) for every golden case and every example."""
    cases = [(f"{topic}: {name}", case) for topic, name, case, _ in golden_cases()]
    cases += [(f"example {p.stem}", yaml.safe_load(p.read_text(encoding="utf-8"))) for p in sorted(EXAMPLES.glob("*.yaml"))]
    out = []
    with Assessor() as a:
        for name, case in cases:
            out.append((name, a.assess(load_case_text(yaml.safe_dump(case, allow_unicode=True), name))))
    return out


def test_nothing_invites_payment_while_the_limitation_may_be_invoked(reports):
    checked = 0
    for name, result in reports:
        paths = [r.path for r in result.recommendations]
        if "invoke_limitation" not in paths:
            continue
        checked += 1
        assert not {"installment_negotiation", "specific_conciliation"} & set(paths), f"{name}: {paths}"
        for lang in ("ja", "en"):
            text = render(result, lang)
            for phrase in STYLE["limitation_unsafe"][lang]:
                assert phrase.lower() not in text.lower(), f"{name} ({lang}): «{phrase}» in a report listing invoke_limitation"
    # the guard must have been exercised, including a case that could afford installments
    assert checked >= 15


def test_the_unsafe_phrases_are_real(reports):
    """Each listed phrase class occurs in some report without the limitation path, so the list is not vacuous."""
    seen = set()
    for name, result in reports:
        if "invoke_limitation" in [r.path for r in result.recommendations]:
            continue
        for lang in ("ja", "en"):
            text = render(result, lang).lower()
            seen |= {p for p in STYLE["limitation_unsafe"][lang] if p.lower() in text}
    assert len(seen) >= 4, seen
