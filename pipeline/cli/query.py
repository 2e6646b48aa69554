"""The researchers' and journalists' commands: models, verify, officials, export, serve.

The work is done by ``pipeline.query`` (queries, verify, export, serve); this module
only parses options and prints: Rich tables of what fits the screen by default
(``--limit``, ``--offset`` for the rest, the total always shown), figures in
Vietnamese notation (1.670, 92,6); ``--format csv|json`` prints every row as
plain CSV/JSON on stdout for scripts.  They read the store read-only: a store
that is not there is said so (exit code 3) and nothing is created.
"""

from __future__ import annotations

import csv
import json
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from pydantic import BaseModel
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from pipeline.cli.options import (
    DbOption,
    LimitOption,
    OffsetOption,
    command,
    err,
    fail_line,
    open_readonly,
    out,
)
from pipeline.text import format_number


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
ProvinceOption = Annotated[Optional[str], typer.Option(
    "--province", "-p", help="a province, typed any way (“thanh hoa”); a 2025 one includes those merged into it")]

# exit code of a usage error (as Typer's): an unknown province
_USAGE = 2


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


def _page_size(limit: Optional[int], lines_per_row: int = 1) -> Optional[int]:
    """``--limit`` (0: all), else the rows that fit the terminal (50 when not on one)."""
    if limit is not None:
        return limit or None
    if not out.is_terminal:
        return 50
    return max(5, (out.size.height - 8) // lines_per_row)


def _footer(shown: int, offset: int, total: int, what: str) -> str:
    if total == 0:
        return ""
    if shown >= total and offset == 0:
        return f"[dim]{format_number(total)} {what}[/]"
    first, last = offset + 1, offset + shown
    more = f" — --offset {last} cho trang sau / for the next page" if last < total else ""
    return (f"[dim]{format_number(first)}–{format_number(last)} / {format_number(total)} {what}{more}; "
            f"--limit 0: tất cả / all[/]")


def _province_or_exit(conn, province: Optional[str]) -> Optional[str]:
    """The province as the user typed it, checked: an unknown one stops the command (exit 2)."""
    if not province:
        return None
    from pipeline.query.places import Places, UnknownPlace

    try:
        choice = Places(conn).province(province)
    except UnknownPlace as exc:
        fail_line(f"--province {province}", str(exc))
        raise typer.Exit(_USAGE) from None
    if not choice.units:
        raise typer.Exit(_USAGE)
    return province


# --------------------------------------------------------------------------- models

@command()
def models(
    province: ProvinceOption = None,
    by: Annotated[GroupBy, typer.Option("--by", help="order by province or by model")] = GroupBy.province,
    limit: LimitOption = None,
    offset: OffsetOption = 0,
    db: DbOption = None,
    fmt: FormatOption = OutFormat.table,
) -> None:
    """Which provinces reported which models: count, articles, first and last report date (YYYY-MM-DD).

    Examples:

        vnfacts models
        vnfacts models --province "thanh hoa" --by model
        vnfacts models -p "Ninh Bình" --format csv > ninh-binh.csv
    """
    from pipeline.query.queries import models_by_province

    conn = open_readonly(db)
    _province_or_exit(conn, province)
    reports = models_by_province(conn, province=province, by=by.value)
    if fmt is not OutFormat.table:
        page = reports[offset : None if not limit else offset + limit]
        return _write_json(_dump(page)) if fmt is OutFormat.json else _write_csv(_dump(page))
    size = _page_size(limit)
    page = reports[offset : None if size is None else offset + size]
    first, second = ("province", "model") if by is GroupBy.province else ("model", "province")
    labels = {"province": "tỉnh / province", "model": "mô hình / model"}
    table = Table(title=f"Mô hình theo {'tỉnh' if by is GroupBy.province else 'mô hình'} / models by {by.value}"
                  + (f" — {province}" if province else ""))
    for col in (labels[first], labels[second], "số lượng / count", "bài / articles", "đầu tiên / first",
                "gần nhất / last"):
        table.add_column(col, justify="right" if col.startswith(("số", "bài")) else "left")
    previous = None
    for r in page:
        cells = {"province": r.province or "?", "model": r.model}
        key = cells[first]
        table.add_row("" if key == previous else key, cells[second], _dash(format_number(r.count)),
                      format_number(r.articles), _dash(r.first_reported), _dash(r.last_reported))
        previous = key
    out.print(table)
    if not reports:
        out.print("[yellow]Không có mô hình nào / no model reported" + (f" for {province}" if province else "") + ".[/]")
    else:
        out.print(_footer(len(page), offset, len(reports), "dòng / rows"))
        if any(r.first_reported is None for r in page):
            out.print("[dim]— : không rõ ngày đăng / no publication date known for those articles[/]")


# --------------------------------------------------------------------------- verify

_STATUS_STYLE = {"supported": ("green", "CÓ CĂN CỨ / SUPPORTED"),
                 "partly supported": ("yellow", "CĂN CỨ MỘT PHẦN / PARTLY SUPPORTED"),
                 "no support": ("red", "KHÔNG CÓ CĂN CỨ / NO SUPPORT")}


def _highlighted(rep) -> Text:
    text = Text(rep.sentence)
    text.stylize("bold black on yellow", rep.highlight_start, rep.highlight_end)
    return text


def _source_line(rep) -> str:
    parts = [rep.title or rep.site or f"article {rep.article_id}", rep.site, rep.published or "không rõ ngày / date unknown",
             rep.url]
    return " · ".join(p for p in parts if p)


def _said_by(rep) -> str:
    if rep.speaker is None:
        return "bài không nêu tên cán bộ ở đây / the article names no official here"
    return rep.speaker.describe()


def _place(rep) -> str:
    if not rep.place:
        return "?"
    return rep.place + (" (bài / article)" if rep.place_from == "article" else "")


def _more(n: int, what: str) -> None:
    if n > 0:
        out.print(f"[dim]… {format_number(n)} {what} nữa / more (--limit 0: tất cả / all)[/]")


def _print_verdict(verdict, supports_limit: Optional[int], different_limit: Optional[int]) -> None:
    claim = verdict.claim
    out.print(Text.assemble(("Nhận định / claim: ", "bold"), claim.text))
    if claim.places:
        out.print("nơi / places: " + "; ".join(f"{p.name} ({p.level}: {', '.join(p.provinces)})" for p in claim.places))
    for fv in verdict.figures:
        f = fv.figure
        colour, label = _STATUS_STYLE[fv.status]
        out.print()
        out.print(Text.assemble((f" {label} ", f"bold white on {colour}"), "  ", (f.what, "bold"),
                                (f"  “{f.model}”" if f.model else ""),
                                (f"  = {format_number(f.amount)}" if f.amount != f.value else "")))
        if not fv.supports:
            out.print(f"[{colour}]Không bài báo nào trong kho ủng hộ con số “{f.text}”. "
                      f"No stored article supports “{f.what}”.[/]")
        shown = fv.supports[:supports_limit]
        for rep in shown:
            subtitle = f"{rep.match} match" + (f" — {rep.note}" if rep.note else "")
            body = Text.assemble(_highlighted(rep), "\n", ("Người nêu / said by: ", "bold"), _said_by(rep), "\n",
                                 (_source_line(rep), "dim"),
                                 *(("\n", (rep.place_note, "italic")) if rep.place_note else ()))
            # soft_wrap off: the shared console does not wrap, a panel must
            out.print(Panel(body, title=f"{rep.what} — {_place(rep)}", subtitle=subtitle,
                            title_align="left", subtitle_align="right", border_style=colour), soft_wrap=False)
        _more(len(fv.supports) - len(shown), "bài ủng hộ / supporting reports")
        if fv.different:
            table = Table(title=f"Con số khác cho cùng đối tượng / other figures for “{fv.subject}” — {fv.scope}",
                          show_lines=True)
            for col in ("con số / figure", "ngày / date", "nơi / place", "người nêu / said by", "câu / sentence",
                        "nguồn / source"):
                table.add_column(col)
            rows = fv.different[:different_limit]
            for rep in rows:
                table.add_row(rep.what, rep.published or "—", _place(rep),
                              rep.speaker.describe() if rep.speaker else "—", _highlighted(rep),
                              " · ".join(p for p in (rep.title, rep.site, rep.url) if p))
            out.print(table)
            _more(len(fv.different) - len(rows), "con số khác / other figures")


@command()
def verify(
    claim: Annotated[str, typer.Argument(help="a sentence or figure: “Thanh Hóa có 909 mô hình”, “13/13 khu dân cư”, “92,6%”")],
    province: ProvinceOption = None,
    limit: Annotated[Optional[int], typer.Option(
        "--limit", "-n", min=0, help="supporting reports and other figures to show, each (0: all; default 5 and 10)")] = None,
    db: DbOption = None,
    fmt: FormatOption = OutFormat.table,
) -> None:
    """Check a figure against the stored articles: where, by whom, when, and reports that differ.

    The claim is read without regard to diacritics, case or tone placement;
    "500 triệu đồng" is 500.000.000 đồng; "trên"/"hơn"/"gần"/"khoảng" are matched
    as the articles hedge.  A 2025 province includes the legacy ones merged into it.

    Exit code: 0 if every figure of the claim is found in some article, 1 if one
    is not, 2 if the claim has no figure (or --province is unknown), 3 if there is no store.

    Examples:

        vnfacts verify "Thanh Hoa co 909 mo hinh"
        vnfacts verify "500 triệu đồng" --province "nghe an"
        vnfacts verify "13/13 khu dân cư" --format csv
    """
    from pipeline.query.places import UnknownPlace
    from pipeline.query.verify import add_speakers, verdict_rows
    from pipeline.query.verify import verify as run

    conn = open_readonly(db)
    shown_supports, shown_different = (5, 10) if limit is None else (limit or None, limit or None)
    try:
        # the table shows a few reports of maybe thousands: only those are given their speaker
        verdict = run(conn, claim, province=province, with_speakers=fmt is not OutFormat.table)
    except UnknownPlace as exc:
        fail_line(f"--province {province}", str(exc))
        raise typer.Exit(_USAGE) from None
    if not verdict.figures:
        fail_line(claim, "no figure found (write numbers as in the press: 1.000, 92,6%, 13/13, 500 triệu)")
        raise typer.Exit(2)
    if fmt is OutFormat.json:
        _write_json(verdict.model_dump())
    elif fmt is OutFormat.csv:
        _write_csv(verdict_rows(verdict))
    else:
        add_speakers(conn, [r for fv in verdict.figures
                            for r in (*fv.supports[:shown_supports], *fv.different[:shown_different])])
        _print_verdict(verdict, shown_supports, shown_different)
    raise typer.Exit(0 if verdict.supported else 1)


# --------------------------------------------------------------------------- officials

_MENTIONS_SHOWN = 3


@command()
def officials(
    name: Annotated[Optional[str], typer.Argument(help="part of a name; case and diacritics optional")] = None,
    limit: LimitOption = None,
    offset: OffsetOption = 0,
    db: DbOption = None,
    fmt: FormatOption = OutFormat.table,
) -> None:
    """Each person with the ranks and positions reported, and the articles and dates (YYYY-MM-DD).

    Examples:

        vnfacts officials
        vnfacts officials "le quoc hung"
        vnfacts officials nguyen --limit 20 --offset 20
        vnfacts officials --format csv > officials.csv
    """
    from pipeline.query.queries import officials_page

    conn = open_readonly(db)
    if fmt is not OutFormat.table:
        people, _ = officials_page(conn, name, limit=limit or None, offset=offset)
        if fmt is OutFormat.json:
            return _write_json(_dump(people))
        return _write_csv([{"name": p.name, "person_key": p.person_key, **m.model_dump()}
                           for p in people for m in p.mentions])
    people, total = officials_page(conn, name, limit=_page_size(limit, lines_per_row=_MENTIONS_SHOWN + 1), offset=offset)
    table = Table(title="Cán bộ / officials" + (f" — “{name}”" if name else ""), show_lines=True)
    for col in ("họ tên / name", "cấp hàm / ranks", "chức vụ / positions", "bài / articles"):
        table.add_column(col)
    for p in people:
        lines = [f"{m.published or 'không rõ ngày / date unknown'} · {m.article_title or m.site}"
                 for m in p.mentions[-_MENTIONS_SHOWN:]]
        if len(p.mentions) > _MENTIONS_SHOWN:
            lines.insert(0, f"… {format_number(len(p.mentions) - _MENTIONS_SHOWN)} bài trước / earlier articles")
        table.add_row(p.name, "\n".join(p.ranks) or "—", "\n".join(p.positions) or "—", "\n".join(lines))
    out.print(table)
    if not total:
        out.print("[yellow]Không có cán bộ nào / no official" + (f" named like “{name}”" if name else "") + " in the store.[/]")
    else:
        out.print(_footer(len(people), offset, total, "người / people"))


# --------------------------------------------------------------------------- export

@command()
def export(
    fmt: Annotated[ExportFormat, typer.Option("--format", "-f", help="csv (UTF-8 with a BOM, for Excel), json or parquet")] = ExportFormat.csv,
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="directory to write into")] = Path("export"),
    db: DbOption = None,
) -> None:
    """Write every fact table, joined to its article and sentence, as <table>.<format> files.

    Integers stay integers (12, not 12.0); JSON and Parquet are typed (dates as dates in Parquet).

    Examples:

        vnfacts export --out export/
        vnfacts export --format parquet --out /tmp/vnfacts
    """
    from pipeline.query.export import export as run

    written = run(open_readonly(db), out_dir, fmt.value)
    table = Table(title=f"vnfacts export → {out_dir}")
    table.add_column("table")
    table.add_column("rows", justify="right")
    table.add_column("file")
    for f in written:
        table.add_row(f.table, format_number(f.rows), f.path)
    err.print(table)


# --------------------------------------------------------------------------- serve

@command()
def serve(
    db: DbOption = None,
    port: Annotated[int, typer.Option("--port", help="port (0: any free port)")] = 8001,
    host: Annotated[str, typer.Option("--host", help="address to listen on")] = "127.0.0.1",
    get: Annotated[Optional[str], typer.Option("--get", help="print this path's response and exit (no server)")] = None,
) -> None:
    """Browse the store in Datasette, read-only: a reader page per article, canned queries, search and a map.

    Examples:

        vnfacts serve                      # then open http://127.0.0.1:8001/
        vnfacts serve --db data/vnfacts.db --port 8080
        vnfacts serve --get /vnfacts/articles/1
    """
    from pipeline.cli.options import db_path
    from pipeline.query.serve import main

    extra = ["--get", get] if get else []
    raise typer.Exit(main(db_path(db), host=host, port=port, extra=extra))
