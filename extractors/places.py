"""Administrative units the article names, resolved against the gazetteer.

How a unit is named:
  * a unit word and a proper name: "huyện Bình Lục", "TX Thái Hòa", "Phường 1",
    "H.Đắk Mil", "huyện biên giới Sốp Cộp", "tỉnh long An" (the last three only
    for units the gazetteer knows), and the names listed after it;
  * a province's name on its own: "Thanh Hóa được đánh giá…", "…, Nghệ An";
  * a name in parentheses or after a comma that holds the unit before it:
    "xã Yên Nhân (Thường Xuân)", "thị trấn Diêm Điền, Thái Thụy";
  * a district or commune without a unit word where the text says what it is:
    "Ba Vì, Hà Nội", "Vân Đồn là huyện …", "như Ba Chẽ, Bình Liêu, Hải Hà".
  * provinces by their aliases and dash variants ("TP. HCM", "Sài Gòn", "Thừa Thiên – Huế"),
    and district-level units named bare after a preposition ("tại Cần Giờ", "đến Nha
    Trang, Đà Lạt").
Each mention's candidates are scored by the article's context — the provinces
it names, the other units it names, the unit word — so "huyện Hòa Bình" in a
Bạc Liêu article is Bạc Liêu's district, not the province of Hòa Bình; a unit's own
address ("xã A, huyện B, tỉnh C", "huyện X (Thanh Hóa)") weighs most.  Units
are those of the article's era (legacy before 1 July 2025, the 2025 ones after;
guessed from the communes when undated), provinces named as they were then.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from spacy.tokens import Doc

from extractors.base import UPPER, lower_norm, provenance, view
from gazetteer import Unit, get_gazetteer, name_key
from gazetteer.former import spelling
from gazetteer.history import name_on, written_keys
from gazetteer.lexicon import get_lexicon
from pipeline.schema import PlaceFact
from pipeline.text import fold

NAME = "places"
VERSION = "8"
REQUIRES = ("text", "norm", "published")
ASSIGNS = ("place_mentions", "main_province")

# unit word as written (folded) -> (level, kinds it may denote)
UNIT_WORDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "tỉnh": ("tỉnh", ("tỉnh",)),
    "thành phố": ("?", ("thành phố",)),  # centrally-run city (tỉnh) or provincial city (huyện)
    "tp": ("?", ("thành phố",)),
    "huyện": ("huyện", ("huyện",)),
    "h": ("huyện", ("huyện",)),
    "quận": ("huyện", ("quận",)),
    "q": ("huyện", ("quận",)),
    "thị xã": ("huyện", ("thị xã",)),
    "tx": ("huyện", ("thị xã",)),
    "xã": ("xã", ("xã",)),
    "phường": ("xã", ("phường",)),
    "p": ("xã", ("phường",)),
    "thị trấn": ("xã", ("thị trấn",)),
    "tt": ("xã", ("thị trấn",)),
    "đặc khu": ("xã", ("đặc khu",)),
    # the police of a unit, abbreviated in police reports: "CAQ Thanh Xuân", "CAH Lý Sơn"
    "caq": ("huyện", ("quận",)),
    "cah": ("huyện", ("huyện",)),
    "catx": ("huyện", ("thị xã",)),
    "catp": ("?", ("thành phố",)),
    "cax": ("xã", ("xã",)),
    "cap": ("xã", ("phường",)),
}
# Abbreviations that also start other things (initials "H. Nam"): a name after them
# must be a known unit of that level.
_ABBREVIATED = frozenset({"h", "q", "p", "tt"})
# "CAQ", "CATP": a name after them must be a known unit too
_POLICE_OF = frozenset({"caq", "cah", "catx", "catp", "cax", "cap"})
# A syllable of a unit's name: "Cư M'gar", "Đắk R'Lấp" keep their apostrophe.
_SYL = rf"[{UPPER}][\w'’]*"
_SP = r"[^\S\n]"  # a space that is not a line break: a name never runs across lines
# a name: capitalised syllables joined by spaces or hyphens ("Phan Rang-Tháp Chàm"),
# or a number ("Phường 1"); a number may end it ("Mỹ Đình 1")
_NAME = rf"(?:{_SYL}|\d{{1,2}}\b)(?:(?:{_SP}|-)+{_SYL}){{0,4}}(?:{_SP}\d{{1,2}}\b)?"


def _descriptors() -> str:
    return "|".join(re.escape(d) for d in get_lexicon().unit_descriptors)


_UNIT_MENTION = re.compile(
    r"(?<![\wÀ-ỹ'’.])(?P<unit>(?i:thành phố|thị xã|thị trấn|đặc khu|tỉnh|huyện|quận|phường|xã)|TP\.?|Tp\.?|TX\.?|TT\.|H\.|Q\.|P\."
    r"|CATP|CATX|CA[QHXP](?=\s))"
    rf"{_SP}*(?:(?P<desc>(?i:{_descriptors()})){_SP}+)?"
    # a name, or one written with a lower-case first syllable ("tỉnh long An")
    rf"(?:(?P<name>{_NAME})|(?P<lname>[a-zà-ỹđ]+{_SP}{_SYL}(?:{_SP}{_SYL}){{0,3}}))"
)
# Where a unit word may start, found in the lower-cased text (fast); _UNIT_MENTION is
# then matched there in the text as written.
_UNIT_WORD_LOWER = re.compile(r"(?:thành phố|thị xã|thị trấn|đặc khu|tỉnh|huyện|quận|phường|xã|tp|tx|tt\.|h\.|q\.|p\.|ca[qhxpt])")
# capitalised syllables joined by spaces or dashes ("Thừa Thiên – Huế", "Thừa Thiên-Huế")
_CAP_RUN = re.compile(rf"(?<![\wÀ-ỹ'’]){_SYL}(?:(?:{_SP}|[-–])+{_SYL})+")
_PAREN = re.compile(rf"{_SP}*\(\s*(?P<name>{_SYL}(?:\s+{_SYL}){{0,3}})\s*\)")
# A province name after these is part of another name: a street, a pagoda, a person.
_NOT_PLACE_BEFORE = re.compile(
    r"(?:đường|phố|ngõ|hẻm|chùa|đình|đền|sông|núi|cầu|hồ|bến|chợ|cảng|sân bay|tư tưởng|phong cách|Chủ tịch|Bác|lăng)\s+$",
    re.I,
)
_PERSON_NAMES = {"hồ chí minh"}  # a province name that is far more often a person's


@dataclass
class Mention:
    start: int
    end: int
    name: str  # as written, without the unit word
    level: str  # "tỉnh" | "huyện" | "xã" | "?" (thành phố, decided by the candidates)
    kinds: tuple[str, ...]
    kind_word: str | None
    candidates: list[Unit]
    parent_hint: str | None = None  # folded name given in parentheses after it
    unit: Unit | None = None
    province: str | None = None
    children: list["Mention"] = field(default_factory=list)


def _lookup(name: str, level: str, kinds: tuple[str, ...]) -> list[Unit]:
    """Units of that level called ``name``, those of the written kind first: a
    "thị xã" since become a "thành phố", a "xã" since become a "phường" is still the
    unit the text names, and the district named beside it tells them apart."""
    found = get_gazetteer().lookup(name)
    if level == "?":
        return [u for u in found if u.kind in kinds or u.level == "tỉnh" and u.kind == "thành phố"]
    at_level = [u for u in found if u.level == level]
    return sorted(at_level, key=lambda u: u.kind not in kinds)


def _longest_known(words: list[str], level: str, kinds: tuple[str, ...]) -> tuple[int, list[Unit]]:
    for n in range(len(words), 0, -1):
        found = _lookup(" ".join(words[:n]), level, kinds)
        if found:
            return n, found
    return 0, []


def _unit_word_mentions(doc: Doc) -> list[Mention]:
    """"huyện Bình Lục", "TX Thái Hòa", "Phường 1", "H.Đắk Mil", "huyện biên giới Sốp
    Cộp", and the names listed after one ("tại các xã Thanh Xương, Noong Hẹt, Na Tông")."""
    v = view(doc)
    text, norm = v.text, v.norm
    mentions: list[Mention] = []
    last_end = 0
    for start in _UNIT_WORD_LOWER.finditer(lower_norm(doc)):
        m = _UNIT_MENTION.match(norm, start.start()) if start.start() >= last_end else None
        if m is None:
            continue
        last_end = m.end()
        word = fold(m.group("unit")).rstrip(".")
        level, kinds = UNIT_WORDS[word]
        group = "name" if m.group("name") else "lname"
        raw = m.group(group)
        words = raw.split()
        n, found = _longest_known(words, level, kinds)
        if 0 < n < len(words) and words[n] in _NAME_SUFFIXES and not strict_word(m):
            n, found = 0, []  # "xã Hòa Phong Tây": not "Hòa Phong", a commune the table lacks
        # an abbreviation, a descriptive word, a lower-case syllable: only a known unit
        strict = word in _ABBREVIATED or word in _POLICE_OF or m.group("desc") or group == "lname"
        if word in _ABBREVIATED and re.search(rf"{_SYL}{_SP}*$", norm[max(0, m.start() - 12) : m.start()]):
            continue  # "Nguyễn H. Nam": an initial inside a person's name
        if n == 0:
            # Not in the gazetteer (renamed, merged, misspelt): keep a short proper
            # name after a commune- or district-level word; provinces are a closed list.
            if strict or level in ("tỉnh", "?") or len(words) > 3 or raw[0].isdigit() and level != "xã":
                continue
            if len(words[0]) > 1 and words[0].isupper():
                continue  # "huyện TP. …", "xã UBND": an abbreviation, not a name
            if fold(words[0]) in get_lexicon().surnames and len(words) >= 3:
                continue  # "UBND xã Trần Thị Cúc": a person after a title, not a commune
            if words[-1].isdigit() and len(words) > 1:
                words = words[:-1]  # "xã Tân Lập 2 lần": the number is not part of the name
            n = min(len(words), 3 if len(words) >= 3 and words[2] in _NAME_SUFFIXES else 2)
        elif strict and group == "lname" and n < 2:
            continue
        name_start = m.start(group)
        name_end = name_start + len(" ".join(words[:n]))
        if level == "?":
            levels = {u.level for u in found}
            level = levels.pop() if len(levels) == 1 else "?"
        kind_word = kinds[0] if word in _POLICE_OF else word  # "CAQ Thanh Xuân": a quận
        mention = Mention(m.start(), name_end, text[name_start:name_end], level, kinds, kind_word, found)
        listed = [mention, *_listed_after(doc, mention)]
        paren = _PAREN.match(norm, listed[-1].end)
        if paren:  # "xã A, B và C (huyện D)": D holds them all
            for x in listed:
                x.parent_hint = _hint(paren.group("name"))
        mentions.extend(listed)
    _share_parent_hints(norm, mentions)
    return mentions


