"""The hostile corpus (tests/hostile/): every file gets a clear answer, never an internal error.

Each file is run through the CLI in-process (fast) for the exit code, the
field named and the wording in both languages; ``validate`` over the whole
corpus must accept exactly the files ``assess`` accepts. A few real
subprocesses then hold the heaviest inputs to the resource promise: done
within 2 s of CPU and 200 MB of memory, never a hang, never exit 70.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = ROOT / "tests" / "hostile"
FILES = HOSTILE / "files"
EXPECTED: dict[str, dict] = json.loads((HOSTILE / "expected.json").read_text(encoding="utf-8"))

# Parser and validator English that must never show through a Japanese message.
ENGLISH_LEAK = re.compile(r"\b(found|expected|could not|Input should|while (parsing|scanning)|not allowed|error)\b")


def test_the_corpus_is_large_and_every_file_has_an_expectation():
    on_disk = {p.name for p in FILES.iterdir()}
    assert on_disk == set(EXPECTED)
    assert len(on_disk) >= 80
    assert sum(1 for e in EXPECTED.values() if e["exit"] == 0) >= 10  # some hostile-looking input is fine


def _invoke(*args: str) -> tuple[int, str, str, float]:
    start = time.process_time()
    result = CliRunner().invoke(main, list(args))
    elapsed = time.process_time() - start
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr, elapsed


def _names_field(stderr: str, name: str, field: str) -> bool:
    lines = stderr.splitlines()
    path = str(FILES / name)
    if field == "@file":
        return any(line.startswith(path + ":") or line.startswith(path + " ") for line in lines)
    if field == "@line":
        return any(re.match(re.escape(path) + r":\d+:\d+: ", line) for line in lines)
    if field == "(root)":
        return any(line.startswith(": ") or not line.startswith(path) for line in lines)
    return any(line.startswith(field) for line in lines)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_hostile_file_gets_a_clear_answer(name):
    expect = EXPECTED[name]
    path = str(FILES / name)
    code, stdout, stderr, cpu = _invoke("--lang", "en", "assess", path)
    assert code != 70 and "internal error" not in stderr, stderr
    assert "Traceback" not in stdout + stderr
    assert code == expect["exit"], stderr
    assert cpu < 2.0, f"{name} took {cpu:.2f} s of CPU"
    if expect["exit"] == 0:
        code, stdout, stderr, _ = _invoke("facts", path)
        assert code == 0, stderr
        assert expect["facts"] in stdout, stdout
        return
    assert _names_field(stderr, name, expect["field"]), stderr
    if "says" in expect:
        assert expect["says"] in stderr, stderr
    assert len(stderr) < 4000, "an error message must stay readable"

    code, _, stderr_ja, _ = _invoke("assess", path)  # Japanese, the default
    assert code == expect["exit"]
    assert not ENGLISH_LEAK.search(stderr_ja), stderr_ja
    if "ja" in expect:
        assert expect["ja"] in stderr_ja, stderr_ja


def test_validate_accepts_exactly_what_assess_accepts_and_reports_every_file():
    names = sorted(EXPECTED)
    code, stdout, stderr, _ = _invoke("--lang", "en", "validate", *(str(FILES / n) for n in names))
    assert code == 2, stderr
    verdicts = {}
    for line in stdout.splitlines():
        match = re.match(r"(\S+): (OK|\d+ problem)", line)
        if match:
            verdicts[Path(match[1]).name] = match[2] == "OK"
    assert set(verdicts) == set(names), "every file is reported, the good ones too"
    for name in names:
        assert verdicts[name] == (EXPECTED[name]["exit"] == 0), name


# ---------------------------------------------------------------- real processes, resource bounds

MEMORY_LIMIT_KB = 200 * 1024
CPU_LIMIT_S = 2.0


def _measured(*args: str, input_bytes: bytes | None = None, stdin=subprocess.DEVNULL) -> tuple[int, str, float, int]:
    peak_file = Path(tempfile.mkstemp(prefix="zansai-peak-")[1])
    process = subprocess.Popen(
        [sys.executable, "-c", _PEAK_REPORTER + "import cli; cli.main()", *args],
        stdin=subprocess.PIPE if input_bytes is not None else stdin,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        cwd=ROOT,
        env={**os.environ, "ZANSAI_PEAK_FILE": str(peak_file)},
    )
    if input_bytes is not None:
        try:
            process.stdin.write(input_bytes)
        except BrokenPipeError:  # zansai stopped reading at its limit: that is the point
            pass
        process.stdin.close()
    deadline = time.monotonic() + 30
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() > deadline:
            process.kill()
            os.wait4(process.pid, 0)
            pytest.fail(f"zansai {' '.join(args)} did not finish in 30 s")
        time.sleep(0.02)
    process.returncode = os.waitstatus_to_exitcode(status)
    stderr = process.stderr.read().decode("utf-8", "replace")
    process.stderr.close()
    peak_text = peak_file.read_text()
    peak_file.unlink()
    peak = int(peak_text) if peak_text else 0
    return process.returncode, stderr, usage.ru_utime + usage.ru_stime, peak


# ru_maxrss would count the pytest process the child was forked from (Linux
# keeps the high-water mark across exec); VmHWM belongs to the child alone.
_PEAK_REPORTER = """
import atexit, os
def _report_peak():
    try:
        status = open('/proc/self/status').read()
    except OSError:
        return
    for line in status.splitlines():
        if line.startswith('VmHWM:'):
            open(os.environ['ZANSAI_PEAK_FILE'], 'w').write(line.split()[1])
