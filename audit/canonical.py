"""Canonical bytes and hashes: what every seal in the store is computed over.

One spelling per value, so the same content hashes the same on every machine
and every backend: keys sorted, no insignificant whitespace, UTF-8 without
escaping. Text read back from a tampered SQLite file may hold bytes that are not
UTF-8; they survive as surrogate escapes and re-encode to the same bytes, so
they change the hash instead of crashing the check.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

GENESIS = "0" * 64


def canonical_bytes(value: Any) -> bytes:
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return text.encode("utf-8", "surrogateescape")


def document_text(value: Any) -> str:
    """A JSON document (a case, a result) kept as it was given: compact, keys in their own order.

    The order is part of what was shown (figures in catalog order), so it is
    kept, and the hash is over exactly this text; JSON readers keep key order,
    so a bundle re-serialised the same way hashes the same.
    """
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def canonical_text(value: Any) -> str:
    return canonical_bytes(value).decode("utf-8", "surrogateescape")


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_text(text: str) -> str:
    return sha256_bytes(text.encode("utf-8", "surrogateescape"))


def sha256_json(value: Any) -> str:
    return sha256_bytes(canonical_bytes(value))
