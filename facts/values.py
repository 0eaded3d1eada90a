"""Reading money, dates and rates the way Japanese advisors write them.

Advisors fill cases with ``3100万円``, ``令和7年6月27日`` and ``14.6%``, often
typed with a Japanese IME (full-width digits, ``￥``, ``，``). Each parser here
accepts those notations, normalises with NFKC first, and either returns an
exact value or raises a :class:`ValueParseError` that says in Japanese and
English what was wrong with *the text the user wrote*. The field name is not
known here; pydantic (through the ``Yen`` / ``CaseDate`` / ``Rate`` types) and
``facts.load`` add the location.

Money is computed with :class:`~decimal.Decimal` only: ``2.5万`` must be
exactly 25,000 and ``2.00001万`` must be rejected, which binary floats cannot
promise.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import reprlib
import unicodedata
from decimal import Decimal
from typing import Annotated, Any, Callable, NamedTuple

from pydantic import BeforeValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

__all__ = [
    "ValueParseError",
    "YenParseError",
    "DateParseError",
    "RateParseError",
    "CountParseError",
    "parse_yen",
    "parse_date",
    "parse_rate",
    "parse_count",
    "Yen",
    "CaseDate",
    "Rate",
    "shown",
    "MAX_YEN",
    "MIN_DATE",
    "MAX_DATE",
    "MAX_COUNT",
    "MAX_MULTIPLIER",
    "Count",
    "Flag",
    "Text",
    "check_text",
]

MAX_YEN = 10**12
"""The largest amount of money a case may state: 1兆円, far beyond any household."""

MIN_DATE = dt.date(1900, 1, 1)
MAX_DATE = dt.date(2200, 12, 31)
"""The dates a case may state: a loan, a judgment or a plan lies in between."""

MAX_COUNT = 1_000_000
"""The largest count (months, years, people) any field or parameter may take."""

MAX_MULTIPLIER = Decimal(1000)
"""The largest multiplier (a ratio allowed above 1, such as 3× income) an assumption may set."""


class ValueParseError(ValueError):
    """A value the user wrote cannot be read; ``ja`` and ``en`` say why."""

    def __init__(self, ja: str, en: str):
        self.ja = ja
        self.en = en
        super().__init__(f"{ja} / {en}")


class YenParseError(ValueParseError):
    pass


class DateParseError(ValueParseError):
    pass


class RateParseError(ValueParseError):
    pass


class CountParseError(ValueParseError):
    pass


_SHORT_REPR = reprlib.Repr()
_SHORT_REPR.maxlevel, _SHORT_REPR.maxlist, _SHORT_REPR.maxdict, _SHORT_REPR.maxstring = 2, 4, 4, 40


def shown(value: Any) -> str:
    """The user's input as it should appear inside an error message."""
    if isinstance(value, bool):
        # YAML spells them true/false; Python's True would confuse a YAML author.
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, str):
        # Bounded: a 1 MB value must not become a 1 MB message; repr escapes
        # control characters and lone surrogates, which a terminal cannot show.
        return repr(value) if len(value) <= 60 else repr(value[:59]) + "…"
    if isinstance(value, (list, dict, tuple, set)):
        # Bounded: a YAML alias bomb must not turn an error message into a hang.
        return _SHORT_REPR.repr(value)
    if isinstance(value, int) and value.bit_length() > 128:
        # str() of it may be refused (over 4,300 digits); its order of magnitude says enough, in any language
        return f"{'-' if value < 0 else ''}~10^{int(math.log10(abs(value)))}"
    text = str(value)
    return text if len(text) <= 60 else text[:59] + "…"


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


# --------------------------------------------------------------------------
# Money
# --------------------------------------------------------------------------

