"""What a worker does with one record: read it, assess it, write its output row.

The output row is finished bytes, encoded where the result is, so the parent
only puts rows in order and writes them: that keeps the parent light (a
~200 KB JSON result is never decoded or encoded again; from a worker process
it comes as a file the parent copies, ``run_chunk_spooled``) and makes the
output the same bytes whatever the number of workers. A record
that cannot be read or assessed becomes an error row; only a defect in
zansai itself (an unexpected exception) is reported as internal, and still
as a row, so one odd record never loses the rest of a batch.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import os
import time
from dataclasses import dataclass
from typing import Any, NamedTuple

import orjson

from app.result_json import plain
from batch.desk import Desk, InputError, Problem, ZansaiError, record_fields
from batch.mapper import Columns, relocated
from batch.readers import Item
from facts.case import MAX_CASE_ID
from facts.fieldtypes import check_text
from facts.notation import ValueParseError
from facts.syntax import DuplicateKey, unique_json_object

EXIT_INTERNAL = 70


@dataclass(frozen=True)
class Job:
    """What every worker needs, fixed for the whole batch."""

    output: str  # "jsonl" or "csv"
    lang: str
    columns: Columns | None
    figures: tuple[str, ...]  # the figure columns of the CSV summary
    rules_dir: str | None = None
    rule_base: Any = None  # given to forked workers so each need not load the rule files again
    record: bool = False  # hand each assessment back for the audit store
    explain: bool = False  # keep the explanations (why-not data) in each result
    encoding: str = "utf-8"  # the output file's, which rows are encoded in


class Outcome(NamedTuple):
    ok: bool
    rank1: str | None
    exit_code: int  # 0, or the exit status this record's failure calls for
    row: bytes  # the output row(s), encoded, ready to write
    line: int | None
    source: str
    case_id: str | None
    problems: tuple[Problem, ...]
    seconds: float = 0.0  # reading, assessing and writing this record, in its worker
    record: dict[str, Any] | None = None  # for the audit store (--record): this case's part of its record
    replaced: int = 0  # characters of the row the output's encoding lacks, written as "?"
    spooled: int = 0  # the row's length in its chunk's spool file, when a worker wrote it there (row is then b"")


def json_line(doc: Any, encoding: str = "utf-8") -> bytes:
    """One JSON Lines record: compact, non-ASCII as is, in the output's encoding.

    The same document as ``json.dumps(doc, ensure_ascii=False, separators=(",", ":"))``,
    byte for byte, except a float under 1e-4, written without an exponent
    (0.00001, not 1e-05): the same number to any JSON reader.

    orjson writes a ~200 KB result about seven times faster than the standard
    encoder (0.5 against 3.7 ms), which in a batch is a tenth of a case's cost,
    and writes UTF-8 bytes, which is what most outputs want. It refuses what the
    standard encoder would write differently or not at all (an int beyond 64
    bits, a key that is not text): such a document falls back.
    """
    try:
        data = orjson.dumps(doc, option=orjson.OPT_APPEND_NEWLINE)
    except TypeError:
        return encode_row(json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n", encoding, in_json=True)[0]
    return data if _is_utf8(encoding) else encode_row(data.decode(), encoding, in_json=True)[0]


# Characters Japanese text uses that CP932 holds only in another form (Unicode has both; Excel shows
# these): written as that form rather than "?". The yen sign is the full-width one, as CP932's
# backslash byte would read back as "\" everywhere but in a Japanese font.
_CP932_FORMS = str.maketrans({
    "\u00a5": "\uffe5",  # ¥ → ￥
    "\u2014": "\u2015",  # — → ―
    "\u2212": "\uff0d",  # − → －
    "\u301c": "\uff5e",  # 〜 → ～
    "\u2016": "\u2225",  # ‖ → ∥
    "\u00a2": "\uffe0",  # ¢ → ￠
    "\u00a3": "\uffe1",  # £ → ￡
    "\u00ac": "\uffe2",  # ¬ → ￢
    "\u2013": "-",  # – (zansai's own "lines 4–5") → -
})


_KEPT_AS_IS: dict[tuple[str, str], bool] = {}


def _round_trips(ch: str, encoding: str) -> bool:
    """Whether the encoding writes the character and reads the same one back (CP932 writes "〜" as "～")."""
    known = _KEPT_AS_IS.get((ch, encoding))
    if known is None:
        try:
            known = ch.encode(encoding).decode(encoding) == ch
        except UnicodeError:
            known = False
        _KEPT_AS_IS[(ch, encoding)] = known
    return known


def _json_escaped(ch: str) -> str:
    code = ord(ch)
    if code > 0xFFFF:
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"


def encode_row(text: str, encoding: str, in_json: bool = False) -> tuple[bytes, int]:
    """A row in the output's encoding, without a byte-order mark, and how many characters became "?".

    A character the encoding lacks or changes is, in a JSON row, escaped (nothing is lost); in
    a CSV row, written in the form CP932 has (``_CP932_FORMS``, for CP932 only), else
    as "?" and counted, so the summary can say so.
    The mark, for an encoding that has one (utf-8-sig, utf-16), is the output
    file's to write once at its start (batch.sinks.Output), not every row's.
    """
    name = codecs.lookup(encoding).name
    if in_json:
        # everything outside a JSON string is ASCII, so such a character is always inside one
        lost = {ch: _json_escaped(ch) for ch in set(text) if ord(ch) > 127 and not _round_trips(ch, encoding)}
        if lost:
            text = text.translate(str.maketrans(lost))
    elif name == "cp932":  # these are CP932's forms: Shift_JIS and EUC-JP have the others
        text = text.translate(_CP932_FORMS)
    encoder = codecs.getincrementalencoder(encoding)(errors="strict")
    encoder.encode("")  # the byte-order mark, if any: left out
    try:
        return encoder.encode(text, final=True), 0
    except UnicodeEncodeError:
        replaced = sum(1 for ch in text if not _encodable(ch, encoding))
        encoder = codecs.getincrementalencoder(encoding)(errors="replace")
        encoder.encode("")
        return encoder.encode(text, final=True), replaced


def _encodable(ch: str, encoding: str) -> bool:
    try:
        ch.encode(encoding)
        return True
    except UnicodeEncodeError:
        return False


def _is_utf8(encoding: str) -> bool:
    return codecs.lookup(encoding).name == "utf-8"


def summary_header(figures: tuple[str, ...]) -> list[str]:
    return ["record", "case_id", "status", "rank1_path", "paths", *figures, "warnings", "missing",
            "error_fields", "error_ja", "error_en"]


def csv_line(row: list[Any]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerow(row)
    return buffer.getvalue()


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def summary_line(row: list[Any]) -> str:
    """A row of the CSV summary: a text cell that Excel would run as a formula is written with a leading "'".

    Case ids and messages come from the input; ``=HYPERLINK(…)`` as a case id must
    open as text in a spreadsheet, not as a link (numbers are cells of their own type
    and pass as they are).
    """
    return csv_line([f"'{c}" if isinstance(c, str) and c.startswith(_FORMULA_STARTS) else c for c in row])


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


class Worker:
    """One desk (one engine) and the job's settings; turns items into outcomes."""

    def __init__(self, job: Job, desk: Desk | None = None):
        self.job = job
        self.desk = desk if desk is not None else Desk(rules_dir=job.rules_dir, rule_base=job.rule_base)
        self._case_id: str | None = None

    def close(self) -> None:
        self.desk.close()

    def run(self, items: list[Item]) -> list[Outcome]:
        return [self.process(item) for item in items]

    def process(self, item: Item) -> Outcome:
        start = time.perf_counter()
        outcome = self._process(item)
        return outcome._replace(seconds=time.perf_counter() - start)

    def _process(self, item: Item) -> Outcome:
        self._case_id = None  # set as soon as the record names it, for its error row
        try:
            case = self._case(item)
            result = self.desk.assess(case, explain=self.job.explain)
            outcome = self._succeeded(item, result)
            if self.job.record:
                outcome = outcome._replace(record=self._record(item, case, result))
            return outcome
        except ZansaiError as error:
            return self._failed(item, self._case_id, tuple(error.problems), error.exit_code)
        except Exception as error:  # a defect in zansai: reported on the record, the batch goes on
            problem = Problem(
                "internal",
                f"内部エラー: {type(error).__name__}: {error}",
                f"internal error: {type(error).__name__}: {error}",
            )
            return self._failed(item, self._case_id, (problem,), EXIT_INTERNAL)

    def _record(self, item: Item, case: Any, result: Any) -> dict[str, Any]:
        if item.kind == "cells":
            assert self.job.columns is not None
            given = (csv_line(list(self.job.columns.names)) + csv_line(list(item.payload))).encode("utf-8")
        else:
            given = bytes(item.payload)
        return record_fields(given, case, result)

    # -- reading ---------------------------------------------------------------

    def _case(self, item: Item) -> Any:
        label = item.source if item.line is None else f"{item.source}:{item.line}"
        if item.kind == "file":
            try:
                return self.desk.load_case_text(item.payload, item.source)
            except InputError:
                # the error row names the case when the file names it, even if it is not a valid case
                self._case_id = _case_id_of(self.desk.case_data_or_none(item.payload))
                raise
        if item.kind == "json":
            try:
                data = self._json(item, label)
            except InputError:
                self._case_id = _case_id_of(_lenient_json(item.payload))
                raise
            if data is None:  # a file of nothing but "null" has no content; a line of it is a null where a case should be
                raise InputError([Problem(
                    label,
                    "事案はキーと値の組（case_id: … など）で書いてください。null になっています",
                    "a case must be a mapping of keys to values (case_id: …), not null",
                )])
            self._case_id = _case_id_of(data)
            return self.desk.load_case_data(data, label)
        if item.kind == "cells":
            assert self.job.columns is not None
            data, shape, moves = self.job.columns.case_data_placed(item.payload)
            self._case_id = _case_id_of(data)
            problems = list(item.problems) + shape
            try:
                case = self.desk.load_case_data(data, label)
            except InputError as error:
                raise InputError(problems + relocated(error.problems, moves)) from None
            if problems:
                raise InputError(problems)
            return case
        raise InputError(list(item.problems))

    @staticmethod
    def _json(item: Item, label: str) -> Any:
        try:
            # without its line end: a line cut short is then reported at its end, not at "line 2, column 1"
            return json.loads(item.payload.rstrip(b"\r\n"), object_pairs_hook=unique_json_object)
        except UnicodeDecodeError as error:
            raise InputError(
                [Problem(label, f"UTF-8 として読めません（{error.start + 1}バイト目）", f"not valid UTF-8 (at byte {error.start + 1})")]
            ) from None
        except json.JSONDecodeError as error:
            raise InputError(
                [
                    Problem(
                        f"{label}:{error.colno}",
                        f"JSON の書式に誤りがあります（{error.colno}列: {error.msg}）",
                        f"JSON syntax error at column {error.colno}: {error.msg}",
                    )
                ]
            ) from None
        except DuplicateKey as error:
            raise InputError([error.problem(label)]) from None

    # -- writing ---------------------------------------------------------------

    def _succeeded(self, item: Item, result: Any) -> Outcome:
        paths = [r.path for r in result.recommendations]
        rank1 = paths[0] if paths else None
        if self.job.output == "jsonl":
            row = json_line(self.desk.to_json(result, self.job.lang), self.job.encoding)
        else:
            figures = result.figures
            text = summary_line(
                [
                    _record(item),
                    result.case_id,
                    "ok",
                    rank1 or "",
                    ";".join(paths),
                    *(_cell(plain(figures[name])) if name in figures else "" for name in self.job.figures),
                    ";".join(w.id for w in result.warnings),
                    ";".join(m.field for m in result.missing),
                    "",
                    "",
                    "",
                ]
            )
            row, replaced = encode_row(text, self.job.encoding)
            return Outcome(True, rank1, 0, row, item.line, item.source, result.case_id, (), replaced=replaced)
        return Outcome(True, rank1, 0, row, item.line, item.source, result.case_id, ())

    def _failed(self, item: Item, case_id: str | None, problems: tuple[Problem, ...], exit_code: int) -> Outcome:
        if self.job.output == "jsonl":
            row = {
                "status": "error",
                "line": item.line,
                "source": item.source,
                "case_id": case_id,
                "errors": [{"field": p.location, "ja": p.ja, "en": p.en} for p in problems],
            }
            data = json_line(row, self.job.encoding)
        else:
            text = summary_line(
                [
                    _record(item),
                    case_id or "",
                    "error",
                    "",
                    "",
                    *("" for _ in self.job.figures),
                    "",
                    "",
                    "\n".join(p.location for p in problems),
                    "\n".join(p.ja for p in problems),
                    "\n".join(p.en for p in problems),
                ]
            )
            data, replaced = encode_row(text, self.job.encoding)
            return Outcome(False, None, exit_code, data, item.line, item.source, case_id, problems, replaced=replaced)
        return Outcome(False, None, exit_code, data, item.line, item.source, case_id, problems)


