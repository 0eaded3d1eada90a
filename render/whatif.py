"""What-if, smallest changes, sweeps and deadlines as people read them.

Built from the data app.whatif / app.deadlines return; nothing here assesses a case.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from app.diff import Change
from app.result import Result
from facts import display
from render.audit import value_text
from render.statutes import gloss_en, source_display

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
        if old == new and change.old is not None and change.new is not None:
            # the change is below what the rounded display shows: the exact values say it moved
            return f"{head}: {old} → {new} ({value_text(change.old)} → {value_text(change.new)})"
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


# ---------------------------------------------------------------------------
# --open / --close

_S = {
    "open_head": ("{path}を選択肢に入れる最小の変化（事案 {case}）", "Smallest change that lists {path} (case {case})"),
    "close_head": ("{path}を選択肢から外す最小の変化（事案 {case}）", "Smallest change that takes {path} off the list (case {case})"),
    "already_open": ("{path}はすでに選択肢に入っています", "{path} is already listed"),
    "already_close": ("{path}はもともと選択肢に入っていません", "{path} is not listed as it is"),
    "now": ("今は {now}、{delta}。正確な境目は {exact}", "now {now}, {delta}; the exact edge is {exact}"),
    "linear": ("方法: 線形 — ルール {rule} の条件「{cond}」を計算式をさかのぼって解いた値", "method: linear — solved back through the formulas from rule {rule}'s condition \"{cond}\""),
    "bisection": ("方法: 二分探索 — この入力の範囲で判定を繰り返して境目を求めた値", "method: bisection — the edge found by assessing across this input's range"),
    "not_monotone": ("（範囲内で結果が一方向に変わらないため、いまの値に最も近い境目です）", " (the outcome is not monotone over the range: this is the edge nearest the case as it is)"),
    "verified": ("判定で確認済み（正確な値と表示した値の両方）", "verified by assessing the changed case (the exact and the displayed value)"),
    "verified_exact": ("判定で確認済み（正確な値。表示した値は確認できていません）", "verified at the exact value (the displayed value was not)"),
    "then": ("そのとき", "then"),
    "unreachable": ("単独では届かない入力", "Inputs that cannot do it alone"),
    "no_single": ("どの入力も単独では届きません。", "No single input can do it."),
    "pair": ("2つの入力を変える最良の組合せ", "Best two-input change"),
    "no_pair": ("2つの入力の組合せでも届きません", "No change of two inputs does it either"),
    "paths": ("変えた後の進路", "paths after"),
    "count": ("判定 {n} 回", "{n} assessments"),
    "pair_method": ("方法: 1つ目の入力を範囲の1/4刻みで動かし、2つ目の入力の境目をそれぞれ二分探索して、変化の割合の合計が最も小さい組合せ（格子上の最良で、厳密な最小とは限りません）",
                    "method: the first input moved in quarter steps of its range, the second bisected at each; the pair with the smallest total relative change (best on that grid, not necessarily the exact minimum)"),
}

_DIR = {
    ("yen", 1): ("以上", "at least"),
    ("yen", -1): ("以下", "at most"),
    ("date", 1): ("以降（待つ）", "on or after"),
    ("date", -1): ("以前", "on or before"),
}


def s(key: str, lang: str, **kw: Any) -> str:
    ja, en = _S[key]
    return (ja if lang == "ja" else en).format(**kw)


def _lever_value(lever: Any, value: Any, lang: str) -> str:
    return display.date(value, lang) if lever.kind == "date" else display.yen(int(value), lang)


def _delta_text(lever: Any, value: Any, lang: str) -> str:
    if lever.kind == "date":
        days = (value - lever.current).days
        return f"{days}日後" if lang == "ja" else f"{days} days later"
    d = int(value) - int(lever.current)
    sign = "+" if d > 0 else "−"
    return sign + display.yen(abs(d), lang)


def _condition(lever: Any, exact: Any, shown: Any, lang: str) -> tuple[str, str]:
    direction = 1 if lever.num(exact) > lever.num(lever.current) else -1
    dir_word = _DIR[(lever.kind, direction)][0 if lang == "ja" else 1]
    value = _lever_value(lever, shown, lang)
    cond = f"{lever.title.get(lang)}が {value} {dir_word}" if lang == "ja" else f"{lever.title.get(lang)} is {dir_word} {value}"
    exact_text = exact.isoformat() if lever.kind == "date" else (f"{int(exact):,}円" if lang == "ja" else f"¥{int(exact):,}")
    now = s("now", lang, now=_lever_value(lever, lever.current, lang), delta=_delta_text(lever, shown, lang), exact=exact_text)
    return cond, now


def _answer_lines(search: Any, answer: Any, lang: str, title: str, results_titles: dict[str, Any], n: int | None) -> list[str]:
    parts = [_condition(l, e, v, lang) for l, e, v in zip(answer.levers, answer.values, answer.shown)]
    joiner = "、かつ" if lang == "ja" else ", and "
    conds = joiner.join(c for c, _ in parts)
    if lang == "ja":
        head = (f"{title}が選択肢に入るのは、{conds}のとき" if search.goal == "open" else f"{title}が選択肢から外れるのは、{conds}のとき")
        details = "。".join(now for _, now in parts)
        lines = [f"  {n}. {head}（{details}）"]
    else:
        head = (f"{title} is listed once {conds}" if search.goal == "open" else f"{title} drops off the list once {conds}")
        details = "; ".join(now for _, now in parts)
        lines = [f"  {n}. {head} ({details})"]
    if answer.method == "linear" and answer.condition is not None:
        lines.append("     " + s("linear", lang, rule=answer.condition.rule, cond=answer.condition.condition))
    elif len(answer.levers) > 1:
        lines.append("     " + s("pair_method", lang))
    else:
        lines.append("     " + s("bisection", lang) + ("" if answer.monotone else s("not_monotone", lang)))
    lines.append("     " + s("verified" if answer.shown_verified else "verified_exact", lang))
    figs = []
    for name, value in answer.figures.items():
        info = results_titles.get(name)
        if info is not None:
            figs.append(f"{info.title.get(lang)} {display.value(value, info.kind, lang, info.unit)}")
    if figs:
        lines.append(f"     {s('then', lang)}: " + ("、" if lang == "ja" else ", ").join(figs))
    names = search.path_titles  # a reader sees 任意売却, not voluntary_sale
    lines.append(f"     {s('paths', lang)}: " + " > ".join(names[p].get(lang) if p in names else p for p in answer.paths))
    return lines


def smallest_text(search: Any, original: Result, lang: str) -> str:
    """The text of ``zansai whatif CASE --open PATH`` / ``--close PATH``."""
    title = search.title.get(lang) if search.title is not None else _path_title(original, search.path, lang)
    if search.already:
        return s(f"already_{search.goal}", lang, path=title) + "\n"
    lines = [s(f"{search.goal}_head", lang, path=title, case=original.case_id)]
    if search.answers:
        lines.append("")
    for n, answer in enumerate(search.answers, start=1):
        lines.extend(_answer_lines(search, answer, lang, title, original.figure_info, n))
    if search.unreachable:
        lines += ["", f"{s('unreachable', lang)}: " + ("、" if lang == "ja" else ", ").join(l.title.get(lang) for l in search.unreachable)]
    if not search.answers:
        lines.append(s("no_single", lang))
        if search.pair is not None:
            lines += ["", s("pair", lang) + ":"]
            lines.extend(_answer_lines(search, search.pair, lang, title, original.figure_info, 1))
        else:
            lines.append(s("no_pair", lang))
    lines += ["", s("count", lang, n=search.assessments)]
    return "\n".join(lines) + "\n"


def _path_title(result: Result, path: str, lang: str) -> str:
    for r in result.recommendations:
        if r.path == path:
            return r.title.get(lang)
    return path


# ---------------------------------------------------------------------------
# --sweep

_W = {
    "head": ("{field}を {start} から {stop} まで {step} 刻みで（事案 {case}）", "{field} from {start} to {stop} in steps of {step} (case {case})"),
    "cols": (("値", "残債", "競売の場合の残債", "進路（順位順）"), ("value", "residual", "residual if auctioned", "paths (in rank order)")),
    "break_even": ("残債がなくなる境目（損益分岐）: {value}（判定で確認済み: この額で残債0円、1円{side}では残債あり）",
                   "Break-even, where the residual disappears: {value} (verified: no residual at this value, a residual 1 yen {side})"),
    "below": ("下", "below"),
    "above": ("上", "above"),
    "break_even_unverified": ("残債がなくなる境目（損益分岐）: {value}（確認できませんでした）", "Break-even: {value} (could not be verified)"),
    "no_break_even": ("この範囲では残債はなくなりません", "The residual does not disappear within this range"),
    "always_none": ("この範囲の最初から残債はありません", "There is no residual anywhere in this range"),
    "marker": ("◀ 損益分岐 {value}", "◀ break-even {value}"),
}


def w(key: str, lang: str, **kw: Any) -> Any:
    ja, en = _W[key]
    value = ja if lang == "ja" else en
    return value.format(**kw) if isinstance(value, str) else value


def _yen_cell(v: Any, lang: str) -> str:
    return "—" if v is None else display.yen(int(v), lang, table=True)


def sweep_text(table: Any, lang: str) -> str:
    """The text of ``zansai whatif CASE --sweep PATH=START..STOP:STEP``."""
    spec = table.spec
    lines = [w("head", lang, field=table.field_title.get(lang), start=display.yen(spec.start, lang),
               stop=display.yen(spec.stop, lang), step=display.yen(spec.step, lang), case=table.case_id), ""]
    cols = w("cols", lang)
    rows = [[table.field_title.get(lang), *cols[1:]]]
    marks: dict[int, str] = {}
    for i, r in enumerate(table.rows):
        titles = [table.path_titles[p].get(lang) if p in table.path_titles else p for p in r.paths]
        rows.append([_yen_cell(r.value, lang), _yen_cell(r.residual_debt, lang), _yen_cell(r.residual_debt_auction, lang),
                     " > ".join(titles) or "—"])
        if table.break_even is not None and i + 1 < len(table.rows) and _between(table.break_even, r.value, table.rows[i + 1].value):
            marks[len(rows)] = w("marker", lang, value=display.yen(table.break_even, lang))
    widths = [max(_width(row[c]) for row in rows) for c in range(3)]
    for n, row in enumerate(rows):
        if n in marks:
            lines.append("  " + marks[n])
        cells = [" " * (widths[c] - _width(row[c])) + row[c] for c in range(3)]
        lines.append("  " + "  ".join(cells) + "  " + row[3])
    lines.append("")
    if table.break_even is not None:
        key = "break_even" if table.break_even_verified else "break_even_unverified"
        lines.append(w(key, lang, value=display.yen(table.break_even, lang), side=w(table.residual_side or "below", lang)))
    elif table.rows and all(r.residual_debt == 0 for r in table.rows):
        lines.append(w("always_none", lang))
    else:
        lines.append(w("no_break_even", lang))
    return "\n".join(lines) + "\n"


def _between(value: int, here: int, there: int) -> bool:
    """Whether the break-even lies after row ``here`` and up to row ``there`` (a sweep may run downwards)."""
    return here < value <= there if here < there else there <= value < here


def _width(text: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


# ---------------------------------------------------------------------------
# deadlines

_D = {
    "head": ("事案 {case} の期限（{as_of}時点、日付順）", "Deadlines of case {case} (as of {as_of}, in date order)"),
    "none": ("この事案から導かれる期限はありません", "The case implies no deadlines"),
    "passed": ("経過", "passed"),
    "days": ("あと{n}日", "{n} days left"),
    "today": ("今日", "today"),
    "ago": ("{n}日前に経過", "passed {n} days ago"),
    "missing_head": ("日付が決まらない期限（事案に情報がありません）:", "Deadlines the case cannot date:"),
    "if_passed": ("過ぎると", "if it passes"),
    "sources": ("根拠", "sources"),
    "rules": ("ルール", "rules"),
    "why_missing": ("日付が決まらない理由", "why no date"),
    "ics": ("{n} 件の期限を {file} に書き出しました（カレンダーに取り込めます）", "{n} deadline(s) written to {file} (import it into a calendar)"),
}


def d_(key: str, lang: str, **kw: Any) -> str:
    ja, en = _D[key]
    return (ja if lang == "ja" else en).format(**kw)


def deadlines_text(result: Result, lang: str) -> str:
    """The text of ``zansai deadlines CASE``."""
    items = result.deadlines
    lines = [d_("head", lang, case=result.case_id, as_of=display.date(result.as_of, lang)), ""]
    if not items:
        lines.append(d_("none", lang))
        return "\n".join(lines) + "\n"
    sep = "、" if lang == "ja" else ", "

    def cited(sources: list[str]) -> str:
        # as the report cites them: a Japanese reader sees no "domain.md §11 (zansai policy)",
        # an English reader no 民法915条1項 (each act glossed with its Japanese name once)
        shown = [source_display(s, lang)[1] for s in sources]
        return sep.join(gloss_en(t, glossed) for t in shown) if lang == "en" else sep.join(shown)

    glossed: set[str] = set()

    for d in [d for d in items if d.date is not None]:
        if d.days_left is not None and d.days_left < 0:
            when = d_("ago", lang, n=-d.days_left)
        elif d.days_left == 0:
            when = d_("today", lang)
        else:
            when = d_("days", lang, n=d.days_left)
        lines.append(f"- {display.date(d.date, lang)}  {d.title.get(lang)}（{when}）" if lang == "ja"
                     else f"- {display.date(d.date, lang)}  {d.title.get(lang)} ({when})")
        lines.append(f"    {d_('if_passed', lang)}: {d.consequence.get(lang)}")
        if d.note is not None:
            lines.append(f"    {d.note.get(lang)}")
        lines.append(f"    {d_('sources', lang)}: {cited(d.sources)}" + (f"  ({d_('rules', lang)}: {', '.join(d.rules)})" if d.rules else ""))
    missing = [d for d in items if d.date is None]
    if missing:
        lines += ["", d_("missing_head", lang)]
        for d in missing:
            lines.append(f"- {d.title.get(lang)}")
            if d.missing is not None:
                lines.append(f"    {d_('why_missing', lang)}: {d.missing.get(lang)}")
            lines.append(f"    {d_('if_passed', lang)}: {d.consequence.get(lang)}")
            lines.append(f"    {d_('sources', lang)}: {cited(d.sources)}")
    return "\n".join(lines) + "\n"
