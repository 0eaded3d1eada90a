"""Properties of the assessment over generated valid cases (hypothesis).

Each property is something an advisor relies on without checking it case by
case: more income never takes the installment path away, a better price never
raises the residual, time never un-runs a limitation period, the figures add
up, one path is ranked first, every conclusion has a rule with sources behind
it, and the same case always gives the same bytes. Cases are generated over
the whole case format; the few the case model calls contradictory are
skipped (``assume``), the rest are assessed by one shared engine.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from facts.errors import InputError
from facts.case import Case, case_json_schema

pytestmark = pytest.mark.slow  # about three minutes on a shared machine: run after the default suite

ROOT = Path(__file__).resolve().parent.parent
PROPERTY = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])

LENDERS = ["bank", "shinkin", "credit_union", "jhf", "flat35_bank", "labour_bank", "agricultural_coop", "other"]
AS_OF = dt.date(2026, 11, 26)

yen = st.integers(min_value=0, max_value=80_000_000)
monthly = st.integers(min_value=0, max_value=400_000)


@st.composite
def cases(draw) -> dict:
    """A case the model accepts in most draws: consistent stage, dates in order."""
    data: dict = {"case_id": "prop", "as_of": AS_OF.isoformat()}
    debtor: dict = {"annual_income": draw(st.integers(0, 15_000_000))}
    if draw(st.booleans()):
        debtor["monthly_take_home"] = draw(monthly)
    if draw(st.booleans()):
        debtor["age"] = draw(st.integers(20, 90))
        debtor["household_size"] = draw(st.integers(1, 6))
    debtor["on_welfare"] = draw(st.booleans())
    debtor["income_stable"] = draw(st.booleans())
    debtor["wage_earner"] = draw(st.booleans())
    data["debtor"] = debtor
    if draw(st.booleans()):
        data["budget"] = {line: draw(st.integers(0, 150_000)) for line in ("rent", "food", "utilities", "other")}
        data["budget"]["other_income"] = draw(st.integers(0, 200_000))

    contract = draw(st.dates(dt.date(1995, 1, 1), dt.date(2024, 12, 31)))
    mortgage: dict = {"lender_type": draw(st.sampled_from(LENDERS)), "balance": draw(st.integers(1_000_000, 80_000_000)), "contract_date": contract.isoformat()}
    if draw(st.booleans()):
        mortgage["arrears_months"] = draw(st.integers(0, 60))
    accelerated = draw(st.booleans())
    if accelerated:
        mortgage["accelerated"] = True
        acceleration = draw(st.dates(contract, AS_OF))
        mortgage["acceleration_date"] = acceleration.isoformat()
        if draw(st.booleans()):
            mortgage["subrogated"] = True
            mortgage["subrogation_date"] = draw(st.dates(acceleration, AS_OF)).isoformat()
        if draw(st.booleans()):
            mortgage["last_payment_date"] = draw(st.dates(contract, AS_OF)).isoformat()
    data["mortgage"] = mortgage

    if draw(st.booleans()):  # before the sale
        market = draw(st.integers(1_000_000, 90_000_000))
        data["property"] = {"market_value": market}
        if draw(st.booleans()):
            data["property"]["expected_sale_price"] = draw(st.integers(500_000, market))
    elif draw(st.booleans()):  # sold
        data["sale"] = {"sold": True, "sale_price": draw(st.integers(500_000, 90_000_000)), "sale_date": draw(st.dates(contract, AS_OF)).isoformat()}
    if draw(st.booleans()):
        data["other_debts"] = [
            {"type": draw(st.sampled_from(["card_loan", "consumer_loan", "car_loan", "tax", "other"])), "balance": draw(st.integers(1, 5_000_000))}
            for _ in range(draw(st.integers(1, 3)))
        ]
    if draw(st.booleans()):
        data["assets"] = {"cash_and_savings": draw(st.integers(0, 3_000_000))}
    return data


# ---------------------------------------------------------------- one engine for every example


@pytest.fixture(scope="module")
def assess():
    from app.desk import Desk
    from render.json_result import to_json

    assessor = Desk()

    def run(data: dict) -> dict:
        try:
            case = Case.model_validate(data)
        except Exception:  # noqa: BLE001 - a generated combination the model calls contradictory
            assume(False)
        try:
            result = assessor.assess(case)
        except InputError:
            assume(False)
        return to_json(result, "en")

    yield run
    assessor.close()


def paths(result: dict) -> set[str]:
    return {r["path"] for r in result["recommendations"]}


def concluded(result: dict, kind: str) -> set[str]:
    return {d["name"] for d in result["derived"] if d["kind"] == kind}


def named(result: dict, name: str) -> bool:
    return name in concluded(result, "finding") | {w["id"] for w in result["warnings"]}


def with_changes(data: dict, section: str, **changes) -> dict:
    copy = json.loads(json.dumps(data))
    copy.setdefault(section, {}).update(changes)
    return copy


# ---------------------------------------------------------------- monotonicity


@PROPERTY
@given(cases(), st.integers(1, 300_000))
def test_more_take_home_never_adds_no_capacity_nor_removes_installments(assess, data, more):
    assume("monthly_take_home" in data["debtor"])
    before = assess(data)
    after = assess(with_changes(data, "debtor", monthly_take_home=data["debtor"]["monthly_take_home"] + more))
    if not named(before, "no_capacity"):
        assert not named(after, "no_capacity")
    if "installment_negotiation" in paths(before):
        assert "installment_negotiation" in paths(after)


@PROPERTY
@given(cases(), st.integers(1, 150_000))
def test_lower_living_costs_never_add_no_capacity_nor_remove_installments(assess, data, less):
    assume("budget" in data and data["budget"]["food"] > 0)
    before = assess(data)
    after = assess(with_changes(data, "budget", food=max(0, data["budget"]["food"] - less)))
    if not named(before, "no_capacity"):
        assert not named(after, "no_capacity")
    if "installment_negotiation" in paths(before):
        assert "installment_negotiation" in paths(after)


@PROPERTY
@given(cases(), st.integers(1, 30_000_000))
def test_a_higher_sale_price_never_raises_the_residual(assess, data, more):
    if "property" in data:
        price = data["property"].get("expected_sale_price", data["property"]["market_value"])
        higher = with_changes(data, "property", expected_sale_price=price + more, market_value=max(price + more, data["property"]["market_value"]))
    else:
        assume("sale" in data)
        higher = with_changes(data, "sale", sale_price=data["sale"]["sale_price"] + more)
    before, after = assess(data), assess(higher)
    assume("residual_debt" in before["figures"])
    assert after["figures"]["residual_debt"] <= before["figures"]["residual_debt"]


@PROPERTY
@given(cases(), st.integers(1, 20 * 365))
def test_a_later_as_of_never_un_runs_a_limitation_period(assess, data, days):
    before = assess(data)
    assume(named(before, "limitation_may_have_run"))
    later = json.loads(json.dumps(data))
    later["as_of"] = (AS_OF + dt.timedelta(days=days)).isoformat()
    assert named(assess(later), "limitation_may_have_run")


# ---------------------------------------------------------------- figures, ranks, sources


@PROPERTY
@given(cases())
def test_the_residual_is_never_negative_and_adds_up_on_an_over_loan(assess, data):
    result = assess(data)
    figures = result["figures"]
    for name in ("residual_debt", "residual_debt_auction", "net_sale_proceeds", "total_debt"):
        if name in figures:
            assert figures[name] >= 0, name
    if named(result, "over_loan") and "net_sale_proceeds" in figures and "residual_debt" in figures:
        case_fact = next(f for f in result["facts"] if f["id"] == "case")["fields"]
        secured = data["mortgage"]["balance"] + case_fact.get("secured_debts_total", 0)
        assert figures["residual_debt"] + figures["net_sale_proceeds"] == secured


@PROPERTY
@given(cases())
def test_exactly_one_path_is_ranked_first_whenever_a_path_is_listed(assess, data):
    ranks = [r["rank"] for r in assess(data)["recommendations"]]
    if ranks:
        assert ranks.count(1) == 1
        assert sorted(ranks) == list(range(1, len(ranks) + 1))


@PROPERTY
@given(cases())
def test_every_path_warning_and_figure_is_concluded_by_a_firing_with_sources(assess, data):
    result = assess(data)
    trace = {f["index"]: f for f in result["trace"]}
    by_rule = {f["rule"]: f for f in result["trace"]}
    for item in result["recommendations"] + result["warnings"]:
        assert item["rules"], item
        for rule in item["rules"]:
            assert rule in by_rule and by_rule[rule]["sources"], rule
    for derived in result["derived"]:
        if derived["kind"] == "figure" and derived["name"] in result["figures"]:
            assert derived["firings"], derived["name"]
            assert all(trace[i]["sources"] for i in derived["firings"]), derived["name"]


@PROPERTY
@given(cases())
def test_the_same_case_gives_the_same_bytes_twice(assess, data):
    first = json.dumps(assess(data), ensure_ascii=False, sort_keys=False)
    second = json.dumps(assess(data), ensure_ascii=False, sort_keys=False)
    assert first == second


@PROPERTY
@given(cases())
def test_every_generated_case_the_model_accepts_the_published_schema_accepts(data):
    try:
        Case.model_validate(data)
    except Exception:  # noqa: BLE001
        assume(False)
    jsonschema.validate(data, case_json_schema())


def test_the_same_case_gives_the_same_bytes_in_another_process(tmp_path):
    cases_dir = ROOT / "examples"
    names = sorted(p.name for p in cases_dir.glob("*.yaml"))[:4]
    outputs = []
    for _ in range(2):
        code = (
            "import json, sys; from cli import main; sys.argv = ['zansai', '--lang', 'en', 'assess', '--format', 'json', sys.argv[1]]; main()"
        )
        runs = [subprocess.run([sys.executable, "-c", code, str(cases_dir / n)], capture_output=True, cwd=ROOT, timeout=120) for n in names]
        assert all(r.returncode == 0 for r in runs), [r.stderr[-500:] for r in runs]
        outputs.append([r.stdout for r in runs])
    assert outputs[0] == outputs[1]
