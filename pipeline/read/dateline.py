"""Publication dates written on the page: the article's dateline.

A line that is only a date with what datelines carry around it (a weekday, a
time, a zone, "Cập nhật lúc", a print button, a view counter: "Cập nhật lúc
08:56, Thứ Tư, 09/01/2019 (GMT+7)", "Print Thứ Hai, 02/09/2019 09:18",
"Thứ Sáu, 10 Tháng Mười Một, 2023 36 lượt xem") is a dateline;
``pipeline.read.clean`` decides whether it is the article's or the site-wide
clock of the page header (which is never a publication date).

The date itself is found first, then everything else on the line must be
dateline filler: a sentence that starts with a date ("Ngày 14/01/2017, Công an
huyện …") is prose, not a dateline.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

__all__ = ["Dateline", "parse_dateline", "find_dateline"]

# Months written in words ("Tháng Mười Một"), longest first.
_MONTH_WORDS = {
    "mười một": 11, "mười hai": 12, "một": 1, "giêng": 1, "hai": 2, "ba": 3, "tư": 4, "bốn": 4, "năm": 5,
    "sáu": 6, "bảy": 7, "tám": 8, "chín": 9, "mười": 10, "chạp": 12,
}
_MONTH_WORD = "|".join(sorted(_MONTH_WORDS, key=len, reverse=True))
_Y = r"(?:19|20)\d{2}"

# The date: d/m/y (any of / - .), "ngày d tháng m năm y", "d Tháng Mười Một, y", y-m-d.
_CORE = re.compile(
    rf"(?<!\d)(?P<d>\d{{1,2}})\s*(?P<sep>[/\-.])\s*(?P<m>\d{{1,2}})\s*(?P=sep)\s*(?P<y>{_Y})(?!\d)"
    rf"|(?<!\d)(?P<d2>\d{{1,2}})\s+tháng\s+(?P<m2>\d{{1,2}}|{_MONTH_WORD})\s*,?\s*(?:năm\s+)?(?P<y2>{_Y})(?!\d)"
    rf"|(?<!\d)(?P<y3>{_Y})-(?P<m3>\d{{2}})-(?P<d3>\d{{2}})(?:T[\d:.]+(?:Z|[+-]\d{{2}}:?\d{{2}})?)?(?!\d)",
    re.IGNORECASE,
)

# What may stand around the date on a dateline, and nothing else.
_WEEKDAY = r"(?:thứ\s+(?:hai|ba|tư|năm|sáu|bảy|[2-7])|chủ\s+nhật|cn|t[2-7])"
_TIME = r"(?:\d{1,2}\s*[:h]\s*\d{2}(?::\d{2})?(?:\s*(?:am|pm|sa|ch))?)"
_TZ = r"(?:[\[(]?\s*(?:gmt|utc)\s*[+]\s*0?7(?::?00)?\s*[\])]?)"
_PREFIX = (
    r"(?:cập nhật(?: lần cuối)?|ngày cập nhật|ngày đăng|đăng ngày|đăng lúc|ngày xuất bản|xuất bản|"
    r"thời gian(?: đăng)?|published|updated|posted|đăng|lúc|ngày|vào)"
)
# page buttons and counters printed on the dateline's line
_CHROME = (
    r"(?:print|email|e-mail|in bài|bản in|gửi bài|lưu bài|chia sẻ(?:\s+bài\s+viết)?|share|zalo|facebook|"
    r"\d[\d.]*\s+lượt\s+xem|lượt\s+xem\s*:?\s*\d[\d.]*|\d+\s+bình\s+luận|bình\s+luận\s*\(?\d*\)?|a\s*a|aa|"
    r"\d+\s+phút\s+đọc|nghe\s+bài(?:\s+viết)?)"
)
_SEP = r"[\s,|\-–—:;/()\[\]•·]"
_FILLER = re.compile(rf"(?:{_SEP}|{_WEEKDAY}(?!\w)|{_TIME}|{_TZ}|{_PREFIX}(?!\w)|{_CHROME}(?!\w))*", re.IGNORECASE)
_HAS_SIGNAL = re.compile(rf"{_WEEKDAY}(?!\w)|{_TIME}|{_TZ}|{_PREFIX}(?!\w)", re.IGNORECASE)
# The page's own clock says what day it is today, not when the article appeared.
_CLOCK_PREFIX = re.compile(r"^\W*(?:hôm nay|today)\b", re.IGNORECASE)
_LOOSE_MAX_WORDS = 8


@dataclass(frozen=True)
class Dateline:
    when: date
    clock: bool  # written as the page's clock ("Hôm nay: …")
    loose: bool  # a date with a dateline's marks, then a few words of something else
    rest: str = ""  # those words


def _date_of(m: re.Match) -> date | None:
    g = m.groupdict()
    d, mo, y = (g["d"] or g["d2"] or g["d3"]), (g["m"] or g["m2"] or g["m3"]), (g["y"] or g["y2"] or g["y3"])
    month = int(mo) if mo.isdigit() else _MONTH_WORDS.get(" ".join(mo.lower().split()))
    try:
        return date(int(y), month, int(d)) if month else None
    except ValueError:
        return None


def _filler(text: str) -> bool:
    return _FILLER.fullmatch(text) is not None


def find_dateline(line: str, *, loose: bool = False) -> Dateline | None:
    """The dateline a line is, if any.

    Strict: the whole line is the date and dateline filler.  ``loose`` also takes a
    date that opens the line with a dateline's marks (a weekday, a time, "Cập
    nhật") and a few more words after it (a byline, a counter): only meant for
    the lines right around the headline."""
    if len(line) > 200:
        return None
    for m in _CORE.finditer(line):
        before, after = line[: m.start()], line[m.end() :]
        if not _filler(before):
            continue
        when = _date_of(m)
        if when is None:
            continue
        clock = bool(_CLOCK_PREFIX.match(line))
        if _filler(after):
            return Dateline(when, clock, False)
        if loose and (_HAS_SIGNAL.search(before) or _HAS_SIGNAL.match(after.lstrip(" ,|-–"))):
            rest = _FILLER.match(after)
            tail = after[rest.end() :] if rest else after
            if not tail.lstrip().startswith(",") and len(tail.split()) <= _LOOSE_MAX_WORDS and not re.search(r"[.!?]\s+\S", tail):
                return Dateline(when, clock, True, tail.strip())
        return None
    return None


def parse_dateline(line: str) -> date | None:
    """The date of a line that is only a date (with weekday, time, zone, dateline chrome), else None."""
    found = find_dateline(line)
    return found.when if found else None
