"""Drafts: an interview saved half-filled, listed, reopened to continue, deleted.

A draft is its advisor's: others cannot see it (asking for one answers as if
it did not exist), except a supervisor, who may open any, as with records.
Saving always writes the saver's own draft: an advisor sending another's
draft id, or a supervisor saving a draft they opened, makes a new draft of
their own and leaves the other's untouched.
"""

from __future__ import annotations

from fastapi import Depends, FastAPI, Path as PathParam, Request
from fastapi.responses import RedirectResponse, Response

from audit import accounts as A
from audit import drafts as D
from audit.errors import RecordNotFound
from facts.errors import Problem
from web.context import Web
from web.i18n import t

DRAFT_ID = PathParam(..., ge=1, le=2**62, description="Draft id / 下書きID")


def visible_draft(web: Web, draft_id: int, account: A.Account) -> D.Draft:
    draft = D.get_draft(web.store, draft_id)
    if draft is None or (not account.supervisor and draft.advisor != account.name):
        raise RecordNotFound([Problem(str(draft_id), f"下書き {draft_id} はありません", f"no draft {draft_id}")])
    return draft


def save(web: Web, account: A.Account, values: dict[str, str], draft_id: str | None) -> int:
    """Save the form as the advisor's draft (the one they continued, if it is theirs); its id."""
    target = int(draft_id) if draft_id and draft_id.isdigit() and len(draft_id) < 19 else None
    return D.save_draft(web.store, account.name, values, label=values.get("case_id", "").strip(), draft_id=target)


def register(api: FastAPI, web: Web) -> None:
    from web.routes.case import case_page

    @api.get("/drafts", include_in_schema=False)
    def drafts_page(request: Request, account: A.Account = Depends(web.page_user)) -> Response:
        rows = D.list_drafts(web.store, None if account.supervisor else account.name)
        return web.render(request, "drafts.html", account=account, drafts=rows,
                          deleted=request.query_params.get("deleted") == "1")

    @api.get("/drafts/{draft_id}", include_in_schema=False)
    def draft_page(request: Request, draft_id: int = DRAFT_ID, account: A.Account = Depends(web.page_user)) -> Response:
        draft = visible_draft(web, draft_id, account)
        return case_page(web, request, account, dict(draft.values), draft=draft,
                         saved=request.query_params.get("saved") == "1")

    @api.post("/drafts/{draft_id}/delete", include_in_schema=False)
    async def draft_delete(request: Request, draft_id: int = DRAFT_ID,
                           account: A.Account = Depends(web.page_user)) -> Response:
        await web.form_of(request)
        draft = visible_draft(web, draft_id, account)
        if draft.advisor != account.name or not D.delete_draft(web.store, draft_id, account.name):
            return web.render(request, "error.html", 403, account=account, message=t("draft_not_yours", web.lang_of(request)))
        return RedirectResponse("/drafts?deleted=1", status_code=303)
