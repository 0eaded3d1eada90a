"""Parameters: the named, dated, sourced numbers the rules use.

Their values live in ``rules/parameters.yaml`` (data, versioned with the
rules); this module only says what one looks like, so that the rule base
loader and the fact builder agree on it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Bilingual(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    ja: str
    en: str

    def get(self, lang: str) -> str:
        return self.ja if lang == "ja" else self.en


ParameterKind = Literal["yen", "ratio", "int", "date"]


class Parameter(BaseModel):
    """One parameter in force, with where its value comes from."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    kind: ParameterKind
    value: int | Decimal | dt.date
    unit: str | None = Field(None, description="Display unit when not implied by kind: years, months, yen/month …")
    title: Bilingual
    sources: list[str] = Field(min_length=1)
    valid_from: dt.date
    practice: bool = Field(False, description="From practice, not statute: a rough figure the advisor may override")
    note: Bilingual | None = None
