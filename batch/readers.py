"""Reading a batch: one record at a time, whatever the input's size.

Every reader yields :class:`Item`s in input order and holds at most one
record (plus a small look-ahead for guessing the encoding) in memory. Parsing
a record into a case is left to the worker processes: the reader only finds
where each record starts and ends, so reading never becomes the bottleneck.

Inputs:

- JSON Lines: one case per line (blank lines are skipped).
- A folder of case files (``*.yaml``, ``*.yml``, ``*.json``), in name order.
- CSV with dotted column names, in UTF-8 (with or without a BOM) or CP932 as
  Excel writes it in Japan; the encoding is guessed from the first lines
  that are not plain ASCII, or given.
- ``.xlsx`` workbooks (the first sheet) through openpyxl, in read-only mode.
"""

from __future__ import annotations

import codecs
import csv
import itertools
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Iterable, Iterator

from batch.desk import InputError, Problem
from batch.mapper import Columns, column_label

FORMATS = ("jsonl", "csv", "xlsx", "folder")
CASE_FILE_SUFFIXES = (".yaml", ".yml", ".json")
# How many non-ASCII lines are looked at to tell UTF-8 from CP932.
SNIFF_LINES = 200


@dataclass(frozen=True, slots=True)
class Item:
    """One record of the input, not yet parsed.

    ``kind`` says what ``payload`` holds: ``"json"`` a JSON Lines line (bytes),
    ``"file"`` a whole case file (bytes), ``"cells"`` a table row (tuple of
    text cells, read with the input's :class:`Columns`), ``"broken"`` a record
    the reader itself could not read (a list of Problems).
    """

    line: int | None  # where the record starts (1-based); None for a file of a folder
    source: str  # the input, or the file within a folder
    kind: str
    payload: Any
    problems: tuple[Problem, ...] = ()  # found while reading (e.g. a byte the encoding cannot hold)


class Input:
    """An opened batch input: its format, its columns (tables), a size estimate and its items."""

    format: str
    columns: Columns | None = None
    total: int | None = None  # an estimate for the progress bar; None when unknown
    encoding: str | None = None

    skipped: tuple[tuple[str, str], ...] = ()  # what the input holds and the batch does not read (ja, en)

    def __iter__(self) -> Iterator[Item]:  # pragma: no cover - abstract
        raise NotImplementedError

    def close(self) -> None:
        pass


def guess_format(path: str) -> str:
    if path == "-":
        return "jsonl"
    p = Path(path)
    if p.is_dir():
        return "folder"
    suffix = p.suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    if suffix == ".csv":
        return "csv"
    if suffix in (".xlsx", ".xlsm"):
        return "xlsx"
    raise InputError(
        [
            Problem(
                path,
                "入力の形式が分かりません（.jsonl・.csv・.xlsx・フォルダのいずれか。--input-format で指定できます）",
                "cannot tell the input format (.jsonl, .csv, .xlsx or a folder; or give --input-format)",
            )
        ]
    )


def open_input(path: str, fmt: str | None = None, encoding: str | None = None) -> Input:
    """Open a batch input; problems with the input as a whole (not a record) raise InputError."""
    fmt = fmt or guess_format(path)
    if fmt == "folder":
        return FolderInput(path)
    if fmt == "xlsx":
        return XlsxInput(path)
    stream = _open_binary(path)
    if fmt == "jsonl":
        return JsonLinesInput(path, stream)
    if fmt == "csv":
        return CsvInput(path, stream, encoding)
    raise InputError([Problem(path, f"未対応の入力形式 {fmt} です", f"unsupported input format {fmt}")])


def _open_binary(path: str) -> BinaryIO:
    if path == "-":
        return sys.stdin.buffer
    try:
        return open(path, "rb")  # noqa: SIM115 - closed by Input.close
    except FileNotFoundError:
        raise InputError([Problem(path, "ファイルが見つかりません", "file not found")]) from None
    except IsADirectoryError:
        raise InputError([Problem(path, "ファイルではなくディレクトリです", "this is a directory, not a file")]) from None
    except OSError as error:
        reason = error.strerror or str(error)
        raise InputError([Problem(path, f"ファイルを読めません（{reason}）", f"cannot read the file ({reason})")]) from None


def _count_lines(stream: BinaryIO, end: bytes = b"\n") -> int | None:
    """Lines in a regular file, counted without holding it (for the progress bar's total)."""
    try:
        if not stream.seekable():
            return None
        start = stream.tell()
        count, last = 0, end
        for block in iter(lambda: stream.read(1 << 20), b""):
            count += block.count(end)
            last = block[-1:]
        stream.seek(start)
        return count + (last != end)
    except (OSError, ValueError):
        return None


