"""What a person reads: the checks of docs/messages.md over every golden case, example and template."""

from __future__ import annotations

import datetime as dt
import re


from pathlib import Path

import pytest
import yaml

from app.desk import Desk
from facts.load import load_case_text
from render.report import lead_lines, next_steps, render, shown_figures
from tests.golden import EXAMPLES, golden_cases

ROOT = Path(__file__).resolve().parent.parent


def _style() -> dict:
    text = (ROOT / "docs" / "messages.md").read_text(encoding="utf-8")
    block = text.split("## Checked by tests", 1)[1].split("```yaml", 1)[1].split("```", 1)[0]
    return yaml.safe_load(block)


STYLE = _style()


@pytest.fixture(scope="module")
def reports():
    """(name, result) for every golden case and every example."""
    cases = [(f"{topic}: {name}", case) for topic, name, case, _ in golden_cases()]
    cases += [(f"example {p.stem}", yaml.safe_load(p.read_text(encoding="utf-8"))) for p in sorted(EXAMPLES.glob("*.yaml"))]
    out = []
    with Desk() as a:
        for name, case in cases:
            out.append((name, a.assess(load_case_text(yaml.safe_dump(case, allow_unicode=True), name))))
    return out


def test_nothing_invites_payment_while_the_limitation_may_be_invoked(reports):
    checked = 0
    for name, result in reports:
        paths = [r.path for r in result.recommendations]
        if "invoke_limitation" not in paths:
            continue
        checked += 1
        assert not {"installment_negotiation", "specific_conciliation"} & set(paths), f"{name}: {paths}"
        for lang in ("ja", "en"):
            text = render(result, lang)
            for phrase in STYLE["limitation_unsafe"][lang]:
                assert phrase.lower() not in text.lower(), f"{name} ({lang}): «{phrase}» in a report listing invoke_limitation"
    # the guard must have been exercised, including a case that could afford installments
    assert checked >= 15


def _finding(result, name):
    return any(d.kind == "finding" and d.name == name for d in result.derived)


def test_an_auction_pending_on_a_possibly_barred_claim_checks_the_filing_date_before_anyone_approaches_the_creditor(reports):
    """Review A.1: asking the creditor to consent to a voluntary sale is an acknowledgment (民法152条1項) that
    forfeits a completed limitation (最大判昭41.4.20), so the filing-date check comes first, no step tells the
    debtor to contact the creditor now, and nothing in the report invites payment or negotiation."""
    from knowledge.load import load_rule_base  # noqa: PLC0415

    catalog = load_rule_base().catalog.warnings
    check = catalog["limitation_auction_filing_check"].next_step
    contact_now = catalog["auction_deadline"].next_step
    checked = 0
    for name, result in reports:
        if not _finding(result, "limitation_depends_on_filing_date"):
            continue
        checked += 1
        for lang in ("ja", "en"):
            steps = next_steps(result, lang)
            assert steps[0] == check.get(lang), f"{name} ({lang}): {steps}"
            # not in the first three steps, nor waiting below them as a warning's step
            assert contact_now.get(lang) not in steps, f"{name} ({lang}): {steps}"
            assert all(w.next_step is None or w.next_step.get(lang) != contact_now.get(lang) for w in result.warnings), name
            text = render(result, lang)
            for phrase in STYLE["limitation_unsafe"][lang]:
                assert phrase.lower() not in text.lower(), f"{name} ({lang}): «{phrase}» before the filing date is checked"
    assert checked >= 3


def test_a_limitation_that_is_near_comes_first_and_is_not_called_unrealistic(reports):
    """Review A.2: within params.limitation_approaching_months of completion the first step is not to pay or
    sign, waiting is not called unrealistic, and installments do not rank first when another path is listed."""
    from knowledge.load import load_rule_base  # noqa: PLC0415

    step = load_rule_base().catalog.warnings["limitation_approaching"].next_step
    checked = 0
    for name, result in reports:
        if not _finding(result, "limitation_approaching"):
            continue
        checked += 1
        assert "limitation_not_realistic" not in {w.id for w in result.warnings}, name
        paths = [r.path for r in result.recommendations]
        if set(paths) - {"installment_negotiation", "specific_conciliation"}:
            assert paths[0] not in ("installment_negotiation", "specific_conciliation"), f"{name}: {paths}"
        for lang in ("ja", "en"):
            assert next_steps(result, lang)[0] == step.get(lang), f"{name} ({lang})"
    assert checked >= 4


def test_the_unsafe_phrases_are_real(reports):
    """Each listed phrase class occurs in some report without the limitation path, so the list is not vacuous."""
    seen = set()
    for name, result in reports:
        if "invoke_limitation" in [r.path for r in result.recommendations]:
            continue
        for lang in ("ja", "en"):
            text = render(result, lang).lower()
            seen |= {p for p in STYLE["limitation_unsafe"][lang] if p.lower() in text}
    assert len(seen) >= 4, seen


