"""Sites no adapter knows, crawled from their root on real servers on 127.0.0.1.

``unseen`` is the site of issue 9: articles at /tin-tuc/an-ninh/bai-NNN.html (names no
URL rule could tell), /rss.xml and /sitemap.xml where sites keep them, a robots.txt
naming no sitemap, three page shapes with chrome inside their bodies, and faults on
the way.  ``portal`` is an old police portal: ``ChiTiet.aspx?id=N``, ``…-N3134.aspx``
and short slugs, no sitemap anywhere, a feed named only by <link rel="alternate">.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from pathlib import Path

import pytest
from crawl_fixture_server import FixtureServer
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.fetch.crawl import Crawler, CrawlOptions
from pipeline.fetch.crawlstore import CrawlStore
from pipeline.fetch.http import HttpSettings
from pipeline.store import Store
from pipeline.urls import normalize

DELAY = 0.2


def _rows(db: Path, sql: str, params=()) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, list(params)).fetchall()


@pytest.fixture(scope="module")
def unseen(tmp_path_factory):
    """`vnfacts crawl http://127.0.0.1:PORT/` on the unseen site, once for the module."""
    db = tmp_path_factory.mktemp("unseen") / "vnfacts.db"
    with FixtureServer("unseen") as srv:
        result = CliRunner().invoke(app, ["crawl", srv.base + "/", "--db", str(db), "--delay", str(DELAY),
                                          "--timeout", "2"])
        yield {"srv": srv, "db": db, "result": result, "log": srv.log}


def _articles(srv) -> dict[str, str]:
    """path -> article id of the site's own article pages (not the print copy)."""
    return {p: a for p, a in srv.site.articles().items() if p.startswith("/tin-tuc/")}


def test_every_article_is_stored_exactly_once(unseen):
    assert unseen["result"].exit_code == 0, unseen["result"].output
    srv, db = unseen["srv"], unseen["db"]
    keys = sorted(k for (k,) in _rows(db, "SELECT key FROM articles"))
    assert keys == sorted(normalize(srv.url(p)) for p in _articles(srv))
    assert len(keys) == 8
    # the print copy names the article as its canonical: one article, two URLs
    printed = normalize(srv.url("/in/bai-007.html"))
    ((reason, key),) = _rows(db, "SELECT reason, article_key FROM crawl_frontier WHERE url = ?", [printed])
    assert "same canonical URL" in reason and key == normalize(srv.url("/tin-tuc/an-ninh/bai-007.html"))


def test_articles_are_found_by_their_content_not_their_urls(unseen):
    db = unseen["db"]
    kinds = dict(_rows(db, "SELECT url, kind FROM crawl_frontier"))
    srv = unseen["srv"]
    # found through the sitemap and listings as "pages", told articles by what they hold
    assert kinds[normalize(srv.url("/tin-tuc/an-ninh/bai-003.html"))] == "page"  # an old portal page: no metadata
    assert kinds[normalize(srv.url("/tin-tuc/an-ninh/"))] == "page"  # listed in the sitemap, a listing by content
    section = _rows(db, "SELECT COUNT(*) FROM articles WHERE key = ?", [normalize(srv.url("/tin-tuc/an-ninh/"))])
    assert section == [(0,)]
    # the usual places of a sitemap and a feed were asked, as robots.txt names neither
    asked = {h.path for h in unseen["log"]}
    assert {"/sitemap.xml", "/rss.xml"} <= asked


def test_stored_text_has_no_chrome(unseen):
    import tomllib

    srv, db = unseen["srv"], unseen["db"]
    articles = tomllib.loads((srv.site.folder.parent / "articles.toml").read_text("utf-8"))
    for key, text, caption_lines in _rows(db, "SELECT key, text, (SELECT COUNT(*) FROM sentences s WHERE "
                                              "s.article_id = a.id AND s.caption = 1) FROM articles a"):
        route = srv.site.routes[key[len(srv.base):]]
        mine = articles[route["article"]]
        assert text.startswith(mine["title"] + "\n")
        for chrome in ("Trang chủ", "Liên hệ", "Cơ quan chủ quản", "Đường dây nóng", "Chia sẻ", "Tin liên quan",
                       "Đọc nhiều", "Các tin khác", "Xem thêm", "Thẻ:", "http", "![", "?w=680"):
            assert chrome not in text, (key, chrome)
        for other_id, other in articles.items():  # no headline of another article (teasers, related)
            if other_id != route["article"]:
                assert other["title"] not in text, (key, other["title"])
        last = mine["paragraphs"][-1].removeprefix("[ảnh] ").removeprefix("## ")
        assert last[:60] in text  # the body is whole
        if mine.get("lead"):
            assert mine["lead"] in text  # the sapo block, or og:description on the WordPress-like pages
        if route["shape"] == "vcc":
            assert "Mô hình ở cơ sở" in text  # the boxed sub-section stays
        if route["shape"] == "wordpress-images":
            assert caption_lines == 5  # five pictures, five captions, each marked as one


