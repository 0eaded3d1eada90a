"""zansai: decision support for residual mortgage debt after a voluntary sale (任意売却後の残債).

The CLI is thin: each command parses its arguments, calls the core and hands
the result to one renderer. Every expected error becomes `location: message`
lines in the chosen language and a non-zero exit code; no traceback reaches
the user.
"""

from __future__ import annotations

import sys

if not ((3, 11) <= sys.version_info[:2] < (3, 13)):  # pragma: no cover - checked before anything imports
    sys.stderr.write(
        "zansai は Python 3.11 または 3.12 が必要です（durable-rules 2.0.28 がそれ以外で動かないため）。\n"
        f"zansai needs Python 3.11 or 3.12 (durable-rules 2.0.28 does not run on {sys.version.split()[0]}).\n"
    )
    raise SystemExit(2)

import atexit
import gc
import json
from pathlib import Path
from typing import Any

import click

# At exit the interpreter runs one last full collection over every object still
# alive: pydantic's schemas, the rule base, the engine's plans, about a million
# objects that are not garbage. Freezing them first (atexit runs before that
# collection) spares every command ~12% of a cold `zansai assess`. Cycles that
# are garbage at that moment are then left to the operating system, as the
# interpreter already does for anything alive at exit.
atexit.register(gc.freeze)
# A start makes ~100,000 container objects that all stay alive (the modules,
# pydantic's schemas, the rule base, the engine): with the default first
# generation of 700 the collector ran about 140 times over them, a full
# collection among them, for nothing (~50 ms of a cold assess). A first
# generation of 150,000 lets a start finish without a collection; a long
# command (serve, batch) still collects, over at most that many young objects.
gc.set_threshold(150_000, 20, 20)

from facts.errors import Problem

from cli_common import (  # noqa: E402  (shared by every command module)
    LANGS,
    Errors,
    emit,
    lang_option,
    max_bytes_option,
    open_desk,
    reader_lang,
    refuse_empty_names,
    rules_option,
)


def _with_japanese(show: Any) -> Any:
    """click's own usage errors (an unknown option, a value out of range) are English only: a Japanese line
    naming the option goes first, click's English message and usage follow as they were."""

    def shown(self: click.UsageError, file: Any = None) -> None:
        param = getattr(self, "param", None)
        name = None if param is None else param.opts[0] if isinstance(param, click.Option) else param.human_readable_name
        if isinstance(self, click.NoSuchOption):
            ja = f"エラー: {self.option_name} というオプションはありません"
        elif isinstance(self, click.MissingParameter) and name:
            ja = f"エラー: {name} の指定が必要です"
        elif isinstance(self, click.BadParameter) and name:
            ja = f"エラー: {name} の値が正しくありません"
        else:
            ja = "エラー: コマンドの指定に誤りがあります"
        click.echo(f"{ja}（下の英語の説明と --help を参照してください）", file=file, err=True)
        show(self, file)

    return shown


click.exceptions.UsageError.show = _with_japanese(click.exceptions.UsageError.show)  # type: ignore[method-assign]


