"""Verify a figure: a journalist's sentence in, the reports that support it out.

    verify(conn, "Thanh Hoa co 909 mo hinh")

1. :func:`pipeline.query.claims.parse_claim` reads the claim's figures, the
   noun each counts, a quoted model and the places it names.
2. Each figure is matched against the store's ``counts``:

   * *supports*: the same amount (magnitude words folded in: "500 triệu đồng"
     is a stored "500.000.000 đồng"), the same denominator when the claim gives
     one, the same counted noun at least on its first word, the same model when
     the claim quotes one, a compatible hedge, and a compatible place when the
     claim names one; a figure written twice in one sentence is one support;
   * *different*: the other figures reported for the same subject — the same
     noun (the supporting report's, when it says more than the claim) and
     model — in the same place; one per article and value, ordered by date.
3. Each report says who gave the figure: the official named in its sentence,
   else in its paragraph (:mod:`pipeline.query.sources`).

Places carry their era: a count whose sentence names no place stands for its
article's main province; "Ninh Bình" in a claim is the legacy province and the
2025 one (which took in Hà Nam and Nam Định), so a Hà Nam report supports it,
said so; a report naming the 2025 province answers a claim about a legacy one
it took in, said so too.
"""

from __future__ import annotations

import sqlite3
from typing import Literal

from pydantic import BaseModel, Field

from extractors.figures import MAGNITUDES, amount, unit_key
from pipeline.query.claims import (
    QUALIFIERS,
    Claim,
    ClaimFigure,
    ClaimPlace,
    Word,
    noun_after,
    noun_words,
    parse_claim,
)
from pipeline.query.places import Places, Unit, bare, is_bare
from pipeline.query.sources import Speaker, speakers
from pipeline.text import fold

__all__ = [
    "ClaimFigure", "ClaimPlace", "Claim", "Report", "Speaker", "FigureVerdict", "Verdict",
    "parse_claim", "verify", "add_speakers", "verdict_rows", "QUALIFIERS", "NO_SUPPORT",
]


# --------------------------------------------------------------------------- reports

class Report(BaseModel):
    """A stored count, with where it comes from and who gave it."""

    count_id: int
    value: float | int
    denominator: float | int | None
    amount: float | int = Field(description="the value with its magnitude word folded in")
    unit: str
    qualifier: str | None
    figure: str = Field(description="the figure as written in the article")
    model: str | None
    place: str | None = Field(description="the count's place, else the article's main province")
    place_from: Literal["sentence", "article"]
    place_note: str | None = Field(None, description="how the place answers the claim's: 'Hà Nam: part of Ninh Bình since 2025'")
    province: str | None
    sentence: str
    sentence_id: int
    sentence_idx: int
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
    speaker: Speaker | None = None

    @property
    def what(self) -> str:
        """The figure and what it counts: "909 mô hình", "92,6%" (never "92,6% %")."""
        return self.figure if self.unit == "%" else f"{self.figure} {self.unit}"

    def marked_sentence(self, left: str = "⟦", right: str = "⟧") -> str:
        s = self.sentence
        return s[: self.highlight_start] + left + s[self.highlight_start : self.highlight_end] + right + s[self.highlight_end :]


class FigureVerdict(BaseModel):
    figure: ClaimFigure
    status: Literal["supported", "partly supported", "no support"]
    supports: list[Report]
    different: list[Report]
    subject: str = Field(description="what the different figures count: the noun compared, and the model")
    scope: str = Field(description="the place the different figures were sought in")


class Verdict(BaseModel):
    claim: Claim
    figures: list[FigureVerdict]

    @property
    def supported(self) -> bool:
        return bool(self.figures) and all(f.status != "no support" for f in self.figures)


# --------------------------------------------------------------------------- stored counts

_COUNTS_SQL = """
SELECT c.id AS count_id, c.value, c.denominator, c.unit, c.unit_key, c.qualifier, c.figure,
       c.model, c.model_canonical, c.place, c.place_code, c.start, c.end,
       s.id AS sentence_id, s.idx AS sentence_idx, s.start AS sentence_start, s.text AS sentence,
       a.id AS article_id, a.title, a.site, a.url, a.published, a.main_province,
       g.province AS place_province, g.era AS place_era, g.level AS place_level
FROM counts c
JOIN sentences s ON s.id = c.sentence_id
JOIN articles a ON a.id = c.article_id
LEFT JOIN gazetteer_units g ON g.code = c.place_code
"""

