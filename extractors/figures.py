"""How a figure is written in Vietnamese news: shared by the counts extractor
and by ``vnfacts verify`` (which parses a journalist's claim the same way):
the number, its hedge, what before or after it makes it no figure (a
reference, a code, a duration, a time), where the counted noun ends, and the
magnitude words.

Kept free of spaCy and underthesea so that a query does not pay their import.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from gazetteer.lexicon import get_lexicon
from pipeline.text import UPPER, fold

__all__ = [
    "NUMBER", "FIGURE", "figures", "GLUED_UNITS", "QUALIFIERS", "QUALIFIER_BEFORE", "REFERENCE_BEFORE", "reference_before", "PLACE_NAME_AFTER",
    "CODE_AFTER", "DURATION_AFTER", "MEASURE_AFTER", "EMERGENCY_NUMBERS", "TIME_OF_DAY_AFTER", "UNIT_STOP", "UNIT_END", "VERB_FIRST", "MAX_UNIT_WORDS",
    "MAGNITUDES",
    "is_code_before", "is_phone", "not_a_count", "year_sized_count", "amount", "unit_key",
]

# "1.000", "500.000.000", "92,6", "07": dots group thousands, a comma is the decimal mark
NUMBER = r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?"
# Measures written glued to their number: "62,5km2", "3,5kg", "120ha".
GLUED_UNITS = ("km2", "km²", "m2", "m²", "m3", "km", "ha", "kg", "tấn", "cm", "mm", "m", "g", "l")
_VI_LOWER = "àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ"  # lower-case, not ASCII
_LOWER = "a-z" + _VI_LOWER
# a number, a ratio ("13/13") or a percentage, not glued to letters, codes or dates
# (but glued to a measure, and after a punctuation mark whose space is missing: "72%),297 tin")
FIGURE = re.compile(
    # (?=\d) first: the engine tries the lookbehinds only where a number starts
    rf"(?=\d)(?:(?<![\w.,/+\-–])|(?<=[^\W\d_]/)|(?<=[^\w\s][.,])|(?P<glued>(?<=[^\W\d_])))"
    rf"(?P<num>{NUMBER})(?:\s*/\s*(?P<den>{NUMBER}))?(?P<pct>\s*%)?"
    rf"(?:(?![\w/]|[.,]\d)|(?=(?:{'|'.join(GLUED_UNITS)})(?!\w))"
    # a lower-case noun glued to it ("150.000test/ngày", "0,327mg/l"), but not an hour ("18h", "15h10")
    rf"|(?!h(?![{_LOWER}]))(?=[{_LOWER}]+(?:/[{_LOWER}]+)?(?!\w)))"
)
# the word a number is glued to: a Vietnamese syllable whose space was lost ("suất150.000"),
# not a code ("F0", "H5N1", "covid19")
_GLUED_WORD = re.compile(rf"(?<![\w])[{_LOWER}]*[{_VI_LOWER}][{_LOWER}]*$")


_GLUED_NOUN = re.compile(rf"[{_LOWER}]")  # "2000m2": a measure, not a year


def figures(text: str) -> Iterator[re.Match]:
    """FIGURE's matches in ``text``, less the numbers glued to a code: the one way counts
    and ``verify`` find figures."""
    for m in FIGURE.finditer(text):
        if m.group("glued") is not None and not _GLUED_WORD.search(text, max(0, m.start() - 12), m.start()):
            continue
        yield m
# hedges written before a figure, longest first when matched
QUALIFIERS: tuple[str, ...] = (
    "khoảng hơn", "khoảng gần", "gần như", "ít nhất", "không dưới", "không quá", "tối thiểu", "tối đa",
    "lên tới", "lên đến", "có tới", "xấp xỉ", "ước tính", "tổng cộng", "hơn", "trên", "gần", "khoảng",
    "dưới", "chừng", "ước", "tới", "đến", "hàng",
)
# the qualifier right before a figure, searched in the text that precedes it
QUALIFIER_BEFORE = re.compile(
    r"(?:^|(?<=[\s(]))(" + "|".join(sorted(QUALIFIERS, key=len, reverse=True)) + r")\s+$", re.I
)


_REFERENCE_WORDS = (  # case-insensitive, the whole word(s) right before the number
    "thứ", "lần thứ", "hạng", "khóa", "khoá", "kỳ", "điều", "khoản", "mục", "chương", "trang",
    "chỉ thị", "nghị quyết", "nghị định", "quyết định", "thông tư", "đề án", "công văn", "luật",
    "quốc lộ", "tỉnh lộ", "km", "khu phố", "ấp", "khóm", "khối", "xóm", "thôn", "tiểu khu", "lô", "căn hộ", "covid",
    "hotline", "tổng đài", "điện thoại", "sđt", "đt", "mã", "biển số", "biển kiểm soát", "bks", "tháng", "ngày", "giờ",
    "lúc", "hôm", "từ ngày", "đến ngày", "trung ương", "mùng", "mồng", "trường cấp", "lớp", "phường", "quận",
)
_REFERENCE_NAMES = (  # as written, capitalised: a document's or a unit's name
    "Kế hoạch", "Chương trình", "Hướng dẫn", "Thông báo", "Kết luận", "Ban Chỉ đạo", "Tổ", "Đội", "Phòng", "Phường",
    "Quận", "Điểm", "Phần", "Đường", "Nhà",
    # a capitalised unit's number is its name: "Vùng 2 Hải quân", "Căn cứ 696", "Trung đoàn 2"
    "Vùng", "Căn cứ", "Sư đoàn", "Trung đoàn", "Lữ đoàn", "Tiểu đoàn", "Quân khu", "Quân đoàn", "Binh đoàn", "Hải đoàn",
    "Hải đội", "Đại đội", "Trung đội", "Tiểu đội", "Khu vực", "Cụm", "Trạm", "Đồn", "Trường", "Bệnh viện", "Cảnh sát",
    "Kho", "Lô", "Khu",
)
_NAMED_HEADS = ("thôn", "bản", "ấp", "xóm", "làng", "buôn", "khu phố", "tổ dân phố", "tổ", "khối", "tiểu khu", "khu",
                "khóm", "phum", "sóc", "đội", "đường", "phố", "ngõ", "hẻm", "kiệt")


def _alternatives(words: tuple[str, ...]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


# The word before a number that makes it a name or a reference, not a figure:
# "Chỉ thị 09", "Thông tư số 124", "thứ 2", "Tổ 5", "ngày 15", "Covid-19".
REFERENCE_BEFORE = re.compile(
    rf"(?:(?<!tổng )(?<!con )(?<!dân )(?<!trong )\bsố|\b(?:{_alternatives(_REFERENCE_WORDS)})"
    rf"|(?-i:\b(?:{_alternatives(_REFERENCE_NAMES)}))"
    # the number that ends a village's or a street's name: "thôn Tân Lập 1", "bản Na Sang 2"
    # (not a commune's: "cách xã Bản Luốc 4 km" is a distance)
    r"|(?P<named>(?<!xã )(?<!phường )(?<!huyện )(?<!quận )(?<!tỉnh )(?<!trấn )"
    rf"\b(?:{_alternatives(_NAMED_HEADS)})(?-i:(?:\s+[{UPPER}][\w'’]*){{1,4}})))\s*:?\s*$",
    re.I,
)
# The last syllables REFERENCE_BEFORE can end on (a name's may be any capitalised one): a
# number after any other word is no reference, and the regex need not be tried.
_REFERENCE_LAST = frozenset(w.split()[-1].lower() for w in (*_REFERENCE_WORDS, *_REFERENCE_NAMES, "số"))


def reference_before(before: str) -> re.Match | None:
    """REFERENCE_BEFORE searched in the text before a number, tried only where the word
    right before it can end one (several times faster on the numbers of an article)."""
    tail = before.rstrip()
    if tail.endswith(":"):
        tail = tail[:-1].rstrip()
    if not tail:
        return None
    last = tail.rsplit(None, 1)[-1].lstrip("(\"“'[\u200b\ufeff")
    if not (last[:1].isupper() or last.lower() in _REFERENCE_LAST):
        return None
    return REFERENCE_BEFORE.search(before)


# A measure after the number: "cách bản Na Sang 15 km" is a distance, not the village's number.
MEASURE_AFTER = re.compile(r"\s*(?:km2|km²|km|m2|m²|m3|ha|kg|tấn|cm|mm|m|mét|cây số|héc-ta|hécta)(?!\w)", re.I)
# Emergency and hotline numbers written as the service's name: "gọi 113", "xe 115", "Cảnh sát 113".
EMERGENCY_NUMBERS = frozenset({111, 112, 113, 114, 115, 911, 1022})
_SERVICE_BEFORE = re.compile(
    r"(?:gọi|gọi điện|gọi số|quay số|số|đường dây nóng|đường dây|tổng đài|trực|lực lượng|xe|xe cứu thương|kíp|"
    r"cảnh sát|cấp cứu|trung tâm|đội|bộ phận|hotline)\s*(?:đến\s+|tới\s+|cho\s+)?$",
    re.I,
)
# "mùng 1 Tết", "1 Tết": a day, not a count
_FEAST_AFTER = re.compile(r"\s*[Tt]ết\b")
# After the number, a proper name of two capitalised syllables ("15 Lê Lợi", "2 Tân Lập"): an
# address or a name, unless it starts with an abbreviation or a counted unit's head ("5 UBND xã",
# "7 Đồn Biên phòng", "3 Câu lạc bộ").
_PROPER_NAME_AFTER = re.compile(rf"\s*(?P<first>[{UPPER}][\w'’]*)\s+[{UPPER}]")
_COUNTED_HEADS = frozenset(
    "Tổ Đội Đồn Trạm Ban Hội Chi Câu CLB Khu Cụm Trường Công Xã Phường Thôn Ấp Bản Làng Xóm Buôn Dòng Gia Nhóm "
    "Điểm Tuyến Chốt Camera Cổng Hộ Đảng Đoàn Cơ Doanh Hợp Cửa Tàu Thuyền Phòng Cục Sở Lực Cán Chiến Người Học Giáo "
    "Thanh Hội".split()
)
# After the number, a street or a unit and its name: "15 phố Hàng Bạc", "12 phường Tân Mai"
# is an address or a name, not a figure (but "3 xã Mường Lý, Trung Lý" counts a list).
PLACE_NAME_AFTER = re.compile(
    r"\s*(?:(?:phố|đường|ngõ|ngách|hẻm|kiệt|phường|xã|thôn|ấp|bản|xóm|khu phố|tổ dân phố)"
    rf"(?-i:(?:\s+[{UPPER}][\w'’]*)++)(?!\s*(?:,|và)\s*(?-i:[{UPPER}]))"
    r"|(?:đường|ngõ|hẻm|ngách|kiệt)\s+số\s+\d)",  # "131 đường số 6": a house number
    re.I,
)
# An upper-case code right before the number ("BCĐ 138", "PA 03") makes it a
# name; a topic abbreviation ("BVANTQ 11.460 cuộc") does not.
_CODE_RUN_BEFORE = re.compile(r"(?<![\w])([A-ZĐ][A-ZĐ0-9&]+)\s*$")
_CODE_WORDS = frozenset({"BCĐ", "QL", "ĐT", "TL", "PA", "PC", "PV", "CP", "NĐ", "QĐ", "TT", "CT", "NQ", "KH"})


def is_code_before(before: str) -> bool:
    m = _CODE_RUN_BEFORE.search(before)
    if not m:
        return False
    word = m.group(1)
    return word in _CODE_WORDS or word not in get_lexicon().abbreviations


CODE_AFTER = re.compile(r"^\s*/\s*[A-ZĐ]")

# Time units: "Trong 3 năm", "05 năm qua" are durations (optional), not counts.
DURATION_AFTER = re.compile(r"^\s*(?:năm|tháng|tuần|ngày|giờ|phút|giây|thập kỷ|thế kỷ|thập niên)\b", re.I)
TIME_OF_DAY_AFTER = re.compile(r"^\s*(?:[:h]\d{2}|giờ)", re.I)

RANGE_AFTER = re.compile(r"^\s*[-–]\s*\d")


# A number of a year's size is a count where no date word precedes it and a noun that these
# reports count follows it ("hơn 2000 người", "2000 hộ dân"), not a year.
_DATE_WORD_BEFORE = re.compile(
    r"(?:năm|từ|đến|tới|trong|sau|trước|cuối|đầu|giữa|vào|hồi|kể từ|niên khóa|niên khoá|khóa|khoá|mùa|dịp|"
    r"tháng|ngày|[(–—-])\s*$",
    re.I,
)
_WORD_AFTER = re.compile(r"\s+([a-zà-ỹđ]+)")
_COUNTED_AFTER = frozenset(
    """người hộ lượt cán đối vụ tin khu thôn mô tổ đội camera đèn bóng cây xe hội đoàn học em cuốn tờ bản suất
    phần quà triệu tỷ tỉ nghìn ngàn đồng km m ha tấn kg lít chiếc cái cơ doanh nhân hồ ca trường buổi cuộc lần
    điểm tuyến thành chiến đảng gia công phụ thanh hecta mét cột biển tàu thuyền""".split()
)


def year_sized_count(before: str, after: str) -> bool:
    """Is a number between 1900 and 2099 a count ("2000 người") rather than a year?"""
    if _DATE_WORD_BEFORE.search(before):
        return False
    m = _WORD_AFTER.match(after)
    return m is not None and m.group(1) in _COUNTED_AFTER


def is_phone(raw: str) -> bool:
    digits = re.sub(r"\D", "", raw)
    return len(digits) >= 9 and raw.startswith("0")


def not_a_count(before: str, after: str, raw_num: str, value: int | float, denominator: int | float | None,
                percent: bool) -> bool:
    """Is a number written as a figure no count (ANNOTATION.md)?  ``before``/``after``: the
    text around the figure (number, ratio, % sign).  A reference or code before it ("Chỉ thị
    09", "BCĐ 138"), a code, a clock time or a range after it, a phone number, a month
    ("3/2020"), a year, a duration ("3 năm"), an address after it.  (A day-month date "16/6" is the dates
    extractor's call; a number inside a quoted name the caller's.)"""
    ref = reference_before(before)
    if ref and not (ref.group("named") and MEASURE_AFTER.match(after)):
        return True
    if is_code_before(before) or CODE_AFTER.match(after) or is_phone(raw_num):
        return True
    if value in EMERGENCY_NUMBERS and denominator is None and not percent and (
            _SERVICE_BEFORE.search(before) or _PROPER_NAME_AFTER.match(after) or not re.match(r"\s*[a-zđà-ỹ]", after)):
        return True  # "gọi 113", "Cảnh sát 113", "911, 113": the service's name
    if _FEAST_AFTER.match(after):
        return True
    if denominator is None and not percent and (name := _PROPER_NAME_AFTER.match(after)):
        first = name.group("first")
        if not (first.isupper() and len(first) > 1) and first not in _COUNTED_HEADS:
            return True  # "15 Lê Lợi", "2 Tân Lập": an address, a name
    if TIME_OF_DAY_AFTER.match(after) or RANGE_AFTER.match(after):
        return True  # 10:03, 10h30, ranges of years
    if denominator is None and not percent and PLACE_NAME_AFTER.match(after):
        return True  # "15 phố Hàng Bạc", "12 phường Tân Mai": an address, a name
    if isinstance(denominator, int) and 1900 <= denominator <= 2099 and value <= 12:
        return True  # "3/2020" is a month
    if not percent and denominator is None and isinstance(value, int) and 1900 <= value <= 2099 and "." not in raw_num \
            and not _GLUED_NOUN.match(after) and not year_sized_count(before, after):
        return True  # a year
    return not percent and bool(DURATION_AFTER.match(after))


# Words that end the counted noun phrase.
UNIT_STOP = frozenset(
    """với trong được có đã đang sẽ của cho tại ở trên từ đến và tham_gia trở_về là này đó thì mà nhằm để
    do bị theo qua khi như gồm thuộc vào ra lên xuống cùng nên nhưng hoặc hay so_với tăng giảm đạt
    trở_lên chiếm bằng vừa mới cũng đều luôn còn không chưa những các khóa khoá""".split()
)
UNIT_STOP = frozenset(w.replace("_", " ") for w in UNIT_STOP)  # "tham_gia": one word of two syllables
# Verbs that cannot start a counted noun: "hơn 300 tham dự" counts nothing (but "300 người
# tham dự" counts people, so these do not end a noun once begun).
VERB_FIRST = frozenset(w.replace("_", " ") for w in """tham_dự xảy_ra xảy hưởng_ứng ra_mắt thực_hiện phát_hiện
    bắt_giữ triệt_phá xử_lý lắp_đặt trao tặng triển_khai tiến_hành phối_hợp ký_kết ra_quân duy_trì phát_động
    bàn_giao tiếp_nhận nhận tổ_chức_thực_hiện khởi_công khánh_thành vận_động tuyên_truyền_vận_động""".split())
# Verbs that end the counted noun once it has begun ("mô hình tự quản góp phần …")
# but may themselves be counted nouns when they come first.
UNIT_END = frozenset(w.replace("_", " ") for w in "góp_phần giúp nhằm phục_vụ tiếp_tục hoàn_thành tạo giữ đưa thu_hút".split())
MAX_UNIT_WORDS = 4


# Magnitude words written after a number: "500 triệu đồng" is 500,000,000 đồng.  The
# guideline keeps the figure as written (value 500, unit "triệu đồng"); comparing
# figures (verify) goes through ``amount``.
MAGNITUDES: dict[str, int] = {"trăm": 100, "nghìn": 1_000, "ngàn": 1_000, "vạn": 10_000, "triệu": 1_000_000,
                              "tỷ": 1_000_000_000, "tỉ": 1_000_000_000}


def amount(value: int | float, unit: str | None) -> tuple[int | float, str]:
    """A figure with its magnitude words folded in: (500, "triệu đồng") -> (500000000, "đồng"),
    (1, "nghìn lượt") -> (1000, "lượt"), (1,5, "tỷ đồng") -> (1500000000, "đồng")."""
    words = (unit or "").split()
    factor = 1
    while words and fold(words[0]) in MAGNITUDES:
        factor *= MAGNITUDES[fold(words.pop(0))]
    if factor == 1:
        return value, unit or ""
    scaled = value * factor
    if isinstance(scaled, float) and scaled.is_integer():
        scaled = int(scaled)
    return scaled, " ".join(words)


def unit_key(unit: str | None) -> str | None:
    """What a figure counts, reduced to a lookup key: "%" or the first syllable,
    folded, abbreviations expanded ("Khu dân cư" and "KDC" -> "khu"); verify
    looks counts up by it."""
    if not unit:
        return None
    if unit.strip() == "%":
        return "%"
    words = re.findall(r"[^\W_][\w'’-]*", unit)
    folded = fold(get_lexicon().expand(" ".join(words))).split()
    return folded[0] if folded else None
