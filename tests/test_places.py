"""Places on hand-written snippets: how names are written, and the province by the article's date."""

from datetime import date

import pytest


def places(facts):  # noqa: D103
    return sorted((p.name, p.level, p.province) for p in facts.places)


def test_names_with_an_apostrophe_a_hyphen_and_a_number(facts_of):
    f = facts_of("Công an huyện Ea H'leo phối hợp với Công an phường Mỹ Đình 1 và thành phố Phan Rang-Tháp Chàm.")
    assert places(f) == [("Ea H'leo", "huyện", "Đắk Lắk"), ("Mỹ Đình 1", "xã", "Hà Nội"),
                         ("Phan Rang-Tháp Chàm", "huyện", "Ninh Thuận")]


def test_a_name_never_runs_across_a_line_break(facts_of):
    f = facts_of("Camera được đặt tại trụ sở Công an xã\nHệ thống hoạt động suốt ngày đêm ở huyện\nNgày 3/5 tổ ra mắt.")
    assert places(f) == []


def test_abbreviated_and_lower_case_unit_names(facts_of):
    f = facts_of("Ngày hội tổ chức tại xã Ea Kly (H.Krông Pắc, Đắk Lắk); đoàn của Công an tỉnh bình Định dự.")
    assert places(f) == [("Bình Định", "tỉnh", "Bình Định"), ("Ea Kly", "xã", "Đắk Lắk"),
                         ("Krông Pắc", "huyện", "Đắk Lắk"), ("Đắk Lắk", "tỉnh", "Đắk Lắk")]
    # an initial inside a person's name is no district
    assert places(facts_of("Bài viết của Nguyễn H. Tương Dương về tỉnh Nghệ An.")) == [("Nghệ An", "tỉnh", "Nghệ An")]


def test_descriptive_words_between_the_unit_word_and_the_name(facts_of):
    f = facts_of("Mường Lát là huyện biên giới của tỉnh Thanh Hóa; huyện đảo Lý Sơn và huyện nông thôn mới nâng cao đều có tổ.")
    assert places(f) == [("Lý Sơn", "huyện", "Quảng Ngãi"), ("Mường Lát", "huyện", "Thanh Hóa"),
                         ("Thanh Hóa", "tỉnh", "Thanh Hóa")]


def test_bare_names_a_list_a_province_after_it_a_sentence_saying_so(facts_of):
    f = facts_of("Tỉnh Nghệ An có nhiều địa bàn khó khăn như Kỳ Sơn, Tương Dương, Quế Phong… "
                 "Đoàn cũng đến Mường Nhé, Điện Biên.")
    assert places(f) == [("Kỳ Sơn", "huyện", "Nghệ An"), ("Mường Nhé", "huyện", "Điện Biên"),
                         ("Nghệ An", "tỉnh", "Nghệ An"), ("Quế Phong", "huyện", "Nghệ An"),
                         ("Tương Dương", "huyện", "Nghệ An"), ("Điện Biên", "tỉnh", "Điện Biên")]
    # villages and people named like communes are not communes
    g = facts_of("Tại tỉnh Nghệ An, các thôn như Kỳ Sơn, Tương Dương đều có tổ; ông Quế Phong, Nghệ An kể lại.")
    assert places(g) == [("Nghệ An", "tỉnh", "Nghệ An")]


def test_several_communes_of_one_district_in_a_row(facts_of):
    f = facts_of("Mô hình được nhân rộng ở xã Tân Lập, xã Tân Minh (Đà Bắc) và nhiều nơi khác.")
    assert {p.name: p.province for p in f.places} == {"Tân Lập": "Hòa Bình", "Tân Minh": "Hòa Bình", "Đà Bắc": "Hòa Bình"}


@pytest.mark.parametrize(
    "published, province",
    [(date(2023, 4, 2), "Thừa Thiên Huế"), (date(2025, 9, 2), "Huế")],
)
def test_the_province_as_it_was_named_when_the_article_was_written(facts_of, published, province):
    f = facts_of("Công an phường Phú Hội ra mắt tổ tự quản.", published=published)
    assert places(f) == [("Phú Hội", "xã", province)]


def test_after_the_reform_a_merged_provinces_units_lie_in_the_new_province(facts_of):
    text = "Người dân xã Vũ Thư tham gia tuần tra; mô hình có ở xã Kiến Xương."
    assert {p.province for p in facts_of(text, published=date(2025, 10, 1)).places} == {"Hưng Yên"}
    before = facts_of("Người dân thị trấn Vũ Thư, huyện Vũ Thư tham gia tuần tra.", published=date(2024, 3, 1))
    assert {p.province for p in before.places} == {"Thái Bình"}


def test_an_article_of_unknown_date_naming_new_communes_is_read_in_the_new_units(facts_of):
    f = facts_of("Tại xã Vũ Thư, xã Kiến Xương và xã Thái Thụy, tổ tự quản hoạt động tốt.")
    assert {p.province for p in f.places} == {"Hưng Yên"}


