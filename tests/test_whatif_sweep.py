"""--sweep and --plot: one money input stepped across a range, the break-even found to the yen, the chart drawn."""

from __future__ import annotations

import json
import os
import struct
import warnings
from pathlib import Path

import pytest
from click.testing import CliRunner

from app.sweep import parse_sweep, sweep
from app.whatif import changed_case
from cli import main
from facts.errors import InputError

ROOT = Path(__file__).resolve().parent.parent
CASE_A = str(ROOT / "examples" / "case_a.yaml")


@pytest.fixture(scope="module")
def table(desk, case_a):
    return sweep(desk, case_a, parse_sweep("property.expected_sale_price=2000万..3400万:200万"))


def residual_at(desk, case, price):
    return desk.assess(changed_case(case, {"property.expected_sale_price": price})).figures["residual_debt"]


def test_a_sweep_spec_is_read_in_case_file_notation():
    spec = parse_sweep("property.expected_sale_price=2000万..2800万:100万")
    assert (spec.start, spec.stop, spec.step) == (20_000_000, 28_000_000, 1_000_000)
    assert spec.values()[0] == 20_000_000 and spec.values()[-1] == 28_000_000 and len(spec.values()) == 9
    assert parse_sweep("debtor.monthly_take_home=20万..25万:2万").values() == [200_000, 220_000, 240_000, 250_000]


@pytest.mark.parametrize(
    ("text", "en_words"),
    [
        ("property.expected_sale_price=2000万..2800万", "PATH=START..STOP:STEP"),
        ("property.expected_sale_price=2000万..2800万:0", "more than 0"),
        ("property.expected_sale_price=2000万..2800万:1", "too many points"),
        ("property.expected_sale_price=2000万..たくさん:100万", "stop value"),
        ("debtor.age=30..40:1", "not an amount of money"),
    ],
)
def test_a_bad_sweep_is_named_in_both_languages(text, en_words):
    with pytest.raises(InputError) as caught:
        parse_sweep(text)
    problem = caught.value.problems[0]
    assert problem.location == f"--sweep {text}"
    assert en_words in problem.en and problem.ja and problem.ja != problem.en


def test_each_row_carries_the_residual_the_auction_residual_and_the_paths(table):
    first = table.rows[0]
    assert first.value == 20_000_000
    # 3,100万 − (2,000万 − brokerage (3% × 2,000万 + 6万) × 1.1 − release 1万1,000 − condo 18万);
    # the hoped-for moving allowance is not assured, so not deducted
    assert first.residual_debt == 31_000_000 - (20_000_000 - 726_000 - 11_000 - 180_000)
    assert first.residual_debt_auction == 11_400_000  # market 2,800万 × 0.70 = 1,960万; the sweep leaves it alone
    assert first.rank1 == "voluntary_sale" and "bankruptcy" in first.paths
    last = table.rows[-1]
    assert last.residual_debt == 0 and last.rank1 == "ordinary_sale"


def test_the_break_even_is_the_first_yen_without_a_residual(desk, case_a, table):
    price = table.break_even
    assert table.break_even_verified
    assert 32_000_000 < price < 34_000_000
    assert residual_at(desk, case_a, price) == 0
    assert residual_at(desk, case_a, price - 1) > 0


def test_a_range_that_never_clears_the_residual_has_no_break_even(desk, case_a):
    narrow = sweep(desk, case_a, parse_sweep("property.expected_sale_price=2000万..2200万:100万"))
    assert narrow.break_even is None
    assert all(r.residual_debt > 0 for r in narrow.rows)


def test_a_sweep_run_downwards_finds_the_same_break_even(desk, case_a, table):
    down = sweep(desk, case_a, parse_sweep("property.expected_sale_price=3400万..2000万:200万"))
    assert (down.break_even, down.break_even_verified, down.residual_side) == (table.break_even, True, "below")


def test_a_larger_balance_makes_the_residual_so_its_break_even_has_the_residual_above(desk, case_a):
    balance = sweep(desk, case_a, parse_sweep("mortgage.balance=2000万..3400万:200万"))
    assert balance.break_even_verified and balance.residual_side == "above"
    at = lambda b: desk.assess(changed_case(case_a, {"mortgage.balance": b})).figures["residual_debt"]  # noqa: E731
    assert at(balance.break_even) == 0 and at(balance.break_even + 1) > 0
    result = CliRunner().invoke(main, ["--lang", "en", "whatif", CASE_A, "--sweep", "mortgage.balance=2000万..3400万:200万"])
    assert "no residual at this value, a residual 1 yen above" in result.output


def test_sweep_prints_a_table_with_the_break_even_marked():
    result = CliRunner().invoke(main, ["whatif", CASE_A, "--sweep", "property.expected_sale_price=3000万..3400万:100万"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    marker = next(i for i, line in enumerate(lines) if "◀ 損益分岐" in line)
    assert "32,000,000円" in lines[marker - 1] and "33,000,000円" in lines[marker + 1]
    assert "判定で確認済み" in result.output
    data = json.loads(CliRunner().invoke(main, ["whatif", CASE_A, "--sweep", "property.expected_sale_price=3000万..3400万:100万",
                                                "--json"]).output)
    assert data["break_even"] == int(lines[marker].split("◀ 損益分岐 ")[1].replace("万", "").replace("円", "").replace(",", "")[:4]) * 10_000 + int(
        lines[marker].split("万")[1].replace("円", "").replace(",", ""))
    assert [r["value"] for r in data["rows"]] == [30_000_000, 31_000_000, 32_000_000, 33_000_000, 34_000_000]


def test_plot_needs_a_sweep():
    result = CliRunner().invoke(main, ["whatif", CASE_A, "--plot", "x.png", "--set", "debtor.age=40"])
    assert result.exit_code == 2 and "--plot" in result.output


# --- the chart ---------------------------------------------------------------------


def _cjk_or_skip():
    from render.plot import FontMissing, cjk_font

    try:
        return cjk_font()
    except FontMissing:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip("fonts-noto-cjk is not installed (.ci/run installs it)")


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_the_chart_is_a_png_drawn_in_the_japanese_font(table, tmp_path):
    font = _cjk_or_skip()
    from render.plot import plot_sweep

    target = tmp_path / "sweep.png"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a glyph missing from the font is a warning: make it fail here
        drawn = plot_sweep(table, target, "ja")
    data = target.read_bytes()
    assert _png_size(data) == (800, 500)
    assert 10_000 < len(data) < 2_000_000
    assert drawn["font"] == font and "NotoSansCJK" in Path(font).name.replace("-", "").replace("_", "")
    assert [p.name for p in tmp_path.iterdir()] == ["sweep.png"]  # no temporary file left behind

    import matplotlib.image

    pixels = matplotlib.image.imread(str(target))
    assert (pixels[:, :, :3] < 0.5).any()  # something dark was drawn, not a blank canvas


def test_the_chart_text_is_rendered_with_cjk_glyphs_not_boxes(tmp_path):
    font = _cjk_or_skip()
    from matplotlib.ft2font import FT2Font

    face = FT2Font(font)
    for ch in "任意売却の想定価格と残債損益分岐万円":
        assert face.get_char_index(ord(ch)) != 0, ch


def test_whatif_sweep_with_plot_writes_the_file(tmp_path):
    _cjk_or_skip()
    target = tmp_path / "a.png"
    result = CliRunner().invoke(main, ["whatif", CASE_A, "--sweep", "property.expected_sale_price=3000万..3400万:200万",
                                       "--plot", str(target), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert _png_size(target.read_bytes()) == (800, 500)
