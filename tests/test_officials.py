"""Officials' titles on hand-written snippets."""


def titles(facts):  # noqa: D103
    return {o.name: o.title for o in facts.officials}


def test_an_organisation_in_parentheses_or_after_a_comma_belongs_to_the_title(facts_of):
    f = facts_of("Dự buổi lễ có Thượng tá Đinh Văn Khoa, Phó Trưởng phòng Cảnh sát hình sự (Công an tỉnh Nghệ An), "
                 "và Trung tá Vi Thị Hằng - Đội trưởng Đội Tham mưu, Công an huyện Con Cuông.")
    assert titles(f) == {"Đinh Văn Khoa": "Phó Trưởng phòng Cảnh sát hình sự (Công an tỉnh Nghệ An)",
                         "Vi Thị Hằng": "Đội trưởng Đội Tham mưu, Công an huyện Con Cuông"}


def test_chained_positions_before_the_name(facts_of):
    f = facts_of("Tới dự có đồng chí Phó Bí thư Thường trực Tỉnh ủy, Chủ tịch HĐND tỉnh Lương Văn Hòa.")
    assert titles(f) == {"Lương Văn Hòa": "Phó Bí thư Thường trực Tỉnh ủy, Chủ tịch HĐND tỉnh"}


def test_border_and_grassroots_positions_with_their_unit(facts_of):
    f = facts_of("Thiếu tá Hồ Văn Lực, Chính trị viên phó Đồn Biên phòng Cửa khẩu Cha Lo cho biết như vậy. "
                 "Ông Đinh Văn Pẩu, Tổ trưởng Tổ tự quản số 7, thôn Tân Hợp, xã Dân Hóa (huyện Minh Hóa) phát biểu.")
    assert titles(f) == {"Hồ Văn Lực": "Chính trị viên phó Đồn Biên phòng Cửa khẩu Cha Lo",
                         "Đinh Văn Pẩu": "Tổ trưởng Tổ tự quản số 7, thôn Tân Hợp, xã Dân Hóa (huyện Minh Hóa)"}


def test_a_title_that_runs_on_through_a_verb_of_an_organisations_name(facts_of):
    f = facts_of("Có mặt Thiếu tướng Mai Văn Sơn, Trưởng ban chỉ đạo thực hiện phong trào toàn dân bảo vệ an ninh "
                 "Tổ quốc tỉnh; ông Lê Văn Tâm, Chủ tịch UBND huyện nhấn mạnh vai trò của người dân.")
    assert titles(f) == {"Mai Văn Sơn": "Trưởng ban chỉ đạo thực hiện phong trào toàn dân bảo vệ an ninh Tổ quốc tỉnh",
                         "Lê Văn Tâm": "Chủ tịch UBND huyện"}


def test_a_lower_case_syllable_of_a_place_in_a_title(facts_of):
    f = facts_of("Đoàn do Đại tá Ngô Văn Thành – Phó Giám đốc Công an tỉnh bình Định làm trưởng đoàn.")
    assert titles(f) == {"Ngô Văn Thành": "Phó Giám đốc Công an tỉnh bình Định"}


def test_an_organisation_word_glued_to_a_surname_is_no_person(facts_of):
    f = facts_of("Trung úy Lê Thị Na, Bí thư Đoàn Thanh niên Công an huyện, và Bí thư Đoàn Thanh niên xã đều dự.")
    assert titles(f) == {"Lê Thị Na": "Bí thư Đoàn Thanh niên Công an huyện"}


def test_a_title_ends_where_a_verb_pair_or_another_person_begins(facts_of):
    f = facts_of("Ông Lò Văn Pó, trưởng Công an xã Chiềng Sơ thông tin thêm rằng tổ đã về. "
                 "Kẻ gian chém ông Quàng Văn Nọi – Trưởng Công an xã và ông Cà Văn Ún - Phó Công an xã Chiềng Sơ.")
    assert titles(f) == {"Lò Văn Pó": "trưởng Công an xã Chiềng Sơ", "Quàng Văn Nọi": "Trưởng Công an xã",
                         "Cà Văn Ún": "Phó Công an xã Chiềng Sơ"}


