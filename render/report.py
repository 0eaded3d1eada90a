"""The report, as plain text or Markdown, in Japanese or English.

It leads with what a distressed reader needs (where the debtor stands, the
options side by side, up to three things to do this week), then the warnings in
order of urgency, then what the figures rest on and a plain "not legal advice"
line (render/lead.py); the full detail (each option's reasoning, figures, sources,
rule ids, rule-set version) comes after (render/detail.py). ``audience="debtor"``
leaves out what only the advisor needs (rule ids, the rule set, command hints).
Everything shown comes from the Result; the wording rules are in docs/messages.md.
"""

from __future__ import annotations

from app.result import Result
from render.detail import _law_en, shown_figures, source_groups, write_detail
from render.glossary import GLOSSARY as _GLOSSARY
from render.layout import Page, figure_text
from render.lead import about_result, documents, headline, next_steps, parameter_change, write_lead
from render.report_labels import LABELS as _L
from render.report_labels import SOURCE_KIND as _SOURCE_KIND
from render.statutes import source_display

# the names other modules (render/documents.py, web/views.py, the tests) read from here
__all__ = [
    "_GLOSSARY", "_L", "_SOURCE_KIND", "_law_en", "about_result", "documents", "figure_text", "headline",
    "lead_lines", "next_steps", "parameter_change", "render", "shown_figures", "source_display", "source_groups",
]


def render(result: Result, lang: str = "ja", markdown: bool = False, audience: str = "advisor") -> str:
    page = Page(markdown)
    write_lead(page, result, lang)
    write_detail(page, result, lang, advisor=audience == "advisor")
    return page.text().rstrip() + "\n"


def lead_lines(report: str, lang: str = "ja") -> list[str]:
    """The lines before the warnings: the headline, the options and this week's steps."""
    lines = report.splitlines()
    marker = _L["warnings"][lang]
    for i, line in enumerate(lines):
        if line.lstrip("# ") == marker:
            return lines[:i]
    return lines
