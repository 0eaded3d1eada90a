"""bench/run still runs: a benchmark that rots unseen is found out only on the day its figures are wanted.

A smoke run on a few cases, no memory or cold-start part: it asserts the
table and the lines the RESULTS.md figures come from, and that every way of
running the batch wrote the same bytes. The figures themselves are not
asserted (performance is never a timed test).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_bench_run_prints_every_figure_and_the_outputs_agree() -> None:
    proc = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run"), "--cases", "24", "--rounds", "1", "--no-rss", "--no-cold"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    for row in ("(a) durable-rules alone (floor)", "(b) pipeline JSONL -> JSON, 1 process", "(c) the same, 2 workers"):
        assert re.search(re.escape(row) + r".*?\s\d+\.\d+\s+\d+\.\d+", out), f"no figures for {row}:\n{out}"
    assert re.search(r"\(b\)/\(a\) = \d\.\d{3} on CPU time", out), out
    assert re.search(r"\(c\)/\(b\) = \d+\.\d\d on wall time", out), out
    assert re.search(r"two \(b\)s at once, sharing nothing, give \d+\.\d\d times one \(b\)", out), out
    assert "(b) and (c) outputs byte-identical: True; failed records: 0" in out
