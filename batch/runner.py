"""Running a batch: records in, rows out, in input order, with workers and a progress bar.

Order and memory: records go to the workers in chunks, and at most a fixed
window of chunks is in flight; the parent waits for the oldest chunk, writes
its rows and only then reads more input. Rows therefore come out in input
order, as soon as everything before them is done, and memory does not grow
with the input.

Same bytes with any number of workers: a worker turns a record into its
finished output row, and nothing in a row depends on which process made it
or when.

Half-written files: the output goes to a temporary file beside the target
and is renamed when the batch ends; a batch that stops (``--fail-fast``,
Ctrl-C, a crashed worker) leaves no output file behind (``batch.sinks``).
"""

from __future__ import annotations

import collections
import itertools
import multiprocessing
import os
import shutil
import tempfile
import time
import unicodedata
from collections import Counter
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Iterable, Iterator

from batch.desk import EngineError, InputError, Problem, load_rule_base, record_header
from batch.readers import Input, Item, open_input
from batch.sinks import Output, Progress, Recorder
from batch.work import Job, Outcome, Worker, csv_line, init_process, run_chunk_spooled, summary_header, tune_gc, wait_ready

CHUNK = 16  # records per task: large enough to hide the cost of a hand-over, small enough to keep rows flowing
WINDOW_PER_WORKER = 4  # chunks in flight per worker


@dataclass
class Options:
    input: str
    output: str = "-"
    input_format: str | None = None
    output_format: str | None = None  # "jsonl" or "csv"; default from the output's name
    encoding: str | None = None  # of a CSV input; default: detected
    output_encoding: str = "utf-8"
    workers: int | None = None  # default: the CPUs this process may use
    lang: str = "ja"
    fail_fast: bool = False
    progress: bool = False
    rules_dir: str | None = None
    chunk: int = CHUNK
    keep_latencies: bool = False  # each record's time in its worker, for the benchmark
    record: bool = False  # write every assessment to the audit store, one transaction per chunk
    explain: bool = False  # keep the explanations in each result (slower)
    db: str | None = None  # the audit store (default: ZANSAI_DB, else the user's data folder)


@dataclass
class Summary:
    done: int = 0
    failed: int = 0
    rank1: Counter = field(default_factory=Counter)
    failures: Counter = field(default_factory=Counter)  # by exit status
    elapsed: float = 0.0
    run_time: float = 0.0  # from the moment every engine was ready to the last row written
    cpu_time: float = 0.0  # this process's CPU over the same span (all of it, with one worker)
    stopped: Outcome | None = None  # the record --fail-fast stopped at
    latencies: list[float] | None = None
    recorded: int | None = None  # assessments written to the audit store (--record)
    output_encoding: str = "utf-8"
    output: str = "-"
    skipped: tuple[tuple[str, str], ...] = ()  # what the input held and was not read (ja, en)
    replaced_rows: int = 0  # rows with characters the output's encoding lacks, written as "?"
    first_replaced: str | None = None  # where the first such row's record is

    def add(self, outcome: Outcome) -> None:
        self.done += 1
        if outcome.replaced:
            self.replaced_rows += 1
            if self.first_replaced is None:
                self.first_replaced = outcome.source if outcome.line is None else f"{outcome.source}:{outcome.line}"
        if outcome.ok:
            self.rank1[outcome.rank1] += 1
        else:
            self.failed += 1
            self.failures[outcome.exit_code] += 1
        if self.latencies is not None:
            self.latencies.append(outcome.seconds)

    @property
    def exit_code(self) -> int:
        return max(self.failures, default=0)

    def lines(self, lang: str) -> list[str]:
        rate = self.done / self.elapsed if self.elapsed > 0 else 0.0
        ok = self.done - self.failed
        if lang == "ja":
            out = [f"{self.done:,}件（成功 {ok:,}件・失敗 {self.failed:,}件）、{self.elapsed:.1f}秒、{rate:,.1f}件/秒"]
            out.append("第1順位の進路:" if self.rank1 else "第1順位の進路: なし")
        else:
            out = [f"{self.done:,} records ({ok:,} assessed, {self.failed:,} failed) in {self.elapsed:.1f} s, {rate:,.1f} cases/s"]
            out.append("rank-1 paths:" if self.rank1 else "rank-1 paths: none")
        if not self.done and self.stopped is None:  # an empty file, a folder with no case files: likely the wrong input
            out.append("入力に事案が1件もありませんでした。指定した入力が正しいか確認してください"
                       if lang == "ja" else "the input held no records: check it is the one you meant")
        none = "（進路なし）" if lang == "ja" else "(no path)"
        names = {path: path or none for path in self.rank1}
        width = max((_columns(n) for n in names.values()), default=0) + 2
        # paths by count; records with no path listed last, named in words, in the same column
        for path, count in sorted(self.rank1.items(), key=lambda pc: (pc[0] is None, -pc[1], pc[0] or "")):
            name = names[path]
            out.append(f"  {name}{' ' * (width - _columns(name))}{count:>9,}")
        kinds = {2: ("入力の誤り", "input errors"), 4: ("エンジンの失敗", "engine failures"), 70: ("内部エラー", "internal errors")}
        for code, count in sorted(self.failures.items()):
            ja, en = kinds.get(code, (f"終了コード {code}", f"exit status {code}"))
            out.append(f"失敗（{ja}）: {count:,}件" if lang == "ja" else f"failed ({en}): {count:,}")
        for ja, en in self.skipped:
            out.append(f"読まなかったもの: {ja}" if lang == "ja" else f"not read: {en}")
        if self.replaced_rows:
            enc = self.output_encoding
            out.append(
                f"出力の文字コード {enc} で表せない文字を「?」にした行: {self.replaced_rows:,}行（最初は {self.first_replaced}）"
                if lang == "ja"
                else f"rows with characters {enc} cannot hold, written as \"?\": {self.replaced_rows:,} (the first: {self.first_replaced})"
            )
        if self.recorded is not None:
            out.append(f"監査記録に保存: {self.recorded:,}件" if lang == "ja" else f"recorded in the audit store: {self.recorded:,}")
        if self.stopped is not None:
            where = self.stopped.source if self.stopped.line is None else f"{self.stopped.source}:{self.stopped.line}"
            out.append(f"--fail-fast: {where} で停止しました" if lang == "ja" else f"--fail-fast: stopped at {where}")
            if self.output != "-":  # a file from an earlier run is left as it was: said, so it is not taken for this one
                out.append(f"出力ファイル {self.output} は書いていません（前からあるものはそのままです）" if lang == "ja"
                           else f"the output file {self.output} was not written (one already there is left as it was)")
        return out


