"""From an engine run to a Result (app.assemble): every part of the Result says what the run and
the catalog say, in the order a reader needs.

The golden cases check paths, figures and warnings by name; mutation testing showed
the rest of the Result (titles, next steps, the rules behind each item, the order of
warnings, the input facts, the trace, the parameters) could be emptied or shuffled
without a test noticing. Four example cases between them have recommended, blocked
and ranked paths, missing information, an overridden parameter and dated ones.
"""

from __future__ import annotations

import datetime as dt
import importlib.metadata
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

from app.assemble import SEVERITY_ORDER, exact
from app.desk import Desk
from knowledge import expr as E

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@pytest.fixture(scope="module")
def catalog(desk):
    return desk.rule_base.catalog


def case(name):
    return Desk.load_case(EXAMPLES / f"{name}.yaml")


def assess(desk, name, explain=False):
    # Each test assesses its own case rather than sharing results from a fixture:
    # mutmut runs a mutant only against the tests that call the mutated code.
    return desk.assess(case(name), explain=explain)


def derived_of(result, fact_id):
    [d] = [d for d in result.derived if d.id == fact_id]
    return d


def rules_behind(result, fact_id):
    """The rules whose firings concluded a derived fact, each once, in firing order."""
    out = []
    for i in derived_of(result, fact_id).firings:
        if result.trace[i].rule not in out:
            out.append(result.trace[i].rule)
    return out


# --- values -------------------------------------------------------------------


def test_exact_keeps_whole_numbers_as_int_others_as_decimal_and_missing_as_none():
    assert exact(E.MISSING) is None
    assert exact(Fraction(8049000)) == 8049000 and type(exact(Fraction(8049000))) is int
    assert exact(Fraction(-3)) == -3 and type(exact(Fraction(-3))) is int
    assert exact(Fraction(73, 500)) == Decimal("0.146") and type(exact(Fraction(73, 500))) is Decimal
    assert exact(Fraction(1, 3)) == Decimal(1) / Decimal(3)
    assert exact(dt.date(2031, 7, 28)) == dt.date(2031, 7, 28)
    assert exact("pre_sale") == "pre_sale" and exact(True) is True


# --- what the result is about -------------------------------------------------


def test_the_result_names_its_case_rule_base_and_engine(desk):
    r, given, rb = assess(desk, "case_a"), case("case_a"), desk.rule_base
    assert (r.case_id, r.as_of) == ("case-a", dt.date(2026, 11, 26)) == (given.case_id, given.as_of)
    assert r.ruleset.version == rb.version and r.ruleset.rules == len(rb.rules) > 100
    assert r.ruleset.origin == rb.origin and r.ruleset.files == dict(rb.files) and len(r.ruleset.files) > 5
    assert (r.engine.name, r.engine.version) == ("durable-rules", importlib.metadata.version("durable_rules"))


def test_the_stage_is_the_stage_finding_and_none_without_one(desk):
    assert assess(desk, "case_a").stage == "pre_sale"
    assert assess(desk, "welfare_no_capacity").stage == "post_sale"
    assert assess(desk, "minimal").stage is None


def test_explanations_are_there_only_when_asked_for(desk):
    explained = assess(desk, "minimal", explain=True).explanations
    assert explained is not None and set(explained.rules) == {rule.id for rule in desk.rule_base.rules}
    assert assess(desk, "minimal", explain=False).explanations is None


# --- figures ------------------------------------------------------------------


def test_figures_are_exact_values_in_catalog_order_with_their_declarations(desk, catalog):
    r = assess(desk, "case_a")
    assert list(r.figures) == [name for name in catalog.figures if name in r.figures]
    assert r.figures["residual_debt"] == 8049000 and type(r.figures["residual_debt"]) is int
    assert r.figures["late_damage_rate"] == Decimal("0.146")
    assert r.figures["limitation_completion_date"] == dt.date(2031, 7, 28)
    concluded = {d.name: d for d in r.derived if d.kind == "figure"}
    assert set(r.figures) == set(concluded) == set(r.figure_info)
    for name, info in r.figure_info.items():
        decl = catalog.figures[name]
        assert r.figures[name] == concluded[name].value
        assert (info.kind, info.unit, info.title, info.paths) == (decl.kind, decl.unit, decl.title, decl.paths)
        assert info.fact == concluded[name].id == f"figure:{name}"
    assert any(info.unit for info in r.figure_info.values()) and any(info.paths for info in r.figure_info.values())


