"""Measure ``vnfacts process`` at scale, in one run.

    .venv/bin/python bench/batch.py                   # 10,000 synthetic articles (~15 min on 2 cores)
    .venv/bin/python bench/batch.py --articles 1000   # a quick run

On a deterministic synthetic corpus (bench/synthetic.py, registered raw in a
store), it measures:

* throughput, articles/s, of a full ``process`` run with 1 worker (extraction in
  the writer's process) and with 2 worker processes, each on a fresh copy of the
  store, worker start-up included; the two runs must make the same store
  (fingerprint);
* underthesea's ``ner()`` path on a sample of the same articles: clean, split
  into sentences, ``ner()`` sentence by sentence (what a pipeline built on
  underthesea's NER would run), and our throughput as a multiple of it;
* peak memory: the largest sum of the resident sizes of this process and all its
  children (sampled every 0.1 s), and ``getrusage`` maxima (self, children);
* the second, no-op run: the real command line, its wall time, the skip rate of
  the stale-article query, and whether the database file changed at all;
* the store's size (and per article);
* the latency of the models-by-province and verify queries on that store, through
  ``pipeline.query.models_by_province`` and ``pipeline.verify.verify`` when those
  modules exist, else through equivalent SQL.

Prints a table and writes bench/out/batch-<N>.json.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import psutil  # noqa: E402  (a dependency of dask.distributed)
import synthetic  # noqa: E402

from pipeline.batch.run import current_versions, make_executor, run_batch, select_stale  # noqa: E402
from pipeline.store import Store  # noqa: E402

OUT = ROOT / "bench" / "out"


class PeakMemory:
    """Largest RSS of this process plus all its descendants, sampled in a thread."""

    def __init__(self, interval: float = 0.1):
        self.interval = interval
        self.peak = 0
        self.peak_processes = 0
        self._stop = threading.Event()
        self.child_cpu: dict[int, float] = {}  # last CPU seconds seen of each child

    def _sample(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            total, n = 0, 0
            for p in [me, *me.children(recursive=True)]:
                try:
                    total += p.memory_info().rss
                    n += 1
                    if p.pid != me.pid:
                        t = p.cpu_times()
                        self.child_cpu[p.pid] = t.user + t.system
                except psutil.Error:
                    pass
            if total > self.peak:
                self.peak, self.peak_processes = total, n
            self._stop.wait(self.interval)

    def cpu_seconds(self) -> float:
        """CPU time of this process (since __enter__) and of the children seen."""
        t = psutil.Process().cpu_times()
        return t.user + t.system - self._self_cpu + sum(self.child_cpu.values())

    def __enter__(self):
        t = psutil.Process().cpu_times()
        self._self_cpu = t.user + t.system
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def mib(n: float) -> str:
    return f"{n / 2**20:,.0f} MiB"


def file_sha(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def checkpoint(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def copy_store(src: Path, dst: Path) -> Path:
    for suffix in ("", "-wal", "-shm"):
        Path(str(dst) + suffix).unlink(missing_ok=True)
    checkpoint(src)
    shutil.copyfile(src, dst)
    return dst


def base_store(n: int, seed: int) -> Path:
    path = OUT / f"synthetic-{n}-{seed}.db"
    if path.exists():
        return path
    started = time.perf_counter()
    tmp = path.with_suffix(".tmp.db")
    for suffix in ("", "-wal", "-shm"):
        Path(str(tmp) + suffix).unlink(missing_ok=True)
    store = Store(tmp)
    synthetic.fill_store(store, n, seed)
    store.close()
    checkpoint(tmp)
    tmp.rename(path)
    for suffix in ("-wal", "-shm"):
        Path(str(tmp) + suffix).unlink(missing_ok=True)
    print(f"generated {n:,} synthetic articles in {time.perf_counter() - started:.0f} s -> {path}", flush=True)
    return path


def timed_process(path: Path, workers: int) -> dict:
    store = Store(path)
    versions = current_versions()
    selection = select_stale(store, versions)
    with PeakMemory() as memory:
        started = time.perf_counter()
        executor = make_executor("local", workers)
        try:
            summary = run_batch(store, selection, executor, versions)
        finally:
            executor.close()
        seconds = time.perf_counter() - started
        cpu = memory.cpu_seconds()
    store.close()
    assert summary.failed == 0, summary.failures[:5]
    return {
        "workers": workers, "articles": summary.processed, "seconds": seconds,
        "rate": summary.processed / seconds, "extract_cpu_seconds": summary.extract_seconds,
        "peak_rss": memory.peak, "peak_processes": memory.peak_processes,
        "cpu_seconds": cpu, "cores_used": cpu / seconds, "cpu_ms_per_article": cpu / max(summary.processed, 1) * 1000,
        "facts": dict(summary.facts),
    }


def noop_run(path: Path) -> dict:
    checkpoint(path)
    before = file_sha(path)
    store = Store(path)
    selection = select_stale(store, current_versions())
    store.close()
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "pipeline", "process", "--db", str(path), "--workers", "2"],
                            capture_output=True, text=True, cwd=ROOT)
    wall = time.perf_counter() - started
    assert result.returncode == 0, result.stderr
    checkpoint(path)
    return {
        "selected": len(selection.items), "skipped": selection.skipped, "select_seconds": selection.seconds,
        "skip_rate": selection.skipped / selection.seconds if selection.seconds else float("inf"),
        "cli_wall_seconds": wall, "file_unchanged": file_sha(path) == before,
    }


def store_size(path: Path) -> dict:
    checkpoint(path)
    with sqlite3.connect(path) as conn:
        articles = conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
        raw = conn.execute("SELECT SUM(LENGTH(raw)), SUM(LENGTH(text)) FROM articles").fetchone()
        rows = {t: conn.execute(f"SELECT COUNT(*) FROM [{t}]").fetchone()[0]
                for t in ("sentences", "models", "counts", "officials", "places", "dates")}
    size = path.stat().st_size
    return {"bytes": size, "per_article": size / max(articles, 1), "raw_compressed": raw[0], "text": raw[1], "rows": rows}


def latency(fn, args_list: list, repeat: int = 1) -> dict:
    times = []
    for args in args_list:
        for _ in range(repeat):
            started = time.perf_counter()
            fn(*args)
            times.append(time.perf_counter() - started)
    times.sort()
    return {"n": len(times), "median_ms": statistics.median(times) * 1000,
            "p95_ms": times[min(len(times) - 1, int(len(times) * 0.95))] * 1000, "max_ms": times[-1] * 1000}


_MODELS_SQL = """
SELECT COALESCE(g.province, a.main_province) AS province, m.canonical, COUNT(DISTINCT m.article_id) AS articles
FROM models m JOIN articles a ON a.id = m.article_id LEFT JOIN gazetteer_units g ON g.code = m.place_code
WHERE COALESCE(g.province, a.main_province) = ? GROUP BY 1, 2 ORDER BY 3 DESC
"""
_VERIFY_SQL = """
SELECT c.value, c.unit, c.evidence, s.text, a.key, a.published FROM counts c
JOIN articles a ON a.id = c.article_id JOIN sentences s ON s.id = c.sentence_id
LEFT JOIN gazetteer_units g ON g.code = c.place_code
WHERE c.value = ? AND COALESCE(g.province, a.main_province) = ?
"""


def queries(path: Path) -> dict:
    """Latency of the two questions journalists ask, on the benchmark store."""
    with sqlite3.connect(path) as conn:
        provinces = [r[0] for r in conn.execute(
            "SELECT main_province, COUNT(*) FROM articles WHERE main_province IS NOT NULL "
            "GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 20")]
        claims = conn.execute(
            "SELECT a.main_province, c.figure, c.unit, c.value FROM counts c JOIN articles a ON a.id = c.article_id "
            "WHERE a.main_province IS NOT NULL AND c.unit IS NOT NULL AND c.value >= 10 ORDER BY c.id LIMIT 20").fetchall()
    out = {}
    sql_conn = sqlite3.connect(path)
    out["models_by_province_sql"] = {"via": "SQL (bench/batch.py)", **latency(
        lambda p: sql_conn.execute(_MODELS_SQL, [p]).fetchall(), [(p,) for p in provinces])}
    out["verify_sql"] = {"via": "SQL (bench/batch.py)", **latency(
        lambda v, p: sql_conn.execute(_VERIFY_SQL, [v, p]).fetchall(), [(value, province) for province, _, _, value in claims])}
    try:  # the real commands' functions, when their modules exist
        from pipeline.query import queries as query
    except ImportError:
        return out
    conn = query.connect(path)
    out["models_by_province"] = {"via": "pipeline.query.queries.models_by_province",
                                 **latency(lambda p: query.models_by_province(conn, p), [(p,) for p in provinces])}
    found = sum(1 for p in provinces[:5] if query.models_by_province(conn, p))
    out["models_by_province"]["note"] = f"{found}/5 provinces with models"
    try:
        from pipeline.query.verify import verify
    except ImportError:
        return out
    text = [(f"{province} có {figure} {unit}",) for province, figure, unit, _ in claims]
    try:
        out["verify"] = {"via": "pipeline.query.verify.verify", **latency(lambda c: verify(conn, c), text)}
        supported = sum(1 for (c,) in text if verify(conn, c).supported)
        out["verify"]["note"] = f"{supported}/{len(text)} claims supported"
    except Exception as exc:  # noqa: BLE001 - report, do not lose the other figures
        out["verify"] = {"via": "pipeline.query.verify.verify", "error": f"{type(exc).__name__}: {exc}"}
    return out


def ner_path(n: int, seed: int) -> dict:
    """underthesea's ner(), sentence by sentence, on the first ``n`` articles of the corpus."""
    from underthesea import ner

    from pipeline.read.clean import clean
    from pipeline.nlp.segment import split_sentences

    ner("Công an tỉnh Nghệ An.")  # load the model outside the timing
    sentences = 0
    started = time.perf_counter()
    for a in synthetic.generate(n, seed):
        text = clean(a.raw).text
        for s, e in split_sentences(text):
            ner(text[s:e])
            sentences += 1
    seconds = time.perf_counter() - started
    return {"articles": n, "sentences": sentences, "seconds": seconds, "rate": n / seconds}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=synthetic.SEED)
    parser.add_argument("--ner-sample", type=int, default=30, help="articles run through underthesea's ner()")
    args = parser.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    load_before = os.getloadavg()
    base = base_store(args.articles, args.seed)
    results: dict = {"articles": args.articles, "seed": args.seed, "cpus": os.cpu_count(),
                     "loadavg_before": load_before}

    runs = {}
    for workers in (1, 2):
        path = copy_store(base, OUT / f"run-{workers}w.db")
        print(f"process, {workers} worker(s), {args.articles:,} articles …", flush=True)
        runs[workers] = timed_process(path, workers)
        runs[workers]["loadavg_after"] = os.getloadavg()
        print(f"  {runs[workers]['rate']:.1f} articles/s, {runs[workers]['seconds']:.0f} s", flush=True)
    results["runs"] = runs
    stores = {w: Store(OUT / f"run-{w}w.db") for w in runs}
    results["same_store_1_and_2_workers"] = stores[1].fingerprint() == stores[2].fingerprint()
    one_fp, two_fp = stores[1].article_fingerprints(), stores[2].article_fingerprints()
    results["articles_differing_1_and_2_workers"] = sorted(k for k in one_fp if one_fp[k] != two_fp.get(k))
    for s in stores.values():
        s.close()
    two = OUT / "run-2w.db"
    print("second, no-op run …", flush=True)
    results["noop"] = noop_run(two)
    results["size"] = store_size(two)
    print("queries …", flush=True)
    results["queries"] = queries(two)
    print(f"underthesea ner() on {args.ner_sample} articles …", flush=True)
    results["ner"] = ner_path(args.ner_sample, args.seed)
    usage_self = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    usage_children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    results["rusage_maxrss"] = {"self": usage_self, "children": usage_children}
    results["loadavg_after"] = os.getloadavg()
    (OUT / f"batch-{args.articles}.json").write_text(json.dumps(results, indent=2, default=str))
    report(results)


