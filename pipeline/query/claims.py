"""A journalist's claim, read the way the counts extractor reads an article.

    parse_claim("Thanh Hoa co 909 mo hinh", places)

* **Figures** with the extractor's own rules (``extractors.figures``): the
  number in Vietnamese notation ("1.000" = 1000, "92,6%", "13/13"), its hedge
  ("trên", "khoảng hơn"), what makes it no count (a year, "Chỉ thị 09", "3
  năm"), where the counted noun ends, and the magnitude words ("500 triệu
  đồng" is 500.000.000 đồng: ``figures.amount``).
* **Places** it names, resolved in the store's gazetteer (:mod:`pipeline.query.places`),
  both eras: "Ninh Bình" is the legacy province and the 2025 one that took in Hà Nam.
* **Typed without diacritics** ("Thanh Hoa co 909 mo hinh"): the same rules,
  their patterns stripped of diacritics.  Some stop words lose their meaning
  without marks ("co" is "có", but also "cơ" of "cơ quan"): those do not end
  a noun when typed bare.
"""

from __future__ import annotations

import re
from functools import cache

from pydantic import BaseModel, Field

from extractors.figures import (
    DURATION_AFTER,
    figures,
    MAGNITUDES,
    QUALIFIER_BEFORE,
    QUALIFIERS,
    REFERENCE_BEFORE,
    UNIT_END,
    UNIT_STOP,
    amount,
    not_a_count,
)
from pipeline.query.places import Places, Unit, bare, is_bare
from pipeline.text import UPPER, fold, nfc, parse_number

__all__ = ["ClaimFigure", "ClaimPlace", "Claim", "parse_claim", "noun_words", "Word", "QUALIFIERS"]


class ClaimFigure(BaseModel):
    """One figure of a claim."""

    text: str = Field(description="as written, with its hedge: 'trên 1.000', '13/13', '92,6%'")
    value: float | int
    denominator: float | int | None = None
    percent: bool = False
    qualifier: str | None = Field(None, description="the hedge, with its diacritics: 'trên'")
    unit: str = Field("", description="the words counted, as written ('triệu đồng', 'khu dân cư'); '%' for a percent")
    noun: str = Field("", description="what is compared with the reports: the unit without its magnitude word "
                                      "('đồng'), or what a percent is of")
    amount: float | int = Field(description="the value with its magnitude word folded in: 500 triệu -> 500000000")
    model: str | None = Field(None, description="a model quoted after the noun")
    start: int
    end: int

    @property
    def what(self) -> str:
        """The figure and what it counts, as written: "13/13 khu dân cư", "92,6%"."""
        return f"{self.text} {self.noun if self.percent else self.unit}".strip()


class ClaimPlace(BaseModel):
    """A place the claim names, resolved against the gazetteer."""

    text: str = Field(description="as written, with its unit word: 'tỉnh Thanh Hoá'")
    name: str = Field(description="the gazetteer's name: 'Thanh Hóa'")
    level: str
    start: int
    end: int
    codes: list[str]
    provinces: list[str] = Field(description="legacy provinces it lies in (several for a 2025 province)")
    eras: list[str]


class Claim(BaseModel):
    text: str
    figures: list[ClaimFigure]
    places: list[ClaimPlace]


# --------------------------------------------------------------------------- rules without diacritics

def _bare_rule(rule: re.Pattern[str]) -> re.Pattern[str]:
    # the same pattern, its letters stripped of their marks: the rule stays in one place
    return re.compile(bare(rule.pattern), rule.flags)


_BARE_REFERENCE = _bare_rule(REFERENCE_BEFORE)
_BARE_DURATION = _bare_rule(DURATION_AFTER)
_BARE_QUALIFIER = _bare_rule(QUALIFIER_BEFORE)
_QUALIFIER_OF_BARE = {bare(q): q for q in QUALIFIERS}
# Bare, these spell common noun syllables too (cơ quan, tự quản, phần quà, thuốc, đất …).
_BARE_AMBIGUOUS = frozenset("co tu do qua thuoc xuong tang giam dat bang con moi cung khi".split())
_BARE_STOPS = frozenset(bare(w) for w in UNIT_STOP) - _BARE_AMBIGUOUS
_BARE_ENDS = frozenset(bare(w) for w in UNIT_END)
# "tram" is also trạm (a station), "van" văn: bare, only the unambiguous magnitude words
_MAGNITUDE_OF_BARE = {bare(w): w for w in MAGNITUDES if bare(w) not in ("tram", "van")}


