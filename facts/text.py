"""Bilingual text: every message zansai shows exists in Japanese and in English."""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict


class Bilingual(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    ja: str
    en: str

    def get(self, lang: str) -> str:
        return self.ja if lang == "ja" else self.en


# Coded values in words, by field ("other_debt.debt_type") and code ("card_loan"):
# the rule base's catalog holds them, and messages and documents show a code by them.
Labels = Mapping[str, Mapping[str, Bilingual]]
