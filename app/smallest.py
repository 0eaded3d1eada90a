"""The smallest change that opens or closes a path: ``zansai whatif CASE --open PATH`` / ``--close PATH``.

Only inputs that can really change are moved (the *levers*): the expected
sale price, the debtor's take-home pay, the household's living costs, each
other debt's balance, and the date of the assessment ("wait until").

For each lever the answer is found in one of two ways, and the answer says which:

* **linear**: the conditions of the rules that could list the path (and of the
  rules concluding the findings those read) are solved back through the figure
  formulas of this case's trace, as ``a·x + b`` in the lever ``x``; the
  integer where such a condition flips is a candidate. Rounding (``floor``) is
  ignored while solving and settled by assessing: a candidate counts only if
  the goal holds there and fails one unit (1 yen, 1 day) nearer the case as it is.
* **bisection**: where no condition is linear in the lever, or the solved value
  is not the exact edge, the goal is sampled across the lever's range
  (monotonicity checked: once reached it must stay reached) and the first
  switching interval bisected down to one unit.

Every answer is verified by assessing the changed case with the full desk
(explanations and the engine cross-check on). Where no single lever reaches
the goal, the best two-lever change is searched for.

Data in, data out (for the CLI and the web desk)::

    answer = smallest_change(desk, case, "specific_conciliation", goal="open")
    answer.to_json()     # levers tried, each answer with method, value, change and the verifying result
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from app.result import Result, plain
from app.whatif import case_data, validate_data
from facts.builder import LIVING_COST_LINES
from facts.case import Case
from facts.errors import InputError, Problem
from facts.text import Bilingual
from knowledge import expr as E
from knowledge.model import RuleBase
from knowledge.parser import parse

SAMPLES = 8  # points sampled across a lever's range before bisecting: the monotonicity check
MAX_YEARS_WAIT = 30  # how far "wait until" looks ahead


# ---------------------------------------------------------------------------
# Levers


@dataclass(frozen=True)
class Lever:
    """One input that can really change, with the range it may move in."""

    id: str  # property.expected_sale_price, debtor.monthly_take_home, budget.living_costs, other_debts[0].balance, as_of
    kind: str  # yen | date
    title: Bilingual
    current: Any  # int yen, or a date
    lo: Any
    hi: Any
    symbols: tuple[str, ...] = ()  # references in the rules that equal the lever's value (or move with it one for one)

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "title": {"ja": self.title.ja, "en": self.title.en},
                "current": plain(self.current), "range": [plain(self.lo), plain(self.hi)]}

    def num(self, value: Any) -> int:
        return value.toordinal() if isinstance(value, dt.date) else int(value)

    def val(self, n: int) -> Any:
        return dt.date.fromordinal(n) if self.kind == "date" else n


def levers(case: Case, result: Result) -> list[Lever]:
    """The levers this case has: only inputs it gives (a missing take-home is not guessed)."""
    out: list[Lever] = []
    sold = case.sale is not None and case.sale.sold
    if case.property is not None and not sold and "expected_sale_price" in result.figures:
        price = int(result.figures["expected_sale_price"])
        top = 2 * max(price, case.mortgage.balance + sum(d.balance for d in case.other_debts if d.secured_on_home))
        out.append(Lever("property.expected_sale_price", "yen", Bilingual(ja="任意売却の想定価格", en="expected sale price"),
                         price, 0, top, ("property.expected_sale_price", "figure.expected_sale_price", "finding.sale_price_basis")))
    if case.debtor.monthly_take_home is not None:
        pay = case.debtor.monthly_take_home
        out.append(Lever("debtor.monthly_take_home", "yen", Bilingual(ja="手取り月収", en="monthly take-home pay"),
                         pay, 0, max(2 * pay, 1_000_000), ("debtor.monthly_take_home",)))
    if case.budget is not None:
        living = sum(getattr(case.budget, line) for line in LIVING_COST_LINES)
        out.append(Lever("budget.living_costs", "yen", Bilingual(ja="生活費（月額）", en="monthly living costs"),
                         living, 0, max(2 * living, 100_000), ("budget.living_costs",)))
    for n, debt in enumerate(case.other_debts):
        if debt.type in ("tax", "child_support"):
            continue  # not something a debtor can choose to owe less of by the assessment
        symbols = ["case.other_debts_total"] + (["case.other_debts_unsecured_total"] if not debt.secured_on_home else ["case.secured_debts_total"])
        name = debt.creditor or str(n)
        out.append(Lever(f"other_debts[{n}].balance", "yen",
                         Bilingual(ja=f"その他の借入（{name}）の残高", en=f"balance of the other debt ({name})"),
                         debt.balance, 0, max(2 * debt.balance, 1_000_000), tuple(symbols)))
    out.append(Lever("as_of", "date", Bilingual(ja="判定日（待つ場合）", en="date of assessment (waiting)"),
                     case.as_of, case.as_of, _add_years(case.as_of, MAX_YEARS_WAIT), ("case.as_of",)))
    return out


def _add_years(d: dt.date, n: int) -> dt.date:
    try:
        return d.replace(year=d.year + n)
    except ValueError:
        return dt.date(d.year + n, 3, 1) - dt.timedelta(days=1)


def lever_case(case: Case, lever: Lever, value: Any) -> Case:
    """The case with one lever moved to ``value`` (validated like a case file)."""
    return levers_case(case, [(lever, value)])


def levers_case(case: Case, moves: list[tuple[Lever, Any]]) -> Case:
    data = case_data(case)
    for lever, value in moves:
        _write(data, lever, value)
    return validate_data(data, [])


def _write(data: dict[str, Any], lever: Lever, value: Any) -> None:
    if lever.id == "budget.living_costs":
        # a change in living costs is taken from (or added to) the most discretionary lines first
        budget = data["budget"]
        delta = int(value) - lever.current
        if delta > 0:
            budget["other"] = budget.get("other", 0) + delta
        for line in reversed(LIVING_COST_LINES):
            if delta >= 0:
                break
            take = min(budget.get(line, 0), -delta)
            budget[line] = budget.get(line, 0) - take
            delta += take
        return
    if lever.id == "as_of":
        data["as_of"] = value
        return
    if lever.id.startswith("other_debts["):
        n = int(lever.id[len("other_debts["):].split("]")[0])
        data["other_debts"][n]["balance"] = int(value)
        return
    section, name = lever.id.split(".")
    data[section][name] = int(value)


# ---------------------------------------------------------------------------
# Solving back through the figure formulas


class NotLinear(Exception):
    pass


@dataclass(frozen=True)
class Affine:
    a: Fraction  # coefficient of the lever
    b: Fraction

    def at(self, x: int) -> Fraction:
        return self.a * x + self.b


class Chain:
    """The formulas of one Result's trace, as affine functions of one lever where they are."""

    def __init__(self, rule_base: RuleBase, result: Result, lever: Lever):
        self.rb, self.result, self.lever = rule_base, result, lever
        self.x0 = lever.num(lever.current)
        self.inputs: dict[str, dict[str, Any]] = {}
        several: set[str] = set()
        for f in result.facts:
            if f.type in self.inputs:
                several.add(f.type)
            self.inputs[f.type] = f.fields
        for kind in several:  # several facts of one type (other debts): a reference to them is not one value
            self.inputs[kind] = {}
        self.derived = {(d.kind, d.name): d for d in result.derived}
        self.firings = {f.index: f.rule for f in result.trace}
        self._memo: dict[str, Affine] = {}
        self.rounded = False  # a floor or ceil was passed through: the candidate is settled by assessing

    def symbol_offset(self, text: str) -> Fraction | None:
        if text not in self.lever.symbols:
            return None
        if self.lever.id.startswith("other_debts["):  # a total moves one for one with the one balance
            scope, name = text.split(".")
            total = self.inputs.get(scope, {}).get(name)
            return None if total is None else Fraction(total) - self.x0
        return Fraction(0)

    def ref(self, ref: E.Ref) -> Affine:
        offset = self.symbol_offset(ref.text)
        if offset is not None:
            return Affine(Fraction(1), offset)
        if ref.scope == "params":
            p = self.result.parameters.get(ref.name or "")
            if p is None:
                raise NotLinear(ref.text)
            return Affine(Fraction(0), _number(p.value))
        if ref.scope in ("figure", "finding"):
            if ref.text in self._memo:
                return self._memo[ref.text]
            expression = self.formula(ref)
            if not self.depends(ref.text):  # a figure the lever does not reach is a number here (a date, say)
                fact = self.derived.get((ref.scope, ref.name))
                value = Affine(Fraction(0), _number(fact.value if fact is not None else None))
            else:
                value = self.node(expression)
            self._memo[ref.text] = value
            return value
        fields = self.inputs.get(ref.scope)
        if fields is None or ref.name not in fields or fields[ref.name] is None:
            raise NotLinear(ref.text)
        return Affine(Fraction(0), _number(fields[ref.name]))

    def formula(self, ref: E.Ref) -> Any:
        """The expression this case's trace concluded a figure or finding with."""
        fact = self.derived.get((ref.scope, ref.name))
        if fact is None or not fact.firings:
            raise NotLinear(ref.text)
        rule = self.rb.rule(self.firings[fact.firings[0]])
        for spec, expression in rule.conclusions:
            if getattr(spec, ref.scope, None) == ref.name and expression is not None:
                return expression
        raise NotLinear(ref.text)

    def depends(self, text: str, seen: set[str] | None = None) -> bool:
        """Whether a figure or finding moves with the lever, through the formulas of this trace."""
        if text in self.lever.symbols:
            return True
        seen = set() if seen is None else seen
        if text in seen:
            return False
        seen.add(text)
        scope, _, name = text.partition(".")
        if scope not in ("figure", "finding"):
            return False
        try:
            expression = self.formula(E.Ref(scope, name))
        except NotLinear:
            return True  # unknown: treat as moving, so it is never taken for a constant
        return any(self.depends(r.text, seen) for r in E.refs(expression))

    def node(self, n: Any) -> Affine:
        if isinstance(n, E.Num):
            return Affine(Fraction(0), n.value)
        if isinstance(n, E.Ref):
            return self.ref(n)
        if isinstance(n, E.Neg):
            v = self.node(n.operand)
            return Affine(-v.a, -v.b)
        if isinstance(n, E.BinOp):
            left, right = self.node(n.left), self.node(n.right)
            if n.op == "+":
                return Affine(left.a + right.a, left.b + right.b)
            if n.op == "-":
                return Affine(left.a - right.a, left.b - right.b)
            if n.op == "*":
                if left.a == 0:
                    return Affine(left.b * right.a, left.b * right.b)
                if right.a == 0:
                    return Affine(right.b * left.a, right.b * left.b)
                raise NotLinear("product of two terms that move")
            if n.op == "/":
                if right.a == 0 and right.b != 0:
                    return Affine(left.a / right.b, left.b / right.b)
                raise NotLinear("division by a term that moves")
        if isinstance(n, E.Call):
            if n.func in ("floor", "ceil") and len(n.args) == 1:
                inner = self.node(n.args[0])
                if inner.a != 0:
                    self.rounded = True
                    return inner
                return Affine(Fraction(0), Fraction(math.floor(inner.b) if n.func == "floor" else math.ceil(inner.b)))
            if n.func in ("min", "max"):
                # the argument in force on this case; a switch to another one is caught by assessing
                args = [self.node(a) for a in n.args]
                pick = (min if n.func == "min" else max)(args, key=lambda v: v.at(self.x0))
                if any(a.a != 0 for a in args):
                    self.rounded = True
                return pick
        raise NotLinear(type(n).__name__)


