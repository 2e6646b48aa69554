"""HTML pages of CMS shapes no adapter knows: the article, all of it, and nothing else.

Each page here is hand-built in the shape of a family of Vietnamese sites (an
ASP.NET police portal laid out in tables, a Liferay or SharePoint government
portal, a WordPress or Joomla provincial paper, a VCCorp-like news site); the
text is written for these tests.  Every page is read through the one trip
(``pipeline.trip.read``), as ``vnfacts extract`` and the crawler read it.
"""

from __future__ import annotations

from datetime import date

import pytest

from pipeline.schema import Source
from pipeline.trip import read

TITLE = "Công an xã Hòa Phú ra mắt mô hình camera an ninh ở 12 thôn"
LEAD = ("Sau ba tháng vận động, Công an xã Hòa Phú cùng người dân 12 thôn đã lắp đặt 86 camera an ninh "
        "tại các tuyến đường liên thôn, góp phần phòng ngừa trộm cắp tài sản.")
FIRST = ("Sáng 14/3, Công an xã Hòa Phú phối hợp với Ủy ban Mặt trận Tổ quốc xã tổ chức lễ ra mắt mô hình "
         "camera an ninh do nhân dân tự nguyện đóng góp kinh phí.")
MIDDLE = ("Theo Thượng tá Lê Văn Bình, Trưởng Công an xã, tổng kinh phí lắp đặt hơn 350 triệu đồng, "
          "trong đó người dân đóng góp 280 triệu đồng, phần còn lại do các doanh nghiệp trên địa bàn hỗ trợ.")
LAST = ("Thời gian tới, Công an xã sẽ đề nghị cấp ủy, chính quyền nhân rộng mô hình, phấn đấu đến hết năm "
        "2025 có thêm 40 camera tại các khu dân cư còn lại.")
CAPTION = "Đại diện Công an xã Hòa Phú bấm nút khởi động hệ thống camera an ninh. Ảnh: Minh Hoàng"
TEASER = "Huyện Hòa Vang tổng kết 5 năm thực hiện phong trào toàn dân bảo vệ an ninh Tổ quốc"
TEASER2 = "Bắt đối tượng trộm cắp xe máy tại chợ Túy Loan sau 24 giờ gây án"
SITE = "Công an tỉnh Quảng Nam"


def trip(page: str | bytes, url: str = "http://127.0.0.1/tin-tuc/bai-1.html"):
    raw = page.encode("utf-8") if isinstance(page, str) else page
    outcome = read(Source(key=url, doc="bai-1.html", raw=raw, url=url))
    assert outcome.ok, outcome
    return outcome.article


def assert_article(article, *, title=TITLE, lead=LEAD, published=date(2024, 3, 14), chrome=(TEASER, TEASER2)):
    text = article.text
    assert article.title == title
    for sentence in (FIRST, MIDDLE, LAST):
        assert sentence in text
    if lead:
        assert lead in text
    for piece in chrome:
        assert piece not in text, piece
    assert "http" not in text and "![" not in text and ".jpg" not in text
    assert article.published == published


# --- an ASP.NET police portal: tables, ids instead of classes, the site's name in the <h1> ------------

def aspnet_portal(summary_id: str = "ctl00_ContentPlaceHolder1_lblTomTat") -> str:
    return f"""<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<title>{TITLE} | {SITE}</title></head><body>
<table width="1000"><tr><td><h1 class="logo">CÔNG AN TỈNH QUẢNG NAM</h1></td></tr>
<tr><td class="menu"><a href="/">Trang chủ</a> | <a href="/gioi-thieu">Giới thiệu</a> | <a href="/tin-tuc">Tin tức</a></td></tr>
<tr><td valign="top"><table><tr><td>
 <span id="ctl00_ContentPlaceHolder1_lblTitle" class="title">{TITLE}</span><br>
 <span id="ctl00_ContentPlaceHolder1_lblNgay" class="date">Cập nhật lúc 09:15 ngày 14/03/2024</span><br>
 <span id="{summary_id}"><b>{LEAD}</b></span><br>
 <span id="ctl00_ContentPlaceHolder1_lblNoiDung">
  <p>{FIRST}</p>
  <p style="text-align:center"><img src="/Upload/2024/3/camera.jpg" width="500"></p>
  <p style="text-align:center"><em>{CAPTION}</em></p>
  <p>{MIDDLE}</p><p>{LAST}</p>
  <p align="right"><b>Minh Hoàng</b></p>
 </span>
</td></tr></table>
<table><tr><td class="tieude">Các tin khác</td></tr>
<tr><td><a href="/tin-tuc/ChiTiet.aspx?id=3134">{TEASER}</a> (12/03/2024)</td></tr>
<tr><td><a href="/tin-tuc/ChiTiet.aspx?id=3133">{TEASER2}</a> (11/03/2024)</td></tr></table>
</td><td width="250" valign="top"><table><tr><td>Liên kết website</td></tr>
<tr><td><a href="http://bocongan.gov.vn">Bộ Công an</a></td></tr></table></td></tr>
<tr><td>Bản quyền thuộc {SITE}. Địa chỉ: 12 Trần Hưng Đạo, TP Tam Kỳ.</td></tr></table></body></html>"""


