"""Export the store's facts as flat files: one file a fact table, joined to its
article and sentence, in CSV, JSON or Parquet.

Each row is a fact with its provenance spelled out: the fact's own columns,
then ``article_*`` (key, doc, url, site, title, published, main_province) and
``sentence_*`` (index in the article, text).  ``articles`` is exported too,
without the raw input and the full text (those stay in the store).

Files that open right: CSV in UTF-8 with a byte-order mark (Excel reads the
Vietnamese), a figure stored as 12.0 written 12; JSON numbers as numbers; Parquet
typed from the tables' declared types (an all-NULL column keeps its type),
publication dates as dates and timestamps as timestamps.  Fact ids are stable
across reprocessing, so an exported row can be cited by its id.
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
    # ``ref``: the fact's id as text ("counts/3002496788386108793"), which Excel cannot round
    return (f"SELECT '{kind}/' || f.id AS ref, {fact_cols}, {article_cols}, s.idx AS sentence_idx, "
            f"s.text AS sentence_text "
            f"FROM [{kind}] f JOIN articles a ON a.id = f.article_id "
            f"JOIN sentences s ON s.id = f.sentence_id ORDER BY f.article_id, f.start, f.id")


# Columns that hold an ISO date or timestamp as TEXT in the store.
_DATES = frozenset({"published", "article_published", "first_reported", "last_reported"})
_TIMESTAMPS = frozenset({"ingested_at", "extracted_at", "failed_at"})


def _declared(conn: sqlite3.Connection, table: str) -> dict[str, str]:
    declared = dict(_columns(conn, table))
    declared.update({c: "TEXT" for c in ("article_" + c for c in _ARTICLE_COLUMNS)})
    declared.update({"ref": "TEXT", "sentence_idx": "INTEGER", "sentence_text": "TEXT"})
    return declared


def _arrow_schema(declared: dict[str, str], names: list[str]):
    import pyarrow as pa

    types = {"INTEGER": pa.int64(), "FLOAT": pa.float64(), "REAL": pa.float64(), "TEXT": pa.string(),
             "BLOB": pa.binary()}

    def type_of(name: str):
        if name in _DATES:
            return pa.date32()
        if name in _TIMESTAMPS:
            return pa.timestamp("s", tz="UTC")
        return types.get(declared.get(name, "TEXT"), pa.string())

    return pa.schema([(n, type_of(n)) for n in names])


def _number(value):
    """12.0 -> 12 (the store keeps figures as REAL; a reader expects the figure as printed)."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _parquet_value(name: str, value):
    from datetime import date, datetime

    if value is None:
        return None
    if name in _DATES:
        try:
            return date.fromisoformat(str(value)[:10])
        except ValueError:
            return None
    if name in _TIMESTAMPS:
        try:
            return datetime.fromisoformat(str(value))
        except ValueError:
            return None
    return value


def _write(conn: sqlite3.Connection, table: str, sql: str, path: Path, fmt: Format) -> int:
    cursor = conn.execute(sql)
    names = [d[0] for d in cursor.description]
    data = [dict(zip(names, r)) for r in cursor]
    if fmt == "csv":
        # utf-8-sig: the byte-order mark tells Excel the file is UTF-8
        with path.open("w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=names)
            writer.writeheader()
            writer.writerows({k: _number(v) for k, v in row.items()} for row in data)
    elif fmt == "json":
        rows = [{k: _number(v) for k, v in row.items()} for row in data]
        for row in rows:
            if isinstance(row.get("warnings"), str):
                row["warnings"] = json.loads(row["warnings"])
        path.write_text(json.dumps(rows, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    else:
        import pyarrow as pa
        import pyarrow.parquet as pq

        schema = _arrow_schema(_declared(conn, "articles" if table == "articles" else table), names)
        rows = [{k: _parquet_value(k, v) for k, v in row.items()} for row in data]
        pq.write_table(pa.Table.from_pylist(rows, schema=schema), path)
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

