"""Models on hand-written snippets: how lists introduce them, quotes, places and counts."""


def models(facts):  # noqa: D103
    return [(m.name, m.place, m.count) for m in facts.models]


def test_a_list_introduced_by_models_of_a_movement(facts_of):
    f = facts_of("Trong vùng đồng bào có đạo, các mô hình trong phong trào toàn dân bảo vệ an ninh Tổ quốc gồm có: "
                 "“Xứ đạo bình yên”, “Giáo dân nói không với ma túy”.")
    assert [m[0] for m in models(f)] == ["Xứ đạo bình yên", "Giáo dân nói không với ma túy"]
    g = facts_of("Huyện nhân rộng những mô hình, phong trào: “Bến đò an toàn” (xã Tiên Phong); “Chợ văn minh”.")
    assert models(g)[0] == ("Bến đò an toàn", "Tiên Phong", None)
    # a campaign named right after "phong trào" stays a campaign
    h = facts_of("Xã xây dựng các mô hình gắn với phong trào thi đua “Vì an ninh Tổ quốc” trên địa bàn.")
    assert models(h) == []


def test_a_list_that_goes_on_after_a_line_break(facts_of):
    f = facts_of("Năm 2024, Công an huyện duy trì 12 mô hình tự quản, gồm:\n- “Tổ tuần tra nhân dân”;\n- “Loa an ninh”.")
    assert [m[0] for m in models(f)] == ["Tổ tuần tra nhân dân", "Loa an ninh"]


def test_nested_mixed_single_and_missing_quote_marks(facts_of):
    f = facts_of("Xã có các mô hình “Tổ an ninh “4 an toàn””, “Nhóm Zalo \"Bình yên\"”, 'Tổ hòa giải' và "
                 "“Đèn đường an ninh, “Chốt tự quản” ở xã Cư M'gar.")
    assert [m[0] for m in models(f)] == ["Tổ an ninh “4 an toàn”", "Nhóm Zalo \"Bình yên\"", "Tổ hòa giải",
                                         "Đèn đường an ninh", "Chốt tự quản"]


def test_a_numbered_slogan_is_named_with_its_head(facts_of):
    f = facts_of("Ngư dân tham gia Tổ đoàn kết trên biển \"3 không\" do Đồn Biên phòng hướng dẫn tại xã Bình Châu.")
    assert models(f) == [('Tổ đoàn kết trên biển "3 không"', "Bình Châu", None)]
    # but a campaign's slogan is not a model
    assert models(facts_of("Hội phát động cuộc vận động Gia đình \"5 không, 3 sạch\" trong hội viên.")) == []


def test_the_place_before_in_a_sentence_or_in_parentheses_after(facts_of):
    f = facts_of("Tại xã Thiệu Giao, người dân đóng góp kinh phí. Công an xã đã xây dựng mô hình “Ngõ phố sáng”.")
    assert models(f) == [("Ngõ phố sáng", "Thiệu Giao", None)]
    g = facts_of("Ngày 4/3, xã Tân Phong ra mắt mô hình “Chốt an ninh” - đây là xã đầu tiên của huyện Quảng Xương có mô hình này.")
    assert models(g)[0][1] == "Tân Phong"


def test_counts_of_a_model_restated_elsewhere(facts_of):
    f = facts_of("Huyện ra mắt mô hình “Tổ liên gia tự quản về an ninh trật tự”. Chủ tịch xã công bố quyết định "
                 "thành lập “6 tổ liên gia tự quản về an ninh trật tự thôn Đông”. Đến nay, toàn xã có "
                 "6 tổ liên gia tự quản về an ninh, trật tự.")
    assert models(f) == [("Tổ liên gia tự quản về an ninh trật tự", None, 6)]
    g = facts_of("Phường xây dựng mô hình “Khu phố 3 không ma túy”; đến nay đã có 9 mô hình “3 không ma túy”.")
    assert models(g) == [("Khu phố 3 không ma túy", None, 9)]
    h = facts_of("Huyện có mô hình “Thôn 4 an toàn: an ninh, trật tự, giao thông, cháy nổ”; "
                 "năm nay có thêm 15 mô hình “4 an toàn …”.")
    assert models(h) == [("Thôn 4 an toàn: an ninh, trật tự, giao thông, cháy nổ", None, 15)]


def test_a_count_of_the_whole_list_is_no_items_count(facts_of):
    f = facts_of("Sơ kết 2 mô hình “Xóm không rác” tại xã A Lưới và mô hình “Chốt dân phòng” tại thị trấn Phong Điền.")
    assert [m.count for m in f.models] == [None, None]
    assert models(facts_of("Huyện có 14 mô hình “Xóm không rác” đang hoạt động."))[0][2] == 14