def report(r: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    one, two, ner = r["runs"][1], r["runs"][2], r["ner"]
    speedup = two["rate"] / one["rate"]
    table = Table(title=f"vnfacts process: {r['articles']:,} synthetic articles, {r['cpus']} CPUs")
    for col in ("measure", "figure", "target"):
        table.add_column(col, justify="left" if col == "measure" else "right")
    for label, run in (("1 worker (in-process)", one), ("2 workers", two)):
        table.add_row(label, f"{run['rate']:,.1f} articles/s ({run['seconds']:,.0f} s; {run['cores_used']:.2f} cores busy, "
                      f"{run['cpu_ms_per_article']:.1f} CPU ms/article)", "")
    table.add_row("2 workers / 1 worker", f"{speedup:.2f}×", "≥ 1.7×")
    differing = r["articles_differing_1_and_2_workers"]
    table.add_row("same store with 1 and 2 workers", str(r["same_store_1_and_2_workers"]) + (
        f" ({len(differing)} of {r['articles']:,} articles differ: {', '.join(differing[:3])}…)" if differing else ""),
        "True")
    table.add_row("underthesea ner() path", f"{ner['rate']:,.2f} articles/s ({ner['articles']} articles, "
                  f"{ner['sentences']} sentences)", "")
    table.add_row("1 worker / ner()", f"{one['rate'] / ner['rate']:,.0f}×", "≥ 30×")
    table.add_row("2 workers / ner()", f"{two['rate'] / ner['rate']:,.0f}×", "")
    table.add_row("peak memory, 1 worker (all processes)", mib(one["peak_rss"]), "< 1.5 GB")
    table.add_row("peak memory, 2 workers (all processes)",
                  f"{mib(two['peak_rss'])} in {two['peak_processes']} processes", "< 1.5 GB")
    ru = r["rusage_maxrss"]
    table.add_row("getrusage maxrss self / largest child", f"{mib(ru['self'])} / {mib(ru['children'])}", "")
    noop = r["noop"]
    table.add_row("no-op run: skip rate of the stale query",
                  f"{noop['skipped']:,} skipped in {noop['select_seconds'] * 1000:,.0f} ms = {noop['skip_rate']:,.0f}/s",
                  "thousands/s")
    table.add_row("no-op run: `vnfacts process` wall time", f"{noop['cli_wall_seconds']:.1f} s "
                  f"({noop['skipped'] / noop['cli_wall_seconds']:,.0f} articles/s incl. start-up)", "")
    table.add_row("no-op run: database file unchanged", str(noop["file_unchanged"]), "True")
    size = r["size"]
    table.add_row("store size", f"{mib(size['bytes'])} ({size['per_article'] / 1024:,.1f} KiB/article)", "")
    table.add_row("  rows", ", ".join(f"{k} {v:,}" for k, v in size["rows"].items()), "")
    for name, q in r["queries"].items():
        if "error" in q:
            table.add_row(f"{name} query", q["error"], "< 100 ms")
            continue
        extra = q.get("note", "")
        table.add_row(f"{name} query ({q['via']})",
                      f"median {q['median_ms']:.1f} ms, p95 {q['p95_ms']:.1f} ms, max {q['max_ms']:.1f} ms"
                      + (f" [{extra}]" if extra else ""), "< 100 ms")
    table.add_row("load average before / after", f"{r['loadavg_before'][0]:.2f} / {r['loadavg_after'][0]:.2f}", "")
    Console(width=160).print(table)


if __name__ == "__main__":
    main()