# Syllables that end a unit's name as a part of it ("Tân Thạnh Đông", "Vĩnh Lộc A").
_NAME_SUFFIXES = frozenset("Đông Tây Nam Bắc Trung Thượng Hạ A B C".split())


def strict_word(m: re.Match) -> bool:
    word = fold(m.group("unit")).rstrip(".")
    return word in _ABBREVIATED or word in _POLICE_OF or bool(m.group("desc")) or not m.group("name")


_LIST_GLUE = re.compile(rf"{_SP}*(?:,|và|,{_SP}*và){_SP}*$")


# a unit word before the name in parentheses: "(TP Phủ Lý)", "(Thị xã Hoàng Mai)"
_HINT_WORD = re.compile(r"^(?:(?:tp|tx|h|q)\.?|thành phố|thị xã|huyện|quận)\s+(?=\S)")


def _hint(name: str) -> str:
    return _HINT_WORD.sub("", fold(name), count=1)


def _share_parent_hints(norm: str, mentions: list[Mention]) -> None:
    """"xã A, xã B (D)": the district in parentheses after the last of a row of
    units of one level holds the others too."""
    for prev, cur in zip(reversed(mentions[:-1]), reversed(mentions[1:])):
        if (cur.parent_hint and prev.parent_hint is None and prev.level == cur.level
                and _LIST_GLUE.match(norm[prev.end : cur.start])):
            prev.parent_hint = cur.parent_hint


