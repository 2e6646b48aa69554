"""Stage 1, decode: bytes in, NFC text out, or the reason why they are not text.

One forgiving decoder for every input, a file or a fetched page alike, so the
same bytes always give the same text (``vnfacts reprocess`` decodes the stored
raw input exactly as the crawl or the ingest did).

Every plausible reading is tried and scored by how much of it reads as
Vietnamese (``charset.syllable_score``): a BOM (UTF-8, UTF-16, UTF-32); the
charsets the page declares; UTF-8; Windows-1258; then the legacy font
encodings TCVN3 and VNI, believed only when they read clearly better.  A
reading may replace a few invalid bytes (a flipped byte, a file cut in the
middle of a character): the share replaced is given in ``Decoded.replaced``
and as a warning kept with the article.  Only what is really not text is
refused: a known binary format, control bytes everywhere, or bytes that are
invalid in every encoding.
"""

from __future__ import annotations

import codecs
import re

from pydantic import BaseModel

from pipeline.errors import InputError
from pipeline.read.charset import (
    canonical_charset,
    http_charset,
    meta_charset,
    syllable_score,
    tcvn3_to_unicode,
    vni_to_unicode,
)
from pipeline.text import nfc

__all__ = ["Decoded", "decode", "looks_binary", "vietnamese_share", "VIETNAMESE_LETTERS", "MAX_REPLACED"]

# Letters that only Vietnamese uses among the Latin-script languages (not the
# Latin-1 accents French or Portuguese share): half the words of Vietnamese
# prose carry one of them.
VIETNAMESE_LETTERS = set("đăơưĩũ" + "".join(chr(c) for c in range(0x1EA0, 0x1EFA)))
_WORD = re.compile(r"[^\W\d_]+")
# A word's first Vietnamese-only letter and the rest of the word: one match per word that
# has one (a leading "[^\\W\\d_]*" would make the engine backtrack at every letter).
_VIETNAMESE_WORD = re.compile("[" + "".join(sorted(VIETNAMESE_LETTERS)) + "][^\\W\\d_]*")

# Above this share of replaced characters a reading is not "valid but for a few bytes".
MAX_REPLACED = 0.02
_MARGIN_DECLARED = 0.03  # a declared charset may read this much worse than the best and still win
_MARGIN_LEGACY = 0.15  # a font-encoding conversion must read this much better to be believed
_UTF8_PRIOR = 0.1  # non-ASCII bytes that are valid UTF-8 are almost never anything else
_REPLACED_WEIGHT = 10.0  # score lost per unit share of replaced characters
# Valid UTF-8 whose first characters have this share of words with a Vietnamese-only
# letter needs no other reading (prose has about half).
_FAST_SHARE, _FAST_SAMPLE = 0.2, 6000

# Magic numbers of formats that are never article text.
_BINARY_MAGIC = (
    b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"PK\x03\x04", b"\x1f\x8b", b"\x7fELF", b"BZh", b"\xfd7zXZ",
    b"7z\xbc\xaf", b"Rar!", b"OggS", b"ID3", b"\x00\x00\x01\x00", b"RIFF", b"SQLite format 3", b"\xd0\xcf\x11\xe0",
)
_BOMS = (  # (BOM, codec, the encoding reported); UTF-32 first: its little-endian BOM starts with UTF-16's
    (codecs.BOM_UTF32_LE, "utf-32-le", "utf-32"), (codecs.BOM_UTF32_BE, "utf-32-be", "utf-32"),
    (codecs.BOM_UTF8, "utf-8", "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16"),
)


class Decoded(BaseModel):
    text: str
    encoding: str = "utf-8"
    declared: str | None = None  # what the page or the server said
    legacy: str | None = None  # "tcvn3" or "vni" when converted from a font encoding
    replaced: float = 0.0  # share of the text's characters that stand for invalid bytes
    note: str | None = None  # why a declaration was overruled, or what was converted

    @property
    def warnings(self) -> list[str]:
        out = []
        if self.replaced:
            out.append(f"{self.replaced:.2%} of the text replaced: bytes invalid in {self.encoding}")
        if self.note:
            out.append(self.note)
        return out


_NOT_CONTROL = bytes(b for b in range(256) if b >= 32 or b in (9, 10, 12, 13))


def looks_binary(data: bytes) -> bool:
    """A known binary format, or control bytes in more than 5% of the first 8 KiB.

    A stray NUL in text (a flipped byte) does not make it binary; UTF-16/32
    text has its BOM looked at before this."""
    head = data[:8192]
    if head.startswith(_BINARY_MAGIC):
        return True
    controls = len(head.translate(None, _NOT_CONTROL))  # the control bytes left (a loop in C)
    return len(head) > 0 and controls / len(head) > 0.05


def vietnamese_share(text: str) -> float:
    """Share of words carrying a Vietnamese-only letter (0.0 for no words)."""
    sample = text[:20000].lower()
    words = len(_WORD.findall(sample))
    return len(_VIETNAMESE_WORD.findall(sample)) / words if words else 0.0


