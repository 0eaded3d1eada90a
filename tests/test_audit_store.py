"""The audit store on its own (plain data in, plain data out), on SQLite and on a real PostgreSQL.

Every test here runs against both backends; the ones about files (permissions,
WAL, a foreign file, editing a byte) are SQLite's own.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import stat
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import delete, func, inspect, select, text, update

from audit import NewRecord, Store, verify_bundle
from audit.canonical import sha256_text
from audit.errors import RecordNotFound, StoreError
from audit.schema import VERSION_TABLE, records, rule_files, rulesets
from audit.opening import alembic_config
from audit.store import header_of, seal

RULES_V1 = {"parameters.yaml": b"parameters: []\n", "sale.yaml": b"topic: sale\nrules: []\n"}
RULES_V2 = {"parameters.yaml": b"parameters: []\n", "sale.yaml": b"topic: sale\nrules: [changed]\n"}


def new_record(case_id: str = "tanaka-2025", **over) -> NewRecord:
    values = dict(
        case_id=case_id,
        case_bytes=f"case_id: {case_id}\ndebtor:\n  annual_income: 300万円\n".encode(),
        case={"case_id": case_id, "debtor": {"annual_income": 3_000_000}},
        result={"case_id": case_id, "recommendations": [{"path": "voluntary_sale", "rank": 1}], "note": "残債"},
        ruleset_version="v1" + "0" * 62,
        rule_files=RULES_V1,
        engine_name="durable-rules",
        engine_version="2.0.28",
        zansai_version="0.1.0",
        as_of="2025-06-27",
        rank1="voluntary_sale",
        advisor="yamada",
        note="first meeting",
    )
    values.update(over)
    return NewRecord(**values)


@pytest.fixture(params=["sqlite", "postgresql"])
def setting(request, tmp_path):
    if request.param == "sqlite":
        return str(tmp_path / "store" / "audit.sqlite3")
    return request.getfixturevalue("pg_url")


@pytest.fixture
def store(setting):
    s = Store.open(setting)
    yield s
    s.close()


def sql(store: Store, statement, params=None):
    with store.engine.begin() as conn:
        return conn.execute(statement, params or {})


def first_named(report) -> int | None:
    return report.first.record if report.first else None


# --------------------------------------------------------------------------- recording and reading


def test_a_record_reads_back_exactly_what_was_given(store):
    given = new_record()
    rid = store.record(given)
    rec = store.get(rid)
    assert rid == 1
    assert rec.case_bytes == given.case_bytes
    assert rec.case == given.case and rec.result == given.result
    assert (rec.note, rec.advisor, rec.as_of, rec.rank1) == ("first meeting", "yamada", "2025-06-27", "voluntary_sale")
    assert rec.header["case_sha256"] == __import__("hashlib").sha256(given.case_bytes).hexdigest()
    assert rec.ruleset_version == given.ruleset_version and rec.engine_version == "2.0.28"
    recorded = dt.datetime.strptime(rec.recorded_at, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.timezone.utc)
    assert abs((dt.datetime.now(dt.timezone.utc) - recorded).total_seconds()) < 60
    assert store.ruleset_files(given.ruleset_version) == RULES_V1


REPORTS = [
    {"lang": "ja", "format": "text", "audience": "advisor", "text": "zansai 判定結果\n事案: tanaka-2025\n"},
    {"lang": "en", "format": "text", "audience": "advisor", "text": "zansai assessment\nCase: tanaka-2025\n"},
]


def test_the_reports_as_printed_are_kept_exactly_and_sealed_in_header_format_2(store):
    plain_id = store.record(new_record())
    shown_id = store.record(new_record(reports=REPORTS))
    plain, shown = store.get(plain_id), store.get(shown_id)
    assert plain.reports is None and shown.reports == REPORTS
    # a record without a report is sealed exactly as before reports were kept (format 1)
    assert plain.header["format"] == 1 and "reports_sha256" not in plain.header
    assert shown.header["format"] == 2 and shown.header["reports_sha256"] == sha256_text(
        json.dumps(REPORTS, separators=(",", ":"), ensure_ascii=False))
    assert seal(shown.header) == shown.record_hash
    assert store.verify().ok


@pytest.mark.parametrize(
    "values",
    [{"reports_json": '[{"lang":"ja","format":"text","audience":"advisor","text":"別の報告\\n"}]'},
     {"reports_json": None},
     {"reports_json": None, "reports_sha256": None}],  # dropped whole: the record no longer hashes to its seal
)
def test_changing_or_dropping_a_kept_report_names_the_record(store, values):
    for _ in range(3):
        store.record(new_record(reports=REPORTS))
    sql(store, update(records).where(records.c.id == 2).values(values))
    report = store.verify()
    assert first_named(report) == 2, report.findings


def test_records_follow_each_other_in_one_chain(store):
    ids = [store.record(new_record()) for _ in range(3)]
    assert ids == [1, 2, 3]
    recs = [store.get(i) for i in ids]
    assert recs[0].header["prev_hash"] == "0" * 64
    assert recs[1].header["prev_hash"] == recs[0].record_hash
    assert recs[2].header["prev_hash"] == recs[1].record_hash
    assert all(seal(r.header) == r.record_hash for r in recs)


def test_rule_files_are_stored_once_per_version_and_once_per_content(store):
    store.record(new_record())
    store.record(new_record())
    store.record(new_record(ruleset_version="v2" + "0" * 62, rule_files=RULES_V2))
    with store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(rulesets)).scalar() == 2
        # parameters.yaml is the same bytes in both versions: kept once
        assert conn.execute(select(func.count()).select_from(rule_files)).scalar() == 3
    assert store.ruleset_files("v2" + "0" * 62) == RULES_V2


def test_the_same_version_with_other_files_is_refused(store):
    store.record(new_record())
    with pytest.raises(StoreError) as err:
        store.record(new_record(rule_files=RULES_V2))
    assert "differ" in str(err.value)
    assert [r["id"] for r in store.list()] == [1]


def test_list_filters_by_case_advisor_dates_and_rank1(store):
    store.record(new_record("a", advisor="yamada", rank1="voluntary_sale"))
    store.record(new_record("b", advisor="sato", rank1="bankruptcy"))
    store.record(new_record("a", advisor="sato", rank1="bankruptcy"))
    assert [r["id"] for r in store.list(case_id="a")] == [1, 3]
    assert [r["id"] for r in store.list(advisor="sato")] == [2, 3]
    assert [r["id"] for r in store.list(rank1="bankruptcy", case_id="a")] == [3]
    today = dt.datetime.now(dt.timezone.utc).date()
    assert len(store.list(since=today, until=today)) == 3
    assert store.list(until=today - dt.timedelta(days=1)) == []
    assert store.list(since=today + dt.timedelta(days=1)) == []
    row = store.list(case_id="b")[0]
    assert set(row) >= {"id", "case_id", "advisor", "recorded_at", "ruleset_version", "rank1"}
    assert (row["case_id"], row["advisor"], row["rank1"]) == ("b", "sato", "bankruptcy")


def test_an_unknown_record_is_a_clear_error(store):
    with pytest.raises(RecordNotFound) as err:
        store.get(42)
    assert "42" in str(err.value) and err.value.exit_code == 2


# --------------------------------------------------------------------------- verify


def test_an_untouched_store_verifies(store):
    for i in range(3):
        store.record(new_record(f"c{i}"))
    report = store.verify()
    assert report.ok and report.records == 3


def test_changing_a_sealed_field_names_the_record(store):
    for i in range(3):
        store.record(new_record(f"c{i}"))
    sql(store, update(records).where(records.c.id == 2).values(advisor="someone else"))
    report = store.verify()
    assert not report.ok and first_named(report) == 2
    assert "record 2 altered" in report.first.en


@pytest.mark.parametrize(
    "column, value",
    [("case_bytes", b"case_id: c1\ndebtor:\n  annual_income: 900\n"), ("result_json", '{"x":1}'), ("note", "edited"),
     ("case_json", "{}"), ("case_id", "other")],
)
def test_changing_a_payload_names_the_record(store, column, value):
    for i in range(3):
        store.record(new_record(f"c{i}"))
    sql(store, update(records).where(records.c.id == 2).values({column: value}))
    report = store.verify()
    assert first_named(report) == 2 and "altered" in report.first.en


def test_removing_a_record_in_the_middle_names_it(store):
    for i in range(4):
        store.record(new_record(f"c{i}"))
    sql(store, delete(records).where(records.c.id == 2))
    report = store.verify()
    assert first_named(report) == 2 and "removed" in report.first.en


def test_removing_the_newest_record_names_it(store):
    for i in range(3):
        store.record(new_record(f"c{i}"))
    sql(store, delete(records).where(records.c.id == 3))
    report = store.verify()
    assert first_named(report) == 3 and "removed" in report.first.en


def test_a_resealed_forgery_is_caught_at_the_next_link(store):
    for i in range(3):
        store.record(new_record(f"c{i}"))
    rec = store.get(2)
    forged = {**rec.header, "advisor": "forger"}
    sql(store, update(records).where(records.c.id == 2).values(advisor="forger", record_hash=seal(forged)))
    report = store.verify()
    assert first_named(report) == 3 and "does not follow" in report.first.en


def test_a_record_appended_outside_zansai_is_named(store):
    for i in range(2):
        store.record(new_record(f"c{i}"))
    with store.engine.begin() as conn:
        row = dict(conn.execute(select(records).where(records.c.id == 2)).one()._mapping)
        row.update(id=3, prev_hash=row["record_hash"])
        row["record_hash"] = seal(header_of(row))
        conn.execute(records.insert().values(**row))
    report = store.verify()
    assert first_named(report) == 3 and "inserted" in report.first.en


def test_erasing_data_without_a_purge_is_named(store):
    for i in range(2):
        store.record(new_record(f"c{i}"))
    sql(store, update(records).where(records.c.id == 1).values(case_bytes=None, case_json=None, result_json=None))
    report = store.verify()
    assert first_named(report) == 1 and "without a purge" in report.first.en


def test_an_altered_rule_file_names_the_records_made_with_it(store):
    store.record(new_record())
    store.record(new_record(ruleset_version="v2" + "0" * 62, rule_files=RULES_V2))
    digest = sha256_text("topic: sale\nrules: [changed]\n")
    sql(store, update(rule_files).where(rule_files.c.sha256 == digest).values(content=b"topic: sale\nrules: [other]\n"))
    report = store.verify()
    assert [f.record for f in report.findings] == [2]
    assert "sale.yaml" in report.first.en
    with pytest.raises(StoreError):
        store.ruleset_files("v2" + "0" * 62)


# --------------------------------------------------------------------------- purge


def test_purge_erases_the_clients_data_and_the_chain_still_verifies(store):
    store.record(new_record("tanaka", reports=REPORTS))
    store.record(new_record("suzuki"))
    store.record(new_record("tanaka"))
    purge_id, purged = store.purge("tanaka", advisor="yamada", note="client request")
    assert (purge_id, purged) == (4, [1, 3])
    for rid in (1, 3):
        rec = store.get(rid)
        assert rec.purged and rec.purged_by == 4
        assert (rec.case_id, rec.case_bytes, rec.case, rec.result, rec.note, rec.reports) == (None,) * 6
        assert rec.header["case_sha256"] and rec.header["result_sha256"]  # hashes kept
    assert store.get(2).case_id == "suzuki"
    purge = store.get(4)
    assert purge.kind == "purge" and purge.purges == [1, 3] and purge.note == "client request"
    report = store.verify()
    assert report.ok, report.findings
    listed = store.list(case_id="tanaka")
    assert [(r["id"], r["case_id"], r["purged"]) for r in listed] == [(1, None, True), (3, None, True)]
    assert store.assessment_ids() == [2]
    with pytest.raises(RecordNotFound):
        store.export(1)
    with pytest.raises(RecordNotFound):
        store.purge("tanaka")


def test_a_purge_record_cannot_be_stretched_to_cover_other_records(store):
    store.record(new_record("tanaka"))
    store.record(new_record("suzuki"))
    store.purge("tanaka")
    sql(store, update(records).where(records.c.id == 2).values(case_bytes=None, case_json=None, result_json=None,
                                                               case_id=None, note=None, purged_by=3))
    report = store.verify()
    assert first_named(report) == 2


# --------------------------------------------------------------------------- bundles


def test_an_exported_bundle_verifies_on_its_own_and_any_change_is_caught(store, tmp_path):
    store.record(new_record())
    rid = store.record(new_record(note="second", reports=REPORTS))
    bundle = json.loads(json.dumps(store.export(rid)))  # through JSON, as it travels
    findings, files = verify_bundle(bundle)
    assert findings == [] and files == RULES_V1
    assert bundle["record_hash"] == store.get(rid).record_hash and bundle["reports"] == REPORTS
    older = json.loads(json.dumps(store.export(1)))  # a record without a report (header format 1) travels too
    assert verify_bundle(older)[0] == [] and older["reports"] is None

    for path, value in [
        (("note",), "third"),
        (("result", "note"), "changed"),
        (("case", "debtor", "annual_income"), 1),
        (("record", "advisor"), "x"),
        (("reports", 1, "text"), "zansai assessment\nCase: someone else\n"),
        (("reports",), None),
    ]:
        copy = json.loads(json.dumps(bundle))
        target = copy
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
        assert verify_bundle(copy)[0], path
    copy = json.loads(json.dumps(bundle))
    copy["ruleset"]["files"]["sale.yaml"]["content_b64"] = "AAAA"
    assert any("sale.yaml" in f.en for f in verify_bundle(copy)[0])
    assert verify_bundle({"format": "something else"})[0][0].en == "not a zansai audit bundle"


# --------------------------------------------------------------------------- schema


def test_a_database_of_something_else_is_refused_and_left_alone(setting):
    from sqlalchemy import create_engine

    url = setting if "://" in setting else f"sqlite:///{setting}"
    if "://" not in setting:
        Path(setting).parent.mkdir(parents=True)
    url = url.replace("postgresql://", "postgresql+psycopg://")
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE invoices (id INTEGER PRIMARY KEY, amount INTEGER)"))
        conn.execute(text("INSERT INTO invoices VALUES (1, 500)"))
    engine.dispose()
    before = Path(setting).read_bytes() if "://" not in setting else None
    with pytest.raises(StoreError) as err:
        Store.open(setting)
    assert "not a zansai audit store" in str(err.value) and err.value.exit_code == 5
    if before is not None:  # not a byte changed: it once came back switched to WAL mode
        assert Path(setting).read_bytes() == before
    with engine.connect() as conn:
        assert set(inspect(conn).get_table_names()) == {"invoices"}
        assert conn.execute(text("SELECT amount FROM invoices")).scalar() == 500
    engine.dispose()


def test_a_newer_schema_is_refused_with_a_clear_message(store, setting):
    store.record(new_record())
    sql(store, text(f"UPDATE {VERSION_TABLE} SET version_num = '9999'"))
    store.close()
    with pytest.raises(StoreError) as err:
        Store.open(setting)
    assert "newer than this zansai" in str(err.value) and "9999" in str(err.value)


def test_an_older_schema_is_migrated_forward_keeping_every_record(store, setting):
    store.record(new_record("a"))
    store.record(new_record("b"))
    cfg = alembic_config()
    with store.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0001")
    with store.engine.connect() as conn:
        assert "ix_records_rank1" not in {i["name"] for i in inspect(conn).get_indexes("records")}
        assert "reports_json" not in {c["name"] for c in inspect(conn).get_columns("records")}
    store.close()
    reopened = Store.open(setting)
    try:
        with reopened.engine.connect() as conn:
            assert conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar() == "0006"
            assert {"drafts", "web_sessions"} <= set(inspect(conn).get_table_names())
            assert "ix_records_rank1" in {i["name"] for i in inspect(conn).get_indexes("records")}
            assert {"reports_json", "reports_sha256"} <= {c["name"] for c in inspect(conn).get_columns("records")}
        assert reopened.verify().ok
        assert [r["case_id"] for r in reopened.list()] == ["a", "b"]
        assert reopened.get(1).reports is None
        assert reopened.record(new_record("c", reports=REPORTS)) == 3
        assert reopened.verify().ok
    finally:
        reopened.close()


def test_a_downgrade_that_would_drop_sealed_reports_is_refused(store):
    store.record(new_record(reports=REPORTS))
    cfg = alembic_config()
    with pytest.raises(RuntimeError, match="sealed report"):
        with store.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0002")
    assert store.get(1).reports == REPORTS and store.verify().ok


# --------------------------------------------------------------------------- SQLite files


def test_a_new_sqlite_store_is_private_and_in_wal_mode(tmp_path):
    path = tmp_path / "private" / "nested" / "audit.sqlite3"
    with Store.open(str(path)) as s:
        s.record(new_record())
        with s.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        for p in path.parent.iterdir():  # the -wal and -shm files too
            assert stat.S_IMODE(p.stat().st_mode) == 0o600, p
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_the_store_comes_from_zansai_db_else_the_data_directory(tmp_path, monkeypatch):
    from audit.location import resolve

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("ZANSAI_DB", raising=False)
    assert resolve(None).path == tmp_path / "xdg" / "zansai" / "audit.sqlite3"
    monkeypatch.setenv("ZANSAI_DB", str(tmp_path / "env.db"))
    assert resolve(None).path == tmp_path / "env.db"
    assert resolve(str(tmp_path / "flag.db")).path == tmp_path / "flag.db"
    assert resolve("postgresql://u:secret@h/db").backend == "postgresql"
    assert "secret" not in resolve("postgresql://u:secret@h/db").display
    with pytest.raises(StoreError):
        resolve("mysql://h/db")
    with Store.open(None) as s:
        assert s.location.path == tmp_path / "env.db"
    monkeypatch.delenv("ZANSAI_DB")
    with Store.open(None) as s:
        s.record(new_record())
    data_dir = tmp_path / "xdg" / "zansai"
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE((data_dir / "audit.sqlite3").stat().st_mode) == 0o600


def test_a_file_that_is_not_sqlite_is_refused_and_not_overwritten(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_bytes(b"my client notes, not a database\n")
    with pytest.raises(StoreError) as err:
        Store.open(str(path))
    assert "not a zansai audit store" in str(err.value)
    assert path.read_bytes() == b"my client notes, not a database\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_editing_one_byte_of_the_file_names_the_record(tmp_path):
    path = tmp_path / "audit.sqlite3"
    with Store.open(str(path)) as s:
        for i in range(3):
            s.record(new_record(f"c{i}", note=f"meeting-note-{i}-unique"))
    data = bytearray(path.read_bytes())
    at = data.find(b"meeting-note-1-unique")
    assert at > 0 and data.find(b"meeting-note-1-unique", at + 1) == -1
    data[at] = ord("M")
    path.write_bytes(bytes(data))
    with Store.open(str(path)) as s:
        report = s.verify()
    assert not report.ok and first_named(report) == 2
    assert "record 2 altered (its note" in report.first.en


def test_editing_a_records_copy_in_an_index_names_the_record(tmp_path):
    path = tmp_path / "audit.sqlite3"
    with Store.open(str(path)) as s:
        for advisor in ("yamada", "advisor-in-an-index", "yamada"):
            s.record(new_record(advisor=advisor))
    original = path.read_bytes()
    places = [i for i in range(len(original)) if original.startswith(b"advisor-in-an-index", i)]
    assert len(places) == 2
    for at in places:
        data = bytearray(original)
        data[at] = ord("A")
        path.write_bytes(bytes(data))
        with Store.open(str(path)) as s:
            report = s.verify()
        assert first_named(report) == 2 and "record 2 altered" in report.first.en, at


def test_results_keep_their_key_order(store):
    result = {"figures": {"zeta": 1, "alpha": 2, "mid": 3}, "b": [3, 1], "a": None}
    rid = store.record(new_record(result=result))
    back = store.get(rid)
    assert list(back.result) == ["figures", "b", "a"]
    assert list(back.result["figures"]) == ["zeta", "alpha", "mid"]
    assert json.loads(back.result_text) == result


def test_a_sqlite_file_left_mid_transaction_is_rolled_back_cleanly(tmp_path):
    path = tmp_path / "audit.sqlite3"
    with Store.open(str(path)) as s:
        s.record(new_record())
    raw = sqlite3.connect(path, isolation_level=None)
    raw.execute("BEGIN IMMEDIATE")
    raw.execute("UPDATE chain_head SET last_id = 99")
    raw.close()  # never committed
    with Store.open(str(path)) as s:
        assert s.verify().ok
        assert s.record(new_record()) == 2


def test_the_tables_the_migrations_make_are_the_tables_audit_schema_describes(store):
    """A table or index added to audit/schema.py without its migration (or the other way round) is caught here."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from audit.schema import metadata

    with store.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE})
        assert compare_metadata(context, metadata) == []