def test_positions_after_the_name_chained_by_dashes_are_kept_as_written(facts_of):
    f = facts_of("Thượng tướng Lê Văn Mạnh, Ủy viên Trung ương Đảng - Thứ trưởng Bộ Công an đến thăm.")
    assert titles(f) == {"Lê Văn Mạnh": "Ủy viên Trung ương Đảng - Thứ trưởng Bộ Công an"}


def test_an_abbreviated_unit_word_with_its_full_stop_does_not_end_a_title(facts_of):
    f = facts_of("Đại tá Nguyễn Văn Hùng, Phó Giám đốc Công an TP. HCM cho biết như vậy. "
                 "Bà Lê Thị Hoa, Chủ tịch UBND P. Bình Trị Đông B (Q. Bình Tân) cũng dự. "
                 "Ông Phạm Văn Tài, Trưởng Công an TX. Bình Long phát biểu.")
    assert titles(f) == {"Nguyễn Văn Hùng": "Phó Giám đốc Công an TP. HCM",
                         "Lê Thị Hoa": "Chủ tịch UBND P. Bình Trị Đông B (Q. Bình Tân)",
                         "Phạm Văn Tài": "Trưởng Công an TX. Bình Long"}
    # the sentence's own full stop still ends one
    assert titles(facts_of("Ông Hồ Văn Mười là Chủ tịch UBND huyện. Trung tá Lê Văn Nam, Đội trưởng Đội CSGT."))[
        "Lê Văn Nam"] == "Đội trưởng Đội CSGT"


def test_a_place_in_parentheses_or_the_units_province_after_a_comma(facts_of):
    f = facts_of("Thượng tá Phạm Văn Nam, Trưởng Công an huyện Thọ Xuân (Thanh Hóa) cho biết. "
                 "Thiếu tá Lê Văn Hải, Phó Trưởng Công an phường 1 (TP. Vĩnh Long) cho hay. "
                 "Trung tá Võ Văn Sáu, Trưởng Công an huyện Cần Giuộc, Long An nói thêm.")
    assert titles(f) == {"Phạm Văn Nam": "Trưởng Công an huyện Thọ Xuân (Thanh Hóa)",
                         "Lê Văn Hải": "Phó Trưởng Công an phường 1 (TP. Vĩnh Long)",
                         "Võ Văn Sáu": "Trưởng Công an huyện Cần Giuộc, Long An"}
    # a province the unit does not lie in is another item of the sentence
    g = facts_of("Trung tá Võ Văn Sáu, Trưởng Công an huyện Cần Giuộc, Bình Dương và Long An cùng dự.")
    assert titles(g) == {"Võ Văn Sáu": "Trưởng Công an huyện Cần Giuộc"}


def test_military_units_with_numbers_and_former_positions(facts_of):
    f = facts_of("Đại tá Đỗ Văn Thành, chính uỷ Căn cứ 696 cho biết. Thượng tá Phan Văn Lực, Trung đoàn trưởng "
                 "Trung đoàn 2, Sư đoàn BB301 phát biểu. Ông Lê Văn Bình, nguyên Giám đốc Cảnh sát PCCC thành phố, "
                 "kể lại. Theo nguyên Giám đốc Công an tỉnh Trần Văn Dũng, mô hình rất hay.")
    assert titles(f) == {"Đỗ Văn Thành": "chính uỷ Căn cứ 696",
                         "Phan Văn Lực": "Trung đoàn trưởng Trung đoàn 2, Sư đoàn BB301",
                         "Lê Văn Bình": "nguyên Giám đốc Cảnh sát PCCC thành phố",
                         "Trần Văn Dũng": "nguyên Giám đốc Công an tỉnh"}