def _record(item: Item) -> Any:
    return item.source if item.line is None else item.line


def _lenient_json(payload: bytes) -> Any:
    """A JSON line read as any JSON reader would (a repeated key: the last wins), or None."""
    try:
        return json.loads(payload)
    except ValueError:
        return None


def _case_id_of(data: Any) -> str | None:
    """The case id a record gives, for its error row; None for one the case model itself refuses as an id
    (too long, or with control or text-direction characters), which the error row would only repeat."""
    if isinstance(data, dict):
        value = data.get("case_id")
        if isinstance(value, (str, int)) and not isinstance(value, bool):
            try:
                return check_text(str(value), MAX_CASE_ID) or None
            except ValueParseError:
                return None
    return None


# --------------------------------------------------------------------------- in a worker process

_worker: Worker | None = None
_ready: Any = None


def tune_gc() -> None:
    """Fewer, cheaper collections for a long run of cases.

    The rule base, the compiled engine and the imported modules live as long
    as the process: frozen, the collector stops walking them again and again.
    A case makes tens of thousands of short-lived objects, mostly freed by
    reference counting; a larger first generation lets most of them go before
    a collection would have to look at them (measured: about 8% per case).
    """
    import gc

    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)


def init_process(job: Job, ready: Any = None) -> None:
    """Build this process's own engine once; the parent handles Ctrl-C for everyone."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    global _worker, _ready
    _worker = Worker(job)
    _ready = ready
    tune_gc()


def wait_ready() -> None:
    """Returns once every worker has built its engine (one such task runs in each)."""
    if _ready is not None:
        _ready.wait()


def run_chunk(items: list[Item]) -> list[Outcome]:
    assert _worker is not None, "init_process was not called in this worker"
    return _worker.run(items)


def run_chunk_spooled(spool: str, items: list[Item]) -> list[Outcome]:
    """A chunk's rows written to the file ``spool``, in order; the outcomes come back without them.

    A JSON result is some 200 KB. Handed back through the pool, every row was
    pickled, sent down a pipe, read and unpickled by the parent and written
    again: the parent's share of a case, taken from the workers' cores. The
    parent now copies the file into the output inside the kernel (``Output.copy_from``).
    """
    outcomes = run_chunk(items)
    fd = os.open(spool, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        for o in outcomes:
            view = memoryview(o.row)
            while view:
                view = view[os.write(fd, view):]
    finally:
        os.close(fd)
    return [o._replace(row=b"", spooled=len(o.row)) for o in outcomes]
