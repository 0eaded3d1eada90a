"""The Result's fast paths must say exactly what the slow, general ones say.

Assembly builds the models a Result holds by the thousand with
``app.result.build`` (no validation), and ``to_json`` writes the most
numerous of them field by field. Both exist only for speed; here every model
of real results, with explanations, is held to pydantic's validation and to
the generic field-by-field writer.
"""

from pathlib import Path

import pytest
from pydantic import BaseModel

from app import result as R
from app import result_json as J
from facts.models import build

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))


def _models(value):
    """Every model inside a value, depth first."""
    if isinstance(value, BaseModel):
        yield value
        for name in type(value).model_fields:
            yield from _models(getattr(value, name))
    elif isinstance(value, dict):
        for v in value.values():
            yield from _models(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _models(v)


@pytest.fixture(scope="module")
def results(desk):
    return [desk.assess(desk.load_case(str(path)), explain=True) for path in EXAMPLES]


def test_every_built_model_equals_the_validated_one(results):
    checked = set()
    for result in results:
        for model in _models(result):
            cls = type(model)
            if cls is R.ConditionSeen:
                validated = cls.model_validate({**model.__dict__, "evaluated": model.evaluated})
            else:
                validated = cls.model_validate(dict(model.__dict__))
            assert validated.__dict__ == model.__dict__, cls.__name__  # private state (the engine's view) aside
            # same types too: a tuple where the model declares a list would compare unequal here
            assert {k: type(v) for k, v in validated.__dict__.items()} == {
                k: type(v) for k, v in model.__dict__.items()
            }, cls.__name__
            checked.add(cls)
    assert {R.Firing, R.ConditionSeen, R.Derived, R.Parameter, R.InputFact} <= checked


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_hand_written_writers_say_what_the_generic_one_says(results, lang):
    seen = set()
    for result in results:
        for model in _models(result):
            fast = J._FAST.get(type(model))
            if fast is None:
                continue
            assert fast(model, lang) == J._dump_fields(model, lang), type(model).__name__
            seen.add(type(model))
    assert seen == set(J._FAST)


def test_build_refuses_a_missing_or_unknown_field():
    with pytest.raises(TypeError, match=r"missing \['result'\]"):
        build(R.ConditionSeen, text="x", values={})
    with pytest.raises(TypeError, match=r"unknown \['colour'\]"):
        build(R.InputFact, id="a", type="case", fields={}, colour="red")


@pytest.fixture(scope="module")
def seens(desk):
    """What the engine saw for each condition of each firing of the examples, straight from the runs."""
    from engine.memory import input_records

    out = []
    for path in EXAMPLES:
        run = desk.engine.run(input_records(desk.facts(desk.load_case(str(path)))))
        out.extend(s for f in run.firings for s in f.seen)
    return out


def test_a_built_condition_writes_its_text_from_what_the_engine_saw(seens):
    from app.assemble import condition_seen

    for seen in seens:
        assert condition_seen(seen).evaluated == seen.evaluated
    assert seens and all(seen.evaluated.endswith(("✓", "✗")) for seen in seens)


def test_a_kept_condition_text_tells_true_from_1(seens):
    """True equals 1 and hashes alike but is shown as "true": the kept conditions key the type too."""
    import dataclasses

    from app.assemble import condition_seen

    seen = next(s for s in seens if any(type(v) is bool for v in s.values.values()))
    as_int = dataclasses.replace(seen, values={k: int(v) if type(v) is bool else v for k, v in seen.values.items()})
    assert condition_seen(seen).evaluated == seen.evaluated
    assert condition_seen(as_int).evaluated == as_int.evaluated != seen.evaluated
    assert condition_seen(as_int).__pydantic_private__["_kept"] is not condition_seen(seen).__pydantic_private__["_kept"]


def test_a_condition_seen_again_with_the_same_values_reuses_what_was_kept_and_each_result_has_its_own(seens):
    from app.assemble import condition_seen

    one, two = condition_seen(seens[0]), condition_seen(seens[0])
    assert one is not two and one.values == two.values and one.values is not two.values
    assert one.__pydantic_private__["_kept"] is two.__pydantic_private__["_kept"] is not None
    assert one.evaluated == two.evaluated == seens[0].evaluated
    assert two.__pydantic_private__["_kept"].written == seens[0].evaluated  # written once, for both
