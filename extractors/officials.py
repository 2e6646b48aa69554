"""Named people with a rank or a position.

A personal name is a run of 2-5 capitalised syllables.  It is a person when
something anchors it:
  * a rank before it ("Trung tá Trần Hữu Phương");
  * an honorific before it ("Đồng chí", "Ông", "Bà") and a Vietnamese surname;
  * a position before it ("Thứ trưởng Lê Quốc Hùng") and a surname;
  * a surname and ", <position>" after it ("Nguyễn Văn A, Chủ tịch UBND xã").
The title is the comma-separated positions written after the name, else the
one written before it (ANNOTATION.md), with what belongs to a position: its
organisation in parentheses or after a comma ("(Bộ Công an)", ", Công an tỉnh
X"), a grassroots position's address (", ấp A, xã B (huyện C)"), the positions
chained before the name ("Phó Bí thư Tỉnh ủy, Chủ tịch UBND tỉnh"), a place in parentheses or
the unit's province after a comma ("… huyện Thọ Xuân (Thanh Hóa)", "… huyện Cần Giuộc, Long
An"); abbreviated unit words keep their full stop ("Công an TP. HCM"), a former holder's
"nguyên" is part of the title, chains are kept as written ("… Bộ Chính trị - Bộ trưởng …"),
and a position before a name holds organisation words only (no clause runs into it).  A person with neither rank nor
position (a resident quoted with "Bà") is optional by the guideline and left
out, as are bylines.  One item per person per article, the fullest record;
``person_key`` links the same person across articles.
"""

from __future__ import annotations

import re
from functools import lru_cache

from spacy.tokens import Doc

import bisect
from itertools import islice

from extractors.base import UPPER, provenance, search_end, view, word_starts
from gazetteer import KINDS, get_gazetteer
from gazetteer.lexicon import get_lexicon
from pipeline.schema import OfficialFact
from pipeline.text import fold

