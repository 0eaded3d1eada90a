"""Opening an audit store: the database engine, its settings, and the schema made or migrated to the newest.

A database that is not a zansai store is refused and left untouched; a
store with a newer schema than this zansai knows is refused; an older one is
migrated forward by Alembic, under a lock so two processes opening the same
new store do not both create it.
"""

from __future__ import annotations

import random
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import Connection, Engine, create_engine, event, inspect, select, text
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError

from audit.canonical import GENESIS
from audit.errors import Problem, StoreError
from audit.location import Location, default_data_dir, prepare_sqlite_file
from audit.record import now
from audit.schema import STORE_KIND, VERSION_TABLE, chain_head, store_info

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
PG_INIT_LOCK = 0x7A616E736169  # "zansai": serialises creating/migrating the schema
SQLITE_SCHEMA_WAIT = 60.0  # seconds, as long as the busy timeout a writer waits


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def connect(location: Location) -> Engine:
    """The engine for a resolved store location (a new SQLite file is made private first)."""
    if location.backend == "sqlite":
        assert location.path is not None
        _refuse_foreign_sqlite(location)
        prepare_sqlite_file(location.path, default_dir=location.path.parent == default_data_dir())
        return _sqlite_engine(location.url)
    return create_engine(location.url)


def _refuse_foreign_sqlite(location: Location) -> None:
    """Refuse another program's SQLite database before anything is written to it.

    Every connection of the store's engine turns the file to WAL mode, which rewrites its header:
    the check that the file is a zansai store (``ensure_schema``) came too late to leave it untouched.
    Read here through a read-only connection; a file that is not SQLite at all is left to the engine,
    which refuses it without writing.
    """
    import sqlite3

    path = location.path
    assert path is not None
    if not path.is_file() or path.stat().st_size == 0:
        return
    try:
        conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return
    try:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        kind = conn.execute("SELECT value FROM store_info WHERE key = 'kind'").fetchone() if "store_info" in tables else None
    except sqlite3.Error:
        return  # not a database: the engine's own opening reports it
    finally:
        conn.close()
    if tables and (kind is None or kind[0] != STORE_KIND or VERSION_TABLE not in tables):
        raise _refuse_foreign(location.display)


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


@contextmanager
def write_connection(engine: Engine) -> Iterator[Connection]:
    """A transaction that takes the write lock up front (SQLite: BEGIN IMMEDIATE)."""
    with engine.connect() as conn:
        conn.execution_options(zansai_write=True)
        with conn.begin():
            yield conn


def unreachable(display: str, exc: Exception) -> StoreError:
    detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return StoreError(
        [Problem(display, f"監査記録を開けません: {detail}", f"cannot use the audit store: {detail}")]
    )


def _state(conn: Connection) -> tuple[str, str | None]:
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


def _refuse_foreign(display: str) -> StoreError:
    return StoreError(
        [
            Problem(
                display,
                "zansai の監査記録ではない既存のデータベースです。上書きしません（別のファイルか URL を指定してください）",
                "an existing database that is not a zansai audit store; it will not be overwritten "
                "(give another file or URL)",
            )
        ]
    )


def _check_revision(display: str, script: ScriptDirectory, revision: str | None) -> None:
    if revision is None:
        return
    try:
        script.get_revision(revision)
    except CommandError:
        head = script.get_current_head()
        raise StoreError(
            [
                Problem(
                    display,
                    f"この監査記録のスキーマ（{revision}）は、この zansai が知る版（{head}）より新しいものです。"
                    "zansai を更新してから開いてください",
                    f"this audit store has schema {revision}, newer than this zansai knows ({head}); "
                    "upgrade zansai to open it",
                )
            ]
        ) from None


def ensure_schema(engine: Engine, location: Location) -> None:
    """Make a new store, migrate an older one forward, refuse a foreign or newer one.

    Two processes opening a new SQLite store at once: in some lock upgrades
    (and while a fresh file is turned to WAL mode) SQLite answers "database is
    locked" at once instead of waiting out the busy timeout. A full-suite run
    of tests/test_audit_concurrency.py met it once (30 runs alone did not).
    Making the schema is checked again under the write lock, so the step is
    retried, for up to ``SQLITE_SCHEMA_WAIT`` seconds, before the store is
    reported unreachable.
    """
    display = location.display
    deadline = time.monotonic() + SQLITE_SCHEMA_WAIT
    while True:
        try:
            _ensure_schema(engine, location)
            return
        except OperationalError as exc:
            busy = location.backend == "sqlite" and "locked" in str(exc.orig or exc)
            if not busy or time.monotonic() >= deadline:
                raise unreachable(display, exc) from None
            engine.dispose()  # the next attempt starts from fresh connections, not one left mid-lock
            time.sleep(0.05 + random.random() * 0.2)
        except (DBAPIError, SQLAlchemyError) as exc:
            raise unreachable(display, exc) from None


def _ensure_schema(engine: Engine, location: Location) -> None:
    display = location.display
    cfg = alembic_config()
    script = ScriptDirectory.from_config(cfg)
    head = script.get_current_head()
    with engine.connect() as conn:
        state, revision = _state(conn)
        conn.rollback()
    if state == "foreign":
        raise _refuse_foreign(display)
    _check_revision(display, script, revision)
    if state == "zansai" and revision == head:
        return
    with write_connection(engine) as conn:
        if location.backend == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": PG_INIT_LOCK})
        state, revision = _state(conn)  # again, now that nobody else can change it
        if state == "foreign":
            raise _refuse_foreign(display)
        _check_revision(display, script, revision)
        if state == "zansai" and revision == head:
            return
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
        if state == "empty":
            conn.execute(
                store_info.insert(),
                [{"key": "kind", "value": STORE_KIND}, {"key": "created_at", "value": now()}],
            )
            conn.execute(chain_head.insert().values(singleton=1, last_id=0, last_hash=GENESIS))
