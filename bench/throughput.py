"""Throughput of `assess` in one process, and what the engine cross-check costs.

Run: .venv/bin/python bench/throughput.py [ROUNDS]

Every example case is assessed ROUNDS times (default 200) with the cross-check on
(the default) and off, interleaved round by round so drift on a shared
machine falls on both alike. Prints cases per second for each and the ratio
measured in this run, plus the process's peak memory.
"""

from __future__ import annotations

import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.desk import Desk  # noqa: E402
from facts.load import load_case_file  # noqa: E402


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    cases = [load_case_file(p) for p in sorted((ROOT / "examples").glob("*.yaml"))]
    checked, plain = Desk(cross_check=True), Desk(cross_check=False)
    for a in (checked, plain):  # warm-up
        for case in cases:
            a.assess(case)
    spent = {"checked": 0.0, "unchecked": 0.0}
    for _ in range(rounds):
        for name, a in (("checked", checked), ("unchecked", plain)):
            start = time.perf_counter()
            for case in cases:
                a.assess(case)
            spent[name] += time.perf_counter() - start
    n = rounds * len(cases)
    rate = {k: n / v for k, v in spent.items()}
    print(f"cases: {n} per configuration ({len(cases)} examples x {rounds} rounds), "
          f"{len(checked.rule_base.rules)} rules")
    for k, r in rate.items():
        print(f"  {k:9s} {r:8.1f} cases/s  {1000 / r:6.2f} ms/case")
    print(f"  cross-check cost: unchecked/checked throughput ratio = {rate['unchecked'] / rate['checked']:.2f}")
    print(f"  peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
