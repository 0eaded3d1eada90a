"""The audit store: records appended to a hash chain, read back, verified, purged.

It deals in plain data only (bytes, JSON-ready dicts, strings): what a case or
a result *means* is the application's business; the store keeps them exactly
and proves they were not changed.

Appending takes one lock (SQLite: ``BEGIN IMMEDIATE``; PostgreSQL: the
``chain_head`` row ``FOR UPDATE``), so two writers never fork or lose the
chain; a record, its rule files and the new chain head go in one transaction,
so a writer killed half-way leaves nothing behind.

What a record is and how it is sealed: ``audit.record``; opening and
migrating: ``audit.opening``; verifying: ``audit.verify``; bundles:
``audit.bundle``.
"""

from __future__ import annotations

import datetime as dt
import json
from contextlib import contextmanager
from typing import Any, Iterator

from sqlalchemy import Connection, Engine, select, update
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from audit.bundle import BUNDLE_FORMAT, make_bundle, verify_bundle
from audit.canonical import canonical_text, sha256_bytes, sha256_text
from audit.errors import Problem, RecordNotFound, StoreError
from audit.location import Location, resolve
from audit.opening import connect, ensure_schema, unreachable, write_connection
from audit.record import (
    HEADER_FIELDS,
    HEADER_FORMAT,
    Finding,
    NewRecord,
    StoredRecord,
    VerifyReport,
    assessment_values,
    header_of,
    now,
    seal,
)
from audit.schema import chain_head, records, rule_files, rulesets
from audit.verify import verify_connection

# names other modules and tests take from here, as before the store was split by job
__all__ = [
    "BUNDLE_FORMAT", "HEADER_FIELDS", "HEADER_FORMAT", "Finding", "NewRecord", "Store", "StoredRecord",
    "VerifyReport", "header_of", "seal", "verify_bundle",
]



