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
from gazetteer import KINDS, get_gazetteer
from gazetteer.lexicon import get_lexicon
from pipeline.schema import OfficialFact
from pipeline.text import fold

NAME = "officials"
VERSION = "1"
REQUIRES = ("text", "norm", "sents")
ASSIGNS: tuple[str, ...] = ()

_SYL = rf"[{UPPER}][\w'’]*"
# runs up to 8 syllables: a place or an acronym may be glued before the name
_PERSON = rf"{_SYL}(?: {_SYL}){{1,7}}"
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
    lượng nghiệp cơ đặc nhiệm trinh thường trực ủy ban mặt bí thư chùa phật giáo xứ họ thánh thất tịnh xá""".split()


@lru_cache(maxsize=1)
def _vocab() -> tuple[re.Pattern[str], re.Pattern[str], frozenset[str]]:
    lex = get_lexicon()
    ranks = "|".join(re.escape(r) for r in sorted(set(lex.ranks.values()), key=len, reverse=True))
    heads = "|".join(re.escape(p) for p in lex.positions)
    rank_before = re.compile(rf"(?<!\w)(?P<rank>(?i:{ranks}))\s+$")
    position = re.compile(rf"(?:{heads})(?!\w)|{_SYL} trưởng(?!\w)", re.I)
    # unit words ("thị trấn") belong to titles; the syllables of positions do
    # not on their own ("chủ" of "Chủ tịch" would swallow "chủ trì")
    words = set(_ORG_WORDS)
    for phrase in KINDS:
        words.update(phrase.split())
    return rank_before, position, frozenset(words)


def _title_span(text: str, start: int, limit: int) -> tuple[int, int] | None:
    """One position phrase from ``start``: positions ("Phó Giám đốc"), capitalised
    names, numbers and organisation words; stops at punctuation or any other word."""
    _, position, org_words = _vocab()
    first = last = None
    pos, n = start, 0
    while n < _MAX_TITLE_WORDS:
        m = _WORD.search(text, pos, limit)
        if m is None or not m.group(0)[0].isalnum():
            break
        head = position.match(text, m.start(), limit)
        if head:
            end = head.end()
        elif m.group(0)[0].islower() and m.group(0).lower() not in org_words:
            break
        else:
            end = m.end()
        first = m.start() if first is None else first
        last = pos = end
        n += 1
    if first is None:
        return None
    # a title does not end on a conjunction
    trailing = re.search(r"(?:\s+(?:và|về|của))+$", text[first:last])
    return first, last - (len(trailing.group(0)) if trailing else 0)


def _titles_after(text: str, pos: int, limit: int) -> list[tuple[int, int]]:
    """", Phó Giám đốc Công an tỉnh X, Ủy viên …": the span of every comma-separated position."""
    _, position, _ = _vocab()
    spans: list[tuple[int, int]] = []
    end = pos
    while True:
        comma = re.match(r"\s*,\s*" if spans else r"\s*(?:,|\s[-–]\s)\s*", text[end:limit])
        if not comma or not position.match(text, end + comma.end()):
            break
        span = _title_span(text, end + comma.end(), limit)
        if span is None:
            break
        spans.append(span)
        end = span[1]
    return spans


# Words that cannot sit inside a position written before a name ("Chủ tịch UBND
# xã cùng Bí thư Nguyễn Văn A": the title is "Bí thư").
_NOT_IN_TITLE = frozenset(
    "và cùng với đã đang sẽ cho biết khi tại là được có theo trong gặp thăm tặng trao nhận của từ đến ra "
    "vào lên xuống đi làm để mà thì nhưng hoặc hay như nói rằng do bởi".split()
)
_TITLE_PUNCTUATION = re.compile(r"[,;:.()“”\"!?…]")


def _title_before(text: str, clause_start: int, name_start: int) -> tuple[int, int] | None:
    """"Thứ trưởng Lê Quốc Hùng", "Chủ tịch Công đoàn Công ty … Bến Cát Trần Thị Kim Chi":
    the position phrase that runs from a position up to where the name begins."""
    _, position, _ = _vocab()
    for m in position.finditer(text, clause_start, name_start):
        if m.start() > clause_start and text[m.start() - 1].isalnum():
            continue
        between = text[m.start() : name_start]
        words = between.split()
        if not words or len(words) > 15 or _TITLE_PUNCTUATION.search(between):
            continue
        if any(w.lower() in _NOT_IN_TITLE for w in words if w[0].islower()):
            continue
        if any(_looks_like_person(p.group(0)) and not position.match(between, p.start())
               for p in _PERSON_RE.finditer(between)):
            continue  # another person's name in between
        return m.start(), m.start() + len(between.rstrip())
    return None


_PLACE_WORD_BEFORE = re.compile(
    r"(?:tỉnh|huyện|xã|phường|quận|thị trấn|thị xã|thành phố|tp\.?|tx\.?|đường|phố|thôn|ấp|bản|xóm|"
    r"báo|đài|trường|chùa|đền|cầu|sông|núi|hồ|công ty|tập đoàn)\s+$",
    re.I,
)


def extract(doc: Doc) -> list[OfficialFact]:
    text, norm = doc._.text, doc._.norm  # match on norm ("Thiếu uý" = "Thiếu úy"), cut from text
    rank_before, _, _ = _vocab()
    lex = get_lexicon()
    people: dict[str, OfficialFact] = {}

    for s_start, s_end in doc._.sents:
        for m in _PERSON_RE.finditer(norm, s_start, s_end):
            ns, ne = _name_span(norm, m.start(), m.end(), lex.honorifics)
            if ne is None:
                continue
            name = text[ns:ne]
            lead_start = max(s_start, ns - 40)
            lead = norm[lead_start:ns]
            if fold(name) in _NOT_OFFICIALS or (_PLACE_WORD_BEFORE.search(lead) and _names_a_place(name)):
                continue
            rank_m = rank_before.search(lead)
            rank = lex.ranks.get(fold(rank_m.group("rank"))) if rank_m else None
            # what comes before the rank (or the name): a position, an honorific
            head_end = lead_start + rank_m.start() if rank_m else ns
            after = _titles_after(norm, ne, s_end)
            clause_start = max([s_start] + [norm.rfind(c, s_start, head_end) + 1 for c in ",;:("])
            before = _title_before(norm, clause_start, head_end)
            if before is None and rank_m and norm[clause_start - 1 : clause_start] == ",":
                comma = clause_start - 1
                prev_start = max([s_start] + [norm.rfind(c, s_start, comma) + 1 for c in ",;:("])
                before = _title_before(norm, prev_start, comma)
            has_surname = fold(name.split()[0]) in lex.surnames
            honorific = _HONORIFIC.search(norm, max(s_start, head_end - 12), head_end)
            if rank is None and not (has_surname and (after or before)):
                continue  # no rank, no position: a resident quoted, a byline, not an official
            title = ", ".join(text[a:b] for a, b in after) if after else (text[before[0] : before[1]] if before else None)
            ev_start = min(x for x in (ns, head_end, before[0] if before and not after else ns,
                                        honorific.start() if honorific else ns))
            ev_end = after[-1][1] if after else ne
            fact = OfficialFact(
                name=name,
                rank=rank,
                title=title,
                person_key=fold(name),
                extractor=f"{NAME}@{VERSION}",
                **provenance(doc, ev_start, ev_end),
            )
            people[fact.person_key] = _fuller(people.get(fact.person_key), fact)
    return sorted(people.values(), key=lambda f: f.start)


def _looks_like_person(run: str) -> bool:
    """A capitalised run that starts with a surname and is not a place ("Hà Nội")."""
    return fold(run.split()[0]) in get_lexicon().surnames and not _names_a_place(run)


def _names_a_place(name: str) -> bool:
    """"Phường Hoàng Văn Thụ" is a place; "UBND xã Trần Thị Cúc" is a person."""
    words = name.split()
    return any(get_gazetteer().lookup(" ".join(words[:n])) for n in range(len(words), 0, -1))


def _name_span(norm: str, start: int, end: int, honorifics: frozenset[str]) -> tuple[int, int | None]:
    """The personal name inside a capitalised run: honorifics before, title words after, left out."""
    _, position, _ = _vocab()
    words = [(m.start(), m.end()) for m in re.finditer(r"\S+", norm[start:end])]
    words = [(start + a, start + b) for a, b in words]
    while len(words) > 2 and fold(norm[words[0][0] : words[0][1]]) in honorifics:
        words = words[1:]
    # "UBND Nguyễn Văn A", "quận Ba Đình Nguyễn Mạnh Hùng": an acronym or a place glued before the name
    surnames = get_lexicon().surnames
    while len(words) > 2 and norm[words[0][0] : words[0][1]].isupper() and len(norm[words[0][0] : words[0][1]]) > 1:
        words = words[1:]
    for i in range(1, len(words) - 1):
        rest = len(words) - i
        if fold(norm[words[i][0] : words[i][1]]) in surnames and 2 <= rest <= 4 and _names_a_place(norm[words[0][0] : words[i - 1][1]]):
            words = words[i:]
            break
    for i in range(2, len(words)):
        if position.match(norm, words[i][0]):
            words = words[:i]
            break
    if not 2 <= len(words) <= 5:
        return start, None
    return words[0][0], words[-1][1]


def _fuller(old: OfficialFact | None, new: OfficialFact) -> OfficialFact:
    if old is None:
        return new

    def weight(f: OfficialFact) -> tuple[int, int]:
        return ((f.rank is not None) + (f.title is not None), len(f.title or ""))

    best, other = (new, old) if weight(new) > weight(old) else (old, new)
    update = {k: getattr(other, k) for k in ("rank", "title") if getattr(best, k) is None and getattr(other, k)}
    return best.model_copy(update=update) if update else best