def test_lower_case_positions_after_the_name_and_chains_kept_as_written(facts_of):
    f = facts_of("Ông Nguyễn Văn Phúc - trưởng Công an xã Phú Bình - cho biết. Ông Y Phăng Niê, phó chủ tịch UBND "
                 "xã Ea Tul, nói thêm. Đại tướng Tô Lâm, Uỷ viên Bộ Chính trị - Bộ trưởng Bộ Công an phát biểu.")
    assert titles(f) == {"Nguyễn Văn Phúc": "trưởng Công an xã Phú Bình", "Y Phăng Niê": "phó chủ tịch UBND xã Ea Tul",
                         "Tô Lâm": "Uỷ viên Bộ Chính trị - Bộ trưởng Bộ Công an"}
    # a resident quoted with an honorific and no position is no official
    assert titles(facts_of("Bà Y Bhin Niê cho biết gia đình đã tham gia.")) == {}


def test_a_position_before_a_name_is_a_title_not_a_clause(facts_of):
    f = facts_of("Ông Trần Văn Tư, Phó ban chỉ huy quân sự phường bắn chết chị Nguyễn Thị Lan. "
                 "Bộ trưởng Bộ Tài nguyên và Môi trường Đặng Quốc Khánh và Bí thư Thành ủy TP.HCM Nguyễn Văn Nên dự. "
                 "Chủ tịch UBND xã và Bí thư Lê Văn Bảy đến thăm; Chủ tịch UBND phường ông Hồ Văn Tám cũng đến.")
    assert titles(f) == {"Trần Văn Tư": "Phó ban chỉ huy quân sự phường",
                         "Đặng Quốc Khánh": "Bộ trưởng Bộ Tài nguyên và Môi trường",
                         "Nguyễn Văn Nên": "Bí thư Thành ủy TP.HCM", "Lê Văn Bảy": "Bí thư",
                         "Hồ Văn Tám": "Chủ tịch UBND phường"}


def test_a_delegation_of_a_unit_is_no_person(facts_of):
    f = facts_of("Đoàn Phòng Tham Mưu, Phó Giám đốc Công an tỉnh cho biết. Tiếp đó, Đoàn Cục Cảnh Sát, "
                 "Trưởng phòng Nguyễn Văn An dẫn đầu, đến làm việc với ông Đoàn Văn Hậu, Chủ tịch UBND xã.")
    assert set(titles(f)) == {"Nguyễn Văn An", "Đoàn Văn Hậu"}


def test_organisation_words_of_health_services(facts_of):
    f = facts_of("Phó Cục trưởng Quản lý Khám chữa bệnh Nguyễn Trọng Khoa cho biết. Ông Trần Văn Phú, nguyên Cục "
                 "trưởng Y tế dự phòng, nhận định.")
    assert titles(f) == {"Nguyễn Trọng Khoa": "Phó Cục trưởng Quản lý Khám chữa bệnh",
                         "Trần Văn Phú": "nguyên Cục trưởng Y tế dự phòng"}


def test_long_positions_before_the_name(facts_of):
    f = facts_of("Đồng chí Phó Thủ tướng Chính phủ Trần Lưu Quang cùng dự. Phó Thủ tướng Chính phủ, Trưởng Ban Chỉ đạo "
                 "quốc gia phòng chống dịch Covid-19 Vũ Đức Đam chủ trì. Chủ tịch UBND xã Tân Hòa tiếp Nguyễn Văn An.")
    assert titles(f) == {"Trần Lưu Quang": "Phó Thủ tướng Chính phủ",
                         "Vũ Đức Đam": "Phó Thủ tướng Chính phủ, Trưởng Ban Chỉ đạo quốc gia phòng chống dịch Covid-19"}


