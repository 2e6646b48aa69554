"""End to end: crawl the fixture sites from real servers on 127.0.0.1 into a real store.

One crawl of eight sites (six from their root, two from a listing page) is
made once for the module; the tests read what the servers saw and what the
store holds.  A second run then checks what a crawl does the next time.
"""

from __future__ import annotations

import json
import zlib
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from crawl_fixture_server import FixtureServer
from typer.testing import CliRunner

from pipeline.read.clean import clean
from pipeline.cli import app
from pipeline.fetch.crawl import Crawler, CrawlOptions
from pipeline.fetch.http import HttpSettings
from pipeline.schema import KINDS
from pipeline.store import Store
from pipeline.urls import normalize

DELAY = 0.2
SITES = ["congannghean", "antv", "baohanam", "baothanhhoa", "baclieu", "generic", "cand", "bocongan"]
STARTS = {"cand": "/Xa-hoi/", "bocongan": "/tin-tuc-su-kien/tin-hoat-dong/"}  # the others: the site's root
CRAWL_DELAY = {"antv": 0.4}  # its robots.txt says Crawl-delay: 0.4


def options(**kw) -> CrawlOptions:
    http = HttpSettings(delay=DELAY, read_timeout=1.0, connect_timeout=1.0, backoff_base=0.05, backoff_max=0.2,
                        max_bytes=2 * 1024 * 1024)
    return CrawlOptions(http=http, **kw)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """Servers, the store, and the first crawl's statistics and server logs."""
    servers = {name: FixtureServer(name).__enter__() for name in SITES}
    db = tmp_path_factory.mktemp("crawl") / "vnfacts.db"
    store = Store(db)
    crawler = Crawler(store, options())
    starts = [srv.url(STARTS.get(name, "/")) for name, srv in servers.items()]
    stats = crawler.crawl(starts)
    crawler.close()
    first_logs = {name: srv.log for name, srv in servers.items()}
    yield {"servers": servers, "store": store, "stats": stats, "starts": starts, "logs": first_logs, "db": db}
    store.close()
    for srv in servers.values():
        srv.__exit__(None, None, None)


def rows(store: Store, sql: str, params=()) -> list[dict]:
    cur = store.db.execute(sql, list(params))
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r)) for r in cur.fetchall()]


def article_pages(world) -> list[tuple[str, str, Path, str]]:
    """(site, article id, fixture file, the URL it was served at) of every article page."""
    out = []
    for name, srv in world["servers"].items():
        for path, article in srv.site.articles().items():
            out.append((name, article, srv.site.file_of(path), srv.url(path)))
    return out


def expected_key(file: Path, url: str) -> str:
    return clean(file.read_bytes()).canonical or normalize(url)


# --- what is stored ---------------------------------------------------------------------------

def test_every_article_is_stored_once(world):
    store = world["store"]
    keys = {expected_key(f, u) for _, a, f, u in article_pages(world)
            if a != "antv-noibo"  # behind robots.txt
            and "/ban-in/" not in u}  # the print copy of a generic-site page: same text, stored once
    stored = {r["key"] for r in rows(store, "SELECT key FROM articles")}
    assert stored == keys
    assert len(stored) == 17  # 18 article pages, one behind robots.txt; two pages twice under other URLs
    assert world["stats"].articles == 17


