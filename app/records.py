"""The audit trail seen from the desk: record an assessment, read it back, replay it.

The store (``audit/``) keeps plain data; this module is where a case and a
Result become that data and come back: the Result as its JSON document (both
languages, trace and explanations), the case as its bytes and as the validated
model, the rule base as its files.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable

from app.desk import ENGINE_NAME, Desk, engine_version, zansai_version
from app.diff import DecisionDiff, comparable, decision_diff
from app.result import Result
from audit import Finding, NewRecord, Store, StoredRecord, verify_bundle
from audit.canonical import document_text
from audit.errors import BundleError, RecordNotFound
from facts.case import Case
from facts.errors import InputError, Problem, ZansaiError
from facts.load import MAX_CASE_BYTES, read_case_bytes
from knowledge.load import content_version, load_rule_base_from_files
from knowledge.model import RuleBase


def open_store(setting: str | None = None, must_exist: bool = False) -> Store:
    """The store from ``--db`` / ``ZANSAI_DB`` / the user's data directory (``Store.open``)."""
    return Store.open(setting, must_exist=must_exist)


def rank1(result: Result) -> str | None:
    ranked = sorted(result.recommendations, key=lambda r: r.rank)
    return ranked[0].path if ranked else None


# The reports printed for an assessment, each exactly as written out:
# [{"lang": "ja", "format": "text", "audience": "advisor", "text": "…"}].
# The front end that prints them makes them (the desk does not render).
Reports = list[dict[str, Any]]


def version_fields(rule_base: RuleBase) -> dict[str, Any]:
    """What every record made with one rule base shares: its version and files, the engine, zansai."""
    # the bytes the rule base was loaded from: the same version whatever its folder holds now
    return {
        "ruleset_version": rule_base.version,
        "rule_files": dict(rule_base.sources),
        "engine_name": ENGINE_NAME,
        "engine_version": engine_version(),
        "zansai_version": zansai_version(),
    }


def assessment_fields(data: bytes, case: Case, result: Result, reports: Reports | None = None) -> dict[str, Any]:
    """What one record holds of its case: the case as given and as read, the Result, the reports printed.

    Made where the case was assessed (a batch worker too): it is all plain,
    picklable data; the rule files join it once per version (``new_record``).
    """
    return {
        "case_id": result.case_id,
        "case_bytes": data,
        "case": case.model_dump(mode="json"),
        # one language for every record, whichever was printed: replay compares against this document
        "result": result.to_json("ja"),
        "as_of": result.as_of.isoformat(),
        "rank1": rank1(result),
        "reports": reports,
    }


def new_record(
    assessment: dict[str, Any], version: dict[str, Any], *, advisor: str | None = None, note: str | None = None
) -> NewRecord:
    """The record the store seals, from its two halves (``assessment_fields``, ``version_fields``)."""
    return NewRecord(**assessment, **version, advisor=advisor, note=note)


def record_assessment(
    store: Store,
    desk: Desk,
    source: str | Path,
    *,
    advisor: str | None = None,
    note: str | None = None,
    max_bytes: int = MAX_CASE_BYTES,
    reports: Callable[[Result], Reports] | None = None,
) -> tuple[int, Result]:
    """Assess a case file (``-``: standard input) and record it; return the record id and the Result.

    ``reports`` renders the Result as it will be printed; what it returns is
    kept with the record, sealed, and is what ``audit show`` prints later.
    Nothing is recorded unless the case is valid and the assessment succeeds.
    """
    data = read_case_bytes(source, max_bytes=max_bytes)
    case = desk.parse_case(data, "<stdin>" if str(source) == "-" else str(source))
    result = desk.assess(case)
    shown = reports(result) if reports is not None else None
    record = new_record(assessment_fields(data, case, result, shown), version_fields(desk.rule_base), advisor=advisor, note=note)
    return store.record(record), result