def _no_sale_left(result) -> bool:
    return result.stage == "post_sale" or any(b.path == "voluntary_sale" for b in result.blocked)


def test_nothing_urges_a_sale_after_the_sale_or_once_bids_are_opened(reports):
    checked = 0
    for name, result in reports:
        if not _no_sale_left(result):
            continue
        checked += 1
        for lang in ("ja", "en"):
            text = render(result, lang)
            for phrase in STYLE["sale_urging"][lang]:
                assert phrase.lower() not in text.lower(), f"{name} ({lang}): «{phrase}» after the sale or bid opening"
    assert checked >= 20


def test_the_sale_urging_phrases_are_real(reports):
    """Each phrase occurs in some report made before the sale, so the list is not vacuous."""
    seen = {lang: set() for lang in ("ja", "en")}
    for name, result in reports:
        if _no_sale_left(result):
            continue
        for lang in ("ja", "en"):
            text = render(result, lang).lower()
            seen[lang] |= {p for p in STYLE["sale_urging"][lang] if p.lower() in text}
    for lang in ("ja", "en"):
        assert seen[lang] == set(STYLE["sale_urging"][lang]), (lang, set(STYLE["sale_urging"][lang]) - seen[lang])


@pytest.fixture(scope="module")
def deceased_reports():
    """(name, result) for every golden case and example not already about a death, with the debtor
    dead 25 days before the assessment (inside the heirs' 3 months)."""
    cases = [(f"{topic}: {name}", case) for topic, name, case, _ in golden_cases()]
    cases += [(f"example {p.stem}", yaml.safe_load(p.read_text(encoding="utf-8"))) for p in sorted(EXAMPLES.glob("*.yaml"))]
    out = []
    with Desk() as a:
        for name, case in cases:
            debtor = dict(case.get("debtor") or {})
            if debtor.get("date_of_death"):
                continue
            debtor["date_of_death"] = (dt.date.fromisoformat(str(case["as_of"])) - dt.timedelta(days=25)).isoformat()
            out.append((name, a.assess(load_case_text(yaml.safe_dump({**case, "debtor": debtor}, allow_unicode=True), name))))
    return out


def test_nothing_written_for_a_living_debtor_reaches_a_deceased_ones_heirs(deceased_reports):
    assert len(deceased_reports) >= 250
    for name, result in deceased_reports:
        for lang in ("ja", "en"):
            text = render(result, lang)
            for phrase in STYLE["sale_urging"][lang] + STYLE["living_only"][lang]:
                assert phrase.lower() not in text.lower(), f"{name} ({lang}): «{phrase}» in a report on a deceased debtor"
        paths = {r.path for r in result.recommendations}
        assert not paths & {"bankruptcy", "individual_rehabilitation", "installment_negotiation", "specific_conciliation"}, name
        assert "inheritance_renunciation" in {w.id for w in result.warnings}, name


def test_the_living_only_phrases_are_real(reports):
    """Each phrase occurs in some report on a living debtor, so the list is not vacuous."""
    seen = {lang: set() for lang in ("ja", "en")}
    for name, result in reports:
        for lang in ("ja", "en"):
            text = render(result, lang).lower()
            seen[lang] |= {p for p in STYLE["living_only"][lang] if p.lower() in text}
    for lang in ("ja", "en"):
        assert seen[lang] == set(STYLE["living_only"][lang]), (lang, set(STYLE["living_only"][lang]) - seen[lang])


def test_case_a_leads_with_the_headline_the_options_and_this_weeks_steps_in_40_lines(reports):
    result = next(r for name, r in reports if name == "example case_a")
    for lang, marks in {"ja": ("いまの状況\n", "検討できる進路", "今週やること\n", "注意点（急ぐ順）\n", "\n詳細\n"),
                        "en": ("Where the debtor stands\n", "Options to discuss", "This week\n", "Warnings (most urgent first)\n", "\nDetail\n")}.items():
        text = render(result, lang)
        lead = lead_lines(text, lang)
        assert len(lead) <= 40, f"{lang}: lead part is {len(lead)} lines"
        positions = [text.index(m) for m in marks]
        assert positions == sorted(positions), f"{lang}: sections out of order {positions}"
        # the headline gives the residual beside the auction, and the most urgent point
        standing = text[positions[0]:positions[1]]
        assert ("任意売却なら約805万円、競売になれば約1,140万円" in standing) if lang == "ja" else ("about ¥11,400,000 if the home is auctioned" in standing)
        assert ("期限の利益喪失が近い" in standing) if lang == "ja" else ("Acceleration" in standing)
    glossary = render(result, "ja").split("ことばの説明", 1)[1].split("詳細", 1)[0]
    assert "- 期限の利益喪失:" in glossary and "- 返済原資:" in glossary
    assert "債務名義" not in glossary  # explained only when the report uses it


