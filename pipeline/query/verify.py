"""Verify a figure: a journalist's sentence in, the reports that support it out.

    verify(conn, "Thanh Hóa có 909 mô hình tự quản")

1. ``parse_claim`` finds the claim's figures (Vietnamese notation: "1.000" =
   1000, "92,6%" = 92.6, "13/13"), the noun each one counts ("khu dân cư"), a
   model quoted after it, and the places it names (through the gazetteer).
2. Each figure is matched against the store's ``counts``:

   * *supports*: the same value (and denominator, when the claim gives one),
     the same counted noun at least on its first word, the same model when the
     claim quotes one, and a compatible place when the claim names one;
   * *different*: other figures for the same subject (noun and model) and the
     same place — what a journalist needs to see before printing a number.

A count whose sentence names no place stands for its article's main province
(the sentence is about the place the article is about).  Nouns are compared
syllable by syllable after :func:`pipeline.text.fold` and the lexicon's
abbreviations ("ANTT" = "an ninh trật tự"); the longer the common start, the
closer the match.  The fact's noun is read from its sentence, not only from
the stored unit, which the extractor cuts at four words.
"""

from __future__ import annotations

import re
import sqlite3
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from typing import Literal

from pydantic import BaseModel, Field

from extractors.figures import (
    DURATION_AFTER,
    FIGURE,
    NUMBER,
    QUALIFIER_BEFORE,
    QUALIFIERS,
    REFERENCE_BEFORE,
    UNIT_STOP,
    unit_key,
)
from pipeline.text import fold, parse_number

__all__ = [
    "ClaimFigure", "ClaimPlace", "Claim", "Report", "FigureVerdict", "Verdict",
    "parse_claim", "verify", "verdict_rows", "QUALIFIERS",
]

# --------------------------------------------------------------------------- claim parsing

# Figures and qualifiers are read as the counts extractor reads them.
_NUM = NUMBER
_FIGURE = FIGURE
_QUALIFIER = QUALIFIER_BEFORE

# What makes a number no figure, and where a counted noun ends: the counts extractor's rules.
_NOT_FIGURE_BEFORE = REFERENCE_BEFORE
_DURATION_AFTER = DURATION_AFTER
_QUOTE_SPAN = re.compile(r"[“\"][^”\"]*[”\"]")
_OUTER_QUOTES = "“”\"'‘’ \t\n"
# a claim is not segmented: "trở" (of "trở lên") ends its noun as a word of its own
_NOUN_STOP = UNIT_STOP | {"trở"}
_MAX_NOUN_SYLLABLES = 10
_WORD = re.compile(r"[^\W\d_][\w'’-]*|\d[\d.,]*|[%“”\"(){}\[\];:,.!?…–—]", re.U)
_QUOTED = re.compile(r"^\s*[“\"]([^”\"]{2,120})[”\"]")
_STOP_PUNCT = set("“”\"(){}[];:,.!?…–—")


class ClaimFigure(BaseModel):
    """One figure of a claim."""

    text: str = Field(description="as written, with its hedge: 'trên 1.000', '13/13', '92,6%'")
    value: float | int
    denominator: float | int | None = None
    percent: bool = False
    qualifier: str | None = None
    unit: str = Field("", description="the counted noun as written ('khu dân cư'); '%' for a percent")
    noun: str = Field("", description="the words compared with the reports: the unit, or what a percent is of")
    model: str | None = Field(None, description="a model quoted after the noun")
    start: int
    end: int


class ClaimPlace(BaseModel):
    """A place the claim names, resolved against the gazetteer."""

    text: str = Field(description="as written, with its unit word: 'tỉnh Thanh Hoá'")
    name: str = Field(description="the gazetteer's name: 'Thanh Hóa'")
    level: str
    start: int
    codes: list[str]
    provinces: list[str] = Field(description="legacy provinces it lies in (several for a 2025 unit)")


class Claim(BaseModel):
    text: str
    figures: list[ClaimFigure]
    places: list[ClaimPlace]


def _syllables(text: str) -> list[str]:
    """Folded syllables with abbreviations expanded, for comparing nouns."""
    return list(_syllables_of(text))


