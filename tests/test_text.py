from pipeline.text import ascii_fold, fold, nfc, parse_number, retone


def test_old_and_new_tone_placement_are_equal():
    assert fold("Hoà Bình") == fold("Hòa Bình") == "hòa bình"
    assert fold("thuỷ") == fold("thủy")
    assert fold("khoẻ") == fold("khỏe")
    assert fold("Thuỵ") == fold("Thụy")


def test_retone_keeps_length_and_leaves_closed_syllables_and_qu_alone():
    for text in ("Hoà Bình, thuỷ lợi, khoẻ", "hoàn thành", "quý, quỹ", "HOÀ", "Xuân Thuỷ"):
        assert len(retone(text)) == len(text)
    assert retone("hoàn thành") == "hoàn thành"
    assert retone("quý") == "quý"
    assert retone("HOÀ") == "HÒA"


def test_nfc_composes_and_maps_lookalikes():
    decomposed = "Hà Nội".replace("à", "a\u0300").replace("ộ", "o\u0323\u0302")
    assert nfc(decomposed) == "Hà Nội"
    assert nfc("Ðồng") == "Đồng"


def test_ascii_fold_drops_diacritics():
    assert ascii_fold("Hà Nội") == "ha noi"
    assert ascii_fold("Đắk Lắk") == "dak lak"


def test_vietnamese_numbers():
    assert parse_number("1.000") == 1000
    assert parse_number("92,6") == 92.6
    assert parse_number("07") == 7
    assert parse_number("500.000.000") == 500_000_000
    assert parse_number("9.500") == 9500
    assert parse_number("1.2") is None  # a dot groups exactly three digits
    assert parse_number("12/13") is None
