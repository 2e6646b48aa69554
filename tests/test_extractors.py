"""Tricky cases per extractor, on snippets written for the purpose."""

from datetime import date

import pytest


def counts(facts):  # noqa: D103
    return [(c.value, c.denominator, c.unit.split()[0], c.qualifier) for c in facts.counts]


# --- counts ------------------------------------------------------------------

def test_vietnamese_number_notation(facts_of):
    f = facts_of("Xã đã vận động 1.000 lượt người, hỗ trợ 500.000.000 đồng, đạt 92,6% và bàn giao 07 nhà.")
    assert counts(f) == [(1000, None, "lượt", None), (500000000, None, "đồng", None),
                         (92.6, None, "%", None), (7, None, "nhà", None)]


def test_ratio_versus_date(facts_of):
    f = facts_of("Ngày 16/6, huyện có 13/13 khu dân cư và 4/5 xã đạt chuẩn; sáng 19/5 có 126/136 vụ việc được hòa giải.",
                 published=date(2022, 6, 20))
    assert counts(f) == [(13, 13, "khu", None), (4, 5, "xã", None), (126, 136, "vụ", None)]
    assert [d.value for d in f.dates] == ["2022-06-16", "2022-05-19"]


def test_qualifiers(facts_of):
    f = facts_of("Tổ chức cho trên 1.000 lượt cán bộ, gần 9.500 đối tượng, khoảng hơn 300 người và hơn 78% hộ gia đình.")
    assert [c.qualifier for c in f.counts] == ["trên", "gần", "khoảng hơn", "hơn"]


@pytest.mark.parametrize(
    "text",
    [
        "Thực hiện Chỉ thị 09 của Ban Bí thư (khóa XI) và Đề án 375 của UBND tỉnh.",
        "Theo Thông tư số 124 của Bộ Công an và Nghị định 144/2021/NĐ-CP.",
        "Phó Trưởng ban thường trực BCĐ 138 tỉnh phát biểu về dịch Covid-19.",
        "Tập huấn cho thành viên thứ 2 trong các hộ gia đình, lần thứ 3 tổ chức.",
        "Năm 2022 và năm 2024, lúc 10:03, gọi đường dây nóng 0692324026.",
        "Trong 3 năm (2020- 2023) và 05 năm qua, xã làm tốt.",
        "Mô hình “2 +1” và mô hình “Câu lạc bộ 3 tích cực” hoạt động tốt.",
        "Cả nước có hàng trăm mô hình, hàng chục ngàn quyển tập.",
    ],
)
def test_not_counts(facts_of, text):
    assert counts(facts_of(text)) == []


def test_ratios_decimals_and_glued_measures(facts_of):
    f = facts_of("Toàn huyện có 2.140/2.236 hộ ký cam kết, rừng rộng 48,7km2 và 1.250 ha; "
                 "tiếp nhận hơn 2.600 tin báo, tố giác; dân số 9.874 người, trong số 3.020 người là đồng bào.")
    assert counts(f) == [(2140, 2236, "hộ", None), (48.7, None, "km2", None), (1250, None, "ha", None),
                         (2600, None, "tin", "hơn"), (9874, None, "người", None), (3020, None, "người", None)]


@pytest.mark.parametrize(
    "text",
    [
        "Nhà văn hóa thôn Hòa Sơn 2 những năm qua luôn sáng đèn.",
        "Bản Nà Lừa 1 cách trung tâm huyện rất xa.",
        "Cửa hàng ở 27 phố Lò Sũ và 8 phường Phúc Tân đều mở cửa.",
        "Đoàn về tổ dân phố Đồng Tâm 3 các ngày cuối tuần.",
        "Xe máy BKS: 36 B4-512.07 và xe biển kiểm soát 30F-123.45 bị giữ.",
        "Hội nghị Trung ương 8 khoá XIII bàn về nhà số 48 đường số 9 và 131 đường số 6.",
    ],
)
def test_a_number_in_or_before_a_name_is_no_count(facts_of, text):
    assert counts(facts_of(text)) == []


