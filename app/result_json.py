"""The Result as JSON, both ways: the public document of shared/spec/case-format.md.

``dump`` writes every text in the chosen language under its own key and in
both languages under ``texts``; ``restore`` reads such a document back (in
either language) into what the Result's models validate. Exact numbers
(Fractions, Decimals) become JSON numbers only here, with ``plain``.
"""

from __future__ import annotations

import datetime as dt
import types
import typing
from decimal import Decimal
from fractions import Fraction
from typing import Any

from pydantic import BaseModel

from app.result import (
    ConditionSeen,
    Deadline,
    Derived,
    FigureInfo,
    Firing,
    InputFact,
    Parameter,
    RankReason,
    Recommendation,
    RuleEvaluation,
    WarningItem,
)
from facts.models import field_names as _fields
from facts.text import Bilingual



def plain(value: Any) -> Any:
    """A value as JSON holds it: integers stay integers, exact fractions become floats only here."""
    if isinstance(value, bool) or value is None or isinstance(value, (int, str)):
        return value
    if isinstance(value, Fraction):
        return int(value) if value.denominator == 1 else float(value)
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() and value.as_tuple().exponent >= 0 else float(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return value
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


# Values that JSON holds as they are: most of a Result, so they skip every other test.
_AS_IS = frozenset({str, int, bool, float, type(None)})


# The models a Result holds by the thousand are written out by hand, field by
# field in declaration order, as the generic ``_dump`` would: the same document,
# at a fraction of the cost. tests/test_result_build.py compares the two.


def _both(text: Bilingual) -> dict[str, str]:
    return {"ja": text.ja, "en": text.en}


def _dump_condition(c: ConditionSeen, lang: str) -> dict[str, Any]:
    d = c.__dict__
    values = d["values"]
    kept = c.__pydantic_private__["_kept"]
    if kept is not None:  # one for every result that saw this condition with these values (app.assemble): worked out once
        plain = kept.plain
        if plain is None:
            plain = kept.plain = all(type(v) in _AS_IS for v in values.values())
    else:
        plain = False
    return {
        "text": d["text"],
        "values": dict(values) if plain else {k: v if type(v) in _AS_IS else _dump_any(v, lang) for k, v in values.items()},
        "result": d["result"],
        "evaluated": c.evaluated,
    }


def _dump_firing(f: Firing, lang: str) -> dict[str, Any]:
    d = f.__dict__
    title, note = d["title"], d["note"]
    texts = {"title": _both(title)}
    if note is not None:
        texts["note"] = _both(note)
    return {
        "index": d["index"],
        "rule": d["rule"],
        "title": title.get(lang),
        "sources": list(d["sources"]),
        "note": None if note is None else note.get(lang),
        "stratum": d["stratum"],
        "matched": list(d["matched"]),
        "conditions": [_dump_condition(c, lang) for c in d["conditions"]],
        "concluded": list(d["concluded"]),
        "parameters": list(d["parameters"]),
        "texts": texts,
    }


def _dump_derived(r: Derived, lang: str) -> dict[str, Any]:
    d = r.__dict__
    value, text, extra = d["value"], d["text"], d["extra"]
    out = {
        "id": d["id"],
        "kind": d["kind"],
        "name": d["name"],
        "value": value if type(value) in _AS_IS else _dump_any(value, lang),
        "value_kind": d["value_kind"],
        "about": list(d["about"]),
        "firings": list(d["firings"]),
        "text": None if text is None else text.get(lang),
        "extra": _dump_any(extra, lang) if extra else {},
    }
    if text is not None:
        out["texts"] = {"text": _both(text)}
    return out


# A parameter's value is the rule base's own object in case after case, and a
# Decimal is slow to write out (is it whole?): the JSON value is kept per object.
_KEPT: dict[int, tuple[Any, Any]] = {}
_KEPT_MAX = 4096  # overrides bring new objects: start over rather than grow


def _kept(value: Any, lang: str) -> Any:
    known = _KEPT.get(id(value))
    if known is not None and known[0] is value:  # the object is kept with it, so its id is not reused
        return known[1]
    out = _dump_any(value, lang)
    if type(value) is Decimal or type(value) is dt.date:  # immutable, and so is what they become
        if len(_KEPT) >= _KEPT_MAX:
            _KEPT.clear()
        _KEPT[id(value)] = (value, out)
    return out


def _dump_parameter(p: Parameter, lang: str) -> dict[str, Any]:
    name, value, default, overridden, title, sources, kind, unit, applies_on, on, since, practice, used, ja, en = _row_of(
        _PARAMETER_ROWS, p, lang, _parameter_row
    )
    return {
        "name": name,
        "value": value,
        "default": default,
        "overridden": overridden,
        "title": title,
        "sources": list(sources),
        "kind": kind,
        "unit": unit,
        "applies_on": applies_on,
        "on": on,
        "in_force_from": since,
        "practice": practice,
        "used": used,
        "texts": {"title": {"ja": ja, "en": en}},
    }


# A Parameter is frozen and, for a value in force, shared by the results of every case on its
# date (app.assemble._parameters); so is a FigureInfo: what their entries hold is worked out
# once per language (``_row_of``).
_PARAMETER_ROWS: dict[tuple[int, str], tuple[Any, tuple[Any, ...]]] = {}
_FIGURE_ROWS: dict[tuple[int, str], tuple[Any, tuple[Any, ...]]] = {}


def _row_of(rows: dict[tuple[int, str], tuple[Any, tuple[Any, ...]]], model: Any, lang: str, make: Any) -> tuple[Any, ...]:
    """``make(model, lang)``, kept per frozen model and language (the model kept with it, so its id is not reused)."""
    known = rows.get((id(model), lang))
    if known is None or known[0] is not model:
        if len(rows) >= _KEPT_MAX:
            rows.clear()
        known = rows[(id(model), lang)] = (model, make(model, lang))
    return known[1]


def _parameter_row(p: Parameter, lang: str) -> tuple[Any, ...]:
    d = p.__dict__
    value, default, on, since, title = d["value"], d["default"], d["on"], d["in_force_from"], d["title"]
    return (
        d["name"],
        value if type(value) in _AS_IS else _kept(value, lang),
        default if type(default) in _AS_IS else _kept(default, lang),
        d["overridden"],
        title.get(lang),
        tuple(d["sources"]),
        d["kind"],
        d["unit"],
        d["applies_on"],
        None if on is None else on.isoformat(),
        None if since is None else since.isoformat(),
        d["practice"],
        d["used"],
        title.ja,
        title.en,
    )


def _dump_input(f: InputFact, lang: str) -> dict[str, Any]:
    d = f.__dict__
    return {
        "id": d["id"],
        "type": d["type"],
        "fields": {k: v if type(v) in _AS_IS else _dump_any(v, lang) for k, v in d["fields"].items()},
    }


def _dump_figure_info(f: FigureInfo, lang: str) -> dict[str, Any]:
    kind, unit, title, fact, paths, ja, en = _row_of(_FIGURE_ROWS, f, lang, _figure_row)
    return {
        "kind": kind,
        "unit": unit,
        "title": title,
        "fact": fact,
        "paths": list(paths),
        "texts": {"title": {"ja": ja, "en": en}},
    }


def _figure_row(f: FigureInfo, lang: str) -> tuple[Any, ...]:
    d = f.__dict__
    title = d["title"]
    return (d["kind"], d["unit"], title.get(lang), d["fact"], tuple(d["paths"]), title.ja, title.en)


def _advice_texts(
    title: Bilingual, key: str, body: Bilingual, next_step: Bilingual | None, bring: list[Bilingual]
) -> dict[str, Any]:
    """The ``texts`` of a warning or a recommendation: its title, its body (``message`` or
    ``summary``), and its next step and what to bring when it has them."""
    texts: dict[str, Any] = {"title": _both(title), key: _both(body)}
    if next_step is not None:
        texts["next_step"] = _both(next_step)
    if bring:  # an empty list is written as it is, with no texts
        texts["bring"] = [_both(b) for b in bring]
    return texts


def _dump_warning(w: WarningItem, lang: str) -> dict[str, Any]:
    d = w.__dict__
    title, message, next_step, bring = d["title"], d["message"], d["next_step"], d["bring"]
    texts = _advice_texts(title, "message", message, next_step, bring)
    return {
        "id": d["id"],
        "severity": d["severity"],
        "title": title.get(lang),
        "rules": list(d["rules"]),
        "message": message.get(lang),
        "about": list(d["about"]),
        "urgency": d["urgency"],
        "next_step": None if next_step is None else next_step.get(lang),
        "bring": [b.get(lang) for b in bring],
        "fact": d["fact"],
        "texts": texts,
    }


def _dump_rank_reason(r: RankReason, lang: str) -> dict[str, Any]:
    d = r.__dict__
    reason = d["reason"]
    return {
        "rule": d["rule"],
        "step": d["step"],
        "above": list(d["above"]),
        "reason": reason.get(lang),
        "applied": d["applied"],
        "texts": {"reason": _both(reason)},
    }


def _dump_recommendation(r: Recommendation, lang: str) -> dict[str, Any]:
    d = r.__dict__
    title, summary, next_step, bring = d["title"], d["summary"], d["next_step"], d["bring"]
    texts = _advice_texts(title, "summary", summary, next_step, bring)
    return {
        "path": d["path"],
        "rank": d["rank"],
        "title": title.get(lang),
        "rules": list(d["rules"]),
        "summary": summary.get(lang),
        "figures": {k: v if type(v) in _AS_IS else _dump_any(v, lang) for k, v in d["figures"].items()},
        "ranking": [_dump_rank_reason(x, lang) for x in d["ranking"]],
        "next_step": None if next_step is None else next_step.get(lang),
        "bring": [b.get(lang) for b in bring],
        "fact": d["fact"],
        "texts": texts,
    }


def _dump_rule_evaluation(e: RuleEvaluation, lang: str) -> dict[str, Any]:
    d = e.__dict__
    title = d["title"]
    return {
        "rule": d["rule"],
        "title": title.get(lang),
        "sources": list(d["sources"]),
        "fired": d["fired"],
        "absent": list(d["absent"]),
        "unexpected": list(d["unexpected"]),
        "bindings": [list(b) for b in d["bindings"]],
        "conditions": [[_dump_condition(c, lang) for c in seen] for seen in d["conditions"]],
        "producers": {k: list(v) for k, v in d["producers"].items()},
        "texts": {"title": _both(title)},
    }


def _dump_deadline(x: Deadline, lang: str) -> dict[str, Any]:
    d = x.__dict__
    date, title, consequence, note, missing = d["date"], d["title"], d["consequence"], d["note"], d["missing"]
    texts = {"title": _both(title), "consequence": _both(consequence)}
    if note is not None:
        texts["note"] = _both(note)
    if missing is not None:
        texts["missing"] = _both(missing)
    return {
        "id": d["id"],
        "date": None if date is None else date.isoformat(),
        "title": title.get(lang),
        "consequence": consequence.get(lang),
        "sources": list(d["sources"]),
        "rules": list(d["rules"]),
        "note": None if note is None else note.get(lang),
        "missing": None if missing is None else missing.get(lang),
        "status": d["status"],
        "days_left": d["days_left"],
        "texts": texts,
    }


def _dump_bilingual(text: Bilingual, lang: str) -> dict[str, str]:
    return {"ja": text.ja, "en": text.en}


_FAST: dict[type, Any] = {
    ConditionSeen: _dump_condition,
    Firing: _dump_firing,
    Derived: _dump_derived,
    Parameter: _dump_parameter,
    InputFact: _dump_input,
    FigureInfo: _dump_figure_info,
    WarningItem: _dump_warning,
    RankReason: _dump_rank_reason,
    Recommendation: _dump_recommendation,
    RuleEvaluation: _dump_rule_evaluation,
    Deadline: _dump_deadline,
    Bilingual: _dump_bilingual,
}


def dump(model: BaseModel, lang: str) -> dict[str, Any]:
    fast = _FAST.get(type(model))
    if fast is not None:
        return fast(model, lang)
    return _dump_fields(model, lang)


def _dump_fields(model: BaseModel, lang: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    texts: dict[str, Any] = {}
    values = model.__dict__  # pydantic keeps field values here; reading it skips attribute lookup
    for name in _fields(type(model)):
        value = values[name]
        kind = type(value)
        if kind in _AS_IS:
            out[name] = value
        elif isinstance(value, Bilingual):
            out[name] = value.get(lang)
            texts[name] = _both(value)
        elif kind is list and value and all(isinstance(v, Bilingual) for v in value):
            out[name] = [v.get(lang) for v in value]
            texts[name] = [_both(v) for v in value]
        else:
            out[name] = _dump_any(value, lang)
    if texts:
        out["texts"] = texts
    if type(model) is ConditionSeen:  # written out last, where the document has always had it
        out["evaluated"] = model.evaluated
    return out


def _dump_any(value: Any, lang: str) -> Any:
    kind = type(value)
    if kind in _AS_IS:
        return value
    if kind is list or kind is tuple:
        return [v if type(v) in _AS_IS else _dump_any(v, lang) for v in value]
    if kind is dict:
        return {k: v if type(v) in _AS_IS else _dump_any(v, lang) for k, v in value.items()}
    fast = _FAST.get(kind)
    if fast is not None:
        return fast(value, lang)
    if isinstance(value, BaseModel):
        return dump(value, lang)
    if isinstance(value, dict):
        return {k: _dump_any(v, lang) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_dump_any(v, lang) for v in value]
    return plain(value)


def restore(data: Any, cls: type[BaseModel]) -> Any:
    if not isinstance(data, dict):
        return data
    texts = data.get("texts", {})
    out: dict[str, Any] = {}
    for name, info in cls.model_fields.items():
        if name not in data:
            continue
        if name in texts:
            out[name] = texts[name]
            continue
        out[name] = _restore_as(data[name], info.annotation)
    if cls is ConditionSeen and "evaluated" in data:
        out["evaluated"] = data["evaluated"]
    return out


def _restore_as(value: Any, annotation: Any) -> Any:
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        models = [a for a in typing.get_args(annotation) if isinstance(a, type) and issubclass(a, BaseModel)]
        return restore(value, models[0]) if models and isinstance(value, dict) else value
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return restore(value, annotation)
    if origin is list and isinstance(value, list):
        (item,) = typing.get_args(annotation)
        return [_restore_as(v, item) for v in value]
    if origin is dict and isinstance(value, dict):
        _, item = typing.get_args(annotation)
        return {k: _restore_as(v, item) for k, v in value.items()}
    return value
