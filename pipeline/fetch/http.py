"""HTTP GET for the crawler: polite by default, robust, and keeping every exchange.

A thin wrapper over ``httpx.Client`` that adds what a crawler of small
government and newspaper sites needs:

* explicit timeouts on every request (connect, read, and a total deadline for
  the body, since a read timeout alone lets a server trickle bytes forever);
* robots.txt obeyed and one request at a time per origin with a delay
  (``pipeline.politeness``), a User-Agent naming vnfacts and a contact URL;
* retries with exponential backoff and jitter on connection errors, 5xx and
  429, Retry-After honoured (and capped: a server asking for an hour is a
  failure for this run, retried on the next);
* redirects followed by hand, so each hop is checked against robots.txt, loops
  are caught and the chain is capped;
* a size cap enforced while streaming (Content-Length first, then the bytes
  actually received, after decompression, so a gzip bomb is caught too);
* conditional GET (If-None-Match / If-Modified-Since) when re-fetching;
* non-text bodies (PDF, images) not downloaded: the headers say enough.

Every request/response pair is an ``Exchange`` in the ``FetchResult`` (retries
and redirect hops included), so the store can keep all of them.
"""

from __future__ import annotations

import email.utils
import random
import time
from collections.abc import Callable
from datetime import UTC, datetime
from urllib.parse import urljoin

import httpx
from pydantic import BaseModel, ConfigDict, Field

from pipeline.fetch.politeness import ROBOTS_AGENT, USER_AGENT, HostGate, RobotsRules
from pipeline.urls import normalize, origin

__all__ = ["ROBOTS_AGENT", "USER_AGENT", "Exchange", "FetchResult", "Fetcher", "HttpSettings", "is_textual"]

_REDIRECTS = {301, 302, 303, 307, 308}
_ACCEPT = "text/html,application/xhtml+xml,application/rss+xml,application/atom+xml,application/xml;q=0.9,*/*;q=0.5"


class HttpSettings(BaseModel):
    """Politeness and robustness knobs; the defaults are what a polite crawler uses."""

    model_config = ConfigDict(extra="forbid")

    user_agent: str = Field(USER_AGENT, description="names the crawler and where to reach its operators")
    delay: float = Field(1.0, ge=0, description="seconds between two requests to one origin (raised by Crawl-delay)")
    max_crawl_delay: float = Field(60.0, ge=0, description="a Crawl-delay above this is capped, not ignored")
    connect_timeout: float = Field(10.0, gt=0, description="seconds to open a connection")
    read_timeout: float = Field(20.0, gt=0, description="seconds without a byte from the server")
    total_timeout: float = Field(60.0, gt=0, description="seconds for a whole response, body included")
    max_retries: int = Field(3, ge=0, description="retries of one request on connect errors, 5xx and 429")
    backoff_base: float = Field(1.0, ge=0, description="first backoff in seconds; doubles each retry, with jitter")
    backoff_max: float = Field(30.0, ge=0, description="longest backoff between two retries")
    max_retry_after: float = Field(120.0, ge=0, description="a longer Retry-After fails the request for this run")
    max_redirects: int = Field(5, ge=0, description="redirect hops followed before giving up")
    max_bytes: int = Field(10 * 1024 * 1024, gt=0, description="largest body read, after decompression")
    obey_robots: bool = Field(True, description="check robots.txt before every request")


class Exchange(BaseModel):
    """One request and its response (or the error that replaced the response)."""

    url: str
    hop: int = 0  # 0 for the requested URL, 1.. for redirect targets
    attempt: int = 1  # 1 for the first try, 2.. for retries
    request_headers: dict[str, str] = {}
    status: int | None = None
    headers: list[tuple[str, str]] = []
    body: bytes | None = None
    truncated: bool = False
    started_at: str
    elapsed: float = 0.0
    error: str | None = None
    error_kind: str | None = None  # connect | timeout | size | type | protocol | robots

    def header(self, name: str) -> str | None:
        name = name.lower()
        return next((v for k, v in self.headers if k.lower() == name), None)


class FetchResult(BaseModel):
    """The outcome of fetching one URL: the final response and every exchange on the way."""

    url: str
    final_url: str
    status: int | None = None
    headers: list[tuple[str, str]] = []
    body: bytes | None = None
    error: str | None = None  # why there is no usable body, in words
    retry: bool = False  # a transient failure: worth trying again on the next run
    redirects: list[str] = []
    redirect_to: str | None = None  # a redirect not followed because the caller already has its target
    exchanges: list[Exchange] = []

    def header(self, name: str) -> str | None:
        name = name.lower()
        return next((v for k, v in self.headers if k.lower() == name), None)

    @property
    def ok(self) -> bool:
        return self.error is None and self.status is not None and 200 <= self.status < 300 and self.body is not None

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def content_type(self) -> str:
        return (self.header("content-type") or "").split(";")[0].strip().lower()