def test_clean_text_and_facts_match_vnfacts_extract(world):
    store = world["store"]
    pages = sorted((f, u) for s, a, f, u in article_pages(world) if a != "antv-noibo")
    result = CliRunner().invoke(app, ["extract", *(str(f) for f, _ in pages)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == len(pages)  # one JSON line per input, in order
    for (file, url), line in zip(pages, lines):
        facts = json.loads(line)
        assert facts["doc"] == file.name
        # the article the crawler filed this page under (a duplicate page: the one stored first)
        (key,) = store.db.execute("SELECT article_key FROM crawl_frontier WHERE url = ?", [normalize(url)]).fetchone()
        article = rows(store, "SELECT * FROM articles WHERE key = ?", [key])[0]
        assert article["text"] == clean(file.read_bytes()).text, file
        assert article["published"] == facts["published"], file
        for kind in KINDS:
            got = rows(store, f"SELECT start, [end] FROM [{kind}] WHERE article_id = ? ORDER BY start, [end]",
                       [article["id"]])
            want = sorted((f["start"], f["end"]) for f in facts[kind])
            assert [(r["start"], r["end"]) for r in got] == want, (file, kind)
            for fact in facts[kind]:  # the same evidence in the same sentence
                assert article["text"][fact["start"]:fact["end"]] in fact["sentence"]


def test_the_publication_date_is_the_articles_not_the_site_clock(world):
    (row,) = rows(world["store"], "SELECT published FROM articles WHERE key LIKE '%B7D3E2F1.html'")
    assert row["published"] == "2025-05-18"  # the page header's clock says 20/05/2025


def test_adapters_and_generic_reading(world):
    meta = {r["key"]: r for r in rows(world["store"], "SELECT * FROM crawl_articles")}
    adapters = Counter(r["adapter"] for r in meta.values())
    assert adapters == {"congannghean": 3, "antv": 3, "baohanam": 2, "baothanhhoa": 3, "baclieu": 2, None: 2,
                        "cand": 1, "bocongan": 1}
    cand = next(r for r in meta.values() if r["adapter"] == "cand")
    assert cand["author"] == "Hồng Quang"
    generic = rows(world["store"], "SELECT a.* FROM articles a JOIN crawl_articles c ON c.key = a.key "
                                   "WHERE c.adapter IS NULL")
    assert len(generic) == 2 and all(g["published"] and g["site"] == "127.0.0.1" for g in generic)
    sites_ = {r["site"] for r in rows(world["store"], "SELECT site FROM articles")}
    assert {"congannghean.vn", "antv.gov.vn", "congan.baclieu.gov.vn", "cand.com.vn"} <= sites_


def test_the_same_article_under_two_urls_is_one_article(world):
    store = world["store"]
    srv = world["servers"]["congannghean"]
    old = normalize(srv.url("/chu-trong-xay-dung-phong-trao-toan-dan-bao-ve-antq-906317.html"))
    (entry,) = rows(store, "SELECT state, reason, article_key FROM crawl_frontier WHERE url = ?", [old])
    assert entry["state"] == "done" and "same canonical URL" in entry["reason"]
    assert entry["article_key"].startswith("https://congannghean.vn/phong-su/202004/")
    # the feed's copy with tracking parameters was the same URL after normalisation: never fetched
    assert not [h for h in world["logs"]["congannghean"] if "utm_" in h.path]
    gen = world["servers"]["generic"]
    printed = normalize(gen.url("/ban-in/xa-tan-phu-xay-dung-mo-hinh-to-lien-gia-an-toan-phong-chay-chua-chay/"))
    (entry,) = rows(store, "SELECT state, reason FROM crawl_frontier WHERE url = ?", [printed])
    assert "same text" in entry["reason"]
    bl = world["servers"]["baclieu"]
    moved = normalize(bl.url("/-/cong-an-hoa-binh-ra-mat-camera"))
    assert world["store"].db.execute("SELECT article_key FROM crawl_aliases WHERE url = ?", [moved]).fetchone()[0] \
        == "https://congan.baclieu.gov.vn/-/cong-an-huyen-hoa-binh-ra-mat-mo-hinh-camera-giam-sat-an-ninh"


def test_wrong_declared_charset(world):
    (row,) = rows(world["store"], "SELECT * FROM crawl_articles WHERE key LIKE '%nga-son%'")
    assert row["encoding"] == "cp1258"
    assert "declared charset utf-8 overruled" in row["charset_note"]
    (art,) = rows(world["store"], "SELECT text FROM articles WHERE key LIKE '%nga-son%'")
    assert "Huyện Nga Sơn xây dựng 25 mô hình" in art["text"]


# --- what the servers saw -----------------------------------------------------------------------

def test_no_url_fetched_twice(world):
    for name, log in world["logs"].items():
        ok = Counter(h.path for h in log if h.status == 200)
        assert max(ok.values()) == 1, (name, ok.most_common(3))
        assert Counter(h.path for h in log)["/robots.txt"] <= 1


def test_politeness_delay_per_host(world):
    for name, log in world["logs"].items():
        delay = CRAWL_DELAY.get(name, DELAY)
        gaps = [b.at - a.at for a, b in zip(log, log[1:])]
        assert gaps and min(gaps) >= delay, (name, min(gaps))


def test_robots_txt_is_obeyed(world):
    assert not [h for h in world["logs"]["antv"] if h.path.startswith("/noi-bo/")]


def test_429_and_500_were_retried_within_the_run(world):
    antv = [h.status for h in world["logs"]["antv"] if "4E1A2B3C" in h.path]
    assert antv == [429, 200]
    hits = [h for h in world["logs"]["antv"] if "4E1A2B3C" in h.path]
    assert hits[1].at - hits[0].at >= 1.0  # Retry-After: 1
    assert [h.status for h in world["logs"]["baohanam"] if "127019" in h.path] == [500, 200]


EXPECTED_FAULTS = {
    ("antv", "/noi-bo/thong-bao-lich-tap-huan-nghiep-vu-5F2B3C4D.html"): ("skipped", "disallowed by robots.txt"),
    ("baohanam", "/an-ninh-trat-tu/ke-hoach-trien-khai-phong-trao-nam-2024-125800.html"): ("skipped", "not HTML: application/pdf"),
    ("baothanhhoa", "/bao-cao-nhanh-tinh-hinh-an-ninh-trat-tu-thang-6-221500.htm"): ("failed", "timeout"),
    ("baclieu", "/-/bai-viet-da-chuyen-muc"): ("failed", "redirect loop"),
    ("baclieu", "/-/bao-cao-tong-ket-cong-tac-nam-2023"): ("skipped", "too large: more than"),
    ("baclieu", "/-/bao-cao-tong-ket-cong-tac-nam-2023-ban-day-du"): ("skipped", "too large: Content-Length"),
}


def test_every_fault_is_recorded_with_its_reason(world):
    store = world["store"]
    faults = {}
    for (name, path), (state, reason) in EXPECTED_FAULTS.items():
        url = normalize(world["servers"][name].url(path))
        (entry,) = rows(store, "SELECT state, reason FROM crawl_frontier WHERE url = ?", [url])
        assert entry["state"] == state and entry["reason"].startswith(reason), (path, entry)
        failures = rows(store, "SELECT reason, resolved FROM failures WHERE source = ?", [url])
        assert failures and failures[0]["reason"] == entry["reason"] and failures[0]["resolved"] == 0
        faults[url] = entry["reason"]
    assert dict(world["stats"].faults) == faults


def test_nothing_fetched_is_missing_from_the_store(world):
    store = world["store"]
    for name, srv in world["servers"].items():
        log = world["logs"][name]
        stored = rows(store, "SELECT url, status, body, body_size, truncated, error FROM crawl_responses "
                             "WHERE url LIKE ? AND run_id = 1", [srv.base + "/%"])
        # one stored exchange per request the server saw (a timed-out one stored with its error)
        assert sorted(srv.base + h.path for h in log) == sorted(r["url"] for r in stored), name
        for r in stored:
            path = r["url"][len(srv.base):]
            route = srv.site.routes.get(path, {})
            if r["status"] == 200 and "file" in route:
                served = srv.site.file_of(path).read_bytes().replace(b"{{base}}", srv.base.encode())
                assert zlib.decompress(r["body"]) == served, path
            if route.get("fault") == "huge" and not route.get("content_length"):
                assert r["truncated"] == 1 and r["body_size"] == 2 * 1024 * 1024
            if route.get("fault") == "slow":
                assert r["status"] is None and r["error"].startswith("timeout")
    responses = rows(store, "SELECT headers, started_at, final_url FROM crawl_responses LIMIT 1")[0]
    assert json.loads(responses["headers"]) and responses["started_at"] and responses["final_url"]


# --- the next run ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def second_run(world):
    before = {name: len(log) for name, log in world["logs"].items()}
    crawler = Crawler(world["store"], options())
    stats = crawler.crawl(world["starts"])
    crawler.close()
    return stats, {name: srv.log[before[name]:] for name, srv in world["servers"].items()}


def test_next_run_rereads_hubs_conditionally_and_retries_failures_only(world, second_run):
    stats, logs = second_run
    assert stats.articles == 0
    for name, log in logs.items():
        articles = set(world["servers"][name].site.articles())
        assert not [h for h in log if h.path in articles], name  # stored articles are never fetched again
        for h in log:
            if h.status == 304:
                assert "if-none-match" in h.headers
    hubs = [h for log in logs.values() for h in log if h.status == 304]
    assert len(hubs) >= 8
    retried = {(n, h.path) for n, log in logs.items() for h in log}
    assert ("baothanhhoa", "/bao-cao-nhanh-tinh-hinh-an-ninh-trat-tu-thang-6-221500.htm") in retried
    assert ("baclieu", "/-/bai-viet-da-chuyen-muc") in retried
    assert ("baohanam", "/an-ninh-trat-tu/ke-hoach-trien-khai-phong-trao-nam-2024-125800.html") not in retried
    assert ("baclieu", "/-/bao-cao-tong-ket-cong-tac-nam-2023") not in retried
    assert not [h for h in logs["antv"] if h.path == "/robots.txt"]  # robots.txt kept a day


def test_since_skips_old_articles(tmp_path):
    with FixtureServer("congannghean") as srv:
        store = Store(tmp_path / "since.db")
        crawler = Crawler(store, options(since=date(2021, 1, 1)))
        feed, page2 = srv.url("/rss/home.rss"), srv.url("/phong-trao-toan-dan-bao-ve-an-ninh-to-quoc/?page=2")
        stats = crawler.crawl([feed, page2])
        crawler.close()
        # the feed dates the 2020 article: not even fetched under its feed URL ...
        assert not srv.requests("/phong-su/202004/chu-trong-xay-dung-phong-trao-toan-dan-bao-ve-antq-906317/")
        # ... the listing does not: fetched, then left out by its own date
        old = normalize(srv.url("/chu-trong-xay-dung-phong-trao-toan-dan-bao-ve-antq-906317.html"))
        assert (old, "published 2020-04-08 before --since 2021-01-01") in stats.faults
        keys = {k for (k,) in store.db.execute("SELECT key FROM articles")}
        assert len(keys) == 2 and not any("906317" in k for k in keys)
        store.close()


def test_cli_crawl_and_fetch(tmp_path):
    runner = CliRunner()
    with FixtureServer("baclieu") as srv:
        db = tmp_path / "cli.db"
        args = ["--db", str(db), "--delay", "0.05", "--timeout", "1", "--max-bytes", "1048576"]
        crawl = runner.invoke(app, ["crawl", srv.url("/tin-tuc-su-kien"), "--site", "baclieu", "--max-pages", "2", *args])
        assert crawl.exit_code == 0, crawl.output
        assert "pages fetched" in crawl.stdout and "articles stored" in crawl.stdout
        page = srv.url("/-/cong-an-huyen-hoa-binh-ra-mat-mo-hinh-camera-giam-sat-an-ninh")
        fetch = runner.invoke(app, ["fetch", page, *args])
        assert fetch.exit_code == 0, fetch.output
        again = runner.invoke(app, ["fetch", page, *args])
        assert again.exit_code == 0
        hits = srv.requests("/-/cong-an-huyen-hoa-binh-ra-mat-mo-hinh-camera-giam-sat-an-ninh")
        assert [h.status for h in hits] == [200, 304]  # fetched once, then a conditional GET
        store = Store(db)
        assert store.counts_by_table()["articles"] == 2
        (status,) = store.db.execute("SELECT status FROM crawl_runs WHERE command = 'crawl'").fetchone()
        assert status == "stopped"  # --max-pages: the next crawl with this start URL resumes
        store.close()
