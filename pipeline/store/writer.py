"""Stage 4, store: the writes of articles, sentences, facts and failures (sqlite-utils).

Every fact row points to its article, its sentence, its character span in the
article's cleaned text and the extractor version that made it (the tables are
described in ``pipeline.store.migrations``).  Saving an article replaces all of
its rows in one transaction: re-ingesting never duplicates and a crash never
leaves half an article.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import math
import zlib
from collections.abc import Iterable
from datetime import datetime, timezone
from functools import lru_cache
from operator import attrgetter
from pathlib import Path

import sqlite_utils

from extractors.figures import unit_key
from pipeline.paths import DEFAULT_DB, default_db_path  # noqa: F401  (re-exported)
from pipeline.read.clean import CleanArticle
from pipeline.schema import KINDS, ArticleFacts, Source
from pipeline.store import migrations
from pipeline.store.migrations import FACT_COLUMNS, FACT_ROW_COLUMNS

__all__ = ["Source", "Store", "default_db_path", "fact_ids", "sqlite_value"]



_INT64 = (-(2**63), 2**63 - 1)


def sqlite_value(value):
    """A value SQLite can hold: an int beyond 64 bits becomes a float, a float
    that is not finite becomes NULL (never an OverflowError mid-batch)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return value
    if isinstance(value, int):
        return value if _INT64[0] <= value <= _INT64[1] else float(value)
    return value if math.isfinite(value) else None


def fact_ids(key: str, kind: str, spans: list[tuple[int, int]]) -> list[int]:
    """Stable row ids of an article's facts of one kind: a 63-bit hash of the article key,
    the kind and the evidence span (and its rank among facts of that very span), so that a
    reprocess finding the same fact gives it the same id and links to it keep working."""
    seen: dict[tuple[int, int], int] = {}
    out = []
    for span in spans:
        n = seen[span] = seen.get(span, -1) + 1
        digest = hashlib.blake2b(f"{key}\t{kind}\t{span[0]}\t{span[1]}\t{n}".encode("utf-8"), digest_size=8).digest()
        out.append(int.from_bytes(digest, "big") >> 1)
    return out


# units repeat across articles ("mô hình", "camera", "%"): the writer folds each once
_unit_key = lru_cache(maxsize=65536)(unit_key)


@lru_cache(maxsize=None)
def _row_spec(kind: str) -> tuple:
    """How a fact of ``kind`` becomes the values of its ``FACT_COLUMNS``: one attrgetter over
    its fields in column order (``figure`` is the fact's ``text``; ``published`` a
    placeholder for the article's date, ``unit_key`` the ``unit`` it is made from), the
    positions of numbers (made storable by ``sqlite_value``), of ``published`` and of ``unit_key``."""
    columns = list(FACT_COLUMNS[kind].items())
    names = ["text" if c == "figure" else "unit" if c == "unit_key" else "start" if c == "published" else c
             for c, _ in columns]
    numeric = tuple(i for i, (_, t) in enumerate(columns) if t in (int, float))
    position = {c: i for i, (c, _) in enumerate(columns)}
    many = attrgetter(*names)

    def fields(fact) -> tuple:
        try:
            return many(fact) if len(names) > 1 else (many(fact),)
        except AttributeError:  # a column the fact has no field for is NULL
            return tuple(getattr(fact, name, None) for name in names)

    return fields, numeric, position.get("published"), position.get("unit_key")


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _caption_flags(spans: list[tuple[int, int]], captions) -> list[int]:
    """1 for each sentence inside a caption line (a sentence never crosses a line), else 0."""
    starts = [c[0] for c in captions]
    flags = []
    for s, e in spans:
        i = bisect.bisect_right(starts, s) - 1
        flags.append(int(i >= 0 and e <= captions[i][1]))
    return flags


