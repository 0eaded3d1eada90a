"""Advisors' accounts and failed logins, kept in the audit store's database.

Plain data, like the rest of the store: a password arrives here already
hashed (the web desk hashes it), and nothing here knows what a session or a
cookie is. Several server processes share one database, so everything a login
needs (accounts, the failure counts that slow guessing, the key that signs
session cookies) is here rather than in any process's memory.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, func, insert, select
from sqlalchemy.exc import DBAPIError, IntegrityError, SQLAlchemyError

from facts.errors import InputError, Problem
from audit.schema import accounts, login_failures, store_info, web_sessions
from audit.store import Store

# Letters, digits and . _ - : a name appears in records, lists and URLs as it is.
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
SECRET_KEY = "web_session_key"


class AccountError(InputError):
    """A bad account name, or one that exists already (bad input: exit 2)."""

    exit_code = 2


@dataclass(frozen=True)
class Account:
    name: str
    password_hash: str
    supervisor: bool
    created_at: str


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def check_name(name: str) -> str:
    if not NAME_PATTERN.match(name or ""):
        raise AccountError(
            [
                Problem(
                    "NAME",
                    f"アカウント名 {name!r} は使えません（半角英数字と . _ - で64文字まで、英数字で始める）",
                    f"account name {name!r} is not allowed (letters, digits, . _ - up to 64 characters, starting with a letter or digit)",
                )
            ]
        )
    return name


def add_account(store: Store, name: str, password_hash: str, supervisor: bool = False) -> Account:
    check_name(name)
    row = {"name": name, "password_hash": password_hash, "supervisor": int(supervisor), "created_at": _now()}
    try:
        with store._write() as conn:
            conn.execute(insert(accounts).values(**row))
    except IntegrityError:
        raise AccountError(
            [Problem("NAME", f"アカウント {name} はすでにあります", f"account {name} already exists")]
        ) from None
    except (DBAPIError, SQLAlchemyError) as exc:
        raise store._unreachable(exc) from None
    return Account(name, password_hash, bool(supervisor), row["created_at"])


def get_account(store: Store, name: str) -> Account | None:
    with store._read() as conn:
        row = conn.execute(select(accounts).where(accounts.c.name == name)).one_or_none()
    if row is None:
        return None
    return Account(row.name, row.password_hash, bool(row.supervisor), row.created_at)


def set_password_hash(store: Store, name: str, password_hash: str) -> None:
    """Replace a stored hash (a login rehashes one made with weaker settings)."""
    try:
        with store._write() as conn:
            conn.execute(accounts.update().where(accounts.c.name == name).values(password_hash=password_hash))
    except (DBAPIError, SQLAlchemyError) as exc:
        raise store._unreachable(exc) from None


def remove_account(store: Store, name: str) -> None:
    """Delete an account (an advisor who left): their records keep their name; their sessions end."""
    try:
        with store._write() as conn:
            gone = conn.execute(delete(accounts).where(accounts.c.name == name)).rowcount
            conn.execute(delete(web_sessions).where(web_sessions.c.account == name))
    except (DBAPIError, SQLAlchemyError) as exc:
        raise store._unreachable(exc) from None
    if not gone:
        raise AccountError([Problem("NAME", f"アカウント {name} はありません", f"no account {name}")])


def list_accounts(store: Store) -> list[Account]:
    with store._read() as conn:
        rows = conn.execute(select(accounts).order_by(accounts.c.name)).all()
    return [Account(r.name, r.password_hash, bool(r.supervisor), r.created_at) for r in rows]


def record_failure(store: Store, keys: list[str]) -> None:
    try:
        with store._write() as conn:
            conn.execute(insert(login_failures), [{"key": k[:128], "at": _now()} for k in keys])
    except (DBAPIError, SQLAlchemyError) as exc:
        raise store._unreachable(exc) from None


def recent_failures(store: Store, key: str, window: dt.timedelta) -> int:
    since = (dt.datetime.now(dt.timezone.utc) - window).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    with store._read() as conn:
        return int(
            conn.execute(
                select(func.count()).select_from(login_failures).where(login_failures.c.key == key[:128]).where(login_failures.c.at >= since)
            ).scalar()
            or 0
        )


def clear_failures(store: Store, key: str) -> None:
    try:
        with store._write() as conn:
            conn.execute(delete(login_failures).where(login_failures.c.key == key[:128]))
    except (DBAPIError, SQLAlchemyError) as exc:
        raise store._unreachable(exc) from None


def session_key(store: Store) -> str:
    """The key that signs session cookies, made once per store and shared by every server on it."""
    with store._read() as conn:
        value = conn.execute(select(store_info.c.value).where(store_info.c.key == SECRET_KEY)).scalar()
    if value:
        return value
    try:
        with store._write() as conn:
            conn.execute(insert(store_info).values(key=SECRET_KEY, value=secrets.token_urlsafe(48)))
    except IntegrityError:
        pass  # another server made it first; use theirs
    except (DBAPIError, SQLAlchemyError) as exc:
        raise store._unreachable(exc) from None
    with store._read() as conn:
        return conn.execute(select(store_info.c.value).where(store_info.c.key == SECRET_KEY)).scalar()


def start_session(store: Store, name: str, id_sha256: str, max_age: dt.timedelta) -> None:
    """Keep a new login session; sessions older than ``max_age`` (cookies that expired anyway) are cleared."""
    now = dt.datetime.now(dt.timezone.utc)
    stale = (now - max_age).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    try:
        with store._write() as conn:
            conn.execute(delete(web_sessions).where(web_sessions.c.started_at < stale))
            conn.execute(insert(web_sessions).values(id_sha256=id_sha256, account=name,
                                                     started_at=now.strftime("%Y-%m-%dT%H:%M:%S.%fZ")))
    except (DBAPIError, SQLAlchemyError) as exc:
        raise store._unreachable(exc) from None


def session_account(store: Store, id_sha256: str, max_age: dt.timedelta) -> Account | None:
    """The account of a live session, or None (logged out, expired, or the account removed)."""
    since = (dt.datetime.now(dt.timezone.utc) - max_age).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    query = (
        select(accounts)
        .join(web_sessions, web_sessions.c.account == accounts.c.name)
        .where(web_sessions.c.id_sha256 == id_sha256)
        .where(web_sessions.c.started_at >= since)
    )
    with store._read() as conn:
        row = conn.execute(query).one_or_none()
    if row is None:
        return None
    return Account(row.name, row.password_hash, bool(row.supervisor), row.created_at)


def end_session(store: Store, id_sha256: str) -> None:
    try:
        with store._write() as conn:
            conn.execute(delete(web_sessions).where(web_sessions.c.id_sha256 == id_sha256))
    except (DBAPIError, SQLAlchemyError) as exc:
        raise store._unreachable(exc) from None
