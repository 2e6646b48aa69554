"""pipeline.nlp.crf / pipeline.wordseg against underthesea itself.

underthesea (and underthesea_core) are the reference: same model files, so
the tags, the feature strings, the tokens and the words must agree.  Nothing
here touches the network: the model is the one installed with underthesea.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

underthesea = pytest.importorskip("underthesea")
underthesea_core = pytest.importorskip("underthesea_core")

from underthesea import sent_tokenize, word_tokenize  # noqa: E402
from underthesea.pipeline.word_tokenize.regex_tokenize import tokenize as ut_tokenize  # noqa: E402

from pipeline.nlp.crf import load_model, viterbi  # noqa: E402
from pipeline.nlp.wordseg import WordSegmenter, default_model_dir, get_segmenter, tokenize  # noqa: E402

CORPUS = Path(__file__).resolve().parent.parent / "corpus" / "articles"


# -- fixtures ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def sentences() -> list[str]:
    """Corpus sentences: underthesea.sent_tokenize on every non-empty line."""
    out: list[str] = []
    for path in sorted(CORPUS.glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                out.extend(sent_tokenize(line))
    assert len(out) > 100
    return out


@pytest.fixture(scope="module")
def seg() -> WordSegmenter:
    return get_segmenter()


@pytest.fixture(scope="module")
def reference():
    """underthesea_core's featurizer and tagger over the same model files."""
    model_dir = default_model_dir()
    seg = get_segmenter()
    featurizer = underthesea_core.CRFFeaturizer([t.name for t in seg.templates], set(seg.dictionary))
    tagger = underthesea_core.CRFTagger()
    tagger.load(str(model_dir / "models.bin"))
    return featurizer, tagger


def ut_features(featurizer, tokens: list[str]) -> list[list[str]]:
    return featurizer.process([[[t] for t in tokens]])[0]


def words_from_spans(seg: WordSegmenter, text: str, spans: list[tuple[int, int]]) -> list[str]:
    """Our words in underthesea's output form: the (normalised) tokens of
    each span joined by one space."""
    tokens = tokenize(text)
    out = []
    for s, e in spans:
        inside = [text[a:b] for a, b in tokens if s <= a and b <= e]
        out.append(" ".join(seg.normalize(inside)))
    return out


# -- (a) the CRF reader -------------------------------------------------------------


def test_model_file_structure(seg: WordSegmenter) -> None:
    model = seg.model
    assert model.labels == ("B-W", "I-W")
    assert len(model.transitions) == 2 and all(len(row) == 2 for row in model.transitions)
    assert len(model.attributes) > 40_000
    assert all(len(w) == 2 for w in model.attributes.values())
    assert "T[-1]=BOS" in model.attributes


def test_crf_reader_agrees_with_underthesea_core(sentences, reference) -> None:
    featurizer, tagger = reference
    model = load_model(default_model_dir() / "models.bin")
    for sentence in sentences:
        feats = ut_features(featurizer, ut_tokenize(sentence))
        assert model.tag(feats) == tagger.tag(feats), sentence


def test_viterbi_small_cases() -> None:
    # no transitions: each token takes its best label; ties go to label 0
    assert viterbi([[1.0, 0.0], [0.0, 2.0], [1.0, 1.0]], [[0.0, 0.0], [0.0, 0.0]]) == [0, 1, 0]
    # a strong 1 -> 1 transition carries label 1 forward
    assert viterbi([[0.0, 1.0], [0.5, 0.0]], [[0.0, 0.0], [0.0, 5.0]]) == [1, 1]
    assert viterbi([], [[0.0]]) == []


def test_fast_tags_equal_string_features_path(sentences, seg: WordSegmenter) -> None:
    """The window-vector scoring gives the tags of plain feature strings + Viterbi."""
    for sentence in sentences:
        _, _, toks = seg.model_tokens(sentence)
        expected = [tag == "B-W" for tag in seg.model.tag(seg.features(toks))]
        assert seg.tags(toks) == expected, sentence


# -- (b) features -------------------------------------------------------------------


EXTRA_SENTENCES = [
    "A",
    "Ông A.",
    "Lúc 10:03 ngày 08/04/2020, 92,6% dân số (1.000 người) ở TP.HCM.",
    "BOS EOS bos 2147483647 2147483648 -5 +7 08 Ⅻ ½ ١٢",
    "Thisbe ĐÀ NẴNG, Hoà Bình, hoá đơn nghành y tế",
]