def test_a_number_followed_by_a_verb_is_no_count(facts_of):
    f = facts_of("Buổi lễ có hơn 300 tham dự; năm qua 14 ra mắt và 6 vụ xảy ra, với 120 người tham dự.")
    assert counts(f) == [(6, None, "vụ", None), (120, None, "người", None)]


def test_a_number_before_a_list_of_units_or_a_distance_counts(facts_of):
    f = facts_of("Hỗ trợ 3 xã Quang Kim, Bản Vược, Cốc Mỳ; thôn Pạc Bó cách trung tâm xã Trường Hà 7 km.")
    assert counts(f) == [(3, None, "xã", None), (7, None, "km", None)]


def test_numbers_inside_quoted_speech_still_count(facts_of):
    f = facts_of("Ông Nguyễn Văn An, Chủ tịch UBND xã cho biết: “Năm nay xã đã lắp 25 camera an ninh. Người dân rất đồng tình.”")
    assert counts(f) == [(25, None, "camera", None)]


def test_count_linked_to_model_and_place(facts_of):
    f = facts_of("Trên địa bàn huyện Thường Xuân có 1.120 mô hình “Tổ liên gia an toàn PCCC” đang hoạt động.")
    (c,) = f.counts
    assert c.model == "Tổ liên gia an toàn PCCC"
    assert c.place == "Thường Xuân"


# --- dates -------------------------------------------------------------------

def test_date_forms(facts_of):
    f = facts_of(
        "Tháng 3/2020, năm 2022, trong giai đoạn (2020- 2023) và dịp 16/6/1967 – 16/6/2022, "
        "ngày 15/06/2022 và ngày 8 tháng 4 năm 2020 đều được nhắc."
    )
    assert {d.value for d in f.dates} == {
        "2020-03", "2022", "2020/2023", "1967-06-16/2022-06-16", "2022-06-15", "2020-04-08"}


def test_day_without_year_takes_publication_year(facts_of):
    assert [d.value for d in facts_of("Sáng 19/5, đoàn công tác đến xã.", published=date(2025, 5, 20)).dates] == ["2025-05-19"]
    assert facts_of("Sáng 19/5, đoàn công tác đến xã.").dates == []


def test_days_written_with_a_dot_or_a_dash_take_the_publication_year(facts_of):
    f = facts_of("Ngày 14.3, tổ ra mắt; sáng 9-10 đoàn kiểm tra và tối 30.4 tổ tuần tra; mỗi tổ có từ 2-3 người, 4.5 giờ.",
                 published=date(2021, 11, 2))
    assert [d.value for d in f.dates] == ["2021-03-14", "2021-10-09", "2021-04-30"]
    assert facts_of("Ngày 14.3, tổ ra mắt.").dates == []  # no publication year to give it


def test_months_and_periods_written_with_a_dash_or_mixed(facts_of):
    f = facts_of("Tháng 11-2018, xã lập tổ tự quản; từ năm 2015 đến tháng 6/2021 và từ tháng 4/2019 đến năm 2023, "
                 "6 tháng đầu năm 2024 tổ làm tốt.")
    assert [d.value for d in f.dates] == ["2018-11", "2015/2021-06", "2019-04/2023", "2024"]


def test_a_range_of_days_in_one_month(facts_of):
    f = facts_of("Từ ngày 3 đến ngày 9/10/2022 và 14-16/4/2023, đoàn công tác làm việc tại xã.")
    assert [d.value for d in f.dates] == ["2022-10-03/2022-10-09", "2023-04-14/2023-04-16"]


def test_periods_with_dots_a_day_to_a_month_and_days_of_the_publication_year(facts_of):
    f = facts_of("Từ ngày 2.3.2019 - 2.3.2020, huyện xử lý 420 vụ; từ ngày 5.6.2018 đến hết tháng 2.2019 có 80 vụ; "
                 "từ tháng 2 - 9.2019 thêm 12 vụ.", published=date(2020, 5, 4))
    assert [d.value for d in f.dates] == ["2019-03-02/2020-03-02", "2018-06-05/2019-02", "2019-02/2019-09"]
    f = facts_of("Trong đợt cao điểm (14/4 đến ngày 22/4), dịp nghỉ lễ 30/4--1/5 và lễ 2/9 và 3/9, xã tăng cường tuần tra.",
                 published=date(2024, 4, 12))
    assert [d.value for d in f.dates] == ["2024-04-14/2024-04-22", "2024-04-30/2024-05-01", "2024-09-02", "2024-09-03"]


