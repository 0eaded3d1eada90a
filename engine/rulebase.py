"""Loading a rule base: rule files, the catalog and the parameters, from any folder.

A rule base is a folder of YAML files (the installed ``rules/`` package, or
the files of an older version kept by an audit store):

- ``parameters.yaml``: every threshold and rate, dated and sourced;
- ``catalog.yaml``: the names rules may conclude (figures, findings,
  warnings, paths) with their titles;
- every other ``*.yaml``: one topic's rules.

Everything is checked when it loads: the schema, every expression, every
name a rule reads or concludes. A rule base that loads is one the engine can
run. Its ``version`` is a content hash of the files, so a result can always be
replayed against exactly the rules that produced it.
"""

from __future__ import annotations

import difflib
import hashlib
from dataclasses import dataclass, field
from fractions import Fraction
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from engine import expr as E
from engine.errors import Problem, RuleBaseError
from facts.parameters import Bilingual, Parameter
from facts.vocabulary import FACT_TYPES, field_kind

SPECIAL_FILES = {"parameters.yaml", "catalog.yaml"}

# Literal numbers a rule may contain. Anything else is a threshold or a rate and
# must be a named parameter with a source (see rules/parameters.yaml).
ALLOWED_LITERALS = {Fraction(0), Fraction(1), Fraction(12)}

