"""Drafts over HTTP: an interview saved half-filled, listed, reopened, continued and deleted, and whose it is.

Driven like a browser through Starlette's TestClient (forms with the CSRF
token), on a real SQLite store; the store's draft functions run on
PostgreSQL too.
"""

from __future__ import annotations

import logging
import re

import pytest

pytest.importorskip("fastapi")

from audit import Store  # noqa: E402
from audit import drafts as D  # noqa: E402
from tests.test_web import Advisor, cheap_hashing, make_app  # noqa: E402,F401  (cheap_hashing: autouse fixture)

HALF_FILLED = {  # a first consultation broken off: some answers, one not yet in a form the case accepts
    "case_id": "相談-下書き-1",
    "as_of": "令和8年11月26日",
    "mortgage.balance": "3100万",
    "debtor.annual_income": "まだ聞いていない",
}


@pytest.fixture(scope="module")
def web_app(tmp_path_factory):
    app = make_app(tmp_path_factory.mktemp("drafts") / "audit.sqlite3")
    yield app
    app.state.store.close()


def save(advisor: Advisor, values: dict, **extra) -> int:
    resp = advisor.post("/case", {**values, **extra, "action": "save_draft"}, follow_redirects=False)
    assert resp.status_code == 303, resp.text
    return int(re.fullmatch(r"/drafts/(\d+)\?saved=1", resp.headers["location"]).group(1))


def field_value(page: str, name: str) -> str:
    return re.search(rf'<input id="f-{re.escape(name)}" name="{re.escape(name)}" value="([^"]*)"', page).group(1)


def test_a_half_filled_interview_is_saved_reopened_continued_and_deleted(web_app):
    alice = Advisor(web_app, "alice")
    draft = save(alice, HALF_FILLED)
    page = alice.client.get(f"/drafts/{draft}?saved=1")
    assert page.status_code == 200 and 'id="draft-saved"' in page.text
    # reopened exactly as typed, even the answer that is not valid yet
    assert field_value(page.text, "mortgage.balance") == "3100万"
    assert field_value(page.text, "debtor.annual_income") == "まだ聞いていない"
    assert f'name="draft_id" value="{draft}"' in page.text
    listing = alice.client.get("/drafts").text
    assert f'id="draft-{draft}"' in listing and "相談-下書き-1" in listing
    # continuing and saving again overwrites the same draft, not a second one
    more = {**HALF_FILLED, "case_id": "相談-下書き-1b", "debtor.annual_income": "420万"}
    assert save(alice, more, draft_id=str(draft)) == draft
    again = alice.client.get(f"/drafts/{draft}").text
    assert field_value(again, "debtor.annual_income") == "420万"
    assert [d.id for d in D.list_drafts(web_app.state.store, "alice")].count(draft) == 1
    # deleted: gone from the list and from the store
    resp = alice.post(f"/drafts/{draft}/delete", {}, follow_redirects=False)
    assert resp.status_code == 303 and resp.headers["location"] == "/drafts?deleted=1"
    assert f'id="draft-{draft}"' not in alice.client.get("/drafts").text
    assert alice.client.get(f"/drafts/{draft}").status_code == 404
    assert D.get_draft(web_app.state.store, draft) is None


def test_a_draft_assessed_and_taken_back_to_the_form_is_saved_again_as_the_same_draft(web_app):
    from tests.test_web import CASE_A, case_text_of
    from web.interview import form_values
    from facts.load import parse_case_data

    alice = Advisor(web_app, "alice")
    values = form_values(parse_case_data(CASE_A, "case_a.yaml"))
    draft = save(alice, values)
    result = alice.post("/case", {**values, "draft_id": str(draft), "action": "assess"})
    assert result.status_code == 200 and f'name="draft_id" value="{draft}"' in result.text
    form = alice.post("/case/edit", {"case_text": case_text_of(result.text), "draft_id": str(draft)})
    assert f'name="draft_id" value="{draft}"' in form.text
    assert save(alice, {**values, "case_id": "case-a-again"}, draft_id=str(draft)) == draft
    assert D.get_draft(web_app.state.store, draft).label == "case-a-again"


def test_another_advisor_cannot_open_change_or_delete_your_draft(web_app):
    alice, bob = Advisor(web_app, "alice"), Advisor(web_app, "bob")
    draft = save(alice, HALF_FILLED)
    assert bob.client.get(f"/drafts/{draft}").status_code == 404  # as if it did not exist
    assert f'id="draft-{draft}"' not in bob.client.get("/drafts").text
    assert "相談-下書き-1" not in bob.client.get("/drafts").text
    assert bob.post(f"/drafts/{draft}/delete", {}).status_code == 404
    # bob sending alice's draft id saves a draft of his own; alice's is untouched
    theirs = save(bob, {**HALF_FILLED, "case_id": "bob-case"}, draft_id=str(draft))
    assert theirs != draft
    kept = D.get_draft(web_app.state.store, draft)
    assert kept is not None and kept.advisor == "alice" and kept.label == "相談-下書き-1"
    assert D.get_draft(web_app.state.store, theirs).advisor == "bob"
    # numbers next to it are not alice's either
    assert bob.client.get(f"/drafts/{draft + 1000}").status_code == 404


