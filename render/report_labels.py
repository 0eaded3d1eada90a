"""The report's fixed wording: section headings, severity and source-kind labels, in both languages.

docs/messages.md says how each is worded; the report and the client documents
(render/documents.py) share them, so a heading reads the same in both.
"""

from __future__ import annotations

LABELS = {
    "title": {"ja": "zansai 判定結果", "en": "zansai assessment"},
    "case": {"ja": "事案", "en": "Case"},
    "as_of": {"ja": "時点", "en": "as of"},
    "standing": {"ja": "いまの状況", "en": "Where the debtor stands"},
    "standing_unknown": {
        "ja": "状況をまとめるための情報（住宅ローン・自宅・収入）がまだ足りません。下の「不足している情報」を参照してください。",
        "en": "There is not yet enough to sum up the situation (the mortgage, the home, the income): see Missing information below.",
    },
    "paths": {"ja": "検討できる進路（目安・順位つき）", "en": "Options to discuss with a lawyer or judicial scrivener (in order)"},
    "no_paths_blocked": {
        "ja": "この事案に当てはまる進路はありません。理由は詳細の「検討したが適さない進路」に、次にすることは注意点にあります。",
        "en": "No option fits this case. Why is under \"Options considered but not fitting\" in the detail; what to do next is in the warnings.",
    },
    "no_paths": {
        "ja": "情報が足りないため、まだ進路を判断できません。下の「不足している情報」をそろえて、もう一度判定します。",
        "en": "There is not yet enough information to assess the options. Gather what is listed under \"Missing information\" and run the assessment again.",
    },
    "steps": {"ja": "今週やること", "en": "This week"},
    "bring": {"ja": "相談に持っていくもの", "en": "What to take to the consultation"},
    "warnings": {"ja": "注意点（急ぐ順）", "en": "Warnings (most urgent first)"},
    "about": {"ja": "この結果について", "en": "About this result"},
    "glossary": {"ja": "ことばの説明", "en": "Terms used"},
    "detail": {"ja": "詳細", "en": "Detail"},
    "path_detail": {"ja": "進路ごとの説明", "en": "Each option explained"},
    "why_first": {"ja": "順位の理由", "en": "Why this order"},
    "blocked": {"ja": "検討したが適さない進路", "en": "Options considered but not fitting"},
    "missing": {"ja": "不足している情報", "en": "Missing information"},
    "blocks": {"ja": "判断できないもの", "en": "cannot determine"},
    "figures": {"ja": "数値（概算）", "en": "Figures (estimates)"},
    "sources": {"ja": "根拠", "en": "Sources"},
    "sources_note": {
        "ja": "出典の一覧と正式名は docs/sources.md にあります。",
        "en": "Every source is listed with its full name in docs/sources.md.",
    },
    "rules": {"ja": "ルール", "en": "rules"},
    "footer": {"ja": "ルールセット", "en": "Rule set"},
    "explain": {
        "ja": "各結論の根拠は `zansai explain` で、推奨されない進路の理由は `zansai explain --why-not 進路` で確認できます。",
        "en": "See `zansai explain` for the reasoning behind each conclusion, and `zansai explain --why-not PATH` for a path that was not recommended.",
    },
    "overridden": {"ja": "この事案で変更したパラメータ", "en": "Parameters overridden for this case"},
    "see_warnings": {"ja": "（注意点を参照）", "en": " (see the warnings)"},
    "most_urgent": {"ja": "いちばん急ぐこと", "en": "Most urgent"},
}
SEVERITY = {
    "high": {"ja": "重要", "en": "High"},
    "medium": {"ja": "注意", "en": "Medium"},
    "low": {"ja": "参考", "en": "Low"},
    "info": {"ja": "情報", "en": "Info"},
}
SOURCE_KIND = {
    "law": {"ja": "法令・判例", "en": "Statutes and case law"},
    "article": {"ja": "元記事", "en": "The source article"},
    "practice": {"ja": "実務・zansai の方針", "en": "Practice and zansai's own policy"},
}

MAX_STEPS = 3
