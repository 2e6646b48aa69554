"""A real HTTP server on 127.0.0.1 serving a fixture site, faults included.

Each site is ``tests/fixtures/sites/<name>/routes.toml`` plus its files (see
``make_sites.py``).  A route serves a file (``{{base}}`` replaced by the
server's address, an ETag, 304 on If-None-Match) or plays a fault:

  429-once    429 with Retry-After the first time, the file afterwards
  500-once    500 the first time, the file afterwards
  slow        sleeps ``seconds`` before answering
  redirect    ``status`` to ``to``
  huge        ``size`` bytes of HTML made on the fly, with or without Content-Length
  pdf         a PDF (application/pdf)

Every request is logged with its arrival time, for the tests' assertions.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
import tomllib
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

SITES = Path(__file__).parent / "fixtures" / "sites"

# The servers are local: a proxy configured for the package registries must not be asked.
for _name in ("NO_PROXY", "no_proxy"):
    _hosts = [h for h in os.environ.get(_name, "").split(",") if h]
    os.environ[_name] = ",".join(dict.fromkeys([*_hosts, "127.0.0.1", "localhost"]))

_TYPES = {".html": "text/html; charset=utf-8", ".htm": "text/html; charset=utf-8", ".xml": "application/xml",
          ".rss": "application/rss+xml", ".txt": "text/plain"}


@dataclass
class Hit:
    at: float  # time.monotonic() when the request arrived
    path: str
    status: int
    headers: dict[str, str]


@dataclass
class FixtureSite:
    name: str
    routes: dict[str, dict]
    folder: Path
    log: list[Hit] = field(default_factory=list)
    hits: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def load(cls, name: str) -> FixtureSite:
        folder = SITES / name
        routes = {r["path"]: r for r in tomllib.loads((folder / "routes.toml").read_text("utf-8"))["route"]}
        return cls(name, routes, folder)

    def articles(self) -> dict[str, str]:
        """path -> article id, for the pages that hold an article."""
        return {p: r["article"] for p, r in self.routes.items() if "article" in r}

    def file_of(self, path: str) -> Path:
        return self.folder / self.routes[path]["file"]


class FixtureServer:
    def __init__(self, site: str | FixtureSite):
        self.site = site if isinstance(site, FixtureSite) else FixtureSite.load(site)
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.httpd.daemon_threads = True
        self.httpd.block_on_close = False  # a slow or huge response still running must not hold up the tests
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def base(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str) -> str:
        return self.base + path

    def __enter__(self) -> FixtureServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    @property
    def log(self) -> list[Hit]:
        with self.site.lock:
            return list(self.site.log)

    def requests(self, path: str | None = None) -> list[Hit]:
        return [h for h in self.log if path is None or h.path == path]


def _handler(server: FixtureServer):
    site = server.site

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"

        def log_message(self, *args) -> None:  # quiet
            pass

        def _log(self, status: int, at: float) -> None:
            with site.lock:
                site.log.append(Hit(at, self.path, status, {k.lower(): v for k, v in self.headers.items()}))

        def _send(self, status: int, body: bytes, headers: dict[str, str], at: float, log: bool = True) -> None:
            if log:
                self._log(status, at)
            try:
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                if "Content-Length" not in headers:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass

        def do_GET(self) -> None:
            at = time.monotonic()
            route = site.routes.get(self.path)
            with site.lock:
                n = site.hits[self.path] = site.hits.get(self.path, 0) + 1
            if route is None:
                self._send(404, b"<html><body>Not found</body></html>", {"Content-Type": "text/html"}, at)
                return
            fault = route.get("fault")
            if fault == "429-once" and n == 1:
                self._send(429, b"Too many requests", {"Retry-After": str(route.get("retry_after", 1)),
                                                       "Content-Type": "text/plain"}, at)
                return
            if fault == "500-once" and n == 1:
                self._send(500, b"Internal error", {"Content-Type": "text/plain"}, at)
                return
            if fault == "redirect":
                self._send(int(route.get("status", 302)), b"", {"Location": route["to"]}, at)
                return
            if fault == "slow":
                self._log(200, at)  # logged on arrival: the client gives up before the answer
                time.sleep(float(route.get("seconds", 3)))
                self._send(200, b"<html><body><p>late</p></body></html>", {"Content-Type": "text/html"}, at, log=False)
                return
            if fault == "pdf":
                body = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
                self._send(200, body, {"Content-Type": "application/pdf"}, at)
                return
            if fault == "huge":
                self._huge(int(route["size"]), bool(route.get("content_length")), at)
                return
            data = site.file_of(self.path).read_bytes().replace(b"{{base}}", server.base.encode())
            etag = '"' + hashlib.sha1(data).hexdigest()[:16] + '"'
            if self.headers.get("If-None-Match") == etag:
                self._send(304, b"", {"ETag": etag}, at)
                return
            ctype = route.get("type") or _TYPES.get(Path(route["file"]).suffix, "application/octet-stream")
            self._send(200, data, {"Content-Type": ctype, "ETag": etag,
                                   "Last-Modified": "Mon, 10 Jun 2024 08:00:00 GMT"}, at)

        def _huge(self, size: int, with_length: bool, at: float) -> None:
            self._log(200, at)
            chunk = ("<p>Báo cáo tổng kết công tác bảo đảm an ninh trật tự năm 2023. </p>\n" * 1000).encode()
            try:
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                if with_length:
                    self.send_header("Content-Length", str(size))
                self.end_headers()
                self.wfile.write(b"<html><body>")
                sent = 12
                while sent < size:
                    piece = chunk[: size - sent]
                    self.wfile.write(piece)
                    sent += len(piece)
            except (BrokenPipeError, ConnectionResetError):
                pass

    return Handler