class _LazyGroup(click.Group):
    """A group whose commands named in ``lazy_commands`` are imported when first asked for."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy_commands: dict[str, tuple[str, str, Any]] = {}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy_commands})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in self.commands and name in self.lazy_commands:
            import importlib

            module, attribute, prepare = self.lazy_commands[name]
            command = getattr(importlib.import_module(module), attribute)
            if prepare is not None:
                prepare(command)
            self.add_command(command, name)
        return super().get_command(ctx, name)


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
# the version is looked up only when asked: importing importlib.metadata costs more than a small case
@click.version_option(prog_name="zansai", package_name="zansai")
@click.option("--lang", type=LANGS, default="ja", help="Language: ja (default) or en / 表示言語")
@click.pass_context
def main(ctx: click.Context, lang: str) -> None:
    """zansai — 任意売却後の残債への対処を、根拠つきで判定します。

    Decision support for residual mortgage debt after a voluntary sale:
    which paths fit a case, with the figures, the warnings, and the rules and
    statutes behind each conclusion.
    """
    ctx.ensure_object(dict)
    ctx.obj["lang"] = lang


@main.command()
def schema() -> None:
    """Print the JSON Schema of a case file / 事案ファイルのJSONスキーマを出力."""
    from facts.case import case_json_schema

    emit(json.dumps(case_json_schema(), ensure_ascii=False, indent=2))


@main.command()
@click.argument("cases", nargs=-1, required=True)
@max_bytes_option
@rules_option
@lang_option
@click.pass_context
def validate(ctx: click.Context, cases: tuple[str, ...], max_bytes: int, rules_dir: Path | None, lang: str | None) -> None:
    """Check case files and list every problem / 事案ファイルを検査し、問題をすべて表示."""
    lang = reader_lang(ctx, lang)
    bad = 0
    with Errors(lang):
        desk = open_desk(rules_dir)
        lines: list[str] = []
        for path in cases:
            problems: list[Problem] = desk.validate(path, max_bytes=max_bytes)
            name = "標準入力" if path == "-" and lang == "ja" else ("stdin" if path == "-" else path)
            if problems:
                bad += 1
                lines.append(f"{name}: " + (f"{len(problems)}件の問題" if lang == "ja" else f"{len(problems)} problem(s)"))
                lines.extend(f"  {p.line(lang)}" for p in problems)
            else:
                lines.append(f"{name}: OK")
        emit("\n".join(lines) + "\n")
    if bad:
        raise SystemExit(2)


@main.command()
@click.argument("case")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", help="Output format / 出力形式")
@max_bytes_option
@rules_option
@lang_option
@click.pass_context
def facts(ctx: click.Context, case: str, fmt: str, max_bytes: int, rules_dir: Path | None, lang: str | None) -> None:
    """Print the facts the rules will see / ルールに渡す事実を表示."""
    lang = reader_lang(ctx, lang)
    with Errors(lang):
        from render.facts import facts_json, facts_text

        desk = open_desk(rules_dir)
        factset = desk.facts(desk.load_case(case, max_bytes=max_bytes))
        emit(facts_json(factset) if fmt == "json" else facts_text(factset, lang))


@main.command()
@click.argument("case")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", help="Output format / 出力形式"
)
@click.option(
    "--for", "audience", type=click.Choice(["advisor", "debtor"]), default="advisor",
    help="Reader: advisor (everything) or debtor (no rule ids, rule set or command hints) / 読み手",
)
@click.option("--record", "record", is_flag=True, help="Record the assessment in the audit store / 判定を記録する")
@click.option("--advisor", default=None, help="With --record: who gave the assessment / 担当者")
@click.option("--note", default=None, help="With --record: a note kept with the record / メモ")
@click.option("--db", default=None, metavar="FILE|URL", help="With --record: the audit store (default: $ZANSAI_DB, else the user's data directory)")
@max_bytes_option
@rules_option
@lang_option
@click.pass_context
def assess(
    ctx: click.Context, case: str, fmt: str, audience: str, record: bool, advisor: str | None, note: str | None,
    db: str | None, max_bytes: int, rules_dir: Path | None, lang: str | None,
) -> None:
    """Assess a case: paths, figures, warnings / 事案を判定（進路・数値・注意点）.

    With --record the assessment is stored, sealed, in the audit trail and its record id printed.
    """
    lang = reader_lang(ctx, lang)
    with Errors(lang):
        from facts.errors import InputError
        from render.printed import printed

        for option, given in (("--advisor", advisor), ("--note", note), ("--db", db)):
            if given is not None and not record:  # kept only with a record: silently dropped before
                raise InputError([Problem(option, f"{option} は --record と一緒に指定してください（記録に残す情報です）",
                                          f"{option} goes with --record (it is kept with the record)")])
        if not record:
            with open_desk(rules_dir) as desk:
                # only the JSON document carries the explanations; a report never reads them
                result = desk.assess(desk.load_case(case, max_bytes=max_bytes), explain=fmt == "json")
            emit(printed(result, lang, fmt, audience))
            return
        from cli_audit import record_assessment, recorded_line

        record_id, result = record_assessment(
            case, db, rules_dir, advisor, note, max_bytes=max_bytes, fmt=fmt, audience=audience
        )
        if fmt == "json":  # the id joins the document, so the output stays one JSON value
            emit(json.dumps({"record_id": record_id, **result.to_json(lang)}, ensure_ascii=False, indent=2))
        else:
            # the report as kept with the record, then where to find it again
            text = printed(result, lang, fmt, audience)
            emit(text.rstrip("\n") + "\n\n" + recorded_line(record_id, lang) + "\n")


@main.command()
@click.argument("case", required=False)
@click.option("--why-not", "why_not_path", default=None, help="Explain why a path was not recommended / 推奨されない理由")
@click.option("--rule", "rule_id", default=None, help="Explain one rule on this case / 1つのルールの評価")
@click.option(
    "--result",
    "result_file",
    default=None,
    help="Explain a result saved by `assess --format json`, without re-running the rules / 保存した判定結果から説明",
)
@max_bytes_option
@rules_option
@lang_option
@click.pass_context
def explain(
    ctx: click.Context,
    case: str | None,
    why_not_path: str | None,
    rule_id: str | None,
    result_file: str | None,
    max_bytes: int,
    rules_dir: Path | None,
    lang: str | None,
) -> None:
    """Show why: each conclusion traced back to the case's inputs, with sources / 判断の根拠を表示.

    Give a CASE file, or --result FILE with a result saved by `assess --format json`.
    """
    lang = reader_lang(ctx, lang)
    with Errors(lang):
        from app.desk import load_result
        from facts.errors import InputError, Problem
        from render import explain as X

        refuse_empty_names(why_not=why_not_path, rule=rule_id)
        if why_not_path and rule_id:
            raise InputError([Problem("--rule", "--why-not と --rule は同時に指定できません", "--why-not and --rule cannot be used together")])
        if (case is None) == (result_file is None):
            raise InputError(
                [Problem("CASE", "事案ファイルか --result のどちらか一方を指定してください", "give either a CASE file or --result, not both or neither")]
            )
        if result_file is not None:
            result = load_result(result_file)
        else:
            with open_desk(rules_dir) as desk:
                case_obj = desk.load_case(case, max_bytes=max_bytes)
                if why_not_path:
                    desk.check_path(why_not_path, "--why-not")
                if rule_id:
                    desk.rule(rule_id, "--rule")
                result = desk.assess(case_obj)
        emit(X.explanation_text(result, lang, why_not_path, rule_id))


@main.group()
def rules() -> None:
    """Inspect the rule base / ルールを表示."""


@rules.command("list")
@rules_option
@lang_option
@click.pass_context
def rules_list(ctx: click.Context, rules_dir: Path | None, lang: str | None) -> None:
    """List every rule with its sources / 全ルールと根拠の一覧."""
    lang = reader_lang(ctx, lang)
    with Errors(lang):
        rb = open_desk(rules_dir).rule_base
        head = "ルールセット" if lang == "ja" else "Rule set"
        count = f"{len(rb.rules)} 件のルール" if lang == "ja" else f"{len(rb.rules)} rules"
        origin = "読み込み元" if lang == "ja" else "from"
        lines = [f"{head} {rb.version[:12]} ({count}; {origin}: {rb.origin})"]
        topic = None
        for r in rb.rules:
            if r.topic != topic:
                topic = r.topic
                lines.append("")
                lines.append(f"[{topic}] {rb.topics[topic].get(lang)}")
            lines.append(f"  {r.id}: {r.spec.title.get(lang)}")
            lines.append(f"      {_sources(r.spec.sources, lang)}")
        emit("\n".join(lines) + "\n")


@rules.command("check")
@rules_option
@lang_option
@click.pass_context
def rules_check(ctx: click.Context, rules_dir: Path | None, lang: str | None) -> None:
    """Check a rule base fully: files, names, compiling onto the engine, sources / ルールを検査."""
    lang = reader_lang(ctx, lang)
    with Errors(lang):
        from engine.session import Engine
        from facts.errors import RuleBaseError
        from knowledge.sources import SOURCES_MD, unresolved

        rb = open_desk(rules_dir).rule_base  # the files and every name in them (exit 3 with each problem)
        Engine(rb).close()  # what only compiling finds: patterns durable-rules cannot evaluate safely
        if SOURCES_MD.exists():
            problems = unresolved(rb)
            if problems:
                raise RuleBaseError(problems)
            cited = "根拠はすべて docs/sources.md にあります" if lang == "ja" else "every source is in docs/sources.md"
        else:  # an installed copy without the docs: said, not passed over in silence
            cited = "docs/sources.md がないため根拠は照合していません" if lang == "ja" else "sources not checked: docs/sources.md is not here"
        head = "問題はありません" if lang == "ja" else "No problems"
        count = (f"ルール {len(rb.rules)} 件・パラメータ {len(rb.parameters)} 件" if lang == "ja"
                 else f"{len(rb.rules)} rules, {len(rb.parameters)} parameters")
        emit(f"{head}: {rb.version[:12]} ({count}; {rb.origin}); {cited}\n")


def _sources(sources: list[str], lang: str) -> str:
    """A rule's sources as the reports cite them: the project's notes by docs/sources.md, where they are."""
    from render.explain import sources_text

    return sources_text(sources, lang)


@rules.command("show")
@click.argument("rule_id")
@rules_option
@lang_option
@click.pass_context
def rules_show(ctx: click.Context, rule_id: str, rules_dir: Path | None, lang: str | None) -> None:
    """Show one rule (title, sources, conditions, conclusions) or one parameter (its values by date) / ルールかパラメータを表示."""
    lang = reader_lang(ctx, lang)
    with Errors(lang):
        desk = open_desk(rules_dir)
        rb = desk.rule_base
        if rule_id in rb.parameters and not any(r.id == rule_id for r in rb.rules):
            emit(_parameter_text(rb, rule_id, lang))
            return
        if not any(r.id == rule_id for r in rb.rules):
            from app.names import unknown

            raise unknown("RULE_ID", rule_id, [r.id for r in rb.rules] + list(rb.parameters), "rule_or_parameter")
        r = desk.rule(rule_id, "RULE_ID")
        labels = {
            "ja": ("ルール", "根拠", "注記", "条件", "結論", "ルールセット", "層"),
            "en": ("Rule", "Sources", "Note", "When", "Then", "Rule set", "stratum"),
        }[lang]
        lines = [f"{labels[0]} {r.id} ({r.file}, {labels[6]} {r.stratum})", f"  {r.spec.title.get(lang)}"]
        lines.append(f"{labels[1]}: {_sources(r.spec.sources, lang)}")
        if r.spec.note:
            lines.append(f"{labels[2]}: {r.spec.note.get(lang)}")
        lines.append(f"{labels[3]}:")
        lines.extend(f"  - {c}" for c in r.spec.when) if r.spec.when else lines.append("  (always)")
        lines.append(f"{labels[4]}:")
        for c in r.spec.then:
            lines.append("  - " + json.dumps(c.model_dump(exclude_none=True), ensure_ascii=False))
        lines.append(f"{labels[5]}: {rb.version[:12]}")
        emit("\n".join(lines) + "\n")


def _parameter_text(rb: Any, name: str, lang: str) -> str:
    """A parameter as an author checks it: what it is, each value with the date it takes effect and its
    sources, and the rules that read it."""
    from facts import display
    from knowledge.parameters import Parameter

    p: Parameter = rb.parameters[name]
    ja = lang == "ja"
    lines = [f"{'パラメータ' if ja else 'Parameter'} {name} (kind: {p.kind}" + (f", {'実務の目安' if ja else 'from practice'}" if p.practice else "") + ")",
             f"  {p.title.get(lang)}"]
    if p.applies_on != "as_of":
        lines.append(("値を選ぶ日: " if ja else "Value chosen on: ") + p.applies_on)
    for entry in p.history:
        since = (f"{entry.from_.isoformat()} から" if ja else f"from {entry.from_.isoformat()}") if p.dated else ("常に" if ja else "always")
        lines.append(f"  - {since}: {display.value(entry.value, p.kind, lang, p.unit)}  [{_sources(list(entry.sources), lang)}]")
    if p.note:
        lines.append(("注記: " if ja else "Note: ") + p.note.get(lang))
    readers = [r.id for r in rb.rules if name in r.parameters_read]
    lines.append(("読むルール: " if ja else "Read by: ") + (", ".join(readers) or "—"))
    lines.append(f"{'ルールセット' if ja else 'Rule set'}: {rb.version[:12]}")
    return "\n".join(lines) + "\n"


def _add_document(command: click.Command) -> None:
    for sub in command.commands.values():  # the same case-file limit as assess
        max_bytes_option(sub)


# The other command modules are imported only when their command runs (or
# --help lists them): importing them all cost every `zansai assess` ~25 ms.
# FastAPI and uvicorn come later still, when the server starts.
main.lazy_commands.update(
    {
        "batch": ("batch.command", "batch", None),
        "audit": ("cli_audit", "audit", None),
        "document": ("cli_document", "document", _add_document),
        "serve": ("cli_web", "serve", None),
        "users": ("cli_web", "users", None),
        "whatif": ("cli_whatif", "whatif", None),
        "deadlines": ("cli_whatif", "deadlines", None),
    }
)


if __name__ == "__main__":  # pragma: no cover
    main()
