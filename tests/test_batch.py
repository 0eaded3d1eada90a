"""zansai batch: every input format, error rows, exit status, and the same bytes with any number of workers."""

from __future__ import annotations

import codecs
import csv
import io
import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from batch.command import batch
from batch.desk import InputError
from batch.mapper import Columns
from batch.readers import detect_encoding, open_input

ROOT = Path(__file__).resolve().parent.parent
CASE_A = yaml.safe_load((ROOT / "examples" / "case_a.yaml").read_text(encoding="utf-8"))

HEADER = [
    "case_id", "as_of", "debtor.annual_income", "debtor.occupation", "mortgage.lender_type", "mortgage.balance",
    "property.market_value", "other_debts.0.type", "other_debts.0.balance", "other_debts.1.type", "other_debts.1.balance",
]
GOOD_1 = ["k1", "2026-11-26", "380万", "会社員", "bank", "3100万", "2800万", "card_loan", "80万", "", ""]
GOOD_2 = ["k2", "令和8年11月26日", "5200000", "", "shinkin", "2000万", "3000万", "", "", "tax", "30万"]
BAD_3 = ["k3", "2026-11-26", "三百万くらい", "", "megabank", "3100万", "2800万", "", "", "", ""]


def run(*args: str):
    result = CliRunner().invoke(batch, list(args), obj={})
    assert "Traceback" not in (result.output or ""), result.output
    return result


def write_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8", bom: bool = False) -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + buffer.getvalue().encode(encoding))
    return path


def summary_rows(path: Path, encoding: str = "utf-8") -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_bytes().decode(encoding), newline="")))


# --------------------------------------------------------------------------- columns


def test_dotted_columns_nest_and_numbered_parts_make_lists_with_blank_slots_dropped():
    columns = Columns.from_header(HEADER, "in.csv")
    data, problems = columns.case_data(GOOD_2)
    assert problems == []
    assert data["debtor"] == {"annual_income": "5200000"}  # the blank occupation is absent, not ""
    assert data["other_debts"] == [{"type": "tax", "balance": "30万"}]  # slot 0 was blank: no debt
    assert "occupation" not in data["debtor"]


def test_a_column_inside_another_column_stops_the_batch_before_any_row():
    with pytest.raises(InputError) as caught:
        Columns.from_header(["case_id", "debtor", "debtor.age", "mortgage..balance"], "in.csv")
    text = " ".join(p.en for p in caught.value.problems)
    assert "debtor and debtor.age cannot both be given" in text
    assert "empty part" in text


def test_a_value_under_a_column_without_a_name_is_a_problem_of_that_row():
    columns = Columns.from_header(["case_id", ""], "in.csv")
    assert columns.case_data(["a", ""])[1] == []
    _, problems = columns.case_data(["a", "stray"])
    assert problems and problems[0].location == "B" and "stray" in problems[0].en


# --------------------------------------------------------------------------- encodings


def test_encoding_is_told_from_the_japanese_lines_not_the_ascii_header():
    header = b"case_id,debtor.occupation\r\n"
    assert detect_encoding([header, "a,会社員\r\n".encode("utf-8")]) == "utf-8"
    assert detect_encoding([header, "a,会社員\r\n".encode("cp932")]) == "cp932"
    assert detect_encoding([b"\xef\xbb\xbf" + header]) == "utf-8"
    assert detect_encoding([header, b"a,b\r\n"]) == "utf-8"  # plain ASCII reads the same either way


@pytest.mark.parametrize("encoding,bom", [("utf-8", False), ("utf-8", True), ("cp932", False)])
def test_csv_in_utf8_with_or_without_bom_or_cp932_gives_the_same_rows(tmp_path, encoding, bom):
    path = write_csv(tmp_path / "in.csv", [HEADER, GOOD_1], encoding, bom)
    source = open_input(str(path))
    items = list(source)
    source.close()
    assert source.columns.names[0] == "case_id"  # the BOM is not part of the first column's name
    assert [i.payload for i in items] == [tuple(GOOD_1)]
    assert items[0].line == 2


def test_a_byte_the_encoding_cannot_hold_breaks_only_its_own_row(tmp_path):
    path = tmp_path / "in.csv"
    rows = io.StringIO()
    csv.writer(rows, lineterminator="\r\n").writerows([HEADER, GOOD_1, ["k9"] + GOOD_1[1:], GOOD_2])
    raw = rows.getvalue().encode("cp932").replace("k9,".encode(), b"k\x81\x209,", 1)
    path.write_bytes(raw)
    out = tmp_path / "out.csv"
    result = run(str(path), "-o", str(out), "--workers", "1", "--lang", "en")
    assert result.exit_code == 2
    rows = summary_rows(out)
    assert [r["status"] for r in rows] == ["ok", "error", "ok"]
    assert rows[1]["record"] == "3" and "not valid CP932" in rows[1]["error_en"]


