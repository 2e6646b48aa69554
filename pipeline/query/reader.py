"""One article as a reader sees it: its text in paragraphs and sentences, every fact
highlighted where the article says it, and the facts listed by kind.

    html = article_html(text, sentences, facts, base="/vnfacts")

The text is the stored (cleaned, NFC) text that every offset refers to.  A
paragraph is a line (sentences never cross one); a sentence is a
``<span id="s{idx}">``; a fact is a ``<mark id="f{fact id}">`` (nested when facts
nest; a fact that crosses another is cut in pieces, the first one keeping the
id).  Each highlighted run of text links to the innermost fact over it in the
list (``#fact-{id}``), and the list links back (``#f{id}``), so a fact id, which a
reprocess keeps, is a link that can be cited.  Plain HTML, no script.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from markupsafe import Markup, escape

from pipeline.schema import KINDS

__all__ = ["Fact", "KIND_TITLES", "article_html", "facts_by_kind"]

KIND_TITLES = {
    "models": "Mô hình / models", "counts": "Con số / counts", "officials": "Cán bộ / officials",
    "places": "Địa danh / places", "dates": "Thời gian / dates",
}


@dataclass(frozen=True)
class Fact:
    kind: str
    fact_id: int
    start: int
    end: int
    summary: str
    sentence_idx: int
    evidence: str = ""
    version: str | None = None


def _boundaries(text: str, sentences: list[tuple[int, int, int]], facts: list[Fact]) -> list[int]:
    points = {0, len(text)}
    points.update(i for i, c in enumerate(text) if c == "\n")
    points.update(i + 1 for i, c in enumerate(text) if c == "\n")
    for _, s, e in sentences:
        points.update((s, e))
    for f in facts:
        points.update((f.start, f.end))
    return sorted(p for p in points if 0 <= p <= len(text))


def _open(fact: Fact, first: bool) -> str:
    fid = f' id="f{fact.fact_id}"' if first else ""
    return (f'<mark{fid} class="fact fact-{fact.kind}" data-fact="{fact.fact_id}" '
            f'title="{escape(KIND_TITLES.get(fact.kind, fact.kind))}: {escape(fact.summary)}">')


def article_html(text: str, sentences: Iterable[tuple[int, int, int]], facts: Iterable[Fact]) -> Markup:
    """The article's text as HTML: ``<p>`` paragraphs, sentences, facts highlighted and linked.

    ``sentences``: (idx, start, end); ``facts``: their spans in ``text``.
    """
    sentences = sorted(sentences, key=lambda s: s[1])
    facts = sorted((f for f in facts if 0 <= f.start < f.end <= len(text)), key=lambda f: (f.start, -f.end, f.fact_id))
    points = _boundaries(text, sentences, facts)
    out: list[str] = ['<p class="paragraph">']
    stack: list[Fact] = []          # open marks, outermost first
    opened: set[int] = set()        # facts whose first piece (with the id) is out
    sentence_at = {s: (idx, e) for idx, s, e in sentences}
    open_sentence_end: int | None = None
    active: list[Fact] = []
    next_fact = 0

    def close_marks(keep: list[Fact]) -> None:
        while stack and (len(stack) > len(keep) or stack[-1] is not keep[len(stack) - 1]):
            stack.pop()
            out.append("</mark>")

    for a, b in zip(points, points[1:]):
        if open_sentence_end is not None and a >= open_sentence_end:
            close_marks([])
            out.append("</span>")
            open_sentence_end = None
        if text[a:b] == "\n":
            close_marks([])
            if open_sentence_end is not None:
                out.append("</span>")
                open_sentence_end = None
            out.append('</p>\n<p class="paragraph">')
            continue
        if a in sentence_at and open_sentence_end is None:
            idx, end = sentence_at[a]
            out.append(f'<span class="sentence" id="s{idx}" data-idx="{idx}">')
            open_sentence_end = end
        # a sweep: the facts over [a, b) are those begun and not ended (they end at boundaries)
        while next_fact < len(facts) and facts[next_fact].start <= a:
            active.append(facts[next_fact])
            next_fact += 1
        active = [f for f in active if f.end > a]
        # outer (longer) facts outside, inner ones inside; keep what is open and still covers
        covering = sorted(active, key=lambda f: (f.start, -f.end, f.fact_id))
        keep = []
        for f in stack:                 # the open marks that still cover, from the outermost in
            if f not in covering:
                break
            keep.append(f)
        close_marks(keep)
        for f in covering:
            if f not in keep:
                stack.append(f)
                out.append(_open(f, f.fact_id not in opened))
                opened.add(f.fact_id)
        piece = escape(text[a:b])
        if stack:
            inner = min(stack, key=lambda f: (f.end - f.start, f.fact_id))
            out.append(f'<a class="fact-link" href="#fact-{inner.fact_id}">{piece}</a>')
        else:
            out.append(str(piece))
    close_marks([])
    if open_sentence_end is not None:
        out.append("</span>")
    out.append("</p>")
    return Markup("".join(out).replace('<p class="paragraph"></p>', ""))


def facts_by_kind(facts: Iterable[Fact]) -> list[tuple[str, str, list[Fact]]]:
    """(kind, its title, its facts in text order) for every kind, empty ones included."""
    grouped: dict[str, list[Fact]] = {k: [] for k in KINDS}
    for f in facts:
        grouped.setdefault(f.kind, []).append(f)
    return [(k, KIND_TITLES.get(k, k), sorted(v, key=lambda f: (f.start, f.end))) for k, v in grouped.items()]
