"""Batch (re)processing of the store: ``vnfacts process`` and ``vnfacts reprocess``.

    select (one SQL query) -> work units -> workers: clean + segment + extract
                                             -> single writer: articles in order, several per transaction

* **Selection.** ``process`` takes every article that lacks facts of the current
  version for some kind (``Store.stale_articles``: one query over the
  ``extractions`` primary key, so up-to-date articles are skipped without being
  read); ``reprocess`` takes the articles chosen by ``--all`` / ``--since`` /
  ``--published-since`` / ``--site`` and redoes every kind.
* **Versions.** Each extractor module has a ``VERSION``; ``current_versions()``
  gives them by kind (``$VNFACTS_VERSIONS="counts=2,dates=1b"`` overrides some,
  for tests and for forcing a kind stale).  Changing one kind's version makes
  only that kind stale: the writer replaces that kind's rows and leaves the
  others alone (same ids, same ``extracted_at``) unless their freshly extracted
  rows differ, which happens when an extractor they read from changed (counts
  read the models and places found before them); then those are rewritten too,
  so an incremental run always ends in the store a full run would make.
* **Work unit.** (article id, key, doc name, URL, the stored raw input as
  zlib-compressed bytes, the stored publication date).  Workers **re-clean
  from the raw input** (cleaning costs ~5 ms of the ~30 ms an article takes),
  so improvements to decoding and cleaning reach the store with ``reprocess``;
  the stored ``published`` is the fallback when the text has no dateline (it
  came from the manifest at ingest time).  A worker returns plain picklable
  data (``Result``: the CleanArticle, the sentence spans, the ArticleFacts) or
  the reason it failed.
* **Executors.** ``workers == 1``: in the writer's process.  ``workers > 1``: a
  ``ProcessPoolExecutor`` (forkserver context; the forkserver warms up once,
  gazetteer and segmenter loaded, and the workers forked from it start warm;
  with spawn, each worker warms up in its initializer).  ``dask``: a ``dask.distributed``
  cluster; the raw input travels with the task, the writer stays local.  All
  keep a bounded window of articles in flight and hand results back **in
  article order**, so the writer's sequence of commits (hence the row ids) is
  the same whatever the executor, and a killed run plus a rerun makes exactly
  the commits of an uninterrupted run.
* **Writer.** The parent process, alone, writes each article in its own savepoint
  (``Store.save_extraction``).  In bulk mode (the default) it commits every
  ``GROUP_ARTICLES`` articles (or ``GROUP_SECONDS``), and leaves the search index
  and ``model_reports`` to one pass at the end (``Store.begin_bulk`` /
  ``finish_bulk``: the sentences written are indexed in one insert, the reports of
  the models that came or went recomputed once); ``bulk=False`` commits every
  article with index and reports kept by trigger.  SQLite runs in WAL mode with
  ``synchronous = NORMAL``: a killed process loses at most the transaction being
  written, never leaves half an article (power loss may lose the last commits, not
  consistency); the next run redoes the lost articles (still stale) and finishes
  the index and reports the killed run left (``bulk_state`` says what is left).
  A failure is recorded once in ``failures`` (source = article key); the
  article keeps its previous facts and stays stale, so the next run retries it.
  An article whose raw input changed while it was being extracted (re-ingested,
  re-crawled: ``Store.save`` ran meanwhile) is left as that newer save made it.
"""

from __future__ import annotations

import multiprocessing
import os
import time
import zlib
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date

from pipeline.schema import KINDS, Source
from pipeline.store import Store
from pipeline.trip import Outcome

__all__ = [
    "ENV_VERSIONS", "ENV_GROUP", "WorkUnit", "Result", "Selection", "Summary", "current_versions", "process_article",
    "warm_up", "register_files", "select_stale", "select_chosen", "work_units", "make_executor", "run_batch",
    "InlineExecutor", "PoolExecutor", "DaskExecutor",
]

ENV_VERSIONS = "VNFACTS_VERSIONS"
ENV_GROUP = "VNFACTS_BULK_GROUP"  # articles per transaction in bulk mode (default GROUP_ARTICLES)
CHUNK = 200  # work units read from the store per query