def test_the_headline_says_what_the_auction_figure_rests_on_with_the_ratio_the_case_uses():
    text = (ROOT / "examples" / "case_a.yaml").read_text(encoding="utf-8")
    with Desk() as desk:
        plain = desk.assess(load_case_text(text, "case_a.yaml"), explain=False)
        higher = desk.assess(load_case_text(text + "assumptions:\n  auction_price_ratio: 0.8\n", "case_a.yaml"), explain=False)
    standing = render(plain, "ja").split("検討できる進路", 1)[0]
    assert "競売は査定額の0.7倍で売れるとした目安で、実際の落札額はこれより高いこともあります" in standing
    assert "the auction price is taken as 0.7 times the valuation" in render(plain, "en").split("Options to discuss", 1)[0]
    assert "競売は査定額の0.8倍で売れるとした目安" in render(higher, "ja").split("検討できる進路", 1)[0]


def _auction_case(bid_date: str | None):
    text = (ROOT / "examples" / "auction_filed.yaml").read_text(encoding="utf-8")
    if bid_date is not None:
        text = text.replace("  auction_filed: true\n", f"  auction_filed: true\n  auction_bid_date: {bid_date}\n")
        assert "auction_bid_date" in text
    return load_case_text(text, "auction_filed.yaml")


def test_the_headline_gives_the_bid_opening_date_to_act_by_when_the_case_gives_it():
    with Desk() as desk:
        result = desk.assess(_auction_case("2027-01-20"), explain=False)
    standing = render(result, "ja").split("検討できる進路", 1)[0]
    assert "期限: 2027年（令和9年）1月20日（あと55日）— 競売の開札期日" in standing
    standing_en = render(result, "en").split("Options to discuss", 1)[0]
    assert "Deadline: 20 January 2027 (55 days from now) — Auction bid opening" in standing_en


def test_the_headline_names_no_date_when_the_case_does_not_give_the_bid_opening():
    with Desk() as desk:
        result = desk.assess(_auction_case(None), explain=False)
    standing = render(result, "ja").split("検討できる進路", 1)[0]
    assert "期限:" not in standing
    # case A: the limitation date is no limit to act by and stays out of the headline
    with Desk() as desk:
        result = desk.assess(desk.load_case(str(ROOT / "examples" / "case_a.yaml")), explain=False)
    assert "期限:" not in render(result, "ja").split("検討できる進路", 1)[0]


def test_every_report_has_at_most_three_steps_a_disclaimer_and_warnings_by_urgency(reports):
    for name, result in reports:
        assert len(next_steps(result, "ja")) <= 3
        urgencies = [w.urgency for w in result.warnings]
        assert urgencies == sorted(urgencies), name
        for lang, line in {"ja": "法的助言ではありません", "en": "not legal advice"}.items():
            assert line in render(result, lang), f"{name} ({lang})"


def test_a_figure_of_a_blocked_or_unlisted_path_is_not_shown(reports):
    hidden_somewhere = 0
    for name, result in reports:
        listed = {r.path for r in result.recommendations}
        shown = {f.name for f in shown_figures(result)}
        for fig in result.figure_items().values():
            if fig.paths and not listed & set(fig.paths):
                hidden_somewhere += 1
                assert fig.name not in shown, f"{name}: {fig.name}"
                text = render(result, "ja").split("数値（概算）", 1)[-1].split("根拠", 1)[0]
                assert fig.title.ja not in text, f"{name}: {fig.title.ja}"
    assert hidden_somewhere, "no report had a figure of an unlisted path: the check proved nothing"
    welfare = next(r for name, r in reports if name == "example welfare_no_capacity")
    assert "months_to_repay" in welfare.figures
    assert welfare.figure_items()["months_to_repay"].title.ja not in render(welfare, "ja")


def test_the_debtors_copy_has_no_rule_ids_hashes_or_command_hints_and_the_advisors_keeps_them(reports):
    result = next(r for name, r in reports if name == "example case_a")
    advisor = render(result, "ja")
    debtor = render(result, "ja", audience="debtor")
    rule_ids = {f.rule for f in result.trace}
    assert any(rule in advisor for rule in rule_ids) and result.ruleset.version[:12] in advisor and "zansai explain" in advisor
    assert not any(rule in debtor for rule in rule_ids)
    assert result.ruleset.version[:12] not in debtor and "zansai explain" not in debtor and "durable-rules" not in debtor