def test_a_long_name_right_after_mo_hinh_is_a_name_not_speech(facts_of):
    name = ("Phát huy vai trò người có uy tín trong đồng bào dân tộc thiểu số tham gia giữ gìn an ninh trật tự "
            "và xây dựng khu dân cư văn hóa ở vùng biên")
    assert [m.name for m in facts_of(f"Xã triển khai mô hình “{name}” từ năm 2021.").models] == [name]


def test_lower_case_names_right_after_their_introducer(facts_of):
    f = facts_of('Công an phường triển khai mô hình "hiệp sĩ đường phố" trên địa bàn. Công an huyện thực hiện '
                 'mô hình trao "móc khoá an ninh" cho người dân. Huyện nhân rộng những mô hình "móc khoá tố giác tội '
                 'phạm" và "móc khoá tiếp nhận thông tin an ninh trật tự". Các mô hình tiêu biểu như: "tổ tuần tra '
                 'nhân dân", "loa an ninh".')
    assert [m[0] for m in models(f)] == ["hiệp sĩ đường phố", "móc khoá an ninh", "móc khoá tố giác tội phạm",
                                         "móc khoá tiếp nhận thông tin an ninh trật tự", "tổ tuần tra nhân dân",
                                         "loa an ninh"]
    # a headline's single quotes
    assert [m[0] for m in models(facts_of("Nhân rộng mô hình 'hiệp sĩ đường phố' ở Bình Dương"))] == ["hiệp sĩ đường phố"]


def test_scare_quotes_in_lower_case_are_no_models(facts_of):
    f = facts_of('Cần khắc phục tình trạng mô hình "có tên nhưng không có hoạt động". Người dân gọi đó là những '
                 '"con nghiện" của mạng xã hội. Mô hình này được gọi là "lá chắn thép" của thôn. '
                 'Mô hình "tổ tự quản" ở đây hoạt động theo kiểu "làm cho có".')
    assert [m[0] for m in models(f)] == ["tổ tự quản"]


def test_an_application_presented_as_a_model(facts_of):
    assert [m[0] for m in models(facts_of("Công an tỉnh ra mắt mô hình ứng dụng “Bình Dương an toàn” trên điện thoại."))] \
        == ["Bình Dương an toàn"]
    assert models(facts_of("Công an tỉnh ra mắt ứng dụng “Bình Dương an toàn” trên điện thoại.")) == []


def test_the_place_of_a_model_run_by_a_province_level_unit_or_a_district_of_a_named_province(facts_of):
    f = facts_of('Công an TP. HCM vừa triển khai mô hình "hiệp sĩ đường phố" trên toàn thành phố. '
                 "Công an huyện Thọ Xuân (Thanh Hóa) ra mắt mô hình “Dòng họ tự quản”. "
                 "Đồn Biên phòng cửa khẩu quốc tế Lao Bảo (Quảng Trị) triển khai mô hình “Cột mốc chủ quyền”.")
    # ANNOTATION.md: the most specific unit the sentence ties to the model, the district here
    assert [(m[0], m[1]) for m in models(f)] == [("hiệp sĩ đường phố", "Hồ Chí Minh"), ("Dòng họ tự quản", "Thọ Xuân"),
                                                 ("Cột mốc chủ quyền", "Quảng Trị")]
    # a commune with its district in parentheses stays the most specific place
    assert models(facts_of("Xã Yên Nhân (Thường Xuân) có mô hình “Bản không ma túy”."))[0][1] == "Yên Nhân"


def test_the_place_of_the_clause_that_names_the_model(facts_of):
    f = facts_of("Không chỉ ở Cần Giờ, tại khu vực ven biển, huyện Duyên Hải cũng nhân rộng mô hình “Tổ tự quản ngư dân”.")
    assert models(f) == [("Tổ tự quản ngư dân", "Duyên Hải", None)]


def test_lower_case_items_of_a_models_list_on_their_own_lines(facts_of):
    f = facts_of('Công an xã duy trì các mô hình sau:\n- "tổ tự quản an ninh trật tự";\n- "camera an ninh";\n'
                 '2. "loa an ninh".\nNgười dân nói:\n- "làm cho có" thôi.')
    assert [m[0] for m in models(f)] == ["tổ tự quản an ninh trật tự", "camera an ninh", "loa an ninh"]


def test_names_in_guillemets_are_quoted_names_too(facts_of):
    f = facts_of("Huyện duy trì các mô hình tiêu biểu như: «Tổ tuần tra nhân dân», \"Cụm dân cư an toàn\", "
                 "“Thôn, bản không có ma túy”.")
    assert [m.name for m in f.models] == ["Tổ tuần tra nhân dân", "Cụm dân cư an toàn", "Thôn, bản không có ma túy"]