def test_a_police_portal_in_tables_with_its_name_in_the_h1():
    article = trip(aspnet_portal())
    assert_article(article, chrome=(TEASER, TEASER2, "CÔNG AN TỈNH QUẢNG NAM", "Bản quyền", "Liên kết website"))


def test_a_caption_in_italics_under_a_lone_image_is_a_caption():
    article = trip(aspnet_portal())
    assert [article.text[s:e] for s, e in article.captions] == [CAPTION]


# --- a Liferay government portal: no og tags, the <title> is the site's, a "Ngày đăng" line ----------

def liferay_portal() -> str:
    return f"""<!DOCTYPE html><html lang="vi"><head><meta charset="UTF-8">
<title>Cổng thông tin điện tử tỉnh Quảng Nam</title>
<meta name="description" content="Cổng thông tin điện tử tỉnh Quảng Nam - thông tin chỉ đạo, điều hành"></head>
<body><div id="wrapper"><header id="banner"><div class="logo">Cổng thông tin điện tử tỉnh Quảng Nam</div>
<div class="clock">Thứ Hai, 01/12/2025</div>
<nav class="sort-pages"><ul><li><a href="/web/guest/trang-chu">Trang chủ</a></li><li><a href="/web/guest/tin-tuc">Tin tức - Sự kiện</a></li></ul></nav></header>
<div id="column-2" class="portlet-column"><div class="portlet-boundary portlet-journal-content">
<section class="portlet"><div class="portlet-content"><div class="journal-content-article">
<div class="title-news">{TITLE}</div>
<div class="date-news">Ngày đăng: 14/03/2024 | 10:20</div>
<div class="news-description"><p>{LEAD}</p></div>
<p style="text-align: justify;">{FIRST}</p>
<table align="center" class="image"><tbody><tr><td><img alt="" src="/documents/10180/12/camera.jpg"></td></tr>
<tr><td>{CAPTION}</td></tr></tbody></table>
<p style="text-align: justify;">{MIDDLE}</p><p style="text-align: justify;">{LAST}</p>
<p style="text-align: right;"><strong>Minh Hoàng</strong></p></div></div></section></div>
<div class="portlet-boundary portlet-asset-publisher"><section class="portlet"><h2 class="portlet-title">Tin cùng chuyên mục</h2>
<div class="portlet-content"><ul><li><a href="/web/guest/tin-tuc/-/asset_publisher/abc/content/huyen-hoa-vang">{TEASER}</a> <span>(13/03/2024)</span></li>
<li><a href="/web/guest/tin-tuc/-/asset_publisher/abc/content/bat-doi-tuong">{TEASER2}</a> <span>(12/03/2024)</span></li></ul></div></section></div></div>
<footer id="footer"><p>Cơ quan chủ quản: Ủy ban nhân dân tỉnh Quảng Nam</p><p>Địa chỉ: 62 Hùng Vương, TP Tam Kỳ</p></footer></div></body></html>"""


def test_a_government_portal_whose_title_names_only_the_site():
    article = trip(liferay_portal(), url="http://127.0.0.1/web/guest/tin-tuc/-/asset_publisher/abc/content/cong-an-xa")
    assert_article(article, chrome=(TEASER, TEASER2, "Cổng thông tin điện tử", "Ngày đăng", "Cơ quan chủ quản"))
    assert [article.text[s:e] for s, e in article.captions] == [CAPTION]


