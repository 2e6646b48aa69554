"""pipeline.fetch.http against a real server on 127.0.0.1: politeness, retries, caps, faults."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest
from crawl_fixture_server import FixtureServer, FixtureSite

from pipeline.fetch.http import USER_AGENT, Fetcher, HttpSettings
from pipeline.fetch.politeness import RobotsRules

PAGE = "<html><body><p>Phong trào toàn dân bảo vệ an ninh Tổ quốc.</p></body></html>"


def site(tmp_path: Path, routes: list[dict], files: dict[str, str | bytes] | None = None) -> FixtureSite:
    files = {"page.html": PAGE, **(files or {})}
    for name, data in files.items():
        (tmp_path / name).write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return FixtureSite("test", {r["path"]: r for r in routes}, tmp_path)


def fast(**kw) -> HttpSettings:
    defaults = dict(delay=0.05, backoff_base=0.02, backoff_max=0.1, read_timeout=0.5, connect_timeout=0.5,
                    max_bytes=1024 * 1024)
    return HttpSettings(**{**defaults, **kw})


@pytest.fixture
def serve(tmp_path):
    servers = []

    def start(routes, files=None):
        server = FixtureServer(site(tmp_path, routes, files)).__enter__()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.__exit__(None, None, None)


def test_ok_with_user_agent_and_timeouts(serve):
    srv = serve([{"path": "/a.html", "file": "page.html"}])
    with Fetcher(fast()) as f:
        result = f.fetch(srv.url("/a.html"))
        assert f.client.timeout.connect == 0.5 and f.client.timeout.read == 0.5  # explicit, never None
    assert result.ok and result.status == 200 and result.body == PAGE.encode()
    ua = srv.requests("/a.html")[0].headers["user-agent"]
    assert ua == USER_AGENT and "vnfacts" in ua and "https://" in ua


def test_429_retry_after_is_honoured(serve):
    srv = serve([{"path": "/a.html", "file": "page.html", "fault": "429-once", "retry_after": 1}])
    with Fetcher(fast()) as f:
        result = f.fetch(srv.url("/a.html"))
    assert result.ok
    assert [e.status for e in result.exchanges] == [429, 200]
    first, second = srv.requests("/a.html")
    assert second.at - first.at >= 1.0


def test_retry_after_beyond_the_cap_fails_for_this_run(serve):
    srv = serve([{"path": "/a.html", "file": "page.html", "fault": "429-once", "retry_after": 3600}])
    with Fetcher(fast(max_retry_after=5)) as f:
        result = f.fetch(srv.url("/a.html"))
    assert not result.ok and result.retry and "Retry-After 3600" in result.error
    assert len(srv.requests("/a.html")) == 1


def test_500_then_success(serve):
    srv = serve([{"path": "/a.html", "file": "page.html", "fault": "500-once"}])
    with Fetcher(fast()) as f:
        result = f.fetch(srv.url("/a.html"))
    assert result.ok and [e.status for e in result.exchanges] == [500, 200]


def test_connect_errors_are_retried_with_backoff():
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with Fetcher(fast(max_retries=2, obey_robots=False, backoff_base=0.1, backoff_max=1.0)) as f:
        t0 = time.monotonic()
        result = f.fetch(f"http://127.0.0.1:{port}/a.html")
        elapsed = time.monotonic() - t0
    assert not result.ok and result.retry and result.error.startswith("connect error")
    assert [e.attempt for e in result.exchanges] == [1, 2, 3]
    assert elapsed >= 0.05 + 0.1  # half of each backoff at least (equal jitter)


def test_slow_response_times_out(serve):
    srv = serve([{"path": "/slow.html", "fault": "slow", "seconds": 2}])
    with Fetcher(fast(read_timeout=0.3)) as f:
        result = f.fetch(srv.url("/slow.html"))
    assert not result.ok and result.retry and result.error.startswith("timeout")
    assert len(srv.requests("/slow.html")) == 1  # a timeout is retried on the next run, not hammered now


def test_redirect_loop_and_redirect_cap(serve):
    routes = [{"path": "/a", "fault": "redirect", "to": "/b"}, {"path": "/b", "fault": "redirect", "to": "/a"}]
    routes += [{"path": f"/r{i}", "fault": "redirect", "to": f"/r{i + 1}"} for i in range(8)]
    srv = serve(routes)
    with Fetcher(fast(max_redirects=3)) as f:
        loop = f.fetch(srv.url("/a"))
        chain = f.fetch(srv.url("/r0"))
    assert loop.error.startswith("redirect loop") and len(srv.requests("/a")) == 1
    assert chain.error == "too many redirects (more than 3)"
    assert len(chain.exchanges) == 4 and not srv.requests("/r5")


def test_redirect_is_followed_and_recorded(serve):
    srv = serve([{"path": "/old", "fault": "redirect", "to": "/new.html", "status": 301},
                 {"path": "/new.html", "file": "page.html"}])
    with Fetcher(fast()) as f:
        result = f.fetch(srv.url("/old"))
        stopped = f.fetch(srv.url("/old"), follow=lambda target: False)
    assert result.ok and result.final_url == srv.url("/new.html") and result.redirects == [srv.url("/new.html")]
    assert [e.status for e in result.exchanges] == [301, 200]
    assert stopped.redirect_to == srv.url("/new.html") and stopped.error is None
    assert len(srv.requests("/new.html")) == 1


def test_robots_txt_disallows_a_section_and_sets_the_delay(serve):
    robots = "User-agent: *\nDisallow: /noi-bo/\nCrawl-delay: 0.3\n"
    srv = serve([{"path": "/robots.txt", "file": "robots.txt", "type": "text/plain"},
                 {"path": "/noi-bo/a.html", "file": "page.html"},
                 {"path": "/a.html", "file": "page.html"}, {"path": "/b.html", "file": "page.html"}],
                {"robots.txt": robots})
    with Fetcher(fast(delay=0.05)) as f:
        blocked = f.fetch(srv.url("/noi-bo/a.html"))
        a = f.fetch(srv.url("/a.html"))
        b = f.fetch(srv.url("/b.html"))
    assert blocked.error == "disallowed by robots.txt" and not blocked.retry and not blocked.exchanges
    assert not srv.requests("/noi-bo/a.html")
    assert a.ok and b.ok
    hits = srv.log
    assert [h.path for h in hits] == ["/robots.txt", "/a.html", "/b.html"]  # robots.txt once per origin
    assert all(later.at - earlier.at >= 0.3 for earlier, later in zip(hits, hits[1:]))  # Crawl-delay wins


def test_politeness_delay_between_requests_to_one_host(serve):
    srv = serve([{"path": f"/{i}.html", "file": "page.html"} for i in range(4)])
    with Fetcher(fast(delay=0.2, obey_robots=False)) as f:
        for i in range(4):
            assert f.fetch(srv.url(f"/{i}.html")).ok
    hits = srv.log
    assert len(hits) == 4
    assert all(later.at - earlier.at >= 0.2 for earlier, later in zip(hits, hits[1:]))


def test_unreachable_robots_txt_disallows_for_now_and_missing_one_allows(serve):
    srv = serve([{"path": "/robots.txt", "fault": "500-once"}, {"path": "/a.html", "file": "page.html"}])
    with Fetcher(fast(max_retries=0)) as f:
        result = f.fetch(srv.url("/a.html"))
    assert not result.ok and result.retry and "robots.txt unreachable" in result.error
    rules = RobotsRules.from_response("http://x", 404, None, "vnfacts")
    assert rules.allowed("http://x/anything", "vnfacts")


def test_size_cap_while_streaming_and_by_content_length(serve):
    size = 20 * 1024 * 1024  # made on the fly by the server
    srv = serve([{"path": "/big", "fault": "huge", "size": size, "content_length": False},
                 {"path": "/big-cl", "fault": "huge", "size": size, "content_length": True}])
    with Fetcher(fast(max_bytes=512 * 1024)) as f:
        streamed = f.fetch(srv.url("/big"))
        declared = f.fetch(srv.url("/big-cl"))
    assert streamed.error.startswith("too large") and not streamed.retry
    assert streamed.exchanges[-1].truncated and len(streamed.body) == 512 * 1024
    assert "Content-Length 20,971,520" in declared.error and declared.body is None


def test_non_html_is_not_downloaded(serve):
    srv = serve([{"path": "/ke-hoach.html", "fault": "pdf"}])
    with Fetcher(fast()) as f:
        result = f.fetch(srv.url("/ke-hoach.html"))
    assert result.error == "not HTML: application/pdf, not downloaded" and result.body is None and not result.retry


def test_conditional_get(serve):
    srv = serve([{"path": "/a.html", "file": "page.html"}])
    with Fetcher(fast()) as f:
        first = f.fetch(srv.url("/a.html"))
        again = f.fetch(srv.url("/a.html"), validators={"etag": first.header("etag"),
                                                       "last_modified": first.header("last-modified")})
    assert again.not_modified and not again.ok and again.error is None
    assert srv.requests("/a.html")[1].headers["if-none-match"] == first.header("etag")
    assert srv.requests("/a.html")[1].headers["if-modified-since"] == first.header("last-modified")