def test_politeness_robots_delay_retries_and_pdf(unseen):
    log, srv, db = unseen["log"], unseen["srv"], unseen["db"]
    assert not [h for h in log if h.path.startswith("/noi-bo/")]  # robots.txt: Disallow: /noi-bo/
    gaps = [b.at - a.at for a, b in zip(log, log[1:])]
    assert min(gaps) >= DELAY
    hits = [h for h in log if h.path == "/tin-tuc/an-ninh/bai-002.html"]
    assert [h.status for h in hits] == [429, 200] and hits[1].at - hits[0].at >= 1.0  # Retry-After: 1
    assert [h.status for h in log if h.path == "/tin-tuc/an-ninh/bai-005.html"] == [500, 200]
    ok = Counter(h.path for h in log if h.status == 200)
    assert max(ok.values()) == 1  # nothing fetched twice
    pdf = normalize(srv.url("/tai-lieu/ke-hoach-phong-trao-2024.html"))
    assert _rows(db, "SELECT state, reason FROM crawl_frontier WHERE url = ?", [pdf]) == [
        ("skipped", "not HTML: application/pdf, not downloaded")]
    # the usual locations the site does not use are no failures
    assert not _rows(db, "SELECT source FROM failures WHERE source LIKE '%sitemap_index%' OR source LIKE '%/feed/'")


def test_since_uses_sitemap_dates_and_max_pages_bounds_the_work(tmp_path):
    with FixtureServer("unseen") as srv:
        store = Store(tmp_path / "since.db")
        http = HttpSettings(delay=0.05, read_timeout=2, connect_timeout=2, backoff_base=0.05, backoff_max=0.1)
        crawler = Crawler(store, CrawlOptions(http=http, since="2020-01-01"))
        crawler.crawl([srv.base + "/"])
        crawler.close()
        # the sitemap dates the 2019 article: it is not even fetched
        assert not srv.requests("/tin-tuc/an-ninh/bai-008.html")
        assert len({k for (k,) in store.db.execute("SELECT key FROM articles")}) == 7
        store.close()
    with FixtureServer("unseen") as srv:
        store = Store(tmp_path / "bounded.db")
        crawler = Crawler(store, CrawlOptions(http=http, max_pages=4))
        stats = crawler.crawl([srv.base + "/"])
        crawler.close()
        assert stats.fetched + stats.skipped + stats.failed <= 4
        assert len([h for h in srv.log if h.path != "/robots.txt"]) <= 4
        assert store.db.execute("SELECT status FROM crawl_runs").fetchone() == ("stopped",)
        store.close()


def test_one_crawl_per_store(tmp_path):
    db = tmp_path / "busy.db"
    store = Store(db)
    with FixtureServer("unseen") as srv, CrawlStore(store).lock():
        result = CliRunner().invoke(app, ["crawl", srv.base + "/", "--db", str(db), "--delay", "0.05"])
        assert result.exit_code == 3
        assert "a crawl is already running" in result.output
        assert not srv.log  # it asked the site nothing
    store.close()
    # the lock goes with the crawl that held it
    with FixtureServer("portal") as srv:
        result = CliRunner().invoke(app, ["crawl", srv.base + "/", "--db", str(db), "--delay", "0.05"])
        assert result.exit_code == 0, result.output


def test_a_police_portal_with_query_ids_and_a_feed_named_only_by_link_alternate(tmp_path):
    with FixtureServer("portal") as srv:
        store = Store(tmp_path / "portal.db")
        http = HttpSettings(delay=0.05, read_timeout=2, connect_timeout=2)
        crawler = Crawler(store, CrawlOptions(http=http))
        crawler.crawl([srv.base + "/"])
        crawler.close()
        keys = {k for (k,) in store.db.execute("SELECT key FROM articles")}
        assert keys == {normalize(srv.url(p)) for p in srv.site.articles()}
        # ChiTiet.aspx?id=15 is only in the feed, which only <link rel="alternate"> names
        assert srv.requests("/Rss/TinTuc.aspx") and normalize(srv.url("/tin-tuc/ChiTiet.aspx?id=15")) in keys
        docs = [d for (d,) in store.db.execute("SELECT doc FROM articles WHERE key LIKE '%ChiTiet%'")]
        assert len(set(docs)) == 2  # ?id=12 and ?id=15 are two articles, two names
        assert not srv.requests("/Admin/Login.aspx")
        texts = [t for (t,) in store.db.execute("SELECT text FROM articles")]
        assert not [t for t in texts if "CÔNG AN TỈNH ĐÔNG" in t or "Đăng nhập" in t or "Bản quyền" in t]
        store.close()
