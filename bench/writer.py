"""The single writer alone: articles/s through ``run_batch``'s writing, extraction left out.

    .venv/bin/python bench/writer.py                          # 2,000 synthetic articles, 5 rounds
    .venv/bin/python bench/writer.py --articles 5000 --tree /work/main   # also main's writer
    .venv/bin/python bench/writer.py --articles 20000 --rounds 3 --shards 2  # also 2 shard writers + merge

The synthetic articles (bench/synthetic.py) are extracted once, through the trip
(``pipeline.batch.run.process_article``), and their results kept in bench/out; each
round then replays them into a fresh copy of the registered store, in a fresh process,
through ``run_batch`` (the writer ``vnfacts process`` runs), and times the writing only:

* ``per-article`` — one transaction per article, search index and model reports kept by
  trigger row by row (``--per-article``: what the writer did before the bulk mode);
* ``bulk`` — many articles per transaction, index and reports brought up to date once at
  the end (``--bulk``, the default), the end included in the time;
* ``main`` (with ``--tree DIR``) — the same replay through another checkout's writer;
* ``shards-N`` (with ``--shards N``) — ``vnfacts process --shards N``'s writing: the
  articles routed and copied into N shard stores, N shard writer processes replaying their
  articles in parallel (``write_shard_store``), then the merge; timed from the routing to
  the end of the merge, the shard writers' start-up left out as the others' is.  Its parts
  are shown apart: copy, shard writing (the slowest shard), each shard writer's own rate,
  and the merge (the serial part: what bounds it on many cores).

Modes alternate within each round (A B C A B C …); min and median over rounds are shown,
with the peak PSS of the round's processes (``/proc/PID/smaps_rollup``).
The stores of all modes must be the same (fingerprint).  Issue 11's bar: bulk ≥ 600
articles/s and ≥ 2× the writer of before.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from common import OUT, ROOT, Load, Watch, loadavg, machine_line, mib, table  # noqa: E402  (sets sys.path)


def _checkpoint(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def prepare(n: int, seed: int) -> tuple[Path, Path]:
    """The registered store and the extracted results of ``n`` synthetic articles (cached)."""
    import synthetic

    from pipeline.batch.run import current_versions, process_article, select_stale, work_units
    from pipeline.store import Store

    OUT.mkdir(parents=True, exist_ok=True)
    base, results = OUT / f"writer-base-{n}-{seed}.db", OUT / f"writer-results-{n}-{seed}.pickle"
    if base.exists() and results.exists():
        return base, results
    started = time.perf_counter()
    tmp = base.with_suffix(".tmp")
    tmp.unlink(missing_ok=True)
    store = Store(tmp)
    synthetic.fill_store(store, n, seed)
    out = [process_article(unit) for unit in work_units(store, select_stale(store, current_versions()))]
    store.close()
    _checkpoint(tmp)
    for suffix in ("-wal", "-shm"):
        Path(f"{tmp}{suffix}").unlink(missing_ok=True)
    results.write_bytes(pickle.dumps(out, protocol=pickle.HIGHEST_PROTOCOL))
    tmp.rename(base)
    print(f"extracted {n:,} synthetic articles in {time.perf_counter() - started:.0f} s (once; kept in {OUT})",
          file=sys.stderr)
    return base, results


def _as_main_made_it(db: Path) -> None:
    """Give the store the triggers the other checkout's schema makes (sqlite-utils' FTS
    triggers, its model_reports triggers), so its writer runs as it would on its own store."""
    import sqlite_utils

    from pipeline.store import migrations  # the other checkout's

    conn = sqlite_utils.Database(db)
    for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
        conn.execute(f"DROP TRIGGER [{name}]")
    for name in ("bulk_state", "model_reports_dirty"):
        conn.execute(f"DROP TABLE IF EXISTS [{name}]")
    conn["sentences"].enable_fts(["text"], tokenize="unicode61 remove_diacritics 2", create_triggers=True, replace=True)
    conn.executescript(migrations.MODEL_REPORTS_SQL)
    conn.close()


class _Replay:
    """An executor handing back the results extracted once (``prepare``), in unit order."""

    name = "replay"
    workers = 1

    def __init__(self, results: Path):
        self.by_id = {r.article_id: r for r in pickle.loads(results.read_bytes())}

    def map(self, fn, units):
        for unit in units:
            yield self.by_id[unit.article_id]

    def close(self) -> None:
        pass


def one(mode: str, db: Path, results: Path) -> dict:
    """One round of one mode, in this (fresh) process."""
    from pipeline.batch.run import current_versions, run_batch, select_stale
    from pipeline.store import Store

    if mode == "main":
        _as_main_made_it(db)
    replay = _Replay(results)
    store = Store(db)
    versions = current_versions()
    selection = select_stale(store, versions)
    if mode.startswith("shards-"):
        return _sharded(int(mode.split("-")[1]), store, selection, versions, results)
    kwargs = {} if mode == "main" else {"bulk": mode == "bulk"}
    cpu0, t0 = time.process_time(), time.perf_counter()
    summary = run_batch(store, selection, replay, versions, **kwargs)
    wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    fingerprint = store.fingerprint()
    store.close()
    return {"mode": mode, "articles": summary.processed, "seconds": wall, "cpu": cpu, "fingerprint": fingerprint}


def _sharded(n: int, store, selection, versions: dict, results: Path) -> dict:
    """Route + copy, N shard writers in parallel (each a fresh process replaying its
    articles), merge: the parts timed apart."""
    import shutil as _shutil

    from pipeline.batch.shards import prepare_shards, shard_dir
    from pipeline.store.merge import merge_shards

    cpu0, t0 = time.process_time(), time.perf_counter()
    paths = prepare_shards(store, selection, n, versions)
    copy = time.perf_counter() - t0
    procs = [subprocess.Popen([sys.executable, __file__, "--one-shard", str(p), str(results)], stdout=subprocess.PIPE,
                              text=True, env={**os.environ}) for p in paths]
    shards = []
    for proc in procs:
        out, _ = proc.communicate()
        if proc.returncode != 0:
            raise SystemExit(f"shard writer: exit {proc.returncode}")
        shards.append(json.loads(out.strip().splitlines()[-1]))
    t1 = time.perf_counter()
    merged = merge_shards(store, paths)
    merge = time.perf_counter() - t1
    writing = max(s["seconds"] for s in shards)
    cpu = time.process_time() - cpu0 + sum(s["cpu"] for s in shards)
    fingerprint = store.fingerprint()
    store.close()
    _shutil.rmtree(shard_dir(store), ignore_errors=True)
    return {"mode": f"shards-{n}", "articles": merged.merged, "seconds": copy + writing + merge, "cpu": cpu,
            "fingerprint": fingerprint, "copy": copy, "writing": writing, "merge": merge,
            "shard_rates": [s["articles"] / s["seconds"] for s in shards if s["seconds"]]}


def one_shard(path: Path, results: Path) -> dict:
    """One shard writer: replay its articles into the shard store, timed."""
    from pipeline.batch.run import current_versions
    from pipeline.batch.shards import write_shard_store
    from pipeline.store import Store

    replay = _Replay(results)
    store = Store(path)
    versions = current_versions()  # (imports the extractors: not the writer's time)
    cpu0, t0 = time.process_time(), time.perf_counter()
    summary = write_shard_store(store, replay, versions)
    wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    store.close()
    return {"articles": summary.processed + summary.failed, "seconds": wall, "cpu": cpu}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--tree", type=Path, help="another checkout whose writer to time too (e.g. /work/main)")
    parser.add_argument("--shards", type=int, default=0, help="also time N shard writers and their merge")
    parser.add_argument("--one", nargs=3, metavar=("MODE", "DB", "RESULTS"), help=argparse.SUPPRESS)
    parser.add_argument("--one-shard", nargs=2, metavar=("SHARD", "RESULTS"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one_shard:
        print(json.dumps(one_shard(Path(args.one_shard[0]), Path(args.one_shard[1]))))
        return
    if args.one:
        mode, db, results = args.one
        if mode == "main":  # that checkout's pipeline, not this one's
            sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT]
            sys.path.insert(0, os.environ["VNFACTS_TREE"])
        print(json.dumps(one(mode, Path(db), Path(results))))
        return

    import synthetic

    seed = args.seed if args.seed is not None else synthetic.SEED + 11  # not the corpus the other benches use
    base, results = prepare(args.articles, seed)
    modes = ["per-article", "bulk"] + (["main"] if args.tree else []) + ([f"shards-{args.shards}"] if args.shards else [])
    runs: dict[str, list[dict]] = {m: [] for m in modes}
    load = Load(before=loadavg(), after=0.0, by_load=True)  # the writer waits on the disk too
    for r in range(args.rounds):
        for mode in modes:
            db = OUT / f"writer-{mode}.db"
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db}{suffix}").unlink(missing_ok=True)
            shutil.copyfile(base, db)
            shutil.rmtree(f"{db}.shards", ignore_errors=True)
            env = {**os.environ, "PYTHONHASHSEED": "0"}
            if mode == "main":
                env["VNFACTS_TREE"] = str(args.tree.resolve())
            proc = subprocess.Popen([sys.executable, __file__, "--one", mode, str(db), str(results)], env=env,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                    cwd=args.tree if mode == "main" else ROOT)
            with Watch([proc.pid]) as watch:
                stdout, stderr = proc.communicate()
            if proc.returncode != 0:
                raise SystemExit(f"{mode}: {stderr[-2000:]}")
            run = json.loads(stdout.strip().splitlines()[-1])
            run["pss"] = watch.peak
            runs[mode].append(run)
            load.shares.append(min(1.0, run["cpu"] / run["seconds"]))
            print(f"round {r + 1} {mode}: {run['articles'] / run['seconds']:,.0f} articles/s", file=sys.stderr)
    load.after = loadavg()

    import statistics

    def rate(mode: str, how) -> float:
        return how(run["articles"] / run["seconds"] for run in runs[mode])

    rows = []
    for mode in modes:
        rows.append([mode, f"{rate(mode, max):,.0f}", f"{rate(mode, lambda xs: statistics.median(list(xs))):,.0f}",
                     f"{statistics.median(r['seconds'] for r in runs[mode]) / args.articles * 1000:.2f}",
                     mib(max(r["pss"] for r in runs[mode]))])
    med = {m: statistics.median(r["articles"] / r["seconds"] for r in runs[m]) for m in modes}
    same = len({r["fingerprint"] for m in modes if m != "main" for r in runs[m]}) == 1
    same_main = "main" in runs and {r["fingerprint"] for r in runs["main"]} == {runs["bulk"][0]["fingerprint"]}
    notes = [f"bulk / per-article (medians): {med['bulk'] / med['per-article']:.2f}×   (target ≥ 2×; bulk ≥ 600 articles/s)"]
    if "main" in med:
        notes.append(f"bulk / main's writer (medians): {med['bulk'] / med['main']:.2f}×")
    if args.shards:
        mode = f"shards-{args.shards}"

        def part(key: str) -> float:
            return statistics.median(r[key] for r in runs[mode])

        per_shard = statistics.median(x for r in runs[mode] for x in r["shard_rates"])
        notes.append(f"{mode} / bulk (medians): {med[mode] / med['bulk']:.2f}×; its parts (medians): copy into the "
                     f"shards {part('copy'):.1f} s, shard writing {part('writing'):.1f} s (each shard writer "
                     f"{per_shard:,.0f} articles/s), merge {part('merge'):.1f} s "
                     f"({args.articles / part('merge'):,.0f} articles/s: the serial part)")
    notes.append(f"same store in every mode of this checkout and every round: {same}"
                 + (f"; the other checkout's writer makes the same store: {same_main} (its code may store other "
                    "values)" if "main" in runs else ""))
    notes += [machine_line(), load.note()]
    print(table(f"The writer alone: {args.articles:,} synthetic articles, {args.rounds} interleaved rounds, "
                "a fresh process each", ["mode", "best articles/s", "median articles/s", "median ms/article", "peak PSS"],
                rows, notes))


if __name__ == "__main__":
    main()
