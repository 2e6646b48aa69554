"""What every extractor needs from a Doc: provenance, quotes, clause scopes.

An extractor is a function of a ``Doc`` (like a spaCy component) that declares
the Doc attributes it reads (``REQUIRES``) and leaves for later ones
(``ASSIGNS``); ``pipeline.nlp.extract`` checks the order.  The helpers here
derive what several extractors read from the segmenter's output (quoted spans,
word starts), once per Doc, and answer lookups by bisection so that no
extractor's cost grows faster than the article.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from datetime import date

from spacy.tokens import Doc

from pipeline.text import UPPER

__all__ = ["UPPER", "CAP", "CAP_WORD", "Quote", "Quotes", "quotes", "in_any", "lower_norm", "provenance", "view", "DocView", "semicolon_part",
           "search_end", "word_starts"]

# A capitalised Vietnamese syllable (or an all-caps abbreviation such as UBND).
CAP_WORD = rf"[{UPPER}]\w*"
CAP = re.compile(CAP_WORD)

_QUOTE_CHARS = "“”\"„‟″"


@dataclass(frozen=True, slots=True)
class Quote:
    start: int  # offset of the opening quote mark
    end: int  # offset just after the closing quote mark
    inner_start: int
    inner_end: int
    speech: bool  # a quotation of speech rather than a quoted name

    def contains(self, offset: int) -> bool:
        return self.inner_start <= offset < self.inner_end


# A quotation of speech, not a quoted name: several sentences inside, or a
# verb of saying and a colon before it.
_SENTENCE_INSIDE = re.compile(r"[.!?…]\s+\S|[.!?]$")
_SPEECH_BEFORE = re.compile(
    r"\b(?:cho biết|chia sẻ|nói|phát biểu|khẳng định|nhấn mạnh|cho rằng|bày tỏ|tâm sự|kể|nhớ lại|trả lời|"
    r"nêu rõ|yêu cầu|đề nghị|thông tin|khẳng định|nhận định|cho hay|kể lại|quả quyết|tâm sự|trao đổi)\s*:\s*$",
    re.I,
)


_QUOTE_MARK = re.compile(f"[{_QUOTE_CHARS}‘’'«»]")
_GUILLEMETS = {"«": "“", "»": "”"}  # «Tổ tuần tra nhân dân»: paired as “ ”
# A name the text introduces: a long quoted name after these is still a name.
_NAME_BEFORE = re.compile(r"(?:mô hình|mang tên|tên gọi|tên là|với tên|chủ đề|khẩu hiệu)\s*$", re.I)
_LIST_SEPARATOR = re.compile(r"[,;]\s*$")
_MAX_NAME_WORDS = 40


def _is_speech(text: str, a: int, b: int) -> bool:
    inner = text[a + 1 : b]
    words = len(inner.split())
    return (
        words > _MAX_NAME_WORDS
        or (words > 25 and not _NAME_BEFORE.search(text[max(0, a - 20) : a]))
        or bool(_SENTENCE_INSIDE.search(inner.strip()))
        or bool(_SPEECH_BEFORE.search(text[max(0, a - 40) : a]))
    )


def _single_quote_opens(text: str, i: int) -> bool:
    """An ASCII apostrophe opens a quote before a letter after a space ('Tổ hòa giải', a
    headline's 'hiệp sĩ đường phố'); inside a word it is part of the name (Cư M'gar, H'Mông)."""
    return (i == 0 or not text[i - 1].isalnum()) and i + 1 < len(text) and text[i + 1].isalpha()


def _single_quote_closes(text: str, i: int) -> bool:
    return i > 0 and not text[i - 1].isspace() and (i + 1 == len(text) or not text[i + 1].isalnum())


def _pair_quotes(text: str, line_start: int) -> list[Quote]:
    """The outermost quoted spans of one line.

    Quotes nest (“Tổ an ninh “3 an toàn””, “Tổ tự quản tàu thuyền "5 không"”): only
    the outermost span is kept, with the inner marks in it.  A list item missing a
    mark is mended where the list says: in “A, “B” the first name ends at the comma
    before the next opening mark; in “A”, B”, “C” the stray closer ends a name that
    starts after the comma.  Single quotes (‘…’, '…') pair only outside double ones."""
    out: list[tuple[int, int, int, int]] = []  # (start, end, inner_start, inner_end)
    opened: int | None = None  # the outermost open double quote
    depth = 0
    ascii_open: int | None = None  # an open " (inside or outside a “ … ”)
    single: int | None = None
    for m in _QUOTE_MARK.finditer(text):
        i, c = m.start(), m.group(0)
        c = _GUILLEMETS.get(c, c)
        if c in "‘'":
            if c == "'" and not (_single_quote_opens(text, i) or (single is not None and _single_quote_closes(text, i))):
                continue
            if single is not None and c == "'" and _single_quote_closes(text, i):
                if opened is None and ascii_open is None:
                    out.append((single, i + 1, single + 1, i))
                single = None
            elif opened is None and ascii_open is None:
                single = i
            continue
        if c == "’":
            if single is not None and opened is None and ascii_open is None:
                out.append((single, i + 1, single + 1, i))
                single = None
            continue
        if c in "“„":
            if opened is not None and depth == 1 and ascii_open is None and _LIST_SEPARATOR.search(text, opened, i):
                # “A, “B”: the list's next item opens; the first lost its closing mark
                sep = _LIST_SEPARATOR.search(text, opened, i)
                out.append((opened, sep.start(), opened + 1, sep.start()))
                opened, depth = i, 1
            elif opened is None:
                opened, depth = i, 1
            else:
                depth += 1
            continue
        if c == "”":
            if opened is not None:
                depth -= 1
                if depth == 0:
                    out.append((opened, i + 1, opened + 1, i))
                    opened, ascii_open = None, None
            elif ascii_open is not None:
                out.append((ascii_open, i + 1, ascii_open + 1, i))  # "A” : mixed marks
                ascii_open = None
            elif out:
                # “A”, B”: a closer with no opener ends an item that starts after the separator
                glue = re.match(r"\s*[,;]\s*", text[out[-1][1] : i])
                if glue and glue.end() < i - out[-1][1]:
                    start = out[-1][1] + glue.end()
                    out.append((start, i + 1, start, i))
            continue
        # an ASCII double quote (or another symmetric mark) opens or closes
        if ascii_open is None:
            ascii_open = i
        else:
            if opened is None:
                out.append((ascii_open, i + 1, ascii_open + 1, i))
            ascii_open = None
    return [Quote(line_start + a, line_start + b, line_start + ia, line_start + ib,
                  _is_speech(text, ia - 1, ib) if ia > a else False)
            for a, b, ia, ib in out if ib > ia]


class Quotes(list):
    """The quoted spans of a text, in order and never overlapping: a lookup by
    offset is a bisection."""

    def __init__(self, items: list[Quote]):
        super().__init__(items)
        self.starts = [q.inner_start for q in items]

    def at(self, offset: int, *, names_only: bool = False) -> Quote | None:
        """The quote whose inside holds ``offset`` (only quoted names if ``names_only``)."""
        i = bisect.bisect_right(self.starts, offset) - 1
        if i >= 0:
            q = self[i]
            if q.contains(offset) and not (names_only and q.speech):
                return q
        return None

    def within(self, start: int, end: int) -> list[Quote]:
        """The quotes lying wholly inside text[start:end]."""
        i = bisect.bisect_left(self.starts, start + 1)
        out = []
        for j in range(i, len(self)):
            q = self[j]
            if q.start >= end:
                break
            if start <= q.start and q.end <= end:
                out.append(q)
        return out


def quotes(doc: Doc) -> Quotes:
    """Quoted spans, paired per paragraph (quotes never span a line break); computed once
    per Doc."""
    cached = doc.user_data.get("quotes")
    if cached is None:
        found: list[Quote] = []
        pos = 0
        for line in view(doc).text.split("\n"):
            if _QUOTE_MARK.search(line):
                found.extend(_pair_quotes(line, pos))
            pos += len(line) + 1
        cached = doc.user_data["quotes"] = Quotes(found)
    return cached


def in_any(quotes_: Quotes, offset: int, *, names_only: bool = False) -> Quote | None:
    """The quote of ``quotes_`` holding ``offset``, if any."""
    return quotes_.at(offset, names_only=names_only)


def lower_norm(doc: Doc) -> str:
    """``norm`` in lower case (same offsets), computed once per Doc: scanning it for a
    lower-case literal is several times faster than a case-insensitive regex."""
    cached = doc.user_data.get("lower_norm")
    if cached is None:
        cached = doc.user_data["lower_norm"] = view(doc).norm.lower()
    return cached


def word_starts(doc: Doc) -> list[int]:
    """Start offsets of the word tokens, for bisecting (computed once per Doc)."""
    starts = doc.user_data.get("word_starts")
    if starts is None:
        starts = doc.user_data["word_starts"] = [s for s, _ in view(doc).words]
    return starts


@dataclass(frozen=True, slots=True)
class DocView:
    """The segmenter's attributes of a Doc, read once: every ``doc._.x`` builds an
    accessor object, which costs more than the lookups extractors make per figure."""

    text: str
    norm: str
    sents: list[tuple[int, int]]
    sent_starts: list[int]
    words: list[tuple[int, int]]
    published: date | None

    def sentence_index(self, offset: int) -> int:
        """Index of the sentence holding ``offset`` (as ``pipeline.nlp.segment.sentence_of``)."""
        return max(0, bisect.bisect_right(self.sent_starts, offset) - 1)

    def sentence_span(self, offset: int) -> tuple[int, int]:
        return self.sents[self.sentence_index(offset)]


def view(doc: Doc) -> DocView:
    """The Doc's ``DocView`` (made on first use)."""
    cached = doc.user_data.get("doc_view")
    if cached is None:
        underscore = doc._
        sents = underscore.sents
        cached = doc.user_data["doc_view"] = DocView(underscore.text, underscore.norm, sents, [s for s, _ in sents],
                                                     underscore.words, underscore.published)
    return cached


def search_end(pattern: re.Pattern[str], text: str, words: tuple[str, ...] | list[str]) -> re.Match[str] | None:
    """``pattern.search(text)`` for a pattern that is one of ``words`` (each ending on a
    non-space) and then only whitespace to the end (``(?:…)\\s*$``): such a word can only
    end where the text's trailing whitespace begins, so the search starts that far back
    rather than trying every position of the text."""
    return pattern.search(text, max(0, len(text.rstrip()) - max(map(len, words))))


def provenance(doc: Doc, start: int, end: int) -> dict:
    """The provenance fields of a fact whose evidence is text[start:end]."""
    v = view(doc)
    index = v.sentence_index(start)
    s, e = v.sents[index]
    return {"sentence": v.text[s:e], "sentence_index": index, "start": start, "end": end}


def semicolon_part(norm: str, s_start: int, s_end: int, start: int, end: int | None = None) -> tuple[int, int]:
    """The ';'-delimited part of the sentence [s_start, s_end) around text[start:end]."""
    end = start if end is None else end
    left = norm.rfind(";", s_start, start)
    right = norm.find(";", end, s_end)
    return (s_start if left < 0 else left + 1), (s_end if right < 0 else right)
