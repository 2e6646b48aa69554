from pipeline.read.clean import CleanArticle
from pipeline.nlp.segment import make_doc, split_sentences

TEXT = (
    "Công an TX. Thái Hòa, Nghệ An\n"
    "Ông Nguyễn V. An cho biết: “Xã có 13/13 khu dân cư đạt chuẩn. Rất tốt!” Năm 2022, xã đạt 92,6%…\n"
    "Mô hình “Camera cộng đồng” phát huy hiệu quả"
)


def test_sentences_never_cross_a_line_and_keep_offsets():
    spans = split_sentences(TEXT)
    sentences = [TEXT[s:e] for s, e in spans]
    assert sentences[0] == "Công an TX. Thái Hòa, Nghệ An"  # "TX." is an abbreviation
    assert sentences[-1] == "Mô hình “Camera cộng đồng” phát huy hiệu quả"
    assert any(s.startswith("Ông Nguyễn V. An cho biết") for s in sentences)  # an initial is not an end
    assert all("\n" not in s for s in sentences)


def test_doc_tokens_keep_character_offsets_in_the_cleaned_text():
    doc = make_doc(CleanArticle(text=TEXT), name="x.txt")
    assert doc.text == TEXT == doc._.text
    assert len(doc._.norm) == len(TEXT)
    for token in doc:
        assert TEXT[token.idx : token.idx + len(token.text)] == token.text
    words = [doc._.text[s:e] for s, e in doc._.words]
    assert "Camera" in words or "Camera cộng đồng" in " ".join(words)
    assert "13/13" in words
    # multi-syllable words come from underthesea's model
    assert "Thái Hòa" in words or "cộng đồng" in words
    assert [s.text.strip() for s in doc.sents][0] == "Công an TX. Thái Hòa, Nghệ An"


def test_an_ellipsis_before_a_lower_case_word_does_not_end_the_sentence():
    text = "Tuyên truyền trên mạng xã hội… được 69.993 cuộc. Đúng vậy… đó là kết quả."
    assert [text[s:e] for s, e in split_sentences(text)] == [
        "Tuyên truyền trên mạng xã hội… được 69.993 cuộc.", "Đúng vậy… đó là kết quả."]