def is_textual(content_type: str) -> bool:
    """Worth downloading: HTML, XML (feeds, sitemaps), plain text, or undeclared."""
    ct = content_type.split(";")[0].strip().lower()
    return not ct or ct.startswith("text/") or ct.endswith(("/xml", "+xml"))


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def _retry_after(value: str | None) -> float | None:
    """Retry-After in seconds from now: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


class Fetcher:
    """GET with politeness and retries; see the module docstring.

    ``robots_cache(origin)`` may return a stored (status, body, error) for an
    origin's robots.txt so a resumed crawl does not fetch it again;
    ``on_robots(result)`` is told about every robots.txt actually fetched.
    """

    def __init__(
        self,
        settings: HttpSettings | None = None,
        *,
        transport: httpx.BaseTransport | None = None,
        robots_cache: Callable[[str], tuple[int | None, bytes | None, str | None] | None] | None = None,
        on_robots: Callable[[FetchResult], None] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ):
        self.settings = s = settings or HttpSettings()
        self.gate = HostGate(s.delay, sleep=sleep)
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._robots: dict[str, RobotsRules] = {}
        self._robots_cache = robots_cache
        self._on_robots = on_robots
        self.client = httpx.Client(
            timeout=httpx.Timeout(connect=s.connect_timeout, read=s.read_timeout, write=s.read_timeout,
                                  pool=s.connect_timeout),
            follow_redirects=False,  # by hand: robots, loops and the cap are checked per hop
            transport=transport or httpx.HTTPTransport(retries=0),
            headers={"User-Agent": s.user_agent, "Accept": _ACCEPT, "Accept-Language": "vi,en;q=0.5"},
        )

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- robots.txt ---------------------------------------------------------

    def robots(self, url: str) -> RobotsRules:
        """The robots rules of ``url``'s origin, fetched once per origin and run."""
        key = origin(url)
        if key not in self._robots:
            cached = self._robots_cache(key) if self._robots_cache else None
            if cached is not None:
                status, body, error = cached
            else:
                result = self._fetch(key + "/robots.txt", validators=None, text_only=False, check_robots=False)
                if self._on_robots:
                    self._on_robots(result)
                status, body, error = result.status, result.body, result.error
                if result.status is not None and result.status in _REDIRECTS:
                    status = 404  # a redirect chain we could not finish: as if missing
            rules = RobotsRules.from_response(key, status, body, ROBOTS_AGENT, error)
            if rules.crawl_delay:
                delay = min(rules.crawl_delay, self.settings.max_crawl_delay)
                self.gate.raise_delay(key, delay)
                if cached is None:
                    self.gate.defer(key, delay)  # robots.txt itself was a request: the next one waits too
            self._robots[key] = rules
        return self._robots[key]

    # -- fetching ---------------------------------------------------------

    def fetch(self, url: str, *, validators: dict[str, str] | None = None, text_only: bool = True,
              follow: Callable[[str], bool] | None = None) -> FetchResult:
        """GET ``url`` following redirects; never raises for network or HTTP errors.

        ``follow(target)`` returning False stops at a redirect whose target the
        caller already has (``FetchResult.redirect_to``), so it is not fetched twice.
        """
        return self._fetch(url, validators=validators, text_only=text_only, check_robots=self.settings.obey_robots,
                           follow=follow)

    def _fetch(self, url: str, *, validators: dict[str, str] | None, text_only: bool, check_robots: bool,
               follow: Callable[[str], bool] | None = None) -> FetchResult:
        s = self.settings
        exchanges: list[Exchange] = []
        chain = [url]
        current = url
        for hop in range(s.max_redirects + 1):
            if check_robots:
                rules = self.robots(current)
                if not rules.allowed(current, ROBOTS_AGENT):
                    reason = rules.reason or "disallowed by robots.txt"
                    return FetchResult(url=url, final_url=current, error=reason, retry=rules.disallow_all,
                                       redirects=chain[1:], exchanges=exchanges)
            headers: dict[str, str] = {}
            if hop == 0 and validators:
                if validators.get("etag"):
                    headers["If-None-Match"] = validators["etag"]
                if validators.get("last_modified"):
                    headers["If-Modified-Since"] = validators["last_modified"]
            ex = self._with_retries(current, headers, hop, exchanges, text_only)
            location = ex.header("location")
            if ex.status in _REDIRECTS and location:
                target = urljoin(current, location.strip())
                if normalize(target) in {normalize(u) for u in chain}:
                    loop = " -> ".join([*chain, target])
                    return self._result(url, current, ex, chain, exchanges, error=f"redirect loop: {loop}", retry=True)
                if follow is not None and not follow(target):
                    return FetchResult(url=url, final_url=current, status=ex.status, headers=ex.headers, body=ex.body,
                                       redirects=chain[1:], redirect_to=target, exchanges=exchanges)
                chain.append(target)
                current = target
                continue
            return self._result(url, current, ex, chain, exchanges)
        return self._result(url, current, exchanges[-1], chain, exchanges,
                            error=f"too many redirects (more than {s.max_redirects})", retry=True)

    def _result(self, url: str, final: str, ex: Exchange, chain: list[str], exchanges: list[Exchange], *,
                error: str | None = None, retry: bool = False) -> FetchResult:
        if error is None and ex.error is not None:
            error = ex.error
            retry = ex.error_kind in ("connect", "timeout", "protocol", "retry-after")
        elif error is None and ex.status is not None and not (200 <= ex.status < 300 or ex.status == 304):
            error = f"HTTP {ex.status}"
            retry = ex.status in (408, 425, 429) or ex.status >= 500
        return FetchResult(url=url, final_url=final, status=ex.status, headers=ex.headers,
                           body=ex.body, error=error, retry=retry, redirects=chain[1:], exchanges=exchanges)

    def _backoff(self, attempt: int) -> float:
        """Exponential backoff with "equal jitter": half fixed, half random, so
        clients that failed together do not all come back at the same instant."""
        cap = min(self.settings.backoff_max, self.settings.backoff_base * 2 ** (attempt - 1))
        return cap / 2 + self._rng.uniform(0, cap / 2)

    def _with_retries(self, url: str, headers: dict[str, str], hop: int, exchanges: list[Exchange],
                      text_only: bool) -> Exchange:
        s = self.settings
        key = origin(url)
        attempt = 0
        while True:
            attempt += 1
            with self.gate.slot(key):
                ex = self._exchange(url, headers, hop, attempt, text_only)
            exchanges.append(ex)
            retryable = ex.error_kind in ("connect", "protocol") or ex.status == 429 or (
                ex.status is not None and ex.status >= 500)
            if not retryable or attempt > s.max_retries:
                return ex
            wait = self._backoff(attempt)
            asked = _retry_after(ex.header("retry-after")) if ex.status in (429, 503) else None
            if asked is not None:
                if asked > s.max_retry_after:
                    ex.error = (f"HTTP {ex.status}: Retry-After {asked:.0f} s is more than the "
                                f"{s.max_retry_after:.0f} s we wait; retry on the next run")
                    ex.error_kind = "retry-after"
                    return ex
                wait = max(wait, asked)
            self.gate.defer(key, wait)

    def _exchange(self, url: str, headers: dict[str, str], hop: int, attempt: int, text_only: bool) -> Exchange:
        s = self.settings
        ex = Exchange(url=url, hop=hop, attempt=attempt, request_headers=headers, started_at=_now())
        t0 = time.monotonic()
        deadline = t0 + s.total_timeout
        try:
            with self.client.stream("GET", url, headers=headers) as r:
                ex.status = r.status_code
                ex.headers = list(r.headers.multi_items())
                ex.request_headers = dict(r.request.headers)
                declared = r.headers.get("content-length")
                if declared and declared.isdigit() and int(declared) > s.max_bytes:
                    ex.error, ex.error_kind = (f"too large: Content-Length {int(declared):,} bytes is over "
                                               f"the {s.max_bytes:,}-byte cap"), "size"
                    return ex
                if text_only and 200 <= r.status_code < 300 and not is_textual(r.headers.get("content-type", "")):
                    ct = r.headers.get("content-type", "").split(";")[0].strip()
                    ex.error, ex.error_kind = f"not HTML: {ct}, not downloaded", "type"
                    return ex
                chunks: list[bytes] = []
                size = 0
                for chunk in r.iter_bytes():
                    size += len(chunk)
                    if size > s.max_bytes:
                        chunks.append(chunk[: len(chunk) - (size - s.max_bytes)])
                        ex.truncated = True
                        ex.error, ex.error_kind = f"too large: more than the {s.max_bytes:,}-byte cap", "size"
                        break
                    chunks.append(chunk)
                    if time.monotonic() > deadline:
                        ex.truncated = True
                        ex.error, ex.error_kind = (f"timeout: body not complete after {s.total_timeout:g} s",
                                                   "timeout")
                        break
                ex.body = b"".join(chunks)
        except httpx.TimeoutException as exc:
            kind = "connect" if isinstance(exc, (httpx.ConnectTimeout, httpx.PoolTimeout)) else "timeout"
            limit = s.connect_timeout if kind == "connect" else s.read_timeout
            ex.error, ex.error_kind = f"timeout: {type(exc).__name__} after {limit:g} s", kind
        except httpx.ConnectError as exc:
            ex.error, ex.error_kind = f"connect error: {exc or type(exc).__name__}", "connect"
        except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as exc:
            ex.error, ex.error_kind = f"connection broken: {exc or type(exc).__name__}", "protocol"
        except httpx.DecodingError as exc:
            ex.error, ex.error_kind = f"undecodable Content-Encoding: {exc}", "type"
        except httpx.HTTPError as exc:  # anything else httpx raises: a reason, never a crash
            ex.error, ex.error_kind = f"{type(exc).__name__}: {exc}", "protocol"
        finally:
            ex.elapsed = round(time.monotonic() - t0, 4)
        return ex
