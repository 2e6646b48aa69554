"""Discovery and site adapters on the fixture pages: feeds, sitemaps, listings, pagination, URLs."""

from __future__ import annotations

import gzip
import re

import pytest
from crawl_fixture_server import FixtureSite

from pipeline.fetch import discover
from pipeline.read import adapters as sites
from pipeline.read.html import canonical_url, parse
from pipeline.fetch.politeness import RobotsRules
from pipeline.urls import doc_name, normalize

BASE = "http://127.0.0.1:8000"


def page(site: str, path: str) -> str:
    return FixtureSite.load(site).file_of(path).read_bytes().replace(b"{{base}}", BASE.encode()).decode("utf-8")


def test_url_normal_form():
    assert normalize("HTTP://Example.VN:80/a/b.html?utm_source=x&id=3#top") == "http://example.vn/a/b.html?id=3"
    assert normalize("https://example.vn") == "https://example.vn/"
    assert doc_name("https://congannghean.vn/phong-su/202004/chu-trong-906317/") == "chu-trong-906317.html"
    assert doc_name("https://x.vn/tin.aspx?id=12") != doc_name("https://x.vn/tin.aspx?id=13")


def test_every_bundled_adapter_loads_and_knows_its_article_urls():
    adapters = sites.load_adapters()
    assert {"antv", "congannghean", "baohanam", "baothanhhoa", "baclieu", "cand", "bocongan", "generic"} <= set(adapters)
    for name in ("congannghean", "antv", "baohanam", "baothanhhoa", "baclieu", "cand", "bocongan"):
        fixture = FixtureSite.load(name)
        adapter = adapters[name]
        for path in fixture.articles():
            assert adapter.is_article(BASE + path), (name, path)
        assert not adapter.is_article(BASE + "/"), name
        for host in adapter.hosts:
            assert sites.for_url(f"https://www.{host}/x").name == name


@pytest.mark.parametrize("url, expected", [
    ("https://site.example/2024/08/14/xa-tan-phu-xay-dung-mo-hinh-to-lien-gia/", True),
    ("https://site.example/tin-tuc/bai-viet-123456.html", True),
    ("https://site.example/tag/an-ninh/", False),
    ("https://site.example/category/tin-tuc/", False),
    ("https://site.example/page/2/", False),
    ("https://site.example/files/ke-hoach-trien-khai-phong-trao-2024.pdf", False),
    ("https://site.example/lien-he/", False),
])
def test_generic_article_guess(url, expected):
    assert sites.looks_like_article(url) is expected


def test_feed_links():
    links = discover.feed_links(page("congannghean", "/rss/home.rss").encode(), BASE + "/rss/home.rss")
    assert [link.kind for link in links] == ["article", "article"]
    assert links[1].url.endswith("906317/")  # utm_ parameters gone
    assert str(links[0].lastmod) == "2024-03-12"


def test_sitemap_index_sitemap_and_gzip():
    adapter = sites.get("antv")
    index = discover.sitemap_links(page("antv", "/sitemap.xml").encode(), BASE + "/sitemap.xml", adapter)
    assert [(link.kind, link.url) for link in index] == [("sitemap", BASE + "/sitemap-news.xml")]
    body = page("antv", "/sitemap-news.xml").encode()
    urls = discover.sitemap_links(body, BASE + "/sitemap-news.xml", adapter)
    assert len(urls) == 4 and all(link.kind == "article" for link in urls)  # /video/ is not an article
    assert discover.sitemap_links(gzip.compress(body), BASE + "/sitemap.xml.gz", adapter) == urls
    assert discover.sniff("application/x-gzip", gzip.compress(body)) == "sitemap"
    assert discover.sniff("text/xml", body) == "sitemap"
    assert discover.sniff("application/xml", page("congannghean", "/rss/home.rss").encode()) == "feed"
    assert discover.sniff("text/html", b"%PDF-1.4 ...") == "other"


