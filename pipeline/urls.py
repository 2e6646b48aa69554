"""URLs as the crawler compares them: one normal form, and a file-like name.

Two spellings of one address ("HTTPS://Site.vn:443/a?utm_source=x#top" and
"https://site.vn/a") must be one frontier entry, or the crawler fetches the
page twice; courlan does the normalising (case, default port, tracking
parameters, query order), we drop the fragment, which never reaches a server.
"""

from __future__ import annotations

import hashlib
import re
from urllib.parse import urldefrag, urljoin, urlsplit

from courlan import normalize_url

__all__ = ["absolute", "doc_name", "host", "is_http", "normalize", "origin"]


def is_http(url: str) -> bool:
    return urlsplit(url).scheme.lower() in ("http", "https")


def normalize(url: str) -> str:
    """The crawler's identity of a URL: courlan-normalised, without fragment."""
    url = urldefrag(url.strip())[0]
    try:
        url = normalize_url(url)
    except (ValueError, AttributeError):  # courlan gives up on odd URLs: keep them as they are
        pass
    url = urldefrag(url)[0]
    parts = urlsplit(url)
    # "https://site.vn" and "https://site.vn/" are one page
    if parts.path == "" and not parts.query:
        url += "/"
    return url


def absolute(href: str, base: str) -> str | None:
    """``href`` resolved against ``base``, normalised; None for non-HTTP links."""
    href = (href or "").strip()
    if not href or href.startswith(("javascript:", "mailto:", "tel:", "#", "data:")):
        return None
    url = urljoin(base, href)
    return normalize(url) if is_http(url) else None


def origin(url: str) -> str:
    """scheme://host[:port] — the unit of politeness and of robots.txt."""
    p = urlsplit(url)
    return f"{p.scheme.lower()}://{p.netloc.lower()}"


def host(url: str) -> str:
    """Host name without port or a leading "www."."""
    name = (urlsplit(url).hostname or "").lower()
    return name.removeprefix("www.")


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def doc_name(url: str) -> str:
    """A file-like base name for an article fetched from ``url``.

    The last path segment ("chu-trong-xay-dung-906317.html"), with ".html"
    added when it has no extension, and a short hash of the query when there is
    one (``?id=12`` and ``?id=13`` are different articles).
    """
    p = urlsplit(url)
    segment = next((s for s in reversed(p.path.split("/")) if s), "") or (p.hostname or "page")
    stem = _UNSAFE.sub("-", segment).strip("-") or "page"
    if p.query:
        root, dot, ext = stem.rpartition(".")
        tag = hashlib.sha1(p.query.encode()).hexdigest()[:8]
        stem = f"{root}_{tag}.{ext}" if dot and root else f"{stem}_{tag}"
    if not re.search(r"\.(?:s?html?|aspx?|php|jsp)$", stem, re.IGNORECASE):
        stem += ".html"
    return stem[:150]