@lru_cache(maxsize=65536)
def _syllables_of(text: str) -> tuple[str, ...]:
    # cached: every count's unit is read at each verify, and units repeat
    from gazetteer.lexicon import get_lexicon

    words = re.findall(r"[^\W_][\w'’-]*|%", text)
    return tuple(fold(get_lexicon().expand(" ".join(words))).split())


def _noun_after(text: str, pos: int, stop_at: Iterable[int] = ()) -> tuple[str, int]:
    """The counted noun that starts at ``pos``: words up to a stop word, a
    punctuation mark, a number or a place; returned as written."""
    stops = sorted(s for s in stop_at if s >= pos)
    words: list[tuple[int, int]] = []
    for m in _WORD.finditer(text, pos):
        if stops and m.start() >= stops[0]:
            break
        token = m.group(0)
        if token in _STOP_PUNCT or token[0].isdigit() or token == "%":
            break
        if fold(token) in _NOUN_STOP:
            break
        words.append((m.start(), m.end()))
        if len(words) >= _MAX_NOUN_SYLLABLES:
            break
    if not words:
        return "", pos
    return text[words[0][0] : words[-1][1]], words[-1][1]


def _is_not_figure(text: str, m: re.Match[str], value: float | int, den: float | int | None) -> bool:
    before, after = text[max(0, m.start() - 20) : m.start()], text[m.end() : m.end() + 12]
    if _NOT_FIGURE_BEFORE.search(before) or _DURATION_AFTER.match(after):
        return True
    if den is not None and re.match(r"^/\d", after):
        return True                                       # 16/6/2022: a date
    if den is not None and isinstance(den, int) and 1900 <= den <= 2099 and value <= 12:
        return True                                       # 3/2020: a month
    raw = m.group("num")
    return (not m.group("pct") and den is None and isinstance(value, int)
            and 1900 <= value <= 2099 and "." not in raw)  # a year


def _figures(text: str, place_starts: list[int]) -> list[ClaimFigure]:
    out: list[ClaimFigure] = []
    # a number inside a quoted name is part of the name: “2 +1”, “Câu lạc bộ 3 tích cực”
    quoted = [(q.start(), q.end()) for q in _QUOTE_SPAN.finditer(text)]
    for m in _FIGURE.finditer(text):
        if any(a < m.start() < b for a, b in quoted):
            continue
        value = parse_number(m.group("num"))
        den = parse_number(m.group("den")) if m.group("den") else None
        if value is None or (m.group("den") and den is None) or _is_not_figure(text, m, value, den):
            continue
        q = _QUALIFIER.search(text[max(0, m.start() - 30) : m.start()])
        start = m.start() - len(q.group(0)) if q else m.start()
        percent = bool(m.group("pct"))
        noun, noun_end = _noun_after(text, m.end(), place_starts)
        model_m = _QUOTED.match(text[noun_end:]) if noun else None
        out.append(ClaimFigure(
            text=text[start : m.end()].strip(), value=value, denominator=den, percent=percent,
            qualifier=q.group(1).lower() if q else None,
            unit="%" if percent else noun, noun=noun,
            model=model_m.group(1).strip() if model_m else None,
            start=start, end=noun_end if noun else m.end(),
        ))
    return out


# -- places

_UNIT_WORD = r"(?i:thành phố|thị xã|thị trấn|đặc khu|tỉnh|huyện|quận|phường|xã)|TP\.?|Tp\.?|TX\.?"
# Upper-case Latin letters, Vietnamese ones included (as in extractors.base: a
# range such as À-Ỹ would also take the lower-case letters between).
_UPPER = "".join(c for c in map(chr, range(0x41, 0x1F00)) if c.isupper() and unicodedata.name(c, "").startswith("LATIN"))
_CAP_SYLLABLE = rf"[{_UPPER}]\w*"
_PLACE = re.compile(
    rf"(?<![\w])(?:(?P<unit>{_UNIT_WORD})\s+)?(?P<name>{_CAP_SYLLABLE}(?:[ \-]+{_CAP_SYLLABLE}){{0,4}}|\d{{1,2}}\b)"
)
_LEVEL_RANK = {"tỉnh": 0, "huyện": 1, "xã": 2}


