"""What-if: the same case with some inputs changed, assessed, and the decision diff against the original.

Data in, data out, for the CLI and the web desk alike::

    changes = parse_settings(["debtor.monthly_take_home=22万"])   # or {"debtor.monthly_take_home": "22万"}
    case2 = changed_case(case, changes)                           # validated exactly like a case file
    outcome = what_if(desk, case, changes)                        # WhatIf: both Results and the DecisionDiff

A changed value is written in the notations of a case file (``22万``,
``令和7年6月27日``, ``14.6%``, ``true``, ``null``) and read by the same YAML
1.2 scalar rules and the same case model, so ``--set`` accepts exactly what
the file would. Every problem is an ``InputError`` naming ``--set PATH=VALUE``
in both languages.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from app.diff import DecisionDiff, decision_diff
from app.result import Result
from app.result_json import plain
from facts.case import Case
from facts.errors import InputError, Problem
from facts.load import _problems as _validation_problems
from facts.yaml12 import plain_scalar

_STEP = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]|\.(\d+)(?=\.|\[|$)")


@dataclass(frozen=True)
class Setting:
    """One input changed: a dotted path into the case (``other_debts[0].balance``) and its new value."""

    path: str
    text: str  # as typed, for messages
    value: Any  # as a case file would hold it (a scalar read by the YAML 1.2 rules)

    @property
    def where(self) -> str:
        return f"--set {self.path}={self.text}"


def parse_settings(items: Iterable[str] | Mapping[str, Any]) -> list[Setting]:
    """``PATH=VALUE`` strings (or a mapping path -> value) as Settings; a malformed one is an InputError."""
    out: list[Setting] = []
    problems: list[Problem] = []
    pairs: Iterable[tuple[str, Any]]
    if isinstance(items, Mapping):
        pairs = items.items()
    else:
        pairs = []
        for item in items:
            path, sep, text = item.partition("=")
            if not sep or not path.strip():
                problems.append(
                    Problem(f"--set {item}", "「項目=値」の形で指定してください（例: debtor.monthly_take_home=22万）",
                            "write it as PATH=VALUE (e.g. debtor.monthly_take_home=22万)")
                )
                continue
            pairs.append((path.strip(), text.strip()))
    seen: set[tuple[str | int, ...]] = set()
    for path, raw in pairs:
        text = raw if isinstance(raw, str) else str(plain(raw))
        value = plain_scalar(raw) if isinstance(raw, str) else raw
        steps = split_path(path)
        key = tuple(steps) if steps else (path,)  # other_debts[0].balance and other_debts.0.balance are one field
        if key in seen:  # the last would win without a word, and the change be listed twice
            problems.append(Problem(f"--set {path}={text}", f"{path} が2回指定されています", f"{path} is set twice"))
            continue
        seen.add(key)
        out.append(Setting(path, text, value))
    if problems:
        raise InputError(problems)
    return out


def split_path(path: str) -> list[str | int]:
    """``other_debts[0].balance`` or ``other_debts.0.balance`` as keys and list indexes; None when malformed."""
    steps: list[str | int] = []
    pos = 0
    for m in _STEP.finditer(path):
        if m.start() != pos and not (m.start() == pos + 1 and path[pos] == "."):
            return []
        name, index, dotted = m.groups()
        steps.append(name if name is not None else int(index if index is not None else dotted))
        pos = m.end()
    return steps if pos == len(path) and steps and isinstance(steps[0], str) else []


def _bad(setting: Setting, ja: str, en: str) -> Problem:
    return Problem(setting.where, ja, en)


def apply_settings(data: dict[str, Any], settings: Iterable[Setting]) -> list[Problem]:
    """Write each setting into a case mapping (in place); the problems found in the paths themselves."""
    problems: list[Problem] = []
    for s in settings:
        steps = split_path(s.path)
        if not steps:
            problems.append(_bad(s, "項目の書き方が正しくありません（例: debtor.monthly_take_home, other_debts[0].balance）",
                                 "not a field path (e.g. debtor.monthly_take_home, other_debts[0].balance)"))
            continue
        node: Any = data
        for i, step in enumerate(steps[:-1]):
            nxt = steps[i + 1]
            if isinstance(step, int):
                if not isinstance(node, list) or step >= len(node):
                    n = len(node) if isinstance(node, list) else 0
                    problems.append(_bad(s, f"[{step}] はありません（{n}件、0から数えます）", f"there is no entry [{step}] (the case has {n}, counted from 0)"))
                    break
                node = node[step]
                continue
            if not isinstance(node, dict):
                problems.append(_bad(s, f"{step} はこの位置に置けません", f"{step} cannot be set here"))
                break
            if node.get(step) is None:  # a section the case leaves out starts empty: the model then says what it needs
                node[step] = [] if isinstance(nxt, int) else {}
            node = node[step]
        else:
            last = steps[-1]
            if isinstance(last, int):
                if isinstance(node, list) and last < len(node):
                    node[last] = copy.deepcopy(s.value)
                else:
                    n = len(node) if isinstance(node, list) else 0
                    problems.append(_bad(s, f"[{last}] はありません（{n}件、0から数えます）", f"there is no entry [{last}] (the case has {n}, counted from 0)"))
            elif isinstance(node, dict):
                node[last] = copy.deepcopy(s.value)
            else:
                problems.append(_bad(s, f"{last} はこの位置に置けません", f"{last} cannot be set here"))
    return problems


def _loc(path: str) -> str:
    """A setting's path in the loader's location style (``other_debts[0].balance``)."""
    text = ""
    for step in split_path(path):
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else step)
    return text


def case_data(case: Case) -> dict[str, Any]:
    """A validated case as the mapping a case file would hold (exact values: ints, Decimals, dates)."""
    return case.model_dump(exclude_unset=False)


def changed_case(case: Case, settings: Iterable[Setting] | Mapping[str, Any] | Iterable[str]) -> Case:
    """The case with the settings applied, validated by the case model like a file.

    A problem at a set path is located at ``--set PATH=VALUE``; a contradiction
    the change creates with another field keeps that field's location.
    """
    settings = _settings(settings)
    data = case_data(case)
    problems = apply_settings(data, settings)
    if problems:
        raise InputError(problems)
    return validate_data(data, settings)


def validate_data(data: dict[str, Any], settings: list[Setting]) -> Case:
    try:
        return Case.model_validate(data)
    except ValidationError as error:
        problems = [p for e in error.errors() for p in _validation_problems(e)]
    raise InputError(relocate(problems, settings))


def relocate(problems: list[Problem], settings: list[Setting]) -> list[Problem]:
    """Problems found in a changed case, located at the ``--set`` that caused them where one did."""
    by_loc = {_loc(s.path): s for s in settings}
    out = []
    for p in problems:
        parts = [part.strip() for part in p.location.split(",")]  # a contradiction names every field involved
        s = next((s for loc, s in by_loc.items() for part in parts if part == loc or part.startswith(loc + ".")), None)
        if s is None:
            s = next((s for loc, s in by_loc.items() if loc.startswith(p.location + ".") or loc.startswith(p.location + "[")), None)
        if s is not None:
            shown_at = p.location if parts != [_loc(s.path)] else ""
            out.append(Problem(s.where + (f" ({shown_at})" if shown_at else ""), p.ja, p.en))
        else:
            out.append(p)
    return out


def _settings(settings: Iterable[Setting] | Mapping[str, Any] | Iterable[str]) -> list[Setting]:
    if isinstance(settings, Mapping):
        return parse_settings(settings)
    items = list(settings)
    if all(isinstance(s, Setting) for s in items):
        return items  # type: ignore[return-value]
    return parse_settings(items)


@dataclass
class InputChange:
    path: str
    old: Any
    new: Any
    kind: str = "other"  # yen, date, rate, count, flag, text, other (see field_kind)

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "old": plain(self.old), "new": plain(self.new), "kind": self.kind}


def read_path(case: Case | dict[str, Any], path: str) -> Any:
    """The value at a field path of a case (None where the case leaves it out)."""
    node: Any = case_data(case) if isinstance(case, Case) else case
    for step in split_path(path):
        if isinstance(step, int):
            node = node[step] if isinstance(node, list) and step < len(node) else None
        else:
            node = node.get(step) if isinstance(node, dict) else None
        if node is None:
            return None
    return node


@dataclass
class WhatIf:
    """A what-if: the inputs changed, both assessments, and the decision diff between them."""

    case: Case
    changed: Case
    inputs: list[InputChange]
    original: Result
    result: Result
    diff: DecisionDiff

    def to_json(self, lang: str = "ja") -> dict[str, Any]:
        """The what-if as data: ``inputs`` (path, old, new), ``diff`` (the decision diff), key figures before and after."""
        return {
            "case_id": self.case.case_id,
            "inputs": [i.to_json() for i in self.inputs],
            "diff": self.diff.to_json(),
            "paths": {
                "before": [r.path for r in self.original.recommendations],
                "after": [r.path for r in self.result.recommendations],
            },
        }


def what_if(desk: Any, case: Case, settings: Iterable[Setting] | Mapping[str, Any] | Iterable[str]) -> WhatIf:
    """Assess ``case`` and the case with ``settings`` applied under one desk, and diff the two decisions."""
    settings = _settings(settings)
    changed = changed_case(case, settings)
    before_data, after_data = case_data(case), case_data(changed)
    inputs = [
        InputChange(s.path, read_path(before_data, s.path), read_path(after_data, s.path), field_kind(s.path)) for s in settings
    ]
    try:  # the assumptions are checked against the rule base's parameters, as assess would
        desk.parameters_for(changed)
    except InputError as error:
        raise InputError(relocate(error.problems, settings)) from None
    original = desk.assess(case)
    result = desk.assess(changed)
    return WhatIf(case, changed, inputs, original, result, decision_diff(original, result))


def field_kind(path: str) -> str:
    """What a case field holds, for display: yen, date, rate, count, flag, text or other."""
    import datetime as dt
    import types
    import typing
    from decimal import Decimal

    from pydantic import BaseModel

    from facts.values import Yen

    yen_marker = typing.get_args(Yen)[1]
    current: Any = Case
    for step in split_path(path):
        while True:  # strip Optional and list wrappers, keep Annotated to see the validator
            origin = typing.get_origin(current)
            if origin in (typing.Union, types.UnionType):
                args = [a for a in typing.get_args(current) if a is not type(None)]
                current = args[0] if len(args) == 1 else current
                if len(args) != 1:
                    return "other"
            elif origin is list and isinstance(step, int):
                current = typing.get_args(current)[0]
                break
            elif origin is typing.Annotated:
                current = typing.get_args(current)[0]
            else:
                break
        if isinstance(step, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)) or step not in current.model_fields:
            return "other"
        info = current.model_fields[step]
        current = info.annotation if not info.metadata else typing.Annotated[(info.annotation, *info.metadata)]
    while typing.get_origin(current) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(current) if a is not type(None)]
        current = args[0]
    if typing.get_origin(current) is typing.Annotated:
        base, *meta = typing.get_args(current)
        if yen_marker in meta:
            return "yen"
        current = base
    if current is dt.date:
        return "date"
    if current is Decimal:
        return "rate"
    if current is bool:
        return "flag"
    if current is int:
        return "count"
    if current is str:
        return "text"
    return "other"
