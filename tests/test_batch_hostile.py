"""zansai batch on what a new user fed it: files Excel and Macs write, slips in the header, and mistakes
that must not cost data (the output named like the input, a quote left open, characters CP932 lacks)."""

from __future__ import annotations

import codecs
import csv
import io
import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from batch.command import batch
from tests.test_batch import BAD_3, GOOD_1, GOOD_2, HEADER, ROOT, run, summary_rows, write_csv


def csv_bytes(rows: list[list[str]], end: str = "\r\n") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator=end).writerows(rows)
    return buffer.getvalue().encode("utf-8")


# --------------------------------------------------------------------------- nothing lost


def test_an_output_named_like_the_input_is_refused_and_the_input_is_left_as_it_was(tmp_path):
    path = write_csv(tmp_path / "cases.csv", [HEADER, GOOD_1])
    before = path.read_bytes()
    result = run(str(path), "-o", str(tmp_path / "." / "cases.csv"), "--lang", "en")
    assert result.exit_code == 2
    assert "the output is the input file itself" in result.output
    assert path.read_bytes() == before


def test_a_quote_never_closed_is_an_error_row_naming_the_lines_it_swallowed(tmp_path):
    # Row 3's income opens a quote and never closes it: everything after is one cell to a CSV reader.
    raw = csv_bytes([HEADER, GOOD_1]) + b'k2,2026-11-26,"380\xe4\xb8\x87,x,bank,3100\xe4\xb8\x87\r\n' + csv_bytes([GOOD_2, GOOD_2])
    path = tmp_path / "in.csv"
    path.write_bytes(raw)
    out = tmp_path / "out.csv"
    result = run(str(path), "-o", str(out), "--workers", "1", "--lang", "en")
    assert result.exit_code == 2
    rows = summary_rows(out)
    assert [(r["record"], r["status"]) for r in rows] == [("2", "ok"), ("3", "error")]
    assert "a quote (\") in the record starting at line 3 is never closed: lines 3–5" in rows[1]["error_en"]
    assert "1 failed" in result.output


# --------------------------------------------------------------------------- files as others write them


def test_a_csv_whose_lines_end_in_cr_alone_reads_as_the_same_rows(tmp_path):
    rows = [HEADER, GOOD_1, BAD_3, GOOD_2]
    (tmp_path / "lf.csv").write_bytes(csv_bytes(rows, "\n"))
    (tmp_path / "cr.csv").write_bytes(csv_bytes(rows, "\r"))  # Excel for Mac's "CSV (Macintosh)"
    for name in ("lf", "cr"):
        assert run(str(tmp_path / f"{name}.csv"), "-o", str(tmp_path / f"{name}.out.csv"), "--workers", "1", "-q").exit_code == 2
    assert (tmp_path / "cr.out.csv").read_bytes() == (tmp_path / "lf.out.csv").read_bytes()
    assert [r["status"] for r in summary_rows(tmp_path / "cr.out.csv")] == ["ok", "error", "ok"]


def test_a_utf16_csv_is_refused_with_what_to_save_instead(tmp_path):
    path = tmp_path / "u16.csv"
    path.write_bytes(codecs.BOM_UTF16_LE + csv_bytes([HEADER, GOOD_1]).decode("utf-8").encode("utf-16-le"))
    result = run(str(path), "-o", str(tmp_path / "o.csv"), "--lang", "en")
    assert result.exit_code == 2 and 'save as "CSV UTF-8 (Comma delimited)"' in result.output
    result = run(str(write_csv(tmp_path / "in.csv", [HEADER, GOOD_1])), "-o", str(tmp_path / "o.csv"), "--encoding", "utf-16")
    assert result.exit_code == 2 and result.output.startswith("--encoding utf-16: UTF-16 の CSV は読めません")
    assert not (tmp_path / "o.csv").exists()


