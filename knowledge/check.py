"""Checking a rule against the fact vocabulary, the catalog and the parameters.

A rule that passes can be compiled and evaluated: every name resolves, every
expression is typed, no literal threshold hides in it, and no rule waits on
its own conclusion (the order the rules run in is ``knowledge.stratify``'s).
"""

from __future__ import annotations

import difflib
import re
from fractions import Fraction
from typing import Any

from facts.errors import Problem
from facts.text import Bilingual
from facts.vocabulary import FACT_TYPES, field_kind
from knowledge import expr as E
from knowledge.parser import parse
from knowledge.model import Condition, FactTest, FieldRef, FieldTest, Rule, Slot, DERIVED_TYPES
from knowledge.parameters import Parameter
from knowledge.schema import (
    BlockConclusion,
    Catalog,
    Conclusion,
    FigureConclusion,
    FindingConclusion,
    MissingConclusion,
    PathConclusion,
    RankConclusion,
    RuleSpec,
    WarningConclusion,
    produced_by,
)

# Literal numbers a rule may contain. Anything else is a threshold or a rate and
# must be a named parameter with a source (see rules/parameters.yaml).
ALLOWED_LITERALS = {Fraction(0), Fraction(1), Fraction(12)}


class Problems:
    """Collects every problem of a load, so one run reports them all."""

    def __init__(self) -> None:
        self.items: list[Problem] = []

    def add(self, location: str, ja: str, en: str) -> None:
        problem = Problem(location, ja, en)
        if problem not in self.items:  # a name is resolved for its kind and again for its use: said once
            self.items.append(problem)


def _did_you_mean(name: str, choices: Any) -> tuple[str, str]:
    hint = difflib.get_close_matches(name, list(choices), n=1)
    if not hint:
        return "", ""
    return f"（もしかして {hint[0]}?）", f" (did you mean {hint[0]}?)"


