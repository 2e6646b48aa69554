"""What every extractor needs from a Doc: provenance, quotes, clause scopes.

An extractor is a function of a ``Doc`` (like a spaCy component).  Results that
later extractors build on (place mentions, quoted spans) are cached in
``doc.user_data`` under the keys below, so each is computed once per Doc.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.tokens import Doc

from pipeline.nlp.segment import sentence_of
from pipeline.text import UPPER

__all__ = ["UPPER", "CAP", "CAP_WORD", "Quote", "quotes", "in_any", "provenance", "semicolon_part", "word_starts"]

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


def quotes(doc: Doc) -> list[Quote]:
    """Quoted spans, paired per paragraph (quotes never span a line break)."""
    cached = doc.user_data.get("quotes")
    if cached is None:
        cached = []
        pos = 0
        for line in doc._.text.split("\n"):
            if _QUOTE_MARK.search(line):
                cached.extend(_pair_quotes(line, pos))
            pos += len(line) + 1
        doc.user_data["quotes"] = cached
    return cached


def in_any(quotes_: list[Quote], offset: int, *, names_only: bool = False) -> Quote | None:
    for q in quotes_:
        if q.contains(offset) and not (names_only and q.speech):
            return q
    return None


def word_starts(doc: Doc) -> list[int]:
    """Start offsets of the word tokens, for bisecting (computed once per Doc)."""
    starts = doc.user_data.get("word_starts")
    if starts is None:
        starts = doc.user_data["word_starts"] = [s for s, _ in doc._.words]
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
