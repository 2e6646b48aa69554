"""The segmenter (pipeline.nlp.wordseg) against underthesea.word_tokenize, interleaved.

    .venv/bin/python bench/wordseg.py [--rounds 5]

Both segment the same sentences: those of the real dev texts in /work/shared (read
there, never copied) when present, else of the bundled corpus.  Paths, interleaved in
every round (A B C A B C …): ``word_tokenize``; ours "cold" (the segmenter's run-time
caches emptied first: a fresh process on its first articles); ours "warm" (right after,
caches kept: a long batch).  Also the regex tokenizers alone.  Min and median per path;
model loading not timed.  Agreement: sentences whose words equal underthesea's.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from common import ROOT, interleaved, machine_line, table  # noqa: E402  (sets sys.path)

REAL_DEV = Path("/work/shared/gold/real-dev/texts")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    from underthesea import sent_tokenize, word_tokenize
    from underthesea.pipeline.word_tokenize.regex_tokenize import tokenize as ut_tokenize

    from pipeline.nlp.wordseg import get_segmenter, tokenize

    folder = REAL_DEV if REAL_DEV.is_dir() else ROOT / "corpus" / "articles"
    files = sorted(folder.glob("*.txt"))
    sentences = [s for f in files for line in f.read_text(encoding="utf-8").splitlines() if line.strip()
                 for s in sent_tokenize(line)]
    n_tokens = sum(len(tokenize(s)) for s in sentences)
    seg = get_segmenter()
    word_tokenize("Xin chào")  # underthesea's model loaded outside the timings

    same = 0
    for s in sentences:
        toks = tokenize(s)
        words = [" ".join(seg.normalize([s[x:y] for x, y in toks if a <= x and y <= b])) for a, b in seg.segment(s)]
        same += words == word_tokenize(s)

    paths = {
        "underthesea word_tokenize": lambda r: [word_tokenize(s) for s in sentences],
        "WordSegmenter.segment, cold": lambda r: seg.segment_many(sentences),
        "WordSegmenter.segment, warm": lambda r: seg.segment_many(sentences),
        "underthesea regex tokenize": lambda r: [ut_tokenize(s) for s in sentences],
        "wordseg.tokenize": lambda r: [tokenize(s) for s in sentences],
    }
    timings, load = interleaved(paths, args.rounds, before_each={"WordSegmenter.segment, cold": seg.clear_caches})
    ref = {"WordSegmenter.segment, cold": "underthesea word_tokenize", "WordSegmenter.segment, warm":
           "underthesea word_tokenize", "wordseg.tokenize": "underthesea regex tokenize"}
    rows = []
    for name, t in timings.items():
        faster = f"{timings[ref[name]].median / t.median:.1f}× faster" if name in ref else ""
        rows.append([name, f"{t.min / n_tokens * 1e6:.2f}", f"{t.median / n_tokens * 1e6:.2f}",
                     f"{t.median / len(files) * 1e3:.2f}", faster])
    print(table(f"Word segmentation, {len(files)} articles of {folder}, {len(sentences)} sentences, {n_tokens:,} tokens; "
                f"{args.rounds} interleaved rounds", ["path", "min µs/token", "median µs/token",
                                                      "median ms/article", "median vs underthesea"], rows,
                [f"words identical to underthesea: {same}/{len(sentences)} sentences", machine_line(), load.note()]))


if __name__ == "__main__":
    main()
