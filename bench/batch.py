"""``vnfacts process`` at scale, as users run it, in one run.

    .venv/bin/python bench/batch.py --articles 1000          # a quick run (~2 min)
    .venv/bin/python bench/batch.py --articles 100000        # the national-scale run (hours on 2 shared cores)
    .venv/bin/python bench/batch.py --articles 10000 --configs 1,2   # some configurations only
    .venv/bin/python bench/batch.py --articles 20000 --configs 2,shards-2,2,shards-2   # shards vs the single writer, ABAB

A deterministic synthetic corpus (bench/synthetic.py) is registered raw in a store
(kept in bench/out); then each configuration runs the real command on a fresh copy:

* ``1`` — ``vnfacts process --workers 1`` (extraction in the writer's process);
* ``2`` — ``vnfacts process --workers 2``;
* ``dask`` — ``vnfacts process --executor dask`` on a Dask LocalCluster of 2
  single-threaded worker processes started here;
* ``1-per-article`` (not by default) — ``--workers 1 --per-article``, the writer of before;
* ``shards-N`` (not by default) — ``vnfacts process --shards N``: N writer processes, each
  extracting and writing its shard store, then the merge into the store (the command's
  process: its CPU is the serial part, the shard writers' the parallel one).

For each: whole-command wall time (start-up included) and the command's own time
(its summary: selection excluded), articles/s of both, CPU seconds per article over
every process involved, peak PSS summed over those processes (``/proc/PID/smaps_rollup``:
pages shared by forked workers count once), and the other load on the machine
(load average minus the cores the run kept busy).  A ratio between configurations
is flagged unreadable when the other load took cores the faster one needed.

Baselines in the same run, interleaved with the configurations (before each and after
the last): underthesea's ``ner()`` and bare ``word_tokenize`` on the sentences of a
sample of articles no configuration reads, caches emptied; the median is used.

After the runs: the stores must be equal (fingerprint); the no-op rerun as a whole
command (start-up included) and its skip query alone, and whether the file changed; the
store's size per article; query latency (library calls and whole commands).

Prints one table and writes bench/out/batch-<N>.json.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

from common import OUT, ROOT, Watch, clear_caches, loadavg, machine_line, mib, table  # noqa: E402

import synthetic  # noqa: E402


def vnfacts() -> list[str]:
    script = Path(sys.executable).with_name("vnfacts")
    return [str(script)] if script.exists() else [sys.executable, "-m", "pipeline"]


def checkpoint(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def copy_store(src: Path, dst: Path) -> Path:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{dst}{suffix}").unlink(missing_ok=True)
    checkpoint(src)
    shutil.copyfile(src, dst)
    return dst


def base_store(n: int, seed: int) -> Path:
    from pipeline.store import Store

    path = OUT / f"synthetic-{n}-{seed}.db"
    if path.exists():
        return path
    started = time.perf_counter()
    tmp = path.with_suffix(".tmp.db")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{tmp}{suffix}").unlink(missing_ok=True)
    store = Store(tmp)
    for start in range(0, n, 5000):  # a transaction per 5,000: a long generation keeps its progress visible
        synthetic.fill_store(store, min(5000, n - start), seed, start=start)
        print(f"  registered {start + min(5000, n - start):,} / {n:,}", file=sys.stderr, flush=True)
    store.close()
    checkpoint(tmp)
    tmp.rename(path)
    for suffix in ("-wal", "-shm"):
        Path(f"{tmp}{suffix}").unlink(missing_ok=True)
    print(f"generated {n:,} synthetic articles in {time.perf_counter() - started:.0f} s -> {path}", file=sys.stderr)
    return path


_SUMMARY_TIME = re.compile(r"│\s*time\s*│\s*([\d,.]+) s")
_PROCESSED = re.compile(r"articles processed\s*│\s*([\d,]+)")


def run_config(config: str, path: Path, cluster=None) -> dict:
    argv = [*vnfacts(), "process", "--db", str(path), "--no-progress"]
    extra_roots: list[int] = []
    if config.startswith("1"):
        argv += ["--workers", "1"] + (["--per-article"] if config.endswith("per-article") else [])
    elif config == "2":
        argv += ["--workers", "2"]
    elif config.startswith("shards-"):
        argv += ["--shards", config.split("-", 1)[1]]
    elif config == "dask":
        argv += ["--executor", "dask", "--scheduler", cluster.scheduler_address]
        extra_roots = [w.process.pid for w in cluster.workers.values()]
    started = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT, text=True,
                            env={**os.environ, "COLUMNS": "200"})
    with Watch([proc.pid, *extra_roots]) as watch:
        out, err = proc.communicate()
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"{config}: exit {proc.returncode}\n{err[-3000:]}")
    # every process's own CPU time as last sampled (getrusage would count the reaped ones
    # only, some of them twice); at most one interval of each is missed
    cpu = watch.cpu_seconds()
    writer_cpu = watch.cpu.get(proc.pid, 0.0) - watch.cpu_start.get(proc.pid, 0.0)
    own = float(_SUMMARY_TIME.search(out).group(1).replace(",", ""))
    processed = int(_PROCESSED.search(out).group(1).replace(",", ""))
    busy = cpu / wall
    load = statistics.mean(watch.loads) if watch.loads else loadavg()
    return {"config": config, "articles": processed, "wall": wall, "own_seconds": own, "rate_wall": processed / wall,
            "rate_own": processed / own, "cpu_seconds": cpu, "cpu_ms_per_article": cpu / processed * 1000,
            "writer_cpu_ms_per_article": writer_cpu / processed * 1000,
            "worker_cpu_ms_per_article": (cpu - writer_cpu) / processed * 1000,
            "cores_busy": busy, "peak_pss": watch.peak, "processes": watch.processes,
            "load": load, "other_load": max(0.0, load - busy)}


def baselines(sample: list[tuple[str, bytes]]) -> dict:
    """ner() and word_tokenize over the sentences of ``sample``, caches emptied first."""
    from underthesea import ner, word_tokenize

    from pipeline.nlp.segment import split_sentences
    from pipeline.read.clean import clean

    sentences = []
    for _, raw in sample:
        text = clean(raw).text
        sentences += [text[s:e] for s, e in split_sentences(text)]
    ner("Công an tỉnh Nghệ An.")
    out = {}
    for name, fn in (("ner()", ner), ("word_tokenize", word_tokenize)):
        clear_caches()
        t0 = time.perf_counter()
        for s in sentences:
            fn(s)
        out[name] = len(sample) / (time.perf_counter() - t0)
    return out


def noop(path: Path) -> dict:
    from pipeline.batch.run import current_versions, select_stale
    from pipeline.store import Store

    checkpoint(path)
    h = hashlib.sha256(path.read_bytes()).hexdigest()
    started = time.perf_counter()
    result = subprocess.run([*vnfacts(), "process", "--db", str(path), "--workers", "2", "--no-progress"],
                            capture_output=True, text=True, cwd=ROOT)
    wall = time.perf_counter() - started
    assert result.returncode == 0, result.stderr
    checkpoint(path)
    store = Store(path)
    selection = select_stale(store, current_versions())
    store.close()
    checkpoint(path)
    return {"skipped": selection.skipped, "select_seconds": selection.seconds, "cli_wall": wall,
            "unchanged": hashlib.sha256(path.read_bytes()).hexdigest() == h}


def store_size(path: Path) -> dict:
    checkpoint(path)
    with sqlite3.connect(path) as conn:
        articles = conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
        rows = {t: conn.execute(f"SELECT COUNT(*) FROM [{t}]").fetchone()[0]
                for t in ("sentences", "models", "counts", "officials", "places", "dates")}
    size = path.stat().st_size
    return {"bytes": size, "per_article": size / max(articles, 1), "rows": rows}


def _latency(fn, args_list) -> dict:
    times = []
    for args in args_list:
        t0 = time.perf_counter()
        fn(*args)
        times.append(time.perf_counter() - t0)
    return {"median_ms": statistics.median(times) * 1000, "max_ms": max(times) * 1000, "n": len(times)}


def queries(path: Path) -> dict:
    """Latency of the questions users ask, as library calls and as whole commands."""
    from pipeline.query import queries as query
    from pipeline.query.verify import verify

    with sqlite3.connect(path) as conn:
        provinces = [r[0] for r in conn.execute(
            "SELECT main_province, COUNT(*) FROM articles WHERE main_province IS NOT NULL "
            "GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 10")]
        claims = [f"{p} có {f} {u}" for p, f, u in conn.execute(
            "SELECT a.main_province, c.figure, c.unit FROM counts c JOIN articles a ON a.id = c.article_id "
            "WHERE a.main_province IS NOT NULL AND c.unit IS NOT NULL AND c.value >= 10 ORDER BY c.id LIMIT 10")]
    conn = query.connect(path)
    out = {"models_by_province (library)": _latency(lambda p: query.models_by_province(conn, p), [(p,) for p in provinces]),
           "verify (library)": _latency(lambda c: verify(conn, c), [(c,) for c in claims])}
    supported = sum(1 for c in claims if verify(conn, c).supported)
    out["verify (library)"]["note"] = f"{supported}/{len(claims)} supported"
    conn.close()

    def command(*args: str) -> None:
        subprocess.run([*vnfacts(), *args, "--db", str(path)], capture_output=True, cwd=ROOT)

    out["vnfacts models --province P (command)"] = _latency(lambda p: command("models", "--province", p),
                                                             [(p,) for p in provinces[:3]])
    out["vnfacts verify CLAIM (command)"] = _latency(lambda c: command("verify", c), [(c,) for c in claims[:3]])
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=synthetic.SEED)
    parser.add_argument("--configs", default="1,2,dask",
                        help="comma-separated: 1, 2, dask, 1-per-article, shards-N; a repeated one runs again "
                             "(interleaved: 2,shards-2,2,shards-2)")
    parser.add_argument("--sample", type=int, default=8, help="articles per baseline run (ner(), word_tokenize)")
    args = parser.parse_args(argv)
    configs = [c.strip() for c in args.configs.split(",") if c.strip()]
    seen: dict[str, int] = {}
    for i, c in enumerate(configs):  # "2", "shards-2", "2 #2", "shards-2 #2": one name per run
        seen[c] = seen.get(c, 0) + 1
        configs[i] = c if seen[c] == 1 else f"{c} #{seen[c]}"
    OUT.mkdir(parents=True, exist_ok=True)
    results: dict = {"articles": args.articles, "seed": args.seed, "cpus": os.cpu_count(), "load_start": loadavg()}
    base = base_store(args.articles, args.seed)
    # baseline samples: articles after the corpus, a new sample each time
    samples = [[(a.doc, a.raw) for a in synthetic.generate(args.sample, args.seed, start=args.articles + i * args.sample)]
               for i in range(len(configs) + 1)]
    runs, base_runs = {}, [baselines(samples[0])]
    cluster = None
    try:
        for i, config in enumerate(configs):
            path = copy_store(base, OUT / f"run-{config.replace(' #', '-')}.db")
            if config == "dask" and cluster is None:
                from dask.distributed import LocalCluster

                import logging

                os.environ.setdefault("PYTHONHASHSEED", "0")
                cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0",
                                       silence_logs=logging.ERROR)
            print(f"process: {config}, {args.articles:,} articles … (load {loadavg():.2f})", file=sys.stderr, flush=True)
            runs[config] = run_config(config.split(" #")[0], path, cluster)
            print(f"  {runs[config]['rate_wall']:,.1f} articles/s", file=sys.stderr, flush=True)
            base_runs.append(baselines(samples[i + 1]))
            partial = {**results, "runs": runs, "baselines": base_runs}  # kept as it goes: a long run may die
            (OUT / f"batch-{args.articles}.partial.json").write_text(json.dumps(partial, indent=2, default=str))
    finally:
        if cluster is not None:
            cluster.close()
    results["runs"], results["baselines"] = runs, base_runs
    from pipeline.store import Store

    prints = {}
    for config in runs:
        store = Store(OUT / f"run-{config.replace(' #', '-')}.db")
        prints[config] = store.fingerprint()
        store.close()
    results["same_store"] = len(set(prints.values())) == 1
    last = OUT / f"run-{configs[-1].replace(' #', '-')}.db"
    results["noop"] = noop(last)
    results["size"] = store_size(last)
    results["queries"] = queries(last)
    results["load_end"] = loadavg()
    (OUT / f"batch-{args.articles}.json").write_text(json.dumps(results, indent=2, default=str))
    print(report(results))


def report(r: dict) -> str:
    ner = statistics.median(b["ner()"] for b in r["baselines"])
    wt = statistics.median(b["word_tokenize"] for b in r["baselines"])
    rows = []
    for config, run in r["runs"].items():
        rows.append([f"process, {config}", f"{run['rate_wall']:,.1f}", f"{run['rate_own']:,.1f}",
                     f"{run['cpu_ms_per_article']:.1f}", f"{run['cores_busy']:.2f}",
                     f"{mib(run['peak_pss'])} ({run['processes']} proc.)", f"{run['other_load']:.2f}"])
    rows.append(["underthesea ner(), median", f"{ner:,.2f}", "", "", "", "", ""])
    rows.append(["underthesea word_tokenize, median", f"{wt:,.1f}", "", "", "", "", ""])
    notes = []
    runs = r["runs"]
    cpus = r["cpus"]
    for config, run in runs.items():
        notes.append(f"{config}: {run['rate_own'] / ner:,.0f}× ner(), {run['rate_own'] / wt:.2f}× word_tokenize "
                     f"(its own time, per run; baselines single-core)")
    by_config: dict[str, list[float]] = {}
    for config, run in runs.items():
        by_config.setdefault(_base(config), []).append(run["rate_wall"])
    for config in by_config:
        if config.startswith("shards-") and "2" in by_config:
            ratio = statistics.median(by_config[config]) / statistics.median(by_config["2"])
            notes.append(f"{config} / 2 workers, single writer (medians of whole commands, "
                         f"{len(by_config[config])} + {len(by_config['2'])} interleaved runs): {ratio:.2f}×")
    if "1" in runs and "2" in runs:
        speedup = runs["2"]["rate_own"] / runs["1"]["rate_own"]
        readable = runs["2"]["other_load"] <= max(0.0, cpus - 2) + 0.5 and runs["1"]["other_load"] <= cpus - 1 + 0.5
        notes.append(f"2 workers / 1 worker: {speedup:.2f}×" + ("" if readable else
                     f"  ** UNREADABLE: other load {runs['2']['other_load']:.2f} took cores the 2 workers needed **"))
    noop = r["noop"]
    notes.append(f"same store in every configuration: {r['same_store']}")
    notes.append(f"no-op rerun: `vnfacts process` {noop['cli_wall']:.2f} s whole command "
                 f"({noop['skipped'] / noop['cli_wall']:,.0f} articles/s with start-up); skip query alone "
                 f"{noop['select_seconds'] * 1000:,.0f} ms ({noop['skipped'] / max(noop['select_seconds'], 1e-9):,.0f}/s); "
                 f"file unchanged: {noop['unchanged']}")
    size = r["size"]
    notes.append(f"store: {mib(size['bytes'])}, {size['per_article'] / 1024:,.1f} KiB per article; rows "
                 + ", ".join(f"{k} {v:,}" for k, v in size["rows"].items()))
    for name, q in r["queries"].items():
        notes.append(f"{name}: median {q['median_ms']:,.1f} ms, max {q['max_ms']:,.1f} ms"
                     + (f" [{q['note']}]" if "note" in q else ""))
    notes.append(f"load average at start {r['load_start']:.2f}, at end {r['load_end']:.2f}; {machine_line()}")
    out = table(f"vnfacts process: {r['articles']:,} synthetic articles",
                ["run", "articles/s (whole command)", "articles/s (its own time)", "CPU ms/article",
                 "cores busy", "peak PSS", "other load"], rows, notes)
    return out + "\n\n" + projection(r)


def _base(config: str) -> str:
    return config.split(" #")[0]


def projection(r: dict) -> str:
    """Worker cores and wall time for 1,000,000 articles, from the measured CPU per article:
    extraction scales with the worker cores, the single writer does not; with shards the
    shard writers (extraction + writing) scale with the cores, the merge does not."""
    import math

    pooled = [run for config, run in r["runs"].items() if _base(config) in ("2", "dask")]
    sharded = [run for config, run in r["runs"].items() if _base(config).startswith("shards-")]
    if not pooled:
        return ""
    extract_ms = min(run["worker_cpu_ms_per_article"] for run in pooled)  # the least disturbed
    writer_ms = min(run["writer_cpu_ms_per_article"] for run in pooled)
    ceiling = 1000 / writer_ms
    if sharded:
        shard_ms = min(run["worker_cpu_ms_per_article"] for run in sharded)  # extraction + shard writing
        merge_ms = min(run["writer_cpu_ms_per_article"] for run in sharded)  # routing, copying, merging
        shard_ceiling = 1000 / merge_ms
    rows = []
    for cores in (2, 4, 8, 16, 32, 64):
        rate = min(cores * 1000 / extract_ms, ceiling)
        row = [cores, f"{rate:,.0f}", f"{1_000_000 / rate / 3600:,.2f} h", "writer" if rate == ceiling else "workers"]
        if sharded:
            # one shard writer per core (at most 8 shards: each adds its cores' worth of extraction)
            srate = min(cores * 1000 / shard_ms, shard_ceiling)
            row += [f"{srate:,.0f}", f"{1_000_000 / srate / 3600:,.2f} h", "merge" if srate == shard_ceiling else "shards"]
        rows.append(row)
    need = math.ceil(1_000_000 * extract_ms / 1000 / 3600)
    notes = [f"measured: extraction {extract_ms:.1f} CPU ms per article in a worker, the single writer "
             f"{writer_ms:.2f} CPU ms per article (its ceiling ~{ceiling:,.0f} articles/s on CPU alone); "
             f"1M in an hour needs {need} worker cores"]
    header = ["worker cores", "articles/s", "wall time", "bound by"]
    if sharded:
        header += ["--shards: articles/s", "wall time", "bound by"]
        notes.append(f"--shards: extraction + shard writing {shard_ms:.1f} CPU ms per article in the shard writers, "
                     f"the serial part (route, copy into the shards, merge) {merge_ms:.2f} CPU ms per article in the "
                     f"command's process (its ceiling ~{shard_ceiling:,.0f} articles/s)")
    return table("1,000,000 articles: worker cores and wall time (from the measured CPU per article)",
                 header, rows, notes)


if __name__ == "__main__":
    main()
