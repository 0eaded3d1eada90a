"""Loading a rule base from its files: a folder, the installed package, or stored bytes.

A rule base is a set of YAML files:

- ``parameters.yaml``: every threshold and rate, dated and sourced;
- ``catalog.yaml``: the names rules may conclude (figures, findings,
  warnings, paths) with their titles;
- every other ``*.yaml``: one topic's rules.

Whatever the source, the loader reads the files' bytes first and works only
from them, so a folder, the installed package and a version kept by an audit
store load the same way (bytes in, rule base out). The ``version`` is a
content hash over the file names and bytes; each file's own hash is kept
too, so a result names exactly the rules that produced it.

Everything is checked when it loads: the schema, every expression, every
name a rule reads or concludes. A rule base that loads is one the engine can
run.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from facts.errors import Problem, RuleBaseError
from facts.text import Bilingual
from facts.vocabulary import FACT_TYPES
from knowledge.check import Problems, check_rule
from knowledge.stratify import stratify
from knowledge.model import Rule, RuleBase
from knowledge.parameters import Parameter
from knowledge.schema import Catalog, ParameterFile, TopicFile

SPECIAL_FILES = {"parameters.yaml", "catalog.yaml"}
PACKAGE = "<installed>"

# Bounds on a rule file from ``--rules`` or a stored version. The largest real
# file is about 60 KB and 8 levels deep; the bounds leave room to grow while
# keeping a hostile file from taking the machine's memory or time.
MAX_RULE_FILE_BYTES = 4 * 1024 * 1024
MAX_RULE_FILE_DEPTH = 64
MAX_RULE_FILE_EVENTS = 1_000_000


def default_rules_dir() -> Path:
    return Path(str(resources.files("rules")))


def read_rule_files(root: Path | str | None = None) -> tuple[dict[str, bytes], str]:
    """The rule files of a folder (default: the installed package) as bytes, and where they came from."""
    folder = Path(root) if root is not None else default_rules_dir()
    if not folder.is_dir():
        raise RuleBaseError([Problem(str(folder), "ルールのフォルダがありません", "no such rule folder")])
    files: dict[str, bytes] = {}
    problems = Problems()
    for path in sorted(p for p in folder.glob("*.yaml") if p.is_file()):
        try:
            with path.open("rb") as stream:
                data = stream.read(MAX_RULE_FILE_BYTES + 1)
        except OSError as exc:
            problems.add(path.name, f"読み込めません: {exc.strerror or exc}", f"cannot read: {exc.strerror or exc}")
            continue
        if len(data) > MAX_RULE_FILE_BYTES:
            problems.add(path.name, *_too_large())
            continue
        files[path.name] = data
    if problems.items:
        raise RuleBaseError(problems.items)
    origin = f"{folder} ({PACKAGE})" if root is None else str(folder)
    return files, origin


def content_version(files: Mapping[str, bytes]) -> str:
    """The rule base's version: one hash over every file's name and bytes, in name order."""
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + files[name] + b"\0")
    return digest.hexdigest()


def load_rule_base(root: Path | str | None = None) -> RuleBase:
    """Load and check the rule base in a folder (default: the installed package)."""
    files, origin = read_rule_files(root)
    return load_rule_base_from_files(files, origin=origin)


def load_rule_base_from_files(files: Mapping[str, bytes], origin: str = "<files>") -> RuleBase:
    """Load and check a rule base from its files' bytes; raise RuleBaseError listing every problem.

    A rule base that loaded once is kept by content (``knowledge.cache``): the
    same files load again without being parsed and checked.
    """
    from knowledge.cache import cached

    if any("/" in name or "\\" in name or not name.endswith(".yaml") for name in files):
        return _load_from_files(files, origin)  # refused there, with the reason
    ordered = {name: bytes(files[name]) for name in sorted(files)}
    rule_base = cached(content_version(ordered), lambda: _load_from_files(ordered, origin))
    if rule_base.origin != origin:
        rule_base = dataclasses.replace(rule_base, origin=origin)
    return rule_base


def _load_from_files(files: Mapping[str, bytes], origin: str) -> RuleBase:
    problems = Problems()
    bad = [name for name in files if "/" in name or "\\" in name or not name.endswith(".yaml")]
    for name in bad:
        problems.add(name, "ルールファイルは *.yaml の名前だけで指定してください", "a rule file is named *.yaml, with no folder")
    if problems.items:
        raise RuleBaseError(problems.items)
    files = {name: bytes(files[name]) for name in sorted(files)}

    parameters = _load_parameters(files, problems)
    catalog = _load_catalog(files, problems)
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
    for name, data in files.items():
        if name in SPECIAL_FILES:
            continue
        raw = _read_yaml(name, data, problems)
        if raw is None:
            continue
        try:
            topic = TopicFile.model_validate(raw)
        except ValidationError as exc:
            _pydantic_problems(name, exc, problems, raw)
            continue
        topics[topic.topic] = topic.title
        for spec in topic.rules:
            if spec.id in seen:
                problems.add(
                    f"{name}: {spec.id}",
                    f"ルールID {spec.id} が {seen[spec.id]} と重複しています",
                    f"duplicate rule id {spec.id} (also in {seen[spec.id]})",
                )
                continue
            seen[spec.id] = name
            rule = check_rule(spec, name, topic.topic, parameters, catalog, problems)
            if rule is not None:
                rules.append(rule)
    if not rules and not problems.items:
        problems.add(origin, "ルールが1つもありません", "the rule base has no rules")
    if problems.items:
        raise RuleBaseError(problems.items)

    stratify(rules)
    return RuleBase(
        origin=origin,
        version=content_version(files),
        sources=files,
        files={name: hashlib.sha256(data).hexdigest() for name, data in files.items()},
        parameters=parameters,
        catalog=catalog,
        topics=topics,
        rules=rules,
    )


def _too_large() -> tuple[str, str]:
    return (
        f"ファイルが大きすぎます（上限 {MAX_RULE_FILE_BYTES:,} バイト）",
        f"the file is too large (the limit is {MAX_RULE_FILE_BYTES:,} bytes)",
    )


def _bounded(name: str, text: str, problems: Problems) -> bool:
    """Whether the file's YAML stays within bounds, read as events before anything is built.

    Anchors and aliases are refused outright: no rule file needs them, and an
    alias of an alias of a list is how a few hundred bytes become billions of
    values for the checker to walk.
    """
    depth = events = 0
    # per open mapping: the keys seen so far and whether a key comes next; None for a sequence.
    # A key given twice would silently replace the first (a second `when:` pasted into a rule
    # dropped its conditions), so it is refused here, where the events still carry the line.
    frames: list[list[Any] | None] = []
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    for event in yaml.parse(text, Loader=loader):
        events += 1
        top = frames[-1] if frames else None
        if isinstance(event, yaml.ScalarEvent) and top is not None:
            if top[1]:
                if event.value in top[0]:
                    mark = event.start_mark
                    problems.add(
                        f"{name}:{mark.line + 1}:{mark.column + 1}",
                        f"キー {event.value} が同じところに2回あります（後の値が前の値を黙って置き換えます）。1つにまとめてください",
                        f"the key {event.value} is given twice here (the second would silently replace the first): keep one",
                    )
                    return False
                top[0].add(event.value)
            top[1] = not top[1]
        elif isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            if top is not None:
                top[1] = not top[1]  # a container is a value (or, rarely, a key): the next item alternates
            frames.append([set(), True] if isinstance(event, yaml.MappingStartEvent) else None)
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            frames.pop()
        anchor = getattr(event, "anchor", None)
        if isinstance(event, yaml.AliasEvent) or anchor:
            mark = event.start_mark
            problems.add(
                f"{name}:{mark.line + 1}:{mark.column + 1}",
                "ルールファイルではアンカー（&）とエイリアス（*）を使えません。値をそれぞれ書いてください",
                "anchors (&) and aliases (*) are not allowed in rule files; write each value out",
            )
            return False
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_RULE_FILE_DEPTH:
                problems.add(name, f"入れ子が深すぎます（{MAX_RULE_FILE_DEPTH} 段まで）", f"nested too deeply (at most {MAX_RULE_FILE_DEPTH} levels)")
                return False
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1
        if events > MAX_RULE_FILE_EVENTS:
            problems.add(name, f"値が多すぎます（{MAX_RULE_FILE_EVENTS:,} 個まで）", f"too many values (at most {MAX_RULE_FILE_EVENTS:,})")
            return False
    return True


def _read_yaml(name: str, data: bytes, problems: Problems) -> Any:
    if len(data) > MAX_RULE_FILE_BYTES:  # stored files come here without passing the folder reader
        problems.add(name, *_too_large())
        return None
    try:
        text = data.decode("utf-8-sig")
        if not _bounded(name, text, problems):
            return None
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        from facts.yaml12 import yaml_problem_ja

        mark = getattr(exc, "problem_mark", None)
        where = f"{name}:{mark.line + 1}:{mark.column + 1}" if mark else name
        # the problem alone: PyYAML's text repeats the place as 'in "<unicode string>", line 924'
        english = getattr(exc, "problem", None) or str(exc)
        context = getattr(exc, "context", None)
        ja = yaml_problem_ja(english)
        problems.add(
            where,
            f"YAML として読めません: {ja or english}",
            f"not valid YAML: {english}" + (f" ({context})" if context else ""),
        )
    except UnicodeDecodeError as exc:
        problems.add(name, f"UTF-8 として読めません（{exc.start} バイト目）", f"not UTF-8 (byte {exc.start})")
    except RecursionError:
        problems.add(name, "入れ子が深すぎます", "nested too deeply")
    return None


def _pydantic_problems(where: str, exc: ValidationError, problems: Problems, raw: Any = None) -> None:
    """Each problem pydantic found, located by rule id or parameter name rather than list index, and
    the commonest (a key missing, a key unknown) said in both languages with a "did you mean"."""
    errors = exc.errors()
    missing = {str(e["loc"][-1]) for e in errors if e["type"] == "missing" and e["loc"]}
    seen: set[tuple[str, str]] = set()
    for err in errors:
        place, rest = _named(err["loc"], raw)
        key = str(err["loc"][-1]) if err["loc"] else ""
        if err["type"] == "missing":
            ja, en = f"{key} がありません（必要な項目です）", f"{key} is required"
        elif err["type"] == "extra_forbidden":
            hint_ja, hint_en = _did_you_mean_key(key)
            if key in missing:  # the same key is missing one level up or down: it is indented wrongly
                hint_ja, hint_en = "（字下げがずれていませんか）", " (is it indented wrongly?)"
            ja, en = f"知らない項目 {key} です{hint_ja}", f"unknown key {key}{hint_en}"
            rest = rest[: rest.rfind(".")] if "." in rest else ""
        elif place and _loc_is_value(err["loc"]):
            # pydantic reports each type of the value's union: one message naming the parameter's kind
            kind = _raw_item(err["loc"], raw).get("kind", "?")
            rest = ".".join(str(p) for p in err["loc"][2:] if str(p) not in ("int", "decimal", "date"))
            ja = f"値 {err['input']!r} は kind: {kind} の値として読めません（yen・int は整数、ratio は数、date は日付で書きます）"
            en = f"the value {err['input']!r} cannot be read as kind {kind} (yen and int are whole numbers, ratio a number, date a date)"
        else:
            ja, en = f"不正な定義です: {err['msg']}", err["msg"]
        location = " ".join(x for x in (place, rest) if x)
        if (location, en) in seen:  # a union reports each member it tried: once is enough
            continue
        seen.add((location, en))
        problems.add(f"{where}: {location}" if location else where, ja, en)


def _loc_is_value(loc: tuple) -> bool:
    """A parameter's value (``value``, or ``values.N.value``), reported once per type of the union it is."""
    tail = [str(p) for p in loc[2:]]
    return loc[0] == "parameters" and (tail[:1] == ["value"] or (len(tail) >= 3 and tail[0] == "values" and tail[2] == "value"))


