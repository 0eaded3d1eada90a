"""How the report is laid out as text: headings in plain text or Markdown, column widths, figures."""

from __future__ import annotations

import unicodedata

from app.result import Figure
from facts import display


class Page:
    """The report's lines as they are written, in plain text or Markdown."""

    def __init__(self, markdown: bool) -> None:
        self.markdown = markdown
        self.lines: list[str] = []

    def add(self, line: str) -> None:
        self.lines.append(line)

    def heading(self, text: str, level: int = 2) -> None:
        if self.markdown:
            self.lines.append("#" * level + " " + text)
        else:
            self.lines.append(text)
            self.lines.append(("=" if level == 1 else "-") * width(text))
        self.lines.append("")

    def bold(self, text: str) -> str:
        return f"**{text}**" if self.markdown else text

    def text(self) -> str:
        return "\n".join(self.lines)


def figure_text(fig: Figure, lang: str, table: bool = False) -> str:
    # one format per value in each language: the table shows money as the text does
    return display.value(fig.value, fig.kind, lang, fig.unit)


def sentence(text: str) -> str:
    """A message opens with a capital even when it starts with a case-supplied word ("the debtor's wife")."""
    return text[:1].upper() + text[1:] if text[:1].isascii() else text


def width(text: str) -> int:
    """Columns the text takes in a monospaced terminal: East Asian wide characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
