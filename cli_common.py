"""What every zansai command shares: the language and rules options, the input limit,
error handling at the edge, and opening the desk.

A module of its own so that cli.py and the commands registered on it (audit,
document, what-if, web) import one definition instead of each keeping a copy
or importing cli.py back.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable

import click

from facts.errors import InputError, Problem, ZansaiError

LANGS = click.Choice(["ja", "en"])
EXIT_INTERNAL = 70


def lang_option(func: Callable) -> Callable:
    return click.option(
        "--lang",
        type=LANGS,
        default=None,
        help="Language of the output and messages: ja (default) or en / 出力の言語",
    )(func)


def rules_option(func: Callable) -> Callable:
    return click.option(
        "--rules",
        "rules_dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Rule base folder (default: the installed rules/) / ルールのフォルダ",
    )(func)


# A case file is a few KB; 1 MiB refuses /dev/zero or a wrong file quickly. An
# advisor with a legitimately larger file (long notes) can raise it, up to a
# ceiling that still keeps one case's memory and time bounded.
MAX_BYTES_CEILING = 64 * 1024 * 1024


def max_bytes_option(func: Callable) -> Callable:
    from facts.bounds import MAX_CASE_BYTES

    return click.option(
        "--max-bytes",
        "max_bytes",
        type=click.IntRange(1, MAX_BYTES_CEILING),
        default=MAX_CASE_BYTES,
        show_default=True,
        envvar="ZANSAI_MAX_BYTES",
        help=f"Largest case file read, in bytes (at most {MAX_BYTES_CEILING:,}; env ZANSAI_MAX_BYTES) / 読み込む事案ファイルの上限（バイト）",
    )(func)


def reader_lang(ctx: click.Context, lang: str | None) -> str:
    return lang or (ctx.obj or {}).get("lang") or "ja"


def emit(text: str) -> None:
    # the whole output is built before anything is written: no half-written result
    click.echo(text, nl=not text.endswith("\n"))


class Errors:
    """Turns ZansaiErrors into messages and exit codes at the edge."""

    def __init__(self, lang: str):
        self.lang = lang

    def __enter__(self) -> "Errors":
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> bool:
        if exc is None or isinstance(exc, (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit)):
            return False
        if isinstance(exc, ZansaiError):
            for line in exc.lines(self.lang):
                click.echo(line, err=True)
            raise SystemExit(exc.exit_code)
        if isinstance(exc, KeyboardInterrupt):
            raise SystemExit(130)
        if os.environ.get("ZANSAI_DEBUG"):
            return False
        msg = (
            f"内部エラー: {type(exc).__name__}: {exc}（ZANSAI_DEBUG=1 で詳細を表示します）"
            if self.lang == "ja"
            else f"internal error: {type(exc).__name__}: {exc} (set ZANSAI_DEBUG=1 for details)"
        )
        click.echo(msg, err=True)
        raise SystemExit(EXIT_INTERNAL)


def open_desk(rules_dir: Path | None):
    from app.desk import Desk

    return Desk(rules_dir)


def check_target(option: str, value: str | Path, suffixes: tuple[str, ...] | None, case: str | None,
                 keep: tuple[tuple[Path, str, str], ...] = ()) -> Path:
    """An output path that can be written: the right suffix, an existing folder, not the case itself.

    ``keep``: other files the output must not replace (path, and why in each language), such as the
    audit store an export reads from.
    """
    path = Path(value)
    shown = str(value)
    if suffixes is not None and path.suffix.lower() not in suffixes:
        want = " / ".join(suffixes)
        raise InputError([Problem(option, f"出力ファイル名は {want} で終わる名前にしてください（入力: {shown}）",
                                  f"the output file name must end in {want} (got {shown})")])
    if path.is_dir():
        raise InputError([Problem(option, f"{shown} はフォルダです。ファイル名を指定してください",
                                  f"{shown} is a folder; give a file name")])
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise InputError([Problem(option, f"出力先のフォルダ {folder} がありません（入力: {shown}）",
                                  f"the folder {folder} does not exist (got {shown})")])
    if case is not None and case != "-" and Path(case).exists() and path.exists() and path.resolve() == Path(case).resolve():
        raise InputError([Problem(option, f"事案ファイル自身には書き込めません（入力: {shown}）",
                                  f"will not write over the case file (got {shown})")])
    for other, ja, en in keep:
        if other.exists() and path.exists() and path.resolve() == other.resolve():
            raise InputError([Problem(option, f"{ja}には書き込めません（入力: {shown}）", f"will not write over {en} (got {shown})")])
    return path


def refuse_empty_names(**given: str | None) -> None:
    """An option given with an empty name (``--why-not ''``) is refused: read as absent, it explained everything."""
    for name, value in given.items():
        option = "--" + name.replace("_", "-")
        if value is not None and not value.strip():
            raise InputError([Problem(option, f"{option} に名前を指定してください（空です）", f"{option} needs a name (it is empty)")])