def test_features_identical_to_crffeaturizer(sentences, seg: WordSegmenter, reference) -> None:
    featurizer, _ = reference
    different = []
    for sentence in sentences + EXTRA_SENTENCES:
        toks = ut_tokenize(sentence)
        ours, theirs = seg.features(toks), ut_features(featurizer, toks)
        if ours != theirs:
            first = next(((a, b) for a, b in zip(sum(ours, []), sum(theirs, [])) if a != b), "lengths differ")
            different.append((sentence, first))
    assert not different, different[:3]


# -- (c) words ----------------------------------------------------------------------


def test_segment_matches_word_tokenize(sentences, seg: WordSegmenter) -> None:
    same = 0
    for sentence in sentences:
        spans = seg.segment(sentence)
        tokens = tokenize(sentence)
        token_text = {s: sentence[s:e] for s, e in tokens}
        for s, e in spans:
            piece = sentence[s:e]
            # a span starts and ends on a token, has no outer whitespace, and
            # cuts out exactly the tokens it covers (whitespace between them)
            assert piece == piece.strip() and s in token_text
            assert "".join(piece.split()) == "".join(t for a, t in token_text.items() if s <= a < e)
        assert spans == sorted(spans) and all(a[1] <= b[0] for a, b in zip(spans, spans[1:]))
        if words_from_spans(seg, sentence, spans) == word_tokenize(sentence):
            same += 1
    assert same / len(sentences) >= 0.99, f"{same}/{len(sentences)} sentences identical"


def test_span_text_equals_word(sentences, seg: WordSegmenter) -> None:
    """Apart from whitespace inside the span and underthesea's token
    normalisation ("hoá" -> "hóa"), a span is the word underthesea returns."""
    for sentence in sentences:
        ours = seg.segment(sentence)
        theirs = word_tokenize(sentence)
        if len(ours) != len(theirs):
            continue  # counted by test_segment_matches_word_tokenize
        for (s, e), word in zip(ours, theirs):
            piece = sentence[s:e]
            norm = " ".join(seg.normalize(piece.split()))
            assert "".join(norm.split()) == "".join(word.split()), (piece, word)


def test_token_normalisation_is_applied(seg: WordSegmenter) -> None:
    text = "Phó Chủ tịch UBND tỉnh Hoà Bình ký quyết định về hoá đơn."
    words = seg.words(text)
    assert "Hoà Bình" in words  # original spelling in our output
    assert "Hòa Bình" in word_tokenize(text)
    assert words_from_spans(seg, text, seg.segment(text)) == word_tokenize(text)


def test_segment_many_and_empty(seg: WordSegmenter, sentences) -> None:
    some = sentences[:10]
    assert seg.segment_many(some) == [seg.segment(s) for s in some]
    assert seg.segment("") == []
    assert seg.segment("   \n ") == []
    assert seg.segment("Bình") == [(0, 4)]


def test_multi_syllable_word(seg: WordSegmenter) -> None:
    text = "Tháng 3/2020, lực lượng công an chính quy được tăng cường về thị trấn Bình Mỹ (Bình Lục)."
    words = seg.words(text)
    assert "Bình Mỹ" in words and "lực lượng" in words and "3/2020" in words
    start = text.index("Bình Mỹ")
    assert (start, start + len("Bình Mỹ")) in seg.segment(text)


# -- (d) tokenizer ------------------------------------------------------------------


