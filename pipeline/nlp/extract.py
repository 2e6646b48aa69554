"""Stage 3, extract: run the extractors over a Doc, in dependency order.

Like a spaCy pipeline: each component is a function of the Doc; later ones
read what earlier ones left in ``doc.user_data`` (places before models and
counts, models before counts).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from spacy.tokens import Doc

from extractors import counts, dates, models, officials, places
from pipeline.read.clean import CleanArticle, clean
from pipeline.schema import ArticleFacts
from pipeline.nlp.segment import make_doc

__all__ = ["COMPONENTS", "VERSIONS", "extract_doc", "extract_article", "extract_bytes"]

# (kind, extractor module) in the order they must run
COMPONENTS: list[tuple[str, object]] = [
    ("dates", dates),
    ("places", places),
    ("models", models),
    ("counts", counts),
    ("officials", officials),
]
VERSIONS: dict[str, str] = {kind: module.VERSION for kind, module in COMPONENTS}


def extract_doc(doc: Doc) -> ArticleFacts:
    results = {}
    for kind, module in COMPONENTS:
        extract: Callable[[Doc], list] = module.extract  # type: ignore[attr-defined]
        results[kind] = extract(doc)
    return ArticleFacts(
        doc=doc._.name or "",
        published=doc._.published,
        title=doc._.title,
        main_province=doc.user_data.get("main_province"),
        **results,
    )


def extract_article(article: CleanArticle, name: str, published: date | None = None) -> tuple[Doc, ArticleFacts]:
    doc = make_doc(article, name=name, published=published)
    return doc, extract_doc(doc)


def extract_bytes(data: bytes, name: str, *, url: str | None = None) -> tuple[CleanArticle, ArticleFacts]:
    """The whole path for one input: decode, clean, segment, extract."""
    article = clean(data, url=url)
    _, facts = extract_article(article, name)
    return article, facts
