"""A loaded, checked rule base: rules with their resolved slots, the catalog and the parameters.

Everything here has passed ``knowledge.check``; the engine compiles it and
the reference evaluator (``knowledge.evaluate``) reads it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from facts.text import Bilingual
from facts.vocabulary import FACT_TYPES, field_kind
from knowledge import expr as E
from knowledge.parameters import Parameter
from knowledge.schema import Catalog, Conclusion, RuleSpec, produced_by

@dataclass(frozen=True)
class Slot:
    """One fact a rule matches: an input fact type, params, or one derived fact."""

    key: str  # "debtor", "params", "figure.residual_debt", "finding.over_loan", "path.bankruptcy"
    type: str  # the engine fact type: "debtor", "params", "figure", "finding", "path"
    name: str | None = None  # derived facts' name

    @property
    def alias(self) -> str:
        return self.key.replace(".", "__")

    @property
    def derived(self) -> bool:
        return self.type in DERIVED_TYPES


DERIVED_TYPES = ("figure", "finding", "path")


def slot_key(scope: str, name: str | None) -> str:
    """The key of the fact a reference reads: derived facts are one per name, input facts one per type."""
    return f"{scope}.{name}" if scope in DERIVED_TYPES else scope


@dataclass(frozen=True)
class FieldRef:
    """A resolved reference: a slot and the field read from it (None = the whole fact)."""

    slot: Slot
    field: str | None
    kind: str  # yen, int, ratio, date, bool, text, fact


@dataclass(frozen=True)
class Atom:
    """A negation-free test, as compiled and as evaluated."""

    node: Any  # E.Compare | E.In | FactTest | FieldTest


@dataclass(frozen=True)
class FieldTest:
    ref: E.Ref
    present: bool


@dataclass(frozen=True)
class FactTest:
    ref: E.Ref
    present: bool


@dataclass
class Condition:
    text: str  # as written in the rule file
    tree: Any  # normalised: And/Or of Compare, In, FieldTest, FactTest


@dataclass
class Rule:
    spec: RuleSpec
    file: str
    topic: str
    conditions: list[Condition]
    conclusions: list[tuple[Conclusion, Any]]  # (spec, parsed value expression or None)
    slots: dict[str, Slot] = field(default_factory=dict)  # every fact the rule reads
    absent: dict[str, Slot] = field(default_factory=dict)  # facts that must be absent
    stratum: int = 0

    @cached_property
    def id(self) -> str:
        # read on every firing and every cross-check candidate; a spec is frozen, so it never changes
        return self.spec.id

    def produces(self) -> set[str]:
        return produced_by(self.spec)

    @cached_property
    def parameters_computed(self) -> frozenset[str]:
        """The parameters its conclusions' computed values read (a message shows its own in its text)."""
        return frozenset(r.name for _, tree in self.conclusions if tree is not None for r in E.refs(tree) if r.scope == "params")

    @cached_property
    def parameters_read(self) -> frozenset[str]:
        """The parameters its conditions and its conclusions' computed values read."""
        # E.walk does not look inside the resolved tree's field and fact tests: their reference is read here
        refs = (n.ref if isinstance(n, (FieldTest, FactTest)) else n for c in self.conditions for n in E.walk(c.tree))
        return self.parameters_computed | frozenset(r.name for r in refs if isinstance(r, E.Ref) and r.scope == "params")


@dataclass
class RuleBase:
    origin: str  # where the files came from: a folder, the installed package, a stored version
    version: str  # content hash over every file (knowledge.load.content_version)
    sources: dict[str, bytes]  # file name -> the bytes it was loaded from, to store or replay
    files: dict[str, str]  # file name -> sha256
    parameters: dict[str, Parameter]
    catalog: Catalog
    topics: dict[str, Bilingual]
    rules: list[Rule]

    def rule(self, rule_id: str) -> Rule:
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise KeyError(rule_id)

    def kind_of(self, ref: E.Ref) -> tuple[str, str | None]:
        """The declared kind and display unit of what a (checked) reference reads."""
        if ref.scope == "figure" and ref.name in self.catalog.figures:
            decl = self.catalog.figures[ref.name]
            return decl.kind, decl.unit
        if ref.scope == "finding" and ref.name in self.catalog.findings:
            return self.catalog.findings[ref.name].kind, None
        if ref.scope == "params" and ref.name in self.parameters:
            return self.parameters[ref.name].kind, self.parameters[ref.name].unit
        model = FACT_TYPES.get(ref.scope)
        if model is not None and ref.name in model.model_fields:
            return field_kind(model, ref.name), None
        return "text", None

    @property
    def short_version(self) -> str:
        return self.version[:12]