def _number(value: Any) -> Fraction:
    if isinstance(value, dt.date):
        return Fraction(value.toordinal())
    if isinstance(value, bool) or value is None:
        raise NotLinear("not a number")
    try:
        return Fraction(value)
    except (TypeError, ValueError):
        raise NotLinear("not a number") from None


def _compares(tree: Any) -> list[E.Compare]:
    if isinstance(tree, E.Compare):
        return [tree]
    if isinstance(tree, (E.And, E.Or)):
        return [c for item in tree.items for c in _compares(item)]
    return []


def _holds(op: str, value: Fraction) -> bool:
    return {"<": value < 0, "<=": value <= 0, ">": value > 0, ">=": value >= 0, "==": value == 0, "!=": value != 0}[op]


@dataclass(frozen=True)
class Threshold:
    """Where a condition of a rule flips, solved for the lever."""

    rule: str
    condition: str
    value: int  # the first integer (yen, or a date's ordinal) on the far side of the flip
    rounded: bool  # floors or a min/max were passed: an estimate that assessing settles


def rules_for(rule_base: RuleBase, path: str, depth: int = 3) -> list[str]:
    """The rules that could list a path and, down to ``depth``, the rules concluding the findings and figures they read."""
    out: list[str] = []
    wanted = {f"path.{path}"}
    for _ in range(depth):
        found = [r for r in rule_base.rules if r.produces() & wanted and r.id not in out]
        if not found:
            break
        out.extend(r.id for r in found)
        wanted = set()
        for r in found:
            for c in r.conditions:
                wanted.update(ref.text for ref in E.refs(parse(c.text)) if ref.scope in ("finding", "figure"))
    return out