def current_versions() -> dict[str, str]:
    """The extractor versions by kind, with ``$VNFACTS_VERSIONS`` overrides ("kind=version,...")."""
    from pipeline.nlp.extract import VERSIONS

    versions = dict(VERSIONS)
    for part in filter(None, (p.strip() for p in os.environ.get(ENV_VERSIONS, "").split(","))):
        kind, _, version = part.partition("=")
        kind, version = kind.strip(), version.strip()
        if kind not in versions or not version:
            raise ValueError(f"{ENV_VERSIONS}: expected kind=version with kind in {', '.join(versions)}, got {part!r}")
        versions[kind] = version
    return versions


# --- the worker side ----------------------------------------------------------


@dataclass(frozen=True)
class WorkUnit:
    """What a worker needs to (re)make one article's facts: plain, picklable data."""

    article_id: int
    key: str
    doc: str
    url: str | None
    raw_z: bytes | None  # the raw input as stored: zlib-compressed
    published: str | None  # the stored publication date, the fallback for a text without dateline
    kinds: tuple[str, ...] | None = None  # kinds to rewrite (None: all); the worker extracts all anyway
    content_type: str | None = None  # the HTTP Content-Type a crawled page came with


@dataclass
class Result:
    """What a worker sends back: the trip's outcome for one article (plain, picklable)."""

    article_id: int
    outcome: Outcome
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.outcome.ok

    @property
    def error(self) -> str | None:
        return None if self.outcome.ok else self.outcome.reason


def process_article(unit: WorkUnit) -> Result:
    """One stored article through the trip's read (``pipeline.trip.read``): top level, picklable."""
    from pipeline.trip import Failure, read

    started = time.perf_counter()
    if unit.raw_z is None:
        outcome: Outcome = Failure(stage="fetch", reason="no raw input stored")
    else:
        try:
            raw = zlib.decompress(unit.raw_z)
        except zlib.error as exc:
            outcome = Failure(stage="fetch", reason=f"stored raw input is damaged: {exc}", error_type="zlib.error")
        else:
            published = date.fromisoformat(unit.published[:10]) if unit.published else None
            outcome = read(Source(key=unit.key, doc=unit.doc, raw=raw, url=unit.url, published=published,
                                  content_type=unit.content_type))
    return Result(unit.article_id, outcome, time.perf_counter() - started)


_WARM = (
    "Ngày 12/3/2024, Đại tá Nguyễn Văn An, Giám đốc Công an tỉnh Nghệ An, cho biết mô hình "
    "“Camera an ninh” đã được nhân rộng ở 25 xã của huyện Quỳnh Lưu, tỉnh Nghệ An."
)


def warm_up() -> None:
    """Load what every article needs once per worker: gazetteer, segmenter, extractor caches."""
    from pipeline.trip import read

    read(Source(key="warm-up", doc="warm-up", raw=_WARM.encode("utf-8")))


def _writer_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a killed writer not yet reaped by its parent is a zombie: dead too
        with open(f"/proc/{pid}/stat", "rb") as f:
            return f.read().rsplit(b")", 1)[1].split()[0] not in (b"Z", b"X")
    except (OSError, IndexError):
        return True


def _watch_writer(pid: int, interval: float = 0.5) -> None:
    while _writer_alive(pid):
        time.sleep(interval)
    os._exit(0)


def _pool_worker_init(writer_pid: int) -> None:
    """Initializer of a local worker process: leave when the writer dies (a SIGKILLed
    writer cannot stop its pool, and a worker blocked on its queue would wait forever),
    then warm up."""
    import threading

    threading.Thread(target=_watch_writer, args=(writer_pid,), daemon=True, name="vnfacts-watch-writer").start()
    warm_up()


def extractor_versions() -> dict[str, str]:
    """The extractor versions of the code this process runs (checked on remote workers)."""
    from pipeline.nlp.extract import VERSIONS

    return dict(VERSIONS)


# --- selection ------------------------------------------------------------------


@dataclass
class Selection:
    """The articles to do, in id order, with the kinds to rewrite (None: all)."""

    items: list[tuple[int, tuple[str, ...] | None]]
    total: int  # articles in the store
    seconds: float  # time the selection query took

    @property
    def skipped(self) -> int:
        return self.total - len(self.items)


