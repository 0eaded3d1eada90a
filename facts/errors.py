"""The one error hierarchy of zansai.

Every expected failure is a ``ZansaiError`` carrying bilingual text, so the
CLI (and any later renderer) can print it in the user's language without a
traceback. Lower layers raise these; nothing converts them but the edges.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, located precisely enough to fix it."""

    location: str  # e.g. "debtor.annual_income" or "rules/sale.yaml: sale.net_proceeds.when[0]"
    ja: str
    en: str

    def text(self, lang: str) -> str:
        return self.ja if lang == "ja" else self.en

    def line(self, lang: str) -> str:
        return f"{self.location}: {self.text(lang)}" if self.location else self.text(lang)


class ZansaiError(Exception):
    """Base of every error zansai reports to a user."""

    exit_code = 1

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("; ".join(p.line("en") for p in self.problems))

    def lines(self, lang: str) -> list[str]:
        return [p.line(lang) for p in self.problems]


class InputError(ZansaiError):
    """The case (or another user input) is unreadable or contradicts itself."""

    exit_code = 2


class RuleBaseError(ZansaiError):
    """A rule or parameter file is malformed or refers to something unknown."""

    exit_code = 3


class EngineError(ZansaiError):
    """The inference engine failed; no result may be returned for this case."""

    exit_code = 4

    def __init__(self, problems: list[Problem], rule_id: str | None = None):
        self.rule_id = rule_id
        super().__init__(problems)


class StoreError(ZansaiError):
    """The audit store cannot be used: not a zansai store, a newer schema, unreachable."""

    exit_code = 5


class RecordNotFound(InputError):
    """The user named an audit record the store does not hold (or holds purged): a bad argument."""


class BundleError(InputError):
    """An exported audit bundle cannot be read at all (as opposed to one that fails its hashes)."""


def problem(location: str, ja: str, en: str) -> Problem:
    return Problem(location=location, ja=ja, en=en)
