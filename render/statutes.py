"""Statute citations for English readers, and source citations for every reader.

Rules cite Japanese law as Japanese lawyers write it (民法152条1項). An English
report names the act in English with the Japanese name once (Civil Code (民法)
art. 152(1)), then in English only (Civil Code art. 145). The act names are the
ones docs/sources.md lists (a test keeps the two the same). Article headings of the
source article and the project's notes are shown as a reader of the repository can
look them up in docs/sources.md.
"""

from __future__ import annotations

import re

# Japanese act name -> English name (Japanese Law Translation database where it has the act)
ACTS: dict[str, str] = {
    "民法": "Civil Code",
    "旧民法": "Civil Code before the 2017 amendment took effect on 1 April 2020",
    "民法の一部を改正する法律（平成29年法律第44号）": "Act Partially Amending the Civil Code (Act No. 44 of 2017)",
    "民法の一部を改正する法律の施行に伴う関係法律の整備等に関する法律（平成29年法律第45号）": "Act on the Arrangement of Related Acts for the 2017 Civil Code Amendment (Act No. 45 of 2017)",
    "旧商法": "Commercial Code before 1 April 2020 (art. 522: five-year commercial limitation)",
    "破産法": "Bankruptcy Act",
    "民事再生法": "Civil Rehabilitation Act",
    "民事執行法施行令": "Order for Enforcement of the Civil Execution Act",
    "民事執行法": "Civil Execution Act",
    "民事調停法": "Civil Mediation Act",
    "特定債務等の調整の促進のための特定調停に関する法律": "Act on Specified Mediation for Facilitating the Adjustment of Specified Debts",
    "特定調停法": "Act on Specified Mediation for Facilitating the Adjustment of Specified Debts",
    "民事訴訟費用等に関する法律": "Act on the Costs of Civil Procedure",
    "利息制限法": "Interest Rate Restriction Act",
    "貸金業法": "Money Lending Business Act",
    "債権管理回収業に関する特別措置法": "Act on Special Measures Concerning Claim Management and Collection Businesses (Servicer Act)",
    "サービサー法": "Act on Special Measures Concerning Claim Management and Collection Businesses (Servicer Act)",
    "独立行政法人住宅金融支援機構法": "Act on the Japan Housing Finance Agency",
    "司法書士法": "Judicial Scrivener Act",
    "弁護士法": "Attorney Act",
    "裁判所法": "Court Act",
    "総合法律支援法": "Comprehensive Legal Support Act",
    "生活保護法": "Public Assistance Act",
    "国民年金法": "National Pension Act",
    "厚生年金保険法": "Employees' Pension Insurance Act",
    "国税通則法": "Act on General Rules for National Taxes",
    "憲法": "Constitution of Japan",
    "国税徴収法": "National Tax Collection Act",
    "地方税法": "Local Tax Act",
    "消費税法": "Consumption Tax Act",
    "所得税法": "Income Tax Act",
    "登録免許税法": "Registration and License Tax Act",
    "宅建業法": "Real Estate Brokerage Act",
    "宅地建物取引業法": "Real Estate Brokerage Act",
    "建物の区分所有等に関する法律": "Act on Building Unit Ownership",
    "区分所有法": "Act on Building Unit Ownership",
    "会社法": "Companies Act",
    "保険業法": "Insurance Business Act",
    "金融商品取引法": "Financial Instruments and Exchange Act",
    "警備業法": "Security Business Act",
    "古物営業法": "Secondhand Articles Dealer Act",
    "建設業法": "Construction Business Act",
    "旅行業法": "Travel Agency Act",
    "通関業法": "Customs Brokerage Act",
    "公認会計士法": "Certified Public Accountants Act",
    "税理士法": "Certified Public Tax Accountant Act",
    "弁理士法": "Patent Attorney Act",
    "行政書士法": "Certified Administrative Procedures Legal Specialist Act",
    "社会保険労務士法": "Labor and Social Security Attorney Act",
    "土地家屋調査士法": "Land and House Investigator Act",
    "不動産の鑑定評価に関する法律": "Act on Real Estate Appraisal",
    "信用保証協会法": "Credit Guarantee Corporation Act",
    "昭和45年建設省告示1552号": "Ministry of Construction Notice No. 1552 of 1970 (maximum brokerage fees)",
    "平成29年国土交通省告示1155号": "Ministry of Land, Infrastructure, Transport and Tourism Notice No. 1155 of 2017 (brokerage fees for low-priced homes)",
    "令和6年国土交通省告示949号": "Ministry of Land, Infrastructure, Transport and Tourism Notice No. 949 of 2024 (brokerage fees for low-priced homes)",
}
CASES: dict[str, str] = {
    "最大判昭和41年4月20日": "Supreme Court, Grand Bench, 20 April 1966",
    "最大判昭41.4.20": "Supreme Court, Grand Bench, 20 April 1966",
    "最判昭和42年10月6日": "Supreme Court, 6 October 1967",
    "最判昭和60年2月12日": "Supreme Court, 12 February 1985",
    "最判昭和63年10月18日": "Supreme Court, 18 October 1988",
    "最判平成28年6月27日": "Supreme Court, 27 June 2016",
}
ALIASES = {
    "改正法": "民法の一部を改正する法律（平成29年法律第44号）",
    "整備法": "民法の一部を改正する法律の施行に伴う関係法律の整備等に関する法律（平成29年法律第45号）",
    "民再": "民事再生法",
    "民執": "民事執行法",
}

