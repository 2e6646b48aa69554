"""What decoding needs to know about Vietnamese text: declared charsets, how
Vietnamese a reading is, and the legacy font encodings.

The decision itself (which reading of the bytes to believe) is
``pipeline.read.decode.decode``; this module holds the knowledge it uses.
Declarations (the Content-Type header, ``<meta charset>``) are often wrong: a
server configured for ISO-8859-1 serving UTF-8 pages, a migrated site still
saying windows-1258.  A wrong single-byte charset always "decodes", so every
plausible reading is scored by how much of it reads as Vietnamese syllables.

Pages written before Unicode used font encodings on top of Latin-1 bytes:
TCVN3 (ABC, the ".VnTime" fonts: "ViÖt Nam") and VNI ("Vieät Nam").  They
decode as Latin-1 gibberish; we convert them to Unicode and say so in
``Decoded.legacy`` so a reader can check the conversion.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from functools import lru_cache

from pipeline.text import nfc

__all__ = [
    "canonical_charset",
    "http_charset",
    "meta_charset",
    "syllable_score",
    "tcvn3_to_unicode",
    "to_cp1258",
    "unicode_to_tcvn3",
    "unicode_to_vni",
    "vni_to_unicode",
]


# --- declarations ----------------------------------------------------------

_CT_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([\w.:-]+)", re.IGNORECASE)
_XML_DECL = re.compile(rb"^\s*<\?xml[^>]+encoding\s*=\s*[\"']([\w.:-]+)", re.IGNORECASE)


def canonical_charset(name: str | None) -> str | None:
    """Python's name of a charset label (\"UTF8\" -> \"utf-8\"), None if unknown."""
    if not name:
        return None
    try:
        return codecs.lookup(name.strip().lower()).name
    except LookupError:
        return None


def http_charset(content_type: str | None) -> str | None:
    m = _CT_CHARSET.search(content_type or "")
    return m.group(1) if m else None


def meta_charset(data: bytes) -> str | None:
    """The charset a page declares in its first 4 KiB (``<meta>`` or XML declaration)."""
    head = data[:4096]
    m = _XML_DECL.search(head) or _META_CHARSET.search(head)
    return m.group(1).decode("ascii", "replace") if m else None


# --- how Vietnamese does a text read? -------------------------------------

_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
_SYLLABLE = re.compile(
    r"^(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnpqrstvx])?"
    r"[aăâeêioôơuưy]{1,3}"
    r"(?:ch|ng|nh|[cmnpt])?$"
)
_WORD = re.compile(r"[^\W\d_]+")
_MARKUP = re.compile(r"<script\b.*?</script>|<style\b.*?</style>|<!--.*?-->|<[^>]*>|&#?\w+;", re.DOTALL | re.IGNORECASE)


@lru_cache(maxsize=50000)
def _is_syllable(word: str) -> bool:
    parts = unicodedata.normalize("NFD", word.lower())
    if sum(1 for c in parts if c in _TONES) > 1:
        return False
    base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONES))
    return bool(_SYLLABLE.match(base))


def syllable_score(text: str, limit: int = 30000) -> float:
    """Share of the words (markup left out) that are well-formed Vietnamese syllables.

    Vietnamese prose scores 0.8-0.95; the same text through the wrong code page
    falls far lower, because mis-decoded letters and stray tone marks make
    impossible syllables ("ngươÌi", "ViÖt").  C1 control characters, which only
    a wrong decoding produces, count against the score.
    """
    sample = _MARKUP.sub(" ", text[: limit * 3])[:limit]
    sample = unicodedata.normalize("NFC", sample)
    words = _WORD.findall(sample)
    if not words:
        return 0.0
    good = sum(1 for w in words if len(w) <= 7 and _is_syllable(w))
    controls = sum(1 for c in sample if "\x80" <= c <= "\x9f")
    return max(0.0, good / len(words) - 5 * controls / max(1, len(sample)))


# --- legacy font encodings -------------------------------------------------

# TCVN 5712:1993 "VN3" (ABC fonts), byte -> letter; other bytes are Latin-1/ASCII.
_TCVN3 = {
    0xA1: "Ă", 0xA2: "Â", 0xA3: "Ê", 0xA4: "Ô", 0xA5: "Ơ", 0xA6: "Ư", 0xA7: "Đ",
    0xA8: "ă", 0xA9: "â", 0xAA: "ê", 0xAB: "ô", 0xAC: "ơ", 0xAD: "ư", 0xAE: "đ",
    0xB5: "à", 0xB6: "ả", 0xB7: "ã", 0xB8: "á", 0xB9: "ạ",
    0xBB: "ằ", 0xBC: "ẳ", 0xBD: "ẵ", 0xBE: "ắ", 0xC6: "ặ",
    0xC7: "ầ", 0xC8: "ẩ", 0xC9: "ẫ", 0xCA: "ấ", 0xCB: "ậ",
    0xCC: "è", 0xCE: "ẻ", 0xCF: "ẽ", 0xD0: "é", 0xD1: "ẹ",
    0xD2: "ề", 0xD3: "ể", 0xD4: "ễ", 0xD5: "ế", 0xD6: "ệ",
    0xD7: "ì", 0xD8: "ỉ", 0xDC: "ĩ", 0xDD: "í", 0xDE: "ị",
    0xDF: "ò", 0xE1: "ỏ", 0xE2: "õ", 0xE3: "ó", 0xE4: "ọ",
    0xE5: "ồ", 0xE6: "ổ", 0xE7: "ỗ", 0xE8: "ố", 0xE9: "ộ",
    0xEA: "ờ", 0xEB: "ở", 0xEC: "ỡ", 0xED: "ớ", 0xEE: "ợ",
    0xEF: "ù", 0xF1: "ủ", 0xF2: "ũ", 0xF3: "ú", 0xF4: "ụ",
    0xF5: "ừ", 0xF6: "ử", 0xF7: "ữ", 0xF8: "ứ", 0xF9: "ự",
    0xFA: "ỳ", 0xFB: "ỷ", 0xFC: "ỹ", 0xFD: "ý", 0xFE: "ỵ",
}
_TCVN3_TEXT = str.maketrans({chr(b): u for b, u in _TCVN3.items()})