NAME = "officials"
VERSION = "4"
REQUIRES = ("text", "norm", "sents", "words")
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
    lượng nghiệp cơ đặc nhiệm trinh thường trực ủy ban mặt bí thư chùa phật giáo xứ họ thánh thất tịnh xá số
    phó viên tiểu khu khóm xóm làng buôn phum sóc nhân khẩu dục hóa hoá thể thao du lịch khoa nghệ tài chính
    kế hoạch đầu y tế đào ngoại truyền nguyên nông nghiệp thương vận tải ty cổ phần hữu hạn lâm thủy thuỷ lợi sản
    ngân hàng kho bạc thuế hải quan thống kê bưu điện lực tiểu học triển
    căn cứ sư lữ không binh chủng pháo thiết giáp bệnh khám dược tật nhiệt đới phủ dịch tâm tàu tạo chức cán""".split()


@lru_cache(maxsize=1)
def _vocab() -> tuple[re.Pattern[str], re.Pattern[str], frozenset[str]]:
    lex = get_lexicon()
    ranks = "|".join(re.escape(r) for r in sorted(set(lex.ranks.values()), key=len, reverse=True))
    heads = "|".join(re.escape(p) for p in lex.positions)
    # "Trung úy chuyên nghiệp", "Thiếu tá QNCN": a professional serviceman's rank
    rank_before = re.compile(rf"(?<!\w)(?P<rank>(?i:{ranks}))(?:\s+(?i:chuyên nghiệp|QNCN))?\s+$")
    # "nguyên Giám đốc", "cựu Chủ tịch", "quyền Trưởng phòng": a former or acting holder's
    # position is a title too
    position = re.compile(rf"(?:(?:nguyên|cựu|quyền)\s+)?(?:(?:{heads})(?!\w)|(?-i:{_SYL}) trưởng(?!\w))", re.I)
    # unit words ("thị trấn") belong to titles; the syllables of positions do
    # not on their own ("chủ" of "Chủ tịch" would swallow "chủ trì")
    words = set(_ORG_WORDS)
    for phrase in KINDS:
        words.update(phrase.split())
    return rank_before, position, frozenset(words)


# Verbs and words that end a title written after a name ("…, Chủ tịch UBND xã cho biết"):
# single words, and pairs whose first word also occurs in names ("phát biểu", not "phát triển").
_STOP_WORDS = frozenset(
    """nói nhấn khẳng yêu đề trao tặng thăm dự làm được là đã đang sẽ cùng với tại trong khi đến đi lên xuống ra
    vào cũng vẫn còn luôn thì mà nhưng hay hoặc để do bởi vì nên rằng như này đó kể động chúc quán lưu mong bày
    cảm nêu tiếp trực ghi biểu đánh chia ông bà anh chị""".split()
)
_STOP_PAIRS = frozenset(
    ["cho biết", "phát biểu", "kiểm tra", "chủ trì", "báo cáo", "thông tin", "trả lời", "chỉ ra",
     "tham dự", "tham gia", "chỉ rõ", "cho rằng", "cho hay",
     # another person's honorific: "phó giám đốc bệnh viện và bác sĩ Phạm …"
     "bác sĩ", "tiến sĩ", "thạc sĩ", "đồng chí", "kỹ sư", "luật sư", "nhà báo", "điều dưỡng"]
)
# Compounds of organisations' names whose first syllable alone is a verb that ends a title
# ("dự" = attends): "Cục Y tế dự phòng".
_ORG_COMPOUNDS = frozenset({"dự phòng", "dự trữ"})
_UNIT_WORD_BEFORE = re.compile(r"(?:tỉnh|huyện|quận|xã|phường|thị trấn|thị xã|thành phố|ấp|thôn|bản)\s+$", re.I)
_MAX_EXTENSION_WORDS = 20
# speech verbs a title written after a name often runs into
_SAYS = frozenset("cho phát nói chia nhấn khẳng".split())


def _extension(text: str, pos: int, limit: int, org_words: frozenset[str]) -> int | None:
    """"Trưởng ban chỉ đạo thực hiện phong trào … Trung ương;": a title that runs on
    through a verb inside an organisation's name, up to the next punctuation.  Taken
    only when at most two words in it are no organisation words, more of it are, it
    ends on an organisation's word or a name, and no verb that ends a title is in it."""
    end, n, other, org = pos, 0, 0, 0
    last_is_org = False
    words = list(islice(_WORD.finditer(text, pos, limit), _MAX_EXTENSION_WORDS + 2))
    for i, m in enumerate(words):
        w = m.group(0)
        if w in "-–":
            continue  # "Sở Văn hóa - Thể thao và Du lịch"
        if not w[0].isalnum():
            # an organisation's code in parentheses after it vouches for a longer name:
            # "Đội chỉ huy giao thông và điều khiển đèn tín hiệu giao thông (PC67)"
            most = 5 if w == "(" and _CODE_IN_PARENS.match(text, m.start()) else 2
            return end if w in ",;.:(" and org >= 2 and other <= most and last_is_org else None
        stop = w.endswith(".") and w[:-1].isalnum() and not _abbreviation_dot(text, m)
        if w.endswith(".") and not stop:
            w = w[:-1]  # "TP. HCM": the abbreviation goes on
        if stop:
            w = w[:-1]  # the sentence's full stop glued to the word
        low = w.lower()
        pair = f"{low} {words[i + 1].group(0).lower()}" if i + 1 < len(words) else low
        if low in _STOP_WORDS or pair in _STOP_PAIRS:
            # "… Cửa khẩu Cha Lo cho biết": a verb of saying may end it too
            return end if low in _SAYS and end > pos and org >= 2 and other <= 1 else None
        last_is_org = w[0].isupper() or w[0].isdigit() or low in org_words
        if last_is_org:
            org += 1
        else:
            other += 1
        n += 1
        end = m.start() + len(w)
        if n > _MAX_EXTENSION_WORDS:
            return None
        if stop:
            break
    # a title ends on an organisation's word or name, not on a verb
    return end if org >= 2 and other <= 2 and last_is_org else None


