"""The researchers' and journalists' commands: models, verify, officials, export, serve.

The work is done by ``pipeline.query`` (queries, verify, export, serve); this module
only parses options and prints: Rich tables by default, ``--format csv|json``
plain CSV/JSON on stdout for scripts.
"""

from __future__ import annotations

import csv
import json
import sqlite3
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from pydantic import BaseModel
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from pipeline.cli.options import DbOption, command, err, out


class OutFormat(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"


class ExportFormat(str, Enum):
    csv = "csv"
    json = "json"
    parquet = "parquet"


class GroupBy(str, Enum):
    province = "province"
    model = "model"


FormatOption = Annotated[OutFormat, typer.Option("--format", "-f", help="table (Rich), csv or json on stdout")]


def _open(db: Optional[Path]) -> sqlite3.Connection:
    from pipeline.query.queries import connect
    from pipeline.store import default_db_path

    path = db or default_db_path()
    try:
        return connect(path)
    except FileNotFoundError as exc:
        print(f"vnfacts: {path}: {exc}", file=sys.stderr)
        raise typer.Exit(1) from None


def _dump(items: list[Any]) -> list[Any]:
    return [i.model_dump() if isinstance(i, BaseModel) else i for i in items]


def _write_csv(rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    writer = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: json.dumps(v, ensure_ascii=False) if isinstance(v, (list, dict)) else v
                         for k, v in row.items()})


def _write_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def _dash(value: Any) -> str:
    return "—" if value is None or value == "" else str(value)


# --------------------------------------------------------------------------- models

@command()
def models(
    province: Annotated[Optional[str], typer.Option("--province", "-p", help="only this province (as reported, or its 2025 successor)")] = None,
    by: Annotated[GroupBy, typer.Option("--by", help="order by province or by model")] = GroupBy.province,
    db: DbOption = None,
    fmt: FormatOption = OutFormat.table,
) -> None:
    """Which provinces reported which models: count, articles, first and last report date."""
    from pipeline.query.queries import models_by_province

    reports = models_by_province(_open(db), province=province, by=by.value)
    if fmt is OutFormat.json:
        return _write_json(_dump(reports))
    if fmt is OutFormat.csv:
        return _write_csv(_dump(reports))
    first, second = ("province", "model") if by is GroupBy.province else ("model", "province")
    table = Table(title=f"Mô hình theo {'tỉnh' if by is GroupBy.province else 'mô hình'} / models by {by.value}"
                  + (f" — {province}" if province else ""))
    for col in (first, second, "count", "articles", "first reported", "last reported"):
        table.add_column(col, justify="right" if col in ("count", "articles") else "left")
    previous = None
    for r in reports:
        cells = {"province": r.province or "?", "model": r.model}
        key = cells[first]
        table.add_row("" if key == previous else key, cells[second], _dash(r.count), str(r.articles),
                      _dash(r.first_reported), _dash(r.last_reported))
        previous = key
    out.print(table)
    if not reports:
        out.print("[yellow]No model reported" + (f" for {province}" if province else "") + ".[/]")
    elif any(r.first_reported is None for r in reports):
        out.print("[dim]— : no publication date known for those articles[/]")


# --------------------------------------------------------------------------- verify

_STATUS_STYLE = {"supported": ("green", "CÓ CĂN CỨ / SUPPORTED"),
                 "partly supported": ("yellow", "CĂN CỨ MỘT PHẦN / PARTLY SUPPORTED"),
                 "no support": ("red", "KHÔNG CÓ CĂN CỨ / NO SUPPORT")}


def _highlighted(rep) -> Text:
    text = Text(rep.sentence)
    text.stylize("bold black on yellow", rep.highlight_start, rep.highlight_end)
    return text


def _source_line(rep) -> str:
    parts = [rep.title or rep.site or f"article {rep.article_id}", rep.site, rep.url, rep.published or "date unknown"]
    return " · ".join(p for p in parts if p)


def _place(rep) -> str:
    if not rep.place:
        return "?"
    return rep.place + (" (article)" if rep.place_from == "article" else "")


