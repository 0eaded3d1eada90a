"""From a spreadsheet row to a case: dotted column names become the case's nesting.

A column ``debtor.annual_income`` fills ``{"debtor": {"annual_income": …}}``;
a numeric part is a list position, so ``other_debts.0.balance`` and
``other_debts.1.balance`` make two debts. An empty cell is an absent value,
not an empty string: a row that leaves ``mortgage.contract_date`` blank has no
contract date, and a debt slot whose cells are all blank is no debt. Cells
stay text; the case model reads them as it reads a YAML file (``3100万``,
``令和7年6月27日``, ``14.6%``), so the same value means the same in every
input format. The one exception is a yes/no field: the model takes only a
real true or false there (a YAML ``"true"`` in quotes is an error), while a
table can only hold text, so a ``true``/``false`` cell (any case: Excel
writes ``TRUE``) under a yes/no column becomes that boolean.

The header is checked once, before any row: a column name that cannot be a
place in a case (``debtor..age``, ``debtor`` beside ``debtor.age``) stops the
batch, because every row would be wrong in the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence


from batch.desk import InputError, Problem, case_model
from facts.load import declared_type, unknown_place

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Columns:
    """The header of a table, each column resolved to its place in a case."""

    names: tuple[str, ...]
    paths: tuple[Path | None, ...]  # None: a column without a name, which must stay empty
    flags: tuple[bool, ...] = ()  # whether each column is a yes/no field of the case

    @classmethod
    def from_header(cls, header: Sequence[str], source: str) -> "Columns":
        names = tuple((h or "").strip() for h in header)
        paths: list[Path | None] = []
        problems: list[Problem] = []
        seen: dict[Path, str] = {}
        for position, name in enumerate(names, start=1):
            if not name:
                paths.append(None)
                continue
            where = f"{source}: {column_label(position)} ({name})"
            parts = name.split(".")
            if any(not p.strip() for p in parts):
                problems.append(
                    Problem(where, "列名に空の部分があります（debtor.annual_income のように書いてください）",
                            "the column name has an empty part; write e.g. debtor.annual_income")
                )
                paths.append(None)
                continue
            path: Path = tuple(int(p) if p.strip().isdigit() else p.strip() for p in parts)
            if isinstance(path[0], int):
                problems.append(Problem(where, "列名が番号で始まっています", "the column name starts with a number"))
                paths.append(None)
                continue
            if path in seen:
                first = f"{column_label(names.index(seen[path]) + 1)} ({seen[path]})"
                problems.append(Problem(where, f"列 {first} と同じ項目です", f"the same field as column {first}"))
                paths.append(None)
                continue
            seen[path] = name
            paths.append(path)
        # A column naming a value and another naming something inside it cannot both hold.
        for path, name in seen.items():
            for cut in range(1, len(path)):
                if path[:cut] in seen:
                    problems.append(
                        Problem(
                            f"{source}: {name}",
                            f"列 {seen[path[:cut]]} と {name} は両立しません（一方が他方の中身です）",
                            f"columns {seen[path[:cut]]} and {name} cannot both be given: one lies inside the other",
                        )
                    )
        model = case_model()
        # A name the case has no place for would fail every row alike: said once, here, with a suggestion.
        for position, path in enumerate(paths, start=1):
            wrong = unknown_place(path, model) if path is not None else None
            if wrong is not None:
                problems.append(Problem(f"{source}: {column_label(position)} ({names[position - 1]})", wrong.ja, wrong.en))
        if problems:
            raise InputError(problems)
        flags = tuple(path is not None and declared_type(path, model) is bool for path in paths)
        return cls(names=names, paths=tuple(paths), flags=flags)

    def case_data(self, cells: Sequence[str]) -> tuple[dict[str, Any], list[Problem]]:
        """The case a row describes, and what is wrong with the row's shape (not its values)."""
        data, problems, _ = self.case_data_placed(cells)
        return data, problems

    def case_data_placed(self, cells: Sequence[str]) -> tuple[dict[str, Any], list[Problem], dict[str, str]]:
        """``case_data``, and where each list item that moved up came from (see ``relocated``)."""
        data: dict[str, Any] = {}
        problems: list[Problem] = []
        for position, cell in enumerate(cells):
            value = cell.strip() if isinstance(cell, str) else cell
            if value == "" or value is None:
                continue
            path = self.paths[position] if position < len(self.paths) else None
            if path is None:
                label = column_label(position + 1)
                problems.append(
                    Problem(label, f"名前のない列に値 {value!r} があります", f"a value {value!r} is in a column without a name")
                )
                continue
            if self.flags[position] and isinstance(value, str) and value.lower() in _FLAGS:
                value = _FLAGS[value.lower()]
            _put(data, path, value)
        moves: dict[str, str] = {}
        return _compact(data, "", "", moves), problems, moves


def relocated(problems: Sequence[Problem], moves: dict[str, str]) -> list[Problem]:
    """Problems with each list item named by its columns' number, not its place in the case.

    Blank slots are no item, so with ``other_debts.0.*`` blank the debt in
    ``other_debts.2.*`` is the case's first; a problem with it must still point
    at the columns numbered 2 (``other_debts[2].balance``), where the user looks.
    """
    if not moves:
        return list(problems)
    out = []
    for problem in problems:
        location = problem.location
        for compact in sorted(moves, key=len, reverse=True):  # the deepest item first
            if location == compact or location.startswith((compact + ".", compact + "[")):
                location = moves[compact] + location[len(compact) :]
                break
        out.append(Problem(location, problem.ja, problem.en))
    return out


_FLAGS = {"true": True, "false": False}


def _put(data: dict[str, Any], path: Path, value: Any) -> None:
    # lists are built as {index: item} first and put in order by _compact
    node: Any = data
    for part in path[:-1]:
        node = node.setdefault(part, {})
    node[path[-1]] = value


def _compact(node: Any, compact: str, original: str, moves: dict[str, str]) -> Any:
    """Turn {0: a, 2: b} into [a, b]: blank slots between filled ones are no item.

    ``moves`` gets each item's place in the case (``other_debts[0]``) beside its
    place in the columns (``other_debts[2]``) where the two differ.
    """
    if not isinstance(node, dict):
        return node
    if node and all(isinstance(k, int) for k in node):
        items = []
        for i, k in enumerate(sorted(node)):
            here, there = f"{compact}[{i}]", f"{original}[{k}]"
            if here != there:
                moves[here] = there
            items.append(_compact(node[k], here, there, moves))
        return items

    def inside(prefix: str, key: Any) -> str:
        return f"{prefix}.{key}" if prefix else str(key)

    if any(isinstance(k, int) for k in node):
        # e.g. "guarantors.0.kind" beside "guarantors.name": shown by the model as a type error
        return {str(k): _compact(v, inside(compact, k), inside(original, k), moves) for k, v in node.items()}
    return {k: _compact(v, inside(compact, k), inside(original, k), moves) for k, v in node.items()}


def column_label(position: int) -> str:
    """Excel's letter for a column position (1 → A, 27 → AA), as a spreadsheet user sees it."""
    letters = ""
    while position:
        position, rest = divmod(position - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters
