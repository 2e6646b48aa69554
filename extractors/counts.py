"""Cited figures: a number, what it counts, and how it is hedged.

Vietnamese notation ("1.000" = 1000, "92,6%" = 92.6, "07" = 7), ratios
("13/13 khu dân cư": value 13, denominator 13), qualifiers written before the
number ("trên", "gần", "khoảng hơn").  Not counts (ANNOTATION.md): years and
dates, document numbers, ordinals, numbers inside a quoted name, phone
numbers, clock times; durations ("3 năm") are optional and left out; the number of a
named unit ("Vùng 2 Hải quân", "Căn cứ 696"), a day of Tết, an emergency service ("gọi
113"), a number before a verb or a proper name ("15 Lê Lợi").  "13 vụ/15 đối tượng" is two
counts, each with its noun (see ``extractors.figures``).
Where the sentence ties a count to a model ("1.120 mô hình “…”") or a place,
the link is recorded.
"""

from __future__ import annotations

import bisect

from spacy.tokens import Doc

from extractors.base import DocView, in_any, provenance, quotes, semicolon_part, view, word_starts
from extractors.dates import is_day_month
from extractors.models import canonical
from extractors.places import most_specific, scope_of
from extractors.figures import MAX_UNIT_WORDS, QUALIFIER_BEFORE, UNIT_END, UNIT_STOP, VERB_FIRST, figures, not_a_count
from pipeline.schema import CountFact
from pipeline.text import parse_number

NAME = "counts"
VERSION = "4"
REQUIRES = ("text", "norm", "sents", "words", "place_mentions", "main_province", "model_quotes")
ASSIGNS: tuple[str, ...] = ()

def _unit(text: str, spans: list[tuple[int, int]], starts: list[int], end: int, line_end: int) -> tuple[str, int]:
    """The counted noun after the figure, as written, and where it ends.

    The segmenter may glue the noun to the number ("4.351 tổ"): the part of
    such a token after the figure is the first word.
    """
    words: list[str] = []
    last = end
    i = max(0, bisect.bisect_right(starts, end) - 1)
    for j in range(i, len(spans)):  # by index: a slice would copy the rest of the text's words
        tok_start, tok_end = spans[j]
        if tok_end <= end:
            continue
        piece = text[max(tok_start, end) : tok_end].strip()
        if not words and piece in ("“", '"') and tok_start < line_end:
            continue  # a quoted unit: 40 “điểm chữa cháy công cộng”
        if piece == "/" and words and tok_start == last and j + 1 < len(spans) and spans[j + 1][0] == tok_end:
            continue  # "test/ngày", "mg/l": a rate is one unit (its second part glued on below)
        if tok_start >= line_end or not piece or not any(c.isalpha() for c in piece):
            break
        if words and text[last:tok_start] == "/" and piece.isalnum():
            words[-1] += "/" + piece
            last = tok_end
            continue
        low = piece.lower()
        if low in UNIT_STOP or (not words and low in VERB_FIRST):
            if not words:
                return "", end
            break
        if words and low in UNIT_END:
            break
        words.append(piece)
        last = tok_end
        if len(words) >= MAX_UNIT_WORDS:
            break
    return " ".join(words), last


def _place_of(v: DocView, mentions, qs, offset: int):
    """The most specific place of the count's ';'-part of its sentence, else of the sentence."""
    s_start, s_end = v.sentence_span(offset)
    for lo, hi in (semicolon_part(v.norm, s_start, s_end, offset), (s_start, s_end)):
        found = [m for m in mentions.inside(lo, hi) if in_any(qs, m.start, names_only=True) is None]
        if found:
            return most_specific(found)
    return None


def extract(doc: Doc) -> list[CountFact]:
    v = view(doc)
    text, norm = v.text, v.norm
    spans, mentions = v.words, doc._.place_mentions
    starts = word_starts(doc)
    qs = quotes(doc)
    models_by_offset = doc._.model_quotes
    out: list[CountFact] = []
    for m in figures(norm):
        s, e = m.start(), m.end()
        raw_num, raw_den, pct = m.group("num"), m.group("den"), m.group("pct")
        line_end = norm.find("\n", e)
        line_end = len(norm) if line_end < 0 else line_end
        before = norm[max(0, s - 30) : s]
        after = norm[e : min(e + 60, line_end)]  # long enough for "15 phố Hàng Bạc"
        if in_any(qs, s, names_only=True):
            continue  # a number inside a quoted name: “2 +1”, “Câu lạc bộ 3 tích cực”
        value = parse_number(raw_num)
        if value is None:
            continue
        denominator = None
        if raw_den is not None:
            if is_day_month(norm, s, s + len(raw_num) + 1 + len(raw_den)) and "/" in m.group(0)[: len(raw_num) + 1]:
                continue
            denominator = parse_number(raw_den)
            if denominator is None:
                continue
        if not_a_count(before, after, raw_num, value, denominator, bool(pct)):
            continue
        if pct:
            unit, unit_end = "%", e
        else:
            unit, unit_end = _unit(text, spans, starts, e, line_end)
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
        place = _place_of(v, mentions, qs, s)
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
