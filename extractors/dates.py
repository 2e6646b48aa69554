"""Dates and periods in the body, normalised as ANNOTATION.md shows.

"Tháng 3/2020" -> 2020-03, "năm 2022" -> 2022, "(2020- 2023)" -> 2020/2023,
"16/6/1967 – 16/6/2022" -> 1967-06-16/2022-06-16, "15/06/2022" -> 2022-06-15;
a day without a year takes the year of publication; a period written across months
("từ 12/3 đến 12/6/2018", "từ tháng 3 đến tháng 6/2018") is one period whose first day
takes the second's year.  A year-sized number in a name or a count ("Căn cứ 2000", "2000
người") is no date.  Dates inside the name of
a plan, project or legal document are optional by the guideline, so they are
left out rather than guessed.
"""

from __future__ import annotations

import re
from datetime import date

from spacy.tokens import Doc

from extractors.base import in_any, provenance, quotes, view
from extractors.figures import reference_before, year_sized_count
from pipeline.schema import DateFact

NAME = "dates"
VERSION = "5"
REQUIRES = ("text", "norm", "sents", "published")
ASSIGNS: tuple[str, ...] = ()

_Y = r"(?:19[4-9]\d|20\d\d)"
_D = r"(?:[0-2]?\d|3[01])"
_M = r"(?:0?[1-9]|1[0-2])"
_DASH = r"\s*[-–—]{1,2}\s*(?:ngày\s+)?|\s+(?:đến|tới)\s+(?:hết\s+)?(?:ngày\s+|năm\s+)?"

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    # 16/6/1967 – 16/6/2022, từ ngày 4.1.2017 - 4.1.2018 (one separator throughout)
    ("full_range", re.compile(rf"(?<![\d/.-])({_D})([/.-])({_M})\2({_Y})(?:{_DASH})({_D})\2({_M})\2({_Y})(?![\d/])")),
    # từ ngày 1.1.2016 đến hết tháng 1.2018: a day to a month
    ("day_to_month", re.compile(rf"(?<![\d/.-])({_D})([/.-])({_M})\2({_Y})(?:{_DASH})tháng\s+({_M})[/.-]({_Y})(?![\d/])", re.I)),
    # quý 1/2021, quý II/2024: the quarter's months (only after "quý", looked up before the match)
    ("quarter", re.compile(rf"(?<![\d/.])([1-4]|I{{1,3}}|IV)\s*/\s*({_Y})(?![\d/])")),
    # từ ngày 1/3 đến ngày 31/3/2024, từ 12-3 đến 12-6-2018: the first day takes the second's year
    ("day_range", re.compile(rf"(?<![\d/.-])({_D})([/.-])({_M})(?:{_DASH})({_D})\2({_M})\2({_Y})(?![\d/])")),
    # từ ngày 1 đến ngày 5/8/2024, 20-22/7/2023: the first day takes the second's month and year
    ("days_range", re.compile(rf"(?<![\d/.,-])({_D})(?:{_DASH})({_D})([/.-])({_M})\3({_Y})(?![\d/])")),
    # từ 12/3 đến 12/6: a period of the publication year (only after "từ", see below)
    ("day_month_range", re.compile(rf"(?<![\d/.,-])({_D})/({_M})(?:{_DASH})({_D})/({_M})(?![\d/]|,\d)")),
    # từ tháng 3 đến tháng 6/2018: the first month takes the second's year (only after "tháng")
    ("months_range", re.compile(rf"(?<![\d/.,-])({_M})(?:{_DASH})(?:tháng\s+)?({_M})(?:[/.-]|\s+năm\s+)({_Y})(?![\d/])", re.I)),
    # tháng 3/2023 - 5/2024
    ("month_range", re.compile(rf"(?<![\d/.])({_M})/({_Y})(?:{_DASH})(?:tháng\s+)?({_M})/({_Y})(?![\d/])", re.I)),
    # từ năm 2017 đến tháng 9/2022, 2017 - 9/2022
    ("year_month_range", re.compile(rf"(?<![\d/.,])({_Y})(?:{_DASH})(?:tháng\s+)?({_M})[/.-]({_Y})(?![\d/])", re.I)),
    # từ tháng 3/2020 đến năm 2022
    ("month_year_range", re.compile(rf"(?<![\d/.])({_M})/({_Y})(?:{_DASH})({_Y})(?![\d/.]\d|\d)", re.I)),
    # ngày 8 tháng 4 năm 2020
    ("words", re.compile(rf"(?<!\d)({_D})\s+tháng\s+({_M})\s*,?\s+năm\s+({_Y})(?!\d)", re.I)),
    # 15/06/2022, 15-06-2022
    ("full", re.compile(rf"(?<![\d/.])({_D})([/.-])({_M})\2({_Y})(?![\d/])")),
    # tháng 3/2020, tháng 3 năm 2020, 3/2020 ("tháng" is looked up before the match:
    # every pattern starts on a digit, so the regex engine skips prose quickly)
    ("month", re.compile(rf"(?<![\d/.])({_M})(?:/|\s+năm\s+)({_Y})(?![\d/])")),
    # tháng 8-2016, tháng 8.2016: only after "tháng" (looked up before the match)
    ("month_sep", re.compile(rf"(?<![\d/.])({_M})[.-]({_Y})(?![\d/.-]\d|\d)")),
    # (2020- 2023), 2017 - 2022, từ năm 2020 đến năm 2023, năm học 2022-2023
    ("year_range", re.compile(rf"(?<![\d/.,])({_Y})(?:{_DASH})({_Y})(?![\d/])")),
    # 23 và 24/4, 23, 24/4: a day whose month is written with the next one (after a day word)
    # (23, 24/8/2010: the year too)
    ("day_and", re.compile(rf"(?<![\d/.,-])({_D})(?=\s*(?:,|và)\s*{_D}/({_M})(?:/({_Y}))?(?![\d/]))")),
    # 19/5, ngày 15/6: only in a date context (see _day_month_context)
    ("day_month", re.compile(rf"(?<![\d/.,])({_D})/({_M})(?![\d/]|,\d)")),
    # ngày 7.7, sáng 2-8: only after a word that makes it a day (see DAY_WORD_BEFORE)
    ("day_month_sep", re.compile(rf"(?<![\d/.,-])({_D})([.-])({_M})(?![\d/]|[.,-]\d)")),
    # tháng 9 vừa qua, tháng 3 năm nay: a month of the publication's year (after "tháng")
    ("month_this_year", re.compile(rf"(?<![\d/.,-])({_M})(?=\s+(?:vừa qua|năm nay|này)\b)", re.I)),
    # năm 2022, 2016 (not "2000m2")
    ("year", re.compile(rf"(?<![\d/.,])({_Y})(?![\d/.]\d|\d|[^\W\d_])")),
]

