"""Load on the web desk: N advisors at once against ``zansai serve`` on loopback, for a bounded time.

    .venv/bin/python bench/web_load.py [--advisors 50] [--seconds 60] [--servers 1] [--workers 1] [--db URL | --postgres]

Starts the server(s) itself on 127.0.0.1 with a fresh store (a temporary
SQLite file unless ``--db`` names a PostgreSQL database, or ``--postgres``
starts a throwaway PostgreSQL cluster as the tests do), each server with
``--workers`` processes (``zansai serve --workers N``), makes the accounts,
logs every advisor in, then runs one asyncio loop in which each advisor, over
and over until the time is up, assesses case A (``POST /api/v1/assess``),
every fourth time records it (``POST /api/v1/records``) and every tenth time
lists their records. Requests only ever go to 127.0.0.1 and stop when the time
is up. It prints latency percentiles per kind, errors, and then checks
that nothing was lost: every record a 201 answered is in the store, the store
holds nothing else, and its chain verifies.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import statistics
import sys
import tempfile
import time
import shutil
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Iterator

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from facts.load import parse_case_data  # noqa: E402
from tests.web_server import running_server  # noqa: E402
from web.interview import json_ready  # noqa: E402

CASE_A = json_ready(parse_case_data((ROOT / "examples" / "case_a.yaml").read_bytes(), "case_a.yaml"))


async def login(client: httpx.AsyncClient, name: str, password: str) -> str:
    page = await client.get("/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    resp = await client.post("/login", data={"name": name, "password": password, "csrf": csrf})
    if resp.status_code != 303:
        raise SystemExit(f"login failed for {name}: {resp.status_code}")
    page = await client.get("/case/new")
    return re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, int(round(p / 100 * len(ordered) + 0.5)) - 1))
    return ordered[k]


start: asyncio.Event


async def run(bases: list[str], advisors: int, seconds: float, password: str) -> tuple[dict, list[int], float]:
    global start
    start = asyncio.Event()
    stats: dict[str, list] = {}
    recorded: list[int] = []
    until_box = [0.0]
    tasks = []
    for i in range(advisors):
        tasks.append(asyncio.create_task(advisor_wrapper(i, bases[i % len(bases)], password, until_box, stats, recorded)))
    # every advisor logs in first (argon2 is deliberately slow), then all start together
    while sum(1 for t in tasks if t.done()) == 0 and len(logged_in) < advisors:
        await asyncio.sleep(0.2)
    began = time.monotonic()
    until_box[0] = began + seconds
    start.set()
    await asyncio.gather(*tasks)
    return stats, recorded, time.monotonic() - began


logged_in: set[int] = set()


async def advisor_wrapper(i: int, base: str, password: str, until_box: list[float], stats: dict, recorded: list[int]) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=120) as client:
        csrf = await login(client, f"adv{i:02d}", password)
        logged_in.add(i)
        await start.wait()
        n = 0
        while time.monotonic() < until_box[0]:
            n += 1
            kind = "record" if n % 4 == 0 else "assess"
            case = {**CASE_A, "case_id": f"load-{i:02d}-{n}"}
            t0 = time.monotonic()
            try:
                if kind == "record":
                    resp = await client.post("/api/v1/records", json=case, headers={"X-CSRF-Token": csrf})
                    ok = resp.status_code == 201
                    if ok:
                        recorded.append(resp.json()["record_id"])
                else:
                    resp = await client.post("/api/v1/assess", json=case, headers={"X-CSRF-Token": csrf})
                    ok = resp.status_code == 200 and resp.json()["recommendations"][0]["path"] == "voluntary_sale"
                status: object = resp.status_code
            except httpx.HTTPError as exc:
                ok, status = False, type(exc).__name__
            stats.setdefault(kind, []).append(time.monotonic() - t0)
            if not ok:
                stats.setdefault("errors", []).append(f"{kind} {status}")
            if n % 10 == 0:
                t0 = time.monotonic()
                resp = await client.get("/api/v1/records")
                stats.setdefault("list", []).append(time.monotonic() - t0)
                if resp.status_code != 200 or any(r["advisor"] != f"adv{i:02d}" for r in resp.json()):
                    stats.setdefault("errors", []).append(f"list {resp.status_code}")


def add_users(db: str, users: list[tuple[str, str, bool]]) -> None:
    """As ``zansai users add`` does, in this process (fifty CLI starts would take longer than the run)."""
    from audit import Store
    from audit import accounts as A
    from web.security import hash_password

    with Store.open(db) as store:
        for name, password, supervisor in users:
            A.add_account(store, name, hash_password(password), supervisor)


@contextmanager
def throwaway_postgres() -> Iterator[str]:
    from tests import pgserver

    if pgserver.find_bindir() is None:
        raise SystemExit("--postgres: PostgreSQL server binaries (initdb, pg_ctl) are not installed")
    server = pgserver.start_server()
    try:
        yield server.url(server.create_database())
    finally:
        server.stop()
        shutil.rmtree(server.base, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--advisors", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--servers", type=int, default=1)
    ap.add_argument("--workers", type=int, default=1, help="processes per server (zansai serve --workers N)")
    ap.add_argument("--db", default=None, help="postgresql:// URL (default: a temporary SQLite file)")
    ap.add_argument("--postgres", action="store_true", help="start a throwaway PostgreSQL cluster (needs its server binaries)")
    ap.add_argument("--json", action="store_true", help="print the summary as JSON")
    args = ap.parse_args()
    if not (1 <= args.advisors <= 200 and 1 <= args.seconds <= 600 and 1 <= args.servers <= 4 and 1 <= args.workers <= 8):
        raise SystemExit("bounded: 1-200 advisors, 1-600 seconds, 1-4 servers, 1-8 workers")

    tmp = tempfile.mkdtemp(prefix="zansai-load-")
    with ExitStack() as stack:
        db = args.db or str(Path(tmp) / "audit.sqlite3")
        if args.postgres:
            db = stack.enter_context(throwaway_postgres())
        password = "load-password-1"
        print(f"making {args.advisors} accounts ...", file=sys.stderr)
        add_users(db, [(f"adv{i:02d}", password, False) for i in range(args.advisors)] + [("kanri", "kanri-password-2", True)])

        bases = [stack.enter_context(running_server(db, workers=args.workers)) for _ in range(args.servers)]
        print(f"servers: {', '.join(bases)}; logging in and running for {args.seconds:.0f} s ...", file=sys.stderr)
        stats, recorded, took = asyncio.run(run(bases, args.advisors, args.seconds, password))

        async def audit() -> tuple[list[dict], dict]:
            async with httpx.AsyncClient(base_url=bases[0], timeout=300) as client:
                await login(client, "kanri", "kanri-password-2")
                listed = (await client.get("/api/v1/records")).json()
                verified = (await client.get("/api/v1/verify")).json()
                return listed, verified

        listed, verified = asyncio.run(audit())

    listed_ids = sorted(r["id"] for r in listed)
    summary = {
        "advisors": args.advisors,
        "servers": args.servers,
        "workers": args.workers,
        "store": "postgresql" if (args.db or args.postgres) else "sqlite",
        "seconds": round(took, 1),
        "requests": sum(len(v) for k, v in stats.items() if k != "errors"),
        "errors": len(stats.get("errors", [])),
        "error_kinds": sorted(set(stats.get("errors", [])))[:10],
        "recorded_201": len(recorded),
        "records_in_store": len(listed_ids),
        "nothing_lost": listed_ids == sorted(recorded),
        "chain_verifies": verified.get("ok"),
    }
    for kind in ("assess", "record", "list"):
        values = stats.get(kind, [])
        summary[kind] = {
            "n": len(values),
            "per_s": round(len(values) / took, 1),
            "p50_ms": round(percentile(values, 50) * 1000) if values else None,
            "p95_ms": round(percentile(values, 95) * 1000) if values else None,
            "max_ms": round(max(values) * 1000) if values else None,
            "mean_ms": round(statistics.fmean(values) * 1000) if values else None,
        }
    print(json.dumps(summary, ensure_ascii=False, indent=None if args.json else 2))
    ok = summary["errors"] == 0 and summary["nothing_lost"] and summary["chain_verifies"]
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