_LIST_NEXT = re.compile(rf"{_SP}*(?:,|và|,{_SP}*và|(?P<dash>[-–])){_SP}*(?P<name>{_SYL}(?:{_SP}+{_SYL}){{0,3}}(?:{_SP}\d{{1,2}}\b)?)")


def _listed_after(doc: Doc, first: Mention) -> list[Mention]:
    """Names that continue a list opened by a unit word, while they are units of that
    level; a name that is the district or province holding the unit before it ends the
    list and is named as that ("thị trấn Diêm Điền, Thái Thụy, Thái Bình")."""
    out: list[Mention] = []
    end, previous = first.end, first
    gaz = get_gazetteer()
    text, norm = view(doc).text, view(doc).norm
    while (m := _LIST_NEXT.match(norm, end)) is not None:
        words = m.group("name").split()
        s = m.start("name")
        holders = _holders(gaz, previous, words)
        if holders:
            # the address goes on upward: the unit before lies in this one
            n, units = holders
            e = s + len(" ".join(words[:n]))
            level = units[0].level
            if level == "tỉnh":
                break  # the province: found as such by the bare-province pass
            previous.parent_hint = previous.parent_hint or fold(" ".join(words[:n]))
            parent = Mention(s, e, text[s:e], level, (), None, units)
            out.append(parent)
            end, previous = e, parent
            continue
        if m.group("dash"):
            break  # after a dash only the unit's district or province: "thị trấn Nếnh - Việt Yên"
        n, found = _longest_known(words, first.level, first.kinds)
        if n == 0 or first.level not in ("xã", "huyện") or previous is not first and previous.level != first.level:
            break
        e = s + len(" ".join(words[:n]))
        previous = Mention(s, e, text[s:e], first.level, first.kinds, first.kind_word, found)
        out.append(previous)
        end = e
    return out


def _holders(gaz, inner: Mention, words: list[str]) -> tuple[int, list[Unit]] | None:
    """The longest name at the start of ``words`` that is a district or province holding
    one of ``inner``'s candidates, with those holding units."""
    ancestors: dict[str, list[Unit]] = {}
    for u in inner.candidates:
        for a in gaz.ancestors(u):
            ancestors.setdefault(fold(a.name), []).append(a)
    for n in range(len(words), 0, -1) if ancestors else ():
        key = fold(" ".join(words[:n]))
        if key in ancestors:
            return n, ancestors[key]
    if inner.level != "xã":
        return None
    # "phường Yên Đổ, Pleiku": a district-level name after a commune, not a commune of the
    # same district, is the commune's district even where the table lost the commune
    districts = {u.district_code for u in inner.candidates if u.district_code}
    for n in range(len(words), 0, -1):
        found = gaz.lookup(" ".join(words[:n]))
        holders = [u for u in found if u.level == "huyện"]
        if holders:
            siblings = [u for u in found if u.level == "xã" and u.district_code in districts]
            return None if siblings else (n, holders)
    return None


class _Taken:
    """Character offsets already claimed by a mention (a mask: O(length) per check)."""

    def __init__(self, size: int, spans: list[tuple[int, int]]):
        self.mask = bytearray(size + 1)
        for s, e in spans:
            self.add(s, e)

    def free(self, s: int, e: int) -> bool:
        return not any(self.mask[s:e])

    def add(self, s: int, e: int) -> None:
        self.mask[s:e] = b"\x01" * (e - s)


