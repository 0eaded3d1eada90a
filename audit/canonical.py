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


def canonical_text(value: Any) -> str:
    return canonical_bytes(value).decode("utf-8", "surrogateescape")


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_text(text: str) -> str:
    return sha256_bytes(text.encode("utf-8", "surrogateescape"))


def sha256_json(value: Any) -> str:
    return sha256_bytes(canonical_bytes(value))