# Unit words abbreviated with a full stop inside a title: "Công an TP. HCM", "UBND P. Tân
# Thành", "Q. Bình Tân", "TX. Bình Long", "H. Phú Tân": the stop ends no title.
_ABBREVIATED_UNITS = frozenset("tp tx tt h q p".split())
_NAME_NEXT = re.compile(rf" ?[{UPPER}\d]")


def _abbreviation_dot(text: str, m: re.Match) -> bool:
    """Is the full stop that ends the word ``m`` an abbreviation's, a name following it?"""
    word = m.group(0)
    return (len(word) > 1 and word.endswith(".") and word[:-1].lower() in _ABBREVIATED_UNITS
            and _NAME_NEXT.match(text, m.end()) is not None)


def _title_span(text: str, start: int, limit: int, *, after_name: bool = False) -> tuple[int, int] | None:
    """One position phrase from ``start``: positions ("Phó Giám đốc"), capitalised
    names, numbers and organisation words; stops at punctuation or any other word
    (after a name: unless the phrase runs on to punctuation, see ``_extension``)."""
    _, position, org_words = _vocab()
    first = last = None
    pos, n = start, 0
    place = 0  # 1: the last word was a unit word; 2: inside the name after it ("TP Đà Nẵng")
    while n < _MAX_TITLE_WORDS:
        m = _WORD.search(text, pos, limit)
        if m is not None and m.group(0) in ("-", "–") and first is not None:
            # "Sở Văn hóa - Thể thao và Du lịch": a dash between the words of one name
            nxt = _WORD.search(text, m.end(), limit)
            if nxt and nxt.group(0)[0].isalnum() and (nxt.group(0)[0].isupper() or nxt.group(0).lower() in org_words) \
                    and not position.match(text, nxt.start(), limit):
                m = nxt
        if m is None or not m.group(0)[0].isalnum():
            break
        head = position.match(text, m.start(), limit)
        word = m.group(0)
        nxt = _WORD.match(text, m.end() + 1) if text[m.end() : m.end() + 1] == " " else None
        if not head and nxt and f"{word.lower()} {nxt.group(0).lower()}" in _STOP_PAIRS:
            break  # "… xã Quế Thọ thông tin thêm": "thông" is no part of the title here
        if place == 2 and word[0].islower() and word.lower() not in _UNIT_SYLLABLES and not head:
            break  # "Giám đốc Sở Y tế TP Đà Nẵng tham mưu …": the place's name ends the title
        place = 1 if word.lower().rstrip(".") in _UNIT_SYLLABLES else (2 if place and word[0].isupper() else 0)
        if head:
            end = head.end()
        elif word[0].islower() and word.lower().rstrip(".") not in org_words \
                and not (nxt and f"{word.lower()} {nxt.group(0).lower()}" in _ORG_COMPOUNDS) \
                and not (word == "của" and after_name and first is not None and nxt and nxt.group(0)[0].isupper()):
            # ("Giám đốc tài chính của CTCP Tập đoàn …": "của" before a name goes on)
            if _UNIT_WORD_BEFORE.search(text, max(start, m.start() - 12), m.start()) and re.match(
                    rf"\s+{_SYL}", text[m.end() : m.end() + 3]):
                end = m.end()  # "tỉnh long An": a name written with a lower-case syllable
            elif after_name and first is not None and (ext := _extension(text, m.start(), limit, org_words)):
                first, last = first, ext
                break
            else:
                break
        else:
            end = m.end()
        if word.endswith(".") and not re.match(r"\.\w", text[end - 1 : end + 1]) and not _abbreviation_dot(text, m):
            end -= 1  # "… huyện Con Cuông.": the sentence's full stop
        first = m.start() if first is None else first
        last = pos = end
        n += 1
    if first is None:
        return None
    # a title does not end on a conjunction
    trailing = re.search(r"(?:\s+(?:và|về|của))+$", text[first:last])
    return first, last - (len(trailing.group(0)) if trailing else 0)


