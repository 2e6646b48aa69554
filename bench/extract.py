"""Extraction throughput against underthesea, on texts the caches have not seen, interleaved.

    .venv/bin/python bench/extract.py [--rounds 5] [--articles 20]

Two corpora:

* synthetic — ``--articles`` new synthetic articles each round (bench/synthetic.py, a
  seed no other bench uses): no round reads a text an earlier round read;
* real dev — the real articles of /work/shared/gold/real-dev/texts (read there, never
  copied), the same each round.

Before every run of every path the caches are emptied (``common.clear_caches``: the
segmenter's window vectors, spaCy's vocabulary, the ``functools`` caches of the stages).
Paths, interleaved within each round (A B C A B C …), on the same texts:

* vnfacts — the trip (``pipeline.trip.read``: decode, clean, segment, the five
  extractors) and the JSON line, as ``vnfacts extract`` does;
* word_tokenize — bare ``underthesea.word_tokenize`` on the sentences of the cleaned text;
* ner() — ``underthesea.ner`` on the same sentences (what one would reach for off the shelf).

Whole commands, in fresh processes, interleaved the same way: ``vnfacts extract FILES``
against a script running ``word_tokenize`` over the same files' lines (both with start-up).
Min and median over rounds; ratios of the medians.  Bars (issue 11): vnfacts ≥ 2.5× bare
``word_tokenize`` and ≥ 30× ``ner()``.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, Load, Timings, clear_caches, interleaved, loadavg, machine_line, table  # noqa: E402

REAL_DEV = Path("/work/shared/gold/real-dev/texts")
SEED_OFFSET = 1  # synthetic.SEED + 1: texts no other bench generates

_WT_SCRIPT = ("import sys\nfrom underthesea import word_tokenize\n"
              "for f in sys.argv[1:]:\n    for line in open(f, encoding='utf-8'):\n"
              "        if line.strip():\n            word_tokenize(line)\n")


def _prepare(articles: list[tuple[str, bytes]]) -> list[list[str]]:
    """The sentences of each article's cleaned text (outside the timing)."""
    from pipeline.nlp.segment import split_sentences
    from pipeline.read.clean import clean

    out = []
    for _, raw in articles:
        text = clean(raw).text
        out.append([text[s:e] for s, e in split_sentences(text)])
    return out


def _library(corpora: dict[str, list[list[tuple[str, bytes]]]], rounds: int) -> dict:
    from underthesea import ner, word_tokenize

    from pipeline.schema import Source
    from pipeline.trip import read

    ner("Công an tỉnh Nghệ An.")  # models loaded outside the timing
    word_tokenize("Công an tỉnh Nghệ An.")
    read(Source(key="warm", doc="warm", raw="Công an tỉnh Nghệ An.".encode()))
    out = {}
    for corpus, per_round in corpora.items():
        sentences = [_prepare(arts) for arts in per_round]

        def vnfacts(r: int) -> None:
            for name, raw in per_round[r]:
                outcome = read(Source(key=name, doc=name, raw=raw))
                if outcome.ok:
                    json.dumps(outcome.facts.annotation(), ensure_ascii=False)

        def wt(r: int) -> None:
            for article in sentences[r]:
                for s in article:
                    word_tokenize(s)

        def run_ner(r: int) -> None:
            for article in sentences[r]:
                for s in article:
                    ner(s)

        timings, load = interleaved({"vnfacts": vnfacts, "word_tokenize": wt, "ner()": run_ner}, rounds,
                                    before_each=clear_caches)
        n = len(per_round[0])
        out[corpus] = {"timings": timings, "load": load, "articles": n,
                       "sentences": sum(map(len, sentences[0])), "chars": sum(len(raw) for _, raw in per_round[0])}
    return out


def stages(corpus: str, articles: list[tuple[str, bytes]], rounds: int = 3) -> str:
    """The share of the trip's time in each stage over ``articles`` (caches emptied before
    each round; the median round): the stage functions the trip calls are wrapped in
    timers for the measurement and restored after (cProfile would inflate call-heavy code)."""
    import statistics
    from contextlib import ExitStack

    from pipeline.nlp import extract, segment
    from pipeline.nlp.wordseg import get_segmenter
    from pipeline.read import clean, decode
    from pipeline.schema import Source
    from pipeline.trip import read

    spent: dict[str, float] = {}

    def timer(label, fn):
        def timed(*args, **kwargs):
            t0 = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[label] = spent.get(label, 0.0) + time.perf_counter() - t0
        return timed

    seg = get_segmenter()
    wrapped = [(decode, "decode", "decode"), (clean, "clean_decoded", "clean"), (segment, "make_doc", "segment"),
               (seg, "segment", "word segmentation"), (extract, "extract_doc", "extraction")]
    shares: dict[str, list[float]] = {}
    with ExitStack() as undo:
        for obj, name, label in wrapped:
            original = getattr(obj, name)
            setattr(obj, name, timer(label, original))
            if obj is seg:  # an instance attribute over the method: removing it restores the method
                undo.callback(delattr, obj, name)
            else:
                undo.callback(setattr, obj, name, original)
        for c in extract.COMPONENTS:  # frozen dataclasses
            undo.callback(object.__setattr__, c, "run", c.run)
            object.__setattr__(c, "run", timer(c.kind, c.run))
        for _ in range(rounds):
            spent.clear()
            clear_caches()
            t0 = time.perf_counter()
            for n, raw in articles:
                read(Source(key=n, doc=n, raw=raw))
            total = time.perf_counter() - t0
            for label, seconds in spent.items():
                shares.setdefault(label, []).append(seconds / total)
    order = ["decode", "clean", "segment", "word segmentation", "extraction",
             *[c.kind for c in extract.COMPONENTS]]
    names = {"decode": "decode", "clean": "clean", "segment": "segment (sentences, words, Doc)", "word segmentation": "  of which word segmentation",
             "extraction": "extraction (five extractors, facts)"}
    parts = [f"{names.get(k, '  ' + k)} {statistics.median(shares[k]):.0%}" for k in order if k in shares]
    return f"where the trip's time goes ({corpus}, timers around its stages): " + ", ".join(parts)


