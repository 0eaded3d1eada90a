"""A rule fires at most once per matching combination of facts, however many branches of its ``or`` hold.

durable-rules expands an ``$or`` inside a pattern into alternatives and
fires the rule once for each alternative that matches: a rule whose ``or``
had three true branches fired three times on the same mortgage, concluding
everything three times. engine/session.py acts on the first firing only.
"""

from __future__ import annotations

from collections import Counter


from engine.memory import input_records

BASE = """case_id: or-once
as_of: 2026-11-26
debtor:
  annual_income: 300万
  occupation: {occupation}
mortgage:
  lender_type: bank
  balance: 2000万
  contract_date: 2010-04-01
  accelerated: true
  acceleration_date: 2015-04-01
  subrogated: true
  subrogation_date: 2015-10-01
  current_creditor: {creditor}
  last_payment_date: 2016-01-05
"""


def firing_counts(desk, occupation="会社員", creditor="servicer"):
    case = desk.parse_case(BASE.format(occupation=occupation, creditor=creditor), "or.yaml")
    run = desk.engine.run(input_records(desk.facts(case)))
    return run, Counter((f.rule.id, tuple(f.matched)) for f in run.firings)


def test_an_or_with_three_true_branches_fires_once(desk):
    run, counts = firing_counts(desk)
    assert counts[("limitation.start_subrogated_claim", ("mortgage",))] == 1
    assert run.repeats >= 2  # durable-rules did fire it again: the test exercises the workaround
    assert max(counts.values()) == 1
    start = [r for r in run.records.values() if r.type == "figure" and r.name == "limitation_start_date"]
    assert len(start) == 1 and str(start[0].fields["value"]) == "2016-01-05"  # the latest of the three dates


def test_an_or_of_overlapping_contains_tests_fires_once(desk):
    _, counts = firing_counts(desk, occupation="証券外務員")  # contains both 証券外務員 and 外務員
    assert counts[("bankruptcy.occupation_finance", ("debtor",))] == 1
    _, counts = firing_counts(desk, occupation="宅建士（宅地建物取引士）")
    assert counts[("bankruptcy.occupation_real_estate", ("debtor",))] == 1


def test_the_original_lender_rule_fires_once_with_both_dates(desk):
    _, counts = firing_counts(desk, creditor="bank")
    assert counts[("limitation.start_original_lender", ("mortgage",))] == 1
