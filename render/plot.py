"""A sweep drawn as a chart (PNG): the residual and the auction residual across the range, the break-even marked.

matplotlib with the Agg backend (no display needed). Labels are Japanese (or
English with ``lang="en"``) in Noto Sans CJK JP from Debian's fonts-noto-cjk;
without that font Japanese would come out as empty boxes, so a missing font
is an error that says which package to install, not a silent bad chart.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

from facts.errors import InputError, Problem

CJK_FAMILY = "Noto Sans CJK JP"


class FontMissing(InputError):
    pass


def cjk_font() -> str:
    """The file of the Japanese font charts use; FontMissing when fonts-noto-cjk is not installed."""
    from matplotlib import font_manager

    try:
        path = font_manager.findfont(font_manager.FontProperties(family=CJK_FAMILY), fallback_to_default=False)
    except ValueError:
        path = ""
    if "CJK" not in Path(path).name:
        raise FontMissing([Problem("--plot", f"日本語フォント（{CJK_FAMILY}）が見つかりません。fonts-noto-cjk をインストールしてください",
                                   f"the Japanese font ({CJK_FAMILY}) is not installed: install Debian's fonts-noto-cjk")])
    return path


_L = {
    "title": ("{field}と残債（事案 {case}）", "{field} and the residual (case {case})"),
    "y": ("残債（万円）", "Residual (¥10,000)"),
    "x": ("{field}（万円）", "{field} (¥10,000)"),
    "residual": ("残債（任意売却）", "Residual (voluntary sale)"),
    "auction": ("残債（競売の場合）", "Residual if auctioned"),
    "break_even": ("損益分岐 {value}", "break-even {value}"),
}


def _t(key: str, lang: str, **kw: Any) -> str:
    ja, en = _L[key]
    return (ja if lang == "ja" else en).format(**kw)


def plot_sweep(table: Any, target: str | Path, lang: str = "ja") -> dict[str, Any]:
    """Draw a Sweep to a PNG file; returns what was drawn (the font file, the size in pixels)."""
    import os
    import tempfile

    import matplotlib
    from matplotlib.figure import Figure

    from facts import display

    font = cjk_font()
    field = table.field_title.get(lang)
    man = 10_000
    xs = [r.value / man for r in table.rows]
    with warnings.catch_warnings(record=True) as caught, matplotlib.rc_context(
        {"font.family": "sans-serif", "font.sans-serif": [CJK_FAMILY, "DejaVu Sans"], "axes.unicode_minus": False}
    ):
        warnings.simplefilter("always")
        fig = Figure(figsize=(8, 5), dpi=100)
        ax = fig.add_subplot()
        ax.plot(xs, [(r.residual_debt or 0) / man for r in table.rows], marker="o", label=_t("residual", lang))
        if any(r.residual_debt_auction is not None for r in table.rows):
            ax.plot(xs, [(r.residual_debt_auction or 0) / man for r in table.rows], marker="s", linestyle="--",
                    label=_t("auction", lang))
        if table.break_even is not None:
            ax.axvline(table.break_even / man, color="tab:red", linestyle=":",
                       label=_t("break_even", lang, value=display.yen(table.break_even, lang)))
        ax.set_title(_t("title", lang, field=field, case=table.case_id))
        ax.set_xlabel(_t("x", lang, field=field))
        ax.set_ylabel(_t("y", lang))
        ax.grid(True, alpha=0.3)
        ax.legend()
        fig.tight_layout()
        # drawn to a temporary file beside the target and moved into place: never a half-written PNG
        target = Path(target)
        fd, tmp = tempfile.mkstemp(prefix=".zansai-", suffix=".png", dir=target.parent if str(target.parent) else ".")
        try:
            with os.fdopen(fd, "wb") as out:
                fig.savefig(out, format="png")
            missing = [str(w.message) for w in caught if "missing from" in str(w.message)]
            if missing:
                raise FontMissing([Problem("--plot", f"グラフの文字がフォントにありません: {missing[0]}",
                                           f"a glyph is missing from the font: {missing[0]}")])
            mask = os.umask(0)
            os.umask(mask)
            os.chmod(tmp, 0o666 & ~mask)  # mkstemp makes it private; the chart is an ordinary file
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    return {"font": font, "size": (800, 500)}