def thresholds(rule_base: RuleBase, result: Result, lever: Lever, path: str) -> list[Threshold]:
    """Every flip point of a linear condition, on the lever, among the rules behind a path."""
    out: list[Threshold] = []
    x0 = lever.num(lever.current)
    for rule_id in rules_for(rule_base, path):
        rule = rule_base.rule(rule_id)
        for condition in rule.conditions:
            for cmp in _compares(condition.tree):
                chain = Chain(rule_base, result, lever)
                try:
                    g = chain.node(E.BinOp("-", cmp.left, cmp.right))
                except (NotLinear, KeyError, ZeroDivisionError):
                    continue
                if g.a == 0:
                    continue
                now = _holds(cmp.op, g.at(x0))
                root = -g.b / g.a
                best = None
                for x in (math.floor(root) - 1, math.floor(root), math.ceil(root), math.ceil(root) + 1):
                    if _holds(cmp.op, g.at(x)) != now and (best is None or abs(x - x0) < abs(best - x0)):
                        best = x
                if best is not None and best != x0:
                    out.append(Threshold(rule_id, condition.text, best, chain.rounded))
    return out


# ---------------------------------------------------------------------------
# The search


@dataclass
class Answer:
    """The smallest move of one lever (or two) that reaches the goal, verified by assessing."""

    levers: list[Lever]
    values: list[Any]  # exact: integer yen or a date
    method: str  # linear | bisection
    verified: bool
    condition: Threshold | None = None  # the condition solved, for a linear answer
    monotone: bool = True
    shown: list[Any] = field(default_factory=list)  # the values rounded for display, on the goal's side
    shown_verified: bool = False  # the rounded values reach the goal too
    figures: dict[str, Any] = field(default_factory=dict)  # key figures of the verified assessment
    paths: list[str] = field(default_factory=list)  # the paths listed at the answer

    def changes(self) -> list[Any]:
        return [_delta(l, v) for l, v in zip(self.levers, self.values)]

    def to_json(self) -> dict[str, Any]:
        return {
            "levers": [l.to_json() for l in self.levers],
            "values": [plain(v) for v in self.values],
            "changes": [plain(c) for c in self.changes()],
            "shown": [plain(v) for v in self.shown],
            "method": self.method,
            "verified": self.verified,
            "shown_verified": self.shown_verified,
            "monotone": self.monotone,
            "condition": None if self.condition is None else {"rule": self.condition.rule, "text": self.condition.condition},
            "figures": {k: plain(v) for k, v in self.figures.items()},
            "paths": self.paths,
        }


