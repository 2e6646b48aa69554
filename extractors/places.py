"""Administrative units the article names, resolved against the gazetteer.

Three ways a unit is named:
  * a unit word and a proper name: "huyện Bình Lục", "TX Thái Hòa", "Phường 1";
  * a province's name on its own: "Thanh Hóa được đánh giá…", "…, Nghệ An";
  * a name in parentheses after a smaller unit: "xã Yên Nhân (Thường Xuân)".
Each mention's candidates are scored by the article's context — the provinces
it names, the other units it names, the unit word — so "huyện Hòa Bình" in a
Bạc Liêu article is Bạc Liêu's district, not the province of Hòa Bình.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from spacy.tokens import Doc

from extractors.base import CAP_WORD, provenance
from gazetteer import Unit, get_gazetteer
from gazetteer.lexicon import get_lexicon
from pipeline.schema import PlaceFact
from pipeline.text import fold

NAME = "places"
VERSION = "1"
REQUIRES = ("text", "norm", "published")
ASSIGNS = ("place_mentions", "main_province")

# unit word as written (folded) -> (level, kinds it may denote)
UNIT_WORDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "tỉnh": ("tỉnh", ("tỉnh",)),
    "thành phố": ("?", ("thành phố",)),  # centrally-run city (tỉnh) or provincial city (huyện)
    "tp": ("?", ("thành phố",)),
    "tp.": ("?", ("thành phố",)),
    "huyện": ("huyện", ("huyện",)),
    "quận": ("huyện", ("quận",)),
    "thị xã": ("huyện", ("thị xã",)),
    "tx": ("huyện", ("thị xã",)),
    "tx.": ("huyện", ("thị xã",)),
    "xã": ("xã", ("xã",)),
    "phường": ("xã", ("phường",)),
    "thị trấn": ("xã", ("thị trấn",)),
    "đặc khu": ("xã", ("đặc khu",)),
}
_NAME = rf"(?:{CAP_WORD}|\d{{1,2}}\b)(?:[ \-]+{CAP_WORD}){{0,4}}"
_UNIT_MENTION = re.compile(
    r"(?<![\wÀ-ỹ])(?P<unit>(?i:thành phố|thị xã|thị trấn|đặc khu|tỉnh|huyện|quận|phường|xã)|TP\.?|Tp\.?|TX\.?)"
    rf"\s*(?P<name>{_NAME})"
)
_CAP_RUN = re.compile(rf"(?<![\wÀ-ỹ]){CAP_WORD}(?:[ \-]+{CAP_WORD})+")
_PAREN = re.compile(rf"\s*\(\s*(?P<name>{CAP_WORD}(?:\s+{CAP_WORD}){{0,3}})\s*\)")
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
    gaz = get_gazetteer()
    found = gaz.lookup(name)
    if level == "?":
        return [u for u in found if u.kind in kinds or u.level == "tỉnh" and u.kind == "thành phố"]
    exact = [u for u in found if u.level == level and u.kind in kinds]
    # a "thị xã" that has since become a "thành phố" is still the same unit
    return exact or [u for u in found if u.level == level]


def _longest_known(words: list[str], level: str, kinds: tuple[str, ...]) -> tuple[int, list[Unit]]:
    for n in range(len(words), 0, -1):
        found = _lookup(" ".join(words[:n]), level, kinds)
        if found:
            return n, found
    return 0, []


def _unit_word_mentions(doc: Doc) -> list[Mention]:
    """"huyện Bình Lục", "TX Thái Hòa", "Phường 1", and the names listed after one
    ("tại các xã Thanh Xương, Noong Hẹt, Na Tông")."""
    text, norm = doc._.text, doc._.norm
    mentions: list[Mention] = []
    for m in _UNIT_MENTION.finditer(norm):
        word = fold(m.group("unit")).rstrip(".")
        level, kinds = UNIT_WORDS[word]
        raw = m.group("name")
        words = raw.split()
        n, found = _longest_known(words, level, kinds)
        if n == 0:
            # Not in the gazetteer (renamed, merged, misspelt): keep a short proper
            # name after a commune- or district-level word; provinces are a closed list.
            if level in ("tỉnh", "?") or len(words) > 3 or raw[0].isdigit() and level != "xã":
                continue
            if fold(words[0]) in get_lexicon().surnames and len(words) >= 3:
                continue  # "UBND xã Trần Thị Cúc": a person after a title, not a commune
            n = min(len(words), 2)
        name_end = m.start("name") + len(" ".join(words[:n]))
        if level == "?":
            levels = {u.level for u in found}
            level = levels.pop() if len(levels) == 1 else "?"
        mention = Mention(m.start(), name_end, text[m.start("name") : name_end], level, kinds, word, found)
        paren = _PAREN.match(norm, name_end)
        if paren:
            mention.parent_hint = fold(paren.group("name"))
        mentions.append(mention)
        mentions.extend(_listed_after(doc, mention))
    return mentions


_LIST_NEXT = re.compile(rf"\s*(?:,|và|,\s*và)\s*(?P<name>{CAP_WORD}(?:\s+{CAP_WORD}){{0,3}})")


def _listed_after(doc: Doc, first: Mention) -> list[Mention]:
    """Names that continue a list opened by a unit word, while they are units of that level."""
    out: list[Mention] = []
    end = first.end
    while (m := _LIST_NEXT.match(doc._.norm, end)) is not None:
        words = m.group("name").split()
        n, found = _longest_known(words, first.level, first.kinds)
        if n == 0 or first.level not in ("xã", "huyện"):
            break
        s = m.start("name")
        e = s + len(" ".join(words[:n]))
        out.append(Mention(s, e, doc._.text[s:e], first.level, first.kinds, first.kind_word, found))
        end = e
    return out


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
    text, norm = doc._.text, doc._.norm
    provinces = get_gazetteer().province_names()
    lower = {fold(m.name): m for m in named if m.level in ("huyện", "xã")}
    explicit = {fold(m.name) for m in named if m.level == "tỉnh"}
    out: list[Mention] = []
    for m in _CAP_RUN.finditer(norm):
        words = m.group(0).split()
        for i in range(len(words)):
            for n in range(min(4, len(words) - i), 1, -1):
                name = " ".join(words[i : i + n])
                key = fold(name)
                if key not in provinces or key in _PERSON_NAMES:
                    continue
                s = m.start() + len(" ".join(words[:i])) + (1 if i else 0)
                e = s + len(name)
                if not taken.free(s, e) or _NOT_PLACE_BEFORE.search(norm[max(0, s - 15) : s]):
                    continue
                if key in lower and key not in explicit:
                    twin = lower[key]
                    out.append(Mention(s, e, text[s:e], twin.level, twin.kinds, twin.kind_word, twin.candidates))
                else:
                    found = get_gazetteer().lookup(name, level="tỉnh")
                    out.append(Mention(s, e, text[s:e], "tỉnh", ("tỉnh", "thành phố"), None, found))
                taken.add(s, e)
                break
    return out


def _parent_mentions(doc: Doc, named: list[Mention], taken: _Taken) -> list[Mention]:
    """"(Bình Lục)" after a commune: the district (or province) it lies in."""
    out: list[Mention] = []
    for mention in named:
        if mention.parent_hint is None:
            continue
        paren = _PAREN.match(doc._.norm, mention.end)
        s, e = paren.start("name"), paren.end("name")
        if not taken.free(s, e):
            continue
        wanted = "huyện" if mention.level == "xã" else "tỉnh"
        found = get_gazetteer().lookup(paren.group("name"), level=wanted)
        if found:
            out.append(Mention(s, e, doc._.text[s:e], wanted, (), None, found))
            taken.add(s, e)
    return out


def _find_mentions(doc: Doc) -> list[Mention]:
    named = _unit_word_mentions(doc)
    taken = _Taken(len(doc._.norm), [(m.start, m.end) for m in named])
    mentions = named + _bare_province_mentions(doc, named, taken) + _parent_mentions(doc, named, taken)
    mentions.sort(key=lambda x: x.start)
    return mentions


def _main_province(mentions: list[Mention]) -> tuple[str | None, Counter]:
    """The article's province: the one it names most, directly or through its units."""
    votes: Counter = Counter()
    first_seen: dict[str, int] = {}
    for m in mentions:
        provs = sorted({u.province for u in m.candidates})  # sorted: sums and ties never depend on hashing
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


