"""A sweep: one input stepped across a range, the case assessed at each step.

``zansai whatif CASE --sweep property.expected_sale_price=2000万..2800万:100万``
gives, for each value, the residual, the residual if the home were auctioned,
and the paths listed; and the break-even value where the residual disappears,
found to the yen by bisection between the two steps it falls between and
verified by assessing there and one yen before.

Data in, data out::

    spec = parse_sweep("property.expected_sale_price=2000万..2800万:100万")
    table = sweep(desk, case, spec)      # Sweep: rows, break_even; table.to_json()
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.result import Result
from app.result_json import plain
from app.whatif import Setting, changed_case, field_kind, split_path
from facts.case import Case
from facts.errors import InputError, Problem
from facts.text import Bilingual
from facts.values import ValueParseError, parse_yen

MAX_POINTS = 200  # steps in one sweep: each is a full assessment


@dataclass(frozen=True)
class SweepSpec:
    path: str
    start: int
    stop: int
    step: int
    text: str  # as typed

    def values(self) -> list[int]:
        out = list(range(self.start, self.stop + 1, self.step)) if self.stop >= self.start else list(
            range(self.start, self.stop - 1, -self.step)
        )
        if out[-1] != self.stop:
            out.append(self.stop)
        return out


def parse_sweep(text: str) -> SweepSpec:
    """``PATH=START..STOP:STEP`` with money in case-file notation; problems name ``--sweep TEXT``."""
    where = f"--sweep {text}"
    path, sep, rest = text.partition("=")
    path = path.strip()
    span, colon, step_text = rest.partition(":")
    start_text, dots, stop_text = span.partition("..")
    if not (sep and colon and dots and path):
        raise InputError([Problem(where, "「項目=開始..終了:刻み」の形で指定してください（例: property.expected_sale_price=2000万..2800万:100万）",
                                  "write it as PATH=START..STOP:STEP (e.g. property.expected_sale_price=2000万..2800万:100万)")])
    if not split_path(path):
        raise InputError([Problem(where, "項目の書き方が正しくありません", "not a field path")])
    if field_kind(path) != "yen":
        raise InputError([Problem(where, f"{path} は金額の項目ではありません。刻んで試せるのは金額の項目です",
                                  f"{path} is not an amount of money; a sweep steps a money field")])
    numbers = []
    for part, ja, en in ((start_text, "開始", "start"), (stop_text, "終了", "stop"), (step_text, "刻み", "step")):
        try:
            numbers.append(parse_yen(part.strip()))
        except ValueParseError as error:
            raise InputError([Problem(where, f"{ja}の値: {error.ja}", f"{en} value: {error.en}")]) from None
    start, stop, step = numbers
    if step <= 0:
        raise InputError([Problem(where, "刻みは0円より大きくしてください", "the step must be more than 0 yen")])
    count = abs(stop - start) // step + 1
    if count > MAX_POINTS:
        raise InputError([Problem(where, f"点の数が多すぎます（{count}点、上限 {MAX_POINTS}点）。刻みを大きくしてください",
                                  f"too many points ({count}; at most {MAX_POINTS}); use a larger step")])
    return SweepSpec(path, start, stop, step, text)


@dataclass
class Row:
    value: int
    residual_debt: int | None
    residual_debt_auction: int | None
    paths: list[str]
    rank1: str | None

    def to_json(self) -> dict[str, Any]:
        return {"value": self.value, "residual_debt": self.residual_debt,
                "residual_debt_auction": self.residual_debt_auction, "paths": self.paths, "rank1": self.rank1}


@dataclass
class Sweep:
    """The table of a sweep; ``break_even`` is the first value (to the yen) with no residual, if the range has one."""

    case_id: str
    spec: SweepSpec
    rows: list[Row]
    break_even: int | None = None
    break_even_verified: bool = False
    # where the residual lies from the break-even: "below" (a sale price, take-home pay) or "above" (a balance)
    residual_side: str | None = None
    path_titles: dict[str, Bilingual] = field(default_factory=dict)
    field_title: Bilingual | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "case_id": self.case_id,
            "path": self.spec.path,
            "range": {"start": self.spec.start, "stop": self.spec.stop, "step": self.spec.step},
            "rows": [r.to_json() for r in self.rows],
            "break_even": self.break_even,
            "break_even_verified": self.break_even_verified,
            "residual_side": self.residual_side,
        }


def _row(value: int, result: Result) -> Row:
    figures = result.figures
    paths = [r.path for r in result.recommendations]
    return Row(value, plain(figures.get("residual_debt")), plain(figures.get("residual_debt_auction")), paths,
               paths[0] if paths else None)


def _no_residual(row: Row) -> bool:
    return row.residual_debt is not None and row.residual_debt == 0


_TITLES = {
    "property.expected_sale_price": Bilingual(ja="任意売却の想定価格", en="Expected sale price"),
    "debtor.monthly_take_home": Bilingual(ja="手取り月収", en="Monthly take-home pay"),
    "mortgage.balance": Bilingual(ja="住宅ローン残高", en="Mortgage balance"),
}


def sweep(desk: Any, case: Case, spec: SweepSpec) -> Sweep:
    """Assess the case at each value of the spec; find the break-even value where the residual disappears."""

    def at(value: int) -> Row:
        changed = changed_case(case, [Setting(spec.path, f"{value}", value)])
        return _row(value, desk.assess(changed, explain=False))

    rows = [at(v) for v in spec.values()]
    out = Sweep(case.case_id, spec, rows, path_titles={p: d.title for p, d in desk.rule_base.catalog.paths.items()},
                field_title=_TITLES.get(spec.path, Bilingual(ja=spec.path, en=spec.path)))
    # The first pair of neighbouring rows where the residual appears or disappears, in either order:
    # a sweep may run downwards, and a larger balance makes a residual where a larger price ends one.
    for before, after in zip(rows, rows[1:]):
        if before.residual_debt is None or after.residual_debt is None or _no_residual(before) == _no_residual(after):
            continue
        lo, hi = (before.value, after.value) if _no_residual(after) else (after.value, before.value)  # residual at lo, none at hi
        while abs(hi - lo) > 1:
            mid = (lo + hi) // 2
            if _no_residual(at(mid)):
                hi = mid
            else:
                lo = mid
        out.break_even = hi
        out.residual_side = "below" if lo < hi else "above"
        out.break_even_verified = _no_residual(at(hi)) and not _no_residual(at(lo))
        break
    return out
