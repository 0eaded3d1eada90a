"""Fixtures shared by test modules: services the tests start themselves, and the desk."""

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from app.desk import Desk
from tests.browser import browser_page, chromium  # noqa: F401  (fixtures)
from tests.pgserver import pg_url, postgres_server  # noqa: F401  (fixtures)

ROOT = Path(__file__).resolve().parent.parent

# The tests load dozens of rule bases of their own: they keep them in a cache of
# their own (subprocesses inherit it), never evicting the user's entries.
if not os.environ.get("ZANSAI_CACHE"):
    os.environ["ZANSAI_CACHE"] = tempfile.mkdtemp(prefix="zansai-test-cache-")
    atexit.register(shutil.rmtree, os.environ["ZANSAI_CACHE"], True)


@pytest.fixture(scope="module")
def desk():
    """One desk per test module: its engine's sessions are closed when the module ends."""
    with Desk() as d:
        yield d


@pytest.fixture(scope="module")
def case_a(desk):
    """The article's case A, loaded by the module's desk."""
    return desk.load_case(str(ROOT / "examples" / "case_a.yaml"))