# the words of unit words ("thị trấn", "TP"): after one, a capitalised run is a place's name
_UNIT_SYLLABLES = frozenset(w for k in KINDS for w in k.split()) | frozenset({"tp", "tx", "tt"})


# What may follow a position after a comma and belongs to it: its organisation
# ("Trưởng phòng PV28, Công an tỉnh X") or its address ("Tổ trưởng Tổ … số 23, ấp A, xã B").
_ORG_OR_UNIT = re.compile(
    r"(?:Công an|UBND|Ủy ban|Uỷ ban|HĐND|Hội đồng|Bộ|Sở|Cục|Tổng cục|Ban|Huyện ủy|Huyện uỷ|Tỉnh ủy|Tỉnh uỷ|Thành ủy|"
    r"Thành uỷ|Đảng ủy|Đảng uỷ|Quận ủy|Quận uỷ|BĐBP|Bộ đội|Bộ Chỉ huy|Đồn|Trạm|Viện|Hội|Đoàn|MTTQ|Mặt trận|Liên đoàn|"
    r"Văn phòng|Phòng|Trường|Bệnh viện|Tòa án|Toà án|Cảnh sát|Quân khu|Học viện|"
    r"Sư đoàn|Trung đoàn|Lữ đoàn|Tiểu đoàn|Quân đoàn|Binh đoàn|Hải đoàn|Đại đội|Căn cứ|Vùng|Quân chủng|"
    r"(?i:ấp|thôn|bản|xóm|khu phố|tổ dân phố|xã|phường|thị trấn|huyện|quận|thị xã|tỉnh|thành phố))(?!\w)"
)
_PAREN_ORG = re.compile(r"\s*\(([^()]{2,60})\)")
# an organisation's code or abbreviation in parentheses: "(PC67)", "(LĐ-TB&XH)", "(BĐBP)"
_CODE = r"\(\s*[A-ZĐ][A-ZĐ0-9&\-]+\s*\)"
_CODE_IN_PARENS = re.compile(_CODE)
_CODE_BEFORE = re.compile(_CODE + r"\s*$")


def _with_paren(text: str, span: tuple[int, int], limit: int) -> tuple[int, int]:
    """"Phó Cục trưởng Cục X (Bộ Công an)", "Trưởng Công an huyện Thọ Xuân (Thanh Hóa)",
    "… phường 1 (TP. Vĩnh Long)": the organisation or place in parentheses belongs to the title."""
    m = _PAREN_ORG.match(text, span[1], limit)
    if m and (_ORG_OR_UNIT.match(inner := m.group(1).strip()) or _names_a_larger_unit(inner)
              or _CODE_IN_PARENS.fullmatch(m.group(0).strip())):
        return span[0], m.end()
    return span


def _names_a_larger_unit(name: str) -> bool:
    """A province or district as written in parentheses: "Thanh Hóa", "TP. Vĩnh Long", "Q. Bình Tân"."""
    return any(u.level in ("tỉnh", "huyện") for u in get_gazetteer().lookup(name))


# what joins a name to the position written after it: ", ", " - ", ": - ", "(34 tuổi, ", "(62 tuổi) - ", and
# an appointment ("… vừa được bổ nhiệm làm Trưởng phòng …")
_TITLE_GLUE = re.compile(
    r"\s*(?:,|:\s*[-–]?|\s[-–]\s|\(\s*(?:SN\s*)?\d{1,4}(?:\s*tuổi)?\s*(?:,|\)\s*(?:,|[-–]))"
    r"|\s(?:vừa\s+|đã\s+|mới\s+)?được\s+(?:bổ nhiệm|điều động|bầu|giao|phân công)"
    r"(?:\s+(?:giữ chức(?: vụ)?|làm|là|vào chức(?: vụ)?))?(?=\s))\s*"
)


