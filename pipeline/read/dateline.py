"""Publication dates written on the page: the article's dateline.

A line that is only a date (with a weekday, a time, a zone: "Thứ Ba, 20/05/2025
14:30 GMT+7") is a dateline; ``pipeline.read.clean`` decides whether it is the
article's or the site-wide clock of the page header (which is never a
publication date).
"""

from __future__ import annotations

import re
from datetime import date

__all__ = ["parse_dateline"]

_WEEKDAY = r"(?:(?:thứ\s+(?:hai|ba|tư|năm|sáu|bảy|2|3|4|5|6|7)|chủ\s+nhật|cn)\s*[,\-|]?\s*)"
_TIME = r"(?:\d{1,2}\s*[:h]\s*\d{2}(?::\d{2})?(?:\s*(?:am|pm|sa|ch))?)"
_TZ = r"(?:[\[(]?\s*(?:gmt|utc)\s*[+]\s*0?7(?::00)?\s*[\])]?)"
_PREFIX = r"(?:(?:cập nhật|ngày đăng|đăng ngày|đăng lúc|đăng|xuất bản|thời gian|published|updated|ngày)\s*:?\s*)"
_DMY = r"(?P<d>\d{1,2})\s*[/\-.]\s*(?P<m>\d{1,2})\s*[/\-.]\s*(?P<y>(?:19|20)\d{2})"
_DMY_WORDS = r"(?:ngày\s+)?(?P<d2>\d{1,2})\s+tháng\s+(?P<m2>\d{1,2})\s*,?\s+năm\s+(?P<y2>(?:19|20)\d{2})"
_YMD = r"(?P<y3>(?:19|20)\d{2})-(?P<m3>\d{2})-(?P<d3>\d{2})"
_SEP = r"(?:\s*[,|\-–]?\s*)"
_DATELINE = re.compile(
    rf"^\s*{_PREFIX}?{_WEEKDAY}?{_PREFIX}?(?:{_TIME}{_SEP})?(?:ngày\s+)?(?:{_DMY}|{_DMY_WORDS}|{_YMD})"
    rf"(?:{_SEP}{_TIME})?(?:{_SEP}{_TZ})?\s*$",
    re.IGNORECASE,
)


def parse_dateline(line: str) -> date | None:
    """The date of a line that is only a date (with weekday, time, zone), else None."""
    m = _DATELINE.match(line)
    if not m:
        return None
    g = m.groupdict()
    d, mo, y = (g["d"] or g["d2"] or g["d3"]), (g["m"] or g["m2"] or g["m3"]), (g["y"] or g["y2"] or g["y3"])
    try:
        return date(int(y), int(mo), int(d))
    except ValueError:
        return None
