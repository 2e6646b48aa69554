from datetime import date

import pytest

from pipeline.read.clean import clean, clean_text
from pipeline.read.dateline import parse_dateline
from pipeline.read.decode import decode
from pipeline.errors import InputError

BODY = (
    "Năm 2023, Công an huyện Bình Lục đã tổ chức 12 buổi tuyên truyền cho trên 1.000 lượt người dân "
    "về phòng, chống tội phạm và xây dựng phong trào toàn dân bảo vệ an ninh Tổ quốc trên địa bàn."
)


def test_site_clock_is_chrome_and_not_the_publication_date():
    page = "\n".join([
        "Thứ Ba, 20/05/2025 02:52 GMT+7",
        "  • ANTV",
        "  • Hotline: 0692324026",
        "  • Email: news@antv.gov.vn",
        "Xã hội",
        "Một tiêu đề đủ dài của bài báo này",
        BODY,
    ])
    article = clean_text(page)
    assert article.published is None
    assert "Hotline" not in article.text and "20/05/2025" not in article.text
    assert article.title == "Một tiêu đề đủ dài của bài báo này"


def test_dateline_gives_the_publication_date_and_leaves_the_text():
    page = "Thứ Tư, 08/04/2020, 10:03 [GMT+7]\nCông an TX Thái Hòa, Nghệ An\nTiêu đề của bài báo ở đây\n" + BODY
    article = clean_text(page)
    assert article.published == date(2020, 4, 8)
    assert "08/04/2020" not in article.text
    assert article.text.startswith("Công an TX Thái Hòa, Nghệ An")


@pytest.mark.parametrize(
    "line, expected",
    [
        ("15/06/2022", date(2022, 6, 15)),
        ("Cập nhật: 10:30 ngày 21/8/2024", date(2024, 8, 21)),
        ("Thứ Hai, 03/03/2025 - 09:12", date(2025, 3, 3)),
        ("Ngày 5 tháng 9 năm 2023", date(2023, 9, 5)),
        ("2024-01-31", date(2024, 1, 31)),
        ("Trong 3 năm (2020- 2023), xã đã làm", None),
        ("31/02/2024", None),
        # "Cập nhật lúc" and a time before the weekday, the zone after
        ("Cập nhật lúc 17:05, Thứ Bảy, 14/03/2020 (GMT+7)", date(2020, 3, 14)),
        ("Cập nhật, 07:40, Chủ nhật, 06/10/2024 (GMT+7)", date(2024, 10, 6)),
        # a print button, a view counter, a share button on the line
        ("Print Thứ Năm, 11/04/2019 15:02", date(2019, 4, 11)),
        ("Thứ Ba, 03/12/2024 - 10:20 | 512 lượt xem | Chia sẻ:", date(2024, 12, 3)),
        # the month in words
        ("Thứ Hai, 4 Tháng Mười Hai, 2023", date(2023, 12, 4)),
        ("Chủ nhật, 7 Tháng Tư, 2024 1.024 lượt xem", date(2024, 4, 7)),
        ("Ngày đăng: 09-05-2021", date(2021, 5, 9)),
        # prose that starts with a date is not a dateline
        ("Ngày 14/02/2021, Công an xã đã ra mắt tổ tự quản", None),
        ("Ngày 3 Tháng Tư, 2024 đoàn công tác đến thăm xã", None),
    ],
)
def test_parse_dateline(line, expected):
    assert parse_dateline(line) == expected


def test_dateline_sharing_its_line_with_a_byline_right_after_the_headline():
    page = "Tiêu đề của bài báo này khá dài\nThứ Tư, 12/06/2024 08:15 Minh Châu - Hồng Nhung\n" + BODY
    article = clean_text(page)
    assert article.published == date(2024, 6, 12)
    assert "Minh Châu" not in article.text
    # past the first paragraph, a line that starts with a date and goes on is the article's
    later = clean_text("Tiêu đề của bài báo này khá dài\n" + BODY + "\nThứ Tư, 12/06/2024 08:15 Minh Châu - Hồng Nhung")
    assert later.published is None


def test_a_clock_line_above_an_older_dateline_is_not_the_publication_date():
    page = "Thứ Sáu, 16/01/2026 08:10\nMột tiêu đề đủ dài của bài báo này\n15/03/2024 09:00\n" + BODY
    assert clean_text(page).published == date(2024, 3, 15)
    assert clean_text("Hôm nay: Thứ Sáu, 16/01/2026\nMột tiêu đề đủ dài của bài báo này\n" + BODY).published is None
    assert clean_text("Thứ Sáu, 16/01/2026 | Liên hệ | Đăng nhập\nMột tiêu đề đủ dài của bài báo này\n" + BODY).published is None


def test_teaser_block_and_everything_after_it_is_dropped():
    page = BODY + "\n\nTin cùng chuyên mục\n\nTin mới nhất\nMột tin khác ở tỉnh Hưng Yên có 500 người\nXem thêm"
    article = clean_text(page)
    assert "Hưng Yên" not in article.text
    assert article.text == BODY


