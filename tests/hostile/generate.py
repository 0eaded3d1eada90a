"""Writes the hostile corpus: ``python tests/hostile/generate.py``.

Each file is something a careless or malicious user could hand zansai; the
expectation beside it (``expected.json``) says what zansai must answer:
the exit code, the field (or ``@file`` for a problem with the file as a
whole, ``@line`` when it must carry line and column), and words the English
message must contain. Files are written by this script, not by hand, because
many are deliberately broken in ways an editor would "fix" (BOMs, NULs,
UTF-16, control characters). The two inputs too large to keep in the
repository (an oversized file, ``/dev/zero``) are made by the test itself.
"""

from __future__ import annotations

import json
from pathlib import Path

HERE = Path(__file__).parent
FILES = HERE / "files"

BASE = """case_id: "h-1"
as_of: 2026-11-26
debtor:
  annual_income: 300万
mortgage:
  lender_type: bank
  balance: 2000万
"""

CORPUS: dict[str, tuple[bytes | str, dict]] = {}


def case(name: str, content: bytes | str, exit: int, field: str | None = None, says: str | None = None, facts: str | None = None, ja: str | None = None) -> None:
    expect: dict = {"exit": exit}
    if field:
        expect["field"] = field
    if says:
        expect["says"] = says
    if facts:
        expect["facts"] = facts
    if ja:
        expect["ja"] = ja
    assert name not in CORPUS, name
    CORPUS[name] = (content, expect)


def with_line(old: str, new: str) -> str:
    assert old in BASE, old
    return BASE.replace(old, new)


def balance(text: str) -> str:
    return with_line("  balance: 2000万\n", f"  balance: {text}\n")


def mortgage_extra(text: str) -> str:
    return BASE + text


def debtor_extra(text: str) -> str:
    return with_line("  annual_income: 300万\n", "  annual_income: 300万\n" + text)