def _resolve(mentions: list[Mention], published: date | None) -> str | None:
    gaz = get_gazetteer()
    main, votes = _main_province(mentions)
    named = {fold(m.name) for m in mentions}
    prefer_2025 = published is not None and published >= date(2025, 7, 1)
    for m in mentions:
        best, best_score = None, float("-inf")
        for u in m.candidates:
            score = votes.get(u.province, 0.0) + (2.0 if u.province == main else 0.0)
            ancestors = gaz.ancestors(u)
            if any(fold(a.name) in named for a in ancestors if a.level == "huyện"):
                score += 5.0
            if m.parent_hint and any(fold(a.name) == m.parent_hint for a in ancestors):
                score += 8.0
            if m.kinds and u.kind in m.kinds:
                score += 1.0
            if (u.era == "2025") == prefer_2025:
                score += 0.5
            if score > best_score:
                best, best_score = u, score
        m.unit = best
        if best is not None:
            m.province = best.province
            if m.level == "?":
                m.level = best.level
        else:
            m.province = main
        if m.level == "?":
            m.level = "huyện"
    return main


def extract(doc: Doc) -> list[PlaceFact]:
    mentions = _find_mentions(doc)
    main = _resolve(mentions, doc._.published)
    doc._.place_mentions = Mentions(mentions)
    doc._.main_province = main
    facts: dict[tuple[str, str, str | None], PlaceFact] = {}
    named_levels: set[tuple[str, str]] = set()
    for m in mentions:
        # TX Duyên Hải and huyện Duyên Hải are two units of one name and level
        u = m.unit
        key = (fold(m.name), m.level, u.kind if u is not None else m.kind_word)
        if key in facts or (u is None and key[:2] in named_levels):
            continue
        named_levels.add(key[:2])
        facts[key] = PlaceFact(
            name=_display_name(u, m),
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


def _display_name(u: Unit | None, m: Mention) -> str:
    """The gazetteer's spelling ("TP.HCM" -> "Hồ Chí Minh"), but never with a unit
    word in it: for "Phường 1" the proper name is "1", as written."""
    if u is None or fold(u.name).split()[0] in {w for k in UNIT_WORDS for w in k.split()}:
        return m.name
    return u.name


def scope_of(doc: Doc, mention: "Mention | None") -> tuple[str | None, str | None]:
    """(province, its 2025 province) a fact is about: its place's, else the article's main one."""
    province = mention.province if mention is not None and mention.province else doc._.main_province
    if province is None:
        return None, None
    units = get_gazetteer().lookup(province, level="tỉnh")
    return province, (units[0].province_2025 if units else None)


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