TRICKY = [
    ("Lúc 10:03 ngày 08/04/2020, giá 1.000 đồng",
     ["Lúc", "10", ":", "03", "ngày", "08/04/2020", ",", "giá", "1.000", "đồng"]),
    ("tăng 92,6% lên 500.000.000 đồng; 13/13 xã",
     ["tăng", "92,6", "%", "lên", "500.000.000", "đồng", ";", "13/13", "xã"]),
    ("sinh ngày 16/6/1967 (nay 4.123,2)",
     ["sinh", "ngày", "16/6/1967", "(", "nay", "4.123,2", ")"]),
    ("phong trào “Toàn dân” và \"an ninh\" 'x'",
     ["phong", "trào", "“", "Toàn", "dân", "”", "và", '"', "an", "ninh", '"', "'", "x", "'"]),
    ("tham gia…, rồi... kém... [GMT+7]",
     ["tham", "gia", "…", ",", "rồi", "...", "kém", "...", "[", "GMT", "+", "7", "]"]),
    ("giai đoạn 2022-2025, (2020- 2023) – Covid-19",
     ["giai", "đoạn", "2022", "-", "2025", ",", "(", "2020", "-", "2023", ")", "–", "Covid-19"]),
    ("Email: news@antv.gov.vn hoặc abc.def@gmail.com.",
     ["Email", ":", "news@antv.gov.vn", "hoặc", "abc.def@gmail.com."]),
    ("xem https://congan.com.vn/tin-tuc/a-b?id=3, anninhthudo.vn.",
     ["xem", "https://congan.com.vn/tin-tuc/a-b?id=3", ",", "anninhthudo.vn", "."]),
    ("UBND TP.HCM và UBND. tỉnh, GS.TS Nguyễn, Tp. Huế, v.v. của UBND.",
     ["UBND", "TP.HCM", "và", "UBND.", "tỉnh", ",", "GS.TS", "Nguyễn", ",", "Tp.", "Huế", ",", "v.v.", "của",
      "UBND", "."]),
    ("H'Mông, NĐ-CP, 43H-0530, 3x4, 4K, e-mail, H&M",
     ["H'Mông", ",", "NĐ-CP", ",", "43H-0530", ",", "3x4", ",", "4K", ",", "e-mail", ",", "H&M"]),
    ("Thisbe Thus Thành ʺa",
     ["This", "be", "Thus", "Thành", "ʺ", "a"]),
]


@pytest.mark.parametrize("text, expected", TRICKY)
def test_tricky_tokens(text: str, expected: list[str]) -> None:
    spans = tokenize(text)
    assert [text[s:e] for s, e in spans] == expected
    assert [text[s:e] for s, e in spans] == ut_tokenize(text, use_token_normalize=False)


def test_offsets_with_outer_and_inner_whitespace(seg: WordSegmenter) -> None:
    text = "  \tNgày 16/6/1967,\u00a0ông  A (TP.HCM)…  \n"
    spans = tokenize(text)
    assert [text[s:e] for s, e in spans] == ["Ngày", "16/6/1967", ",", "ông", "A", "(", "TP.HCM", ")", "…"]
    assert spans[0] == (3, 7)
    assert spans[-1] == (len(text.rstrip()) - 1, len(text.rstrip()))
    words = seg.segment(text)
    assert words[0][0] == 3 and words[-1][1] == len(text.rstrip())
    assert all(text[s:e] == text[s:e].strip() for s, e in words)


def test_eth_is_read_as_d_bar(seg: WordSegmenter) -> None:
    text = "Ðà Nẵng"  # Icelandic eth, which underthesea maps to Đ
    assert tokenize(text) == [(0, 2), (3, 7)]
    assert words_from_spans(seg, text, seg.segment(text)) == word_tokenize(text)


def _random_text(rng: random.Random) -> str:
    pieces = ["Bình", "UBND", "TP", "HCM", "Tp", "Mr", "ThS", "This", "ĐÀ", "nẵng", "v", "x", "e", "mail", "T",
              "Ư", "Q", "vn", "com", "news", "www", "http", "https", "1", "10", "03", "2020", "19", "000", "K",
              "m", "h", "D", "Covid", "pi", "zin", "ð", "BOS"]
    puncts = list(".,;:!?()[]{}“”\"'’‘-–—…%$+×=<>^_/@&#°♥‿") + ["...", "--", "=>", "->", ":)", "=))", "<3", "://"]
    spaces = [" ", " ", " ", "  ", "\u00a0", "\t"]
    out = []
    for _ in range(rng.randint(1, 12)):
        c = rng.random()
        out.append(rng.choice(pieces if c < 0.45 else puncts if c < 0.8 else spaces))
    return "".join(out)


def test_tokenizer_differential_random() -> None:
    """Random strings dense in the characters the rules care about."""
    rng = random.Random(20240727)
    for _ in range(3000):
        text = _random_text(rng)
        ours = [text.replace("ð", "đ")[s:e] for s, e in tokenize(text)]
        assert ours == ut_tokenize(text, use_token_normalize=False), repr(text)


def test_tokenizer_matches_corpus(sentences) -> None:
    for sentence in sentences:
        assert [sentence[s:e] for s, e in tokenize(sentence)] == ut_tokenize(sentence, use_token_normalize=False)


def test_no_catastrophic_backtracking() -> None:
    # underthesea's URL rule takes seconds (and doubles per character) here
    text = "http://" + "." * 40 + " x"
    assert [text[s:e] for s, e in tokenize(text)][-1] == "x"
