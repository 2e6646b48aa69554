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


def test_positions_after_the_name_chained_by_dashes_are_comma_joined(facts_of):
    f = facts_of("Thượng tướng Lê Văn Mạnh, Ủy viên Trung ương Đảng - Thứ trưởng Bộ Công an đến thăm.")
    assert titles(f) == {"Lê Văn Mạnh": "Ủy viên Trung ương Đảng, Thứ trưởng Bộ Công an"}
