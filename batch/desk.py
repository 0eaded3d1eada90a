"""The one place the batch front end touches the core.

Everything the batch needs from the layers below goes through ``Desk`` here:
loading a case from text or from a record's data, assessing it, and turning
the result into its JSON contract. When the application layer (``app.Desk``)
is on main, this module is where the batch switches to it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from facts.errors import EngineError, InputError, Problem, ZansaiError

__all__ = [
    "Desk", "case_model", "load_rule_base", "new_record", "record_fields", "record_header",
    "EngineError", "InputError", "Problem", "ZansaiError",
]


class Desk:
    """One rule base, one engine, any number of cases (one per worker process)."""

    def __init__(self, rules_dir: Path | str | None = None, rule_base: Any = None):
        from app.desk import Desk as AppDesk

        self._assessor = AppDesk(rules_dir, rule_base=rule_base)
        self.rule_base = self._assessor.rule_base

    def close(self) -> None:
        self._assessor.close()

    def load_case_text(self, text: str | bytes, source: str) -> Any:
        from facts.load import load_case_text

        return load_case_text(text, source)

    @staticmethod
    def case_data_or_none(text: str | bytes) -> Any:
        """A case file's data as parsed, before any check of its fields; None if it cannot be parsed."""
        from facts.load import parse_case_data

        try:
            return parse_case_data(text, "")
        except ZansaiError:
            return None

    def load_case_data(self, data: dict[str, Any], source: str) -> Any:
        # Through the same loader as a JSON file, so every problem is reported
        # exactly as `zansai validate` reports it for that field.
        return self.load_case_text(json.dumps(data, ensure_ascii=False), source)

    def assess(self, case: Any, explain: bool = False) -> Any:
        # Explanations (every rule evaluated again, with values) cost more than the
        # assessment itself; a batch leaves them out unless asked (--explanations).
        return self._assessor.assess(case, explain=explain)

    @staticmethod
    def to_json(result: Any, lang: str) -> dict[str, Any]:
        from render.json_result import to_json

        return to_json(result, lang)


def case_model() -> Any:
    """The case's model class, for the types a table's columns must hold."""
    from facts.case import Case

    return Case


def record_header(rule_base: Any) -> dict[str, Any]:
    """What every audit record of a batch shares: the rule files of its version, the engine, zansai."""
    from app.records import version_fields

    return version_fields(rule_base)


def record_fields(data: bytes, case: Any, result: Any) -> dict[str, Any]:
    """One case's part of its audit record, made the way ``assess --record`` makes it.

    No report is kept: a batch prints rows, not reports, so ``audit show`` says
    that what it prints of such a record is rendered again.
    """
    from app.records import assessment_fields

    return assessment_fields(data, case, result)


def new_record(fields: dict[str, Any], header: dict[str, Any]) -> Any:
    from app.records import new_record as make

    return make(fields, header)


def load_rule_base(rules_dir: Path | str | None = None) -> Any:
    """The checked rule base alone, without an engine (the parent process of a batch needs only its catalog)."""
    from knowledge.load import load_rule_base as load

    return load(rules_dir)
