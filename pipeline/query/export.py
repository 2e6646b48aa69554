"""Export the store's facts as flat files: one file a fact table, joined to its
article and sentence, in CSV, JSON or Parquet.

Each row is a fact with its provenance spelled out: the fact's own columns,
then ``article_*`` (key, doc, url, site, title, published, main_province) and
``sentence_*`` (index in the article, text).  ``articles`` is exported too,
without the raw input and the full text (those stay in the store).
"""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path
from typing import Literal

from pydantic import BaseModel

from pipeline.schema import KINDS

__all__ = ["Format", "ExportedFile", "export", "table_sql", "FORMATS"]

Format = Literal["csv", "json", "parquet"]
FORMATS: tuple[str, ...] = ("csv", "json", "parquet")

_ARTICLE_COLUMNS = ("key", "doc", "url", "site", "title", "published", "main_province")
_ARTICLES_SQL = ("SELECT id, key, doc, url, site, title, published, main_province, source_format, encoding, "
                 "raw_sha256, text_sha256, ingested_at FROM articles ORDER BY id")


class ExportedFile(BaseModel):
    table: str
    path: str
    rows: int


def _columns(conn: sqlite3.Connection, table: str) -> list[tuple[str, str]]:
    return [(r[1], r[2].upper()) for r in conn.execute(f"PRAGMA table_info([{table}])")]


def table_sql(conn: sqlite3.Connection, kind: str) -> str:
    """A fact table joined to its article and sentence, columns prefixed so none collide."""
    fact_cols = ", ".join(f"f.[{name}]" for name, _ in _columns(conn, kind))
    article_cols = ", ".join(f"a.[{c}] AS article_{c}" for c in _ARTICLE_COLUMNS)
    return (f"SELECT {fact_cols}, {article_cols}, s.idx AS sentence_idx, s.text AS sentence_text "
            f"FROM [{kind}] f JOIN articles a ON a.id = f.article_id "
            f"JOIN sentences s ON s.id = f.sentence_id ORDER BY f.article_id, f.start, f.id")


def _arrow_schema(conn: sqlite3.Connection, table: str, names: list[str]):
    """Parquet column types from the tables' declared types (not guessed from
    values: an all-NULL column keeps its type)."""
    import pyarrow as pa

    declared = dict(_columns(conn, table))
    declared.update({c: "TEXT" for c in ("article_" + c for c in _ARTICLE_COLUMNS)})
    declared.update({"sentence_idx": "INTEGER", "sentence_text": "TEXT"})
    types = {"INTEGER": pa.int64(), "FLOAT": pa.float64(), "REAL": pa.float64(), "TEXT": pa.string(),
             "BLOB": pa.binary()}
    return pa.schema([(n, types.get(declared.get(n, "TEXT"), pa.string())) for n in names])


def _write(conn: sqlite3.Connection, table: str, sql: str, path: Path, fmt: Format) -> int:
    cursor = conn.execute(sql)
    names = [d[0] for d in cursor.description]
    data = [dict(zip(names, r)) for r in cursor]
    if fmt == "csv":
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=names)
            writer.writeheader()
            writer.writerows(data)
    elif fmt == "json":
        path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    else:
        import pyarrow as pa
        import pyarrow.parquet as pq

        schema = _arrow_schema(conn, "articles" if table == "articles" else table, names)
        pq.write_table(pa.Table.from_pylist(data, schema=schema), path)
    return len(data)


def export(conn: sqlite3.Connection, out_dir: Path | str, fmt: Format = "csv",
           tables: tuple[str, ...] = (*KINDS, "articles")) -> list[ExportedFile]:
    """Write ``<table>.<fmt>`` for each table into ``out_dir``; return what was written."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS}, not {fmt!r}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for table in tables:
        sql = _ARTICLES_SQL if table == "articles" else table_sql(conn, table)
        path = out / f"{table}.{fmt}"
        n = _write(conn, table, sql, path, fmt)
        written.append(ExportedFile(table=table, path=str(path), rows=n))
    return written

