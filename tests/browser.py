"""A real headless Chromium for the tests, driven through Playwright.

Debian's ``chromium`` package (/usr/bin/chromium) is used, never a browser
Playwright downloads: ``playwright install`` is not run anywhere, so the tests
see the browser a user of the machine has. ``.ci/run`` installs the package on
a fresh machine. Without the browser (or without the ``playwright`` module) the
browser tests skip, except under CI=true, where they fail.

Fixtures:

- ``chromium``: one browser per test session, with a fresh profile directory
  (a Playwright persistent context: Playwright refuses ``--user-data-dir`` as a
  plain argument).
- ``browser_page``: a new tab per test, with every console error, uncaught
  page error and failed request collected in ``.errors``; the tab is closed
  afterwards.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")

# Quiet and hermetic: no GPU in a container, no QUIC, and none of the
# background traffic (updates, sync, first-run pages) a desktop profile makes.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def missing(reason: str) -> None:
    """Skip on a developer's machine, fail in CI, where the browser must be there."""
    if in_ci():
        pytest.fail(f"CI=true but {reason}", pytrace=False)
    pytest.skip(reason)


def find_chromium() -> Path | None:
    if CHROMIUM.exists():
        return CHROMIUM
    found = shutil.which("chromium")
    return Path(found) if found else None


@dataclass
class BrowserPage:
    """A tab and everything that went wrong in it."""

    page: object  # playwright.sync_api.Page
    errors: list[str] = field(default_factory=list)

    def goto(self, url: str, **kwargs):
        return self.page.goto(url, **kwargs)


@pytest.fixture(scope="session")
def chromium():
    executable = find_chromium()
    if executable is None:
        missing("Debian's chromium is not installed (/usr/bin/chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("the playwright module is not installed")
    profile = tempfile.mkdtemp(prefix="zansai-chromium-")
    driver = sync_playwright().start()
    try:
        context = driver.chromium.launch_persistent_context(
            profile,
            executable_path=str(executable),
            headless=True,
            args=CHROMIUM_ARGS,
            timeout=60_000,
        )
    except Exception as exc:  # a browser that cannot start is an environment problem
        driver.stop()
        shutil.rmtree(profile, ignore_errors=True)
        if in_ci():
            raise
        pytest.skip(f"chromium did not start: {exc}")
    try:
        yield context
    finally:
        context.close()
        driver.stop()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def browser_page(chromium):
    page = chromium.new_page()
    tab = BrowserPage(page)
    page.on("console", lambda msg: tab.errors.append(f"console {msg.type}: {msg.text}")
            if msg.type == "error" else None)
    page.on("pageerror", lambda exc: tab.errors.append(f"page error: {exc}"))
    page.on("requestfailed", lambda req: tab.errors.append(f"request failed: {req.url} ({req.failure})"))
    try:
        yield tab
    finally:
        page.close()
