"""The pydantic types ``Count(n)`` and ``Text(n)`` built on their own, outside the case model.

The case model builds these types once, when it is imported, which mutation testing
cannot watch (mutmut switches a mutant on after the import). Building them here, in
the test, checks the same things where mutmut can see them: the parser runs first,
its error keeps both languages under the type's own name, and the JSON schema
states the bounds.
"""

from __future__ import annotations

import pytest
from pydantic import TypeAdapter, ValidationError

from facts.values import MISSING, Count, Text


def error_of(adapter: TypeAdapter, value) -> dict:
    with pytest.raises(ValidationError) as info:
        adapter.validate_python(value)
    [error] = info.value.errors()
    return error


def test_a_count_reads_digits_up_to_its_maximum():
    count = TypeAdapter(Count(3))
    assert count.validate_python(3) == 3
    assert count.validate_python(" ２ ") == 2  # full-width, as an IME types it


@pytest.mark.parametrize(
    ("value", "ja", "en"),
    [
        (4, "4 は大きすぎます（3以下）", "4 is too large (at most 3)"),
        (True, "true は0以上の整数ではありません", "true is not a non-negative whole number"),
    ],
)
def test_a_count_out_of_bounds_keeps_both_languages_under_its_own_error_type(value, ja, en):
    error = error_of(TypeAdapter(Count(3)), value)
    assert error["type"] == "count"
    assert error["ctx"] == {"ja": ja, "en": en}
    assert error["msg"] == f"{ja} / {en}"


def test_a_count_schema_states_its_bounds_and_the_digits_it_reads():
    assert TypeAdapter(Count(3)).json_schema() == {
        "anyOf": [
            {"type": "integer", "minimum": 0, "maximum": 3},
            {"type": "string", "pattern": r"^\s*[0-9０-９]+\s*$"},
        ]
    }


def test_a_text_is_stripped_and_bounded():
    text = TypeAdapter(Text(5))
    assert text.validate_python("  abc ") == "abc"
    error = error_of(text, "abcdef")
    assert error["type"] == "text"
    assert error["ctx"] == {"ja": "長すぎます（5文字まで、6文字あります）", "en": "too long (6 characters; at most 5)"}
    assert error["msg"] == "長すぎます（5文字まで、6文字あります） / too long (6 characters; at most 5)"
    assert TypeAdapter(Text(5)).json_schema() == {"type": "string", "maxLength": 5}


def test_missing_shows_as_missing():
    assert repr(MISSING) == "MISSING"
