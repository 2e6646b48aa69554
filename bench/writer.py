"""The single writer alone: articles/s through ``run_batch``'s writing, extraction left out.

    .venv/bin/python bench/writer.py                          # 2,000 synthetic articles, 5 rounds
    .venv/bin/python bench/writer.py --articles 5000 --tree /work/main   # also main's writer

The synthetic articles (bench/synthetic.py) are extracted once, through the trip
(``pipeline.batch.run.process_article``), and their results kept in bench/out; each
round then replays them into a fresh copy of the registered store, in a fresh process,
through ``run_batch`` (the writer ``vnfacts process`` runs), and times the writing only:

* ``per-article`` — one transaction per article, search index and model reports kept by
  trigger row by row (``--per-article``: what the writer did before the bulk mode);
* ``bulk`` — many articles per transaction, index and reports brought up to date once at
  the end (``--bulk``, the default), the end included in the time;
* ``main`` (with ``--tree DIR``) — the same replay through another checkout's writer.

Modes alternate within each round (A B C A B C …); min and median over rounds are shown.
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

from common import OUT, ROOT, Load, loadavg, machine_line, table  # noqa: E402  (sets sys.path)


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


def one(mode: str, db: Path, results: Path) -> dict:
    """One round of one mode, in this (fresh) process."""
    from pipeline.batch.run import InlineExecutor, current_versions, run_batch, select_stale
    from pipeline.store import Store

    replay = pickle.loads(results.read_bytes())
    if mode == "main":
        _as_main_made_it(db)

    class Replay(InlineExecutor):
        name = "replay"

        def map(self, fn, units):
            by_id = {r.article_id: r for r in replay}
            for unit in units:
                yield by_id[unit.article_id]

    store = Store(db)
    versions = current_versions()
    selection = select_stale(store, versions)
    kwargs = {} if mode == "main" else {"bulk": mode == "bulk"}
    cpu0, t0 = time.process_time(), time.perf_counter()
    summary = run_batch(store, selection, Replay(), versions, **kwargs)
    wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    fingerprint = store.fingerprint()
    store.close()
    return {"mode": mode, "articles": summary.processed, "seconds": wall, "cpu": cpu, "fingerprint": fingerprint}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--tree", type=Path, help="another checkout whose writer to time too (e.g. /work/main)")
    parser.add_argument("--one", nargs=3, metavar=("MODE", "DB", "RESULTS"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
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
    modes = ["per-article", "bulk"] + (["main"] if args.tree else [])
    runs: dict[str, list[dict]] = {m: [] for m in modes}
    load = Load(before=loadavg(), after=0.0, by_load=True)  # the writer waits on the disk too
    for r in range(args.rounds):
        for mode in modes:
            db = OUT / f"writer-{mode}.db"
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db}{suffix}").unlink(missing_ok=True)
            shutil.copyfile(base, db)
            env = {**os.environ, "PYTHONHASHSEED": "0"}
            if mode == "main":
                env["VNFACTS_TREE"] = str(args.tree.resolve())
            out = subprocess.run([sys.executable, __file__, "--one", mode, str(db), str(results)], env=env,
                                 capture_output=True, text=True, cwd=args.tree if mode == "main" else ROOT)
            if out.returncode != 0:
                raise SystemExit(f"{mode}: {out.stderr[-2000:]}")
            run = json.loads(out.stdout.strip().splitlines()[-1])
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
                     f"{statistics.median(r['seconds'] for r in runs[mode]) / args.articles * 1000:.2f}"])
    med = {m: statistics.median(r["articles"] / r["seconds"] for r in runs[m]) for m in modes}
    same = len({r["fingerprint"] for m in ("per-article", "bulk") for r in runs[m]}) == 1
    same_main = "main" in runs and {r["fingerprint"] for r in runs["main"]} == {runs["bulk"][0]["fingerprint"]}
    notes = [f"bulk / per-article (medians): {med['bulk'] / med['per-article']:.2f}×   (target ≥ 2×; bulk ≥ 600 articles/s)"]
    if "main" in med:
        notes.append(f"bulk / main's writer (medians): {med['bulk'] / med['main']:.2f}×")
    notes.append(f"same store in both modes and every round: {same}"
                 + (f"; the other checkout's writer makes the same store: {same_main} (its code may store other "
                    "values)" if "main" in runs else ""))
    notes += [machine_line(), load.note()]
    print(table(f"The writer alone: {args.articles:,} synthetic articles, {args.rounds} interleaved rounds, "
                "a fresh process each", ["mode", "best articles/s", "median articles/s", "median ms/article"],
                rows, notes))


if __name__ == "__main__":
    main()