_ROMAN = ["", "i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii", "xiii", "xiv", "xv",
          "xvi", "xvii", "xviii", "xix", "xx"]
_IROHA = {"イ": "a", "ロ": "b", "ハ": "c", "ニ": "d", "ホ": "e", "ヘ": "f"}
_ACT_NAMES = sorted(list(ACTS) + list(ALIASES), key=len, reverse=True)
_ARTICLE = r"(?P<supp>附則)?(?P<art>\d+)条(?:の(?P<sub>\d+))?(?:第?(?P<para>\d+)項)?(?:(?P<item>\d+)号)?(?P<iroha>[イロハニホヘ])?"
# Further paragraphs or items of the same article, as templates write them: 122条1項・2項,
# 122条1項, 2項 (an English template's list). Without this the "2項" stayed Japanese.
_MORE = r"(?P<more>(?:\s*[・、,]\s*第?\d+[項号])*)"
CITE = re.compile(r"(?P<act>" + "|".join(re.escape(a) for a in _ACT_NAMES) + r")?" + _ARTICLE + _MORE)
_SAME = re.compile(r"同条(?P<para>\d+)項")
# An appended table (別表第一) and its row: 民事訴訟費用等に関する法律別表第一 14項 (the stamp-fee
# table), 登録免許税法別表第一 1(15). English: Appended Table 1, item 14.
TABLE = re.compile(
    r"(?P<act>" + "|".join(re.escape(a) for a in _ACT_NAMES) + r")?別表第(?P<table>[一二三四五])\s*(?:(?P<row>\d+)項|(?P<ref>\d+\(\d+\)))?"
)
_KANJI = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5}
# A ministerial notice is cited whole or by its part (昭和45年建設省告示1552号第二), never by article.
NOTICE = re.compile(r"(?P<act>" + "|".join(re.escape(a) for a in ACTS if "告示" in a) + r")(?:第(?P<part>[一二三四五]))?")
# 消費税法29条（平成28年法律85号による改正）: the amending act of a dated value's source.
AMENDED = re.compile(r"（(?P<era>昭和|平成|令和)(?P<year>\d+)年法律第?(?P<no>\d+)号による改正）")
_ERA_START = {"昭和": 1925, "平成": 1988, "令和": 2018}
# 2条11項・15条1項: the Japanese list mark between two whole citations reads as a comma in English.
_BETWEEN = re.compile(r"(?<=[条項号イロハニホヘ])・(?=(?:附則)?\d+条)")


def _roman(n: int) -> str:
    return _ROMAN[n] if n < len(_ROMAN) else str(n)


