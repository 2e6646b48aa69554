"""Cited figures: a number, what it counts, and how it is hedged.

Vietnamese notation ("1.000" = 1000, "92,6%" = 92.6, "07" = 7), ratios
("13/13 khu dân cư": value 13, denominator 13), qualifiers written before the
number ("trên", "gần", "khoảng hơn").  Not counts (ANNOTATION.md): years and
dates, document numbers, ordinals, numbers inside a quoted name, phone
numbers, clock times; durations ("3 năm") are optional and left out.
Where the sentence ties a count to a model ("1.120 mô hình “…”") or a place,
the link is recorded.
"""

from __future__ import annotations

import bisect
import re

from spacy.tokens import Doc

from extractors.base import in_any, provenance, quotes, semicolon_part, word_starts
from extractors.dates import is_day_month
from extractors.models import canonical
from extractors.places import most_specific, places_in, scope_of
from gazetteer.lexicon import get_lexicon
from extractors.figures import FIGURE, QUALIFIER_BEFORE
from pipeline.schema import CountFact
from pipeline.nlp.segment import sentence_of
from pipeline.text import parse_number

NAME = "counts"
VERSION = "1"
REQUIRES = ("text", "norm", "sents", "words", "place_mentions", "main_province", "model_quotes")
ASSIGNS: tuple[str, ...] = ()

# The word before a number that makes it a name or a reference, not a figure:
# "Chỉ thị 09", "Thông tư số 124", "thứ 2", "Tổ 5", "ngày 15", "Covid-19".
_REFERENCE_BEFORE = re.compile(
    r"(?:(?<!tổng )(?<!con )\bsố|\b(?:thứ|lần thứ|hạng|khóa|khoá|kỳ|điều|khoản|mục|chương|trang|"
    r"chỉ thị|nghị quyết|nghị định|quyết định|thông tư|đề án|công văn|luật|"
    r"quốc lộ|tỉnh lộ|km|khu phố|ấp|khóm|khối|xóm|thôn|tiểu khu|lô|căn hộ|covid|hotline|tổng đài|"
    r"điện thoại|sđt|đt|mã|biển số|tháng|ngày|giờ|lúc|hôm|từ ngày|đến ngày)"
    r"|(?-i:\b(?:Kế hoạch|Chương trình|Hướng dẫn|Thông báo|Kết luận|Ban Chỉ đạo|Tổ|Đội|Phòng|Phường|Quận|Điểm|Phần|Đường|Nhà)))\s*$",
    re.I,
)
# An upper-case code right before the number ("BCĐ 138", "PA 03") makes it a
# name; a topic abbreviation ("BVANTQ 11.460 cuộc") does not.
_CODE_BEFORE = re.compile(r"(?<![\w])([A-ZĐ][A-ZĐ0-9&]+)\s*$")
_CODES = frozenset({"BCĐ", "QL", "ĐT", "TL", "PA", "PC", "PV", "CP", "NĐ", "QĐ", "TT", "CT", "NQ", "KH"})


def _is_code_before(before: str) -> bool:
    m = _CODE_BEFORE.search(before)
    if not m:
        return False
    word = m.group(1)
    return word in _CODES or word not in get_lexicon().abbreviations


_ROMAN_OR_CODE_AFTER = re.compile(r"^\s*/\s*[A-ZĐ]")

# Time units: "Trong 3 năm", "05 năm qua" are durations (optional), not counts.
_DURATION = re.compile(r"^\s*(?:năm|tháng|tuần|ngày|giờ|phút|giây|thập kỷ|thế kỷ|thập niên)\b", re.I)
_TIME_OF_DAY = re.compile(r"^\s*(?:[:h]\d{2}|giờ)", re.I)

# Words that end the counted noun phrase.
_UNIT_STOP = frozenset(
    """với trong được có đã đang sẽ của cho tại ở trên từ đến và tham_gia trở_về là này đó thì mà nhằm để
    do bị theo qua khi như gồm thuộc vào ra lên xuống cùng nên nhưng hoặc hay so_với tăng giảm đạt
    trở_lên chiếm bằng vừa mới cũng đều luôn còn không chưa""".replace("_", " ").split()
)
# Verbs that end the counted noun once it has begun ("mô hình tự quản góp phần …")
# but may themselves be counted nouns when they come first.
_UNIT_END = frozenset("góp_phần giúp nhằm phục_vụ tiếp_tục hoàn_thành tạo giữ đưa thu_hút".replace("_", " ").split())
_MAX_UNIT_WORDS = 4


