"""``vnfacts crawl`` and ``vnfacts fetch``: the fetch stage on the command line.

Progress goes to stderr (a Rich progress bar on a terminal), the summary to
stdout, one ``vnfacts: URL: reason`` line on stderr per page skipped or failed.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from pipeline.cli.options import DbOption, command, err, fail_line, out
from pipeline.fetch.politeness import (
    USER_AGENT,  # not pipeline.http: keep `vnfacts --help` free of httpx
)

MaxPages = Annotated[int | None, typer.Option("--max-pages", min=1, help="stop after N requests; the next run resumes")]
Delay = Annotated[float, typer.Option("--delay", min=0.0, help="seconds between two requests to one host (raised by Crawl-delay)")]
Timeout = Annotated[float, typer.Option("--timeout", min=0.1, help="seconds to wait for a server to connect or send data")]
Retries = Annotated[int, typer.Option("--retries", min=0, help="retries on connection errors, 5xx and 429")]
MaxBytes = Annotated[int, typer.Option("--max-bytes", min=1024, help="largest page read, in bytes")]
UserAgent = Annotated[str, typer.Option("--user-agent", help="User-Agent header: name the crawler and a contact")]
Site = Annotated[str | None, typer.Option("--site", help="site adapter to use (pipeline/read/sites/NAME.toml)")]
Robots = Annotated[bool, typer.Option("--robots/--ignore-robots", help="obey robots.txt (only ignore it on your own site)")]


def _parse_since(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date like 2024-01-31") from None


def _run(command: str, urls: list[str], db, max_pages, since, delay, timeout, retries, max_bytes, user_agent, site,
         robots) -> None:
    from pipeline.fetch.crawl import Crawler, CrawlOptions, CrawlRunning
    from pipeline.fetch.http import HttpSettings
    from pipeline.store import Store
    from pipeline.urls import is_http

    bad = [u for u in urls if not is_http(u)]
    if bad:
        raise typer.BadParameter(f"not an http(s) URL: {bad[0]}")
    options = CrawlOptions(
        max_pages=max_pages, since=_parse_since(since), site=site,
        http=HttpSettings(delay=delay, connect_timeout=timeout, read_timeout=timeout, max_retries=retries,
                          max_bytes=max_bytes, user_agent=user_agent, obey_robots=robots),
    )
    store = Store(db)
    progress = Progress(
        SpinnerColumn(), TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
        TextColumn("{task.fields[counts]}"), TimeElapsedColumn(), console=err, transient=False,
    )
    task = progress.add_task(command, total=None, counts="")

    def on_event(what: str, url: str, stats) -> None:
        counts = (f"seen {stats.seen} · fetched {stats.fetched} · articles {stats.articles} · "
                  f"skipped {stats.skipped + stats.duplicates + stats.unchanged} · failed {stats.failed}")
        progress.update(task, total=max(stats.seen, 1), completed=stats.done(), counts=counts,
                        description=f"{command} {what}")

    try:
        crawler = Crawler(store, options, on_event=on_event)
    except KeyError as exc:
        raise typer.BadParameter(str(exc.args[0])) from None
    try:
        with progress:
            stats = crawler.crawl(urls) if command == "crawl" else crawler.fetch(urls)
    except CrawlRunning as exc:
        # one crawl per store: a second one would fetch the same pages twice
        err.print(f"vnfacts: {exc}; this {command} exits", markup=False, highlight=False)
        store.close()
        raise typer.Exit(3) from None
    finally:
        crawler.close()
    for url, reason in stats.faults:
        fail_line(url, reason)
    table = Table(title=f"vnfacts {command}: {store.path}")
    table.add_column("what")
    table.add_column("this run", justify="right")
    rows = [("pages seen", stats.seen), ("pages fetched", stats.fetched), ("articles stored", stats.articles),
            ("unchanged", stats.unchanged), ("duplicates", stats.duplicates), ("skipped", stats.skipped),
            ("failed (retried next run)", stats.failed)]
    for name, value in rows:
        table.add_row(name, str(value))
    table.add_row("articles in store", str(store.counts_by_table()["articles"]))
    out.print(table)
    store.close()
    raise typer.Exit(1 if stats.failed else 0)


@command()
def crawl(
    start_urls: Annotated[list[str], typer.Argument(help="a site's root, a listing page, a feed or a sitemap")],
    db: DbOption = None,
    max_pages: MaxPages = None,
    since: Annotated[str | None, typer.Option("--since", help="skip articles published before DATE (YYYY-MM-DD)")] = None,
    delay: Delay = 1.0,
    timeout: Timeout = 20.0,
    retries: Retries = 3,
    max_bytes: MaxBytes = 10 * 1024 * 1024,
    user_agent: UserAgent = USER_AGENT,
    site: Site = None,
    robots: Robots = True,
) -> None:
    """Discover articles (feeds, sitemaps, listing pages), fetch and ingest them; resumable.

    Examples:

        vnfacts crawl https://congannghean.vn/ --max-pages 200
        vnfacts crawl https://antv.gov.vn/sitemap.xml --since 2024-01-01 --delay 2
    """
    _run("crawl", start_urls, db, max_pages, since, delay, timeout, retries, max_bytes, user_agent, site, robots)


@command()
def fetch(
    urls: Annotated[list[str], typer.Argument(help="article URLs")],
    db: DbOption = None,
    delay: Delay = 1.0,
    timeout: Timeout = 20.0,
    retries: Retries = 3,
    max_bytes: MaxBytes = 10 * 1024 * 1024,
    user_agent: UserAgent = USER_AGENT,
    site: Site = None,
    robots: Robots = True,
) -> None:
    """Fetch the given article pages and ingest them (re-fetching stored ones with a conditional GET).

    Examples:

        vnfacts fetch https://baothanhhoa.vn/some-article-123.htm
        vnfacts fetch URL1 URL2 --db data/vnfacts.db --delay 2
    """
    _run("fetch", urls, db, None, None, delay, timeout, retries, max_bytes, user_agent, site, robots)