class _RuleChecker:
    """Resolves and checks one rule's expressions against the vocabulary."""

    def __init__(self, spec: RuleSpec, file: str, parameters: dict[str, Parameter], catalog: Catalog, problems: Problems):
        self.spec, self.file, self.parameters, self.catalog, self.problems = spec, file, parameters, catalog, problems
        self.slots: dict[str, Slot] = {}
        self.absent: dict[str, Slot] = {}
        self.ok = True
        # per-entity figures this rule has concluded so far: its later messages may quote them
        self.own_per_figures: set[str] = set()

    def fail(self, where: str, ja: str, en: str) -> None:
        self.ok = False
        self.problems.add(f"{self.file}: {self.spec.id} {where}", ja, en)

    # -- names ---------------------------------------------------------------

    def resolve(self, ref: E.Ref, where: str) -> FieldRef | None:
        scope, name = ref.scope, ref.name
        if scope in FACT_TYPES:
            model = FACT_TYPES[scope]
            slot = Slot(scope, scope)
            if name is None:
                return FieldRef(slot, None, "fact")
            if name not in model.model_fields or name == "id":
                ja, en = _did_you_mean(name, [f for f in model.model_fields if f != "id"])
                self.fail(where, f"{scope} に項目 {name} はありません{ja}", f"{scope} has no field {name}{en}")
                return None
            return FieldRef(slot, name, field_kind(model, name))
        if scope == "params":
            if name is None or name not in self.parameters:
                ja, en = _did_you_mean(name or "", self.parameters)
                self.fail(where, f"パラメータ {name} は定義されていません{ja}", f"unknown parameter {name}{en}")
                return None
            kind = self.parameters[name].kind
            return FieldRef(Slot("params", "params"), name, kind)
        if scope in DERIVED_TYPES:
            table = {"figure": self.catalog.figures, "finding": self.catalog.findings, "path": self.catalog.paths}[scope]
            if name is None or name not in table:
                ja, en = _did_you_mean(name or "", table)
                self.fail(where, f"{scope} {name} はカタログにありません{ja}", f"unknown {scope} {name}{en}")
                return None
            if scope == "figure" and table[name].per is not None:
                self.fail(
                    where,
                    f"figure {name} は{table[name].per}ごとの値です。結論づけたルールのメッセージでしか引用できません",
                    f"figure {name} has one value per {table[name].per}: only the rule concluding it can quote it, in its messages",
                )
                return None
            slot = Slot(f"{scope}.{name}", scope, name)
            if scope == "path":
                return FieldRef(slot, None, "fact")
            kind = table[name].kind
            return FieldRef(slot, "value", kind)
        known = sorted(set(FACT_TYPES) | {"params", *DERIVED_TYPES})
        ja, en = _did_you_mean(scope, known)
        self.fail(where, f"{scope} という名前はありません{ja}", f"unknown name {scope}{en}")
        return None

    def kind_of(self, node: Any, where: str) -> str | None:
        """The kind of a value expression: number, date, bool, text (None if invalid)."""
        if isinstance(node, E.Num):
            return "number"
        if isinstance(node, E.Str):
            return "text"
        if isinstance(node, E.Bool):
            return "bool"
        if isinstance(node, E.Ref):
            fr = self.resolve(node, where)
            if fr is None:
                return None
            if fr.field is None:
                self.fail(where, f"{node.text} は値ではなく事実そのものです", f"{node.text} is a whole fact, not a value")
                return None
            return {"yen": "number", "int": "number", "ratio": "number"}.get(fr.kind, fr.kind)
        if isinstance(node, E.Neg):
            k = self.kind_of(node.operand, where)
            if k not in (None, "number"):
                self.fail(where, "符号 - は数値にしか付けられません", "unary minus needs a number")
            return "number"
        if isinstance(node, E.BinOp):
            a, b = self.kind_of(node.left, where), self.kind_of(node.right, where)
            for k in (a, b):
                if k is not None and k != "number":
                    self.fail(
                        where,
                        f"{node.op} は数値どうしの計算です（日付は add_years などの関数で扱います）",
                        f"{node.op} works on numbers only (use add_years etc. for dates)",
                    )
                    return None
            return "number"
        if isinstance(node, E.Call):
            kinds = [self.kind_of(a, where) for a in node.args]
            result = E.FUNCTIONS[node.func][3]
            if result == "arg":
                present = [k for k in kinds if k]
                return present[0] if present else None
            return result
        self.fail(where, "ここには値を書いてください", "a value is expected here")
        return None

    # -- conditions ----------------------------------------------------------

    def condition(self, text: str, index: int) -> Condition | None:
        where = f"when[{index}]"
        try:
            tree = E.normalise(parse(text))
        except E.ExprError as exc:
            self.fail(where, f"{exc.ja}: {text}", f"{exc.en}: {text}")
            return None
        if E.calls(tree):
            self.fail(
                where,
                "条件の中では関数を使えません。まず figure/finding として結論づけてください",
                "functions are not allowed in conditions: conclude a figure or finding first, then compare it",
            )
            return None
        self._literals(tree, where)
        resolved = self._atoms(tree, where)
        return Condition(text, resolved) if resolved is not None else None

    def _literals(self, node: Any, where: str) -> None:
        for num in E.numbers(node):
            if num.value not in ALLOWED_LITERALS:
                self.fail(
                    where,
                    f"数値 {num.text} を直接書けません。出典つきのパラメータにしてください（params.…）",
                    f"the literal {num.text} is a threshold or rate: make it a sourced parameter (params.…)",
                )

    def _atoms(self, node: Any, where: str) -> Any:
        if isinstance(node, (E.And, E.Or)):
            items = [self._atoms(i, where) for i in node.items]
            if any(i is None for i in items):
                return None
            return type(node)(tuple(items))
        if isinstance(node, E.Truthy):
            fr = self.resolve(node.ref, where)
            if fr is None:
                return None
            if fr.field is None or fr.slot.type in ("finding",) and fr.kind == "bool":
                # a whole fact, a path, or a yes/no finding: "it exists"
                ref = E.Ref(node.ref.scope, node.ref.name) if fr.slot.type != "finding" else node.ref
                return self._presence(FactTest(ref, node.positive), where)
            if fr.kind != "bool":
                self.fail(
                    where,
                    f"{node.ref.text} は真偽の項目ではありません。exists / missing か比較を書いてください",
                    f"{node.ref.text} is not a yes/no field: write exists/missing or a comparison",
                )
                return None
            self._use(fr.slot)
            return E.Compare("==", node.ref, E.Bool(node.positive))
        if isinstance(node, (E.Exists, E.Missing)):
            fr = self.resolve(node.ref, where)
            if fr is None:
                return None
            present = isinstance(node, E.Exists)
            if fr.field is None or fr.slot.derived:
                return self._presence(FactTest(node.ref, present), where)
            self._use(fr.slot)
            return FieldTest(node.ref, present)
        if isinstance(node, E.Compare):
            ka, kb = self.kind_of(node.left, where), self.kind_of(node.right, where)
            if ka and kb and ka != kb:
                self.fail(where, f"種類の違う値は比較できません（{ka} と {kb}）", f"cannot compare a {ka} with a {kb}")
                return None
            if node.op not in ("==", "!=") and ka in ("bool", "text"):
                self.fail(where, f"{ka} の値に大小比較はできません", f"{node.op} does not apply to {ka} values")
                return None
            for r in E.refs(node):
                fr = self.resolve(r, where)
                if fr is not None:
                    self._use(fr.slot)
            if not (isinstance(node.left, E.Ref) or isinstance(node.right, E.Ref)):
                self.fail(
                    where,
                    "比較の片側は1つの項目（例: debtor.age）でなければなりません",
                    "one side of a comparison must be a single field (e.g. debtor.age)",
                )
                return None
            return node
        if isinstance(node, E.Contains):
            if not isinstance(node.ref, E.Ref) or self.kind_of(node.ref, where) != "text":
                self.fail(where, "contains の左側は文字列の項目にしてください", "the left of 'contains' must be a text field")
                return None
            fr = self.resolve(node.ref, where)
            if fr is not None:
                self._use(fr.slot)
            return node
        if isinstance(node, E.In):
            if not isinstance(node.ref, E.Ref):
                self.fail(where, "in の左側は項目名にしてください", "the left of 'in' must be a field")
                return None
            fr = self.resolve(node.ref, where)
            if fr is None:
                return None
            self._use(fr.slot)
            return node
        self.fail(where, "条件として読めません", "not a condition")
        return None

    def _presence(self, test: FactTest, where: str) -> FactTest | None:
        fr = self.resolve(test.ref, where)
        if fr is None:
            return None
        if test.present:
            self._use(fr.slot)
        else:
            if fr.slot.key in ("params", "case", "debtor", "mortgage"):
                self.fail(where, f"{fr.slot.key} は常にあります", f"{fr.slot.key} is always present")
                return None
            self.absent[fr.slot.key] = fr.slot
        return FactTest(test.ref, test.present)

    def _use(self, slot: Slot) -> None:
        self.slots.setdefault(slot.key, slot)

    # -- conclusions ---------------------------------------------------------

    def conclusion(self, c: Conclusion, index: int) -> tuple[Conclusion, Any]:
        where = f"then[{index}]"
        cat = self.catalog
        if isinstance(c, FigureConclusion):
            if c.figure not in cat.figures:
                ja, en = _did_you_mean(c.figure, cat.figures)
                self.fail(where, f"figure {c.figure} はカタログにありません{ja}", f"unknown figure {c.figure}{en}")
                return c, None
            node = self._value(c.value, where, cat.figures[c.figure].kind)
            per = cat.figures[c.figure].per
            if per is not None:
                if not any(slot.type == per for slot in self.slots.values()):
                    self.fail(
                        where,
                        f"figure {c.figure} は{per}ごとの値です。{per} を読むルールでしか結論づけられません",
                        f"figure {c.figure} has one value per {per}: only a rule matching a {per} can conclude it",
                    )
                self.own_per_figures.add(c.figure)
            return c, node
        if isinstance(c, FindingConclusion):
            if c.finding not in cat.findings:
                ja, en = _did_you_mean(c.finding, cat.findings)
                self.fail(where, f"finding {c.finding} はカタログにありません{ja}", f"unknown finding {c.finding}{en}")
                return c, None
            kind = cat.findings[c.finding].kind
            if c.value is None:
                if kind != "bool":
                    self.fail(where, f"finding {c.finding} には value が必要です", f"finding {c.finding} needs a value")
                return c, None
            return c, self._value(c.value, where, kind)
        if isinstance(c, WarningConclusion):
            if c.warning not in cat.warnings:
                ja, en = _did_you_mean(c.warning, cat.warnings)
                self.fail(where, f"警告 {c.warning} はカタログにありません{ja}", f"unknown warning {c.warning}{en}")
            self._placeholders(c.message, where)
            if c.next_step is not None and ("{" in c.next_step.ja or "{" in c.next_step.en):
                self.fail(where, f"警告 {c.warning} の next_step に {{…}} は書けません", f"warning {c.warning}: a next_step cannot hold a {{…}} placeholder")
            return c, None
        if isinstance(c, PathConclusion):
            self._path(c.path, where)
            self._placeholders(c.summary, where)
            for name in c.figures or []:
                if name not in cat.figures:
                    ja, en = _did_you_mean(name, cat.figures)
                    self.fail(where, f"figures の figure {name} はカタログにありません{ja}", f"figures names unknown figure {name}{en}")
            return c, None
        if isinstance(c, BlockConclusion):
            self._path(c.block, where)
            self._placeholders(c.reason, where)
            return c, None
        if isinstance(c, RankConclusion):
            self._path(c.rank, where)
            if c.above != "all":
                for p in c.above:
                    self._path(p, where)
            self._placeholders(c.reason, where)
            return c, None
        if isinstance(c, MissingConclusion):
            if c.missing not in cat.missing_fields:
                ja, en = _did_you_mean(c.missing, cat.missing_fields)
                self.fail(where, f"不足項目 {c.missing} はカタログにありません{ja}", f"unknown missing field {c.missing}{en}")
            for name in c.blocks:
                if name not in cat.figures:
                    ja, en = _did_you_mean(name, cat.figures)
                    self.fail(where, f"blocks の figure {name} はカタログにありません{ja}", f"blocks names unknown figure {name}{en}")
            self._placeholders(c.message, where)
            return c, None
        return c, None

    def _path(self, path: str, where: str) -> None:
        if path not in self.catalog.paths:
            ja, en = _did_you_mean(path, self.catalog.paths)
            self.fail(where, f"進路 {path} はカタログにありません{ja}", f"unknown path {path}{en}")

    def _value(self, text: str, where: str, kind: str) -> Any:
        try:
            node = parse(text)
        except E.ExprError as exc:
            self.fail(where, f"{exc.ja}: {text}", f"{exc.en}: {text}")
            return None
        self._literals(node, where)
        got = self.kind_of(node, where)
        want = {"yen": "number", "int": "number", "ratio": "number"}.get(kind, kind)
        if got is not None and got != want:
            self.fail(where, f"値の種類が違います（{want} が必要、{got} です）", f"value should be a {want}, not a {got}")
        for r in E.refs(node):
            fr = self.resolve(r, where)
            if fr is not None:
                # a conclusion can only read facts the rule matched
                self._use_in_conclusion(fr, r.text, where)
        return node

    def _use_in_conclusion(self, fr: FieldRef, name: str, where: str) -> None:
        """A fact a conclusion reads is matched by the rule, like one its conditions read. For a fact
        the case may hold several of (a debt, a guarantor) that would make the rule fire once for each
        and quote whichever it matched: only one its conditions already match may be read."""
        model = FACT_TYPES.get(fr.slot.type)
        if getattr(model, "multiple", False) and fr.slot.key not in self.slots:
            self.fail(
                where,
                f"{name} は、条件で {fr.slot.type} を照合しているルールでしか読めません（照合していなければ、どの{fr.slot.type}かが決まりません）",
                f"{name} can be read only by a rule whose conditions match a {fr.slot.type} (otherwise which one is not determined)",
            )
            return
        self._use(fr.slot)

    def _placeholders(self, text: Bilingual, where: str) -> None:
        import string

        for lang in ("ja", "en"):
            try:
                fields = list(string.Formatter().parse(getattr(text, lang)))
            except ValueError as exc:  # an unmatched { or }
                self.fail(
                    f"{where} {lang}",
                    f"メッセージの波かっこ {{ }} が対応していません（{exc}）。値を引用するなら {{figure.residual_debt}} のように書き、波かっこそのものは {{{{ }}}} と書きます",
                    f"unmatched brace in the message ({exc}): quote a value as {{figure.residual_debt}}; write a literal brace as {{{{ or }}}}",
                )
                continue
            for _, name, spec, conversion in fields:
                if name is None:
                    continue
                if not name or name.isdigit():
                    self.fail(
                        f"{where} {lang}",
                        f"空の {{}} や番号の {{{name}}} は使えません。引用する値の名前を書いてください（{{figure.residual_debt}} など）",
                        f"an empty {{}} or numbered {{{name}}} is not allowed: name the value quoted ({{figure.residual_debt}} etc.)",
                    )
                    continue
                if conversion or spec not in (None, "", "bare"):
                    self.fail(
                        where,
                        f"{{{name}}} の書式 {spec or conversion!r} は使えません（使えるのは :bare だけです）",
                        f"{{{name}}}: format {spec or conversion!r} is not allowed (only :bare)",
                    )
                scope, _, fld = name.partition(".")
                if scope == "figure" and fld in self.own_per_figures:
                    continue  # filled from this firing's own conclusion, not matched
                fr = self.resolve(E.Ref(scope, fld or None), f"{where} {{{name}}}")
                if fr is not None:
                    self._use_in_conclusion(fr, f"{{{name}}}", f"{where} {lang}")


