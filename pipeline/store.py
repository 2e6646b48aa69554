"""Stage 4, store: articles, sentences and facts in one SQLite file (sqlite-utils).

Schema (every fact row points to its article, its sentence, its character
span in the article's cleaned text and the extractor version that made it):

  articles          one row per article, keyed by ``key`` (URL, else "file:<name>"),
                    with the raw input kept (zlib-compressed) and its hashes
  sentences         the article's sentences; ``sentences_fts`` searches them
                    (FTS5, ``unicode61 remove_diacritics 2``: "Ha Noi" finds "Hà Nội")
  models, counts, officials, places, dates
                    the facts; places link to ``gazetteer_units``, models to
                    ``canonical_models``, officials to ``people``
  extractions       which extractor versions made an article's facts
  failures          inputs that could not become articles, with the reason
                    and the raw bytes

Saving an article replaces all of its rows in one transaction: re-ingesting
never duplicates and a crash never leaves half an article.
"""

from __future__ import annotations

import hashlib
import os
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import sqlite_utils
from pipeline.clean import CleanArticle
from pipeline.schema import KINDS, ArticleFacts

__all__ = ["Source", "Store", "default_db_path", "FACT_COLUMNS"]

DEFAULT_DB = Path("data/vnfacts.db")


def default_db_path() -> Path:
    return Path(os.environ.get("VNFACTS_DB") or DEFAULT_DB)


@dataclass(frozen=True)
class Source:
    """Where an input came from; ``key`` identifies the article across re-ingests."""

    key: str
    doc: str
    raw: bytes
    url: str | None = None
    site: str | None = None
    path: str | None = None


