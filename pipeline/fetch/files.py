"""Files in, articles and facts out: the glue between the stages for local inputs.

Every input is processed on its own: a bad one gets a one-line reason and is
recorded (raw bytes kept) while the others go on.
"""

from __future__ import annotations

import tomllib
from functools import lru_cache
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from spacy.tokens import Doc

from pipeline.read.clean import CleanArticle, clean
from pipeline.errors import InputError
from pipeline.nlp.extract import VERSIONS, extract_article
from pipeline.schema import ArticleFacts
from pipeline.store import Source, Store

__all__ = ["Outcome", "expand_paths", "source_for", "process", "ingest", "MANIFEST"]

MANIFEST = "manifest.toml"
_SUFFIXES = {".txt", ".html", ".htm", ".xhtml", ""}


@dataclass
class Outcome:
    source: Source
    article: CleanArticle | None = None
    doc: Doc | None = None
    facts: ArticleFacts | None = None
    error: str | None = None
    article_id: int | None = None


@dataclass
class Summary:
    ok: int = 0
    failed: int = 0
    facts: dict[str, int] = field(default_factory=dict)
    failures: list[tuple[str, str]] = field(default_factory=list)


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files as given, directories expanded to their article files (sorted)."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out.extend(sorted(f for f in p.iterdir() if f.is_file() and f.suffix.lower() in _SUFFIXES and f.name != MANIFEST))
        else:
            out.append(p)
    return out


def _manifest_for(path: Path) -> dict:
    """The manifest entry of a file: manifest.toml next to it or one level up."""
    for directory in (path.parent, path.parent.parent):
        candidate = directory / MANIFEST
        if candidate.is_file():
            entries = _load_manifest(candidate)
            if path.name in entries:
                return entries[path.name]
    return {}


@lru_cache(maxsize=32)
def _load_manifest(path: Path) -> dict:
    return tomllib.loads(path.read_text("utf-8")).get("articles", {})


def source_for(path: Path) -> Source:
    """Read a file; its identity is its URL (from the manifest) or its name."""
    raw = path.read_bytes()
    meta = _manifest_for(path)
    url = meta.get("url") or None
    return Source(key=url or f"file:{path.name}", doc=path.name, raw=raw, url=url, site=meta.get("site"), path=str(path))


def process(source: Source, published: date | None = None) -> Outcome:
    """Clean, segment and extract one input; errors become ``Outcome.error``."""
    outcome = Outcome(source)
    try:
        outcome.article = clean(source.raw, url=source.url)
        outcome.doc, outcome.facts = extract_article(outcome.article, source.doc, published=published)
    except InputError as exc:
        outcome.error = str(exc)
    return outcome


def ingest(paths: Iterable[Path], store: Store, on_outcome: Callable[[Outcome], None] | None = None) -> Summary:
    summary = Summary()
    for outcome in outcomes(paths):
        if outcome.error is None:
            outcome.article_id = store.save(outcome.source, outcome.article, outcome.doc._.sents, outcome.facts, VERSIONS)
            summary.ok += 1
            for kind in VERSIONS:
                summary.facts[kind] = summary.facts.get(kind, 0) + len(getattr(outcome.facts, kind))
        else:
            where = outcome.source.path or outcome.source.key
            store.record_failure(where, outcome.source.doc, outcome.error, outcome.source.raw)
            summary.failed += 1
            summary.failures.append((where, outcome.error))
        if on_outcome:
            on_outcome(outcome)
    return summary


def _outcomes(paths: Iterable[Path]) -> Iterator[Outcome]:
    for path in paths:
        try:
            source = source_for(path)
        except OSError as exc:
            yield Outcome(Source(key=f"file:{path.name}", doc=path.name, raw=b"", path=str(path)),
                          error=f"cannot read: {exc.strerror or exc}")
            continue
        meta = _manifest_for(path)
        published = date.fromisoformat(meta["published"]) if meta.get("published") else None
        yield process(source, published=published)


def outcomes(paths: Iterable[Path]) -> Iterator[Outcome]:
    """Process files (directories expanded) one by one, for ``vnfacts extract``."""
    return _outcomes(expand_paths(paths))
