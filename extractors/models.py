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

import re

from spacy.tokens import Doc

from extractors.base import provenance, quotes, semicolon_part
from extractors.places import most_specific, places_in
from gazetteer.lexicon import get_lexicon
from pipeline.schema import ModelFact
from pipeline.text import fold, parse_number

NAME = "models"
VERSION = "1"

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


def canonical(name: str) -> str:
    """Cross-article key: "Tổ liên gia an toàn PCCC" = "Tổ liên gia an toàn phòng cháy, chữa cháy"."""
    expanded = get_lexicon().expand(name.strip(" “”\"'"))
    key = fold(expanded)
    key = re.sub(r"[^\w\s]", " ", key)
    key = re.sub(r"\b0+(\d)", r"\1", key)
    return " ".join(key.split())


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


def _is_model(gap: str, previous_was_model: bool | None) -> bool | None:
    """Decide from the text between the previous quote (or sentence start) and this one.

    True/False when the gap decides, None when the gap is neutral list glue and
    the previous item's verdict carries over.
    """
    found = _last_keyword(gap)
    if found is not None:
        kind, distance = found
        if kind == "other" and distance <= _FAR_WORDS:
            return False
        if kind == "model" and (distance <= _NEAR_WORDS or (distance <= _FAR_WORDS and _INTRODUCER_END.search(gap))):
            return True
    if previous_was_model is not None and _words(gap) <= _LIST_GLUE_MAX_WORDS:
        return previous_was_model
    return None if found is None else False


def extract(doc: Doc) -> list[ModelFact]:
    norm = doc._.norm
    all_quotes = [q for q in quotes(doc) if not q.speech]
    by_key: dict[str, ModelFact] = {}
    model_quotes: dict[int, str] = {}
    for s_start, s_end in doc._.sents:
        sentence_quotes = [q for q in all_quotes if s_start <= q.start and q.end <= s_end]
        previous_end = s_start
        verdict: bool | None = None
        for i, q in enumerate(sentence_quotes):
            gap = norm[previous_end : q.start]
            verdict = _is_model(gap, verdict)
            previous_end = q.end
            if not verdict:
                continue
            name = doc._.text[q.inner_start : q.inner_end].strip()
            if not name or len(name.split()) > 30:
                continue
            model_quotes[q.start] = name
            count_m = _COUNT_BEFORE.search(gap)
            count = parse_number(count_m.group(1)) if count_m else None

            # the place: in the item's own tail, else anywhere in its ';' group
            next_start = sentence_quotes[i + 1].start if i + 1 < len(sentence_quotes) else s_end
            g_start, g_end = semicolon_part(norm, s_start, s_end, q.start, q.end)
            tail = [m for m in places_in(doc, q.end, min(next_start, g_end)) if not any(o.contains(m.start) for o in all_quotes)]
            group = [m for m in places_in(doc, g_start, g_end) if not any(o.contains(m.start) for o in all_quotes)]
            place = most_specific(tail) or most_specific(group)

            sponsor = None
            paren = _PAREN_AFTER.match(doc._.text, q.end)
            if paren:
                org = _ORG_HEAD.match(paren.group(1).strip())
                if org:
                    sponsor = org.group(1).strip()

            fact = ModelFact(
                name=name,
                place=place.name if place else None,
                place_code=place.unit.code if place and place.unit else None,
                count=count,
                canonical=canonical(name),
                sponsor=sponsor,
                extractor=f"{NAME}@{VERSION}",
                **provenance(doc, q.inner_start, q.inner_end),
            )
            by_key[fact.canonical] = _fuller(by_key.get(fact.canonical), fact)
    doc.user_data["model_quotes"] = model_quotes
    return sorted(by_key.values(), key=lambda f: f.start)


def _fuller(old: ModelFact | None, new: ModelFact) -> ModelFact:
    """One item per model: the mention with the most attributes, the others' filling its gaps."""
    if old is None:
        return new

    def filled(f: ModelFact) -> int:
        return (f.place is not None) + (f.count is not None) + (f.sponsor is not None)

    best, other = (new, old) if filled(new) > filled(old) else (old, new)
    update = {
        k: getattr(other, k)
        for k in ("place", "place_code", "count", "sponsor")
        if getattr(best, k) is None and getattr(other, k) is not None
    }
    if "place" in update and best.place is None:
        update["place_code"] = other.place_code
    return best.model_copy(update=update) if update else best