def test_navigation_and_repeated_caption_lines_are_dropped():
    caption = "Mô hình “Camera cộng đồng” được Công an TX Thái Hòa phát huy hiệu quả"
    page = "\n".join(["Skip Ribbon Commands", "Skip to main content", "Tin tức - Sự kiện An ninh trật tự",
                      caption, caption, BODY, "Tìm kiếm", "Liên kết website"])
    article = clean_text(page)
    assert article.text.splitlines() == [caption, BODY]


def test_html_article_via_trafilatura_with_metadata_date():
    html = f"""<!doctype html><html><head><title>Bài báo</title>
    <meta property="article:published_time" content="2023-09-05T08:00:00+07:00"></head>
    <body><nav><a href="/">Trang chủ</a> <a href="/xh">Xã hội</a></nav>
    <article><h1>Xây dựng phong trào toàn dân bảo vệ an ninh Tổ quốc</h1>
    <p>{BODY}</p><p>{BODY.replace('12 buổi', '14 buổi')}</p></article>
    <aside><h3>Tin liên quan</h3><ul><li><a href="/x">Một tin khác ở tỉnh Hưng Yên</a></li></ul></aside>
    </body></html>"""
    article = clean(html.encode("utf-8"))
    assert article.source_format == "html"
    assert article.published == date(2023, 9, 5)
    assert "12 buổi" in article.text and "14 buổi" in article.text
    assert "Hưng Yên" not in article.text and "Trang chủ" not in article.text


@pytest.mark.parametrize(
    "data, reason",
    [
        (b"", "empty input"),
        (b"   \n  ", "empty input"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4, "binary"),
        (b"Plain English text only, nothing Vietnamese in it at all, just words and words " * 3, "no Vietnamese"),
        # mostly bytes UTF-8 cannot hold: read as Windows-1258, where it is no Vietnamese text
        ("Việt Nam".encode("utf-8")[:-1] + b"\xff\xfe abc " * 5, "undecodable|no Vietnamese"),
    ],
)
def test_bad_inputs_get_a_reason(data, reason):
    with pytest.raises(InputError, match=reason):
        clean(data)


def _cp1258_bytes(text: str) -> bytes:
    """Windows-1258 spells tone marks as combining characters after the letter."""
    from pipeline.text import _split_tone

    out = []
    for ch in text:
        base, tone = _split_tone(ch)
        out.append(base + tone)
    return "".join(out).encode("cp1258")


def test_windows_1258_is_decoded():
    decoded = decode(_cp1258_bytes(BODY))
    assert decoded.encoding == "cp1258"
    assert decoded.text == BODY
    assert clean(_cp1258_bytes(BODY)).text == BODY


# --- HTML pages without an adapter: the article, all of it, and nothing else -----------------

P1 = ("Công an xã Tân Lập đã phối hợp với Ban công tác Mặt trận các thôn tổ chức 14 buổi tuyên truyền "
      "về phòng, chống tội phạm cho hơn 900 lượt người dân, đoàn viên và học sinh trên địa bàn.")
P2 = ("Từ đầu năm đến nay, các tổ tự quản đã cung cấp cho lực lượng công an 37 nguồn tin có giá trị, "
      "giúp làm rõ 5 vụ trộm cắp tài sản và giải quyết dứt điểm 12 vụ mâu thuẫn trong nhân dân.")
P3 = ("Thời gian tới, Công an xã sẽ tiếp tục tham mưu cấp ủy, chính quyền nhân rộng mô hình ra các thôn "
      "còn lại, phấn đấu đến cuối năm 2025 có 100% thôn đạt tiêu chuẩn an toàn về an ninh trật tự.")
LEAD = "Mô hình “Thôn an toàn” ở xã Tân Lập sau hai năm triển khai đã giúp giảm 40% số vụ phạm pháp hình sự."
TITLE = "Xã Tân Lập nhân rộng mô hình thôn an toàn về an ninh trật tự"
OTHER = "Huyện Yên Lạc ra mắt 20 tổ liên gia an toàn phòng cháy chữa cháy"


def news_page(body: str, head: str = "", sapo: str = f'<h2 class="detail-sapo">{LEAD}</h2>') -> bytes:
    return f"""<!doctype html><html lang="vi"><head><meta charset="utf-8">
<title>{TITLE} - Báo An ninh Thủ đô</title><meta property="og:title" content="{TITLE}">
<meta property="article:published_time" content="2024-05-12T08:00:00+07:00">{head}</head>
<body><header><nav><a href="/">Trang chủ</a> <a href="/an-ninh/">An ninh</a> <a href="/lien-he/">Liên hệ</a></nav></header>
<main><div class="detail"><h1 class="detail-title">{TITLE}</h1>{sapo}
<div class="detail-content">{body}</div></div></main>
<aside><h3>Đọc nhiều</h3><ul><li><a href="/x-1.html">{OTHER}</a></li></ul></aside>
<footer><p>Cơ quan chủ quản: Sở Thông tin và Truyền thông. Giấy phép số 01/GP.</p></footer></body></html>""".encode()


