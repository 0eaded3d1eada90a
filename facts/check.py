"""Every check a case passes before the engine sees it, in one place.

``assess`` and ``validate`` both come through here, so a case ``validate``
calls OK is a case ``assess`` accepts, and one it rejects is rejected with
the same problems: the file (size, encoding, syntax), the case model (values,
bounds, contradictions), and the case's assumptions against the rule base's
parameter table, which only the builder can check.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from engine.errors import InputError, Problem
from facts.builder import FactSet, build_facts
from facts.case import Case
from facts.load import MAX_CASE_BYTES, load_case_file, load_case_text
from facts.parameters import Parameter

__all__ = ["check_case", "case_problems", "case_text_problems"]


def check_case(case: Case, parameters: Mapping[str, Parameter]) -> FactSet:
    """The facts of a loaded case, or an InputError listing what the engine must not see."""
    return build_facts(case, parameters)


def case_problems(
    path_or_dash: str | Path, parameters: Mapping[str, Parameter], *, max_bytes: int = MAX_CASE_BYTES
) -> list[Problem]:
    """Every problem ``assess`` would report for a case file before running the engine."""
    try:
        check_case(load_case_file(path_or_dash, max_bytes=max_bytes), parameters)
    except InputError as error:
        return error.problems
    return []


def case_text_problems(text: str | bytes, source: str, parameters: Mapping[str, Parameter]) -> list[Problem]:
    """As :func:`case_problems`, for a case already read into memory."""
    try:
        check_case(load_case_text(text, source), parameters)
    except InputError as error:
        return error.problems
    return []