# --- a WordPress provincial paper: en-dash site suffix, Yoast JSON-LD graph, related posts --------------

def wordpress_paper() -> str:
    return f"""<!DOCTYPE html><html lang="vi"><head><meta charset="UTF-8">
<title>{TITLE} &#8211; Báo Quảng Nam điện tử</title>
<meta property="og:site_name" content="Báo Quảng Nam điện tử">
<meta property="og:type" content="article"><meta property="og:title" content="{TITLE}">
<meta property="og:description" content="{LEAD}">
<script type="application/ld+json">{{"@context":"https://schema.org","@graph":[{{"@type":"WebSite","name":"Báo Quảng Nam"}},
{{"@type":"NewsArticle","headline":"{TITLE}","datePublished":"2024-03-14T07:45:00+07:00","dateModified":"2024-03-15T09:00:00+07:00"}}]}}</script>
</head><body class="post-template-default single single-post">
<div id="page" class="site"><header id="masthead" class="site-header"><p class="site-title"><a href="/">Báo Quảng Nam</a></p>
<nav id="site-navigation" class="main-navigation"><ul id="primary-menu" class="menu"><li><a href="/thoi-su/">Thời sự</a></li><li><a href="/phap-luat/">Pháp luật</a></li></ul></nav></header>
<div id="content" class="site-content"><main id="main" class="site-main"><article id="post-1201" class="post-1201 post type-post">
<header class="entry-header"><h1 class="entry-title">{TITLE}</h1>
<div class="entry-meta"><span class="posted-on"><time class="entry-date published" datetime="2024-03-14T07:45:00+07:00">14 Tháng Ba, 2024</time></span>
<span class="byline">bởi <a href="/author/minhhoang/">Minh Hoàng</a></span></div></header>
<div class="entry-content"><p>{FIRST}</p>
<figure class="wp-block-image size-large"><img decoding="async" src="https://baoqn.example/wp-content/uploads/2024/03/camera-1024x683.jpg" srcset="https://baoqn.example/wp-content/uploads/2024/03/camera-300x200.jpg 300w, https://baoqn.example/wp-content/uploads/2024/03/camera-1024x683.jpg 1024w"><figcaption class="wp-element-caption">{CAPTION}</figcaption></figure>
<p>{MIDDLE}</p>
<div class="jp-relatedposts" id="jp-relatedposts"><h3 class="jp-relatedposts-headline"><em>Có liên quan</em></h3>
<div class="jp-relatedposts-items"><p class="jp-relatedposts-post-title"><a href="/huyen-hoa-vang/">{TEASER}</a></p></div></div>
<p>{LAST}</p>
<div class="sharedaddy sd-sharing-enabled"><h3 class="sd-title">Chia sẻ:</h3><ul><li><a href="/?share=facebook">Facebook</a></li></ul></div>
</div>
<footer class="entry-footer"><span class="cat-links">Đăng trong <a href="/phap-luat/">Pháp luật</a></span><span class="tags-links">Thẻ <a href="/tag/camera/">camera</a></span></footer>
</article>
<nav class="navigation post-navigation"><div class="nav-links"><div class="nav-previous"><a href="/bat-doi-tuong/" rel="prev"><span class="meta-nav">Bài trước</span> <span class="post-title">{TEASER2}</span></a></div></div></nav>
</main></div><footer id="colophon" class="site-footer"><div class="site-info">Bản quyền © Báo Quảng Nam</div></footer></div></body></html>"""


def test_a_wordpress_paper_with_related_posts_inside_the_body():
    article = trip(wordpress_paper())
    assert_article(article, chrome=(TEASER, TEASER2, "Có liên quan", "Chia sẻ", "Bài trước", "Báo Quảng Nam điện tử"))
    assert [article.text[s:e] for s, e in article.captions] == [CAPTION]


# --- a Joomla paper: the headline in an <h2 itemprop="headline">, the date in <time> -----------------