_OPPOSITE = {">": "<=", ">=": "<", "<": ">=", "<=": ">", "==": "!=", "!=": "=="}


def _contradictions(checker: _RuleChecker, conditions: list[Any]) -> None:
    """Two conditions that cannot both hold (the same comparison both ways, a field both present and
    missing): the rule could never fire, and only a golden case expecting it to would notice."""
    trees = [(i, c.tree) for i, c in enumerate(conditions) if c is not None]
    for n, (i, a) in enumerate(trees):
        for j, b in trees[n + 1:]:
            opposite = (
                isinstance(a, E.Compare) and isinstance(b, E.Compare)
                and a.left == b.left and a.right == b.right and _OPPOSITE.get(a.op) == b.op
            ) or (isinstance(a, FieldTest) and isinstance(b, FieldTest) and a.ref == b.ref and a.present != b.present)
            if opposite:
                checker.fail(
                    f"when[{i}] when[{j}]",
                    f"条件 when[{i}] と when[{j}] は同時に成り立たないため、このルールは決して発火しません",
                    f"when[{i}] and when[{j}] cannot both hold: the rule could never fire",
                )


_PLACEHOLDER = re.compile(r"\{[a-z_]+(\.[a-z_]+)?(:[a-z]+)?\}")


def check_rule(
    spec: RuleSpec, file: str, topic: str, parameters: dict[str, Parameter], catalog: Catalog, problems: Problems
) -> Rule | None:
    checker = _RuleChecker(spec, file, parameters, catalog, problems)
    conditions = [checker.condition(text, i) for i, text in enumerate(spec.when)]
    conclusions = [checker.conclusion(c, i) for i, c in enumerate(spec.then)]
    for key in sorted(set(checker.slots) & produced_by(spec)):
        checker.fail(
            "then",
            f"{key} を自分で結論づけながら読んでいます（条件・値・メッセージ）。このルールは決して発火しません",
            f"reads {key}, which it concludes itself (in a condition, value or message): it could never fire",
        )
    if spec.note is not None:
        for lang, text in (("ja", spec.note.ja), ("en", spec.note.en)):
            # a note is shown as written, never filled: "{params.x}" reached the trace as those characters
            found = _PLACEHOLDER.search(text)
            if found:
                checker.fail(
                    f"note.{lang}",
                    f"注記には {{…}} の差し込みは使えません（そのまま表示されます）: {found.group()}",
                    f"a note is shown as written, so it cannot fill in {{…}}: {found.group()}",
                )
    _contradictions(checker, conditions)
    overlap = set(checker.slots) & set(checker.absent)
    for key in overlap:
        checker.fail("when", f"{key} を「ある」と「ない」の両方で使っています", f"{key} is required both present and absent")
    if not checker.ok:
        return None
    return Rule(
        spec=spec,
        file=file,
        topic=topic,
        conditions=[c for c in conditions if c is not None],
        conclusions=conclusions,
        slots=checker.slots,
        absent=checker.absent,
    )
