"""Datasette plugin for the vnfacts store (loaded by ``vnfacts serve`` with --plugins-dir).

* ``register_routes``: the reader, one page per article (``/DB/articles/ID``, where
  Datasette's own links to an article row lead): its text with every fact
  highlighted and linked, and the facts listed by kind (``pipeline.query.reader``);
* ``prepare_connection``: the ``vn_*`` SQL functions and ``vnfacts_verify``
  (``pipeline.query.register_functions``) on every connection, so canned
  queries run the same code as the command line; and a search box that cannot
  break FTS5 (``escape_fts`` replaced: a ``"`` is a character like another);
* ``render_cell``: from every fact row and canned-query row a link to its
  sentence in its article; the figure a query marks with ⟦ ⟧ highlighted;
  figures in Vietnamese notation (1.120, 92,6); an article's text as a short
  preview (the reader has it whole);
* ``extra_template_vars``: the Vietnamese column labels (``labels.yml``) for the
  templates in ``../templates`` (Datasette 0.65 has no translations);
* ``extra_js_urls`` / ``extra_body_script``: datasette-cluster-map draws maps on
  tables only; the ``place_map`` canned query has latitude/longitude columns
  too, so it gets the same map.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from datasette import hookimpl
from datasette.utils.asgi import NotFound, Response
from markupsafe import Markup, escape

MAP_QUERIES = frozenset({"place_map"})
FACT_TABLES = frozenset({"models", "counts", "officials", "places", "dates"})
_MARKED = re.compile(r"⟦(.*?)⟧", re.S)
_RELATION_COLOURS = {"supports": "#1a7f37", "different figure": "#b35900", "no support": "#c62828"}
_RELATION_LABELS = {"supports": "ủng hộ / supports", "different figure": "con số khác / different figure",
                    "no support": "không có căn cứ / no support"}
_FIGURE_COLUMNS = frozenset({"value", "denominator", "count", "articles"})
LABELS_FILE = Path(__file__).resolve().parent.parent / "labels.yml"


# --------------------------------------------------------------------------- connections

def _escape_fts(query: str | None) -> str:
    """Every word a quoted term (all must be there); a stray quote cannot break the syntax;
    nothing left to search matches nothing."""
    words = (query or "").replace('"', " ").split()
    return " ".join(f'"{w}"' for w in words) or '""'


# trylast: after Datasette's own functions, so that its ``escape_fts`` is replaced
@hookimpl(trylast=True)
def prepare_connection(conn):
    from pipeline.query.queries import register_functions

    register_functions(conn)
    conn.create_function("escape_fts", 1, _escape_fts)


@hookimpl
def startup(datasette):
    def warm() -> None:
        from gazetteer.lexicon import get_lexicon

        get_lexicon()
        import pipeline.query.verify  # noqa: F401

    return warm


# --------------------------------------------------------------------------- labels

@cache
def _labels() -> dict[str, dict[str, str]]:
    import yaml

    return yaml.safe_load(LABELS_FILE.read_text("utf-8"))


def label(column: str, table: str | None = None) -> str:
    """The Vietnamese label of a column (the column's name when there is none)."""
    labels = _labels()
    return (labels.get(table or "", {}) or {}).get(column) or labels["_default"].get(column) or column


# Datasette's filter operators, as the filter form shows them
_OPERATORS = {"in": "thuộc", "not in": "không thuộc", "contains": "chứa", "ends with": "kết thúc bằng",
              "starts with": "bắt đầu bằng", "like": "giống (like)", "not like": "không giống", "glob": "glob",
              "array contains": "mảng chứa", "array does not contain": "mảng không chứa", "date": "ngày",
              "is null": "trống (null)", "is not null": "không trống", "is blank": "rỗng", "is not blank": "không rỗng"}


@hookimpl
def extra_template_vars(template, database, table, view_name, request, datasette):
    canned = (request.url_vars or {}).get("table") if request is not None and view_name not in ("table",) else None
    where = table or canned

    def title(name: str) -> str:
        return (datasette.metadata("title", database=database, table=name, fallback=False) or name) if database else name

    return {"vn_label": lambda column: label(column, where), "vn_op": lambda op: _OPERATORS.get(op, op),
            "vn_title": title}


@hookimpl
def extra_css_urls(template, database, table, columns, view_name, request, datasette):
    return ["/vnfacts-static/vnfacts.css"]


# --------------------------------------------------------------------------- cells

def _reader(database: str, article_id, anchor: str = "") -> str:
    if isinstance(article_id, dict):   # a table page expands foreign keys: {"value": 1, "label": …}
        article_id = article_id["value"]
    return f"/{database}/articles/{int(article_id)}" + (f"#{anchor}" if anchor else "")


def _link(href: str, text) -> Markup:
    return Markup('<a class="vnfacts-reader" href="{}">{}</a>').format(href, text)


def _marked(value: str) -> Markup:
    parts, last = [], 0
    for m in _MARKED.finditer(value):
        parts.append(escape(value[last : m.start()]))
        parts.append(Markup('<mark class="vnfacts-figure">') + escape(m.group(1)) + Markup("</mark>"))
        last = m.end()
    parts.append(escape(value[last:]))
    return Markup("").join(parts)


def _get(row, column: str):
    try:
        return row[column]
    except (IndexError, KeyError):
        return None


def _sentence_anchor(row) -> str | None:
    """Where a row's sentence is in its article: a fact's mark, else the sentence."""
    for column in ("count_id", "fact_id"):
        if _get(row, column) is not None:
            return f"f{_get(row, column)}"
    if _get(row, "sentence_idx") is not None:
        return f"s{_get(row, 'sentence_idx')}"
    return None


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    from pipeline.text import format_number

    keys = row.keys() if hasattr(row, "keys") else ()
    if table in FACT_TABLES and column in ("evidence", "sentence_id") and "article_id" in keys:
        text = value if column == "evidence" else f"câu / sentence {value}"
        return _link(_reader(database, row["article_id"], f"f{row['id']}"), text)
    if table == "sentences" and column == "text":
        return _link(_reader(database, row["article_id"], f"s{row['idx']}"), value)
    if table == "articles" and column == "text" and isinstance(value, str):
        preview = value[:240] + ("…" if len(value) > 240 else "")
        return _link(_reader(database, row["id"]), preview)
    if table == "articles" and column == "title" and value:
        return _link(_reader(database, row["id"]), value)
    if table is None and "article_id" in keys and _get(row, "article_id") is not None:
        # a canned query's row: its sentence (or a link column) leads to the reader
        anchor = _sentence_anchor(row)
        if column == "sentence" and isinstance(value, str):
            return _link(_reader(database, row["article_id"], anchor or ""), _marked(value) if "⟦" in value else value)
        if column == "article_id":
            return _link(_reader(database, value), f"bài / article {value}")
    if table is None and column == "latest_fact_id" and value is not None and _get(row, "latest_article_id") is not None:
        return _link(_reader(database, row["latest_article_id"], f"f{value}"), "câu gần nhất / latest sentence")
    if table is None and column == "latest_article_id" and value is not None:
        return _link(_reader(database, value), f"bài / article {value}")
    if table is None and column == "fact_id" and value is not None and _get(row, "article_id") is not None:
        return _link(_reader(database, row["article_id"], f"f{value}"), "câu / sentence")
    if isinstance(value, str) and "⟦" in value:
        return _marked(value)
    if column == "relation" and value in _RELATION_COLOURS:
        return Markup('<strong class="vnfacts-relation" style="color:{}">{}</strong>').format(
            _RELATION_COLOURS[value], _RELATION_LABELS[value])
    if column == "popup" and isinstance(value, str) and value.startswith("{"):
        import json

        try:
            popup = json.loads(value)
        except ValueError:
            return None
        return Markup("<strong>{}</strong> — {}").format(popup.get("title", ""), popup.get("description", ""))
    if column in _FIGURE_COLUMNS and isinstance(value, (int, float)) and not isinstance(value, bool):
        return format_number(value)
    return None


# --------------------------------------------------------------------------- the reader

_ARTICLE_SQL = ("SELECT id, key, doc, url, site, title, published, main_province, source_format, encoding, "
                "ingested_at, text FROM articles WHERE id = ?")


async def article_page(datasette, request):
    from pipeline.query.queries import ARTICLE_FACTS_SQL
    from pipeline.query.reader import Fact, article_html, facts_by_kind

    name = request.url_vars["database"]
    try:
        db = datasette.get_database(name)
    except KeyError:
        raise NotFound(f"Không có kho dữ liệu “{name}” / no database {name}") from None
    article_id = int(request.url_vars["id"])
    article = (await db.execute(_ARTICLE_SQL, [article_id])).first()
    if article is None:
        raise NotFound(f"Không có bài số {article_id} / no article {article_id}")
    sentences = [(r["idx"], r["start"], r["end"]) for r in await db.execute(
        "SELECT idx, start, [end] FROM sentences WHERE article_id = ? ORDER BY idx", [article_id])]
    facts = [Fact(kind=r["kind"], fact_id=r["fact_id"], start=r["start"], end=r["end"], summary=r["fact"] or r["evidence"],
                  sentence_idx=r["sentence_idx"], evidence=r["evidence"], version=r["version"])
             for r in await db.execute(ARTICLE_FACTS_SQL, {"article_id": article_id})]
    text = article["text"] or ""
    context = {
        "database": name, "article": dict(article), "text_html": article_html(text, sentences, facts),
        "kinds": facts_by_kind(facts), "facts_total": len(facts), "sentences_total": len(sentences),
        "vn_label": label,
    }
    html = await datasette.render_template("vnfacts_article.html", context, request=request)
    return Response.html(html)


@hookimpl
def register_routes():
    # before Datasette's row page of ``articles``: the links Datasette makes to an article lead here
    return [(r"^/(?P<database>[^/.]+)/articles/(?P<id>-?\d+)$", article_page)]


# --------------------------------------------------------------------------- the map

def _map_query(request, view_name) -> str | None:
    """The canned map query this page shows, if any."""
    if view_name in ("database", "table") or request is None:
        return None
    name = (request.url_vars or {}).get("table")
    return name if name in MAP_QUERIES else None


@hookimpl
def extra_js_urls(template, database, table, columns, view_name, request, datasette):
    query = _map_query(request, view_name)
    if not query:
        return []
    import datasette_cluster_map as cm

    return cm.extra_js_urls(database, query, columns, "table", datasette)


@hookimpl
def extra_body_script(template, database, table, columns, view_name, request, datasette):
    query = _map_query(request, view_name)
    if not query:
        return None
    import datasette_cluster_map as cm

    return cm.extra_body_script(database, query, columns, "table", datasette)
