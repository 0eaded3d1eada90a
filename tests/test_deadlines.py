"""Deadlines: the dated limits a case implies, their order, what follows when each passes, the .ics export."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from app.result import Result
from app.whatif import changed_case
from cli import main
from facts.errors import InputError

ROOT = Path(__file__).resolve().parent.parent
AUCTION = str(ROOT / "examples" / "auction_filed.yaml")
CASE_A = str(ROOT / "examples" / "case_a.yaml")


@pytest.fixture(scope="module")
def auction(desk):
    # subrogated 2026-05-22, accelerated 2026-04-10, last payment 2025-11-27; bids open on 2026-12-10
    return changed_case(desk.load_case(AUCTION), {"as_of": "2026-09-01", "property.auction_bid_date": "2026-12-10"})


def by_id(result: Result):
    return {d.id: d for d in result.deadlines}


def test_a_filed_auction_with_a_subrogation_lists_its_deadlines_in_date_order(desk, auction):
    result = desk.assess(auction)
    dated = [(d.id, d.date) for d in result.deadlines if d.date is not None]
    assert dated == [
        ("housing_loan_clause", dt.date(2026, 11, 22)),  # subrogation 2026-05-22 + 6 months (民再198条2項)
        ("auction_bid_opening", dt.date(2026, 12, 10)),
        ("limitation_completion", dt.date(2031, 5, 23)),  # 5 years from the subrogation, the day after the last day
    ]
    ids = by_id(result)
    assert ids["housing_loan_clause"].days_left == (dt.date(2026, 11, 22) - dt.date(2026, 9, 1)).days
    assert ids["housing_loan_clause"].sources == ["民事再生法198条2項"]
    assert ids["housing_loan_clause"].rules == ["situations.housing_clause_deadline"]
    assert "民事執行法76条1項" in ids["auction_bid_opening"].sources
    assert "任意売却" in ids["auction_bid_opening"].consequence.ja
    assert "152条" in ids["limitation_completion"].note.ja  # what would renew it
    assert "inheritance_renunciation" not in ids  # the debtor is alive: no heirs' deadline


def test_the_housing_clause_deadline_is_upcoming_on_its_last_day(desk, auction):
    on = desk.assess(changed_case(auction, {"as_of": "2026-11-22"}))
    d = by_id(on)["housing_loan_clause"]
    assert (d.status, d.days_left) == ("upcoming", 0)
    assert "housing_loan_clause_possible" in {w.id for w in on.warnings}  # the rules agree: still possible


def test_the_housing_clause_deadline_has_passed_the_day_after(desk, auction):
    after = desk.assess(changed_case(auction, {"as_of": "2026-11-23"}))
    d = by_id(after)["housing_loan_clause"]
    assert (d.status, d.days_left) == ("passed", -1)
    assert "housing_loan_clause_unavailable" in {w.id for w in after.warnings}


def test_a_filed_auction_without_a_bid_date_lists_the_bid_opening_as_missing(desk):
    result = desk.assess(desk.load_case(AUCTION))
    d = by_id(result)["auction_bid_opening"]
    assert d.date is None and d.status == "missing"
    assert "property.auction_bid_date" in d.missing.en
    assert result.deadlines[-1].date is None  # the undated ones come last


def test_case_a_whose_debtor_is_alive_has_only_the_limitation_date(desk):
    # the heirs' renunciation deadline was listed as "information the case lacks" for a living
    # debtor (legal review A.12): it is no deadline of this case
    result = desk.assess(desk.load_case(CASE_A))
    assert [(d.id, d.date) for d in result.deadlines] == [
        ("limitation_completion", result.figures["limitation_completion_date"]),
    ]


def test_case_a_whose_debtor_has_died_dates_the_renunciation_deadline_as_the_assessment_does(desk):
    result = desk.assess(changed_case(desk.load_case(CASE_A), {"debtor.date_of_death": "2026-10-01"}))
    d = by_id(result)["inheritance_renunciation"]
    assert (d.date, d.status) == (dt.date(2027, 1, 1), "upcoming")  # 3 months, the first day not counted
    assert d.date == result.figures["inheritance_renunciation_deadline"]  # the date the warning gives
    assert d.rules == ["situations.renunciation_deadline"] and "民法915条1項" in d.sources
    assert "知った時" in d.note.ja and "learned" in d.note.en  # a later knowledge moves it


def test_a_bid_date_without_a_filed_auction_is_a_contradiction(desk):
    case = desk.load_case(CASE_A)
    with pytest.raises(InputError) as caught:
        changed_case(case, {"property.auction_bid_date": "2026-12-10"})
    assert "auction_filed" in caught.value.problems[0].location


def test_the_result_json_carries_the_deadlines_and_reads_back(desk, auction):
    result = desk.assess(auction)
    data = json.loads(json.dumps(result.to_json("en")))
    first = data["deadlines"][0]
    assert first["id"] == "housing_loan_clause" and first["date"] == "2026-11-22" and first["status"] == "upcoming"
    assert first["title"].startswith("Last day to petition")
    assert "texts" in first and first["texts"]["title"]["ja"].startswith("住宅資金特別条項")
    again = Result.from_json(data)
    assert again.deadlines == result.deadlines
    for key in ("case_id", "as_of", "ruleset", "engine", "stage", "figures", "recommendations", "warnings", "missing", "trace"):
        assert key in data  # the existing names are kept


def test_a_result_stored_before_deadlines_existed_still_reads(desk):
    data = desk.assess(desk.load_case(CASE_A)).to_json("ja")
    del data["deadlines"]
    assert Result.from_json(data).deadlines == []


# --- the command and the calendar ----------------------------------------------------


def _auction_file(tmp_path: Path) -> Path:
    text = Path(AUCTION).read_text(encoding="utf-8").replace("as_of: 2026-11-26", "as_of: 2026-09-01").replace(
        "  auction_bid_opened: false", "  auction_bid_opened: false\n  auction_bid_date: 2026-12-10")
    path = tmp_path / "auction.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_deadlines_prints_them_in_date_order_with_consequences(tmp_path):
    case = _auction_file(tmp_path)
    result = CliRunner().invoke(main, ["deadlines", str(case)])
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.index("2026年（令和8年）11月22日") < out.index("2026年（令和8年）12月10日") < out.index("2031年（令和13年）5月23日")
    assert "あと82日" in out  # 2026-09-01 to 2026-11-22
    assert "民事再生法198条2項" in out and "過ぎると" in out
    assert "相続放棄" not in out  # the debtor is alive
    en = CliRunner().invoke(main, ["deadlines", str(case), "--lang", "en"])
    assert "22 November 2026" in en.output and "Civil Rehabilitation Act (民事再生法) art. 198(2)" in en.output


def test_deadlines_lists_what_the_case_cannot_date_apart():
    out = CliRunner().invoke(main, ["deadlines", AUCTION]).output
    assert "日付が決まらない期限" in out and "開札期日" in out
    en = CliRunner().invoke(main, ["deadlines", AUCTION, "--lang", "en"]).output
    assert "Deadlines the case cannot date:" in en and "property.auction_bid_date" in en


def test_deadlines_ics_is_read_back_by_icalendar_with_one_all_day_event_per_dated_deadline(tmp_path):
    from icalendar import Calendar

    case = _auction_file(tmp_path)
    target = tmp_path / "deadlines.ics"
    result = CliRunner().invoke(main, ["deadlines", str(case), "--ics", str(target)])
    assert result.exit_code == 0, result.output
    assert "3 件の期限" in result.output
    cal = Calendar.from_ical(target.read_bytes())
    events = [c for c in cal.walk() if c.name == "VEVENT"]
    starts = [e.decoded("dtstart") for e in events]
    assert starts == [dt.date(2026, 11, 22), dt.date(2026, 12, 10), dt.date(2031, 5, 23)]
    assert all(isinstance(s, dt.date) and not isinstance(s, dt.datetime) for s in starts)  # all-day
    assert [e.decoded("dtend") - e.decoded("dtstart") for e in events] == [dt.timedelta(days=1)] * 3
    assert str(events[0]["uid"]) == "auction-filed-housing_loan_clause@zansai"
    assert "住宅資金特別条項" in str(events[0]["summary"])
    assert "民事再生法198条2項" in str(events[0]["description"])
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".zansai-")] == []


def test_passed_deadlines_are_not_exported_to_the_calendar(tmp_path):
    from icalendar import Calendar

    target = tmp_path / "late.ics"
    result = CliRunner().invoke(main, ["deadlines", AUCTION, "--ics", str(target), "--lang", "en"])
    assert result.exit_code == 0, result.output
    events = [c for c in Calendar.from_ical(target.read_bytes()).walk() if c.name == "VEVENT"]
    assert [str(e["uid"]) for e in events] == ["auction-filed-limitation_completion@zansai"]  # the clause passed on 11-22


def test_deadlines_json_and_bad_input():
    data = json.loads(CliRunner().invoke(main, ["deadlines", CASE_A, "--json"]).output)
    assert [d["id"] for d in data["deadlines"]] == ["limitation_completion"]
    bad = CliRunner().invoke(main, ["deadlines", "no-such-case.yaml"])
    assert bad.exit_code == 2 and "Traceback" not in bad.output


def test_deadlines_cite_sources_as_the_report_does():
    """Japanese output is Japanese: the project's notes are named as docs/sources.md names them."""
    ja = CliRunner().invoke(main, ["deadlines", str(ROOT / "examples" / "case_a.yaml")])
    assert ja.exit_code == 0, ja.output
    assert "zansai の判断方針（docs/sources.md §11）" in ja.stdout
    assert "domain.md" not in ja.stdout and "zansai policy" not in ja.stdout
    en = CliRunner().invoke(main, ["--lang", "en", "deadlines", str(ROOT / "examples" / "case_a.yaml")])
    assert "zansai's decision policy (docs/sources.md §11)" in en.stdout