def test_an_unknown_encoding_is_named(tmp_path):
    path = write_csv(tmp_path / "in.csv", [HEADER, GOOD_1])
    result = run(str(path), "-o", str(tmp_path / "o.csv"), "--encoding", "klingon", "--lang", "en")
    assert result.exit_code == 2
    assert "--encoding: unknown encoding klingon" in result.output


# --------------------------------------------------------------------------- whole batches


def test_csv_batch_writes_a_summary_row_per_record_and_an_error_row_for_the_broken_one(tmp_path):
    path = write_csv(tmp_path / "in.csv", [HEADER, GOOD_1, BAD_3, GOOD_2], "cp932")
    out = tmp_path / "out.csv"
    result = run(str(path), "-o", str(out), "--workers", "1", "--lang", "en")
    assert result.exit_code == 2, result.output  # some records failed: input errors
    rows = summary_rows(out)
    assert [r["record"] for r in rows] == ["2", "3", "4"]  # CSV line numbers, header is line 1
    ok, bad, ok2 = rows
    assert ok["case_id"] == "k1" and ok["status"] == "ok" and ok["rank1_path"] == "voluntary_sale"
    assert ok["paths"].split(";")[0] == "voluntary_sale"
    assert ok["expected_sale_price"].isdigit() and ok["residual_debt"].isdigit()  # key figures, as whole yen
    assert "consult_professional" in ok["warnings"].split(";")
    assert bad["status"] == "error" and bad["case_id"] == "k3" and bad["rank1_path"] == ""
    assert bad["error_fields"].split("\n") == ["debtor.annual_income", "mortgage.lender_type"]
    assert "三百万くらい" in bad["error_ja"] and "megabank" in bad["error_en"]
    assert ok2["case_id"] == "k2" and ok2["status"] == "ok"
    assert "3 records (2 assessed, 1 failed)" in result.output
    assert "failed (input errors): 1" in result.output


