"""Reading an HTML page: its identity, its links, and the text of chosen elements.

Shared by the cleaner (article text through a site adapter's selectors) and
the crawler (canonical URL, links, advertised feeds), so both read a page the
same way.  BeautifulSoup with the lxml parser: forgiving with the broken markup
of old CMSs, CSS selectors through soupsieve.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
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
    "Block",
    "block_lines",
    "blocks",
    "canonical_url",
    "feed_links",
    "find_date",
    "identity_urls",
    "jsonld",
    "jsonld_types",
    "links",
    "meta_published",
    "names",
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


@dataclass(frozen=True)
class Block:
    """One line of an element's text: a paragraph, heading, caption, list item or cell.

    ``owner`` is the block element the text belongs to; ``link_chars`` how much
    of the text is the text of links (a line that is all link is a teaser).
    """

    text: str
    owner: Tag
    kind: str  # text | heading | caption | item | cell
    link_chars: int = 0

    @property
    def linky(self) -> bool:
        return self.link_chars >= 0.6 * len(self.text)


_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}


def blocks(element: Tag, skip: Callable[[Tag], bool] | None = None,
           caption: Callable[[Tag], bool] | None = None) -> list[Block]:
    """The element's text as ``Block`` lines, in document order.

    ``skip(tag)`` leaves a subtree out; ``caption(tag)`` marks one as an image
    caption (its lines are captions).  Image alt texts and URLs never reach the
    text: only text nodes are read.  Iterative, so a deeply nested page costs
    no recursion and time linear in its size.
    """
    out: list[Block] = []
    buf: list[str] = []
    link = [0]

    def flush(owner: Tag, kind: str) -> None:
        text = " ".join("".join(buf).split())
        if text:
            out.append(Block(text, owner, kind, min(link[0], len(text))))
        buf.clear()
        link[0] = 0

    # a frame: (tag, its children, kind of its text, inside a link, the block it belongs to, is it a block)
    frames: list[tuple[Tag, Iterator, str, bool, Tag, bool]] = [(element, iter(element.children), "text", False,
                                                                 element, True)]
    while frames:
        tag, children, kind, in_link, owner, is_block = frames[-1]
        child = next(children, None)
        if child is None:
            frames.pop()
            if is_block:
                flush(tag, kind)
            continue
        if isinstance(child, (Comment, Doctype, ProcessingInstruction)):
            continue
        if isinstance(child, NavigableString):
            piece = str(child)
            buf.append(piece)
            if in_link:
                link[0] += len(" ".join(piece.split())) + 1
            continue
        if not isinstance(child, Tag) or child.name in _SKIP or (skip is not None and skip(child)):
            continue
        if child.name == "br":
            flush(owner, kind)
            continue
        child_kind = kind
        block = child.name in _BLOCK
        if kind != "caption":
            if caption is not None and caption(child):
                child_kind, block = "caption", True
            elif child.name in _HEADINGS:
                child_kind = "heading"
            elif child.name == "li" and kind == "text":
                child_kind = "item"
            elif child.name in ("td", "th") and kind == "text":
                child_kind = "cell"
        if block:
            flush(owner, kind)
        frames.append((child, iter(child.children), child_kind, in_link or child.name == "a",
                       child if block else owner, block))
    flush(element, "text")
    return out


def block_lines(element: Tag) -> list[str]:
    """The element's text as lines: one per block (paragraph, heading, caption, list item)."""
    return [b.text for b in blocks(element)]


_NAME_ATTRS = ("id", "data-slot", "data-role", "itemprop", "type")


def names(tag: Tag) -> list[str]:
    """What a page calls an element: its class tokens, id, data-slot, data-role, itemprop and type, lower case."""
    found = [c.lower() for c in tag.get("class") or [] if isinstance(c, str)]
    for attr in _NAME_ATTRS:
        value = tag.get(attr)
        if isinstance(value, str) and value.strip():
            found.append(value.strip().lower())
    return found


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


_TRAILING_COMMA = re.compile(r",(\s*[}\]])")


def _loads_lenient(text: str):
    """JSON as CMSs write it into pages: raw newlines inside strings, a trailing comma."""
    for attempt in (text, _TRAILING_COMMA.sub(r"\1", text)):
        try:
            return json.loads(attempt, strict=False)
        except (json.JSONDecodeError, TypeError, RecursionError, ValueError):
            continue
    return None


def jsonld(soup: BeautifulSoup) -> list[dict]:
    """The JSON-LD objects of a page (those of an ``@graph`` included)."""
    out: list[dict] = []
    for script in soup.find_all("script", type="application/ld+json"):
        data = _loads_lenient(script.string or "")
        if data is None:
            continue
        for item in data if isinstance(data, list) else [data]:
            if isinstance(item, dict):
                graph = item.get("@graph")
                out += [g for g in graph if isinstance(g, dict)] if isinstance(graph, list) else [item]
    return out


def jsonld_types(soup: BeautifulSoup) -> set[str]:
    """The ``@type`` s of a page's JSON-LD objects, lower case ("newsarticle", "breadcrumblist" …)."""
    found: set[str] = set()
    for item in jsonld(soup):
        kind = item.get("@type")
        for name in kind if isinstance(kind, list) else [kind]:
            if isinstance(name, str):
                found.add(name.lower())
    return found


def meta_published(soup: BeautifulSoup) -> date | None:
    """Publication date from the page's metadata (never from visible header text)."""
    for name, attrs, attr in _META_DATES:
        found = find_date(_attr(soup.find(name, attrs=attrs), attr))
        if found:
            return found
    for item in jsonld(soup):
        found = find_date(str(item.get("datePublished") or ""))
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