def _bare_province_mentions(doc: Doc, named: list[Mention], taken: _Taken) -> list[Mention]:
    """Province names without a unit word ("Thanh Hóa được đánh giá…", "…, Nghệ An").

    A name the article also gives to a district or commune ("xã Thanh Hóa") and
    never to a province ("tỉnh …") is that unit when it stands alone.
    """
    v = view(doc)
    text, norm = v.text, v.norm
    provinces = get_gazetteer().province_keys()  # names, dash variants, aliases ("Sài Gòn")
    surnames = get_lexicon().surnames
    lower = {fold(m.name): m for m in named if m.level in ("huyện", "xã")}
    explicit = {fold(m.name) for m in named if m.level == "tỉnh"}
    # "huyện Thọ Xuân (Thanh Hóa)": a province's name in parentheses after a district is the
    # province, even where the article also names the city of that name
    after_district = {_PAREN.match(norm, m.end).start("name") for m in named
                      if m.level in ("huyện", "?") and m.parent_hint and _PAREN.match(norm, m.end)}
    out: list[Mention] = []
    firsts = _province_first_syllables()
    for m in _CAP_RUN.finditer(norm):
        words = m.group(0).split()
        if not any(w.lower() in firsts for w in words):
            continue  # norm is retoned: lower() is the folded key
        for i in range(len(words)):
            # up to four syllables, and the dash of "Bà Rịa - Vũng Tàu"
            for n in range(min(6, len(words) - i), 1, -1):
                if n - sum(w in "-–" for w in words[i : i + n]) > 4:
                    continue
                name = " ".join(words[i : i + n])
                key = name_key(name) if "-" in name or "–" in name else fold(name)
                if key not in provinces or key in _PERSON_NAMES:
                    continue
                s = m.start() + len(" ".join(words[:i])) + (1 if i else 0)
                e = s + len(name)
                if not taken.free(s, e) or _NOT_PLACE_BEFORE.search(norm[max(0, s - 15) : s]):
                    continue
                if 1 <= i <= 2 and fold(words[0]) in surnames and i + n == len(words):
                    continue  # "Phó Thủ tướng Trương Hòa Bình": a person named like a province
                if key in lower and key not in explicit and s not in after_district:
                    twin = lower[key]
                    out.append(Mention(s, e, text[s:e], twin.level, twin.kinds, twin.kind_word, twin.candidates))
                else:
                    found = get_gazetteer().lookup(name, level="tỉnh")
                    out.append(Mention(s, e, text[s:e], "tỉnh", ("tỉnh", "thành phố"), None, found))
                taken.add(s, e)
                break
    return out


@lru_cache(maxsize=1)
def _province_first_syllables() -> frozenset[str]:
    return frozenset(name.split()[0] for name in get_gazetteer().province_keys())


def _parent_mentions(doc: Doc, named: list[Mention], taken: _Taken) -> list[Mention]:
    """"(Bình Lục)" after a commune: the district (or province) it lies in."""
    out: list[Mention] = []
    for mention in named:
        if mention.parent_hint is None:
            continue
        paren = _PAREN.match(view(doc).norm, mention.end)
        if paren is None:
            continue  # a hint shared from the last unit of a row
        s, e = paren.start("name"), paren.end("name")
        if not taken.free(s, e):
            continue
        wanted = "huyện" if mention.level == "xã" else "tỉnh"
        found = get_gazetteer().lookup(paren.group("name"), level=wanted)
        if found:
            out.append(Mention(s, e, view(doc).text[s:e], wanted, (), None, found))
            taken.add(s, e)
    return out


# Words before a capitalised name that make it a village, a body or a building
# of that name, not the commune or district itself.
_NOT_UNIT_BEFORE = re.compile(
    r"(?:thôn|bản|ấp|xóm|làng|buôn|phum|sóc|khóm|khối|tổ|đội|khu|khu phố|tổ dân phố|tiểu khu|"
    r"nhà máy|công ty|trường|bệnh viện|trạm|đồn|chùa|đình|đền|nhà thờ|giáo xứ|giáo họ|cầu|sông|núi|hồ|đèo|"
    r"đường|phố|ngõ|hẻm|chợ|cảng|sân bay|bến|cửa khẩu|quốc lộ|công an|ubnd|hđnd|ban|hội|đoàn|"
    r"ông|bà|anh|chị|em|cháu|cụ|đồng chí|họ|dòng họ|gia đình)\s+$",
    re.I,
)
# "Ba Vì, Hà Nội", "Ba Vì (Hà Nội)", "Ba Vì - Hà Nội": a unit, then the province it lies in
_THEN_PROVINCE = re.compile(rf"{_SP}*(?:,|\(|-|–){_SP}*(?:tỉnh{_SP}+|thành phố{_SP}+|TP\.?{_SP}*)?$", re.I)
# "Vân Đồn là huyện …": a name the sentence says is a unit
_IS_A_UNIT = re.compile(
    # starts on the literal "là", which the regex engine finds fast
    rf"là{_SP}+(?:một{_SP}+)?(?:(?:trong|một){_SP}+(?:những|các){_SP}+)?"
    r"(?P<word>huyện|quận|thị xã|thành phố|xã|phường|thị trấn|địa phương|địa bàn)\b",
    re.I,
)
_CAP_RUN_BEFORE = re.compile(rf"(?<![\wÀ-ỹ'’]){_SYL}(?:(?:{_SP}|-)+{_SYL})+$")
# a list of bare names: "các địa bàn như A, B, C…", "gồm A, B và C"
_BARE_LIST = re.compile(
    rf"(?:như|gồm|là|:){_SP}+(?P<items>{_SYL}(?:{_SP}+{_SYL}){{0,3}}(?:{_SP}*(?:,|và|,{_SP}*và){_SP}*{_SYL}(?:{_SP}+{_SYL}){{0,3}})+)",
)
_LIST_CUE = re.compile(r"như |gồm |là |: ")  # where a list may start, found in the lower-cased text
_LIST_ITEM = re.compile(rf"{_SYL}(?:{_SP}+{_SYL}){{0,3}}")
_LEADING_FUNCTION_WORDS = frozenset(fold(w) for w in "Tại Ở Từ Đến Về Và Cả Còn Riêng Trong Với Thuộc".split())


