"""Stage 2, segment: cleaned text in, a spaCy ``Doc`` out.

The Doc's text is exactly the cleaned (NFC) text, so every token and every
fact keeps its character offsets.  Sentences never cross a line break (a
caption or a headline is a sentence of its own) and are at most
``MAX_SENTENCE`` characters: a longer run without a full stop (a page whose
text lost its punctuation) is cut at a space, so the work done per sentence
stays bounded and the cost of an article linear in its length.  Words come
from underthesea's word-segmentation model (``pipeline.nlp.wordseg``).  The
attributes set on the Doc are listed in ``pipeline.nlp.doc``.  The Docs share one
spaCy Vocab, renewed past ``VOCAB_LIMIT`` strings, so that a worker reading articles
for days keeps a bounded vocabulary (``bench/memory.py``).
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

import numpy
from spacy.attrs import SENT_START
from spacy.tokens import Doc
from spacy.vocab import Vocab

from pipeline.nlp import doc as _doc_attributes  # noqa: F401  registers the Doc extensions
from pipeline.read.clean import CleanArticle
from pipeline.text import UPPER, retone
from pipeline.nlp.wordseg import get_segmenter

__all__ = ["split_sentences", "make_doc", "sentence_of"]

MAX_SENTENCE = 2000
# spaCy interns every new token string in its Vocab for good, and a batch worker meets new
# names, figures and typos in every article: past this many strings the Docs get a fresh
# Vocab.  A Doc keeps the Vocab it was made with (older Docs stay valid), and nothing
# vnfacts reads from a Doc depends on what else its Vocab holds.  None: never renewed.
VOCAB_LIMIT: int | None = 50_000

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
            before = _WORD_BEFORE.search(line, max(0, m.start() - 40), m.start())  # bounded: linear per line
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
        while e - s > MAX_SENTENCE:
            cut = text.rfind(" ", s + MAX_SENTENCE // 2, s + MAX_SENTENCE)
            cut = cut if cut > s else s + MAX_SENTENCE
            out.append((s, cut))
            s = cut
            while s < e and text[s].isspace():
                s += 1
        if e > s:
            out.append((s, e))
    return out


@lru_cache(maxsize=1)
def _vocab() -> Vocab:
    return Vocab()


def _current_vocab() -> Vocab:
    """The Vocab of the next Doc: the shared one, renewed once it holds ``VOCAB_LIMIT`` strings."""
    vocab = _vocab()
    if VOCAB_LIMIT is not None and len(vocab.strings) > VOCAB_LIMIT:
        _vocab.cache_clear()
        vocab = _vocab()
    return vocab


def make_doc(article: CleanArticle | str, name: str = "", published: date | None = None) -> Doc:
    """Build the Doc: words from the segmenter, whitespace kept as tokens."""
    if isinstance(article, str):
        article = CleanArticle(text=article, published=published)
    text = article.text
    sents = split_sentences(text)
    segment = get_segmenter().segment
    words: list[str] = []
    spaces: list[bool] = []
    firsts: list[int] = []  # index in ``words`` of each sentence's first word
    spans: list[tuple[int, int]] = []
    add_word, add_space = words.append, spaces.append
    cursor = 0
    for s, e in sents:
        found = segment(text[s:e])
        if not found:
            continue
        if s:
            found = [(a + s, b + s) for a, b in found]
        spans += found
        first = True
        for a, b in found:
            if a > cursor:
                # whitespace between tokens: a single space rides on the previous token,
                # anything else becomes a whitespace token of its own
                ws = text[cursor:a]
                if ws == " " and words and not spaces[-1]:
                    spaces[-1] = True
                else:
                    add_word(ws)
                    add_space(False)
            if first:
                firsts.append(len(words))
                first = False
            add_word(text[a:b])
            add_space(False)
            cursor = b
    if cursor < len(text):
        ws = text[cursor:]
        if ws == " " and words and not spaces[-1]:
            spaces[-1] = True
        else:
            add_word(ws)
            add_space(False)
    doc = Doc(_current_vocab(), words=words, spaces=spaces)
    if words:
        # sentence starts set from one array: Doc(sent_starts=…) converts them value by value
        starts = numpy.full(len(words), -1, dtype=numpy.int32)
        starts[firsts] = 1
        doc.from_array([SENT_START], starts.astype(numpy.uint64))
    underscore = doc._  # one accessor for the seven attributes (spaCy builds one per ``doc._``)
    underscore.text = text
    underscore.words = spans
    underscore.norm = retone(text)
    underscore.sents = sents
    underscore.published = article.published if article.published else published
    underscore.title = article.title
    underscore.name = name
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
