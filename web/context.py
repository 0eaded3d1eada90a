"""What every part of the web desk shares: the store, this process's desk, sessions, templates, and who is asking.

One ``Web`` object per app, built by ``web.app.create_app`` and handed to each
group of routes (login, the interview, the result, the audit pages, the JSON
API), so none of them reaches into another.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import secrets
import threading
from collections import OrderedDict
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from fastapi import Path as PathParam, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.datastructures import FormData

from app import records as R
from app.desk import Desk
from app.result import Result
from audit import Store
from audit import accounts as A
from audit.errors import RecordNotFound
from facts.errors import InputError, Problem
from facts.load import MAX_CASE_BYTES
from web import security as S
from web.i18n import t
from web.views import result_view

HERE = Path(__file__).resolve().parent
# record ids are integers the databases hold (SQLite and PostgreSQL both take 64 bits, not Python's any size)
RECORD_ID = PathParam(..., ge=1, le=2**62, description="Record id / 記録ID")


class Denied(Exception):
    """Not logged in (pages redirect to the login page; the API answers 401)."""


class Forbidden(Exception):
    """A form or API call without the right CSRF token."""


class TooMany(Exception):
    """Login throttled."""


class Desks:
    """This process's desk, one assessment at a time (durable-rules holds global state)."""

    def __init__(self, rules: Path | None):
        self.desk = Desk(rules)
        self.lock = threading.Lock()

    @contextmanager
    def use(self) -> Iterator[Desk]:
        with self.lock:
            yield self.desk


