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
  model_reports     one row per (province, model), kept by triggers
  extractions       which extractor versions made an article's facts
  failures          inputs that could not become articles: where from, the stage,
                    the reason, the exception type, and the raw bytes
"""

from __future__ import annotations

import sqlite_utils

__all__ = ["FACT_COLUMNS", "FACT_ROW_COLUMNS", "PROVENANCE", "MODEL_REPORTS_SQL", "QUERY_INDEXES_SQL", "ensure", "upgrade"]

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
        db.executescript(QUERY_INDEXES_SQL)
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
        db["sentences"].enable_fts(["text"], tokenize="unicode61 remove_diacritics 2", create_triggers=True)
        db.executescript(MODEL_REPORTS_SQL)
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
    if not missing and "model_reports" in db.table_names() and indexes.issuperset(_QUERY_INDEXES):
        return
    with db.atomic():
        for table, column, kind_type in missing:
            db[table].add_column(column, kind_type)
        db["counts"].create_index(["unit_key", "province"], if_not_exists=True)
        db["models"].create_index(["province", "canonical"], if_not_exists=True)
        db.executescript(MODEL_REPORTS_SQL)
        db.executescript(QUERY_INDEXES_SQL)


def _load_gazetteer(db: sqlite_utils.Database) -> None:
    from gazetteer import get_gazetteer

    db["gazetteer_units"].insert_all(get_gazetteer().rows(), batch_size=2000)
