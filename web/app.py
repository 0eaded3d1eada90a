"""The web desk: ``zansai serve``, a second door onto the same application layer.

Pages are rendered on the server (Jinja2) and work without JavaScript; a few
lines of vanilla JavaScript only check a field as it is left. The same
operations are published as a JSON API (``/api/v1``, described at
``/openapi.json``) for other systems.

Nothing about a case is kept in a server process: a case travels in the form
(and, on the result page, as the case file text in a hidden field), a session
is a signed cookie, and accounts, failed logins and records are in the audit
store's database. So several processes behind a proxy can share one
PostgreSQL and any of them can answer any request.

The engine is one per process (durable-rules is not thread-safe), guarded by
a lock: requests run in threads, assessments one at a time per process.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from fastapi import Body, Depends, FastAPI, Path as PathParam, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.datastructures import FormData

from app import records as R
from app.desk import Desk
from app.diff import decision_diff
from app.result import Result
from audit import Store
from audit import accounts as A
from audit.errors import RecordNotFound, StoreError
from facts.errors import InputError, Problem, ZansaiError
from facts.load import MAX_CASE_BYTES, parse_case_data
from render import explain as X
from render.audit import diff_text, replay_text
from web import interview as I
from web import security as S
from web.i18n import LANGS, t
from web.views import result_view

HERE = Path(__file__).resolve().parent
# record ids are integers the databases hold (SQLite and PostgreSQL both take 64 bits, not Python's any size)
RECORD_ID = PathParam(..., ge=1, le=2**62, description="Record id / 記録ID")
LANG_COOKIE = "zansai_lang"
log = logging.getLogger("zansai.web")


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


def create_app(db: str | None = None, rules: Path | str | None = None, *, secure_cookies: bool = False) -> FastAPI:
    store = Store.open(db)
    desks = Desks(Path(rules) if rules else None)
    sessions = S.Sessions(os.environ.get("ZANSAI_SESSION_KEY") or A.session_key(store))
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.globals["t"] = t
    paths_catalog = desks.desk.rule_base.catalog.paths
    versions = R.Versions(store)  # recorded rule bases, each loaded once per process for replays

    api = FastAPI(
        title="zansai",
        version="1",
        description="任意売却後の残債の判定支援 / Decision support for residual mortgage debt after a voluntary sale. "
        "Log in with HTTP Basic (an advisor's account) or a session cookie plus the X-CSRF-Token header.",
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    api.state.store = store
    api.state.desks = desks
    api.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    # ------------------------------------------------------------------ plumbing

    @api.middleware("http")
    async def session_and_headers(request: Request, call_next: Any) -> Response:
        started = time.monotonic()
        session = sessions.read(request.cookies.get(S.COOKIE))
        fresh = None
        if session is None:
            session, fresh = sessions.issue(None)
        request.state.session = session
        request.state.new_cookie = fresh
        lang = request.query_params.get("lang")
        request.state.lang_cookie = lang if lang in LANGS else None
        request.state.lang = request.state.lang_cookie or (
            request.cookies.get(LANG_COOKIE) if request.cookies.get(LANG_COOKIE) in LANGS else "ja"
        )
        response = await call_next(request)
        secure = secure_cookies or request.url.scheme == "https"
        cookie = getattr(request.state, "new_cookie", None)
        if cookie is not None:
            response.set_cookie(S.COOKIE, cookie, max_age=S.SESSION_MAX_AGE, httponly=True, samesite="lax",
                                secure=secure, path="/")
        if getattr(request.state, "drop_cookie", False):
            response.delete_cookie(S.COOKIE, path="/", httponly=True, samesite="lax", secure=secure)
        if request.state.lang_cookie:
            response.set_cookie(LANG_COOKIE, request.state.lang_cookie, max_age=365 * 86400, httponly=True,
                                samesite="lax", secure=secure, path="/")
        headers = response.headers
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        )
        if not request.url.path.startswith("/static/"):
            headers.setdefault("Cache-Control", "no-store")  # pages hold clients' data
        # the access log names the route and the status only: no query string, no case data
        route = request.scope.get("route")
        log.info("%s %s %s %.0fms", request.method, getattr(route, "path", "-"), response.status_code,
                 (time.monotonic() - started) * 1000)
        return response

    def lang_of(request: Request) -> str:
        return request.state.lang

    def account_of(request: Request) -> A.Account | None:
        session = request.state.session
        account = A.get_account(store, session.user) if session.user else None
        if account is None or session.stamp != S.stamp_of(account):
            return None  # removed, or the password changed since this session began
        return account

    def page_user(request: Request) -> A.Account:
        account = account_of(request)
        if account is None:
            raise Denied()
        return account

    def api_user(request: Request) -> A.Account:
        auth = request.headers.get("authorization", "")
        if auth.lower().startswith("basic "):
            import base64
            import binascii

            try:
                name, _, password = base64.b64decode(auth[6:]).decode("utf-8").partition(":")
            except (binascii.Error, UnicodeDecodeError, ValueError):
                raise Denied() from None
            try:
                account = S.authenticate(store, name, password, _client(request))
            except S.Throttled:
                raise TooMany() from None
            if account is None:
                raise Denied()
            return account
        account = account_of(request)
        if account is None:
            raise Denied()
        if request.method not in ("GET", "HEAD") and not S.csrf_ok(request.state.session, request.headers.get("x-csrf-token")):
            raise Forbidden()
        return account

    def render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        lang = lang_of(request)
        account = context.pop("account", None)
        return templates.TemplateResponse(
            request,
            name,
            {"lang": lang, "csrf": request.state.session.csrf, "account": account, **context},
            status_code=status,
        )

    async def form_of(request: Request) -> FormData:
        form = await request.form(max_files=1, max_fields=2000, max_part_size=MAX_CASE_BYTES)
        if not S.csrf_ok(request.state.session, form.get("csrf")):
            raise Forbidden()
        return form

    @api.exception_handler(Denied)
    async def _denied(request: Request, exc: Denied) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": "login required / ログインが必要です"}, status_code=401)
        return RedirectResponse("/login", status_code=303)

    @api.exception_handler(Forbidden)
    async def _forbidden(request: Request, exc: Forbidden) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": "CSRF token missing or wrong / CSRF トークンがありません"}, status_code=403)
        return render(request, "error.html", 403, message=t("csrf", lang_of(request)))

    @api.exception_handler(TooMany)
    async def _too_many(request: Request, exc: TooMany) -> Response:
        return JSONResponse({"error": t("throttled", "en") + " / " + t("throttled", "ja")}, status_code=429,
                            headers={"Retry-After": str(int(S.FAILURE_WINDOW.total_seconds()))})

    def problems_json(problems: list[Problem], lang: str) -> list[dict[str, str]]:
        return [{"location": p.location, "message": p.text(lang), "ja": p.ja, "en": p.en} for p in problems]

    @api.exception_handler(ZansaiError)
    async def _zansai_error(request: Request, exc: ZansaiError) -> Response:
        lang = lang_of(request)
        status = 404 if isinstance(exc, RecordNotFound) else 422 if isinstance(exc, InputError) else (
            503 if isinstance(exc, StoreError) else 500)
        if exc.exit_code == 2 and status == 500:
            status = 422
        if request.url.path.startswith("/api/"):
            return JSONResponse({"problems": problems_json(exc.problems, lang)}, status_code=status)
        return render(request, "error.html", status, message="; ".join(exc.lines(lang)), account=account_of(request))

    @api.exception_handler(Exception)
    async def _internal(request: Request, exc: Exception) -> Response:
        # the type only: an exception's message may quote a client's data
        log.error("internal error %s on %s %s", type(exc).__name__, request.method, getattr(request.scope.get("route"), "path", "-"))
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": "internal error / 内部エラー"}, status_code=500)
        return HTMLResponse(t("internal", lang_of(request)), status_code=500)

    def _client(request: Request) -> str:
        return request.client.host if request.client else "-"

    # ------------------------------------------------------------------ the desk's operations

    def assess_text(text: str | bytes, source: str = "<form>") -> Result:
        with desks.use() as desk:
            case = desk.parse_case(text, source)
            return desk.assess(case)

    def record_text(text: str, account: A.Account, note: str | None, lang: str = "ja") -> tuple[int, Result]:
        """Assess and record, as ``assess --record`` does; the text report the page showed is kept with it."""
        from render.report import render as report_text

        data = text.encode("utf-8")
        if len(data) > MAX_CASE_BYTES:
            raise InputError([Problem("case", "事案が大きすぎます", "the case is too large")])
        with desks.use() as desk:
            case = desk.parse_case(data, "<form>")
            result = desk.assess(case)
            version = R.version_fields(desk.rule_base)
        shown = [{"lang": lang, "format": "text", "audience": "advisor", "text": report_text(result, lang)}]
        record = R.new_record(R.assessment_fields(data, case, result, shown), version, advisor=account.name, note=note or None)
        return store.record(record), result

    def visible_record(record_id: int, account: A.Account) -> Any:
        """The record if this advisor may read it; otherwise exactly as if it did not exist."""
        try:
            rec = store.get(record_id)
        except RecordNotFound:
            rec = None
        if rec is None or rec.kind != "assessment" or (not account.supervisor and rec.advisor != account.name):
            raise RecordNotFound([Problem(str(record_id), f"記録 {record_id} はありません", f"no record {record_id}")])
        return rec

    def list_records(account: A.Account, case_id: str | None, since: str | None, until: str | None,
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
        return store.list(case_id=case_id or None, advisor=who, since=day(since, "from"), until=day(until, "to"),
                          rank1=rank1 or None)

    def path_title(path: str, lang: str) -> str:
        info = paths_catalog.get(path)
        return info.title.get(lang) if info else path

    def view(result: Result, lang: str) -> dict[str, Any]:
        v = result_view(result, lang)
        for item in v["why_not"]:
            item["title"] = path_title(item["path"], lang)
        return v

    def whatif_diff(text: str, field: str, value: str, lang: str) -> tuple[Result, Result, list[str]]:
        data = parse_case_data(text.encode("utf-8"), "<form>")
        form = I.form_values(data)
        known = {f.name.format(i=0) if "{i}" not in f.name else f.name for s in I.sections() for f in s.fields}
        if field not in known and not any(field.startswith(p) for p in ("guarantors[", "other_debts[")):
            raise InputError([Problem("field", f"変更できない項目です: {field}", f"not a field of the case: {field}")])
        before = assess_text(I.build(form).text)
        form[field] = value
        after_text = I.build(form).text
        after = assess_text(after_text)
        diff = decision_diff(before, after)
        return before, after, diff_text(diff, lang)

    # ------------------------------------------------------------------ pages: login

    @api.get("/", include_in_schema=False)
    def home(request: Request) -> Response:
        return RedirectResponse("/case/new" if account_of(request) else "/login", status_code=303)

    @api.get("/login", include_in_schema=False)
    def login_page(request: Request) -> Response:
        return render(request, "login.html")

    @api.post("/login", include_in_schema=False)
    async def login(request: Request) -> Response:
        form = await form_of(request)
        lang = lang_of(request)
        name, password = str(form.get("name", "")), str(form.get("password", ""))
        try:
            account = S.authenticate(store, name, password, _client(request))
        except S.Throttled:
            return render(request, "login.html", 429, error=t("throttled", lang))
        if account is None:
            return render(request, "login.html", 401, error=t("login_failed", lang))
        session, cookie = sessions.issue(account)  # a new token after login: no session fixation
        request.state.session = session
        request.state.new_cookie = cookie
        return RedirectResponse("/case/new", status_code=303)

    @api.post("/logout", include_in_schema=False)
    async def logout(request: Request) -> Response:
        await form_of(request)
        request.state.new_cookie = None
        request.state.drop_cookie = True
        return RedirectResponse("/login", status_code=303)

    # ------------------------------------------------------------------ pages: the case

    def case_page(request: Request, account: A.Account, values: dict[str, str], status: int = 200,
                  problems: list[Problem] | None = None, built: I.Built | None = None) -> HTMLResponse:
        lang = lang_of(request)
        g_rows, d_rows = I.row_counts(values)
        by_field, general = I.field_problems(problems or [], built)
        return render(
            request, "case.html", status, account=account, values=values,
            sections=I.sections(max(g_rows, 1), max(d_rows, 1)), stages=I.STAGES, hints=I.HINTS,
            field_errors={k: [p.text(lang) for p in v] for k, v in by_field.items()},
            general_errors=[p.line(lang) for p in general],
        )

    @api.get("/case/new", include_in_schema=False)
    def new_case(request: Request, account: A.Account = Depends(page_user)) -> Response:
        return case_page(request, account, {"as_of": dt.date.today().isoformat()})

    @api.post("/case", include_in_schema=False)
    async def case_action(request: Request, account: A.Account = Depends(page_user)) -> Response:
        form = await form_of(request)
        values = {k: str(v) for k, v in form.items() if isinstance(v, str) and k != "csrf"}
        action = values.pop("action", "assess")
        lang = lang_of(request)
        if action in ("add_guarantor", "add_debt"):
            g_rows, d_rows = I.row_counts(values)
            values["guarantor_rows"] = str(max(g_rows, 1) + (action == "add_guarantor"))
            values["debt_rows"] = str(max(d_rows, 1) + (action == "add_debt"))
            return case_page(request, account, values)
        built = I.build(values)
        if action in ("export_yaml", "export_json"):
            if action == "export_yaml":
                body, kind, ext = built.text, "application/yaml", "yaml"
            else:
                body = json.dumps(I.json_ready(parse_case_data(built.text, "<form>")), ensure_ascii=False, indent=2) + "\n"
                kind, ext = "application/json", "json"
            name = "".join(c for c in str(built.data.get("case_id") or "case") if c.isalnum() or c in "-_")[:60] or "case"
            return Response(body.encode("utf-8"), media_type=kind + "; charset=utf-8",
                            headers={"Content-Disposition": f'attachment; filename="{name}.{ext}"'})
        try:
            result = assess_text(built.text)
        except InputError as exc:
            return case_page(request, account, values, 422, exc.problems, built)
        return render(request, "result.html", account=account, v=view(result, lang), result=result,
                      case_text=built.text, values=values, fields=_whatif_fields(values, lang))

    def _whatif_fields(values: dict[str, str], lang: str) -> list[tuple[str, str, str]]:
        g_rows, d_rows = I.row_counts(values)
        out = []
        for sec in I.sections(g_rows, d_rows):
            if sec.id in ("case",):
                continue
            for f in sec.fields:
                names = [f.name.format(i=i) for i in range(sec.rows)] if sec.rows is not None else [f.name]
                for n in names:
                    out.append((n, f"{sec.title_in(lang)}: {f.label_in(lang)}" + (f" [{n.split(']')[0].split('[')[1]}]" if "[" in n else ""),
                                values.get(n, "")))
        return out

    @api.post("/case/check", include_in_schema=False)
    async def case_check(request: Request, account: A.Account = Depends(page_user)) -> Response:
        """Problems by field for the form as it stands (the page checks a field as it is left)."""
        form = await form_of(request)
        values = {k: str(v) for k, v in form.items() if isinstance(v, str) and k != "csrf"}
        built = I.build(values)
        lang = lang_of(request)
        try:
            with desks.use() as desk:
                desk.parameters_for(desk.parse_case(built.text, "<form>"))
            problems: list[Problem] = []
        except InputError as exc:
            problems = exc.problems
        by_field, general = I.field_problems(problems, built)
        return JSONResponse({"fields": {k: [p.text(lang) for p in v] for k, v in by_field.items()},
                             "general": [p.line(lang) for p in general]})

    @api.post("/case/import", include_in_schema=False)
    async def case_import(request: Request, account: A.Account = Depends(page_user)) -> Response:
        form = await form_of(request)
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            return case_page(request, account, {}, 422, [Problem("file", "ファイルを選んでください", "choose a file")])
        data = await upload.read(MAX_CASE_BYTES + 1)
        name = upload.filename or "case.yaml"
        try:
            if len(data) > MAX_CASE_BYTES:
                raise InputError([Problem(name, "ファイルが大きすぎます", "the file is too large")])
            values = I.form_values(parse_case_data(data, name))
        except InputError as exc:
            return case_page(request, account, {}, 422, exc.problems)
        built = I.build(values)
        problems: list[Problem] = []
        try:
            with desks.use() as desk:
                desk.parameters_for(desk.parse_case(built.text, name))
        except InputError as exc:
            problems = exc.problems
        return case_page(request, account, values, 422 if problems else 200, problems, built)

    @api.post("/case/whatif", include_in_schema=False)
    async def case_whatif(request: Request, account: A.Account = Depends(page_user)) -> Response:
        form = await form_of(request)
        lang = lang_of(request)
        text, field, value = str(form.get("case_text", "")), str(form.get("field", "")), str(form.get("value", ""))
        try:
            before, after, lines = whatif_diff(text, field, value, lang)
        except InputError as exc:
            return render(request, "error.html", 422, account=account, message="; ".join(exc.lines(lang)))
        values = I.form_values(parse_case_data(text.encode("utf-8"), "<form>"))
        values[field] = value
        return render(request, "whatif.html", account=account, field=field, value=value, lines=lines,
                      before=view(before, lang), after=view(after, lang), values=values,
                      case_text=I.build(values).text, original_text=text)

    @api.post("/case/edit", include_in_schema=False)
    async def case_edit(request: Request, account: A.Account = Depends(page_user)) -> Response:
        form = await form_of(request)
        text = str(form.get("case_text", ""))
        try:
            values = I.form_values(parse_case_data(text.encode("utf-8"), "<form>"))
        except InputError as exc:
            return case_page(request, account, {}, 422, exc.problems)
        return case_page(request, account, values)

    @api.post("/case/result", include_in_schema=False)
    async def case_result(request: Request, account: A.Account = Depends(page_user)) -> Response:
        """The result page again for a case file's text (back from a what-if to the case as entered)."""
        form = await form_of(request)
        text = str(form.get("case_text", ""))
        lang = lang_of(request)
        values = I.form_values(parse_case_data(text.encode("utf-8"), "<form>"))
        built = I.build(values)
        result = assess_text(built.text)
        return render(request, "result.html", account=account, v=view(result, lang), result=result,
                      case_text=built.text, values=values, fields=_whatif_fields(values, lang))

    DOCUMENT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; frame-ancestors 'none'"

    def document_response(kind: str, result: Result, case: Any, lang: str) -> Response:
        """A printable document (render.documents, the same as ``zansai document``): its own styles inline."""
        from render.documents import render_html

        if kind not in ("budget", "report"):
            raise RecordNotFound([Problem("kind", f"書類 {kind} はありません", f"no document {kind}")])
        page = render_html(kind, result, lang, case=case)
        return HTMLResponse(page, headers={"Content-Security-Policy": DOCUMENT_CSP})

    @api.post("/case/document/{kind}", include_in_schema=False)
    async def case_document(request: Request, kind: str, account: A.Account = Depends(page_user)) -> Response:
        form = await form_of(request)
        text = str(form.get("case_text", ""))
        with desks.use() as desk:
            case = desk.parse_case(text, "<form>")
            result = desk.assess(case)
        return document_response(kind, result, case, lang_of(request))

    @api.get("/records/{record_id}/document/{kind}", include_in_schema=False)
    def record_document(request: Request, kind: str, record_id: int = RECORD_ID,
                        account: A.Account = Depends(page_user)) -> Response:
        rec = visible_record(record_id, account)
        result = R.stored_result(store, record_id)
        with desks.use() as desk:
            case = desk.parse_case(rec.case_bytes or b"", f"record {record_id}") if rec.case_bytes else None
        return document_response(kind, result, case, lang_of(request))

    @api.post("/case/record", include_in_schema=False)
    async def case_record(request: Request, account: A.Account = Depends(page_user)) -> Response:
        form = await form_of(request)
        record_id, _ = record_text(str(form.get("case_text", "")), account, str(form.get("note", "")).strip() or None,
                                   lang_of(request))
        return RedirectResponse(f"/records/{record_id}?recorded=1", status_code=303)

    # ------------------------------------------------------------------ pages: the audit trail

    @api.get("/records", include_in_schema=False)
    def records_page(request: Request, case: str = "", date_from: str = Query("", alias="from"),
                     date_to: str = Query("", alias="to"), rank1: str = "", advisor: str = "",
                     account: A.Account = Depends(page_user)) -> Response:
        rows = list_records(account, case, date_from, date_to, rank1, advisor)
        lang = lang_of(request)
        for row in rows:
            row["rank1_title"] = path_title(row["rank1"], lang) if row["rank1"] else "—"
        return render(request, "records.html", account=account, rows=list(reversed(rows)),
                      q={"case": case, "from": date_from, "to": date_to, "rank1": rank1, "advisor": advisor},
                      paths=[(p, path_title(p, lang)) for p in paths_catalog])

    @api.get("/records/{record_id}", include_in_schema=False)
    def record_page(request: Request, record_id: int = RECORD_ID, account: A.Account = Depends(page_user)) -> Response:
        rec = visible_record(record_id, account)
        result = R.stored_result(store, record_id)
        return render(request, "record.html", account=account, rec=rec, v=view(result, lang_of(request)),
                      result=result, recorded=request.query_params.get("recorded") == "1")

    @api.get("/records/{record_id}/case", include_in_schema=False)
    def record_case(request: Request, record_id: int = RECORD_ID, account: A.Account = Depends(page_user)) -> Response:
        rec = visible_record(record_id, account)
        if rec.case_bytes is None:
            raise RecordNotFound([Problem(str(record_id), "消去済みです", "purged")])
        return Response(rec.case_bytes, media_type="text/plain; charset=utf-8")

    @api.get("/records/{record_id}/replay", include_in_schema=False)
    def record_replay(request: Request, record_id: int = RECORD_ID, account: A.Account = Depends(page_user)) -> Response:
        visible_record(record_id, account)
        with desks.use() as desk:
            rp = R.replay(store, record_id, desk, versions=versions)
        lang = lang_of(request)
        return render(request, "replay.html", account=account, rp=rp, text=replay_text(rp, lang),
                      v=view(rp.replayed, lang))

    @api.get("/verify", include_in_schema=False)
    def verify_page(request: Request, account: A.Account = Depends(page_user)) -> Response:
        report = store.verify()
        lang = lang_of(request)
        return render(request, "verify.html", account=account, report=report,
                      findings=[f.text(lang) for f in report.findings])

    # ------------------------------------------------------------------ the JSON API

    errors = {
        401: {"description": "Login required (HTTP Basic or a session) / ログインが必要"},
        403: {"description": "Session without the X-CSRF-Token header / CSRF トークンがない"},
        422: {"description": "Bad input: problems, each with its field, in both languages / 入力の問題"},
        429: {"description": "Too many failed logins / ログイン失敗が多すぎる"},
    }
    with_404 = {**errors, 404: {"description": "No such record, or not this advisor's / 記録がない"}}

    CASE_BODY = Body(..., description="A case, as the case file's JSON (see `zansai schema`) / 事案（事案ファイルの JSON）")

    def case_bytes(case: Any) -> bytes:
        if not isinstance(case, dict):
            raise InputError([Problem("body", "事案は JSON のオブジェクトで送ってください", "send the case as a JSON object")])
        data = json.dumps(case, ensure_ascii=False).encode("utf-8")
        if len(data) > MAX_CASE_BYTES:
            raise InputError([Problem("body", "事案が大きすぎます", "the case is too large")])
        return data

    @api.post("/api/v1/assess", tags=["desk"], responses=errors, summary="Assess a case / 事案を判定")
    def api_assess(request: Request, case: dict[str, Any] = CASE_BODY, lang: str = Query("ja", pattern="^(ja|en)$"),
                   account: A.Account = Depends(api_user)) -> dict[str, Any]:
        return fast_json(assess_text(case_bytes(case), "<request>").to_json(lang))

    @api.post("/api/v1/explain", tags=["desk"], responses=errors, summary="Why: each conclusion back to the inputs / 判断の根拠")
    def api_explain(request: Request, case: dict[str, Any] = CASE_BODY, lang: str = Query("ja", pattern="^(ja|en)$"),
                    rule: str | None = Query(None, max_length=200), account: A.Account = Depends(api_user)) -> dict[str, Any]:
        result = assess_text(case_bytes(case), "<request>")
        return {"case_id": result.case_id, "text": X.explanation_text(result, lang, None, rule)}

    @api.post("/api/v1/why-not", tags=["desk"], responses=errors, summary="Why a path was not recommended / 推奨されない理由")
    def api_why_not(request: Request, case: dict[str, Any] = CASE_BODY, path: str = Query(..., max_length=200),
                    lang: str = Query("ja", pattern="^(ja|en)$"), account: A.Account = Depends(api_user)) -> dict[str, Any]:
        with desks.use() as desk:
            desk.check_path(path, "path")
        result = assess_text(case_bytes(case), "<request>")
        listed = [r.path for r in result.recommendations]
        return {"case_id": result.case_id, "path": path, "listed": path in listed, "text": X.why_not(result, path, lang)}

    @api.post("/api/v1/whatif", tags=["desk"], responses=errors, summary="Change values and see the difference / 条件を変えた差分")
    def api_whatif(request: Request, case: dict[str, Any] = CASE_BODY,
                   set_: dict[str, str] = Body(..., alias="set", description="field path -> new value as typed, e.g. {\"debtor.annual_income\": \"500万\"}"),
                   lang: str = Query("ja", pattern="^(ja|en)$"), account: A.Account = Depends(api_user)) -> dict[str, Any]:
        text = case_bytes(case).decode("utf-8")
        before = assess_text(text, "<request>")
        values = I.form_values(parse_case_data(text.encode("utf-8"), "<request>"))
        for key, value in set_.items():
            values[str(key)] = str(value)
        after = assess_text(I.build(values).text, "<request>")
        diff = decision_diff(before, after)
        return {"before": [r.path for r in sorted(before.recommendations, key=lambda r: r.rank)],
                "after": [r.path for r in sorted(after.recommendations, key=lambda r: r.rank)],
                "diff": _plain_json(diff.to_json()), "text": diff_text(diff, lang)}

    @api.post("/api/v1/records", tags=["audit"], responses=errors, summary="Assess and record / 判定して記録", status_code=201)
    def api_record(request: Request, case: dict[str, Any] = CASE_BODY,
                   note: str | None = Query(None, max_length=1000), lang: str = Query("ja", pattern="^(ja|en)$"),
                   account: A.Account = Depends(api_user)) -> dict[str, Any]:
        record_id, result = record_text(case_bytes(case).decode("utf-8"), account, note, lang)
        return fast_json({"record_id": record_id, "result": result.to_json(lang)}, 201)

    @api.get("/api/v1/records", tags=["audit"], responses=errors, summary="Recorded assessments (own, or all for a supervisor) / 記録の一覧")
    def api_records(request: Request, case_id: str | None = Query(None, max_length=100),
                    date_from: str | None = Query(None, alias="from", max_length=10),
                    date_to: str | None = Query(None, alias="to", max_length=10),
                    rank1: str | None = Query(None, max_length=128), advisor: str | None = Query(None, max_length=64),
                    account: A.Account = Depends(api_user)) -> list[dict[str, Any]]:
        return list_records(account, case_id, date_from, date_to, rank1, advisor)

    @api.get("/api/v1/records/{record_id}", tags=["audit"], responses=with_404, summary="One record as it was given / 記録の内容")
    def api_record_show(request: Request, record_id: int = RECORD_ID, lang: str = Query("ja", pattern="^(ja|en)$"),
                        account: A.Account = Depends(api_user)) -> dict[str, Any]:
        rec = visible_record(record_id, account)
        result = R.stored_result(store, record_id)
        return fast_json({"record_id": rec.id, "recorded_at": rec.recorded_at, "advisor": rec.advisor,
                          "case_id": rec.case_id, "record_hash": rec.record_hash, "result": result.to_json(lang)})

    @api.get("/api/v1/records/{record_id}/replay", tags=["audit"], responses=with_404, summary="Replay under today's rules / 再判定と差分")
    def api_replay(request: Request, record_id: int = RECORD_ID, account: A.Account = Depends(api_user)) -> dict[str, Any]:
        visible_record(record_id, account)
        with desks.use() as desk:
            rp = R.replay(store, record_id, desk, versions=versions)
        return _plain_json(rp.to_json())

    @api.get("/api/v1/verify", tags=["audit"], responses=errors, summary="Verify the whole store / 改ざん検査")
    def api_verify(request: Request, account: A.Account = Depends(api_user)) -> dict[str, Any]:
        report = store.verify()
        return {"ok": report.ok, "records": report.records,
                "findings": [{"record": f.record, "ja": f.ja, "en": f.en} for f in report.findings]}

    def openapi() -> dict[str, Any]:
        """FastAPI's document, with the case body described by the case file's own JSON Schema."""
        if api.openapi_schema is None:
            from fastapi.openapi.utils import get_openapi

            from facts.case import Case

            spec = get_openapi(title=api.title, version=api.version, description=api.description, routes=api.routes)
            case_schema = Case.model_json_schema(ref_template="#/components/schemas/{model}")
            components = spec.setdefault("components", {}).setdefault("schemas", {})
            components.update(case_schema.pop("$defs", {}))
            components["Case"] = case_schema
            ref = {"$ref": "#/components/schemas/Case"}
            for path, ops in spec["paths"].items():
                for op in ops.values():
                    body = op.get("requestBody", {}).get("content", {}).get("application/json", {})
                    if body.get("schema", {}).get("title") == "Case":
                        body["schema"] = ref
            for name, component in components.items():
                if name.startswith("Body_") and "case" in component.get("properties", {}):
                    component["properties"]["case"] = ref
            spec["components"]["securitySchemes"] = {"basic": {"type": "http", "scheme": "basic"}}
            spec["security"] = [{"basic": []}]
            api.openapi_schema = spec
        return api.openapi_schema

    api.openapi = openapi  # type: ignore[method-assign]

    @api.get("/healthz", include_in_schema=False)
    def healthz() -> PlainTextResponse:
        return PlainTextResponse("ok")

    return api


def fast_json(data: Any, status: int = 200) -> Response:
    """A result document is already JSON-ready (``Result.to_json``): skip FastAPI's generic encoder,
    which walks every value of it again and costs as much as the assessment."""
    return Response(json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8"), status_code=status,
                    media_type="application/json")


def _plain_json(value: Any) -> Any:
    from app.result import plain

    if isinstance(value, dict):
        return {k: _plain_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain_json(v) for v in value]
    return plain(value)