def test_a_quarter_a_month_of_this_year_and_a_day_written_with_the_next(facts_of):
    f = facts_of("Trong quý 2/2023 và quý IV/2023, Công an huyện tiếp nhận 45 tin báo.", published=date(2024, 1, 5))
    assert [d.value for d in f.dates] == ["2023-04/2023-06", "2023-10/2023-12"]
    f = facts_of("Vào tháng 11 vừa qua, trong 2 ngày 8 và 9/12, đoàn đã làm việc với 3 xã.", published=date(2024, 12, 20))
    assert [d.value for d in f.dates] == ["2024-11", "2024-12-08", "2024-12-09"]
    # with its year written after the last day, an undated article too
    f = facts_of("Vụ gây rối xảy ra vào ngày 23, 24/8/2010 tại mỏ.")
    assert [d.value for d in f.dates] == ["2010-08-23", "2010-08-24"]
    f = facts_of("Hồ tôm rộng 3000m2 của gia đình được bảo vệ, năm 2023 không mất cắp.")
    assert [d.value for d in f.dates] == ["2023"]


def test_a_number_of_a_document_is_no_year(facts_of):
    f = facts_of("Theo công văn số 2031/SGDĐT-KT và văn bản số 1998 của Sở, năm 2019 xã làm tốt.")
    assert [d.value for d in f.dates] == ["2019"]


def test_dates_inside_document_names_are_left_out(facts_of):
    f = facts_of("Triển khai “Đề án phát triển dữ liệu dân cư giai đoạn 2022-2025, tầm nhìn đến năm 2030” tại địa phương; "
                 "Kế hoạch thực hiện Chiến lược quốc gia phòng, chống tội phạm giai đoạn 2016 – 2025; năm 2023 đạt kết quả tốt.")
    assert [d.value for d in f.dates] == ["2023"]


# --- places ------------------------------------------------------------------

def places(facts):
    return {(p.name, p.level, p.province) for p in facts.places}


def test_units_parentheses_and_bare_provinces(facts_of):
    f = facts_of("Mô hình tại xã Yên Nhân (Thường Xuân) được nhân rộng. Thanh Hóa được đánh giá cao.")
    assert places(f) == {("Yên Nhân", "xã", "Thanh Hóa"), ("Thường Xuân", "huyện", "Thanh Hóa"), ("Thanh Hóa", "tỉnh", "Thanh Hóa")}


def test_hoa_binh_district_in_a_bac_lieu_article(facts_of):
    f = facts_of("Công an tỉnh Bạc Liêu xây dựng mô hình tại huyện Hòa Bình và huyện Đông Hải.")
    assert ("Hòa Bình", "huyện", "Bạc Liêu") in places(f)
    assert not any(p.level == "tỉnh" and p.name == "Hòa Bình" for p in f.places)


def test_tone_placement_variants_are_one_place(facts_of):
    f = facts_of("Công an TX Thái Hoà, Nghệ An và Công an thị xã Thái Hòa phối hợp.")
    assert [(p.name, p.level) for p in f.places if p.level == "huyện"] == [("Thái Hòa", "huyện")]


def test_city_of_a_province_is_district_level(facts_of):
    f = facts_of("Bà Dương Thị Thanh Thủy, Phường Hoàng Văn Thụ, thành phố Lạng Sơn, tỉnh Lạng Sơn cho biết như vậy.")
    assert places(f) == {("Hoàng Văn Thụ", "xã", "Lạng Sơn"), ("Lạng Sơn", "huyện", "Lạng Sơn"), ("Lạng Sơn", "tỉnh", "Lạng Sơn")}
    assert f.officials == []  # a resident with no position is not an official


def test_person_and_street_names_are_not_places(facts_of):
    f = facts_of("Học tập và làm theo tư tưởng, phong cách Hồ Chí Minh; trụ sở trên đường Lạng Sơn.")
    assert f.places == []


