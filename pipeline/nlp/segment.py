"""Stage 2, normalise and segment: cleaned text in, a spaCy ``Doc`` out.

The Doc's text is exactly the cleaned (NFC) text, so every token and every
fact keeps its character offsets.  Sentences never cross a line break (a
caption or a headline is a sentence of its own).  Words come from
underthesea's word-segmentation model (``pipeline.wordseg``).

Doc extensions set here, read by the extractors:
  ``doc._.text``      the cleaned text (``doc.text`` rebuilds it from the tokens on
                      every call; extractors read this one)
  ``doc._.words``     (start, end) spans of the word tokens, whitespace left out
  ``doc._.norm``      the text with one tone placement ("Hoà" -> "Hòa"), same length
  ``doc._.sents``     list of (start, end) character spans of the sentences
  ``doc._.published`` publication date or None
  ``doc._.title``     headline or None
  ``doc._.name``      the document's name (file base name or URL)
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

from spacy.tokens import Doc
from spacy.vocab import Vocab

from pipeline.read.clean import CleanArticle
from pipeline.text import UPPER, retone
from pipeline.nlp.wordseg import get_segmenter

__all__ = ["split_sentences", "make_doc", "sentence_of"]

for _name in ("text", "words", "norm", "sents", "published", "title", "name", "facts"):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=None)

# An abbreviation or an initial before a full stop does not end a sentence.
_ABBREV = {"tp", "tx", "th.s", "ths", "ts", "pgs", "gs", "bs", "ks", "mr", "ms", "st", "v.v", "tt", "q", "p", "h", "x", "nxb"}
_BOUNDARY = re.compile(rf"(?:[.!?]+|…|\.\.\.)[\"”’)\]]*(?=\s+[\"“‘(\[\-–]?[{UPPER}0-9])")
_WORD_BEFORE = re.compile(r"([\w.]+)$")


def split_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) spans of the sentences of ``text``, trimmed of whitespace."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for line in text.split("\n"):
        line_start = pos
        pos += len(line) + 1
        start = 0
        for m in _BOUNDARY.finditer(line):
            before = _WORD_BEFORE.search(line, 0, m.start())
            word = before.group(1).lower() if before else ""
            if m.group(0).startswith(".") and len(m.group(0)) == 1 and (word in _ABBREV or (len(word) == 1 and word.isalpha())):
                continue
            spans.append((line_start + start, line_start + m.end()))
            start = m.end()
        spans.append((line_start + start, line_start + len(line)))
    out = []
    for s, e in spans:
        chunk = text[s:e]
        s += len(chunk) - len(chunk.lstrip())
        e -= len(chunk) - len(chunk.rstrip())
        if e > s:
            out.append((s, e))
    return out


@lru_cache(maxsize=1)
def _vocab() -> Vocab:
    return Vocab()


def make_doc(article: CleanArticle | str, name: str = "", published: date | None = None) -> Doc:
    """Build the Doc: words from the segmenter, whitespace kept as tokens."""
    if isinstance(article, str):
        article = CleanArticle(text=article, published=published)
    text = article.text
    sents = split_sentences(text)
    segmenter = get_segmenter()
    words: list[str] = []
    spaces: list[bool] = []
    starts: list[bool] = []
    spans: list[tuple[int, int]] = []
    cursor = 0

    def gap(upto: int) -> None:
        # whitespace between tokens: a single space rides on the previous token,
        # anything else becomes a whitespace token of its own
        nonlocal cursor
        if upto <= cursor:
            return
        ws = text[cursor:upto]
        if ws == " " and words and not spaces[-1]:
            spaces[-1] = True
        else:
            words.append(ws)
            spaces.append(False)
            starts.append(False)
        cursor = upto

    for s, e in sents:
        first = True
        for ws, we in segmenter.segment(text[s:e]):
            gap(s + ws)
            words.append(text[s + ws : s + we])
            spans.append((s + ws, s + we))
            spaces.append(False)
            starts.append(first)
            first = False
            cursor = s + we
    gap(len(text))
    doc = Doc(_vocab(), words=words, spaces=spaces, sent_starts=starts or None)
    doc._.text = text
    doc._.words = spans
    doc._.norm = retone(text)
    doc._.sents = sents
    doc._.published = article.published if article.published else published
    doc._.title = article.title
    doc._.name = name
    return doc


def sentence_of(doc: Doc, offset: int) -> int:
    """Index of the sentence containing character ``offset``."""
    sents = doc._.sents
    lo, hi = 0, len(sents) - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if sents[mid][0] <= offset:
            lo = mid
        else:
            hi = mid - 1
    return lo
