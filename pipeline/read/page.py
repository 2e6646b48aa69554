"""HTML pages: the article of a page — headline, lead, body, captions — and nothing else.

A page is read in four steps:

1. **Where the article is.**  A site adapter's selectors (``pipeline/read/sites/*.toml``)
   say it for the sites they know.  For any other page, trafilatura's reading
   marks which lines of the page are article text, and the article is the
   element that holds most of them and least of the rest (scored over the
   page's tree); trafilatura's own text is the last resort.
2. **What is in it that is not the article.**  Related-news and "same section"
   teasers, share bars, tags, ads (CMS names in ``data/cms.toml``), blocks under
   a "Tin liên quan" / "Xem thêm" heading (``data/chrome.toml``'s section
   ends), paragraphs that are all one link — dropped wherever they sit, also
   inside the body.  Info boxes and boxed sub-sections stay.
3. **The lead.**  The page's sapo block (CMS names again), else its
   og:description / meta description when that reads as this article's lead.
4. **The text.**  Only text nodes: no image markdown, no URLs.  Captions are
   kept and marked (``CleanArticle.captions``); the lines then go through
   ``pipeline.read.clean.clean_text``'s chrome rules.

A page is read on its own: nothing depends on pages read before it, so the
stored text can always be rebuilt from the stored raw bytes.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from importlib import resources
from urllib.parse import urlsplit

from bs4 import BeautifulSoup, NavigableString, Tag

from pipeline.errors import InputError
from pipeline.read import html as htmlpage
from pipeline.read.clean import CleanArticle, _rules, clean_text
from pipeline.read.dateline import parse_dateline
from pipeline.text import ascii_fold, nfc

__all__ = ["is_html", "clean_html", "page_title"]

_HTML_START = re.compile(r"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|meta|div|article)\b", re.I | re.S)


def is_html(text: str) -> bool:
    return bool(_HTML_START.match(text[:2000])) or text.count("</p>") + text.count("<br") >= 3


# --- CMS knowledge (data/cms.toml) ----------------------------------------------------------

@dataclass(frozen=True)
class _Cms:
    lead_selectors: tuple[str, ...]
    lead: re.Pattern[str]
    body: re.Pattern[str]
    drop: re.Pattern[str]
    keep: frozenset[str]
    caption: re.Pattern[str]
    slogan: re.Pattern[str]
    headline: re.Pattern[str]
    site: re.Pattern[str]
    site_kind: re.Pattern[str]


@lru_cache(maxsize=1)
def _cms() -> _Cms:
    raw = tomllib.loads(resources.files("pipeline.read").joinpath("data/cms.toml").read_text("utf-8"))

    def parts(words: list[str]) -> re.Pattern[str]:
        # a name matches when the word is one or more whole parts of it
        return re.compile(r"(?:^|[-_:])(?:" + "|".join(re.escape(w) for w in words) + r")(?:$|[-_])", re.I)

    return _Cms(
        lead_selectors=tuple(raw["lead"]["selectors"]),
        lead=parts(raw["lead"]["names"]),
        body=parts(raw["body"]["names"]),
        drop=parts(raw["drop"]["names"]),
        keep=frozenset(w.lower() for w in raw["drop"]["keep"]),
        caption=parts(raw["caption"]["names"]),
        slogan=re.compile("|".join(rf"\b{re.escape(w)}\b" for w in raw["lead"]["slogans"]), re.I),
        headline=parts(raw["headline"]["names"]),
        site=parts(raw["headline"]["site"]),
        site_kind=re.compile("(?:" + "|".join(rf"{re.escape(w)}\b" for w in raw["headline"]["site_kinds"]) + ")", re.I),
    )


def _named(tag: Tag, pattern: re.Pattern[str]) -> bool:
    return any(pattern.search(n) for n in htmlpage.names(tag))


def _is_caption(tag: Tag) -> bool:
    if tag.name == "figcaption":
        return True
    if tag.name in ("img", "picture", "a"):
        return False
    return _named(tag, _cms().caption) or _beside_lone_image(tag)


_IMAGES = ("img", "picture")
_CAPTION_TAGS = {"p", "div", "td", "span", "em", "i", "center", "font", "small"}
_CREDIT = re.compile(r"\(?\s*(?:ảnh|nguồn ảnh|ảnh minh họa|ảnh minh hoạ|photo)\s*[:.)]|ảnh minh h[oọ]a", re.I)
_MAX_CAPTION = 400


def _holds_image_only(tag) -> bool:
    """An <img>, or an element whose only content is a picture (the image line of a caption)."""
    if not isinstance(tag, Tag):
        return False
    if tag.name in _IMAGES:
        return True
    return tag.name in ("p", "div", "a", "span", "center", "figure") and tag.find(_IMAGES) is not None \
        and next(tag.stripped_strings, None) is None


def _beside_lone_image(tag: Tag) -> bool:
    """The text that goes with one picture, where the CMS names no caption: any text in a
    <figure> with an image, the other cells of a small table holding one image, or an
    italic / "Ảnh: …" line right after a line that is only an image.  The structure is
    checked before any text is measured: the cost stays linear in the page."""
    if tag.name not in _CAPTION_TAGS:
        return False
    figure = tag.parent if tag.parent is not None and tag.parent.name == "figure" else None
    if figure is not None and figure.find(_IMAGES) is not None and tag.find(_IMAGES) is None:
        return len(tag.get_text(" ", strip=True)) <= _MAX_CAPTION
    if tag.name == "td":
        table = tag.find_parent("table")
        if table is not None and len(table.find_all("tr", limit=5)) <= 4 and tag.find(_IMAGES) is None \
                and len(table.find_all(_IMAGES, limit=2)) == 1:
            return 0 < len(table.get_text(" ", strip=True)) <= _MAX_CAPTION + 100
    previous = tag.previous_sibling
    while previous is not None and (isinstance(previous, NavigableString) and not previous.strip()
                                    or isinstance(previous, Tag) and previous.name == "br"):
        previous = previous.previous_sibling
    if not _holds_image_only(previous):
        return False
    text = tag.get_text(" ", strip=True)
    if not text or len(text) > _MAX_CAPTION or tag.find(_IMAGES) is not None:
        return False
    italic = tag.name in ("em", "i") or any(len(e.get_text(" ", strip=True)) >= 0.8 * len(text)
                                            for e in tag.find_all(("em", "i"), limit=3))
    return italic or bool(_CREDIT.search(text))


# --- entry point ----------------------------------------------------------------------------

def clean_html(html: str, url: str | None = None) -> CleanArticle:
    """Article text of an HTML page (see the module docstring).

    The site adapter is found by the page's rel=canonical / og:url first and
    by ``url`` after: a saved page read by ``vnfacts extract`` and the same
    page fetched by the crawler are read alike.
    """
    from pipeline.read import adapters as sites

    soup = htmlpage.parse(html)
    canonical = htmlpage.canonical_url(soup, url)
    adapter = sites.for_page(htmlpage.identity_urls(soup, url))
    article = None
    if adapter is not None and adapter.selectors.body:
        article = _read_with_adapter(soup, adapter)
    if article is None:
        article = _read_any(soup, html, url)
    return article.model_copy(update={"canonical": canonical})


# --- reading -------------------------------------------------------------------------------

class _Reading:
    """One page being read: its tree, where the article text is, and what counts as chrome."""

    def __init__(self, soup: BeautifulSoup, content: set[int] | None = None):
        self.soup = soup
        self.content = content or set()  # ids of the elements whose text is article text
        self.weight: dict[int, int] = {}  # element id -> article characters inside it

    def share(self, tag: Tag) -> int:
        return self.weight.get(id(tag), 0)

    def skip(self, container: Tag, extra: list[str] = ()) -> callable:
        cms = _cms()
        total = max(1, self.share(container))
        extra_ids = set()
        for selector in extra:
            try:
                extra_ids.update(id(el) for el in container.select(selector))
            except Exception:  # a bad selector in a site file must not lose the article  # noqa: BLE001
                continue

        def skip(tag: Tag) -> bool:
            if id(tag) in extra_ids:
                return True
            found = htmlpage.names(tag)
            if not found or any(n in cms.keep for n in found):
                return False
            if not any(cms.drop.search(n) for n in found):
                return False
            # a CMS name is a hint, not a verdict: an element holding a good part of
            # the article is the article, whatever it is called
            return self.share(tag) < 0.3 * total

        return skip


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFC", text)).lower()


def _mark_content(soup: BeautifulSoup, root: Tag, reference: str) -> _Reading:
    """Which lines of the page are in ``reference`` (trafilatura's text), and per element
    how many article characters it holds minus a share of the rest (its score)."""
    reading = _Reading(soup)
    squeezed = _squeeze(reference)
    lines = {_squeeze(line) for line in reference.splitlines()}
    # a line trafilatura printed otherwise (split, joined) is looked for in its whole text,
    # within a budget: the cost stays linear on a page of a hundred thousand lines
    searches = 20_000_000 // max(1, len(squeezed))
    for block in htmlpage.blocks(root):
        size = len(block.text)
        if size < 15:
            continue  # "Ảnh", a date, a button: neither for nor against
        found = False
        if not block.linky:
            probe = _squeeze(block.text)
            found = probe in lines
            if not found and searches > 0:
                searches -= 1
                found = probe in squeezed
        if found:
            reading.content.add(id(block.owner))
            gain = size
        else:
            gain = -size // 3
        node, depth = block.owner, 0
        while node is not None and depth < 100:
            reading.weight[id(node)] = reading.weight.get(id(node), 0) + gain
            node, depth = node.parent, depth + 1
    return reading


def _best_container(soup: BeautifulSoup, reading: _Reading) -> Tag | None:
    best, score = None, 1
    for tag in soup.find_all(True):  # document order: a tie goes to the inner element
        value = reading.weight.get(id(tag), 0)
        if value >= score:
            best, score = tag, value
    return best


def _read_any(soup: BeautifulSoup, html: str, url: str | None) -> CleanArticle:
    """A page no adapter knows."""
    import trafilatura

    root = soup.body or soup
    # fast: without trafilatura's justext/readability fallback, whose neighbour search is
    # quadratic in a page of thousands of sibling blocks; the CMS names stand in for it
    reference = trafilatura.extract(html, url=url, include_comments=False, include_tables=True,
                                    include_images=False, include_links=False, deduplicate=False, fast=True) or ""
    reading = _mark_content(soup, root, reference)
    container = _best_container(soup, reading)
    title = page_title(soup)
    if container is None or reading.share(container) < 200:
        named = [t for t in root.find_all(True) if _named(t, _cms().body)]
        container = max(named, key=lambda t: len(t.get_text()), default=None)
    if container is None:
        if not reference.strip():
            raise InputError("no article text found in the HTML page")
        return _assemble(title, [], [htmlpage.Block(line, root, "text") for line in reference.splitlines()],
                         published=_published(soup, html, url), author=None)
    if is_site_title(soup, title):
        title = shown_headline(soup, container, url) or title
    lead = _lead(soup, container, title, reading)
    sites = site_strings(soup)
    # a container that reaches the page's banner holds the site's name: no line of the article
    body = [b for b in _body_blocks(container, reading) if len(b.text) > 120 or _squeeze(b.text) not in sites]
    headline = _headline_element(soup, title, container)
    return _assemble(title, lead, body, published=_published(soup, html, url, headline, container),
                     author=_author(soup))


def _headline_element(soup: BeautifulSoup, title: str | None, container: Tag | None = None) -> Tag | None:
    """The element showing ``title`` when it is no heading (a portal's <div class="title-news">):
    the first text outside links, scripts and the <title> that is the headline."""
    if not title:
        return None
    probe = _squeeze(title)
    for name in ("h1", "h2", "h3"):  # a heading first, the nearest to the body
        shown = [h for h in soup.find_all(name) if _squeeze(h.get_text(" ")) == probe]
        if shown:
            return shown[-1] if container is None else _nearest_before(shown, container)
    found = []
    for piece in soup.find_all(string=True):
        if len(piece) >= len(title) // 2 and _squeeze(piece) == probe:
            owner = piece.parent
            if owner.name not in ("title", "script", "style", "a") and owner.find_parent("a") is None:
                found.append(owner)
    if not found:
        return None
    return found[0] if container is None else _nearest_before(found, container)


def _nearest_before(tags: list[Tag], container: Tag) -> Tag:
    """Of elements showing the headline, the last one before the article's body (a sticky
    top bar repeats the headline above the real one), or inside it at its top."""
    inside = [t for t in tags if _inside(t, container)]
    if inside:
        return inside[0]
    first = next(container.descendants, None)
    before = [t for t in tags if first is None or _precedes(t, container)]
    return before[-1] if before else tags[0]


def _precedes(tag: Tag, container: Tag) -> bool:
    return any(node is container for node in tag.find_all_next(True, limit=5000))


def _read_with_adapter(soup: BeautifulSoup, adapter) -> CleanArticle | None:
    sel = adapter.selectors
    body = htmlpage.select_first(soup, sel.body)
    if body is None:
        return None
    # read title, lead, date and author before anything is dropped
    title = htmlpage.select_value(soup, sel.title) or page_title(soup)
    lead_el = htmlpage.select_first(soup, sel.lead) if sel.lead else None
    # a lead inside the body is read with the body; one around it would repeat it
    separate = lead_el is not None and not _inside(lead_el, body) and not _inside(body, lead_el)
    reading = _Reading(soup)
    lead = htmlpage.blocks(lead_el, caption=_is_caption) if separate else []
    date_value = htmlpage.select_value(soup, sel.date) if sel.date else None
    author = htmlpage.select_value(soup, sel.author) if sel.author else None
    lines = _body_blocks(body, reading, sel.drop)
    if not lines:
        return None
    published = (parse_dateline(date_value) if date_value else None) or htmlpage.find_date(date_value)
    try:
        article = _assemble(title, lead, lines, published=published, author=author, meta=soup)
    except InputError:
        return None
    return article.model_copy(update={"adapter": adapter.name})


def _inside(element, container) -> bool:
    return any(parent is container for parent in element.parents)


# --- the parts --------------------------------------------------------------------------------

_SUFFIX_SEPARATORS = re.compile(r"\s+(?:[-|–—:»]|::)\s+|\s*\|\s*")


def page_title(soup: BeautifulSoup) -> str | None:
    """The headline: the page's <h1> that matches its og:title / <title>, else those
    without the site's name ("… - Báo VnExpress Sức khỏe", "… | Báo Dân trí")."""
    meta = soup.find("meta", attrs={"property": "og:title"})
    og = " ".join((meta.get("content") or "").split()) if meta else ""
    doc_title = " ".join(soup.title.get_text().split()) if soup.title else ""
    site = soup.find("meta", attrs={"property": "og:site_name"})
    site_name = " ".join((site.get("content") or "").split()) if site else ""
    sites = _site_names(soup, (og, doc_title), site_name)
    h1s = [" ".join(h.get_text(" ").split()) for h in soup.find_all("h1")]
    # an old portal's logo is an <h1> too: the site's name is no headline
    h1s = [h for h in h1s if len(h.split()) >= 3 and _squeeze(h) not in sites]
    refs = [_squeeze(t) for t in (og, doc_title) if t]
    for h in h1s:
        if any(_squeeze(h) in r or r in _squeeze(h) for r in refs):
            return h
    for candidate in (og, doc_title):
        if candidate:
            shown = _shown_prefix(soup, candidate)
            return shown or _strip_site(candidate, site_name)
    return h1s[0] if h1s else None


def _site_names(soup: BeautifulSoup, titles: tuple[str, ...], site_name: str) -> set[str]:
    """Squeezed names of the site: og:site_name, and the pieces of a "headline - site" title
    other than its longest one (the site may come first or last)."""
    found = {_squeeze(site_name)} if site_name else set()
    for title in titles:
        pieces = [p for p in _SUFFIX_SEPARATORS.split(title) if p.strip()]
        if len(pieces) > 1:
            longest = max(pieces, key=lambda p: len(p.split()))
            found |= {_squeeze(p) for p in pieces if p is not longest}
    return found


def site_strings(soup: BeautifulSoup) -> set[str]:
    """Squeezed texts that name the site: og:site_name, the site's piece of the
    <title> / og:title, the text of the page's logo or banner (an element named like
    one in ``data/cms.toml``)."""
    site = soup.find("meta", attrs={"property": "og:site_name"})
    meta = soup.find("meta", attrs={"property": "og:title"})
    titles = (" ".join((meta.get("content") or "").split()) if meta else "",
              " ".join(soup.title.get_text().split()) if soup.title else "")
    found = _site_names(soup, titles, " ".join((site.get("content") or "").split()) if site else "")
    for tag in soup.find_all(True, limit=400):  # the logo sits at the top
        if _named(tag, _cms().site):
            text = _squeeze(tag.get_text(" "))
            if 0 < len(text) <= 120:
                found.add(text)
    found.discard("")
    return found


def is_site_title(soup: BeautifulSoup, title: str | None, sites: set[str] | None = None) -> bool:
    """A "title" that names the site, not the article (``site_strings``), or reads like
    a site's slogan ("Cổng thông tin điện tử tỉnh …", words in ``data/cms.toml``)."""
    if not title:
        return True
    if _cms().slogan.search(title) and len(title.split()) <= 12:
        return True
    return _squeeze(title) in (site_strings(soup) if sites is None else sites)


def shown_headline(soup: BeautifulSoup, container: Tag, url: str | None = None) -> str | None:
    """The headline the page shows above (or at the top of) its article text, when
    neither an <h1> nor the <title> gives it: JSON-LD's headline found on the page,
    else the nearest element before the first body line named as a title
    ("title-news", "tieu-de", itemprop=headline …, ``data/cms.toml``)."""
    text = _squeeze(container.get_text(" "))
    for item in htmlpage.jsonld(soup):
        value = item.get("headline")
        if isinstance(value, str) and len(value.split()) >= 3:
            shown = " ".join(value.split())
            if _squeeze(shown) in text or _squeeze(shown) in _squeeze(soup.get_text(" ")):
                return shown
    first = next((b.owner for b in htmlpage.blocks(container) if len(b.text.split()) >= 8
                  and b.kind != "heading" and not _named(b.owner, _cms().headline)), None)
    # the words of the URL's slug are the headline's, without their marks
    slug = set(re.findall(r"[a-z0-9]+", ascii_fold(urlsplit(url).path.rsplit("/", 1)[-1].lower()))) if url else set()
    sites = site_strings(soup)
    found: list[str] = []
    plain: list[str] = []  # unnamed short lines: the headline only when the slug says so
    for tag in soup.find_all(True):
        if tag is first:
            break
        if tag.name in ("a", "title", "meta", "script", "style") or tag.find_parent("a") is not None:
            continue
        named = tag.name in ("h1", "h2", "h3") or _named(tag, _cms().headline)
        if not named and (len(slug) < 4 or tag.name not in ("div", "span", "p", "strong", "b", "td", "h4")
                          or tag.find(_LEAF_BLOCKS) is not None):
            continue
        value = " ".join(tag.get_text(" ").split())
        if 3 <= len(value.split()) <= 40 and not is_site_title(soup, value, sites) and not _leadish(value):
            (found if named else plain).append(value)
    if len(slug) >= 4:
        def overlap(value: str) -> float:
            words = set(re.findall(r"[a-z0-9]+", ascii_fold(value.lower())))
            return len(words & slug) / max(1, len(words))
        best = max([*found, *plain], key=overlap, default=None)
        if best is not None and overlap(best) >= 0.6:
            return best
    return found[-1] if found else None  # the last one before the body is the nearest


_DATELINE_MARK = re.compile(r"^\(?[^()]{1,30}\)\s*[-–—:]|^[A-ZĐ]{2,10}\s*[-–—]\s")


def _leadish(value: str) -> bool:
    """A line that reads as a lead, not a headline: it opens on the paper's mark ("(Dân
    trí) -", "ANTĐ -") or is a long sentence ending in a full stop."""
    return bool(_DATELINE_MARK.match(value)) or (value.endswith(".") and len(value.split()) > 20)


def _shown_prefix(soup: BeautifulSoup, title: str) -> str | None:
    """The part of ``title`` before a separator that the page shows as a line of its own
    (an old portal's headline in a <div class="title">): that is the headline, the rest the site."""
    cuts = [m.start() for m in _SUFFIX_SEPARATORS.finditer(title)]
    prefixes = {_squeeze(title[:c]): title[:c].strip() for c in cuts if len(title[:c].split()) >= 3}
    if not prefixes:
        return None
    longest = max(len(p) for p in prefixes)
    for tag in soup.find_all(["h1", "h2", "h3", "h4", "div", "p", "span", "td", "strong", "b"]):
        text = tag.get_text()
        if len(text) <= 2 * longest + 20:
            found = prefixes.get(_squeeze(text))
            if found:
                return found
    return None


def _strip_site(title: str, site_name: str) -> str:
    """``title`` without a trailing site name ("… - Báo VnExpress Sức khỏe", "… | Dân trí")."""
    if site_name and title.endswith(site_name) and len(title) > len(site_name) + 10:
        return re.sub(r"[\s\-|–—:»]+$", "", title[: -len(site_name)]).strip()
    pieces = _SUFFIX_SEPARATORS.split(title)
    if len(pieces) > 1:
        tail = pieces[-1]
        # a short last piece that names a site
        if (len(tail.split()) <= 6 and (re.search(r"(?:\bbáo\b|\btạp chí\b|online|news|\btv\b|\.vn\b|\.com\b)", tail, re.I)
                                        or (tail[:1].isupper() and len(tail.split()) <= 3 and len(pieces[0].split()) >= 5))) \
                or (len(tail.split()) <= 12 and len(pieces[0].split()) >= 4 and _cms().site_kind.match(tail)):
            return title[: title.rfind(tail)].rstrip(" -|–—:»").strip()
    return title


def _lead(soup: BeautifulSoup, container: Tag, title: str | None, reading: _Reading) -> list[htmlpage.Block]:
    """The lead, when it is not inside the article container already."""
    cms = _cms()
    order = {id(t): i for i, t in enumerate(soup.find_all(True))}
    h1 = next((h for h in soup.find_all("h1") if title and " ".join(h.get_text(" ").split()) == title), None)
    after = order.get(id(h1), -1)
    body_text = _squeeze(container.get_text(" "))

    def good(tag: Tag) -> bool:
        if tag.name in ("meta", "a", "img") or tag.find_parent("a") is not None or _is_caption(tag):
            return False
        text = " ".join(tag.get_text(" ").split())
        if len(text.split()) < 8 or len(text) > 1500:
            return False
        links = sum(len(a.get_text(" ").strip()) for a in tag.find_all("a"))
        if links > 0.5 * len(text):
            return False
        # a sapo of a related item sits inside a teaser box (a column that holds the article
        # too is layout, whatever it is called: VnExpress's main column is "sidebar-1")
        return not any(_named(p, cms.drop) and not _named(p, cms.body) for p in tag.parents
                       if p is not container and not _inside(container, p))

    candidates: list[Tag] = []
    for selector in cms.lead_selectors:
        try:
            candidates += soup.select(selector)
        except Exception:  # noqa: BLE001
            continue
    candidates += [t for t in soup.find_all(True) if _named(t, cms.lead)]
    seen: set[int] = set()
    ranked = []
    for tag in candidates:
        if id(tag) in seen or not good(tag):
            continue
        seen.add(id(tag))
        ranked.append(tag)
    # the first candidate after the headline; a lead selector's order breaks no tie here
    ranked.sort(key=lambda t: (order.get(id(t), 0) < after, order.get(id(t), 0)))
    if ranked:
        tag = ranked[0]
        if tag is container or _inside(tag, container):
            return []  # read with the body
        if _inside(container, tag):
            return []
        return htmlpage.blocks(tag, caption=_is_caption)
    description = _description(soup)
    body_words = set(_WORD.findall(container.get_text(" ").lower()))
    if description and _is_lead(description, body_text, body_words, title):
        return [htmlpage.Block(description, container, "text")]
    headline = h1 or _headline_element(soup, title)
    found = _between_headline_and_body(headline, container, lambda t: good(t) and _squeeze(t.get_text(" ")) != _squeeze(title or ""))
    if found is not None and _squeeze(found.get_text(" "))[:80] not in body_text:
        return htmlpage.blocks(found, caption=_is_caption)
    return []


_LEAF_BLOCKS = ("p", "div", "li", "ul", "ol", "table", "h1", "h2", "h3", "h4", "section", "article")


def _between_headline_and_body(headline: Tag | None, container: Tag, good: callable) -> Tag | None:
    """The lead of a page that names it nothing: a paragraph of prose (12 words or more)
    standing alone between the headline and the article's body."""
    if headline is None or _inside(headline, container) or headline is container:
        return None
    for tag in headline.find_all_next(True, limit=300):
        if tag is container or _inside(tag, container) or _inside(container, tag) and tag.find(_LEAF_BLOCKS) is None:
            return None
        if _inside(container, tag) or tag.name not in ("p", "h2", "h3", "div", "span", "strong", "b", "em"):
            continue
        if tag.find(_LEAF_BLOCKS) is not None:
            continue
        words = len(tag.get_text(" ").split())
        if 12 <= words <= 200 and good(tag):
            return tag
    return None


def _description(soup: BeautifulSoup) -> str | None:
    for attrs in ({"property": "og:description"}, {"name": "description"}, {"name": "twitter:description"}):
        meta = soup.find("meta", attrs=attrs)
        value = " ".join((meta.get("content") or "").split()) if meta else ""
        if value:
            return value
    return None


_WORD = re.compile(r"\w+")


def _is_lead(description: str, body_text: str, body_words: set[str], title: str | None) -> bool:
    """og:description is the lead when it is prose about this article that the body
    does not already begin with: not the first paragraph cut short, not the site's
    slogan ("Báo điện tử …, tin tức mới nhất 24h", words in ``data/cms.toml``)."""
    words = _WORD.findall(description.lower())
    if len(words) < 10 or _cms().slogan.search(description):
        return False
    probe = _squeeze(re.sub(r"(?:\.\.\.|…|\[…\])\s*$", "", description))
    if probe[:80] in body_text or (title and _squeeze(title) == probe):
        return False
    known = body_words | set(_WORD.findall((title or "").lower()))
    return sum(1 for w in words if w in known) >= 0.5 * len(words)


def _body_blocks(container: Tag, reading: _Reading, extra_drop: list[str] = ()) -> list[htmlpage.Block]:
    """The container's lines without the chrome inside it."""
    found = htmlpage.blocks(container, skip=reading.skip(container, list(extra_drop)), caption=_is_caption)
    section_end = _rules().section_end
    out: list[htmlpage.Block] = []
    in_teasers = False
    box: Tag | None = None
    for i, block in enumerate(found):
        if box is not None:
            if block.owner is box or _inside(block.owner, box):
                continue  # a teaser's headline or lead, inside the box its heading opens
            box = None
        if section_end.fullmatch(block.text):
            in_teasers = True  # "Tin liên quan" and the links under it
            box = _opened_box(found, i, container)
            continue
        if in_teasers:
            if block.linky or len(block.text.split()) < 4:
                continue
            in_teasers = False
        if block.linky and block.kind != "caption":
            continue  # a line that is all one link: a teaser of another article, a menu item
        out.append(block)
    # links after the last paragraph are the page's, not the article's
    while out and out[-1].linky:
        out.pop()
    return out


def _opened_box(found: list[htmlpage.Block], i: int, container: Tag) -> Tag | None:
    """The element a "Tin cùng chuyên mục" heading opens: its widest ancestor inside the
    container whose first line is that heading (blocks are in document order, so an
    ancestor starts with line i when line i - 1 is not inside it).  None when the heading
    stands bare among the article's paragraphs."""
    before = found[i - 1].owner if i > 0 else None
    box, node = None, found[i].owner
    for _ in range(30):
        parent = node.parent
        if parent is None or parent is container:
            break
        if before is not None and (before is parent or _inside(before, parent)):
            break
        box = node = parent
    # a box holding most of the article is the article's own wrapper, not a teaser box
    if box is not None and len(box.get_text()) > 0.6 * len(container.get_text()):
        return None
    return box


def _author(soup: BeautifulSoup) -> str | None:
    meta = soup.find("meta", attrs={"name": "author"}) or soup.find("meta", attrs={"property": "article:author"})
    value = " ".join((meta.get("content") or "").split()) if meta else ""
    return value if value and "://" not in value and len(value) <= 80 else None


def _published(soup: BeautifulSoup, html: str, url: str | None, headline: Tag | None = None,
               container: Tag | None = None) -> date | None:
    found = htmlpage.meta_published(soup) or _shown_date(headline, container)
    if found:
        return found
    from htmldate import find_date

    try:
        value = find_date(html, url=url, original_date=True, extensive_search=False, outputformat="%Y-%m-%d")
    except Exception:  # noqa: BLE001 - htmldate on broken markup: no date rather than no article
        value = None
    return date.fromisoformat(value) if value else None


_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"'“”]+", re.I)
_LABEL_ONLY = re.compile(r"[^\w]*(?:\w+\s*){0,3}[:：]?\s*[().,;-]*", re.U)