# --- paths --------------------------------------------------------------------


def test_recommendations_are_numbered_in_ranked_order_with_the_catalog_words(desk, catalog):
    r = assess(desk, "case_a")
    assert [(x.path, x.rank) for x in r.recommendations] == [
        ("voluntary_sale", 1),
        ("individual_rehabilitation", 2),
        ("bankruptcy", 3),
        ("installment_negotiation", 4),
    ]
    for x in r.recommendations:
        decl, listing = catalog.paths[x.path], derived_of(r, f"path:{x.path}")
        assert x.fact == listing.id
        assert x.title == decl.title and x.next_step == decl.next_step is not None
        assert x.summary == (listing.text or decl.description)
        # the catalog's key figures, unless the rule that listed the path names its own (path conclusion figures:)
        keys = listing.extra.get("figures", decl.key_figures)
        assert x.figures == {k: r.figures[k] for k in keys if k in r.figures}
    assert r.recommendations[0].figures["residual_debt"] == 8049000
    # case A's ceiling is below its monthly damages: the installment listing shows them beside it
    assert list(r.recommendations[3].figures) == ["installment_offer_high", "proposed_monthly_payment", "monthly_late_damages", "months_to_repay"]


def test_a_recommendation_names_the_rules_that_listed_it_then_those_that_ranked_it(desk):
    r = assess(desk, "case_a")
    rehab = next(x for x in r.recommendations if x.path == "individual_rehabilitation")
    assert rehab.rules == [
        "rehabilitation.path",
        "paths.rehabilitation_over_bankruptcy",
        "paths.rehabilitation_over_installments_when_not_repayable",
    ]
    assert [(y.rule, y.step, y.above, y.applied) for y in rehab.ranking] == [
        ("paths.rehabilitation_over_bankruptcy", 6, ["bankruptcy"], True),
        ("paths.rehabilitation_over_installments_when_not_repayable", 6, ["installment_negotiation"], True),
    ]
    assert all(y.reason.ja and y.reason.en for y in rehab.ranking)
    last = r.recommendations[-1]
    assert last.ranking == [] and last.rules == rules_behind(r, last.fact)


def test_blocked_paths_are_left_out_and_say_which_rule_blocked_them_and_why(desk, catalog):
    r = assess(desk, "welfare_no_capacity")
    assert [(b.path, b.rules) for b in r.blocked] == [
        ("individual_rehabilitation", ["rehabilitation.block_on_welfare"]),
        ("installment_negotiation", ["installments.blocked_on_welfare"]),
    ]
    assert [x.path for x in r.recommendations] == ["bankruptcy"]
    for b in r.blocked:
        assert b.title == catalog.paths[b.path].title
        assert b.reason == derived_of(r, f"block:{b.path}").text and "生活保護" in b.reason.ja


# --- warnings and missing information -----------------------------------------


def test_warnings_come_by_urgency_then_severity_then_catalog_order(desk, catalog):
    r = assess(desk, "case_a")
    order = list(catalog.warnings)
    keys = [(w.urgency, SEVERITY_ORDER[w.severity], order.index(w.id)) for w in r.warnings]
    assert keys == sorted(keys) and len(set(k[0] for k in keys)) == 3 and len(set(k[1] for k in keys)) == 3
    assert [w.id for w in r.warnings[:2]] == ["acceleration_expected", "guarantor_lump_sum_claim"]
    assert r.warnings[-1].id == "tax_on_sale_and_forgiveness"
    assert SEVERITY_ORDER == {"high": 0, "medium": 1, "low": 2, "info": 3}


