"""Where the audit store lives, and preparing a SQLite file safely.

The setting comes from ``--db``, else ``ZANSAI_DB``, else a file in the user's
data directory. A ``postgresql://`` URL selects PostgreSQL; anything else is a
SQLite file path (or a ``sqlite:///`` URL).

A new SQLite file is created 0600 in a 0700 directory: it holds clients'
financial situations. An existing file that is not SQLite is refused before
SQLite ever opens it, so it is never touched.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from audit.errors import Problem, StoreError

SQLITE_MAGIC = b"SQLite format 3\x00"
ENV_VAR = "ZANSAI_DB"


@dataclass(frozen=True)
class Location:
    backend: str  # sqlite | postgresql
    url: str  # the SQLAlchemy URL
    path: Path | None = None  # the SQLite file

    @property
    def display(self) -> str:
        if self.path is not None:
            return str(self.path)
        from sqlalchemy.engine import make_url

        return make_url(self.url).render_as_string(hide_password=True)


def default_data_dir() -> Path:
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "zansai"
    if os.name == "nt":
        return Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local") / "zansai"
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "zansai"


def _sqlite(path: Path) -> Location:
    path = path.absolute()
    return Location("sqlite", f"sqlite:///{path}", path)


def resolve(setting: str | None = None) -> Location:
    """The store the user asked for: ``--db``, else ``ZANSAI_DB``, else the default file."""
    value = setting or os.environ.get(ENV_VAR) or ""
    if not value:
        return _sqlite(default_data_dir() / "audit.sqlite3")
    scheme = value.split("://", 1)[0].lower() if "://" in value else ""
    if scheme in ("postgresql", "postgres", "postgresql+psycopg"):
        rest = value.split("://", 1)[1]
        return Location("postgresql", "postgresql+psycopg://" + rest)
    if scheme == "sqlite":
        path = value.split("://", 1)[1]
        path = path[1:] if path.startswith("/") else path  # sqlite:///rel, sqlite:////abs
        if not path:
            raise StoreError([Problem("--db", "SQLite のファイル名がありません", "the sqlite URL names no file")])
        return _sqlite(Path(path).expanduser())
    if scheme:
        raise StoreError(
            [
                Problem(
                    "--db",
                    f"{scheme}:// は使えません（SQLite のファイルか postgresql:// の URL を指定してください）",
                    f"unsupported store {scheme}:// (give a SQLite file or a postgresql:// URL)",
                )
            ]
        )
    return _sqlite(Path(value).expanduser())


def prepare_sqlite_file(path: Path, default_dir: bool) -> None:
    """Create the file 0600 (and its directory 0700) if absent; refuse a file that is not SQLite."""
    if path.exists():
        if path.is_dir():
            raise StoreError([Problem(str(path), "フォルダです。ファイル名を指定してください", "is a directory, not a store file")])
        with path.open("rb") as fh:
            head = fh.read(len(SQLITE_MAGIC))
        if head and head != SQLITE_MAGIC:
            raise StoreError(
                [
                    Problem(
                        str(path),
                        "zansai の監査記録ではありません（SQLite ファイルではないため、開かず、上書きもしません）",
                        "not a zansai audit store (not a SQLite file); it was neither opened nor overwritten",
                    )
                ]
            )
        return
    parent = path.parent
    if not parent.exists():
        try:
            parent.mkdir(mode=0o700, parents=True)
        except OSError as exc:
            raise StoreError([Problem(str(parent), f"フォルダを作れません: {exc}", f"cannot create the folder: {exc}")]) from None
        os.chmod(parent, 0o700)
    elif default_dir:
        os.chmod(parent, 0o700)
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return  # another process created it first; it will be checked like any existing file
    except OSError as exc:
        raise StoreError([Problem(str(path), f"ファイルを作れません: {exc}", f"cannot create the file: {exc}")]) from None
    os.close(fd)
    os.chmod(path, 0o600)