class Interrupted(Exception):
    """Ctrl-C during a batch: what was done by then, for the message (the output file is already removed)."""

    def __init__(self, summary: Summary, to_stdout: bool):
        super().__init__("interrupted")
        self.summary = summary
        self.to_stdout = to_stdout

    def lines(self, lang: str) -> list[str]:
        done, recorded = self.summary.done, self.summary.recorded
        if lang == "ja":
            out = [f"中断しました（{done:,}件を処理済み）。" + ("出力は途中までです。" if self.to_stdout else "出力ファイルは作っていません。")]
            if recorded:
                out.append(f"監査記録には {recorded:,}件が保存されています。もう一度実行すると、それらの事案は重ねて記録されます。")
        else:
            out = [f"interrupted after {done:,} records; " + ("the output stops part way." if self.to_stdout else "no output file was written.")]
            if recorded:
                out.append(f"{recorded:,} assessments are in the audit store: running the batch again records those cases again.")
        return out


def _columns(text: str) -> int:
    """How many terminal columns a text takes: a full-width character takes two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def key_figures(rule_base: Any) -> tuple[str, ...]:
    """The figures the catalog names as key to some path, in the catalog's order: the summary's columns."""
    names: list[str] = []
    for decl in rule_base.catalog.paths.values():
        for name in decl.key_figures:
            if name not in names:
                names.append(name)
    return tuple(names)


def output_format(opts: Options) -> str:
    if opts.output_format:
        return opts.output_format
    suffix = Path(opts.output).suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in (".jsonl", ".ndjson", "") or opts.output == "-":
        return "jsonl"
    raise InputError(
        [
            Problem(
                opts.output,
                "出力の形式が分かりません（.jsonl か .csv。--format で指定できます）",
                "cannot tell the output format (.jsonl or .csv; or give --format)",
            )
        ]
    )


def _refuse_writing_over_input(opts: Options) -> None:
    if opts.input == "-" or opts.output == "-" or not Path(opts.output).exists():
        return
    try:
        same = os.path.samefile(opts.input, opts.output)
    except OSError:
        return  # an input that cannot be opened is reported by the reader
    if same:
        raise InputError(
            [
                Problem(
                    opts.output,
                    "出力先が入力と同じファイルです（入力が結果で上書きされてしまいます）。別の名前を指定してください",
                    "the output is the input file itself (the results would overwrite the cases): give another name",
                )
            ]
        )


def default_workers() -> int:
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


# --------------------------------------------------------------------------- running


def _chunks(items: Iterable[Item], size: int) -> Iterator[list[Item]]:
    it = iter(items)
    while chunk := list(itertools.islice(it, size)):
        yield chunk


class _Serial:
    """One engine in this process: the reference the workers' output must equal."""

    def __init__(self, job: Job, items: Iterable[Item]):
        self.worker = Worker(job)
        self.items = items
        tune_gc()

    def __iter__(self) -> Iterator[Outcome]:
        for item in self.items:
            yield self.worker.process(item)

    @staticmethod
    def write(outcome: Outcome, out: Output) -> None:
        out.write_row(outcome.row)

    def close(self) -> None:
        self.worker.close()


