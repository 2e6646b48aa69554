"""Named grassroots models (mô hình): quoted names the text presents as models.

A quoted name is a model when the nearest introducer before it says so:
"mô hình “…”", "các mô hình như: “…”; “…”", "07 mô hình … gồm: “…”".  The same
list after "phong trào thi đua … như:", "cuộc vận động:", "tiêu chuẩn", "hội
thi" is of campaigns, standards or events, not models (ANNOTATION.md).

For each model: the count written before it ("1.120 mô hình “…”"), the most
specific place its part of the list names (its own tail first, then its
';'-delimited group), the sponsoring organisation in parentheses after it, and
a canonical key shared across articles (abbreviations expanded, tone marks,
case, punctuation and leading zeros ignored).
"""

from __future__ import annotations

import bisect
import re

from spacy.tokens import Doc

from extractors.base import Quotes, provenance, quotes, semicolon_part, word_starts
from extractors.names import canonical
from extractors.places import Mention, places_in, scope_of
from pipeline.schema import ModelFact
from pipeline.text import fold, parse_number

NAME = "models"
VERSION = "1"
REQUIRES = ("text", "norm", "sents", "words", "place_mentions", "main_province")
ASSIGNS = ("model_quotes",)

_MODEL = re.compile(r"\bmô hình\b", re.I)
# Introducers of things that are not models; the longest phrase wins.
_NOT_MODEL = re.compile(
    r"\b(?:phong trào(?: thi đua)?|cuộc vận động|vận động|tiêu chuẩn|đạt chuẩn|chuẩn|danh hiệu|"
    r"đề án|kế hoạch|chỉ thị|chương trình|nghị quyết|kết luận|ngày hội|diễn đàn|hội thi|cuộc thi|hội nghị|"
    r"hội thảo|tọa đàm|giải|giải thưởng|chiến dịch|khẩu hiệu|chủ đề|lễ|dự án|công trình|chuyên mục|chuyên đề|"
    r"ứng dụng|phần mềm|tiêu chí|tác phẩm|cuốn sách|bài viết|bài hát|chương trình|tháng hành động)\b",
    re.I,
)
_INTRODUCER_END = re.compile(r"(?::|\bnhư|\bgồm|\blà|\bbao gồm|\bđiển hình là)\s*$", re.I)
_LIST_GLUE_MAX_WORDS = 12
_NEAR_WORDS = 4
_FAR_WORDS = 30
_COUNT_BEFORE = re.compile(r"(\d{1,3}(?:\.\d{3})+|\d+)\s+mô hình\s*$", re.I)
_PAREN_AFTER = re.compile(r"\s*\(([^()]{3,80})\)")
_ORG_HEAD = re.compile(
    r"^(?:của\s+)?((?:Hội|Đoàn|Huyện đoàn|Tỉnh đoàn|Ủy ban|Uỷ ban|UBND|MTTQ|Mặt trận|Công an|Ban|Liên đoàn|"
    r"Liên hiệp|Câu lạc bộ|Phòng|Đồn|Bộ đội|Chi hội|Chi đoàn|Cục|Sở|Trường|Hợp tác xã|Công đoàn)\b.*)$"
)
_PARENS = re.compile(r"\([^()]*\)")


def _words(text: str) -> int:
    return len(_PARENS.sub(" ", text).split())


def _last_keyword(gap: str) -> tuple[str, int] | None:
    """('model'|'other', words between the keyword and the gap's end), nearest first."""
    best = None
    for kind, pattern in (("model", _MODEL), ("other", _NOT_MODEL)):
        for m in pattern.finditer(gap):
            if best is None or m.start() > best[2] or (m.start() == best[2] and m.end() > best[3]):
                best = (kind, _words(gap[m.end() :]), m.start(), m.end())
    return None if best is None else (best[0], best[1])


def _is_model(gap: str, previous_was_model: bool | None) -> tuple[bool | None, bool]:
    """Decide from the text between the previous quote (or sentence start) and this one.

    Returns (verdict, decided_here): the verdict is None when the gap is neutral
    list glue and the previous item's verdict carries over.
    """
    found = _last_keyword(gap)
    if found is not None:
        kind, distance = found
        if kind == "other" and distance <= _FAR_WORDS:
            return False, True
        if kind == "model" and (distance <= _NEAR_WORDS or (distance <= _FAR_WORDS and _INTRODUCER_END.search(gap))):
            return True, True
    if previous_was_model is not None and _words(gap) <= _LIST_GLUE_MAX_WORDS:
        return previous_was_model, False
    return (None if found is None else False), True


_LEVEL_RANK = {"xã": 0, "huyện": 1, "tỉnh": 2}


def _single_place(mentions: list[Mention]) -> Mention | None:
    """The most specific unit, if it is one unit; several ("tại các xã A, B, C")
    give the unit that contains them when the text names it, else none."""
    if not mentions:
        return None
    best = min(_LEVEL_RANK.get(m.level, 3) for m in mentions)
    at_best = [m for m in mentions if _LEVEL_RANK.get(m.level, 3) == best]
    if len({fold(m.name) for m in at_best}) == 1:
        return at_best[0]
    return _single_place([m for m in mentions if _LEVEL_RANK.get(m.level, 3) > best])


