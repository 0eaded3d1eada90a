"""Many cases for the batch and the benchmark: the examples, varied, with broken records on purpose.

Run: .venv/bin/python bench/cases.py N OUTPUT [--broken-every K] [--encoding cp932]

OUTPUT ending in .csv gets a CSV with dotted column names (as Excel in Japan
would save it with --encoding cp932), .jsonl one case per line. Every K-th
record (default: none) is broken in one of several ways, each a mistake an
advisor or an export really makes; the broken record numbers are printed to
standard error so a run can be checked against them. The same N and seed give
the same file.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import random
import re
import sys
from pathlib import Path
from typing import Any, Iterator

import yaml

ROOT = Path(__file__).resolve().parent.parent

# Each way to break a record: a column and the text put there ("" empties it), or a raw-byte marker.
BREAKS: list[tuple[str, str]] = [
    ("debtor.annual_income", "三百八十万くらい"),
    ("mortgage.lender_type", "megabank"),
    ("mortgage.balance", ""),
    ("as_of", "2026-02-30"),
    ("debtor.age", "四十二"),
    ("mortgage.late_damage_rate", "14.6パーセント"),
    ("debtor.household_size", "0"),
    ("<bad-bytes>", ""),
]


def _examples() -> list[dict[str, Any]]:
    out = []
    for path in sorted((ROOT / "examples").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        out.append(data)
    return out


def _flatten(data: Any, prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    if isinstance(data, dict):
        for key, value in data.items():
            flat.update(_flatten(value, f"{prefix}{key}."))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            flat.update(_flatten(value, f"{prefix}{index}."))
    else:
        flat[prefix[:-1]] = data
    return flat


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


_MONEY = re.compile(r"^(\d+(?:\.\d+)?)(万|千円)$")


def _vary(base: dict[str, Any], n: int, rng: random.Random) -> dict[str, Any]:
    """One example with every amount of money moved by up to ±30% and the debtor's age by up to
    ±6 years, so rules fire differently across the batch and the figures differ case by case,
    as in a real book of accounts (amounts written "380万" stay in that form)."""
    case = json.loads(json.dumps(base, default=str))
    case["case_id"] = f"c{n:06d}"

    def vary(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: vary(v) for k, v in value.items()}
        if isinstance(value, list):
            return [vary(v) for v in value]
        factor = rng.uniform(0.7, 1.3)
        if isinstance(value, str):
            written = _MONEY.match(value)
            if written is None:
                return value
            number, unit = float(written.group(1)), written.group(2)
            moved = round(number * factor, 1 if unit == "万" else 0)
            return f"{moved:g}{unit}" if moved else value
        if isinstance(value, int) and not isinstance(value, bool) and value >= 10_000:  # yen written in full
            return int(value * factor) // 1000 * 1000
        return value

    for section in ("debtor", "budget", "property", "mortgage", "sale", "other_debts", "assets"):
        if section in case:
            case[section] = vary(case[section])
    debtor = case.get("debtor")
    if isinstance(debtor, dict) and isinstance(debtor.get("age"), int):
        debtor["age"] = max(20, debtor["age"] + rng.randint(-6, 6))
    if rng.random() < 0.3 and isinstance(debtor, dict):
        debtor["annual_income"] = f"{rng.randint(150, 900)}万"
    return case


def generate(n: int, seed: int = 11) -> Iterator[dict[str, Any]]:
    rng = random.Random(seed)
    examples = _examples()
    for i in range(1, n + 1):
        yield _vary(examples[i % len(examples)], i, rng)


def columns() -> list[str]:
    names: list[str] = []
    for example in _examples():
        for key in _flatten(example):
            if key not in names:
                names.append(key)
    return names


def write(n: int, output: Path, broken_every: int = 0, encoding: str = "utf-8", seed: int = 11) -> list[int]:
    """Write the cases; returns the record numbers (1-based) that were broken."""
    broken: list[int] = []
    if output.suffix == ".jsonl":
        with output.open("w", encoding="utf-8") as f:
            for i, case in enumerate(generate(n, seed), start=1):
                line = json.dumps(case, ensure_ascii=False)
                if broken_every and i % broken_every == 0:
                    broken.append(i)
                    line = line.replace('"debtor": {', '"debtor": {"annual_income": "不明", "x": 1, ', 1)
                    line = line.replace('"x": 1, ', "", 1) if i % 2 else line
                f.write(line + "\n")
        return broken
    names = columns()
    with output.open("wb") as f:
        f.write(_row(names, encoding))
        for i, case in enumerate(generate(n, seed), start=1):
            flat = _flatten(case)
            cells = [_text(flat.get(name)) for name in names]
            raw = None
            if broken_every and i % broken_every == 0:
                broken.append(i)
                column, text = BREAKS[(i // broken_every) % len(BREAKS)]
                if column == "<bad-bytes>":
                    cells[names.index("debtor.occupation")] = "@@BAD@@"
                    raw = _row(cells, encoding).replace(b"@@BAD@@", b"\x81\x20\xff")
                else:
                    cells[names.index(column)] = text
            f.write(raw if raw is not None else _row(cells, encoding))
    return broken


def _row(cells: list[str], encoding: str) -> bytes:
    import io

    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(cells)
    return buffer.getvalue().encode(encoding)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int)
    parser.add_argument("output", type=Path)
    parser.add_argument("--broken-every", type=int, default=0)
    parser.add_argument("--encoding", default="utf-8")
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    broken = write(args.n, args.output, args.broken_every, args.encoding, args.seed)
    print(f"{args.n} records, {len(broken)} broken: {broken[:20]}{' …' if len(broken) > 20 else ''}", file=sys.stderr)


if __name__ == "__main__":
    main()
