"""Time pipeline.wordseg against underthesea.word_tokenize on the bundled corpus.

    .venv/bin/python bench/wordseg.py [--repeat 5]

Both segment the same sentences (underthesea.sent_tokenize on every non-empty
line of corpus/articles/*.txt).  Each timing is the best of --repeat runs.
Ours is timed twice: "cold" empties the segmenter's run-time caches before
every run (a fresh process on its first articles), "warm" keeps them (a
long-running ingest).  Model loading is not timed.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from underthesea import sent_tokenize, word_tokenize  # noqa: E402
from underthesea.pipeline.word_tokenize.regex_tokenize import tokenize as ut_tokenize  # noqa: E402

from pipeline.nlp.wordseg import WordSegmenter, tokenize  # noqa: E402


def best_of(repeat: int, run: Callable[[], object], before: Callable[[], None] | None = None) -> float:
    best = float("inf")
    for _ in range(repeat):
        if before is not None:
            before()
        t0 = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    articles: list[list[str]] = []
    for path in sorted((ROOT / "corpus" / "articles").glob("*.txt")):
        sents: list[str] = []
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                sents.extend(sent_tokenize(line))
        articles.append(sents)
    sentences = [s for a in articles for s in a]
    n_tokens = sum(len(tokenize(s)) for s in sentences)

    t0 = time.perf_counter()
    seg = WordSegmenter()
    load = time.perf_counter() - t0
    word_tokenize("Xin chào")  # load underthesea's model outside the timings

    # agreement on these sentences (same form as underthesea's output)
    same = 0
    for s in sentences:
        toks = tokenize(s)
        words = []
        for a, b in seg.segment(s):
            words.append(" ".join(seg.normalize([s[x:y] for x, y in toks if a <= x and y <= b])))
        same += words == word_tokenize(s)

    r = args.repeat
    theirs = best_of(r, lambda: [word_tokenize(s) for s in sentences])
    cold = best_of(r, lambda: seg.segment_many(sentences), seg.clear_caches)
    warm = best_of(r, lambda: seg.segment_many(sentences))
    their_tok = best_of(r, lambda: [ut_tokenize(s) for s in sentences])
    our_tok = best_of(r, lambda: [tokenize(s) for s in sentences])

    n_art = len(articles)
    print(f"corpus: {n_art} articles, {len(sentences)} sentences, {n_tokens} tokens; best of {r} runs")
    print(f"our model load: {load:.2f} s; words identical to underthesea: {same}/{len(sentences)} sentences")
    print()
    print(f"{'':34}{'us/token':>10}{'ms/article':>12}{'vs underthesea':>16}")
    rows = [
        ("underthesea.word_tokenize", theirs, theirs),
        ("WordSegmenter.segment (cold)", cold, theirs),
        ("WordSegmenter.segment (warm)", warm, theirs),
        ("underthesea regex tokenize", their_tok, their_tok),
        ("wordseg.tokenize", our_tok, their_tok),
    ]
    for name, secs, ref in rows:
        ratio = "" if secs is ref else f"{ref / secs:.1f}x faster"
        print(f"{name:34}{secs / n_tokens * 1e6:10.2f}{secs / n_art * 1e3:12.2f}{ratio:>16}")


if __name__ == "__main__":
    main()