def _first_word(doc: Doc, start: int, end: int) -> str:
    """The first word (as segmented) of text[start:end], folded: "giáo xứ", "bản"."""
    text, spans = doc._.text, doc._.words
    i = bisect.bisect_right(word_starts(doc), start) - 1
    for j in range(max(i, 0), len(spans)):  # by index: a slice would copy the rest of the words
        s, e = spans[j]
        if e <= start:
            continue
        if s >= end:
            break
        piece = text[max(s, start) : min(e, end)].strip(" “”\"")
        if piece and piece[0].isalnum():
            return fold(piece)
    return ""


_FIGURE_THEN_WORD = re.compile(r"(?<![\w.,/])(\d{1,3}(?:\.\d{3})+|\d+)(?:/\d+)?\s+(?=\w)")


def _count_of(doc: Doc, gap: str, part: tuple[int, int], q) -> int | float | None:
    """"1.120 mô hình “X”", else a figure counting what the name's first word names
    in the same part of the sentence ("9/11 bản" for “Bản không có ma túy”)."""
    adjacent = _COUNT_BEFORE.search(gap)
    if adjacent:
        return parse_number(adjacent.group(1))
    head = _first_word(doc, q.inner_start, q.inner_end)
    if not head or head[0].isdigit():
        return None
    found = []
    for m in _FIGURE_THEN_WORD.finditer(doc._.norm, *part):
        unit = _first_word(doc, m.end(), m.end() + len(head) + 12)
        if unit == head and not (q.start <= m.start() < q.end):
            found.append(m)
    if not found:
        return None
    nearest = min(found, key=lambda m: abs(m.start() - q.start))
    return parse_number(nearest.group(1))


def extract(doc: Doc) -> list[ModelFact]:
    norm, text = doc._.norm, doc._.text
    all_quotes = Quotes([q for q in quotes(doc) if not q.speech])

    def outside_quotes(mentions: list[Mention]) -> list[Mention]:
        return [m for m in mentions if all_quotes.at(m.start) is None]

    by_key: dict[str, tuple[ModelFact, int]] = {}
    model_quotes: dict[int, str] = {}
    for s_start, s_end in doc._.sents:
        sentence_quotes = all_quotes.within(s_start, s_end)
        previous_end = s_start
        verdict: bool | None = None
        intro: list[Mention] = []  # places of the part that introduced the current list
        for i, q in enumerate(sentence_quotes):
            gap = norm[previous_end : q.start]
            verdict, decided_here = _is_model(gap, verdict)
            previous_end = q.end
            if not verdict:
                continue
            name = text[q.inner_start : q.inner_end].strip()
            # a model has a name: “Camera cộng đồng”, “2 +1”; not scare quotes (“có tên nhưng …”)
            if not name or not (name[0].isupper() or name[0].isdigit()) or len(name.split()) > 30:
                continue
            part = semicolon_part(norm, s_start, s_end, q.start, q.end)
            if decided_here:
                intro = outside_quotes(places_in(doc, part[0], q.start))
            model_quotes[q.start] = name

            # the place: the item's own tail, else its ';' part, else the list's introduction
            next_start = sentence_quotes[i + 1].start if i + 1 < len(sentence_quotes) else s_end
            tail = outside_quotes(places_in(doc, q.end, min(next_start, part[1])))
            group = outside_quotes(places_in(doc, *part))
            place = _single_place(tail) or _single_place(group) or _single_place(intro)

            sponsor = None
            paren = _PAREN_AFTER.match(text, q.end)
            if paren:
                org = _ORG_HEAD.match(paren.group(1).strip())
                if org:
                    sponsor = org.group(1).strip()

            province, province_2025 = scope_of(doc, place)
            fact = ModelFact(
                name=name,
                place=place.name if place else None,
                place_code=place.unit.code if place and place.unit else None,
                province=province,
                province_2025=province_2025,
                count=_count_of(doc, gap, part, q),
                canonical=canonical(name),
                sponsor=sponsor,
                extractor=f"{NAME}@{VERSION}",
                **provenance(doc, q.inner_start, q.inner_end),
            )
            rank = _LEVEL_RANK.get(place.level, 3) if place else 4
            by_key[fact.canonical] = _fuller(by_key.get(fact.canonical), fact, rank)
    doc._.model_quotes = model_quotes
    return sorted((fact for fact, _ in by_key.values()), key=lambda f: f.start)


def _fuller(old: tuple[ModelFact, int] | None, new: ModelFact, new_rank: int) -> tuple[ModelFact, int]:
    """One item per model: named as first written; its place, sponsor and
    evidence from the mention that ties it to the most specific place (rank: 0
    commune … 4 none), then the one with more attributes; the others fill gaps."""
    if old is None:
        return new, new_rank
    first_name = old[0].name

    def weight(fact: ModelFact, rank: int) -> tuple[int, int]:
        return (-rank, (fact.count is not None) + (fact.sponsor is not None))

    (best, rank), (other, _) = sorted([old, (new, new_rank)], key=lambda fr: weight(*fr), reverse=True)
    update = {k: getattr(other, k) for k in ("count", "sponsor") if getattr(best, k) is None and getattr(other, k) is not None}
    if best.name != first_name:
        update["name"] = first_name
    return (best.model_copy(update=update) if update else best), rank