def _raw_item(loc: tuple, raw: Any) -> dict:
    """The rule or parameter entry (as written) that ``rules.N`` / ``parameters.N`` points to; {} if none."""
    items = raw.get(loc[0]) if isinstance(raw, dict) else None
    item = items[loc[1]] if isinstance(items, list) and isinstance(loc[1], int) and loc[1] < len(items) else None
    return item if isinstance(item, dict) else {}


def _named(loc: tuple, raw: Any) -> tuple[str, str]:
    """(``rule id`` or ``parameter name`` in place of ``rules.57`` / ``parameters.11``, the rest of the location)."""
    parts = [str(p) for p in loc]
    if len(loc) >= 2 and loc[0] in ("rules", "parameters"):
        name = _raw_item(loc, raw).get("id" if loc[0] == "rules" else "name")
        if isinstance(name, str) and name:
            return name, ".".join(parts[2:])
    return "", ".".join(parts)


def _did_you_mean_key(key: str) -> tuple[str, str]:
    import difflib

    from knowledge import schema

    known: set[str] = set(Parameter.model_fields) | {"from", "ja", "en"}
    for model in vars(schema).values():
        if isinstance(model, type) and issubclass(model, schema._Strict):
            known |= set(model.model_fields)
    hint = difflib.get_close_matches(key, sorted(known), n=1, cutoff=0.5)
    return (f"（もしかして {hint[0]}?）", f" (did you mean {hint[0]}?)") if hint else ("", "")


