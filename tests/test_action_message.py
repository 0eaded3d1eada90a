"""Reading durable-rules' action messages: the ids read without decoding agree with a full decode, or give way to it."""

from __future__ import annotations

import json

import pytest

from engine.session import Engine, _bound_ids, _fact_marker, _ids, encode_fact
from knowledge.load import load_rule_base
from tests.test_engine import CHAIN, fired, inputs

MARKER = _fact_marker("s1")


@pytest.fixture(scope="module")
def engine():
    e = Engine(load_rule_base(CHAIN))
    yield e
    e.close()


def fact(**fields):
    return encode_fact({"sid": "s1", **fields})


def test_a_plain_message_gives_the_ids_a_full_decode_gives():
    message = (
        '{"r12":{"debtor":' + fact(id="debtor", t="debtor", occupation="警備員", annual_income=2000000)
        + ',"figure__residual_debt":' + fact(id="figure:residual_debt", t="figure", name="residual_debt", value=7)
        + ',"phase__":' + fact(id="phase_2", t="phase", n=2) + "}}"
    )
    ((name, bound),) = json.loads(message).items()
    assert _bound_ids(message, MARKER) == (name, _ids(bound))
    assert _bound_ids(message, MARKER) == (
        "r12", {"debtor": "debtor", "figure__residual_debt": "figure:residual_debt", "phase__": "phase_2"}
    )


@pytest.mark.parametrize(
    "message",
    [
        # text that looks like structure, or escapes: only a full decode reads it right
        '{"r1":{"debtor":' + fact(id="debtor", t="debtor", occupation=':{"') + "}}",
        '{"r1":{"debtor":' + fact(id="debtor", t="debtor", occupation='a"b\\c') + "}}",
        '{"r1":{"debtor":' + fact(id='de"btor', t="debtor") + "}}",
        # two rules in one message, or several results of one rule (a list)
        '{"r1":{"a":' + fact(id="x") + '},"r2":{"b":' + fact(id="y") + "}}",
        '{"r1":[{"a":' + fact(id="x") + "}]}",
        # another session's fact, an id that is not text, a rule bound to a bare fact
        '{"r1":{"a":' + encode_fact({"sid": "s2", "id": "x"}) + "}}",
        '{"r1":{"a":' + encode_fact({"sid": "s1", "id": 5}) + "}}",
        '{"r1":' + fact(id="x") + "}",
    ],
)
def test_anything_but_the_plain_form_is_left_to_a_full_decode(message):
    assert _bound_ids(message, MARKER) is None


def test_text_that_looks_like_json_structure_fires_the_same_rules(engine):
    plain = engine.run(inputs(occupation="警備員"))
    odd = engine.run(inputs(occupation='警備員 ":{"sid":"s1","id":"x" \\'))
    assert fired(odd) == fired(plain)
    assert [f.matched for f in odd.firings] == [f.matched for f in plain.firings]