def test_excel_currency_cells_in_cp932_read_as_yen(tmp_path):
    # CP932 has one byte for the yen sign and the backslash: Excel's "¥31,000,000" comes back as "\31,000,000"
    row = GOOD_1[:5] + ["\\31,000,000"] + GOOD_1[6:]  # the byte 0x5C, which Japanese Excel shows as ¥
    path = write_csv(tmp_path / "in.csv", [HEADER, row], "cp932")
    out = tmp_path / "out.jsonl"
    assert run(str(path), "-o", str(out), "--workers", "1", "-q").exit_code == 0
    result = json.loads(out.read_text(encoding="utf-8"))
    assert next(f for f in result["facts"] if f["type"] == "mortgage")["fields"]["balance"] == 31_000_000


def test_a_formula_cell_saved_without_its_value_is_an_error_not_an_empty_cell(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER)
    sheet.append(["x1", "2026-11-26", 3800000, "会社員", "bank", "=3100*10000", 28000000, "card_loan", "=80*10000", None, None])
    book.save(tmp_path / "in.xlsx")  # written by a program: no computed values are stored
    out = tmp_path / "out.jsonl"
    assert run(str(tmp_path / "in.xlsx"), "-o", str(out), "--workers", "1", "-q").exit_code == 2
    errors = json.loads(out.read_text(encoding="utf-8"))["errors"]
    assert [Path(e["field"]).name for e in errors[:2]] == ["in.xlsx:2 F2 (mortgage.balance)", "in.xlsx:2 I2 (other_debts.0.balance)"]
    assert "open the workbook in Excel and save it again" in errors[0]["en"]


# --------------------------------------------------------------------------- the header and the rows


def test_a_misspelled_column_stops_the_batch_once_with_a_suggestion(tmp_path):
    header = [h.replace("annual_income", "anual_income") for h in HEADER]
    path = write_csv(tmp_path / "in.csv", [header, GOOD_1, GOOD_2])
    result = run(str(path), "-o", str(tmp_path / "o.csv"), "--lang", "en")
    assert result.exit_code == 2
    assert "C (debtor.anual_income): unknown key 'anual_income'; did you mean 'annual_income'?" in result.output
    assert not (tmp_path / "o.csv").exists()


def test_a_duplicate_column_names_the_column_it_repeats_by_its_letter(tmp_path):
    path = write_csv(tmp_path / "in.csv", [HEADER + ["mortgage.balance"], GOOD_1 + ["1"]])
    result = run(str(path), "-o", str(tmp_path / "o.csv"), "--lang", "en")
    assert result.exit_code == 2 and "L (mortgage.balance): the same field as column F (mortgage.balance)" in result.output


def test_a_problem_with_a_debt_names_the_columns_it_came_from_not_its_place_after_blank_slots(tmp_path):
    header = HEADER + ["other_debts.2.type", "other_debts.2.balance"]
    row = GOOD_1[:7] + ["", "", "", "", "card_loan", "-50万"]  # slots 0 and 1 blank: the debt in slot 2 is the case's first
    out = tmp_path / "out.csv"
    assert run(str(write_csv(tmp_path / "in.csv", [header, row])), "-o", str(out), "--workers", "1", "-q").exit_code == 2
    assert summary_rows(out)[0]["error_fields"] == "other_debts[2].balance"


def test_an_error_row_keeps_the_case_id_the_record_gives(tmp_path):
    folder = tmp_path / "cases"
    folder.mkdir()
    text = (ROOT / "examples" / "case_a.yaml").read_text(encoding="utf-8")
    (folder / "neg.yaml").write_text(text.replace('case_id: "case-a"', "case_id: neg-1").replace("balance: 3100万", "balance: -1", 1), encoding="utf-8")
    out = tmp_path / "folder.csv"
    assert run(str(folder), "-o", str(out), "--workers", "1", "-q").exit_code == 2
    assert [(r["case_id"], r["status"]) for r in summary_rows(out)] == [("neg-1", "error")]

    line = '{"case_id": "dup-1", "as_of": "2026-11-26", "as_of": "2026-11-27"}\n'
    (tmp_path / "in.jsonl").write_text(line, encoding="utf-8")
    assert run(str(tmp_path / "in.jsonl"), "-o", str(out), "--workers", "1", "-q").exit_code == 2
    assert summary_rows(out)[0]["case_id"] == "dup-1"


