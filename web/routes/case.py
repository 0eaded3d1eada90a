"""The interview: the case entered section by section, checked as it is typed, imported and exported as a file."""

from __future__ import annotations

import datetime as dt
import json

from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from audit import accounts as A
from facts.errors import InputError, Problem
from facts.load import MAX_CASE_BYTES, parse_case_data
from web import interview as I
from web.context import Web
from web.routes.result import result_page


def form_fields(form: object) -> dict[str, str]:
    """The interview's values from a posted form (text fields only, the CSRF token left out)."""
    return {k: str(v) for k, v in form.items() if isinstance(v, str) and k != "csrf"}  # type: ignore[attr-defined]


def case_page(web: Web, request: Request, account: A.Account, values: dict[str, str], status: int = 200,
              problems: list[Problem] | None = None, built: I.Built | None = None, **extra: object) -> HTMLResponse:
    lang = web.lang_of(request)
    g_rows, d_rows = I.row_counts(values)
    by_field, general = I.field_problems(problems or [], built)
    return web.render(
        request, "case.html", status, account=account, values=values,
        sections=I.sections(max(g_rows, 1), max(d_rows, 1)), stages=I.STAGES, hints=I.HINTS,
        field_errors={k: [p.text(lang) for p in v] for k, v in by_field.items()},
        general_errors=[p.line(lang) for p in general], **extra,
    )


def register(api: FastAPI, web: Web) -> None:
    @api.get("/case/new", include_in_schema=False)
    def new_case(request: Request, account: A.Account = Depends(web.page_user)) -> Response:
        return case_page(web, request, account, {"as_of": dt.date.today().isoformat()})

    @api.post("/case", include_in_schema=False)
    async def case_action(request: Request, account: A.Account = Depends(web.page_user)) -> Response:
        form = await web.form_of(request)
        values = form_fields(form)
        action = values.pop("action", "assess")
        if action == "save_draft":
            from web.routes.drafts import save

            draft_id = save(web, account, {k: v for k, v in values.items() if k != "draft_id"}, values.get("draft_id"))
            return RedirectResponse(f"/drafts/{draft_id}?saved=1", status_code=303)
        if action in ("add_guarantor", "add_debt"):
            g_rows, d_rows = I.row_counts(values)
            values["guarantor_rows"] = str(max(g_rows, 1) + (action == "add_guarantor"))
            values["debt_rows"] = str(max(d_rows, 1) + (action == "add_debt"))
            return case_page(web, request, account, values)
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
            result = web.assess_text(built.text)
        except InputError as exc:
            return case_page(web, request, account, values, 422, exc.problems, built)
        return result_page(web, request, account, result, built.text, values)

    @api.post("/case/check", include_in_schema=False)
    async def case_check(request: Request, account: A.Account = Depends(web.page_user)) -> Response:
        """Problems by field for the form as it stands (the page checks a field as it is left)."""
        form = await web.form_of(request)
        built = I.build(form_fields(form))
        lang = web.lang_of(request)
        try:
            with web.desks.use() as desk:
                desk.parameters_for(desk.parse_case(built.text, "<form>"))
            problems: list[Problem] = []
        except InputError as exc:
            problems = exc.problems
        by_field, general = I.field_problems(problems, built)
        return JSONResponse({"fields": {k: [p.text(lang) for p in v] for k, v in by_field.items()},
                             "general": [p.line(lang) for p in general]})

    @api.post("/case/import", include_in_schema=False)
    async def case_import(request: Request, account: A.Account = Depends(web.page_user)) -> Response:
        form = await web.form_of(request)
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            return case_page(web, request, account, {}, 422, [Problem("file", "ファイルを選んでください", "choose a file")])
        data = await upload.read(MAX_CASE_BYTES + 1)
        name = upload.filename or "case.yaml"
        try:
            if len(data) > MAX_CASE_BYTES:
                raise InputError([Problem(name, "ファイルが大きすぎます", "the file is too large")])
            values = I.form_values(parse_case_data(data, name))
        except InputError as exc:
            return case_page(web, request, account, {}, 422, exc.problems)
        built = I.build(values)
        problems: list[Problem] = []
        try:
            with web.desks.use() as desk:
                desk.parameters_for(desk.parse_case(built.text, name))
        except InputError as exc:
            problems = exc.problems
        return case_page(web, request, account, values, 422 if problems else 200, problems, built)

    @api.post("/case/edit", include_in_schema=False)
    async def case_edit(request: Request, account: A.Account = Depends(web.page_user)) -> Response:
        form = await web.form_of(request)
        text = str(form.get("case_text", ""))
        try:
            values = I.form_values(parse_case_data(text.encode("utf-8"), "<form>"))
        except InputError as exc:
            return case_page(web, request, account, {}, 422, exc.problems)
        draft_id = str(form.get("draft_id", ""))
        if draft_id.isdigit():
            values["draft_id"] = draft_id  # back from the result of a draft: saving again updates that draft
        return case_page(web, request, account, values)
