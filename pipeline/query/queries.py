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
  ``vn_provinces(text)`` the legacy provinces a province typed any way stands for, as a JSON
                         array ("ninh binh": Hà Nam, Nam Định, Ninh Bình — its 2025 extent)
  ``vnfacts_verify(claim)``  the rows of ``pipeline.verify`` for a claim, as JSON
  ``vn_list(text)``      aggregate: the distinct values, in order, joined by " · " (text, not JSON)
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
    "connect", "NoStore", "register_functions", "rows", "as_number", "fts_query",
    "ModelReport", "models_by_province", "OfficialMention", "Official", "officials", "officials_page",
    "ArticleFact", "article_facts", "search_sentences", "place_map",
    "MODELS_SQL", "OFFICIALS_SQL", "ARTICLE_FACTS_SQL", "PLACE_MAP_SQL", "SEARCH_SQL",
]


# --------------------------------------------------------------------------- connection

class NoStore(FileNotFoundError):
    """There is no vnfacts store at a path (nothing was created there)."""


def connect(db: Path | str, *, functions: bool = True) -> sqlite3.Connection:
    """Open the store read-only (a query can never change it, nor create a file) with our SQL functions."""
    path = Path(db)
    if not path.is_file():
        raise NoStore(f"no store here (build one with `vnfacts ingest PATH --db {path}`)")
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False)
    try:
        found = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'articles'").fetchone()
    except sqlite3.DatabaseError:
        found = None
    if not found:
        conn.close()
        raise NoStore("not a vnfacts store (no articles table)")
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


def fts_query(text: str) -> str:
    """A safe FTS5 query: the words as one quoted phrase.  User input cannot break the
    FTS5 syntax (a stray '"' is a character like any other), and "thanh hoa" finds the
    place, not every sentence with "thanh" and "hòa" somewhere."""
    return '"' + " ".join(text.replace('"', " ").split()) + '"'


class _List:
    """``vn_list``: distinct non-empty values in order of appearance, joined by " · "."""

    def __init__(self) -> None:
        self.seen: dict[str, str] = {}

    def step(self, value) -> None:
        if value is not None and str(value).strip():
            self.seen.setdefault(fold(str(value)), str(value))

    def finalize(self) -> str | None:
        return " · ".join(self.seen.values()) or None


