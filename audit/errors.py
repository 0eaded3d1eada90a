"""The audit store's errors: they live in the one zansai hierarchy (``facts.errors``), named here too."""

from facts.errors import BundleError, Problem, RecordNotFound, StoreError

__all__ = ["Problem", "StoreError", "RecordNotFound", "BundleError"]
