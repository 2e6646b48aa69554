"""Named people with a rank or a position.

A personal name is a run of 2-5 capitalised syllables.  It is a person when
something anchors it:
  * a rank before it ("Trung tá Trần Hữu Phương");
  * an honorific before it ("Đồng chí", "Ông", "Bà") and a Vietnamese surname;
  * a position before it ("Thứ trưởng Lê Quốc Hùng") and a surname;
  * a surname and ", <position>" after it ("Nguyễn Văn A, Chủ tịch UBND xã").
The title is the comma-separated positions written after the name, else the
one written before it (ANNOTATION.md).  A person with neither rank nor
position (a resident quoted with "Bà") is optional by the guideline and left
out, as are bylines.  One item per person per article, the fullest record;
``person_key`` links the same person across articles.
"""

from __future__ import annotations

import re
from functools import lru_cache

from spacy.tokens import Doc

from extractors.base import UPPER, provenance
from gazetteer import KINDS
from gazetteer.lexicon import get_lexicon
from pipeline.schema import OfficialFact
from pipeline.text import fold

NAME = "officials"
VERSION = "1"

_SYL = rf"[{UPPER}][\w'’]*"
_PERSON = rf"{_SYL}(?: {_SYL}){{1,4}}"
_PERSON_RE = re.compile(rf"(?<![\w'’]){_PERSON}(?![\w'’])")
_HONORIFIC = re.compile(r"(?:đồng chí|đ/c|ông|bà|anh|chị)\s+$", re.I)
_WORD = re.compile(r"[\w/&.\-']+|[^\w\s]")
_MAX_TITLE_WORDS = 18
# Historical figures whose names come with a title ("Chủ tịch Hồ Chí Minh").
_NOT_OFFICIALS = frozenset({"hồ chí minh"})

# Lower-case words that occur inside organisation and position names; any other
# lower-case word ("cho biết", "thăm", "đã") ends a title.
_ORG_WORDS = """ban bộ cục sở phòng đội tổ trạm đồn trại viện vụ văn ủy uỷ hội đồng nhân dân trung ương thường
    trực vụ chấp hành đảng chi công an cảnh sát điều tra hình sự kinh tế ma túy tuý giao thông quản lý hành chính
    về trật tự ninh xã hội toàn xây dựng phong trào bảo vệ tổ quốc chống chữa cháy cứu nạn hộ kỹ thuật hậu cần
    tham mưu trị dân vận tuyên giáo kiểm tra nội tư pháp lao động thương binh nông liên hiệp phụ nữ cựu chiến
    thanh niên cộng sản mặt trận chỉ đạo huy quân sự biên khu vực thôn ấp bản phố tự hòa hoà giải tòa toà án sát
    môi trường tội phạm tệ đối ngoại giao xuất nhập cảnh cư trú căn cước dữ liệu gia và trường học đoàn thể
    lượng nghiệp cơ đặc nhiệm trinh thường trực ủy ban mặt bí thư""".split()


@lru_cache(maxsize=1)
def _vocab() -> tuple[re.Pattern[str], re.Pattern[str], frozenset[str]]:
    lex = get_lexicon()
    ranks = "|".join(re.escape(r) for r in sorted(set(lex.ranks.values()), key=len, reverse=True))
    heads = "|".join(re.escape(p) for p in lex.positions)
    rank_before = re.compile(rf"(?<!\w)(?P<rank>(?i:{ranks}))\s+$")
    position = re.compile(rf"(?:{heads})(?!\w)|{_SYL} trưởng(?!\w)", re.I)
    words = set(_ORG_WORDS)
    for phrase in list(lex.positions) + list(KINDS):
        words.update(w.lower() for w in phrase.split())
    return rank_before, position, frozenset(words)


def _title_span(text: str, start: int, limit: int) -> tuple[str, int]:
    """One position phrase from ``start``; stops at punctuation or a word outside titles."""
    _, _, org_words = _vocab()
    last = None
    first = None
    for n, m in enumerate(_WORD.finditer(text, start, limit)):
        w = m.group(0)
        if not w[0].isalnum() or n >= _MAX_TITLE_WORDS:
            break
        if w[0].islower() and w.lower() not in org_words:
            break
        first = m.start() if first is None else first
        last = m
    if last is None:
        return "", start
    # a title does not end on a conjunction
    phrase = text[first : last.end()]
    trimmed = re.sub(r"(?:\s+(?:và|về|của))+$", "", phrase)
    return trimmed, first + len(trimmed)


