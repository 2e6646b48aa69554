"""HTML pages: the article of a page, through its site adapter or trafilatura.

When the page belongs to a site with an adapter (``pipeline/read/sites/*.toml``)
its selectors pick title, lead, body, date and author; otherwise trafilatura
extracts the text and htmldate the date.  Either way the lines then go through
``pipeline.read.clean.clean_text``'s chrome rules.
"""

from __future__ import annotations

import re
from datetime import date

from pipeline.errors import InputError
from pipeline.read.clean import CleanArticle, clean_text
from pipeline.read.dateline import parse_dateline

__all__ = ["is_html", "clean_html"]

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