def _in_province(name: str, province: str, era: str, levels: tuple[str, ...] = ("huyện", "xã")) -> tuple[str, list[Unit]] | None:
    """The level and units of ``name`` inside ``province``, the larger level first."""
    found = [u for u in get_gazetteer().lookup(name) if u.level in levels and _province_in_era(u, era) == province
             and (era != "legacy" or u.era == "legacy")]
    for level in levels:
        units = [u for u in found if u.level == level]
        if units:
            return level, units
    return None


def _bare_mention(doc: Doc, s: int, e: int, level: str, units: list[Unit]) -> Mention:
    return Mention(s, e, view(doc).text[s:e], level, (), None, units)


def _bare_unit_mentions(doc: Doc, known: list[Mention], taken: _Taken, era: str) -> list[Mention]:
    """Districts and communes named without a unit word, where the text says what they are:
    "Ba Vì, Hà Nội", "Vân Đồn là huyện …", a list "như Ba Chẽ, Bình Liêu, Hải Hà" of
    units of the article's province."""
    norm = view(doc).norm
    out: list[Mention] = []
    provinces = [m for m in known if m.level == "tỉnh" and m.candidates]
    # "Name, Province"
    for p in provinces:
        province = _province_in_era(p.candidates[0], era)
        glue = _THEN_PROVINCE.search(norm, max(0, p.start - 12), p.start)
        if glue is None:
            continue
        run = re.search(rf"(?:{_SYL}(?:(?:{_SP}|-)+{_SYL}){{0,5}})$", norm[max(0, glue.start() - 60) : glue.start()])
        if run is None:
            continue
        words = run.group(0).split()
        k = 0  # "Tại Ba Vì, Hà Nội", "UBND Ba Vì, Hà Nội": the name is the rest of the run
        while k < len(words) - 1 and (fold(words[k]) in _LEADING_FUNCTION_WORDS or words[k].isupper()):
            k += 1
        name = " ".join(words[k:])
        s, e = glue.start() - len(name), glue.start()
        if not taken.free(s, e) or _NOT_UNIT_BEFORE.search(norm[max(0, s - 16) : s]):
            continue
        hit = _in_province(name, province, era)
        if hit:
            out.append(_bare_mention(doc, s, e, hit[0], hit[1]))
            taken.add(s, e)
    main, votes = _main_province(known + out, era)
    if main is None:
        return out
    named_provinces = sorted({_province_in_era(u, era) for p in provinces for u in p.candidates}, key=lambda x: (-votes[x], x))
    # "Name là huyện …" and lists of bare names: units of the article's province
    for said in _IS_A_UNIT.finditer(norm):
        if said.start() == 0 or not norm[said.start() - 1].isspace():
            continue
        run = _CAP_RUN_BEFORE.search(norm, max(0, said.start() - 60), said.start() - 1)
        if run is None:
            continue
        s, e = run.start(), run.end()
        if not taken.free(s, e):
            continue
        word = fold(said.group("word"))
        levels = ("huyện", "xã") if word in ("địa phương", "địa bàn") else (UNIT_WORDS.get(word, ("huyện",))[0],)
        if levels == ("?",):
            levels = ("huyện",)
        words = run.group(0).split()
        if fold(words[0]) in _LEADING_FUNCTION_WORDS:
            s += len(words[0]) + 1
        hit = _in_province(norm[s:e], main, era, levels)
        if hit and not _NOT_UNIT_BEFORE.search(norm[max(0, s - 16) : s]):
            out.append(_bare_mention(doc, s, e, hit[0], hit[1]))
            taken.add(s, e)
    for cue in _LIST_CUE.finditer(lower_norm(doc)):
        lst = _BARE_LIST.match(norm, cue.start())
        if lst is None:
            continue
        if _NOT_UNIT_BEFORE.search(norm[max(0, lst.start() - 16) : lst.start()]):
            continue
        items = [(i.start(), i.end()) for i in _LIST_ITEM.finditer(norm, lst.start("items"), lst.end("items"))]
        for province in named_provinces:  # the list's units lie in one province the article names
            hits = [(a, b, _in_province(norm[a:b], province, era)) for a, b in items]
            if all(hit is not None or not taken.free(a, b) for a, b, hit in hits):
                for a, b, hit in hits:
                    if hit is not None and taken.free(a, b):
                        out.append(_bare_mention(doc, a, b, hit[0], hit[1]))
                        taken.add(a, b)
                break
    return out


_FORMER_AFTER = re.compile(r"\s*\(?\s*(?:cũ|trước đây|trước sáp nhập)\b", re.I)


def _guess_era(doc: Doc, named: list[Mention]) -> str:
    """For an article of unknown date: the era whose units fit what it names.  A unit
    called former ("tỉnh Hà Giang (cũ)") means it was written after the reform; a
    commune that lies in a province the article names in one era only, or exists in
    one era only, counts for that era; a district (abolished by the reform) for the
    legacy one."""
    norm = view(doc).norm
    provinces = {era: {u.province for m in named if m.level == "tỉnh" for u in m.candidates if u.era == era}
                 for era in ("legacy", "2025")}
    fit = {"legacy": 0.0, "2025": 0.0}
    for m in named:
        if _FORMER_AFTER.match(norm, m.end):
            fit["2025"] += 3
            continue
        if m.level == "tỉnh":
            continue
        eras = {u.era for u in m.candidates}
        if m.level == "huyện" and "legacy" in eras:
            fit["legacy"] += 0.5
        for era in ("legacy", "2025"):
            if era in eras and len(eras) == 1:
                fit[era] += 1
            if any(u.era == era and _province_in_era(u, era) in provinces[era] for u in m.candidates):
                fit[era] += 1
    return "2025" if fit["2025"] > fit["legacy"] else "legacy"


