"""Bytes in, Unicode text out, or a clear reason why not.

Decoding is its own stage because every source (a file, an HTTP response)
needs it and because a wrong guess silently ruins every fact downstream.
"""

from __future__ import annotations

import codecs
import re

from pipeline.errors import InputError
from pipeline.text import nfc

__all__ = ["decode_bytes", "looks_binary", "VIETNAMESE_LETTERS"]

# Letters that only Vietnamese uses among the Latin-script languages (not the
# Latin-1 accents French or Portuguese share): half the words of Vietnamese
# prose carry one of them.
VIETNAMESE_LETTERS = set("đăơưĩũ" + "".join(chr(c) for c in range(0x1EA0, 0x1EFA)))
_WORD = re.compile(r"[^\W\d_]+")
_VIETNAMESE_WORD = re.compile("[^\\W\\d_]*[" + "".join(sorted(VIETNAMESE_LETTERS)) + "][^\\W\\d_]*")


def looks_binary(data: bytes) -> bool:
    """NUL bytes or many control bytes in the first 8 KiB mean it is not text."""
    head = data[:8192]
    if b"\x00" in head and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return True
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    return len(head) > 0 and controls / len(head) > 0.05


def vietnamese_share(text: str) -> float:
    """Share of words carrying a Vietnamese-only letter (0.0 for no words)."""
    sample = text[:20000].lower()
    words = len(_WORD.findall(sample))
    return len(_VIETNAMESE_WORD.findall(sample)) / words if words else 0.0


def decode_bytes(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """Decode ``data``; return (NFC text, encoding used).

    Order: a BOM, the declared charset when it decodes cleanly, UTF-8, then the
    Vietnamese legacy code page Windows-1258 when the result reads as
    Vietnamese.  Raises InputError naming the reason otherwise.
    """
    if not data.strip():
        raise InputError("empty input")
    if looks_binary(data):
        raise InputError("binary data, not text")
    for bom, enc in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return nfc(data.decode(enc, errors="strict")), enc
    candidates = [e for e in (declared, "utf-8") if e]
    for enc in candidates:
        try:
            text = data.decode(enc, errors="strict")
        except (UnicodeDecodeError, LookupError):
            continue
        # A declared single-byte charset always "decodes"; trust it only if it
        # reads as Vietnamese or the bytes are plain ASCII anyway.
        if enc.lower().replace("_", "-") in ("utf-8", "utf8") or data.isascii() or vietnamese_share(text) > 0.1:
            return nfc(text), enc
    try:
        text = data.decode("cp1258", errors="strict")
    except UnicodeDecodeError:
        text = ""
    if text and vietnamese_share(nfc(text)) > 0.15:
        return nfc(text), "cp1258"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"undecodable bytes: not UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}) "
            "and not Vietnamese in Windows-1258"
        ) from None
    raise InputError("undecodable bytes")  # pragma: no cover - utf-8 decodes above
