"""Fixtures shared by test modules: services the tests start themselves."""

from tests.pgserver import pg_url, postgres_server  # noqa: F401  (fixtures)
