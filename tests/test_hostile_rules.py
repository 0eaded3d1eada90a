"""A hostile rule folder (``--rules DIR``) is a rule-base error (exit 3) naming the file, never a crash.

The expression parser, normaliser and evaluator recurse, so an expression
nested thousands deep used to end in RecursionError (exit 70); the parser
now refuses it with its own message before any of them runs.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main
from knowledge.expr import ExprError
from knowledge.parser import parse

ROOT = Path(__file__).resolve().parent.parent

TOPIC = """topic: hostile
title: {{ja: 敵対, en: Hostile}}
rules:
  - id: hostile.rule
    title: {{ja: 敵対, en: Hostile}}
    sources: ["test §1"]
    when:
      - '{expr}'
    then:
      - finding: pre_sale
"""


def rules_with(tmp_path: Path, name: str, content: bytes) -> Path:
    folder = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", folder, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    (folder / name).write_bytes(content)
    return folder


@pytest.mark.parametrize(
    ("expr", "says"),
    [
        ("(" * 5000 + "case.has_property" + ")" * 5000, "too long"),
        ("(" * 600 + "case.has_property" + ")" * 600, "nested too deeply"),
        ("-" * 1500 + "1 > 0", "too deeply nested"),
        ("not " * 400 + "case.has_property", "too deeply nested"),
        (" + ".join(["1"] * 400) + " > 0", "too deeply nested"),
    ],
)
def test_a_monstrous_expression_is_a_rule_base_error(tmp_path, expr, says):
    folder = rules_with(tmp_path, "hostile.yaml", TOPIC.format(expr=expr).encode())
    result = CliRunner().invoke(main, ["--lang", "en", "rules", "list", "--rules", str(folder)])
    assert result.exit_code == 3, result.output
    assert "hostile" in result.stderr and says in result.stderr
    assert "internal error" not in result.stderr


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"topic: hostile\n" + b"x: " + b"[" * 20000 + b"]" * 20000 + b"\n", "hostile.yaml"),
        (b"topic: \xff\xfe hostile\n", "not UTF-8"),
    ],
)
def test_an_unreadable_rule_file_is_a_rule_base_error(tmp_path, content, says):
    folder = rules_with(tmp_path, "hostile.yaml", content)
    result = CliRunner().invoke(main, ["--lang", "en", "rules", "list", "--rules", str(folder)])
    assert result.exit_code == 3, result.output
    assert says in result.stderr and "internal error" not in result.stderr


def test_expressions_of_ordinary_size_still_parse():
    assert parse("(" * 32 + "a.x" + ")" * 32)
    assert parse(" + ".join(["1"] * 90) + " > 0")
    with pytest.raises(ExprError):
        parse("(" * 33 + "a.x" + ")" * 33)


def _alias_bomb() -> bytes:
    """A rule whose sources are ten to the ninth strings, in a few hundred bytes.

    PyYAML shares an alias's value instead of copying it, so the file loads at
    once; it is the schema check walking the shared lists that never ends
    (six levels already took 3.4 s before the loader refused aliases).
    """
    lines = ["topic: hostile", "title: {ja: 敵対, en: Hostile}", "lists:", "  - &a [x, x, x, x, x, x, x, x, x, x]"]
    for prev, name in zip("abcdefgh", "bcdefghi"):
        lines.append(f"  - &{name} [" + ", ".join([f"*{prev}"] * 10) + "]")
    lines += [
        "rules:",
        "  - id: hostile.rule",
        "    title: {ja: 敵対, en: Hostile}",
        "    sources: *i",
        "    when: ['1 > 0']",
        "    then: [{finding: pre_sale}]",
    ]
    return ("\n".join(lines) + "\n").encode()


ALIAS_BOMB = _alias_bomb()


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (ALIAS_BOMB, "anchors (&) and aliases (*) are not allowed"),
        (b"topic: hostile\nx: " + b"[" * 100 + b"]" * 100 + b"\n", "nested too deeply (at most 64 levels)"),
        (b"topic: hostile\n" + b"# padding\n" * 500_000, "the file is too large"),
    ],
)
def test_a_rule_file_beyond_the_bounds_is_refused_before_it_is_built(tmp_path, content, says):
    folder = rules_with(tmp_path, "hostile.yaml", content)
    result = CliRunner().invoke(main, ["--lang", "en", "rules", "list", "--rules", str(folder)])
    assert result.exit_code == 3, result.output
    assert "hostile.yaml" in result.stderr and says in result.stderr
    assert "internal error" not in result.stderr


def test_the_alias_bomb_is_refused_from_stored_files_too():
    from facts.errors import RuleBaseError
    from knowledge.load import load_rule_base_from_files, read_rule_files

    files, _ = read_rule_files(ROOT / "rules")
    files["hostile.yaml"] = ALIAS_BOMB
    with pytest.raises(RuleBaseError) as caught:
        load_rule_base_from_files(files)
    assert any("aliases" in p.en and p.location.startswith("hostile.yaml:") for p in caught.value.problems)