def _find_mentions(doc: Doc, published: date | None) -> tuple[list[Mention], str]:
    named = _unit_word_mentions(doc)
    era = era_of(published) if published is not None else _guess_era(doc, named)
    taken = _Taken(len(view(doc).norm), [(m.start, m.end) for m in named])
    mentions = named + _bare_province_mentions(doc, named, taken) + _parent_mentions(doc, named, taken)
    mentions += _bare_unit_mentions(doc, mentions, taken, era)
    if era == "legacy":  # districts were abolished by the reform
        mentions += _bare_district_mentions(doc, mentions, taken)
    mentions.sort(key=lambda x: x.start)
    abroad = _abroad_after()
    norm = view(doc).norm
    return [m for m in mentions if not abroad.match(norm, m.end)], era


@lru_cache(maxsize=1)
def _abroad_after() -> re.Pattern[str]:
    """A country written right after a place, alone or after a unit of its own: "thị trấn
    Hà Khẩu, tỉnh Vân Nam (Trung Quốc)", "tỉnh Champasak, Lào": the place is abroad."""
    countries = "|".join(re.escape(c) for c in get_lexicon().countries)
    return re.compile(
        rf"(?:{_SP}*,{_SP}*(?i:tỉnh|thành phố|huyện|bang)?{_SP}*{_SYL}(?:{_SP}+{_SYL}){{0,3}})?"
        rf"{_SP}*(?:,|\(|-|–){_SP}*(?:{countries})(?![\w'’])"
    )


# "tại Cần Giờ", "đến Nha Trang, Đà Lạt, Vũng Tàu": district-level units named bare after a
# preposition, alone or in a list (found from the preposition in the lower-cased text)
_PREPOSITION = re.compile(r"(?<!\w)(?:tại|ở|đến|về|từ|khắp|như) ")
_BARE_RUN_LIST = re.compile(
    rf"(?P<items>{_SYL}(?:{_SP}+{_SYL}){{1,3}}(?:{_SP}*(?:,|và|,{_SP}*và){_SP}*{_SYL}(?:{_SP}+{_SYL}){{1,3}})*)"
    rf"(?![\wÀ-ỹ'’]|{_SP}+{_SYL}|{_SP}*[(\-–])"
)
_RUN_ITEM = re.compile(rf"{_SYL}(?:{_SP}+{_SYL}){{1,3}}")


def _bare_district_mentions(doc: Doc, known: list[Mention], taken: _Taken) -> list[Mention]:
    """District-level units named without a unit word after a preposition ("tại Cần Giờ",
    "đến Nha Trang, Đà Lạt, Vũng Tàu"), each item a whole capitalised run that the
    gazetteer knows as a district; a name several provinces share only in the article's
    province; a commune of the district named after it ("ở Hoà An, Cẩm Lệ")."""
    norm = view(doc).norm
    main, _ = _main_province(known, "legacy")
    gaz = get_gazetteer()
    out: list[Mention] = []
    for cue in _PREPOSITION.finditer(lower_norm(doc)):
        if not norm[cue.end() : cue.end() + 1].isupper():
            continue
        lst = _BARE_RUN_LIST.match(norm, cue.end())
        if lst is None or _NOT_UNIT_BEFORE.search(norm, max(0, cue.start() - 16), cue.start()):
            continue  # "các trục đường như Ngô Quyền, Trường Chinh": streets
        items = list(_RUN_ITEM.finditer(norm, lst.start("items"), lst.end("items")))
        found = []
        for k, item in enumerate(items):
            a, b = item.start(), item.end()
            if not taken.free(a, b):
                found.append(None)  # a province or unit found by another pass
                continue
            found_all = [u for u in gaz.lookup(item.group(0)) if u.era == "legacy"]
            # "ở Hoà An, Cẩm Lệ, Đà Nẵng": a commune of the district named after it
            district = {u.code for u in gaz.lookup(items[k + 1].group(0), level="huyện")} if k + 1 < len(items) else set()
            communes = [u for u in found_all if u.level == "xã" and u.district_code in district]
            if communes:
                found.append(_bare_mention(doc, a, b, "xã", communes))
                continue
            units = [u for u in found_all if u.level == "huyện"]
            if len({u.province for u in units}) > 1:
                units = [u for u in units if u.province == main]
            if not units or len({u.province for u in units}) > 1:
                break  # a list of places holds places only ("Ngô Quyền, … Nguyễn Văn Linh")
            if main is not None and units[0].province != main and any(u.province == main for u in found_all):
                break  # a unit of another level in the article's province, not a district elsewhere
            found.append(_bare_mention(doc, a, b, "huyện", units))
        else:
            for mention in found:
                if mention is not None:
                    out.append(mention)
                    taken.add(mention.start, mention.end)
    return out


def era_of(published: date | None) -> str:
    """The units an article names: the 34 provinces of 2025 from 1 July 2025, else the
    legacy ones (also when the date is unknown: most reports predate the reform)."""
    return "2025" if published is not None and published >= REFORM else "legacy"


REFORM = date(2025, 7, 1)


def _province_in_era(u: Unit, era: str) -> str:
    """The province a unit lies in as an article of ``era`` names it: after the reform
    a former unit lies in its 2025 province (Thái Bình's communes in Hưng Yên)."""
    return u.province_2025 if era == "2025" and u.level != "tỉnh" else u.province


def _candidates(m: Mention, era: str) -> list[Unit]:
    """Before the reform the 2025 units did not exist yet."""
    if era == "legacy":
        return [u for u in m.candidates if u.era == "legacy"]
    return m.candidates


