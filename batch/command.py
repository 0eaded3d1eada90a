"""``zansai batch``: the click command (registered by cli.py)."""

from __future__ import annotations

import sys

import click

from batch.desk import ZansaiError


@click.command("batch")
@click.argument("input_path", metavar="INPUT")
@click.option("-o", "--output", default="-", show_default=True, help="Output file (.jsonl or .csv), or - for standard output / 出力先")
@click.option("--format", "output_format", type=click.Choice(["jsonl", "csv"]), default=None,
              help="Output: JSON Lines of results, or a CSV summary (default: from the output's name) / 出力形式")
@click.option("--input-format", type=click.Choice(["jsonl", "csv", "xlsx", "folder"]), default=None,
              help="Input format (default: from INPUT's name) / 入力形式")
@click.option("--encoding", default=None, help="Encoding of a CSV input (default: UTF-8 or CP932, detected) / 入力CSVの文字コード")
@click.option("--output-encoding", default="utf-8", show_default=True,
              help="Encoding of the output; cp932 for Excel in Japan / 出力の文字コード（Excel向けは cp932）")
@click.option("--workers", type=click.IntRange(min=1), default=None, help="Worker processes (default: the CPUs) / ワーカー数")
@click.option("--fail-fast", is_flag=True, help="Stop at the first record that fails / 最初の失敗で停止")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar and no summary / 進捗と集計を表示しない")
@click.option("--rules", "rules_dir", type=click.Path(file_okay=False), default=None,
              help="Rule base folder (default: the installed rules/) / ルールのフォルダ")
@click.option("--explanations", is_flag=True,
              help="Keep the explanations (every rule on the final facts) in each JSON result; slower / 説明データも出力")
@click.option("--record", is_flag=True, help="Write every assessment to the audit store, a transaction per chunk / 監査記録に保存")
@click.option("--db", default=None, help="The audit store: a SQLite file or a postgresql:// URL (default: ZANSAI_DB, else the user's data folder) / 監査記録の保存先")
@click.option("--lang", type=click.Choice(["ja", "en"]), default=None, help="Language of texts and messages / 表示言語")
@click.pass_context
def batch(ctx: click.Context, input_path: str, output: str, output_format: str | None, input_format: str | None,
          encoding: str | None, output_encoding: str, workers: int | None, fail_fast: bool, quiet: bool,
          rules_dir: str | None, explanations: bool, record: bool, db: str | None, lang: str | None) -> None:
    """Assess many cases: JSON Lines, a folder of case files, CSV or .xlsx / 多数の事案を一括判定.

    CSV and Excel columns are dotted field names (debtor.annual_income,
    other_debts.0.balance …); an empty cell is an absent value. A record that
    cannot be read or assessed gets an error row and the batch goes on; the
    exit status is then that of the worst failure (2 input, 4 engine).
    """
    from batch.runner import Interrupted, Options, run_batch

    lang = lang or (ctx.obj or {}).get("lang") or "ja"
    opts = Options(
        input=input_path,
        output=output,
        input_format=input_format,
        output_format=output_format,
        encoding=encoding,
        output_encoding=output_encoding,
        workers=workers,
        lang=lang,
        fail_fast=fail_fast,
        progress=not quiet and sys.stderr.isatty(),
        rules_dir=rules_dir,
        record=record,
        db=db,
        explain=explanations,
    )
    # A batch stopped from outside (kill, a closed terminal) still removes its unfinished output file.
    import signal

    stopped_by: list[int] = []

    def stop(signum: int, frame: object) -> None:
        # as Ctrl-C: the batch stops the same way and says how far it got and what it recorded
        stopped_by.append(signum)
        raise KeyboardInterrupt

    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, stop)
    try:
        summary = run_batch(opts)
    except ZansaiError as error:
        for line in error.lines(lang):
            click.echo(line, err=True)
        raise SystemExit(error.exit_code) from None
    except Interrupted as stopped:
        for line in stopped.lines(lang):
            click.echo(line, err=True)
        raise SystemExit(128 + (stopped_by[0] if stopped_by else signal.SIGINT)) from None
    except KeyboardInterrupt:
        raise SystemExit(128 + (stopped_by[0] if stopped_by else signal.SIGINT)) from None
    if summary.stopped is not None:
        for problem in summary.stopped.problems:
            click.echo(problem.line(lang), err=True)
    if not quiet:
        for line in summary.lines(lang):
            click.echo(line, err=True)
    if summary.exit_code:
        raise SystemExit(summary.exit_code)
