"""The audit trail as people read it: the record list, verify's findings, a replay's decision diff.

Every text is built from data the desk or the store returned; nothing here
queries the store or runs the engine.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from app.diff import Change, DecisionDiff, ParameterChange, RuleChange

_T = {
    "no_records": ("記録はありません", "no records"),
    "purged": ("（消去済み）", " (purged)"),
    "verify_ok": ("改ざんは見つかりませんでした: {n} 件の記録を検証しました（{store}）",
                  "no tampering found: {n} records verified ({store})"),
    "verify_bad": ("改ざんが見つかりました（{store}）。最初の問題:", "tampering found ({store}). First problem:"),
    "verify_all": ("見つかった問題（{n} 件）:", "all problems found ({n}):"),
    "bundle_ok": ("バンドルは完全です: 記録 {id}（封印 {hash}）。元の記録簿でこの封印を確かめられます",
                  "the bundle is whole: record {id} (seal {hash}); the store that made it can confirm this seal"),
    "bundle_bad": ("バンドルが改変されています:", "the bundle has been altered:"),
    "replay_head": ("記録 {id}（事案 {case}、{at}、担当 {advisor}）を再判定しました",
                    "Record {id} (case {case}, {at}, advisor {advisor}) replayed"),
    "replay_rules": ("ルール: 記録時 {old} → 今回 {new}", "Rules: recorded {old} -> now {new}"),
    "same_version": ("（同じ版）", " (same version)"),
    "identical": ("記録された判定結果と完全に一致します", "identical to the recorded result"),
    "not_identical": ("記録された判定結果と一致しません", "differs from the recorded result"),
    "unchanged": ("判断は変わりません", "the decision is unchanged"),
    "changes": ("判断の変化:", "What changed in the decision:"),
    "because": ("理由", "because"),
    "no_reason": ("（ルールの違いは、判定の記録からはこの変化にたどり着きません）",
                  "(no rule-base difference reaches this change through the trace)"),
    "read_by": ("読むルール", "read by"),
    "rb_diff": ("ルールの違い（全体）:", "Rule-base differences (all):"),
    "rb_none": ("ルールの定義に違いはありません", "no rule or parameter definition differs"),
    "summary": ("{n} 件を再判定: 変化あり {changed} 件、変化なし {same} 件",
                "{n} records replayed: {changed} changed, {same} unchanged"),
    "not_replayed": ("再判定できませんでした", "could not be replayed"),
    "failed_summary": ("再判定できなかった記録 {n} 件:", "{n} records could not be replayed:"),
    "record": ("記録 {id}", "record {id}"),
    "purge_done": ("事案 {case} の記録 {ids} から個人データを消去しました（消去の記録 {id}）",
                   "personal data of case {case} erased from records {ids} (purge record {id})"),
    "recorded": ("記録しました: 記録 {id}（zansai audit show {id}）", "recorded as record {id} (zansai audit show {id})"),
    "rerendered": ("注意: 記録 {id} には、この言語・形式で表示した報告が保存されていません。"
                   "保存された判定結果から、今日の表示プログラムで作り直したものを表示します",
                   "note: record {id} keeps no report as printed in this language and form; "
                   "this is its stored result rendered again by today's renderer"),
    "exported": ("記録 {id} を {file} に書き出しました", "record {id} exported to {file}"),
}

_KIND = {
    "path_added": ("進路が加わりました", "path added"),
    "path_removed": ("進路がなくなりました", "path removed"),
    "path_reranked": ("順位が変わりました", "path re-ranked"),
    "path_blocked": ("進路が閉ざされました", "path now blocked"),
    "path_unblocked": ("進路の制限がなくなりました", "path no longer blocked"),
    "figure_changed": ("数値が変わりました", "figure changed"),
    "figure_added": ("数値が加わりました", "figure added"),
    "figure_removed": ("数値がなくなりました", "figure removed"),
    "warning_added": ("注意点が加わりました", "warning added"),
    "warning_removed": ("注意点がなくなりました", "warning removed"),
}

_CHANGE = {"added": ("追加", "added"), "removed": ("削除", "removed"), "changed": ("変更", "changed")}
_CAUSE = {"parameter": ("パラメータ", "parameter"), "rule": ("ルール", "rule")}  # what a change's "because" names
_FIELD = {
    "when": ("条件", "conditions"),
    "then": ("結論", "conclusions"),
    "title": ("題名", "title"),
    "sources": ("根拠", "sources"),
    "note": ("注記", "note"),
    "file": ("ファイル", "file"),
}


def t(key: str, lang: str, **kw: Any) -> str:
    ja, en = _T[key]
    return (ja if lang == "ja" else en).format(**kw)


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[0] if lang == "ja" else pair[1]


def value_text(value: Any, lang: str = "ja") -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, (float, Decimal)):  # a ratio: four places say whether it moved, sixteen only add noise
        return f"{Decimal(value):,.4f}".rstrip("0").rstrip(".")
    if isinstance(value, list) and value and all(isinstance(v, dict) and {"from", "value"} <= set(v) for v in value):
        # a parameter's dated values, each with the date it takes effect
        return ", ".join(
            f"{value_text(v['value'], lang)}（{v['from']}から）" if lang == "ja" else f"{value_text(v['value'], lang)} (from {v['from']})"
            for v in value
        )
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


# ---------------------------------------------------------------------------
# list


def record_list(rows: list[dict[str, Any]], lang: str) -> str:
    if not rows:
        return t("no_records", lang) + "\n"
    lines = []
    for r in rows:
        case = r["case_id"] if r["case_id"] is not None else "—"
        mark = t("purged", lang) if r.get("purged") else ""
        lines.append(
            f"{r['id']:>5}  {r['recorded_at']}  {case}  {r['advisor'] or '—'}  "
            f"{(r['rank1'] or '—')}  {(r['ruleset_version'] or '')[:12]}{mark}"
        )
    return "\n".join(lines) + "\n"


def record_list_json(rows: list[dict[str, Any]]) -> str:
    keys = ("id", "case_id", "advisor", "recorded_at", "ruleset_version", "rank1", "purged")
    return json.dumps([{k: r.get(k) for k in keys} for r in rows], ensure_ascii=False, indent=2) + "\n"


# ---------------------------------------------------------------------------
# verify


def verify_text(report: Any, store: str, lang: str) -> str:
    if report.ok:
        return t("verify_ok", lang, n=report.records, store=store) + "\n"
    lines = [t("verify_bad", lang, store=store), "  " + report.first.text(lang)]
    if len(report.findings) > 1:
        lines.append(t("verify_all", lang, n=len(report.findings)))
        lines.extend("  - " + f.text(lang) for f in report.findings)
    return "\n".join(lines) + "\n"


def bundle_text(findings: list[Any], bundle: dict[str, Any], lang: str) -> str:
    if not findings:
        record = bundle.get("record", {})
        return t("bundle_ok", lang, id=record.get("id"), hash=bundle.get("record_hash")) + "\n"
    return "\n".join([t("bundle_bad", lang), *("  - " + f.text(lang) for f in findings)]) + "\n"


# ---------------------------------------------------------------------------
# replay


def _change_line(change: Change, lang: str) -> str:
    title = change.title.get(lang) if change.title is not None else change.name
    head = f"{_pick(_KIND[change.kind], lang)}: {title} ({change.name})"
    if change.kind.startswith("path_re") or change.kind in ("path_added", "path_removed"):
        rank = (lambda n: "—" if n is None else (f"{n}位" if lang == "ja" else f"#{n}"))
        return f"{head} {rank(change.old)} → {rank(change.new)}"
    if change.kind.startswith("figure"):
        return f"{head}: {value_text(change.old, lang)} → {value_text(change.new, lang)}"
    if change.kind == "path_blocked" and isinstance(change.new, dict):
        return f"{head}: {change.new.get(lang, '')}"
    return head


def _reason_line(reason: RuleChange | ParameterChange, lang: str, via: list[str] | None = None) -> str:
    title = f"（{reason.title.get(lang)}）" if lang == "ja" and reason.title else (
        f" ({reason.title.get(lang)})" if reason.title else "")
    change = _pick(_CHANGE[reason.change], lang)
    if isinstance(reason, ParameterChange):
        word = _pick(_CAUSE["parameter"], lang)
        text = f"{word} {reason.name}{title}: {change} {value_text(reason.old, lang)} → {value_text(reason.new, lang)}"
        if via:
            text += f"; {t('read_by', lang)}: {', '.join(via)}"
        return text
    word = _pick(_CAUSE["rule"], lang)
    fields = ", ".join(_pick(_FIELD.get(f, (f, f)), lang) for f in reason.fields)
    return f"{word} {reason.id}{title}: {change}" + (f" ({fields})" if fields else "")


def diff_text(diff: DecisionDiff, lang: str) -> list[str]:
    lines: list[str] = []
    reasons = diff.reasons()
    if diff.unchanged:
        lines.append(t("unchanged", lang))
    else:
        lines.append(t("changes", lang))
        told: set[tuple[str, tuple[str, ...]]] = set()  # a cause given in full once; after that by name
        for change in diff.changes:
            lines.append("  - " + _change_line(change, lang))
            if diff.rule_base is not None and not diff.rule_base.empty:
                if change.because:
                    for key in change.because:
                        name = key.split(":", 1)[1]
                        via = tuple(change.via.get(name) or ())
                        if (key, via) in told:
                            word = _pick(_CAUSE[key.split(":", 1)[0]], lang)
                            lines.append(f"      {t('because', lang)}: {word} {name} " + ("（上と同じ）" if lang == "ja" else "(as above)"))
                            continue
                        told.add((key, via))
                        lines.append(f"      {t('because', lang)}: " + _reason_line(reasons[key], lang, change.via.get(name)))
                else:
                    lines.append("      " + t("no_reason", lang))
    if diff.rule_base is not None:
        lines.append("")
        if diff.rule_base.empty:
            lines.append(t("rb_none", lang))
        else:
            lines.append(t("rb_diff", lang))
            for reason in [*diff.rule_base.rules, *diff.rule_base.parameters]:
                lines.append("  - " + _reason_line(reason, lang))
    return lines


def replay_text(replay: Any, lang: str) -> str:
    rec = replay.record
    old, new = replay.recorded.ruleset.version, replay.replayed.ruleset.version
    lines = [
        t("replay_head", lang, id=rec.id, case=rec.case_id, at=rec.recorded_at, advisor=rec.advisor or "—"),
        t("replay_rules", lang, old=old[:12], new=new[:12]) + (t("same_version", lang) if old == new else ""),
    ]
    if old == new:
        lines.append(t("identical", lang) if replay.identical else t("not_identical", lang))
    lines.append("")
    lines.extend(diff_text(replay.diff, lang))
    return "\n".join(lines) + "\n"


def replay_all_text(every: Any, lang: str) -> str:
    """The summary of ``replay --all``: a line a record, the counts, and every record that could not be replayed."""
    lines = []
    changed = 0
    for rp in every.replays:
        counts = rp.diff.counts()
        if counts:
            changed += 1
            detail = ", ".join(f"{_pick(_KIND[k], lang)} {n}" for k, n in sorted(counts.items()))
        else:
            detail = t("unchanged", lang)
        lines.append(f"{rp.record.id:>5}  {rp.record.case_id}  {detail}")
    for failure in every.failures:
        lines.append(f"{failure.record:>5}  {failure.case_id or '—'}  {t('not_replayed', lang)}")
    n = len(every.replays)
    lines.append(t("summary", lang, n=n, changed=changed, same=n - changed))
    if every.failures:
        lines.append(t("failed_summary", lang, n=len(every.failures)))
        for failure in every.failures:
            reasons = "; ".join(p.line(lang) for p in failure.problems)
            lines.append(f"  - {t('record', lang, id=failure.record)}: {reasons}")
    return "\n".join(lines) + "\n"