class Store:
    """An open audit store. Use ``Store.open(setting)``; close it (or use ``with``)."""

    def __init__(self, location: Location, engine: Engine):
        self.location = location
        self.engine = engine

    # ------------------------------------------------------------------ opening

    @classmethod
    def open(cls, setting: str | None = None, must_exist: bool = False) -> "Store":
        """The store; ``must_exist``: a SQLite file that is not there is an error, not a new empty store
        (a mistyped path made ``audit verify`` report no tampering in 0 records)."""
        location = resolve(setting)
        if must_exist and location.path is not None and not location.path.exists():
            raise StoreError([Problem(
                location.display,
                "監査記録の保存先がありません（パスの誤りか、まだ何も記録していません。記録は assess --record で始まります）",
                "there is no audit store here (a mistyped path, or nothing recorded yet: assess --record starts one)",
            )])
        engine = connect(location)
        store = cls(location, engine)
        try:
            ensure_schema(engine, location)
        except BaseException:
            engine.dispose()
            raise
        return store

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    @property
    def display(self) -> str:
        return self.location.display

    def _unreachable(self, exc: Exception) -> StoreError:
        return unreachable(self.display, exc)

    def _write(self) -> Any:
        return write_connection(self.engine)

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        try:
            with self.engine.connect() as conn:
                with conn.begin():
                    yield conn
        except (DBAPIError, SQLAlchemyError) as exc:
            raise self._unreachable(exc) from None

    # ---------------------------------------------------------------- appending

    def _lock_head(self, conn: Connection) -> tuple[int, str]:
        row = conn.execute(select(chain_head).where(chain_head.c.singleton == 1).with_for_update()).one()
        return row.last_id, row.last_hash

    def _append(self, conn: Connection, values: dict[str, Any]) -> int:
        last_id, last_hash = self._lock_head(conn)
        values = {**values, "id": last_id + 1, "prev_hash": last_hash}
        record_hash = seal(header_of(values))
        conn.execute(records.insert().values(**values, record_hash=record_hash))
        conn.execute(
            update(chain_head).where(chain_head.c.singleton == 1).values(last_id=values["id"], last_hash=record_hash)
        )
        return values["id"]

    def _keep_ruleset(self, conn: Connection, version: str, files: dict[str, bytes]) -> str:
        manifest = {name: sha256_bytes(data) for name, data in files.items()}
        manifest_text = canonical_text(manifest)
        manifest_sha = sha256_text(manifest_text)
        known = conn.execute(select(rulesets.c.manifest_sha256).where(rulesets.c.version == version)).scalar()
        if known is not None:
            if known != manifest_sha:
                raise StoreError(
                    [
                        Problem(
                            version,
                            "同じ版のルールが、保存済みのものと違う内容です（記録しません）",
                            "rule files of this version differ from the ones already stored; not recorded",
                        )
                    ]
                )
            return manifest_sha
        have = set(conn.execute(select(rule_files.c.sha256).where(rule_files.c.sha256.in_(set(manifest.values())))).scalars())
        new = {digest: files[name] for name, digest in manifest.items() if digest not in have}
        if new:
            conn.execute(rule_files.insert(), [{"sha256": d, "content": data} for d, data in sorted(new.items())])
        conn.execute(rulesets.insert().values(version=version, manifest=manifest_text, manifest_sha256=manifest_sha))
        return manifest_sha

    def record(self, new: NewRecord) -> int:
        """Append one assessment; return its record id."""
        return self.record_many([new])[0]

    def record_many(self, news: list[NewRecord]) -> list[int]:
        """Append several assessments in one transaction (a batch's chunk); return their ids, in order.

        All or none: a failure leaves none of them in the store.
        """
        for new in news:
            if not new.rule_files:
                raise ValueError("a record needs the rule files of its version")
        if not news:
            return []
        try:
            with self._write() as conn:
                self._lock_head(conn)  # before anything is written: rule files too are shared
                manifests: dict[str, str] = {}
                ids = []
                for new in news:
                    if new.ruleset_version not in manifests:
                        manifests[new.ruleset_version] = self._keep_ruleset(conn, new.ruleset_version, new.rule_files)
                    ids.append(self._append(conn, assessment_values(new, manifests[new.ruleset_version])))
                return ids
        except (DBAPIError, SQLAlchemyError) as exc:
            raise self._unreachable(exc) from None

    def purge(self, case_id: str, advisor: str | None = None, note: str | None = None) -> tuple[int, list[int]]:
        """Erase a client's data from every record of the case; the purge is itself a record.

        Returns (purge record id, purged record ids). The hashes stay, so the
        chain still verifies, and verify checks that only purged records lost data.
        """
        digest = sha256_text(case_id)
        try:
            with self._write() as conn:
                # The records are chosen under the lock, as the purge record is written: chosen
                # before it, two purges of one case at once both erased the same records on
                # PostgreSQL (its READ COMMITTED showed each the other's targets still unpurged).
                self._lock_head(conn)
                targets = list(
                    conn.execute(
                        select(records.c.id)
                        .where(records.c.case_id_sha256 == digest)
                        .where(records.c.kind == "assessment")
                        .where(records.c.purged_by.is_(None))
                        .order_by(records.c.id)
                    ).scalars()
                )
                if not targets:
                    raise RecordNotFound(
                        [
                            Problem(
                                "--case",
                                f"事案 {case_id} の（未消去の）記録はありません",
                                f"no (unpurged) record of case {case_id}",
                            )
                        ]
                    )
                purge_id = self._append(
                    conn,
                    {
                        "kind": "purge",
                        "recorded_at": now(),
                        "advisor": advisor,
                        "case_id_sha256": digest,
                        "note": note,
                        "note_sha256": None if note is None else sha256_text(note),
                        "purges": canonical_text(targets),
                    },
                )
                conn.execute(
                    update(records)
                    .where(records.c.id.in_(targets))
                    .values(case_id=None, case_bytes=None, case_json=None, result_json=None, reports_json=None, note=None,
                            purged_by=purge_id)
                )
                return purge_id, targets
        except (DBAPIError, SQLAlchemyError) as exc:
            raise self._unreachable(exc) from None

    # ------------------------------------------------------------------ reading

    def _stored(self, row: Any) -> StoredRecord:
        return StoredRecord(
            id=row.id,
            kind=row.kind,
            recorded_at=row.recorded_at,
            advisor=row.advisor,
            case_id=row.case_id,
            case_bytes=None if row.case_bytes is None else bytes(row.case_bytes),
            case=None if row.case_json is None else json.loads(row.case_json),
            result=None if row.result_json is None else json.loads(row.result_json),
            result_text=row.result_json,
            reports=None if row.reports_json is None else json.loads(row.reports_json),
            note=row.note,
            ruleset_version=row.ruleset_version,
            engine_name=row.engine_name,
            engine_version=row.engine_version,
            zansai_version=row.zansai_version,
            as_of=row.as_of,
            rank1=row.rank1,
            purges=json.loads(row.purges) if row.purges else [],
            purged_by=row.purged_by,
            record_hash=row.record_hash,
            header=header_of(row._mapping),
        )

    def get(self, record_id: int) -> StoredRecord:
        # ids are 64-bit integers in both databases: a larger number is no record, not an overflow
        # inside the driver (which reached the user as an internal error)
        row = None
        if 0 < record_id < 2**63:
            with self._read() as conn:
                row = conn.execute(select(records).where(records.c.id == record_id)).one_or_none()
        if row is None:
            raise RecordNotFound(
                [Problem(str(record_id), f"記録 {record_id} はありません", f"no record {record_id} in {self.display}")]
            )
        return self._stored(row)

    def list(
        self,
        case_id: str | None = None,
        advisor: str | None = None,
        since: dt.date | None = None,
        until: dt.date | None = None,
        rank1: str | None = None,
    ) -> list[dict[str, Any]]:
        """Assessment records, oldest first, filtered; dates are UTC days, both ends included."""
        query = select(records).where(records.c.kind == "assessment").order_by(records.c.id)
        if case_id is not None:
            query = query.where(records.c.case_id_sha256 == sha256_text(case_id))
        if advisor is not None:
            query = query.where(records.c.advisor == advisor)
        if since is not None:
            query = query.where(records.c.recorded_at >= since.isoformat())
        if until is not None:
            query = query.where(records.c.recorded_at < (until + dt.timedelta(days=1)).isoformat())
        if rank1 is not None:
            query = query.where(records.c.rank1 == rank1)
        with self._read() as conn:
            rows = conn.execute(query).all()
        return [
            {
                "id": r.id,
                "case_id": r.case_id,
                "advisor": r.advisor,
                "recorded_at": r.recorded_at,
                "ruleset_version": r.ruleset_version,
                "rank1": r.rank1,
                "purged": r.purged_by is not None,
            }
            for r in rows
        ]

    def assessment_ids(self) -> list[int]:
        with self._read() as conn:
            return list(
                conn.execute(
                    select(records.c.id)
                    .where(records.c.kind == "assessment")
                    .where(records.c.purged_by.is_(None))
                    .order_by(records.c.id)
                ).scalars()
            )

    def ruleset_files(self, version: str) -> dict[str, bytes]:
        """The rule files of a stored version, each checked against its hash."""
        with self._read() as conn:
            manifest_text = conn.execute(select(rulesets.c.manifest).where(rulesets.c.version == version)).scalar()
            if manifest_text is None:
                raise RecordNotFound(
                    [Problem(version, "この版のルールは保存されていません", "no rule files of this version are stored")]
                )
            manifest: dict[str, str] = json.loads(manifest_text)
            rows = dict(
                conn.execute(select(rule_files.c.sha256, rule_files.c.content).where(rule_files.c.sha256.in_(set(manifest.values())))).all()
            )
        files: dict[str, bytes] = {}
        for name, digest in sorted(manifest.items()):
            data = rows.get(digest)
            if data is None or sha256_bytes(bytes(data)) != digest:
                raise StoreError(
                    [
                        Problem(
                            f"{version[:12]}/{name}",
                            "保存されたルールファイルが失われたか改変されています（zansai audit verify で確認してください）",
                            "a stored rule file is missing or altered (run zansai audit verify)",
                        )
                    ]
                )
            files[name] = bytes(data)
        return files

    # ---------------------------------------------------------------- verifying

    def verify(self) -> VerifyReport:
        """Re-hash everything; name every altered, inserted or removed record."""
        try:
            with self.engine.connect() as conn:
                if self.location.backend == "postgresql":
                    # One snapshot for the whole check. Under PostgreSQL's default READ COMMITTED
                    # each statement sees what was committed before it, so a record committed
                    # between reading the records and reading the chain head was reported as
                    # the newest record removed (SQLite's BEGIN in WAL mode is a snapshot already).
                    # SQLAlchemy restores the level when the connection goes back to the pool.
                    conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
                with conn.begin():
                    return verify_connection(conn, self.location.backend)
        except (DBAPIError, SQLAlchemyError) as exc:
            detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
            report = VerifyReport()
            report.findings.append(
                Finding(None, f"データベースが読めません（壊れているか改変されています）: {detail}",
                        f"the database cannot be read (damaged or altered): {detail}")
            )
            return report

    # ---------------------------------------------------------------- bundles

    def export(self, record_id: int) -> dict[str, Any]:
        """A self-contained bundle of one record: case, result, rule files, hashes."""
        rec = self.get(record_id)
        if rec.kind != "assessment":
            raise RecordNotFound(
                [Problem(str(record_id), f"記録 {record_id} は判定の記録ではありません", f"record {record_id} is not an assessment")]
            )
        if rec.purged or rec.case_bytes is None or rec.result is None or rec.case is None:
            raise RecordNotFound(
                [
                    Problem(
                        str(record_id),
                        f"記録 {record_id} の事案データは消去済みです（記録 {rec.purged_by}）",
                        f"record {record_id} was purged (by record {rec.purged_by}); there is nothing to export",
                    )
                ]
            )
        assert rec.ruleset_version is not None
        files = self.ruleset_files(rec.ruleset_version)
        return make_bundle(rec, files, self.display if self.location.backend == "sqlite" else "postgresql")