_MAGNITUDE_KEYS = tuple(sorted(set(MAGNITUDES)))


def _factor_keys() -> dict[int, tuple[str, ...]]:
    """factor -> the first words a unit scaled by it starts with: 1e6 "triệu", 1e5 "trăm" (nghìn) …"""
    out: dict[int, set[str]] = {}
    for w1, m1 in MAGNITUDES.items():
        out.setdefault(m1, set()).add(w1)
        for m2 in MAGNITUDES.values():
            out.setdefault(m1 * m2, set()).add(w1)
    return {f: tuple(sorted(ws)) for f, ws in out.items()}


_FACTOR_KEYS = _factor_keys()


class _Fact:
    """A stored count with what matching needs precomputed."""

    __slots__ = ("row", "amount", "_noun", "unit_words", "province", "legacy", "era", "unit", "model_key")

    def __init__(self, row: dict, places: Places) -> None:
        self.row = row
        self.amount, rest = amount(_num(row["value"]), row["unit"]) if row["unit"] != "%" else (_num(row["value"]), "%")
        self.unit_words = noun_words(rest) if rest != "%" else ()
        self._noun: tuple[str, ...] | None = None
        self.model_key: str | None = bare(row["model_canonical"]) if row["model_canonical"] else None
        self.unit: Unit | None = places.get(row["place_code"]) if row["place_code"] else None
        if self.unit is not None:
            self.province, self.era = self.unit.province, self.unit.era
        else:
            self.province = row["main_province"]
            # the article's province is named as it was when the article was written
            self.era = "2025" if (row["published"] or "") >= "2025-07-01" else "legacy"
        self.legacy: frozenset[str] = _legacy_of(places, self.province, self.era, self.unit)

    @property
    def noun(self) -> tuple[str, ...]:
        """The noun after the figure, read from the sentence (the stored unit is cut at four words)."""
        if self._noun is None:
            self._noun = _tail_words(self.row)
        return self._noun

    def report(self, match: str, matched: int, note: str | None = None, place_note: str | None = None) -> Report:
        r = self.row
        s0 = r["sentence_start"]
        return Report(
            count_id=r["count_id"], value=_num(r["value"]), denominator=_num(r["denominator"]), amount=self.amount,
            unit=r["unit"], qualifier=r["qualifier"], figure=r["figure"], model=r["model"],
            place=r["place"] or r["main_province"], place_from="sentence" if r["place"] else "article",
            place_note=place_note, province=self.province, sentence=r["sentence"], sentence_id=r["sentence_id"],
            sentence_idx=r["sentence_idx"], highlight_start=r["start"] - s0, highlight_end=r["end"] - s0,
            article_id=r["article_id"], title=r["title"], site=r["site"], url=r["url"],
            published=r["published"], match=match, noun_words_matched=matched, note=note,
        )


def _legacy_of(places: Places, province: str | None, era: str, unit: Unit | None) -> frozenset[str]:
    if unit is not None:
        return frozenset(places.legacy_provinces(unit))
    if not province:
        return frozenset()
    if era == "2025":
        found = [u for u in places.find(province, levels=("tỉnh",)) if u.era == "2025"]
        if found:
            return frozenset(places.legacy_provinces(found[0]))
    return frozenset({province})


def _num(value: float | int | None) -> float | int | None:
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _tail_words(row: dict) -> tuple[str, ...]:
    """The noun after the figure, read from the sentence (the stored unit is cut at four
    words), magnitude words folded out; for a percent, what the share is of."""
    sentence, s0 = row["sentence"], row["sentence_start"]
    # ``figure`` runs from the qualifier to the end of the number (and its % sign)
    noun, _ = noun_after(sentence, row["start"] - s0 + len(row["figure"]))
    if row["unit"] != "%":
        noun = amount(1, noun)[1]
    return noun_words(noun) if noun else ()


# --------------------------------------------------------------------------- comparing

def _claim_words(figure: ClaimFigure) -> tuple[Word, ...]:
    return tuple(Word(w) for w in noun_words(figure.noun)) if figure.noun else ()


def _common_start(claim: tuple[Word, ...], fact: tuple[str, ...]) -> int:
    n = 0
    for c, f in zip(claim, fact):
        if not c.matches(f):
            break
        n += 1
    return n


def _noun_match(claim: tuple[Word, ...], fact: _Fact) -> int:
    """How many of the claim's noun syllables the fact's noun starts with (its stored
    unit, else the words after the figure in its sentence: the unit is cut at four words)."""
    stored = _common_start(claim, fact.unit_words)
    return stored if stored == len(claim) else max(stored, _common_start(claim, fact.noun))