def test_places_carry_gazetteer_link(facts_of):
    (p,) = facts_of("Tại huyện Bình Lục, phong trào phát triển mạnh.").places
    assert p.unit_code and p.lat and p.lon
    assert p.province_2025 == "Ninh Bình"


# --- officials ---------------------------------------------------------------

def officials(facts):
    return {(o.name, o.rank, o.title) for o in facts.officials}


def test_rank_name_and_comma_joined_positions(facts_of):
    f = facts_of("Trung tướng Lê Quốc Hùng, Ủy viên Trung ương Đảng, Thứ trưởng Bộ Công an cho biết: “Phong trào phát triển.”")
    assert officials(f) == {("Lê Quốc Hùng", "Trung tướng", "Ủy viên Trung ương Đảng, Thứ trưởng Bộ Công an")}


def test_position_before_the_name_and_one_item_per_person(facts_of):
    f = facts_of("Thứ trưởng Lê Quốc Hùng thăm mô hình. Sau đó, Thứ trưởng Lê Quốc Hùng làm việc với Công an tỉnh.")
    assert officials(f) == {("Lê Quốc Hùng", None, "Thứ trưởng")}


def test_honorific_and_old_tone_placement_in_rank(facts_of):
    f = facts_of("Đồng chí Ngô Thị Khanh, Trưởng Ban Dân vận Huyện ủy, Chủ tịch Ủy ban MTTQ huyện Bình Lục cho biết. "
                 "Thiếu uý Trần Văn Bình, cán bộ Công an xã, có mặt.")
    got = officials(f)
    assert ("Ngô Thị Khanh", None, "Trưởng Ban Dân vận Huyện ủy, Chủ tịch Ủy ban MTTQ huyện Bình Lục") in got
    assert any(name == "Trần Văn Bình" and rank == "Thiếu úy" for name, rank, _ in got)


def test_bylines_and_historical_names_are_not_officials(facts_of):
    f = facts_of("Bài và ảnh: Phan Nga\nTrọng Nguyễn - Phan Anh\nHọc tập theo Chủ tịch Hồ Chí Minh.")
    assert f.officials == []


# --- models ------------------------------------------------------------------

def models(facts):
    return {(m.name, m.place, m.count) for m in facts.models}


def test_list_after_model_introducer_with_places_and_sponsors(facts_of):
    f = facts_of("Nhiều mô hình hiệu quả như mô hình: “Tổ tự quản” (của Ủy ban MTTQ huyện); "
                 "“Câu lạc bộ nông dân với pháp luật” (của Hội Nông dân huyện); "
                 "“Dòng họ không có tội phạm” (ở xã Ngọc Lũ).")
    assert models(f) == {("Tổ tự quản", None, None), ("Câu lạc bộ nông dân với pháp luật", None, None),
                         ("Dòng họ không có tội phạm", "Ngọc Lũ", None)}
    sponsors = {m.name: m.sponsor for m in f.models}
    assert sponsors["Câu lạc bộ nông dân với pháp luật"] == "Hội Nông dân huyện"


def test_campaigns_standards_and_events_are_not_models(facts_of):
    f = facts_of("Gắn phong trào “Toàn dân bảo vệ ANTQ” với cuộc vận động: “Toàn dân đoàn kết xây dựng đời sống văn hóa”, "
                 "phong trào thi đua “Dân vận khéo”; đạt tiêu chuẩn “An toàn về ANTT”; tổ chức 5 diễn đàn "
                 "“Công an lắng nghe ý kiến nhân dân” và “Ngày hội toàn dân BVANTQ”.")
    assert f.models == []


def test_count_and_abbreviation_variants_are_one_canonical_model(facts_of):
    f = facts_of("Có 1.120 mô hình “Tổ liên gia an toàn PCCC”. Mô hình “Tổ liên gia an toàn phòng cháy, chữa cháy” phát huy tác dụng.")
    assert len(f.models) == 1
    (m,) = f.models
    assert m.count == 1120
    assert m.canonical == "tổ liên gia an toàn phòng cháy chữa cháy"