def test_an_address_going_upward_names_the_district_not_another_commune(facts_of):
    f = facts_of("Bà Lò Thị Xuân trú tại thị trấn Mường Xén, Kỳ Sơn, Nghệ An và ông Vi Văn Lâm ở xã Yên Hòa (huyện Tương Dương, Nghệ An).")
    assert places(f) == [("Kỳ Sơn", "huyện", "Nghệ An"), ("Mường Xén", "xã", "Nghệ An"), ("Nghệ An", "tỉnh", "Nghệ An"),
                         ("Tương Dương", "huyện", "Nghệ An"), ("Yên Hòa", "xã", "Nghệ An")]


def test_a_commune_the_table_lost_lies_in_the_district_or_province_the_article_names(facts_of):
    # "xã Hòa Phong Tây" exists nowhere: it lies in the district written after it
    f = facts_of("Ông Hà Văn Sáu ở xã Hòa Phong Tây, Krông Bông bị bắt.")
    assert ("Hòa Phong Tây", "xã", "Đắk Lắk") in places(f)
    # "xã Tân Lập" of many provinces, in an article about Quảng Ninh that names no other province
    g = facts_of("Tỉnh Quảng Ninh khen thưởng Công an xã Tân Lập vì thành tích bắt cướp.")
    assert ("Tân Lập", "xã", "Quảng Ninh") in places(g)


def test_an_undated_article_writing_the_former_name_with_a_dash(facts_of):
    f = facts_of("Công an tỉnh Thừa Thiên - Huế khen thưởng Công an phường Phú Hội.")
    # the name as written (its dash too), the province as the table names it then
    assert places(f) == [("Phú Hội", "xã", "Thừa Thiên Huế"), ("Thừa Thiên - Huế", "tỉnh", "Thừa Thiên Huế")]


def test_an_undated_article_calling_a_province_former_is_read_in_the_2025_units(facts_of):
    f = facts_of("Xã Lũng Cú (tỉnh Tuyên Quang) ra mắt tổ tự quản; trước đây xã thuộc tỉnh Hà Giang (cũ).")
    assert ("Lũng Cú", "xã", "Tuyên Quang") in places(f)


def test_provinces_written_with_dashes_abbreviations_or_their_old_name(facts_of):
    f = facts_of("Các đoàn từ Thừa Thiên – Huế, Thừa Thiên - Huế, TP. HCM, TP HCM và Sài Gòn đã đến.",
                 date(2023, 5, 1))
    assert sorted((p.name, p.level, p.province) for p in f.places) == [
        ("Hồ Chí Minh", "tỉnh", "Hồ Chí Minh"), ("Thừa Thiên – Huế", "tỉnh", "Thừa Thiên Huế")]
    assert [p.name for p in facts_of("Thừa Thiên-Huế đẹp lắm.", date(2023, 5, 1)).places] == ["Thừa Thiên-Huế"]


def test_a_province_in_parentheses_after_a_district_is_the_province(facts_of):
    f = facts_of("Công an huyện Thọ Xuân (Thanh Hóa) ra mắt mô hình. Trước đó, Công an thành phố Thanh Hóa đã làm.")
    assert sorted((p.name, p.level) for p in f.places) == [("Thanh Hóa", "huyện"), ("Thanh Hóa", "tỉnh"),
                                                           ("Thọ Xuân", "huyện")]


def test_district_level_units_named_bare_after_a_preposition(facts_of):
    f = facts_of("Du khách đến Nha Trang, Đà Lạt, Vũng Tàu ngày càng đông. Mô hình được triển khai tại Cần Giờ.")
    assert [(p.name, p.level, p.province) for p in f.places] == [
        ("Nha Trang", "huyện", "Khánh Hòa"), ("Đà Lạt", "huyện", "Lâm Đồng"),
        ("Vũng Tàu", "huyện", "Bà Rịa - Vũng Tàu"), ("Cần Giờ", "huyện", "Hồ Chí Minh")]
    # streets named after people are no units, nor a list with a person in it
    assert facts_of("Xe đi theo các trục đường như Ngô Quyền, Trường Chinh.").places == []
    assert facts_of("Đoàn đi qua Ngô Quyền, Trường Chinh và Nguyễn Văn Linh.").places == []


def test_a_commune_lies_in_the_province_its_address_names(facts_of):
    f = facts_of("Công an xã Phú Bình, huyện Phú Tân, tỉnh Cà Mau triển khai mô hình.")
    assert [(p.name, p.level, p.province) for p in f.places] == [
        ("Phú Bình", "xã", "Cà Mau"), ("Phú Tân", "huyện", "Cà Mau"), ("Cà Mau", "tỉnh", "Cà Mau")]
    g = facts_of("Công an xã Phú Bình (Phú Tân, An Giang) đến dự.")
    assert [(p.name, p.province) for p in g.places][0] == ("Phú Bình", "An Giang")


