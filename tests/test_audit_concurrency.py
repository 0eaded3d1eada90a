"""Two writers at once, and writers killed mid-write, on SQLite and on PostgreSQL.

Separate processes, as two advisors' terminals would be. The default runs are
short; the long loops carry the ``slow`` marker and run after the suite in CI.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from audit import Store
from tests.test_audit_store import new_record

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(params=["sqlite", "postgresql"])
def setting(request, tmp_path):
    if request.param == "sqlite":
        return str(tmp_path / "audit.sqlite3")
    return request.getfixturevalue("pg_url")


def writer(setting: str, count: int, tag: str, *mode: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.audit_writer", setting, str(count), tag, *mode],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def committed(proc: subprocess.Popen) -> list[tuple[int, str]]:
    """The records a writer reported as committed.

    A writer killed while printing may leave a last line cut short; its record
    may or may not have committed, so only whole lines are evidence.
    """
    out = proc.stdout.read() if proc.stdout else ""
    whole = out.split("\n")[:-1]  # the piece after the last newline is unfinished
    return [(int(line.split()[0]), line.split()[1]) for line in whole if len(line.split()) == 2]


def test_two_writers_at_once_lose_nothing(setting):
    Store.open(setting).close()  # both writers find the schema made
    count = 12
    procs = [writer(setting, count, tag) for tag in ("left", "right")]
    outputs = []
    for proc in procs:
        proc.wait(timeout=240)
        outputs.append(committed(proc))
        assert proc.returncode == 0, proc.stderr.read() if proc.stderr else ""
    with Store.open(setting) as store:
        report = store.verify()
        assert report.ok, report.findings
        listed = store.list()
        assert sorted(r["id"] for r in listed) == list(range(1, 2 * count + 1))
        for out in outputs:
            assert len(out) == count
            for rid, case_id in out:
                rec = store.get(rid)
                assert rec.case_id == case_id and rec.case == {"case_id": case_id, "n": int(case_id.split("-")[1])}


def test_two_writers_creating_a_new_store_at_once_make_one_schema(setting):
    procs = [writer(setting, 2, tag) for tag in ("a", "b")]
    for proc in procs:
        proc.wait(timeout=240)
        assert proc.returncode == 0, proc.stderr.read() if proc.stderr else ""
    with Store.open(setting) as store:
        assert store.verify().ok and len(store.list()) == 4


def kill_loop(setting: str, rounds: int, seed: int) -> None:
    rng = random.Random(seed)
    Store.open(setting).close()
    survivors: list[tuple[int, str]] = []
    for i in range(rounds):
        proc = writer(setting, 0, f"k{i}")
        first = proc.stdout.readline() if proc.stdout else ""  # writing has begun
        time.sleep(rng.uniform(0.0, 0.4))  # then die somewhere inside a later record
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        assert first, proc.stderr.read() if proc.stderr else ""
        survivors.append((int(first.split()[0]), first.split()[1]))
        survivors.extend(committed(proc))
    assert survivors, "no writer committed anything before it was killed: the loop tested nothing"
    with Store.open(setting) as store:
        report = store.verify()
        assert report.ok, [f.en for f in report.findings]
        ids = [r["id"] for r in store.list()]
        assert ids == list(range(1, len(ids) + 1))
        for rid, case_id in survivors:  # every record a writer saw committed is there
            assert store.get(rid).case_id == case_id
    # and the store still takes records after all that
    with Store.open(setting) as store:
        before = len(store.list())
        proc = writer(setting, 1, "after")
        proc.wait(timeout=60)
        assert proc.returncode == 0
        assert len(store.list()) == before + 1 and store.verify().ok


def test_a_writer_killed_inside_its_transaction_leaves_no_trace(setting):
    """Killed after writing its record, rule files and chain head, before the commit."""
    Store.open(setting).close()
    proc = writer(setting, 3, "held", "hold")
    lines = []
    try:
        for line in proc.stdout:  # type: ignore[union-attr]
            lines.append(line)
            if line.startswith("holding"):
                break
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    assert lines and lines[-1].split() == ["holding", "3"], (lines, proc.stderr.read() if proc.stderr else "")
    with Store.open(setting) as store:
        report = store.verify()
        assert report.ok, [f.en for f in report.findings]
        assert [r["id"] for r in store.list()] == [1, 2]
        assert store.record(new_record()) == 3


def test_a_writer_killed_mid_write_leaves_a_verifiable_store(setting):
    kill_loop(setting, rounds=3, seed=8)


@pytest.mark.slow
def test_many_writers_killed_at_random_moments_leave_a_verifiable_store(setting):
    kill_loop(setting, rounds=25, seed=2026)


def test_a_record_committed_while_the_store_is_verified_is_not_reported_as_removed(setting):
    """verify() reads every record, then the chain head. A writer's commit falling between the
    two must not look like a deleted newest record: the whole check reads one snapshot.

    Found by the slow kill loop on PostgreSQL, where a killed writer's commit may still be
    finishing on the server when the check starts; here the commit is put there on purpose."""
    from sqlalchemy import event

    with Store.open(setting) as store:
        store.record(new_record())
        other = Store.open(setting)
        committed_between: list[int] = []

        def before(conn, cursor, statement, parameters, context, executemany):
            if "chain_head" in statement and "FROM records" not in statement and not committed_between:
                committed_between.append(other.record(new_record()))

        event.listen(store.engine, "before_cursor_execute", before)
        try:
            report = store.verify()
        finally:
            event.remove(store.engine, "before_cursor_execute", before)
            other.close()
        assert committed_between == [2], "the commit did not fall inside the check: the test tested nothing"
        assert report.ok, [f.en for f in report.findings]
        assert report.records == 1  # the check saw the store as it was when it began
        again = store.verify()
        assert again.ok and again.records == 2
        if setting.startswith("postgresql"):  # the snapshot was the check's alone: writers read the newest head
            with store.engine.connect() as conn:
                assert conn.get_isolation_level() == "READ COMMITTED"
        assert store.record(new_record()) == 3


def test_two_purges_of_one_case_at_once_erase_it_once(setting):
    """The second purge finds nothing left to erase, however the two interleave: a purge
    chooses its records under the chain head's lock, not before taking it (PostgreSQL's
    READ COMMITTED let both choose the same records and both be written)."""
    import threading

    from sqlalchemy import event

    from facts.errors import RecordNotFound

    with Store.open(setting) as seed:
        seed.record(new_record("suzuki"))
        seed.record(new_record("suzuki"))
    first, second, watcher = Store.open(setting), Store.open(setting), Store.open(setting)
    chosen, go = threading.Event(), threading.Event()

    def after(conn, cursor, statement, parameters, context, executemany):
        if "purged_by IS NULL" in statement and not chosen.is_set():
            chosen.set()  # the first purge has chosen its records; hold it there
            go.wait(timeout=30)

    event.listen(first.engine, "after_cursor_execute", after)
    outcomes: dict[str, object] = {}

    def purge(name: str, store: Store) -> None:
        try:
            outcomes[name] = store.purge("suzuki", advisor=name)
        except RecordNotFound as exc:
            outcomes[name] = exc

    try:
        a = threading.Thread(target=purge, args=("first", first))
        a.start()
        assert chosen.wait(timeout=30)
        b = threading.Thread(target=purge, args=("second", second))
        b.start()
        # The second runs while the first is held, until it finishes (the race) or waits for the
        # first's lock: seen on PostgreSQL as a session waiting on a lock; SQLite's BEGIN IMMEDIATE
        # waits inside the driver, where it cannot be seen, so there it gets a fixed while.
        deadline = time.monotonic() + (30 if setting.startswith("postgresql") else 1.5)
        while b.is_alive() and time.monotonic() < deadline and not _waiting_on_a_lock(watcher):
            time.sleep(0.05)
        go.set()
        a.join(timeout=30)
        b.join(timeout=30)
    finally:
        go.set()
        event.remove(first.engine, "after_cursor_execute", after)
        first.close()
        second.close()
        watcher.close()
    assert set(outcomes) == {"first", "second"}, outcomes
    erased = [o for o in outcomes.values() if not isinstance(o, RecordNotFound)]
    assert len(erased) == 1, outcomes
    assert erased[0][1] == [1, 2]
    with Store.open(setting) as store:
        report = store.verify()
        assert report.ok and report.records == 3  # two assessments and one purge record
        assert all(r["purged"] for r in store.list(case_id="suzuki"))


def _waiting_on_a_lock(store: Store) -> bool:
    """Whether some session of the store's PostgreSQL server waits on a lock (never seen on SQLite)."""
    if store.location.backend != "postgresql":
        return False
    from sqlalchemy import text

    with store.engine.connect() as conn:
        return bool(conn.execute(text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")).scalar())