def _window_is_bare(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and is_bare("".join(letters))


# --------------------------------------------------------------------------- nouns

class Word(tuple):
    """A word of a noun as compared: (key, typed_bare).  A word typed without marks is
    compared on its bare form, any other on :func:`fold`."""

    __slots__ = ()

    def __new__(cls, word: str):
        typed_bare = is_bare(word)
        return super().__new__(cls, (word.lower() if typed_bare else fold(word), typed_bare))

    def matches(self, fact_word: str) -> bool:
        """``fact_word``: a folded word of a stored noun."""
        return self[0] == (bare(fact_word) if self[1] else fact_word)


_SYLLABLE = re.compile(r"[^\W_][\w'’-]*|%", re.U)


@cache
def _expanded(text: str) -> tuple[str, ...]:
    """Folded syllables, abbreviations expanded ("ANTT", typed "antt" too)."""
    from gazetteer.lexicon import get_lexicon

    abbreviations = get_lexicon().abbreviations
    words = []
    for w in _SYLLABLE.findall(text):
        # an abbreviation typed in lower case: no Vietnamese syllable is one of these
        key = w if w in abbreviations else w.upper() if len(w) >= 3 and w.upper() in abbreviations else None
        words.append(abbreviations[key] if key else w)
    return tuple(fold(" ".join(words)).split())


def noun_words(text: str) -> tuple[str, ...]:
    """The folded syllables of a noun, abbreviations expanded: what nouns are compared on."""
    return _expanded(text)


_TOKEN = re.compile(r"[^\W\d_][\w'’-]*|\d[\d.,]*|[%“”\"(){}\[\];:,.!?…–—]", re.U)
_STOP_PUNCT = set("“”\"(){}[];:,.!?…–—")
_MAX_NOUN_SYLLABLES = 10


def _is(words: frozenset[str], bare_words: frozenset[str], *tokens: str) -> bool:
    joined = " ".join(tokens)
    return fold(joined) in words or (is_bare(joined) and joined.lower() in bare_words)


def noun_after(text: str, pos: int, stops: list[int] = ()) -> tuple[str, int]:
    """The counted noun that starts at ``pos``: words up to a stop word (one or two
    syllables), a punctuation mark, a number or a place (``stops``); as written."""
    stop_at = min((s for s in stops if s >= pos), default=len(text))
    tokens = _TOKEN.finditer(text, pos, stop_at)
    words: list[re.Match[str]] = []
    m = next(tokens, None)
    while m is not None:
        nxt = next(tokens, None)   # one token of look-ahead, for the stop words of two syllables
        token = m.group(0)
        if token in _STOP_PUNCT or token[0].isdigit() or token == "%":
            break
        pair = (token, nxt.group(0)) if nxt is not None else None
        if _is(UNIT_STOP, _BARE_STOPS, token) or (pair and _is(UNIT_STOP, _BARE_STOPS, *pair)) or token.lower() == "trở":
            break
        if words and (_is(UNIT_END, _BARE_ENDS, token) or (pair and _is(UNIT_END, _BARE_ENDS, *pair))):
            break
        words.append(m)
        if len(words) >= _MAX_NOUN_SYLLABLES:
            break
        m = nxt
    if not words:
        return "", pos
    return text[words[0].start() : words[-1].end()], words[-1].end()


def _with_magnitude(value: int | float, unit: str) -> tuple[int | float, str]:
    """``figures.amount``, also for a magnitude word typed without its marks ("500 trieu dong")."""
    first, _, rest = unit.partition(" ")
    if first.lower() in _MAGNITUDE_OF_BARE:
        unit = _MAGNITUDE_OF_BARE[first.lower()] + (" " + rest if rest else "")
    return amount(value, unit)


# --------------------------------------------------------------------------- figures

_QUOTE_SPAN = re.compile(r"[“\"][^”\"]*[”\"]")
_QUOTED = re.compile(r"^\s*[“\"]([^”\"]{2,120})[”\"]")
_OUTER_QUOTES = "“”\"'‘’ \t\n"


def _qualifier(before: str) -> tuple[str | None, int]:
    """The hedge right before a figure (with its marks) and its length as written."""
    m = QUALIFIER_BEFORE.search(before)
    if m:
        return m.group(1).lower(), len(m.group(0))
    m = _BARE_QUALIFIER.search(before)
    if m and _window_is_bare(m.group(0)):
        return _QUALIFIER_OF_BARE.get(m.group(1).lower(), m.group(1).lower()), len(m.group(0))
    return None, 0


def _figures(text: str, place_starts: list[int]) -> list[ClaimFigure]:
    out: list[ClaimFigure] = []
    # a number inside a quoted name is part of the name: “2 +1”, “Câu lạc bộ 3 tích cực”
    quoted = [(q.start(), q.end()) for q in _QUOTE_SPAN.finditer(text)]
    for m in figures(text):
        if any(a < m.start() < b for a, b in quoted):
            continue
        raw_num, raw_den, percent = m.group("num"), m.group("den"), bool(m.group("pct"))
        value = parse_number(raw_num)
        den = parse_number(raw_den) if raw_den else None
        if value is None or (raw_den and den is None):
            continue
        before, after = text[max(0, m.start() - 30) : m.start()], text[m.end() : m.end() + 20]
        if den is not None and re.match(r"^/\d", after):
            continue                                      # 16/6/2022: a date
        if not_a_count(before, after, raw_num, value, den, percent):
            continue
        if _window_is_bare(before[-12:] + after[:12]) and (
                _BARE_REFERENCE.search(before) or (not percent and _BARE_DURATION.match(after))):
            continue
        qualifier, q_len = _qualifier(before)
        if qualifier == "hàng":
            continue                                      # "hàng trăm" has no value
        start = m.start() - q_len
        unit, end = noun_after(text, m.end(), place_starts)
        scaled, noun = (value, unit) if percent else _with_magnitude(value, unit)
        model_m = _QUOTED.match(text[end:]) if unit else None
        out.append(ClaimFigure(
            text=text[start : m.end()].strip(), value=value, denominator=den, percent=percent,
            qualifier=qualifier, unit="%" if percent else unit, noun=noun, amount=scaled,
            model=model_m.group(1).strip() if model_m else None,
            start=start, end=end if unit else m.end(),
        ))
    return out


# --------------------------------------------------------------------------- places

_UNIT_WORD = (r"(?i:thành phố|thanh pho|thị xã|thi xa|thị trấn|thi tran|đặc khu|dac khu|tỉnh|tinh|huyện|huyen"
              r"|quận|quan|phường|phuong|xã|xa)|TP\.?|Tp\.?|TX\.?")
_CAP_SYLLABLE = rf"[{UPPER}]\w*"
_PLACE = re.compile(
    rf"(?<![\w])(?:(?P<unit>{_UNIT_WORD})\s+)?(?P<name>{_CAP_SYLLABLE}(?:[ \-]+{_CAP_SYLLABLE}){{0,4}}|\d{{1,2}}\b)"
)
_LOWER_RUN = re.compile(r"(?<![\w])[^\W\d_]+(?:\s+[^\W\d_]+){1,3}", re.U)


def _resolve(places: Places, unit_word: str | None, name: str) -> tuple[str, list[Unit]] | None:
    """The longest start of ``name`` that the gazetteer knows, and its units (both eras).

    Without a unit word only the highest level found counts ("Hòa Bình" is the
    province, "huyện Hòa Bình" the district), and a single syllable must be a
    province (the first word of a sentence is capitalised too).
    """
    syllables = name.split(" ")
    for n in range(len(syllables), 0, -1):
        candidate = " ".join(syllables[:n])
        if unit_word:
            units = places.find(f"{unit_word} {candidate}")
        else:
            units = places.find(candidate, levels=("tỉnh",) if n == 1 else ("tỉnh", "huyện", "xã"))
        if units:
            return candidate, units
    return None


def _place(places: Places, text: str, start: int, end: int, units: list[Unit]) -> ClaimPlace:
    provinces = sorted({p for u in units for p in places.legacy_provinces(u)})
    return ClaimPlace(text=text[start:end], name=units[0].name, level=units[0].level, start=start, end=end,
                      codes=[u.code for u in units], provinces=provinces, eras=sorted({u.era for u in units}))


def _places(text: str, places: Places) -> list[ClaimPlace]:
    out: list[ClaimPlace] = []
    pos = 0
    while (m := _PLACE.search(text, pos)) is not None:
        name = m.group("name")
        resolved = _resolve(places, m.group("unit"), name) if (m.group("unit") or not name.isdigit()) else None
        if resolved is None:
            # not a place: try again from the next syllable of the run
            pos = m.start("name") + len(name.split(" ")[0]) + 1 if " " in name else m.end()
            continue
        found, units = resolved
        end = m.start("name") + len(found)
        out.append(_place(places, text, m.start(), end, units))
        pos = end
    # typed in lower case: provinces only ("thanh hoa co 909 mo hinh"), a name of two syllables or more
    taken = [(p.start, p.end) for p in out]
    for run in _LOWER_RUN.finditer(text):
        words = [w for w in re.finditer(r"[^\W\d_]+", run.group(0))]
        i = 0
        while i < len(words) - 1:
            for n in range(min(4, len(words) - i), 1, -1):
                s, e = run.start() + words[i].start(), run.start() + words[i + n - 1].end()
                if any(a < e and s < b for a, b in taken):
                    continue
                units = places.find(text[s:e], levels=("tỉnh",))
                if units:
                    out.append(_place(places, text, s, e, units))
                    taken.append((s, e))
                    i += n - 1
                    break
            i += 1
    return sorted(out, key=lambda p: p.start)


def parse_claim(text: str, places: Places | None = None) -> Claim:
    """Figures, counted nouns, quoted models and (given the store's ``places``) places of a claim."""
    # a claim pasted with its quotation marks: “Thanh Hóa có 909 mô hình”
    text = nfc(text).strip(_OUTER_QUOTES) if text.strip()[:1] in "“\"'‘" else nfc(text).strip()
    found = _places(text, places) if places else []
    # a counted noun ends where a place begins: "909 mô hình | tỉnh Thanh Hóa"
    return Claim(text=text, figures=_figures(text, [p.start for p in found]), places=found)