class _Parallel:
    """Worker processes, each with its own engine, fed a bounded window of chunks.

    Each chunk's rows come back as a file in a private spool folder
    (``run_chunk_spooled``), copied into the output in input order and
    removed; the folder goes when the batch ends, however it ends.
    """

    def __init__(self, job: Job, items: Iterable[Item], workers: int, chunk: int):
        self.chunks = _chunks(items, chunk)
        self.window = workers * WINDOW_PER_WORKER
        self.spool = tempfile.mkdtemp(prefix="zansai-batch-")  # 0700: the rows hold the cases' personal data
        self._sequence = itertools.count()
        self._source = -1  # the spool file of the chunk being written out
        # fork: the workers inherit the loaded rule base and the imported modules; the
        # executor starts all of them at the first submit, before any thread of ours exists.
        context = multiprocessing.get_context("fork")
        ready = context.Barrier(workers)
        self.pool = ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=init_process, initargs=(job, ready))
        self.pending: collections.deque[tuple[str, Future]] = collections.deque()
        try:
            # one waiting task per worker: they return together once every worker has its engine
            for done in [self.pool.submit(wait_ready) for _ in range(workers)]:
                self._result(done)
            self._fill()
        except BaseException:  # the caller never holds this runner, so it cannot close it
            self.close()
            raise

    @staticmethod
    def _result(future: Future) -> Any:
        try:
            return future.result()
        except BrokenProcessPool:
            raise EngineError(
                [Problem("batch", "ワーカープロセスが異常終了しました", "a worker process died unexpectedly")]
            ) from None

    def _fill(self) -> None:
        while len(self.pending) < self.window:
            chunk = next(self.chunks, None)
            if chunk is None:
                return
            spool = os.path.join(self.spool, str(next(self._sequence)))
            self.pending.append((spool, self.pool.submit(run_chunk_spooled, spool, chunk)))

    def __iter__(self) -> Iterator[Outcome]:
        while self.pending:
            spool, future = self.pending.popleft()
            outcomes = self._result(future)
            self._fill()
            self._source = os.open(spool, os.O_RDONLY)
            os.unlink(spool)  # open, it is still read; closed, it is gone
            try:
                yield from outcomes
            finally:
                os.close(self._source)
                self._source = -1

    def write(self, outcome: Outcome, out: Output) -> None:
        out.copy_from(self._source, outcome.spooled)

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)
        shutil.rmtree(self.spool, ignore_errors=True)


def run_batch(opts: Options, log: IO[str] | None = None) -> Summary:
    """Run a whole batch; rows go to ``opts.output``, the summary is returned (and printed by the caller)."""
    start = time.perf_counter()
    fmt = output_format(opts)
    _refuse_writing_over_input(opts)
    source: Input = open_input(opts.input, opts.input_format, opts.encoding)
    try:
        rule_base = load_rule_base(opts.rules_dir)
        figures = key_figures(rule_base)
        job = Job(output=fmt, lang=opts.lang, columns=source.columns, figures=figures,
                  rules_dir=opts.rules_dir, rule_base=rule_base, record=opts.record,
                  explain=opts.explain, encoding=opts.output_encoding)
        workers = opts.workers or default_workers()
        out = Output(opts.output, opts.output_encoding)
        summary = Summary(output_encoding=opts.output_encoding, output=opts.output, skipped=source.skipped)
        summary.latencies = [] if opts.keep_latencies else None
        runner: _Parallel | _Serial | None = None
        progress: Progress | None = None
        recorder: Recorder | None = None
        committed = False
        try:
            if opts.record:
                recorder = Recorder(opts.db, record_header(rule_base), opts.chunk)
            if fmt == "csv":
                out.write(csv_line(summary_header(figures)))
            if workers > 1:
                runner = _Parallel(job, iter(source), workers, opts.chunk)
            else:
                runner = _Serial(job, iter(source))
            ready, ready_cpu = time.perf_counter(), time.process_time()
            progress = Progress(opts.progress, source.total)
            for outcome in runner:
                runner.write(outcome, out)
                summary.add(outcome)
                if recorder is not None and outcome.record is not None:
                    recorder.add(outcome.record)
                progress.advance()
                if opts.fail_fast and not outcome.ok:
                    summary.stopped = outcome
                    break
            if recorder is not None:
                recorder.flush()
                summary.recorded = recorder.recorded
            if summary.stopped is None:
                out.commit()
                committed = True
            summary.run_time = time.perf_counter() - ready
            summary.cpu_time = time.process_time() - ready_cpu
        except KeyboardInterrupt:
            if recorder is not None:
                summary.recorded = recorder.recorded
            raise Interrupted(summary, to_stdout=opts.output == "-") from None
        finally:
            if progress is not None:
                progress.stop(summary.done)
            if runner is not None:
                runner.close()
            if recorder is not None:
                recorder.close()
            if not committed:
                out.abandon()
    finally:
        source.close()
    summary.elapsed = time.perf_counter() - start
    return summary