def _delta(lever: Lever, value: Any) -> Any:
    return (value - lever.current).days if lever.kind == "date" else value - lever.current


@dataclass
class Search:
    """What ``--open`` / ``--close`` found: one answer per lever that reaches the goal, and the levers that cannot."""

    path: str
    goal: str  # open | close
    already: bool  # the goal already holds for the case as it is
    answers: list[Answer]
    unreachable: list[Lever]
    pair: Answer | None = None  # the best two-lever change, when no single lever reaches the goal
    assessments: int = 0
    title: Bilingual | None = None  # the path's title in the catalog
    original: Result | None = None  # the assessment of the case as it is
    path_titles: dict[str, Bilingual] = field(default_factory=dict)  # every path's title, for the paths at an answer

    @property
    def best(self) -> Answer | None:
        return self.answers[0] if self.answers else self.pair

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "title": None if self.title is None else {"ja": self.title.ja, "en": self.title.en},
            "goal": self.goal,
            "already": self.already,
            "answers": [a.to_json() for a in self.answers],
            "unreachable": [l.to_json() for l in self.unreachable],
            "pair": None if self.pair is None else self.pair.to_json(),
            "assessments": self.assessments,
        }


KEY_FIGURES = ("residual_debt", "total_debt", "monthly_capacity")


