"""How conflicting ranking conclusions become one order (app.rank), on hand-made records.

Mutation testing found the ranking mechanics unexercised: which of two
disagreeing rules wins, what the losing reason is marked as, the catalog
tie-break between paths no rule orders, and the rank numbers themselves.
"""

from __future__ import annotations

import pytest

from app.rank import _reaches, in_order, rank
from engine.memory import Record
from facts.errors import EngineError
from facts.text import Bilingual
from knowledge.load import load_rule_base


@pytest.fixture(scope="module")
def rb():
    return load_rule_base()


def ranking(path: str, above: list[str], step: int, rule: str) -> Record:
    return Record(
        id=f"rank:{path}:{rule}",
        type="rank",
        name=path,
        fields={},
        text=Bilingual(ja=f"{rule} の理由", en=f"reason of {rule}"),
        extra={"above": above, "step": step, "rule": rule},
    )


def test_paths_no_rule_orders_keep_the_catalog_order(rb):
    paths = ["bankruptcy", "voluntary_sale", "installment_negotiation"]
    order, reasons = rank(paths, [], rb)
    by_catalog = sorted(paths, key=lambda p: rb.catalog.paths[p].order)
    assert order == by_catalog and reasons == {}
    assert rank(list(reversed(paths)), [], rb)[0] == by_catalog  # the input order does not matter


def test_one_ranking_rule_puts_its_path_first(rb):
    paths = ["voluntary_sale", "bankruptcy"]
    catalog_first = min(paths, key=lambda p: rb.catalog.paths[p].order)
    other = next(p for p in paths if p != catalog_first)
    order, reasons = rank(paths, [ranking(other, [catalog_first], 6, "t.lift")], rb)
    assert order == [other, catalog_first]
    [reason] = reasons[other]
    assert reason.applied is True and reason.step == 6 and reason.above == [catalog_first]
    assert reason.reason.en == "reason of t.lift"


def test_the_lower_step_wins_a_conflict_and_the_loser_is_kept_as_not_applied(rb):
    a, b = "installment_negotiation", "bankruptcy"
    records = [ranking(b, [a], 6, "t.later"), ranking(a, [b], 3, "t.earlier")]  # given out of step order
    order, reasons = rank([a, b], records, rb)
    assert order == [a, b]
    assert [r.applied for r in reasons[a]] == [True]
    assert [r.applied for r in reasons[b]] == [False]
    assert reasons[b][0].rule == "t.later" and reasons[b][0].above == [a]


def test_a_conflict_through_a_chain_is_also_decided_by_the_lower_steps(rb):
    a, b, c = "voluntary_sale", "installment_negotiation", "bankruptcy"
    records = [ranking(a, [b], 2, "t.one"), ranking(b, [c], 3, "t.two"), ranking(c, [a], 5, "t.three")]
    order, reasons = rank([a, b, c], records, rb)
    assert order == [a, b, c]
    assert reasons[c][0].applied is False


def test_the_same_step_is_settled_by_rule_id(rb):
    a, b = "installment_negotiation", "bankruptcy"
    order, reasons = rank([a, b], [ranking(b, [a], 4, "t.b"), ranking(a, [b], 4, "t.a")], rb)
    assert order == [a, b]  # t.a sorts before t.b, so it is applied first
    assert reasons[a][0].applied and not reasons[b][0].applied


def test_paths_not_listed_are_ignored_in_rankings(rb):
    order, reasons = rank(["voluntary_sale"], [ranking("bankruptcy", ["voluntary_sale"], 1, "t.x"), ranking("voluntary_sale", ["bankruptcy"], 1, "t.y")], rb)
    assert order == ["voluntary_sale"]
    assert "bankruptcy" not in reasons
    assert reasons["voluntary_sale"][0].above == [] and reasons["voluntary_sale"][0].applied is True


def test_a_rule_overruled_on_one_pair_still_orders_the_other_paths_it_names(rb):
    strong, weak_path, other = "voluntary_sale", "bankruptcy", "installment_negotiation"
    assert rb.catalog.paths[other].order < rb.catalog.paths[weak_path].order  # so only the rule can put it below
    records = [ranking(strong, [weak_path], 2, "t.strong"), ranking(weak_path, [strong, other], 5, "t.weak")]
    order, reasons = rank([strong, weak_path, other], records, rb)
    assert order == [strong, weak_path, other]
    [weak] = reasons[weak_path]
    assert weak.applied is True and weak.above == [strong, other]  # applied to the pair it was not overruled on


def test_a_ranking_record_without_a_reason_gets_an_empty_one_in_both_languages(rb):
    record = ranking("bankruptcy", ["voluntary_sale"], 6, "t.silent")
    record.text = None
    _, reasons = rank(["voluntary_sale", "bankruptcy"], [record], rb)
    assert reasons["bankruptcy"][0].reason == Bilingual(ja="", en="")


def test_in_order_respects_every_edge_and_breaks_ties_by_catalog_order_then_name():
    assert in_order(["b", "a", "c"], {("c", "a")}, {"a": 1, "b": 1, "c": 2}) == ["b", "c", "a"]
    assert in_order(["b", "a"], set(), {"a": 1, "b": 1}) == ["a", "b"]
    assert in_order(["b", "a"], set(), {"a": 2, "b": 1}) == ["b", "a"]


def test_a_cycle_among_the_edges_is_an_engine_error_not_an_endless_loop():
    with pytest.raises(EngineError) as info:
        in_order(["a", "b", "c"], {("a", "b"), ("b", "a")}, {"a": 1, "b": 2, "c": 3})
    [problem] = info.value.problems
    assert (problem.location, problem.ja, problem.en) == ("ranking", "順位づけが循環しました", "path ranking formed a cycle")


def test_reaches_follows_edges_transitively_and_ends_on_a_cycle():
    assert _reaches({("a", "b"), ("b", "c")}, "a", "c") is True
    assert _reaches({("a", "b"), ("b", "c")}, "c", "a") is False
    assert _reaches({("a", "b"), ("b", "a")}, "a", "z") is False


@pytest.mark.parametrize("n", range(40))
def test_reaches_finds_the_goal_after_meeting_a_node_twice(n):
    # s -> a -> c, s -> b -> c, s -> goal: depending on the order the edges are
    # visited in (which varies with the names), c is met twice before the goal.
    s, a, b, c, goal = (f"{x}{n}" for x in "sabcg")
    assert _reaches({(s, a), (s, b), (a, c), (b, c), (s, goal)}, s, goal) is True