@pytest.mark.parametrize("site, path, next_page, articles", [
    ("congannghean", "/phong-trao-toan-dan-bao-ve-an-ninh-to-quoc/", "/phong-trao-toan-dan-bao-ve-an-ninh-to-quoc/?page=2", 2),
    ("baohanam", "/an-ninh-trat-tu/", "/an-ninh-trat-tu/?page=2", 2),  # a "Trang sau" link
    ("baothanhhoa", "/phap-luat/", "/phap-luat/trang-2.htm", 2),
    ("baclieu", "/tin-tuc-su-kien", "/tin-tuc-su-kien?cur=2", 4),
    # a site never seen: its links are pages, told apart by their content once fetched
    # (article, its print copy, a category); never the contact page or a tag
    ("generic", "/", "/page/2/", 3),
])
def test_listing_pages_and_pagination(site, path, next_page, articles):
    adapter = sites.get(site) if site != "generic" else sites.generic()
    links = discover.listing_links(page(site, path), BASE + path, adapter)
    assert [link.url for link in links if link.kind == "listing"] == [normalize(BASE + next_page)]
    found = [link.url for link in links if link.kind == ("page" if adapter.is_generic else "article")]
    assert len(found) == articles
    assert not [u for u in found if re.search(r"/(tag|video|lien-he)/", u)]


def test_last_listing_page_has_no_next_page():
    adapter = sites.get("congannghean")
    html = page("congannghean", "/phong-trao-toan-dan-bao-ve-an-ninh-to-quoc/?page=2")
    links = discover.listing_links(html, BASE + "/phong-trao-toan-dan-bao-ve-an-ninh-to-quoc/?page=2", adapter)
    assert not [link for link in links if link.kind == "listing"]


def test_canonical_of_a_home_page_is_not_an_identity():
    assert canonical_url(parse('<link rel="canonical" href="https://congannghean.vn/">'), BASE + "/x") is None
    found = canonical_url(parse('<link rel="canonical" href="/tin/a-1.html">'), "https://congannghean.vn/b")
    assert found == "https://congannghean.vn/tin/a-1.html"


def test_robots_crawl_delay_fractions_and_groups():
    text = b"User-agent: *\nCrawl-delay: 0.5\nDisallow: /noi-bo/\n\nUser-agent: vnfacts\nCrawl-delay: 2\nDisallow:\n"
    ours = RobotsRules.from_response("http://x", 200, text, "vnfacts")
    assert ours.crawl_delay == 2 and ours.allowed("http://x/noi-bo/a", "vnfacts")
    theirs = RobotsRules.from_response("http://x", 200, text.split(b"\n\n")[0], "vnfacts")
    assert theirs.crawl_delay == 0.5 and not theirs.allowed("http://x/noi-bo/a", "vnfacts")
    assert RobotsRules.from_response("http://x", 503, None, "vnfacts").disallow_all


@pytest.mark.parametrize("site, path, kind", [
    ("unseen", "/tin-tuc/an-ninh/bai-001.html", "article"),  # article:published_time
    ("unseen", "/tin-tuc/an-ninh/bai-002.html", "article"),  # JSON-LD NewsArticle only
    ("unseen", "/tin-tuc/an-ninh/bai-003.html", "article"),  # no metadata: a headline over a run of prose
    ("portal", "/tin-tuc/ChiTiet.aspx?id=12", "article"),  # the site's name in the <h1>, the headline in an <h2>
    ("unseen", "/tin-tuc/an-ninh/", "listing"),  # teasers, each under its own headline link
    ("unseen", "/", "listing"),
    ("portal", "/tin-tuc/DanhSach.aspx?cat=2", "listing"),
    ("generic", "/", "listing"),
])
def test_a_page_is_told_article_or_listing_by_its_content(site, path, kind):
    assert discover.classify(parse(page(site, path))) == kind


def test_url_shapes_decide_nothing_on_a_site_never_seen():
    generic = sites.generic()
    for path in ("/tin-tuc/an-ninh/bai-001.html", "/tin-tuc/ChiTiet.aspx?id=12", "/tin/cong-an-xa-N3134.aspx"):
        assert not generic.is_article(BASE + path) and generic.may_be_page(BASE + path)
    for path in ("/tai-lieu/ke-hoach.pdf", "/tag/an-ninh/", "/lien-he.html", "/tim-kiem?q=an+ninh"):
        assert not generic.may_be_page(BASE + path), path
    # a news sitemap's entries are articles by the site's own word; a plain sitemap's are pages
    news = (b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            b'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"><url><loc>' + BASE.encode()
            + b'/a.html</loc><news:news><news:publication_date>2024-05-01</news:publication_date></news:news></url>'
            b'<url><loc>' + BASE.encode() + b'/b.html</loc><lastmod>2024-04-30</lastmod></url></urlset>')
    links = discover.sitemap_links(news, BASE + "/sitemap-news.xml", generic)
    assert [(link.kind, str(link.lastmod)) for link in links] == [("article", "2024-05-01"), ("page", "2024-04-30")]
