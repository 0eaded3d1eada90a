"""Fixtures shared by test modules: services the tests start themselves."""

from tests.browser import browser_page, chromium  # noqa: F401  (fixtures)
from tests.pgserver import pg_url, postgres_server  # noqa: F401  (fixtures)
