"""``vnfacts process/reprocess --shards N``: N writers in parallel, then one merge.

    selection -> route by article key -> N shard stores (one writer process each: extract + write)
              -> merge into the main store in article id order (pipeline/store/merge.py)

* **Route.** An article goes to shard ``blake2b(key) mod N``.  Not by site: a few sites
  write most of the articles (one shard would do most of the work while the others
  idle); not by province: it is known only after extraction.  The key is known before,
  stable across runs and machines, and spreads articles evenly.  Which shard an article
  went to does not change the result: the merge applies articles in id order.
* **Shard stores** (``<db>.shards/shard-I.db``, see ``pipeline.store.merge``) hold copies
  of their articles' rows; each is written by its own process through ``run_batch``
  (the same writer, the same groups, the same crash safety), which marks each unit done
  in the unit's own transaction.  Extraction happens in that process (``--workers`` up to
  N), or in a pool of ``workers // N`` processes per shard writer.
* **Resume.** A rerun finds the shards of a killed run and goes on with them if they were
  made for the same versions and shard count and hold every selected article with the
  raw input the store still has (otherwise they are made again): shard writers carry on
  where they stopped, the merge redoes nothing already merged (and merging again would
  give the same rows anyway).  The shard directory is removed once the merge has finished.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import shutil
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path

from pipeline.batch.run import Selection, Summary, _watch_writer, make_executor, run_batch
from pipeline.schema import KINDS
from pipeline.store import Store
from pipeline.store.merge import MERGE_GROUP, create_shard, empty_shard, merge_shards, remove_store, shard_manifest

__all__ = ["MAX_SHARDS", "ENV_MERGE_GROUP", "shard_of", "shard_dir", "discard_shards", "prepare_shards", "shards_written", "write_shard_store", "write_shards",
           "run_sharded"]

MAX_SHARDS = 8  # the merge attaches every shard to one connection (SQLite allows 10)
ENV_MERGE_GROUP = "VNFACTS_MERGE_GROUP"  # articles per merge transaction (default MERGE_GROUP)


def shard_of(key: str, shards: int) -> int:
    """The shard of an article: a stable hash of its key (not Python's ``hash``: salted)."""
    return int.from_bytes(hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest(), "big") % shards


def shard_dir(store: Store) -> Path:
    return Path(f"{store.path}.shards")


def discard_shards(store: Store) -> None:
    """Remove the shards a run left (killed after its merge finished, before removing them)."""
    shutil.rmtree(shard_dir(store), ignore_errors=True)


def _paths(directory: Path, shards: int) -> list[Path]:
    return [directory / f"shard-{i}.db" for i in range(shards)]


def _resumable(store: Store, paths: list[Path], selection: Selection, manifest: dict) -> bool:
    """The shards at ``paths`` were made for this run: same manifest, and every selected
    article is in one of them with the raw input the store has now."""
    if not all(p.exists() and shard_manifest(p) == manifest for p in paths):
        return False
    conn = store.db.conn
    with conn:  # (committed: a database read inside an open transaction cannot be detached)
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS shard_selected (id INTEGER PRIMARY KEY)")
        conn.execute("DELETE FROM temp.shard_selected")
        conn.executemany("INSERT INTO temp.shard_selected VALUES (?)", [(a,) for a, _ in selection.items])
    held = 0
    for path in paths:
        conn.execute("ATTACH DATABASE ? AS shard_check", [str(path)])
        try:
            held += conn.execute(
                "SELECT COUNT(*) FROM temp.shard_selected s JOIN shard_check.shard_units u ON u.article_id = s.id "
                "JOIN shard_check.articles c ON c.id = s.id JOIN main.articles a ON a.id = s.id "
                "WHERE c.raw_sha256 = a.raw_sha256").fetchone()[0]
        finally:
            conn.execute("DETACH DATABASE shard_check")
    with conn:
        conn.execute("DELETE FROM temp.shard_selected")
    return held == len(selection.items)


def prepare_shards(store: Store, selection: Selection, shards: int, versions: dict[str, str]) -> list[Path]:
    """The shard stores of this run: those a killed run left, if they fit, else new ones."""
    directory = shard_dir(store)
    paths = _paths(directory, shards)
    manifest = {"shards": shards, "versions": versions}
    if directory.exists() and _resumable(store, paths, selection, manifest):
        return paths
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    kinds_of = dict(selection.items)
    routed: list[list] = [[] for _ in range(shards)]
    for article_id, key in store.db.execute("SELECT id, key FROM articles ORDER BY id"):
        if article_id in kinds_of:
            routed[shard_of(key, shards)].append((article_id, kinds_of[article_id]))
    empty = empty_shard(directory / "empty.db")
    for path, units in zip(paths, routed):
        create_shard(store, path, units, manifest, empty)
    remove_store(empty)
    return paths


def write_shard_store(store: Store, executor, versions: dict[str, str]) -> Summary:
    """Write the units of the shard ``store`` not yet written, with ``executor`` (``run_batch``,
    each unit marked done in its own transaction; the index and reports left to the merge)."""
    items = [(article_id, tuple(kinds.split(",")) if kinds is not None else None)
             for article_id, kinds in store.db.execute(
                 "SELECT article_id, kinds FROM shard_units WHERE outcome IS NULL ORDER BY article_id")]

    def written(result, status: str, kinds: list[str]) -> None:
        store.db.execute("UPDATE shard_units SET outcome = ?, written = ? WHERE article_id = ?",
                         [status, ",".join(kinds), result.article_id])

    return run_batch(store, Selection(items, len(items), 0.0), executor, versions, on_written=written, finish=False)


def write_shard(path: str, parent: int, versions: dict[str, str], workers: int) -> None:
    """A shard writer process: extract and write the shard at ``path``."""
    # a SIGKILLed parent cannot stop its shard writers: they leave when it is gone
    threading.Thread(target=_watch_writer, args=(parent,), daemon=True, name="vnfacts-watch-parent").start()
    store = Store(path)
    executor = make_executor("local", workers)
    try:
        write_shard_store(store, executor, versions)
    finally:
        executor.close()
        store.close()


def _left(path: Path) -> bool:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        return conn.execute("SELECT 1 FROM shard_units WHERE outcome IS NULL LIMIT 1").fetchone() is not None


def shards_written(paths: list[Path]) -> int:
    """Articles the shard writers have written so far (read-only, while they write)."""
    n = 0
    for path in paths:
        try:
            with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=1) as conn:
                n += conn.execute("SELECT COUNT(*) FROM shard_units WHERE outcome IS NOT NULL").fetchone()[0]
        except sqlite3.Error:
            pass
    return n