_PROVENANCE = {
    "article_id": int, "sentence_id": int, "start": int, "end": int,
    "evidence": str, "extractor": str, "version": str,
}
FACT_COLUMNS: dict[str, dict[str, type]] = {
    "models": {"name": str, "canonical": str, "place": str, "place_code": str, "count": float, "sponsor": str},
    "counts": {"value": float, "denominator": float, "unit": str, "qualifier": str, "figure": str,
               "model": str, "model_canonical": str, "place": str, "place_code": str},
    "officials": {"name": str, "person_key": str, "rank": str, "title": str},
    "places": {"name": str, "level": str, "province": str, "kind": str, "unit_code": str,
               "province_2025": str, "lat": float, "lon": float},
    "dates": {"value": str, "figure": str},
}


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class Store:
    """The knowledge store: a thin, documented layer over one SQLite connection."""

    def __init__(self, path: Path | str | None = None):
        self.path = Path(path) if path is not None else default_db_path()
        if str(self.path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite_utils.Database(self.path)
        self.db.execute("PRAGMA foreign_keys = ON")
        self.db.execute("PRAGMA journal_mode = WAL")
        self.ensure_schema()

    # -- schema -----------------------------------------------------------

    def ensure_schema(self) -> None:
        db = self.db
        if "articles" in db.table_names():
            return
        with db.atomic():
            db["articles"].create(
                {
                    "id": int, "key": str, "doc": str, "url": str, "site": str, "source_path": str,
                    "title": str, "published": str, "main_province": str, "text": str,
                    "raw": bytes, "raw_sha256": str, "text_sha256": str, "encoding": str,
                    "source_format": str, "ingested_at": str,
                },
                pk="id",
            )
            db["articles"].create_index(["key"], unique=True)
            db["articles"].create_index(["text_sha256"])
            db["sentences"].create(
                {"id": int, "article_id": int, "idx": int, "start": int, "end": int, "text": str},
                pk="id",
                foreign_keys=[("article_id", "articles", "id")],
            )
            db["sentences"].create_index(["article_id", "idx"], unique=True)
            db["gazetteer_units"].create(
                {"code": str, "name": str, "full_name": str, "level": str, "kind": str, "era": str,
                 "province": str, "district": str, "lat": float, "lon": float, "province_2025": str,
                 "parent_code": str},
                pk="code",
            )
            db["canonical_models"].create({"key": str, "name": str}, pk="key")
            db["people"].create({"key": str, "name": str}, pk="key")
            for kind, columns in FACT_COLUMNS.items():
                fks = [("article_id", "articles", "id"), ("sentence_id", "sentences", "id")]
                if kind == "places":
                    fks.append(("unit_code", "gazetteer_units", "code"))
                if kind == "models":
                    fks.append(("canonical", "canonical_models", "key"))
                if kind == "officials":
                    fks.append(("person_key", "people", "key"))
                db[kind].create({"id": int, **_PROVENANCE, **columns}, pk="id", foreign_keys=fks)
                db[kind].create_index(["article_id"])
            db["places"].create_index(["province", "level"])
            db["counts"].create_index(["value"])
            db["models"].create_index(["canonical"])
            db["officials"].create_index(["person_key"])
            db["extractions"].create(
                {"article_id": int, "kind": str, "version": str, "extracted_at": str},
                pk=("article_id", "kind"),
                foreign_keys=[("article_id", "articles", "id")],
            )
            db["failures"].create(
                {"id": int, "source": str, "doc": str, "reason": str, "raw": bytes, "raw_sha256": str,
                 "failed_at": str, "resolved": int},
                pk="id",
            )
            db["failures"].create_index(["source"])
            db["sentences"].enable_fts(["text"], tokenize="unicode61 remove_diacritics 2", create_triggers=True)
            self._load_gazetteer()

    def _load_gazetteer(self) -> None:
        from gazetteer import get_gazetteer

        self.db["gazetteer_units"].insert_all(get_gazetteer().rows(), batch_size=2000)

    # -- writes -----------------------------------------------------------

    def save(self, source: Source, article: CleanArticle, sentences: list[tuple[int, int]], facts: ArticleFacts,
             versions: dict[str, str]) -> int:
        """Store (or replace) one article and all its facts atomically; return its id.

        ``sentences`` are the (start, end) spans the facts' ``sentence_index`` refer to.
        """
        db = self.db
        text = article.text
        row = {
            "key": source.key, "doc": source.doc, "url": source.url, "site": source.site,
            "source_path": source.path, "title": article.title,
            "published": facts.published.isoformat() if facts.published else None,
            "main_province": facts.main_province, "text": text,
            "raw": zlib.compress(source.raw, 6), "raw_sha256": hashlib.sha256(source.raw).hexdigest(),
            "text_sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
            "encoding": article.encoding, "source_format": article.source_format, "ingested_at": _now(),
        }
        with db.atomic():
            existing = self.article_id(source.key)
            if existing is not None:
                self._delete_article_rows(existing)
                db["articles"].update(existing, row)
                article_id = existing
            else:
                article_id = db["articles"].insert(row).last_pk
            sentence_ids = self._save_sentences(article_id, text, sentences)
            self._save_facts(article_id, sentence_ids, text, facts, versions)
            db.execute("UPDATE failures SET resolved = 1 WHERE source = ?", [source.path or source.key])
        return article_id

    def _delete_article_rows(self, article_id: int) -> None:
        for kind in KINDS:
            self.db.execute(f"DELETE FROM [{kind}] WHERE article_id = ?", [article_id])
        self.db.execute("DELETE FROM extractions WHERE article_id = ?", [article_id])
        self.db.execute("DELETE FROM sentences WHERE article_id = ?", [article_id])

    def _save_sentences(self, article_id: int, text: str, spans: list[tuple[int, int]]) -> list[int]:
        rows = [{"article_id": article_id, "idx": i, "start": s, "end": e, "text": text[s:e]} for i, (s, e) in enumerate(spans)]
        self.db["sentences"].insert_all(rows)
        return [r[0] for r in self.db.execute(
            "SELECT id FROM sentences WHERE article_id = ? ORDER BY idx", [article_id]).fetchall()]

    def _save_facts(self, article_id: int, sentence_ids: list[int], text: str, facts: ArticleFacts,
                    versions: dict[str, str]) -> None:
        db = self.db
        for fact in facts.models:
            db["canonical_models"].insert({"key": fact.canonical, "name": fact.name}, ignore=True)
        for fact in facts.officials:
            db["people"].insert({"key": fact.person_key, "name": fact.name}, ignore=True)
        for kind in KINDS:
            rows = []
            for fact in getattr(facts, kind):
                row = {
                    "article_id": article_id, "sentence_id": sentence_ids[fact.sentence_index],
                    "start": fact.start, "end": fact.end, "evidence": text[fact.start : fact.end],
                    "extractor": fact.extractor.split("@")[0], "version": versions[kind],
                }
                data = fact.model_dump()
                for column in FACT_COLUMNS[kind]:
                    source_name = {"figure": "text", "model_canonical": None}.get(column, column)
                    row[column] = data.get(source_name) if source_name else None
                if kind == "counts" and fact.model:
                    from extractors.models import canonical

                    row["model_canonical"] = canonical(fact.model)
                rows.append(row)
            if rows:
                db[kind].insert_all(rows)
            db["extractions"].insert(
                {"article_id": article_id, "kind": kind, "version": versions[kind], "extracted_at": _now()},
                replace=True,
            )

    def record_failure(self, source: str, doc: str, reason: str, raw: bytes | None) -> None:
        """Keep an input that failed, with its reason, so nothing is lost."""
        with self.db.atomic():
            self.db["failures"].insert({
                "source": source, "doc": doc, "reason": reason,
                "raw": zlib.compress(raw, 6) if raw is not None else None,
                "raw_sha256": hashlib.sha256(raw).hexdigest() if raw is not None else None,
                "failed_at": _now(), "resolved": 0,
            })

    # -- reads ------------------------------------------------------------

    def article_id(self, key: str) -> int | None:
        row = self.db.execute("SELECT id FROM articles WHERE key = ?", [key]).fetchone()
        return row[0] if row else None

    def raw(self, article_id: int) -> bytes:
        (blob,) = self.db.execute("SELECT raw FROM articles WHERE id = ?", [article_id]).fetchone()
        return zlib.decompress(blob)

    def counts_by_table(self) -> dict[str, int]:
        return {t: self.db[t].count for t in ("articles", "sentences", *KINDS, "failures")}

    def search(self, query: str, limit: int = 20) -> list[dict]:
        """Full-text search over sentences, diacritics-insensitive."""
        sql = (
            "SELECT s.id, s.article_id, s.text FROM sentences_fts f JOIN sentences s ON s.id = f.rowid "
            "WHERE sentences_fts MATCH ? ORDER BY rank LIMIT ?"
        )
        return [dict(zip(("id", "article_id", "text"), r)) for r in self.db.execute(sql, [_fts_query(query), limit])]

    def close(self) -> None:
        self.db.close()


def _fts_query(text: str) -> str:
    """Quote each word so user input cannot break the FTS5 syntax."""
    return " ".join('"' + w.replace('"', '""') + '"' for w in text.split())


def iter_rows(store: Store, sql: str, params: Iterable = ()) -> Iterable[dict]:
    cursor = store.db.execute(sql, list(params))
    names = [d[0] for d in cursor.description]
    for row in cursor:
        yield dict(zip(names, row))