# --- YAML 1.1 numbers that used to be read silently as other numbers
case("octal_balance.yaml", balance("031000000"), 0, facts="balance=31000000")
case("sexagesimal_balance.yaml", balance("31:00"), 2, "mortgage.balance", "'31:00'")
case("hex_balance.yaml", balance("0x10"), 2, "mortgage.balance", "'0x10'")
case("octal_o_balance.yaml", balance("0o17"), 2, "mortgage.balance", "'0o17'")
case("case_id_leading_zero.yaml", with_line('case_id: "h-1"', "case_id: 0412"), 0, facts="case_id=0412")
case("age_leading_zero.yaml", debtor_extra("  age: 045\n"), 0, facts="age=45")
case("arrears_leading_zero.yaml", mortgage_extra("  arrears_months: 010\n"), 0, facts="arrears_months=10")
case("arrears_true.yaml", mortgage_extra("  arrears_months: true\n"), 2, "mortgage.arrears_months", "true")
case("age_false.yaml", debtor_extra("  age: false\n"), 2, "debtor.age", "false")
case("balance_true.yaml", balance("true"), 2, "mortgage.balance", "boolean")
case("household_yes.yaml", debtor_extra("  household_size: yes\n"), 2, "debtor.household_size", "'yes'")
case("accelerated_yes.yaml", mortgage_extra("  accelerated: yes\n"), 2, "mortgage.accelerated", "true or false")
case("accelerated_one.yaml", mortgage_extra("  accelerated: 1\n"), 2, "mortgage.accelerated", "true or false")
case("welfare_on.yaml", debtor_extra("  on_welfare: on\n"), 2, "debtor.on_welfare", "true or false")
case("exponent_balance.yaml", balance("1e7"), 2, "mortgage.balance", "'1e7'")
case("exponent_huge.yaml", balance("1.5e400"), 2, "mortgage.balance")
case("fraction_balance.yaml", balance("2000.5"), 2, "mortgage.balance", "fraction of a yen")
case("tiny_balance.yaml", balance("0.0000001"), 2, "mortgage.balance", "fraction of a yen")
case("negative_balance.yaml", balance("-1"), 2, "mortgage.balance", "negative")
case("unicode_minus_income.yaml", with_line("  annual_income: 300万\n", "  annual_income: −300万\n"), 2, "debtor.annual_income", "negative")
case("balance_2_pow_53.yaml", balance("9007199254740993"), 2, "mortgage.balance", "1兆円")
case("balance_over_1cho.yaml", balance("1000000000001"), 2, "mortgage.balance", "1兆円")
case("balance_1cho.yaml", balance("1000000000000"), 0, facts="balance=1000000000000")
case("balance_5000_digits.yaml", balance("9" * 5000), 2, "mortgage.balance", "1兆円")
case("balance_long_text.yaml", balance('"1' + "0" * 300 + '万"'), 2, "mortgage.balance", "too long")
case("balance_inf.yaml", balance(".inf"), 2, "mortgage.balance", "finite")
case("balance_nan.yaml", balance(".nan"), 2, "mortgage.balance", "finite")
case("balance_fullwidth.yaml", balance("２０００万円"), 0, facts="balance=20000000")
case("balance_mixed_width.yaml", balance("2０0０万円"), 0, facts="balance=20000000")
case("balance_units_out_of_order.yaml", balance("1億10000万"), 2, "mortgage.balance", "out of order")
case("balance_rtl_mark.yaml", balance('"\u202e2000万"'), 2, "mortgage.balance")
case("balance_comma_misplaced.yaml", balance('"20,00,000"'), 2, "mortgage.balance", "separator")
case("balance_list.yaml", balance("[1, 2]"), 2, "mortgage.balance")
case("balance_mapping.yaml", balance("{a: 1}"), 2, "mortgage.balance")
case("age_huge.yaml", debtor_extra("  age: " + "9" * 40 + "\n"), 2, "debtor.age", "too large")
case("age_131.yaml", debtor_extra("  age: 131\n"), 2, "debtor.age", "at most 130")
case("arrears_huge.yaml", mortgage_extra("  arrears_months: 99999999\n"), 2, "mortgage.arrears_months", "too large")
case("rate_over_one.yaml", mortgage_extra("  late_damage_rate: 146%\n"), 2, "mortgage.late_damage_rate", "between 0 and 1")
case("rate_negative.yaml", mortgage_extra("  late_damage_rate: -0.1\n"), 2, "mortgage.late_damage_rate", "negative")

# --- dates
case("as_of_9999.yaml", with_line("as_of: 2026-11-26", "as_of: 9999-12-31"), 2, "as_of", "between 1900-01-01 and 2200-12-31")
case("as_of_year_1.yaml", with_line("as_of: 2026-11-26", "as_of: 0001-01-01"), 2, "as_of", "between")
case("contract_1899.yaml", mortgage_extra("  contract_date: 1899-12-31\n"), 2, "mortgage.contract_date", "between")
case("as_of_2201.yaml", with_line("as_of: 2026-11-26", "as_of: 2201-01-01"), 2, "as_of", "between")
case("showa_100.yaml", mortgage_extra("  contract_date: 昭和100年1月1日\n"), 2, "mortgage.contract_date", "there is no 昭和 100", ja="昭和100年はありません")
case("heisei_99.yaml", mortgage_extra("  contract_date: H99.1.1\n"), 2, "mortgage.contract_date", "the 平成 era ended")
case("showa_0.yaml", mortgage_extra("  contract_date: 昭和0年1月1日\n"), 2, "mortgage.contract_date", "year 0")
case("feb_30.yaml", mortgage_extra("  contract_date: 2025-02-30\n"), 2, "mortgage.contract_date", "no such date")
case("date_with_time.yaml", mortgage_extra("  contract_date: 2025-06-27 10:00:00\n"), 2, "mortgage.contract_date", "without a time")
case("date_as_number.yaml", mortgage_extra("  contract_date: 20250627\n"), 2, "mortgage.contract_date")
case("meiji_5.yaml", mortgage_extra("  contract_date: 明治5年1月1日\n"), 2, "mortgage.contract_date", "lunar")
case("reiwa_gannen.yaml", mortgage_extra("  contract_date: 令和元年5月1日\n"), 0, facts="contract_date=2019年（令和元年）5月1日")
case("date_fullwidth.yaml", mortgage_extra("  contract_date: ２０２１－１０－０１\n"), 0, facts="contract_date=2021年（令和3年）10月1日")
case("date_year_99999.yaml", mortgage_extra('  contract_date: "99999-01-01"\n'), 2, "mortgage.contract_date")

