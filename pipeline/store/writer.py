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
from pipeline.read.clean import CleanArticle
from extractors.figures import unit_key
from pipeline.schema import KINDS, ArticleFacts

__all__ = ["Source", "Store", "default_db_path", "FACT_COLUMNS", "FACT_ROW_COLUMNS"]

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
# ``province``/``province_2025``/``published``/``unit_key`` repeat what a join would
# give (the fact's place or the article): the questions users ask most
# (models by province, verify a figure) then read one indexed table.
FACT_COLUMNS: dict[str, dict[str, type]] = {
    "models": {"name": str, "canonical": str, "place": str, "place_code": str, "count": float, "sponsor": str,
               "province": str, "province_2025": str, "published": str},
    "counts": {"value": float, "denominator": float, "unit": str, "qualifier": str, "figure": str,
               "model": str, "model_canonical": str, "place": str, "place_code": str,
               "province": str, "unit_key": str, "published": str},
    "officials": {"name": str, "person_key": str, "rank": str, "title": str},
    "places": {"name": str, "level": str, "province": str, "kind": str, "unit_code": str,
               "province_2025": str, "lat": float, "lon": float},
    "dates": {"value": str, "figure": str},
}

# the columns of a fact row (all but ``id``), in the order ``Store._fact_rows`` gives them
FACT_ROW_COLUMNS: dict[str, tuple[str, ...]] = {kind: (*_PROVENANCE, *columns) for kind, columns in FACT_COLUMNS.items()}


