"""Parameters: the named, dated, sourced numbers the rules use.

A parameter is a history of values, as statutes and notices change them:
each value takes effect on its ``from`` date and carries its own sources.
The value in force is read at one date of the case — ``as_of`` unless the
law ties the value to the sale or the loan contract (``applies_on``) — and
the result records which value, from which date, on which sources, applied.
A case may still override a value under ``assumptions``; the trace says so.

The values live in ``rules/parameters.yaml`` (data, versioned with the rules).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
import typing
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from facts.case import Case
from facts.errors import InputError, Problem
from facts.text import Bilingual
from facts.load import did_you_mean
from facts.values import ValueParseError, parse_count, parse_date, parse_rate, parse_yen

ParameterKind = Literal["yen", "ratio", "int", "date"]
ParamValue = int | Decimal | dt.date
# Which date of the case selects the value in force.
AppliesOn = Literal["as_of", "sale_date", "contract_date"]


class DatedValue(BaseModel):
    """One value of a parameter and the date it takes effect."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    from_: dt.date = Field(alias="from")
    value: int | Decimal | dt.date
    sources: list[str] = Field(min_length=1)
    note: Bilingual | None = None


class Parameter(BaseModel):
    """One parameter: a single value, or dated values (``values``), each with its sources."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    kind: ParameterKind
    title: Bilingual
    unit: str | None = Field(None, description="Display unit when not implied by kind: years, months, yen/month …")
    practice: bool = Field(False, description="From practice, not statute: a rough figure the advisor may override")
    note: Bilingual | None = None
    applies_on: AppliesOn = "as_of"
    # the single-valued form: value + sources, in force from any date
    value: int | Decimal | dt.date | None = None
    sources: list[str] = []
    # the dated form: oldest first
    values: list[DatedValue] = []

    @model_validator(mode="after")
    def _one_form(self) -> "Parameter":
        if (self.value is None) == (not self.values):
            raise ValueError("give either value (with sources) or values (each with from, value and sources)")
        if self.value is not None and not self.sources:
            raise ValueError("a single value needs its sources")
        if self.values and self.sources:
            raise ValueError("with dated values, each value carries its own sources")
        dates = [v.from_ for v in self.values]
        if dates != sorted(dates) or len(set(dates)) != len(dates):
            raise ValueError("dated values must be in increasing order of their from dates")
        return self

    @property
    def history(self) -> tuple[DatedValue, ...]:
        if self.values:
            return tuple(self.values)
        return (DatedValue(from_=dt.date.min, value=self.value, sources=self.sources),)

    @property
    def dated(self) -> bool:
        return bool(self.values)

    def at(self, on: dt.date) -> DatedValue:
        """The value in force on a date; before the first date, the first value (the law as first encoded)."""
        history = self.history
        current = history[0]
        for entry in history[1:]:
            if entry.from_ <= on:
                current = entry
        return current

    @property
    def all_sources(self) -> list[str]:
        out: list[str] = []
        for entry in self.history:
            out.extend(s for s in entry.sources if s not in out)
        return out


@dataclass(frozen=True)
class Applied:
    """Which value of a parameter a case used, and why."""

    name: str
    value: ParamValue  # the value the rules saw (the override, if any)
    default: ParamValue  # the value in force on the date
    in_force_from: dt.date | None  # None for a single-valued parameter
    on: dt.date  # the case date that selected it
    applies_on: str
    sources: tuple[str, ...]
    overridden: bool


_SELECTING = typing.get_args(AppliesOn)


def selecting_date(case: Case, applies_on: str) -> dt.date:
    """The case's date that selects a parameter value; as_of where the case does not give the date."""
    if applies_on == "sale_date" and case.sale is not None and case.sale.sale_date is not None:
        return case.sale.sale_date
    if applies_on == "contract_date" and case.mortgage.contract_date is not None:
        return case.mortgage.contract_date
    return case.as_of