def _read(data: bytes, encoding: str) -> tuple[str, float] | None:
    """``data`` in ``encoding`` with invalid bytes replaced; (text, share replaced)."""
    try:
        text = data.decode(encoding, errors="replace")
    except LookupError:
        return None
    bad = text.count("\ufffd") - (data.count("\xef\xbf\xbd".encode("latin-1")) if encoding == "utf-8" else 0)
    return text, (max(bad, 0) / max(len(text), 1))


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 saved without a BOM: a NUL in every other byte of ASCII-range text."""
    head = data[:4096]
    if len(head) < 64:
        return None
    for name, zeros in (("utf-16-le", head[1::2]), ("utf-16-be", head[0::2])):
        if zeros.count(0) > 0.3 * len(zeros):
            return name
    return None


def _finish(text: str, encoding: str, replaced: float, **fields) -> Decoded:
    if replaced > MAX_REPLACED:
        raise InputError(f"undecodable bytes: {replaced:.0%} of the text is invalid in {encoding}, "
                         "the best of the encodings tried")
    # NUL and other C0 controls from a damaged file carry nothing and upset later stages
    text = _CONTROLS.sub("\ufffd", text)
    return Decoded(text=nfc(text.lstrip("\ufeff")), encoding=encoding, replaced=round(replaced, 6), **fields)


_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def decode(data: bytes, content_type: str | None = None, declared: str | None = None) -> Decoded:
    """Decode ``data`` (a file, or an HTTP body with its Content-Type); raise
    InputError with the reason when it is not text."""
    if not data.strip():
        raise InputError("empty input")
    header = http_charset(content_type) or declared
    meta = meta_charset(data)
    said = header or meta
    for bom, codec, label in _BOMS:
        if data.startswith(bom):
            text, replaced = _read(data[len(bom):], codec)  # type: ignore[misc]
            return _finish(text, label, replaced, declared=said)
    bomless = _utf16_without_bom(data)
    if bomless is not None:
        read = _read(data, bomless)
        if read is not None and read[1] <= MAX_REPLACED and vietnamese_share(read[0]) > 0.1:
            return _finish(read[0], bomless, read[1], declared=said)
    if looks_binary(data):
        raise InputError("binary data, not text")
    if data.isascii():
        return _finish(data.decode("ascii"), "ascii", 0.0, declared=said)
    declared_names = {canonical_charset(header), canonical_charset(meta)} - {None}
    if declared_names <= {"utf-8"}:
        # the common case, decided at once: valid UTF-8 that reads as Vietnamese
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            # Vietnamese-only letters are code points no mis-decoding produces (TCVN3 or
            # double-encoded UTF-8 read back give Latin-1 letters): a cheap, sure test
            if vietnamese_share(text[:_FAST_SAMPLE]) >= _FAST_SHARE:
                return _finish(text, "utf-8", 0.0, declared=said)

    names: list[str] = []
    for name in (header, meta, "utf-8", "cp1258"):
        canonical = canonical_charset(name)
        if canonical and canonical not in names:
            names.append(canonical)
    scored: list[tuple[float, int, str, str, float]] = []  # (score, -rank, encoding, text, replaced)
    for rank, name in enumerate(names):
        read = _read(data, name)
        if read is None:
            continue
        text, replaced = read
        score = syllable_score(text) + (_UTF8_PRIOR if name == "utf-8" else 0.0) - _REPLACED_WEIGHT * replaced
        scored.append((score, -rank, name, text, replaced))
    best = max(scored)
    chosen = best
    for cand in scored:
        if cand[2] in declared_names and cand[0] >= best[0] - _MARGIN_DECLARED:
            chosen = cand
            break
    score, _, encoding, text, replaced = chosen
    score -= _UTF8_PRIOR if encoding == "utf-8" else 0.0
    note = None
    if said and canonical_charset(said) != encoding:
        note = f"declared charset {said} overruled: the text reads as {encoding}"

    # Font encodings sit on Latin-1 bytes, or on their Unicode code points when a
    # site moved to UTF-8 without converting the text: try both readings.
    readings = [("cp1252", _read(data, "cp1252")[0])]  # type: ignore[index]
    readings += [("utf-8", cand[3]) for cand in scored if cand[2] == "utf-8" and cand[4] <= MAX_REPLACED]
    legacy: list[tuple[float, str, str, str]] = []
    for base_name, base in readings:
        for name, convert in (("tcvn3", tcvn3_to_unicode), ("vni", vni_to_unicode)):
            converted = convert(base)
            legacy.append((syllable_score(converted), name, base_name, converted))
    top = max(legacy, key=lambda x: x[0])
    if top[0] > score + _MARGIN_LEGACY:
        return _finish(top[3], f"{top[2]}+{top[1]}", 0.0, declared=said, legacy=top[1],
                       note=f"text in the {top[1].upper()} font encoding, converted to Unicode")
    return _finish(text, encoding, replaced, declared=said, note=note)
