"""Every citation in rules/ can be looked up in docs/sources.md, from the repository alone."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SOURCES_MD = ROOT / "docs" / "sources.md"


def _section(text: str, title_start: str) -> str:
    after = text.split("\n## " + title_start, 1)[1]
    return after.split("\n## ", 1)[0]


def registry() -> dict[str, set[str]]:
    text = SOURCES_MD.read_text(encoding="utf-8")
    article = _section(text, "元記事")
    notes = _section(text, "zansai's domain notes")
    law = _section(text, "Statutes")
    acts, cases = set(), set()
    for line in law.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if not line.startswith("|") or len(cells) < 2 or set(cells[0]) <= set("-") or cells[0] in ("法令名", "判例"):
            continue
        (cases if cells[0].startswith(("最判", "最大判")) else acts).add(cells[0])
    return {
        "article": {line[2:].strip() for line in article.splitlines() if line.startswith("- ")},
        "notes": set(re.findall(r"^- §(\d+) ", notes, re.M)),
        "acts": acts,
        "cases": cases,
    }


def cited() -> dict[str, set[str]]:
    """source string -> the files citing it, for every rule and parameter (dated values included)."""
    out: dict[str, set[str]] = {}

    def walk(node, where: str) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "sources" and isinstance(value, list):
                    for s in value:
                        out.setdefault(str(s), set()).add(where)
                else:
                    walk(value, where)
        elif isinstance(node, list):
            for item in node:
                walk(item, where)

    for path in sorted((ROOT / "rules").glob("*.yaml")):
        walk(yaml.safe_load(path.read_text(encoding="utf-8")), path.name)
    return out


def resolve(source: str, reg: dict[str, set[str]]) -> bool:
    if source.startswith("article §"):
        return source[len("article §"):] in reg["article"]
    note = re.search(r"domain\.md §(\d+)", source)
    if note:
        return note.group(1) in reg["notes"]
    if any(source.startswith(case) for case in reg["cases"]):
        return True
    act = max((a for a in reg["acts"] if source.startswith(a)), key=len, default=None)
    # the rest must be an article, item or appendix of that act, not another act's name
    return act is not None and re.match(r"^(第?[\d一二三四五六七八九十]|附則|別表|[（(])", source[len(act):].strip() or "0") is not None


def test_every_source_of_every_rule_and_parameter_is_in_docs_sources_md():
    reg = registry()
    sources = cited()
    assert len(sources) > 100 and reg["article"] and reg["acts"] and reg["cases"]
    unresolved = {s: sorted(files) for s, files in sources.items() if not resolve(s, reg)}
    assert not unresolved, "not in docs/sources.md: " + "; ".join(f"{s} ({', '.join(f)})" for s, f in sorted(unresolved.items()))


def test_the_resolver_rejects_what_is_not_listed():
    reg = registry()
    assert resolve("民法152条1項", reg) and resolve("article §借金にも時効がある?", reg)
    assert not resolve("article §存在しない見出し", reg)
    assert not resolve("domain.md §99", reg)
    assert not resolve("架空法3条", reg)
    assert not resolve("最判令和9年1月1日", reg)


def test_the_readme_links_only_to_files_in_the_repository():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([^)#]+)", readme):
        if target.startswith("http"):
            continue
        assert (ROOT / target).exists(), f"README links to {target}, which is not in the repository"


def test_the_english_act_names_the_report_uses_are_the_ones_docs_sources_md_lists():
    from render.statutes import ACTS

    text = SOURCES_MD.read_text(encoding="utf-8")
    table = {}
    for line in _section(text, "Statutes").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and len(cells) == 2 and not set(cells[0]) <= set("-") and cells[0] != "法令名":
            table[cells[0]] = cells[1]
    assert table == ACTS


def test_english_reports_gloss_each_act_once_and_keep_japanese_only_in_glosses_and_headings():
    from app.desk import Desk
    from facts.load import load_case_text
    from render.report import render

    with Desk() as a:
        result = a.assess(load_case_text((ROOT / "examples" / "case_a.yaml").read_text(encoding="utf-8"), "case_a"))
    text = render(result, "en")
    body = text.split("\nSources\n", 1)[0]
    assert body.count("Civil Code (民法)") == 1 and "Civil Code art. 152(1)" in body
    assert "妻" not in text and "the debtor's wife" in text
    japanese = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
    for line in body.splitlines():
        stripped = re.sub(r"\([^()]*[\u3040-\u30ff\u4e00-\u9fff][^()]*\)", "", line)  # glosses like (民法)
        stripped = re.sub(r"\"[^\"]*\"|“[^”]*”", "", stripped)  # quoted Japanese terms (中断)
        assert not japanese.search(stripped), line