def _resolve(unit_word: str | None, name: str) -> tuple[str, list] | None:
    """The longest start of ``name`` that the gazetteer knows, and its units.

    Without a unit word, only the highest level found counts ("Hòa Bình" is the
    province, "huyện Hòa Bình" the district) and a single syllable must be a
    province (the first word of a sentence is capitalised too).  Legacy units
    come first: the articles predate the 2025 reform.
    """
    from gazetteer import get_gazetteer

    gaz = get_gazetteer()
    syllables = re.split(r"[ ]+", name)
    for n in range(len(syllables), 0, -1):
        candidate = " ".join(syllables[:n])
        query = f"{unit_word} {candidate}" if unit_word else candidate
        units = gaz.lookup(query)
        if not units:
            continue
        if not unit_word:
            top = min(_LEVEL_RANK[u.level] for u in units)
            units = [u for u in units if _LEVEL_RANK[u.level] == top]
            if n == 1 and top != 0:
                continue
        legacy = [u for u in units if u.era == "legacy"]
        return candidate, legacy or units
    return None


def _legacy_provinces(units: list) -> list[str]:
    from gazetteer import get_gazetteer

    gaz = get_gazetteer()
    out: set[str] = set()
    for u in units:
        if u.era == "legacy":
            out.add(u.province)
        else:  # a 2025 unit: every legacy province merged into its province
            out.update(p.name for p in gaz.provinces("legacy") if p.province_2025 == u.province)
    return sorted(out)


def _places(text: str) -> list[ClaimPlace]:
    out: list[ClaimPlace] = []
    pos = 0
    while True:
        m = _PLACE.search(text, pos)
        if not m:
            return out
        resolved = _resolve(m.group("unit"), m.group("name")) if (m.group("unit") or not m.group("name").isdigit()) else None
        if resolved is None:
            # not a place: try again from the next syllable of the run
            pos = m.start("name") + len(m.group("name").split(" ")[0]) + 1 if " " in m.group("name") else m.end()
            continue
        name, units = resolved
        start = m.start()
        end = m.start("name") + len(name)
        out.append(ClaimPlace(text=text[start:end], name=units[0].name, level=units[0].level, start=start,
                              codes=[u.code for u in units], provinces=_legacy_provinces(units)))
        pos = end


def parse_claim(text: str, *, places: bool = True) -> Claim:
    """Figures, counted nouns, quoted models and places of a claim."""
    from pipeline.text import nfc

    # a claim pasted with its quotation marks: “Thanh Hóa có 909 mô hình”
    text = nfc(text).strip(_OUTER_QUOTES) if text.strip()[:1] in "“\"'‘" else nfc(text).strip()
    found_places = _places(text) if places else []
    # a counted noun ends where a place begins: "909 mô hình | tỉnh Thanh Hóa"
    return Claim(text=text, figures=_figures(text, [p.start for p in found_places]), places=found_places)


# --------------------------------------------------------------------------- matching

class Report(BaseModel):
    """A stored count, with where it comes from."""

    count_id: int
    value: float | int
    denominator: float | int | None
    unit: str
    qualifier: str | None
    figure: str = Field(description="the figure as written in the article")
    model: str | None
    place: str | None = Field(description="the count's place, else the article's main province")
    place_from: Literal["sentence", "article"]
    province: str | None
    sentence: str
    sentence_id: int
    highlight_start: int = Field(description="where the figure and its noun start in the sentence")
    highlight_end: int
    article_id: int
    title: str | None
    site: str | None
    url: str | None
    published: str | None
    match: Literal["exact", "close", "value", "different"] = "exact"
    noun_words_matched: int = 0
    note: str | None = None

    def marked_sentence(self, left: str = "⟦", right: str = "⟧") -> str:
        s = self.sentence
        return s[: self.highlight_start] + left + s[self.highlight_start : self.highlight_end] + right + s[self.highlight_end :]


class FigureVerdict(BaseModel):
    figure: ClaimFigure
    status: Literal["supported", "partly supported", "no support"]
    supports: list[Report]
    different: list[Report]
    scope: str = Field(description="the place the different figures were sought in")


class Verdict(BaseModel):
    claim: Claim
    figures: list[FigureVerdict]

    @property
    def supported(self) -> bool:
        return bool(self.figures) and all(f.status != "no support" for f in self.figures)