def _assessment(store: Store, record_id: int) -> StoredRecord:
    rec = store.get(record_id)
    if rec.kind != "assessment":
        raise RecordNotFound(
            [Problem(str(record_id), f"記録 {record_id} は判定の記録ではありません（消去の記録です）",
                     f"record {record_id} is not an assessment (it records a purge)")]
        )
    if rec.purged or rec.result is None or rec.case_bytes is None:
        raise RecordNotFound(
            [Problem(str(record_id), f"記録 {record_id} の事案データは消去済みです（記録 {rec.purged_by}）",
                     f"the data of record {record_id} were purged (by record {rec.purged_by})")]
        )
    return rec


def stored_result(store: Store, record_id: int) -> Result:
    """The Result exactly as it was given, from the store (no rule base, no engine)."""
    rec = _assessment(store, record_id)
    # numbers back as Decimals, as Result.from_json expects: no float rounding on the way
    assert rec.result_text is not None
    return Result.from_json(json.loads(rec.result_text, parse_float=Decimal))


def recorded_report(store: Store, record_id: int, lang: str, fmt: str, audience: str) -> str | None:
    """The report exactly as it was printed in this language and form, if the record kept one.

    None for a record that kept none: made by a batch (which prints rows, not
    reports) or before zansai kept them, or asked for in a form not printed.
    """
    rec = _assessment(store, record_id)
    for report in rec.reports or []:
        if (report.get("lang"), report.get("format")) == (lang, fmt) and (
            fmt == "json" or report.get("audience") == audience
        ):
            return str(report["text"])
    return None


def recorded_rule_base(store: Store, version: str) -> RuleBase:
    return load_rule_base_from_files(store.ruleset_files(version), origin=f"<recorded {version[:12]}>")


@dataclass
class Replay:
    record: StoredRecord
    recorded: Result
    replayed: Result
    diff: DecisionDiff
    identical: bool  # the replayed result document equals the recorded one (apart from the rules' origin)

    def to_json(self) -> dict[str, Any]:
        return {
            "record": self.record.id,
            "case_id": self.record.case_id,
            "recorded_version": self.recorded.ruleset.version,
            "replayed_version": self.replayed.ruleset.version,
            "identical": self.identical,
            **self.diff.to_json(),
        }


class Versions:
    """Recorded rule bases (and desks on them) loaded once while replaying many records.

    A version that cannot be loaded fails the same way for every record made
    with it, without being read again.
    """

    def __init__(self, store: Store):
        self.store = store
        self.rule_bases: dict[str, RuleBase] = {}
        self.broken: dict[str, ZansaiError] = {}
        self.desks: dict[str, Desk] = {}

    def rule_base(self, version: str) -> RuleBase:
        if version in self.broken:
            raise self.broken[version]
        if version not in self.rule_bases:
            try:
                self.rule_bases[version] = recorded_rule_base(self.store, version)
            except ZansaiError as error:
                self.broken[version] = error
                raise
        return self.rule_bases[version]

    def desk(self, version: str) -> Desk:
        if version not in self.desks:
            self.desks[version] = Desk(rule_base=self.rule_base(version))
        return self.desks[version]

    def close(self) -> None:
        for desk in self.desks.values():
            desk.close()
        self.desks.clear()


def _recorded_case(desk: Desk, rec: StoredRecord) -> Case:
    """The recorded case, read again from its bytes as given.

    A batch row from a CSV file or a sheet was given as a header and a row, not
    as a case file: it is read from the validated case kept beside it instead.
    """
    assert rec.case_bytes is not None
    try:
        return desk.parse_case(rec.case_bytes, f"record {rec.id}")
    except InputError:
        if rec.case is None:
            raise
        try:
            return desk.parse_case(document_text(rec.case).encode("utf-8"), f"record {rec.id}")
        except InputError:
            pass
        raise


