"""Where a batch's results go: the output file (whole or not at all), the progress bar, the audit store.

Half-written files: the output goes to a temporary file beside the target
and is renamed when the batch ends; a batch that stops leaves no output file
behind. Audit records are written a chunk per transaction, in input order.
"""

from __future__ import annotations

import errno
import os
import sys
import tempfile
from pathlib import Path
from typing import IO, Any

from batch.desk import InputError, Problem, new_record


# --------------------------------------------------------------------------- output


class Output:
    """Where rows go: a temporary file renamed into place at the end, or standard output."""

    def __init__(self, target: str, encoding: str):
        self.target = target
        self.temp: str | None = None
        self.final = target  # the file renamed into place: a symbolic link's target, not the link
        try:
            import codecs

            # A character the encoding lacks (CP932 has no "—" of its own) becomes "?" rather than stopping the batch.
            self._encoder = codecs.getincrementalencoder(encoding)(errors="replace")
        except LookupError:
            raise InputError([Problem("--output-encoding", f"文字コード {encoding} を知りません", f"unknown encoding {encoding}")]) from None
        # Rows come encoded from the workers (batch.work.encode_row); the parent writes bytes.
        if target == "-":
            self.stream: IO[bytes] = sys.stdout.buffer
        else:
            path = Path(target)
            if path.is_dir():
                raise InputError([Problem(target, "出力先がフォルダです", "the output is a folder")])
            if path.exists() and not path.is_file():
                # /dev/null, /dev/stdout, a named pipe: written as it is. Renaming a file over it
                # replaced the device itself with a regular file.
                self.stream = self._open(target, lambda: open(path, "wb"))  # noqa: SIM115
                self.stream.write(self._encoder.encode(""))
                return
            path = path.resolve() if path.is_symlink() else path  # the link stays; the file it names is written
            if not path.parent.is_dir():
                raise InputError([Problem(target, "出力先のフォルダがありません", "the output's folder does not exist")])
            fd, self.temp = self._open(
                target, lambda: tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".partial")
            )
            self.final = str(path)
            self.stream = open(fd, "wb")  # noqa: SIM115 - closed by commit or abandon
            # mkstemp makes the file private (0600); the output is an ordinary file, shared as the user's
            # files are: the mode of the file it replaces, else what the umask gives a new file
            os.chmod(fd, path.stat().st_mode & 0o7777 if path.exists() else 0o666 & ~_umask())
        self.stream.write(self._encoder.encode(""))  # the byte-order mark of utf-8-sig or utf-16, once

    @staticmethod
    def _open(target: str, opener: Any) -> Any:
        try:
            return opener()
        except OSError as error:
            reason = error.strerror or str(error)
            raise InputError([Problem(target, f"出力先に書き込めません（{reason}）", f"cannot write the output here ({reason})")]) from None

    def write(self, text: str) -> None:
        self.stream.write(self._encoder.encode(text))

    def write_row(self, row: bytes) -> None:
        """A row a worker has already encoded in this output's encoding."""
        self.stream.write(row)

    def copy_from(self, source: int, count: int) -> None:
        """``count`` bytes from the open file ``source`` (at its position), written as rows are.

        The kernel copies them (``sendfile``: to a file, a pipe or a terminal
        alike), so the bytes never enter this process. Where it refuses,
        they are read and written as any row.
        """
        if count <= 0:
            return
        self.stream.flush()  # what was written before goes first
        try:
            out = self.stream.fileno()
        except (OSError, ValueError):  # a stream with no file behind it (a test's captured output)
            out = -1
        while out >= 0 and count > 0:
            try:
                sent = os.sendfile(out, source, None, count)
            except OSError as error:
                if error.errno not in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
                    raise
                break
            if sent <= 0:  # the source ended early: the read below says so
                break
            count -= sent
        if count > 0:  # refused, or no file behind the stream: the rest the ordinary way
            rest = os.read(source, count)
            if len(rest) < count:
                raise OSError(errno.EIO, f"a worker's spool file ended {count - len(rest)} bytes short")
            self.stream.write(rest)

    def commit(self) -> None:
        self.stream.flush()
        if self.temp is not None:
            self.stream.close()
            os.replace(self.temp, self.final)
            self.temp = None

    def abandon(self) -> None:
        if self.temp is not None:
            self.stream.close()
            os.unlink(self.temp)
            self.temp = None
        else:
            try:
                self.stream.flush()
            except (OSError, ValueError):
                pass


def _umask() -> int:
    mask = os.umask(0)  # the only way to read it; set back at once (no thread of ours runs yet)
    os.umask(mask)
    return mask


# --------------------------------------------------------------------------- progress


class Progress:
    """A rich progress bar on standard error (done, rate, ETA), or nothing."""

    def __init__(self, enabled: bool, total: int | None):
        self.bar = None
        if not enabled:
            return
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, ProgressColumn, TextColumn, TimeElapsedColumn, TimeRemainingColumn
        from rich.text import Text

        class Rate(ProgressColumn):
            def render(self, task: Any) -> Text:
                speed = task.finished_speed or task.speed
                return Text("" if speed is None else f"{speed:,.0f} cases/s", style="progress.data.speed")

        self.bar = Progress(
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            Rate(),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=Console(file=sys.stderr),
            transient=False,
        )
        self.task = self.bar.add_task("zansai batch", total=total)
        self.bar.start()

    def advance(self, n: int = 1) -> None:
        if self.bar is not None:
            self.bar.advance(self.task, n)

    def stop(self, done: int) -> None:
        if self.bar is not None:
            self.bar.update(self.task, total=done, completed=done)
            self.bar.stop()


# --------------------------------------------------------------------------- the audit store


class Recorder:
    """Assessments to the audit store, a chunk per transaction, in input order."""

    def __init__(self, db: str | None, header: dict[str, Any], chunk: int):
        from audit import Store

        self.store = Store.open(db)
        self.header = header
        self.chunk = chunk
        self.pending: list[Any] = []
        self.recorded = 0

    def add(self, record: dict[str, Any]) -> None:
        self.pending.append(new_record(record, self.header))
        if len(self.pending) >= self.chunk:
            self.flush()

    def flush(self) -> None:
        if self.pending:
            self.store.record_many(self.pending)
            self.recorded += len(self.pending)
            self.pending = []

    def close(self) -> None:
        self.store.close()