def _main_province(mentions: list[Mention], era: str) -> tuple[str | None, Counter]:
    """The article's province: the one it names most, directly or through its units."""
    votes: Counter = Counter()
    first_seen: dict[str, int] = {}
    for m in mentions:
        units = _candidates(m, era)
        written_kind = [u for u in units if u.kind in m.kinds] or units
        provs = sorted({_province_in_era(u, era) for u in written_kind})  # sorted: sums and ties never depend on hashing
        if not provs:
            continue
        weight = 3.0 if m.level == "tỉnh" else 1.0
        for p in provs:
            votes[p] += weight / len(provs)
            first_seen.setdefault(p, m.start)
    if not votes:
        return None, votes
    # ties go to the province the article names first
    return max(votes, key=lambda p: (round(votes[p], 9), -first_seen[p])), votes


def _resolve(norm: str, mentions: list[Mention], published: date | None, era: str) -> str | None:
    gaz = get_gazetteer()
    main, votes = _main_province(mentions, era)
    named = {fold(m.name) for m in mentions}
    tinh = {_province_in_era(u, era) for m in mentions if m.level == "tỉnh" for u in _candidates(m, era)}
    chains = _address_chains(norm, mentions, era)
    for i, m in enumerate(mentions):
        best, best_score = None, float("-inf")
        held = _held_elsewhere(gaz, m, era)
        if held is not None:
            # the district named with it holds none of its namesakes: a commune the
            # table lost (merged, renamed); it lies in that district's province
            m.unit, m.province = None, held
            continue
        for u in _candidates(m, era):
            province = _province_in_era(u, era)
            score = votes.get(province, 0.0) + (2.0 if province == main else 0.0)
            ancestors = gaz.ancestors(u)
            # (a district named as the unit itself is not written beside it: "xã Mường Lát")
            if any(fold(a.name) in named and fold(a.name) != fold(m.name) for a in ancestors if a.level == "huyện"):
                score += 5.0
            if m.parent_hint and any(fold(a.name) == m.parent_hint for a in ancestors):
                score += 8.0
            # "xã A, huyện B, tỉnh C": each larger unit written with it that holds it
            for codes, provinces in chains.get(i, ()):
                if any(a.code in codes for a in ancestors) or (not codes and province in provinces):
                    score += 8.0
            if m.kinds and u.kind in m.kinds:
                score += 1.0
            if u.era == "2025" and era == "2025":
                score += 1.5
            if score > best_score:
                best, best_score = u, score
        if best is not None and m.level == "xã" and main is not None and _far_namesake(gaz, m, best, era, main, named, tinh):
            # "xã Bình Phú" in an article about Hà Nội that never names the province of the
            # namesake found: the article's own commune, one the table lost
            best = None
        written_in = next((p for _, p in chains.get(i, ()) if p), None)
        if best is not None and written_in and _province_in_era(best, era) not in written_in and len(written_in) == 1:
            # "xã Phú Bình, huyện Phú Tân, tỉnh Cà Mau": the address names the province; a
            # namesake elsewhere is not this commune (one the table lost)
            best = None
        district = next((codes for codes, _ in chains.get(i, ()) if codes), None) if m.level == "xã" else None
        if best is not None and district and not any(a.code in district for a in gaz.ancestors(best)):
            # "phường Phố Mới (thành phố Lào Cai)": the district written with it holds no namesake
            # found: a commune the table lost, in that district's province
            best = None
            provinces = {_province_in_era(gaz.get(c), era) for c in district}
            written_in = written_in or (frozenset(provinces) if len(provinces) == 1 else None)
        m.unit = best
        if best is not None:
            m.province = _province_in_era(best, era)
            if m.level == "?":
                m.level = best.level
        else:
            m.province = next(iter(written_in)) if written_in and len(written_in) == 1 else main
        if m.level == "?":
            m.level = "huyện"
    # a province as it was named then: Thừa Thiên Huế before 2025
    written = written_keys(m.name for m in mentions if m.level == "tỉnh")
    for m in mentions:
        if m.province is not None and era == "legacy":
            units = [u for u in gaz.lookup(m.province, level="tỉnh") if u.era == "legacy"]
            if units:
                then = name_on(units[0].code, m.province, published, written)
                if m.level == "tỉnh" and fold(then) != fold(m.province) and fold(m.name) == fold(m.province):
                    # "thành phố Huế" in 2023: the provincial city, the province's name was another
                    m.level, m.unit = "huyện", None
                m.province = then
    return main if main is None or era != "legacy" else _named_then(main, published, written)


# what joins a unit to the next larger one of its address; the next one's unit word is
# part of that one's mention
_ADDRESS_GLUE = re.compile(r"\s*(?:,|\(|[-–]|,?\s*thuộc)\s*")
_LEVEL_SIZE = {"xã": 0, "huyện": 1, "?": 1, "tỉnh": 2}


def _address_chains(norm: str, mentions: list[Mention], era: str) -> dict[int, list[tuple[frozenset[str], frozenset[str]]]]:
    """For each mention, the larger units written right after it as its address ("xã A,
    huyện B, tỉnh C", "xã A (B)"), read while each next unit is larger: for each, the
    codes of its candidates (a district) or the names it has in the article's era (a province)."""
    out: dict[int, list[tuple[frozenset[str], frozenset[str]]]] = {}
    for i in range(len(mentions) - 2, -1, -1):  # backwards: a chain is the next unit and its chain
        m, nxt = mentions[i], mentions[i + 1]
        if (_LEVEL_SIZE.get(nxt.level, 0) > _LEVEL_SIZE.get(m.level, 0) and 0 <= nxt.start - m.end <= 12
                and _ADDRESS_GLUE.fullmatch(norm, m.end, nxt.start)):
            units = _candidates(nxt, era)
            rest = out.get(i + 1, [])
            if nxt.level == "tỉnh":
                entry = (frozenset(), frozenset(_province_in_era(u, era) for u in units))
            else:
                # "huyện Phú Tân, tỉnh Cà Mau": the district of that province only
                written_in = next((p for _, p in rest if p), None)
                units = [u for u in units if not written_in or _province_in_era(u, era) in written_in] or units
                entry = (frozenset(u.code for u in units), frozenset())
            out[i] = [entry, *rest]
    return out


