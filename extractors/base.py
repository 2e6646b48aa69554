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

from spacy.tokens import Doc

from pipeline.nlp.segment import sentence_of
from pipeline.text import UPPER

__all__ = ["UPPER", "CAP", "CAP_WORD", "Quote", "Quotes", "quotes", "in_any", "provenance", "semicolon_part", "word_starts"]

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


_QUOTE_MARK = re.compile(f"[{_QUOTE_CHARS}]")


def _pair_quotes(text: str, line_start: int) -> list[Quote]:
    marks = [m.start() for m in _QUOTE_MARK.finditer(text)]
    out: list[Quote] = []
    i = 0
    while i + 1 < len(marks):
        a, b = marks[i], marks[i + 1]
        # “ always opens: a ” followed by “ means the first mark was a stray closer
        if text[a] == "”" and text[b] == "“":
            i += 1
            continue
        inner = text[a + 1 : b]
        words = len(inner.split())
        speech = (
            words > 25
            or bool(_SENTENCE_INSIDE.search(inner.strip()))
            or bool(_SPEECH_BEFORE.search(text[max(0, a - 40) : a]))
        )
        out.append(Quote(line_start + a, line_start + b + 1, line_start + a + 1, line_start + b, speech))
        i += 2
    return out


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
    """Quoted spans, paired per paragraph (quotes never span a line break)."""
    cached = doc._.quotes
    if cached is None:
        found: list[Quote] = []
        pos = 0
        for line in doc._.text.split("\n"):
            if _QUOTE_MARK.search(line):
                found.extend(_pair_quotes(line, pos))
            pos += len(line) + 1
        cached = doc._.quotes = Quotes(found)
    return cached


def in_any(quotes_: Quotes, offset: int, *, names_only: bool = False) -> Quote | None:
    """The quote of ``quotes_`` holding ``offset``, if any."""
    return quotes_.at(offset, names_only=names_only)


def word_starts(doc: Doc) -> list[int]:
    """Start offsets of the word tokens, for bisecting (computed once per Doc)."""
    starts = doc._.word_starts
    if starts is None:
        starts = doc._.word_starts = [s for s, _ in doc._.words]
    return starts


def provenance(doc: Doc, start: int, end: int) -> dict:
    """The provenance fields of a fact whose evidence is text[start:end]."""
    index = sentence_of(doc, start)
    s, e = doc._.sents[index]
    return {"sentence": doc._.text[s:e], "sentence_index": index, "start": start, "end": end}


def semicolon_part(norm: str, s_start: int, s_end: int, start: int, end: int | None = None) -> tuple[int, int]:
    """The ';'-delimited part of the sentence [s_start, s_end) around text[start:end]."""
    end = start if end is None else end
    left = norm.rfind(";", s_start, start)
    right = norm.find(";", end, s_end)
    return (s_start if left < 0 else left + 1), (s_end if right < 0 else right)
