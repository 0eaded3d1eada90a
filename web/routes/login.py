"""Logging in and out (the session cookie and its CSRF token are in ``web.security``)."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response

from web import security as S
from web.context import Web
from web.i18n import t


def register(api: FastAPI, web: Web) -> None:
    @api.get("/", include_in_schema=False)
    def home(request: Request) -> Response:
        return RedirectResponse("/case/new" if web.account_of(request) else "/login", status_code=303)

    @api.get("/login", include_in_schema=False)
    def login_page(request: Request) -> Response:
        return web.render(request, "login.html")

    @api.post("/login", include_in_schema=False)
    async def login(request: Request) -> Response:
        form = await web.form_of(request)
        lang = web.lang_of(request)
        name, password = str(form.get("name", "")), str(form.get("password", ""))
        try:
            account = S.authenticate(web.store, name, password, web.client(request))
        except S.Throttled:
            return web.render(request, "login.html", 429, error=t("throttled", lang))
        if account is None:
            return web.render(request, "login.html", 401, error=t("login_failed", lang))
        session, cookie = web.sessions.issue(account)  # a new token after login: no session fixation
        request.state.session = session
        request.state.new_cookie = cookie
        return RedirectResponse("/case/new", status_code=303)

    @api.post("/logout", include_in_schema=False)
    async def logout(request: Request) -> Response:
        await web.form_of(request)
        web.sessions.end(request.state.session)  # on the server: a copy of the cookie opens nothing now
        request.state.new_cookie = None
        request.state.drop_cookie = True
        return RedirectResponse("/login", status_code=303)
