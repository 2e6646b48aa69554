"""HTTP bodies to text: which charset, and is the text in a legacy Vietnamese font code.

``pipeline.decode.decode_bytes`` decodes files, where nothing is declared.  A
fetched page comes with two declarations (the Content-Type header and a
``<meta charset>``) that are often wrong: a server configured for ISO-8859-1
serving UTF-8 pages, a migrated site still saying windows-1258.  A wrong single-
byte charset always "decodes", so we do not trust declarations: every plausible
decoding is scored by how much of it reads as Vietnamese syllables, and a
declared charset wins only if it reads (almost) as well as the best.

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

from pydantic import BaseModel

from pipeline.read.decode import decode_bytes, looks_binary
from pipeline.errors import InputError
from pipeline.text import nfc

__all__ = [
    "Decoded",
    "decode_body",
    "http_charset",
    "meta_charset",
    "syllable_score",
    "tcvn3_to_unicode",
    "to_cp1258",
    "unicode_to_tcvn3",
    "unicode_to_vni",
    "vni_to_unicode",
]


class Decoded(BaseModel):
    text: str
    encoding: str = "utf-8"
    declared: str | None = None
    legacy: str | None = None  # "tcvn3" or "vni" when converted from a font encoding
    note: str | None = None  # why a declaration was overruled, or what was converted


# --- declarations ----------------------------------------------------------

_CT_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([\w.:-]+)", re.IGNORECASE)
_XML_DECL = re.compile(rb"^\s*<\?xml[^>]+encoding\s*=\s*[\"']([\w.:-]+)", re.IGNORECASE)


def _canonical(name: str | None) -> str | None:
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


# --- the decision ---------------------------------------------------------

_MARGIN_DECLARED = 0.03  # a declared charset may read this much worse than the best and still win
_MARGIN_LEGACY = 0.15  # a font-encoding conversion must read this much better to be believed
_UTF8_PRIOR = 0.1


def _try(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding, errors="strict")
    except (UnicodeDecodeError, LookupError):
        return None


def decode_body(data: bytes, content_type: str | None = None) -> Decoded:
    """Decode a fetched body; raise InputError with the reason when it is not text.

    Order of trust: a BOM; then the candidates (header charset, ``<meta>``
    charset, UTF-8, Windows-1258) ranked by ``syllable_score``, a declared one
    kept when it reads nearly as well as the best; then TCVN3/VNI conversions
    when they read clearly better than anything else.
    """
    if not data.strip():
        raise InputError("empty input")
    if looks_binary(data):
        raise InputError("binary data, not text")
    header = http_charset(content_type)
    meta = meta_charset(data)
    declared = header or meta
    for bom in (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        if data.startswith(bom):
            text, enc = decode_bytes(data)
            return Decoded(text=text, encoding=enc, declared=declared)
    if data.isascii():
        return Decoded(text=nfc(data.decode("ascii")), encoding="ascii", declared=declared)

    names: list[str] = []
    for name in (header, meta, "utf-8", "cp1258"):
        canonical = _canonical(name)
        if canonical and canonical not in names:
            names.append(canonical)
    scored: list[tuple[float, int, str, str]] = []  # (score, -rank, encoding, text)
    for rank, name in enumerate(names):
        text = _try(data, name)
        if text is not None:
            # Non-ASCII bytes that happen to be valid UTF-8 are almost never
            # anything else: UTF-8 gets a head start over single-byte readings.
            bonus = _UTF8_PRIOR if name == "utf-8" else 0.0
            scored.append((syllable_score(text) + bonus, -rank, name, text))
    if not scored:
        # nothing declared or guessed decodes: let decode_bytes give the reason
        text, enc = decode_bytes(data, declared)
        return Decoded(text=text, encoding=enc, declared=declared)
    best = max(scored)
    chosen = best
    for cand in scored:
        if cand[2] in (_canonical(header), _canonical(meta)) and cand[0] >= best[0] - _MARGIN_DECLARED:
            chosen = cand
            break
    score, _, encoding, text = chosen
    score -= _UTF8_PRIOR if encoding == "utf-8" else 0.0
    note = None
    if declared and _canonical(declared) != encoding:
        note = f"declared charset {declared} overruled: the text reads as {encoding}"

    # Font encodings sit on Latin-1 bytes, or on their Unicode code points when a
    # site moved to UTF-8 without converting the text: try both readings.
    readings = [("cp1252", _try(data, "cp1252") or data.decode("latin-1"))]
    utf8 = _try(data, "utf-8")
    if utf8 is not None:
        readings.append(("utf-8", utf8))
    legacy: list[tuple[float, str, str, str]] = []
    for base_name, base in readings:
        for name, convert in (("tcvn3", tcvn3_to_unicode), ("vni", vni_to_unicode)):
            converted = convert(base)
            legacy.append((syllable_score(converted), name, base_name, converted))
    top = max(legacy, key=lambda x: x[0])
    if top[0] > score + _MARGIN_LEGACY:
        return Decoded(text=top[3], encoding=f"{top[2]}+{top[1]}", declared=declared, legacy=top[1],
                       note=f"text in the {top[1].upper()} font encoding, converted to Unicode")
    return Decoded(text=nfc(text), encoding=encoding, declared=declared, note=note)
