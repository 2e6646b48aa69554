"""Shard stores and their merge into the main store (``vnfacts process --shards N``).

A **shard store** is an ordinary store (same schema, made by ``Store``) holding copies of
some articles of the main store: their rows in ``articles`` (raw input included),
``sentences``, the fact tables and ``extractions``, and all of ``canonical_models`` and
``people`` (the foreign keys of those facts).  Its triggers are dropped: its search index
and ``model_reports`` are never read (the main store's are brought up to date once, by
the merge).  Two tables of its own:

  shard_units   the articles to (re)write: ``kinds`` to rewrite (NULL: all), ``outcome``
                once written ("ok", "failed", "superseded"; set in the article's own
                transaction), ``written`` (the kinds rewritten), ``merged`` (1 once in
                the main store)
  shard_meta    what the shards were made for (``manifest``: JSON), to resume them

``merge_shards`` applies the shards' articles to the main store in **article id order**
(the single writer's order), each as ``Store.save_extraction`` would have written it:

* an article whose cleaned text and sentence spans are unchanged keeps its sentence ids;
  otherwise its sentences are replaced and numbered from the store's highest id + 1, as
  the writer numbers them, so sentence ids equal the single writer's;
* fact rows carry over with their ids (stable hashes), their ``sentence_id`` mapped to the
  main store's; ``extractions`` carry over; a new canonical model or person takes the name
  the lowest article id gave it (the writer's ``INSERT OR IGNORE`` in article order);
* a failure is recorded unless that very failure is recorded and unresolved (the writer's
  rule), and a success resolves the article's failures;
* an article whose raw input changed in the main store since the shard copied it
  (re-ingested) is left as that newer save made it.

Each group of articles is one transaction of the main store; the search index and the
model reports are deferred with ``Store.begin_bulk`` and done once by ``finish_bulk``.
Merging an article again gives the same rows (its text and sentences are then unchanged:
ids kept; facts deleted and inserted alike; the failure already recorded), so a merge
killed at any point and run again ends in the same store; ``merged`` only saves redoing.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from pipeline.schema import KINDS
from pipeline.store.writer import Store

__all__ = ["SHARD_SQL", "MERGE_GROUP", "MergeSummary", "empty_shard", "create_shard", "shard_manifest", "merge_shards",
           "remove_store"]

SHARD_SQL = [
    "CREATE TABLE IF NOT EXISTS shard_units (article_id INTEGER PRIMARY KEY, kinds TEXT, outcome TEXT, "
    "written TEXT, merged INTEGER NOT NULL DEFAULT 0)",
    "CREATE TABLE IF NOT EXISTS shard_meta (one INTEGER PRIMARY KEY CHECK (one = 1), manifest TEXT NOT NULL)",
]
MERGE_GROUP = 500  # articles per transaction of the merge

# the article columns a (re)extraction sets (``Store.save_extraction``'s ``fields`` and the text)
_ARTICLE_FIELDS = ("text", "text_sha256", "title", "published", "main_province", "encoding", "source_format",
                   "warnings")
# tables copied into a shard for the articles it holds, and merged back (besides sentences)
_PER_ARTICLE = (*KINDS, "extractions")
_NAMED = (("canonical_models", "models", "canonical"), ("people", "officials", "person_key"))


def remove_store(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _columns(conn: sqlite3.Connection, table: str, schema: str = "main") -> list[str]:
    return [row[1] for row in conn.execute(f"PRAGMA {schema}.table_info([{table}])")]


def _cols(columns: Iterable[str], prefix: str = "") -> str:
    return ", ".join(f"{prefix}[{c}]" for c in columns)


def empty_shard(path: Path) -> Path:
    """An empty shard store at ``path`` (the schema and gazetteer, no triggers): made once
    per run and copied for each shard, since loading the gazetteer is most of its cost."""
    remove_store(path)
    shard = Store(path)
    conn = shard.db.conn
    for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
        conn.execute(f"DROP TRIGGER [{name}]")
    with conn:
        for statement in SHARD_SQL:
            conn.execute(statement)
    shard.close()  # (its WAL checkpointed into the file: the file alone is the store)
    return path


def create_shard(target: Store, path: Path, units: Sequence[tuple[int, tuple[str, ...] | None]],
                 manifest: dict, empty: Path) -> Path:
    """Make the shard store at ``path`` for ``units`` ((article id, kinds) of ``target``),
    from a copy of ``empty`` (``empty_shard``).

    Built under a temporary name and renamed when complete: a shard file that exists is
    whole (a kill while building leaves only the temporary file, made again next time)."""
    tmp = path.with_name(path.name + ".part")
    remove_store(tmp)
    shutil.copyfile(empty, tmp)
    shard = Store(tmp)
    conn = shard.db.conn
    conn.execute("ATTACH DATABASE ? AS target", [str(target.path)])
    try:
        with conn:
            conn.executemany("INSERT INTO shard_units (article_id, kinds) VALUES (?, ?)",
                             [(a, ",".join(kinds) if kinds is not None else None) for a, kinds in units])
            conn.execute("INSERT INTO shard_meta VALUES (1, ?)", [json.dumps(manifest, sort_keys=True)])
            for table, _, _ in _NAMED:
                cols = _cols(_columns(conn, table))
                conn.execute(f"INSERT INTO [{table}] ({cols}) SELECT {cols} FROM target.[{table}] ORDER BY rowid")
            wanted = "(SELECT article_id FROM shard_units)"
            cols = _cols(_columns(conn, "articles"))
            conn.execute(f"INSERT INTO articles ({cols}) SELECT {cols} FROM target.articles WHERE id IN {wanted}")
            for table in ("sentences", *_PER_ARTICLE):
                cols = _cols(_columns(conn, table))
                conn.execute(f"INSERT INTO [{table}] ({cols}) SELECT {cols} FROM target.[{table}] "
                             f"WHERE article_id IN {wanted}")
    finally:
        conn.execute("DETACH DATABASE target")
        shard.close()
    tmp.rename(path)  # closed: its WAL was checkpointed into the file and removed
    return path


def shard_manifest(path: Path) -> dict | None:
    """What the shard at ``path`` was made for, or None if it is not a (whole) shard."""
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
            row = conn.execute("SELECT manifest FROM shard_meta").fetchone()
    except sqlite3.Error:
        return None
    return json.loads(row[0]) if row else None


@dataclass
class MergeSummary:
    merged: int = 0  # articles whose facts went into the main store
    failed: int = 0  # failures carried over (recorded, or found recorded already)
    superseded: int = 0  # re-ingested in the main store meanwhile: left as that save made them
    indexed: int = 0  # sentences added to the search index at the end
    reports_refreshed: int = 0
    seconds: float = 0.0


class _Merge:
    """One merge over one connection to the main store with the shards attached."""

    def __init__(self, conn: sqlite3.Connection, schemas: list[str]):
        self.conn, self.schemas = conn, schemas
        self.sentence_cols = _columns(conn, "sentences")
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS merge_ok (article_id INTEGER PRIMARY KEY, shard INTEGER)")
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS merge_sid (shard INTEGER, shard_id INTEGER, target_id INTEGER, "
                     "PRIMARY KEY (shard, shard_id))")

    def group(self, units: list[tuple[int, int, str]], summary: MergeSummary) -> None:
        """Apply ``units`` ((article id, shard, outcome), in id order) in the open transaction."""
        conn = self.conn
        conn.execute("DELETE FROM temp.merge_ok")
        conn.execute("DELETE FROM temp.merge_sid")
        for article_id, shard, outcome in units:
            self._article(article_id, shard, outcome, summary)
        done = "(SELECT article_id FROM temp.merge_ok)"
        for table in _PER_ARTICLE:
            conn.execute(f"DELETE FROM main.[{table}] WHERE article_id IN {done}")
        self._names()
        for shard, schema in enumerate(self.schemas):
            mine = f"JOIN temp.merge_ok o ON o.article_id = f.article_id AND o.shard = {shard}"
            for table in _PER_ARTICLE:
                cols = _columns(conn, table)
                select = ["m.target_id" if c == "sentence_id" else f"f.[{c}]" for c in cols]
                sid = (f" JOIN temp.merge_sid m ON m.shard = {shard} AND m.shard_id = f.sentence_id"
                       if "sentence_id" in cols else "")
                conn.execute(f"INSERT INTO main.[{table}] ({_cols(cols)}) SELECT {', '.join(select)} "
                             f"FROM {schema}.[{table}] f {mine}{sid}")
            ids = [a for a, s, _ in units if s == shard]
            conn.executemany(f"UPDATE {schema}.shard_units SET merged = 1 WHERE article_id = ?", [(a,) for a in ids])

    def _article(self, article_id: int, shard: int, outcome: str, summary: MergeSummary) -> None:
        conn, schema = self.conn, self.schemas[shard]
        mine = conn.execute("SELECT key, raw_sha256, text_sha256 FROM main.articles WHERE id = ?", [article_id]).fetchone()
        theirs = conn.execute(f"SELECT raw_sha256, text_sha256 FROM {schema}.articles WHERE id = ?",
                              [article_id]).fetchone()
        if mine is None or theirs is None or mine[1] != theirs[0] or outcome == "superseded":
            summary.superseded += 1  # gone, or re-ingested since the shard copied it
            return
        key = mine[0]
        if outcome == "failed":
            row = conn.execute(f"SELECT source, key, doc, stage, reason, error_type, raw, raw_sha256, failed_at, "
                               f"resolved FROM {schema}.failures WHERE key = ? ORDER BY id DESC LIMIT 1",
                               [key]).fetchone()
            if row is not None and conn.execute("SELECT 1 FROM main.failures WHERE source = ? AND reason = ? "
                                                "AND resolved = 0", [row[0], row[4]]).fetchone() is None:
                conn.execute("INSERT INTO main.failures (source, key, doc, stage, reason, error_type, raw, raw_sha256, "
                             "failed_at, resolved) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", row)
            summary.failed += 1
            return
        spans = f"SELECT id, idx, [start], [end] FROM {{}}.sentences WHERE article_id = ? ORDER BY idx"
        stored = conn.execute(spans.format("main"), [article_id]).fetchall()
        fresh = conn.execute(spans.format(schema), [article_id]).fetchall()
        if mine[2] == theirs[1] and [r[1:] for r in stored] == [r[1:] for r in fresh]:
            # the writer's "unchanged text and sentences": ids kept, captions refreshed
            conn.executemany("INSERT INTO temp.merge_sid VALUES (?, ?, ?)",
                             [(shard, f[0], s[0]) for s, f in zip(stored, fresh)])
            conn.execute(f"UPDATE main.sentences SET caption = (SELECT caption FROM {schema}.sentences f "
                         "WHERE f.article_id = sentences.article_id AND f.idx = sentences.idx) WHERE article_id = ?",
                         [article_id])
        else:
            if stored:
                for table in _PER_ARTICLE:  # (the facts go before their sentences, as the writer deletes them)
                    conn.execute(f"DELETE FROM main.[{table}] WHERE article_id = ?", [article_id])
                conn.execute("DELETE FROM main.sentences WHERE article_id = ?", [article_id])
            (top,) = conn.execute("SELECT coalesce(max(id), 0) FROM main.sentences").fetchone()
            select = ", ".join("? + 1 + idx" if c == "id" else f"[{c}]" for c in self.sentence_cols)
            conn.execute(f"INSERT INTO main.sentences ({_cols(self.sentence_cols)}) SELECT {select} "
                         f"FROM {schema}.sentences WHERE article_id = ? ORDER BY idx", [top, article_id])
            conn.execute(f"INSERT INTO temp.merge_sid SELECT ?, id, ? + 1 + idx FROM {schema}.sentences "
                         "WHERE article_id = ?", [shard, top, article_id])
        conn.execute(f"UPDATE main.articles SET ({_cols(_ARTICLE_FIELDS)}) = (SELECT {_cols(_ARTICLE_FIELDS)} "
                     f"FROM {schema}.articles WHERE id = ?) WHERE id = ?", [article_id, article_id])
        conn.execute("UPDATE main.failures SET resolved = 1 WHERE (source = ? OR key = ?) AND resolved = 0", [key, key])
        conn.execute("INSERT INTO temp.merge_ok VALUES (?, ?)", [article_id, shard])
        summary.merged += 1

    def _names(self) -> None:
        """This group's new canonical models and people: the name the lowest article id gave
        (each shard holds the name its own first article gave; the lowest of those wins,
        as the writer's ``INSERT OR IGNORE`` in article order would have it)."""
        first = []
        for shard, schema in enumerate(self.schemas):
            for table, facts, column in _NAMED:
                first += [(article_id, table, key, name) for key, name, article_id in self.conn.execute(
                    f"SELECT c.[key], c.name, MIN(f.article_id) FROM {schema}.[{facts}] f "
                    f"JOIN temp.merge_ok o ON o.article_id = f.article_id AND o.shard = {shard} "
                    f"JOIN {schema}.[{table}] c ON c.[key] = f.[{column}] "
                    f"WHERE f.[{column}] NOT IN (SELECT [key] FROM main.[{table}]) GROUP BY c.[key]")]
        self.conn.executemany("INSERT OR IGNORE INTO main.[canonical_models] ([key], name) VALUES (?, ?)",
                              [(k, n) for _, t, k, n in sorted(first) if t == "canonical_models"])
        self.conn.executemany("INSERT OR IGNORE INTO main.[people] ([key], name) VALUES (?, ?)",
                              [(k, n) for _, t, k, n in sorted(first) if t == "people"])


def merge_shards(store: Store, shards: Sequence[Path], group: int = MERGE_GROUP,
                 on_group: Callable[[MergeSummary], None] | None = None) -> MergeSummary:
    """Merge the written ``shards`` into ``store`` (see the module's docstring); restartable.

    Every unit of every shard must be written (``outcome`` set).  Foreign keys are not
    checked while merging (the rows were checked when the shard wrote them, and go in
    parents first); the index and reports are finished at the end."""
    started = time.perf_counter()
    summary = MergeSummary()
    conn = store.db.conn
    conn.execute("PRAGMA foreign_keys = OFF")
    schemas = []
    try:
        for i, path in enumerate(shards):
            conn.execute("ATTACH DATABASE ? AS ?", [str(path), f"shard{i}"])
            schemas.append(f"shard{i}")
        units = []
        for shard, schema in enumerate(schemas):
            rows = conn.execute(f"SELECT article_id, outcome FROM {schema}.shard_units WHERE merged = 0").fetchall()
            if any(outcome is None for _, outcome in rows):
                raise RuntimeError(f"shard {shards[shard]} is not fully written: write it before merging")
            units += [(a, shard, outcome) for a, outcome in rows]
        units.sort()
        merge = _Merge(conn, schemas)
        store.begin_bulk()
        for start in range(0, len(units), group):
            conn.execute("BEGIN IMMEDIATE")
            try:
                merge.group(units[start : start + group], summary)
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
            if on_group:
                on_group(summary)
        summary.indexed, summary.reports_refreshed = store.finish_bulk()
    finally:
        for schema in schemas:
            conn.execute(f"DETACH DATABASE {schema}")
        conn.execute("PRAGMA foreign_keys = ON")
    summary.seconds = time.perf_counter() - started
    return summary