def test_bare_names_in_an_address_or_before_a_dashed_province(facts_of):
    f = facts_of("Ca bệnh là nam giới 52 tuổi, ở Hoà An, Cẩm Lệ, Đà Nẵng; người nhà chờ về quê tại Bà Rịa - Vũng Tàu.")
    assert [(p.name, p.level, p.province) for p in f.places] == [
        ("Hòa An", "xã", "Đà Nẵng"), ("Cẩm Lệ", "huyện", "Đà Nẵng"), ("Đà Nẵng", "tỉnh", "Đà Nẵng"),
        ("Bà Rịa - Vũng Tàu", "tỉnh", "Bà Rịa - Vũng Tàu")]


def test_a_commune_merged_away_is_found_in_an_article_written_before(facts_of):
    f = facts_of("Anh Nam, trú phường Lương Khánh Thiện (TP Phủ Lý), và chị Hoa (trú tại Bồng Khê, Con Cuông, "
                 "Nghệ An) được khen thưởng.", published=date(2021, 4, 20))
    got = {(p.name, p.level, p.province, p.province_2025) for p in f.places}
    assert {("Lương Khánh Thiện", "xã", "Hà Nam", "Ninh Bình"), ("Bồng Khê", "xã", "Nghệ An", "Nghệ An")} <= got
    assert all(p.unit_code.startswith("F:") for p in f.places if p.name in ("Lương Khánh Thiện", "Bồng Khê"))


def test_a_hyphenated_province_keeps_its_dash_as_written(facts_of):
    f = facts_of("Các tỉnh Hà Tĩnh, Phú Thọ và Thừa Thiên - Huế làm tốt công tác này.", published=date(2021, 4, 20))
    assert [p.name for p in f.places] == ["Hà Tĩnh", "Phú Thọ", "Thừa Thiên - Huế"]
    assert f.places[-1].province == "Thừa Thiên Huế"


def test_a_district_after_a_dash_is_the_communes_address(facts_of):
    f = facts_of("Các bị cáo ở thị trấn Nếnh - Việt Yên, ở xã Lương Phong - Hiệp Hòa (Bắc Giang).",
                 published=date(2011, 7, 25))
    assert [(p.name, p.level, p.province) for p in f.places] == [
        ("Nếnh", "xã", "Bắc Giang"), ("Việt Yên", "huyện", "Bắc Giang"), ("Lương Phong", "xã", "Bắc Giang"),
        ("Hiệp Hòa", "huyện", "Bắc Giang"), ("Bắc Giang", "tỉnh", "Bắc Giang")]


def test_an_undated_article_naming_no_province_takes_the_name_it_bore_longest(facts_of):
    f = facts_of("Lực lượng chức năng huyện Phú Lộc truy đuổi “vàng tặc” khỏi thôn Vinh Sơn, xã Lộc Sơn.")
    assert {p.province for p in f.places if p.level != "thôn"} == {"Thừa Thiên Huế"}


def test_highland_spellings_and_police_abbreviations_name_units(facts_of):
    f = facts_of("Gỗ của Lâm trường Quảng Tân (Đăk Rlấp, Đăk Nông) chở về Đắc Lắk. Trinh sát CAQ Thanh Xuân "
                 "phối hợp CAH Sóc Sơn (Hà Nội).", published=date(2010, 5, 3))
    got = [(p.name, p.level, p.province, p.kind) for p in f.places]
    assert got == [("Đăk Rlấp", "huyện", "Đắk Nông", None), ("Đăk Nông", "tỉnh", "Đắk Nông", None),
                   ("Đắc Lắk", "tỉnh", "Đắk Lắk", None), ("Thanh Xuân", "huyện", "Hà Nội", "quận"),
                   ("Sóc Sơn", "huyện", "Hà Nội", "huyện"), ("Hà Nội", "tỉnh", "Hà Nội", None)]


def test_a_commune_its_district_does_not_hold_and_a_place_abroad(facts_of):
    # the table has a "Phố Mới" elsewhere only: the one written here lies in Lào Cai
    f = facts_of("Hàng được mua ở thị trấn Hà Khẩu, tỉnh Vân Nam (Trung Quốc) rồi chở về phường Phố Mới "
                 "(thành phố Lào Cai).", published=date(2010, 5, 3))
    assert [(p.name, p.level, p.province, p.unit_code) for p in f.places] == [
        ("Phố Mới", "xã", "Lào Cai", None), ("Lào Cai", "huyện", "Lào Cai", "L:080")]


def test_after_the_reform_a_commune_named_as_its_old_district_is_the_new_commune(facts_of):
    f = facts_of("Tại xã Mường Lát, người dân tham gia; tại xã Vũ Thư, tỉnh Hưng Yên, cũng vậy.",
                 published=date(2025, 9, 10))
    assert [(p.name, p.level, p.province, p.unit_code[:2]) for p in f.places] == [
        ("Mường Lát", "xã", "Thanh Hóa", "N:"), ("Vũ Thư", "xã", "Hưng Yên", "N:"), ("Hưng Yên", "tỉnh", "Hưng Yên", "N:")]