_COUNTS_SQL = """
SELECT c.id AS count_id, c.value, c.denominator, c.unit, c.unit_key, c.qualifier, c.figure,
       c.model, c.model_canonical, c.place, c.place_code, c.start, c.end,
       s.id AS sentence_id, s.start AS sentence_start, s.text AS sentence,
       a.id AS article_id, a.title, a.site, a.url, a.published, a.main_province,
       g.province AS place_province, g.era AS place_era
FROM counts c
JOIN sentences s ON s.id = c.sentence_id
JOIN articles a ON a.id = c.article_id
LEFT JOIN gazetteer_units g ON g.code = c.place_code
"""


class _Fact:
    """A stored count with what matching needs precomputed."""

    __slots__ = ("row", "tail", "unit_words", "province", "place_code", "model_key")

    def __init__(self, row: dict) -> None:
        self.row = row
        self.province: str | None = row["place_province"] if row["place_code"] else row["main_province"]
        self.place_code: str | None = row["place_code"]
        self.model_key: str | None = row["model_canonical"]
        self.unit_words = _syllables(row["unit"]) if row["unit"] != "%" else []
        self.tail = _tail_words(row)

    def report(self, match: str, matched: int, note: str | None = None) -> Report:
        r = self.row
        s0 = r["sentence_start"]
        return Report(
            count_id=r["count_id"], value=_num(r["value"]), denominator=_num(r["denominator"]),
            unit=r["unit"], qualifier=r["qualifier"], figure=r["figure"], model=r["model"],
            place=r["place"] or r["main_province"], place_from="sentence" if r["place"] else "article",
            province=self.province, sentence=r["sentence"], sentence_id=r["sentence_id"],
            highlight_start=r["start"] - s0, highlight_end=r["end"] - s0,
            article_id=r["article_id"], title=r["title"], site=r["site"], url=r["url"],
            published=r["published"], match=match, noun_words_matched=matched, note=note,
        )


def _num(value: float | int | None) -> float | int | None:
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _tail_words(row: dict) -> list[str]:
    """The noun after the figure, read from the sentence (the stored unit is cut at four words).

    For a percent, the words after the % sign: what the share is of.
    """
    sentence, s0 = row["sentence"], row["sentence_start"]
    # ``figure`` runs from the qualifier to the end of the number (and its % sign)
    noun, _ = _noun_after(sentence, row["start"] - s0 + len(row["figure"]))
    return _syllables(noun) if noun else []


def _common_start(a: list[str], b: list[str]) -> int:
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n


def _noun_match(claim_words: list[str], fact: _Fact) -> int:
    """How many of the claim's noun syllables the fact's noun starts with."""
    return max(_common_start(claim_words, fact.tail), _common_start(claim_words, fact.unit_words))


