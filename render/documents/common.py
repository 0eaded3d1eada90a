"""What the two documents share: the line and reason a page lists, the wording both use, the English glosses."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from render.statutes import gloss_en

# Wording both documents use; each document adds its own (render/documents/budget.py, client_report.py).
COMMON_WORDING: dict[str, dict[str, str]] = {
    "case": {"ja": "事案", "en": "Case"},
}


def wording(own: dict[str, dict[str, str]], lang: str) -> dict[str, str]:
    """A document's wording in one language: the shared words and its own."""
    return {k: v[lang] for k, v in {**COMMON_WORDING, **own}.items()}


@dataclass
class Line:
    label: str
    value: str | None  # None: a blank to fill in
    note: str = ""


@dataclass
class Reason:
    title: str
    note: str
    sources: list[str] = field(default_factory=list)


def gloss(view: dict[str, Any], keys: tuple[str, ...]) -> None:
    """English: Japanese statute citations in the texts glossed once each, as the text report does."""
    glossed: set[str] = set()

    def walk(node: Any) -> Any:
        if isinstance(node, str):
            return gloss_en(node, glossed)
        if isinstance(node, list):
            return [walk(v) for v in node]
        if isinstance(node, tuple):
            return tuple(walk(v) for v in node)
        if isinstance(node, dict):
            return {k: walk(v) for k, v in node.items()}
        if isinstance(node, (Line, Reason)):
            for name in node.__dataclass_fields__:
                if name != "sources":
                    setattr(node, name, walk(getattr(node, name)))
            return node
        return node

    for key in keys:
        if key in view:
            view[key] = walk(view[key])

