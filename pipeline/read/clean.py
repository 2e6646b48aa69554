"""Stage 1, clean: a page (plain text or HTML) in, the article's own text out.

Keeps headline, lead, body, captions and byline; drops page chrome by the
rules in ``data/chrome.toml`` (navigation, banners, the related-news block);
finds the publication date in the article's dateline or the page metadata,
never in the site-wide clock of the page header.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from importlib import resources

from pydantic import BaseModel

from pipeline.read.decode import Decoded, decode, vietnamese_share
from pipeline.errors import InputError
from pipeline.text import nfc

__all__ = ["CleanArticle", "clean", "clean_decoded", "clean_text", "clean_html", "parse_dateline", "is_html"]


class CleanArticle(BaseModel):
    """The article as the later stages see it; offsets of facts refer to ``text``."""

    text: str
    title: str | None = None
    published: date | None = None
    dateline: str | None = None
    encoding: str = "utf-8"
    source_format: str = "text"
    dropped_lines: int = 0
    # HTML pages only: what the page says about itself
    author: str | None = None
    canonical: str | None = None  # rel=canonical / og:url, normalised
    adapter: str | None = None  # the site adapter whose selectors read the page, if any


@dataclass(frozen=True)
class _Rules:
    section_end: re.Pattern[str]
    line: re.Pattern[str]
    menu_words: frozenset[str]
    clock_neighbour: re.Pattern[str]


@lru_cache(maxsize=1)
def _rules() -> _Rules:
    raw = tomllib.loads(resources.files("pipeline.read").joinpath("data/chrome.toml").read_text("utf-8"))

    def union(patterns: list[str]) -> re.Pattern[str]:
        return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)

    return _Rules(
        section_end=union(raw["section_end"]),
        line=union(raw["line"]),
        menu_words=frozenset(raw["menu_words"]),
        clock_neighbour=union(raw["clock_neighbours"]),
    )


# --- datelines -------------------------------------------------------------

_WEEKDAY = r"(?:(?:thứ\s+(?:hai|ba|tư|năm|sáu|bảy|2|3|4|5|6|7)|chủ\s+nhật|cn)\s*[,\-|]?\s*)"
_TIME = r"(?:\d{1,2}\s*[:h]\s*\d{2}(?::\d{2})?(?:\s*(?:am|pm|sa|ch))?)"
_TZ = r"(?:[\[(]?\s*(?:gmt|utc)\s*[+]\s*0?7(?::00)?\s*[\])]?)"
_PREFIX = r"(?:(?:cập nhật|ngày đăng|đăng ngày|đăng lúc|đăng|xuất bản|thời gian|published|updated|ngày)\s*:?\s*)"
_DMY = r"(?P<d>\d{1,2})\s*[/\-.]\s*(?P<m>\d{1,2})\s*[/\-.]\s*(?P<y>(?:19|20)\d{2})"
_DMY_WORDS = r"(?:ngày\s+)?(?P<d2>\d{1,2})\s+tháng\s+(?P<m2>\d{1,2})\s*,?\s+năm\s+(?P<y2>(?:19|20)\d{2})"
_YMD = r"(?P<y3>(?:19|20)\d{2})-(?P<m3>\d{2})-(?P<d3>\d{2})"
_SEP = r"(?:\s*[,|\-–]?\s*)"
_DATELINE = re.compile(
    rf"^\s*{_PREFIX}?{_WEEKDAY}?{_PREFIX}?(?:{_TIME}{_SEP})?(?:ngày\s+)?(?:{_DMY}|{_DMY_WORDS}|{_YMD})"
    rf"(?:{_SEP}{_TIME})?(?:{_SEP}{_TZ})?\s*$",
    re.IGNORECASE,
)


def parse_dateline(line: str) -> date | None:
    """The date of a line that is only a date (with weekday, time, zone), else None."""
    m = _DATELINE.match(line)
    if not m:
        return None
    g = m.groupdict()
    d, mo, y = (g["d"] or g["d2"] or g["d3"]), (g["m"] or g["m2"] or g["m3"]), (g["y"] or g["y2"] or g["y3"])
    try:
        return date(int(y), int(mo), int(d))
    except ValueError:
        return None


# --- plain text ------------------------------------------------------------

_MENU_SEPARATORS = re.compile(r"\s+[-–>/|»]\s+|[>|»]")


_PIPE_MENU = re.compile(r"^[^|.!?]{1,40}(?:\|[^|.!?]{1,40}){2,}$")


def _is_menu(line: str, rules: _Rules) -> bool:
    """A short line that menu phrases cover entirely ("Tin tức - Sự kiện An ninh trật tự"),
    or a row of three or more short items between bars ("Hà Nội Mới | Chính trị | Xã hội")."""
    if _PIPE_MENU.match(line):
        return True
    words = _MENU_SEPARATORS.sub(" ", line.lower()).split()
    if not words or len(words) > 10:
        return False
    # covered[i]: the first i words split into menu phrases
    covered = [True] + [False] * len(words)
    for i in range(len(words)):
        if covered[i]:
            for j in range(i + 1, min(len(words), i + 5) + 1):
                if " ".join(words[i:j]) in rules.menu_words:
                    covered[j] = True
    return covered[-1]


def _is_chrome(line: str, rules: _Rules) -> bool:
    return bool(rules.line.fullmatch(line)) or _is_menu(line, rules)


def _is_site_clock(lines: list[str], i: int, rules: _Rules) -> bool:
    """A date line with header chrome right around it is the site's clock."""
    window = lines[max(0, i - 3) : i] + lines[i + 1 : i + 4]
    return any(rules.clock_neighbour.fullmatch(w) for w in window)