def _load_parameters(files: Mapping[str, bytes], problems: Problems) -> dict[str, Parameter]:
    name = "parameters.yaml"
    if name not in files:
        problems.add(name, "parameters.yaml がありません", "parameters.yaml is missing")
        return {}
    raw = _read_yaml(name, files[name], problems)
    try:
        pf = ParameterFile.model_validate(raw)
    except ValidationError as exc:
        _pydantic_problems(name, exc, problems, raw)
        return {}
    out: dict[str, Parameter] = {}
    for prm in pf.parameters:
        if prm.name in out:
            problems.add(f"{name}: {prm.name}", "パラメータ名が重複しています", "duplicate parameter name")
        for entry in prm.history:
            if prm.kind in ("yen", "int") and not isinstance(entry.value, int):
                problems.add(f"{name}: {prm.name}", "円・整数のパラメータは整数で書いてください", "yen and int parameters must be whole numbers")
        out[prm.name] = prm
    return out


def _load_catalog(files: Mapping[str, bytes], problems: Problems) -> Catalog:
    name = "catalog.yaml"
    empty = Catalog(figures={}, findings={}, warnings={}, paths={})
    if name not in files:
        problems.add(name, "catalog.yaml がありません", "catalog.yaml is missing")
        return empty
    raw = _read_yaml(name, files[name], problems)
    try:
        return Catalog.model_validate(raw)
    except ValidationError as exc:
        _pydantic_problems(name, exc, problems)
        return empty