def _unit(doc: Doc, starts: list[int], end: int, line_end: int) -> tuple[str, int]:
    """The counted noun after the figure, as written, and where it ends.

    The segmenter may glue the noun to the number ("4.351 tổ"): the part of
    such a token after the figure is the first word.
    """
    text, spans = doc._.text, doc._.words
    words: list[str] = []
    last = end
    i = max(0, bisect.bisect_right(starts, end) - 1)
    for tok_start, tok_end in spans[i:]:
        if tok_end <= end:
            continue
        piece = text[max(tok_start, end) : tok_end].strip()
        if not words and piece in ("“", '"') and tok_start < line_end:
            continue  # a quoted unit: 40 “điểm chữa cháy công cộng”
        if tok_start >= line_end or not piece or not any(c.isalpha() for c in piece):
            break
        low = piece.lower()
        if low in _UNIT_STOP:
            if not words:
                return "", end
            break
        if words and low in _UNIT_END:
            break
        words.append(piece)
        last = tok_end
        if len(words) >= _MAX_UNIT_WORDS:
            break
    return " ".join(words), last


def _place_of(doc: Doc, qs, offset: int):
    """The most specific place of the count's ';'-part of its sentence, else of the sentence."""
    s_start, s_end = doc._.sents[sentence_of(doc, offset)]
    for lo, hi in (semicolon_part(doc._.norm, s_start, s_end, offset), (s_start, s_end)):
        found = [m for m in places_in(doc, lo, hi) if in_any(qs, m.start, names_only=True) is None]
        if found:
            return most_specific(found)
    return None


def _is_phone(raw: str) -> bool:
    digits = re.sub(r"\D", "", raw)
    return len(digits) >= 9 and raw.startswith("0")


def extract(doc: Doc) -> list[CountFact]:
    text, norm = doc._.text, doc._.norm
    starts = word_starts(doc)
    qs = quotes(doc)
    models_by_offset = doc._.model_quotes
    out: list[CountFact] = []
    for m in FIGURE.finditer(norm):
        s, e = m.start(), m.end()
        raw_num, raw_den, pct = m.group("num"), m.group("den"), m.group("pct")
        line_end = norm.find("\n", e)
        line_end = len(norm) if line_end < 0 else line_end
        before = norm[max(0, s - 30) : s]
        after = norm[e : e + 20]
        if in_any(qs, s, names_only=True):
            continue  # a number inside a quoted name: “2 +1”, “Câu lạc bộ 3 tích cực”
        if _REFERENCE_BEFORE.search(before) or _is_code_before(before) or _ROMAN_OR_CODE_AFTER.match(after) or _is_phone(raw_num):
            continue
        if _TIME_OF_DAY.match(after) or re.match(r"^\s*[-–]\s*\d", after):
            continue  # 10:03, 10h30, ranges of years
        value = parse_number(raw_num)
        if value is None:
            continue
        denominator = None
        if raw_den is not None:
            if is_day_month(norm, s, s + len(raw_num) + 1 + len(raw_den)) and "/" in m.group(0)[: len(raw_num) + 1]:
                continue
            denominator = parse_number(raw_den)
            if denominator is None or (isinstance(denominator, int) and 1900 <= denominator <= 2099 and value <= 12):
                continue  # "3/2020" is a month
        if not pct and not raw_den and isinstance(value, int) and 1900 <= value <= 2099 and "." not in raw_num:
            continue  # a year
        if pct:
            unit, unit_end = "%", e
        else:
            if _DURATION.match(after):
                continue
            unit, unit_end = _unit(doc, starts, e, line_end)
            if not unit:
                continue
        qm = QUALIFIER_BEFORE.search(before)
        qualifier = qm.group(1).lower() if qm else None
        start = s - len(qm.group(0)) if qm else s
        if qualifier == "hàng":
            continue  # "hàng trăm" has no value; a bare "hàng 3" is not a figure
        model = None
        if unit.lower().startswith("mô hình"):  # "1.120 mô hình “…”": the quote right after the unit
            for q_start in range(unit_end, unit_end + 3):
                if q_start in models_by_offset:
                    model = models_by_offset[q_start]
        place = _place_of(doc, qs, s)
        province, _ = scope_of(doc, place)
        out.append(
            CountFact(
                value=value,
                denominator=denominator,
                unit=unit,
                qualifier=qualifier,
                text=text[start:e].strip(),
                model=model,
                model_canonical=canonical(model) if model else None,
                place=place.name if place else None,
                province=province,
                place_code=place.unit.code if place and place.unit else None,
                extractor=f"{NAME}@{VERSION}",
                **provenance(doc, start, unit_end),
            )
        )
    return out
