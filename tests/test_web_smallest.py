"""The smallest-change answers in the browser and the JSON API: the same search and text as ``zansai whatif --open/--close``."""

from __future__ import annotations

import html
import re

import pytest

pytest.importorskip("fastapi")

from click.testing import CliRunner  # noqa: E402

from cli import main  # noqa: E402
from tests.test_web import (  # noqa: E402,F401  (cheap_hashing: autouse fixture)
    CASE_A, ROOT, Advisor, basic, case_a_json, case_text_of, cheap_hashing, make_app,
)
from web.interview import form_values  # noqa: E402
from facts.load import parse_case_data  # noqa: E402


@pytest.fixture(scope="module")
def web_app(tmp_path_factory):
    app = make_app(tmp_path_factory.mktemp("smallest") / "audit.sqlite3")
    yield app
    app.state.store.close()


def cli_text(*args: str) -> str:
    done = CliRunner().invoke(main, ["whatif", str(ROOT / "examples" / "case_a.yaml"), *args])
    assert done.exit_code == 0, done.output
    return done.output


def result_page(alice: Advisor) -> str:
    page = alice.post("/case", {**form_values(parse_case_data(CASE_A, "case_a.yaml")), "action": "assess"})
    assert page.status_code == 200
    return page.text


def test_the_result_page_offers_to_list_each_unlisted_path_and_to_take_off_each_listed_one(web_app):
    page = result_page(Advisor(web_app, "alice"))
    options = dict(re.findall(r'<option value="((?:open|close):[a-z_]+)">([^<]*)</option>', page))
    assert "close:voluntary_sale" in options and "open:specific_conciliation" in options
    assert "open:voluntary_sale" not in options and "close:specific_conciliation" not in options


@pytest.mark.parametrize("goal,path", [("open", "specific_conciliation"), ("close", "voluntary_sale")])
def test_the_smallest_change_page_shows_what_the_cli_shows_with_its_verification(web_app, goal, path):
    alice = Advisor(web_app, "alice")
    text = case_text_of(result_page(alice))
    page = alice.post("/case/smallest", {"case_text": text, "target": f"{goal}:{path}"})
    assert page.status_code == 200
    shown = html.unescape(re.search(r'<pre id="smallest-text">(.*?)</pre>', page.text, re.S).group(1))
    assert shown == cli_text(f"--{goal}", path)
    if goal == "open":
        assert "判定で確認済み" in shown and "2,788万円" in shown  # the sale price that lists it, checked by assessing


def test_the_smallest_change_page_refuses_an_unknown_path_by_name(web_app):
    alice = Advisor(web_app, "alice")
    text = case_text_of(result_page(alice))
    page = alice.post("/case/smallest", {"case_text": text, "target": "open:no_such_path"})
    assert page.status_code == 422 and "no_such_path" in page.text
    assert alice.post("/case/smallest", {"case_text": text, "target": "sideways:voluntary_sale"}).status_code == 422
    assert alice.client.post("/case/smallest", data={"case_text": text, "target": "open:bankruptcy"}).status_code == 403


def test_the_api_gives_the_smallest_change_as_data_and_text(web_app):
    from fastapi.testclient import TestClient

    client = TestClient(web_app)
    resp = client.post("/api/v1/smallest", params={"path": "specific_conciliation", "goal": "open", "lang": "en"},
                       json=case_a_json(), headers=basic("alice"))
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["path"] == "specific_conciliation" and body["goal"] == "open" and not body["already"]
    first = body["answers"][0]
    assert first["levers"][0]["id"] == "property.expected_sale_price"
    assert first["verified"] and first["shown_verified"] and first["values"] == [27876938]
    assert "specific_conciliation" in first["paths"]
    assert body["text"] == cli_text("--open", "specific_conciliation", "--lang", "en")
    closed = client.post("/api/v1/smallest", params={"path": "voluntary_sale", "goal": "close"}, json=case_a_json(),
                         headers=basic("alice")).json()
    assert closed["goal"] == "close" and all(a["verified"] for a in closed["answers"])
    bad = client.post("/api/v1/smallest", params={"path": "nope"}, json=case_a_json(), headers=basic("alice"))
    assert bad.status_code == 422 and "nope" in bad.text