def _without_urls(line: str) -> str:
    """A line without the URLs written in it ("Nguồn: https://…", "www.….vn"): an address
    is markup for a reader's browser, and its digits would read as figures.  A line left
    with only its label ("Nguồn:") goes."""
    if "://" not in line and "www." not in line.lower():
        return line.strip()
    stripped = " ".join(_URL.sub(" ", line).split())
    stripped = re.sub(r"\s+([.,;:)])", r"\1", stripped).strip()
    if _LABEL_ONLY.fullmatch(stripped) and (stripped.endswith((":", "：")) or not stripped.strip("().,;:- ")):
        return ""
    return stripped


def _shown_date(headline: Tag | None, container: Tag | None) -> date | None:
    """The date a page shows with its headline, when its metadata gives none: the first
    short date line after the headline and before the body's first paragraph ("Thứ bảy,
    7/3/2026, 00:05 (GMT+7)", "Ngày đăng: 14/03/2024"), else one just above the headline
    in the same block (VnExpress puts it over the <h1>).  A site clock in the page's
    header is not in that block; dates inside links belong to other articles."""
    if headline is None:
        return None
    stop = None
    if container is not None:
        stop = next((b.owner for b in htmlpage.blocks(container) if len(b.text.split()) >= 12
                     and b.kind != "heading" and not _named(b.owner, _cms().headline)), None)

    def date_of(piece) -> date | None:
        text = " ".join(str(piece).split())
        if not text or len(text) > 80 or piece.find_parent("a") is not None:
            return None
        if piece.parent is not None and piece.parent.name in ("script", "style", "noscript", "title"):
            return None
        return parse_dateline(text) or htmlpage.find_date(text)

    for piece in headline.find_all_next(string=True, limit=150):
        owner = piece.parent
        if stop is not None and (owner is stop or _inside(owner, stop)):
            break
        found = date_of(piece)
        if found:
            return found
    block = headline.parent
    for piece in headline.find_all_previous(string=True, limit=12):
        if block is None or not _inside(piece, block):
            break
        found = date_of(piece)
        if found:
            return found
    return None


