"""Who is asking: passwords, signed session cookies, CSRF tokens, slowing password guessing.

A session is a signed cookie (HMAC, itsdangerous, with a key kept in the
store's database) carrying the account name, the CSRF token and a random
session id; the store keeps the SHA-256 of each logged-in session's id from
login to logout. So any server process behind a proxy can check a session
another one issued, none keeps sessions in memory, and logging out ends the
session on the server: the same cookie replayed afterwards is refused. The
account is looked up on every request (in the same query as the session), so
a role taken away takes effect at once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from itsdangerous import BadSignature, URLSafeTimedSerializer

from audit import Store
from audit import accounts as A

COOKIE = "zansai_session"
SESSION_MAX_AGE = 12 * 3600  # one working day; then log in again
_MAX_AGE = dt.timedelta(seconds=SESSION_MAX_AGE)
MAX_FAILURES = 5  # failed logins per account, and per client address, in the window
FAILURE_WINDOW = dt.timedelta(minutes=15)

_hasher = PasswordHasher()  # argon2id with the library's current recommended cost
# A hash of nothing, verified when the account does not exist, so that the
# answer takes as long for an unknown name as for a wrong password.
_DUMMY = _hasher.hash(secrets.token_hex(16))


def hash_password(password: str) -> str:
    return _hasher.hash(password)


@dataclass(frozen=True)
class Session:
    user: str | None  # None: not logged in (a visitor still gets a CSRF token for the login form)
    csrf: str
    stamp: str | None = None  # the account's password stamp when the session began
    sid: str | None = None  # the logged-in session's id; its SHA-256 is in the store until logout


def stamp_of(account: A.Account) -> str:
    """A short digest of the account's password hash: a new password (or a removed account) ends every
    session issued before it, although sessions are kept nowhere but in their cookies."""
    return hashlib.sha256(account.password_hash.encode("utf-8")).hexdigest()[:16]


def _digest(sid: str) -> str:
    return hashlib.sha256(sid.encode("ascii")).hexdigest()


class Sessions:
    """Issues, reads and ends sessions; logged-in sessions are kept in ``store`` (``audit.accounts``)."""

    def __init__(self, key: str, store: Store):
        self._serializer = URLSafeTimedSerializer(key, salt="zansai-session")
        self._store = store

    def issue(self, account: A.Account | None) -> tuple[Session, str]:
        """A new session (new CSRF token too) and its cookie value; a login's session is kept in the store."""
        user, stamp, sid = None, None, None
        if account is not None:
            user, stamp, sid = account.name, stamp_of(account), secrets.token_urlsafe(32)
            A.start_session(self._store, account.name, _digest(sid), _MAX_AGE)
        session = Session(user, secrets.token_urlsafe(24), stamp, sid)
        return session, self._serializer.dumps({"u": user, "c": session.csrf, "s": stamp, "i": sid})

    def account(self, session: Session) -> A.Account | None:
        """The session's account, or None: not logged in, logged out, expired, the account removed,
        or its password changed since the session began."""
        if not session.user or not session.sid:
            return None
        account = A.session_account(self._store, _digest(session.sid), _MAX_AGE)
        if account is None or account.name != session.user or session.stamp != stamp_of(account):
            return None
        return account

    def end(self, session: Session) -> None:
        """Logging out: the session is removed from the store, so its cookie opens nothing any more."""
        if session.sid:
            A.end_session(self._store, _digest(session.sid))

    def read(self, cookie: str | None) -> Session | None:
        if not cookie:
            return None
        try:
            data = self._serializer.loads(cookie, max_age=SESSION_MAX_AGE)
        except BadSignature:  # includes an expired one
            return None
        if not isinstance(data, dict) or not isinstance(data.get("c"), str):
            return None
        user, stamp, sid = data.get("u"), data.get("s"), data.get("i")
        return Session(user if isinstance(user, str) else None, data["c"], stamp if isinstance(stamp, str) else None,
                       sid if isinstance(sid, str) and sid.isascii() else None)


def csrf_ok(session: Session | None, token: str | None) -> bool:
    return session is not None and bool(token) and hmac.compare_digest(session.csrf, str(token))


class Throttled(Exception):
    """Too many failed logins for this account or from this client; try again later."""


def authenticate(store: Store, name: str, password: str, client: str) -> A.Account | None:
    """The account if the password is right; None if not; Throttled after too many failures.

    Failures are counted per account and per client address in the database,
    so several servers count together and a guesser cannot spread the load.
    """
    keys = [f"account:{name[:100]}", f"client:{client}"]
    if any(A.recent_failures(store, key, FAILURE_WINDOW) >= MAX_FAILURES for key in keys):
        raise Throttled()
    account = A.get_account(store, name) if A.NAME_PATTERN.match(name or "") else None
    try:
        _hasher.verify(account.password_hash if account else _DUMMY, password)
        ok = account is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        ok = False
    if not ok:
        A.record_failure(store, keys)
        return None
    A.clear_failures(store, keys[0])
    if _hasher.check_needs_rehash(account.password_hash):
        A.set_password_hash(store, account.name, _hasher.hash(password))
        account = A.get_account(store, account.name)  # the session's stamp is of the new hash
    return account
