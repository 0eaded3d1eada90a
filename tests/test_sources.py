"""Every citation in rules/ can be looked up in docs/sources.md, from the repository alone."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

from knowledge.load import load_rule_base
from knowledge.sources import SOURCES_MD, cited, registry, resolve, section, unresolved

ROOT = Path(__file__).resolve().parent.parent


def test_every_source_of_every_rule_and_parameter_is_in_docs_sources_md():
    rule_base = load_rule_base()
    reg = registry()
    assert len(cited(rule_base)) > 100 and reg["article"] and reg["acts"] and reg["cases"]
    problems = unresolved(rule_base)
    assert not problems, "not in docs/sources.md: " + "; ".join(f"{p.location}: {p.en}" for p in problems)


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
    for line in section(text, "Statutes").splitlines():
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


def test_a_report_cites_the_source_of_the_dated_parameter_value_in_force_not_of_the_others():
    from app.desk import Desk
    from facts.load import load_case_text
    from render.detail import source_groups

    with Desk() as desk:
        result = desk.assess(load_case_text((ROOT / "examples" / "case_a.yaml").read_text(encoding="utf-8"), "case_a"),
                             explain=False)
    assert result.parameters["consumption_tax_rate"].used and result.parameters["consumption_tax_rate"].value == Decimal("0.10")
    law = source_groups(result, "ja")["law"]
    assert "消費税法29条（平成28年法律85号による改正）" in law  # the 10% rate's act, read by the brokerage fee
    assert not any("平成24年法律68号" in s for s in law)  # the 8% rate's act: not in force on the case's date
