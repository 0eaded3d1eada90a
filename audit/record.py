"""What a record is: the fields handed over and read back, its sealed header, the seal.

A record's header (ids, hashes, versions, dates, advisor, the previous
record's hash) is what its ``record_hash`` is computed over; the payload
(the case, the result, the reports, the note) is sealed through its SHA-256
in the header, so a purge can erase it and the chain still checks.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from audit.canonical import document_text, sha256_bytes, sha256_json, sha256_text

# Header format 1: what every record was sealed over before zansai kept the
# reports it printed; 2 adds ``reports_sha256``. A record with a stored report
# is sealed as 2, one without (a batch record, a purge, an older record) as 1,
# so older records keep verifying and a report cannot be dropped unseen (the
# header would no longer be the one that was sealed).
HEADER_FORMAT = 2

# The sealed header of a record: everything hashed into record_hash.
HEADER_FIELDS = (
    "id",
    "kind",
    "recorded_at",
    "advisor",
    "case_id_sha256",
    "case_sha256",
    "case_json_sha256",
    "result_sha256",
    "note_sha256",
    "ruleset_version",
    "ruleset_manifest_sha256",
    "engine_name",
    "engine_version",
    "zansai_version",
    "as_of",
    "rank1",
    "purges",
    "prev_hash",
)
REPORT_FIELDS = ("reports_sha256",)


def header_fields(header_format: int) -> tuple[str, ...]:
    return HEADER_FIELDS + (REPORT_FIELDS if header_format >= 2 else ())


def header_of(row: Any) -> dict[str, Any]:
    header_format = 1 if row.get("reports_sha256") is None else HEADER_FORMAT
    return {"format": header_format, **{name: row.get(name) for name in header_fields(header_format)}}


def seal(header: dict[str, Any]) -> str:
    return sha256_json(header)


@dataclass(frozen=True)
class NewRecord:
    """What the application hands over to record one assessment."""

    case_id: str
    case_bytes: bytes  # the case file exactly as given
    case: dict[str, Any]  # the validated case, JSON-ready
    result: dict[str, Any]  # the full result, JSON-ready (trace and explanations as data)
    ruleset_version: str
    rule_files: dict[str, bytes]  # file name -> bytes, of that version
    engine_name: str
    engine_version: str
    zansai_version: str
    as_of: str  # ISO date
    rank1: str | None = None
    advisor: str | None = None
    note: str | None = None
    # the reports printed when it was recorded, exactly: [{"lang", "format", "audience", "text"}]
    reports: list[dict[str, Any]] | None = None


@dataclass(frozen=True)
class StoredRecord:
    id: int
    kind: str
    recorded_at: str
    advisor: str | None
    case_id: str | None
    case_bytes: bytes | None
    case: dict[str, Any] | None
    result: dict[str, Any] | None
    result_text: str | None  # the result document exactly as stored (parse it with your own number type)
    reports: list[dict[str, Any]] | None  # the reports printed when it was recorded; None: none kept (or purged)
    note: str | None
    ruleset_version: str | None
    engine_name: str | None
    engine_version: str | None
    zansai_version: str | None
    as_of: str | None
    rank1: str | None
    purges: list[int]
    purged_by: int | None
    record_hash: str
    header: dict[str, Any]

    @property
    def purged(self) -> bool:
        return self.purged_by is not None


@dataclass(frozen=True)
class Finding:
    """One thing verify found wrong; ``record`` is the id it is about (None: the file itself)."""

    record: int | None
    ja: str
    en: str

    def text(self, lang: str) -> str:
        return self.ja if lang == "ja" else self.en


@dataclass
class VerifyReport:
    records: int = 0
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings

    @property
    def first(self) -> Finding | None:
        about = [f for f in self.findings if f.record is not None]
        unnamed = [f for f in self.findings if f.record is None]
        return unnamed[0] if unnamed else (min(about, key=lambda f: f.record) if about else None)  # type: ignore[arg-type, return-value]


def now() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def assessment_values(new: NewRecord, manifest_sha: str) -> dict[str, Any]:
    case_json = document_text(new.case)
    result_json = document_text(new.result)
    reports_json = None if new.reports is None else document_text(new.reports)
    return {
        "kind": "assessment",
        "recorded_at": now(),
        "advisor": new.advisor,
        "case_id": new.case_id,
        "case_id_sha256": sha256_text(new.case_id),
        "case_bytes": new.case_bytes,
        "case_sha256": sha256_bytes(new.case_bytes),
        "case_json": case_json,
        "case_json_sha256": sha256_text(case_json),
        "result_json": result_json,
        "result_sha256": sha256_text(result_json),
        "reports_json": reports_json,
        "reports_sha256": None if reports_json is None else sha256_text(reports_json),
        "note": new.note,
        "note_sha256": None if new.note is None else sha256_text(new.note),
        "ruleset_version": new.ruleset_version,
        "ruleset_manifest_sha256": manifest_sha,
        "engine_name": new.engine_name,
        "engine_version": new.engine_version,
        "zansai_version": new.zansai_version,
        "as_of": new.as_of,
        "rank1": new.rank1,
        "purges": None,
    }