def test_same_model_with_leading_zero_keeps_the_fuller_record(facts_of):
    f = facts_of("Thăm mô hình “Câu lạc bộ 3 tích cực” xã Hưng Hội, huyện Vĩnh Lợi. "
                 "Có 07 mô hình được công nhận gồm: “Câu lạc bộ 03 tích cực”; “Tổ tự quản người Hoa”.")
    by_name = {m.name: m for m in f.models}
    assert set(by_name) == {"Câu lạc bộ 3 tích cực", "Tổ tự quản người Hoa"}
    assert by_name["Câu lạc bộ 3 tích cực"].place == "Hưng Hội"


# --- cases found on the hand-written held-out set (corpus/heldout) -------------

def test_a_list_of_communes_after_one_unit_word(facts_of):
    f = facts_of("Huyện Điện Biên xây dựng 12 mô hình “Bản không có ma túy” tại các xã Thanh Xương, Noong Hẹt, Na Tông.")
    assert {p.name for p in f.places if p.level == "xã"} == {"Thanh Xương", "Noong Hẹt", "Na Tông"}
    (m,) = f.models
    assert (m.place, m.count) == ("Điện Biên", 12)  # three communes: the unit that holds them
    f = facts_of("Công an huyện xây dựng 12 mô hình “Bản không có ma túy” tại các xã Thanh Xương, Noong Hẹt, Na Tông.")
    assert f.models[0].place is None  # three communes and no one unit named that holds them


def test_a_bare_name_shared_with_a_commune_is_the_commune(facts_of):
    f = facts_of("Xã Thanh Hóa (huyện Tuyên Hóa) có 8 thôn. Không chỉ ở Thanh Hóa, cả huyện làm tốt.")
    assert not any(p.level == "tỉnh" for p in f.places)
    f = facts_of("Xã Thanh Hóa có 8 thôn. Tỉnh Thanh Hóa cũng làm tốt.")
    assert any(p.level == "tỉnh" and p.name == "Thanh Hóa" for p in f.places)


def test_position_then_rank_and_names_glued_to_places(facts_of):
    f = facts_of("Giám đốc Công an tỉnh, Đại tá Hoàng Đình Khải chủ trì. "
                 "Theo Phó Chủ tịch UBND quận Ba Đình Nguyễn Mạnh Hùng, quận đang triển khai. "
                 "Bí thư Huyện ủy Quảng Ninh Trần Thị Hồng Vân cho biết như vậy.")
    assert officials(f) == {("Hoàng Đình Khải", "Đại tá", "Giám đốc Công an tỉnh"),
                            ("Nguyễn Mạnh Hùng", None, "Phó Chủ tịch UBND quận Ba Đình"),
                            ("Trần Thị Hồng Vân", None, "Bí thư Huyện ủy Quảng Ninh")}


def test_quoted_unit_and_total_number(facts_of):
    f = facts_of("Người dân lập 40 “điểm chữa cháy công cộng”; với tổng số 21.460 thành viên.")
    assert counts(f) == [(40, None, "điểm", None), (21460, None, "thành", None)]


def test_holiday_day_of_this_year(facts_of):
    f = facts_of("Đợt cao điểm dịp Quốc khánh 2/9 năm nay diễn ra sôi nổi.", published=date(2025, 8, 18))
    assert [d.value for d in f.dates] == ["2025-09-02"]
    assert f.counts == []


def test_scare_quotes_after_mo_hinh_are_not_models(facts_of):
    f = facts_of("Khắc phục tình trạng mô hình “có tên nhưng không có hoạt động” ở một số nơi.")
    assert f.models == []


def test_model_count_from_what_its_first_word_names(facts_of):
    f = facts_of("Ở xã Trường Sơn, mô hình “Bản không có ma túy” được triển khai tại 9/11 bản.")
    (m,) = f.models
    assert (m.count, m.place) == (9, "Trường Sơn")


# --- counts and dates: numbers that are names, days, services ---------------------