def _same(a: float | int | None, b: float | int | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(float(a) - float(b)) <= 1e-9 * max(1.0, abs(float(a)))


# What a hedge says, so that "hơn 1.000" and "trên 1.000" agree and "gần 1.000" does not.
_HEDGE_SENSE = {
    **dict.fromkeys(("trên", "hơn", "khoảng hơn", "ít nhất", "không dưới", "tối thiểu"), "more"),
    **dict.fromkeys(("gần", "dưới", "khoảng gần", "không quá", "tối đa", "gần như"), "less"),
    **dict.fromkeys(("khoảng", "chừng", "ước", "ước tính", "xấp xỉ"), "about"),
    **dict.fromkeys(("lên tới", "lên đến", "có tới", "tới", "đến"), "up to"),
}


def _hedge_note(claimed: str | None, stored: str | None, figure: str) -> tuple[bool, str | None]:
    """(compatible, note) for the claim's hedge against the article's."""
    c, s = fold(claimed or ""), fold(stored or "")
    if c == s:
        return True, None
    if not c:
        return True, f"the article writes “{figure}”"
    if not s or s == "tổng cộng":
        return True, f"the article gives the figure without “{claimed}”: “{figure}”"
    if _HEDGE_SENSE.get(c) == _HEDGE_SENSE.get(s):
        return True, None
    return False, f"the article writes “{figure}”, not “{claimed}”"


def _model_key(name: str | None) -> str | None:
    """A model's cross-article key, compared without diacritics (a name may be typed bare)."""
    from extractors.names import canonical

    return bare(canonical(name)) if name else None


class _Matcher:
    """Where the claim's places meet a fact's."""

    def __init__(self, places: Places, claim_places: list[ClaimPlace]) -> None:
        self.places = places
        self.claim_places = claim_places

    def place(self, fact: _Fact) -> tuple[int, str | None] | None:
        """None if the fact is not about a place of the claim, else (precision, note):
        3 the same unit, 2 the same province, 1 a province the claim's took in,
        0 a larger 2025 province that took in the claim's."""
        if not self.claim_places:
            return 0, None
        best: tuple[int, str | None] | None = None
        for place in self.claim_places:
            found = self._one(fact, place)
            if found is not None and (best is None or found[0] > best[0]):
                best = found
        return best

    def _one(self, fact: _Fact, place: ClaimPlace) -> tuple[int, str | None] | None:
        if fact.unit is not None and fact.unit.code in place.codes:
            return 3, None
        if not fact.legacy:
            return None
        if fact.legacy <= set(place.provinces):
            if not self._finer_ok(fact, place):
                return None
            if fold(fact.province or "") == fold(place.name) or place.level != "tỉnh":
                return 2, None
            return 1, f"{fact.province}: từ 2025 thuộc {place.name} / part of {place.name} since 2025"
        if fact.era == "2025" and set(place.provinces) < fact.legacy and place.level == "tỉnh":
            return 0, (f"bài nói về tỉnh {fact.province} (từ 2025), gồm cả {place.name} / "
                       f"the article gives it for the 2025 province {fact.province}, which includes {place.name}")
        return None

    def _finer_ok(self, fact: _Fact, place: ClaimPlace) -> bool:
        """Same province; when both the fact and the claim name a unit below it, one must
        contain the other ("Bình Lục" does not support a figure of "Thái Hòa")."""
        if fact.unit is None or fact.unit.level == "tỉnh" or place.level == "tỉnh":
            return True
        claim_units = [u for c in place.codes if (u := self.places.get(c)) is not None]
        return any(self.places.contains(u, fact.unit) or self.places.contains(fact.unit, u) for u in claim_units)


def _supports(figure: ClaimFigure, claim_words: tuple[Word, ...], fact: _Fact, matcher: _Matcher) -> Report | None:
    r = fact.row
    if figure.percent != (r["unit"] == "%") or not _same(figure.amount, fact.amount):
        return None
    if figure.denominator is not None and not _same(figure.denominator, r["denominator"]):
        return None
    matched = _noun_match(claim_words, fact) if claim_words else 0
    if claim_words and not figure.percent and matched == 0:
        return None                                   # "909 khu dân cư" is not "909 mô hình"
    if figure.model and _model_key(figure.model) != fact.model_key:
        return None
    where = matcher.place(fact)
    if where is None:
        return None
    hedge_ok, hedge_note = _hedge_note(figure.qualifier, r["qualifier"], r["figure"])
    if not claim_words:
        match = "value" if not figure.percent else "exact"
    elif matched == len(claim_words) or (figure.percent and matched > 0):
        match = "exact"
    elif figure.percent:
        match = "value"
    else:
        match = "close"
    if not hedge_ok and match == "exact":
        match = "close"
    notes = []
    if figure.denominator is None and r["denominator"] is not None:
        notes.append(f"the article gives {r['figure']}")
    if hedge_note:
        notes.append(hedge_note)
    if not _same(figure.value, r["value"]):      # "500 triệu" for "500.000.000": how the article writes it
        scale = " ".join(w for w in r["unit"].split()[:2] if fold(w) in MAGNITUDES)
        notes.append(f"the article writes “{r['figure']}{' ' + scale if scale else ''}”")
    if match == "close" and matched < len(claim_words):
        notes.append(f"the article counts “{r['unit']}”")
    return fact.report(match, matched, "; ".join(dict.fromkeys(notes)) or None, place_note=where[1])


def _head(words):
    """A noun without its "về …" complement: "mô hình tự quản về ANTT" counts "mô hình tự quản"."""
    for i, w in enumerate(words):
        if i and (w[0] if isinstance(w, Word) else w) in ("về", "ve"):
            return words[:i]
    return words


def _subject(claim_words: tuple[Word, ...], supports: list[tuple[Report, _Fact]]) -> tuple[tuple[Word, ...], bool]:
    """What the different figures must count, and whether a report gives the figure exactly:
    the claim's noun, or the top supporting report's when it says more ("248 mô hình" is
    248 “mô hình phòng chống tội phạm”)."""
    claim = _head(claim_words)
    top = supports[0] if supports else None
    if top is None or top[0].match != "exact":
        return claim, False
    stored = _head(top[1].unit_words)
    if len(stored) > len(claim) and _common_start(claim, stored) == len(claim):
        return tuple(Word(w) for w in stored), True
    return claim, True


def _different(figure: ClaimFigure, subject: tuple[Word, ...], exact: bool, facts: list[_Fact],
               supports: list[Report], matcher: _Matcher) -> tuple[list[Report], str]:
    """Other figures for the same subject and place, one per article and value, by date.

    The same subject: the fact's noun (as the extractor cut it, without a "về …"
    complement) is the subject; or, when no report gives the claim's figure
    exactly, the claim may say more than the facts ("910 mô hình tự quản" and the
    stored "909 mô hình"), a start of two syllables at least ("đồng", money, also
    starts "đồng chí")."""
    if matcher.claim_places:
        scope = ", ".join(p.name for p in matcher.claim_places)
        in_scope = matcher.place
    elif supports:
        by_id = {f.row["count_id"]: f for f in facts}
        legacy = {p for s in supports for p in by_id[s.count_id].legacy}
        scope = ", ".join(sorted({s.province for s in supports if s.province})) or "?"
        in_scope = lambda f: (0, None) if f.legacy & legacy else None  # noqa: E731
    else:
        scope = "anywhere"
        in_scope = lambda f: (0, None)  # noqa: E731
    if not subject:
        return [], scope
    wanted_model = _model_key(figure.model)
    supporting = {s.count_id for s in supports}
    same = []
    for fact in facts:
        r = fact.row
        if r["count_id"] in supporting or figure.percent != (r["unit"] == "%") or fact.model_key != wanted_model:
            continue
        if _same(figure.amount, fact.amount) and (figure.denominator is None or _same(figure.denominator, r["denominator"])):
            continue
        words = _head(fact.unit_words)
        common = _common_start(subject, words)
        if common != len(words) or not (common == len(subject) or (not exact and common >= 2)):
            continue
        where = in_scope(fact)
        if where is not None:
            same.append((fact, where))
    out, seen = [], set()
    for fact, where in sorted(same, key=lambda p: _date_order(p[0])):
        key = (fact.row["article_id"], round(float(fact.amount), 9), fact.row["denominator"])
        if key not in seen:
            seen.add(key)
            out.append(fact.report("different", len(subject), place_note=where[1]))
    return out, scope


def _date_order(fact: _Fact) -> tuple:
    r = fact.row
    return (r["published"] is None, r["published"] or "", r["article_id"], r["start"])


# --------------------------------------------------------------------------- loading

def _stored_keys(conn: sqlite3.Connection) -> list[str]:
    return [k for (k,) in conn.execute("SELECT DISTINCT unit_key FROM counts WHERE unit_key IS NOT NULL")]


def _subject_keys(conn: sqlite3.Connection, figures: list[ClaimFigure]) -> list[str]:
    """The ``unit_key`` values a claim's nouns can be stored under (a noun typed bare: every
    key spelled alike; a magnitude word may come first: "29 triệu đồng")."""
    keys: set[str] = set()
    stored: list[str] | None = None
    for f in figures:
        if f.percent:
            keys.add("%")
            continue
        first = f.noun.split()[0] if f.noun.split() else ""
        if not first:
            continue
        if is_bare(first):
            stored = _stored_keys(conn) if stored is None else stored
            keys.update(k for k in stored if bare(k) == first.lower())
            keys.update(_MAGNITUDE_KEYS)
        elif key := unit_key(f.noun):
            keys.add(key)
            keys.update(_MAGNITUDE_KEYS)
    return sorted(keys)


def _load_facts(conn: sqlite3.Connection, places: Places, figures: list[ClaimFigure],
                claim_places: list[ClaimPlace]) -> list[_Fact]:
    """The counts that can matter, found through two indexes: those of the claim's amounts
    (``value``), and those counting the same thing (``unit_key``) in the claim's provinces,
    or else in the provinces where the amount was found."""
    found: dict[int, _Fact] = {}

    def select(where: str, params: list, tail: str = "") -> None:
        cursor = conn.execute(f"{_COUNTS_SQL} WHERE {where} {tail}", params)
        names = [d[0] for d in cursor.description]
        rows = [dict(zip(names, row)) for row in cursor if row[0] not in found]
        places.preload(r["place_code"] for r in rows)
        for row in rows:
            found.setdefault(row["count_id"], _Fact(row, places))

    def marks(items) -> str:
        return ",".join("?" * len(items))

    for f in figures:
        # "500.000.000 đồng" may be stored as 500 "triệu đồng", 0,5 "tỷ đồng" …
        ways, params = ["c.value = ?"], [float(f.amount)]
        if not f.percent and f.denominator is None:
            for factor, words in _FACTOR_KEYS.items():
                ways.append(f"(c.value = ? AND c.unit_key IN ({marks(words)}))")
                params += [round(f.amount / factor, 9), *words]
        where = [f"({' OR '.join(ways)})"]
        if f.denominator is not None:
            where.append("c.denominator = ?")
            params.append(float(f.denominator))
        if f.percent:
            where.append("c.unit_key = '%'")
        select(" AND ".join(where), params)
    keys = _subject_keys(conn, [f for f in figures if f.noun])
    if claim_places:
        provinces = {p for place in claim_places for p in place.provinces} | {p.name for p in claim_places if p.level == "tỉnh"}
    else:  # where the figure was found counting the same thing
        provinces = {p for fact in found.values() if fact.row["unit_key"] in keys for p in fact.legacy}
    # a 2025 province's facts are stored under its own name
    provinces |= {u.province_2025 for p in list(provinces) for u in places.find(p, levels=("tỉnh",)) if u.province_2025}
    provinces = sorted(provinces)
    if keys and provinces:
        select(f"c.unit_key IN ({marks(keys)}) AND c.province IN ({marks(provinces)})", keys + provinces)
    elif keys and not claim_places:
        # nothing gives the figure anywhere: the other figures for the subject, newest first
        select(f"c.unit_key IN ({marks(keys)})", keys, "ORDER BY a.published IS NULL, a.published DESC LIMIT 500")
    return sorted(found.values(), key=_date_order)


def _rank(report: Report, precision: int) -> tuple:
    order = {"exact": 0, "close": 1, "value": 2}
    return (order[report.match], -precision, -report.noun_words_matched,
            report.published is None, report.published or "", report.article_id, report.highlight_start)


def _once_per_sentence(found: list[tuple[Report, _Fact, int]]) -> list[tuple[Report, _Fact, int]]:
    """A figure written twice in one sentence is one support (the first)."""
    out, seen = [], set()
    for item in found:
        key = (item[0].sentence_id, round(float(item[0].amount), 9), item[0].denominator)
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out


def verify(conn: sqlite3.Connection, claim: str | Claim, province: str | None = None, *,
           with_speakers: bool = True) -> Verdict:
    """Match a claim's figures against the stored counts.

    ``province``: the place the figures are about, when the claim does not say
    (typed any way; ``UnknownPlace`` if there is no such province).
    ``with_speakers=False``: leave ``Report.speaker`` empty (a caller showing a few
    reports of many gives them theirs with :func:`add_speakers`).
    """
    places = Places(conn)
    parsed = parse_claim(claim, places) if isinstance(claim, str) else claim
    claim_places = list(parsed.places)
    if province:
        choice = places.province(province)
        claim_places.append(ClaimPlace(text=province, name=choice.name, level="tỉnh", start=-1, end=-1,
                                       codes=[u.code for u in choice.units], provinces=list(choice.legacy),
                                       eras=sorted({u.era for u in choice.units})))
    matcher = _Matcher(places, claim_places)
    facts = _load_facts(conn, places, parsed.figures, claim_places)
    verdicts = []
    for figure in parsed.figures:
        claim_words = _claim_words(figure)
        found = []
        for fact in facts:
            rep = _supports(figure, claim_words, fact, matcher)
            if rep is not None:
                found.append((rep, fact, matcher.place(fact)[0]))
        found.sort(key=lambda item: _rank(item[0], item[2]))
        found = _once_per_sentence(found)
        supports = [rep for rep, _, _ in found]
        status = ("no support" if not supports
                  else "supported" if any(s.match == "exact" or s.match == "value" and not figure.noun for s in supports)
                  else "partly supported")
        subject, exact = _subject(claim_words, [(rep, fact) for rep, fact, _ in found])
        different, scope = _different(figure, subject, exact, facts, supports, matcher)
        what = " ".join(w[0] for w in subject) + (f" “{figure.model}”" if figure.model else "")
        verdicts.append(FigureVerdict(figure=figure, status=status, supports=supports, different=different,
                                      subject=what, scope=scope))
    verdict = Verdict(claim=parsed.model_copy(update={"places": claim_places}), figures=verdicts)
    if with_speakers:
        add_speakers(conn, [r for fv in verdict.figures for r in (*fv.supports, *fv.different)])
    return verdict


def add_speakers(conn: sqlite3.Connection, reports: list[Report]) -> None:
    """Say who gave each report's figure (``Report.speaker``; None where the article names no one)."""
    found = speakers(conn, [(r.article_id, r.sentence_id, r.highlight_start) for r in reports])
    for r in reports:
        r.speaker = found.get((r.article_id, r.sentence_id, r.highlight_start))


# --------------------------------------------------------------------------- flat rows

NO_SUPPORT = "Không bài báo nào trong kho ủng hộ con số này / No stored article supports this figure"

ROW_COLUMNS = ("claim_figure", "status", "relation", "match", "figure", "value", "place", "said_by", "sentence",
               "title", "site", "url", "published", "article_id", "sentence_idx", "count_id", "note")


def _row(figure: str, status: str, relation: str, rep: Report | None = None, place: str | None = None) -> dict:
    if rep is None:
        return {**dict.fromkeys(ROW_COLUMNS), "claim_figure": figure, "status": status, "relation": relation,
                "place": place, "sentence": NO_SUPPORT}
    where = rep.place
    if where and rep.place_from == "article":
        where += " (bài / article)"   # the sentence names no place: the article's province stands in
    notes = "; ".join(n for n in (rep.note, rep.place_note) if n) or None
    return {"claim_figure": figure, "status": status, "relation": relation, "match": rep.match, "figure": rep.what,
            "value": rep.amount, "place": where,
            "said_by": rep.speaker.describe() if rep.speaker else None, "sentence": rep.marked_sentence(),
            "title": rep.title, "site": rep.site, "url": rep.url, "published": rep.published,
            "article_id": rep.article_id, "sentence_idx": rep.sentence_idx, "count_id": rep.count_id, "note": notes}


def verdict_rows(verdict: Verdict) -> list[dict]:
    """Flat rows for CSV/JSON and Datasette: each figure's supports (or one 'no support'
    row), then its different figures.  The sentence carries the figure between ⟦ and ⟧."""
    out = []
    claim_places = ", ".join(p.name for p in verdict.claim.places) or None
    for fv in verdict.figures:
        claimed = fv.figure.what
        if not fv.supports:
            out.append(_row(claimed, fv.status, "no support", place=claim_places))
        out.extend(_row(claimed, fv.status, "supports", rep) for rep in fv.supports)
        out.extend(_row(claimed, fv.status, "different figure", rep) for rep in fv.different)
    return out