def _far_namesake(gaz, m: Mention, best: Unit, era: str, main: str, named: set[str], tinh: set[str]) -> bool:
    """Is ``best`` a namesake in a province the article never names, of a name found in
    several provinces, with nothing in the text (its district, a parent) tying it there?"""
    province = _province_in_era(best, era)
    if province == main or province in tinh or main not in tinh:
        return False
    if len({_province_in_era(u, era) for u in _candidates(m, era)}) < 2:
        return False
    return not any(fold(a.name) in named for a in gaz.ancestors(best) if a.level == "huyện")


def _held_elsewhere(gaz, m: Mention, era: str) -> str | None:
    if not m.parent_hint or m.level != "xã":
        return None
    if any(fold(a.name) == m.parent_hint for u in _candidates(m, era) for a in gaz.ancestors(u)):
        return None
    districts = [u for u in gaz.lookup(m.parent_hint) if u.level == "huyện" and (era != "legacy" or u.era == "legacy")]
    provinces = {_province_in_era(u, era) for u in districts}
    return provinces.pop() if len(provinces) == 1 else None


def _named_then(province: str, published: date | None, written: frozenset[str]) -> str:
    units = [u for u in get_gazetteer().lookup(province, level="tỉnh") if u.era == "legacy"]
    if not units:
        return province
    return name_on(units[0].code, province, published, written)


def extract(doc: Doc) -> list[PlaceFact]:
    v = view(doc)
    mentions, era = _find_mentions(doc, v.published)
    main = _resolve(v.norm, mentions, v.published, era)
    doc._.place_mentions = Mentions(mentions)
    doc._.main_province = main
    facts: dict[tuple[str, str, str | None], PlaceFact] = {}
    units_named: set[str] = set()
    named_levels: set[tuple[str, str]] = set()
    for m in mentions:
        # TX Duyên Hải and huyện Duyên Hải are two units of one name and level
        u = m.unit
        key = (fold(m.name), m.level, u.kind if u is not None else m.kind_word)
        if key in facts or (u is None and key[:2] in named_levels) or (u is not None and u.code in units_named):
            continue  # one unit written several ways ("TP. HCM", "Sài Gòn") is one place
        named_levels.add(key[:2])
        if u is not None:
            units_named.add(u.code)
        name = display_name(u, m)
        facts[key] = PlaceFact(
            name=name,
            level=m.level,
            province=m.province,
            kind=m.kind_word,
            unit_code=u.code if u else None,
            province_2025=u.province_2025 if u else None,
            lat=u.lat if u else None,
            lon=u.lon if u else None,
            extractor=f"{NAME}@{VERSION}",
            **provenance(doc, m.start, m.end),
        )
    return list(facts.values())


def display_name(u: Unit | None, m: Mention) -> str:
    """The gazetteer's spelling ("TP.HCM" -> "Hồ Chí Minh"), but never with a unit
    word in it: for "Phường 1" the proper name is "1", as written."""
    if u is None or fold(u.name).split()[0] in {w for k in UNIT_WORDS for w in k.split()}:
        return m.name
    name = u.name
    if u.level == "tỉnh" and m.province and fold(m.province) != fold(u.name):
        name = m.province  # as named then: Thừa Thiên Huế in a 2023 article
    if m.name[:1].isupper() and fold(m.name) != fold(name) and spelling(m.name) == spelling(name):
        return m.name  # dashes and spelling as written: "Phan Rang-Tháp Chàm", "Thừa Thiên - Huế", "Đăk Nông"
    return name


def scope_of(doc: Doc, mention: "Mention | None") -> tuple[str | None, str | None]:
    """(province, its 2025 province) a fact is about: its place's, else the article's main one."""
    province = mention.province if mention is not None and mention.province else doc._.main_province
    if province is None:
        return None, None
    return province, _province_2025(province)


@lru_cache(maxsize=256)
def _province_2025(province: str) -> str | None:
    units = get_gazetteer().lookup(province, level="tỉnh")
    return units[0].province_2025 if units else None


class Mentions(list):
    """The article's place mentions, sorted by start: a range lookup is a bisection."""

    def __init__(self, items: list[Mention]):
        super().__init__(items)
        self.starts = [m.start for m in items]

    def inside(self, start: int, end: int) -> list[Mention]:
        i = bisect.bisect_left(self.starts, start)
        j = bisect.bisect_left(self.starts, end, lo=i)
        return [m for m in self[i:j] if m.end <= end]


def places_in(doc: Doc, start: int, end: int) -> list[Mention]:
    """Place mentions inside text[start:end] (``place_mentions``, which ``extract`` assigns)."""
    return doc._.place_mentions.inside(start, end)


_SPECIFICITY = {"xã": 0, "huyện": 1, "tỉnh": 2}


def most_specific(mentions: list[Mention]) -> Mention | None:
    if not mentions:
        return None
    return min(mentions, key=lambda m: (_SPECIFICITY.get(m.level, 3), m.start))
