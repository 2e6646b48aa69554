"""Extraction throughput against the off-the-shelf alternatives, on the same texts, in one run.

    .venv/bin/python bench/extract.py [--rounds 3] [PATH ...]

Three paths over the same articles (default: corpus/articles and corpus/heldout/articles):

* vnfacts   — the whole ``vnfacts extract`` path: decode, clean, segment (underthesea's
              word-segmentation model), the five extractors, the JSON line;
* ner()     — underthesea's ``ner()`` applied sentence by sentence to the cleaned text
              (what one would reach for off the shelf);
* word_tokenize — bare underthesea ``word_tokenize`` on the same sentences, nothing else.

Each path runs ``--rounds`` times after a warm-up; the best round counts (least disturbed
by other load on a shared machine).  Printed: articles/s per path and the ratios.
Targets (issue 2): vnfacts ≥ 30× ner(), and ≥ 0.6× word_tokenize.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _articles(paths: list[Path]) -> list[tuple[str, bytes]]:
    out = []
    for p in paths:
        files = sorted(p.glob("*.txt")) if p.is_dir() else [p]
        out.extend((f.name, f.read_bytes()) for f in files)
    return out


def _best(fn, rounds: int) -> float:
    fn()  # warm-up: models and gazetteer loaded, caches filled
    best = float("inf")
    for _ in range(rounds):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="*", type=Path)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    paths = args.paths or [p for p in (ROOT / "corpus/articles", ROOT / "corpus/heldout/articles") if p.exists()]
    articles = _articles(paths)

    from underthesea import ner, word_tokenize

    from pipeline.read.clean import clean
    from pipeline.schema import Source
    from pipeline.trip import read
    from pipeline.nlp.segment import split_sentences

    cleaned = [clean(raw).text for _, raw in articles]
    sentences = [[text[s:e] for s, e in split_sentences(text)] for text in cleaned]
    n_sent = sum(map(len, sentences))
    n_chars = sum(map(len, cleaned))

    def run_vnfacts() -> None:
        for name, raw in articles:
            outcome = read(Source(key=name, doc=name, raw=raw))
            json.dumps(outcome.facts.annotation(), ensure_ascii=False)

    def run_ner() -> None:
        for article in sentences:
            for sentence in article:
                ner(sentence)

    def run_word_tokenize() -> None:
        for article in sentences:
            for sentence in article:
                word_tokenize(sentence)

    t_vnfacts = _best(run_vnfacts, args.rounds)
    t_wt = _best(run_word_tokenize, args.rounds)
    t_ner = _best(run_ner, max(1, args.rounds - 1))
    n = len(articles)
    print(f"{n} articles, {n_sent} sentences, {n_chars:,} characters; best of {args.rounds} rounds")
    print(f"{'path':<28}{'seconds':>10}{'articles/s':>14}")
    for label, t in (("vnfacts extract (whole)", t_vnfacts), ("underthesea word_tokenize", t_wt),
                     ("underthesea ner()", t_ner)):
        print(f"{label:<28}{t:>10.3f}{n / t:>14.1f}")
    print(f"vnfacts vs ner():           {t_ner / t_vnfacts:6.1f}x   (target >= 30x)")
    print(f"vnfacts vs word_tokenize:   {t_wt / t_vnfacts:6.2f}x   (target >= 0.60x)")


if __name__ == "__main__":
    main()
