"""The JSON API (``/api/v1``, described at ``/openapi.json``): the desk's operations and the audit trail for other systems."""

from __future__ import annotations

import json
from typing import Any

from fastapi import Body, Depends, FastAPI, Query, Request

from app import records as R
from audit import accounts as A
from facts.errors import InputError, Problem
from facts.load import MAX_CASE_BYTES
from render import explain as X
from render.whatif import whatif_text
from web.context import RECORD_ID, Web, fast_json, plain_json
from web.routes.result import smallest, whatif_outcome

ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Login required (HTTP Basic or a session) / ログインが必要"},
    403: {"description": "Session without the X-CSRF-Token header / CSRF トークンがない"},
    422: {"description": "Bad input: problems, each with its field, in both languages / 入力の問題"},
    429: {"description": "Too many failed logins / ログイン失敗が多すぎる"},
}
WITH_404: dict[int | str, dict[str, Any]] = {**ERRORS, 404: {"description": "No such record, or not this advisor's / 記録がない"}}
CASE_BODY = Body(..., description="A case, as the case file's JSON (see `zansai schema`) / 事案（事案ファイルの JSON）")
LANG = Query("ja", pattern="^(ja|en)$")


def case_bytes(case: Any) -> bytes:
    if not isinstance(case, dict):
        raise InputError([Problem("body", "事案は JSON のオブジェクトで送ってください", "send the case as a JSON object")])
    data = json.dumps(case, ensure_ascii=False).encode("utf-8")
    if len(data) > MAX_CASE_BYTES:
        raise InputError([Problem("body", "事案が大きすぎます", "the case is too large")])
    return data


def register(api: FastAPI, web: Web) -> None:
    user = Depends(web.api_user)

    @api.post("/api/v1/assess", tags=["desk"], responses=ERRORS, summary="Assess a case / 事案を判定")
    def api_assess(request: Request, case: dict[str, Any] = CASE_BODY, lang: str = LANG,
                   account: A.Account = user) -> dict[str, Any]:
        return fast_json(web.assess_text(case_bytes(case), "<request>").to_json(lang))  # type: ignore[return-value]

    @api.post("/api/v1/explain", tags=["desk"], responses=ERRORS, summary="Why: each conclusion back to the inputs / 判断の根拠")
    def api_explain(request: Request, case: dict[str, Any] = CASE_BODY, lang: str = LANG,
                    rule: str | None = Query(None, max_length=200), account: A.Account = user) -> dict[str, Any]:
        result = web.assess_text(case_bytes(case), "<request>")
        return {"case_id": result.case_id, "text": X.explanation_text(result, lang, None, rule)}

    @api.post("/api/v1/why-not", tags=["desk"], responses=ERRORS, summary="Why a path was not recommended / 推奨されない理由")
    def api_why_not(request: Request, case: dict[str, Any] = CASE_BODY, path: str = Query(..., max_length=200),
                    lang: str = LANG, account: A.Account = user) -> dict[str, Any]:
        with web.desks.use() as desk:
            desk.check_path(path, "path")
        result = web.assess_text(case_bytes(case), "<request>")
        listed = [r.path for r in result.recommendations]
        return {"case_id": result.case_id, "path": path, "listed": path in listed, "text": X.why_not(result, path, lang)}

    @api.post("/api/v1/whatif", tags=["desk"], responses=ERRORS, summary="Change values and see the difference / 条件を変えた差分")
    def api_whatif(request: Request, case: dict[str, Any] = CASE_BODY,
                   set_: dict[str, str] = Body(..., alias="set", description="field path -> new value as typed, e.g. {\"debtor.annual_income\": \"500万\"}"),
                   lang: str = LANG, account: A.Account = user) -> dict[str, Any]:
        # zansai whatif --set, on the case as sent: every field kept, an unknown path refused, the same text
        outcome = whatif_outcome(web, case_bytes(case), {str(k): v for k, v in set_.items()}, "<request>")
        return {"before": [r.path for r in sorted(outcome.original.recommendations, key=lambda r: r.rank)],
                "after": [r.path for r in sorted(outcome.result.recommendations, key=lambda r: r.rank)],
                "inputs": [i.to_json() for i in outcome.inputs],
                "diff": plain_json(outcome.diff.to_json()), "text": whatif_text(outcome, lang)}

    @api.post("/api/v1/smallest", tags=["desk"], responses=ERRORS,
              summary="The smallest change that lists a path or takes it off, each answer verified / 進路を変える最小の変化")
    def api_smallest(request: Request, case: dict[str, Any] = CASE_BODY, path: str = Query(..., max_length=200),
                     goal: str = Query("open", pattern="^(open|close)$"), lang: str = LANG,
                     account: A.Account = user) -> dict[str, Any]:
        search, text = smallest(web, case_bytes(case), path, goal, lang, "<request>")
        return {**plain_json(search.to_json()), "text": text}

    @api.post("/api/v1/records", tags=["audit"], responses=ERRORS, summary="Assess and record / 判定して記録", status_code=201)
    def api_record(request: Request, case: dict[str, Any] = CASE_BODY,
                   note: str | None = Query(None, max_length=1000), lang: str = LANG,
                   account: A.Account = user) -> dict[str, Any]:
        record_id, result = web.record_text(case_bytes(case).decode("utf-8"), account, note, lang)
        return fast_json({"record_id": record_id, "result": result.to_json(lang)}, 201)  # type: ignore[return-value]

    @api.get("/api/v1/records", tags=["audit"], responses=ERRORS, summary="Recorded assessments (own, or all for a supervisor) / 記録の一覧")
    def api_records(request: Request, case_id: str | None = Query(None, max_length=100),
                    date_from: str | None = Query(None, alias="from", max_length=10),
                    date_to: str | None = Query(None, alias="to", max_length=10),
                    rank1: str | None = Query(None, max_length=128), advisor: str | None = Query(None, max_length=64),
                    account: A.Account = user) -> list[dict[str, Any]]:
        return web.list_records(account, case_id, date_from, date_to, rank1, advisor)

    @api.get("/api/v1/records/{record_id}", tags=["audit"], responses=WITH_404, summary="One record as it was given / 記録の内容")
    def api_record_show(request: Request, record_id: int = RECORD_ID, lang: str = LANG,
                        account: A.Account = user) -> dict[str, Any]:
        rec = web.visible_record(record_id, account)
        result = R.stored_result(web.store, record_id)
        return fast_json({"record_id": rec.id, "recorded_at": rec.recorded_at, "advisor": rec.advisor,  # type: ignore[return-value]
                          "case_id": rec.case_id, "record_hash": rec.record_hash, "result": result.to_json(lang)})

    @api.get("/api/v1/records/{record_id}/replay", tags=["audit"], responses=WITH_404, summary="Replay under today's rules / 再判定と差分")
    def api_replay(request: Request, record_id: int = RECORD_ID, account: A.Account = user) -> dict[str, Any]:
        web.visible_record(record_id, account)
        with web.desks.use() as desk:
            rp = R.replay(web.store, record_id, desk, versions=web.versions)
        return plain_json(rp.to_json())

    @api.get("/api/v1/verify", tags=["audit"], responses=ERRORS, summary="Verify the whole store / 改ざん検査")
    def api_verify(request: Request, account: A.Account = user) -> dict[str, Any]:
        report = web.store.verify()
        return {"ok": report.ok, "records": report.records,
                "findings": [{"record": f.record, "ja": f.ja, "en": f.en} for f in report.findings]}
