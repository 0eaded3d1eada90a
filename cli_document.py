"""``zansai document budget|report CASE -o FILE.html [--pdf FILE.pdf]``: papers for a case.

Thin like the rest of the CLI: assess the case, hand the Result (and, for the
budget's blanks, the case) to ``render.documents``, write the files. Every
output is written to a temporary file beside it and renamed into place only
when all of them are complete, so a failure never leaves a half-written file.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Callable

import click

from cli_common import Errors, check_target, open_desk, reader_lang
from facts.errors import InputError, Problem


def write_all(outputs: list[tuple[Path, bytes]]) -> None:
    """Write every output to a temporary file in its folder, then rename them all into place."""
    staged: list[tuple[str, Path]] = []
    try:
        for path, data in outputs:
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent if str(path.parent) else ".")
            staged.append((tmp, path))
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.chmod(tmp, 0o644)
        for tmp, path in staged:
            os.replace(tmp, path)
    finally:
        for tmp, _ in staged:
            if os.path.exists(tmp):
                os.unlink(tmp)


def _command(kind: str, doc: str) -> Callable:
    @click.command(kind, help=doc)
    @click.argument("case")
    @click.option("-o", "--output", "output", required=True, metavar="FILE.html", help="The HTML file to write / 出力するHTMLファイル")
    @click.option("--pdf", "pdf", default=None, metavar="FILE.pdf", help="Also write a PDF (A4, WeasyPrint) / PDFも出力")
    @click.option("--rules", "rules_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
                  help="Rule base folder (default: the installed rules/) / ルールのフォルダ")
    @click.option("--lang", type=click.Choice(["ja", "en"]), default=None,
                  help="Language of the document and messages: ja (default) or en / 出力の言語")
    @click.pass_context
    def run(
        ctx: click.Context, case: str, output: str, pdf: str | None, rules_dir: Path | None, lang: str | None,
        max_bytes: int | None = None,  # cli.py adds --max-bytes, shared with assess
    ) -> None:
        lang = reader_lang(ctx, lang)
        with Errors(lang):
            html_path = check_target("-o", output, (".html", ".htm"), case)
            pdf_path = check_target("--pdf", pdf, (".pdf",), case) if pdf is not None else None
            if pdf_path is not None and pdf_path.resolve() == html_path.resolve():
                raise InputError([Problem("--pdf", f"--pdf と -o に同じファイルは指定できません（入力: {pdf}）",
                                          f"--pdf and -o cannot name the same file (got {pdf})")])
            from render.documents import html_to_pdf, render_html

            with open_desk(rules_dir) as desk:
                case_obj = desk.load_case(case, **({} if max_bytes is None else {"max_bytes": max_bytes}))
                result = desk.assess(case_obj)
                html = render_html(kind, result, lang, case=case_obj, labels=desk.labels)
            outputs = [(html_path, html.encode("utf-8"))]
            if pdf_path is not None:
                outputs.append((pdf_path, html_to_pdf(html)))
            write_all(outputs)
            click.echo(", ".join(str(p) for p, _ in outputs))

    return run


@click.group()
def document() -> None:
    """Documents for a case, as HTML (A4) and PDF / 事案の書類（HTML・PDF）."""


document.add_command(_command(
    "budget",
    "Draft the statement of living situation and household budget (生活状況申告書・家計収支表) "
    "a creditor asks for: income and expense lines, the capacity and the proposed monthly payment; "
    "blanks where the case is silent / 生活状況申告書・家計収支表の下書き",
))
document.add_command(_command(
    "report",
    "The client report in plain language for the debtor: the situation, the options side by side, "
    "the option to look at first and why, next steps, sources / 相談者向けの説明書",
))
