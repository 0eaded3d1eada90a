"""Errors of the audit store, in the one zansai error hierarchy.

The store is below the application layer, so it imports nothing of it; the
hierarchy itself is the only thing it shares with the rest of zansai.
"""

from __future__ import annotations

from facts.errors import Problem, ZansaiError

__all__ = ["Problem", "StoreError", "RecordNotFound", "BundleError"]


class StoreError(ZansaiError):
    """The audit store cannot be used: not a zansai store, a newer schema, unreachable."""

    exit_code = 5


class RecordNotFound(ZansaiError):
    """The user named a record the store does not hold (a bad argument, like bad input)."""

    exit_code = 2


class BundleError(ZansaiError):
    """An exported bundle cannot be read at all (as opposed to one that fails its hashes)."""

    exit_code = 2
