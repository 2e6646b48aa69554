"""What a long-running worker keeps from the articles it has read is bounded, and changes nothing.

spaCy's Vocab is renewed past ``segment.VOCAB_LIMIT`` strings and the segmenter's run-time
window caches are emptied past ``wordseg._CACHE_LIMIT`` entries (bench/memory.py measures the
memory).  Here the limits are made tiny so that a handful of articles cross them many times:
the bound holds, and an article read after all the others gives exactly the outcome it gives
when read first, in a process whose caches are empty.
"""

from __future__ import annotations

import random

import pytest

from conftest import CORPUS
from pipeline.nlp import segment, wordseg
from pipeline.schema import Source
from pipeline.trip import read

SYLLABLES = ["Hòa", "Bình", "Thủy", "Long", "Phú", "Xuân", "Quang", "Tân", "Mỹ", "Đông", "Hưng", "Lộc", "Sơn", "Trà"]
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng"]


def _article(i: int) -> str:
    """A hand-built report whose names and figures are new words in every article."""
    rng = random.Random(i)
    name = f"{rng.choice(SURNAMES)} {rng.choice(SYLLABLES)} {rng.choice(SYLLABLES)}"
    commune = f"{rng.choice(SYLLABLES)} {rng.choice(SYLLABLES)}"
    households = f"{rng.randint(1_000, 99_999):,}".replace(",", ".")
    return (f"Công an xã {commune}, huyện Bình Lục, tỉnh Hà Nam\n"
            f"Ngày {rng.randint(1, 28)}/{rng.randint(1, 12)}/2024, Công an xã {commune} tổng kết phong trào toàn dân "
            f"bảo vệ an ninh Tổ quốc. Thượng tá {name}, Trưởng Công an huyện, cho biết toàn huyện có "
            f"{households} hộ gia đình tham gia mô hình \"Camera an ninh\" với {rng.randint(10, 999)} "
            f"camera, tăng {rng.randint(2, 99)},{rng.randint(1, 9)}% so với năm {rng.randint(2015, 2023)}.\n")


def _outcome(text: str, name: str = "bai.txt") -> str:
    return read(Source(key=f"file:{name}", doc=name, raw=text.encode("utf-8"))).model_dump_json()


def _cold() -> None:
    segment._vocab.cache_clear()
    wordseg.get_segmenter().clear_caches()


@pytest.fixture
def tiny_limits(monkeypatch):
    monkeypatch.setattr(segment, "VOCAB_LIMIT", 200)
    monkeypatch.setattr(wordseg, "_CACHE_LIMIT", 40)
    _cold()
    yield
    _cold()


def test_vocab_renewed_past_its_limit_and_older_docs_stay_valid(tiny_limits):
    docs = []
    for i in range(60):
        doc = segment.make_doc(_article(i))
        docs.append(doc)
        # a Doc never starts from a Vocab past the limit, and holds what one article adds
        assert len(doc.vocab.strings) <= segment.VOCAB_LIMIT + len(doc)
    vocabs = {id(d.vocab) for d in docs}  # all alive: no id reused
    assert len(vocabs) >= 3, "the Vocab was never renewed"
    first = docs[0]
    # the first Doc keeps its own Vocab: its tokens still read back as the text
    assert "".join(t.text_with_ws for t in first) == _article(0)


def test_vocab_kept_when_unbounded(monkeypatch):
    monkeypatch.setattr(segment, "VOCAB_LIMIT", None)
    _cold()
    docs = [segment.make_doc(_article(i)) for i in range(20)]
    assert len({id(d.vocab) for d in docs}) == 1


def test_segmenter_caches_stay_bounded(tiny_limits):
    seg = wordseg.get_segmenter()
    base = {k: len(v) for k, v in seg._known_base.items()}
    for i in range(60):
        text = _article(i)
        for s, e in segment.split_sentences(text):
            sentence = text[s:e]
            n = len(wordseg.tokenize(sentence))
            seg.segment(sentence)
            # emptied when full: at most the limit, plus what the sentence just added
            assert len(seg._unigrams) <= base.get(1, 0) + wordseg._CACHE_LIMIT + n + 1
            for k, known in seg._known.items():
                if k > 1:
                    assert len(known) <= base[k] + wordseg._CACHE_LIMIT + n
    assert any(len(known) > base[k] for k, known in seg._known.items() if k > 1), "no window was cached"


def test_an_article_read_after_many_gives_what_it_gives_first(tiny_limits):
    texts = [(CORPUS / name).read_text("utf-8") for name in sorted(p.name for p in CORPUS.glob("*.txt"))[:2]]
    first = []
    for text in texts:
        _cold()
        first.append(_outcome(text))
    for i in range(80):  # limits crossed many times over
        _outcome(_article(i), f"bai{i}.txt")
    assert [_outcome(text) for text in texts] == first
    # and the hand-built articles: the same read cold, read again late, and read unbounded
    late = [_outcome(_article(i), f"bai{i}.txt") for i in range(5)]
    _cold()
    segment.VOCAB_LIMIT, wordseg._CACHE_LIMIT = None, 200_000  # undone by monkeypatch
    assert [_outcome(_article(i), f"bai{i}.txt") for i in range(5)] == late
