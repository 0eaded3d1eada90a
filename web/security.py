"""Who is asking: passwords, signed session cookies, CSRF tokens, slowing password guessing.

Sessions are stateless: the cookie carries the account name and the CSRF
token, signed (HMAC, itsdangerous) with a key kept in the store's database, so
any server process behind a proxy can read a session another one issued and
none keeps sessions in memory. The account is looked up on every request, so
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


def stamp_of(account: A.Account) -> str:
    """A short digest of the account's password hash: a new password (or a removed account) ends every
    session issued before it, although sessions are kept nowhere but in their cookies."""
    return hashlib.sha256(account.password_hash.encode("utf-8")).hexdigest()[:16]


class Sessions:
    def __init__(self, key: str):
        self._serializer = URLSafeTimedSerializer(key, salt="zansai-session")

    def issue(self, account: A.Account | None) -> tuple[Session, str]:
        """A new session (new CSRF token too) and its cookie value."""
        user, stamp = (account.name, stamp_of(account)) if account is not None else (None, None)
        session = Session(user, secrets.token_urlsafe(24), stamp)
        return session, self._serializer.dumps({"u": user, "c": session.csrf, "s": stamp})

    def account(self, store: Store, session: Session) -> A.Account | None:
        """The session's account, or None: not logged in, the account removed, or its password changed since."""
        account = A.get_account(store, session.user) if session.user else None
        if account is None or session.stamp != stamp_of(account):
            return None
        return account

    def read(self, cookie: str | None) -> Session | None:
        if not cookie:
            return None
        try:
            data = self._serializer.loads(cookie, max_age=SESSION_MAX_AGE)
        except BadSignature:  # includes an expired one
            return None
        if not isinstance(data, dict) or not isinstance(data.get("c"), str):
            return None
        user, stamp = data.get("u"), data.get("s")
        return Session(user if isinstance(user, str) else None, data["c"], stamp if isinstance(stamp, str) else None)


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
