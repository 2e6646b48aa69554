"""Charset detection for fetched pages: wrong declarations, Windows-1258, TCVN3 and VNI."""

from __future__ import annotations

import pytest

from pipeline.read.charset import (
    syllable_score,
    tcvn3_to_unicode,
    to_cp1258,
    unicode_to_tcvn3,
    unicode_to_vni,
    vni_to_unicode,
)
from pipeline.errors import InputError
from pipeline.read.decode import decode as decode_body
from pipeline.text import nfc

# (TCVN3 has no byte for capitals with a tone mark, "Ủ": old pages used a capital font)
TEXT = ("Công an huyện Quỳnh Lưu phối hợp với UBND và Mặt trận Tổ quốc vận động nhân dân tham gia phong trào "
        "toàn dân bảo vệ an ninh Tổ quốc, xây dựng 156 tổ an ninh tự quản; Độc lập - Tự do - Hạnh phúc.")
PAGE = f"<html><head><title>Tin tức</title></head><body><p>{TEXT}</p><p>{TEXT}</p></body></html>"


def test_vietnamese_reads_as_syllables_and_mojibake_does_not():
    assert syllable_score(TEXT) > 0.85
    assert syllable_score(TEXT.encode("utf-8").decode("latin-1")) < 0.6
    assert syllable_score(unicode_to_tcvn3(TEXT).decode("latin-1")) < 0.6


def test_utf8_body_with_a_wrong_latin1_header():
    decoded = decode_body(PAGE.encode("utf-8"), "text/html; charset=iso-8859-1")
    assert decoded.encoding == "utf-8"
    assert TEXT in decoded.text
    assert "overruled" in decoded.note and "iso-8859-1" in decoded.note


def test_windows_1258_body_with_a_wrong_utf8_header():
    decoded = decode_body(to_cp1258(PAGE), "text/html; charset=utf-8")
    assert decoded.encoding == "cp1258"
    assert nfc(TEXT) in decoded.text
    assert decoded.note


def test_windows_1258_declared_in_meta_only():
    page = PAGE.replace("<head>", '<head><meta charset="windows-1258">')
    decoded = decode_body(to_cp1258(page), "text/html")
    assert decoded.encoding == "cp1258" and decoded.note is None
    assert nfc(TEXT) in decoded.text


def test_a_correct_declaration_is_kept():
    decoded = decode_body(PAGE.encode("utf-8"), "text/html; charset=UTF-8")
    assert decoded.encoding == "utf-8" and decoded.note is None and decoded.legacy is None


@pytest.mark.parametrize("content_type", [None, "text/html; charset=windows-1252", "text/html; charset=iso-8859-1"])
def test_tcvn3_pages_are_detected_and_converted(content_type):
    decoded = decode_body(unicode_to_tcvn3(PAGE), content_type)
    assert decoded.legacy == "tcvn3"
    assert "TCVN3" in decoded.note
    assert TEXT in decoded.text


def test_tcvn3_text_stored_as_utf8_is_converted_too():
    # a site moved to UTF-8 without converting its .VnTime text
    decoded = decode_body(unicode_to_tcvn3(PAGE).decode("latin-1").encode("utf-8"), "text/html; charset=utf-8")
    assert decoded.legacy == "tcvn3" and TEXT in decoded.text


def test_vni_pages_are_detected_and_converted():
    decoded = decode_body(unicode_to_vni(PAGE), "text/html; charset=windows-1252")
    assert decoded.legacy == "vni"
    assert TEXT in decoded.text


def test_known_legacy_strings():
    assert tcvn3_to_unicode("Céng hßa x· héi chñ nghÜa ViÖt Nam") == "Cộng hòa xã hội chủ nghĩa Việt Nam"
    assert vni_to_unicode("Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam") == "Cộng hòa xã hội chủ nghĩa Việt Nam"
    assert vni_to_unicode("Ñoäc laäp - Töï do - Haïnh phuùc") == "Độc lập - Tự do - Hạnh phúc"


def test_plain_ascii_and_bom():
    assert decode_body(b"<html><body>Hello</body></html>").encoding == "ascii"
    decoded = decode_body("\ufeff".encode("utf-8") + PAGE.encode("utf-8"), "text/html; charset=iso-8859-1")
    assert decoded.encoding == "utf-8-sig" and TEXT in decoded.text


@pytest.mark.parametrize("data, reason", [(b"   ", "empty"), (b"%PDF-1.4\x00\x01\x02\x03" * 20, "binary")])
def test_not_text(data, reason):
    with pytest.raises(InputError, match=reason):
        decode_body(data, "text/html")
