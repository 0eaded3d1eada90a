"""Names a user gives (a path, a rule): checked against what exists, with a "did you mean".

Kept apart from the desk so a renderer can check names in a stored Result
without importing anything that could start the engine.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from app.result import Result
from facts.errors import InputError, Problem, ZansaiError


def result_paths(result: Result) -> list[str]:
    return list(result.explanations.listing) if result.explanations else [r.path for r in result.recommendations]


def result_rules(result: Result) -> list[str]:
    return list(result.explanations.rules) if result.explanations else []


def check_name(location: str, name: str, known: Iterable[str], what: str) -> str:
    known = list(known)
    if name not in known:
        raise unknown(location, name, known, what)
    return name


def unknown(location: str, name: str, known: list[str], what: str) -> ZansaiError:
    """Bad input naming something that does not exist, with the closest name and the list."""
    hint = difflib.get_close_matches(name, known, n=1)
    ja_what, en_what = {"path": ("進路", "path"), "rule": ("ルール", "rule"),
                        "rule_or_parameter": ("ルール・パラメータ", "rule or parameter")}[what]
    listed = ", ".join(known) if len(known) <= 12 else ", ".join(known[:12]) + ", …"
    return InputError(
        [
            Problem(
                location,
                f"{ja_what} {name} はありません" + (f"（もしかして {hint[0]}?）" if hint else "") + f"。{ja_what}: {listed}",
                f"unknown {en_what} {name}" + (f" (did you mean {hint[0]}?)" if hint else "")
                + f"; {'rules and parameters' if what == 'rule_or_parameter' else en_what + 's'}: {listed}",
            )
        ]
    )
