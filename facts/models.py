"""Models built from values zansai itself computed, without validating them again.

An assessment makes tens of thousands of small pydantic models (each message
in both languages, each condition of the trace, each derived fact). pydantic's
validation, and even ``model_construct`` (which fills defaults and walks every
field), cost more than durable-rules' matching. Values zansai computed already
have their declared types, so ``build`` only sets them. Input from outside (a
case file, a stored result) is always validated.

tests/test_result_build.py holds every model built this way to the validated one.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)

_FIELDS: dict[type, tuple[str, ...]] = {}
_FIELD_SETS: dict[type, frozenset[str]] = {}
_PRIVATE: dict[type, dict[str, Any]] = {}


def field_names(cls: type[BaseModel]) -> tuple[str, ...]:
    """The model's fields in declaration order, read once per class."""
    names = _FIELDS.get(cls)
    if names is None:
        names = _FIELDS[cls] = tuple(cls.model_fields)
    return names


def _field_set(cls: type[BaseModel]) -> frozenset[str]:
    names = _FIELD_SETS.get(cls)
    if names is None:
        names = _FIELD_SETS[cls] = frozenset(field_names(cls))
    return names


def build(cls: type[M], /, **fields: Any) -> M:
    """A model from computed values: every field must be given (any order), with its declared type."""
    if fields.keys() != _field_set(cls):
        missing = sorted(_field_set(cls) - set(fields))
        extra = sorted(set(fields) - _field_set(cls))
        raise TypeError(f"{cls.__name__}: build() needs every field (missing {missing}, unknown {extra})")
    private = _PRIVATE.get(cls)
    if private is None:
        private = _PRIVATE[cls] = {name: attr.default for name, attr in cls.__private_attributes__.items()}
    model = cls.__new__(cls)
    setattr_ = object.__setattr__  # frozen models refuse pydantic's own __setattr__
    setattr_(model, "__dict__", fields)
    setattr_(model, "__pydantic_fields_set__", set(fields))
    setattr_(model, "__pydantic_extra__", None)
    setattr_(model, "__pydantic_private__", dict(private) if private else None)
    return model
