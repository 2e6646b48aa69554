"""Being a good guest on someone else's server: robots.txt and one request at a time.

Two jobs, both per origin (scheme://host:port, the unit robots.txt applies to):

* ``HostGate``: at most one request in flight per origin, and at least
  ``delay`` seconds between the end of one request and the start of the next
  (raised by the site's Crawl-delay, pushed back by Retry-After and backoff).
* ``RobotsRules``: the parsed robots.txt of an origin (``urllib.robotparser``),
  with the RFC 9309 reading of failures: a missing robots.txt (4xx) allows
  everything, an unreachable one (5xx, network error) disallows everything
  for now, because we cannot know what the site wants.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported where robots.txt is parsed: urllib.request costs `vnfacts --help` ~35 ms
    from urllib.robotparser import RobotFileParser

__all__ = ["ROBOTS_AGENT", "ROBOTS_MAX_BYTES", "USER_AGENT", "HostGate", "RobotsRules"]

USER_AGENT = "vnfacts/0.1 (+https://github.com/vnfacts/vnfacts)"  # who we are and where to complain
ROBOTS_AGENT = "vnfacts"  # the product token robots.txt groups are matched against
ROBOTS_MAX_BYTES = 500 * 1024  # RFC 9309: parse at least the first 500 KiB


class HostGate:
    """Serialises requests per origin and spaces them ``delay`` seconds apart."""

    def __init__(self, delay: float = 1.0, clock=time.monotonic, sleep=time.sleep):
        self.default_delay = delay
        self._delay: dict[str, float] = {}
        self._next: dict[str, float] = {}
        self._locks: defaultdict[str, threading.Lock] = defaultdict(threading.Lock)
        self._guard = threading.Lock()
        self._clock = clock
        self._sleep = sleep

    def delay(self, origin: str) -> float:
        return self._delay.get(origin, self.default_delay)

    def raise_delay(self, origin: str, seconds: float) -> None:
        """A Crawl-delay can only make us slower than configured, never faster."""
        self._delay[origin] = max(self.default_delay, seconds)

    def defer(self, origin: str, seconds: float) -> None:
        """Keep the origin's next request at least ``seconds`` from now (Retry-After, backoff)."""
        with self._guard:
            self._next[origin] = max(self._next.get(origin, 0.0), self._clock() + seconds)

    def ready_in(self, origin: str) -> float:
        """Seconds until the origin may be asked again (0 if now)."""
        with self._guard:
            return max(0.0, self._next.get(origin, 0.0) - self._clock())

    @contextmanager
    def slot(self, origin: str) -> Iterator[None]:
        with self._guard:
            lock = self._locks[origin]
        with lock:
            wait = self._next.get(origin, 0.0) - self._clock()
            if wait > 0:
                self._sleep(wait)
            try:
                yield
            finally:
                with self._guard:
                    self._next[origin] = max(self._next.get(origin, 0.0), self._clock() + self.delay(origin))


def _fractional_crawl_delay(text: str, agent: str) -> float | None:
    """Crawl-delay for ``agent`` when it is not a whole number ("Crawl-delay: 0.5"),
    which urllib.robotparser ignores; a group naming the agent beats "*"."""
    found: dict[str, float] = {}
    agents: list[str] = []
    in_rules = False
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if ":" not in line:
            continue
        key, value = (part.strip() for part in line.split(":", 1))
        key = key.lower()
        if key == "user-agent":
            if in_rules:
                agents, in_rules = [], False
            agents.append(value.lower())
            continue
        in_rules = True
        if key == "crawl-delay":
            try:
                seconds = float(value)
            except ValueError:
                continue
            for name in agents:
                found.setdefault(name, seconds)
    token = agent.lower()
    specific = next((v for name, v in found.items() if name != "*" and name in token), None)
    return specific if specific is not None else found.get("*")


@dataclass
class RobotsRules:
    """What an origin's robots.txt says, or what we assume when it could not be read."""

    origin: str
    status: int | None = None
    allow_all: bool = False
    disallow_all: bool = False
    reason: str | None = None  # why everything is disallowed (robots.txt unreachable)
    parser: RobotFileParser | None = None
    sitemaps: list[str] = field(default_factory=list)
    crawl_delay: float | None = None

    @classmethod
    def from_response(cls, origin: str, status: int | None, body: bytes | None, agent: str,
                      error: str | None = None) -> RobotsRules:
        if status is None or status >= 500 or status == 429:
            why = error or f"HTTP {status}"
            return cls(origin, status, disallow_all=True, reason=f"robots.txt unreachable ({why}); not crawling for now")
        if status >= 400:
            return cls(origin, status, allow_all=True)
        if not 200 <= status < 300:  # a redirect chain that did not end: treat as missing
            return cls(origin, status, allow_all=True)
        text = (body or b"")[:ROBOTS_MAX_BYTES].decode("utf-8", errors="replace")
        from urllib.robotparser import RobotFileParser

        parser = RobotFileParser()
        parser.parse(text.splitlines())
        parser.modified()  # can_fetch() refuses everything until a fetch time is set
        delay = parser.crawl_delay(agent)
        if delay is None:
            delay = _fractional_crawl_delay(text, agent)
        rate = parser.request_rate(agent)
        if rate is not None and rate.requests:
            delay = max(float(delay or 0), rate.seconds / rate.requests)
        return cls(origin, status, parser=parser, sitemaps=list(parser.site_maps() or []),
                   crawl_delay=float(delay) if delay is not None else None)

    def allowed(self, url: str, agent: str) -> bool:
        if self.disallow_all:
            return False
        if self.allow_all or self.parser is None:
            return True
        return self.parser.can_fetch(agent, url)
