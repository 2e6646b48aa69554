"""``vnfacts process`` and ``vnfacts reprocess`` (see pipeline/batch/run.py)."""

from __future__ import annotations

import sys
from datetime import date
from enum import Enum
from typing import Annotated, Optional

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, ProgressColumn, TextColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

from pipeline.cli.options import DbOption, command, err, fail_line, open_store, out


class ExecutorName(str, Enum):
    local = "local"
    dask = "dask"


WorkersOption = Annotated[int, typer.Option("--workers", "-w", min=1, help="worker processes extracting (1: in this process)")]
ExecutorOption = Annotated[ExecutorName, typer.Option("--executor", help="local processes, or a Dask distributed cluster")]
SchedulerOption = Annotated[Optional[str], typer.Option("--scheduler", help="Dask scheduler address, e.g. tcp://10.0.0.5:8786")]
ProgressOption = Annotated[bool, typer.Option("--progress/--no-progress", help="show the progress bar (default: on a terminal)")]
ShardsOption = Annotated[int, typer.Option(
    "--shards", min=1, max=8, help="shard stores written in parallel (one writer process each, extracting "
                                   "in-process up to --workers N) and merged into the store at the end; 1: the "
                                   "single writer")]
BulkOption = Annotated[bool, typer.Option(
    "--bulk/--per-article", help="bulk: many articles per transaction, search index and model reports updated once "
                                 "at the end (default); per-article: one transaction per article, index kept row by row")]


class _Rate(ProgressColumn):
    def render(self, task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:,.1f} articles/s" if speed else "… articles/s", style="progress.data.speed")


def _check_date(value: Optional[str]) -> Optional[str]:
    if value is None:
        return None
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from None


@command()
def process(
    db: DbOption = None,
    workers: WorkersOption = 1,
    executor: ExecutorOption = ExecutorName.local,
    scheduler: SchedulerOption = None,
    progress: ProgressOption = None,
    bulk: BulkOption = True,
    shards: ShardsOption = 1,
) -> None:
    """Extract the facts of every article that has none for the current extractor versions.

    The store must exist (a mistyped --db is said so, exit code 3, and nothing is created).

    Examples:

        vnfacts process --db data/vnfacts.db --workers 2
        vnfacts process --executor dask --scheduler tcp://10.0.0.5:8786
        vnfacts process --per-article   # a transaction per article, search index kept row by row
        vnfacts process --shards 4      # 4 writers in parallel, merged at the end
    """
    from pipeline.batch.run import current_versions, select_stale

    store = open_store(db, create=False)
    versions = current_versions()
    _run(store, select_stale(store, versions), versions, executor, workers, scheduler, progress, "process", bulk,
         shards)


@command()
def reprocess(
    db: DbOption = None,
    everything: Annotated[bool, typer.Option("--all", help="every article")] = False,
    since: Annotated[Optional[str], typer.Option("--since", help="articles ingested on or after DATE (YYYY-MM-DD)")] = None,
    published_since: Annotated[Optional[str], typer.Option("--published-since", help="articles published on or after DATE (YYYY-MM-DD)")] = None,
    site: Annotated[Optional[str], typer.Option("--site", help="articles of this site (e.g. antv.gov.vn)")] = None,
    workers: WorkersOption = 1,
    executor: ExecutorOption = ExecutorName.local,
    scheduler: SchedulerOption = None,
    progress: ProgressOption = None,
    bulk: BulkOption = True,
    shards: ShardsOption = 1,
) -> None:
    """Redo the chosen articles entirely (clean from the raw input, then extract), whatever their versions.

    Dates are YYYY-MM-DD; filters combine (AND).  Fact ids stay the same where the facts do.

    Examples:

        vnfacts reprocess --all
        vnfacts reprocess --since 2025-06-01 --workers 2
        vnfacts reprocess --published-since 2024-01-01 --site antv.gov.vn
    """
    from pipeline.batch.run import current_versions, select_chosen

    if not (everything or since or published_since or site):
        raise typer.BadParameter("choose the articles: --all, --since DATE, --published-since DATE or --site SITE")
    store = open_store(db, create=False)
    selection = select_chosen(store, everything=everything, since=_check_date(since),
                              published_since=_check_date(published_since), site=site)
    _run(store, selection, current_versions(), executor, workers, scheduler, progress, "reprocess", bulk, shards)


