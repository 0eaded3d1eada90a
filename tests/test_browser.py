"""The shared browser fixture itself: it sees what a page does wrong, and it
refuses to skip in CI."""

import pytest

from tests import browser


def test_a_clean_page_reports_no_errors(browser_page):
    browser_page.goto("data:text/html;charset=utf-8,<p id=x>残債</p>")
    assert browser_page.page.inner_text("#x") == "残債"
    assert browser_page.errors == []


def test_console_errors_and_uncaught_exceptions_are_collected(browser_page):
    browser_page.goto("data:text/html,<script>console.error('boom');throw new Error('bang')</script>")
    browser_page.page.wait_for_timeout(100)
    joined = "\n".join(browser_page.errors)
    assert "console error: boom" in joined
    assert "bang" in joined


def test_missing_browser_skips_outside_ci(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception):
        browser.missing("no chromium")


def test_missing_browser_fails_under_ci(monkeypatch):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true but no chromium"):
        browser.missing("no chromium")
