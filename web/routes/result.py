"""The result page and what hangs off it: what-if, recording, the printable documents."""

from __future__ import annotations

from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.result import Result
from audit import accounts as A
from audit.errors import RecordNotFound
from facts.errors import InputError, Problem, ZansaiError
from facts.load import parse_case_data
from facts.text import Labels
from web import interview as I
from web.context import RECORD_ID, Web

DOCUMENT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; frame-ancestors 'none'"


def whatif_fields(values: dict[str, str], lang: str) -> list[tuple[str, str, str]]:
    """Every field of the interview the what-if may change: (name, label, value now)."""
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


def result_page(web: Web, request: Request, account: A.Account, result: Result, case_text: str,
                values: dict[str, str]) -> HTMLResponse:
    lang = web.lang_of(request)
    return web.render(request, "result.html", account=account, v=web.view(result, lang), result=result,
                      case_text=case_text, values=values, fields=whatif_fields(values, lang))


def whatif_outcome(web: Web, text: str | bytes, settings: dict[str, Any], source: str) -> Any:
    """``zansai whatif --set``: the case as given, the settings applied to its data (an unknown path is
    refused, by name), both assessed under one desk."""
    from app.whatif import parse_settings, what_if

    with web.desks.use() as desk:
        return what_if(desk, desk.parse_case(text, source), parse_settings(settings))


def whatif_diff(web: Web, text: str, field: str, value: str, lang: str) -> tuple[Result, Result, list[str]]:
    from render.whatif import whatif_text

    outcome = whatif_outcome(web, text, {field: value}, "<form>")
    return outcome.original, outcome.result, whatif_text(outcome, lang).splitlines()


def smallest(web: Web, text: str | bytes, path: str, goal: str, lang: str, source: str = "<form>") -> tuple[Any, str]:
    """``zansai whatif --open/--close``: the search (each answer verified by assessing) and the CLI's text of it."""
    from app.smallest import smallest_change
    from render.whatif import smallest_text

    if goal not in ("open", "close"):
        raise InputError([Problem("goal", f"open か close を指定してください: {goal}", f"goal must be open or close: {goal}")])
    with web.desks.use() as desk:
        desk.check_path(path, "path")
        search = smallest_change(desk, desk.parse_case(text, source), path, goal)
    return search, smallest_text(search, search.original, lang)


def document_response(kind: str, result: Result, case: Any, lang: str, labels: Labels) -> Response:
    """A printable document (render.documents, the same as ``zansai document``): its own styles inline."""
    from render.documents import render_html

    if kind not in ("budget", "report"):
        raise RecordNotFound([Problem("kind", f"書類 {kind} はありません", f"no document {kind}")])
    page = render_html(kind, result, lang, case=case, labels=labels)
    return HTMLResponse(page, headers={"Content-Security-Policy": DOCUMENT_CSP})


def recorded_labels(web: Web, version: str | None, today: Labels) -> Labels:
    """The wording of coded values in the rule base a record was assessed under, so its document
    words them as its result did; today's, for a version the store cannot give back (only the
    wording of the same codes differs). Called under the desk lock, as replays use ``web.versions``."""
    if version is None:
        return today
    try:
        return web.versions.rule_base(version).catalog.labels
    except ZansaiError:
        return today


def register(api: FastAPI, web: Web) -> None:
    @api.post("/case/whatif", include_in_schema=False)
    async def case_whatif(request: Request, account: A.Account = Depends(web.page_user)) -> Response:
        form = await web.form_of(request)
        lang = web.lang_of(request)
        text, field, value = str(form.get("case_text", "")), str(form.get("field", "")), str(form.get("value", ""))
        try:
            before, after, lines = whatif_diff(web, text, field, value, lang)
        except InputError as exc:
            return web.render(request, "error.html", 422, account=account, message="; ".join(exc.lines(lang)))
        values = I.form_values(parse_case_data(text.encode("utf-8"), "<form>"))
        values[field] = value
        return web.render(request, "whatif.html", account=account, field=field, value=value, lines=lines,
                          before=web.view(before, lang), after=web.view(after, lang), values=values,
                          case_text=I.build(values).text, original_text=text)

    @api.post("/case/smallest", include_in_schema=False)
    async def case_smallest(request: Request, account: A.Account = Depends(web.page_user)) -> Response:
        form = await web.form_of(request)
        lang = web.lang_of(request)
        text = str(form.get("case_text", ""))
        goal, _, path = str(form.get("target", "")).partition(":")
        search, shown = smallest(web, text, path, goal, lang)
        return web.render(request, "smallest.html", account=account, title=web.path_title(path, lang), goal=goal,
                          text=shown, search=search, case_text=text)

    @api.post("/case/result", include_in_schema=False)
    async def case_result(request: Request, account: A.Account = Depends(web.page_user)) -> Response:
        """The result page again for a case file's text (back from a what-if to the case as entered)."""
        form = await web.form_of(request)
        text = str(form.get("case_text", ""))
        values = I.form_values(parse_case_data(text.encode("utf-8"), "<form>"))
        built = I.build(values)
        return result_page(web, request, account, web.assess_text(built.text), built.text, values)

    @api.post("/case/document/{kind}", include_in_schema=False)
    async def case_document(request: Request, kind: str, account: A.Account = Depends(web.page_user)) -> Response:
        form = await web.form_of(request)
        text = str(form.get("case_text", ""))
        with web.desks.use() as desk:
            case = desk.parse_case(text, "<form>")
            result = desk.assess(case)
            labels = desk.labels
        return document_response(kind, result, case, web.lang_of(request), labels)

    @api.get("/records/{record_id}/document/{kind}", include_in_schema=False)
    def record_document(request: Request, kind: str, record_id: int = RECORD_ID,
                        account: A.Account = Depends(web.page_user)) -> Response:
        from app import records as R

        rec = web.visible_record(record_id, account)
        result = R.stored_result(web.store, record_id)
        with web.desks.use() as desk:
            case = desk.parse_case(rec.case_bytes or b"", f"record {record_id}") if rec.case_bytes else None
            labels = recorded_labels(web, rec.ruleset_version, desk.labels)
        return document_response(kind, result, case, web.lang_of(request), labels)

    @api.post("/case/record", include_in_schema=False)
    async def case_record(request: Request, account: A.Account = Depends(web.page_user)) -> Response:
        form = await web.form_of(request)
        token = str(form.get("record_token", ""))[:64]
        record_id = web.recorded_by_token(account, token)
        if record_id is None:
            record_id, _ = web.record_text(str(form.get("case_text", "")), account,
                                           str(form.get("note", "")).strip() or None, web.lang_of(request))
            web.remember_token(account, token, record_id)
        return RedirectResponse(f"/records/{record_id}?recorded=1", status_code=303)