_NUMBER = re.compile(r"\d+")  # a run of digits: its start is a number's first digit
_MONTH_WORD = re.compile(r"tháng\s+$", re.I)
_QUARTER_WORD = re.compile(r"quý\s+$", re.I)
_AND_BEFORE = re.compile(r"(?<=\d)\s*(?:và|,)\s*$")
_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4}
_ROMAN_QUARTER = re.compile(r"quý\s+(I{1,3}|IV)\s*/", re.I)
# "(23/4 đến ngày 27/4)", "dịp lễ 30/4--1/5": what opens a period of days of the publication year
_PERIOD_BEFORE = re.compile(r"(?:\b(?:từ|kể từ|ngày|dịp|lễ|nghỉ lễ)\s+(?:ngày\s+)?|\(\s*)$", re.I)

# Words that make the following figure a date when it is "d/m".
DAY_CONTEXT = re.compile(
    r"(?:ngày|hôm|sáng|chiều|tối|trưa|đêm|rạng sáng|khuya|từ|đến|tới|trước|sau|dịp|đầu|cuối|giữa|"
    r"quốc khánh|lễ|tết|kỷ niệm|\()\s*$",
    re.I,
)
# A "d.m" or "d-m" is a date only right after one of these ("từ 2-3 người" is not).
DAY_WORD_BEFORE = re.compile(
    r"(?:ngày|hôm|sáng|chiều|tối|trưa|đêm|rạng sáng|khuya|dịp|quốc khánh|lễ|tết|kỷ niệm)\s+$", re.I
)
# "2/9 năm nay", "19/8 hằng năm": a day of the year whatever the numbers
_DAY_AFTER = re.compile(r"\s*(?:năm nay|hằng năm|hàng năm|vừa qua|tới)\b", re.I)
# A following noun makes "13/13" a ratio ("13/13 khu dân cư"); these words do not.
_NOT_NOUN_AFTER = re.compile(r"^\s*(?:[,.;:)\]–-]|$|vừa|qua|tới|năm|và|,|đến|tại|ở|\s*$)", re.I)