def replay(store: Store, record_id: int, desk: Desk | None = None, *, versions: Versions | None = None) -> Replay:
    """Re-assess a recorded case under ``desk``'s rules (default: the recorded version) and compare.

    The case is read again from the bytes it was given as, so a replay meets
    the same input the advisor gave.
    """
    rec = _assessment(store, record_id)
    recorded = stored_result(store, record_id)
    assert rec.ruleset_version is not None and rec.case_bytes is not None
    own = versions is None
    versions = versions or Versions(store)
    try:
        old_rb = versions.rule_base(rec.ruleset_version)
        runner = desk or versions.desk(rec.ruleset_version)
        case = _recorded_case(runner, rec)
        if rec.as_of and case.as_of.isoformat() != rec.as_of:
            # a case without as_of means "today": the day it was recorded, not the day it is replayed
            case = case.model_copy(update={"as_of": dt.date.fromisoformat(rec.as_of)})
        # a record made without explanations (a batch, unless asked) is replayed without them: like with like
        replayed = runner.assess(case, explain=recorded.explanations is not None)
    finally:
        if own:
            versions.close()
    identical = document_text(comparable(replayed.to_json("ja"))) == document_text(comparable(rec.result or {}))
    diff = decision_diff(recorded, replayed, old_rb, runner.rule_base)
    return Replay(rec, recorded, replayed, diff, identical)


@dataclass(frozen=True)
class Unreplayable:
    """A record ``replay --all`` could not replay, and why (in both languages)."""

    record: int
    case_id: str | None
    problems: list[Problem]

    def to_json(self) -> dict[str, Any]:
        return {
            "record": self.record,
            "case_id": self.case_id,
            "errors": [{"field": p.location, "ja": p.ja, "en": p.en} for p in self.problems],
        }


@dataclass
class ReplayAll:
    """Every record replayed that could be, and every one that could not."""

    replays: list[Replay]
    failures: list[Unreplayable]

    @property
    def ok(self) -> bool:
        return not self.failures

    @property
    def changed(self) -> int:
        """How many replayed records' decisions differ from what was recorded."""
        return sum(1 for rp in self.replays if rp.diff.counts())


def replay_all(store: Store, desk: Desk | None = None) -> ReplayAll:
    """Every unpurged assessment replayed (under ``desk``'s rules, or each under its recorded version).

    One record that cannot be replayed (its rule files altered, its case no
    longer valid under the new rules, an engine failure) is named with the
    reason and the rest are replayed all the same: a release check must see
    every record, not stop at the first.
    """
    versions = Versions(store)
    done = ReplayAll([], [])
    try:
        for record_id in store.assessment_ids():
            try:
                done.replays.append(replay(store, record_id, desk, versions=versions))
            except ZansaiError as error:
                done.failures.append(Unreplayable(record_id, _case_id(store, record_id), error.problems))
            except Exception as error:  # a defect in zansai: named with this record, the others still replayed
                problem = Problem(str(record_id), f"内部エラー: {type(error).__name__}: {error}",
                                  f"internal error: {type(error).__name__}: {error}")
                done.failures.append(Unreplayable(record_id, _case_id(store, record_id), [problem]))
        return done
    finally:
        versions.close()


def _case_id(store: Store, record_id: int) -> str | None:
    try:
        return store.get(record_id).case_id
    except ZansaiError:
        return None


def verify_bundle_file(path: str | Path) -> tuple[dict[str, Any], list[Finding]]:
    """Read and check an exported bundle: every hash, and that its rule files are the version it names."""
    try:
        bundle = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise BundleError([Problem(str(path), f"読み込めません: {exc.strerror or exc}", f"cannot read: {exc.strerror or exc}")]) from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise BundleError([Problem(str(path), f"JSON として読めません: {exc}", f"not JSON: {exc}")]) from None
    findings, files = verify_bundle(bundle)
    if not findings and content_version(files) != bundle["record"]["ruleset_version"]:
        findings.append(
            Finding(None, "ルールファイルの内容が記録された版と一致しません", "the rule files do not hash to the recorded rule-set version")
        )
    return (bundle if isinstance(bundle, dict) else {}), findings