class Store:
    """The knowledge store: a thin, documented layer over one SQLite connection."""

    def __init__(self, path: Path | str | None = None):
        self.path = Path(path) if path is not None else default_db_path()
        if str(self.path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite_utils.Database(self.path)
        self.db.execute("PRAGMA foreign_keys = ON")
        self.db.execute("PRAGMA journal_mode = WAL")
        migrations.ensure(self.db)

    # -- writes -----------------------------------------------------------

    def key_for(self, source: Source) -> str:
        """The key ``source`` is stored under: its own, unless an article of another
        file holds it; then the first of its ``alt_keys`` that is free or its own."""
        candidates = (source.key, *source.alt_keys)
        if source.file is None:
            return source.key
        for key in candidates:
            row = self.db.execute("SELECT source_path FROM articles WHERE key = ?", [key]).fetchone()
            if row is None or row[0] == source.file:
                return key
        return candidates[-1]

    def save(self, source: Source, article: CleanArticle, sentences: list[tuple[int, int]], facts: ArticleFacts,
             versions: dict[str, str], warnings: list[str] | None = None) -> int:
        """Store (or replace) one article and all its facts atomically; return its id.

        ``sentences`` are the (start, end) spans the facts' ``sentence_index`` refer to;
        ``warnings`` what the trip noticed on the way (bytes replaced in decoding …).
        """
        db = self.db
        text = article.text
        with db.atomic():
            key = self.key_for(source)
            row = {
                "key": key, "doc": source.doc, "url": source.url, "site": source.site,
                "source_path": source.file or source.path, "title": article.title,
                "published": facts.published.isoformat() if facts.published else None,
                "main_province": facts.main_province, "text": text,
                "raw": zlib.compress(source.raw, 6), "raw_sha256": hashlib.sha256(source.raw).hexdigest(),
                "text_sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
                "encoding": article.encoding, "source_format": article.source_format, "ingested_at": _now(),
                "warnings": json.dumps(warnings, ensure_ascii=False) if warnings else None,
                "content_type": source.content_type,
            }
            existing = self.article_id(key)
            if existing is not None:
                self._delete_article_rows(existing)
                db["articles"].update(existing, row)
                article_id = existing
            else:
                article_id = db["articles"].insert(row).last_pk
            sentence_ids = self._save_sentences(article_id, text, sentences, article.captions)
            self._save_facts(key, article_id, sentence_ids, text, facts, versions)
            db.execute("UPDATE failures SET resolved = 1 WHERE source = ? OR key = ?", [source.where, key])
        return article_id

    def _delete_article_rows(self, article_id: int) -> None:
        for kind in KINDS:
            self.db.execute(f"DELETE FROM [{kind}] WHERE article_id = ?", [article_id])
        self.db.execute("DELETE FROM extractions WHERE article_id = ?", [article_id])
        self.db.execute("DELETE FROM sentences WHERE article_id = ?", [article_id])

    def _save_sentences(self, article_id: int, text: str, spans: list[tuple[int, int]],
                        captions: list[tuple[int, int]] = ()) -> list[int]:
        # ids given here as SQLite would (max + 1 onwards: the transaction holds the write
        # lock), so they need no read-back
        flags = _caption_flags(spans, captions)
        (top,) = self.db.execute("SELECT coalesce(max(id), 0) FROM sentences").fetchone()
        ids = list(range(top + 1, top + 1 + len(spans)))
        self.db.conn.executemany(
            "INSERT INTO sentences (id, article_id, idx, [start], [end], text, caption) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(i, article_id, n, s, e, text[s:e], flag) for n, (i, (s, e), flag) in enumerate(zip(ids, spans, flags))])
        return ids

    def _fact_rows(self, kind: str, article_id: int, sentence_ids: list[int], text: str, facts: ArticleFacts,
                   version: str) -> list[tuple]:
        """The rows of one kind of ``facts``, as tuples in ``FACT_ROW_COLUMNS[kind]`` order."""
        published = facts.published.isoformat() if facts.published else None
        fields, numeric, published_at, unit_at = _row_spec(kind)
        rows = []
        for fact in getattr(facts, kind):
            values = list(fields(fact))
            for i in numeric:
                values[i] = sqlite_value(values[i])
            if published_at is not None:
                values[published_at] = published
            if unit_at is not None:
                values[unit_at] = _unit_key(values[unit_at])
            rows.append((article_id, sentence_ids[fact.sentence_index], fact.start, fact.end,
                         text[fact.start : fact.end], fact.extractor.split("@")[0], version, *values))
        return rows

    def _save_facts(self, key: str, article_id: int, sentence_ids: list[int], text: str, facts: ArticleFacts,
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
                columns = ("id", *FACT_ROW_COLUMNS[kind])
                ids = fact_ids(key, kind, [(f.start, f.end) for f in getattr(facts, kind)])
                conn.executemany(
                    f"INSERT INTO [{kind}] ({', '.join(f'[{c}]' for c in columns)}) "
                    f"VALUES ({', '.join('?' * len(columns))})", [(i, *row) for i, row in zip(ids, rows)])
        conn.executemany("INSERT OR REPLACE INTO extractions (article_id, kind, version, extracted_at) VALUES (?, ?, ?, ?)",
                         [(article_id, kind, versions[kind], now) for kind in kinds])

    # -- bulk mode: ``vnfacts process`` (pipeline/batch/run.py) ------------------------

    def begin_bulk(self) -> None:
        """Defer the search index and ``model_reports`` to ``finish_bulk``: from now on the
        sentences written are indexed, and the reports of the models written recomputed,
        once at the end (see ``migrations.BULK_SQL``).  If a bulk batch was killed before
        it finished, its state is kept: what it left is finished with this one."""
        with self.db.atomic():
            self.db.execute("INSERT OR IGNORE INTO bulk_state (one, fts_after, started_at) "
                            "SELECT 1, coalesce(max(id), 0), ? FROM sentences", [_now()])

    def bulk_pending(self) -> bool:
        return self.db.execute("SELECT 1 FROM bulk_state").fetchone() is not None

    def finish_bulk(self) -> tuple[int, int]:
        """Index the sentences written since ``begin_bulk`` (one bulk insert into FTS5) and
        recompute the reports of the models that came or went, in one transaction; return
        (sentences indexed, reports refreshed).  Nothing to do: (0, 0), nothing written."""
        db = self.db
        with db.atomic():
            row = db.execute("SELECT fts_after FROM bulk_state").fetchone()
            if row is None:
                return 0, 0
            columns = migrations.fts_columns(db)
            cols = ", ".join(f"[{c}]" for c in columns)
            indexed = db.execute(f"INSERT INTO sentences_fts (rowid, {cols}) SELECT id, {cols} FROM sentences "
                                 "WHERE id > ? ORDER BY id", [row[0]]).rowcount
            reports = migrations.refresh_model_reports(db)
            db.execute("DELETE FROM bulk_state")
        return indexed, reports

    def record_failure(self, source: Source, stage: str, reason: str, error_type: str | None = None) -> None:
        """Keep an input that failed, with where it failed and why, so nothing is lost.

        The raw bytes are kept; the same failure of the same bytes, still
        unresolved, is recorded once (a rerun adds nothing)."""
        raw = source.raw
        sha = hashlib.sha256(raw).hexdigest() if raw is not None else None
        with self.db.atomic():
            if self.db.execute("SELECT 1 FROM failures WHERE source = ? AND reason = ? AND raw_sha256 IS ? "
                               "AND resolved = 0", [source.where, reason, sha]).fetchone():
                return
            self.db["failures"].insert({
                "source": source.where, "key": source.key, "doc": source.doc, "stage": stage, "reason": reason,
                "error_type": error_type, "raw": zlib.compress(raw, 6) if raw is not None else None,
                "raw_sha256": sha, "failed_at": _now(), "resolved": 0,
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
        with db.atomic():
            key = self.key_for(source)
            row = {
                "key": key, "doc": source.doc, "url": source.url, "site": source.site,
                "source_path": source.file or source.path, "published": published,
                "raw": zlib.compress(source.raw, 6), "raw_sha256": sha, "ingested_at": _now(),
                "content_type": source.content_type,
            }
            found = db.execute("SELECT id, raw_sha256 FROM articles WHERE key = ?", [key]).fetchone()
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
                        raw_sha256: str | None = None, warnings: list[str] | None = None) -> list[str] | None:
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
                               "warnings, raw_sha256 FROM articles WHERE id = ?", [article_id]).fetchone()
            if found is None:
                raise KeyError(f"no article {article_id}")
            if raw_sha256 is not None and found[8] != raw_sha256:
                return None
            key, found = found[0], found[:8]
            stored = db.execute("SELECT id, [start], [end] FROM sentences WHERE article_id = ? ORDER BY idx",
                                [article_id]).fetchall()
            spans = [(int(s), int(e)) for s, e in sentences]
            if found[1] == text_sha and [(s, e) for _, s, e in stored] == spans:
                sentence_ids = [r[0] for r in stored]
                db.conn.executemany("UPDATE sentences SET caption = ? WHERE id = ?",
                                    zip(_caption_flags(spans, article.captions), sentence_ids))
                for kind in KINDS:
                    if kind not in wanted:
                        rows = self._fact_rows(kind, article_id, sentence_ids, text, facts, versions[kind])
                        ids = fact_ids(key, kind, [(f.start, f.end) for f in getattr(facts, kind)])
                        fresh = sorted(((i, *row) for i, row in zip(ids, rows)), key=lambda r: r[0])
                        columns = ", ".join(f"[{c}]" for c in ("id", *FACT_ROW_COLUMNS[kind]))
                        old = db.execute(f"SELECT {columns} FROM [{kind}] WHERE article_id = ? ORDER BY id",
                                         [article_id]).fetchall()
                        if [tuple(r) for r in old] != fresh:
                            wanted.add(kind)
                for kind in wanted:
                    db.execute(f"DELETE FROM [{kind}] WHERE article_id = ?", [article_id])
                    db.execute("DELETE FROM extractions WHERE article_id = ? AND kind = ?", [article_id, kind])
            else:
                if stored:  # never extracted (``add_raw``): no sentence, hence no fact, to delete
                    self._delete_article_rows(article_id)
                sentence_ids = self._save_sentences(article_id, text, spans, article.captions)
                wanted = set(KINDS)
            fields = {
                "text_sha256": text_sha, "title": article.title,
                "published": facts.published.isoformat() if facts.published else None,
                "main_province": facts.main_province, "encoding": article.encoding,
                "source_format": article.source_format,
                "warnings": json.dumps(warnings, ensure_ascii=False) if warnings else None,
            }
            if tuple(fields.values()) != tuple(found[1:]):
                db.execute(f"UPDATE articles SET text = ?, {', '.join(f'[{c}] = ?' for c in fields)} WHERE id = ?",
                           [text, *fields.values(), article_id])
            self._save_facts(key, article_id, sentence_ids, text, facts, versions, kinds=wanted)
            db.execute("UPDATE failures SET resolved = 1 WHERE (source = ? OR key = ?) AND resolved = 0", [key, key])
        return [kind for kind in KINDS if kind in wanted]

    def record_article_failure(self, article_id: int, stage: str, reason: str, error_type: str | None = None) -> bool:
        """Record that a stored article could not be (re)processed (its raw input stays in
        ``articles``); False if that very failure is already recorded and unresolved."""
        db = self.db
        with db.atomic():
            key, doc, sha = db.execute("SELECT key, doc, raw_sha256 FROM articles WHERE id = ?", [article_id]).fetchone()
            if db.execute("SELECT 1 FROM failures WHERE source = ? AND reason = ? AND resolved = 0",
                          [key, reason]).fetchone():
                return False
            db["failures"].insert({"source": key, "key": key, "doc": doc, "stage": stage, "reason": reason,
                                   "error_type": error_type, "raw": None, "raw_sha256": sha,
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
                    f"SELECT article_id, {', '.join(f'[{c}]' for c in columns)} FROM [{kind}] "
                    "ORDER BY article_id, [start], [end], id"):
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