def _titles_after(text: str, pos: int, limit: int) -> list[tuple[int, int]]:
    """", Phó Giám đốc Công an tỉnh X, Ủy viên …": the span of every comma-separated position."""
    _, position, _ = _vocab()
    spans: list[tuple[int, int]] = []
    end = pos
    while True:
        comma = _TITLE_GLUE.match(text[end:limit])
        if not comma:
            break
        at = end + comma.end()
        if not (position.match(text, at) or (spans and _ORG_OR_UNIT.match(text, at))):
            break
        span = _title_span(text, at, limit, after_name=True)
        if span is None or _names_a_person(text, span):
            break  # ", nguyên Tổng Bí thư Đỗ Mười": the next person, with his own title
        span = _with_paren(text, span, limit)
        span = _with_province(text, span, limit)
        spans.append(span)
        end = span[1]
    return spans


# a personal name right after a position, ending a clause: "… Tổng Bí thư Đỗ Mười,"
_PERSON_AFTER_HEAD = re.compile(rf"\s+({_PERSON})(?=\s*(?:[,;.:)]|và(?!\w)|$))")


def _names_a_person(text: str, span: tuple[int, int]) -> bool:
    _, position, _ = _vocab()
    for head in position.finditer(text, span[0], span[1]):
        p = _PERSON_AFTER_HEAD.match(text, head.end(), span[1] + 1)
        if p and _looks_like_person(p.group(1)):
            return True
    return False


# the unit a title ends on, and ", Province" after it: "… Công an huyện Cần Giuộc, Long An"
_UNIT_AT_END = re.compile(
    rf"(?:huyện|quận|thị xã|thành phố|xã|phường|thị trấn|TP\.?|TX\.?|H\.|Q\.|P\.)\s*({_SYL}(?: {_SYL}){{0,3}}|\d{{1,2}})$",
    re.I,
)
_PROVINCE_NEXT = re.compile(rf"\s*,\s*({_SYL}(?: {_SYL}){{0,3}})(?![\w'’])")


def _with_province(text: str, span: tuple[int, int], limit: int) -> tuple[int, int]:
    """", Long An" after "Trưởng Công an huyện Cần Giuộc": the province of the title's unit
    belongs to the title (only where the gazetteer puts the unit in that province)."""
    m = _PROVINCE_NEXT.match(text, span[1], limit)
    if m is None:
        return span
    unit = _UNIT_AT_END.search(text, max(span[0], span[1] - 40), span[1])
    province = fold(m.group(1))
    if unit is None or province not in _province_names():
        return span
    if any(fold(u.province) == province or fold(u.province_2025) == province
           for u in get_gazetteer().lookup(unit.group(1)) if u.level != "tỉnh"):
        return span[0], m.end()
    return span


@lru_cache(maxsize=1)
def _province_names() -> frozenset[str]:
    return frozenset(get_gazetteer().province_names())


# Words that cannot sit inside a position written before a name ("Chủ tịch UBND
# xã cùng Bí thư Nguyễn Văn A": the title is "Bí thư").
_NOT_IN_TITLE = frozenset(
    "và cùng với đã đang sẽ cho biết khi tại là được có theo trong gặp thăm tặng trao nhận của từ đến ra "
    "vào lên xuống đi làm để mà thì nhưng hoặc hay như nói rằng do bởi".split()
)
_TITLE_PUNCTUATION = re.compile(r"[,;:.()“”\"!?…]")
# "Bí thư Thành ủy TP.HCM Nguyễn Văn Nên", "Chủ tịch UBND TP. Hà Nội …": no full stop of a sentence
_ABBREVIATION_DOTS = re.compile(rf"(?<![\w.])(?:TP|Tp|TX|TT|H|Q|P)\.(?= ?[{UPPER}\d])")