def test_each_warning_carries_its_catalog_entry_its_rules_and_whom_it_is_about(desk, catalog):
    r = assess(desk, "case_a")
    for w in r.warnings:
        decl = catalog.warnings[w.id]
        assert (w.severity, w.title, w.urgency, w.next_step) == (decl.severity, decl.title, decl.urgency, decl.next_step)
        assert w.rules == rules_behind(r, w.fact) and w.rules
        assert w.message == (derived_of(r, w.fact).text or decl.title)
        assert w.about == derived_of(r, w.fact).about
    released = next(w for w in r.warnings if w.id == "guarantor_not_released")
    assert released.about == ["guarantor_1"] and released.fact == "warning:guarantor_not_released@guarantor_1"
    assert released.rules == ["guarantors.not_released_by_bankruptcy", "guarantors.not_released_by_rehabilitation"]
    assert any(w.next_step for w in r.warnings)


def test_missing_information_names_the_field_the_figures_it_blocks_and_why(desk, catalog):
    r = assess(desk, "minimal")
    assert [m.field for m in r.missing] == ["budget", "monthly_take_home", "property"]
    prop = r.missing[-1]
    assert prop.blocks == ["expected_sale_price", "net_sale_proceeds", "residual_debt"]
    assert prop.block_titles == [catalog.figures[b].title for b in prop.blocks]
    assert prop.rules == ["sale.missing_property"] and prop.fact == "missing:property"
    for m in r.missing:
        assert m.blocks == derived_of(r, m.fact).extra["blocks"]
        assert m.rules == rules_behind(r, m.fact)
        assert m.message == (derived_of(r, m.fact).text or catalog.missing_fields[m.field]) and m.message.en


# --- parameters ---------------------------------------------------------------


def test_every_parameter_is_listed_with_the_value_used_and_the_value_in_force(desk):
    rb = desk.rule_base
    r = assess(desk, "auction_filed")
    assert list(r.parameters) == list(rb.parameters)
    ratio = r.parameters["auction_price_ratio"]
    assert (ratio.value, ratio.default, ratio.overridden) == (Decimal("0.75"), Decimal("0.7"), True)
    assert [p.name for p in r.parameters.values() if p.overridden] == ["auction_price_ratio"]
    for name, p in r.parameters.items():
        decl = rb.parameters[name]
        assert p.name == name and (p.title, p.kind, p.unit) == (decl.title, decl.kind, decl.unit)
        assert p.sources and all(isinstance(s, str) for s in p.sources)
        if not p.overridden:
            assert p.value == p.default
    assert any(p.unit for p in r.parameters.values())


def test_a_dated_parameter_says_from_when_and_on_which_date_it_was_chosen(desk):
    r = assess(desk, "case_a")
    tax = r.parameters["consumption_tax_rate"]
    assert (tax.applies_on, tax.in_force_from) == ("sale_date", dt.date(2019, 10, 1))
    assert tax.on == dt.date(2026, 11, 26)  # no sale date yet: the as-of date
    limitation = r.parameters["limitation_years_cooperative_lender"]
    assert (limitation.applies_on, limitation.on) == ("contract_date", dt.date(2021, 10, 1))
    assert r.parameters["auction_price_ratio"].in_force_from is None
    assert r.parameters["auction_price_ratio"].applies_on == "as_of"


# --- facts, derived facts and the trace ---------------------------------------


def test_input_facts_are_the_case_facts_without_parameters_or_empty_fields(desk):
    r, given = assess(desk, "case_a"), case("case_a")
    assert [(f.id, f.type) for f in r.facts] == [
        ("case", "case"),
        ("debtor", "debtor"),
        ("budget", "budget"),
        ("property", "property"),
        ("mortgage", "mortgage"),
        ("other_debt_1", "other_debt"),
        ("guarantor_1", "guarantor"),
        ("assets", "assets"),
    ]
    debtor = next(f for f in r.facts if f.id == "debtor")
    assert debtor.fields["annual_income"] == given.debtor.annual_income and type(debtor.fields["annual_income"]) is int
    assert all(v is not None for f in r.facts for v in f.fields.values())
    assert all(not f.id.startswith("figure:") for f in r.facts)