# --- text fields
case("case_id_newline.yaml", with_line('case_id: "h-1"', 'case_id: "a\\nb"'), 2, "case_id", "U+000A")
case("case_id_ansi.yaml", with_line('case_id: "h-1"', 'case_id: "\\e[31mred"'), 2, "case_id", "U+001B")
case("case_id_rtl_override.yaml", with_line('case_id: "h-1"', 'case_id: "\u202eabc"'), 2, "case_id", "U+202E")
case("case_id_huge.yaml", with_line('case_id: "h-1"', "case_id: " + "x" * 5000), 2, "case_id", "too long")
case("case_id_empty.yaml", with_line('case_id: "h-1"', 'case_id: ""'), 2, "case_id", "empty")
case("case_id_binary_tag.yaml", with_line('case_id: "h-1"', "case_id: !!binary aGVsbG8="), 2, "@line", "!!binary")
case("case_id_list.yaml", with_line('case_id: "h-1"', "case_id: [1, 2]"), 2, "case_id", "text")
case("case_id_date.yaml", with_line('case_id: "h-1"', "case_id: 2026-04-12"), 0, facts="case_id=2026-04-12")
case("case_id_null.yaml", with_line('case_id: "h-1"', "case_id: null"), 2, "case_id")
case("guarantor_name_newline.yaml", BASE + 'guarantors:\n  - {kind: joint_guarantor, name: "妻\\n## 偽の見出し"}\n', 2, "guarantors[0].name", "U+000A")
case("occupation_huge.yaml", debtor_extra("  occupation: " + "会" * 300 + "\n"), 2, "debtor.occupation", "too long")
case("creditor_nul_escape.yaml", BASE + 'other_debts:\n  - {type: card_loan, balance: 10万, creditor: "a\\0b"}\n', 2, "other_debts[0].creditor", "U+0000")
case("relation_bidi_isolate.yaml", BASE + 'guarantors:\n  - {kind: guarantor, relation: "\u2067spouse"}\n', 2, "guarantors[0].relation", "U+2067")

