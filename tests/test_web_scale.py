"""Two ``zansai serve`` processes on one real PostgreSQL, written to at once.

The servers keep nothing of their own: a session cookie one issued is good at
the other (the signing key is in the database), and records from both land in
one unbroken chain, none lost, none duplicated.
"""

from __future__ import annotations

import re
import threading

import httpx
import pytest

from facts.load import parse_case_data
from tests.web_server import ROOT, add_user, running_server
from web.interview import json_ready

pytestmark = pytest.mark.slow

CASE_A = json_ready(parse_case_data((ROOT / "examples" / "case_a.yaml").read_bytes(), "case_a.yaml"))


def login(base: str, name: str, password: str) -> tuple[httpx.Client, str]:
    client = httpx.Client(base_url=base, timeout=120)
    page = client.get("/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    resp = client.post("/login", data={"name": name, "password": password, "csrf": csrf})
    assert resp.status_code == 303
    csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/case/new").text).group(1)
    return client, csrf


def test_two_servers_on_one_postgresql_share_sessions_and_write_one_chain(pg_url):
    add_user(pg_url, "left", "left-password-1")
    add_user(pg_url, "right", "right-password-2")
    add_user(pg_url, "kanri", "kanri-password-3", supervisor=True)
    per_writer = 8
    with running_server(pg_url) as one, running_server(pg_url) as two:
        # a session from one server is a session at the other
        client, csrf = login(one, "kanri", "kanri-password-3")
        other = httpx.Client(base_url=two, timeout=60, cookies=client.cookies)
        assert other.get("/api/v1/records").status_code == 200
        assert other.post("/api/v1/assess", json=CASE_A, headers={"X-CSRF-Token": csrf}).status_code == 200

        writers = [login(one, "left", "left-password-1"), login(two, "right", "right-password-2")]
        made: dict[str, list[int]] = {"left": [], "right": []}
        errors: list[str] = []

        def write(name: str, client: httpx.Client, token: str) -> None:
            for i in range(per_writer):
                case = {**CASE_A, "case_id": f"{name}-{i}"}
                resp = client.post("/api/v1/records", json=case, headers={"X-CSRF-Token": token})
                if resp.status_code != 201:
                    errors.append(f"{name} {i}: {resp.status_code} {resp.text[:200]}")
                else:
                    made[name].append(resp.json()["record_id"])

        threads = [threading.Thread(target=write, args=(name, c, t)) for name, (c, t) in zip(("left", "right"), writers)]
        for th in threads:
            th.start()
        for th in threads:
            th.join(timeout=600)
        assert errors == []
        ids = made["left"] + made["right"]
        assert len(ids) == len(set(ids)) == 2 * per_writer
        # every record is there, in one chain, whichever server is asked
        for base in (one, two):
            listed = httpx.Client(base_url=base, timeout=60, cookies=client.cookies).get("/api/v1/records").json()
            assert sorted(r["id"] for r in listed) == sorted(ids)
            assert {r["case_id"] for r in listed} == {f"{n}-{i}" for n in ("left", "right") for i in range(per_writer)}
        verify = other.get("/api/v1/verify").json()
        assert verify == {"ok": True, "records": 2 * per_writer, "findings": []}
        # each advisor sees their own records only, at either server
        left_client = writers[0][0]
        seen = httpx.Client(base_url=two, timeout=60, cookies=left_client.cookies).get("/api/v1/records").json()
        assert sorted(r["id"] for r in seen) == sorted(made["left"])


def test_serve_with_two_workers_on_postgresql_records_from_both_and_logout_holds_at_each(pg_url):
    """``zansai serve --workers 2``: two processes on one port (running_server waits until both exist).

    Sessions and records are the store's, so whichever process answers: records
    written at once all land in one chain, and a session logged out at one
    process is refused at the other.
    """
    add_user(pg_url, "left", "left-password-1")
    add_user(pg_url, "right", "right-password-2")
    with running_server(pg_url, workers=2) as base:
        writers = {name: login(base, name, f"{name}-password-{n}") for n, name in ((1, "left"), (2, "right"))}
        made: list[int] = []
        errors: list[str] = []

        def write(name: str) -> None:
            client, token = writers[name]
            for i in range(4):
                resp = client.post("/api/v1/records", json={**CASE_A, "case_id": f"{name}-{i}"}, headers={"X-CSRF-Token": token})
                if resp.status_code == 201:
                    made.append(resp.json()["record_id"])
                else:
                    errors.append(f"{name} {i}: {resp.status_code}")

        threads = [threading.Thread(target=write, args=(name,)) for name in writers]
        for th in threads:
            th.start()
        for th in threads:
            th.join(timeout=600)
        assert errors == [] and len(set(made)) == 8
        client, token = writers["left"]
        assert client.get("/api/v1/verify").json() == {"ok": True, "records": 8, "findings": []}
        cookie = dict(client.cookies)
        assert client.post("/logout", data={"csrf": token}).status_code in (200, 303)
        # the copied cookie, asked of the port again and again: refused by both processes
        for _ in range(6):
            assert httpx.Client(base_url=base, timeout=60, cookies=cookie).get("/api/v1/records").status_code == 401
