"""``zansai whatif`` and ``zansai deadlines``: what would change the decision, and the dates a case implies.

Thin like the rest of the CLI: parse the options, call ``app.whatif`` /
``app.deadlines``, hand the data to ``render.whatif``. Nothing is written
until the whole output has been built.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

import click

from facts.errors import InputError, Problem

# cli.py imports this module to register the commands, so nothing is taken
# from cli at import time; the shared helpers are looked up when a command runs.


def _lang_option(func: Callable) -> Callable:
    return click.option(
        "--lang", type=click.Choice(["ja", "en"]), default=None,
        help="Language of the output and messages: ja (default) or en / 出力の言語",
    )(func)


def _rules_option(func: Callable) -> Callable:
    return click.option(
        "--rules", "rules_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
        help="Rule base folder (default: the installed rules/) / ルールのフォルダ",
    )(func)


def _lang(ctx: click.Context, lang: str | None) -> str:
    return lang or (ctx.obj or {}).get("lang") or "ja"


def _Errors(lang: str) -> Any:
    from cli import _Errors as errors

    return errors(lang)


def _emit(text: str) -> None:
    from cli import _emit as emit

    emit(text)


def _desk(rules_dir: Path | None) -> Any:
    from cli import _desk as desk

    return desk(rules_dir)


def _json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


@click.command()
@click.argument("case")
@click.option("--set", "settings", multiple=True, metavar="PATH=VALUE",
              help="Change an input, in case-file notation (debtor.monthly_take_home=22万); repeatable / 入力を変える")
@click.option("--json", "as_json", is_flag=True, help="The result as JSON / JSONで出力")
@_rules_option
@_lang_option
@click.pass_context
def whatif(ctx: click.Context, case: str, settings: tuple[str, ...], as_json: bool,
           rules_dir: Path | None, lang: str | None) -> None:
    """What if an input changed: the decision diff against the case as it is / 入力を変えたら判断はどう変わるか.

    --set PATH=VALUE changes inputs (values as in a case file: 22万, 令和8年1月1日, 14.6%, true)
    and prints what changes: paths added, removed or re-ranked, figures, warnings, with the rules behind each.
    """
    lang = _lang(ctx, lang)
    with _Errors(lang):
        from app.whatif import parse_settings, what_if
        from render.whatif import whatif_text

        if not settings:
            raise InputError([Problem("--set", "変える入力を --set PATH=VALUE で指定してください",
                                      "give the inputs to change with --set PATH=VALUE")])
        parsed = parse_settings(settings)
        with _desk(rules_dir) as desk:
            outcome = what_if(desk, desk.load_case(case), parsed)
        _emit(_json(outcome.to_json(lang)) if as_json else whatif_text(outcome, lang))