atexit.register(_report_peak)
"""


def _baseline_cpu() -> float:
    """CPU a process spends starting up and importing zansai, which is not the input's doing."""
    _, _, cpu, _ = _measured("--version")
    return cpu


HEAVY = [
    "billion_laughs.yaml",
    "billion_laughs_in_field.yaml",
    "deep_flow_nesting.yaml",
    "json_deep.json",
    "other_debts_3000.yaml",
    "balance_5000_digits.yaml",
    "json_huge_int.json",
    "case_id_huge.yaml",
]


@pytest.mark.parametrize("name", HEAVY)
def test_heavy_hostile_files_stay_within_time_and_memory(name):
    code, stderr, cpu, peak = _measured("--lang", "en", "assess", str(FILES / name))
    assert code == EXPECTED[name]["exit"], stderr
    assert peak < MEMORY_LIMIT_KB, f"{peak} KB"
    assert cpu - _baseline_cpu() < CPU_LIMIT_S


def test_an_oversized_file_is_refused_without_reading_it_all(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_bytes(b"case_id: big\n" + b"# padding\n" * 300_000)  # 3 MB
    code, stderr, cpu, peak = _measured("--lang", "en", "assess", str(big))
    assert code == 2
    assert f"{big}: the file is too large (the limit is 1,048,576 bytes)" in stderr
    assert peak < MEMORY_LIMIT_KB


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero on this system")
def test_dev_zero_is_refused_at_the_limit():
    code, stderr, cpu, peak = _measured("--lang", "en", "assess", "/dev/zero")
    assert code == 2 and "too large" in stderr
    assert peak < MEMORY_LIMIT_KB


def test_an_endless_stdin_is_refused_at_the_limit():
    code, stderr, _, peak = _measured("--lang", "en", "assess", "-", input_bytes=b"#" * (3 * 1024 * 1024))
    assert code == 2 and "<stdin>: the file is too large" in stderr
    assert peak < MEMORY_LIMIT_KB


def test_json_piped_on_stdin_is_reported_as_json():
    code, stderr, _, _ = _measured("--lang", "en", "assess", "-", input_bytes=b'{"case_id": "x" "debtor": {"annual_income": 1}}')
    assert code == 2
    assert "<stdin>:1:" in stderr and "JSON syntax error" in stderr and "YAML" not in stderr


def test_assess_with_stdin_closed_is_a_clear_error():
    read_end, write_end = os.pipe()
    os.close(write_end)
    os.close(read_end)
    process = subprocess.run(
        [sys.executable, "-c", "import os, sys; os.close(0); sys.stdin = None; import cli; cli.main()", "--lang", "en", "assess", "-"],
        capture_output=True,
        cwd=ROOT,
        timeout=30,
    )
    stderr = process.stderr.decode()
    assert process.returncode == 2, stderr
    assert "<stdin>: standard input cannot be read" in stderr


def test_validate_of_the_whole_corpus_in_one_process_reports_every_file():
    code, stderr, _, peak = _measured("--lang", "en", "validate", *(str(FILES / n) for n in sorted(EXPECTED)))
    assert code == 2 and "internal error" not in stderr and "Traceback" not in stderr
    assert peak < MEMORY_LIMIT_KB


def _padded_case(tmp_path: Path, padding: int) -> Path:
    path = tmp_path / "padded.yaml"
    path.write_bytes((ROOT / "examples" / "case_a.yaml").read_bytes() + b"# " + b"x" * padding + b"\n")
    return path


def test_max_bytes_raises_the_limit_for_a_large_but_real_case(tmp_path):
    path = _padded_case(tmp_path, 1_200_000)
    refused = CliRunner().invoke(main, ["--lang", "en", "assess", str(path)])
    assert refused.exit_code == 2 and "--max-bytes changes the limit" in refused.stderr
    allowed = CliRunner().invoke(main, ["--lang", "en", "assess", "--max-bytes", "2000000", str(path)])
    assert allowed.exit_code == 0, allowed.output
    assert "Voluntary sale" in allowed.stdout


def test_max_bytes_lowers_the_limit_and_names_it_in_both_languages(tmp_path):
    path = _padded_case(tmp_path, 10)
    size = path.stat().st_size
    for lang, words in (("en", f"the limit is {size - 1:,} bytes"), ("ja", f"上限 {size - 1:,} バイト")):
        result = CliRunner().invoke(main, ["--lang", lang, "validate", "--max-bytes", str(size - 1), str(path)])
        assert result.exit_code == 2 and words in result.output + result.stderr
    exact = CliRunner().invoke(main, ["validate", "--max-bytes", str(size), str(path)])
    assert exact.exit_code == 0 and "OK" in exact.stdout


def test_max_bytes_comes_from_the_environment_and_has_a_ceiling(tmp_path):
    path = _padded_case(tmp_path, 1_200_000)
    from_env = CliRunner().invoke(main, ["facts", str(path)], env={"ZANSAI_MAX_BYTES": "3000000"})
    assert from_env.exit_code == 0, from_env.output
    too_high = CliRunner().invoke(main, ["assess", "--max-bytes", str(64 * 1024 * 1024 + 1), str(path)])
    assert too_high.exit_code == 2 and "--max-bytes" in too_high.output + too_high.stderr


def test_a_result_nested_too_deeply_is_bad_input_not_an_internal_error(tmp_path):
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    result = CliRunner().invoke(main, ["--lang", "en", "explain", "--result", str(deep)])
    assert result.exit_code == 2, result.output
    assert f"{deep}: not a result JSON: nested too deeply" in result.stderr


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero on this system")
def test_explain_of_an_endless_result_is_refused_at_its_limit():
    code, stderr, _, peak = _measured("--lang", "en", "explain", "--result", "/dev/zero")
    assert code == 2 and "a result is at most 67,108,864 bytes" in stderr
    assert peak < MEMORY_LIMIT_KB + 70_000  # the result limit itself, read once


def test_explain_grows_linearly_with_guarantors_and_debts():
    """5,000 guarantors once made explain take 15 s, worse than linear: lists are capped now
    (20 guarantors, 100 debts), and within the caps what explain says grows by a fixed
    amount per person or debt, never by one per pair."""
    from app.desk import Desk
    from facts.load import load_case_file
    from render.explain import explanation_text

    base = load_case_file(ROOT / "examples" / "case_a.yaml").model_dump(mode="json")
    desk = Desk(None)

    def size(debts: int, guarantors: int) -> int:
        data = json.loads(json.dumps(base))
        data["other_debts"] = [
            {"type": "card_loan", "creditor": f"C{i}", "balance": 800_000 + i, "monthly_payment": 20_000} for i in range(debts)
        ]
        data["guarantors"] = [
            {"name": f"G{i}", "relation": "relative", "kind": "joint_guarantor", "informed": False, "guarantee_date": "2021-10-01"}
            for i in range(guarantors)
        ]
        from facts.load import load_case_text

        result = desk.assess(load_case_text(json.dumps(data).encode(), "scaled.json"))
        return len(explanation_text(result, "en", None, None).splitlines())

    g5, g10, g20 = size(1, 5), size(1, 10), size(1, 20)
    assert g10 > g5 and (g20 - g10) <= 2 * (g10 - g5) + 5
    d25, d50, d100 = size(25, 1), size(50, 1), size(100, 1)
    assert (d100 - d50) <= 2 * max(d50 - d25, 0) + 5
