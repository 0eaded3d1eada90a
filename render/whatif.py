"""What-if, smallest changes, sweeps and deadlines as people read them.

Built from the data app.whatif / app.deadlines return; nothing here assesses a case.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from app.diff import Change
from app.result import Result
from facts import display

_T = {
    "head": ("事案 {case} の仮定（what-if）", "What-if for case {case}"),
    "inputs": ("変えた入力:", "Inputs changed:"),
    "paths_before": ("元の進路", "Paths before"),
    "paths_after": ("変えた後の進路", "Paths after"),
    "none": ("（なし）", "(none)"),
    "unchanged": ("判断は変わりません", "The decision does not change"),
    "changes": ("判断の変化:", "What changes in the decision:"),
    "rules": ("ルール", "rules"),
}

_KIND = {
    "path_added": ("進路が加わります", "path added"),
    "path_removed": ("進路がなくなります", "path removed"),
    "path_reranked": ("順位が変わります", "path re-ranked"),
    "path_blocked": ("進路が閉ざされます", "path now blocked"),
    "path_unblocked": ("進路の制限がなくなります", "path no longer blocked"),
    "figure_changed": ("数値が変わります", "figure changed"),
    "figure_added": ("数値が加わります", "figure added"),
    "figure_removed": ("数値がなくなります", "figure removed"),
    "warning_added": ("注意点が加わります", "warning added"),
    "warning_removed": ("注意点がなくなります", "warning removed"),
}


def t(key: str, lang: str, **kw: Any) -> str:
    ja, en = _T[key]
    return (ja if lang == "ja" else en).format(**kw)


def input_value(value: Any, kind: str, lang: str) -> str:
    """A case input as an advisor reads it."""
    if value is None:
        return "—"
    if kind == "yen" and isinstance(value, int):
        return display.yen(value, lang)
    if kind == "date" and isinstance(value, dt.date):
        return display.date(value, lang)
    if kind == "rate":
        return display.percent(value)
    if kind == "flag":
        return display.value(value, "bool", lang)
    return str(value)


def _figure_value(value: Any, name: str, results: tuple[Result, ...], lang: str) -> str:
    for r in results:
        info = r.figure_info.get(name)
        if info is not None:
            return display.value(value, info.kind, lang, info.unit)
    return display.neutral(value)


def _rank(n: Any, lang: str) -> str:
    return "—" if n is None else (f"{n}位" if lang == "ja" else f"#{n}")


def change_line(change: Change, lang: str, results: tuple[Result, ...]) -> str:
    title = change.title.get(lang) if change.title is not None else change.name
    head = f"{_KIND[change.kind][0 if lang == 'ja' else 1]}: {title} ({change.name})"
    if change.kind in ("path_added", "path_removed", "path_reranked"):
        return f"{head} {_rank(change.old, lang)} → {_rank(change.new, lang)}"
    if change.kind.startswith("figure"):
        old = _figure_value(change.old, change.name, results, lang) if change.old is not None else "—"
        new = _figure_value(change.new, change.name, results, lang) if change.new is not None else "—"
        return f"{head}: {old} → {new}"
    if change.kind == "path_blocked" and isinstance(change.new, dict):
        return f"{head}: {change.new.get(lang, '')}"
    return head


def path_list(result: Result, lang: str) -> str:
    if not result.recommendations:
        return t("none", lang)
    return " > ".join(r.title.get(lang) for r in result.recommendations)


def whatif_text(outcome: Any, lang: str) -> str:
    """The text of ``zansai whatif CASE --set …``."""
    lines = [t("head", lang, case=outcome.case.case_id), "", t("inputs", lang)]
    for i in outcome.inputs:
        lines.append(f"  {i.path}: {input_value(i.old, i.kind, lang)} → {input_value(i.new, i.kind, lang)}")
    lines += ["", f"{t('paths_before', lang)}: {path_list(outcome.original, lang)}",
              f"{t('paths_after', lang)}: {path_list(outcome.result, lang)}", ""]
    results = (outcome.original, outcome.result)
    if outcome.diff.unchanged:
        lines.append(t("unchanged", lang))
    else:
        lines.append(t("changes", lang))
        for change in outcome.diff.changes:
            lines.append("  - " + change_line(change, lang, results))
            if change.rules:
                lines.append(f"      {t('rules', lang)}: {', '.join(change.rules)}")
    return "\n".join(lines) + "\n"