def _and(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def article_number_en(m: re.Match) -> str:
    """The article as English cites it, without "art.": 122(1), 231(2)(iv), 196(i), 10(1) and (4).

    An item of an article without paragraphs is written 196(i), like 231(2)(iv), and not
    "196, item (i)": in a list of articles the comma read as a new article number.
    """
    art = m.group("art") + (f"-{m.group('sub')}" if m.group("sub") else "")
    if m.group("para"):
        art += f"({m.group('para')})"
    if m.group("item"):
        art += f"({_roman(int(m.group('item')))})"
    if m.group("iroha"):
        art += f"({_IROHA[m.group('iroha')]})"
    more = [(int(n), kind) for n, kind in re.findall(r"(\d+)([項号])", m.group("more") or "")]
    if more:
        art = _and([art] + [f"({n})" if kind == "項" else f"({_roman(n)})" for n, kind in more])
    return art


def article_en(m: re.Match) -> str:
    """The article with its label: art. 122(1), or Supplementary Provisions art. 4(1) for 附則."""
    return ("Supplementary Provisions art. " if m.group("supp") else "art. ") + article_number_en(m)


def gloss_en(text: str, glossed: set[str]) -> str:
    """English text with Japanese citations rendered in English; each act's Japanese name is given once.

    ``glossed`` collects the acts already glossed in this report, so the gloss appears
    at the first mention only.
    """

    def act_name(act: str) -> str:
        act = ALIASES.get(act, act)
        name = ACTS[act]
        if act not in glossed:
            glossed.add(act)
            name = f"{name} ({act})"
        return name

    def act_cite(m: re.Match) -> str:
        act = m.group("act")
        if act is None:
            return article_en(m)
        return f"{act_name(act)} {article_en(m)}"

    def table_cite(m: re.Match) -> str:
        cite = f"Appended Table {_KANJI[m.group('table')]}"
        if m.group("row") or m.group("ref"):
            cite += f", item {m.group('row') or m.group('ref')}"
        return f"{act_name(m.group('act'))} {cite}" if m.group("act") else cite

    if text in ACTS or text in ALIASES:  # an act cited as a whole (特定調停法), no article to hang it on
        return act_name(text)
    text = AMENDED.sub(lambda m: f" (as amended by Act No. {m.group('no')} of {_ERA_START[m.group('era')] + int(m.group('year'))})", text)
    for ja, en in CASES.items():
        text = text.replace(ja, en)
    if "JHF" not in glossed and re.search(r"(?<!\()\bJHF\b", text) and "Japan Housing Finance Agency (JHF)" not in text:
        glossed.add("JHF")
        text = re.sub(r"(?<!\()\bJHF\b", "the Japan Housing Finance Agency (JHF)", text, count=1)
    elif "Japan Housing Finance Agency (JHF)" in text:
        glossed.add("JHF")
    text = _SAME.sub(lambda m: f"para. {m.group('para')} of the same article", text)
    text = _BETWEEN.sub(", ", text)
    text = TABLE.sub(table_cite, text)
    text = NOTICE.sub(lambda m: act_name(m.group("act")) + (f", Part {_KANJI[m.group('part')]}" if m.group("part") else ""), text)
    return CITE.sub(act_cite, text)


def source_display(source: str, lang: str) -> tuple[str, str]:
    """(group, how a reader sees it): the article, the project's notes and law, as docs/sources.md names them."""
    if source.startswith("article §"):
        heading = source[len("article §"):]
        return "article", (f"「{heading}」" if lang == "ja" else f"“{heading}”")
    note = re.search(r"domain\.md §(\d+)", source)
    if note:
        n = note.group(1)
        if "zansai policy" in source:
            return "practice", (f"zansai の判断方針（docs/sources.md §{n}）" if lang == "ja" else f"zansai's decision policy (docs/sources.md §{n})")
        if "practice" in source:
            return "practice", (f"実務の目安（docs/sources.md §{n}）" if lang == "ja" else f"practice (docs/sources.md §{n})")
        return "practice", (f"zansai の資料（docs/sources.md §{n}）" if lang == "ja" else f"zansai's notes (docs/sources.md §{n})")
    if "(practice" in source:
        source = source.split(" (practice", 1)[0]
    return "law", source
