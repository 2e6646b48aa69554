"""The store's schema: tables, indexes, triggers, and the upgrades of older stores.

Kept apart from the writes (``pipeline.store.writer``): a reader of this file
sees every table at once, and a migration never hides inside a write path.

  articles          one row per article, keyed by ``key`` (URL, else "file:<path
                    relative to the folder it was ingested from>"), with the raw
                    input kept (zlib-compressed), its hashes and decoding warnings
  sentences         the article's sentences (``caption`` = 1 for an image caption's);
                    ``sentences_fts`` searches them
                    (FTS5, ``unicode61 remove_diacritics 2``: "Ha Noi" finds "Hà Nội")
  models, counts, officials, places, dates
                    the facts; places link to ``gazetteer_units``, models to
                    ``canonical_models``, officials to ``people``
  model_reports     one row per (province, model), kept by triggers (once per batch
                    in bulk mode: ``model_reports_dirty``)
  bulk_state        set while a bulk batch runs (see ``BULK_SQL``)
  extractions       which extractor versions made an article's facts
  failures          inputs that could not become articles: where from, the stage,
                    the reason, the exception type, and the raw bytes
"""

from __future__ import annotations

import sqlite_utils

__all__ = ["FACT_COLUMNS", "FACT_ROW_COLUMNS", "PROVENANCE", "MODEL_REPORTS_SQL", "REFRESH_REPORT_SQL", "BULK_SQL",
           "QUERY_INDEXES_SQL", "fts_triggers_sql", "fts_columns", "refresh_model_reports", "ensure", "upgrade"]

