"""How a figure is written in Vietnamese news: shared by the counts extractor
and by ``vnfacts verify`` (which parses a journalist's claim the same way).

Kept free of spaCy and underthesea so that a query does not pay their import.
"""

from __future__ import annotations

import re

from pipeline.text import fold

__all__ = ["NUMBER", "FIGURE", "QUALIFIERS", "QUALIFIER_BEFORE", "unit_key"]

# "1.000", "500.000.000", "92,6", "07": dots group thousands, a comma is the decimal mark
NUMBER = r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?"
# a number, a ratio ("13/13") or a percentage, not glued to letters, codes or dates
FIGURE = re.compile(
    rf"(?<![\w.,/+\-–])(?P<num>{NUMBER})(?:\s*/\s*(?P<den>{NUMBER}))?(?P<pct>\s*%)?(?![\w/]|[.,]\d)"
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


def unit_key(unit: str | None) -> str | None:
    """What a figure counts, reduced to a lookup key: "%" or the first syllable,
    folded, abbreviations expanded ("Khu dân cư" and "KDC" -> "khu"); verify
    looks counts up by it."""
    from gazetteer.lexicon import get_lexicon

    if not unit:
        return None
    if unit.strip() == "%":
        return "%"
    words = re.findall(r"[^\W_][\w'’-]*", unit)
    folded = fold(get_lexicon().expand(" ".join(words))).split()
    return folded[0] if folded else None