Severity = Literal["high", "medium", "low", "info"]
FigureKind = Literal["yen", "ratio", "int", "date"]
FindingKind = Literal["bool", "text", "yen", "int", "date", "ratio"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# ---------------------------------------------------------------------------
# Catalog


class FigureDecl(_Strict):
    kind: FigureKind
    title: Bilingual
    unit: str | None = None  # e.g. "years", "months" for int figures
    # the paths this figure is a working of; when none of them is listed (or all are
    # blocked) the report does not show it as advice. Empty: the figure is about the case.
    paths: list[str] = []


class FindingDecl(_Strict):
    kind: FindingKind = "bool"
    title: Bilingual


class WarningDecl(_Strict):
    severity: Severity
    title: Bilingual
    # how soon the reader must act: 1 a deadline or harm that grows by the month,
    # 2 bears on which path to choose, 3 background. The report lists warnings in this order.
    urgency: int = Field(default=3, ge=1, le=3)
    next_step: Bilingual | None = None  # what to do this week, when the warning calls for an action


class PathDecl(_Strict):
    order: int = Field(description="Tie-break order when no rule ranks two paths (domain.md §11.6)")
    title: Bilingual
    description: Bilingual
    key_figures: list[str] = []
    next_step: Bilingual | None = None  # the first thing to do this week if this path is the first option


class Catalog(_Strict):
    figures: dict[str, FigureDecl]
    findings: dict[str, FindingDecl]
    warnings: dict[str, WarningDecl]
    paths: dict[str, PathDecl]
    missing_fields: dict[str, Bilingual] = {}
    # how coded values read in messages: {"other_debt.debt_type": {"tax": {ja: 税金, en: tax}}}
    labels: dict[str, dict[str, Bilingual]] = {}

    @model_validator(mode="after")
    def _known_paths(self) -> "Catalog":
        for name, fig in self.figures.items():
            unknown = [p for p in fig.paths if p not in self.paths]
            if unknown:
                raise ValueError(f"figure {name}: unknown paths {unknown}")
        for name, path in self.paths.items():
            unknown = [f for f in path.key_figures if f not in self.figures]
            if unknown:
                raise ValueError(f"path {name}: unknown key_figures {unknown}")
        return self


# ---------------------------------------------------------------------------
# Rule files


class FigureConclusion(_Strict):
    figure: str
    value: str

    @field_validator("value", mode="before")
    @classmethod
    def _num(cls, v: Any) -> Any:
        return str(v) if isinstance(v, int) and not isinstance(v, bool) else v


class FindingConclusion(_Strict):
    finding: str
    value: str | None = None

    @field_validator("value", mode="before")
    @classmethod
    def _num(cls, v: Any) -> Any:
        if isinstance(v, bool):
            return "true" if v else "false"
        return str(v) if isinstance(v, int) else v


class WarningConclusion(_Strict):
    warning: str
    message: Bilingual


class PathConclusion(_Strict):
    path: str
    summary: Bilingual


class BlockConclusion(_Strict):
    block: str
    reason: Bilingual


class RankConclusion(_Strict):
    rank: str
    above: list[str] | Literal["all"]
    step: int = Field(ge=1, le=9, description="The step of domain.md §11 this ordering comes from; lower wins")
    reason: Bilingual


class MissingConclusion(_Strict):
    missing: str
    blocks: list[str]
    message: Bilingual


Conclusion = (
    FigureConclusion
    | FindingConclusion
    | WarningConclusion
    | PathConclusion
    | BlockConclusion
    | RankConclusion
    | MissingConclusion
)
_CONCLUSION_KEYS = {
    "figure": FigureConclusion,
    "finding": FindingConclusion,
    "warning": WarningConclusion,
    "path": PathConclusion,
    "block": BlockConclusion,
    "rank": RankConclusion,
    "missing": MissingConclusion,
}


class RuleSpec(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")
    title: Bilingual
    sources: list[str] = Field(min_length=1)
    note: Bilingual | None = None
    when: list[str] = []
    then: list[Conclusion] = Field(min_length=1)

    @field_validator("then", mode="before")
    @classmethod
    def _typed(cls, items: Any) -> Any:
        if not isinstance(items, list):
            return items
        out = []
        for item in items:
            if isinstance(item, dict):
                kinds = [k for k in _CONCLUSION_KEYS if k in item]
                if len(kinds) != 1:
                    raise ValueError(
                        f"each conclusion needs exactly one of {', '.join(_CONCLUSION_KEYS)}; got keys {sorted(item)}"
                    )
                out.append(_CONCLUSION_KEYS[kinds[0]].model_validate(item))
            else:
                out.append(item)
        return out

    @field_validator("when", mode="before")
    @classmethod
    def _list(cls, v: Any) -> Any:
        return [v] if isinstance(v, str) else v


class TopicFile(_Strict):
    topic: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: Bilingual
    rules: list[RuleSpec] = Field(min_length=1)

    @model_validator(mode="after")
    def _ids_in_topic(self) -> "TopicFile":
        for rule in self.rules:
            if not rule.id.startswith(self.topic + "."):
                raise ValueError(f"rule id {rule.id!r} must start with the topic {self.topic!r}.")
        return self


class ParameterFile(_Strict):
    parameters: list[Parameter]


# ---------------------------------------------------------------------------
# Loaded, checked rules


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

    @property
    def id(self) -> str:
        return self.spec.id

    def produces(self) -> set[str]:
        return _produced_by(self.spec)


@dataclass
class RuleBase:
    root: Path
    version: str
    files: dict[str, str]  # file name -> sha256, for the audit trail
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


def default_rules_dir() -> Path:
    return Path(str(resources.files("rules")))


# ---------------------------------------------------------------------------
# The loader


class _Problems:
    def __init__(self) -> None:
        self.items: list[Problem] = []

    def add(self, location: str, ja: str, en: str) -> None:
        self.items.append(Problem(location, ja, en))


def _did_you_mean(name: str, choices: Any) -> tuple[str, str]:
    hint = difflib.get_close_matches(name, list(choices), n=1)
    if not hint:
        return "", ""
    return f"（もしかして {hint[0]}?）", f" (did you mean {hint[0]}?)"


def _read_yaml(path: Path, problems: _Problems) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path.name}:{mark.line + 1}:{mark.column + 1}" if mark else path.name
        problems.add(where, f"YAML として読めません: {exc}", f"not valid YAML: {exc}")
    except (OSError, UnicodeDecodeError) as exc:
        problems.add(path.name, f"読み込めません: {exc}", f"cannot read: {exc}")
    return None


def _pydantic_problems(where: str, exc: ValidationError, problems: _Problems) -> None:
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"])
        problems.add(f"{where}: {loc}" if loc else where, f"不正な定義です: {err['msg']}", err["msg"])


def load_rule_base(root: Path | str | None = None) -> RuleBase:
    """Load and check every file of a rule base; raise RuleBaseError listing every problem."""
    root = Path(root) if root is not None else default_rules_dir()
    problems = _Problems()
    if not root.is_dir():
        raise RuleBaseError([Problem(str(root), "ルールのフォルダがありません", "no such rule folder")])

    paths = sorted(p for p in root.glob("*.yaml") if p.is_file())
    digest = hashlib.sha256()
    files: dict[str, str] = {}
    for p in paths:
        data = p.read_bytes()
        files[p.name] = hashlib.sha256(data).hexdigest()
        digest.update(p.name.encode() + b"\0" + data + b"\0")

    parameters = _load_parameters(root / "parameters.yaml", problems)
    catalog = _load_catalog(root / "catalog.yaml", problems)
    for key in catalog.labels:
        scope, _, name = key.partition(".")
        model = FACT_TYPES.get(scope)
        if model is None or name not in model.model_fields:
            problems.add(f"catalog.yaml: labels.{key}", f"{key} という項目はありません", f"no fact field {key} to label")
    if problems.items:
        raise RuleBaseError(problems.items)

    topics: dict[str, Bilingual] = {}
    rules: list[Rule] = []
    seen: dict[str, str] = {}
    for p in paths:
        if p.name in SPECIAL_FILES:
            continue
        raw = _read_yaml(p, problems)
        if raw is None:
            continue
        try:
            topic = TopicFile.model_validate(raw)
        except ValidationError as exc:
            _pydantic_problems(p.name, exc, problems)
            continue
        topics[topic.topic] = topic.title
        for spec in topic.rules:
            if spec.id in seen:
                problems.add(
                    f"{p.name}: {spec.id}",
                    f"ルールID {spec.id} が {seen[spec.id]} と重複しています",
                    f"duplicate rule id {spec.id} (also in {seen[spec.id]})",
                )
                continue
            seen[spec.id] = p.name
            rule = _check_rule(spec, p.name, topic.topic, parameters, catalog, problems)
            if rule is not None:
                rules.append(rule)
    if not rules and not problems.items:
        problems.add(str(root), "ルールが1つもありません", "the rule base has no rules")
    if problems.items:
        raise RuleBaseError(problems.items)

    _stratify(rules)
    return RuleBase(
        root=root,
        version=digest.hexdigest(),
        files=files,
        parameters=parameters,
        catalog=catalog,
        topics=topics,
        rules=rules,
    )


def _load_parameters(path: Path, problems: _Problems) -> dict[str, Parameter]:
    if not path.exists():
        problems.add(path.name, "parameters.yaml がありません", "parameters.yaml is missing")
        return {}
    raw = _read_yaml(path, problems)
    try:
        pf = ParameterFile.model_validate(raw)
    except ValidationError as exc:
        _pydantic_problems(path.name, exc, problems)
        return {}
    out: dict[str, Parameter] = {}
    for prm in pf.parameters:
        if prm.name in out:
            problems.add(f"{path.name}: {prm.name}", "パラメータ名が重複しています", "duplicate parameter name")
        if prm.kind in ("yen", "int") and not isinstance(prm.value, int):
            problems.add(f"{path.name}: {prm.name}", "円・整数のパラメータは整数で書いてください", "yen and int parameters must be whole numbers")
        out[prm.name] = prm
    return out


def _load_catalog(path: Path, problems: _Problems) -> Catalog:
    empty = Catalog(figures={}, findings={}, warnings={}, paths={})
    if not path.exists():
        problems.add(path.name, "catalog.yaml がありません", "catalog.yaml is missing")
        return empty
    raw = _read_yaml(path, problems)
    try:
        return Catalog.model_validate(raw)
    except ValidationError as exc:
        _pydantic_problems(path.name, exc, problems)
        return empty


class _RuleChecker:
    """Resolves and checks one rule's expressions against the vocabulary."""

    def __init__(self, spec: RuleSpec, file: str, parameters: dict[str, Parameter], catalog: Catalog, problems: _Problems):
        self.spec, self.file, self.parameters, self.catalog, self.problems = spec, file, parameters, catalog, problems
        self.slots: dict[str, Slot] = {}
        self.absent: dict[str, Slot] = {}
        self.ok = True

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
            tree = E.normalise(E.parse(text))
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
            return c, self._value(c.value, where, cat.figures[c.figure].kind)
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
            return c, None
        if isinstance(c, PathConclusion):
            self._path(c.path, where)
            self._placeholders(c.summary, where)
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
            node = E.parse(text)
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
                self._use(fr.slot)
        return node

    def _placeholders(self, text: Bilingual, where: str) -> None:
        import string

        for lang in ("ja", "en"):
            for _, name, _, _ in string.Formatter().parse(getattr(text, lang)):
                if not name:
                    continue
                scope, _, fld = name.partition(".")
                fr = self.resolve(E.Ref(scope, fld or None), f"{where} {{{name}}}")
                if fr is not None:
                    self._use(fr.slot)


def _check_rule(
    spec: RuleSpec, file: str, topic: str, parameters: dict[str, Parameter], catalog: Catalog, problems: _Problems
) -> Rule | None:
    checker = _RuleChecker(spec, file, parameters, catalog, problems)
    conditions = [checker.condition(text, i) for i, text in enumerate(spec.when)]
    conclusions = [checker.conclusion(c, i) for i, c in enumerate(spec.then)]
    for key in sorted(set(checker.slots) & _produced_by(spec)):
        checker.fail(
            "then",
            f"{key} を自分で結論づけながら読んでいます（条件・値・メッセージ）。このルールは決して発火しません",
            f"reads {key}, which it concludes itself (in a condition, value or message): it could never fire",
        )
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


def _produced_by(spec: RuleSpec) -> set[str]:
    """The derived facts (figure.x, finding.x, path.x) a rule concludes, which other rules may read."""
    out = set()
    for c in spec.then:
        if isinstance(c, FigureConclusion):
            out.add(f"figure.{c.figure}")
        elif isinstance(c, FindingConclusion):
            out.add(f"finding.{c.finding}")
        elif isinstance(c, PathConclusion):
            out.add(f"path.{c.path}")
    return out


def _stratify(rules: list[Rule]) -> None:
    """Give each rule a stratum so every absence test runs after all producers of that fact.

    A rule that tests that X is absent must wait until no rule can still
    conclude X. Strata are the classic answer: producers of X sit in a lower
    stratum than any rule that tests X's absence. Input facts are all asserted
    before stratum 1 starts, so testing their absence needs stratum >= 1.
    """
    producers: dict[str, list[Rule]] = {}
    for r in rules:
        for key in r.produces():
            producers.setdefault(key, []).append(r)
    for r in rules:
        r.stratum = 1 if r.absent else 0
    limit = len(rules) + 2
    changed = True
    while changed:
        changed = False
        for r in rules:
            need = r.stratum
            for key in r.slots:
                for p in producers.get(key, []):
                    need = max(need, p.stratum)
            for key in r.absent:
                for p in producers.get(key, []):
                    need = max(need, p.stratum + 1)
            if need != r.stratum:
                if need > limit:
                    raise RuleBaseError(
                        [
                            Problem(
                                f"{r.file}: {r.id}",
                                "「ない」ことを条件にするルールが循環しています",
                                "rules depend on each other's absence in a cycle",
                            )
                        ]
                    )
                r.stratum = need
                changed = True