class Web:
    def __init__(self, store: Store, desks: Desks, sessions: S.Sessions):
        self.store = store
        self.desks = desks
        self.sessions = sessions
        self.templates = Jinja2Templates(directory=str(HERE / "templates"))
        self.templates.env.globals["t"] = t
        # a fresh token in each form that records: the same form sent twice (a double click, a reload)
        # makes one record, not two (``recorded_by_token``)
        self.templates.env.globals["record_token"] = lambda: secrets.token_urlsafe(16)
        self._recorded: OrderedDict[tuple[str, str], int] = OrderedDict()
        self.paths_catalog = desks.desk.rule_base.catalog.paths
        self.versions = R.Versions(store)  # recorded rule bases, each loaded once per process for replays

    # ------------------------------------------------------------------ who is asking

    @staticmethod
    def lang_of(request: Request) -> str:
        return request.state.lang

    @staticmethod
    def client(request: Request) -> str:
        return request.client.host if request.client else "-"

    def account_of(self, request: Request) -> A.Account | None:
        return self.sessions.account(request.state.session)

    def page_user(self, request: Request) -> A.Account:
        """A dependency: the logged-in advisor of a page, or to the login page."""
        account = self.account_of(request)
        if account is None:
            raise Denied()
        return account

    def api_user(self, request: Request) -> A.Account:
        """A dependency: HTTP Basic, or a session plus the X-CSRF-Token header on anything that changes."""
        auth = request.headers.get("authorization", "")
        if auth.lower().startswith("basic "):
            try:
                name, _, password = base64.b64decode(auth[6:]).decode("utf-8").partition(":")
            except (binascii.Error, UnicodeDecodeError, ValueError):
                raise Denied() from None
            try:
                account = S.authenticate(self.store, name, password, self.client(request))
            except S.Throttled:
                raise TooMany() from None
            if account is None:
                raise Denied()
            return account
        account = self.account_of(request)
        if account is None:
            raise Denied()
        if request.method not in ("GET", "HEAD") and not S.csrf_ok(request.state.session, request.headers.get("x-csrf-token")):
            raise Forbidden()
        return account

    async def form_of(self, request: Request) -> FormData:
        """The posted form, refused without this session's CSRF token."""
        form = await request.form(max_files=1, max_fields=2000, max_part_size=MAX_CASE_BYTES)
        if not S.csrf_ok(request.state.session, form.get("csrf")):
            raise Forbidden()
        return form

    def render(self, request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        account = context.pop("account", None)
        return self.templates.TemplateResponse(
            request,
            name,
            {"lang": self.lang_of(request), "csrf": request.state.session.csrf, "account": account, **context},
            status_code=status,
        )

    # ------------------------------------------------------------------ the desk's operations

    def assess_text(self, text: str | bytes, source: str = "<form>") -> Result:
        with self.desks.use() as desk:
            case = desk.parse_case(text, source)
            return desk.assess(case)

    def record_text(self, text: str, account: A.Account, note: str | None, lang: str = "ja") -> tuple[int, Result]:
        """Assess and record, as ``assess --record`` does; the text report the page showed is kept with it."""
        from render.report import render as report_text

        data = text.encode("utf-8")
        if len(data) > MAX_CASE_BYTES:
            raise InputError([Problem("case", "事案が大きすぎます", "the case is too large")])
        with self.desks.use() as desk:
            case = desk.parse_case(data, "<form>")
            result = desk.assess(case)
            version = R.version_fields(desk.rule_base)
        shown = [{"lang": lang, "format": "text", "audience": "advisor", "text": report_text(result, lang)}]
        record = R.new_record(R.assessment_fields(data, case, result, shown), version, advisor=account.name, note=note or None)
        return self.store.record(record), result

    def recorded_by_token(self, account: A.Account, token: str) -> int | None:
        """The record this advisor's form with this token already made, if any.

        Kept in this process (the last 10,000 forms): with ``serve --workers N`` a second send that
        another process answers is not recognised, and makes a second record, as before.
        """
        return self._recorded.get((account.name, token)) if token else None

    def remember_token(self, account: A.Account, token: str, record_id: int) -> None:
        if token:
            self._recorded[(account.name, token)] = record_id
            while len(self._recorded) > 10_000:
                self._recorded.popitem(last=False)

    def visible_record(self, record_id: int, account: A.Account) -> Any:
        """The record if this advisor may read it; otherwise exactly as if it did not exist."""
        try:
            rec = self.store.get(record_id)
        except RecordNotFound:
            rec = None
        if rec is None or rec.kind != "assessment" or (not account.supervisor and rec.advisor != account.name):
            raise RecordNotFound([Problem(str(record_id), f"記録 {record_id} はありません", f"no record {record_id}")])
        return rec

    def list_records(self, account: A.Account, case_id: str | None, since: str | None, until: str | None,
                     rank1: str | None, advisor: str | None = None) -> list[dict[str, Any]]:
        def day(value: str | None, name: str) -> dt.date | None:
            if not value:
                return None
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                raise InputError([Problem(name, f"日付は YYYY-MM-DD で指定してください: {value!r}",
                                          f"give the date as YYYY-MM-DD: {value!r}")]) from None

        who = (advisor or None) if account.supervisor else account.name
        return self.store.list(case_id=case_id or None, advisor=who, since=day(since, "from"), until=day(until, "to"),
                               rank1=rank1 or None)

    def path_title(self, path: str, lang: str) -> str:
        info = self.paths_catalog.get(path)
        return info.title.get(lang) if info else path

    def view(self, result: Result, lang: str) -> dict[str, Any]:
        v = result_view(result, lang)
        for item in v["why_not"]:
            item["title"] = self.path_title(item["path"], lang)
        return v


def problems_json(problems: list[Problem], lang: str) -> list[dict[str, str]]:
    return [{"location": p.location, "message": p.text(lang), "ja": p.ja, "en": p.en} for p in problems]


def fast_json(data: Any, status: int = 200) -> Response:
    """A result document is already JSON-ready (``Result.to_json``): skip FastAPI's generic encoder,
    which walks every value of it again and costs as much as the assessment."""
    return Response(json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8"), status_code=status,
                    media_type="application/json")


def plain_json(value: Any) -> Any:
    from app.result_json import plain

    if isinstance(value, dict):
        return {k: plain_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain_json(v) for v in value]
    return plain(value)