def _line_ends(stream: BinaryIO) -> tuple[bytes, bytes]:
    """The file's first bytes (looked at, not read) and what ends its lines: CR alone (Excel for Mac's
    "CSV (Macintosh)") when they hold a CR and no LF, else LF."""
    start = stream.peek(1 << 16)[: 1 << 16] if hasattr(stream, "peek") else b""
    return start, (b"\r" if b"\r" in start and b"\n" not in start else b"\n")


def _lines(stream: BinaryIO, end: bytes) -> Iterator[bytes]:
    return _cr_lines(stream) if end == b"\r" else iter(stream)


def _cr_lines(stream: BinaryIO) -> Iterator[bytes]:
    """The lines of a file whose lines end in CR alone (Excel for Mac's "CSV (Macintosh)"), each with its CR."""
    rest = b""
    for block in iter(lambda: stream.read(1 << 16), b""):
        *lines, rest = (rest + block).split(b"\r")
        for line in lines:
            yield line + b"\r"
    if rest:
        yield rest


# --------------------------------------------------------------------------- JSON Lines


class JsonLinesInput(Input):
    format = "jsonl"

    def __init__(self, path: str, stream: BinaryIO):
        self.path, self.stream = path, stream
        _, self.end = _line_ends(stream)
        self.total = _count_lines(stream, self.end)

    def __iter__(self) -> Iterator[Item]:
        for number, raw in enumerate(_lines(self.stream, self.end), start=1):
            if number == 1:
                raw = raw.removeprefix(codecs.BOM_UTF8)
            if raw.strip():
                yield Item(number, self.path, "json", raw)

    def close(self) -> None:
        if self.stream is not sys.stdin.buffer:
            self.stream.close()


# --------------------------------------------------------------------------- a folder of case files


class FolderInput(Input):
    format = "folder"

    def __init__(self, path: str):
        self.path = path
        root = Path(path)
        if not root.is_dir():
            raise InputError([Problem(path, "フォルダが見つかりません", "folder not found")])
        # names only: the list of a folder of 100,000 cases is a few MB, the files are read one by one.
        # What is not read is said (the summary lists it): subfolders (cases filed by year, say) and
        # links to nothing, which would otherwise leave cases out without a word.
        files, folders, dangling = [], [], []
        for p in root.iterdir():
            if p.is_file():
                if p.suffix.lower() in CASE_FILE_SUFFIXES:
                    files.append(p.name)
            elif p.is_dir():
                folders.append(p.name)
            elif p.is_symlink() and not p.exists():
                dangling.append(p.name)
        self.files = sorted(files)
        self.total = len(self.files)
        skipped = []
        for names, ja, en in ((sorted(folders), "サブフォルダ", "subfolders"), (sorted(dangling), "リンク先のないリンク", "links to nothing")):
            if names:
                more = len(names) > 5
                skipped.append((f"{ja} {len(names)}件（{'、'.join(names[:5])}{'…' if more else ''}）",
                                f"{len(names)} {en} ({', '.join(names[:5])}{', …' if more else ''})"))
        self.skipped = tuple(skipped)

    def __iter__(self) -> Iterator[Item]:
        root = Path(self.path)
        for name in self.files:
            source = str(root / name)
            try:
                data = (root / name).read_bytes()
            except OSError as error:
                reason = error.strerror or str(error)
                yield Item(None, source, "broken", None,
                           (Problem(source, f"ファイルを読めません（{reason}）", f"cannot read the file ({reason})"),))
                continue
            yield Item(None, source, "file", data)


# --------------------------------------------------------------------------- CSV


def detect_encoding(lines: list[bytes]) -> str:
    """UTF-8 or CP932, from the lines that are not plain ASCII.

    UTF-8 first: Japanese text in CP932 almost never decodes as UTF-8, while
    UTF-8 text often decodes as (wrong) CP932. Counting over several lines
    keeps one broken line from deciding for the whole file.
    """
    if lines and lines[0].startswith(codecs.BOM_UTF8):
        return "utf-8"
    utf8 = cp932 = 0
    for line in lines:
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
            utf8 += 1
        except UnicodeDecodeError:
            try:
                line.decode("cp932")
                cp932 += 1
            except UnicodeDecodeError:
                pass
    return "cp932" if cp932 > utf8 else "utf-8"


def _wide(encoding: str | None) -> bool:
    if encoding is None:
        return False
    try:
        return codecs.lookup(encoding).name.startswith(("utf-16", "utf-32"))
    except LookupError:
        return False  # refused by name below


_ENCODING_NAMES = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8", "cp932": "CP932 (Shift_JIS)", "shift_jis": "Shift_JIS"}


