"""Finding article pages: feeds (feedparser), sitemaps, listing pages and their pagination,
and telling an article page from a listing by its content.

Each function reads one fetched document and returns ``Link`` s; the crawler
decides which of them to fetch (scope, robots.txt, --since, what it already
has).  Nothing here touches the network.

On a site with an adapter, its URL rules say which links are articles.  On a
site never seen, URL shapes decide nothing ("bai-001.html", "ChiTiet.aspx?id=7",
"…-N3134.aspx" are all articles somewhere): a link of the site is a "page",
fetched and then ``classify``-ed by what it holds.
"""

from __future__ import annotations

import gzip
import io
import re
from datetime import date
from typing import Literal
from urllib.parse import urlsplit

from lxml import etree
from pydantic import BaseModel

from pipeline.read import html as htmlpage
from pipeline.read.decode import looks_binary
from pipeline.read.adapters import Adapter
from pipeline.urls import absolute, normalize

__all__ = ["FEED_PATHS", "Kind", "Link", "SITEMAP_PATHS", "classify", "feed_links", "listing_key", "listing_links",
           "sitemap_links", "sniff"]

Kind = Literal["article", "listing", "feed", "sitemap", "page"]  # page: fetched to see which it is

# Where sites that name no sitemap in robots.txt and advertise no feed usually keep them.
SITEMAP_PATHS = ("/sitemap.xml", "/sitemap_index.xml", "/sitemap-news.xml")
FEED_PATHS = ("/rss.xml", "/feed/", "/rss/")


class Link(BaseModel):
    url: str
    kind: Kind
    lastmod: date | None = None  # from the feed entry or the sitemap, when it says
    via: str = ""  # how it was found: feed, sitemap, listing, pagination, start, robots


_XML_ROOT = re.compile(rb"<(?:[\w-]+:)?(rss|feed|rdf:RDF|urlset|sitemapindex)\b", re.IGNORECASE)


def sniff(content_type: str, body: bytes) -> Literal["feed", "sitemap", "html", "other"]:
    """What a fetched document is, by its root element first (servers mislabel XML a lot)."""
    head = body[:2048]
    if head[:2] == b"\x1f\x8b":
        return "sitemap"  # gzip: only sitemaps are served that way on purpose (sitemap.xml.gz)
    if head.startswith(b"%PDF") or looks_binary(head):
        return "other"
    stripped = head.lstrip()
    if stripped.startswith(b"<?xml") or content_type.endswith("xml"):
        m = _XML_ROOT.search(head)
        if m:
            root = m.group(1).lower()
            return "sitemap" if root in (b"urlset", b"sitemapindex") else "feed"
    if b"<html" in head.lower() or b"<!doctype html" in head.lower() or content_type in ("text/html", "application/xhtml+xml"):
        return "html"
    if content_type.startswith("text/"):
        return "html"
    return "other"


def _to_date(value) -> date | None:
    if not value:
        return None
    if isinstance(value, tuple):  # feedparser's time.struct_time
        try:
            return date(value[0], value[1], value[2])
        except (ValueError, IndexError):
            return None
    return htmlpage.find_date(str(value))


def feed_links(body: bytes, base: str) -> list[Link]:
    """Entries of an RSS/Atom feed."""
    import feedparser

    parsed = feedparser.parse(io.BytesIO(body), response_headers={"content-location": base})
    out: list[Link] = []
    for entry in parsed.entries:
        href = entry.get("link") or next((link.get("href") for link in entry.get("links", []) if link.get("href")), None)
        url = absolute(href, base) if href else None
        if not url:
            continue
        when = _to_date(entry.get("published_parsed") or entry.get("updated_parsed"))
        out.append(Link(url=url, kind="article", lastmod=when, via="feed"))
    return out


_MAX_SITEMAP = 50 * 1024 * 1024  # the sitemap protocol's limit, uncompressed