def _title(lines: list[str]) -> str | None:
    """The headline: the last short line before the first paragraph of prose."""
    candidate = None
    for line in lines:
        words = len(line.split())
        if words >= 40 or (words >= 12 and line.rstrip().endswith((".", ":", "”", '"'))):
            return candidate or line[:200]
        if 4 <= words <= 35 and not line.rstrip().endswith("."):
            candidate = line
    return candidate


def clean_text(raw: str) -> CleanArticle:
    """Clean a plain-text page (what a browser's "save as text" gives)."""
    rules = _rules()
    lines = [ln.strip() for ln in nfc(raw).replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    kept: list[str] = []
    seen: set[str] = set()
    published: date | None = None
    dateline: str | None = None
    dropped = 0
    for i, line in enumerate(lines):
        if not line:
            continue
        if rules.section_end.fullmatch(line):
            dropped += sum(1 for rest in lines[i:] if rest)
            break
        when = parse_dateline(line)
        if when is not None:
            if published is None and not _is_site_clock(lines, i, rules):
                published, dateline = when, line
            dropped += 1
            continue
        if _is_chrome(line, rules):
            dropped += 1
            continue
        # The same caption or headline printed twice (image alt + caption) is
        # one line of the article: keeping both would double its figures.
        key = line.lower()
        if len(line) > 20 and key in seen:
            dropped += 1
            continue
        seen.add(key)
        kept.append(line)
    text = "\n".join(kept)
    _require_article(text)
    return CleanArticle(text=text, title=_title(kept), published=published, dateline=dateline, dropped_lines=dropped)


def _require_article(text: str) -> None:
    words = len(text.split())
    if words == 0:
        raise InputError("no article text after removing page chrome")
    if words < 15 or vietnamese_share(text) < 0.15:
        raise InputError(f"no Vietnamese article text found ({words} words, little or no Vietnamese)")


# --- HTML ------------------------------------------------------------------

_HTML_START = re.compile(r"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|meta|div|article)\b", re.I | re.S)


def is_html(text: str) -> bool:
    return bool(_HTML_START.match(text[:2000])) or text.count("</p>") + text.count("<br") >= 3


def clean_html(html: str, url: str | None = None) -> CleanArticle:
    """Article text of an HTML page.

    When the page belongs to a site with an adapter (``pipeline/read/sites/*.toml``),
    found by its rel=canonical / og:url first and by ``url`` after, the
    adapter's selectors pick title, lead, body, date and author; otherwise, or
    when they find no body, trafilatura extracts the text and htmldate the
    date.  Looking at the canonical before ``url`` means a saved page read by
    ``vnfacts extract`` and the same page fetched by the crawler are read alike.
    Either way the lines then go through ``clean_text``'s chrome rules.
    """
    from pipeline.read import html as htmlpage
    from pipeline.read import adapters as sites

    soup = htmlpage.parse(html)
    canonical = htmlpage.canonical_url(soup, url)
    adapter = sites.for_page(htmlpage.identity_urls(soup, url))
    article = _clean_with_adapter(soup, adapter) if adapter is not None and adapter.selectors.body else None
    if article is None:
        article = _clean_with_trafilatura(html, url)
    return article.model_copy(update={"canonical": canonical})


def _clean_with_adapter(soup, adapter) -> CleanArticle | None:
    from pipeline.read import html as htmlpage

    sel = adapter.selectors
    body = htmlpage.select_first(soup, sel.body)
    if body is None:
        return None
    # read title, lead, date and author before the chrome inside the body goes
    title = htmlpage.select_value(soup, sel.title)
    lead_el = htmlpage.select_first(soup, sel.lead) if sel.lead else None
    # a lead inside the body is read with the body; one around it would repeat it
    separate = lead_el is not None and not _inside(lead_el, body) and not _inside(body, lead_el)
    lead = htmlpage.block_lines(lead_el) if separate else []
    date_value = htmlpage.select_value(soup, sel.date) if sel.date else None
    author = htmlpage.select_value(soup, sel.author) if sel.author else None
    for selector in sel.drop:
        try:
            for element in body.select(selector):
                element.decompose()
        except Exception:  # a bad selector in a site file must not lose the article  # noqa: BLE001
            continue
    lines = htmlpage.block_lines(body)
    if not lines:
        return None
    try:
        text_article = clean_text("\n".join(filter(None, [title, *lead, *lines])))
    except InputError:
        return None
    published = (parse_dateline(date_value) if date_value else None) or htmlpage.find_date(date_value)
    published = published or text_article.published or htmlpage.meta_published(soup)
    return text_article.model_copy(update={
        "published": published, "title": title or text_article.title, "source_format": "html",
        "author": author, "adapter": adapter.name,
    })


def _inside(element, container) -> bool:
    return any(parent is container for parent in element.parents)


def _clean_with_trafilatura(html: str, url: str | None) -> CleanArticle:
    """Article text via trafilatura, date via htmldate: for sites without an adapter."""
    import trafilatura
    from htmldate import find_date
    from trafilatura.deduplication import LRU_TEST

    # trafilatura's deduplicate=True drops paragraphs it has seen in *earlier*
    # documents of the process: a page's text would depend on what was read
    # before it (a crawl, a directory).  Within-page duplicates are still
    # removed; across pages, each page is read on its own.
    LRU_TEST.clear()
    doc = trafilatura.bare_extraction(
        html,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        include_images=True,
        favor_precision=True,
        deduplicate=True,
    )
    body = (doc.text if doc is not None else "") or ""
    title = doc.title if doc is not None else None
    text_article = clean_text("\n".join(filter(None, [title, body]))) if body.strip() else None
    if text_article is None:
        raise InputError("no article text found in the HTML page")
    published = text_article.published
    if published is None:
        found = find_date(html, url=url, original_date=True, extensive_search=False, outputformat="%Y-%m-%d")
        if found:
            published = date.fromisoformat(found)
    author = (doc.author if doc is not None else None) or None
    return text_article.model_copy(update={"published": published, "title": title or text_article.title,
                                           "source_format": "html", "author": author})


def clean_decoded(decoded: Decoded, *, url: str | None = None) -> CleanArticle:
    """Clean decoded text as HTML or as plain text."""
    text = decoded.text
    if not text.strip():
        raise InputError("empty input")
    article = clean_html(text, url=url) if is_html(text) else clean_text(text)
    return article.model_copy(update={"encoding": decoded.encoding})


def clean(data: bytes | str, *, url: str | None = None, content_type: str | None = None) -> CleanArticle:
    """Decode (bytes) if needed, then clean: the read stage in one call."""
    decoded = decode(data, content_type) if isinstance(data, bytes) else Decoded(text=nfc(data))
    return clean_decoded(decoded, url=url)
