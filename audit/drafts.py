"""Half-filled interviews an advisor saved to finish later, kept in the audit store's database.

A draft is the interview form as it stood (field name -> the text typed),
which need not be a valid case yet. It is working material, not a record: not
sealed in the chain, changed in place when saved again, and really deleted
when deleted (a draft holds a client's data and nobody needs it afterwards).

Plain data, like the rest of the store: who may open whose draft is the web
desk's business; here every function takes the owner's name as it is given.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from audit.schema import drafts
from audit.store import Store
from facts.errors import InputError, Problem

MAX_DRAFT_BYTES = 256 * 1024  # the form's values as JSON; a case file is far smaller
MAX_DRAFTS = 500  # per advisor: a full list is a sign of drafts never cleaned up, not of work


@dataclass(frozen=True)
class Draft:
    id: int
    advisor: str
    label: str  # what the list shows: the case id typed so far, or empty
    values: dict[str, str]
    created_at: str
    updated_at: str


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _encode(values: dict[str, str]) -> str:
    text = json.dumps({str(k): str(v) for k, v in values.items()}, ensure_ascii=False, sort_keys=True)
    if len(text.encode("utf-8")) > MAX_DRAFT_BYTES:
        raise InputError([Problem("draft", "下書きが大きすぎます", "the draft is too large")])
    return text


def _draft(row: Any) -> Draft:
    return Draft(row.id, row.advisor, row.label or "", json.loads(row.values_json), row.created_at, row.updated_at)


def save_draft(store: Store, advisor: str, values: dict[str, str], label: str = "", draft_id: int | None = None) -> int:
    """Save a new draft (``draft_id`` None) or overwrite the advisor's own draft ``draft_id``; its id."""
    text, now = _encode(values), _now()
    label = label[:200]
    try:
        with store._write() as conn:
            if draft_id is not None:
                changed = conn.execute(
                    update(drafts).where(drafts.c.id == draft_id).where(drafts.c.advisor == advisor)
                    .values(values_json=text, label=label, updated_at=now)
                ).rowcount
                if changed:
                    return draft_id
            count = conn.execute(select(func.count()).select_from(drafts).where(drafts.c.advisor == advisor)).scalar() or 0
            if count >= MAX_DRAFTS:
                raise InputError([Problem("draft", f"下書きが {MAX_DRAFTS} 件あります。不要なものを削除してください",
                                          f"there are {MAX_DRAFTS} drafts already; delete the ones no longer needed")])
            result = conn.execute(insert(drafts).values(advisor=advisor, label=label, values_json=text,
                                                        created_at=now, updated_at=now))
            return int(result.inserted_primary_key[0])
    except (DBAPIError, SQLAlchemyError) as exc:
        raise store._unreachable(exc) from None


def get_draft(store: Store, draft_id: int) -> Draft | None:
    with store._read() as conn:
        row = conn.execute(select(drafts).where(drafts.c.id == draft_id)).one_or_none()
    return None if row is None else _draft(row)


def list_drafts(store: Store, advisor: str | None) -> list[Draft]:
    """One advisor's drafts (``None``: everybody's), the most recently saved first."""
    query = select(drafts).order_by(drafts.c.updated_at.desc(), drafts.c.id.desc())
    if advisor is not None:
        query = query.where(drafts.c.advisor == advisor)
    with store._read() as conn:
        return [_draft(r) for r in conn.execute(query).all()]


def delete_draft(store: Store, draft_id: int, advisor: str) -> bool:
    """Delete the advisor's own draft; False if there is no such draft of theirs."""
    try:
        with store._write() as conn:
            return bool(conn.execute(delete(drafts).where(drafts.c.id == draft_id).where(drafts.c.advisor == advisor)).rowcount)
    except (DBAPIError, SQLAlchemyError) as exc:
        raise store._unreachable(exc) from None
