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

Real text also names models as a numbered slogan after its head (Tổ tự quản
tàu thuyền "5 không"), restates one with a count ("5 tổ tự quản … thôn A") or
shortens it (“3 không”), counts or places it unquoted elsewhere ("7 dòng họ tự
quản …", "mô hình Camera an ninh … tỉnh X"), or gives its place in the sentence
before ("Tại xã X, …"): these fill the same item.

National papers quote names in lower case (mô hình "hiệp sĩ đường phố"): such a name
is a model only right after its introducer or in a models' list, never when it reads
as a clause (scare quotes).  A district written with its province in parentheses
("Công an huyện Thọ Xuân (Thanh Hóa) … mô hình") places the model in the province; a
border gate or economic zone is not where a model is.
"""

from __future__ import annotations

import bisect
import re

from spacy.tokens import Doc

from extractors.base import Quotes, lower_norm, provenance, quotes, semicolon_part, view, word_starts
from extractors.names import canonical
from extractors.places import Mention, display_name, places_in, scope_of
from pipeline.schema import ModelFact
from pipeline.text import fold, parse_number

NAME = "models"
VERSION = "4"
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


# "các mô hình trong phong trào …", "những mô hình, phong trào:": the models' list,
# "phong trào" only qualifies it
_MODIFIES_MODEL = re.compile(
    r"\bmô hình\b(?:(?:\s*(?:,|và|hoặc)\s*)|(?:[^“”\"]{0,60}?\b(?:trong|của|thuộc|gắn với|về|hưởng ứng)\s+))$", re.I
)


_MODEL_OF_KIND = re.compile(r"\bmô hình\s+(?:\w+\s+)?$", re.I)
_KINDS_A_MODEL_MAY_BE = frozenset({"ứng dụng", "phần mềm", "công trình", "chuyên mục", "dự án"})


def _last_keyword(gap: str) -> tuple[str, int] | None:
    """('model'|'other', words between the keyword and the gap's end), nearest first."""
    best = None
    for kind, pattern in (("model", _MODEL), ("other", _NOT_MODEL)):
        for m in pattern.finditer(gap):
            if (kind == "other" and _MODIFIES_MODEL.search(gap, 0, m.start())
                    and (_words(gap[m.end() :]) > 3 or _INTRODUCER_END.search(gap))):
                continue  # "phong trào “X”" right before the quote names the campaign
            if kind == "other" and _MODEL_OF_KIND.search(gap, max(0, m.start() - 24), m.start()) \
                    and m.group(0).lower() in _KINDS_A_MODEL_MAY_BE:
                continue  # "mô hình ứng dụng “…”": an application presented as a model
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
# A unit named as a border gate's or an economic zone's ("cửa khẩu quốc tế Lao Bảo", "Khu kinh
# tế thương mại đặc biệt Lao Bảo") is not where the model is.
_NOT_THE_MODELS_PLACE = re.compile(
    r"(?:cửa khẩu|khu kinh tế|kkt|khu công nghiệp|kcn)(?:\s+(?:quốc tế|quốc gia|chính|phụ|cửa khẩu|"
    r"thương mại|đặc biệt|ven biển)){0,3}\s+$",
    re.I,
)


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
    v = view(doc)
    text, spans = v.text, v.words
    i = bisect.bisect_right(word_starts(doc), start) - 1
    for j in range(max(i, 0), len(spans)):  # by index: a slice would copy the rest of the words
        s, e = spans[j]
        if e <= start:
            continue
        if s >= end:
            break
        piece = text[max(s, start) : min(e, end)].strip(" “”\"«»")
        if piece and piece[0].isalnum():
            return fold(piece)
    return ""


_FIGURE_THEN_WORD = re.compile(r"(?<![\w.,/])(\d{1,3}(?:\.\d{3})+|\d+)(?:/\d+)?\s+(?=\w)")


def _count_of(doc: Doc, gap: str, part: tuple[int, int], q, quotes_after: int) -> int | float | None:
    """"1.120 mô hình “X”", else a figure counting what the name's first word names
    in the same part of the sentence ("9/11 bản" for “Bản không có ma túy”).

    "2 mô hình “A” … và mô hình “B”" counts the list, not instances of A:
    ``quotes_after`` is the number of quoted names from this one to the sentence's end."""
    adjacent = _COUNT_BEFORE.search(gap)
    if adjacent:
        value = parse_number(adjacent.group(1))
        if value is not None and 2 <= value <= quotes_after:
            return None
        return value
    head = _first_word(doc, q.inner_start, q.inner_end)
    if not head or head[0].isdigit():
        return None
    found = []
    for m in _FIGURE_THEN_WORD.finditer(view(doc).norm, *part):
        unit = _first_word(doc, m.end(), m.end() + len(head) + 12)
        # "11/11 buôn" counts “Buôn làng tự quản”: one syllable naming the head's first
        if (unit == head or (" " not in unit and unit == head.split()[0])) and not (q.start <= m.start() < q.end):
            found.append(m)
    if not found:
        return None
    nearest = min(found, key=lambda m: abs(m.start() - q.start))
    return parse_number(nearest.group(1))


# What a numbered slogan in quotes is the name of: “5 không” in Tổ tự quản tàu thuyền "5 không"
_SLOGAN = re.compile(r"^\d+\s+\w+(?:[\s,]+\w+){0,5}$")
_HEAD_BEFORE = re.compile(
    r"(?<![\w])((?:Tổ|Đội|Nhóm|Câu lạc bộ|CLB|Khu dân cư|Dòng họ|Gia đình|Thôn|Xóm|Bản|Ấp|Khu phố|Tổ dân phố|"
    r"Tuyến phố|Tuyến đường|Chợ|Trường học|Cơ quan|Doanh nghiệp|Giáo xứ|Họ đạo|Làng|Buôn|Phum|Chi hội|Hộ|Cụm)"
    r"(?:\s+[\w/]+){0,6}?)\s*$"
)
# a list item on its own line: "- “…”", "2. “…”"
_ITEM_START = re.compile(r"\s*(?:[-–•+*]|\d{1,2}[.)]|[a-zđ][.)])?\s*$")
# a sentence that starts by saying where: "Tại xã X, …"
_WHERE_FIRST = re.compile(r"\W*(?:Tại|Ở|Trên địa bàn)\s", re.I)
_HERE = re.compile(r"\W*(?:Tại đây|Ở đây|Nơi đây|Tại địa phương này|Xã này|Phường này|Huyện này)\b", re.I)
_CLAUSE_BREAK = re.compile(r"\s[-–—]\s|[.!?]\s")


def _head_of(text: str, line_start: int, q) -> int | None:
    """Where the head of a quoted numbered slogan starts (“Tổ tự quản tàu thuyền "5 không"”)."""
    inner = text[q.inner_start : q.inner_end]
    if not _SLOGAN.match(inner):
        return None
    m = _HEAD_BEFORE.search(text, max(line_start, q.start - 60), q.start)
    if m is None or not all(w[0].isupper() or w.islower() for w in m.group(1).split()):
        return None
    return m.start(1)


def extract(doc: Doc) -> list[ModelFact]:
    v = view(doc)
    norm, text = v.norm, v.text
    all_quotes = Quotes([q for q in quotes(doc) if not q.speech])
    place_mentions = doc._.place_mentions

    def places_in(_doc: Doc, start: int, end: int) -> list[Mention]:
        return place_mentions.inside(start, end)

    def outside_quotes(mentions: list[Mention]) -> list[Mention]:
        # not a name inside a quote, nor a border gate's or an economic zone's ("cửa khẩu Lao Bảo")
        return [m for m in mentions if all_quotes.at(m.start) is None
                and not _NOT_THE_MODELS_PLACE.search(norm, max(0, m.start - 48), m.start)]

    by_key: dict[str, tuple[ModelFact, int]] = {}
    model_quotes: dict[int, str] = {}
    carry: bool | None = None  # a list of models that goes on into the next line
    previous_sentence: tuple[int, int] | None = None
    for s_start, s_end in v.sents:
        sentence_quotes = all_quotes.within(s_start, s_end)
        previous_end = s_start
        line_start = norm.rfind("\n", 0, s_start) + 1
        # a list item on its own line after "… gồm:" (or after the previous item)
        verdict: bool | None = carry if sentence_quotes and _ITEM_START.match(norm, s_start, sentence_quotes[0].start) else None
        carry = None
        intro: list[Mention] = []  # places of the part that introduced the current list
        # a lower-case name may be a model where the introducer says so (see _lower_case_ok);
        # an item on its own line below a models' list may be one too
        lower_ok = verdict is True
        for i, q in enumerate(sentence_quotes):
            gap = norm[previous_end : q.start]
            carried = verdict
            verdict, decided_here = _is_model(gap, verdict)
            previous_end = q.end
            head = _head_of(text, line_start, q)
            if head is not None and not verdict and not _names_another_kind(gap):
                verdict, decided_here = True, True
            if not verdict:
                lower_ok = False
                continue
            lower_ok = _lower_case_ok(gap) if decided_here else bool(carried and lower_ok and _PURE_GLUE.match(gap))
            start = head if head is not None else q.inner_start
            end = q.end if head is not None else q.inner_end
            name = text[start:end].strip()
            # a model has a name: “Camera cộng đồng”, “2 +1”, or one in lower case right
            # after its introducer (mô hình “hiệp sĩ đường phố”); not scare quotes (“có tên nhưng …”)
            if not name or not (name[0].isupper() or name[0].isdigit() or (lower_ok and name[0].isalpha()
                                                                           and not _CLAUSE_WORDS.search(name))) \
                    or len(name.split()) > 40:
                continue
            part = semicolon_part(norm, s_start, s_end, q.start, q.end)
            if decided_here:
                intro = outside_quotes(places_in(doc, part[0], q.start))
            model_quotes[q.start] = name

            # the place: the item's own tail (up to a clause break), else its ';' part,
            # else the list's introduction, else the sentence before ("Tại xã X, …")
            next_start = sentence_quotes[i + 1].start if i + 1 < len(sentence_quotes) else s_end
            tail_end = min(next_start, part[1])
            brk = _CLAUSE_BREAK.search(norm, q.end, tail_end)
            tail = outside_quotes(places_in(doc, q.end, brk.start() if brk else tail_end))
            group = outside_quotes(places_in(doc, *part))
            place = _single_place(tail) or _single_place(group)
            if place is None and group:
                # "Không chỉ ở A, … B cũng nhân rộng mô hình “X”": the clause that names it
                clause = outside_quotes(places_in(doc, norm.rfind(",", part[0], q.start) + 1, q.start))
                place = _single_place(clause)
            place = place or _single_place(intro)
            if place is None and previous_sentence is not None and previous_sentence[0] >= line_start:
                if _WHERE_FIRST.match(norm, previous_sentence[0]) or _HERE.match(norm, s_start):
                    place = _single_place(outside_quotes(places_in(doc, *previous_sentence)))

            sponsor = None
            paren = _PAREN_AFTER.match(text, q.end)
            if paren:
                org = _ORG_HEAD.match(paren.group(1).strip())
                if org:
                    sponsor = org.group(1).strip()

            province, province_2025 = scope_of(doc, place)
            fact = ModelFact(
                name=name,
                place=display_name(place.unit, place) if place else None,
                place_code=place.unit.code if place and place.unit else None,
                province=province,
                province_2025=province_2025,
                count=_count_of(doc, gap, part, q, len(sentence_quotes) - i),
                canonical=canonical(name),
                sponsor=sponsor,
                extractor=f"{NAME}@{VERSION}",
                **provenance(doc, start, end),
            )
            rank = _LEVEL_RANK.get(place.level, 3) if place else 4
            by_key[fact.canonical] = _fuller(by_key.get(fact.canonical), fact, rank)
        if sentence_quotes:
            tail = norm[sentence_quotes[-1].end : s_end]
            if verdict and _words(tail) <= 2:
                carry = True  # the list's last item ends the line: the next line may go on
        elif _INTRODUCER_END.search(norm[max(s_start, s_end - 16) : s_end].rstrip()) and _is_model(norm[s_start:s_end], None)[0]:
            carry = True  # "Các mô hình tiêu biểu gồm:" and the items below
        previous_sentence = (s_start, s_end)
    facts = _merge_restatements(doc, by_key)
    doc._.model_quotes = model_quotes
    return sorted(facts, key=lambda f: f.start)


# National papers quote a model's name in lower case: mô hình "hiệp sĩ đường phố", mô hình
# trao "móc khoá an ninh", các mô hình như: "…".  Such a name is taken only right after
# "mô hình" (and a verb of setting it up), or after a models' list's colon, "như", "gồm";
# the next ones only when list glue alone separates them ("A" và "B").
_LOWER_CASE_AFTER = re.compile(
    r"\bmô hình(?:\s*,)?(?:\s+(?:triển khai|thực hiện|trao tặng|trao|tặng|cấp|phát|lắp đặt|gắn|treo|ra mắt|"
    r"xây dựng|thành lập|nhân rộng|duy trì|phát huy|hoạt động|mang tên|có tên|tên là|gọi là|ứng dụng)){0,2}\s*$"
    r"|\bmô hình\b[^“”\"]{0,80}(?::|\bnhư|\bgồm|\bbao gồm)\s*$",
    re.I,
)
# words of a clause, not of a name: tình trạng mô hình “có tên nhưng không có hoạt động”
_CLAUSE_WORDS = re.compile(r"\b(?:nhưng|mà|thì|rồi|chưa|vẫn|cũng|đã|đang|sẽ|bị|chỉ|có tên|hình thức)\b", re.I)
_PURE_GLUE = re.compile(r"\s*(?:[,;]|và|hoặc|,\s*và|;\s*và|[-–•+*]|\d{1,2}[.)])?\s*$", re.I)


def _lower_case_ok(gap: str) -> bool:
    return bool(_LOWER_CASE_AFTER.search(gap[-120:]))


def _names_another_kind(gap: str) -> bool:
    found = _last_keyword(gap)
    return found is not None and found[0] == "other" and found[1] <= _FAR_WORDS


# Enough for any real article; bounds the searches below on a page of thousands of quotes.
_MAX_RESTATED = 64
_MAX_NAME_WORDS = 40


def _merge_restatements(doc: Doc, by_key: dict[str, tuple[ModelFact, int]]) -> list[ModelFact]:
    """One item per model, also where the text restates it:
    * “5 tổ tự quản về an ninh trật tự thôn A” restates “Tổ tự quản về an ninh trật tự”
      with a count (and a place);
    * a shortened name (“3 không …”) is the model whose name has it from its number on;
    * "7 dòng họ tự quản về an ninh trật tự" anywhere counts “Dòng họ tự quản về an ninh, trật tự”;
    * "mô hình Camera an ninh" unquoted in a sentence that names its place."""
    facts = dict(by_key)
    # the runs of words from a number on inside each name (“3 không …” shortens
    # “Khu dân cư 3 không ma túy, tội phạm”), by dictionary
    by_part: dict[str, str] = {}
    for key in sorted(facts, key=len):
        words = key.split()[:_MAX_NAME_WORDS]
        for i in range(1, len(words) - 1):
            if words[i][0].isdigit():
                for j in range(i + 2, len(words) + 1):
                    by_part.setdefault(" ".join(words[i:j]), key)
    for key in sorted(facts, key=len, reverse=True):
        if key not in facts:
            continue
        fact, rank = facts[key]
        number = re.match(r"(\d+) (.+)$", key)
        if number:
            words = number.group(2).split()
            target = next((t for n in range(len(words), 1, -1) if (t := " ".join(words[:n])) in facts and t != key), None)
            if target is not None:
                old, old_rank = facts[target]
                count = old.count if old.count is not None else parse_number(number.group(1))
                merged = old.model_copy(update={"count": count})
                if old.place is None and fact.place is not None:
                    merged = merged.model_copy(update={k: getattr(fact, k) for k in ("place", "place_code", "province", "province_2025")})
                    old_rank = rank
                facts[target] = (merged, old_rank)
                del facts[key]
                continue
            longer = by_part.get(key)
            if longer is not None and longer in facts and longer != key:
                old, old_rank = facts[longer]
                facts[longer] = _fuller((old, old_rank), fact.model_copy(update={"name": old.name, "canonical": old.canonical}), rank)
                del facts[key]
    for key, (fact, rank) in list(facts.items())[:_MAX_RESTATED]:
        if fact.count is None:
            count = _count_anywhere(doc, fact.name)
            if count is not None:
                fact = fact.model_copy(update={"count": count})
        if fact.place is None:
            place = _place_of_unquoted(doc, fact.name)
            if place is not None:
                province, province_2025 = scope_of(doc, place)
                fact = fact.model_copy(update={"place": display_name(place.unit, place), "place_code": place.unit.code if place.unit else None,
                                               "province": province, "province_2025": province_2025})
        facts[key] = (fact, rank)
    return [fact for fact, _ in facts.values()]


_WORD = re.compile(r"\w+")
_NUMBER_BEFORE = re.compile(r"(?<![\w.,/])(\d{1,3}(?:\.\d{3})+|\d+)\s+$")


def _find_words(doc: Doc, name: str) -> list[int]:
    """:func:`_search_words`, once per name and Doc (counts and places look the same name up)."""
    cache = doc.user_data.setdefault("models.found", {})
    if name not in cache:
        cache[name] = _search_words(doc, name)
    return cache[name]


def _search_words(doc: Doc, name: str) -> list[int]:
    """Where the words of ``name`` occur in a row, whatever the punctuation between them
    ("an ninh, trật tự" = "an ninh trật tự"): a literal search for the first two words,
    each hit checked word by word (no regex compiled per name)."""
    wanted = [w.lower() for w in _WORD.findall(name)]
    if len(wanted) < 2:
        return []
    low, first = lower_norm(doc), f"{wanted[0]} {wanted[1]}"
    out, pos = [], low.find(first)
    while pos >= 0:
        if (pos == 0 or not low[pos - 1].isalnum()) and _WORD.findall(low, pos, pos + 3 * len(name) + 10)[: len(wanted)] == wanted:
            out.append(pos)
        pos = low.find(first, pos + 1)
    return out


def _count_anywhere(doc: Doc, name: str) -> int | float | None:
    """"7 dòng họ tự quản về an ninh trật tự" anywhere counts the model of that name."""
    if len(_WORD.findall(name)) < 3 or name[0].isdigit():
        return None
    for start in _find_words(doc, name):
        m = _NUMBER_BEFORE.search(view(doc).norm, max(0, start - 16), start)
        if m:
            return parse_number(m.group(1))
    return None


_MODEL_BEFORE = re.compile(r"\bmô hình\s+$", re.I)


def _place_of_unquoted(doc: Doc, name: str) -> Mention | None:
    """The place of a sentence that names the model unquoted: "mô hình Camera an ninh … tỉnh X"."""
    for start in _find_words(doc, name):
        # quoted, that sentence's places were weighed with its items
        if not _MODEL_BEFORE.search(view(doc).norm, max(0, start - 10), start) or quotes(doc).at(start) is not None:
            continue
        s_start, s_end = view(doc).sentence_span(start)
        place = _single_place(places_in(doc, s_start, s_end))
        if place is not None:
            return place
    return None


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
