"""Coverage-guided fuzzing of the case loader, the value parsers and the rule-expression parser with atheris.

Not part of the test suite (atheris needs clang to build and runs until
stopped); see tests/README.md. Any input must load, or be refused with an
InputError / the parser's own error: anything else is a crash atheris keeps
as ``crash-*``. Copy such a file into tests/hostile/files (with its
expectation in tests/hostile/generate.py) or into an ``@example`` in
tests/test_fuzz.py so it stays a regression case.

    .venv/bin/pip install atheris
    .venv/bin/python tests/fuzz_atheris.py -max_total_time=600 tests/hostile/files
"""

from __future__ import annotations

import sys
from pathlib import Path

import atheris

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

with atheris.instrument_imports():
    from facts.errors import InputError
    from facts.load import load_case_text
    from facts.values import ValueParseError, parse_count, parse_date, parse_rate, parse_yen
    from knowledge.expr import ExprError
    from knowledge.parser import parse as parse_expression


def one_input(data: bytes) -> None:
    try:
        load_case_text(data, "fuzz.yaml")
    except InputError as error:
        for problem in error.problems:
            problem.line("ja").encode("utf-8")
    provider = atheris.FuzzedDataProvider(data)
    text = provider.ConsumeUnicodeNoSurrogates(64)
    for parser in (parse_yen, parse_date, parse_rate, parse_count):
        try:
            parser(text)
        except ValueParseError:
            pass
    # a rule file's expressions come from whoever wrote --rules: refused, never crashed on
    try:
        parse_expression(provider.ConsumeUnicodeNoSurrogates(256))
    except ExprError:
        pass


if __name__ == "__main__":
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()