def tcvn3_to_unicode(text: str) -> str:
    """TCVN3 text read as Latin-1 ("ViÖt Nam") to Unicode ("Việt Nam")."""
    return nfc(text.translate(_TCVN3_TEXT))


def to_cp1258(text: str) -> bytes:
    """Unicode to Windows-1258 bytes (base letter + tone mark where no precomposed byte exists)."""
    out = bytearray()
    for c in unicodedata.normalize("NFC", text):
        try:
            out += c.encode("cp1258")
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", c)
            base = unicodedata.normalize("NFC", "".join(p for p in parts if p not in _TONES))
            tones = "".join(p for p in parts if p in _TONES)
            out += (base + tones).encode("cp1258", errors="xmlcharrefreplace")
    return bytes(out)


def unicode_to_tcvn3(text: str) -> bytes:
    """The inverse, for tests and fixtures: Unicode to TCVN3 bytes."""
    back = {u: b for b, u in _TCVN3.items()}
    out = bytearray()
    for c in unicodedata.normalize("NFC", text):
        if c in back:
            out.append(back[c])
        elif ord(c) < 128:
            out.append(ord(c))
        else:  # capitals with a tone mark were typed in the capital font (.VnTimeH) on the small letter's byte
            out.append(back.get(c.lower(), ord("?")))
    return bytes(out)


# VNI Windows: a base letter followed by a mark character (Latin-1 letters).
_GRAVE, _ACUTE, _HOOK, _TILDE, _DOT = "\u0300", "\u0301", "\u0309", "\u0303", "\u0323"
_CIRC, _BREVE, _HORN = "\u0302", "\u0306", "\u031b"
_VNI_TONE = {"ù": _ACUTE, "ø": _GRAVE, "û": _HOOK, "õ": _TILDE, "ï": _DOT}
_VNI_CIRC = {"â": "", "á": _ACUTE, "à": _GRAVE, "å": _HOOK, "ã": _TILDE, "ä": _DOT}
_VNI_BREVE = {"ê": "", "é": _ACUTE, "è": _GRAVE, "ú": _HOOK, "ü": _TILDE, "ë": _DOT}
_VNI_SINGLE = {"ô": "ơ", "ö": "ư", "ñ": "đ", "æ": "ỉ", "ó": "ĩ", "ò": "ị", "î": "ỵ"}


def _vni_pairs() -> dict[str, str]:
    pairs: dict[str, str] = {}
    # i takes its tones as single letters (í ì æ ó ò), y its dot below as î
    bases = {"a": "a", "e": "e", "o": "o", "u": "u", "y": "y", "ô": "o" + _HORN, "ö": "u" + _HORN}
    for vni_base, base in bases.items():
        for mark, tone in _VNI_TONE.items():
            pairs[vni_base + mark] = base + tone
        if vni_base in "aeo":
            for mark, tone in _VNI_CIRC.items():
                pairs[vni_base + mark] = base + _CIRC + tone
        if vni_base == "a":
            for mark, tone in _VNI_BREVE.items():
                pairs[vni_base + mark] = base + _BREVE + tone
    out: dict[str, str] = {}
    for seq, composed in pairs.items():
        composed = unicodedata.normalize("NFC", composed)
        out[seq] = composed
        out[seq.upper()] = composed.upper()
        out[seq[0].upper() + seq[1:]] = composed.upper()  # capital base, small mark (title case)
    return out


_VNI_PAIRS = _vni_pairs()
_VNI_SINGLES = {**_VNI_SINGLE, **{k.upper(): v.upper() for k, v in _VNI_SINGLE.items()}}
_VNI_RE = re.compile("|".join(sorted(map(re.escape, [*_VNI_PAIRS, *_VNI_SINGLES]), key=len, reverse=True)))


def vni_to_unicode(text: str) -> str:
    """VNI text read as Windows-1252 ("Vieät Nam") to Unicode ("Việt Nam")."""
    return nfc(_VNI_RE.sub(lambda m: _VNI_PAIRS.get(m.group(0)) or _VNI_SINGLES[m.group(0)], text))


def unicode_to_vni(text: str) -> bytes:
    """The inverse, for tests and fixtures: Unicode to VNI bytes (Windows-1252)."""
    back: dict[str, str] = {ch: seq for seq, ch in _VNI_SINGLES.items()}
    for seq, ch in _VNI_PAIRS.items():
        if seq in (seq.lower(), seq.upper()):  # not the title-case variant
            back.setdefault(ch, seq)
    return "".join(back.get(c, c) for c in unicodedata.normalize("NFC", text)).encode("cp1252")