def _templates() -> list[tuple[str, str, str]]:
    """(where, lang, text) for every message, summary, reason, title, description and next step in rules/."""
    out: list[tuple[str, str, str]] = []

    def walk(node, where: str, key: str = "") -> None:
        if isinstance(node, dict):
            if set(node) >= {"ja", "en"} and all(isinstance(node[k], str) for k in ("ja", "en")):
                out.append((f"{where} {key}", "ja", node["ja"]))
                out.append((f"{where} {key}", "en", node["en"]))
                return
            for k, v in node.items():
                walk(v, where, f"{key}.{k}" if key else str(k))
        elif isinstance(node, list):
            for i, item in enumerate(node):
                label = item.get("id") if isinstance(item, dict) and "id" in item else str(i)
                walk(item, where, f"{key}[{label}]")

    for path in sorted((ROOT / "rules").glob("*.yaml")):
        walk(yaml.safe_load(path.read_text(encoding="utf-8")), path.name)
    return out


def test_every_template_follows_the_terms_and_formats_of_docs_messages_md():
    templates = _templates()
    assert len(templates) > 300
    problems = []
    for where, lang, text in templates:
        if ".note" in where:
            continue  # notes are for the rule author (explain), not the report
        for avoid, use in STYLE[f"avoid_{lang}"].items():
            if avoid in text:
                problems.append(f"{where} ({lang}): «{avoid}» — write «{use}»")
        if lang == "ja" and re.search(r"[^\x00-\x7f] \{|\} [^\x00-\x7f]", text):
            problems.append(f"{where} (ja): a space beside an inserted value")
        if lang == "ja" and "あなた" in text:
            problems.append(f"{where} (ja): あなた")
        if lang == "en" and re.search(r"\d[\d,.]*M? yen\b", text):
            problems.append(f"{where} (en): money written as 'yen' — write ¥300,000 / ¥1.4 million")
    assert not problems, "\n".join(problems)


def _repeated_phrase(text: str) -> str | None:
    # a colon starts a new clause, so "before the sale: the sale can" is not a repeat
    words = [w.strip(".,;") for w in text.split()]
    for n in range(2, 7):
        for i in range(len(words) - 2 * n + 1):
            if words[i : i + n] == words[i + n : i + 2 * n]:
                return " ".join(words[i : i + n])
    return None


def test_no_english_template_says_a_phrase_twice_in_a_row():
    """A gloss applied twice once printed 'until restoration of rights (fukken) of rights (fukken)'."""
    assert _repeated_phrase("until restoration of rights (fukken) of rights (fukken);") == "of rights (fukken)"
    repeated = [
        f"{where}: «{phrase}»"
        for where, lang, text in _templates()
        if lang == "en" and (phrase := _repeated_phrase(text)) is not None
    ]
    assert not repeated, "\n".join(repeated)


def test_japanese_messages_are_in_desu_masu(reports):
    """Every message, summary and reason a report shows ends in です/ます form."""
    endings = ("す。", "い。", "ん。", "た。", "す）。", "い）。", "ん）。")
    bad = set()
    for name, result in reports:
        texts = [r.summary.ja for r in result.recommendations] + [w.message.ja for w in result.warnings]
        texts += [m.message.ja for m in result.missing] + [b.reason.ja for b in result.blocked]
        for t in texts:
            t = t.rstrip()
            while re.search(r"（[^（）]*）。$", t):  # a citation after the sentence: （民法152条1項）。
                t = re.sub(r"（[^（）]*）。$", "。", t)
            if t and not t.endswith(endings):
                bad.add(t[-40:])
    assert not bad, bad


def test_japanese_reports_cite_sources_in_japanese_a_reader_can_look_up(reports):
    for name, result in reports[:40]:
        text = render(result, "ja")
        sources = text.split("\n根拠\n", 1)[-1]
        for english in ("article §", "(zansai policy)", "(practice", "domain.md"):
            assert english not in sources, f"{name}: «{english}» in the Japanese sources"
        assert "docs/sources.md" in sources


def test_english_reports_leave_no_citation_half_translated(reports):
    """A 2項 left after an English article, an item merged into a list of articles, or 附則
    rendered after "art." (the legal review's c08 in English) must not reach an English reader."""
    for name, result in reports:
        text = render(result, "en")
        for line in text.splitlines():
            assert not re.search(r"\d+[条項号]", re.sub(r"\([^()]*\)", "", line)), f"{name}: {line}"
            assert "art. Supplementary" not in line and "arts. Supplementary" not in line, f"{name}: {line}"
            assert not re.search(r"arts?\. [^;]*\d, item \(", line), f"{name}: {line}"