def test_an_input_with_no_records_says_so(tmp_path):
    (tmp_path / "cases").mkdir()  # a folder with no case files: most likely the wrong one
    result = run(str(tmp_path / "cases"), "-o", str(tmp_path / "o.csv"), "--lang", "en")
    assert result.exit_code == 0 and "the input held no records: check it is the one you meant" in result.output


def test_a_json_line_that_is_null_is_named_as_such(tmp_path):
    (tmp_path / "in.jsonl").write_text("null\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    assert run(str(tmp_path / "in.jsonl"), "-o", str(out), "-q").exit_code == 2
    assert summary_rows(out)[0]["error_en"] == "a case must be a mapping of keys to values (case_id: …), not null"


def test_a_json_line_cut_short_is_reported_where_it_ends(tmp_path):
    (tmp_path / "in.jsonl").write_text('{"case_id": "t", "debtor": {\n', encoding="utf-8")
    out = tmp_path / "out.csv"
    assert run(str(tmp_path / "in.jsonl"), "-o", str(out), "-q").exit_code == 2
    assert summary_rows(out)[0]["error_fields"].endswith("in.jsonl:1:29")


# --------------------------------------------------------------------------- what the output holds


def test_a_case_id_excel_would_run_as_a_formula_is_written_as_text_in_the_csv_summary(tmp_path):
    rows = [HEADER, ["=HYPERLINK(\"http://x\",\"open\")"] + GOOD_1[1:], ["-5"] + GOOD_1[1:], ["@k"] + BAD_3[1:]]
    out = tmp_path / "out.csv"
    run(str(write_csv(tmp_path / "in.csv", rows)), "-o", str(out), "--workers", "1", "-q")
    assert [r["case_id"] for r in summary_rows(out)] == ["'=HYPERLINK(\"http://x\",\"open\")", "'-5", "'@k"]
    out = tmp_path / "out.jsonl"  # JSON is read by programs, not run: ids as given
    run(str(tmp_path / "in.csv"), "-o", str(out), "--workers", "1", "-q")
    assert json.loads(out.read_text(encoding="utf-8").splitlines()[0])["case_id"].startswith("=HYPERLINK")


def test_cp932_output_uses_cp932s_own_forms_and_says_which_rows_lost_characters(tmp_path):
    ids = ["𠮷野-1", "山田—2", "髙橋③"]  # 𠮷 is not in CP932; — is, as ―; 髙 and ③ are
    rows = [HEADER] + [[i] + GOOD_1[1:] for i in ids]
    path = write_csv(tmp_path / "in.csv", rows)
    out = tmp_path / "out.csv"
    result = run(str(path), "-o", str(out), "--output-encoding", "cp932", "--workers", "1", "--lang", "en")
    assert [r["case_id"] for r in summary_rows(out, "cp932")] == ["?野-1", "山田―2", "髙橋③"]
    assert 'rows with characters cp932 cannot hold, written as "?": 1 (the first: ' in result.output
    # JSON Lines in CP932 lose nothing: what CP932 lacks or changes is \u-escaped
    out = tmp_path / "out.jsonl"
    run(str(path), "-o", str(out), "--output-encoding", "cp932", "--workers", "1", "-q")
    results = [json.loads(line) for line in out.read_bytes().decode("cp932").splitlines()]
    assert [r["case_id"] for r in results] == ids
    run(str(path), "-o", str(tmp_path / "utf8.jsonl"), "--workers", "1", "-q")
    assert results == [json.loads(line) for line in (tmp_path / "utf8.jsonl").read_text(encoding="utf-8").splitlines()]


def test_the_output_file_is_readable_as_the_users_other_files(tmp_path):
    path = write_csv(tmp_path / "in.csv", [HEADER, GOOD_1])
    out = tmp_path / "out.csv"
    mask = os.umask(0o022)
    try:
        run(str(path), "-o", str(out), "-q")
        assert out.stat().st_mode & 0o777 == 0o644  # not mkstemp's 0600
        out.chmod(0o640)
        run(str(path), "-o", str(out), "-q")
        assert out.stat().st_mode & 0o777 == 0o640  # a file written over keeps its mode
    finally:
        os.umask(mask)


def test_ctrl_c_says_how_far_the_batch_got_and_what_is_already_in_the_audit_store(tmp_path, monkeypatch):
    from batch import runner

    path = write_csv(tmp_path / "in.csv", [HEADER] + [GOOD_1] * 40)
    calls = {"n": 0}
    real = runner.Progress.advance

    def interrupt_after_20(self):
        calls["n"] += 1
        if calls["n"] == 20:
            raise KeyboardInterrupt
        return real(self)

    monkeypatch.setattr(runner.Progress, "advance", interrupt_after_20)
    out = tmp_path / "out.csv"
    result = CliRunner().invoke(
        batch, [str(path), "-o", str(out), "--workers", "1", "--record", "--db", str(tmp_path / "a.sqlite3"), "--lang", "en"], obj={}
    )
    assert result.exit_code == 130
    assert "interrupted after 20 records; no output file was written." in result.output
    assert "16 assessments are in the audit store: running the batch again records those cases again." in result.output
    assert not out.exists() and not list(tmp_path.glob(".out.csv.*"))


# --------------------------------------------------------------------------- second review


def test_a_row_cut_short_is_an_error_not_an_assessment_of_what_is_left(tmp_path):
    cut = GOOD_1[:6]  # a line break inside the row: the debts and the home went to the next line
    out = tmp_path / "out.csv"
    run(str(write_csv(tmp_path / "in.csv", [HEADER, cut, GOOD_2])), "-o", str(out), "--workers", "1", "-q", "--lang", "en")
    rows = summary_rows(out)
    assert [r["status"] for r in rows] == ["error", "ok"]
    assert "line 2 has 6 cells where the header has 11" in rows[0]["error_en"]


def test_blank_lines_above_the_header_and_other_separators(tmp_path):
    path = tmp_path / "lead.csv"
    path.write_bytes(b"\r\n,,\r\n" + csv_bytes([HEADER, GOOD_1]))
    out = tmp_path / "out.csv"
    assert run(str(path), "-o", str(out), "-q").exit_code == 0
    assert [(r["record"], r["status"]) for r in summary_rows(out)] == [("4", "ok")]
    semi = tmp_path / "semi.csv"
    semi.write_bytes(csv_bytes([HEADER, GOOD_1]).replace(b",", b";"))
    result = run(str(semi), "-o", str(tmp_path / "o.csv"), "--lang", "en")
    assert result.exit_code == 2 and "the fields are separated by semicolons (;): save it as comma-separated CSV" in result.output
    assert run(str(tmp_path / "lead.csv"), "-o", str(out), "-q").exit_code == 0
    for empty in (codecs.BOM_UTF8, b"\r\n\r\n"):  # no header at all: as an empty file
        (tmp_path / "e.csv").write_bytes(empty)
        assert run(str(tmp_path / "e.csv"), "-o", str(tmp_path / "o.csv"), "--lang", "en").exit_code == 2


def test_an_xlsx_header_below_the_first_row_and_an_empty_first_sheet(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([])
    sheet.append(HEADER)
    sheet.append(GOOD_1)
    book.save(tmp_path / "offset.xlsx")
    out = tmp_path / "out.csv"
    assert run(str(tmp_path / "offset.xlsx"), "-o", str(out), "-q").exit_code == 0
    assert [(r["record"], r["status"]) for r in summary_rows(out)] == [("3", "ok")]
    book = openpyxl.Workbook()
    book.active.title = "cover"
    data = book.create_sheet("data")
    data.append(HEADER)
    data.append(GOOD_1)
    book.save(tmp_path / "second.xlsx")
    result = run(str(tmp_path / "second.xlsx"), "-o", str(out), "--lang", "en")
    assert result.exit_code == 2 and "[cover]: the first sheet is empty (no header row); sheets with rows: data" in result.output


def test_jsonl_whose_lines_end_in_cr_alone(tmp_path):
    lines = [json.dumps({"case_id": f"j{i}", "as_of": "2026-11-26"}) for i in range(3)]
    (tmp_path / "cr.jsonl").write_bytes("\r".join(lines).encode())
    out = tmp_path / "out.csv"
    run(str(tmp_path / "cr.jsonl"), "-o", str(out), "-q")
    assert [r["case_id"] for r in summary_rows(out)] == ["j0", "j1", "j2"]


def test_outputs_that_are_not_plain_files(tmp_path):
    path = write_csv(tmp_path / "in.csv", [HEADER, GOOD_1])
    assert run(str(path), "-o", os.devnull, "-q").exit_code == 0
    assert not Path(os.devnull).is_file()  # the device is written to, not replaced by a file
    real = tmp_path / "real.csv"
    real.write_text("old", encoding="utf-8")
    (tmp_path / "link.csv").symlink_to(real)
    assert run(str(path), "-o", str(tmp_path / "link.csv"), "-q").exit_code == 0
    assert (tmp_path / "link.csv").is_symlink() and summary_rows(real)[0]["case_id"] == "k1"


def test_an_output_folder_that_cannot_be_written_is_a_message(tmp_path, monkeypatch):
    import tempfile

    def refused(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", refused)  # as for a user without write access to the folder
    path = write_csv(tmp_path / "in.csv", [HEADER, GOOD_1])
    result = run(str(path), "-o", str(tmp_path / "o.csv"), "--lang", "en")
    assert result.exit_code == 2 and "cannot write the output here (Permission denied)" in result.output


def test_fail_fast_says_the_output_was_not_written(tmp_path):
    path = write_csv(tmp_path / "in.csv", [HEADER, GOOD_1, BAD_3, GOOD_2])
    out = tmp_path / "out.csv"
    out.write_text("an earlier run", encoding="utf-8")
    result = run(str(path), "-o", str(out), "--fail-fast", "--workers", "1", "--lang", "en")
    assert result.exit_code == 2 and f"the output file {out} was not written (one already there is left as it was)" in result.output
    assert out.read_text(encoding="utf-8") == "an earlier run"


def test_a_folders_subfolders_are_said_not_read(tmp_path):
    folder = tmp_path / "cases"
    (folder / "2025").mkdir(parents=True)
    (folder / "a.yaml").write_bytes((ROOT / "examples" / "case_a.yaml").read_bytes())
    result = run(str(folder), "-o", str(tmp_path / "o.csv"), "--lang", "en")
    assert "not read: 1 subfolders (2025)" in result.output


def test_shift_jis_output_does_not_take_cp932s_forms_and_an_invalid_case_id_is_not_repeated(tmp_path):
    rows = [HEADER, ["山田〜1"] + GOOD_1[1:], ["x" * 101] + GOOD_1[1:]]
    out = tmp_path / "out.csv"
    run(str(write_csv(tmp_path / "in.csv", rows)), "-o", str(out), "--output-encoding", "shift_jis", "--workers", "1", "-q")
    first, second = summary_rows(out, "shift_jis")
    assert first["case_id"] == "山田〜1"  # Shift_JIS has 〜 itself; CP932's ～ would have become "?"
    assert second["status"] == "error" and second["case_id"] == ""  # the model refused it as an id