class CsvInput(Input):
    format = "csv"

    def __init__(self, path: str, stream: BinaryIO, encoding: str | None):
        self.path, self.stream = path, stream
        start, end = _line_ends(stream)
        if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or _wide(encoding):
            # lines are found as bytes, where UTF-16 has a zero byte in every character
            raise InputError([Problem(
                f"--encoding {encoding}" if _wide(encoding) else path,
                "UTF-16 の CSV は読めません。Excel では「CSV UTF-8（コンマ区切り）」か「CSV（コンマ区切り）」で保存してください",
                "a UTF-16 CSV cannot be read: in Excel, save as \"CSV UTF-8 (Comma delimited)\" or \"CSV (Comma delimited)\"",
            )])
        total = _count_lines(stream, end)
        lines = _lines(stream, end)
        # Look ahead only as far as needed to tell the encoding, then read on from there.
        head: list[bytes] = []
        non_ascii = 0
        if encoding is None:
            for raw in lines:
                head.append(raw)
                non_ascii += not raw.isascii()
                if non_ascii >= SNIFF_LINES:
                    break
            encoding = detect_encoding(head)
        else:
            try:
                encoding = codecs.lookup(encoding).name
            except LookupError:
                raise InputError([Problem("--encoding", f"文字コード {encoding} を知りません", f"unknown encoding {encoding}")]) from None
        self.encoding = encoding
        self._decoder_errors: list[tuple[int, UnicodeDecodeError]] = []
        self._number = 0
        # strict: a quote never closed is an error, not a cell swallowing the rest of the file
        self._rows = csv.reader(self._decoded(itertools.chain(head, lines)), strict=True)
        try:
            header = next(self._rows)
            while not any(cell.strip() for cell in header):  # blank lines above the header are no header
                header = next(self._rows)
        except StopIteration:
            raise InputError([Problem(path, "CSV が空です（見出し行がありません）", "the CSV is empty (no header row)")]) from None
        except csv.Error as error:
            raise InputError([self._syntax_problem(self._number, error)]) from None
        if self._decoder_errors:
            number, error = self._decoder_errors[0]
            raise InputError([self._encoding_problem(number, error)])
        if len(header) == 1:
            for mark, ja, en in ((";", "セミコロン（;）", "semicolons (;)"), ("\t", "タブ", "tabs")):
                if mark in header[0]:
                    raise InputError([Problem(
                        path,
                        f"項目が{ja}で区切られています。コンマ区切りの CSV で保存してください（Excel:「CSV UTF-8（コンマ区切り）」）",
                        f"the fields are separated by {en}: save it as comma-separated CSV (Excel: \"CSV UTF-8 (Comma delimited)\")",
                    )])
        self.columns = Columns.from_header(header, path)
        self.total = None if total is None else max(total - self._number, 0)

    def _decoded(self, lines: Iterable[bytes]) -> Iterator[str]:
        for raw in lines:
            self._number += 1
            if self._number == 1:
                raw = raw.removeprefix(codecs.BOM_UTF8)
            try:
                yield raw.decode(self.encoding)
            except UnicodeDecodeError as error:
                self._decoder_errors.append((self._number, error))
                yield raw.decode(self.encoding, errors="replace")

    def _syntax_problem(self, start: int, error: csv.Error) -> Problem:
        where = f"{self.path}:{start}"
        if "unexpected end of data" in str(error):
            end = self._number
            return Problem(
                where,
                f"{start}行目から始まる行の引用符（\"）が閉じられていないため、{start}〜{end}行目（ファイルの終わりまで）を読めませんでした",
                f"a quote (\") in the record starting at line {start} is never closed: lines {start}–{end}"
                " (to the end of the file) could not be read",
            )
        return Problem(where, f"{start}行目: CSV の書式に誤りがあります（{error}）", f"line {start}: CSV syntax error ({error})")

    def _encoding_problem(self, number: int, error: UnicodeDecodeError) -> Problem:
        name = _ENCODING_NAMES.get(self.encoding, self.encoding)
        if self.encoding == "shift_jis":  # Excel's "Shift_JIS" is CP932, which adds ①, ㈱, 髙 and more
            hint_ja, hint_en = "Excel の CSV なら --encoding cp932 を指定してください", "a CSV from Excel is --encoding cp932"
        else:
            hint_ja, hint_en = "--encoding で文字コードを指定できます", "give the encoding with --encoding"
        return Problem(
            f"{self.path}:{number}",
            f"{number}行目の{error.start + 1}バイト目が {name} として読めません（{hint_ja}）",
            f"line {number}: byte {error.start + 1} is not valid {name} ({hint_en})",
        )

    def __iter__(self) -> Iterator[Item]:
        while True:
            start = self._number + 1
            try:
                row = next(self._rows)
            except StopIteration:
                return
            except csv.Error as error:
                yield Item(start, self.path, "broken", None, (self._syntax_problem(start, error),))
                continue
            problems = tuple(self._encoding_problem(n, e) for n, e in self._decoder_errors)
            self._decoder_errors.clear()
            if not any(cell.strip() for cell in row):
                if problems:
                    yield Item(start, self.path, "broken", None, problems)
                continue
            width = len(self.columns.names) if self.columns is not None else len(row)
            if len(row) < width:
                # a row cut short (a line break inside it, say) would be assessed on what is left of it
                problems += (Problem(
                    f"{self.path}:{start}",
                    f"{start}行目の項目が{len(row)}個しかありません（見出しは{width}個）。行が途中で切れていないか確認してください",
                    f"line {start} has {len(row)} cells where the header has {width}: check the row is not cut short",
                ),)
            yield Item(start, self.path, "cells", tuple(row), problems)

    def close(self) -> None:
        if self.stream is not sys.stdin.buffer:
            self.stream.close()


