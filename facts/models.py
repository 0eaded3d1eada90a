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

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Callable, TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)

_FIELDS: dict[type, tuple[str, ...]] = {}
_FIELD_SETS: dict[type, frozenset[str]] = {}


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
    return maker(cls)(fields)


_MAKERS: dict[type, Any] = {}


def maker(cls: type[M]) -> Callable[[dict[str, Any]], M]:
    """``build`` for one class, taking the fields as a dict (which the model keeps).

    For the places that make a model by the thousand: the class's fields and
    private defaults are looked up once, not on every call.
    """
    make = _MAKERS.get(cls)
    if make is not None:
        return make
    names = _field_set(cls)
    private = {name: attr.default for name, attr in cls.__private_attributes__.items()} or None
    new = cls.__new__
    setattr_ = object.__setattr__  # frozen models refuse pydantic's own __setattr__

    def make(fields: dict[str, Any]) -> M:
        if fields.keys() != names:
            missing = sorted(names - set(fields))
            extra = sorted(set(fields) - names)
            raise TypeError(f"{cls.__name__}: build() needs every field (missing {missing}, unknown {extra})")
        model = new(cls)
        setattr_(model, "__dict__", fields)
        setattr_(model, "__pydantic_fields_set__", set(names))
        setattr_(model, "__pydantic_extra__", None)
        setattr_(model, "__pydantic_private__", dict(private) if private else None)
        return model

    _MAKERS[cls] = make
    return make


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector off while a Result or its document is made.

    Either is tens of thousands of new containers, none in a cycle: the
    collector would run dozens of times per case over them, and every few
    cases over the whole heap (rule base, engine), to find nothing. Reference
    counting frees them as always; the collector resumes after (unless it was
    off already) and looks at the new objects once.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