def joomla_paper() -> str:
    return f"""<!DOCTYPE html><html lang="vi-vn"><head><meta charset="utf-8">
<title>{TITLE}</title><meta name="description" content="{LEAD}"></head><body class="site com_content view-article">
<div class="container"><header class="header"><a class="brand" href="/"><span class="site-title">Báo Điện Bàn</span></a></header>
<nav class="navigation"><ul class="nav menu"><li><a href="/">Trang chủ</a></li><li><a href="/an-ninh">An ninh</a></li></ul></nav>
<main id="content"><div class="item-page" itemscope itemtype="https://schema.org/Article">
<div class="page-header"><h2 itemprop="headline">{TITLE}</h2></div>
<dl class="article-info muted"><dd class="published"><time datetime="2024-03-14T08:00:00+07:00" itemprop="datePublished">Ngày đăng: 14 Tháng 3 2024</time></dd>
<dd class="hits"><meta itemprop="interactionCount" content="UserPageVisits:215">Lượt xem: 215</dd></dl>
<div itemprop="articleBody"><p><strong>{LEAD}</strong></p><p>{FIRST}</p><p>{MIDDLE}</p><p>{LAST}</p></div>
<ul class="pager pagenav"><li class="previous"><a href="/an-ninh/120-huyen-hoa-vang" rel="prev">{TEASER}</a></li>
<li class="next"><a href="/an-ninh/118-bat-doi-tuong" rel="next">{TEASER2}</a></li></ul></div></main>
<div class="sidebar"><h3>Bài viết mới</h3><ul class="latestnews"><li><a href="/an-ninh/120-huyen-hoa-vang">{TEASER}</a></li></ul></div></div>
<footer class="footer"><p>&copy; 2024 Báo Điện Bàn</p></footer></body></html>"""


def test_a_joomla_paper_with_its_headline_in_an_h2():
    assert_article(trip(joomla_paper()), chrome=(TEASER, TEASER2, "Lượt xem", "Ngày đăng"))


# --- a VCCorp-like news site: a teaser box and a "Tin liên quan" list inside the body, a closing box ---

def news_site(head: str = "", when: str = '<span data-role="publishdate">14/03/2024 08:00</span>') -> str:
    box = "Hòa Phú có 12 thôn với 3.400 hộ dân; năm 2023 xảy ra 9 vụ trộm cắp tài sản, giảm 5 vụ so với năm 2022."
    return f"""<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8">
<title>{TITLE} - Báo Người Quảng</title><meta property="og:title" content="{TITLE}">{head}</head><body>
<div class="header"><ul class="menu-top"><li><a href="/">Trang chủ</a></li><li><a href="/phap-luat.htm">Pháp luật</a></li></ul></div>
<div class="detail-page"><div class="breadcrumb"><a href="/">Trang chủ</a> / <a href="/phap-luat.htm">Pháp luật</a></div>
<h1 class="article-title">{TITLE}</h1><div class="detail-time">{when}</div>
<h2 class="knc-sapo">{LEAD}</h2>
<div class="knc-content"><p>{FIRST}</p>
<div class="VCSortableInPreviewMode" type="RelatedNewsBox"><div class="kbwscwl-relatedbox"><ul><li><a href="/huyen-hoa-vang-123.htm">{TEASER}</a></li></ul></div></div>
<p>{MIDDLE}</p>
<p><strong>&gt;&gt; Đọc thêm:</strong> <a href="/bat-doi-tuong-124.htm">{TEASER2}</a></p>
<p>{LAST}</p>
<div class="VCSortableInPreviewMode" type="content"><div class="box-note"><p><b>Con số</b></p><p>{box}</p></div></div>
</div><div class="author-info">Minh Hoàng</div>
<div class="box-category"><h3>Cùng chuyên mục</h3><ul><li><a href="/x-125.htm">Khởi tố 3 đối tượng đánh bạc qua mạng tại xã Hòa Tiến</a></li></ul></div></div>
<div class="footer">© Báo Người Quảng. Tổng biên tập: Nguyễn Văn A.</div></body></html>"""


def test_teasers_inside_the_body_are_dropped_and_the_closing_box_kept():
    article = trip(news_site())
    assert_article(article, chrome=(TEASER, TEASER2, "Đọc thêm", "Cùng chuyên mục", "Khởi tố 3"))
    assert "3.400 hộ dân" in article.text  # the closing info box is the story's


def test_the_date_from_json_ld_when_no_meta_tag_gives_it():
    ld = ('<script type="application/ld+json">{"@context":"http://schema.org","@type":"NewsArticle",'
          '"headline":"x","datePublished":"2024-03-14T08:00:00+07:00"}</script>')
    assert trip(news_site(when="")).published is None
    assert trip(news_site(head=ld, when="")).published == date(2024, 3, 14)


