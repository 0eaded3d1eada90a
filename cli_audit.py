"""``zansai audit …`` and ``assess --record``: the audit trail's doors.

Thin like the rest of the CLI: parse, call ``app.records`` (or the store for
verify/list/purge), hand the data to ``render.audit``. The store comes from
``--db``, else ``ZANSAI_DB``, else the user's data directory.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Callable

import click

from cli_common import Errors, check_target, emit, lang_option, open_desk, reader_lang, refuse_empty_names, rules_option

from facts.errors import InputError, Problem

EXIT_TAMPERED = 1
EXIT_UNREPLAYED = 1  # replay --all: at least one record could not be replayed (each is named)
EXIT_CHANGED = 5  # replay --all --fail-on-change: some decision differs from the recorded one

# cli.py imports this module to register the group, so nothing is taken from
# cli at import time (``python cli.py`` would otherwise import it in a cycle):
# the shared helpers are looked up when a command runs.


def db_option(func: Callable) -> Callable:
    return click.option(
        "--db",
        "db",
        default=None,
        metavar="FILE|URL",
        help="Audit store: a SQLite file or a postgresql:// URL (default: $ZANSAI_DB, else the user's data directory) / 監査記録の保存先",
    )(func)


def _open(db: str | None, must_exist: bool = True):
    from app.records import open_store

    # the audit commands read a store that must already be there; only recording makes one
    return open_store(db, must_exist=must_exist)


def _date(value: str | None, option: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):  # the form is right: the day is not in the calendar
            raise InputError([Problem(option, f"その日付はありません: {value}", f"there is no such date: {value}")]) from None
        raise InputError(
            [Problem(option, f"日付は YYYY-MM-DD で指定してください: {value!r}", f"give the date as YYYY-MM-DD: {value!r}")]
        ) from None


def record_assessment(
    case: str, db: str | None, rules_dir: Path | None, advisor: str | None, note: str | None, *,
    max_bytes: int, fmt: str = "text", audience: str = "advisor",
):
    """For ``assess --record``: assess, record with the report as printed, and return (record id, Result)."""
    from app.records import record_assessment as record
    from render.printed import reports_as_printed

    with _open(db, must_exist=False) as store, open_desk(rules_dir) as desk:
        return record(
            store, desk, case, advisor=advisor, note=note, max_bytes=max_bytes,
            reports=lambda result: reports_as_printed(result, fmt, audience),
        )


def recorded_line(record_id: int, lang: str) -> str:
    from render.audit import t

    return t("recorded", lang, id=record_id)


@click.group()
def audit() -> None:
    """The audit trail: recorded assessments, sealed and replayable / 判定の記録（監査証跡）."""


@audit.command("list")
@click.option("--case", "case_id", default=None, help="Only this case id / 事案ID")
@click.option("--advisor", default=None, help="Only this advisor / 担当者")
@click.option("--from", "date_from", default=None, metavar="YYYY-MM-DD", help="Recorded on or after (UTC) / この日以降")
@click.option("--to", "date_to", default=None, metavar="YYYY-MM-DD", help="Recorded on or before (UTC) / この日以前")
@click.option("--rank1", default=None, metavar="PATH", help="Only records whose first path was PATH / 第1候補の進路")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", help="Output format / 出力形式")
@db_option
@lang_option
@click.pass_context
def audit_list(ctx: click.Context, case_id, advisor, date_from, date_to, rank1, fmt, db, lang) -> None:
    """List recorded assessments / 記録の一覧."""
    lang = reader_lang(ctx, lang)
    with Errors(lang):
        from render.audit import record_list, record_list_json

        since, until = _date(date_from, "--from"), _date(date_to, "--to")
        if rank1 is not None:  # a misspelt path listed no records, as if none had it first
            with open_desk(None) as desk:
                desk.check_path(rank1, "--rank1")
        with _open(db) as store:
            rows = store.list(case_id=case_id, advisor=advisor, since=since, until=until, rank1=rank1)
        emit(record_list_json(rows) if fmt == "json" else record_list(rows, lang))


@audit.command("show")
@click.argument("record_id", type=int)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", help="Output format / 出力形式"
)
@click.option("--for", "audience", type=click.Choice(["advisor", "debtor"]), default="advisor", help="Reader / 読み手")
@db_option
@lang_option
@click.pass_context
def audit_show(ctx: click.Context, record_id: int, fmt: str, audience: str, db, lang) -> None:
    """The report exactly as it was given (no engine) / 記録した判定をそのまま表示.

    A record made before zansai kept its reports, by a batch, or asked for in a
    form that was not printed is rendered again from the stored result by
    today's renderer; a note on standard error says so.
    """
    lang = reader_lang(ctx, lang)
    with Errors(lang):
        from app.records import recorded_report, stored_result

        with _open(db) as store:
            text = recorded_report(store, record_id, lang, fmt, audience)
            result = stored_result(store, record_id) if text is None else None
        if result is not None:
            from render.audit import t
            from render.printed import printed

            text = printed(result, lang, fmt, audience)
            click.echo(t("rerendered", lang, id=record_id), err=True)
        assert text is not None
        emit(text)


@audit.command("explain")
@click.argument("record_id", type=int)
@click.option("--why-not", "why_not_path", default=None, help="Why a path was not recommended / 推奨されない理由")
@click.option("--rule", "rule_id", default=None, help="How one rule fared on this case / 1つのルールの評価")
@db_option
@lang_option
@click.pass_context
def audit_explain(ctx: click.Context, record_id: int, why_not_path, rule_id, db, lang) -> None:
    """Why, from the stored data alone (no rule base, no engine) / 記録から判断の根拠を表示."""
    lang = reader_lang(ctx, lang)
    with Errors(lang):
        from app.records import stored_result
        from render import explain as X

        refuse_empty_names(why_not=why_not_path, rule=rule_id)
        if why_not_path and rule_id:
            raise InputError([Problem("--rule", "--why-not と --rule は同時に指定できません", "--why-not and --rule cannot be used together")])
        with _open(db) as store:
            result = stored_result(store, record_id)
        emit(X.explanation_text(result, lang, why_not_path, rule_id))


@audit.command("export")
@click.argument("record_id", type=int)
@click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Bundle file to write / 書き出すファイル")
@db_option
@lang_option
@click.pass_context
def audit_export(ctx: click.Context, record_id: int, output: Path, db, lang) -> None:
    """Write a self-contained bundle: case, result, rule files, hashes / 記録を単体で検証できる形で書き出す."""
    lang = reader_lang(ctx, lang)
    with Errors(lang):
        from render.audit import t

        with _open(db) as store:
            # an export named like the store would replace the whole trail
            store_file = store.location.path
            check_target("-o", output, None, None, keep=((store_file, "監査記録の保存先", "the audit store"),) if store_file else ())
            bundle = store.export(record_id)
        data = json.dumps(bundle, ensure_ascii=False, indent=1) + "\n"
        tmp = output.with_name(output.name + ".partial")
        try:
            tmp.write_text(data, encoding="utf-8")
            tmp.chmod(0o600)  # it holds a client's case and result, as the store does
            tmp.replace(output)  # never a half-written bundle under the real name
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise InputError([Problem(str(output), f"書き込めません: {exc.strerror or exc}", f"cannot write: {exc.strerror or exc}")]) from None
        click.echo(t("exported", lang, id=record_id, file=output), err=True)


@audit.command("verify")
@db_option
@lang_option
@click.pass_context
def audit_verify(ctx: click.Context, db, lang) -> None:
    """Re-hash the whole store; name the first altered, inserted or removed record (exit 1) / 改ざんの検査."""
    lang = reader_lang(ctx, lang)
    with Errors(lang):
        from render.audit import verify_text

        with _open(db) as store:
            report = store.verify()
            where = store.display
        emit(verify_text(report, where, lang))
    if not report.ok:
        raise SystemExit(EXIT_TAMPERED)


@audit.command("verify-bundle")
@click.argument("bundle_file", type=click.Path(dir_okay=False, path_type=Path))
@lang_option
@click.pass_context
def audit_verify_bundle(ctx: click.Context, bundle_file: Path, lang) -> None:
    """Check an exported bundle on its own, on any machine (exit 1 if altered) / 書き出した記録の検査."""
    lang = reader_lang(ctx, lang)
    with Errors(lang):
        from app.records import verify_bundle_file
        from render.audit import bundle_text

        bundle, findings = verify_bundle_file(bundle_file)
        emit(bundle_text(findings, bundle, lang))
    if findings:
        raise SystemExit(EXIT_TAMPERED)


@audit.command("replay")
@click.argument("record_id", type=int, required=False)
@click.option("--all", "replay_all", is_flag=True, help="Replay every record and summarise / すべての記録を再判定")
@click.option("--recorded", is_flag=True, help="Replay under the recorded rule-base version / 記録時のルールで再判定")
@click.option("--fail-on-change", is_flag=True,
              help="With --all: exit 5 if any decision changed, to gate a rule release / 判定が変わればエラー終了")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", help="Output format / 出力形式")
@rules_option
@db_option
@lang_option
@click.pass_context
def audit_replay(ctx: click.Context, record_id, replay_all, recorded, fail_on_change, fmt, rules_dir, db, lang) -> None:
    """Re-run a recorded case under today's rules (or --rules DIR) and show what changed and why / 再判定と差分."""
    lang = reader_lang(ctx, lang)
    with Errors(lang):
        from app import records as R
        from render.audit import replay_all_text, replay_text

        if (record_id is None) == (not replay_all):
            raise InputError([Problem("RECORD_ID", "記録IDか --all のどちらか一方を指定してください",
                                      "give either a RECORD_ID or --all, not both or neither")])
        if fail_on_change and not replay_all:
            raise InputError([Problem("--fail-on-change", "--fail-on-change は --all と一緒に使います",
                                      "--fail-on-change goes with --all")])
        if recorded and rules_dir is not None:
            raise InputError([Problem("--recorded", "--recorded と --rules は同時に指定できません",
                                      "--recorded and --rules cannot be used together")])
        with _open(db) as store:
            desk = None if recorded else open_desk(rules_dir)
            try:
                if replay_all:
                    every = R.replay_all(store, desk)
                else:
                    one = R.replay(store, record_id, desk)
            finally:
                if desk is not None:
                    desk.close()
        if not replay_all:
            emit(json.dumps(one.to_json(), ensure_ascii=False, indent=2) if fmt == "json" else replay_text(one, lang))
            return
        if fmt == "json":
            # one JSON value: the replays as before, then the records that could not be replayed
            data = {"replays": [rp.to_json() for rp in every.replays], "failed": [f.to_json() for f in every.failures]}
            emit(json.dumps(data, ensure_ascii=False, indent=2))
        else:
            emit(replay_all_text(every, lang))
    if replay_all and not every.ok:
        raise SystemExit(EXIT_UNREPLAYED)
    if replay_all and fail_on_change and every.changed:
        raise SystemExit(EXIT_CHANGED)


@audit.command("purge")
@click.option("--case", "case_id", required=True, help="The case whose personal data to erase / 消去する事案ID")
@click.option("--advisor", default=None, help="Who asked for the purge / 担当者")
@click.option("--note", default=None, help="Why (no personal data here) / 理由")
@db_option
@lang_option
@click.pass_context
def audit_purge(ctx: click.Context, case_id: str, advisor, note, db, lang) -> None:
    """Erase a client's data on request; hashes stay and the chain still verifies / 個人データの消去."""
    lang = reader_lang(ctx, lang)
    with Errors(lang):
        from render.audit import t

        with _open(db) as store:
            purge_id, ids = store.purge(case_id, advisor=advisor, note=note)
        emit(t("purge_done", lang, case=case_id, ids=", ".join(map(str, ids)), id=purge_id) + "\n")