def _commands(files_per_round: list[list[Path]]) -> tuple[dict[str, Timings], Load]:
    script = Path(sys.executable).with_name("vnfacts")
    vnfacts = [str(script)] if script.exists() else [sys.executable, "-m", "pipeline"]
    paths = {"vnfacts extract FILES": lambda files: [*vnfacts, "extract", *map(str, files)],
             "word_tokenize script FILES": lambda files: [sys.executable, "-c", _WT_SCRIPT, *map(str, files)]}
    timings = {name: Timings() for name in paths}
    load = Load(before=loadavg(), after=0.0, MIN_SHARE=0.7)
    for files in files_per_round:
        for name, make in paths.items():
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            started = time.perf_counter()
            result = subprocess.run(make(files), capture_output=True, cwd=ROOT)
            wall = time.perf_counter() - started
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            if result.returncode not in (0, 1):
                raise SystemExit(f"{name}: {result.stderr.decode()[-2000:]}")
            share = (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) / wall
            timings[name].seconds.append(wall)
            timings[name].shares.append(share)
            load.shares.append(min(1.0, share))
    load.after = loadavg()
    return timings, load


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--articles", type=int, default=20, help="synthetic articles per round")
    args = parser.parse_args(argv)
    import synthetic

    seed = synthetic.SEED + SEED_OFFSET
    synthetic_rounds = [[(a.doc, a.raw) for a in synthetic.generate(args.articles, seed, start=r * args.articles)]
                        for r in range(args.rounds)]
    corpora = {"synthetic": synthetic_rounds}
    if REAL_DEV.is_dir():
        real = [(f.name, f.read_bytes()) for f in sorted(REAL_DEV.glob("*.txt"))]
        corpora["real dev"] = [real] * args.rounds
    lib = _library(corpora, args.rounds)

    tmp = Path(tempfile.mkdtemp(prefix="vnfacts-bench-extract-"))
    files_per_round = []
    for r, arts in enumerate(synthetic.generate(args.articles, seed, start=(args.rounds + r) * args.articles)
                             for r in range(args.rounds)):
        d = tmp / f"round{r}"
        d.mkdir()
        files_per_round.append([d / a.doc for a in arts])
        for path, a in zip(files_per_round[-1], synthetic.generate(args.articles, seed,
                                                                   start=(args.rounds + r) * args.articles)):
            path.write_bytes(a.raw)
    commands, command_load = _commands(files_per_round)

    rows, notes = [], []
    for corpus, result in lib.items():
        t, n = result["timings"], result["articles"]
        for name, timing in t.items():
            rows.append([f"{corpus}: {name}", f"{n / timing.min:,.1f}", f"{n / timing.median:,.1f}",
                         f"{timing.median / n * 1000:,.1f}"])
        v = t["vnfacts"].median
        notes.append(f"{corpus} ({n} articles, {result['sentences']} sentences, {result['chars']:,} bytes a round): "
                     f"vnfacts / word_tokenize {t['word_tokenize'].median / v:.2f}× (bar ≥ 2.5×), "
                     f"vnfacts / ner() {t['ner()'].median / v:.1f}× (bar ≥ 30×); {result['load'].note()}")
    for name, timing in commands.items():
        rows.append([f"whole command: {name}", f"{args.articles / timing.min:,.1f}",
                     f"{args.articles / timing.median:,.1f}", f"{timing.median / args.articles * 1000:,.1f}"])
    c = commands
    notes.append(f"whole commands ({args.articles} synthetic files a round, start-up included): vnfacts extract / "
                 f"word_tokenize script {c['word_tokenize script FILES'].median / c['vnfacts extract FILES'].median:.2f}×; "
                 f"{command_load.note()}")
    notes += [stages(corpus, per_round[0]) for corpus, per_round in corpora.items()]
    notes.append(machine_line())
    print(table(f"Extraction, {args.rounds} interleaved rounds, caches emptied before every run",
                ["path", "best articles/s", "median articles/s", "median ms/article"], rows, notes))


if __name__ == "__main__":
    main()