# --- the lead as a bare <h2> under the headline; a source URL written in the body -------------------

def plain_page(between: str = f"<h2>{LEAD}</h2>", tail: str = "", head: str = "") -> str:
    return f"""<html><head><meta charset="utf-8"><title>{TITLE} - {SITE}</title>{head}</head><body>
<div id="header"><div id="logo"><a href="/"><img src="/images/logo.png" alt="{SITE}"></a></div></div>
<div id="main"><div class="left"><h1>{TITLE}</h1><div class="ngay">14/03/2024 09:15</div>{between}
<div class="noidung"><p>{FIRST}</p><p>{MIDDLE}</p><p>{LAST}</p>{tail}</div>
<div class="tinkhac"><b>Các tin đã đưa</b><ul><li><a href="/tin/1.html">{TEASER}</a></li><li><a href="/tin/2.html">{TEASER2}</a></li></ul></div>
</div></div><div id="footer">Bản quyền thuộc {SITE}</div></body></html>"""


def test_the_lead_in_a_bare_h2_under_the_headline_is_kept():
    assert_article(trip(plain_page()))


@pytest.mark.parametrize("tail, gone, kept", [
    # URLs written in the text: a link's text, an address in a sentence
    ('<p>Nguồn: <a href="https://congan.quangnam.gov.vn/tin/1.html">https://congan.quangnam.gov.vn/tin/1.html</a></p>'
     '<p>Mọi thông tin xin gửi về hộp thư www.congan.quangnam.gov.vn hoặc http://example.vn/lien-he.</p>',
     ("quangnam.gov.vn", "example.vn", "Nguồn"), "Mọi thông tin xin gửi về hộp thư"),
    # a reading note and a "follow us" line
    ("<p>Bạn đang đọc bài viết Công an xã Hòa Phú tại chuyên mục An ninh trật tự. Mọi thông tin góp ý và chia sẻ, "
     "xin vui lòng liên hệ SĐT: 0235 3812 345</p><p><em>Mời bạn đọc theo dõi Công an Quảng Nam trên Google News</em></p>",
     ("Bạn đang đọc", "Google News"), None),
])
def test_what_is_not_the_article_at_the_end_of_its_body_goes(tail, gone, kept):
    article = trip(plain_page(tail=tail))
    assert_article(article)
    assert not [g for g in gone if g in article.text]
    assert kept is None or kept in article.text


# --- what the bytes and the metadata say: charsets, entities, decomposed letters, broken JSON-LD ----

def test_a_windows_1258_page_is_read_in_nfc():
    from pipeline.text import _split_tone

    page = plain_page().replace('<meta charset="utf-8">', '<meta http-equiv="Content-Type" content="text/html; charset=windows-1258">')
    raw = "".join("".join(_split_tone(ch)) for ch in page).encode("cp1258")
    assert_article(trip(raw))


def test_numeric_entities_and_decomposed_letters_are_read_as_nfc_text():
    import unicodedata

    page = plain_page()
    entities = page.replace(FIRST, "".join(f"&#{ord(c)};" if ord(c) > 127 else c for c in FIRST))
    assert_article(trip(entities))
    assert_article(trip(unicodedata.normalize("NFD", page)))


@pytest.mark.parametrize("head", [
    '<meta itemprop="datePublished" content="2024-03-14T09:15:00+07:00">',
    '<meta name="pubdate" content="2024-03-14T09:15:00+07:00">',
    '<meta property="article:published_time" content="14/03/2024 09:15">',
    # JSON-LD as CMSs write it: a raw newline inside a string, a trailing comma, @type a list
    '<script type="application/ld+json">{"@type": ["NewsArticle"], "headline": "Công an\nxã",'
    ' "datePublished": "2024-03-14T09:15:00+07:00",}</script>',
])
def test_the_date_from_the_page_metadata(head):
    page = plain_page(head=head).replace('<div class="ngay">14/03/2024 09:15</div>', "")
    assert trip(page).published == date(2024, 3, 14)


def test_a_modified_date_is_not_the_publication_date():
    head = ('<meta property="article:modified_time" content="2024-06-01T09:15:00+07:00">'
            '<meta property="article:published_time" content="2024-03-14T09:15:00+07:00">')
    page = plain_page(head=head).replace('<div class="ngay">14/03/2024 09:15</div>', "")
    assert trip(page).published == date(2024, 3, 14)


