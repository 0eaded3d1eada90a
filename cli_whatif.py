"""``zansai whatif`` and ``zansai deadlines``: what would change the decision, and the dates a case implies.

Thin like the rest of the CLI: parse the options, call ``app.whatif`` /
``app.deadlines``, hand the data to ``render.whatif``. Nothing is written
until the whole output has been built.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from cli_common import Errors, check_target, emit, lang_option, open_desk, reader_lang, rules_option
from facts.errors import InputError, Problem


def _json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


@click.command()
@click.argument("case")
@click.option("--set", "settings", multiple=True, metavar="PATH=VALUE",
              help="Change an input, in case-file notation (debtor.monthly_take_home=22万); repeatable / 入力を変える")
@click.option("--open", "open_path", default=None, metavar="PATH",
              help="The smallest change that makes PATH listed / 進路を選択肢に入れる最小の変化")
@click.option("--close", "close_path", default=None, metavar="PATH",
              help="The smallest change that takes PATH off the list / 進路を選択肢から外す最小の変化")
@click.option("--sweep", "sweep_spec", default=None, metavar="PATH=START..STOP:STEP",
              help="Step a money input across a range (property.expected_sale_price=2000万..2800万:100万) / 金額を刻んで試す")
@click.option("--plot", "plot_file", default=None, type=click.Path(dir_okay=False, path_type=Path), metavar="FILE.png",
              help="With --sweep: draw the table as a PNG chart / --sweep の結果をグラフ（PNG）に")
@click.option("--json", "as_json", is_flag=True, help="The result as JSON / JSONで出力")
@rules_option
@lang_option
@click.pass_context
def whatif(ctx: click.Context, case: str, settings: tuple[str, ...], open_path: str | None, close_path: str | None,
           sweep_spec: str | None, plot_file: Path | None, as_json: bool, rules_dir: Path | None, lang: str | None) -> None:
    """What if an input changed: the decision diff against the case as it is / 入力を変えたら判断はどう変わるか.

    --set PATH=VALUE changes inputs (values as in a case file: 22万, 令和8年1月1日, 14.6%, true)
    and prints what changes: paths added, removed or re-ranked, figures, warnings, with the rules behind each.

    --open PATH / --close PATH: the smallest change of the sale price, take-home pay, living costs,
    another debt's balance or the date (waiting) that lists PATH or takes it off the list, each
    verified by assessing the changed case (after any --set).
    """
    lang = reader_lang(ctx, lang)
    with Errors(lang):
        from app.whatif import changed_case, parse_settings, what_if
        from render.whatif import smallest_text, whatif_text

        if open_path and close_path:
            raise InputError([Problem("--close", "--open と --close は同時に指定できません", "--open and --close cannot be used together")])
        if sweep_spec and (open_path or close_path):
            raise InputError([Problem("--sweep", "--sweep は --open / --close と同時に指定できません",
                                      "--sweep cannot be used with --open or --close")])
        if plot_file is not None and not sweep_spec:
            raise InputError([Problem("--plot", "--plot は --sweep と一緒に指定してください", "--plot needs --sweep")])
        if plot_file is not None:
            check_target("--plot", plot_file, (".png",), case)
        if sweep_spec:
            from app.sweep import parse_sweep, sweep
            from render.whatif import sweep_text

            spec = parse_sweep(sweep_spec)
            parsed = parse_settings(settings)
            with open_desk(rules_dir) as desk:
                case_obj = desk.load_case(case)
                if parsed:
                    case_obj = changed_case(case_obj, parsed)
                table = sweep(desk, case_obj, spec)
            if plot_file is not None:
                from render.plot import plot_sweep

                plot_sweep(table, plot_file, lang)
            emit(_json(table.to_json()) if as_json else sweep_text(table, lang))
            return
        if not settings and not (open_path or close_path):
            raise InputError([Problem("--set", "変える入力を --set PATH=VALUE で指定してください（または --open / --close）",
                                      "give the inputs to change with --set PATH=VALUE (or --open / --close)")])
        parsed = parse_settings(settings)
        with open_desk(rules_dir) as desk:
            case_obj = desk.load_case(case)
            if open_path or close_path:
                from app.smallest import smallest_change

                path = open_path or close_path
                desk.check_path(path, "--open" if open_path else "--close")
                if parsed:
                    case_obj = changed_case(case_obj, parsed)
                search = smallest_change(desk, case_obj, path, "open" if open_path else "close")
                emit(_json(search.to_json()) if as_json else smallest_text(search, search.original, lang))
                return
            outcome = what_if(desk, case_obj, parsed)
        emit(_json(outcome.to_json(lang)) if as_json else whatif_text(outcome, lang))


@click.command()
@click.argument("case")
@click.option("--ics", "ics_file", default=None, type=click.Path(dir_okay=False, path_type=Path), metavar="FILE.ics",
              help="Also write the dated deadlines not yet passed as calendar events / 期限をカレンダー形式（.ics）で書き出す")
@click.option("--json", "as_json", is_flag=True, help="The deadlines as JSON / JSONで出力")
@rules_option
@lang_option
@click.pass_context
def deadlines(ctx: click.Context, case: str, ics_file: Path | None, as_json: bool, rules_dir: Path | None, lang: str | None) -> None:
    """Every dated deadline the case implies, in date order / 事案から導かれる期限を日付順に.

    Each with what happens when it passes and its source; dates the case cannot fix are listed as missing.
    """
    lang = reader_lang(ctx, lang)
    with Errors(lang):
        from render.whatif import d_, deadlines_text

        if ics_file is not None:
            check_target("--ics", ics_file, (".ics",), case)

        with open_desk(rules_dir) as desk:
            result = desk.assess(desk.load_case(case), explain=False)
        text = (_json({"case_id": result.case_id, "as_of": result.as_of.isoformat(),
                       "deadlines": result.to_json(lang)["deadlines"]})
                if as_json else deadlines_text(result, lang))
        if ics_file is not None:
            from render.ics import calendar_bytes, write_calendar

            data, count = calendar_bytes(result.case_id, result.deadlines, lang)
            write_calendar(ics_file, data)
            if not as_json:
                text += "\n" + d_("ics", lang, n=count, file=ics_file) + "\n"
        emit(text)
