"""Site adapters as data: one TOML file per site in ``pipeline/read/sites/``.

An adapter says where a site's articles are (start pages, feeds, sitemaps,
the shape of an article URL, how listing pages paginate) and how to read one
(CSS selectors for title, lead, body, date, author, and the chrome to drop
inside the body).  Adding a site is adding a file; see ``pipeline/read/sites/README.md``.

Any other site goes through the ``generic`` adapter: its pages are told
articles or listings by their content, and read by ``pipeline.read.page``.

Extra adapter directories can be given with ``$VNFACTS_SITES`` (paths joined
by ``os.pathsep``) or ``load_adapters(extra=...)``; a file there replaces a
bundled adapter of the same name.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Iterable
from functools import cached_property
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit

from courlan import is_navigation_page, is_not_crawlable
from pydantic import BaseModel, ConfigDict, Field

from pipeline.urls import host

__all__ = [
    "Adapter",
    "Pagination",
    "Selectors",
    "adapters",
    "for_page",
    "for_url",
    "generic",
    "get",
    "load_adapters",
    "looks_like_article",
    "may_be_page",
    "reload",
]


class Selectors(BaseModel):
    """CSS selectors (soupsieve); the first one that matches wins.  "css@attr" reads an attribute."""

    model_config = ConfigDict(extra="forbid")

    title: list[str] = []
    lead: list[str] = []
    body: list[str] = []
    date: list[str] = []
    author: list[str] = []
    drop: list[str] = Field([], description="elements inside the body that are not the article")


class Pagination(BaseModel):
    model_config = ConfigDict(extra="forbid")

    next: list[str] = Field(
        ['a[rel~="next"]', 'link[rel~="next"]', ".pagination a.next", "a.next", "li.next a", "a.next-page"],
        description="CSS selectors of the link to the next listing page",
    )
    next_texts: list[str] = Field(["trang sau", "trang tiếp", "tiếp", "sau", "›", "»", "next", ">", ">>"],
                                  description="link texts that mean 'next page'")
    pattern: str = Field(r"[?&](?:page|p|trang|pageindex|paged)=\d+|/(?:page|trang|p)[-/]?\d+(?:\.html?)?/?$",
                         description="regex: a link of the same listing matching it is another page of it")
    max_pages: int = Field(20, ge=1, description="pages of one listing followed at most")


class Adapter(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    label: str = ""
    hosts: list[str] = Field([], description="host names, without www.; empty for the generic adapter")
    start: list[str] = Field([], description="listing pages to crawl: paths (resolved on the crawled origin) or URLs")
    feeds: list[str] = []
    sitemaps: list[str] = []
    article: list[str] = Field([], description="regexes searched in path?query: a match is an article URL")
    exclude: list[str] = Field([], description="regexes: links never followed")
    pagination: Pagination = Pagination()
    selectors: Selectors = Selectors()
    source: str | None = None  # the file it came from

    @property
    def is_generic(self) -> bool:
        return not self.hosts

    @cached_property
    def _article_res(self) -> list[re.Pattern[str]]:
        return [re.compile(p, re.IGNORECASE) for p in self.article]

    @cached_property
    def _exclude_res(self) -> list[re.Pattern[str]]:
        return [re.compile(p, re.IGNORECASE) for p in self.exclude]

    def matches_host(self, name: str) -> bool:
        name = name.lower().removeprefix("www.")
        return any(name == h or name.endswith("." + h) for h in self.hosts)

    def excluded(self, url: str) -> bool:
        target = _path_query(url)
        return any(r.search(target) for r in self._exclude_res)

    def is_article(self, url: str) -> bool:
        """Is ``url`` one of this site's article pages, by the adapter's URL rules?

        A site without rules (the generic adapter) has no article URL shape: its
        pages are told apart by their content (``pipeline.fetch.discover.classify``).
        """
        if self.excluded(url) or not self._article_res:
            return False
        target = _path_query(url)
        return any(r.search(target) for r in self._article_res)

    def may_be_page(self, url: str) -> bool:
        """Is ``url`` worth fetching to see what it is (an article, or a listing leading to some)?"""
        return not self.excluded(url) and may_be_page(url)


def _path_query(url: str) -> str:
    p = urlsplit(url)
    return p.path + ("?" + p.query if p.query else "")


# pages that are never articles nor lead to any a crawler wants
_NOT_A_PAGE_PATH = re.compile(
    r"/(?:tag|tags|tu-khoa|tim-kiem|search|timkiem|lien-he|contact|lienhe|login|dang-nhap|dang-ky|register|"
    r"author|tac-gia|wp-admin|wp-login\.php|wp-json|xmlrpc\.php|cart|gio-hang|print|in-bai|share|comment|"
    r"binh-luan|english|en)(?:/|$|\.)",
    re.IGNORECASE,
)

_NOT_ARTICLE_PATH = re.compile(
    r"/(?:tag|tags|tim-kiem|search|category|categories|chuyen-muc|chuyen-de|author|tac-gia|lien-he|contact|"
    r"login|dang-nhap|dang-ky|rss|feed|video|videos|media|anh|photo|gallery|page|trang)(?:/|$)",
    re.IGNORECASE,
)
_FILE = re.compile(r"\.(?:pdf|jpe?g|png|gif|webp|svg|docx?|xlsx?|pptx?|zip|rar|7z|mp[34]|avi|mov|xml|rss|json|css|js)$",
                   re.IGNORECASE)


def may_be_page(url: str) -> bool:
    """A link of a site never seen that may be an article or a listing: not a
    file (PDF, image, archive), not a tag, search, contact or login page."""
    p = urlsplit(url)
    if _FILE.search(p.path) or _NOT_A_PAGE_PATH.search(p.path):
        return False
    try:
        return not is_not_crawlable(url)
    except (ValueError, AttributeError):
        return False


def looks_like_article(url: str) -> bool:
    """A hint, never a verdict: a long slug or a long numeric id, as news CMSs
    name article pages after their headline ("chu-trong-xay-dung-phong-trao-
    toan-dan-bao-ve-antq-906317.html").  The crawler reads such pages first;
    what a page is, its content says.  courlan knows the usual navigation patterns.
    """
    p = urlsplit(url)
    if _FILE.search(p.path) or _NOT_ARTICLE_PATH.search(p.path):
        return False
    try:
        if is_not_crawlable(url) or is_navigation_page(url):
            return False
    except (ValueError, AttributeError):
        return False
    last = next((s for s in reversed(p.path.split("/")) if s), "")
    stem = re.sub(r"\.\w{2,5}$", "", last)
    return stem.count("-") >= 3 or bool(re.search(r"\d{5,}", p.path + p.query))


# --- loading ------------------------------------------------------------------

_cache: dict[str, Adapter] | None = None


def _bundled_files() -> list[tuple[str, str]]:
    folder = resources.files("pipeline.read").joinpath("sites")
    return sorted((entry.name, entry.read_text("utf-8")) for entry in folder.iterdir()
                  if entry.name.endswith(".toml"))


def load_adapters(extra: Iterable[Path | str] = ()) -> dict[str, Adapter]:
    """Bundled adapters, then those in ``$VNFACTS_SITES`` and ``extra`` (later ones replace earlier)."""
    found: dict[str, Adapter] = {}
    for name, text in _bundled_files():
        adapter = Adapter.model_validate({**tomllib.loads(text), "source": f"pipeline/read/sites/{name}"})
        found[adapter.name] = adapter
    dirs = [d for d in os.environ.get("VNFACTS_SITES", "").split(os.pathsep) if d] + [str(d) for d in extra]
    for directory in dirs:
        for path in sorted(Path(directory).glob("*.toml")):
            adapter = Adapter.model_validate({**tomllib.loads(path.read_text("utf-8")), "source": str(path)})
            found[adapter.name] = adapter
    if "generic" not in found:
        found["generic"] = Adapter(name="generic", label="any other site")
    return found


def adapters() -> dict[str, Adapter]:
    global _cache
    if _cache is None:
        _cache = load_adapters()
    return _cache


def reload(extra: Iterable[Path | str] = ()) -> dict[str, Adapter]:
    global _cache
    _cache = load_adapters(extra)
    return _cache


def get(name: str) -> Adapter:
    try:
        return adapters()[name]
    except KeyError:
        known = ", ".join(sorted(adapters()))
        raise KeyError(f"no site adapter named {name!r} (known: {known})") from None


def generic() -> Adapter:
    return adapters()["generic"]


def for_url(url: str | None) -> Adapter | None:
    """The adapter of ``url``'s host, or None for a site without one."""
    if not url:
        return None
    name = host(url)
    return next((a for a in adapters().values() if not a.is_generic and a.matches_host(name)), None)


def for_page(urls: Iterable[str]) -> Adapter | None:
    """The adapter of the first of a page's identity URLs (canonical, og:url, fetched) that has one."""
    for url in urls:
        found = for_url(url)
        if found is not None:
            return found
    return None
