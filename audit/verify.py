"""Verifying a store: every record re-hashed, the chain walked, every rule file checked.

Names every altered, inserted or removed record, data erased without a
purge record, a purge stretched over other records, and (SQLite) damage to
the file itself.
"""

from __future__ import annotations

import json
import re
from typing import Any

from sqlalchemy import Connection, select

from audit.canonical import GENESIS, sha256_bytes, sha256_text
from audit.record import Finding, VerifyReport, header_of, seal
from audit.schema import chain_head, records, rule_files, rulesets


def verify_connection(conn: Connection, backend: str) -> VerifyReport:
    """Everything wrong with the store behind ``conn`` (read in one transaction)."""
    report = VerifyReport()
    _verify(conn, report, backend)
    return report


def _sqlite_integrity(conn: Connection, add: Any) -> None:
    """The file's own structure: integrity_check (not quick_check) also compares every index
    with its table, so a byte edited in an index copy of a record is caught and named too."""
    problems = [r[0] for r in conn.exec_driver_sql("PRAGMA integrity_check").all()]
    if problems == ["ok"]:
        return
    index_table = dict(conn.exec_driver_sql("SELECT name, tbl_name FROM sqlite_master WHERE type = 'index'").all())
    named = False
    for message in problems:
        m = re.match(r"row (\d+) missing from index (\S+)", message)
        if m and index_table.get(m.group(2)) == "records":  # records.id is the rowid
            rid = int(m.group(1))
            add(Finding(rid, f"記録 {rid} が改変されています（索引の写しと一致しません）",
                        f"record {rid} altered (it no longer matches its index entry)"))
            named = True
    if not named:
        add(Finding(None, "SQLite ファイルが壊れているか改変されています: " + "; ".join(problems[:3]),
                    "the SQLite file is damaged or altered: " + "; ".join(problems[:3])))


def _verify(conn: Connection, report: VerifyReport, backend: str) -> None:
    add = report.findings.append

    bad_rulesets: dict[str, str] = {}
    manifests: dict[str, str] = {}
    stored_files = {d: bytes(c) for d, c in conn.execute(select(rule_files.c.sha256, rule_files.c.content)).all()}
    for version, manifest_text, manifest_sha in conn.execute(select(rulesets)).all():
        manifests[version] = manifest_sha
        if sha256_text(manifest_text) != manifest_sha:
            bad_rulesets[version] = "manifest"
            continue
        try:
            manifest = json.loads(manifest_text)
        except ValueError:
            bad_rulesets[version] = "manifest"
            continue
        for name, digest in manifest.items():
            data = stored_files.get(digest)
            if data is None or sha256_bytes(data) != digest:
                bad_rulesets[version] = name
                break

    expected, prev = 1, GENESIS
    purged_by: dict[int, int] = {}
    stripped: set[int] = set()
    purge_lists: dict[int, list[int]] = {}
    for row in conn.execution_options(yield_per=200).execute(select(records).order_by(records.c.id)):
        rid = row.id
        report.records += 1
        if rid > expected:
            gap = f"{expected}" if rid == expected + 1 else f"{expected}〜{rid - 1}"
            add(Finding(expected, f"記録 {gap} が削除されています", f"record {gap.replace('〜', '-')} removed"))
        if seal(header_of(row._mapping)) != row.record_hash:
            add(Finding(rid, f"記録 {rid} が改変されています（内容が封印のハッシュと一致しません）",
                        f"record {rid} altered (its content no longer matches its seal)"))
        elif rid == expected and row.prev_hash != prev:
            add(Finding(rid, f"記録 {rid} が直前の記録につながりません（記録の挿入か差し替えがあります）",
                        f"record {rid} does not follow the record before it (a record was inserted or replaced)"))
        expected, prev = rid + 1, row.record_hash

        for column, digest_column, label_ja, label_en in (
            ("case_id", "case_id_sha256", "事案ID", "case id"),
            ("case_bytes", "case_sha256", "入力された事案", "case as given"),
            ("case_json", "case_json_sha256", "検証済みの事案", "validated case"),
            ("result_json", "result_sha256", "判定結果", "result"),
            ("reports_json", "reports_sha256", "表示した報告", "report as shown"),
            ("note", "note_sha256", "メモ", "note"),
        ):
            value, digest = row._mapping[column], row._mapping[digest_column]
            if value is None:
                if digest is not None and row.kind == "assessment":
                    stripped.add(rid)
                continue
            actual = sha256_bytes(bytes(value)) if column == "case_bytes" else sha256_text(value)
            if actual != digest:
                add(Finding(rid, f"記録 {rid} が改変されています（{label_ja}がハッシュと一致しません）",
                            f"record {rid} altered (its {label_en} no longer matches its hash)"))

        if row.kind == "assessment":
            if row.purged_by is not None:
                purged_by[rid] = row.purged_by
            version = row.ruleset_version
            if version not in manifests or manifests[version] != row.ruleset_manifest_sha256:
                add(Finding(rid, f"記録 {rid} のルールの版 {str(version)[:12]} が保存内容と一致しません",
                            f"record {rid}: the rule files of version {str(version)[:12]} are missing or altered"))
            elif version in bad_rulesets:
                add(Finding(rid, f"記録 {rid} のルールファイル {bad_rulesets[version]} が改変されています",
                            f"record {rid}: its rule file {bad_rulesets[version]} is missing or altered"))
        elif row.kind == "purge":
            try:
                purge_lists[rid] = [int(x) for x in json.loads(row.purges or "[]")]
            except (ValueError, TypeError):
                purge_lists[rid] = []
        else:
            add(Finding(rid, f"記録 {rid} の種類 {row.kind} は不明です", f"record {rid} has an unknown kind {row.kind}"))

    head = conn.execute(select(chain_head).where(chain_head.c.singleton == 1)).one_or_none()
    last = expected - 1
    if head is None:
        add(Finding(None, "記録の末尾の印（chain_head）がありません", "the chain head is missing"))
    elif head.last_id > last:
        gap = f"{last + 1}" if head.last_id == last + 1 else f"{last + 1}〜{head.last_id}"
        add(Finding(last + 1, f"最新の記録 {gap} が削除されています", f"newest record {gap.replace('〜', '-')} removed"))
    elif head.last_id < last:
        add(Finding(head.last_id + 1, f"記録 {head.last_id + 1} 以降は zansai の外で追加されています",
                    f"record {head.last_id + 1} and after were inserted outside zansai"))
    elif head.last_hash != prev:
        add(Finding(last, f"記録 {last} が差し替えられています（末尾の印と一致しません）",
                    f"record {last} was replaced (it does not match the chain head)"))

    listed = {target: pid for pid, targets in purge_lists.items() for target in targets}
    for rid in sorted(stripped | set(purged_by)):
        pid = purged_by.get(rid)
        if pid is None or listed.get(rid) != pid or pid <= rid:
            add(Finding(rid, f"記録 {rid} のデータが消去の記録なしに削除されています",
                        f"record {rid}: data removed without a purge record"))
    for target, pid in sorted(listed.items()):
        if target not in purged_by and target not in stripped:
            add(Finding(target, f"記録 {target} は消去の記録 {pid} にあるのにデータが残っています",
                        f"record {target} is listed by purge record {pid} but still holds its data"))
    if backend == "sqlite":
        _sqlite_integrity(conn, add)
    report.findings.sort(key=lambda f: (f.record is not None, f.record or 0))  # stable: content findings first
