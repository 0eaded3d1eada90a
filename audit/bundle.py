"""Bundles: one record with its case, result, reports and rule files, checkable on any machine."""

from __future__ import annotations

import base64
from typing import Any

from audit.canonical import canonical_text, document_text, sha256_bytes, sha256_text
from audit.record import Finding, StoredRecord, header_fields, now, seal

BUNDLE_FORMAT = "zansai-audit-bundle"
BUNDLE_VERSION = 1


def make_bundle(rec: StoredRecord, files: dict[str, bytes], store: str) -> dict[str, Any]:
    """The bundle of a stored assessment (not purged) and the rule files of its version."""
    assert rec.case_bytes is not None
    return {
        "format": BUNDLE_FORMAT,
        "format_version": BUNDLE_VERSION,
        "exported_at": now(),
        "store": store,
        "record": rec.header,
        "record_hash": rec.record_hash,
        "case_id": rec.case_id,
        "case_bytes_b64": base64.b64encode(rec.case_bytes).decode("ascii"),
        "case": rec.case,
        "result": rec.result,
        "reports": rec.reports,
        "note": rec.note,
        "ruleset": {
            "version": rec.ruleset_version,
            "files": {
                name: {"sha256": sha256_bytes(data), "content_b64": base64.b64encode(data).decode("ascii")}
                for name, data in files.items()
            },
        },
    }



def verify_bundle(bundle: Any) -> tuple[list[Finding], dict[str, bytes]]:
    """Check an exported bundle on its own; return the findings and its rule files.

    It proves the bundle is internally whole: every part matches the hash
    sealed in the record's header, and the header matches its record hash.
    Comparing that record hash with the store's chain (``audit verify``
    there) proves the record is the one the store holds.
    """
    findings: list[Finding] = []

    def bad(ja: str, en: str) -> None:
        findings.append(Finding(None, ja, en))

    if not isinstance(bundle, dict) or bundle.get("format") != BUNDLE_FORMAT:
        bad("zansai の監査バンドルではありません", "not a zansai audit bundle")
        return findings, {}
    if bundle.get("format_version") != BUNDLE_VERSION:
        bad(f"バンドルの形式 {bundle.get('format_version')} は読めません", f"unknown bundle format version {bundle.get('format_version')}")
        return findings, {}
    header = bundle.get("record")
    header_format = header.get("format") if isinstance(header, dict) else None
    if not isinstance(header_format, int) or any(name not in header for name in header_fields(header_format)):
        bad("記録のヘッダーが欠けています", "the record header is incomplete")
        return findings, {}
    if seal(header) != bundle.get("record_hash"):
        bad("記録のヘッダーが封印のハッシュと一致しません", "the record header does not match its record hash")

    def check(label_ja: str, label_en: str, actual: str | None, expected: str | None) -> None:
        if actual != expected:
            bad(f"{label_ja}がハッシュと一致しません", f"the {label_en} does not match its hash")

    try:
        case_bytes = base64.b64decode(bundle.get("case_bytes_b64", ""), validate=True)
    except (ValueError, TypeError):
        case_bytes = b""
        bad("入力された事案が読めません", "the case as given cannot be decoded")
    case_id = bundle.get("case_id")
    check("事案ID", "case id", sha256_text(case_id) if isinstance(case_id, str) else None, header["case_id_sha256"])
    check("入力された事案", "case as given", sha256_bytes(case_bytes), header["case_sha256"])
    check("検証済みの事案", "validated case", sha256_text(document_text(bundle.get("case"))), header["case_json_sha256"])
    check("判定結果", "result", sha256_text(document_text(bundle.get("result"))), header["result_sha256"])
    reports = bundle.get("reports")
    check("表示した報告", "report as shown", None if reports is None else sha256_text(document_text(reports)),
          header.get("reports_sha256"))
    note = bundle.get("note")
    check("メモ", "note", None if note is None else sha256_text(note), header["note_sha256"])

    files: dict[str, bytes] = {}
    ruleset = bundle.get("ruleset") or {}
    if ruleset.get("version") != header["ruleset_version"]:
        bad("ルールの版が記録と一致しません", "the rule-set version does not match the record")
    for name, entry in sorted((ruleset.get("files") or {}).items()):
        try:
            data = base64.b64decode(entry.get("content_b64", ""), validate=True)
        except (ValueError, TypeError, AttributeError):
            bad(f"ルールファイル {name} が読めません", f"rule file {name} cannot be decoded")
            continue
        if sha256_bytes(data) != entry.get("sha256"):
            bad(f"ルールファイル {name} がハッシュと一致しません", f"rule file {name} does not match its hash")
        files[name] = data
    manifest = {name: sha256_bytes(data) for name, data in files.items()}
    if sha256_text(canonical_text(manifest)) != header["ruleset_manifest_sha256"]:
        bad("ルールファイルの一覧が記録と一致しません", "the rule files do not match the record's rule-set manifest")
    return findings, files