# Japanese numerals group digits by 万 (10^4): 億 and 万 close a group, 千 and
# 百 multiply within one. 十 is left out on purpose: nobody writes "3十万" in a
# loan document, and accepting it would only widen what a typo can mean.
_BIG_UNITS = {"億": Decimal(10) ** 8, "万": Decimal(10) ** 4}
_SMALL_UNITS = {"千": Decimal(1000), "百": Decimal(100)}
_NUMBER = re.compile(r"\d+(?:\.\d+)?|\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_TOKEN = re.compile(r"(?P<num>\d[\d,]*(?:\.\d+)?)|(?P<unit>[億万千百])|(?P<space>\s+)|(?P<other>.)")
_MINUS = "-−‐"  # ASCII, U+2212 and U+2010: all three survive NFKC and all mean "minus" here


def _yen_error(value: Any, ja_reason: str, en_reason: str) -> YenParseError:
    text = shown(value)
    return YenParseError(f"金額 {text} を読み取れません: {ja_reason}", f"cannot read {text} as an amount of yen: {en_reason}")


def _not_money(value: Any) -> YenParseError:
    return _yen_error(
        value,
        "0以上の整数（円）か、3100万円・2億4000万円・¥5,000 のように書いてください",
        "write a non-negative whole number of yen, or e.g. 3100万円, 2億4000万円, ¥5,000",
    )


def _whole_yen(value: Any, amount: Decimal) -> int:
    if not amount.is_finite():
        raise _yen_error(value, "有限の数ではありません", "not a finite number")
    if amount < 0:
        raise _yen_error(value, "負の金額は指定できません", "the amount is negative")
    if amount > MAX_YEN:
        raise _too_much(value)
    if amount != amount.to_integral_value():
        raise _yen_error(value, "1円未満の端数があります", "the amount has a fraction of a yen")
    return int(amount)


def _too_much(value: Any) -> YenParseError:
    return _yen_error(value, "1兆円を超える金額は指定できません", "amounts above 1,000,000,000,000 yen (1兆円) are not accepted")


def parse_yen(value: Any) -> int:
    """Read a non-negative whole number of yen.

    Accepts an ``int``, a whole-valued ``float``/``Decimal``, or text such as
    ``3100万円``, ``3,100万``, ``2億4000万円``, ``1,234万5千円``, ``3百万``,
    ``千円``, ``¥5,000``, ``￥５，０００``, ``2.5万円``, ``1.5億``.
    """
    if isinstance(value, bool):
        raise _yen_error(value, "真偽値は金額ではありません", "a boolean is not an amount")
    if isinstance(value, int):
        if value.bit_length() > 64:  # Decimal() of a 5,000-digit int may be refused outright
            raise _yen_error(value, "負の金額は指定できません", "the amount is negative") if value < 0 else _too_much(value)
        return _whole_yen(value, Decimal(value))
    if isinstance(value, float):
        if not math.isfinite(value):
            raise _yen_error(value, "有限の数ではありません", "not a finite number")
        # str() gives the shortest repr that round-trips, so 2.5 stays 2.5 and is not 2.4999…
        return _whole_yen(value, Decimal(str(value)))
    if isinstance(value, Decimal):
        return _whole_yen(value, value)
    if not isinstance(value, str):
        raise _not_money(value)
    if len(value) > 100:
        raise _too_much(value) if value.strip().isdigit() else _yen_error(value, "長すぎます", "the text is too long")

    text = _nfkc(value)
    if not text:
        raise _yen_error(value, "空です", "it is empty")

    # Sign and currency marks may come in either order: "-¥5,000", "¥-5,000".
    negative = False
    while text and (text[0] in _MINUS or text[0] == "¥" or text[0].isspace()):
        negative = negative or text[0] in _MINUS
        text = text[1:]
    if text.endswith("円"):
        text = text[:-1].rstrip()

    amount = _read_japanese_number(value, text)
    if negative:
        raise _yen_error(value, "負の金額は指定できません", "the amount is negative")
    return _whole_yen(value, amount)


def _read_japanese_number(value: Any, text: str) -> Decimal:
    """Evaluate digits mixed with 億/万/千/百, insisting on a single reading."""

    def out_of_order() -> YenParseError:
        return _yen_error(
            value,
            "単位の順序が正しくありません（億・万・千・百の順に、大きい単位から書いてください）",
            "the units are out of order (write 億, 万, 千, 百 from largest to smallest)",
        )

    tokens: list[tuple[str, str]] = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        if kind == "other":
            raise _not_money(value)
        if kind != "space":
            tokens.append((kind, match.group()))
    if not tokens:
        raise _not_money(value)

    total = Decimal(0)
    previous_big: Decimal | None = None  # multiplier of the last 億/万 seen
    group = Decimal(0)  # value of the current 万-group so far
    last_small: Decimal | None = None  # last 千/百 inside the current group
    pending: Decimal | None = None  # a number not yet attached to a unit
    for kind, token in tokens:
        if kind == "num":
            if pending is not None:  # "1 000": two numbers side by side
                raise _not_money(value)
            if not _NUMBER.fullmatch(token):
                if "," in token:
                    raise _yen_error(
                        value,
                        "桁区切りのカンマの位置が正しくありません（3桁ごとに置いてください）",
                        "misplaced thousands separator (commas go every three digits)",
                    )
                raise _not_money(value)
            pending = Decimal(token.replace(",", ""))
        elif token in _SMALL_UNITS:
            unit = _SMALL_UNITS[token]
            # A bare 千 or 百 means one of it, as in 千円 or 百万円.
            term = (pending if pending is not None else Decimal(1)) * unit
            if last_small is not None and term >= last_small:
                raise out_of_order()
            group += term
            last_small, pending = unit, None
        else:
            unit = _BIG_UNITS[token]
            if pending is None and last_small is None:  # "万円", "億万"
                raise _not_money(value)
            if last_small is not None and pending is not None:
                # "5千2万": within a group every number after 千/百 needs its own smaller unit.
                raise out_of_order()
            term = (group + (pending or 0)) * unit
            if previous_big is not None and term >= previous_big:  # "5万2億", "2億12000万"
                raise out_of_order()
            total += term
            previous_big, group, last_small, pending = unit, Decimal(0), None, None

    if last_small is not None and pending is not None:  # "5千2"
        raise out_of_order()
    rest = group + (pending or 0)
    if previous_big is not None and rest >= previous_big:  # "3100万12000"
        raise out_of_order()
    return total + rest


# --------------------------------------------------------------------------
# Dates
# --------------------------------------------------------------------------


class _Era(NamedTuple):
    name: str
    letter: str
    offset: int  # Gregorian year = offset + era year
    first: dt.date
    last: dt.date | None


_ERAS = (
    # Meiji 1-5 ran on the lunar calendar; Japan adopted the Gregorian calendar on
    # 明治6年1月1日, so earlier Meiji dates cannot be converted by adding an offset.
    _Era("明治", "M", 1867, dt.date(1873, 1, 1), dt.date(1912, 7, 29)),
    _Era("大正", "T", 1911, dt.date(1912, 7, 30), dt.date(1926, 12, 24)),
    _Era("昭和", "S", 1925, dt.date(1926, 12, 25), dt.date(1989, 1, 7)),
    _Era("平成", "H", 1988, dt.date(1989, 1, 8), dt.date(2019, 4, 30)),
    _Era("令和", "R", 2018, dt.date(2019, 5, 1), None),
)
_ERA_BY_KEY = {key: era for era in _ERAS for key in (era.name, era.letter)}

_ERA_NAMES = "|".join([era.name for era in _ERAS] + [era.letter for era in _ERAS])
_DATE_PATTERNS = (
    re.compile(r"(?P<y>\d{4})(?P<sep>[-/.])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})"),
    re.compile(r"(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日"),
    re.compile(rf"(?P<era>{_ERA_NAMES})\s*(?P<y>元|\d{{1,3}})\s*年\s*(?P<m>\d{{1,2}})\s*月\s*(?P<d>\d{{1,2}})\s*日"),
    re.compile(rf"(?P<era>{_ERA_NAMES})\s*(?P<y>元|\d{{1,3}})(?P<sep>[-/.])(?P<m>\d{{1,2}})(?P=sep)(?P<d>\d{{1,2}})"),
)
_WITH_TIME = re.compile(r"\d{4}-\d{1,2}-\d{1,2}(?:[T ]|\s+)\d{1,2}:\d{2}")


def _date_error(value: Any, ja_reason: str, en_reason: str) -> DateParseError:
    text = shown(value)
    return DateParseError(f"日付 {text} を読み取れません: {ja_reason}", f"cannot read {text} as a date: {en_reason}")


def parse_date(value: Any) -> dt.date:
    """Read a calendar date.

    Accepts a ``date`` (YAML's unquoted ``2025-06-27``), ISO ``2025-06-27``,
    ``2025/6/27``, ``2025年6月27日``, and Japanese era dates such as
    ``令和7年6月27日``, ``令和元年5月1日``, ``R7.6.27``, ``H31.4.1``; the era
    must actually have been in force on that day.
    """
    if isinstance(value, dt.datetime):  # checked first: a datetime is also a date
        raise _date_error(value, "時刻を含めず日付だけを書いてください", "give a date without a time of day")
    if isinstance(value, dt.date):
        return _within_bounds(value, value)
    if not isinstance(value, str):
        raise _date_error(value, "2025-06-27 や 令和7年6月27日 のように書いてください", "write e.g. 2025-06-27 or 令和7年6月27日")
    if len(value) > 100:
        raise _date_error(value, "長すぎます", "the text is too long")

    text = _nfkc(value)  # also turns the one-character era signs ㍻ and ㋿ into 平成 and 令和
    if _WITH_TIME.match(text):
        raise _date_error(value, "時刻を含めず日付だけを書いてください", "give a date without a time of day")
    for pattern in _DATE_PATTERNS:
        match = pattern.fullmatch(text) or pattern.fullmatch(text.upper())
        if match:
            break
    else:
        raise _date_error(value, "2025-06-27 や 令和7年6月27日 のように書いてください", "write e.g. 2025-06-27 or 令和7年6月27日")

    parts = match.groupdict()
    era = _ERA_BY_KEY[parts["era"]] if parts.get("era") else None
    era_year = 1 if parts["y"] == "元" else int(parts["y"])
    year = era.offset + era_year if era else era_year
    if era and era.last and year > era.last.year:  # 昭和100年: the era had ended decades before
        last_year = era.last.year - era.offset
        raise _date_error(
            value,
            f"{era.name}は{last_year}年（{era.last.isoformat()}）までです。{era.name}{era_year}年はありません",
            f"the {era.name} era ended on {era.last.isoformat()} (its year {last_year}); there is no {era.name} {era_year}",
        )
    try:
        date = dt.date(year, int(parts["m"]), int(parts["d"]))
    except ValueError:
        raise _date_error(value, "存在しない日付です", "no such date") from None
    if era and era_year == 0:
        raise _date_error(value, f"{era.name}0年はありません", f"there is no year 0 of {era.name}")
    if era and date < era.first:
        if era.letter == "M":
            raise _date_error(value, "明治5年以前は旧暦のため西暦に換算できません", "Meiji 1-5 dates are lunar-calendar dates and cannot be converted")
        raise _date_error(value, f"{era.name}は{era.first.isoformat()}からです", f"the {era.name} era began on {era.first.isoformat()}")
    if era and era.last and date > era.last:
        raise _date_error(value, f"{era.name}は{era.last.isoformat()}で終わっています", f"the {era.name} era ended on {era.last.isoformat()}")
    return _within_bounds(value, date)


def _within_bounds(value: Any, date: dt.date) -> dt.date:
    # Later arithmetic (a limitation period added to a date) must stay inside
    # what datetime can hold; no case needs a date outside these.
    if not MIN_DATE <= date <= MAX_DATE:
        raise _date_error(
            value,
            f"{MIN_DATE.isoformat()} から {MAX_DATE.isoformat()} までの日付を指定してください",
            f"the date must lie between {MIN_DATE.isoformat()} and {MAX_DATE.isoformat()}",
        )
    return date


# --------------------------------------------------------------------------
# Rates
# --------------------------------------------------------------------------

_RATE = re.compile(r"(?P<minus>[-−]?)\s*(?P<num>\d+(?:\.\d+)?|\.\d+)\s*(?P<pct>%?)")


def _rate_error(value: Any, ja_reason: str, en_reason: str) -> RateParseError:
    text = shown(value)
    return RateParseError(f"率 {text} を読み取れません: {ja_reason}", f"cannot read {text} as a rate: {en_reason}")


def parse_rate(value: Any, *, maximum: Decimal | None = Decimal(1)) -> Decimal:
    """Read a rate as an exact fraction: ``0.146``, ``14.6%``, ``１４．６％``, ``0``.

    ``maximum`` is 1 for rates (a fraction of something); callers reading a
    multiplier such as "3× annual income" pass ``None``.
    """
    if isinstance(value, bool):
        raise _rate_error(value, "真偽値は率ではありません", "a boolean is not a rate")
    if isinstance(value, int):
        rate = Decimal(value)
    elif isinstance(value, float):
        rate = Decimal(str(value))  # the decimal the author wrote, not the binary float
    elif isinstance(value, Decimal):
        rate = value
    elif isinstance(value, str):
        match = _RATE.fullmatch(_nfkc(value)) if len(value) <= 100 else None
        if not match:
            raise _rate_error(value, "0.146 や 14.6% のように書いてください", "write e.g. 0.146 or 14.6%")
        rate = Decimal(match["num"])
        if match["pct"]:
            rate = rate / 100
        if match["minus"]:
            rate = -rate
    else:
        raise _rate_error(value, "0.146 や 14.6% のように書いてください", "write e.g. 0.146 or 14.6%")

    if not rate.is_finite():
        raise _rate_error(value, "有限の数ではありません", "not a finite number")
    if rate < 0:
        raise _rate_error(value, "負の値は指定できません", "the rate is negative")
    if maximum is not None and rate > maximum:
        raise _rate_error(
            value,
            "0から1（0%〜100%）の範囲で指定してください",
            "it must be between 0 and 1 (0% to 100%)",
        )
    if rate > MAX_MULTIPLIER:
        raise _rate_error(value, f"{MAX_MULTIPLIER}以下で指定してください", f"it must be at most {MAX_MULTIPLIER}")
    return rate


# --------------------------------------------------------------------------
# Counts
# --------------------------------------------------------------------------


def parse_count(value: Any, *, maximum: int = MAX_COUNT) -> int:
    """Read a non-negative whole number (months, years, a count): ``36``, ``"６０"``.

    Leading zeros are read as the decimal written (``"045"`` is 45), never octal.
    """
    number: int | None = None
    if isinstance(value, str):
        text = _nfkc(value) if len(value) <= 100 else ""
        if re.fullmatch(r"\d+", text):
            number = int(text) if len(text.lstrip("0")) <= 18 else maximum + 1
    elif isinstance(value, int) and not isinstance(value, bool):
        if value >= 0:
            number = value
    elif isinstance(value, Decimal) and value.is_finite() and value >= 0 and value == value.to_integral_value():
        number = int(value) if value <= maximum else maximum + 1
    elif isinstance(value, float) and math.isfinite(value) and value >= 0 and value.is_integer():
        number = int(value) if value <= maximum else maximum + 1
    given = shown(value)
    if number is None:
        raise CountParseError(f"{given} は0以上の整数ではありません", f"{given} is not a non-negative whole number")
    if number > maximum:
        raise CountParseError(f"{given} は大きすぎます（{maximum:,}以下）", f"{given} is too large (at most {maximum:,})")
    return number


# --------------------------------------------------------------------------
# pydantic types
# --------------------------------------------------------------------------


def _as_pydantic(parser: Callable[[Any], Any], error_type: str) -> BeforeValidator:
    """Run ``parser`` before pydantic's own check, keeping both languages.

    The error's context carries ``ja`` and ``en`` separately so that
    ``facts.load`` can build a bilingual Problem; the message shows both for
    anyone reading a raw ValidationError.
    """

    def validate(value: Any) -> Any:
        try:
            return parser(value)
        except ValueParseError as error:
            raise PydanticCustomError(error_type, "{ja} / {en}", {"ja": error.ja, "en": error.en}) from None

    return BeforeValidator(validate)


Yen = Annotated[
    int,
    _as_pydantic(parse_yen, "yen"),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "integer", "minimum": 0, "maximum": MAX_YEN},
                {"type": "string", "examples": ["3100万円", "2億4000万円", "30万", "¥5,000", "2.5万円"]},
            ]
        }
    ),
]
"""Whole yen, written as an integer or in advisors' notation."""