# --- encodings and bytes
text = BASE
case("utf16le_bom.yaml", b"\xff\xfe" + text.encode("utf-16-le"), 2, "@file", "UTF-16")
case("utf16be_bom.yaml", b"\xfe\xff" + text.encode("utf-16-be"), 2, "@file", "UTF-16")
case("utf16le_no_bom.yaml", text.encode("utf-16-le"), 2, "@file", "UTF-16")
case("utf32le_bom.yaml", b"\xff\xfe\x00\x00" + text.encode("utf-32-le"), 2, "@file", "UTF-32")
case("utf32be_bom.yaml", b"\x00\x00\xfe\xff" + text.encode("utf-32-be"), 2, "@file", "UTF-32")
case("shift_jis.yaml", text.encode("shift_jis"), 2, "@file", "Shift_JIS")
case("euc_jp.yaml", text.encode("euc_jp"), 2, "@file", "UTF-8")
case("latin1.yaml", BASE.encode() + "# caf\xe9\n".encode("latin-1"), 2, "@file", "UTF-8")
case("utf8_bom.yaml", b"\xef\xbb\xbf" + text.encode(), 0, facts="balance=20000000")
case("double_bom.yaml", ("\ufeff\ufeff" + text).encode(), 0, facts="balance=20000000")
case("nul_in_middle.yaml", text.encode()[:20] + b"\x00" + text.encode()[20:], 2, "@file", "binary")
case("bel_in_value.yaml", with_line('case_id: "h-1"', "case_id: h\x07-1").encode(), 2, "@line", "U+0007")
case("esc_raw_in_comment.yaml", (BASE + "# \x1b[2J\n").encode(), 2, "@line", "U+001B")
case("c1_control.yaml", (BASE + "# \x85ok \x9b\n").encode(), 2, "@line", "U+009B")
case("encoded_surrogate.yaml", BASE.encode() + b"# \xed\xa0\x80\n", 2, "@file", "UTF-8")
case("empty.yaml", b"", 2, "@file", "empty")
case("whitespace_only.yaml", b"  \n\n\t\n", 2, "@file", "empty")
case("comments_only.yaml", "# 事案\n# なし\n", 2, "@file", "no content")
case("png_header.yaml", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", 2, "@file")
case("crlf_line_ends.yaml", BASE.replace("\n", "\r\n").encode(), 0, facts="balance=20000000")

# --- structure
case("top_level_list.yaml", "- 1\n- 2\n", 2, "@file", "mapping")
case("top_level_scalar.yaml", "hello\n", 2, "@file", "mapping")
case("two_documents.yaml", BASE + "---\n" + BASE, 2, "@line", "one case")
case("merge_key.yaml", "defaults: &d {lender_type: bank}\n" + BASE.replace("  lender_type: bank\n", "  <<: *d\n"), 2, "@line", "merge keys")
laughs = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
for i, name in enumerate("bcdefghij"):
    prev = "abcdefghij"[i]
    laughs += f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]\n"
case("billion_laughs.yaml", laughs, 2, "@line", "too many values")
case("billion_laughs_in_field.yaml", BASE + "other_debts: &x [" + ",".join(["{type: tax, balance: 1}"] * 10) + "]\n" + "guarantors: [" + ",".join(["*x"] * 2000) + "]\n", 2, "@line", "too many values")
case("recursive_alias.yaml", BASE + "other_debts: &x [*x]\n", 2, "@line", "contains it")
case("undefined_alias.yaml", BASE + "other_debts: *nowhere\n", 2, "@line", "undefined alias")
case("deep_flow_nesting.yaml", BASE + "other_debts: " + "[" * 10000 + "]" * 10000 + "\n", 2, "@line", "nested too deeply")
case("deep_block_nesting.yaml", BASE + "assets:\n" + "".join("  " * (i + 1) + f"k{i}:\n" for i in range(100)), 2, "@line", "nested too deeply")
case("duplicate_key.yaml", BASE + "  balance: 1\n", 2, "@line", "given twice")
case("python_tag.yaml", with_line('case_id: "h-1"', "case_id: !!python/object/apply:os.system ['echo pwned']"), 2, "@line", "!!python/object/apply:os.system")
case("set_tag.yaml", BASE + "other_debts: !!set {a, b}\n", 2, "@line", "!!set")
case("custom_tag.yaml", with_line("  balance: 2000万\n", "  balance: !yen 2000万\n"), 2, "@line", "!yen")
case("complex_key.yaml", BASE + "? [a, b]\n: c\n", 2, "@line", "must be text")
case("integer_key.yaml", BASE + "1: x\n", 2, "(root)", "must be text")
case("tab_indent.yaml", BASE.replace("  balance", "\tbalance"), 2, "@line", "YAML syntax error", ja="タブ")
case("unclosed_quote.yaml", with_line('case_id: "h-1"', 'case_id: "h-1'), 2, "@line", "YAML syntax error")
case("unknown_key_typo.yaml", debtor_extra("  anual_income: 1\n"), 2, "debtor.anual_income", "did you mean 'annual_income'")
case("unknown_key_control.yaml", BASE + '"bad\\e[31mkey": 1\n', 2, "bad", "unknown key")
case("missing_required.yaml", BASE.replace("  balance: 2000万\n", ""), 2, "mortgage.balance", "required")
case("contradiction.yaml", mortgage_extra("  subrogated: true\n"), 2, "mortgage.subrogated", "repays the bank")

