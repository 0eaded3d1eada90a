"""The report as ``assess`` prints it: one function for printing it and for keeping it.

``assess --record`` keeps these very texts with the record (sealed), and
``audit show`` prints them back byte for byte, so what a record shows does not
drift when the renderer changes later.
"""

from __future__ import annotations

from typing import Any

from app.result import Result

LANGS = ("ja", "en")


def printed(result: Result, lang: str, fmt: str, audience: str) -> str:
    """The report exactly as written to the terminal (ending in one newline)."""
    if fmt == "json":
        from render.json_result import dumps

        text = dumps(result, lang)
    else:
        from render.report import render

        text = render(result, lang, markdown=(fmt == "markdown"), audience=audience)
    return text if text.endswith("\n") else text + "\n"


def reports_as_printed(result: Result, fmt: str, audience: str) -> list[dict[str, Any]]:
    """The report in the form printed, in both languages (a reader may want the other one later)."""
    return [
        {"lang": lang, "format": fmt, "audience": None if fmt == "json" else audience, "text": printed(result, lang, fmt, audience)}
        for lang in LANGS
    ]