def _run(store, selection, versions, executor: ExecutorName, workers: int, scheduler, progress, verb: str,
         bulk: bool = True, shards: int = 1) -> None:
    from pipeline.batch.run import make_executor, run_batch

    show = err.is_terminal if progress is None else progress
    if executor is ExecutorName.dask and not scheduler:
        raise typer.BadParameter("--executor dask needs --scheduler ADDRESS")
    if shards > 1 and (executor is ExecutorName.dask or not bulk):
        raise typer.BadParameter("--shards runs local bulk writers: not with --executor dask or --per-article")
    runner = None
    if selection.items and shards == 1:
        runner = make_executor(executor.value, workers, scheduler)
    if not selection.items and store.bulk_pending():  # a killed bulk run left its index and reports to do
        store.finish_bulk()
    if not selection.items and shards > 1:  # nothing left that shards a killed run made could hold
        from pipeline.batch.shards import discard_shards

        discard_shards(store)
    bar = Progress(TextColumn(f"[bold]{verb}[/]"), BarColumn(), MofNCompleteColumn(), _Rate(),
                   TextColumn("left"), TimeRemainingColumn(), console=err, disable=not show, transient=False)
    try:
        with bar:
            task = bar.add_task(verb, total=len(selection.items))
            summary = None
            if runner:
                summary = run_batch(store, selection, runner, versions, on_result=lambda result, s: bar.advance(task),
                                    bulk=bulk)
            elif selection.items:
                from pipeline.batch.shards import run_sharded

                try:
                    summary = run_sharded(store, selection, shards, versions, workers,
                                          on_progress=lambda done: bar.update(task, completed=done))
                except RuntimeError as exc:  # a shard writer died (its own traceback is on stderr)
                    fail_line(str(store.path), f"{exc}; run the command again to resume")
                    raise typer.Exit(1) from None
    finally:
        if runner:
            runner.close()
    if summary is None:
        from pipeline.batch.run import Summary

        summary = Summary(skipped=selection.skipped, selection_seconds=selection.seconds)
    for key, reason in summary.failures:
        fail_line(key, reason)
    _print_summary(store, summary, verb)
    store.close()
    raise typer.Exit(1 if summary.failed else 0)


def _print_summary(store, summary, verb: str) -> None:
    from pipeline.schema import KINDS

    totals = store.counts_by_table()
    table = Table(title=f"vnfacts {verb}: {store.path}")
    table.add_column("what")
    table.add_column("this run", justify="right")
    table.add_column("in store", justify="right")
    table.add_row("articles processed", f"{summary.processed:,}", f"{totals['articles']:,}")
    table.add_row("  only some kinds rewritten", f"{summary.partial:,}", "")
    table.add_row("articles skipped", f"{summary.skipped:,}", "")
    if summary.superseded:
        table.add_row("  re-ingested during the run (left as is)", f"{summary.superseded:,}", "")
    table.add_row("articles failed", f"{summary.failed:,}", f"{totals['failures']:,} failures")
    for kind in KINDS:
        table.add_row(f"{kind} facts", f"{summary.facts[kind]:,} in {summary.kinds_written[kind]:,} art.",
                      f"{totals[kind]:,}")
    done = summary.processed + summary.failed
    table.add_row("time", f"{summary.seconds:,.1f} s", "")
    if summary.merge_seconds:
        table.add_row("  of which merging the shards", f"{summary.merge_seconds:,.1f} s", "")
    table.add_row("throughput", f"{summary.rate:,.1f} articles/s" if done else "—",
                  f"{summary.executor or '-'}, {summary.workers} worker(s)")
    table.add_row("skip check", f"{summary.selection_seconds * 1000:,.0f} ms", f"{summary.skipped:,} up to date")
    out.print(table)
    if summary.failures:
        reasons = Table(title="failures")
        reasons.add_column("article")
        reasons.add_column("reason")
        for key, reason in summary.failures[:50]:
            reasons.add_row(key, reason)
        if len(summary.failures) > 50:
            reasons.add_row("…", f"{len(summary.failures) - 50} more (see the failures table)")
        out.print(reasons)
    sys.stdout.flush()