def _assemble(title: str | None, lead: list[htmlpage.Block], body: list[htmlpage.Block], *,
              published: date | None, author: str | None, meta: BeautifulSoup | None = None) -> CleanArticle:
    """Title, lead and body lines through the plain-text chrome rules; captions marked."""
    lines = [htmlpage.Block(text, b.owner, b.kind) for b in [*lead, *body] if (text := _without_urls(nfc(b.text)))]
    head = [nfc(title).strip()] if title else []
    article = clean_text("\n".join([*head, *(b.text for b in lines)]))
    # clean_text keeps a subsequence of its input lines, as they were: align the two
    kinds = ["title"] * len(head) + [b.kind for b in lines]
    texts = [*head, *(b.text for b in lines)]
    captions: list[tuple[int, int]] = []
    pos, i = 0, 0
    for line in article.text.split("\n"):
        while i < len(texts) and texts[i] != line:
            i += 1
        if i < len(texts) and kinds[i] == "caption":
            captions.append((pos, pos + len(line)))
        i += 1
        pos += len(line) + 1
    published = published or article.published or (htmlpage.meta_published(meta) if meta is not None else None)
    return article.model_copy(update={
        "published": published, "title": nfc(title).strip() if title else article.title,
        "source_format": "html", "author": author, "captions": captions,
    })
