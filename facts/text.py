"""Bilingual text: every message zansai shows exists in Japanese and in English."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Bilingual(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    ja: str
    en: str

    def get(self, lang: str) -> str:
        return self.ja if lang == "ja" else self.en
