"""The audit trail in the browser: list and search records, open one as it was given, replay it, verify the chain."""

from __future__ import annotations

from fastapi import Depends, FastAPI, Query, Request
from fastapi.responses import Response

from app import records as R
from audit import accounts as A
from audit.errors import RecordNotFound
from facts.errors import Problem
from render.audit import replay_text
from web.context import RECORD_ID, Web


def register(api: FastAPI, web: Web) -> None:
    @api.get("/records", include_in_schema=False)
    def records_page(request: Request, case: str = "", date_from: str = Query("", alias="from"),
                     date_to: str = Query("", alias="to"), rank1: str = "", advisor: str = "",
                     account: A.Account = Depends(web.page_user)) -> Response:
        rows = web.list_records(account, case, date_from, date_to, rank1, advisor)
        lang = web.lang_of(request)
        for row in rows:
            row["rank1_title"] = web.path_title(row["rank1"], lang) if row["rank1"] else "—"
        return web.render(request, "records.html", account=account, rows=list(reversed(rows)),
                          q={"case": case, "from": date_from, "to": date_to, "rank1": rank1, "advisor": advisor},
                          paths=[(p, web.path_title(p, lang)) for p in web.paths_catalog])

    @api.get("/records/{record_id}", include_in_schema=False)
    def record_page(request: Request, record_id: int = RECORD_ID, account: A.Account = Depends(web.page_user)) -> Response:
        rec = web.visible_record(record_id, account)
        result = R.stored_result(web.store, record_id)
        return web.render(request, "record.html", account=account, rec=rec, v=web.view(result, web.lang_of(request)),
                          result=result, recorded=request.query_params.get("recorded") == "1")

    @api.get("/records/{record_id}/case", include_in_schema=False)
    def record_case(request: Request, record_id: int = RECORD_ID, account: A.Account = Depends(web.page_user)) -> Response:
        rec = web.visible_record(record_id, account)
        if rec.case_bytes is None:
            raise RecordNotFound([Problem(str(record_id), "消去済みです", "purged")])
        return Response(rec.case_bytes, media_type="text/plain; charset=utf-8")

    @api.get("/records/{record_id}/replay", include_in_schema=False)
    def record_replay(request: Request, record_id: int = RECORD_ID, account: A.Account = Depends(web.page_user)) -> Response:
        web.visible_record(record_id, account)
        with web.desks.use() as desk:
            rp = R.replay(web.store, record_id, desk, versions=web.versions)
        lang = web.lang_of(request)
        return web.render(request, "replay.html", account=account, rp=rp, text=replay_text(rp, lang),
                          v=web.view(rp.replayed, lang))

    @api.get("/verify", include_in_schema=False)
    def verify_page(request: Request, account: A.Account = Depends(web.page_user)) -> Response:
        report = web.store.verify()
        return web.render(request, "verify.html", account=account, report=report,
                          findings=[f.text(web.lang_of(request)) for f in report.findings])
