"""The engine cross-check at scale (slow): 20,000 generated cases, firings compared as a multiset.

For every rule and every combination of facts its slots could bind, the
reference evaluator says whether the conditions hold; durable-rules must
have fired the rule exactly once on that combination when they do and never
when they do not. Comparing sets would hide a rule that fires twice on the
same facts (an ``or`` of tests once fired once per true branch), so the
firings are counted. The engine's own cross-check is switched off here, so
this checks the agreement independently. The cases are spread over two child
processes: a durable-rules crash fails the test instead of ending the run.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
N_CASES = 20_000
WORKERS = 2

LENDERS = ["bank", "shinkin", "credit_union", "jhf", "flat35_bank", "labour_bank", "agricultural_coop", "other"]
CREDITORS = [None, "bank", "guarantee_company", "servicer", "jhf"]
OCCUPATIONS = [None, "会社員", "警備員", "宅建士（宅地建物取引士）", "証券外務員", "生命保険の募集人", "取締役", "司法書士", "パート"]
DEBT_TYPES = ["card_loan", "consumer_loan", "car_loan", "tax", "child_support", "other"]
GUARANTOR_KINDS = ["joint_guarantor", "joint_debtor", "guarantor"]


def _date(rnd: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rnd.randint(0, max(0, (end - start).days)))


def generate(index: int, seed: int = 20261201) -> dict:
    """One case, the same for the same index on any machine."""
    rnd = random.Random(seed * 1_000_003 + index)
    as_of = _date(rnd, dt.date(2015, 1, 1), dt.date(2035, 12, 31))
    contract = _date(rnd, dt.date(1990, 1, 1), as_of)
    debtor: dict = {"annual_income": rnd.choice([0, 1_200_000, 2_400_000, 3_800_000, 6_000_000, 12_000_000])}
    if rnd.random() < 0.7:
        debtor["monthly_take_home"] = rnd.choice([0, 90_000, 180_000, 250_000, 400_000])
    for flag, p in (("on_welfare", 0.15), ("gambling_or_waste", 0.1), ("income_stable", 0.6), ("wage_earner", 0.6)):
        if rnd.random() < 0.8:
            debtor[flag] = rnd.random() < p
    occupation = rnd.choice(OCCUPATIONS)
    if occupation:
        debtor["occupation"] = occupation
    if rnd.random() < 0.15:
        debtor["prior_discharge_date"] = _date(rnd, dt.date(2000, 1, 1), as_of).isoformat()
    data: dict = {"case_id": f"x-{index}", "as_of": as_of.isoformat(), "debtor": debtor}
    if rnd.random() < 0.6:
        data["budget"] = {line: rnd.choice([0, 20_000, 60_000, 120_000]) for line in ("rent", "food", "utilities", "other")}
        data["budget"]["other_income"] = rnd.choice([0, 50_000, 150_000])

    mortgage: dict = {"lender_type": rnd.choice(LENDERS), "balance": rnd.choice([3_000_000, 12_000_000, 25_000_000, 31_000_000, 55_000_000])}
    if rnd.random() < 0.8:
        mortgage["contract_date"] = contract.isoformat()
    if rnd.random() < 0.6:
        mortgage["arrears_months"] = rnd.choice([0, 2, 3, 6, 12, 40])
    if rnd.random() < 0.5:
        mortgage["accelerated"] = True
        acceleration = _date(rnd, contract, as_of)
        if rnd.random() < 0.8:
            mortgage["acceleration_date"] = acceleration.isoformat()
        if rnd.random() < 0.6:
            mortgage["subrogated"] = True
            if rnd.random() < 0.8:
                mortgage["subrogation_date"] = _date(rnd, acceleration, as_of).isoformat()
            mortgage["current_creditor"] = rnd.choice(["guarantee_company", "servicer"])
        else:
            creditor = rnd.choice([None, "bank", "servicer", "jhf"])
            if creditor:
                mortgage["current_creditor"] = creditor
        if rnd.random() < 0.6:
            mortgage["last_payment_date"] = _date(rnd, contract, as_of).isoformat()
        if rnd.random() < 0.15:
            mortgage["court_title_date"] = _date(rnd, contract, as_of).isoformat()
    if rnd.random() < 0.3:
        mortgage["late_damage_rate"] = rnd.choice(["14%", "14.6%", "21.9%", "0.05"])
    data["mortgage"] = mortgage

    stage = rnd.random()
    if stage < 0.5:
        market = rnd.choice([8_000_000, 20_000_000, 26_000_000, 40_000_000, 70_000_000])
        data["property"] = {"market_value": market}
        if rnd.random() < 0.5:
            data["property"]["expected_sale_price"] = rnd.choice([market, market * 8 // 10])
        if rnd.random() < 0.3:
            data["property"]["auction_filed"] = True
            data["property"]["auction_bid_opened"] = rnd.random() < 0.3
        if rnd.random() < 0.3:
            data["property"]["junior_liens"] = rnd.choice([0, 1, 2, 3])
    elif stage < 0.85:
        data["sale"] = {"sold": True, "sale_price": rnd.choice([5_000_000, 18_000_000, 30_000_000]), "sale_date": _date(rnd, contract, as_of).isoformat()}
    else:
        data["residual_debt"] = rnd.choice([1_000_000, 8_000_000, 20_000_000])
    if rnd.random() < 0.5:
        debts = []
        for _ in range(rnd.randint(1, 4)):
            debt: dict = {"type": rnd.choice(DEBT_TYPES), "balance": rnd.choice([100_000, 800_000, 3_000_000])}
            if "property" in data and debt["type"] not in ("tax", "child_support") and rnd.random() < 0.2:
                debt["secured_on_home"] = True
            debts.append(debt)
        data["other_debts"] = debts
    if rnd.random() < 0.4:
        data["guarantors"] = [{"kind": rnd.choice(GUARANTOR_KINDS), "informed": rnd.random() < 0.5} for _ in range(rnd.randint(1, 2))]
    if rnd.random() < 0.4:
        data["assets"] = {"cash_and_savings": rnd.choice([0, 500_000, 2_000_000]), "car_value": rnd.choice([0, 300_000])}
    return data


def check_range(start: int, stop: int) -> dict:
    """Assess cases [start, stop) and compare firings; the counts, and the first disagreements."""
    from app.desk import Desk
    from engine.crosscheck import candidates, rule_holds
    from engine.memory import input_records
    from facts.errors import InputError

    desk = Desk(cross_check=False)
    engine = desk.engine
    rules = desk.rule_base.rules
    checked = refused = 0
    disagreements: list[str] = []
    for index in range(start, stop):
        data = generate(index)
        try:
            case = desk.parse_case(json.dumps(data, ensure_ascii=False), f"x-{index}.json")
            factset = desk.facts(case)
        except InputError:
            refused += 1  # a combination the case model calls contradictory
            continue
        run = engine.run(input_records(factset))
        fired = Counter((f.rule.id, tuple(f.matched)) for f in run.firings)
        expected: Counter = Counter()
        for rule in rules:
            for binding in candidates(engine.compiled_rule(rule.id), run):
                if rule_holds(run, rule, binding):
                    expected[(rule.id, tuple(rec.id for rec in binding.values()))] += 1
        if fired != expected:
            extra = fired - expected
            missed = expected - fired
            disagreements.append(f"x-{index}: fired but should not (or too often) {dict(extra)}; missed {dict(missed)}")
        checked += 1
    desk.close()
    return {"checked": checked, "refused": refused, "disagreements": disagreements[:20], "disagreeing": len(disagreements)}


def test_durable_rules_fires_each_rule_once_per_matching_combination_on_20000_cases():
    share = N_CASES // WORKERS
    code = "import json, sys; sys.path.insert(0, {root!r}); from tests.test_crosscheck_scale import check_range; print(json.dumps(check_range({a}, {b})))"
    children = [
        subprocess.Popen(
            [sys.executable, "-c", code.format(root=str(ROOT), a=i * share, b=(i + 1) * share)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        for i in range(WORKERS)
    ]
    reports = []
    for child in children:
        out, err = child.communicate(timeout=3600)
        assert child.returncode == 0, f"child exited {child.returncode}: {err[-2000:]}"
        reports.append(json.loads(out.strip().splitlines()[-1]))
    checked = sum(r["checked"] for r in reports)
    disagreements = [d for r in reports for d in r["disagreements"]]
    assert not disagreements, "\n".join(disagreements)
    assert checked >= N_CASES * 0.8, f"only {checked} of {N_CASES} generated cases were valid"


def test_the_generated_cases_are_varied_enough_to_mean_something():
    sample = [generate(i) for i in range(500)]
    assert sum("property" in c for c in sample) > 150 and sum("sale" in c for c in sample) > 100
    assert sum(c["mortgage"].get("current_creditor") in ("guarantee_company", "servicer") for c in sample) > 50
    assert sum("last_payment_date" in c["mortgage"] for c in sample) > 80
    assert len({c["debtor"].get("occupation") for c in sample}) == len(OCCUPATIONS)
