"""The result as JSON text: the public contract of shared/spec/case-format.md, plus additions.

The document itself is defined by ``Result.to_json`` (so that ``Result.from_json``
can read it back); this module only writes it.
"""

from __future__ import annotations

import json

from app.result import Result


def to_json(result: Result, lang: str = "ja") -> dict:
    return result.to_json(lang)


def dumps(result: Result, lang: str = "ja") -> str:
    return json.dumps(result.to_json(lang), ensure_ascii=False, indent=2)