# Heads of the names of documents, plans and programmes whose own dates are optional.
_DOC_HEAD = re.compile(
    r"\b(?:Đề án|Kế hoạch|Chiến lược|Chương trình|Nghị quyết|Chỉ thị|Quyết định|Nghị định|Thông tư|Luật|Kết luận|Dự án|Quy hoạch)\b",
    re.I,
)
_DOC_TAIL = re.compile(r"(?:giai đoạn|tầm nhìn(?:\s+đến)?(?:\s+năm)?|nhiệm kỳ)\s*$", re.I)


def _year_is_a_number(text: str, s: int, e: int) -> bool:
    """"Căn cứ 2000", "2000 người": a bare year that is part of a name or counts something."""
    before = text[max(0, s - 30) : s]
    return bool(reference_before(before)) or year_sized_count(before, text[e : e + 30])


def is_day_month(text: str, start: int, end: int) -> bool:
    """Is the "d/m" at text[start:end] a date rather than a ratio like "13/13"?"""
    parts = text[start:end].split("/")
    if len(parts) != 2 or not all(x.strip().isdigit() and len(x.strip()) <= 2 for x in parts):
        return False  # "1.250/1.300", "126/136": no day or month has three digits or a separator
    before = text[max(0, start - 20) : start]
    if DAY_CONTEXT.search(before) or _DAY_AFTER.match(text, end):
        return True
    d, m = (int(x) for x in parts)
    # "4/5 xã" is a ratio: a count of something out of a total
    if d <= m:
        return False
    return bool(_NOT_NOUN_AFTER.match(text[end : end + 12]))


def _in_document_name(doc: Doc, start: int) -> bool:
    q = in_any(quotes(doc), start)
    norm = view(doc).norm
    if q is not None and _DOC_HEAD.match(norm, q.inner_start):
        return True
    before = norm[max(0, start - 160) : start]
    tail = _DOC_TAIL.search(before)
    if tail is None:
        return False
    clause = re.split(r"[;.]\s|\n", before[: tail.start()])[-1]
    return bool(_DOC_HEAD.search(clause))


def _iso(y: str | int, m: str | int | None = None, d: str | int | None = None) -> str | None:
    try:
        if d is not None:
            return date(int(y), int(m), int(d)).isoformat()
    except ValueError:
        return None
    if m is not None:
        return f"{int(y):04d}-{int(m):02d}"
    return f"{int(y):04d}"


