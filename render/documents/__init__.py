"""Documents a case needs on paper: the household budget statement a servicer
asks for (生活状況申告書・家計収支表) and the client report for the debtor.

Each document is a view (plain data, built here from the Result and, for the
budget lines, the case) poured into a Jinja2 template under render/templates/.
Every amount comes from the Result's figures and facts; the templates only
place and format them, so nothing is computed twice. A line the case does not
give stays a blank to fill in by hand, never a number zansai made up.

One module per document: ``budget`` (the statement), ``client_report`` (the
report), ``common`` (what both use); this one renders either and makes PDFs.
"""

from __future__ import annotations

from functools import lru_cache

import jinja2

from app.result import Result
from facts.case import Case
from facts.text import Labels
from render.documents.budget import budget_view
from render.documents.client_report import option_knowledge, report_view

KINDS = ("budget", "report")

__all__ = ["KINDS", "budget_view", "html_to_pdf", "option_knowledge", "render_html", "report_view"]


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("render", "templates"),
        autoescape=True,  # case text (names, creditors, occupations) reaches the page: escape everything
        undefined=jinja2.StrictUndefined,  # a misspelt name in a template fails loudly, not as a blank
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env


def render_html(kind: str, result: Result, lang: str = "ja", case: Case | None = None, labels: Labels | None = None) -> str:
    """The document's page. ``labels`` (``Desk.labels``) words coded values as the rule base does;
    without them a code is shown as it is written in the case."""
    if kind == "budget":
        view = budget_view(result, case, lang, labels)
    elif kind == "report":
        view = report_view(result, lang)
    else:  # pragma: no cover - the CLI offers only KINDS
        raise ValueError(kind)
    return _environment().get_template(f"{kind}.html.j2").render(**view)


def html_to_pdf(html: str) -> bytes:
    """The page as PDF through WeasyPrint (A4 from the template's @page rule)."""
    import weasyprint  # heavy: only when a PDF is asked for

    return weasyprint.HTML(string=html).write_pdf()
