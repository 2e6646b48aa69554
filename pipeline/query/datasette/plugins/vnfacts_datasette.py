"""Datasette plugin for the vnfacts store (loaded by ``vnfacts serve`` with --plugins-dir).

* ``prepare_connection``: the ``vn_*`` SQL functions and ``vnfacts_verify``
  (``pipeline.query.register_functions``) on every connection, so canned
  queries run the same code as the command line;
* ``render_cell``: the figure that a canned query marks with ⟦ ⟧ in its
  sentence is shown highlighted (<mark>); the relation of a verify row is coloured;
* ``extra_js_urls`` / ``extra_body_script``: datasette-cluster-map draws maps on
  tables only; the ``place_map`` canned query has latitude/longitude columns
  too, so it gets the same map;
* ``startup``: load the gazetteer and lexicon once, before the first request
  (the verify query would otherwise pay for it and could hit the time limit).
"""

from __future__ import annotations

import re

from datasette import hookimpl
from markupsafe import Markup, escape

MAP_QUERIES = frozenset({"place_map"})
_MARKED = re.compile(r"⟦(.*?)⟧", re.S)
_RELATION_COLOURS = {"supports": "#1a7f37", "different figure": "#b35900", "no support": "#c62828"}


@hookimpl
def prepare_connection(conn):
    from pipeline.query.queries import register_functions

    register_functions(conn)


@hookimpl
def startup(datasette):
    def warm() -> None:
        from gazetteer import get_gazetteer
        from gazetteer.lexicon import get_lexicon

        get_gazetteer()
        get_lexicon()
        import pipeline.query.verify  # noqa: F401

    return warm


@hookimpl
def render_cell(value, column):
    if isinstance(value, str) and "⟦" in value:
        parts = []
        last = 0
        for m in _MARKED.finditer(value):
            parts.append(escape(value[last : m.start()]))
            parts.append(Markup('<mark class="vnfacts-figure">') + escape(m.group(1)) + Markup("</mark>"))
            last = m.end()
        parts.append(escape(value[last:]))
        return Markup("").join(parts)
    if column == "relation" and value in _RELATION_COLOURS:
        return Markup('<strong class="vnfacts-relation" style="color:{}">{}</strong>').format(
            _RELATION_COLOURS[value], value)
    return None


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