PROVENANCE = {
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
FACT_ROW_COLUMNS: dict[str, tuple[str, ...]] = {kind: (*PROVENANCE, *columns) for kind, columns in FACT_COLUMNS.items()}


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
# Recompute the one report of a (province, model): the rule the triggers and the bulk
# writer's refresh (``REFRESH_REPORT_SQL``) share.
_REPORT_OF = """
  DELETE FROM model_reports WHERE province IS {province} AND canonical = {canonical};
  INSERT INTO model_reports
  SELECT {province}, {canonical}, MAX(province_2025),
         (SELECT count FROM models l WHERE l.province IS {province} AND l.canonical = {canonical}
             AND l.count IS NOT NULL ORDER BY l.published IS NULL, l.published DESC, l.article_id DESC LIMIT 1),
         COUNT(DISTINCT article_id), MIN(published), MAX(published)
  FROM models WHERE province IS {province} AND canonical = {canonical}
  HAVING COUNT(*) > 0;
"""
REFRESH_REPORT_SQL = [part.strip() for part in _REPORT_OF.format(province=":province", canonical=":canonical")
                      .split(";") if part.strip()]

# The bulk mode of the writer (``Store.begin_bulk`` / ``Store.finish_bulk``, used by
# ``vnfacts process``): while ``bulk_state`` has its row, the sentences with an id above
# ``fts_after`` are not indexed by trigger (they are added to ``sentences_fts`` at once
# when the batch finishes) and a model row only marks its (province, model) in
# ``model_reports_dirty`` (recomputed once at the end).  Both tables are written in the
# batch's own transactions, so a killed batch leaves them telling exactly what is left
# to do, and the next batch finishes it.
BULK_SQL = """
CREATE TABLE IF NOT EXISTS bulk_state (one INTEGER PRIMARY KEY CHECK (one = 1), fts_after INTEGER NOT NULL,
                                       started_at TEXT);
CREATE TABLE IF NOT EXISTS model_reports_dirty (province TEXT, canonical TEXT);
CREATE INDEX IF NOT EXISTS model_reports_dirty_key ON model_reports_dirty(province, canonical);
"""
_BULK = "EXISTS (SELECT 1 FROM bulk_state)"
MODEL_REPORTS_SQL += "".join(
    f"CREATE TRIGGER IF NOT EXISTS model_reports_{event.lower()} AFTER {event} ON models WHEN NOT {_BULK} BEGIN"
    f"{_REPORT_OF.format(province=f'{row}.province', canonical=f'{row}.canonical')}END;\n"
    f"CREATE TRIGGER IF NOT EXISTS model_reports_{event.lower()}_bulk AFTER {event} ON models WHEN {_BULK} BEGIN\n"
    f"  INSERT INTO model_reports_dirty SELECT {row}.province, {row}.canonical WHERE NOT EXISTS (\n"
    f"    SELECT 1 FROM model_reports_dirty WHERE province IS {row}.province AND canonical = {row}.canonical);\n"
    "END;\n"
    for event, row in (("INSERT", "NEW"), ("DELETE", "OLD"))
)


def refresh_model_reports(db: sqlite_utils.Database) -> int:
    """Recompute the reports of the (province, model)s marked in ``model_reports_dirty``
    and unmark them (in the caller's transaction); return how many."""
    pairs = db.execute("SELECT DISTINCT province, canonical FROM model_reports_dirty").fetchall()
    for province, canonical in pairs:
        for statement in REFRESH_REPORT_SQL:
            db.execute(statement, {"province": province, "canonical": canonical})
    db.execute("DELETE FROM model_reports_dirty")
    return len(pairs)


def fts_triggers_sql(columns: list[str]) -> str:
    """The triggers keeping ``sentences_fts`` (external content: ``sentences``) in step
    with ``sentences``, except for the rows a bulk batch will index when it finishes."""
    cols = ", ".join(f"[{c}]" for c in columns)
    new = ", ".join(f"new.[{c}]" for c in columns)
    old = ", ".join(f"old.[{c}]" for c in columns)

    def indexed(row: str) -> str:  # the row is in the index (or is to be put there now)
        return f"{row}.id <= coalesce((SELECT fts_after FROM bulk_state), {row}.id)"

    delete = f"INSERT INTO sentences_fts (sentences_fts, rowid, {cols}) VALUES ('delete', old.id, {old});"
    insert = f"INSERT INTO sentences_fts (rowid, {cols}) VALUES (new.id, {new});"
    return (
        f"CREATE TRIGGER sentences_ai AFTER INSERT ON sentences WHEN {indexed('new')} BEGIN {insert} END;\n"
        f"CREATE TRIGGER sentences_ad AFTER DELETE ON sentences WHEN {indexed('old')} BEGIN {delete} END;\n"
        f"CREATE TRIGGER sentences_au AFTER UPDATE OF {cols} ON sentences WHEN {indexed('old')} BEGIN {delete} {insert} END;\n"
    )


def fts_columns(db: sqlite_utils.Database) -> list[str]:
    """The columns of ``sentences`` that ``sentences_fts`` indexes."""
    return [row[1] for row in db.execute("PRAGMA table_info(sentences_fts)").fetchall()]


def _install_bulk(db: sqlite_utils.Database) -> None:
    """Bulk tables and the triggers that honour them (replacing sqlite-utils' FTS triggers
    and the first model_reports triggers, which indexed every row as it came)."""
    for name in ("sentences_ai", "sentences_ad", "sentences_au", "model_reports_insert", "model_reports_delete"):
        db.execute(f"DROP TRIGGER IF EXISTS [{name}]")
    for statement in _statements(BULK_SQL + MODEL_REPORTS_SQL + fts_triggers_sql(fts_columns(db))):
        db.execute(statement)


def _statements(script: str) -> list[str]:
    """``script`` cut into whole statements (a trigger's body keeps its ';'), to run them
    inside a transaction (``executescript`` would commit it)."""
    import sqlite3

    out, current = [], ""
    for line in script.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            out.append(current.strip())
            current = ""
    return out


def ensure(db: sqlite_utils.Database) -> None:
    """Create the schema in an empty store, or bring an older one up to date."""
    if "articles" in db.table_names():
        upgrade(db)
        return
    with db.atomic():
        db["articles"].create(
            {
                "id": int, "key": str, "doc": str, "url": str, "site": str, "source_path": str,
                "title": str, "published": str, "main_province": str, "text": str,
                "raw": bytes, "raw_sha256": str, "text_sha256": str, "encoding": str,
                "source_format": str, "ingested_at": str, "warnings": str, "content_type": str,
            },
            pk="id",
        )
        db["articles"].create_index(["key"], unique=True)
        db["articles"].create_index(["text_sha256"])
        db["sentences"].create(
            {"id": int, "article_id": int, "idx": int, "start": int, "end": int, "text": str, "caption": int},
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
            db[kind].create({"id": int, **PROVENANCE, **columns}, pk="id", foreign_keys=fks)
            db[kind].create_index(["article_id"])
        db["places"].create_index(["province", "level"])
        db["counts"].create_index(["value"])
        db["counts"].create_index(["unit_key", "province"])
        db["models"].create_index(["canonical"])
        db["models"].create_index(["province", "canonical"])
        for statement in _statements(QUERY_INDEXES_SQL):  # (executescript would commit the transaction)
            db.execute(statement)
        db["officials"].create_index(["person_key"])
        db["extractions"].create(
            {"article_id": int, "kind": str, "version": str, "extracted_at": str},
            pk=("article_id", "kind"),
            foreign_keys=[("article_id", "articles", "id")],
        )
        db["failures"].create(
            {"id": int, "source": str, "key": str, "doc": str, "stage": str, "reason": str, "error_type": str,
             "raw": bytes, "raw_sha256": str, "failed_at": str, "resolved": int},
            pk="id",
        )
        db["failures"].create_index(["source"])
        db["failures"].create_index(["key"])  # the writer resolves an article's failures by key
        db["sentences"].enable_fts(["text"], tokenize="unicode61 remove_diacritics 2")
        _install_bulk(db)
        _load_gazetteer(db)

# Indexes the queries read through (pipeline/query): the latest report of a (province,
# model) in ``models_by_province``, a covering seek instead of a sort per row.
QUERY_INDEXES_SQL = """
CREATE INDEX IF NOT EXISTS models_latest ON models(province, canonical, published, article_id);
"""
_QUERY_INDEXES = ("models_latest",)

# Columns added to existing tables since the first schema: (table, column, type).
_ADDED_COLUMNS: tuple[tuple[str, str, type], ...] = (
    ("articles", "warnings", str),
    ("articles", "content_type", str),
    ("failures", "key", str),
    ("failures", "stage", str),
    ("failures", "error_type", str),
    ("sentences", "caption", int),  # 1: the sentence is an image caption (NULL in older stores until reprocessed)
)


def upgrade(db: sqlite_utils.Database) -> None:
    """Bring a store made by an earlier version up to this schema (columns added
    since are NULL until ``vnfacts reprocess --all``)."""
    missing = [(kind, column, kind_type) for kind, columns in FACT_COLUMNS.items()
               for column, kind_type in columns.items() if column not in db[kind].columns_dict]
    missing += [(t, c, k) for t, c, k in _ADDED_COLUMNS if c not in db[t].columns_dict]
    indexes = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    if not missing and "bulk_state" in db.table_names() and indexes.issuperset(_QUERY_INDEXES):
        return
    with db.atomic():
        for table, column, kind_type in missing:
            db[table].add_column(column, kind_type)
        db["counts"].create_index(["unit_key", "province"], if_not_exists=True)
        db["models"].create_index(["province", "canonical"], if_not_exists=True)
        db["failures"].create_index(["key"], if_not_exists=True)
        for statement in _statements(QUERY_INDEXES_SQL):
            db.execute(statement)
        reports_missing = "model_reports" not in db.table_names()
        _install_bulk(db)
        if reports_missing:  # a store older than the reports: make them from its models
            db.execute("INSERT INTO model_reports_dirty SELECT DISTINCT province, canonical FROM models")
            refresh_model_reports(db)


def _load_gazetteer(db: sqlite_utils.Database) -> None:
    from gazetteer import get_gazetteer

    db["gazetteer_units"].insert_all(get_gazetteer().rows(), batch_size=2000)