def test_where_a_title_after_the_name_ends(facts_of):
    f = facts_of("Thiếu tướng Trần Văn Tâm: - Giám đốc Công an TP Cần Thơ. Bà Lê Thị Hoa - Giám đốc Sở Y tế "
                 "TP Cần Thơ tham mưu chính quyền thành phố. Ông Phạm Văn Bình, Đội trưởng Đội tuần tra và điều "
                 "khiển tín hiệu đèn giao thông (PC08), cho biết. Ông Đỗ Minh Khôi - Giám đốc điều hành của Công ty "
                 "Cổ phần Sông Mã - đã ký. Ông Lý Văn Sơn, Trưởng Công an xã Tân Hòa huyện Châu Thành cho biết.")
    assert titles(f) == {
        "Trần Văn Tâm": "Giám đốc Công an TP Cần Thơ",  # ": -" after the name
        "Lê Thị Hoa": "Giám đốc Sở Y tế TP Cần Thơ",  # a verb after the place's name ends it
        # an organisation's code in parentheses vouches for a long name
        "Phạm Văn Bình": "Đội trưởng Đội tuần tra và điều khiển tín hiệu đèn giao thông (PC08)",
        "Đỗ Minh Khôi": "Giám đốc điều hành của Công ty Cổ phần Sông Mã",
        "Lý Văn Sơn": "Trưởng Công an xã Tân Hòa huyện Châu Thành",  # a unit word goes on
    }


def test_titles_beside_other_people_acting_holders_and_codes_before_the_name(facts_of):
    f = facts_of("Dự lễ có Chủ tịch nước Lê Văn An, nguyên Tổng Bí thư Trần Văn Bình và Đại tướng Phạm Văn Cường. "
                 "Bộ trưởng Bộ Giáo dục và Đào tạo (GD&ĐT) Nguyễn Văn Dũng phát biểu. "
                 "Thượng tá Hoàng Thị Em - quyền Trưởng phòng Hậu cần đã làm tốt.")
    assert titles(f) == {"Lê Văn An": "Chủ tịch nước", "Trần Văn Bình": "nguyên Tổng Bí thư", "Phạm Văn Cường": None,
                         "Nguyễn Văn Dũng": "Bộ trưởng Bộ Giáo dục và Đào tạo (GD&ĐT)",
                         "Hoàng Thị Em": "quyền Trưởng phòng Hậu cần"}


def test_a_position_given_by_an_appointment_or_after_an_age(facts_of):
    f = facts_of("Đại tá Lê Văn Chiến vừa được bổ nhiệm làm Trưởng phòng Cảnh sát giao thông Công an tỉnh Nghệ An. "
                 "Đại úy Trần Minh Khoa (34 tuổi, Bí thư Đoàn Phòng Tham mưu Sư đoàn 304) là gương sáng. "
                 "Ông Phạm Văn Hải được khen thưởng.")
    assert titles(f) == {"Lê Văn Chiến": "Trưởng phòng Cảnh sát giao thông Công an tỉnh Nghệ An",
                         "Trần Minh Khoa": "Bí thư Đoàn Phòng Tham mưu Sư đoàn 304"}


def test_a_professional_servicemans_rank_and_an_age_before_the_position(facts_of):
    f = facts_of("Trung úy chuyên nghiệp Hồ Văn Lâm bị thương. Ông Đinh Văn Tư (62 tuổi) - Tổ trưởng Tổ tự quản "
                 "ấp 2 cho biết.")
    assert [(o.name, o.rank, o.title) for o in f.officials] == [
        ("Hồ Văn Lâm", "Trung úy", None), ("Đinh Văn Tư", None, "Tổ trưởng Tổ tự quản ấp 2")]


def test_a_title_ending_the_sentence_on_a_unit_word(facts_of):
    f = facts_of("Dự có Đại tá Trần Văn Em, Phó Giám đốc Công an tỉnh. Ông Lê Văn An, Chủ tịch UBND xã. Hết.")
    assert titles(f) == {"Trần Văn Em": "Phó Giám đốc Công an tỉnh", "Lê Văn An": "Chủ tịch UBND xã"}
