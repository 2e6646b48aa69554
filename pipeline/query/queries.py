"""Read-only questions to the store, shared by the CLI, Datasette and the notebooks.

Every function takes a ``sqlite3.Connection`` (open one with :func:`connect`)
and returns plain rows or pydantic models, so it can be tested without the
command line.  The SQL lives here as constants because the same statements are
Datasette's canned queries (``pipeline/query/serve.py``): the browser and the
command line give the same answer.

The statements use a few SQL functions that :func:`register_functions` adds to
a connection (Datasette gets them through ``prepare_connection``):

  ``vn_fold(text)``      ``pipeline.text.fold``: case and tone-placement insensitive key
  ``vn_ascii(text)``     ``pipeline.text.ascii_fold``: no diacritics at all ("tran huu phuong")
  ``vn_number(text)``    the first figure of a text in Vietnamese notation ("1.000" -> 1000)
  ``vn_fts(text)``       a safe FTS5 query: the words as one quoted phrase
  ``vnfacts_verify(claim)``  the rows of ``pipeline.verify`` for a claim, as JSON
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel

from pipeline.text import ascii_fold, fold

__all__ = [
    "connect", "register_functions", "rows", "as_number",
    "ModelReport", "models_by_province", "OfficialMention", "Official", "officials",
    "ArticleFact", "article_facts", "search_sentences", "place_map",
    "MODELS_SQL", "OFFICIALS_SQL", "ARTICLE_FACTS_SQL", "PLACE_MAP_SQL", "SEARCH_SQL",
]


# --------------------------------------------------------------------------- connection

def connect(db: Path | str, *, functions: bool = True) -> sqlite3.Connection:
    """Open the store read-only (a query can never change it) with our SQL functions."""
    path = Path(db)
    if not path.is_file():
        raise FileNotFoundError(f"no store at {path} (build one with `vnfacts ingest`)")
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False)
    if functions:
        register_functions(conn)
    return conn


def _null_safe(fn):
    def wrapped(value):
        return None if value is None else fn(str(value))
    return wrapped


def _first_number(text: str) -> float | int | None:
    from pipeline.query.verify import parse_claim

    figures = parse_claim(text, places=False).figures
    return figures[0].value if figures else None


def _fts_query(text: str) -> str:
    # One quoted phrase: user input cannot break the FTS5 syntax, and "thanh hoa"
    # finds the place, not every sentence with "thanh" and "hòa" somewhere.
    return '"' + " ".join(text.split()).replace('"', '""') + '"'



def register_functions(conn: sqlite3.Connection) -> None:
    """Add the ``vn_*`` SQL functions to a connection (idempotent)."""
    conn.create_function("vn_fold", 1, _null_safe(fold), deterministic=True)
    conn.create_function("vn_ascii", 1, _null_safe(ascii_fold), deterministic=True)
    conn.create_function("vn_number", 1, _null_safe(_first_number), deterministic=True)
    conn.create_function("vn_fts", 1, _null_safe(_fts_query), deterministic=True)

    def verify_json(claim: str | None) -> str:
        from pipeline.query.verify import verify, verdict_rows

        if not claim or not claim.strip():
            return "[]"
        return json.dumps(verdict_rows(verify(conn, claim)), ensure_ascii=False)

    # Not deterministic: it reads the store.  Re-entrant use of the connection
    # from inside a function is fine in SQLite (nested statements).
    conn.create_function("vnfacts_verify", 1, verify_json)


def rows(conn: sqlite3.Connection, sql: str, params: dict[str, Any] | Iterable[Any] = ()) -> Iterator[dict[str, Any]]:
    """Run a statement and yield each row as a dict."""
    cursor = conn.execute(sql, params if isinstance(params, dict) else list(params))
    names = [d[0] for d in cursor.description]
    for row in cursor:
        yield dict(zip(names, row))


def as_number(value: float | int | None) -> float | int | None:
    """1120.0 -> 1120: the store keeps REALs, readers expect the figure as printed."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# --------------------------------------------------------------------------- models by province