def _inside_a_title(words: list[str], org_words: frozenset[str], position: re.Pattern[str]) -> bool:
    """Are the lower-case words between a position and a name those of a title?  Organisation
    words, or another word inside a capitalised name ("Công ty TNHH May mặc Bến Cát"), not a
    clause ("Phó ban chỉ huy quân sự phường bắn chết chị …"); "và" only inside an
    organisation's name ("Bộ Tài nguyên và Môi trường")."""
    for i, w in enumerate(words):
        if not w[0].islower():
            continue
        low = w.lower()
        # (the word right before the name must be an organisation's: "… xã Tân Hòa tiếp Nguyễn …")
        nxt = words[i + 1] if i + 1 < len(words) else ""
        if low == "và":
            if not nxt[:1].isupper() or position.match(" ".join(words[i + 1 :])):
                return False
        elif low in _NOT_IN_TITLE:
            return False
        elif low not in org_words and not (i > 0 and words[i - 1][0].isupper() and nxt[:1].isupper()):
            return False
    return True


def _title_before(text: str, clause_start: int, name_start: int) -> tuple[int, int] | None:
    """"Thứ trưởng Lê Quốc Hùng", "Chủ tịch Công đoàn Công ty … Bến Cát Trần Thị Kim Chi":
    the position phrase that runs from a position up to where the name begins."""
    _, position, org_words = _vocab()
    honorifics = get_lexicon().honorifics
    for m in position.finditer(text, clause_start, name_start):
        if m.start() > clause_start and text[m.start() - 1].isalnum():
            continue
        between = text[m.start() : name_start]
        words = between.split()
        if len(words) > 1 and fold(words[-1]) in honorifics:
            # "Chủ tịch UBND xã ông Nguyễn Văn A": the honorific is no part of the title
            between = between[: between.rstrip().rfind(" ") + 1]
            words = words[:-1]
        # an organisation's code in parentheses may sit between: "… quốc gia (UBATGTQG) Hồ Nghĩa Dũng"
        uncoded = _CODE_IN_PARENS.sub(" ", between)
        if not words or len(words) > 15 or _TITLE_PUNCTUATION.search(_ABBREVIATION_DOTS.sub("", uncoded)):
            continue
        if not _inside_a_title(position.sub(" ", uncoded).split(), org_words, position):
            continue
        if any(_looks_like_person(p.group(0)) and not position.match(between, p.start())
               for p in _PERSON_RE.finditer(between)):
            continue  # another person's name in between
        return m.start(), m.start() + len(between.rstrip(" -–"))
    return None


_PLACE_WORDS = [w.replace("_", " ") for w in """tỉnh huyện xã phường quận thị_trấn thị_xã thành_phố tp. tp tx. tx
                đường phố thôn ấp bản xóm báo đài trường chùa đền cầu sông núi hồ công_ty tập_đoàn""".split()]
_PLACE_WORD_BEFORE = re.compile(rf"(?:{'|'.join(map(re.escape, _PLACE_WORDS))})\s+$", re.I)