class _Goal:
    def __init__(self, desk: Any, case: Case, path: str, goal: str):
        self.desk, self.case, self.path, self.goal = desk, case, path, goal
        self.count = 0
        self.cache: dict[tuple, bool] = {}

    def reached(self, result: Result) -> bool:
        listed = any(r.path == self.path for r in result.recommendations)
        return listed if self.goal == "open" else not listed

    def at(self, moves: list[tuple[Lever, int]]) -> bool:
        key = tuple((l.id, n) for l, n in moves)
        if key not in self.cache:
            try:
                changed = levers_case(self.case, [(l, l.val(n)) for l, n in moves])
            except InputError:
                self.cache[key] = False  # a value the case model refuses (a contradiction) is no answer
                return False
            self.count += 1
            self.cache[key] = self.reached(self.desk.assess(changed, explain=False))
        return self.cache[key]


def _bisect(test: Callable[[int], bool], start: int, end: int) -> tuple[int | None, bool]:
    """The value nearest ``start`` (where the goal fails) on the way to ``end`` where it holds; and whether it looked monotone."""
    if start == end:
        return None, True
    step = 1 if end > start else -1
    span = abs(end - start)
    points = sorted({start + step * max(1, round(span * k / SAMPLES)) for k in range(1, SAMPLES + 1)}, key=lambda p: abs(p - start))
    seen = [test(p) for p in points]
    if not any(seen):
        return None, True
    first = seen.index(True)
    monotone = all(seen[first:])
    lo, hi = (start if first == 0 else points[first - 1]), points[first]
    while abs(hi - lo) > 1:
        mid = (lo + hi) // 2
        if test(mid):
            hi = mid
        else:
            lo = mid
    return hi, monotone