def _same_value(a: float | int | None, b: float | int | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(float(a) - float(b)) < 1e-9


@lru_cache(maxsize=256)
def _model_key(name: str) -> str:
    from extractors.models import canonical  # loads spaCy: only for a claim that quotes a model

    return canonical(name)


def _place_ok(fact: _Fact, places: list[ClaimPlace]) -> tuple[bool, int]:
    """Is the fact about a place of the claim?  (ok, precision: 2 same unit, 1 same province)."""
    if not places:
        return True, 0
    best = -1
    for place in places:
        if fact.place_code and fact.place_code in place.codes:
            best = max(best, 2)
        elif fact.province and fact.province in place.provinces:
            best = max(best, _finer_place_ok(fact, place))
    return best >= 0, max(best, 0)


def _finer_place_ok(fact: _Fact, place: ClaimPlace) -> int:
    """Same province; when both the fact and the claim name a unit below it,
    one must contain the other ("Bình Lục" does not support a figure of "Thái Hòa")."""
    if not fact.place_code or place.level == "tỉnh":
        return 1
    from gazetteer import get_gazetteer

    gaz = get_gazetteer()
    if fact.place_code not in gaz:
        return 1
    fact_unit = gaz.get(fact.place_code)
    if fact_unit.level == "tỉnh":
        return 1
    for code in place.codes:
        if code in gaz and (gaz.is_ancestor(code, fact_unit) or gaz.is_ancestor(fact_unit, code)):
            return 1
    return -1


def _supports(figure: ClaimFigure, fact: _Fact, places: list[ClaimPlace]) -> Report | None:
    r = fact.row
    if not _same_value(figure.value, r["value"]) or figure.percent != (r["unit"] == "%"):
        return None
    if figure.denominator is not None and not _same_value(figure.denominator, r["denominator"]):
        return None
    claim_words = _syllables(figure.noun) if figure.noun else []
    matched = _noun_match(claim_words, fact) if claim_words else 0
    if claim_words and not figure.percent and matched == 0:
        return None                                   # "909 khu dân cư" is not "909 mô hình"
    if figure.model and _model_key(figure.model) != fact.model_key:
        return None
    ok, _ = _place_ok(fact, places)
    if not ok:
        return None
    if not claim_words:
        match = "value" if not figure.percent else "exact"
    elif matched == len(claim_words) or (figure.percent and matched > 0):
        match = "exact"
    elif figure.percent:
        match = "value"
    else:
        match = "close"
    notes = []
    if figure.denominator is None and r["denominator"] is not None:
        notes.append(f"the article gives {r['figure']}")
    if fold(figure.qualifier or "") != fold(r["qualifier"] or ""):
        notes.append(f"the article writes “{r['figure']}”")
    if match == "close":
        notes.append(f"the article counts “{r['unit']}”")
    return fact.report(match, matched, "; ".join(notes) or None)


def _same_subject(figure: ClaimFigure, claim_words: list[str], fact: _Fact) -> int:
    """Noun syllables in common when the fact counts the same thing, else 0.

    Syllables are not words: "đồng" (the currency) starts "đồng chí" (comrade).
    So a shared start of one syllable is only the same subject when both nouns
    are that one syllable; otherwise the shorter noun, of two syllables at
    least, must be the start of the longer ("mô hình" / "mô hình tự quản").
    """
    r = fact.row
    if figure.percent != (r["unit"] == "%") or not claim_words:
        return 0
    fact_words = fact.tail or fact.unit_words
    matched = _noun_match(claim_words, fact)
    shorter = min(len(claim_words), len(fact_words))
    if matched == 0 or matched < shorter or (shorter < 2 and claim_words != fact_words):
        return 0
    wanted_model = _model_key(figure.model) if figure.model else None
    return matched if wanted_model == fact.model_key else 0


def _different(figure: ClaimFigure, facts: list[_Fact], supports: list[Report],
               places: list[ClaimPlace]) -> tuple[list[Report], str]:
    claim_words = _syllables(figure.noun) if figure.noun else []
    if places:
        scope = ", ".join(p.name for p in places)
        in_scope = lambda f: _place_ok(f, places)[0]  # noqa: E731
    elif supports:
        provinces = {s.province for s in supports}
        scope = ", ".join(sorted(p for p in provinces if p)) or "?"
        in_scope = lambda f: f.province in provinces  # noqa: E731
    else:
        scope = "anywhere"
        in_scope = lambda f: True  # noqa: E731
    supporting = {s.count_id for s in supports}
    out = []
    for fact in facts:
        r = fact.row
        if r["count_id"] in supporting or not in_scope(fact):
            continue
        if _same_value(figure.value, r["value"]) and (figure.denominator is None
                                                      or _same_value(figure.denominator, r["denominator"])):
            continue
        matched = _same_subject(figure, claim_words, fact)
        if matched:
            out.append(fact.report("different", matched))
    out.sort(key=lambda rep: (-rep.noun_words_matched, rep.published or "", rep.article_id, rep.highlight_start))
    return out, scope


def _load_facts(conn: sqlite3.Connection, figures: list[ClaimFigure], places: list[ClaimPlace]) -> list[_Fact]:
    """The counts that can matter, found through two indexes: those of the claim's
    values, and those counting the same thing (``unit_key``) in the claim's
    provinces, or else in the provinces where the value was found."""
    found: dict[int, _Fact] = {}

    def select(where: str, params: list, tail: str = "") -> None:
        cursor = conn.execute(f"{_COUNTS_SQL} WHERE {where} {tail}", params)
        names = [d[0] for d in cursor.description]
        for row in cursor:
            fact = _Fact(dict(zip(names, row)))
            found.setdefault(fact.row["count_id"], fact)

    def marks(items) -> str:
        return ",".join("?" * len(items))

    # per figure: its value, and its denominator and what it counts when the claim says
    for f in figures:
        where, params = ["c.value = ?"], [float(f.value)]
        if f.denominator is not None:
            where.append("c.denominator = ?")
            params.append(float(f.denominator))
        if f.percent:
            where.append("c.unit_key = '%'")
        elif f.noun and (key := unit_key(f.noun)):
            where.append("c.unit_key = ?")
            params.append(key)
        select(" AND ".join(where), params)
    # only a figure with a noun has a subject to compare ("92,6%" alone has none)
    keys = sorted({("%" if f.percent else unit_key(f.noun)) for f in figures if f.noun} - {None})
    provinces = sorted({p for place in places for p in place.provinces} if places
                       else {f.province for f in found.values() if f.province and f.row.get("unit_key") in keys})
    if keys and provinces:
        select(f"c.unit_key IN ({marks(keys)}) AND c.province IN ({marks(provinces)})", keys + provinces)
    elif keys and not places and not found:
        # nothing gives the figure anywhere: the other figures for the subject, newest first
        select(f"c.unit_key IN ({marks(keys)})", keys, "ORDER BY a.published IS NULL, a.published DESC LIMIT 200")
    facts = list(found.values())
    facts.sort(key=lambda f: (f.row["published"] or "", f.row["article_id"], f.row["start"]))
    return facts


def _rank(report: Report, places: list[ClaimPlace], fact: _Fact) -> tuple:
    order = {"exact": 0, "close": 1, "value": 2}
    return (order[report.match], -_place_ok(fact, places)[1], -report.noun_words_matched,
            report.published or "", report.article_id, report.highlight_start)


def verify(conn: sqlite3.Connection, claim: str | Claim) -> Verdict:
    """Match a claim's figures against the stored counts."""
    parsed = parse_claim(claim) if isinstance(claim, str) else claim
    facts = _load_facts(conn, parsed.figures, parsed.places)
    verdicts = []
    for figure in parsed.figures:
        found = [(rep, fact) for fact in facts if (rep := _supports(figure, fact, parsed.places))]
        found.sort(key=lambda pair: _rank(pair[0], parsed.places, pair[1]))
        supports = [rep for rep, _ in found]
        status = ("no support" if not supports
                  else "supported" if any(s.match == "exact" or s.match == "value" and not figure.noun for s in supports)
                  else "partly supported")
        different, scope = _different(figure, facts, supports, parsed.places)
        verdicts.append(FigureVerdict(figure=figure, status=status, supports=supports, different=different, scope=scope))
    return Verdict(claim=parsed, figures=verdicts)


NO_SUPPORT = "Không bài báo nào trong kho ủng hộ con số này / No stored article supports this figure"


def _row(figure: str, status: str, relation: str, rep: Report | None = None, place: str | None = None) -> dict:
    if rep is None:
        return {"claim_figure": figure, "status": status, "relation": relation, "match": None, "figure": None,
                "unit": None, "value": None, "place": place, "sentence": NO_SUPPORT, "title": None, "site": None,
                "url": None, "published": None, "article_id": None, "count_id": None, "note": None}
    where = rep.place
    if where and rep.place_from == "article":
        where += " (article)"   # the sentence names no place: the article's province stands in
    return {"claim_figure": figure, "status": status, "relation": relation, "match": rep.match, "figure": rep.figure,
            "unit": rep.unit, "value": rep.value, "place": where, "sentence": rep.marked_sentence(),
            "title": rep.title, "site": rep.site, "url": rep.url, "published": rep.published,
            "article_id": rep.article_id, "count_id": rep.count_id, "note": rep.note}


def verdict_rows(verdict: Verdict) -> list[dict]:
    """Flat rows for CSV/JSON and Datasette: each figure's supports (or one
    'no support' row), then its different figures.  The sentence carries the
    figure between ⟦ and ⟧."""
    out = []
    claim_places = ", ".join(p.name for p in verdict.claim.places) or None
    for fv in verdict.figures:
        f = fv.figure
        claimed = " ".join(x for x in (f.text, f.noun if f.percent else f.unit) if x)
        if not fv.supports:
            out.append(_row(claimed, fv.status, "no support", place=claim_places))
        out.extend(_row(claimed, fv.status, "supports", rep) for rep in fv.supports)
        out.extend(_row(claimed, fv.status, "different figure", rep) for rep in fv.different)
    return out
