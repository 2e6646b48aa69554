"""A batch worker's memory (PSS) as it reads more and more articles, bounded against unbounded.

    .venv/bin/python bench/memory.py                          # 50,000 articles, PSS every 5,000
    .venv/bin/python bench/memory.py --articles 100000 --every 10000
    .venv/bin/python bench/memory.py --articles 2000 --every 500   # a quick look (~1 min)

Two worker processes, started fresh (not forked: no page is shared through a fork), read
the same unseen synthetic articles (bench/synthetic.py, a seed no other bench uses) through
``pipeline.trip.read``, as a batch worker does, in steps of ``--every`` articles, side by
side (each step asked of both at once, one core each, and the next step only when both are
done), so both meet the same machine load at every step.

* bounded — vnfacts as it is: spaCy's Vocab renewed past ``segment.VOCAB_LIMIT`` strings,
  the segmenter's run-time window caches emptied past ``wordseg._CACHE_LIMIT`` entries;
* baseline — the behaviour before those bounds (issue 11's memory note): one Vocab for the
  whole run, window caches of 200,000 entries.

After each step: each worker's PSS (``/proc/PID/smaps_rollup``), the size of its caches,
its articles/s over the step (time in ``read`` only: generating the articles is left out),
and a digest of every outcome it read: the two workers must give identical outcomes.  At the
end a third, fresh worker reads the last step's articles cold: an article read after all
the others must give what it gives when read first.

Growth per 10,000 articles is reported from 0 (after warm-up) and from the first 10,000
on (once the bounded caches have filled).  Prints one table and writes bench/out/memory-<N>.json.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import time

from common import OUT, ROOT, Load, _proc_cpu, loadavg, machine_line, mib, pss, table  # noqa: E402

import synthetic  # noqa: E402

SEED_OFFSET = 5  # synthetic.SEED + 5: texts no other bench generates
BASELINE = {"vocab_limit": None, "cache_limit": 200_000}  # before the bounds


# --- the worker ------------------------------------------------------------------------------


def _caches() -> dict[str, int]:
    from pipeline.nlp import segment, wordseg

    seg = wordseg.get_segmenter()
    return {"vocab": len(segment._vocab().strings), "tokens": len(seg._unigrams),
            **{f"windows{k}": len(v) for k, v in seg._known.items() if k > 1}}


def worker(mode: str, seed: int) -> None:
    """Read steps asked on stdin (``START COUNT``), answer one JSON line per step."""
    from pipeline.nlp import segment, wordseg
    from pipeline.schema import Source
    from pipeline.trip import read

    if mode == "baseline":
        segment.VOCAB_LIMIT = BASELINE["vocab_limit"]
        wordseg._CACHE_LIMIT = BASELINE["cache_limit"]
    for a in synthetic.generate(20, seed + 1000):  # models and tables loaded, as a warm batch worker
        read(Source(key=a.key, doc=a.doc, raw=a.raw, site=a.site))
    print(json.dumps({"ready": True, "caches": _caches()}), flush=True)
    for line in sys.stdin:
        start, count = map(int, line.split())
        digest, seconds, failed = hashlib.sha256(), 0.0, 0
        for a in synthetic.generate(count, seed, start):
            source = Source(key=a.key, doc=a.doc, raw=a.raw, site=a.site)
            t0 = time.perf_counter()
            outcome = read(source)
            seconds += time.perf_counter() - t0
            failed += not outcome.ok
            digest.update(outcome.model_dump_json().encode())
        print(json.dumps({"seconds": seconds, "digest": digest.hexdigest(), "failed": failed,
                          "caches": _caches()}), flush=True)


class Worker:
    def __init__(self, mode: str, seed: int):
        self.mode = mode
        env = {**os.environ, "PYTHONHASHSEED": "0"}
        self.proc = subprocess.Popen([sys.executable, __file__, "--worker", mode, "--seed", str(seed)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT, env=env)
        self.ready = self._answer()

    def _answer(self) -> dict:
        line = self.proc.stdout.readline()
        if not line:
            raise SystemExit(f"bench/memory.py: the {self.mode} worker ended (exit {self.proc.wait()})")
        return json.loads(line)

    def ask(self, start: int, count: int) -> None:
        self._cpu0, self._t0 = _proc_cpu(self.proc.pid), time.perf_counter()
        self.proc.stdin.write(f"{start} {count}\n")
        self.proc.stdin.flush()

    def answer(self) -> dict:
        out = self._answer()
        wall = time.perf_counter() - self._t0
        out["share"] = min((_proc_cpu(self.proc.pid) - self._cpu0) / wall, 1.0) if wall > 0 else 1.0
        out["pss"] = pss(self.proc.pid)
        return out

    def step(self, start: int, count: int) -> dict:
        self.ask(start, count)
        return self.answer()

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait()


# --- the run ---------------------------------------------------------------------------------


def per_10k(points: list[tuple[int, int]], since: int) -> float:
    """Growth of PSS per 10,000 articles from the point at ``since`` articles to the last one."""
    first = next(((n, p) for n, p in points if n >= since), points[-1])
    last = points[-1]
    return (last[1] - first[1]) / (last[0] - first[0]) * 10_000 if last[0] > first[0] else float("nan")


def run(articles: int, every: int) -> dict:
    seed = synthetic.SEED + SEED_OFFSET
    load = Load(before=loadavg(), after=0.0)
    workers = {mode: Worker(mode, seed) for mode in ("bounded", "baseline")}
    points = {mode: [(0, pss(w.proc.pid))] for mode, w in workers.items()}
    steps = []
    for start in range(0, articles, every):
        count = min(every, articles - start)
        row = {"articles": start + count}
        for w in workers.values():  # side by side: both meet the same load
            w.ask(start, count)
        for mode, w in workers.items():
            out = w.answer()
            out["rate"] = count / out["seconds"]
            load.shares.append(out["share"])
            points[mode].append((start + count, out["pss"]))
            row[mode] = out
        row["identical"] = row["bounded"]["digest"] == row["baseline"]["digest"]
        steps.append(row)
        print(f"  {row['articles']:>7,}  bounded {mib(row['bounded']['pss'])}  baseline {mib(row['baseline']['pss'])}"
              f"  identical {row['identical']}", file=sys.stderr, flush=True)
    for w in workers.values():
        w.close()
    cold = Worker("bounded", seed)  # the last step's articles, read first
    last_start = steps[-1]["articles"] - min(every, articles - (len(steps) - 1) * every)
    cold_digest = cold.step(last_start, steps[-1]["articles"] - last_start)["digest"]
    cold.close()
    load.after = loadavg()
    return {"articles": articles, "every": every, "steps": steps, "points": points, "load": load,
            "ready": {mode: w.ready for mode, w in workers.items()},
            "cold_same": cold_digest == steps[-1]["bounded"]["digest"]}


def _growth(x: float) -> str:
    return "n/a" if x != x else mib(x)  # nan: a run too short for the figure


def report(result: dict) -> str:
    steps = result["steps"]
    rows = [["0 (warm)", mib(result["points"]["baseline"][0][1]), mib(result["points"]["bounded"][0][1]), "", "",
             f"{result['ready']['baseline']['caches']['vocab']:,}", f"{result['ready']['bounded']['caches']['vocab']:,}",
             ""]]
    for s in steps:
        b, v = s["baseline"], s["bounded"]
        rows.append([f"{s['articles']:,}", mib(b["pss"]), mib(v["pss"]), f"{b['rate']:.0f}", f"{v['rate']:.0f}",
                     f"{b['caches']['vocab']:,}", f"{v['caches']['vocab']:,}", "yes" if s["identical"] else "NO"])
    growth = {mode: (per_10k(result["points"][mode], 0), per_10k(result["points"][mode], 10_000))
              for mode in ("baseline", "bounded")}
    rates = {mode: sum(s[mode]["seconds"] for s in steps) for mode in ("baseline", "bounded")}
    n = result["articles"]
    notes = [
        f"Growth of PSS per 10,000 articles, from 0 / from 10,000 to {n:,}: baseline "
        f"{_growth(growth['baseline'][0])} / {_growth(growth['baseline'][1])}, bounded "
        f"{_growth(growth['bounded'][0])} / {_growth(growth['bounded'][1])}.",
        f"Articles/s over the run (time in read): baseline {n / rates['baseline']:.1f}, bounded "
        f"{n / rates['bounded']:.1f} (bounded / baseline {rates['baseline'] / rates['bounded']:.3f}).",
        f"Outcomes identical in every step: {'yes' if all(s['identical'] for s in steps) else 'NO'}; the last step "
        f"read cold by a fresh worker gives the same outcomes: {'yes' if result['cold_same'] else 'NO'}.",
        "PSS of each worker process alone (started fresh, not forked); the two split the pages of the shared "
        "libraries they both map, equally.",
        machine_line() + "; " + result["load"].note(),
    ]
    return table(f"bench/memory.py: PSS of one worker after N unseen synthetic articles (every {result['every']:,})",
                 ["articles", "PSS baseline", "PSS bounded", "art/s baseline", "art/s bounded",
                  "vocab baseline", "vocab bounded", "same outcomes"], rows, notes)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=50_000)
    parser.add_argument("--every", type=int, default=5_000, help="articles per step (PSS printed after each)")
    parser.add_argument("--worker", choices=("bounded", "baseline"), help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, default=synthetic.SEED + SEED_OFFSET, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.worker, args.seed)
        return
    result = run(args.articles, args.every)
    text = report(result)
    print(text)
    OUT.mkdir(parents=True, exist_ok=True)
    result["load"] = result["load"].note()
    (OUT / f"memory-{args.articles}.json").write_text(json.dumps(result, indent=1, default=str))


if __name__ == "__main__":
    main()