@pytest.mark.parametrize(
    "text",
    [
        "Đại tá Lê Văn An, Phó Tư lệnh Vùng 2 Hải quân, dự lễ.",
        "Chính uỷ Căn cứ 696 đến thăm trường cấp 2 Tân Lập và Trung đoàn 2.",
        "Dịp mùng 1 Tết, 1 Tết năm nay, người dân đi lễ chùa.",
        "Khi có sự cố, người dân gọi 911, 113, 114 hoặc 115. Xe 115 chở bệnh nhân. Cảnh sát 113 Công an tỉnh có mặt.",
        "Có 12 triển khai mô hình mới trên địa bàn.",
        "Cửa hàng ở số 15 Lê Lợi và 2 Tân Lập đều lắp camera.",
    ],
)
def test_numbers_of_names_days_and_services_are_no_counts(facts_of, text):
    assert counts(facts_of(text)) == []


def test_two_counts_across_a_slash_a_distance_and_abbreviated_units(facts_of):
    f = facts_of("Năm 2023, Công an huyện bắt giữ 13 vụ/15 đối tượng; điểm chốt cách bản Na Sang 15 km; "
                 "có 5 UBND xã, 3 CSGT, 7 Đồn Biên phòng, hơn 2000 người và 113 vụ.")
    assert counts(f) == [(13, None, "vụ", None), (15, None, "đối", None), (15, None, "km", None),
                         (5, None, "UBND", None), (3, None, "CSGT", None), (7, None, "Đồn", None),
                         (2000, None, "người", "hơn"), (113, None, "vụ", None)]


def test_numbers_whose_space_was_lost_still_count(facts_of):
    # real pages lose spaces: after punctuation, between a word and a number, before the unit
    f = facts_of("Đã tiếp nhận 764 tin (chiếm 72%),297 tin đang xử lý; hồ rộng 2000m2; vượt 0,327mg/l khí thở; "
                 "đạt công suất150.000test/ngày, 300 người/km2.")
    assert [(c.value, c.unit.split()[0]) for c in f.counts] == [
        (764, "tin"), (72, "%"), (297, "tin"), (2000, "m2"), (0.327, "mg/l"), (150000, "test/ngày"),
        (300, "người/km2")]


@pytest.mark.parametrize("text", ["Bệnh nhân F0 và covid19 tại khu H5N1.", "Lúc 18h, đến 15h10 thì về.", "Đội tuyển U23 Malaysia và Ư23 đến.",
                                  "Đêm 29 tết, em học lớp 6 Trường cấp II, Công an phường 1 thường xuyên tuần tra.",
                                  "Năm 2019,2020 và mạng 5G."])
def test_numbers_glued_to_codes_and_hours_are_no_counts(facts_of, text):
    assert counts(facts_of(text)) == []


def test_periods_across_months_take_the_last_days_year(facts_of):
    f = facts_of("Đợt cao điểm từ 12/3 đến 12/6/2018; từ 12-3 đến 12-6-2018; từ ngày 12.3 đến hết ngày 12.6.2018; "
                 "từ tháng 3 đến tháng 6/2017; từ 1/9 đến 30/11, công an mở đợt.", published=date(2018, 12, 1))
    assert [d.value for d in f.dates] == ["2018-03-12/2018-06-12", "2017-03/2017-06", "2018-09-01/2018-11-30"]


def test_a_year_sized_number_in_a_name_or_a_count_is_no_date(facts_of):
    f = facts_of("Căn cứ 2000 của Quân khu đón hơn 2000 người, 2000 hộ dân. Năm 2018, 2019 và 2020 đều đạt (2021).")
    assert [d.value for d in f.dates] == ["2018", "2019", "2020", "2021"]


@pytest.mark.parametrize("before", [
    "Thực hiện Chỉ thị ", "theo Thông tư số ", "tổng số ", "Phó Tư lệnh Vùng ", "cách thôn Tân Lập ", "ấp ",
    "trong ngày ", "gọi (số ", "thôn Na Sang:\n", "có ", "hơn ", "Đội ", "xã Bản Luốc ", "\u200bNgày ",
])
def test_the_quick_reference_check_agrees_with_the_rule(before):
    from extractors.figures import REFERENCE_BEFORE, reference_before
    assert bool(reference_before(before)) == bool(REFERENCE_BEFORE.search(before))