@pytest.mark.parametrize("suffix", [f" - {SITE}", " | Cổng thông tin điện tử tỉnh Quảng Nam", " - UBND huyện Duy Xuyên",
                                    " :: Trang tin điện tử Công an huyện Duy Xuyên"])
def test_the_title_without_the_site_when_no_element_shows_the_headline_alone(suffix):
    page = plain_page().replace(f"<title>{TITLE} - {SITE}</title>", f"<title>{TITLE}{suffix}</title>")
    page = page.replace(f"<h1>{TITLE}</h1>", "")
    assert trip(page).title == TITLE


# --- the same shapes crawled from a real server on 127.0.0.1 --------------------------------------

def _variant(page: str, n: int) -> str:
    """The page as article n of the site: its own headline and first sentence."""
    return page.replace("ở 12 thôn", f"ở {n} thôn").replace("Sáng 14/3", f"Sáng {n}/3")


def test_a_portal_of_these_shapes_crawled_from_its_home_page(tmp_path):
    import sqlite3

    from crawl_fixture_server import FixtureServer, FixtureSite

    from pipeline.fetch.crawl import Crawler, CrawlOptions
    from pipeline.fetch.http import HttpSettings
    from pipeline.store import Store
    from pipeline.text import _split_tone

    pages = {
        "/tin-tuc/ChiTiet.aspx?id=3135": (_variant(aspnet_portal(), 21).encode(), "text/html; charset=utf-8"),
        "/web/guest/tin-tuc/-/asset_publisher/abc/content/hoa-phu": (_variant(liferay_portal(), 22).encode(), "text/html"),
        # an old page in Windows-1258 that the server calls UTF-8
        "/tin/a23.html": ("".join("".join(_split_tone(c)) for c in _variant(plain_page(), 23).replace(
            '<meta charset="utf-8">', '<meta http-equiv="Content-Type" content="text/html; charset=windows-1258">'))
            .encode("cp1258"), "text/html; charset=utf-8"),
    }
    links = "".join(f'<li><a href="{p}">Bài {i}</a></li>' for i, p in enumerate(pages))
    home = f"<html><head><meta charset='utf-8'><title>{SITE}</title></head><body><ul>{links}</ul></body></html>"
    files = {"home.html": (home.encode(), "text/html; charset=utf-8"),
             "robots.txt": (b"User-agent: *\nDisallow: /Admin/\n", "text/plain")}
    routes = {"/": {"path": "/", "file": "home.html"}, "/robots.txt": {"path": "/robots.txt", "file": "robots.txt"}}
    for i, (path, (body, ctype)) in enumerate(pages.items()):
        files[f"a{i}.html"] = (body, ctype)
        routes[path] = {"path": path, "file": f"a{i}.html", "article": f"a{i}"}
    for name, (body, ctype) in files.items():
        (tmp_path / name).write_bytes(body)
        for route in routes.values():
            if route["file"] == name:
                route["type"] = ctype
    with FixtureServer(FixtureSite("shapes", routes, tmp_path)) as srv:
        store = Store(tmp_path / "shapes.db")
        crawler = Crawler(store, CrawlOptions(http=HttpSettings(delay=0.02, read_timeout=2, connect_timeout=2)))
        crawler.crawl([srv.base + "/"])
        crawler.close()
        store.close()
    with sqlite3.connect(tmp_path / "shapes.db") as db:
        rows = db.execute("SELECT title, text FROM articles ORDER BY title").fetchall()
    assert [t for t, _ in rows] == [TITLE.replace("12 thôn", f"{n} thôn") for n in (21, 22, 23)]
    for title, text in rows:
        assert LEAD in text and MIDDLE in text and LAST in text
        assert TEASER not in text and TEASER2 not in text and "Bản quyền" not in text and "CÔNG AN TỈNH" not in text


