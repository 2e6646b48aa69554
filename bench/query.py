"""Whole-process time of the query commands on a 10,000-article store, against
bare interpreter start-up (``python -c pass``) run interleaved in the same rounds.

    .venv/bin/python bench/query.py                  # 10,000 articles, 9 rounds
    .venv/bin/python bench/query.py --rounds 15

The store is built once and cached: ``bench/synthetic.py --db bench/out/query-10k.db
--articles 10000`` then ``vnfacts process`` (a few minutes on 2 cores); a later
run only checks that it is up to date (``process`` skips every article).

Each round runs the baseline and every command once, in an order that rotates
from round to round, as a user would: a new process, the real ``vnfacts`` entry
point, output to a pipe through a terminal-sized Rich console (``FORCE_COLOR``,
``COLUMNS``/``LINES``: what fits a 120×40 screen).  Per command: min and
median wall time, and the time beyond start-up (the command's min and median
minus the baseline's).  The bar: ≤ 0.5 s beyond start-up.  The machine's load
average is printed with the table (machines are shared: read medians with it).
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
BAR_SECONDS = 0.5

# (label, arguments after `vnfacts`); the claims: one typed without diacritics with
# no support, one with 1,500 supports in the 10k store, magnitude words, a province.
COMMANDS: list[tuple[str, list[str]]] = [
    ("vnfacts models", ["models"]),
    ("vnfacts models -p 'thanh hoa'", ["models", "--province", "thanh hoa"]),
    ("vnfacts officials", ["officials"]),
    ("vnfacts officials nguyen", ["officials", "nguyen"]),
    ("vnfacts verify 'Thanh Hoa co 910 mo hinh'", ["verify", "Thanh Hoa co 910 mo hinh"]),
    ("vnfacts verify '13/13 khu dân cư'", ["verify", "13/13 khu dân cư"]),
    ("vnfacts verify '500 triệu đồng' -p 'nghe an'", ["verify", "500 triệu đồng", "--province", "nghe an"]),
]


def _vnfacts() -> list[str]:
    script = Path(sys.executable).with_name("vnfacts")
    return [str(script)] if script.exists() else [sys.executable, "-m", "pipeline"]


def ensure_store(db: Path, articles: int) -> None:
    """Build the synthetic store once; afterwards only make sure nothing is stale."""
    if not db.exists():
        db.parent.mkdir(parents=True, exist_ok=True)
        print(f"building {db} ({articles:,} synthetic articles, then `vnfacts process`) …", file=sys.stderr)
        subprocess.run([sys.executable, str(ROOT / "bench" / "synthetic.py"), "--db", str(db),
                        "--articles", str(articles)], check=True, cwd=ROOT)
    # idempotent: skips every up-to-date article (and brings an older store's schema up to date)
    done = subprocess.run([*_vnfacts(), "process", "--db", str(db), "--workers", str(min(2, os.cpu_count() or 1)),
                           "--no-progress"], cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"vnfacts process failed:\n{done.stdout}\n{done.stderr}")
    n = sqlite3.connect(f"file:{db}?mode=ro", uri=True).execute("SELECT COUNT(*) FROM articles").fetchone()[0]
    if n < articles:
        sys.exit(f"{db} has {n} articles, not {articles}: remove it to rebuild")


def _time(argv: list[str], env: dict[str, str]) -> tuple[float, int]:
    start = time.perf_counter()
    done = subprocess.run(argv, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return time.perf_counter() - start, done.returncode


def run(db: Path, rounds: int) -> dict[str, list[float]]:
    env = {**os.environ, "FORCE_COLOR": "1", "COLUMNS": "120", "LINES": "40", "VNFACTS_DB": str(db)}
    jobs = [("python -c pass (baseline)", [sys.executable, "-c", "pass"]),
            ("vnfacts --help", [*_vnfacts(), "--help"])]
    jobs += [(label, [*_vnfacts(), *args]) for label, args in COMMANDS]
    for label, argv in jobs:                       # warm the page cache, check every command works
        _, code = _time(argv, env)
        if code not in (0, 1):                     # verify: 1 is "no support", a valid answer
            sys.exit(f"{label}: exit code {code}")
    times: dict[str, list[float]] = {label: [] for label, _ in jobs}
    for r in range(rounds):
        shift = r % len(jobs)
        for label, argv in jobs[shift:] + jobs[:shift]:
            times[label].append(_time(argv, env)[0])
    return times


def report(times: dict[str, list[float]], db: Path, load_before, load_after) -> bool:
    base = times["python -c pass (baseline)"]
    base_min, base_med = min(base), statistics.median(base)
    articles = sqlite3.connect(f"file:{db}?mode=ro", uri=True).execute("SELECT COUNT(*) FROM articles").fetchone()[0]
    rounds = len(base)
    print(f"\nQuery commands, whole process, {articles:,}-article store ({db.name}), {rounds} interleaved rounds; "
          f"{os.cpu_count()} CPUs; load average {load_before[0]:.2f} {load_before[1]:.2f} {load_before[2]:.2f} "
          f"before, {load_after[0]:.2f} {load_after[1]:.2f} {load_after[2]:.2f} after\n")
    print("| command | min s | median s | beyond start-up, min s | beyond start-up, median s | ≤ 0.5 s |")
    print("|---|---:|---:|---:|---:|:---:|")
    ok = True
    for label, values in times.items():
        low, med = min(values), statistics.median(values)
        if label.startswith("python"):
            print(f"| `{label}` | {low:.3f} | {med:.3f} | — | — | |")
            continue
        beyond_min, beyond_med = low - base_min, med - base_med
        passes = beyond_med <= BAR_SECONDS
        query = label.startswith(("vnfacts models", "vnfacts officials", "vnfacts verify"))
        ok &= passes or not query
        print(f"| `{label}` | {low:.3f} | {med:.3f} | {beyond_min:.3f} | {beyond_med:.3f} | "
              f"{('yes' if passes else 'NO') if query else '(start-up)'} |")
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--db", type=Path, default=None, help="default: bench/out/query-<N>.db")
    args = parser.parse_args()
    db = args.db or OUT / f"query-{args.articles // 1000}k.db"
    ensure_store(db, args.articles)
    load_before = os.getloadavg()
    times = run(db, args.rounds)
    ok = report(times, db, load_before, os.getloadavg())
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
