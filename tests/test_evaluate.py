"""The scoring rules of ANNOTATION.md."""

from pipeline.evaluate import score


def _doc(**kinds):
    return {"doc": "a.txt", "published": kinds.pop("published", None), **kinds}


def test_optional_items_are_neither_misses_nor_false_positives():
    gold = [_doc(counts=[{"value": 3, "denominator": None, "unit": "năm", "optional": True},
                         {"value": 12, "denominator": None, "unit": "buổi tuyên truyền", "optional": False}])]
    pred = [_doc(counts=[{"value": 3, "denominator": None, "unit": "năm"},
                         {"value": 12, "denominator": None, "unit": "buổi học"}])]
    s = score(gold, pred).kinds["counts"]
    assert (s.tp, s.fp, s.fn) == (1, 0, 0)  # counts match on value, denominator and the unit's first word
    s = score(gold, [_doc(counts=[])]).kinds["counts"]
    assert (s.tp, s.fp, s.fn) == (0, 0, 1)


def test_one_to_one_matching_within_an_article():
    gold = [_doc(counts=[{"value": 500000000, "denominator": None, "unit": "đồng"}] * 2)]
    pred = [_doc(counts=[{"value": 500000000, "denominator": None, "unit": "đồng"}] * 3)]
    s = score(gold, pred).kinds["counts"]
    assert (s.tp, s.fp, s.fn) == (2, 1, 0)


def test_names_compare_tone_case_space_and_quote_insensitively_and_attributes_are_scored():
    gold = [_doc(models=[{"name": "Tổ hoà giải", "place": "Bình Mỹ", "count": 3}],
                 officials=[{"name": "Trần Hữu Phương", "rank": "Trung tá", "title": "Trưởng Công an thị trấn Bình Mỹ"}],
                 published="2022-06-15")]
    pred = [_doc(models=[{"name": "“tổ  hòa giải”", "place": "Bình Mỹ", "count": None}],
                 officials=[{"name": "Trần Hữu Phương", "rank": "Trung tá", "title": "Trưởng Công an thị trấn Bình Mỹ"}],
                 published="2022-06-15")]
    report = score(gold, pred)
    m = report.kinds["models"]
    assert (m.tp, m.fp, m.fn) == (1, 0, 0)
    assert m.accuracy_of("place") == 1.0 and m.accuracy_of("count") == 0.0
    assert report.kinds["officials"].attribute_accuracy == 1.0
    assert report.published_accuracy == 1.0


def test_places_match_on_name_and_level():
    gold = [_doc(places=[{"name": "Lạng Sơn", "level": "tỉnh", "province": "Lạng Sơn"},
                         {"name": "Lạng Sơn", "level": "huyện", "province": "Lạng Sơn"}])]
    pred = [_doc(places=[{"name": "Lạng Sơn", "level": "tỉnh", "province": "Lạng Sơn"}])]
    s = score(gold, pred).kinds["places"]
    assert (s.tp, s.fp, s.fn) == (1, 0, 1)


def test_published_is_not_scored_where_the_gold_cannot_confirm_a_metadata_date():
    gold = [{"doc": "a", "published": None}, {"doc": "b", "published": None}, {"doc": "c", "published": "2024-03-05"}]
    pred = [{"doc": "a", "published": "2024-03-01"}, {"doc": "b", "published": "2024-03-01"},
            {"doc": "c", "published": "2024-03-06"}]
    # "a" has a month-only metadata date: not scored; "b" has none, so a predicted date is wrong
    report = score(gold, pred, metadata_published={"a": "2024-03-01"})
    assert (report.published_right, report.published_total) == (0, 2)
    assert report.published_errors == ["b: published gold=None got='2024-03-01'",
                                       "c: published gold='2024-03-05' got='2024-03-06'"]