# One row per (province, canonical model), kept up to date by triggers as
# model rows come and go, so "which provinces reported which models" reads a
# few thousand rows instead of aggregating every model fact.
MODEL_REPORTS_SQL = """
CREATE TABLE IF NOT EXISTS model_reports (
  province TEXT, canonical TEXT, province_2025 TEXT, count REAL, articles INTEGER,
  first_reported TEXT, last_reported TEXT,
  PRIMARY KEY (province, canonical)
);
CREATE INDEX IF NOT EXISTS model_reports_canonical ON model_reports(canonical);
"""
# Recompute the one report of the (province, model) a model row joins or leaves.
_REPORT_OF = """
  DELETE FROM model_reports WHERE province IS {row}.province AND canonical = {row}.canonical;
  INSERT INTO model_reports
  SELECT {row}.province, {row}.canonical, MAX(province_2025),
         (SELECT count FROM models l WHERE l.province IS {row}.province AND l.canonical = {row}.canonical
             AND l.count IS NOT NULL ORDER BY l.published IS NULL, l.published DESC, l.article_id DESC LIMIT 1),
         COUNT(DISTINCT article_id), MIN(published), MAX(published)
  FROM models WHERE province IS {row}.province AND canonical = {row}.canonical
  HAVING COUNT(*) > 0;
"""
MODEL_REPORTS_SQL += "".join(
    f"CREATE TRIGGER IF NOT EXISTS model_reports_{event.lower()} AFTER {event} ON models BEGIN"
    f"{_REPORT_OF.format(row=row)}END;\n"
    for event, row in (("INSERT", "NEW"), ("DELETE", "OLD"))
)


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
            self._upgrade()
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
            db["counts"].create_index(["unit_key", "province"])
            db["models"].create_index(["canonical"])
            db["models"].create_index(["province", "canonical"])
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
            db.executescript(MODEL_REPORTS_SQL)
            self._load_gazetteer()

    def _upgrade(self) -> None:
        """Bring a store made by an earlier version up to this schema (columns added
        since are NULL until ``vnfacts reprocess --all``)."""
        db = self.db
        missing = [(kind, column, kind_type) for kind, columns in FACT_COLUMNS.items()
                   for column, kind_type in columns.items() if column not in db[kind].columns_dict]
        if not missing and "model_reports" in db.table_names():
            return
        with db.atomic():
            for kind, column, kind_type in missing:
                db[kind].add_column(column, kind_type)
            db["counts"].create_index(["unit_key", "province"], if_not_exists=True)
            db["models"].create_index(["province", "canonical"], if_not_exists=True)
            db.executescript(MODEL_REPORTS_SQL)

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
        rows = [(article_id, i, s, e, text[s:e]) for i, (s, e) in enumerate(spans)]
        self.db.conn.executemany(
            "INSERT INTO sentences (article_id, idx, [start], [end], text) VALUES (?, ?, ?, ?, ?)", rows)
        return [r[0] for r in self.db.execute(
            "SELECT id FROM sentences WHERE article_id = ? ORDER BY idx", [article_id]).fetchall()]

    def _fact_rows(self, kind: str, article_id: int, sentence_ids: list[int], text: str, facts: ArticleFacts,
                   version: str) -> list[tuple]:
        """The rows of one kind of ``facts``, as tuples in ``FACT_ROW_COLUMNS[kind]`` order."""
        published = facts.published.isoformat() if facts.published else None
        rows = []
        for fact in getattr(facts, kind):
            data = fact.model_dump()
            row = [article_id, sentence_ids[fact.sentence_index], fact.start, fact.end, text[fact.start : fact.end],
                   fact.extractor.split("@")[0], version]
            for column in FACT_COLUMNS[kind]:
                if column == "published":
                    row.append(published)
                elif column == "unit_key":
                    row.append(unit_key(fact.unit))
                else:
                    row.append(data.get("text" if column == "figure" else column))
            rows.append(tuple(row))
        return rows

    def _save_facts(self, article_id: int, sentence_ids: list[int], text: str, facts: ArticleFacts,
                    versions: dict[str, str], kinds: Iterable[str] = KINDS) -> None:
        """Insert the facts of ``kinds`` and their ``extractions`` rows (plain executemany: the
        writer of ``vnfacts process`` spends its time here)."""
        conn = self.db.conn
        kinds = [k for k in KINDS if k in set(kinds)]
        if "models" in kinds:
            conn.executemany("INSERT OR IGNORE INTO canonical_models ([key], name) VALUES (?, ?)",
                             [(f.canonical, f.name) for f in facts.models])
        if "officials" in kinds:
            conn.executemany("INSERT OR IGNORE INTO people ([key], name) VALUES (?, ?)",
                             [(f.person_key, f.name) for f in facts.officials])
        now = _now()
        for kind in kinds:
            rows = self._fact_rows(kind, article_id, sentence_ids, text, facts, versions[kind])
            if rows:
                columns = FACT_ROW_COLUMNS[kind]
                conn.executemany(
                    f"INSERT INTO [{kind}] ({', '.join(f'[{c}]' for c in columns)}) "
                    f"VALUES ({', '.join('?' * len(columns))})", rows)
            conn.execute("INSERT OR REPLACE INTO extractions (article_id, kind, version, extracted_at) VALUES (?, ?, ?, ?)",
                         [article_id, kind, versions[kind], now])

    def record_failure(self, source: str, doc: str, reason: str, raw: bytes | None) -> None:
        """Keep an input that failed, with its reason, so nothing is lost."""
        with self.db.atomic():
            self.db["failures"].insert({
                "source": source, "doc": doc, "reason": reason,
                "raw": zlib.compress(raw, 6) if raw is not None else None,
                "raw_sha256": hashlib.sha256(raw).hexdigest() if raw is not None else None,
                "failed_at": _now(), "resolved": 0,
            })

    # -- batch (re)processing: ``vnfacts process`` / ``reprocess`` (pipeline/batch/run.py) ----

    def add_raw(self, source: Source, published: str | None = None) -> int:
        """Register an input for ``vnfacts process`` without extracting it; return its id.

        The article row keeps the raw bytes (and ``published``, the date to use when the
        text has no dateline); it has no text, sentences or facts yet, so every kind is
        stale.  A key already stored with the same raw bytes is left alone; with other
        bytes, its raw input is replaced and its ``extractions`` rows dropped (stale).
        """
        db = self.db
        sha = hashlib.sha256(source.raw).hexdigest()
        row = {
            "key": source.key, "doc": source.doc, "url": source.url, "site": source.site,
            "source_path": source.path, "published": published, "raw": zlib.compress(source.raw, 6),
            "raw_sha256": sha, "ingested_at": _now(),
        }
        with db.atomic():
            found = db.execute("SELECT id, raw_sha256 FROM articles WHERE key = ?", [source.key]).fetchone()
            if found is None:
                return db["articles"].insert(row).last_pk
            if found[1] != sha:
                db["articles"].update(found[0], row)
                db.execute("DELETE FROM extractions WHERE article_id = ?", [found[0]])
            return found[0]

    def stale_articles(self, versions: dict[str, str], where: str = "", params: Iterable = ()) -> list[tuple[int, tuple[str, ...]]]:
        """(article id, stale kinds) of every article, in id order, that lacks facts of the
        current version for some kind: one SQL query over ``extractions`` (its primary key),
        so up-to-date articles are skipped without being read.  ``where`` (SQL over the
        ``articles`` alias ``a``) narrows the articles looked at."""
        current = [kind for kind in KINDS if kind in versions]
        values = ", ".join("(?, ?)" for _ in current)
        sql = (
            f"WITH cur(kind, version) AS (VALUES {values}) "
            "SELECT a.id, group_concat(cur.kind, ',') FROM articles a CROSS JOIN cur "
            "LEFT JOIN extractions e ON e.article_id = a.id AND e.kind = cur.kind "
            f"WHERE (e.version IS NULL OR e.version != cur.version){' AND (' + where + ')' if where else ''} "
            "GROUP BY a.id ORDER BY a.id"
        )
        args = [x for kind in current for x in (kind, versions[kind])] + list(params)
        order = {kind: i for i, kind in enumerate(KINDS)}
        return [(article_id, tuple(sorted(kinds.split(","), key=order.__getitem__)))
                for article_id, kinds in self.db.execute(sql, args).fetchall()]

    def save_extraction(self, article_id: int, article: CleanArticle, sentences: list[tuple[int, int]],
                        facts: ArticleFacts, versions: dict[str, str], kinds: Iterable[str] | None = None,
                        raw_sha256: str | None = None) -> list[str] | None:
        """Store a re-extraction of a stored article in one transaction; return the kinds written.

        ``raw_sha256``: the hash of the raw input the extraction was made from; if the
        article's raw input changed meanwhile (re-ingested, re-crawled), nothing is written
        and None is returned.

        The article keeps its key, raw input and ``ingested_at``.  If its cleaned text and
        sentence spans are unchanged, only ``kinds`` (None: all) are replaced, plus any
        other kind whose freshly extracted rows differ from the stored ones (an extractor
        it reads from changed); the other kinds' rows keep their ids and ``extracted_at``.
        If the text or the sentences changed, all its sentences and facts are replaced.
        """
        db = self.db
        text = article.text
        text_sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
        wanted = set(KINDS if kinds is None else kinds)
        with db.atomic():
            found = db.execute("SELECT key, text_sha256, title, published, main_province, encoding, source_format, "
                               "raw_sha256 FROM articles WHERE id = ?", [article_id]).fetchone()
            if found is None:
                raise KeyError(f"no article {article_id}")
            if raw_sha256 is not None and found[7] != raw_sha256:
                return None
            key, found = found[0], found[:7]
            stored = db.execute("SELECT id, [start], [end] FROM sentences WHERE article_id = ? ORDER BY idx",
                                [article_id]).fetchall()
            spans = [(int(s), int(e)) for s, e in sentences]
            if found[1] == text_sha and [(s, e) for _, s, e in stored] == spans:
                sentence_ids = [r[0] for r in stored]
                for kind in KINDS:
                    if kind not in wanted:
                        fresh = self._fact_rows(kind, article_id, sentence_ids, text, facts, versions[kind])
                        columns = ", ".join(f"[{c}]" for c in FACT_ROW_COLUMNS[kind])
                        old = db.execute(f"SELECT {columns} FROM [{kind}] WHERE article_id = ? ORDER BY id",
                                         [article_id]).fetchall()
                        if [tuple(r) for r in old] != fresh:
                            wanted.add(kind)
                for kind in wanted:
                    db.execute(f"DELETE FROM [{kind}] WHERE article_id = ?", [article_id])
                    db.execute("DELETE FROM extractions WHERE article_id = ? AND kind = ?", [article_id, kind])
            else:
                self._delete_article_rows(article_id)
                sentence_ids = self._save_sentences(article_id, text, spans)
                wanted = set(KINDS)
            fields = {
                "text_sha256": text_sha, "title": article.title,
                "published": facts.published.isoformat() if facts.published else None,
                "main_province": facts.main_province, "encoding": article.encoding,
                "source_format": article.source_format,
            }
            if tuple(fields.values()) != tuple(found[1:]):
                db.execute(f"UPDATE articles SET text = ?, {', '.join(f'[{c}] = ?' for c in fields)} WHERE id = ?",
                           [text, *fields.values(), article_id])
            self._save_facts(article_id, sentence_ids, text, facts, versions, kinds=wanted)
            db.execute("UPDATE failures SET resolved = 1 WHERE source = ? AND resolved = 0", [key])
        return [kind for kind in KINDS if kind in wanted]

    def record_article_failure(self, article_id: int, reason: str) -> bool:
        """Record that a stored article could not be (re)processed; False if that very
        failure is already recorded and unresolved (a rerun adds nothing)."""
        db = self.db
        with db.atomic():
            key, doc, sha = db.execute("SELECT key, doc, raw_sha256 FROM articles WHERE id = ?", [article_id]).fetchone()
            if db.execute("SELECT 1 FROM failures WHERE source = ? AND reason = ? AND resolved = 0",
                          [key, reason]).fetchone():
                return False
            db["failures"].insert({"source": key, "doc": doc, "reason": reason, "raw": None, "raw_sha256": sha,
                                   "failed_at": _now(), "resolved": 0})
        return True

    def article_fingerprints(self) -> dict[str, str]:
        """A digest of each article's content, by key: the article row (timestamps and the
        compressed bytes left out), its sentences, its facts (surrogate ids replaced by the
        sentence index) and its extractor versions."""
        db = self.db
        parts: dict[int, list] = {}
        keys: dict[int, str] = {}
        sentence_idx: dict[int, int] = {}
        article_cols = ("key", "doc", "url", "site", "source_path", "title", "published", "main_province", "text",
                        "raw_sha256", "text_sha256", "encoding", "source_format")
        for row in db.execute(f"SELECT id, {', '.join(f'[{c}]' for c in article_cols)} FROM articles ORDER BY id"):
            keys[row[0]] = row[1]
            parts[row[0]] = [("article", *row[1:])]
        for sid, article_id, idx, start, end, text in db.execute(
                "SELECT id, article_id, idx, [start], [end], text FROM sentences ORDER BY article_id, idx"):
            sentence_idx[sid] = idx
            parts[article_id].append(("sentence", idx, start, end, text))
        for kind in KINDS:
            columns = [c for c in FACT_ROW_COLUMNS[kind] if c != "article_id"]
            for article_id, *row in db.execute(
                    f"SELECT article_id, {', '.join(f'[{c}]' for c in columns)} FROM [{kind}] ORDER BY article_id, id"):
                row[0] = sentence_idx.get(row[0])  # sentence_id -> its index in the article
                parts[article_id].append((kind, *row))
        for article_id, kind, version in db.execute(
                "SELECT article_id, kind, version FROM extractions ORDER BY article_id, kind"):
            parts[article_id].append(("extraction", kind, version))
        return {keys[a]: hashlib.sha256(repr(rows).encode("utf-8")).hexdigest() for a, rows in parts.items()}

    def fingerprint(self) -> str:
        """One digest of the store's content, timestamps and surrogate ids left out: two
        stores with the same articles, sentences, facts, versions, canonical names, people
        and failures have the same fingerprint (see ``article_fingerprints``)."""
        db = self.db
        digest = hashlib.sha256()
        for key, value in sorted(self.article_fingerprints().items()):
            digest.update(f"{key}\t{value}\n".encode("utf-8"))
        for sql in ("SELECT [key], name FROM canonical_models ORDER BY [key]",
                    "SELECT [key], name FROM people ORDER BY [key]",
                    "SELECT source, doc, reason, raw_sha256, resolved FROM failures ORDER BY source, reason, id"):
            digest.update(repr(db.execute(sql).fetchall()).encode("utf-8"))
        return digest.hexdigest()

    # -- reads ------------------------------------------------------------

    def article_id(self, key: str) -> int | None:
        row = self.db.execute("SELECT id FROM articles WHERE key = ?", [key]).fetchone()
        return row[0] if row else None

    def raw(self, article_id: int) -> bytes:
        (blob,) = self.db.execute("SELECT raw FROM articles WHERE id = ?", [article_id]).fetchone()
        return zlib.decompress(blob)

    def counts_by_table(self) -> dict[str, int]:
        return {t: self.db[t].count for t in ("articles", "sentences", *KINDS, "failures")}

    def close(self) -> None:
        self.db.close()
