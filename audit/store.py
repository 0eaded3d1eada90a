"""The audit store: records appended to a hash chain, read back, verified, purged.

It deals in plain data only (bytes, JSON-ready dicts, strings): what a case or
a result *means* is the application's business; the store keeps them exactly
and proves they were not changed.

Appending takes one lock (SQLite: ``BEGIN IMMEDIATE``; PostgreSQL: the
``chain_head`` row ``FOR UPDATE``), so two writers never fork or lose the
chain; a record, its rule files and the new chain head go in one transaction,
so a writer killed half-way leaves nothing behind.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import Connection, Engine, create_engine, event, inspect, select, text, update
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from audit.canonical import GENESIS, canonical_text, document_text, sha256_bytes, sha256_json, sha256_text
from audit.errors import Problem, RecordNotFound, StoreError
from audit.location import Location, default_data_dir, prepare_sqlite_file, resolve
from audit.schema import STORE_KIND, VERSION_TABLE, chain_head, records, rule_files, rulesets, store_info

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# Header format 1: what every record was sealed over before zansai kept the
# reports it printed; 2 adds ``reports_sha256``. A record with a stored report
# is sealed as 2, one without (a batch record, a purge, an older record) as 1,
# so older records keep verifying and a report cannot be dropped unseen (the
# header would no longer be the one that was sealed).
HEADER_FORMAT = 2
BUNDLE_FORMAT = "zansai-audit-bundle"
BUNDLE_VERSION = 1
PG_INIT_LOCK = 0x7A616E736169  # "zansai": serialises creating/migrating the schema

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


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def _sqlite_engine(url: str) -> Engine:
    engine = create_engine(url, connect_args={"timeout": 60})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # zansai issues BEGIN itself (below), so a writer can take the lock up front
        dbapi_conn.isolation_level = None
        dbapi_conn.text_factory = lambda b: b.decode("utf-8", "surrogateescape")
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA busy_timeout = 60000")
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = FULL")  # a recorded assessment survives a power cut
        cur.execute("PRAGMA foreign_keys = ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # a deferred BEGIN would let two writers read the same chain head and
        # then fail on upgrading their lock; IMMEDIATE makes the second one wait
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("zansai_write") else "BEGIN")

    return engine


def _assessment_values(new: NewRecord, manifest_sha: str) -> dict[str, Any]:
    case_json = document_text(new.case)
    result_json = document_text(new.result)
    reports_json = None if new.reports is None else document_text(new.reports)
    return {
        "kind": "assessment",
        "recorded_at": _now(),
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


class Store:
    """An open audit store. Use ``Store.open(setting)``; close it (or use ``with``)."""

    def __init__(self, location: Location, engine: Engine):
        self.location = location
        self.engine = engine

    # ------------------------------------------------------------------ opening

    @classmethod
    def open(cls, setting: str | None = None) -> "Store":
        location = resolve(setting)
        if location.backend == "sqlite":
            assert location.path is not None
            prepare_sqlite_file(location.path, default_dir=location.path.parent == default_data_dir())
            engine = _sqlite_engine(location.url)
        else:
            engine = create_engine(location.url)
        store = cls(location, engine)
        try:
            store._ensure_schema()
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
        detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return StoreError(
            [Problem(self.display, f"監査記録を開けません: {detail}", f"cannot use the audit store: {detail}")]
        )

    def _state(self, conn: Connection) -> tuple[str, str | None]:
        """("empty" | "foreign" | "zansai", schema revision)."""
        tables = set(inspect(conn).get_table_names())
        if not tables:
            return "empty", None
        if "store_info" not in tables or VERSION_TABLE not in tables:
            return "foreign", None
        kind = conn.execute(select(store_info.c.value).where(store_info.c.key == "kind")).scalar()
        if kind != STORE_KIND:
            return "foreign", None
        revision = MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE}).get_current_revision()
        return "zansai", revision

    def _refuse_foreign(self) -> StoreError:
        return StoreError(
            [
                Problem(
                    self.display,
                    "zansai の監査記録ではない既存のデータベースです。上書きしません（別のファイルか URL を指定してください）",
                    "an existing database that is not a zansai audit store; it will not be overwritten "
                    "(give another file or URL)",
                )
            ]
        )

    def _check_revision(self, script: ScriptDirectory, revision: str | None) -> None:
        if revision is None:
            return
        try:
            script.get_revision(revision)
        except CommandError:
            head = script.get_current_head()
            raise StoreError(
                [
                    Problem(
                        self.display,
                        f"この監査記録のスキーマ（{revision}）は、この zansai が知る版（{head}）より新しいものです。"
                        "zansai を更新してから開いてください",
                        f"this audit store has schema {revision}, newer than this zansai knows ({head}); "
                        "upgrade zansai to open it",
                    )
                ]
            ) from None

    def _ensure_schema(self) -> None:
        cfg = _alembic_config()
        script = ScriptDirectory.from_config(cfg)
        head = script.get_current_head()
        try:
            with self.engine.connect() as conn:
                state, revision = self._state(conn)
                conn.rollback()
            if state == "foreign":
                raise self._refuse_foreign()
            self._check_revision(script, revision)
            if state == "zansai" and revision == head:
                return
            with self._write() as conn:
                if self.location.backend == "postgresql":
                    conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": PG_INIT_LOCK})
                state, revision = self._state(conn)  # again, now that nobody else can change it
                if state == "foreign":
                    raise self._refuse_foreign()
                self._check_revision(script, revision)
                if state == "zansai" and revision == head:
                    return
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
                if state == "empty":
                    conn.execute(
                        store_info.insert(),
                        [{"key": "kind", "value": STORE_KIND}, {"key": "created_at", "value": _now()}],
                    )
                    conn.execute(chain_head.insert().values(singleton=1, last_id=0, last_hash=GENESIS))
        except (DBAPIError, SQLAlchemyError) as exc:
            raise self._unreachable(exc) from None

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            conn.execution_options(zansai_write=True)
            with conn.begin():
                yield conn

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
                    ids.append(self._append(conn, _assessment_values(new, manifests[new.ruleset_version])))
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
                        "recorded_at": _now(),
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
        report = VerifyReport()
        try:
            with self.engine.connect() as conn:
                with conn.begin():
                    self._verify(conn, report)
        except (DBAPIError, SQLAlchemyError) as exc:
            detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
            report.findings.append(
                Finding(None, f"データベースが読めません（壊れているか改変されています）: {detail}",
                        f"the database cannot be read (damaged or altered): {detail}")
            )
        return report

    def _sqlite_integrity(self, conn: Connection, add: Any) -> None:
        """The file's own structure: integrity_check (not quick_check) also compares every index
        with its table, so a byte edited in an index copy of a record is caught and named too."""
        problems = [r[0] for r in conn.exec_driver_sql("PRAGMA integrity_check").all()]
        if problems == ["ok"]:
            return
        index_table = dict(conn.exec_driver_sql("SELECT name, tbl_name FROM sqlite_master WHERE type = 'index'").all())
        named = False
        for message in problems:
            m = re.match(r"row (\d+) missing from index (\S+)", message)
            if m and index_table.get(m.group(2)) == "records":  # records.id is the rowid
                rid = int(m.group(1))
                add(Finding(rid, f"記録 {rid} が改変されています（索引の写しと一致しません）",
                            f"record {rid} altered (it no longer matches its index entry)"))
                named = True
        if not named:
            add(Finding(None, "SQLite ファイルが壊れているか改変されています: " + "; ".join(problems[:3]),
                        "the SQLite file is damaged or altered: " + "; ".join(problems[:3])))

    def _verify(self, conn: Connection, report: VerifyReport) -> None:
        add = report.findings.append

        bad_rulesets: dict[str, str] = {}
        manifests: dict[str, str] = {}
        stored_files = {d: bytes(c) for d, c in conn.execute(select(rule_files.c.sha256, rule_files.c.content)).all()}
        for version, manifest_text, manifest_sha in conn.execute(select(rulesets)).all():
            manifests[version] = manifest_sha
            if sha256_text(manifest_text) != manifest_sha:
                bad_rulesets[version] = "manifest"
                continue
            try:
                manifest = json.loads(manifest_text)
            except ValueError:
                bad_rulesets[version] = "manifest"
                continue
            for name, digest in manifest.items():
                data = stored_files.get(digest)
                if data is None or sha256_bytes(data) != digest:
                    bad_rulesets[version] = name
                    break

        expected, prev = 1, GENESIS
        purged_by: dict[int, int] = {}
        stripped: set[int] = set()
        purge_lists: dict[int, list[int]] = {}
        for row in conn.execution_options(yield_per=200).execute(select(records).order_by(records.c.id)):
            rid = row.id
            report.records += 1
            if rid > expected:
                gap = f"{expected}" if rid == expected + 1 else f"{expected}〜{rid - 1}"
                add(Finding(expected, f"記録 {gap} が削除されています", f"record {gap.replace('〜', '-')} removed"))
            if seal(header_of(row._mapping)) != row.record_hash:
                add(Finding(rid, f"記録 {rid} が改変されています（内容が封印のハッシュと一致しません）",
                            f"record {rid} altered (its content no longer matches its seal)"))
            elif rid == expected and row.prev_hash != prev:
                add(Finding(rid, f"記録 {rid} が直前の記録につながりません（記録の挿入か差し替えがあります）",
                            f"record {rid} does not follow the record before it (a record was inserted or replaced)"))
            expected, prev = rid + 1, row.record_hash

            for column, digest_column, label_ja, label_en in (
                ("case_id", "case_id_sha256", "事案ID", "case id"),
                ("case_bytes", "case_sha256", "入力された事案", "case as given"),
                ("case_json", "case_json_sha256", "検証済みの事案", "validated case"),
                ("result_json", "result_sha256", "判定結果", "result"),
                ("reports_json", "reports_sha256", "表示した報告", "report as shown"),
                ("note", "note_sha256", "メモ", "note"),
            ):
                value, digest = row._mapping[column], row._mapping[digest_column]
                if value is None:
                    if digest is not None and row.kind == "assessment":
                        stripped.add(rid)
                    continue
                actual = sha256_bytes(bytes(value)) if column == "case_bytes" else sha256_text(value)
                if actual != digest:
                    add(Finding(rid, f"記録 {rid} が改変されています（{label_ja}がハッシュと一致しません）",
                                f"record {rid} altered (its {label_en} no longer matches its hash)"))

            if row.kind == "assessment":
                if row.purged_by is not None:
                    purged_by[rid] = row.purged_by
                version = row.ruleset_version
                if version not in manifests or manifests[version] != row.ruleset_manifest_sha256:
                    add(Finding(rid, f"記録 {rid} のルールの版 {str(version)[:12]} が保存内容と一致しません",
                                f"record {rid}: the rule files of version {str(version)[:12]} are missing or altered"))
                elif version in bad_rulesets:
                    add(Finding(rid, f"記録 {rid} のルールファイル {bad_rulesets[version]} が改変されています",
                                f"record {rid}: its rule file {bad_rulesets[version]} is missing or altered"))
            elif row.kind == "purge":
                try:
                    purge_lists[rid] = [int(x) for x in json.loads(row.purges or "[]")]
                except (ValueError, TypeError):
                    purge_lists[rid] = []
            else:
                add(Finding(rid, f"記録 {rid} の種類 {row.kind} は不明です", f"record {rid} has an unknown kind {row.kind}"))

        head = conn.execute(select(chain_head).where(chain_head.c.singleton == 1)).one_or_none()
        last = expected - 1
        if head is None:
            add(Finding(None, "記録の末尾の印（chain_head）がありません", "the chain head is missing"))
        elif head.last_id > last:
            gap = f"{last + 1}" if head.last_id == last + 1 else f"{last + 1}〜{head.last_id}"
            add(Finding(last + 1, f"最新の記録 {gap} が削除されています", f"newest record {gap.replace('〜', '-')} removed"))
        elif head.last_id < last:
            add(Finding(head.last_id + 1, f"記録 {head.last_id + 1} 以降は zansai の外で追加されています",
                        f"record {head.last_id + 1} and after were inserted outside zansai"))
        elif head.last_hash != prev:
            add(Finding(last, f"記録 {last} が差し替えられています（末尾の印と一致しません）",
                        f"record {last} was replaced (it does not match the chain head)"))

        listed = {target: pid for pid, targets in purge_lists.items() for target in targets}
        for rid in sorted(stripped | set(purged_by)):
            pid = purged_by.get(rid)
            if pid is None or listed.get(rid) != pid or pid <= rid:
                add(Finding(rid, f"記録 {rid} のデータが消去の記録なしに削除されています",
                            f"record {rid}: data removed without a purge record"))
        for target, pid in sorted(listed.items()):
            if target not in purged_by and target not in stripped:
                add(Finding(target, f"記録 {target} は消去の記録 {pid} にあるのにデータが残っています",
                            f"record {target} is listed by purge record {pid} but still holds its data"))
        if self.location.backend == "sqlite":
            self._sqlite_integrity(conn, add)
        report.findings.sort(key=lambda f: (f.record is not None, f.record or 0))  # stable: content findings first

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
        return {
            "format": BUNDLE_FORMAT,
            "format_version": BUNDLE_VERSION,
            "exported_at": _now(),
            "store": self.display if self.location.backend == "sqlite" else "postgresql",
            "record": rec.header,
            "record_hash": rec.record_hash,
            "case_id": rec.case_id,
            "case_bytes_b64": base64.b64encode(rec.case_bytes).decode("ascii"),
            "case": rec.case,
            "result": rec.result,
            "reports": rec.reports,
            "note": rec.note,
            "ruleset": {
                "version": rec.ruleset_version,
                "files": {
                    name: {"sha256": sha256_bytes(data), "content_b64": base64.b64encode(data).decode("ascii")}
                    for name, data in files.items()
                },
            },
        }


def verify_bundle(bundle: Any) -> tuple[list[Finding], dict[str, bytes]]:
    """Check an exported bundle on its own; return the findings and its rule files.

    It proves the bundle is internally whole: every part matches the hash
    sealed in the record's header, and the header matches its record hash.
    Comparing that record hash with the store's chain (``audit verify``
    there) proves the record is the one the store holds.
    """
    findings: list[Finding] = []

    def bad(ja: str, en: str) -> None:
        findings.append(Finding(None, ja, en))

    if not isinstance(bundle, dict) or bundle.get("format") != BUNDLE_FORMAT:
        bad("zansai の監査バンドルではありません", "not a zansai audit bundle")
        return findings, {}
    if bundle.get("format_version") != BUNDLE_VERSION:
        bad(f"バンドルの形式 {bundle.get('format_version')} は読めません", f"unknown bundle format version {bundle.get('format_version')}")
        return findings, {}
    header = bundle.get("record")
    header_format = header.get("format") if isinstance(header, dict) else None
    if not isinstance(header_format, int) or any(name not in header for name in header_fields(header_format)):
        bad("記録のヘッダーが欠けています", "the record header is incomplete")
        return findings, {}
    if seal(header) != bundle.get("record_hash"):
        bad("記録のヘッダーが封印のハッシュと一致しません", "the record header does not match its record hash")

    def check(label_ja: str, label_en: str, actual: str | None, expected: str | None) -> None:
        if actual != expected:
            bad(f"{label_ja}がハッシュと一致しません", f"the {label_en} does not match its hash")

    try:
        case_bytes = base64.b64decode(bundle.get("case_bytes_b64", ""), validate=True)
    except (ValueError, TypeError):
        case_bytes = b""
        bad("入力された事案が読めません", "the case as given cannot be decoded")
    case_id = bundle.get("case_id")
    check("事案ID", "case id", sha256_text(case_id) if isinstance(case_id, str) else None, header["case_id_sha256"])
    check("入力された事案", "case as given", sha256_bytes(case_bytes), header["case_sha256"])
    check("検証済みの事案", "validated case", sha256_text(document_text(bundle.get("case"))), header["case_json_sha256"])
    check("判定結果", "result", sha256_text(document_text(bundle.get("result"))), header["result_sha256"])
    reports = bundle.get("reports")
    check("表示した報告", "report as shown", None if reports is None else sha256_text(document_text(reports)),
          header.get("reports_sha256"))
    note = bundle.get("note")
    check("メモ", "note", None if note is None else sha256_text(note), header["note_sha256"])

    files: dict[str, bytes] = {}
    ruleset = bundle.get("ruleset") or {}
    if ruleset.get("version") != header["ruleset_version"]:
        bad("ルールの版が記録と一致しません", "the rule-set version does not match the record")
    for name, entry in sorted((ruleset.get("files") or {}).items()):
        try:
            data = base64.b64decode(entry.get("content_b64", ""), validate=True)
        except (ValueError, TypeError, AttributeError):
            bad(f"ルールファイル {name} が読めません", f"rule file {name} cannot be decoded")
            continue
        if sha256_bytes(data) != entry.get("sha256"):
            bad(f"ルールファイル {name} がハッシュと一致しません", f"rule file {name} does not match its hash")
        files[name] = data
    manifest = {name: sha256_bytes(data) for name, data in files.items()}
    if sha256_text(canonical_text(manifest)) != header["ruleset_manifest_sha256"]:
        bad("ルールファイルの一覧が記録と一致しません", "the rule files do not match the record's rule-set manifest")
    return findings, files
