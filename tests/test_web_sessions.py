"""Logging out ends the session on the server: the cookie, replayed afterwards, opens nothing.

Sessions are kept in the store from login to logout (``audit.accounts``); the
signed cookie alone is not enough. Driven over HTTP like a browser (and like
someone who copied the cookie), on SQLite; the store's session functions run
on PostgreSQL too.
"""

from __future__ import annotations

import datetime as dt

import pytest

pytest.importorskip("fastapi")

from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from audit import Store  # noqa: E402
from audit import accounts as A  # noqa: E402
from audit.schema import web_sessions  # noqa: E402
from tests.test_web import Advisor, cheap_hashing, make_app  # noqa: E402,F401  (cheap_hashing: autouse fixture)
from web import security as S  # noqa: E402


@pytest.fixture(scope="module")
def web_app(tmp_path_factory):
    app = make_app(tmp_path_factory.mktemp("sessions") / "audit.sqlite3")
    yield app
    app.state.store.close()


def replay(app, cookie: str) -> TestClient:
    thief = TestClient(app)
    thief.cookies.set(S.COOKIE, cookie)
    return thief


def live_sessions(app, name: str) -> int:
    with app.state.store.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(web_sessions).where(web_sessions.c.account == name)).scalar()


def test_a_session_cookie_replayed_after_logout_is_refused(web_app):
    alice = Advisor(web_app, "alice")
    cookie = alice.client.cookies[S.COOKIE]
    assert replay(web_app, cookie).get("/records", follow_redirects=False).status_code == 200  # the copy works while logged in
    before = live_sessions(web_app, "alice")
    out = alice.post("/logout", {}, follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == "/login"
    assert live_sessions(web_app, "alice") == before - 1
    thief = replay(web_app, cookie)  # the cookie as it was, signature and all
    assert thief.get("/records", follow_redirects=False).headers["location"] == "/login"
    assert thief.get("/case/new", follow_redirects=False).status_code == 303
    assert thief.get("/api/v1/records").status_code == 401


def test_logging_out_in_one_browser_leaves_the_advisors_other_sessions_open(web_app):
    office, laptop = Advisor(web_app, "alice"), Advisor(web_app, "alice")
    office.post("/logout", {})
    assert office.client.get("/records", follow_redirects=False).status_code == 303
    assert laptop.client.get("/records", follow_redirects=False).status_code == 200


def test_logout_without_the_csrf_token_is_refused_and_the_session_stays(web_app):
    alice = Advisor(web_app, "alice")
    assert alice.client.post("/logout", data={}).status_code == 403
    assert alice.client.get("/records", follow_redirects=False).status_code == 200


def test_a_removed_account_leaves_no_session_behind(tmp_path):
    app = make_app(tmp_path / "audit.sqlite3")
    bob = Advisor(app, "bob")
    assert live_sessions(app, "bob") == 1
    A.remove_account(app.state.store, "bob")
    assert live_sessions(app, "bob") == 0
    assert bob.client.get("/records", follow_redirects=False).status_code == 303
    app.state.store.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    setting = str(tmp_path / "audit.sqlite3") if request.param == "sqlite" else request.getfixturevalue("pg_url")
    with Store.open(setting) as opened:
        A.add_account(opened, "alice", "hash-of-a-password")
        yield opened


def test_the_store_keeps_a_session_from_login_to_logout_on_sqlite_and_postgresql(store):
    day = dt.timedelta(hours=12)
    A.start_session(store, "alice", "a" * 64, day)
    assert A.session_account(store, "a" * 64, day).name == "alice"
    assert A.session_account(store, "b" * 64, day) is None
    assert A.session_account(store, "a" * 64, dt.timedelta(0)) is None  # older than the cookie may live
    A.end_session(store, "a" * 64)
    assert A.session_account(store, "a" * 64, day) is None
    A.start_session(store, "alice", "c" * 64, day)
    A.start_session(store, "alice", "d" * 64, dt.timedelta(0))  # a login clears the sessions past their age
    with store.engine.connect() as conn:
        assert conn.execute(select(web_sessions.c.id_sha256)).scalars().all() == ["d" * 64]
