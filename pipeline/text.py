"""Vietnamese text normalisation shared by every stage.

Two different jobs, kept apart on purpose:

* ``nfc`` makes the text that is stored and that every character offset refers to.
* ``retone`` / ``fold`` make *comparison keys*.  ``retone`` never changes the length
  of an NFC string, so a regex run over ``retone(text)`` yields offsets that are
  valid in ``text`` itself.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = ["UPPER", "nfc", "retone", "fold", "ascii_fold", "parse_number", "format_number"]

# Upper-case Latin letters, Vietnamese ones included, for regex classes: a range
# such as "À-Ỹ" would also take every lower-case letter that lies between.
UPPER = "".join(
    c for c in map(chr, range(0x41, 0x1F00)) if c.isupper() and unicodedata.name(c, "").startswith("LATIN")
)

# Lookalike letters that NFC leaves alone: Icelandic eth for đ (old fonts and
# some CMSs), no-break and zero-width spaces.
_LOOKALIKES = str.maketrans({"Ð": "Đ", "ð": "đ", "\u00a0": " ", "\u200b": "", "\ufeff": ""})
_HAS_LOOKALIKE = re.compile("[Ðð\u00a0\u200b\ufeff]")

_TONE_MARKS = {"\u0300", "\u0301", "\u0309", "\u0303", "\u0323"}  # huyền sắc hỏi ngã nặng


def nfc(text: str) -> str:
    """NFC-normalise and map lookalike characters (may change the length)."""
    text = unicodedata.normalize("NFC", text)
    # str.translate walks every character in Python: only when there is work to do
    return text.translate(_LOOKALIKES) if _HAS_LOOKALIKE.search(text) else text


def _split_tone(ch: str) -> tuple[str, str]:
    parts = unicodedata.normalize("NFD", ch)
    tone = "".join(c for c in parts if c in _TONE_MARKS)
    base = "".join(c for c in parts if c not in _TONE_MARKS)
    return unicodedata.normalize("NFC", base), tone


# "Hoà"/"Hòa", "khoẻ"/"khỏe", "thuỷ"/"thủy": in an open syllable the new
# orthography puts the tone on the second vowel, the old one on the first.  We
# key everything on the old placement, the one newspapers and the gazetteer use.
# "quý" is not affected: after q the u is part of the consonant.
# (The vowel comes first and the "not after q" check after it: a pattern that opens on a
# character class is scanned for quickly, one that opens on a lookbehind is tried everywhere.)
_NEW_STYLE = re.compile(
    r"([oO])(?<![qQ][oO])([àáảãạÀÁẢÃẠèéẻẽẹÈÉẺẼẸ])(?![\w])|([uU])(?<![qQ][uU])([ỳýỷỹỵỲÝỶỸỴ])(?![\w])"
)


def _old_style(m: re.Match[str]) -> str:
    first = m.group(1) or m.group(3)
    second = m.group(2) or m.group(4)
    base, tone = _split_tone(second)
    return unicodedata.normalize("NFC", first + tone) + base


def retone(text: str) -> str:
    """Move tone marks to the old placement; the result has the same length."""
    return _NEW_STYLE.sub(_old_style, text)


_SPACES = re.compile(r"\s+")


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Comparison key: NFC, one tone placement, lower case, single spaces."""
    return _SPACES.sub(" ", retone(nfc(text)).lower()).strip()


@lru_cache(maxsize=65536)
def ascii_fold(text: str) -> str:
    """Key without any diacritics ("Hà Nội" -> "ha noi"), for loose matching."""
    decomposed = unicodedata.normalize("NFD", fold(text).replace("đ", "d"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# Digits a cited figure can have: "1.000.000.000.000.000 đồng" (a million billion) has 19.
MAX_FIGURE_DIGITS = 21
_GROUPED = re.compile(r"^\d{1,3}(?:\.\d{3})+(?:,\d+)?$")
_DECIMAL = re.compile(r"^\d+(?:,\d+)?$")


def parse_number(token: str) -> int | float | None:
    """Vietnamese notation: "1.000" -> 1000, "92,6" -> 92.6, "07" -> 7.

    A dot followed by exactly three digits groups thousands; a comma is the
    decimal mark.  Anything else (a date, a phone number, "1,2,3") gives None.
    """
    token = token.strip()
    if sum(c.isdigit() for c in token) > MAX_FIGURE_DIGITS:
        return None  # a serial number or a digit dump, not a figure anyone cites
    if _GROUPED.match(token) or _DECIMAL.match(token):
        whole, _, frac = token.replace(".", "").partition(",")
        if frac:
            return float(f"{int(whole)}.{frac}")
        return int(whole)
    return None


def format_number(value: int | float | None) -> str:
    """The inverse of :func:`parse_number`: 1670 -> "1.670", 92.6 -> "92,6", 1120.0 -> "1.120"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        return f"{value:,}".replace(",", ".")
    whole, _, frac = repr(value).partition(".")
    if "e" in frac or "e" in whole:              # 1e+22: not a figure anyone writes out
        return repr(value)
    return f"{int(whole):,}".replace(",", ".") + ("," + frac if frac else "")