# The province of a model is its own place's province when the sentence names
# one, else the article's main province.  Dates are publication dates; an
# article without one counts as reported but adds no date.  The store keeps one
# row per (province, model) up to date as articles come and go
# (``model_reports``, see pipeline/store/writer.py), so this reads a few thousand rows.
MODELS_SQL = """
WITH wanted AS (
  -- the provinces the filter names: a legacy province, or a 2025 one and those merged into it
  SELECT name FROM gazetteer_units
  WHERE level = 'tỉnh' AND (vn_fold(name) = vn_fold(:province) OR vn_fold(province_2025) = vn_fold(:province))
)
SELECT r.province, r.province_2025, r.canonical, cm.name AS model,
       CASE WHEN r.count = CAST(r.count AS INTEGER) THEN CAST(r.count AS INTEGER) ELSE r.count END AS count,
       r.articles, r.first_reported, r.last_reported
FROM model_reports r
JOIN canonical_models cm ON cm.key = r.canonical
WHERE COALESCE(:province, '') = '' OR r.province IN (SELECT name FROM wanted)
ORDER BY CASE WHEN :by = 'model' THEN vn_ascii(r.canonical) ELSE vn_ascii(COALESCE(r.province, '')) END,
         CASE WHEN :by = 'model' THEN vn_ascii(COALESCE(r.province, '')) ELSE vn_ascii(r.canonical) END
"""


class ModelReport(BaseModel):
    """One (province, canonical model): what the store says about it."""

    province: str | None
    province_2025: str | None
    model: str
    canonical: str
    count: float | int | None
    articles: int
    first_reported: str | None
    last_reported: str | None


def models_by_province(conn: sqlite3.Connection, province: str | None = None,
                       by: Literal["province", "model"] = "province") -> list[ModelReport]:
    """Which provinces reported which models, with the latest count given and the report dates.

    ``province`` matches the reported (legacy) province or its 2025 successor,
    case- and tone-placement-insensitively.
    """
    params = {"province": province or "", "by": by}
    out = []
    for row in rows(conn, MODELS_SQL, params):
        row["count"] = as_number(row["count"])
        out.append(ModelReport(**row))
    return out


# --------------------------------------------------------------------------- officials

OFFICIAL_MENTIONS_SQL = """
SELECT o.person_key, COALESCE(p.name, o.name) AS name, o.rank, o.title,
       a.id AS article_id, a.title AS article_title, a.site, a.url, a.published,
       o.evidence, s.text AS sentence
FROM officials o
JOIN articles a ON a.id = o.article_id
JOIN sentences s ON s.id = o.sentence_id
LEFT JOIN people p ON p.key = o.person_key
WHERE COALESCE(:name, '') = '' OR instr(vn_ascii(o.name), vn_ascii(:name)) > 0
ORDER BY vn_ascii(COALESCE(p.name, o.name)), a.published IS NULL, a.published, a.id, o.start
"""

# The same, one row a person, for Datasette (JSON arrays of the distinct values).
OFFICIALS_SQL = """
SELECT COALESCE(p.name, o.name) AS name,
       json_group_array(DISTINCT o.rank) FILTER (WHERE o.rank IS NOT NULL) AS ranks,
       json_group_array(DISTINCT o.title) FILTER (WHERE o.title IS NOT NULL) AS positions,
       COUNT(DISTINCT a.id) AS articles,
       json_group_array(DISTINCT a.title) AS article_titles,
       MIN(a.published) AS first_reported,
       MAX(a.published) AS last_reported,
       o.person_key
FROM officials o
JOIN articles a ON a.id = o.article_id
LEFT JOIN people p ON p.key = o.person_key
WHERE COALESCE(:name, '') = '' OR instr(vn_ascii(o.name), vn_ascii(:name)) > 0
GROUP BY o.person_key
ORDER BY vn_ascii(COALESCE(p.name, o.name))
"""


class OfficialMention(BaseModel):
    """One article naming the person, with the rank and position it gives."""

    rank: str | None
    title: str | None
    article_id: int
    article_title: str | None
    site: str | None
    url: str | None
    published: str | None
    evidence: str
    sentence: str


class Official(BaseModel):
    person_key: str
    name: str
    ranks: list[str]
    positions: list[str]
    mentions: list[OfficialMention]


def _distinct(values: Iterable[str | None]) -> list[str]:
    seen: dict[str, str] = {}
    for v in values:
        if v and fold(v) not in seen:
            seen[fold(v)] = v
    return list(seen.values())