def test_teasers_inside_the_body_are_dropped_and_the_body_after_them_kept():
    body = f"""<p>{P1}</p>
<div class="VCSortableInPreviewMode" type="RelatedOneNews"><a href="/x-1.html"><img src="/a.jpg?w=680"></a>
  <a href="/x-1.html">{OTHER}</a></div>
<p><strong>Xem thêm:</strong> <a href="/x-2.html">Công an huyện Mê Linh ra quân tổng kiểm soát phương tiện</a></p>
<p>{P2}</p>
<h3>Tin liên quan</h3><ul><li><a href="/x-3.html">Thị xã Phúc Yên có thêm 15 camera an ninh cộng đồng</a></li></ul>
<p><a href="/x-4.html">Bình Xuyên tổng kết 10 năm phong trào toàn dân bảo vệ an ninh Tổ quốc</a></p>
<p>{P3}</p>"""
    article = clean(news_page(body))
    assert article.title == TITLE  # the h1, without "- Báo An ninh Thủ đô"
    assert article.text.split("\n") == [TITLE, LEAD, P1, P2, P3]
    assert article.published == date(2024, 5, 12)


def test_boxed_sections_and_info_boxes_stay():
    box = "Tân Lập có 9 thôn, 2.300 hộ dân; năm 2024 có 7/9 thôn đạt tiêu chuẩn an toàn về an ninh trật tự."
    body = f"""<p>{P1}</p><div class="VCSortableInPreviewMode" type="content"><h3>Con số</h3><p>{box}</p></div>
<p>{P2}</p><table class="box-info"><tr><td>Ghi chú: Số liệu do Công an xã Tân Lập cung cấp.</td></tr></table>
<div class="box-relate share"><p>Chia sẻ bài viết này với bạn bè qua mạng xã hội của bạn.</p></div><p>{P3}</p>"""
    text = clean(news_page(body)).text
    assert box in text and "Con số" in text and "Số liệu do Công an xã Tân Lập cung cấp" in text
    assert "Chia sẻ" not in text and P3 in text


def test_an_image_heavy_page_keeps_captions_marks_them_and_leaves_no_markup():
    figures = "".join(
        f'<figure class="image"><img src="https://cdn.example.vn/2024/5/anh-{i}.jpg?w=680&amp;h=0" '
        f'alt="Ảnh {i} của bài"><figcaption class="PhotoCMS_Caption">Tổ tự quản thôn {i} tuần tra ban đêm. '
        f'Ảnh: T.L</figcaption></figure>' for i in range(1, 9))
    article = clean(news_page(f"<p>{P1}</p>{figures}<p>{P2}</p><p>{P3}</p>"))
    captions = [article.text[s:e] for s, e in article.captions]
    assert captions == [f"Tổ tự quản thôn {i} tuần tra ban đêm. Ảnh: T.L" for i in range(1, 9)]
    assert "http" not in article.text and "![" not in article.text and "680" not in article.text
    assert "Ảnh 1 của bài" not in article.text  # alt texts are not the article's text


def test_the_lead_from_og_description_when_the_page_has_no_sapo_block():
    head = f'<meta property="og:description" content="{LEAD}">'
    article = clean(news_page(f"<p>{P1}</p><p>{P2}</p><p>{P3}</p>", head=head, sapo=""))
    assert article.text.split("\n")[:3] == [TITLE, LEAD, P1]
    # a description that is the first paragraph cut short is no lead of its own
    cut = f'<meta property="og:description" content="{P1[:120]}...">'
    again = clean(news_page(f"<p>{P1}</p><p>{P2}</p><p>{P3}</p>", head=cut, sapo=""))
    assert again.text.split("\n") == [TITLE, P1, P2, P3]
    # nor is a site's slogan
    slogan = '<meta name="description" content="Báo điện tử An ninh Thủ đô, cơ quan của Công an thành phố Hà Nội, tin tức 24h">'
    assert LEAD not in clean(news_page(f"<p>{P1}</p><p>{P2}</p><p>{P3}</p>", head=slogan, sapo="")).text
    assert "24h" not in clean(news_page(f"<p>{P1}</p><p>{P2}</p><p>{P3}</p>", head=slogan, sapo="")).text


def test_a_page_reads_the_same_whatever_was_read_before():
    page = news_page(f"<p>{P1}</p><p>{P2}</p><p>{P3}</p>")
    first = clean(page)
    clean(news_page(f"<p>{P2}</p><p>{P1}</p><p>{P3}</p>"))  # the same paragraphs in another page
    assert clean(page) == first