CaseDate = Annotated[
    dt.date,
    _as_pydantic(parse_date, "date"),
    WithJsonSchema(
        {
            "type": "string",
            "description": f"{MIN_DATE.isoformat()} .. {MAX_DATE.isoformat()}",
            "examples": ["2025-06-27", "令和7年6月27日", "R7.6.27"],
        }
    ),
]
"""A calendar date, ISO or Japanese era."""

Rate = Annotated[
    Decimal,
    _as_pydantic(parse_rate, "rate"),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "minimum": 0, "maximum": 1},
                {"type": "string", "examples": ["14.6%", "0.146"]},
            ]
        }
    ),
]
"""A fraction in [0, 1], given as ``0.146`` or ``14.6%``."""


def Count(maximum: int) -> Any:  # noqa: N802 - used like a type: Count(130)
    """A whole number from 0 to ``maximum``; never a boolean (``true`` is not 1)."""
    return Annotated[
        int,
        _as_pydantic(lambda value: parse_count(value, maximum=maximum), "count"),
        WithJsonSchema(
            {"anyOf": [{"type": "integer", "minimum": 0, "maximum": maximum}, {"type": "string", "pattern": r"^\s*[0-9０-９]+\s*$"}]}
        ),
    ]


def _parse_flag(value: Any) -> bool:
    # Only true/false: pydantic alone would take 1, "yes" or "on" as true.
    if isinstance(value, bool):
        return value
    given = shown(value)
    raise ValueParseError(f"true か false を指定してください（入力: {given}）", f"must be true or false (got {given})")


