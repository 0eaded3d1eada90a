"""The audit trail's store: assessments recorded, sealed in a hash chain, verified, purged, exported.

Plain data only (bytes, JSON-ready dicts, strings); the application layer
(``app/``) turns cases and results into these and back.
"""

from audit.store import BUNDLE_FORMAT, Finding, NewRecord, Store, StoredRecord, VerifyReport, verify_bundle

__all__ = ["BUNDLE_FORMAT", "Finding", "NewRecord", "Store", "StoredRecord", "VerifyReport", "verify_bundle"]
