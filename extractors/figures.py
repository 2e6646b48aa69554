"""How a figure is written in Vietnamese news: shared by the counts extractor
and by ``vnfacts verify`` (which parses a journalist's claim the same way):
the number, its hedge, what before or after it makes it no figure (a
reference, a code, a duration, a time), where the counted noun ends, and the
magnitude words.

Kept free of spaCy and underthesea so that a query does not pay their import.
"""

from __future__ import annotations

import re

from gazetteer.lexicon import get_lexicon
from pipeline.text import UPPER, fold

__all__ = [
    "NUMBER", "FIGURE", "GLUED_UNITS", "QUALIFIERS", "QUALIFIER_BEFORE", "REFERENCE_BEFORE", "PLACE_NAME_AFTER",
    "CODE_AFTER", "DURATION_AFTER", "TIME_OF_DAY_AFTER", "UNIT_STOP", "UNIT_END", "VERB_FIRST", "MAX_UNIT_WORDS",
    "MAGNITUDES",
    "is_code_before", "is_phone", "not_a_count", "amount", "unit_key",
]

# "1.000", "500.000.000", "92,6", "07": dots group thousands, a comma is the decimal mark
NUMBER = r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?"
# Measures written glued to their number: "62,5km2", "3,5kg", "120ha".
GLUED_UNITS = ("km2", "km²", "m2", "m²", "m3", "km", "ha", "kg", "tấn", "cm", "mm", "m", "g", "l")
# a number, a ratio ("13/13") or a percentage, not glued to letters, codes or dates
# (but glued to a measure)
FIGURE = re.compile(
    rf"(?<![\w.,/+\-–])(?P<num>{NUMBER})(?:\s*/\s*(?P<den>{NUMBER}))?(?P<pct>\s*%)?"
    rf"(?:(?![\w/]|[.,]\d)|(?=(?:{'|'.join(GLUED_UNITS)})(?!\w)))"
)
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


# The word before a number that makes it a name or a reference, not a figure:
# "Chỉ thị 09", "Thông tư số 124", "thứ 2", "Tổ 5", "ngày 15", "Covid-19".
REFERENCE_BEFORE = re.compile(
    r"(?:(?<!tổng )(?<!con )(?<!dân )(?<!trong )\bsố|\b(?:thứ|lần thứ|hạng|khóa|khoá|kỳ|điều|khoản|mục|chương|trang|"
    r"chỉ thị|nghị quyết|nghị định|quyết định|thông tư|đề án|công văn|luật|"
    r"quốc lộ|tỉnh lộ|km|khu phố|ấp|khóm|khối|xóm|thôn|tiểu khu|lô|căn hộ|covid|hotline|tổng đài|"
    r"điện thoại|sđt|đt|mã|biển số|biển kiểm soát|bks|tháng|ngày|giờ|lúc|hôm|từ ngày|đến ngày|trung ương)"
    r"|(?-i:\b(?:Kế hoạch|Chương trình|Hướng dẫn|Thông báo|Kết luận|Ban Chỉ đạo|Tổ|Đội|Phòng|Phường|Quận|Điểm|Phần|Đường|Nhà))"
    # the number that ends a village's or a street's name: "thôn Tân Lập 1", "bản Na Sang 2"
    # (not a commune's: "cách xã Bản Luốc 4 km" is a distance)
    r"|(?<!xã )(?<!phường )(?<!huyện )(?<!quận )(?<!tỉnh )(?<!trấn )"
    r"\b(?:thôn|bản|ấp|xóm|làng|buôn|khu phố|tổ dân phố|tổ|khối|tiểu khu|khu|khóm|phum|sóc|đội|"
    rf"đường|phố|ngõ|hẻm|kiệt)(?-i:(?:\s+[{UPPER}][\w'’]*){{1,4}}))\s*:?\s*$",
    re.I,
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
    if REFERENCE_BEFORE.search(before) or is_code_before(before) or CODE_AFTER.match(after) or is_phone(raw_num):
        return True
    if TIME_OF_DAY_AFTER.match(after) or RANGE_AFTER.match(after):
        return True  # 10:03, 10h30, ranges of years
    if denominator is None and not percent and PLACE_NAME_AFTER.match(after):
        return True  # "15 phố Hàng Bạc", "12 phường Tân Mai": an address, a name
    if isinstance(denominator, int) and 1900 <= denominator <= 2099 and value <= 12:
        return True  # "3/2020" is a month
    if not percent and denominator is None and isinstance(value, int) and 1900 <= value <= 2099 and "." not in raw_num:
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
    bắt_giữ triệt_phá xử_lý lắp_đặt trao tặng""".split())
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
