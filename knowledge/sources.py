"""Whether every source a rule base cites can be looked up in docs/sources.md.

A citation the reader cannot find is as bad as none: an invented act reached
the report as "老人法art. 3". The loader does not check this, because a rule
base stored with an old record must load whatever the docs of this checkout
say; ``zansai rules check`` and the tests do.
"""

from __future__ import annotations

import re
from pathlib import Path

from facts.errors import Problem
from knowledge.model import RuleBase

SOURCES_MD = Path(__file__).resolve().parent.parent / "docs" / "sources.md"


def section(text: str, title_start: str) -> str:
    """One "## " section of docs/sources.md, by the start of its title."""
    after = text.split("\n## " + title_start, 1)[1]
    return after.split("\n## ", 1)[0]


def registry(path: Path = SOURCES_MD) -> dict[str, set[str]]:
    """What docs/sources.md lists: the article's headings, the domain notes' sections, acts and cases."""
    text = path.read_text(encoding="utf-8")
    article = section(text, "元記事")
    notes = section(text, "zansai's domain notes")
    law = section(text, "Statutes")
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


def cited(rule_base: RuleBase) -> dict[str, list[str]]:
    """Each source and where it is cited: rules by file and id, parameters by name (dated values too)."""
    out: dict[str, list[str]] = {}
    for rule in rule_base.rules:
        for s in rule.spec.sources:
            out.setdefault(s, []).append(f"{rule.file}: {rule.id}")
    for name, p in rule_base.parameters.items():
        for s in p.sources:
            out.setdefault(s, []).append(f"parameters.yaml: {name}")
        for dated in p.values or []:
            for s in dated.sources:
                out.setdefault(s, []).append(f"parameters.yaml: {name} (from {dated.from_})")
    return out


def unresolved(rule_base: RuleBase, path: Path = SOURCES_MD) -> list[Problem]:
    reg = registry(path)
    return [
        Problem(
            where,
            f"根拠 {source} が docs/sources.md にありません（法令名・判例・記事の見出し・domain.md の節を表に加えるか、書き方を直してください）",
            f"source {source} is not in docs/sources.md (add the act, case, article heading or domain.md section to it, or correct the citation)",
        )
        for source, places in cited(rule_base).items()
        if not resolve(source, reg)
        for where in places
    ]
