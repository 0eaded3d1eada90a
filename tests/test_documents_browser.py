"""Both documents in a real headless Chromium (Debian's, tests/browser.py): they load
without console errors, the key figures are on the page, nothing is wider than an
A4 page when printed, print-to-PDF gives A4 pages, and a screenshot is kept for review
in artifacts/documents/ (ignored by git)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from app.desk import Desk
from render import documents

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "artifacts" / "documents"
A4_WIDTH_PX = 794  # 210 mm at the CSS 96 px per inch


@pytest.fixture(scope="module")
def case_a():
    with Desk() as desk:
        case = desk.load_case(ROOT / "examples" / "case_a.yaml")
        return case, desk.assess(case), desk.labels


def assert_fits_a4_in_print(page) -> None:
    page.emulate_media(media="print")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= A4_WIDTH_PX, width
    overflowing = page.evaluate(
        "[...document.querySelectorAll('td, th')].filter(e => e.scrollWidth > e.clientWidth + 1).length"
    )
    assert overflowing == 0


@pytest.mark.parametrize("kind, lang", [("budget", "ja"), ("report", "ja"), ("report", "en"), ("budget", "en")])
def test_document_in_chromium(browser_page, case_a, tmp_path, kind, lang):
    pypdf = pytest.importorskip("pypdf")
    case, result, labels = case_a
    page_file = tmp_path / f"{kind}.{lang}.html"
    page_file.write_text(documents.render_html(kind, result, lang, case=case, labels=labels), encoding="utf-8")
    page = browser_page.page
    page.set_viewport_size({"width": A4_WIDTH_PX, "height": 1123})
    browser_page.goto(page_file.as_uri(), wait_until="load")
    assert browser_page.errors == []

    text = page.inner_text("body")
    if kind == "budget":
        ceiling = result.figures["proposed_monthly_payment"]
        capacity = result.figures["monthly_capacity"]
        assert f"{capacity:,}" in text and f"{ceiling:,}" in text
        assert page.locator("#capacity").count() == 1
    else:
        residual = result.figures["residual_debt"]
        shown = "804万9,000円" if lang == "ja" else f"¥{residual:,}"
        assert residual == 8_049_000 and shown in text
        heads = page.locator("#options th[scope=col]").all_inner_texts()
        assert [h.split(". ", 1)[1] for h in heads] == [r.title.get(lang) for r in result.recommendations]

    # printed, the page fits the width of A4 (a comparison table that overflowed would be cut off)
    assert_fits_a4_in_print(page)

    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) >= 1
    for p in reader.pages:
        assert (round(float(p.mediabox.width)), round(float(p.mediabox.height))) == (595, 842)
    pdf_text = "".join(p.extract_text() for p in reader.pages).replace(" ", "")
    key = f"{result.figures['monthly_capacity']:,}" if kind == "budget" else ("804万9,000円" if lang == "ja" else "8,049,000")
    assert key in pdf_text

    page.emulate_media(media="screen")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / f"case_a.{kind}.{lang}.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    (ARTIFACTS / f"case_a.{kind}.{lang}.pdf").write_bytes(pdf)


def test_five_options_side_by_side_still_fit_a4(browser_page, tmp_path):
    """Case A with more take-home pay lists five options, the widest comparison the rules give."""
    import yaml

    from facts.load import load_case_text

    data = yaml.safe_load((ROOT / "examples" / "case_a.yaml").read_text(encoding="utf-8"))
    data["debtor"]["monthly_take_home"] = "32万"
    with Desk() as desk:
        result = desk.assess(load_case_text(yaml.safe_dump(data, allow_unicode=True), "five"))
    assert len(result.recommendations) == 5
    page_file = tmp_path / "five.html"
    page_file.write_text(documents.render_html("report", result, "ja"), encoding="utf-8")
    page = browser_page.page
    page.set_viewport_size({"width": A4_WIDTH_PX, "height": 1123})
    browser_page.goto(page_file.as_uri(), wait_until="load")
    assert browser_page.errors == []
    assert page.locator("#options th[scope=col]").count() == 5
    assert_fits_a4_in_print(page)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.emulate_media(media="screen")
    page.screenshot(path=str(ARTIFACTS / "five_options.report.ja.png"), full_page=True)
