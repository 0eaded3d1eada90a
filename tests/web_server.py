"""``zansai serve`` as a real process on loopback, for the browser, multi-server and load tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def zansai(*args: str, stdin: str | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "cli.py"), *args], input=stdin, capture_output=True, text=True,
                          cwd=ROOT, timeout=timeout)


def add_user(db: Path | str, name: str, password: str, supervisor: bool = False) -> None:
    args = ["users", "add", name, "--password-stdin", "--db", str(db)] + (["--supervisor"] if supervisor else [])
    done = zansai(*args, stdin=password + "\n")
    assert done.returncode == 0, done.stderr


def worker_pids(parent: int) -> list[int]:
    """The uvicorn worker processes of a ``zansai serve --workers N`` (children running the app)."""
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            cmdline = (stat.parent / "cmdline").read_bytes()
        except OSError:
            continue
        if int(fields[1]) == parent and b"multiprocessing" in cmdline and b"resource_tracker" not in cmdline:
            out.append(int(stat.parent.name))
    return out


def _wait_for_workers(parent: int, workers: int, deadline: float) -> None:
    while len(worker_pids(parent)) < workers:
        if time.monotonic() > deadline:
            raise AssertionError(f"zansai serve did not start {workers} workers in time")
        time.sleep(0.2)


@contextmanager
def running_server(db: Path | str, rules: Path | None = None, port: int | None = None,
                   startup: float = 120, workers: int = 1) -> Iterator[str]:
    """Start ``zansai serve`` and yield its base URL; stop it afterwards (its log is checked by the caller)."""
    port = port or free_port()
    args = [sys.executable, str(ROOT / "cli.py"), "serve", "--port", str(port), "--db", str(db)]
    if rules is not None:
        args += ["--rules", str(rules)]
    if workers > 1:
        args += ["--workers", str(workers)]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    log = tempfile.NamedTemporaryFile(prefix="zansai-serve-", suffix=".log", delete=False)
    proc = subprocess.Popen(args, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, text=True, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + startup
        while True:
            if proc.poll() is not None:
                raise AssertionError(f"zansai serve exited {proc.returncode}: {Path(log.name).read_text(errors='replace')}")
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=2) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError("zansai serve did not start in time")
            time.sleep(0.2)
        if workers > 1:
            _wait_for_workers(proc.pid, workers, deadline)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
        os.unlink(log.name)