def _titles_after(text: str, pos: int, limit: int) -> tuple[str | None, int]:
    """", Phó Giám đốc Công an tỉnh X, Ủy viên …": every comma-separated position."""
    _, position, _ = _vocab()
    parts: list[str] = []
    end = pos
    while True:
        comma = re.match(r"\s*,\s*", text[end:limit])
        if not comma or not position.match(text, end + comma.end()):
            break
        title, title_end = _title_span(text, end + comma.end(), limit)
        if not title:
            break
        parts.append(title)
        end = title_end
    return (", ".join(parts) if parts else None), end


def _title_before(text: str, clause_start: int, name_start: int) -> str | None:
    """"Thứ trưởng Lê Quốc Hùng", "Giám đốc Công an tỉnh Nguyễn Văn A": the
    position phrase that ends right where the name begins."""
    _, position, _ = _vocab()
    window = text[clause_start:name_start]
    for m in position.finditer(window):
        if m.start() and window[m.start() - 1].isalnum():
            continue
        phrase, end = _title_span(window, m.start(), len(window))
        if phrase and window[end:].strip() == "" and not _PERSON_RE.search(phrase[len(m.group(0)) :]):
            return phrase
    return None


def _trim(name: str) -> str:
    """Drop capitalised words glued after a name that start a title ("… Hùng Thứ trưởng")."""
    _, position, _ = _vocab()
    words = name.split()
    for i in range(2, len(words)):
        if position.match(" ".join(words[i:])):
            return " ".join(words[:i])
    return name


def _strip_honorific(name: str, start: int, honorifics: frozenset[str]) -> tuple[str, int]:
    """"Ông Dương Xuân Huyên" at the start of a sentence: the name begins after "Ông"."""
    words = name.split(" ")
    while len(words) > 2 and fold(words[0]) in honorifics:
        start += len(words[0]) + 1
        words = words[1:]
    return " ".join(words), start


_PLACE_WORD_BEFORE = re.compile(
    r"(?:tỉnh|huyện|xã|phường|quận|thị trấn|thị xã|thành phố|tp\.?|tx\.?|đường|phố|thôn|ấp|bản|xóm|"
    r"báo|đài|trường|chùa|đền|cầu|sông|núi|hồ|công ty|tập đoàn)\s+$",
    re.I,
)


def extract(doc: Doc) -> list[OfficialFact]:
    text = doc._.text
    rank_before, position, _ = _vocab()
    lex = get_lexicon()
    people: dict[str, OfficialFact] = {}

    for s_start, s_end in doc._.sents:
        for m in _PERSON_RE.finditer(text, s_start, s_end):
            name, ns = _strip_honorific(m.group(0), m.start(), lex.honorifics)
            name = _trim(name)
            ne = ns + len(name)
            if len(name.split()) < 2:
                continue
            before = text[max(s_start, ns - 40) : ns]
            if _PLACE_WORD_BEFORE.search(before) or fold(name) in _NOT_OFFICIALS:
                continue
            has_surname = fold(name.split()[0]) in lex.surnames
            rank_m = rank_before.search(before)
            rank = lex.ranks.get(fold(rank_m.group("rank"))) if rank_m else None
            before_rank = before[: rank_m.start()] if rank_m else before
            titles_after, ev_end = _titles_after(text, ne, s_end)
            clause_start = max(
                s_start, *(text.rfind(c, s_start, ns - len(before) + len(before_rank)) + 1 for c in ",;:(")
            )
            title_before = _title_before(text, clause_start, ns - len(before) + len(before_rank))
            anchored = rank is not None or (
                has_surname and (titles_after or title_before or _HONORIFIC.search(before_rank))
            )
            title = titles_after or title_before
            if not anchored or (rank is None and title is None):
                continue
            if rank is None and title_before is None and titles_after is None:
                continue
            ev_start = ns - len(before) + len(before_rank) - (len(title_before) if title_before and not titles_after else 0)
            if rank_m:
                ev_start = min(ev_start, ns - len(before) + rank_m.start())
            fact = OfficialFact(
                name=name,
                rank=rank,
                title=title,
                person_key=fold(name),
                extractor=f"{NAME}@{VERSION}",
                **provenance(doc, max(ev_start, s_start), max(ev_end, ne)),
            )
            people[fact.person_key] = _fuller(people.get(fact.person_key), fact)
    return sorted(people.values(), key=lambda f: f.start)


def _fuller(old: OfficialFact | None, new: OfficialFact) -> OfficialFact:
    if old is None:
        return new

    def weight(f: OfficialFact) -> tuple[int, int]:
        return ((f.rank is not None) + (f.title is not None), len(f.title or ""))

    best, other = (new, old) if weight(new) > weight(old) else (old, new)
    update = {k: getattr(other, k) for k in ("rank", "title") if getattr(best, k) is None and getattr(other, k)}
    return best.model_copy(update=update) if update else best