def write_shards(paths: list[Path], versions: dict[str, str], workers: int = 1,
                 on_progress: Callable[[int], None] | None = None) -> None:
    """Write every shard, each in its own process (forked warm, as the pool's workers)."""
    method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
    context = multiprocessing.get_context(method)
    if method == "forkserver":
        context.set_forkserver_preload(["pipeline.batch.warm"])
    per_shard = max(1, workers // len(paths))
    left = [p for p in paths if _left(p)]  # a resumed run starts no process for a finished shard
    procs = [context.Process(target=write_shard, args=(str(p), os.getpid(), versions, per_shard),
                             name=f"vnfacts-shard-{p.stem}") for p in left]
    for proc in procs:
        proc.start()
    try:
        while any(proc.is_alive() for proc in procs):
            if on_progress:
                on_progress(shards_written(paths))
            time.sleep(0.25)
        if on_progress:
            on_progress(shards_written(paths))
    finally:
        for proc in procs:
            proc.join()
    broken = [(p, proc.exitcode) for p, proc in zip(left, procs) if proc.exitcode != 0]
    if broken:
        raise RuntimeError("shard writer failed: " + ", ".join(f"{p.name} (exit code {code})" for p, code in broken))


def _shard_summary(paths: list[Path], summary: Summary) -> None:
    """What the shard writers did, from the shards: a resumed run counts what the killed one
    did too (the batch as a whole), so its failures are reported and its exit code says so."""
    for path in paths:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
            for outcome, written in conn.execute("SELECT outcome, written FROM shard_units"):
                summary.failed += outcome == "failed"
                if outcome == "ok":
                    summary.processed += 1
                    kinds = written.split(",") if written else []
                    summary.kinds_written.update(kinds)
                    summary.partial += len(kinds) < len(KINDS)
            for kind in KINDS:
                summary.facts[kind] += conn.execute(
                    f"SELECT COUNT(*) FROM [{kind}] f JOIN shard_units u ON u.article_id = f.article_id "
                    "WHERE u.outcome = 'ok' AND instr(',' || u.written || ',', ?) > 0", [f",{kind},"]).fetchone()[0]
            summary.failures += conn.execute(
                "SELECT f.key, f.reason FROM failures f JOIN articles a ON a.key = f.key "
                "JOIN shard_units u ON u.article_id = a.id WHERE u.outcome = 'failed' ORDER BY a.id").fetchall()


def run_sharded(store: Store, selection: Selection, shards: int, versions: dict[str, str], workers: int = 1,
                on_progress: Callable[[int], None] | None = None) -> Summary:
    """Write the selected articles through ``shards`` shard stores in parallel, then merge
    them into ``store``; return the run's summary (as ``run_batch``'s)."""
    if not 1 <= shards <= MAX_SHARDS:
        raise ValueError(f"--shards must be between 1 and {MAX_SHARDS}")
    started = time.perf_counter()
    summary = Summary(skipped=selection.skipped, selection_seconds=selection.seconds, executor="shards",
                      workers=max(workers, shards))
    paths = prepare_shards(store, selection, shards, versions)
    write_shards(paths, versions, workers, on_progress)
    _shard_summary(paths, summary)
    merged = merge_shards(store, paths, int(os.environ.get(ENV_MERGE_GROUP) or MERGE_GROUP))
    summary.processed -= merged.superseded  # re-ingested in the store while the shards were written
    summary.superseded = merged.superseded
    summary.indexed, summary.reports_refreshed = merged.indexed, merged.reports_refreshed
    summary.merge_seconds = merged.seconds
    discard_shards(store)
    summary.seconds = time.perf_counter() - started
    return summary