# --------------------------------------------------------------------------- Excel


def _cell_text(value: Any) -> str:
    """An Excel cell as the text a CSV export would hold, so both inputs read alike."""
    import datetime as dt

    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        # Excel has no date type: a date cell is a datetime at midnight
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


class XlsxInput(Input):
    format = "xlsx"

    def __init__(self, path: str):
        try:
            import openpyxl
        except ImportError:  # pragma: no cover - a dependency of zansai
            raise InputError([Problem(path, ".xlsx を読むには openpyxl が必要です", "reading .xlsx needs openpyxl")]) from None
        self.path = path
        if not os.path.isfile(path):
            raise InputError([Problem(path, "ファイルが見つかりません", "file not found")])
        try:
            self.book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as error:  # openpyxl raises many kinds for a file that is not a workbook
            raise InputError(
                [Problem(path, f"Excel ファイルとして読めません（{type(error).__name__}）", f"cannot read as an Excel workbook ({type(error).__name__}: {error})")]
            ) from None
        self.sheet = self.book.worksheets[0]
        self._rows = self.sheet.iter_rows(values_only=True)
        self._first = 1  # the header's row
        try:
            header = next(self._rows)
            while not any(_cell_text(v).strip() for v in header):  # empty rows above the header
                header = next(self._rows)
                self._first += 1
        except StopIteration:
            others = [ws.title for ws in self.book.worksheets[1:] if ws.max_row and ws.max_row > 1]
            raise InputError([Problem(
                f"{path} [{self.sheet.title}]",
                "最初のシートが空です（見出し行がありません）" + (f"。データのあるシート: {'、'.join(others)}。最初のシートに置いてください" if others else ""),
                "the first sheet is empty (no header row)" + (f"; sheets with rows: {', '.join(others)}: put the cases on the first sheet" if others else ""),
            )]) from None
        self.columns = Columns.from_header([_cell_text(v) for v in header], path)
        self.total = self.sheet.max_row - self._first if self.sheet.max_row else None
        # The same sheet with its formulas: a formula cell the file holds no computed value for
        # (a workbook written by a program, never opened in Excel) reads as empty above, and
        # an empty cell is an absent value. Read side by side, such a cell is an error instead.
        self.formulas = openpyxl.load_workbook(path, read_only=True, data_only=False)
        self._formula_rows = self.formulas.worksheets[0].iter_rows(values_only=True)
        for _ in range(self._first):
            next(self._formula_rows, None)

    def __iter__(self) -> Iterator[Item]:
        for number, row in enumerate(self._rows, start=self._first + 1):
            written = next(self._formula_rows, ())
            cells = tuple(_cell_text(v) for v in row)
            problems = tuple(
                self._uncomputed(number, position)
                for position, (value, formula) in enumerate(zip(row, written), start=1)
                if value is None and isinstance(formula, str) and formula.startswith("=")
            )
            if problems or any(cell.strip() for cell in cells):
                yield Item(number, self.path, "cells", cells, problems)

    def _uncomputed(self, number: int, position: int) -> Problem:
        names = self.columns.names if self.columns is not None else ()
        column = column_label(position)
        name = names[position - 1] if position <= len(names) else ""
        return Problem(
            f"{self.path}:{number} {column}{number} ({name})",
            f"セル {column}{number} の数式に計算済みの値が保存されていません。Excel で開いて保存し直してください",
            f"cell {column}{number} holds a formula with no computed value saved: open the workbook in Excel and save it again",
        )

    def close(self) -> None:
        self.book.close()
        self.formulas.close()


__all__ = ["FORMATS", "Input", "Item", "open_input", "guess_format", "detect_encoding"]