def officials(conn: sqlite3.Connection, name: str | None = None) -> list[Official]:
    """Each person with the ranks and positions reported, and the articles that report them.

    ``name`` matches part of the name, without regard to case or diacritics
    ("tran huu" finds "Trần Hữu Phương").
    """
    people: dict[str, Official] = {}
    for row in rows(conn, OFFICIAL_MENTIONS_SQL, {"name": name or ""}):
        person = people.setdefault(row["person_key"], Official(
            person_key=row["person_key"], name=row["name"], ranks=[], positions=[], mentions=[]))
        person.mentions.append(OfficialMention(**{k: row[k] for k in OfficialMention.model_fields}))
    for person in people.values():
        person.ranks = _distinct(m.rank for m in person.mentions)
        person.positions = _distinct(m.title for m in person.mentions)
    return list(people.values())


# --------------------------------------------------------------------------- one article's facts

def _fact_select(kind: str, what: str) -> str:
    return (f"SELECT '{kind}' AS kind, {what} AS fact, f.evidence, f.start - s.start AS start_in_sentence, "
            f"f.end - s.start AS end_in_sentence, f.start AS start, s.idx AS sentence_idx, s.text AS sentence "
            f"FROM {kind} f JOIN sentences s ON s.id = f.sentence_id WHERE f.article_id = :article_id")


ARTICLE_FACTS_SQL = "\nUNION ALL\n".join([
    _fact_select("models", "f.name || COALESCE(' — ' || f.place, '') || COALESCE(' (' || CAST(f.count AS INTEGER) || ')', '')"),
    _fact_select("counts", "f.figure || ' ' || f.unit"),
    _fact_select("officials", "COALESCE(f.rank || ' ', '') || f.name || COALESCE(', ' || f.title, '')"),
    _fact_select("places", "f.name || ' (' || f.level || COALESCE(', ' || f.province, '') || ')'"),
    _fact_select("dates", "f.value"),
]) + "\nORDER BY start, kind"


class ArticleFact(BaseModel):
    kind: str
    fact: str | None
    evidence: str
    start_in_sentence: int
    end_in_sentence: int
    start: int
    sentence_idx: int
    sentence: str


def article_facts(conn: sqlite3.Connection, article_id: int) -> list[ArticleFact]:
    """Every fact of one article with its sentence, in text order."""
    return [ArticleFact(**r) for r in rows(conn, ARTICLE_FACTS_SQL, {"article_id": article_id})]


# --------------------------------------------------------------------------- search and map

SEARCH_SQL = """
SELECT s.text AS sentence, a.title, a.site, a.url, a.published, s.article_id, s.idx AS sentence_idx
FROM sentences_fts
JOIN sentences s ON s.id = sentences_fts.rowid
JOIN articles a ON a.id = s.article_id
WHERE sentences_fts MATCH vn_fts(:q)
ORDER BY rank
LIMIT 200
"""


def search_sentences(conn: sqlite3.Connection, q: str) -> list[dict[str, Any]]:
    """Sentences containing the phrase ``q``, diacritics-insensitive ("ha nam" finds "Hà Nam")."""
    return list(rows(conn, SEARCH_SQL, {"q": q}))


# One row a gazetteer unit that the articles name, with the gazetteer's
# coordinates under the names datasette-cluster-map looks for, and a popup.
PLACE_MAP_SQL = """
SELECT g.name, g.level, g.kind, g.province, g.province_2025,
       g.lat AS latitude, g.lon AS longitude,
       COUNT(DISTINCT p.article_id) AS articles,
       group_concat(DISTINCT a.title) AS article_titles,
       json_object(
         'title', g.full_name || ', ' || g.province,
         'description', COUNT(DISTINCT p.article_id) || ' bài / articles: ' || group_concat(DISTINCT a.title)
       ) AS popup,
       g.code
FROM places p
JOIN gazetteer_units g ON g.code = p.unit_code
JOIN articles a ON a.id = p.article_id
WHERE g.lat IS NOT NULL
  AND (COALESCE(:province, '') = '' OR vn_fold(g.province) = vn_fold(:province)
       OR vn_fold(g.province_2025) = vn_fold(:province))
GROUP BY g.code
ORDER BY articles DESC, g.province, g.level, g.name
"""


def place_map(conn: sqlite3.Connection, province: str | None = None) -> list[dict[str, Any]]:
    """Named places with their gazetteer coordinates and the number of articles naming them."""
    return list(rows(conn, PLACE_MAP_SQL, {"province": province or ""}))