def test_jsonl_results_follow_the_result_contract_and_errors_name_line_and_field(tmp_path):
    good = json.dumps(CASE_A, ensure_ascii=False, default=str)
    path = tmp_path / "in.jsonl"
    path.write_text(f"{good}\n\n{{\"case_id\": \"x\", \"debtor\": {{}}}}\n{{broken\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = run(str(path), "-o", str(out), "--workers", "1", "--quiet")
    assert result.exit_code == 2 and result.output == ""  # --quiet: no summary
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == 3  # the blank line is not a record
    assert lines[0]["case_id"] == "case-a" and lines[0]["recommendations"][0]["path"] == "voluntary_sale"
    assert lines[0]["trace"] and lines[0]["ruleset"]["version"]
    assert lines[1]["status"] == "error" and lines[1]["line"] == 3 and lines[1]["case_id"] == "x"
    assert {e["field"] for e in lines[1]["errors"]} >= {"debtor.annual_income", "mortgage"}
    assert all(e["ja"] and e["en"] for e in lines[1]["errors"])
    assert lines[2]["line"] == 4 and "JSON" in lines[2]["errors"][0]["en"]


def test_two_workers_write_the_same_bytes_as_one(tmp_path):
    rows = [HEADER] + [[f"k{i}"] + (BAD_3 if i % 5 == 0 else GOOD_1 if i % 2 else GOOD_2)[1:] for i in range(1, 13)]
    path = write_csv(tmp_path / "in.csv", rows, "cp932")
    outs = []
    for workers in ("1", "2"):
        for fmt in ("csv", "jsonl"):
            out = tmp_path / f"out{workers}.{fmt}"
            assert run(str(path), "-o", str(out), "--workers", workers, "--quiet").exit_code == 2
            outs.append(out.read_bytes())
    assert outs[0] == outs[2] and outs[1] == outs[3]
    assert outs[0].count(b"\r\n") == 13  # header and one row per record, in input order


def test_fail_fast_stops_at_the_first_broken_record_and_leaves_no_output(tmp_path):
    path = write_csv(tmp_path / "in.csv", [HEADER, GOOD_1, BAD_3, GOOD_2])
    out = tmp_path / "out.csv"
    result = run(str(path), "-o", str(out), "--workers", "1", "--fail-fast", "--lang", "en")
    assert result.exit_code == 2
    assert not out.exists() and list(tmp_path.glob(".out.csv*")) == []
    assert "debtor.annual_income: cannot read '三百万くらい'" in result.output
    assert "stopped at" in result.output and "in.csv:3" in result.output


def test_a_folder_of_case_files_and_an_xlsx_sheet(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    folder = tmp_path / "cases"
    folder.mkdir()
    (folder / "a.yaml").write_bytes((ROOT / "examples" / "case_a.yaml").read_bytes())
    (folder / "b.json").write_text('{"case_id": "b"}', encoding="utf-8")
    (folder / "notes.txt").write_text("not a case", encoding="utf-8")
    out = tmp_path / "folder.csv"
    assert run(str(folder), "-o", str(out), "--workers", "1", "--quiet").exit_code == 2
    rows = summary_rows(out)
    assert [Path(r["record"]).name for r in rows] == ["a.yaml", "b.json"]
    assert [r["status"] for r in rows] == ["ok", "error"]

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER)
    sheet.append(["x1", __import__("datetime").datetime(2026, 11, 26), 3800000, "会社員", "bank", 31000000, 28000000, None, None, None, None])
    book.save(tmp_path / "in.xlsx")
    out = tmp_path / "xlsx.jsonl"
    assert run(str(tmp_path / "in.xlsx"), "-o", str(out), "--workers", "1", "--quiet").exit_code == 0
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["case_id"] == "x1" and result["as_of"] == "2026-11-26"
    assert result["recommendations"][0]["path"] == "voluntary_sale"


def test_cp932_output_for_excel(tmp_path):
    path = write_csv(tmp_path / "in.csv", [HEADER, BAD_3])
    out = tmp_path / "out.csv"
    assert run(str(path), "-o", str(out), "--workers", "1", "--quiet", "--output-encoding", "cp932").exit_code == 2
    rows = summary_rows(out, "cp932")
    assert "三百万くらい" in rows[0]["error_ja"]


def test_an_unreadable_input_is_one_message_not_a_row(tmp_path):
    result = run(str(tmp_path / "missing.csv"), "-o", str(tmp_path / "o.csv"), "--lang", "en")
    assert result.exit_code == 2 and "file not found" in result.output
    result = run(str(write_csv(tmp_path / "h.csv", [["case_id", "debtor", "debtor.age"]])), "-o", str(tmp_path / "o.csv"))
    assert result.exit_code == 2 and "debtor.age" in result.output
    assert not (tmp_path / "o.csv").exists()


def test_true_and_false_cells_become_booleans_only_under_yes_no_columns():
    columns = Columns.from_header(["case_id", "debtor.income_stable", "mortgage.accelerated", "debtor.occupation"], "in.csv")
    data, _ = columns.case_data(["a", "TRUE", "false", "true"])
    assert data["debtor"] == {"income_stable": True, "occupation": "true"}  # an occupation stays text
    assert data["mortgage"] == {"accelerated": False}
    data, _ = columns.case_data(["a", "はい", "", ""])
    assert data["debtor"] == {"income_stable": "はい"}  # left for the case model to reject, naming the field


def test_record_writes_each_assessment_to_the_audit_store_and_not_the_broken_record(tmp_path):
    from audit import Store

    path = write_csv(tmp_path / "in.csv", [HEADER, GOOD_1, BAD_3, GOOD_2])
    db = tmp_path / "audit.sqlite3"
    result = run(str(path), "-o", str(tmp_path / "out.jsonl"), "--workers", "1", "--record", "--db", str(db), "--lang", "en")
    assert result.exit_code == 2
    assert "recorded in the audit store: 2" in result.output
    with Store.open(str(db)) as store:
        ids = store.assessment_ids()
        assert len(ids) == 2
        first = store.get(ids[0])
        assert first.case_id == "k1" and first.rank1 == "voluntary_sale"
        assert first.case_bytes.decode("utf-8").splitlines()[1].startswith("k1,")  # the row as given, with its header
        assert first.result["case_id"] == "k1" and first.result["trace"]
        assert first.reports is None  # a batch prints rows, not reports: audit show says it renders again
        assert store.verify().ok
    # made by the same code as assess --record: the result document in one language whatever --lang said,
    # so replaying under the recorded version gives it back exactly
    from app.records import replay

    with Store.open(str(db)) as store:
        assert all(replay(store, rid).identical for rid in ids)


def test_a_result_line_is_the_document_the_standard_encoder_writes():
    from app.desk import Desk
    from batch.work import json_line
    from facts.load import load_case_file

    with Desk() as desk:
        doc = desk.assess(load_case_file(ROOT / "examples" / "case_a.yaml")).to_json("ja")
    line = json_line(doc)
    assert line == (json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
    assert "残債".encode() in line  # Japanese kept as it is, not \u-escaped
    # in CP932, what it cannot hold (the result's "¥" in messages) is \u-escaped: the same document, nothing lost
    in_cp932 = json_line(doc, "cp932")
    assert json.loads(in_cp932.decode("cp932")) == json.loads(line)


def test_a_value_the_fast_encoder_refuses_falls_back_to_the_standard_one():
    from batch.work import json_line

    row = {"huge": 2**70, 3: "a key that is not text"}
    assert json_line(row) == (json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n").encode()


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16"])
def test_an_output_encoding_with_a_byte_order_mark_has_it_once_at_the_start(tmp_path, encoding):
    src = write_csv(tmp_path / "in.csv", [HEADER, GOOD_1, GOOD_2, BAD_3])
    for fmt in ("out.csv", "out.jsonl"):
        result = run(str(src), "-o", str(tmp_path / fmt), "--output-encoding", encoding, "--workers", "1", "--quiet")
        assert result.exit_code == 2, result.output  # BAD_3 is an input error
        data = (tmp_path / fmt).read_bytes()
        bom = codecs.BOM_UTF8 if encoding == "utf-8-sig" else codecs.BOM_UTF16_LE
        assert data.startswith(bom) and data.count(bom) == 1
        text = data.decode(encoding)
        if fmt == "out.csv":
            assert len(list(csv.reader(io.StringIO(text)))) == 4  # a header, then one row a record
        else:
            assert [json.loads(line).get("case_id") for line in text.splitlines()] == ["k1", "k2", "k3"]
        assert "k1" in text and "三百万くらい" in text


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_summary_puts_every_count_in_one_column_even_after_a_full_width_label(lang):
    from collections import Counter

    from batch.runner import Summary, _columns

    summary = Summary(done=30, rank1=Counter({"bankruptcy": 20, "voluntary_sale": 7, None: 3}), elapsed=1.0)
    rows = [line for line in summary.lines(lang) if line.startswith("  ")]
    assert len(rows) == 3 and ("進路なし" in rows[-1] if lang == "ja" else "(no path)" in rows[-1])
    assert len({_columns(row) for row in rows}) == 1, rows  # the counts end in the same terminal column


def test_workers_hand_rows_over_in_spool_files_that_are_gone_when_the_batch_ends(tmp_path, monkeypatch):
    """Many chunks, two workers: the rows come back through spool files in input order, to a file and
    to a pipe alike, the same bytes as one process, and no spool file is left behind."""
    import subprocess
    import sys
    import tempfile

    from batch.runner import Options, run_batch

    spool_root = tmp_path / "tmp"
    spool_root.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spool_root))
    rows = [HEADER] + [[f"k{i}"] + (BAD_3 if i % 7 == 0 else GOOD_1 if i % 2 else GOOD_2)[1:] for i in range(1, 24)]
    path = write_csv(tmp_path / "in.csv", rows)
    for fmt in ("jsonl", "csv"):
        one, two = tmp_path / f"one.{fmt}", tmp_path / f"two.{fmt}"
        run_batch(Options(input=str(path), output=str(one), workers=1))
        summary = run_batch(Options(input=str(path), output=str(two), workers=2, chunk=2))
        assert summary.done == 23 and summary.failed == 3
        assert two.read_bytes() == one.read_bytes()
        assert list(spool_root.iterdir()) == []
    piped = subprocess.run(
        [sys.executable, str(ROOT / "cli.py"), "batch", str(path), "-o", "-", "--workers", "2", "--quiet"],
        capture_output=True, env={**__import__("os").environ, "TMPDIR": str(spool_root)}, cwd=ROOT,
    )
    assert piped.returncode == 2, piped.stderr.decode()
    assert piped.stdout == (tmp_path / "one.jsonl").read_bytes()
    assert list(spool_root.iterdir()) == []


def test_fail_fast_with_workers_streams_the_rows_up_to_the_broken_record(tmp_path, monkeypatch, capsysbinary):
    import tempfile

    from batch.runner import Options, run_batch

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    path = write_csv(tmp_path / "in.csv", [HEADER, GOOD_1, GOOD_2, BAD_3, GOOD_1, GOOD_2])
    summary = run_batch(Options(input=str(path), output="-", workers=2, chunk=2, fail_fast=True))
    lines = capsysbinary.readouterr().out.splitlines()
    assert summary.stopped is not None and summary.stopped.line == 4
    assert [json.loads(x).get("status") for x in lines] == [None, None, "error"]
    assert json.loads(lines[2])["case_id"] == "k3"
    assert [p.name for p in tmp_path.iterdir()] == ["in.csv"]
