"""Reading an HTML page: its identity, its links, and the text of chosen elements.

Shared by the cleaner (article text through a site adapter's selectors) and
the crawler (canonical URL, links, advertised feeds), so both read a page the
same way.  BeautifulSoup with the lxml parser: forgiving with the broken markup
of old CMSs, CSS selectors through soupsieve.
"""

from __future__ import annotations

import json
import re
from datetime import date
from urllib.parse import urlsplit

from bs4 import (
    BeautifulSoup,
    Comment,
    Doctype,
    NavigableString,
    ProcessingInstruction,
    Tag,
)

from pipeline.urls import absolute

__all__ = [
    "block_lines",
    "canonical_url",
    "feed_links",
    "find_date",
    "identity_urls",
    "links",
    "meta_published",
    "parse",
    "select_first",
    "select_value",
]

_BLOCK = {
    "p", "div", "section", "article", "main", "header", "footer", "aside", "nav", "h1", "h2", "h3", "h4", "h5",
    "h6", "li", "ul", "ol", "dl", "dt", "dd", "figure", "figcaption", "blockquote", "table", "thead", "tbody",
    "tr", "td", "th", "caption", "pre", "address", "center", "hr", "form",
}
_SKIP = {"script", "style", "noscript", "iframe", "template", "svg", "button", "select", "input", "textarea",
         "object", "embed", "video", "audio", "canvas", "map", "head", "title", "meta", "link"}


def parse(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "lxml")


def _attr(tag: Tag | None, name: str) -> str | None:
    if tag is None:
        return None
    value = tag.get(name)
    if isinstance(value, list):
        value = " ".join(value)
    return value.strip() if isinstance(value, str) and value.strip() else None


def canonical_url(soup: BeautifulSoup, base: str | None = None) -> str | None:
    """The page's own idea of its address: rel=canonical, else og:url.

    A canonical pointing at the site's home page is a CMS template bug (every
    page would be "the home page"), not an identity: it is ignored.
    """
    candidates = [
        _attr(soup.select_one('link[rel~="canonical"][href]'), "href"),
        _attr(soup.select_one('meta[property="og:url"][content]'), "content"),
    ]
    for href in candidates:
        if not href:
            continue
        url = absolute(href, base or href)
        if url and urlsplit(url).path.strip("/"):
            return url
    return None


def identity_urls(soup: BeautifulSoup, url: str | None) -> list[str]:
    """URLs that say which site a page belongs to: canonical and og:url (even a
    home page's), then where it was fetched."""
    out = []
    for element, attr in ((soup.select_one('link[rel~="canonical"][href]'), "href"),
                          (soup.select_one('meta[property="og:url"][content]'), "content")):
        found = absolute(_attr(element, attr) or "", url or "")
        if found:
            out.append(found)
    if url:
        out.append(url)
    return out


def select_first(soup: Tag, selectors: list[str]) -> Tag | None:
    """The first element matched by the first selector that matches anything."""
    for selector in selectors:
        css = selector.split("@", 1)[0].strip()
        try:
            found = soup.select_one(css)
        except Exception:  # a bad selector in a site file must not stop the crawl  # noqa: BLE001
            found = None
        if found is not None:
            return found
    return None


def select_value(soup: Tag, selectors: list[str]) -> str | None:
    """Text (or, for "css@attr", an attribute) of the first matching selector."""
    for selector in selectors:
        css, _, attr = selector.partition("@")
        try:
            found = soup.select_one(css.strip())
        except Exception:  # noqa: BLE001
            found = None
        if found is None:
            continue
        value = _attr(found, attr.strip()) if attr else " ".join(found.get_text(" ").split())
        if value:
            return value
    return None


def block_lines(element: Tag) -> list[str]:
    """The element's text as lines: one per block (paragraph, heading, caption, list item)."""
    lines: list[str] = []
    buf: list[str] = []

    def flush() -> None:
        text = " ".join("".join(buf).split())
        if text:
            lines.append(text)
        buf.clear()

    def walk(node: Tag) -> None:
        for child in node.children:
            if isinstance(child, (Comment, Doctype, ProcessingInstruction)):
                continue
            if isinstance(child, NavigableString):
                buf.append(str(child))
                continue
            if not isinstance(child, Tag) or child.name in _SKIP:
                continue
            if child.name == "br":
                flush()
            elif child.name in _BLOCK:
                flush()
                walk(child)
                flush()
            else:
                walk(child)

    walk(element)
    flush()
    return lines


_ISO = re.compile(r"((?:19|20)\d{2})-(\d{2})-(\d{2})")
_DMY = re.compile(r"(?<!\d)(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*((?:19|20)\d{2})(?!\d)")
_DMY_WORDS = re.compile(r"(?<!\d)(\d{1,2})\s+tháng\s+(\d{1,2})\s*,?\s+năm\s+((?:19|20)\d{2})", re.IGNORECASE)


def find_date(value: str | None) -> date | None:
    """The first date in a value: ISO (metadata), d/m/yyyy or "d tháng m năm yyyy" (datelines)."""
    if not value:
        return None
    for pattern, order in ((_ISO, "ymd"), (_DMY, "dmy"), (_DMY_WORDS, "dmy")):
        for m in pattern.finditer(value):
            a, b, c = (int(x) for x in m.groups())
            y, mo, d = (a, b, c) if order == "ymd" else (c, b, a)
            try:
                return date(y, mo, d)
            except ValueError:
                continue
    return None


_META_DATES = (
    ("meta", {"property": "article:published_time"}, "content"),
    ("meta", {"itemprop": "datePublished"}, "content"),
    ("meta", {"name": "pubdate"}, "content"),
    ("meta", {"name": "publishdate"}, "content"),
    ("meta", {"name": "dc.date.issued"}, "content"),
    ("meta", {"name": "DC.date.issued"}, "content"),
    ("time", {"itemprop": "datePublished"}, "datetime"),
)


def meta_published(soup: BeautifulSoup) -> date | None:
    """Publication date from the page's metadata (never from visible header text)."""
    for name, attrs, attr in _META_DATES:
        found = find_date(_attr(soup.find(name, attrs=attrs), attr))
        if found:
            return found
    for script in soup.find_all("script", type="application/ld+json"):
        try:
            data = json.loads(script.string or "")
        except (json.JSONDecodeError, TypeError):
            continue
        for item in data if isinstance(data, list) else [data]:
            if isinstance(item, dict):
                for graph in item.get("@graph", [item]):
                    if isinstance(graph, dict):
                        found = find_date(str(graph.get("datePublished") or ""))
                        if found:
                            return found
    return None


def links(soup: BeautifulSoup, base: str) -> list[tuple[str, str, Tag]]:
    """(absolute normalised URL, link text, the <a> element) of every HTTP link, in page order."""
    out = []
    base_href = _attr(soup.find("base"), "href")
    root = absolute(base_href, base) if base_href else base
    for a in soup.find_all("a", href=True):
        url = absolute(a["href"], root or base)
        if url:
            out.append((url, " ".join(a.get_text(" ").split()), a))
    return out


_FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/feed+json", "application/rdf+xml")


def feed_links(soup: BeautifulSoup, base: str) -> list[str]:
    """Feeds a page advertises with <link rel="alternate" type="application/rss+xml">."""
    out = []
    for link in soup.find_all("link", href=True):
        if (_attr(link, "type") or "").lower() in _FEED_TYPES:
            url = absolute(link["href"], base)
            if url:
                out.append(url)
    return out
