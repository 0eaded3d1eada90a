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

This module builds the app: the shared plumbing (sessions, language, security
headers, the access log, errors) and the OpenAPI document. The routes are in
``web.routes``, one module per job.
"""

from __future__ import annotations

import json
import logging
import os
import time
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from audit import Store
from audit import accounts as A
from audit.errors import RecordNotFound, StoreError
from facts.errors import InputError, Problem, ZansaiError
from facts.load import MAX_CASE_BYTES
from web import security as S
from web.context import HERE, Denied, Desks, Forbidden, TooMany, Web, problems_json
from web.i18n import LANGS, t
from web.routes import api as api_routes, audit as audit_routes, case as case_routes, login as login_routes
from web.routes import drafts as draft_routes, result as result_routes

LANG_COOKIE = "zansai_lang"
CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
log = logging.getLogger("zansai.web")


def create_app(db: str | None = None, rules: Path | str | None = None, *, secure_cookies: bool = False) -> FastAPI:
    store = Store.open(db)
    desks = Desks(Path(rules) if rules else None)
    sessions = S.Sessions(os.environ.get("ZANSAI_SESSION_KEY") or A.session_key(store), store)
    web = Web(store, desks, sessions)

    api = FastAPI(
        title="zansai",
        version="1",
        description="任意売却後の残債の判定支援 / Decision support for residual mortgage debt after a voluntary sale. "
        "Log in with HTTP Basic (an advisor's account) or a session cookie plus the X-CSRF-Token header.",
        # no interactive docs page: it loads Swagger from a CDN, which the desk's own CSP (script-src 'self')
        # blocks, so it showed a blank page; the description is /openapi.json
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    api.state.store = store
    api.state.desks = desks
    api.state.web = web
    api.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    _plumbing(api, web, secure_cookies)
    api.add_middleware(BodyLimit, limit=MAX_BODY_BYTES)  # outermost: before a session is read or a byte is kept
    for routes in (login_routes, case_routes, draft_routes, result_routes, audit_routes, api_routes):
        routes.register(api, web)
    api.openapi = lambda: _openapi(api)  # type: ignore[method-assign]

    @api.get("/healthz", include_in_schema=False)
    def healthz() -> PlainTextResponse:
        return PlainTextResponse("ok")

    return api


# how ``zansai serve --workers N`` hands its settings to the worker processes it starts
SERVE_ENV = {"db": "ZANSAI_SERVE_DB", "rules": "ZANSAI_SERVE_RULES", "secure": "ZANSAI_SERVE_SECURE_COOKIES"}


def app_from_env() -> FastAPI:
    """The app of one worker process of ``zansai serve --workers N`` (uvicorn calls this in each)."""
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    return create_app(os.environ.get(SERVE_ENV["db"]) or None, os.environ.get(SERVE_ENV["rules"]) or None,
                      secure_cookies=os.environ.get(SERVE_ENV["secure"]) == "1")


# A request body is at most a case (1 MiB) and the form around it: four times that is generous, and
# anything larger is refused before it is read (a 300 MB body without credentials was read whole, 940 MB).
MAX_BODY_BYTES = 4 * MAX_CASE_BYTES


class BodyLimit:
    """ASGI middleware: a body larger than ``limit`` gets 413 before it is read, or as soon as it grows past
    the limit when it comes without a length (chunked)."""

    def __init__(self, app: Any, limit: int):
        self.app, self.limit = app, limit

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope.get("headers") or ()).get(b"content-length")
        try:
            declared = int(length) if length is not None else None
        except ValueError:
            declared = None
        if declared is not None and declared > self.limit:
            await _too_large(scope, send)
            return
        if declared is not None:
            await self.app(scope, receive, send)  # the server holds a request to the length it declares
            return
        # No length (chunked): read it here, up to the limit, and hand it on as it came. An error raised
        # from inside the app's own reading would reach the client as FastAPI's 400.
        held: list[Any] = []
        size = 0
        while True:
            message = await receive()
            held.append(message)
            if message["type"] != "http.request":
                break
            size += len(message.get("body", b""))
            if size > self.limit:
                await _too_large(scope, send)
                return
            if not message.get("more_body", False):
                break
        queue = iter(held)

        async def replayed() -> Any:
            return next(queue, None) or await receive()

        await self.app(scope, replayed, send)


async def _too_large(scope: Any, send: Any) -> None:
    body = json.dumps({"error": f"{t('too_large', 'en')} / {t('too_large', 'ja')}"}, ensure_ascii=False).encode("utf-8")
    await send({"type": "http.response.start", "status": 413, "headers": [
        (b"content-type", b"application/json; charset=utf-8"), (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"), (b"x-content-type-options", b"nosniff"), (b"cache-control", b"no-store")]})
    await send({"type": "http.response.body", "body": body})


def _plumbing(api: FastAPI, web: Web, secure_cookies: bool) -> None:
    """The session and language of every request, the response headers, the access log, and errors as pages or JSON."""

    @api.middleware("http")
    async def session_and_headers(request: Request, call_next: Any) -> Response:
        started = time.monotonic()
        session = web.sessions.read(request.cookies.get(S.COOKIE))
        fresh = None
        if session is None:
            session, fresh = web.sessions.issue(None)
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
        headers.setdefault("Content-Security-Policy", CSP)
        if not request.url.path.startswith("/static/"):
            headers.setdefault("Cache-Control", "no-store")  # pages hold clients' data
        # the access log names the route and the status only: no query string, no case data
        route = request.scope.get("route")
        log.info("%s %s %s %.0fms", request.method, getattr(route, "path", "-"), response.status_code,
                 (time.monotonic() - started) * 1000)
        return response

    def is_api(request: Request) -> bool:
        return request.url.path.startswith("/api/")

    @api.exception_handler(Denied)
    async def _denied(request: Request, exc: Denied) -> Response:
        if is_api(request):
            # the challenge tells a client to send its HTTP Basic credentials (RFC 9110 §11.6.1)
            return JSONResponse({"error": "login required / ログインが必要です"}, status_code=401,
                                headers={"WWW-Authenticate": 'Basic realm="zansai", charset="UTF-8"'})
        return RedirectResponse("/login", status_code=303)

    @api.exception_handler(Forbidden)
    async def _forbidden(request: Request, exc: Forbidden) -> Response:
        if is_api(request):
            return JSONResponse({"error": "CSRF token missing or wrong / CSRF トークンがありません"}, status_code=403)
        return web.render(request, "error.html", 403, message=t("csrf", web.lang_of(request)))

    @api.exception_handler(TooMany)
    async def _too_many(request: Request, exc: TooMany) -> Response:
        return JSONResponse({"error": t("throttled", "en") + " / " + t("throttled", "ja")}, status_code=429,
                            headers={"Retry-After": str(int(S.FAILURE_WINDOW.total_seconds()))})

    @api.exception_handler(ZansaiError)
    async def _zansai_error(request: Request, exc: ZansaiError) -> Response:
        lang = web.lang_of(request)
        status = 404 if isinstance(exc, RecordNotFound) else 422 if isinstance(exc, InputError) else (
            503 if isinstance(exc, StoreError) else 500)
        if exc.exit_code == 2 and status == 500:
            status = 422
        if is_api(request):
            return JSONResponse({"problems": problems_json(exc.problems, lang)}, status_code=status)
        return web.render(request, "error.html", status, message="; ".join(exc.lines(lang)), account=web.account_of(request))

    @api.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        # FastAPI's own checks of a request (its JSON, its query): the project's problems, in both
        # languages, naming where; never the input echoed back (it may be a client's whole case)
        lang = web.lang_of(request)
        if any(e.get("loc", ("",))[0] == "path" for e in exc.errors()):  # /records/abc: no such page
            return await _http(request, StarletteHTTPException(404))
        problems = [_request_problem(e) for e in exc.errors()]
        if is_api(request):
            return JSONResponse({"problems": problems_json(problems, lang)}, status_code=422)
        return web.render(request, "error.html", 422, message="; ".join(p.text(lang) for p in problems),
                          account=web.account_of(request))

    @api.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        lang = web.lang_of(request)
        key = {404: "not_found", 405: "not_allowed", 413: "too_large"}.get(exc.status_code, "bad_request")
        if is_api(request):
            return JSONResponse({"error": f"{t(key, 'en')} / {t(key, 'ja')}"}, status_code=exc.status_code,
                                headers=getattr(exc, "headers", None))
        return web.render(request, "error.html", exc.status_code, message=t(key, lang), account=web.account_of(request))

    @api.exception_handler(Exception)
    async def _internal(request: Request, exc: Exception) -> Response:
        # the type only: an exception's message may quote a client's data
        log.error("internal error %s on %s %s", type(exc).__name__, request.method, getattr(request.scope.get("route"), "path", "-"))
        if is_api(request):
            return JSONResponse({"error": "internal error / 内部エラー"}, status_code=500)
        return HTMLResponse(t("internal", web.lang_of(request)), status_code=500)


def _request_problem(error: Any) -> Problem:
    loc = [str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path")]
    where = ".".join(loc) or "body"
    kind = error.get("type", "")
    if kind == "json_invalid":
        return Problem(where, "JSON の書式に誤りがあります", f"the body is not valid JSON ({error.get('msg', '')})")
    if kind == "missing":
        return Problem(where, f"{where} がありません", f"{where} is missing")
    return Problem(where, f"{where} の値が正しくありません", f"{where}: {error.get('msg', 'invalid value')}")


def _openapi(api: FastAPI) -> dict[str, Any]:
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
        for ops in spec["paths"].values():
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