def test_a_supervisor_sees_every_draft_but_deletes_none_and_saves_a_copy_of_their_own(web_app):
    alice, boss = Advisor(web_app, "alice"), Advisor(web_app, "boss")
    draft = save(alice, {**HALF_FILLED, "case_id": "seen-by-boss"})
    listing = boss.client.get("/drafts").text
    assert f'id="draft-{draft}"' in listing and "seen-by-boss" in listing
    page = boss.client.get(f"/drafts/{draft}")
    assert page.status_code == 200 and 'id="draft-other"' in page.text
    assert boss.post(f"/drafts/{draft}/delete", {}).status_code == 403
    assert D.get_draft(web_app.state.store, draft) is not None
    copy = save(boss, {**HALF_FILLED, "case_id": "boss-copy"}, draft_id=str(draft))
    assert copy != draft and D.get_draft(web_app.state.store, draft).label == "seen-by-boss"


def test_saving_or_deleting_a_draft_without_the_csrf_token_is_refused(web_app):
    alice = Advisor(web_app, "alice")
    before = len(D.list_drafts(web_app.state.store, "alice"))
    resp = alice.client.post("/case", data={**HALF_FILLED, "action": "save_draft"}, follow_redirects=False)
    assert resp.status_code == 403
    assert len(D.list_drafts(web_app.state.store, "alice")) == before
    draft = save(alice, HALF_FILLED)
    assert alice.client.post(f"/drafts/{draft}/delete", data={}).status_code == 403
    assert alice.client.post(f"/drafts/{draft}/delete", data={"csrf": "forged"}).status_code == 403
    assert D.get_draft(web_app.state.store, draft) is not None


def test_drafts_need_a_login(web_app):
    from fastapi.testclient import TestClient

    anonymous = TestClient(web_app)
    assert anonymous.get("/drafts", follow_redirects=False).headers["location"] == "/login"
    assert anonymous.get("/drafts/1", follow_redirects=False).status_code == 303


def test_no_draft_data_reaches_the_log(web_app, caplog):
    alice = Advisor(web_app, "alice")
    secret = {**HALF_FILLED, "case_id": "山田花子-下書き", "debtor.occupation": "秘密の勤務先QRS"}
    with caplog.at_level(logging.DEBUG):
        draft = save(alice, secret)
        alice.client.get(f"/drafts/{draft}")
        alice.client.get("/drafts")
        alice.post(f"/drafts/{draft}/delete", {})
    logged = caplog.text
    assert "GET /drafts/{draft_id} 200" in logged
    for text in ("山田花子", "秘密の勤務先QRS", "3100万", "まだ聞いていない"):
        assert text not in logged


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    setting = str(tmp_path / "audit.sqlite3") if request.param == "sqlite" else request.getfixturevalue("pg_url")
    with Store.open(setting) as opened:
        yield opened


def test_the_store_keeps_drafts_per_advisor_on_sqlite_and_postgresql(store):
    first = D.save_draft(store, "alice", {"case_id": "x", "mortgage.balance": "3100万"}, label="x")
    second = D.save_draft(store, "bob", {"case_id": "y"}, label="y")
    assert first != second
    assert D.get_draft(store, first).values == {"case_id": "x", "mortgage.balance": "3100万"}
    assert D.save_draft(store, "alice", {"case_id": "x2"}, label="x2", draft_id=first) == first
    assert D.save_draft(store, "alice", {"case_id": "z"}, draft_id=second) not in (first, second)  # not bob's
    assert D.get_draft(store, second).values == {"case_id": "y"}
    assert [d.label for d in D.list_drafts(store, "alice")][1:] == ["x2"]  # newest first
    assert {d.advisor for d in D.list_drafts(store, None)} == {"alice", "bob"}
    assert not D.delete_draft(store, second, "alice")
    assert D.delete_draft(store, second, "bob") and D.get_draft(store, second) is None


def test_a_draft_too_large_is_refused_by_name(store):
    from facts.errors import InputError

    with pytest.raises(InputError) as err:
        D.save_draft(store, "alice", {"assumptions": "x" * (D.MAX_DRAFT_BYTES + 1)})
    assert "draft" in err.value.problems[0].en and D.list_drafts(store, "alice") == []