def select_stale(store: Store, versions: dict[str, str]) -> Selection:
    """Articles lacking facts of the current version for some kind (``vnfacts process``)."""
    started = time.perf_counter()
    items = [(article_id, kinds) for article_id, kinds in store.stale_articles(versions)]
    total = store.db.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
    return Selection(items, total, time.perf_counter() - started)


def select_chosen(store: Store, *, everything: bool = False, since: str | None = None,
                  published_since: str | None = None, site: str | None = None) -> Selection:
    """Articles to redo entirely (``vnfacts reprocess``): all, or those ingested on or
    after ``since``, published on or after ``published_since``, from ``site`` (and-ed)."""
    started = time.perf_counter()
    where, params = [], []
    if since:
        where.append("ingested_at >= ?")
        params.append(since)
    if published_since:
        where.append("published >= ?")
        params.append(published_since)
    if site:
        where.append("(site = ? OR site LIKE ?)")
        params += [site, f"%.{site}"]
    if not everything and not where:
        raise ValueError("choose the articles: --all, --since DATE, --published-since DATE or --site SITE")
    sql = "SELECT id FROM articles" + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY id"
    items = [(row[0], None) for row in store.db.execute(sql, params).fetchall()]
    total = store.db.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
    return Selection(items, total, time.perf_counter() - started)


def work_units(store: Store, selection: Selection) -> Iterator[WorkUnit]:
    """The selected articles' work units, read from the store a chunk at a time (no cursor
    stays open across the writer's commits)."""
    items = selection.items
    for i in range(0, len(items), CHUNK):
        chunk = dict(items[i : i + CHUNK])
        marks = ", ".join("?" * len(chunk))
        rows = {r[0]: r for r in store.db.execute(
            f"SELECT id, key, doc, url, raw, published, content_type FROM articles WHERE id IN ({marks})",
            list(chunk)).fetchall()}
        for article_id, kinds in chunk.items():
            if article_id in rows:  # gone since the selection: nothing to do
                _, key, doc, url, raw_z, published, content_type = rows[article_id]
                yield WorkUnit(article_id, key, doc or key, url, raw_z, published, kinds, content_type)


def register_files(paths: Iterable, store: Store) -> int:
    """Put input files in the store without extracting them (``Store.add_raw``), for a
    parallel ``vnfacts process`` afterwards; directories are expanded and the manifest's
    URL, site and publication date kept, as ``vnfacts ingest`` does.  Return how many."""
    from pathlib import Path

    from pipeline.fetch.files import Found, sources

    n = 0
    with store.db.atomic():
        for source in sources(Path(p) for p in paths):
            if isinstance(source, Found):
                continue
            store.add_raw(source, published=source.published.isoformat() if source.published else None)
            n += 1
    return n


# --- executors --------------------------------------------------------------------


class InlineExecutor:
    """``--workers 1``: extraction in the writer's own process."""

    name = "in-process"
    workers = 1

    def map(self, fn: Callable[[WorkUnit], Result], units: Iterable[WorkUnit]) -> Iterator[Result]:
        for unit in units:
            yield fn(unit)

    def close(self) -> None:
        pass


class _Windowed:
    """Submit at most ``window`` units ahead; yield results in submission order."""

    window: int

    def _submit(self, fn, unit):  # -> a future with .result()
        raise NotImplementedError

    def _result(self, future, unit: WorkUnit) -> Result:
        return future.result()

    def map(self, fn: Callable[[WorkUnit], Result], units: Iterable[WorkUnit]) -> Iterator[Result]:
        pending: deque = deque()
        units = iter(units)
        exhausted = False
        while True:
            while not exhausted and len(pending) < self.window:
                unit = next(units, None)
                if unit is None:
                    exhausted = True
                else:
                    pending.append((self._submit(fn, unit), unit))
            if not pending:
                return
            future, unit = pending.popleft()
            yield self._result(future, unit)