def sitemap_links(body: bytes, base: str, adapter: Adapter) -> list[Link]:
    """URLs of a sitemap (articles, by the adapter's rule) or of a sitemap index (more sitemaps)."""
    if body[:2] == b"\x1f\x8b":
        with gzip.GzipFile(fileobj=io.BytesIO(body)) as gz:
            body = gz.read(_MAX_SITEMAP)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=True, huge_tree=False)
    try:
        root = etree.fromstring(body, parser=parser)
    except etree.XMLSyntaxError:
        return []
    if root is None:
        return []
    out: list[Link] = []
    is_index = etree.QName(root).localname == "sitemapindex"
    for node in root:
        if not isinstance(node.tag, str):
            continue
        loc = lastmod = None
        news = False  # a Google News sitemap entry: an article by the site's own word
        for child in node.iter():
            if not isinstance(child.tag, str):
                continue
            name = etree.QName(child).localname
            if name == "loc" and loc is None:
                loc = (child.text or "").strip()
            elif name in ("lastmod", "publication_date") and child.text:
                lastmod = _to_date(child.text.strip()) or lastmod
            news = news or name == "news"
        url = absolute(loc, base) if loc else None
        if not url:
            continue
        if is_index:
            out.append(Link(url=url, kind="sitemap", lastmod=lastmod, via="sitemap"))
        elif adapter.is_article(url) or (news and not adapter.excluded(url)):
            out.append(Link(url=url, kind="article", lastmod=lastmod, via="sitemap"))
        elif adapter.is_generic and adapter.may_be_page(url):
            out.append(Link(url=url, kind="page", lastmod=lastmod, via="sitemap"))
    return out


def listing_key(url: str, adapter: Adapter) -> str:
    """The listing a page belongs to: its URL without the page-number part."""
    p = urlsplit(url)
    target = p.path + ("?" + p.query if p.query else "")
    stripped = re.sub(adapter.pagination.pattern, "", target, flags=re.IGNORECASE)
    return normalize(f"{p.scheme}://{p.netloc}{stripped}")


def listing_links(html: str, base: str, adapter: Adapter) -> list[Link]:
    """From a listing (section, category, home) page: article links, its next pages, advertised feeds."""
    soup = htmlpage.parse(html)
    out: list[Link] = []
    seen: set[str] = set()

    def add(url: str, kind: Kind, via: str) -> None:
        if url not in seen and url != normalize(base) and not adapter.excluded(url):
            seen.add(url)
            out.append(Link(url=url, kind=kind, via=via))

    for url in htmlpage.feed_links(soup, base):
        add(url, "feed", "listing")
    pages = _next_pages(soup, base, adapter)
    for url, text, _a in htmlpage.links(soup, base):
        if url in pages:
            continue
        if _FEED_LINK.search(urlsplit(url).path):
            add(url, "feed", "listing")  # a page listing the site's feeds
        elif adapter.is_article(url):
            add(url, "article", "listing")
        elif adapter.is_generic and adapter.may_be_page(url):
            add(url, "page", "listing")
    for url in pages:
        add(url, "listing", "pagination")
    return out


_FEED_LINK = re.compile(r"\.(?:rss|atom)$|/(?:rss|feed)s?/[^/]+\.xml$|/(?:rss|feed)\.xml$", re.IGNORECASE)


# --- what a page is -----------------------------------------------------------------

_ARTICLE_TYPES = {"article", "newsarticle", "reportagenewsarticle", "analysisnewsarticle", "blogposting",
                  "opinionnewsarticle", "backgroundnewsarticle", "report", "liveblogposting"}
_PROSE_WORDS = 20  # a paragraph of real article text has at least this many words …
_PROSE_RUN = 3  # … and an article at least this many of them side by side


