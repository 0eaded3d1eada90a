"""The audit trail as an advisor uses it: record, list, show, explain, export, verify, replay, purge.

The acceptance of issue 8 is here: a recorded assessment replayed under a copy
of rules/ with one threshold changed names the parameter, the rules that read
it and the recommendation that changed; one byte edited in the database makes
verify fail naming the record; replaying under the recorded version gives the
recorded result back exactly, for every example case. The commands run on
SQLite and on a real PostgreSQL.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
CASE_A = str(ROOT / "examples" / "case_a.yaml")


def run(*args: str, input: str | bytes | None = None):
    result = CliRunner().invoke(main, list(args), input=input)
    assert "Traceback" not in (result.output or ""), result.output
    return result


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request, tmp_path):
    if request.param == "sqlite":
        return str(tmp_path / "audit.sqlite3")
    return request.getfixturevalue("pg_url")


@pytest.fixture
def sqlite_db(tmp_path):
    return str(tmp_path / "audit.sqlite3")


def record(db: str, case: str = CASE_A, *extra: str) -> int:
    result = run("assess", case, "--record", "--db", db, "--format", "json", *extra)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["record_id"]


def rules_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "rules-copy"
    shutil.copytree(ROOT / "rules", copy, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    return copy


def test_recording_prints_the_record_id_and_the_store_keeps_who_and_why(db):
    result = run("assess", CASE_A, "--record", "--db", db, "--advisor", "yamada", "--note", "first meeting")
    assert result.exit_code == 0, result.output
    assert "記録 1" in result.stdout and "zansai audit show 1" in result.stdout
    assert record(db) == 2
    listed = run("audit", "list", "--db", db, "--format", "json", "--advisor", "yamada")
    rows = json.loads(listed.stdout)
    assert [r["id"] for r in rows] == [1]
    assert {"id", "case_id", "advisor", "recorded_at", "ruleset_version", "rank1"} <= set(rows[0])
    assert (rows[0]["case_id"], rows[0]["rank1"]) == ("case-a", "voluntary_sale")
    assert len(rows[0]["ruleset_version"]) == 64
    assert run("audit", "verify", "--db", db).exit_code == 0


def test_a_bad_case_is_not_recorded(sqlite_db, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("case_id: x\ndebtor:\n  anual_income: 300万\n", encoding="utf-8")
    result = run("assess", str(bad), "--record", "--db", sqlite_db)
    assert result.exit_code == 2
    assert json.loads(run("audit", "list", "--db", sqlite_db, "--format", "json").stdout) == []


def test_list_filters_and_bad_dates(sqlite_db):
    record(sqlite_db)
    record(sqlite_db, str(ROOT / "examples" / "under_loan.yaml"))
    out = run("audit", "list", "--db", sqlite_db, "--format", "json", "--rank1", "voluntary_sale")
    assert [r["case_id"] for r in json.loads(out.stdout)] == ["case-a"]
    out = run("audit", "list", "--db", sqlite_db, "--format", "json", "--case", "under-loan")
    assert [r["id"] for r in json.loads(out.stdout)] == [2]
    out = run("audit", "list", "--db", sqlite_db, "--format", "json", "--to", "2000-01-01")
    assert json.loads(out.stdout) == []
    bad = run("audit", "list", "--db", sqlite_db, "--from", "yesterday")
    assert bad.exit_code == 2 and "--from" in bad.stderr and "yesterday" in bad.stderr


@pytest.mark.parametrize("args", [(), ("--lang", "en"), ("--format", "markdown"), ("--format", "json", "--lang", "en"),
                                  ("--for", "debtor")])
def test_show_prints_the_report_exactly_as_it_was_given(sqlite_db, args, monkeypatch):
    record(sqlite_db)
    given = run("assess", CASE_A, *args)
    from app.desk import Desk

    def no_engine(self):
        raise AssertionError("audit show must not run the engine")

    monkeypatch.setattr(Desk, "engine", property(no_engine))
    shown = run("audit", "show", "1", "--db", sqlite_db, *args)
    assert shown.exit_code == 0, shown.output
    assert shown.stdout == given.stdout


def test_show_prints_the_kept_report_even_after_the_renderer_changed(sqlite_db, monkeypatch):
    recorded = run("assess", CASE_A, "--record", "--db", sqlite_db, "--format", "markdown")
    assert recorded.exit_code == 0, recorded.output
    before = {lang: run("assess", CASE_A, "--format", "markdown", "--lang", lang).stdout for lang in ("ja", "en")}
    assert recorded.stdout.startswith(before["ja"].rstrip("\n") + "\n\n")  # the report printed, then the record id

    from render import report

    monkeypatch.setitem(report._L, "title", {"ja": "新しい見出し", "en": "A new heading"})
    assert "A new heading" in run("assess", CASE_A, "--format", "markdown", "--lang", "en").stdout  # the renderer did change
    for lang in ("ja", "en"):  # both languages were kept, whichever was printed
        shown = run("audit", "show", "1", "--db", sqlite_db, "--format", "markdown", "--lang", lang)
        assert shown.exit_code == 0, shown.output
        assert shown.stdout_bytes == before[lang].encode("utf-8")
        assert shown.stderr == ""
    # a form that was not printed is made again, by today's renderer, and says so
    other = run("--lang", "en", "audit", "show", "1", "--db", sqlite_db)
    assert other.exit_code == 0 and "A new heading" in other.stdout
    assert "keeps no report as printed" in other.stderr and "rendered again by today's renderer" in other.stderr


def test_a_record_that_kept_no_report_is_shown_re_rendered_saying_so(sqlite_db, tmp_path, monkeypatch):
    from audit import Store

    from app.desk import Desk
    from app.records import assessment_fields, new_record, version_fields

    with Desk() as desk:  # as records were made before zansai kept reports (and as a batch makes them)
        data = Path(CASE_A).read_bytes()
        case = desk.parse_case(data, CASE_A)
        result = desk.assess(case)
        with Store.open(sqlite_db) as store:
            store.record(new_record(assessment_fields(data, case, result), version_fields(desk.rule_base)))
    today = run("assess", CASE_A, "--lang", "en").stdout
    shown = run("audit", "show", "1", "--db", sqlite_db, "--lang", "en")
    assert shown.exit_code == 0 and shown.stdout == today
    assert "rendered again by today's renderer" in shown.stderr
    ja = run("audit", "show", "1", "--db", sqlite_db)
    assert "今日の表示プログラムで作り直した" in ja.stderr


def test_explain_works_from_the_stored_data_alone(sqlite_db, monkeypatch):
    record(sqlite_db)
    given = run("explain", CASE_A, "--why-not", "specific_conciliation", "--lang", "en")
    from app.desk import Desk

    monkeypatch.setattr(Desk, "engine", property(lambda self: (_ for _ in ()).throw(AssertionError("engine used"))))
    monkeypatch.setattr(Desk, "__init__", lambda *a, **k: (_ for _ in ()).throw(AssertionError("rule base loaded")))
    stored = run("audit", "explain", "1", "--db", sqlite_db, "--why-not", "specific_conciliation", "--lang", "en")
    assert stored.exit_code == 0, stored.output
    assert stored.stdout == given.stdout
    assert run("audit", "explain", "1", "--db", sqlite_db).exit_code == 0
    unknown = run("audit", "explain", "1", "--db", sqlite_db, "--why-not", "specific_conciliaton")
    assert unknown.exit_code == 2 and "specific_conciliation" in unknown.stderr


def test_replay_under_a_changed_threshold_names_the_parameter_the_rules_and_the_changed_recommendation(db, tmp_path):
    rid = record(db)
    copy = rules_copy(tmp_path)
    params = copy / "parameters.yaml"
    text = params.read_text(encoding="utf-8")
    block = re.search(r"- name: rehabilitation_debt_cap\n(?:    .*\n)+", text).group(0)
    assert "value: 50000000" in block
    params.write_text(text.replace(block, block.replace("value: 50000000", "value: 5000000")), encoding="utf-8")

    out = run("--lang", "en", "audit", "replay", str(rid), "--db", db, "--rules", str(copy))
    assert out.exit_code == 0, out.output
    text = out.stdout
    assert "path removed: Individual rehabilitation (individual_rehabilitation) #2" in text
    assert "parameter rehabilitation_debt_cap" in text and "50,000,000 → 5,000,000" in text
    assert re.search(r"read by: .*rehabilitation\.path\b", text)
    assert "warning added: Rehabilitation debt cap exceeded" in text

    data = json.loads(run("audit", "replay", str(rid), "--db", db, "--rules", str(copy), "--format", "json").stdout)
    removed = [c for c in data["changes"] if c["kind"] == "path_removed"]
    assert [c["name"] for c in removed] == ["individual_rehabilitation"]
    assert removed[0]["because"] == ["parameter:rehabilitation_debt_cap"]
    assert "rehabilitation.path" in removed[0]["via"]["rehabilitation_debt_cap"]
    assert data["rule_base"]["parameters"] == [
        {"name": "rehabilitation_debt_cap", "change": "changed", "old": 50000000, "new": 5000000,
         "title": data["rule_base"]["parameters"][0]["title"]}
    ]
    assert data["rule_base"]["rules"] == []
    assert not data["identical"]


def test_replay_under_a_changed_rule_names_the_rule_and_what_changed_in_it(sqlite_db, tmp_path):
    rid = record(sqlite_db)
    copy = rules_copy(tmp_path)
    path = copy / "rehabilitation.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("  - id: rehabilitation.path\n")
    end = text.index("  - id:", start + 1)
    rule = text[start:end]
    assert "      - debtor.income_stable\n" in rule
    path.write_text(text[:start] + rule.replace("      - debtor.income_stable\n", "      - not debtor.income_stable\n") + text[end:],
                    encoding="utf-8")
    data = json.loads(run("audit", "replay", str(rid), "--db", sqlite_db, "--rules", str(copy), "--format", "json").stdout)
    assert data["rule_base"]["rules"] == [
        {"id": "rehabilitation.path", "change": "changed", "fields": ["when"], "title": data["rule_base"]["rules"][0]["title"]}
    ]
    removed = [c for c in data["changes"] if c["kind"] == "path_removed"]
    assert [c["name"] for c in removed] == ["individual_rehabilitation"]
    assert "rule:rehabilitation.path" in removed[0]["because"]
    ja = run("audit", "replay", str(rid), "--db", sqlite_db, "--rules", str(copy)).stdout
    assert "ルール rehabilitation.path" in ja and "変更 (条件)" in ja and "進路がなくなりました: 個人再生" in ja


def test_replay_all_fail_on_change_exits_5_only_when_a_decision_changed(sqlite_db, tmp_path):
    record(sqlite_db)
    assert run("audit", "replay", "--all", "--fail-on-change", "--db", sqlite_db).exit_code == 0  # today's rules: unchanged
    copy = rules_copy(tmp_path)
    params = copy / "parameters.yaml"
    text = params.read_text(encoding="utf-8")
    assert text.count("    value: 0.70\n") == 1
    params.write_text(text.replace("    value: 0.70\n", "    value: 0.60\n"), encoding="utf-8")  # the auction ratio
    changed = run("--lang", "en", "audit", "replay", "--all", "--fail-on-change", "--db", sqlite_db, "--rules", str(copy))
    assert changed.exit_code == 5 and "1 changed" in changed.stdout
    assert run("audit", "replay", "--all", "--db", sqlite_db, "--rules", str(copy)).exit_code == 0  # a summary alone still passes
    one = run("--lang", "en", "audit", "replay", "1", "--fail-on-change", "--db", sqlite_db)
    assert one.exit_code == 2 and "--fail-on-change goes with --all" in one.output


def test_replaying_under_the_recorded_version_reproduces_every_example_exactly(sqlite_db):
    ids = [record(sqlite_db, str(path)) for path in EXAMPLES]
    out = run("audit", "replay", "--all", "--recorded", "--db", sqlite_db, "--format", "json")
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert [d["record"] for d in data["replays"]] == ids and data["failed"] == []
    for d in data["replays"]:
        assert d["identical"], d["case_id"]
        assert d["unchanged"] and d["changes"] == [] and d["rule_base"]["rules"] == [] and d["rule_base"]["parameters"] == []
    summary = run("--lang", "en", "audit", "replay", "--all", "--db", sqlite_db).stdout
    assert f"{len(EXAMPLES)} records replayed: 0 changed, {len(EXAMPLES)} unchanged" in summary


def test_replay_all_goes_on_past_a_record_it_cannot_replay_and_names_each_one(sqlite_db, tmp_path):
    from sqlalchemy import update

    from audit import Store
    from audit.schema import rule_files

    record(sqlite_db)
    copy = rules_copy(tmp_path)
    params = copy / "parameters.yaml"
    params.write_text(params.read_text(encoding="utf-8").replace("value: 50000000", "value: 40000000", 1), encoding="utf-8")
    rid_copy = record(sqlite_db, str(ROOT / "examples" / "under_loan.yaml"), "--rules", str(copy))
    last = record(sqlite_db, str(ROOT / "examples" / "under_loan.yaml"))
    with Store.open(sqlite_db) as store:  # the copy's parameters.yaml, kept only for its version, altered
        digest = __import__("hashlib").sha256(params.read_bytes()).hexdigest()
        with store.engine.begin() as conn:
            assert conn.execute(update(rule_files).where(rule_files.c.sha256 == digest).values(content=b"x")).rowcount == 1

    out = run("--lang", "en", "audit", "replay", "--all", "--recorded", "--db", sqlite_db)
    assert out.exit_code == 1, out.output
    assert "2 records replayed: 0 changed, 2 unchanged" in out.stdout
    assert "1 records could not be replayed:" in out.stdout
    assert f"record {rid_copy}: " in out.stdout and "parameters.yaml" in out.stdout and "altered" in out.stdout
    assert f"{last:>5}  under-loan  the decision is unchanged" in out.stdout  # the one after it was replayed too
    ja = run("audit", "replay", "--all", "--recorded", "--db", sqlite_db)
    assert ja.exit_code == 1 and f"記録 {rid_copy}: " in ja.stdout and "再判定できなかった記録 1 件" in ja.stdout
    data = json.loads(run("audit", "replay", "--all", "--recorded", "--db", sqlite_db, "--format", "json").stdout)
    assert [d["record"] for d in data["replays"]] == [1, last]
    assert [(f["record"], f["case_id"]) for f in data["failed"]] == [(rid_copy, "under-loan")]
    assert "altered" in data["failed"][0]["errors"][0]["en"] and data["failed"][0]["errors"][0]["ja"]


def test_editing_one_byte_of_the_database_makes_verify_fail_naming_the_record(tmp_path):
    db = tmp_path / "audit.sqlite3"
    record(str(db), CASE_A, "--advisor", "yamada")
    record(str(db), CASE_A, "--advisor", "sato-unique-advisor")
    record(str(db), CASE_A, "--advisor", "yamada")
    assert run("audit", "verify", "--db", str(db)).exit_code == 0
    original = db.read_bytes()
    places = [m.start() for m in re.finditer(b"sato-unique-advisor", original)]
    assert len(places) == 2  # the record's row, and its copy in the advisor index
    for at in places:
        data = bytearray(original)
        data[at] = ord("S")
        db.write_bytes(bytes(data))
        out = run("--lang", "en", "audit", "verify", "--db", str(db))
        assert out.exit_code == 1, at
        assert "First problem:\n  record 2 altered" in out.stdout, out.stdout


def test_export_and_verify_bundle_on_another_machine(db, tmp_path):
    rid = record(db, CASE_A, "--note", "bundle me")
    bundle = tmp_path / "elsewhere" / "record.json"
    bundle.parent.mkdir()
    out = run("audit", "export", str(rid), "-o", str(bundle), "--db", db)
    assert out.exit_code == 0, out.output
    ok = run("--lang", "en", "audit", "verify-bundle", str(bundle))
    assert ok.exit_code == 0 and "the bundle is whole" in ok.stdout
    data = json.loads(bundle.read_text(encoding="utf-8"))
    assert data["ruleset"]["files"].keys() >= {"parameters.yaml", "catalog.yaml", "rehabilitation.yaml"}
    assert data["case"]["case_id"] == "case-a" and data["note"] == "bundle me"
    # the seal in the bundle is the one in the store's chain
    seal = json.loads(run("audit", "list", "--db", db, "--format", "json").stdout)
    assert data["record_hash"] and data["record"]["id"] == rid and seal
    data["result"]["recommendations"][0]["rank"] = 9
    bundle.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    bad = run("--lang", "en", "audit", "verify-bundle", str(bundle))
    assert bad.exit_code == 1 and "the result does not match its hash" in bad.stdout
    bundle.write_text("not json", encoding="utf-8")
    assert run("audit", "verify-bundle", str(bundle)).exit_code == 2


def test_purge_erases_the_clients_data_and_the_chain_still_verifies(db):
    record(db)
    record(db, str(ROOT / "examples" / "under_loan.yaml"))
    out = run("--lang", "en", "audit", "purge", "--case", "case-a", "--db", db, "--note", "client request")
    assert out.exit_code == 0, out.output
    assert "records 1" in out.stdout and "purge record 3" in out.stdout
    assert run("audit", "verify", "--db", db).exit_code == 0
    shown = run("--lang", "en", "audit", "show", "1", "--db", db)
    assert shown.exit_code == 2 and "purged" in shown.stderr
    rows = json.loads(run("audit", "list", "--db", db, "--format", "json", "--case", "case-a").stdout)
    assert rows == [{**rows[0], "case_id": None, "purged": True}]
    assert run("audit", "show", "2", "--db", db).exit_code == 0
    again = run("audit", "purge", "--case", "case-a", "--db", db)
    assert again.exit_code == 2


def test_store_problems_are_messages_not_tracebacks(tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("not a database", encoding="utf-8")
    out = run("--lang", "en", "audit", "list", "--db", str(notes))
    assert out.exit_code == 5 and "not a zansai audit store" in out.stderr
    assert notes.read_text(encoding="utf-8") == "not a database"
    # a store path that is not there (mistyped) is said so, and not made: verify once reported "0 records, no tampering"
    for command in (["verify"], ["list"], ["show", "7"]):
        absent = run("--lang", "en", "audit", *command, "--db", str(tmp_path / "typo.sqlite3"))
        assert absent.exit_code == 5 and "there is no audit store here" in absent.stderr
    assert not (tmp_path / "typo.sqlite3").exists()
    from audit import Store

    Store.open(str(tmp_path / "new.sqlite3")).close()
    missing = run("--lang", "en", "audit", "show", "7", "--db", str(tmp_path / "new.sqlite3"))
    assert missing.exit_code == 2 and "no record 7" in missing.stderr
    huge = run("--lang", "en", "audit", "show", "99999999999999999999999", "--db", str(tmp_path / "new.sqlite3"))
    assert huge.exit_code == 2 and "no record 99999999999999999999999" in huge.stderr  # not an overflow inside the driver
    both = run("audit", "replay", "--db", str(tmp_path / "new.sqlite3"))
    assert both.exit_code == 2


def test_cli_py_run_as_a_script_still_loads_the_audit_commands():
    import subprocess
    import sys

    out = subprocess.run([sys.executable, str(ROOT / "cli.py"), "audit", "--help"], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "verify-bundle" in out.stdout


def test_an_export_named_like_the_store_is_refused_and_the_store_is_kept(sqlite_db, tmp_path):
    record(sqlite_db)
    out = run("--lang", "en", "audit", "export", "1", "-o", sqlite_db, "--db", sqlite_db)
    assert out.exit_code == 2 and "will not write over the audit store" in out.stderr
    assert run("audit", "verify", "--db", sqlite_db).exit_code == 0  # still the store, with its record
    missing = run("--lang", "en", "audit", "export", "1", "-o", str(tmp_path / "no" / "b.json"), "--db", sqlite_db)
    assert missing.exit_code == 2 and "does not exist" in missing.stderr


def test_a_date_in_the_right_form_but_not_in_the_calendar_is_named_as_such(sqlite_db):
    record(sqlite_db)
    out = run("--lang", "en", "audit", "list", "--from", "2026-02-30", "--db", sqlite_db)
    assert out.exit_code == 2 and "there is no such date: 2026-02-30" in out.stderr


def test_an_export_is_readable_by_its_owner_only_as_the_store_is(sqlite_db, tmp_path):
    record(sqlite_db)
    assert run("audit", "export", "1", "-o", str(tmp_path / "b.json"), "--db", sqlite_db).exit_code == 0
    assert (tmp_path / "b.json").stat().st_mode & 0o777 == 0o600


def test_a_misspelt_rank1_path_is_refused_with_a_suggestion(sqlite_db):
    record(sqlite_db)
    out = run("--lang", "en", "audit", "list", "--rank1", "bankrupcy", "--db", sqlite_db)
    assert out.exit_code == 2 and "did you mean bankruptcy?" in out.stderr
