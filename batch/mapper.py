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
from facts.load import declared_type

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
            where = f"{source}: {_column_label(position)} ({name})"
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
                problems.append(Problem(where, f"列 {seen[path]} と同じ項目です", f"the same field as column {seen[path]}"))
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
        if problems:
            raise InputError(problems)
        model = case_model()
        flags = tuple(path is not None and declared_type(path, model) is bool for path in paths)
        return cls(names=names, paths=tuple(paths), flags=flags)

    def case_data(self, cells: Sequence[str]) -> tuple[dict[str, Any], list[Problem]]:
        """The case a row describes, and what is wrong with the row's shape (not its values)."""
        data: dict[str, Any] = {}
        problems: list[Problem] = []
        for position, cell in enumerate(cells):
            value = cell.strip() if isinstance(cell, str) else cell
            if value == "" or value is None:
                continue
            path = self.paths[position] if position < len(self.paths) else None
            if path is None:
                label = _column_label(position + 1)
                problems.append(
                    Problem(label, f"名前のない列に値 {value!r} があります", f"a value {value!r} is in a column without a name")
                )
                continue
            if self.flags[position] and isinstance(value, str) and value.lower() in _FLAGS:
                value = _FLAGS[value.lower()]
            _put(data, path, value)
        return _compact(data), problems


_FLAGS = {"true": True, "false": False}


def _put(data: dict[str, Any], path: Path, value: Any) -> None:
    # lists are built as {index: item} first and put in order by _compact
    node: Any = data
    for part in path[:-1]:
        node = node.setdefault(part, {})
    node[path[-1]] = value


def _compact(node: Any) -> Any:
    """Turn {0: a, 2: b} into [a, b]: blank slots between filled ones are no item."""
    if not isinstance(node, dict):
        return node
    if node and all(isinstance(k, int) for k in node):
        return [_compact(node[k]) for k in sorted(node)]
    if any(isinstance(k, int) for k in node):
        # e.g. "guarantors.0.kind" beside "guarantors.name": shown by the model as a type error
        return {str(k): _compact(v) for k, v in node.items()}
    return {k: _compact(v) for k, v in node.items()}


def _column_label(position: int) -> str:
    """Excel's letter for a column position (1 → A, 27 → AA), as a spreadsheet user sees it."""
    letters = ""
    while position:
        position, rest = divmod(position - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters
