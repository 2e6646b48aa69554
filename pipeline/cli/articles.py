"""``vnfacts extract``, ``ingest`` and ``eval``: articles from files, through the trip."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

from pipeline.cli.options import DbOption, command, out


@command()
def extract(
    paths: Annotated[list[Path], typer.Argument(help="article files (.txt or .html) or directories")],
) -> None:
    """Print one JSON line of facts per input, in the ANNOTATION.md format.

    A failed input gets one line on stderr instead (vnfacts: PATH: reason); exit code 1 if any failed.
    Dates in the output are ISO (YYYY-MM-DD).

    Examples:

        vnfacts extract corpus/articles/002_0b031385d2167ee9.txt
        vnfacts extract saved-pages/ > facts.jsonl
    """
    from pipeline.trip import Trip

    trip = Trip()
    for _, outcome in trip.run_paths(paths):
        if outcome.ok:
            sys.stdout.write(json.dumps(outcome.facts.annotation(), ensure_ascii=False) + "\n")
            sys.stdout.flush()
    raise typer.Exit(1 if trip.failed or trip.problems else 0)


@command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="article files or directories")],
    db: DbOption = None,
) -> None:
    """Store articles and their facts in the SQLite store (created if it is not there).

    Folders are walked with their subfolders (.txt, .html, .htm, .xhtml, no extension).  A failed
    input is kept in the failures table with its bytes and reason; exit code 1 if any failed.

    Examples:

        vnfacts ingest corpus/articles
        vnfacts ingest saved-pages/ --db data/nghe-an.db
    """
    from pipeline.store import Store
    from pipeline.trip import Trip

    store = Store(db)
    summary = Trip(store)
    for _ in summary.run_paths(paths):
        pass
    table = Table(title=f"vnfacts store: {store.path}", show_header=True)
    table.add_column("what")
    table.add_column("this run", justify="right")
    table.add_column("in store", justify="right")
    totals = store.counts_by_table()
    table.add_row("articles", str(summary.ok), str(totals["articles"]))
    for kind, n in summary.facts.items():
        table.add_row(kind, str(n), str(totals[kind]))
    table.add_row("failed inputs", str(summary.failed), str(totals["failures"]))
    out.print(table)
    _print_highlights(store)
    store.close()
    raise typer.Exit(1 if summary.failed or summary.problems else 0)


def _print_highlights(store) -> None:
    rows = store.db.execute(
        "SELECT COALESCE(a.main_province, '?'), COUNT(DISTINCT m.canonical), COUNT(DISTINCT a.id) "
        "FROM articles a LEFT JOIN models m ON m.article_id = a.id GROUP BY 1 ORDER BY 2 DESC"
    ).fetchall()
    if rows:
        table = Table(title="models reported, by article province")
        for col in ("province", "distinct models", "articles"):
            table.add_column(col)
        for r in rows:
            table.add_row(*(str(x) for x in r))
        out.print(table)


@command(name="eval")
def evaluate(
    gold: Annotated[Path, typer.Argument(help="gold JSON Lines, ANNOTATION.md format")],
    predictions: Annotated[
        Optional[list[Path]],
        typer.Argument(help="a predictions .jsonl, or article files/directories to extract (default: the gold's articles/ directory)"),
    ] = None,
    errors: Annotated[bool, typer.Option("--errors", help="list every miss, false positive and wrong attribute")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="print the scores as JSON")] = False,
) -> None:
    """Score extraction against gold: P/R/F1 and attribute accuracy per kind.

    Examples:

        vnfacts eval corpus/gold/seeds.jsonl
        vnfacts eval corpus/heldout/gold.jsonl corpus/heldout/articles --errors
        vnfacts eval corpus/gold/seeds.jsonl predictions.jsonl --json
    """
    from pipeline.evaluate import load_jsonl, score
    from pipeline.trip import Trip

    gold_items = load_jsonl(gold)
    if predictions and len(predictions) == 1 and predictions[0].suffix == ".jsonl":
        predicted = load_jsonl(predictions[0])
        metadata = {}
    else:
        paths = predictions or [gold.parent.parent / "articles", gold.parent / "articles"]
        paths = [p for p in paths if p.exists()]
        wanted = {g["doc"] for g in gold_items}
        outcomes = list(Trip().run_paths(paths, want=lambda source: source.doc in wanted))
        predicted = [outcome.facts.annotation() for _, outcome in outcomes if outcome.ok]
        metadata = {source.doc: source.published for source, _ in outcomes}
    report = score(gold_items, predicted, metadata_published=metadata)
    if as_json:
        print(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        table = Table(title=f"vnfacts eval: {len(gold_items)} gold articles")
        for col in ("kind", "precision", "recall", "F1", "tp", "fp", "fn", "attribute accuracy"):
            table.add_column(col, justify="right" if col != "kind" else "left")
        for kind, s in report.kinds.items():
            attrs = ", ".join(f"{a} {s.accuracy_of(a):.3f}" for a in s.attr_total)
            acc = "—" if s.attribute_accuracy is None else f"{s.attribute_accuracy:.3f} ({attrs})"
            table.add_row(kind, f"{s.precision:.3f}", f"{s.recall:.3f}", f"{s.f1:.3f}", str(s.tp), str(s.fp), str(s.fn), acc)
        out.print(table)
        pa = report.published_accuracy
        out.print(f"published: accuracy {pa:.3f}" if pa is not None else "published: —")
        if report.missing_docs:
            out.print(f"[yellow]no prediction for {len(report.missing_docs)} gold articles[/]")
    if errors:
        for s in report.kinds.values():
            for line in s.errors:
                print(line)
        for line in report.published_errors:
            print(line)
