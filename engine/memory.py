"""The mirror of durable-rules' working memory: typed facts, firings and one case's run.

durable-rules holds encoded copies; zansai keeps the typed originals here so
conclusions, the trace and the cross-check read exact values (Fractions,
Decimals, dates), never what the engine's JSON made of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from facts.builder import FactSet
from facts.text import Bilingual
from knowledge import expr as E
from knowledge.evaluate import Seen
from knowledge.model import Rule, slot_key


@dataclass
class Record:
    """A fact in working memory, with typed values (the engine holds an encoded copy)."""

    id: str
    type: str  # input type, "params", or a derived kind
    name: str | None
    fields: dict[str, Any]
    about: tuple[str, ...] = ()
    firings: list[int] = field(default_factory=list)
    text: Bilingual | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    value_kind: str | None = None

    @property
    def slot_key(self) -> str:
        return slot_key(self.type, self.name)


@dataclass
class FiringRecord:
    index: int
    rule: Rule
    matched: list[str]
    seen: list[Seen]
    concluded: list[str] = field(default_factory=list)


@dataclass
class Run:
    sid: str
    records: dict[str, Record] = field(default_factory=dict)
    by_slot: dict[str, list[Record]] = field(default_factory=dict)
    derived_keys: dict[tuple, str] = field(default_factory=dict)
    firings: list[FiringRecord] = field(default_factory=list)
    initialised: bool = False
    # (rule id, matched fact ids) of every firing acted on, and how many repeats
    # durable-rules made of one (see Engine._fire)
    fired_keys: set[tuple[str, tuple[str, ...]]] = field(default_factory=set)
    repeats: int = 0

    def add(self, rec: Record) -> None:
        self.records[rec.id] = rec
        self.by_slot.setdefault(rec.slot_key, []).append(rec)


# (scope, name) -> the slot key a reference reads and the field it reads there: worked out once
# per reference, not at each of the many reads of it
_places: dict[tuple[str, str | None], tuple[str, str | None]] = {}


def place(ref: E.Ref) -> tuple[str, str | None]:
    """The slot key a reference reads and the field it reads there (None: the whole fact)."""
    place = _places.get((ref.scope, ref.name))
    if place is None:
        fld = "value" if ref.scope in ("figure", "finding") else ref.name
        place = _places[(ref.scope, ref.name)] = (slot_key(ref.scope, ref.name), fld)
    return place


def resolver(binding: dict[str, Record]) -> tuple[Callable[[E.Ref], Any], Callable[[E.Ref], bool]]:
    MISSING, to_exact, bound = E.MISSING, E.to_exact, binding.get

    def resolve(ref: E.Ref) -> Any:
        key, fld = _places.get((ref.scope, ref.name)) or place(ref)
        rec = bound(key)
        if rec is None:
            return MISSING
        if fld is None:
            return True
        value = rec.fields.get(fld)
        return MISSING if value is None else to_exact(value)

    return resolve, lambda ref: place(ref)[0] in binding




def lookups(run: Run, binding: dict[str, Record]) -> tuple[Callable[[E.Ref], Any], Callable[[E.Ref], bool]]:
    """Resolve references against a binding; an absence test also sees the rest of working memory."""
    resolve, bound_present = resolver(binding)

    def present(ref: E.Ref) -> bool:
        if bound_present(ref):
            return True
        return bool(run.by_slot.get(place(ref)[0]))

    return resolve, present


def input_records(factset: FactSet) -> list[Record]:
    """The case's facts and its parameter values as working-memory records."""
    records = [Record(id=f.id, type=type(f).type, name=None, fields=f.model_dump(exclude={"id"})) for f in factset.facts]
    records.append(Record(id="params", type="params", name=None, fields=dict(factset.params)))
    return records