def _shown(lever: Lever, n: int, x0: int) -> int:
    """A sensible unit for display, rounded away from the case as it is (so the goal still holds)."""
    if lever.kind == "date":
        return n
    change = abs(n - x0)
    unit = 10_000 if change >= 1_000_000 else (1_000 if change >= 10_000 else 1)
    if n > x0:
        return -(-n // unit) * unit
    return (n // unit) * unit


def smallest_change(desk: Any, case: Case, path: str, goal: str = "open", *, pairs: bool = True) -> Search:
    """The smallest change of each lever that makes ``path`` listed (``goal="open"``) or not listed (``"close"``).

    ``desk`` is an ``app.desk.Desk``; ``path`` a path id of its catalog
    (checked: an unknown one is an InputError with a "did you mean").
    Answers are ordered by the size of the change relative to the lever's
    value (smallest first); each is verified by a full assessment.
    """
    if goal not in ("open", "close"):
        raise InputError([Problem("goal", "open か close を指定してください", "goal must be open or close")])
    desk.check_path(path, "--open" if goal == "open" else "--close")
    title = desk.rule_base.catalog.paths[path].title
    titles = {p: d.title for p, d in desk.rule_base.catalog.paths.items()}
    original = desk.assess(case)
    g = _Goal(desk, case, path, goal)
    if g.reached(original):
        return Search(path, goal, True, [], [], title=title, original=original, path_titles=titles)
    answers: list[Answer] = []
    unreachable: list[Lever] = []
    all_levers = levers(case, original)
    for lever in all_levers:
        answer = _one_lever(desk, g, original, lever)
        if answer is None:
            unreachable.append(lever)
        else:
            answers.append(answer)
    for answer in answers:
        _verify(desk, g, answer)
    answers = [a for a in answers if a.verified]
    answers.sort(key=lambda a: _relative(a))
    search = Search(path, goal, False, answers, unreachable, title=title, original=original, path_titles=titles)
    if not answers and pairs:
        search.pair = _best_pair(desk, g, all_levers)
        if search.pair is not None:
            _verify(desk, g, search.pair)
    search.assessments = g.count
    return search


def _relative(answer: Answer) -> float:
    total = 0.0
    for lever, value in zip(answer.levers, answer.values):
        d = abs(lever.num(value) - lever.num(lever.current))
        base = abs(lever.num(lever.hi) - lever.num(lever.lo)) if lever.kind == "date" else max(abs(int(lever.current)), 1)
        total += d / base
    return total


def _one_lever(desk: Any, g: _Goal, original: Result, lever: Lever) -> Answer | None:
    x0 = lever.num(lever.current)
    lo, hi = lever.num(lever.lo), lever.num(lever.hi)

    def test(n: int) -> bool:
        return g.at([(lever, n)])

    # linear: the flip points of the conditions behind the path, nearest first
    found = sorted(thresholds(desk.rule_base, original, lever, g.path), key=lambda t: abs(t.value - x0))
    tried: set[int] = set()
    for t in found:
        if not lo <= t.value <= hi:
            continue
        step = 1 if t.value > x0 else -1
        for k in range(0, 4 if t.rounded else 1):  # floors: the edge may sit a few units further
            n = t.value + step * k
            if n in tried or not lo <= n <= hi:
                continue
            tried.add(n)
            if test(n):
                # rounding may put the edge a few units nearer: walk back while the goal still holds
                for _ in range(4 if t.rounded else 1):
                    if n - step == x0 or not test(n - step):
                        return Answer([lever], [lever.val(n)], "linear", False, condition=t)
                    n -= step
                # the goal holds well nearer: the solved value is not the edge, so bisect towards it
                edge, monotone = _bisect(test, x0, n)
                if edge is not None:
                    return Answer([lever], [lever.val(edge)], "bisection", False, monotone=monotone)
                break
    # bisection over the lever's range, in each direction; the nearer answer wins
    best: Answer | None = None
    for end in (hi, lo):
        if end == x0 or not test(end):
            continue
        edge, monotone = _bisect(test, x0, end)
        if edge is not None and (best is None or abs(edge - x0) < abs(lever.num(best.values[0]) - x0)):
            best = Answer([lever], [lever.val(edge)], "bisection", False, monotone=monotone)
    return best


def _verify(desk: Any, g: _Goal, answer: Answer) -> None:
    """Assess the changed case with the full desk; the answer stands only if the goal holds there."""
    changed = levers_case(g.case, list(zip(answer.levers, answer.values)))
    result = desk.assess(changed)
    g.count += 1
    answer.verified = g.reached(result)
    answer.figures = {k: result.figures[k] for k in KEY_FIGURES if k in result.figures}
    answer.paths = [r.path for r in result.recommendations]
    answer.shown = [
        lever.val(_shown(lever, lever.num(v), lever.num(lever.current))) for lever, v in zip(answer.levers, answer.values)
    ]
    if answer.shown == answer.values:
        answer.shown_verified = answer.verified
    else:
        answer.shown_verified = g.at([(l, l.num(v)) for l, v in zip(answer.levers, answer.shown)])


def _best_pair(desk: Any, g: _Goal, all_levers: list[Lever]) -> Answer | None:
    """The two-lever change with the smallest total relative change: the first lever at a quarter,
    half, three quarters or all of its way to a bound, the second bisected from there."""
    best: Answer | None = None
    for i, a in enumerate(all_levers):
        for b in all_levers[i + 1:]:
            for a_end in (a.hi, a.lo):
                for b_end in (b.hi, b.lo):
                    a0, b0 = a.num(a.current), b.num(b.current)
                    a1, b1 = a.num(a_end), b.num(b_end)
                    if a1 == a0 or b1 == b0 or not g.at([(a, a1), (b, b1)]):
                        continue
                    for frac in (Fraction(1, 4), Fraction(1, 2), Fraction(3, 4), Fraction(1)):
                        an = a0 + int((a1 - a0) * frac)
                        if not g.at([(a, an), (b, b1)]):
                            continue
                        edge, monotone = _bisect(lambda n: g.at([(a, an), (b, n)]), b0, b1)
                        if edge is None:
                            continue
                        candidate = Answer([a, b], [a.val(an), b.val(edge)], "bisection", False, monotone=monotone)
                        if best is None or _relative(candidate) < _relative(best):
                            best = candidate
    return best
