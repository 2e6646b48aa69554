"""Extraction time against length: is every stage linear (issue 8's bar)?

    .venv/bin/python bench/linear.py [--rounds 3] [--max 64]

1, 4, 16 and 64 articles (bench/synthetic.py) joined into one text — as paragraphs
(joined by blank lines) and as ONE paragraph (joined by spaces: no line break at all) —
go through the trip (``pipeline.trip.read``), caches emptied before every run, sizes
interleaved within each round.  The articles are distinct, of the same make: copies of
one article would measure the cleaner dropping repeated paragraphs, not the length.
Linear is the sum of the times of the same articles read one by one (timed in the same
rounds).  Printed per size: the best time, the time per article, and its ratio to
linear; bar ≤ 1.5×.

When a ratio passes the bar, the run at that size is profiled against the one-copy run
and the functions whose own time grew most faster than the input are listed: the
superlinear stage, by file and function.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import time

from common import Load, clear_caches, cpu_seconds, loadavg, machine_line, table  # noqa: E402  (sets sys.path)

BAR = 1.5


def texts(copies: int, one_paragraph: bool, articles: list[str]) -> str:
    bodies = [a.strip() for a in articles[:copies]]
    return (" ".join(" ".join(b.split()) for b in bodies) if one_paragraph else "\n\n".join(bodies)) + "\n"


def run(text: str) -> None:
    from pipeline.schema import Source
    from pipeline.trip import read

    outcome = read(Source(key="linear", doc="linear.txt", raw=text.encode("utf-8")))
    if not outcome.ok:
        raise SystemExit(f"the trip failed: {outcome.reason}")


def grown(small: str, big: str, copies: int, top: int = 6) -> list[tuple[str, float, float]]:
    """Functions whose own time grew most beyond ``copies``× between the two texts."""
    def profile(text: str) -> dict[tuple, float]:
        clear_caches()
        prof = cProfile.Profile()
        prof.runcall(run, text)
        stats = pstats.Stats(prof).stats  # type: ignore[attr-defined]
        return {func: tt for func, (_cc, _nc, tt, _ct, _callers) in stats.items()}

    one, many = profile(small), profile(big)
    rows = []
    for func, tt in many.items():
        base = one.get(func, 0.0)
        excess = tt - copies * base  # seconds beyond linear growth
        rows.append((f"{func[0].rsplit('/', 2)[-1]}:{func[1]} {func[2]}", excess, tt))
    rows.sort(key=lambda r: -r[1])
    return rows[:top]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--max", type=int, default=64)
    args = parser.parse_args(argv)
    import synthetic

    sizes = [k for k in (1, 4, 16, 64, 256) if k <= args.max]
    article = [a.raw.decode("utf-8") for a in synthetic.generate(sizes[-1], synthetic.SEED + 3)]
    run(texts(1, False, article))  # models loaded outside the timing
    best: dict[tuple[bool, int], float] = {}
    single: dict[tuple[bool, int], float] = {}  # each article alone
    load = Load(before=loadavg(), after=0.0)

    def timed(text: str) -> float:
        clear_caches()
        cpu0, t0 = cpu_seconds(), time.perf_counter()
        run(text)
        wall = time.perf_counter() - t0
        load.shares.append(min(1.0, (cpu_seconds() - cpu0) / wall))
        return wall

    for _ in range(args.rounds):
        for one_paragraph in (False, True):
            for i in range(sizes[-1]):
                key = (one_paragraph, i)
                single[key] = min(single.get(key, float("inf")), timed(texts(1, one_paragraph, article[i:])))
            for k in sizes:
                key = (one_paragraph, k)
                best[key] = min(best.get(key, float("inf")), timed(texts(k, one_paragraph, article)))
    load.after = loadavg()
    rows, notes = [], []
    for one_paragraph in (False, True):
        for k in sizes:
            t = best[(one_paragraph, k)]
            ratio = t / sum(single[(one_paragraph, i)] for i in range(k))
            chars = len(texts(k, one_paragraph, article))
            rows.append(["one paragraph" if one_paragraph else "paragraphs", f"{k}×", f"{chars:,}", f"{t * 1000:,.0f}",
                         f"{t / k * 1000:,.1f}", f"{ratio:.2f}×" + ("  > bar" if ratio > BAR else "")])
            if ratio > BAR:
                notes.append(f"{'one paragraph' if one_paragraph else 'paragraphs'} {k}×: time beyond linear, by function "
                             "(seconds beyond k × the one-copy time; own time):")
                for name, excess, tt in grown(texts(1, one_paragraph, article), texts(k, one_paragraph, article), k):
                    notes.append(f"    {name}: +{excess:.3f} s ({tt:.3f} s)")
    notes += [machine_line(), load.note()]
    print(table(f"Extraction time against length, best of {args.rounds} interleaved rounds, caches emptied before each",
                ["layout", "articles", "characters", "ms", "ms per article", "/ linear (bar ≤ 1.5×)"], rows, notes))


if __name__ == "__main__":
    main()