class PoolExecutor(_Windowed):
    """Worker processes on this machine (forkserver: a clean, preloaded parent to fork from)."""

    name = "processes"

    def __init__(self, workers: int, window: int | None = None):
        self.workers = workers
        self.window = window or 8 * workers
        method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
        context = multiprocessing.get_context(method)
        if method == "forkserver":
            context.set_forkserver_preload(["pipeline.batch.warm"])
        self.pool = ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_pool_worker_init,
                                        initargs=(os.getpid(),))

    def _submit(self, fn, unit):
        return self.pool.submit(fn, unit)

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


class DaskExecutor(_Windowed):
    """Extraction on a ``dask.distributed`` cluster; results come back to the local writer.

    Every worker must run the same vnfacts code (checked: the extractor versions of
    each worker must equal the local ones)."""

    name = "dask"

    def __init__(self, scheduler, window: int | None = None):
        from dask.distributed import Client

        self.own_client = not hasattr(scheduler, "submit")
        self.client = Client(scheduler) if self.own_client else scheduler
        self.workers = max(1, sum(self.client.nthreads().values()))
        self.window = window or max(16, 8 * self.workers)
        local = extractor_versions()
        try:
            remote = self.client.run(extractor_versions)
        except ImportError as exc:
            raise RuntimeError(f"dask workers cannot import vnfacts ({exc}): install the same vnfacts on every "
                               "worker") from exc
        if not remote:
            raise RuntimeError(f"no dask worker is connected to {scheduler}")
        for worker, versions in remote.items():
            if versions != local:
                raise RuntimeError(f"dask worker {worker} runs other extractor versions: {versions} (here: {local})")
        self.client.run(warm_up)

    def _submit(self, fn, unit):
        return self.client.submit(fn, unit, pure=False, key=f"vnfacts-article-{unit.article_id}-{time.monotonic_ns()}")

    def _result(self, future, unit: WorkUnit) -> Result:
        try:
            return future.result()
        except Exception as exc:  # noqa: BLE001 - a worker died on it (KilledWorker …): that article failed
            from pipeline.trip import Failure

            return Result(unit.article_id, Failure(stage="extract", reason=f"dask: {type(exc).__name__}: {exc}",
                                                   error_type=type(exc).__name__))
        finally:
            future.release()

    def close(self) -> None:
        if self.own_client:
            self.client.close()


def make_executor(executor: str = "local", workers: int = 1, scheduler=None):
    if executor == "dask":
        if scheduler is None:
            raise ValueError("--executor dask needs --scheduler ADDRESS (e.g. tcp://10.0.0.5:8786)")
        return DaskExecutor(scheduler)
    if executor != "local":
        raise ValueError(f"unknown executor {executor!r}: local or dask")
    if workers < 1:
        raise ValueError("--workers must be at least 1")
    return InlineExecutor() if workers == 1 else PoolExecutor(workers)


# --- the writer ----------------------------------------------------------------------


@dataclass
class Summary:
    processed: int = 0
    skipped: int = 0
    failed: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)  # (article key, reason)
    facts: Counter = field(default_factory=Counter)  # rows written, by kind
    kinds_written: Counter = field(default_factory=Counter)  # articles whose kind was rewritten
    partial: int = 0  # articles where only some kinds were rewritten
    superseded: int = 0  # articles re-ingested while being extracted: left as the newer save made them
    selection_seconds: float = 0.0
    seconds: float = 0.0  # extraction and writing
    extract_seconds: float = 0.0  # summed over workers
    executor: str = ""
    workers: int = 1
    indexed: int = 0  # bulk mode: sentences added to the search index at the end
    reports_refreshed: int = 0  # bulk mode: (province, model) reports recomputed at the end
    merge_seconds: float = 0.0  # --shards: the merge's part of ``seconds``

    @property
    def rate(self) -> float:
        done = self.processed + self.failed
        return done / self.seconds if self.seconds > 0 else 0.0