def test_a_related_box_with_teaser_leads_inside_the_body_goes_whole():
    other_lead = ("Trong năm 2023, lực lượng công an huyện đã phối hợp với các xã xây dựng 35 mô hình tự quản "
                  "về an ninh trật tự, được nhân dân đồng tình hưởng ứng.")
    box = (f'<div class="box-ngang"><h3>Tin cùng chuyên mục</h3><div class="item"><h4><a href="/tin/1.html">{TEASER}</a></h4>'
           f'<p>{other_lead}</p></div><div class="item"><h4><a href="/tin/2.html">{TEASER2}</a></h4>'
           f'<p>{other_lead.replace("35", "42")}</p></div></div>')
    page = plain_page().replace(f"<p>{LAST}</p>", f"{box}<p>{LAST}</p>")
    article = trip(page)
    assert_article(article)
    assert "mô hình tự quản" not in article.text and "Tin cùng chuyên mục" not in article.text


# --- a page that names nothing: no CMS class names, no metadata --------------------------------------

def nameless_page(date_above: bool = True, headline: str = "h1") -> str:
    shown = '<span>Thứ năm, 14/3/2024, 09:15 (GMT+7)</span>'
    return f"""<html><head><meta charset="utf-8"><title>{TITLE} - {SITE}</title></head><body>
<div class="x1"><div class="x2">Hôm nay: Thứ Hai, 01/12/2025</div><ul class="x3"><li><a href="/">Trang chủ</a></li>
<li><a href="/an-ninh">An ninh</a></li></ul></div>
<div class="x4"><div class="x5"><div class="x6"><ul><li><a href="/an-ninh">An ninh</a></li></ul>{shown if date_above else ""}</div>
<{headline} class="x7">{TITLE}</{headline}>{"" if date_above else shown}
<div class="x8"><div class="x9"><a href="/chia-se">Chia sẻ</a></div></div>
<p class="x10">{LEAD}</p>
<article class="x11"><p>{FIRST}</p><figure class="x12"><img src="/a.jpg"><figcaption itemprop="description">{CAPTION}</figcaption></figure>
<p>{MIDDLE}</p><p>{LAST}</p><p><strong>Minh Hoàng</strong></p></article></div>
<div class="x13"><h3>Xem nhiều</h3><ul><li><a href="/tin/1.html">{TEASER}</a> <span>12/03/2024</span></li>
<li><a href="/tin/2.html">{TEASER2}</a></li></ul></div></div>
<div class="x14">© {SITE}</div></body></html>"""


@pytest.mark.parametrize("date_above", [True, False])
def test_a_page_that_names_nothing_keeps_its_lead_and_the_date_by_its_headline(date_above):
    article = trip(nameless_page(date_above))
    assert_article(article, chrome=(TEASER, TEASER2, "Hôm nay", "Chia sẻ", "Xem nhiều"))
    assert [article.text[s:e] for s, e in article.captions] == [CAPTION]  # a caption, not the lead


def test_the_headline_in_a_plain_div_still_finds_its_date():
    article = trip(nameless_page(date_above=False, headline="div"))
    assert article.title == TITLE and article.published == date(2024, 3, 14) and LEAD in article.text


def test_a_sapo_in_a_column_named_like_chrome_is_kept():
    # VnExpress calls its main column "sidebar-1": the sapo's column holds the article too
    more = "".join(f'<li><a href="/tin/{i}.html">Tin mới số {i}: {TEASER2}</a></li>' for i in range(12))
    page = plain_page(between=f'<p class="sapo">{LEAD}</p>', tail="").replace('<div class="left">', '<div class="sidebar-1">')
    page = page.replace('<div class="tinkhac">', f'<div class="x"><ul>{more}</ul></div><div class="tinkhac">')
    assert_article(trip(page))


def test_a_headline_in_an_unnamed_div_is_told_by_the_url_slug():
    page = nameless_page(date_above=False, headline="div").replace(f"<title>{TITLE} - {SITE}</title>", "<title>Báo điện tử Quảng Nam</title>")
    article = trip(page, url="http://127.0.0.1/an-ninh/cong-an-xa-hoa-phu-ra-mat-mo-hinh-camera-an-ninh-o-12-thon-a1234.html")
    assert article.title == TITLE and article.published == date(2024, 3, 14)


def test_a_sticky_bar_repeating_the_headline_does_not_hide_the_date_under_the_real_one():
    sticky = f'<div class="x0"><h2>{TITLE}</h2><a href="/chia-se">Chia sẻ</a></div>'
    page = nameless_page(date_above=False).replace('<div class="x1">', sticky + '<div class="x1">')
    article = trip(page)
    assert article.title == TITLE and article.published == date(2024, 3, 14) and LEAD in article.text