def register_functions(conn: sqlite3.Connection) -> None:
    """Add the ``vn_*`` SQL functions to a connection (idempotent)."""
    conn.create_function("vn_fold", 1, _null_safe(fold), deterministic=True)
    conn.create_function("vn_ascii", 1, _null_safe(ascii_fold), deterministic=True)
    conn.create_function("vn_number", 1, _null_safe(_first_number), deterministic=True)
    conn.create_function("vn_fts", 1, _null_safe(fts_query), deterministic=True)
    conn.create_aggregate("vn_list", 1, _List)
    places = None

    def provinces_json(text: str | None) -> str:
        nonlocal places
        from pipeline.query.places import Places, UnknownPlace

        if not text or not text.strip():
            return "[]"
        places = places or Places(conn)
        try:
            return json.dumps(list(places.province(text).legacy), ensure_ascii=False)
        except UnknownPlace:
            return "[]"

    conn.create_function("vn_provinces", 1, provinces_json)

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
# (``model_reports``, see pipeline/store/migrations.py), so this reads a few thousand rows.
# ``:province`` is typed any way ("thanh hoa"); a 2025 province stands for the
# legacy ones it took in ("Ninh Bình" includes Hà Nam).  ``latest_fact_id``: the
# model fact of the latest report, the reader's way to its sentence.
MODELS_SQL = """
SELECT r.province, r.province_2025, cm.name AS model, r.canonical,
       CASE WHEN r.count = CAST(r.count AS INTEGER) THEN CAST(r.count AS INTEGER) ELSE r.count END AS count,
       r.articles, r.first_reported, r.last_reported,
       lm.article_id AS latest_article_id, lm.id AS latest_fact_id
FROM model_reports r
JOIN canonical_models cm ON cm.key = r.canonical
LEFT JOIN models lm ON lm.id = (
  SELECT m.id FROM models m WHERE m.province IS r.province AND m.canonical = r.canonical
  ORDER BY m.published DESC, m.article_id DESC LIMIT 1)  -- NULLs sort last: index models_latest
WHERE COALESCE(:province, '') = '' OR r.province IN (SELECT value FROM json_each(vn_provinces(:province)))
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
    latest_article_id: int | None = None
    latest_fact_id: int | None = None


def models_by_province(conn: sqlite3.Connection, province: str | None = None,
                       by: Literal["province", "model"] = "province") -> list[ModelReport]:
    """Which provinces reported which models, with the latest count given and the report dates.

    ``province`` is read without regard to case, diacritics or tone placement; a
    2025 province includes the legacy ones merged into it.  An unknown province
    gives no rows (:class:`pipeline.query.places.Places` says which are close).
    """
    params = {"province": province or "", "by": by}
    out = []
    for row in rows(conn, MODELS_SQL, params):
        row["count"] = as_number(row["count"])
        out.append(ModelReport(**row))
    return out


# --------------------------------------------------------------------------- officials

_MENTION_COLUMNS = """o.id AS fact_id, o.person_key, COALESCE(p.name, o.name) AS name, o.rank, o.title,
       a.id AS article_id, a.title AS article_title, a.site, a.url, a.published,
       o.evidence, s.idx AS sentence_idx, s.text AS sentence"""

OFFICIAL_MENTIONS_SQL = f"""
SELECT {_MENTION_COLUMNS}
FROM officials o
JOIN articles a ON a.id = o.article_id
JOIN sentences s ON s.id = o.sentence_id
LEFT JOIN people p ON p.key = o.person_key
WHERE COALESCE(:name, '') = '' OR instr(vn_ascii(o.name), vn_ascii(:name)) > 0
ORDER BY vn_ascii(COALESCE(p.name, o.name)), a.published IS NULL, a.published, a.id, o.start
"""

# The same, one row a person, for Datasette: ranks and positions as text, and the
# person's latest mention (``fact_id``), the reader's way to its sentence.
OFFICIALS_SQL = """
SELECT COALESCE(p.name, o.name) AS name,
       vn_list(o.rank) AS ranks,
       vn_list(o.title) AS positions,
       COUNT(DISTINCT a.id) AS articles,
       vn_list(a.title) AS article_titles,
       MIN(a.published) AS first_reported,
       MAX(a.published) AS last_reported,
       o.person_key,
       (SELECT x.article_id FROM officials x JOIN articles xa ON xa.id = x.article_id WHERE x.person_key = o.person_key
        ORDER BY xa.published IS NULL, xa.published DESC, x.article_id DESC LIMIT 1) AS latest_article_id,
       (SELECT x.id FROM officials x JOIN articles xa ON xa.id = x.article_id WHERE x.person_key = o.person_key
        ORDER BY xa.published IS NULL, xa.published DESC, x.article_id DESC, x.start LIMIT 1) AS latest_fact_id
FROM officials o
JOIN articles a ON a.id = o.article_id
LEFT JOIN people p ON p.key = o.person_key
WHERE COALESCE(:name, '') = '' OR instr(vn_ascii(o.name), vn_ascii(:name)) > 0
GROUP BY o.person_key
ORDER BY vn_ascii(COALESCE(p.name, o.name))
"""


class OfficialMention(BaseModel):
    """One article naming the person, with the rank and position it gives."""

    fact_id: int | None = None
    rank: str | None
    title: str | None
    article_id: int
    article_title: str | None
    site: str | None
    url: str | None
    published: str | None
    evidence: str
    sentence_idx: int | None = None
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


def officials_page(conn: sqlite3.Connection, name: str | None = None, limit: int | None = None,
                   offset: int = 0) -> tuple[list[Official], int]:
    """A page of :func:`officials` and the number of people in all: the people are
    chosen and ordered first (one row each), then only the page's mentions are read."""
    people = conn.execute("SELECT DISTINCT o.person_key, COALESCE(p.name, o.name) FROM officials o "
                          "LEFT JOIN people p ON p.key = o.person_key "
                          "WHERE COALESCE(:name, '') = '' OR instr(vn_ascii(o.name), vn_ascii(:name)) > 0",
                          {"name": name or ""}).fetchall()
    names: dict[str, str] = {}
    for key, person in people:
        names.setdefault(key, person)
    order = sorted(names, key=lambda k: (ascii_fold(names[k]), k))
    page = order[offset : None if limit is None else offset + limit]
    if not page:
        return [], len(order)
    found: dict[str, Official] = {k: Official(person_key=k, name=names[k], ranks=[], positions=[], mentions=[])
                                  for k in page}
    sql = (f"SELECT {_MENTION_COLUMNS} FROM officials o JOIN articles a ON a.id = o.article_id "
           f"JOIN sentences s ON s.id = o.sentence_id LEFT JOIN people p ON p.key = o.person_key "
           f"WHERE o.person_key IN ({','.join('?' * len(page))}) "
           f"ORDER BY a.published IS NULL, a.published, a.id, o.start")
    for row in rows(conn, sql, page):
        found[row["person_key"]].mentions.append(OfficialMention(**{k: row[k] for k in OfficialMention.model_fields}))
    for person in found.values():
        person.ranks = _distinct(m.rank for m in person.mentions)
        person.positions = _distinct(m.title for m in person.mentions)
    return list(found.values()), len(order)