def extract(doc: Doc) -> list[DateFact]:
    v = view(doc)
    text = v.norm
    taken = bytearray(len(text) + 1)  # 1 where an earlier, more specific pattern matched
    found: dict[str, DateFact] = {}
    published = v.published

    def free(s: int, e: int) -> bool:
        return not any(taken[s:e])

    # Every pattern starts on the first digit of a number: trying them only there
    # is several times faster than letting each regex scan the whole text.
    starts = [m.start() for m in _NUMBER.finditer(text)]
    # a quarter may be a Roman numeral ("quý IV/2023"): its start is no digit
    quarter_starts = sorted(starts + [m.start(1) for m in _ROMAN_QUARTER.finditer(text)])
    for kind, pattern in _PATTERNS:
        for pos in quarter_starts if kind == "quarter" else starts:
            m = pattern.match(text, pos)
            if m is None:
                continue
            s, e = m.start(), m.end()
            if not free(s, e):
                continue
            g = m.groups()
            value: str | None
            if kind == "full_range":
                a, b = _iso(g[3], g[2], g[0]), _iso(g[6], g[5], g[4])
                value = f"{a}/{b}" if a and b and a < b else None
            elif kind == "day_to_month":
                a, b = _iso(g[3], g[2], g[0]), _iso(g[5], g[4])
                value = f"{a}/{b}" if a and b and a[:7] < b else None
            elif kind == "quarter":
                if _QUARTER_WORD.search(text, max(0, s - 6), s) is None:
                    continue
                q = _ROMAN.get(g[0]) or int(g[0])
                s = _QUARTER_WORD.search(text, max(0, s - 6), s).start()
                value = f"{_iso(g[1], 3 * q - 2)}/{_iso(g[1], 3 * q)}"
            elif kind == "day_and":
                if (published is None and g[2] is None) or not DAY_WORD_BEFORE.search(text, max(0, s - 14), s):
                    continue
                value = _iso(g[2] or published.year, g[1], g[0])
            elif kind == "month_this_year":
                month_word = _MONTH_WORD.search(text, max(0, s - 8), s)
                if month_word is None or published is None:
                    continue
                s = month_word.start()
                month = int(g[0])
                year = published.year - (1 if month > published.month and "qua" in text[e : e + 10] else 0)
                value = _iso(year, month)
            elif kind == "day_range":
                a, b = _iso(g[5], g[2], g[0]), _iso(g[5], g[4], g[3])
                value = f"{a}/{b}" if a and b and a < b else None
            elif kind == "day_month_range":
                if published is None or not _PERIOD_BEFORE.search(text, max(0, s - 16), s):
                    continue
                if int(g[0]) <= int(g[1]) and int(g[2]) <= int(g[3]) and not _NOT_NOUN_AFTER.match(text[e : e + 12]):
                    continue  # "từ 3/5 đến 4/5 xã": ratios
                a, b = _iso(published.year, g[1], g[0]), _iso(published.year, g[3], g[2])
                value = f"{a}/{b}" if a and b and a < b else None
            elif kind == "months_range":
                month_word = _MONTH_WORD.search(text, max(0, s - 8), s)
                if month_word is None or int(g[0]) >= int(g[1]):
                    continue
                s = month_word.start()
                value = f"{_iso(g[2], g[0])}/{_iso(g[2], g[1])}"
            elif kind == "days_range":
                a, b = _iso(g[4], g[3], g[0]), _iso(g[4], g[3], g[1])
                value = f"{a}/{b}" if a and b and a < b else None
            elif kind == "month_range":
                a, b = _iso(g[1], g[0]), _iso(g[3], g[2])
                value = f"{a}/{b}" if a < b else None
            elif kind == "year_month_range":
                a, b = _iso(g[0]), _iso(g[2], g[1])
                value = f"{a}/{b}" if int(g[0]) <= int(g[2]) else None
            elif kind == "month_year_range":
                a, b = _iso(g[1], g[0]), _iso(g[2])
                value = f"{a}/{b}" if int(g[1]) < int(g[2]) else None
            elif kind == "month_sep":
                month_word = _MONTH_WORD.search(text, max(0, s - 8), s)
                if month_word is None:
                    continue  # "8-2016" alone is no month
                s = month_word.start()
                value = _iso(g[1], g[0])
            elif kind == "day_month_sep":
                if not DAY_WORD_BEFORE.search(text, max(0, s - 14), s) or published is None:
                    continue
                value = _iso(published.year, g[2], g[0])
            elif kind == "words":
                value = _iso(g[2], g[1], g[0])
            elif kind == "full":
                value = _iso(g[3], g[2], g[0])
            elif kind == "month":
                month_word = _MONTH_WORD.search(text, max(0, s - 8), s)
                if month_word is None and "năm" in m.group(0):
                    continue  # "3 năm 2020" is not a month
                if month_word is not None:
                    s = month_word.start()
                value = _iso(g[1], g[0])
            elif kind == "year_range":
                if int(g[1]) <= int(g[0]):
                    continue
                value = f"{g[0]}/{g[1]}"
            elif kind == "day_month":
                # "lễ 30/4 và 1/5": a day written after a day already read is a day too
                after_day = _AND_BEFORE.search(text, max(0, s - 8), s)
                after_day = after_day is not None and taken[after_day.start() - 1]
                if published is None or not (after_day or is_day_month(text, s, e)):
                    continue
                value = _iso(published.year, g[1], g[0])
            else:
                before = text[max(0, s - 12) : s]
                # "Nghị định 144/2021", "số 05/2022", "công văn số 2075/SGDĐT": part of a document number
                if re.search(r"/\s*$|\bsố\s*$", before, re.I) or re.match(r"\s*/\s*[A-ZĐ]", text[e : e + 4]):
                    continue
                if _year_is_a_number(text, s, e):
                    continue
                value = _iso(g[0])
            taken[s:e] = b"\x01" * (e - s)
            if value is None or _in_document_name(doc, s):
                continue
            if value not in found:
                found[value] = DateFact(
                    value=value, text=v.text[s:e], extractor=f"{NAME}@{VERSION}", **provenance(doc, s, e)
                )
    return sorted(found.values(), key=lambda f: f.start)