def extract(doc: Doc) -> list[OfficialFact]:
    v = view(doc)
    text, norm = v.text, v.norm  # match on norm ("Thiếu uý" = "Thiếu úy"), cut from text
    rank_before, _, _ = _vocab()
    lex = get_lexicon()
    people: dict[str, OfficialFact] = {}
    spans, starts = v.words, word_starts(doc)

    for s_start, s_end in v.sents:
        for m in _PERSON_RE.finditer(norm, s_start, s_end):
            ns, ne = _name_span(norm, m.start(), m.end(), lex.honorifics)
            if ne is None or _cuts_a_word(spans, starts, ne):
                continue  # "Bí thư Đoàn Thanh niên": "Thanh" belongs to the word "Thanh niên"
            name = text[ns:ne]
            lead_start = max(s_start, ns - 40)
            lead = norm[lead_start:ns]
            if fold(name) in _NOT_OFFICIALS or (search_end(_PLACE_WORD_BEFORE, lead, _PLACE_WORDS)
                                                and _names_a_place(name)):
                continue
            if _is_a_delegation(name):
                continue
            if fold(name) in _province_names() and not rank_before.search(lead):
                continue  # "Giám đốc Công an Hà Nội": the organisation's province, not a person
            rank_m = rank_before.search(lead)
            rank = lex.ranks.get(fold(rank_m.group("rank"))) if rank_m else None
            # what comes before the rank (or the name): a position, an honorific
            head_end = lead_start + rank_m.start() if rank_m else ns
            after = _titles_after(norm, ne, s_end)
            clause_start = _clause_start(norm, s_start, head_end)
            before = _title_before(norm, clause_start, head_end)
            if before is None and rank_m and norm[clause_start - 1 : clause_start] == ",":
                comma = clause_start - 1
                prev_start = _clause_start(norm, s_start, comma)
                before = _title_before(norm, prev_start, comma)
            if before is not None:
                before = _chained_before(norm, s_start, before)
            has_surname = fold(name.split()[0]) in lex.surnames
            honorific = _HONORIFIC.search(norm, max(s_start, head_end - 12), head_end)
            # no rank, no position: a resident quoted, a byline, not an official; a name of
            # no Kinh surname ("Ông Y Phăng Niê, phó chủ tịch …") is one with an honorific
            if rank is None and not ((has_surname or (honorific and after)) and (after or before)):
                continue
            # positions after the name as written, with their commas or dashes
            # ("Uỷ viên Bộ Chính trị - Bộ trưởng Bộ Công an")
            title = text[after[0][0] : after[-1][1]] if after else (text[before[0] : before[1]] if before else None)
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


def _clause_start(norm: str, s_start: int, end: int) -> int:
    """Where the clause before ``end`` begins: after the last ",;:(" of the sentence, but
    not inside an organisation's code in parentheses right before ``end`` ("(UBATGTQG)")."""
    code = _CODE_BEFORE.search(norm, max(s_start, end - 30), end)
    if code:
        end = code.start()
    return max([s_start] + [norm.rfind(c, s_start, end) + 1 for c in ",;:("])


_MAX_CHAINED = 4  # positions before one name; bounds the walk back on a pathological sentence


def _chained_before(norm: str, s_start: int, span: tuple[int, int]) -> tuple[int, int]:
    """"Phó Bí thư Tỉnh ủy, Chủ tịch UBND tỉnh Nguyễn Văn A": the positions chained by
    commas before the one right before the name, each a whole clause from its head."""
    start = span[0]
    for _ in range(_MAX_CHAINED):
        if norm[start - 2 : start] != ", ":
            break
        comma = start - 2
        prev_start = _clause_start(norm, s_start, comma)
        while prev_start < comma and norm[prev_start].isspace():
            prev_start += 1
        prev = _title_before(norm, prev_start, comma)
        if prev is None or prev[1] != comma:
            break
        # the clause must be the position alone, not "Dự hội nghị có Phó Bí thư …"
        lead = norm[prev_start : prev[0]].strip()
        if lead and not _HONORIFIC.search(lead + " ") and not re.search(r"(?:có|gồm|của|cùng|và|với)$", lead):
            break
        start = prev[0]
    return start, span[1]


# "Đoàn" is a surname and a delegation: before a unit's word ("Đoàn Phòng Cảnh sát …",
# "Đoàn Cục …") it is the delegation of that unit, no person.
_UNIT_HEADS_AFTER_DELEGATION = frozenset(fold(w) for w in "Phòng Cục Sở Ban Bộ Đội Viện Trường Hội Tổ Trạm Đồn Tỉnh Huyện".split())


def _is_a_delegation(name: str) -> bool:
    words = name.split()
    return fold(words[0]) == "đoàn" and len(words) > 1 and fold(words[1]) in _UNIT_HEADS_AFTER_DELEGATION


def _cuts_a_word(spans: list[tuple[int, int]], starts: list[int], end: int) -> bool:
    """Does a name ending at ``end`` end inside a word of the segmenter's?"""
    i = bisect.bisect_right(starts, end - 1) - 1
    return i >= 0 and spans[i][1] > end


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