def officials(conn: sqlite3.Connection, name: str | None = None) -> list[Official]:
    """Each person with the ranks and positions reported, and the articles that report them.

    ``name`` matches part of the name, without regard to case or diacritics
    ("tran huu" finds "Trần Hữu Phương").
    """
    return officials_page(conn, name)[0]


# --------------------------------------------------------------------------- one article's facts

def _fact_select(kind: str, what: str) -> str:
    return (f"SELECT '{kind}' AS kind, f.id AS fact_id, {what} AS fact, f.evidence, "
            f"f.start - s.start AS start_in_sentence, f.end - s.start AS end_in_sentence, f.start AS start, "
            f"f.end AS end, s.idx AS sentence_idx, s.text AS sentence, f.article_id, f.version "
            f"FROM {kind} f JOIN sentences s ON s.id = f.sentence_id WHERE f.article_id = :article_id")


ARTICLE_FACTS_SQL = "\nUNION ALL\n".join([
    _fact_select("models", "f.name || COALESCE(' — ' || f.place, '') || COALESCE(' (' || CAST(f.count AS INTEGER) || ')', '')"),
    _fact_select("counts", "CASE WHEN f.unit = '%' THEN f.figure ELSE f.figure || ' ' || f.unit END"),
    _fact_select("officials", "COALESCE(f.rank || ' ', '') || f.name || COALESCE(', ' || f.title, '')"),
    _fact_select("places", "f.name || ' (' || f.level || COALESCE(', ' || f.province, '') || ')'"),
    _fact_select("dates", "f.value"),
]) + "\nORDER BY start, kind, fact_id"


class ArticleFact(BaseModel):
    kind: str
    fact_id: int
    fact: str | None
    evidence: str
    start_in_sentence: int
    end_in_sentence: int
    start: int
    end: int
    sentence_idx: int
    sentence: str
    article_id: int
    version: str | None = None


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
# coordinates under the names datasette-cluster-map looks for, a popup (title,
# description, link to an article naming the place) and one of its place facts
# (``fact_id``), the reader's way to a sentence naming it.
PLACE_MAP_SQL = """
WITH named AS (
  SELECT g.code, g.name, g.level, g.kind, g.province, g.province_2025, g.full_name,
         g.lat AS latitude, g.lon AS longitude,
         COUNT(DISTINCT p.article_id) AS articles, vn_list(a.title) AS article_titles, MIN(p.id) AS fact_id
  FROM places p
  JOIN gazetteer_units g ON g.code = p.unit_code
  JOIN articles a ON a.id = p.article_id
  WHERE g.lat IS NOT NULL
    AND (COALESCE(:province, '') = '' OR g.province IN (SELECT value FROM json_each(vn_provinces(:province))))
  GROUP BY g.code
)
SELECT n.name, n.level, n.kind, n.province, n.province_2025, n.latitude, n.longitude, n.articles,
       n.article_titles,
       json_object('title', n.full_name || ', ' || n.province,
                   'description', n.articles || ' bài / articles: ' || n.article_titles,
                   'link', 'articles/' || f.article_id || '#f' || n.fact_id) AS popup,
       n.code, f.article_id, n.fact_id
FROM named n JOIN places f ON f.id = n.fact_id
ORDER BY n.articles DESC, n.province, n.level, n.name
"""


def place_map(conn: sqlite3.Connection, province: str | None = None) -> list[dict[str, Any]]:
    """Named places with their gazetteer coordinates and the number of articles naming them."""
    return list(rows(conn, PLACE_MAP_SQL, {"province": province or ""}))
