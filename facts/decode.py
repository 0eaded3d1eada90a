"""Case files as text: the encoding (UTF-8, a BOM tolerated, other encodings named) and characters no case may hold."""

from __future__ import annotations

import re


from facts.errors import InputError, Problem

_BOM = "\ufeff"


# --------------------------------------------------------------------------- text


_UTF_BOMS = (  # longest first: the UTF-32LE BOM begins with the UTF-16LE one
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"),
    (b"\xfe\xff", "UTF-16"),
)


def _other_unicode(raw: bytes) -> str | None:
    """UTF-16 or UTF-32, recognised by a BOM or by where the NUL bytes fall."""
    for bom, name in _UTF_BOMS:
        if raw.startswith(bom):
            return name
    head = raw[:400]
    if len(head) >= 8 and head.count(0) * 4 >= len(head):
        # ASCII text in UTF-16 has a NUL in every other byte, in UTF-32 three in every four
        if head.count(0) * 4 >= len(head) * 3 - 4:
            return "UTF-32"
        if head[0::2].count(0) * 2 >= len(head[0::2]) - 1 or head[1::2].count(0) * 2 >= len(head[1::2]) - 1:
            return "UTF-16"
    return None


def _decode(text: str | bytes, source: str) -> str:
    binary = InputError([Problem(source, "テキストではなくバイナリファイルのようです", "this looks like a binary file, not text")])
    if isinstance(text, bytes):
        encoding = _other_unicode(text)
        if encoding:
            raise InputError(
                [
                    Problem(
                        source,
                        f"{encoding} で保存されたファイルです。UTF-8 で保存し直してください（メモ帳なら「名前を付けて保存」で文字コードに UTF-8 を選びます）",
                        f"the file is saved as {encoding}; save it as UTF-8 (in Notepad: Save As, Encoding: UTF-8)",
                    )
                ]
            )
        if b"\x00" in text:  # before decoding: "binary" says more than "not UTF-8 at byte 0"
            raise binary
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as error:
            raise InputError(
                [
                    Problem(
                        source,
                        f"UTF-8 として読めません（{error.start}バイト目）。Shift_JIS などではなく UTF-8 で保存してください",
                        f"not valid UTF-8 (at byte {error.start}); save the file as UTF-8, not Shift_JIS or another encoding",
                    )
                ]
            ) from None
    text = text.removeprefix(_BOM)
    if "\x00" in text:
        raise binary
    if not text.strip():
        raise InputError([Problem(source, "ファイルが空です", "the file is empty")])
    _check_characters(text, source)
    return text


# What YAML 1.2 allows in a stream (tab, line ends, printable characters, NEL);
# JSON allows less. Checked up front so the message can give line and column.
_FORBIDDEN_CHARACTER = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")


def _check_characters(text: str, source: str) -> None:
    match = _FORBIDDEN_CHARACTER.search(text)
    if match is None:
        return
    offset = match.start()
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    code = f"U+{ord(match.group()):04X}"
    raise InputError(
        [
            Problem(
                f"{source}:{line}:{column}",
                f"使えない制御文字 {code} が含まれています（{line}行{column}列）",
                f"the file contains the control character {code} (line {line}, column {column})",
            )
        ]
    )


