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
from pipeline.read.dateline import find_dateline
from pipeline.text import nfc

__all__ = ["CleanArticle", "clean", "clean_decoded", "clean_text"]


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
    captions: list[tuple[int, int]] = []  # (start, end) in ``text`` of the lines that are image captions


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


# --- plain text ------------------------------------------------------------

_MENU_SEPARATORS = re.compile(r"\s+[-–>/|»]\s+|[>|»]")
_SEPARATOR_CHARS = "-–>/|»"


_PIPE_MENU = re.compile(r"^[^|.!?]{1,40}(?:\|[^|.!?]{1,40}){2,}$")


def _is_menu(line: str, rules: _Rules) -> bool:
    """A short line that menu phrases cover entirely ("Tin tức - Sự kiện An ninh trật tự"),
    or a row of three or more short items between bars ("Hà Nội Mới | Chính trị | Xã hội")."""
    if _PIPE_MENU.match(line):
        return True
    # Separators only remove whole tokens made of them, so a line with more than ten
    # tokens beyond its separator characters has more than ten words (most of prose):
    # decided without the substitution.
    if len(line.split()) - sum(map(line.count, _SEPARATOR_CHARS)) > 10:
        return False
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
        if _is_prose(line):
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
    datelines: list[tuple[date, str]] = []  # the article's dateline candidates, in page order
    in_prose = False  # past the first paragraph of prose
    dropped = 0
    skip_to = 0
    for i, line in enumerate(lines):
        if not line or i < skip_to:
            continue
        if rules.section_end.fullmatch(line):
            # "Tin liên quan" and its teasers; a saved page may go on with the article
            resume = _prose_after_block(lines, i)
            dropped += sum(1 for rest in lines[i:resume] if rest)
            if resume >= len(lines):
                break
            skip_to = resume
            continue
        # Around the headline (before the first paragraph of prose) a dateline may
        # share its line with a byline or a counter.
        found = find_dateline(line, loose=not in_prose)
        if found is not None:
            # "Thứ Sáu, 16/01/2026 | Liên hệ | Đăng nhập": the header's clock beside its menu
            menu_after = found.loose and all(
                _is_chrome(part.strip(), rules) for part in re.split(r"\s*[|•·]\s*", found.rest) if part.strip())
            if not found.clock and not menu_after and not _is_site_clock(lines, i, rules):
                datelines.append((found.when, line))
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
        in_prose = in_prose or _is_prose(line)
    text = "\n".join(kept)
    _require_article(text)
    published, dateline = _publication(datelines)
    return CleanArticle(text=text, title=_title(kept), published=published, dateline=dateline, dropped_lines=dropped)


# A related-news box inside an article holds a few headlines; more lines than this
# before prose comes back is the page's own list of other articles.
_MAX_BLOCK_LINES = 12


def _prose_after_block(lines: list[str], start: int) -> int:
    """Where the article goes on after a related-news heading at ``start``: the first of
    two paragraphs of prose in a row within a few lines (teasers are headlines, or a
    headline and one summary sentence each), else the end of the page."""
    seen = 0
    for j in range(start + 1, len(lines)):
        if not lines[j]:
            continue
        seen += 1
        if seen > _MAX_BLOCK_LINES:
            break
        if _is_paragraph(lines[j]):
            nxt = next((k for k in range(j + 1, len(lines)) if lines[k]), None)
            if nxt is not None and _is_paragraph(lines[nxt]):
                return j
    return len(lines)


_TEASER_DATE = re.compile(r"^\(?\d{1,2}[/.-]\d{1,2}(?:[/.-]\d{2,4})?\)?\s*[-–|]")
_SENTENCE_END = re.compile(r"[.!?…][”\"’)]*$")


def _is_paragraph(line: str) -> bool:
    """A paragraph of the article's prose: long, ending a sentence, not a teaser's
    "20/08/2024 - summary" line."""
    return len(line.split()) >= 15 and bool(_SENTENCE_END.search(line)) and not _TEASER_DATE.match(line)


def _is_prose(line: str) -> bool:
    words = len(line.split())
    return words >= 40 or (words >= 12 and line.rstrip().endswith((".", ":", "”", '"')))


def _publication(datelines: list[tuple[date, str]]) -> tuple[date | None, str | None]:
    """The first dateline, unless a later one is earlier: a clock the chrome rules
    missed shows today's date above the article's own, older dateline."""
    if not datelines:
        return None, None
    first = datelines[0]
    if len(datelines) > 1 and datelines[1][0] < first[0]:
        return datelines[1]
    return first


def _require_article(text: str) -> None:
    words = len(text.split())
    if words == 0:
        raise InputError("no article text after removing page chrome")
    if words < 15 or vietnamese_share(text) < 0.15:
        raise InputError(f"no Vietnamese article text found ({words} words, little or no Vietnamese)")


def clean_decoded(decoded: Decoded, *, url: str | None = None) -> CleanArticle:
    """Clean decoded text as HTML (``pipeline.read.page``) or as plain text."""
    text = decoded.text
    if not text.strip():
        raise InputError("empty input")
    if "<" not in text:  # no tag, so no HTML: plain text without importing bs4 (~50 ms at start-up)
        article = clean_text(text)
    else:
        from pipeline.read.page import clean_html, is_html

        article = clean_html(text, url=url) if is_html(text) else clean_text(text)
    return article.model_copy(update={"encoding": decoded.encoding})


def clean(data: bytes | str, *, url: str | None = None, content_type: str | None = None) -> CleanArticle:
    """Decode (bytes) if needed, then clean: the read stage in one call."""
    decoded = decode(data, content_type) if isinstance(data, bytes) else Decoded(text=nfc(data))
    return clean_decoded(decoded, url=url)