# --- lists
case("other_debts_101.yaml", BASE + "other_debts:\n" + "  - {type: tax, balance: 1}\n" * 101, 2, "other_debts", "at most 100")
case("guarantors_21.yaml", BASE + "guarantors:\n" + "  - {kind: guarantor}\n" * 21, 2, "guarantors", "at most 20")
case("other_debts_3000.yaml", BASE + "other_debts:\n" + "  - {type: tax, balance: 1}\n" * 3000, 2, "@line", "too many values")

# --- assumptions: checked by validate exactly as by assess
case("assumption_unknown.yaml", BASE + "assumptions:\n  no_such_parameter: 1\n", 2, "assumptions.no_such_parameter", "unknown parameter")
case("assumption_malformed_ratio.yaml", BASE + "assumptions:\n  auction_price_ratio: abc\n", 2, "assumptions.auction_price_ratio", "'abc'")
case("assumption_huge_count.yaml", BASE + "assumptions:\n  capacity_horizon_months: 99999999999\n", 2, "assumptions.capacity_horizon_months", "too large")
case("assumption_huge_multiple.yaml", BASE + "assumptions:\n  bankruptcy_review_income_multiple: 99999999\n", 2, "assumptions.bankruptcy_review_income_multiple", "too large")
case("assumption_huge_yen.yaml", BASE + "assumptions:\n  bankruptcy_review_total_debt: 99999999999999999999\n", 2, "assumptions.bankruptcy_review_total_debt", "1兆円")
case("assumption_far_date.yaml", BASE + "assumptions:\n  civil_code_reform_date: 9999-01-01\n", 2, "assumptions.civil_code_reform_date", "between")

# --- JSON
JSON_BASE = {"case_id": "j-1", "as_of": "2026-11-26", "debtor": {"annual_income": "300万"}, "mortgage": {"lender_type": "bank", "balance": "2000万"}}


def json_case(**mortgage: object) -> str:
    data = json.loads(json.dumps(JSON_BASE))
    data["mortgage"].update(mortgage)
    return json.dumps(data, ensure_ascii=False)


case("valid.json", json_case(), 0, facts="balance=20000000")
case("json_on_stdin_style.yaml", '{"case_id": "j-1" "debtor": {"annual_income": 1}}', 2, "@line", "JSON syntax error")
case("json_trailing_comma.json", '{"case_id": "j-1",}', 2, "@line", "JSON syntax error")
case("json_deep.json", "[" * 20000 + "]" * 20000, 2, "@file", "nested too deeply")
case("json_huge_int.json", json_case(balance=0).replace('"balance": 0', '"balance": ' + "9" * 5000), 2, "mortgage.balance", "1兆円")
case("json_nan.json", json_case(balance=0).replace('"balance": 0', '"balance": NaN'), 2, "mortgage.balance", "finite")
case("json_true_count.json", json_case(arrears_months=True), 2, "mortgage.arrears_months", "true")
case("json_lone_surrogate.json", json.dumps(JSON_BASE).replace('"j-1"', '"\\ud800"'), 2, "case_id", "surrogate")
case("json_control_escape.json", json.dumps(JSON_BASE).replace('"j-1"', '"a\\u001b[31m"'), 2, "case_id", "U+001B")
case("json_float_balance.json", json_case(balance=20000000.0), 0, facts="balance=20000000")
case("json_exponent_balance.json", json_case(balance=0).replace('"balance": 0', '"balance": 2e7'), 0, facts="balance=20000000")
case("json_duplicate.json", '{"case_id": "a", "case_id": "b"}', 2, "@file", "given twice")


def main() -> None:
    FILES.mkdir(exist_ok=True)
    for old in FILES.iterdir():
        old.unlink()
    expected = {}
    for name, (content, expect) in sorted(CORPUS.items()):
        data = content.encode("utf-8") if isinstance(content, str) else content
        (FILES / name).write_bytes(data)
        expected[name] = expect
    (HERE / "expected.json").write_text(json.dumps(expected, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{len(expected)} files")


if __name__ == "__main__":
    main()