# (name, date) -> Applied kept by a table: a batch's cases share a few dates; a long run over many
# dates starts over rather than grow
_KNOWN_MAX = 20_000


class ParameterTable:
    """The parameters of one rule base, ready to be resolved case after case.

    A single-valued parameter is in force on every date, so its value and
    sources are read once here; only the dated ones are looked up per case.
    """

    def __init__(self, parameters: Mapping[str, Parameter]):
        self.parameters = parameters
        self._single = {name: (p.value, tuple(p.sources)) for name, p in parameters.items() if not p.dated}
        self._known: dict[tuple[str, dt.date], Applied] = {}

    def _in_force(self, name: str, parameter: Parameter, on: dt.date) -> Applied:
        single = self._single.get(name)
        if single is not None:
            value, sources = single
            return Applied(name, value, value, None, on, parameter.applies_on, sources, False)
        entry = parameter.at(on)
        return Applied(
            name=name,
            value=entry.value,
            default=entry.value,
            in_force_from=entry.from_,
            on=on,
            applies_on=parameter.applies_on,
            sources=tuple(entry.sources),
            overridden=False,
        )

    def resolve(self, case: Case) -> dict[str, Applied]:
        """The parameter values for one case: in force on the case's dates, overridden by its assumptions.

        Every assumption the case states is recorded as an override, even one
        equal to the default, so the trace can say the value came from the case.
        All problems are reported together.
        """
        parameters = self.parameters
        known = self._known
        if len(known) >= _KNOWN_MAX:
            known.clear()
        applied: dict[str, Applied] = {}
        dates = {applies_on: selecting_date(case, applies_on) for applies_on in _SELECTING}
        for name, parameter in parameters.items():
            on = dates[parameter.applies_on]
            # Case after case of a batch reads the same value on the same date: one Applied
            # for each (Applied is frozen), which lets the Result reuse what it makes of it too.
            found = known.get((name, on))
            if found is None:
                found = known[(name, on)] = self._in_force(name, parameter, on)
            applied[name] = found
        problems: list[Problem] = []
        for raw_name, raw_value in case.assumptions.items():
            name = _nfkc(raw_name)
            location = f"assumptions.{raw_name}"
            parameter = parameters.get(name)
            if parameter is None:
                suggestion = did_you_mean(name, parameters)
                hint_ja = f"'{suggestion}' の誤りではありませんか？" if suggestion else "ルールベースのパラメータ名を指定してください"
                hint_en = f"did you mean '{suggestion}'?" if suggestion else "name a parameter of the rule base"
                problems.append(Problem(location, f"不明なパラメータ '{raw_name}' です。{hint_ja}", f"unknown parameter '{raw_name}'; {hint_en}"))
                continue
            try:
                value = parse_parameter_value(parameter, raw_value, applied[name].default)
            except ValueParseError as error:
                problems.append(Problem(location, error.ja, error.en))
                continue
            previous = applied[name]
            applied[name] = Applied(**{**previous.__dict__, "value": value, "overridden": True})
        if problems:
            raise InputError(problems)
        return applied


def resolve_parameters(case: Case, parameters: Mapping[str, Parameter]) -> dict[str, Applied]:
    """The parameter values for one case (see ``ParameterTable.resolve``; keep a table to resolve many)."""
    return ParameterTable(parameters).resolve(case)


def parse_parameter_value(parameter: Parameter, value: Any, default: ParamValue) -> ParamValue:
    if parameter.kind == "yen":
        return parse_yen(value)
    if parameter.kind == "ratio":
        # A ratio whose default is a fraction (auction price ratio 0.70) must stay
        # one; a multiplier (3 × annual income) may exceed 1.
        return parse_rate(value, maximum=Decimal(1) if default <= 1 else None)
    if parameter.kind == "date":
        return parse_date(value)
    return parse_count(value)


def _nfkc(text: str) -> str:
    import unicodedata

    return unicodedata.normalize("NFKC", text)