def test_derived_facts_are_exactly_what_the_firings_concluded(desk):
    r = assess(desk, "case_a")
    assert r.derived and all(d.firings for d in r.derived)
    concluded = {fid for f in r.trace for fid in f.concluded}
    assert {d.id for d in r.derived} == concluded
    for d in r.derived:
        assert all(d.id in r.trace[i].concluded for i in d.firings)
    stage = derived_of(r, "finding:stage")
    assert (stage.kind, stage.name, stage.value, stage.value_kind) == ("finding", "stage", "pre_sale", "text")
    residual = derived_of(r, "figure:residual_debt")
    assert (residual.value, residual.value_kind) == (8049000, "yen")
    path = derived_of(r, "path:voluntary_sale")
    assert (path.kind, path.name, path.value) == ("path", "voluntary_sale", None) and path.text is not None
    rank = derived_of(r, "rank:voluntary_sale#paths.voluntary_sale_before_residual")
    assert rank.extra["rule"] == "paths.voluntary_sale_before_residual" and rank.extra["step"] == 3
    warning = derived_of(r, "warning:guarantor_not_released@guarantor_1")
    assert warning.about == ["guarantor_1"] and len(warning.firings) == 2


def test_the_trace_restates_each_firing_with_its_rule_and_what_it_saw(desk):
    r = assess(desk, "case_a")
    assert [f.index for f in r.trace] == list(range(len(r.trace)))
    first = r.trace[0]
    assert (first.rule, first.stratum, first.matched) == ("sale.stage_pre_sale", 0, ["case"])
    assert first.concluded == ["finding:stage", "finding:pre_sale"]
    [seen] = first.conditions
    assert (seen.text, seen.values, seen.result) == ("case.has_property", {"case.has_property": True}, True)
    assert seen.evaluated == "case.has_property true == true ✓"
    for f in r.trace:
        rule = desk.rule(f.rule)
        assert (f.title, f.sources, f.note, f.stratum) == (rule.spec.title, list(rule.spec.sources), rule.spec.note, rule.stratum)
    assert any(f.stratum > 0 for f in r.trace) and first.note is not None
    exact_seen = [v for f in r.trace for c in f.conditions for v in c.values.values() if isinstance(v, (int, Decimal))]
    assert exact_seen and not any(isinstance(v, Fraction) for v in exact_seen)


def test_a_parameter_is_used_when_a_fired_rule_computes_with_it_not_when_a_message_names_it(desk):
    r = assess(desk, "case_a")
    rb = desk.rule_base
    assert r.parameters["auction_price_ratio"].used is True  # the auction figures were computed with it
    fired = {f.rule for f in r.trace}
    assert "bankruptcy.credit_record" in fired  # its message quotes params.credit_record_years_min
    assert r.parameters["credit_record_years_min"].used is False
    assert r.parameters["bankruptcy_free_cash"].used is True  # the cash kept is set against it (summary closure or not)
    assert r.parameters["junior_rank_second"].used is False  # no junior lien in case A
    assert all(p.practice == rb.parameters[name].practice for name, p in r.parameters.items())
    assert r.parameters["auction_price_ratio"].practice is True
    assert any(not p.practice for p in r.parameters.values())


def test_paths_and_warnings_say_what_to_bring_as_the_catalog_does(desk, catalog):
    r = assess(desk, "case_a")
    for x in r.recommendations:
        assert x.bring == list(catalog.paths[x.path].bring)
    for w in r.warnings:
        assert w.bring == list(catalog.warnings[w.id].bring)
    assert r.recommendations[0].bring[0].en == "the land-registry certificate and the property-tax notice"
    assert any(w.bring for w in r.warnings)