Flag = Annotated[bool, _as_pydantic(_parse_flag, "flag"), WithJsonSchema({"type": "boolean"})]
"""A yes/no field: ``true`` or ``false`` and nothing else."""

# Characters that would let a value rewrite the report around it: C0/C1
# controls (newlines, ANSI escapes), lone surrogates, bidirectional overrides.
_UNSHOWABLE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def check_text(value: Any, max_length: int) -> str:
    """One line of text, at most ``max_length`` characters, with nothing unshowable in it."""
    if not isinstance(value, str):
        given = shown(value)
        raise ValueParseError(f"文字列を指定してください（入力: {given}）", f"must be text (got {given})")
    value = value.strip()
    if len(value) > max_length:
        raise ValueParseError(f"長すぎます（{max_length}文字まで、{len(value)}文字あります）", f"too long ({len(value)} characters; at most {max_length})")
    bad = _UNSHOWABLE.search(value)
    if bad:
        code = f"U+{ord(bad.group()):04X}"
        raise ValueParseError(
            f"制御文字・書字方向の制御文字（{code}）は使えません（入力: {shown(value)}）",
            f"control and text-direction characters ({code}) are not allowed (got {shown(value)})",
        )
    return value


def Text(max_length: int) -> Any:  # noqa: N802 - used like a type: Text(200)
    """A single line of free text (a name, an occupation), bounded and printable."""
    return Annotated[
        str,
        _as_pydantic(lambda value: check_text(value, max_length), "text"),
        WithJsonSchema({"type": "string", "maxLength": max_length}),
    ]


class _Missing:
    """A value the case does not give (distinct from None, which JSON null also means)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"


MISSING = _Missing()