def _print_verdict(verdict) -> None:
    claim = verdict.claim
    out.print(Text.assemble(("Claim: ", "bold"), claim.text))
    if claim.places:
        out.print("places: " + ", ".join(f"{p.name} ({p.level}; {', '.join(p.provinces)})" for p in claim.places))
    for fv in verdict.figures:
        f = fv.figure
        colour, label = _STATUS_STYLE[fv.status]
        noun = f.noun if f.percent else f.unit
        out.print()
        out.print(Text.assemble((f" {label} ", f"bold white on {colour}"), "  ", (f"{f.text} {noun}".strip(), "bold"),
                                (f"  “{f.model}”" if f.model else "")))
        if not fv.supports:
            out.print(f"[{colour}]Không bài báo nào trong kho ủng hộ con số “{f.text}”. "
                      f"No stored article supports “{f.text}{(' ' + noun) if noun else ''}”.[/]")
        for rep in fv.supports:
            subtitle = f"{rep.match} match" + (f" — {rep.note}" if rep.note else "")
            body = Text.assemble(_highlighted(rep), "\n", (_source_line(rep), "dim"))
            # soft_wrap off: the shared console does not wrap, a panel must
            what = rep.figure if rep.unit == "%" else f"{rep.figure} {rep.unit}"
            out.print(Panel(body, title=f"{what} — {_place(rep)}", subtitle=subtitle,
                            title_align="left", subtitle_align="right", border_style=colour), soft_wrap=False)
        if fv.different:
            table = Table(title=f"Con số khác cho cùng đối tượng / different figures for the same subject — {fv.scope}",
                          show_lines=True)
            for col in ("figure", "place", "sentence", "source"):
                table.add_column(col)
            for rep in fv.different:
                table.add_row(f"{rep.figure} {rep.unit}", _place(rep), _highlighted(rep), _source_line(rep))
            out.print(table)


@command()
def verify(
    claim: Annotated[str, typer.Argument(help="a sentence or figure: “Thanh Hóa có 909 mô hình”, “13/13 khu dân cư”, “92,6%”")],
    db: DbOption = None,
    fmt: FormatOption = OutFormat.table,
) -> None:
    """Check a figure against the stored articles: its sources, and reports that differ.

    Exit code: 0 if every figure of the claim is found in some article, 1 if one
    is not, 2 if the claim has no figure.
    """
    from pipeline.query.verify import verdict_rows
    from pipeline.query.verify import verify as run

    verdict = run(_open(db), claim)
    if not verdict.figures:
        print(f"vnfacts: no figure found in “{claim}” (write numbers as in the press: 1.000, 92,6%, 13/13)",
              file=sys.stderr)
        raise typer.Exit(2)
    if fmt is OutFormat.json:
        _write_json(verdict.model_dump())
    elif fmt is OutFormat.csv:
        _write_csv(verdict_rows(verdict))
    else:
        _print_verdict(verdict)
    raise typer.Exit(0 if verdict.supported else 1)


# --------------------------------------------------------------------------- officials

@command()
def officials(
    name: Annotated[Optional[str], typer.Argument(help="part of a name; case and diacritics optional")] = None,
    db: DbOption = None,
    fmt: FormatOption = OutFormat.table,
) -> None:
    """Each person with the ranks and positions reported, and the articles and dates."""
    from pipeline.query.queries import officials as find

    people = find(_open(db), name)
    if fmt is OutFormat.json:
        return _write_json(_dump(people))
    if fmt is OutFormat.csv:
        rows = [{"name": p.name, "person_key": p.person_key, **m.model_dump()} for p in people for m in p.mentions]
        return _write_csv(rows)
    table = Table(title="Cán bộ / officials" + (f" — “{name}”" if name else ""), show_lines=True)
    for col in ("name", "ranks", "positions", "articles"):
        table.add_column(col)
    for p in people:
        articles = "\n".join(f"{m.published or 'date unknown'} · {m.article_title or m.site}" for m in p.mentions)
        table.add_row(p.name, "\n".join(p.ranks) or "—", "\n".join(p.positions) or "—", articles)
    out.print(table)
    if not people:
        out.print("[yellow]No official" + (f" named like “{name}”" if name else "") + " in the store.[/]")


# --------------------------------------------------------------------------- export

@command()
def export(
    fmt: Annotated[ExportFormat, typer.Option("--format", "-f", help="csv, json or parquet")] = ExportFormat.csv,
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="directory to write into")] = Path("export"),
    db: DbOption = None,
) -> None:
    """Write every fact table, joined to its article and sentence, as <table>.<format> files."""
    from pipeline.query.export import export as run

    written = run(_open(db), out_dir, fmt.value)
    table = Table(title=f"vnfacts export → {out_dir}")
    table.add_column("table")
    table.add_column("rows", justify="right")
    table.add_column("file")
    for f in written:
        table.add_row(f.table, str(f.rows), f.path)
    err.print(table)


# --------------------------------------------------------------------------- serve

@command()
def serve(
    db: DbOption = None,
    port: Annotated[int, typer.Option("--port", help="port (0: any free port)")] = 8001,
    host: Annotated[str, typer.Option("--host", help="address to listen on")] = "127.0.0.1",
    get: Annotated[Optional[str], typer.Option("--get", help="print this path's response and exit (no server)")] = None,
) -> None:
    """Browse the store in Datasette, read-only, with canned queries, search and a map."""
    from pipeline.query.serve import main
    from pipeline.store import default_db_path

    extra = ["--get", get] if get else []
    raise typer.Exit(main(db or default_db_path(), host=host, port=port, extra=extra))