def run_batch(store: Store, selection: Selection, executor, versions: dict[str, str] | None = None,
              on_result: Callable[[Result, Summary], None] | None = None, bulk: bool = True,
              on_written: Callable[[Result, str, list[str]], None] | None = None, finish: bool = True) -> Summary:
    """Extract the selected articles with ``executor`` and write them, in article order.

    ``bulk`` (the default): several articles per transaction (``GROUP_ARTICLES``, or what
    ``GROUP_SECONDS`` allows), the search index and ``model_reports`` brought up to date
    once at the end (``Store.begin_bulk``/``finish_bulk``; ``finish=False`` leaves that
    end to the caller: a shard store's index is never read).  Otherwise one transaction
    per article, index and reports kept by trigger row by row.

    ``on_written(result, status, kinds)`` runs inside the article's transaction, after its
    writes ("ok", "failed" or "superseded"; the kinds rewritten): what it writes commits
    or is lost with the article (a shard store marks its units done this way)."""
    versions = versions or current_versions()
    # WAL + NORMAL: a commit survives the process being killed (not a power cut)
    store.db.execute("PRAGMA synchronous = NORMAL")
    # 64 MiB of pages: the indexes of a large store's fact tables stay in memory
    store.db.execute("PRAGMA cache_size = -65536")
    keys = {}
    summary = Summary(skipped=selection.skipped,
                      selection_seconds=selection.seconds, executor=executor.name, workers=executor.workers)
    started = time.perf_counter()
    group = _Group(store.db.conn, int(os.environ.get(ENV_GROUP) or GROUP_ARTICLES) if bulk else 1, GROUP_SECONDS)
    if bulk:
        store.begin_bulk()

    def units() -> Iterator[WorkUnit]:
        for unit in work_units(store, selection):
            keys[unit.article_id] = (unit.key, unit.kinds)
            yield unit

    try:
        for result in executor.map(process_article, units()):
            key, kinds = keys.pop(result.article_id)
            summary.extract_seconds += result.seconds
            group.open()
            status, written = _write(store, result, key, kinds, versions, summary)
            if on_written:
                on_written(result, status, written)
            group.done()
            summary.seconds = time.perf_counter() - started
            if on_result:
                on_result(result, summary)
    finally:
        group.commit()  # what was written is whole articles: keep it, even on the way out
    if bulk and finish:
        summary.indexed, summary.reports_refreshed = store.finish_bulk()
    summary.seconds = time.perf_counter() - started
    return summary


GROUP_ARTICLES = 100  # articles per transaction in bulk mode …
GROUP_SECONDS = 0.5  # … or fewer: no transaction holds the write lock longer than this


class _Group:
    """Several articles per transaction: each article's writes are a savepoint inside it
    (``db.atomic`` nests), so a kill loses the group and leaves no half article; the
    rerun finds those articles stale and redoes them."""

    def __init__(self, conn, articles: int, seconds: float):
        self.conn, self.articles, self.seconds = conn, articles, seconds
        self.count, self.since = 0, 0.0

    def open(self) -> None:
        if not self.conn.in_transaction:
            self.conn.execute("BEGIN IMMEDIATE")
            self.count, self.since = 0, time.monotonic()

    def done(self) -> None:
        self.count += 1
        if self.count >= self.articles or time.monotonic() - self.since >= self.seconds:
            self.commit()

    def commit(self) -> None:
        if self.conn.in_transaction:
            self.conn.execute("COMMIT")


def _write(store: Store, result: Result, key: str, kinds, versions: dict[str, str],
           summary: Summary) -> tuple[str, list[str]]:
    """Store one worker's result: the article's facts, or its failure; return what became
    of it ("ok", "failed", "superseded") and the kinds rewritten."""
    outcome = result.outcome
    if outcome.ok:
        written = store.save_extraction(result.article_id, outcome.article, outcome.sentences, outcome.facts,
                                        versions, kinds=kinds, raw_sha256=outcome.raw_sha256,
                                        warnings=outcome.warnings)
        if written is None:  # re-ingested meanwhile: that save is newer than this extraction
            summary.superseded += 1
            return "superseded", []
        summary.processed += 1
        summary.kinds_written.update(written)
        if len(written) < len(KINDS):
            summary.partial += 1
        for kind in written:
            summary.facts[kind] += len(getattr(outcome.facts, kind))
        return "ok", written
    store.record_article_failure(result.article_id, outcome.stage, outcome.reason, outcome.error_type)
    summary.failed += 1
    summary.failures.append((key, result.error))
    return "failed", []
