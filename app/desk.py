"""The desk: the one application layer every front end calls.

The CLI, the benchmark, batch runs, the audit store's replay and the web desk
all come here with data and get data back: a Case, a Result, a list of
Problems. Nothing here prints or formats; every problem is a ``ZansaiError``
carrying ``Problem`` values (a field path and both languages), turned into
text and an exit code by whoever called.

The engine is started only when a case is assessed: listing rules,
validating a case or explaining a stored Result never loads durable-rules.
"""

from __future__ import annotations

import importlib.metadata
import json
from collections.abc import Mapping
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from app.names import check_name, result_paths, result_rules, unknown  # noqa: F401 - the desk's public names
from app.result import EngineInfo, Result
from facts.builder import FactSet, build_facts
from facts.case import Case
from facts.errors import InputError, Problem
from facts.load import MAX_CASE_BYTES, load_case_file, load_case_text
from facts.text import Labels
from knowledge.load import load_rule_base, load_rule_base_from_files
from knowledge.model import Rule, RuleBase
from knowledge.parameters import Applied, ParameterTable

if TYPE_CHECKING:  # the engine is imported when first needed
    from engine.session import Engine

ENGINE_NAME = "durable-rules"


@cache
def engine_version() -> str:
    """durable-rules' version, looked up once per process (it costs more than a small case)."""
    try:
        return importlib.metadata.version("durable_rules")
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover - always installed with zansai
        return "unknown"


@cache
def zansai_version() -> str:
    try:
        return importlib.metadata.version("zansai")
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover - run from a checkout without install
        return "0+unknown"


class Desk:
    """One rule base, and every operation on cases and results under it."""

    def __init__(
        self,
        rules: Path | str | None = None,
        *,
        rule_base: RuleBase | None = None,
        files: Mapping[str, bytes] | None = None,
        cross_check: bool = True,
    ):
        if rule_base is not None:
            self.rule_base = rule_base
        elif files is not None:
            self.rule_base = load_rule_base_from_files(files, origin="<stored>")
        else:
            self.rule_base = load_rule_base(rules)
        self._cross_check = cross_check
        self._engine: Engine | None = None
        self._parameters = ParameterTable(self.rule_base.parameters)

    # -- lifecycle -------------------------------------------------------------

    @property
    def engine(self) -> "Engine":
        if self._engine is None:
            from engine.session import Engine

            self._engine = Engine(self.rule_base, cross_check=self._cross_check)
        return self._engine

    def close(self) -> None:
        if self._engine is not None:
            self._engine.close()
            self._engine = None

    def __enter__(self) -> "Desk":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # -- cases -------------------------------------------------------------------

    @staticmethod
    def load_case(source: str | Path, *, max_bytes: int = MAX_CASE_BYTES) -> Case:
        """A case file (YAML or JSON; ``-`` is standard input), validated."""
        return load_case_file(source, max_bytes=max_bytes)

    @staticmethod
    def parse_case(text: str | bytes, source: str = "<case>") -> Case:
        return load_case_text(text, source)

    def validate(self, source: str | Path, *, max_bytes: int = MAX_CASE_BYTES) -> list[Problem]:
        """Every problem ``assess`` would find before the engine runs, for one case file (read once).

        The same checks as ``assess``: the file (size, encoding, syntax), the
        case model (values, bounds, contradictions), then the case's
        assumptions against this rule base's parameters.
        """
        try:
            self.parameters_for(load_case_file(source, max_bytes=max_bytes))
        except InputError as exc:
            return list(exc.problems)
        return []

    def parameters_for(self, case: Case) -> dict[str, Applied]:
        """The parameter values that apply to the case: in force on its dates, with its overrides."""
        return self._parameters.resolve(case)

    def facts(self, case: Case) -> FactSet:
        """The facts the rules will see for a case."""
        return self._factset(case, self.parameters_for(case))

    @staticmethod
    def _factset(case: Case, applied: dict[str, Applied]) -> FactSet:
        return build_facts(case, {n: a.value for n, a in applied.items()}, [n for n, a in applied.items() if a.overridden])

    # -- assessing -------------------------------------------------------------

    def assess(self, case: Case, *, explain: bool = True) -> Result:
        """The Result for a case; ``explain=False`` leaves out the rule evaluations (why-not data)."""
        from app.assemble import assemble
        from app.explanations import explain_run
        from engine.memory import input_records

        applied = self.parameters_for(case)
        factset = self._factset(case, applied)
        engine = self.engine
        run = engine.run(input_records(factset))
        explanations = explain_run(engine, run) if explain else None
        return assemble(
            self.rule_base,
            case,
            factset,
            applied,
            run,
            EngineInfo(name=ENGINE_NAME, version=engine_version()),
            explanations,
        )

    # -- the rule base -----------------------------------------------------------

    def rule(self, rule_id: str, location: str = "rule") -> Rule:
        """One rule by id; an unknown id is bad input, with a "did you mean"."""
        try:
            return self.rule_base.rule(rule_id)
        except KeyError:
            raise unknown(location, rule_id, [r.id for r in self.rule_base.rules], "rule") from None

    @property
    def labels(self) -> Labels:
        """The rule base's wording of coded values, by field ("other_debt.debt_type") and code."""
        return self.rule_base.catalog.labels

    def check_path(self, path: str, location: str = "path") -> str:
        return check_name(location, path, list(self.rule_base.catalog.paths), "path")


# ---------------------------------------------------------------------------
# Results kept as JSON


# A result carries its explanations: case A's is about 750 KB. The bound keeps
# `explain --result /dev/zero` from reading forever, well above any real result.
MAX_RESULT_BYTES = 64 * 1024 * 1024


def load_result(source: str | Path) -> Result:
    """A Result from the JSON ``assess --format json`` wrote (``-`` is standard input)."""
    where = "標準入力" if str(source) == "-" else str(source)
    try:
        if str(source) == "-":
            import sys

            raw = sys.stdin.buffer.read(MAX_RESULT_BYTES + 1)
        else:
            with Path(source).open("rb") as stream:
                raw = stream.read(MAX_RESULT_BYTES + 1)
        if len(raw) > MAX_RESULT_BYTES:
            raise InputError(
                [
                    Problem(
                        where,
                        f"ファイルが大きすぎます（判定結果の上限 {MAX_RESULT_BYTES:,} バイト）",
                        f"the file is too large (a result is at most {MAX_RESULT_BYTES:,} bytes)",
                    )
                ]
            )
        data = json.loads(raw.decode("utf-8-sig"), parse_float=Decimal)
    except OSError as exc:
        raise InputError([Problem(str(source), f"読み込めません: {exc.strerror or exc}", f"cannot read: {exc.strerror or exc}")]) from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise InputError([Problem(str(source), f"判定結果の JSON として読めません: {exc}", f"not a result JSON: {exc}")]) from None
    except RecursionError:
        raise InputError([Problem(where, "判定結果の JSON として読めません（入れ子が深すぎます）", "not a result JSON: nested too deeply")]) from None
    if not isinstance(data, dict):
        raise InputError([Problem(where, "判定結果の JSON ではありません", "not a result JSON document")])
    try:
        return Result.from_json(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(p) for p in first["loc"])
        raise InputError(
            [Problem(f"{source}: {loc}", f"判定結果の形式ではありません: {first['msg']}", f"not a zansai result: {first['msg']}")]
        ) from None