def classify(soup) -> Literal["article", "listing"]:
    """An article page or a listing, by what the page says and holds.

    An article says so in its metadata (article:published_time, a JSON-LD
    NewsArticle / Article / BlogPosting …), or has a headline for a title and
    holds a run of prose paragraphs side by side.  og:type alone says little:
    many Vietnamese CMSs put "article" on their section pages too.  A listing's
    teasers are prose as well, but each sits in its own item under its own
    headline link, and its title is a section's name.
    """
    from pipeline.read.page import page_title

    if soup.find("meta", attrs={"property": "article:published_time"}) is not None:
        return "article"
    if _ARTICLE_TYPES & htmlpage.jsonld_types(soup):
        return "article"
    if not _has_headline(soup, page_title(soup) or ""):
        return "listing"
    og = soup.find("meta", attrs={"property": "og:type"})
    run = _prose_run(soup)
    said = og is not None and (og.get("content") or "").strip().lower() == "article"
    return "article" if run >= _PROSE_RUN or (said and run >= _PROSE_RUN - 1) else "listing"


_HEADLINE_WORDS = 6  # "Thời sự", "Tin tức - Sự kiện" name sections; a headline says more


def _has_headline(soup, title: str) -> bool:
    """Does the page show a headline: an <h1> of a sentence's length, or its title
    written out as a heading (old portals put the site's name in the <h1>)?"""
    headings = [" ".join(h.get_text(" ").split()) for h in soup.find_all(["h1", "h2", "h3", "h4"])]
    if any(len(h.split()) >= _HEADLINE_WORDS for h in headings[:1] + [h for h in headings if h == title]):
        return True
    if len(title.split()) < _HEADLINE_WORDS:
        return False
    squeezed = re.sub(r"\s+", "", title).lower()
    titled = soup.find_all(lambda t: t.name in ("h1", "h2", "h3", "h4", "strong", "b", "p", "span", "div", "td")
                           and len(t.get_text()) < 3 * len(title) + 20)
    return any(re.sub(r"\s+", "", t.get_text()).lower() == squeezed for t in titled)


def _prose_run(soup) -> int:
    """The longest run of prose paragraphs side by side in one element (a headline
    link between two paragraphs, as in a listing, breaks the run)."""
    best = 0
    parents = {id(p.parent): p.parent for p in soup.find_all(["p", "div"]) if p.parent is not None}
    for parent in parents.values():
        run = 0
        for child in parent.find_all(True, recursive=False):
            if child.name in ("p", "div") and not child.find(_BLOCKS):
                words = len(child.get_text(" ").split())
                links = sum(len(a.get_text(" ").split()) for a in child.find_all("a"))
                if words >= _PROSE_WORDS and links <= 0.3 * words:
                    run += 1
                    best = max(best, run)
                    continue
                if words and links >= 0.5 * words:
                    run = 0
            elif child.name == "a" or (child.name in _HEADLINES and child.find("a") is not None):
                run = 0
    return best


_BLOCKS = ["p", "div", "ul", "ol", "table", "section", "article"]
_HEADLINES = {"h1", "h2", "h3", "h4", "h5", "h6"}


def _next_pages(soup, base: str, adapter: Adapter) -> list[str]:
    """Further pages of this listing: its "next" link, and numbered links of the same listing."""
    found: list[str] = []
    for selector in adapter.pagination.next:
        try:
            elements = soup.select(selector)
        except Exception:  # noqa: BLE001 - a bad selector in a site file
            continue
        for element in elements:
            url = absolute(element.get("href") or "", base)
            if url and url not in found:
                found.append(url)
    key = listing_key(base, adapter)
    texts = {t.lower() for t in adapter.pagination.next_texts}
    pattern = re.compile(adapter.pagination.pattern, re.IGNORECASE)
    for url, text, a in htmlpage.links(soup, base):
        if url in found:
            continue
        same_listing = listing_key(url, adapter) == key
        title = (a.get("title") or "").strip().lower()
        if same_listing and (text.lower() in texts or title in texts or pattern.search(urlsplit(url).path + "?" + urlsplit(url).query)):
            found.append(url)
    return [u for u in found if u != normalize(base)]

