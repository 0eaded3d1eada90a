"""The facts a case becomes, as a person reads them (`zansai facts`) or as JSON."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from app.result_json import plain
from facts import display
from facts.builder import FactSet


def facts_json(factset: FactSet) -> str:
    data = {
        "facts": [{"id": f.id, "type": type(f).type, **plain(f.model_dump(exclude={"id"}))} for f in factset.facts],
        "params": {k: plain(v) for k, v in factset.params.items()},
        "overridden": sorted(factset.overridden),
    }
    return json.dumps(data, ensure_ascii=False, indent=2)


def facts_text(factset: FactSet, lang: str) -> str:
    lines = []
    for f in factset.facts:
        model = type(f)
        fields = ", ".join(f"{k}={_show(v, lang)}" for k, v in f.model_dump(exclude={"id"}).items() if v is not None)
        lines.append(f"{f.id} ({model.type}): {fields}")
    params = ", ".join(f"{k}={_show(v, lang)}" for k, v in factset.params.items())
    lines.append(("パラメータ: " if lang == "ja" else "params: ") + params)
    if factset.overridden:
        label = "事案で変更したパラメータ" if lang == "ja" else "overridden by the case"
        lines.append(f"{label}: {', '.join(sorted(factset.overridden))}")
    return "\n".join(lines) + "\n"


def _show(value: Any, lang: str) -> str:
    # numbers stay as the rules read them (digits) so they can be checked against a
    # condition; yes/no is a word and a date is written as in the report and explain
    if isinstance(value, bool):
        return display.value(value, "bool", lang)
    if isinstance(value, dt.date):
        return display.date(value, lang)
    return str(value)
