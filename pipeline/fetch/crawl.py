"""Stage 0, fetch: discover article pages on a site, fetch them, and ingest them.

The crawl loop over a persistent frontier (``pipeline.crawlstore``):

1. seed: the start URLs; for a site's root also the adapter's listing pages,
   feeds and sitemaps and the sitemaps robots.txt names;
2. take the next pending URL (feeds and sitemaps first, then articles, then the
   next listing page), fetch it politely (``pipeline.http``), store every
   exchange at once (state "fetched");
3. process it: a feed or sitemap gives links, a listing page gives article
   links and its next pages, an article page goes through the article trip
   (``pipeline.trip``: decode → clean → segment → extract → store) as a file does;
4. record the outcome (done, skipped or failed, with the reason).

Killed at any point, the next run with the same start URLs resumes: what is
stored is not fetched again ("fetched" pages are processed from the stored
body), failures are retried.  Articles are deduplicated by canonical URL (the
page's rel=canonical, courlan-normalised) and by the hash of their cleaned text.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import date
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field

from pipeline.errors import InputError
from pipeline.fetch import discover
from pipeline.fetch.crawlstore import HUB_KINDS, CrawlRunning, CrawlStore, FrontierEntry, scope_of
from pipeline.fetch.http import Fetcher, FetchResult, HttpSettings
from pipeline.read import adapters as sites
from pipeline.read import html as htmlpage
from pipeline.read.adapters import Adapter
from pipeline.read.decode import decode
from pipeline.schema import Source
from pipeline.store import Store
from pipeline.trip import Failure, land, read
from pipeline.urls import doc_name, normalize, origin

__all__ = ["CrawlOptions", "CrawlRunning", "CrawlStats", "Crawler"]

_LOOKAHEAD = 50  # pending entries looked at when choosing a host that is free now


class CrawlOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    max_pages: int | None = Field(None, ge=1, description="stop after fetching this many pages (resumable)")
    since: date | None = Field(None, description="skip articles published (or listed as modified) before this date")
    site: str | None = Field(None, description="site adapter for the start URLs (default: by host or canonical)")
    max_attempts: int = Field(5, ge=1, description="runs a failing URL is tried in before it is left alone")
    max_hops: int = Field(3, ge=0, description="on a site never seen: links followed from page to page, at most")
    robots_ttl: float = Field(86400.0, ge=0, description="seconds a stored robots.txt is reused")
    http: HttpSettings = HttpSettings()


class CrawlStats(BaseModel):
    seen: int = 0  # URLs in the frontier of this crawl
    fetched: int = 0  # pages fetched this run (2xx and 304)
    articles: int = 0  # articles stored (new or changed)
    unchanged: int = 0  # re-fetched articles whose text did not change, and 304s
    duplicates: int = 0  # pages whose article was already stored under another URL
    skipped: int = 0  # not an article, not allowed, too old, too large, not HTML ...
    failed: int = 0  # transient failures, retried on the next run
    faults: list[tuple[str, str]] = []  # (url, reason) of every skip and failure

    def done(self) -> int:
        return self.articles + self.unchanged + self.duplicates + self.skipped + self.failed


class _Page(BaseModel):
    """A fetched document, fresh or from the store."""

    url: str
    final_url: str
    content_type: str
    body: bytes
    response_id: int | None


Event = Callable[[str, str, CrawlStats], None]  # (what happened, url, stats)


class Crawler:
    def __init__(self, store: Store, options: CrawlOptions | None = None, *, on_event: Event | None = None,
                 fetcher: Fetcher | None = None):
        self.store = store
        self.options = options or CrawlOptions()
        self.cs = CrawlStore(store)
        self.stats = CrawlStats()
        self._on_event = on_event
        self._run_id = 0
        self._forced = sites.get(self.options.site) if self.options.site else None
        self._learned: dict[str, Adapter] = {}
        self._roots: dict[str, str] = {}  # scope -> the site root a crawl was started at
        self._scopes: list[str] = []
        self._only: set[str] | None = None  # `fetch`: only these URLs
        self.fetcher = fetcher or Fetcher(
            self.options.http,
            robots_cache=lambda o: self.cs.robots(o, self.options.robots_ttl),
            on_robots=self._save_robots,
        )

    def close(self) -> None:
        self.fetcher.close()

    # -- entry points ----------------------------------------------------------

    def crawl(self, start_urls: list[str]) -> CrawlStats:
        """Discover and fetch articles from the sites of ``start_urls``.

        Raises ``CrawlRunning`` when another crawl or fetch is at work on the store."""
        with self.cs.lock():
            return self._crawl(start_urls)

    def fetch(self, urls: list[str]) -> CrawlStats:
        """Fetch the given article URLs (again, with a conditional GET if already stored).

        Raises ``CrawlRunning`` when another crawl or fetch is at work on the store."""
        with self.cs.lock():
            return self._fetch(urls)

    def _crawl(self, start_urls: list[str]) -> CrawlStats:
        starts = list(dict.fromkeys(normalize(u) for u in start_urls))
        self._run_id, _resumed = self.cs.begin_run("crawl", starts, self._options_json())
        self._scopes = sorted({scope_of(u) for u in starts})
        for url in starts:
            adapter = self.adapter(url)
            root = urlsplit(url).path in ("", "/") and not urlsplit(url).query
            if root:
                self._roots[scope_of(url)] = url
            # a start URL is where discovery starts: an article when a site adapter says
            # so, else (on a site never seen) its content tells
            kind = "listing" if root else "article" if adapter.is_article(url) else \
                "page" if adapter.is_generic else "listing"
            self.cs.add(url, kind, self._run_id, via="start", adapter=adapter.name)
            if root:
                self._seed_site(url, adapter)
        return self._loop()

    def _fetch(self, urls: list[str]) -> CrawlStats:
        wanted = list(dict.fromkeys(normalize(u) for u in urls))
        self._run_id, resumed = self.cs.begin_run("fetch", wanted, self._options_json())
        self._scopes = sorted({scope_of(u) for u in wanted})
        self._only = set(wanted)
        for url in wanted:
            self.cs.add(url, "article", self._run_id, via="fetch", force=not resumed)
        queue = iter(wanted)

        def pick() -> FrontierEntry | None:
            # only the URLs asked for, in the order given; never other pending URLs of the site
            for url in queue:
                entry = self.cs.get(url)
                if entry is not None and entry.state in ("pending", "fetched"):
                    return entry
            return None

        return self._loop(pick)

    # -- the loop --------------------------------------------------------------

    def _loop(self, pick: Callable[[], FrontierEntry | None] | None = None) -> CrawlStats:
        self.cs.requeue_failed(self._scopes, self.options.max_attempts)
        pick = pick or self._next_ready
        status = "finished"
        requests = 0
        try:
            while True:
                self.stats.seen = sum(self.cs.counts(self._scopes).values())
                entry = pick()
                if entry is None:
                    break
                if entry.state == "fetched":
                    # fetched by a run that was killed before it processed the page
                    self._guarded(entry, self._resume_fetched)
                    continue
                if self.options.max_pages is not None and requests >= self.options.max_pages:
                    status = "stopped"  # not finished: the next run with these start URLs resumes
                    break
                requests += 1
                self._guarded(entry, self._visit)
        finally:
            self.stats.seen = sum(self.cs.counts(self._scopes).values())
            self.cs.finish_run(self._run_id, status, self.stats.model_dump(exclude={"faults"}))
        return self.stats

    def _next_ready(self) -> FrontierEntry | None:
        """The first of the next few entries whose host may be asked now (or soonest).

        With several sites in one crawl, waiting out one host's delay while
        another host is free would waste the time politeness already costs.
        """
        candidates = self.cs.next(self._scopes, ("pending", "fetched"), limit=_LOOKAHEAD)
        if not candidates:
            return None
        # one reading of the clock for all: entries of one host must tie, so the first in order wins
        waits = {o: self.fetcher.gate.ready_in(o) for o in {origin(e.url) for e in candidates}}
        return min(candidates, key=lambda e: 0.0 if e.state == "fetched" else waits[origin(e.url)])

    def _guarded(self, entry: FrontierEntry, step: Callable[[FrontierEntry], None]) -> None:
        """A bug met on one page is that page's failure (retried next run), not the end of the crawl."""
        try:
            step(entry)
        except (KeyboardInterrupt, SystemExit, MemoryError):
            raise
        except Exception as exc:  # noqa: BLE001
            self._fault(entry.url, entry, f"internal error: {type(exc).__name__}: {exc}", True, raw=None,
                        response_id=None)

    def _visit(self, entry: FrontierEntry) -> None:
        url = entry.url
        if entry.kind in ("article", "page") and self._only is None:
            key = self.cs.alias(url)
            if key is not None:  # found again under a URL we already know holds a stored article
                self._finish(url, "done", reason=f"already stored as {key}")
                self.stats.duplicates += 1
                self._event("duplicate", url)
                return
        refetch = entry.kind in HUB_KINDS or self._only is not None
        validators = self.cs.validators(url) if refetch else None
        self._event("fetching", url)
        # a sitemap may come gzipped (application/x-gzip): the one non-text type we read
        result = self.fetcher.fetch(url, validators=validators, text_only=entry.kind != "sitemap",
                                    follow=lambda target: not self._have(normalize(target)))
        # the exchanges and what they mean for the frontier in one transaction: a kill
        # between the two would leave a stored page that the next run fetches again
        with self.store.db.atomic():
            response_id = self.cs.save_fetch(url, result, self._run_id)
            page = self._record(entry, result, response_id)
        if page is not None:
            self._process(entry, page, result)

    def _record(self, entry: FrontierEntry, result: FetchResult, response_id: int | None) -> _Page | None:
        """The frontier state a fetch leads to; the page to process, if there is one."""
        url = entry.url
        if result.redirect_to is not None:
            target = normalize(result.redirect_to)
            key = self.cs.alias(target)
            if key is not None:
                self.cs.add_alias(url, key, "redirect")
            self._finish(url, "done", reason=f"redirects to {target}, already fetched", article_key=key,
                         response_id=response_id)
            self.stats.duplicates += 1
            self._event("duplicate", url)
            return None
        if result.status is not None and (result.ok or result.not_modified):
            self.stats.fetched += 1
        if result.not_modified:
            self._finish(url, "done", reason="not modified (304)", response_id=response_id)
            if entry.kind in HUB_KINDS:
                # an unchanged sitemap index or listing still leads to sitemaps and pages that may have changed
                for child in self.cs.children(url, HUB_KINDS):
                    self.cs.add(child.url, child.kind, self._run_id, depth=child.depth, hops=child.hops, via=child.via,
                                found_from=url)
            self.stats.unchanged += 1
            self._event("unchanged", url)
            return None
        if not result.ok:
            if result.status in (404, 410) and (entry.kind == "page" or entry.via == "probe"):
                # a usual location the site does not use, a dead link: nothing failed
                self._finish(url, "skipped", reason=f"HTTP {result.status}", response_id=response_id)
                self.stats.skipped += 1
                self._event("skipped", url)
                return None
            self._fault(url, entry, result.error or f"HTTP {result.status}", result.retry,
                        raw=result.body, response_id=response_id)
            return None
        # stored: from here on, a killed run picks the page up from the store
        self.cs.mark(url, "fetched", self._run_id, response_id=response_id)
        return _Page(url=url, final_url=normalize(result.final_url), content_type=result.content_type,
                     body=result.body or b"", response_id=response_id)

    def _resume_fetched(self, entry: FrontierEntry) -> None:
        stored = self.cs.fetched_response(entry.url)
        if stored is None or stored.body is None:
            self.cs.mark(entry.url, "pending", self._run_id)
            return
        ctype = (stored.header("content-type") or "").split(";")[0].strip().lower()
        page = _Page(url=entry.url, final_url=normalize(stored.final_url), content_type=ctype, body=stored.body,
                     response_id=stored.id)
        self._process(entry, page, stored)

    # -- processing --------------------------------------------------------------

    def _process(self, entry: FrontierEntry, page: _Page, response) -> None:
        if page.final_url != entry.url:
            self._claim(page.final_url, entry)
        kind = discover.sniff(page.content_type, page.body)
        adapter = self.adapter(page.final_url)
        try:
            if kind == "feed":
                self._enqueue(discover.feed_links(page.body, page.final_url), entry)
                self._finish(entry.url, "done", response_id=page.response_id)
            elif kind == "sitemap":
                self._enqueue(discover.sitemap_links(page.body, page.final_url, adapter), entry)
                self._finish(entry.url, "done", response_id=page.response_id)
            elif kind == "html":
                content_type = response.header("content-type")
                if entry.kind == "article":
                    self._ingest(entry, page, content_type)
                    return
                decoded = decode(page.body, content_type)
                adapter = self._learn(page.final_url, decoded.text, adapter)
                if entry.kind == "page" and self._is_article_page(page.final_url, decoded.text, adapter):
                    self._ingest(entry, page, content_type)
                    return
                self._enqueue(discover.listing_links(decoded.text, page.final_url, adapter), entry)
                self._finish(entry.url, "done", response_id=page.response_id)
            else:
                what = "a PDF document" if page.body.startswith(b"%PDF") else (page.content_type or "unknown type")
                self._fault(entry.url, entry, f"not HTML: {what}", False, raw=page.body,
                            response_id=page.response_id)
        except InputError as exc:
            self._fault(entry.url, entry, str(exc), False, raw=page.body, response_id=page.response_id)

    @staticmethod
    def _is_article_page(url: str, html: str, adapter: Adapter) -> bool:
        """A page found on a site: an article by its adapter's URL rules, or (a site
        never seen) by its content."""
        if not adapter.is_generic:
            return adapter.is_article(url)
        return discover.classify(htmlpage.parse(html)) == "article"

    def _ingest(self, entry: FrontierEntry, page: _Page, content_type: str | None) -> None:
        """An article page through the trip (``pipeline.trip``), deduplicated, then stored
        with the frontier's bookkeeping in one transaction."""
        lastmod = date.fromisoformat(entry.lastmod) if entry.lastmod else None
        fetched = Source(key=page.final_url, doc=doc_name(page.final_url), raw=page.body, url=page.final_url,
                         path=entry.url, content_type=content_type, published=lastmod)
        outcome = read(fetched)
        if isinstance(outcome, Failure):
            self._fault(entry.url, entry, outcome.reason, False, raw=page.body, response_id=page.response_id,
                        stage=outcome.stage, error_type=outcome.error_type)
            return
        article = outcome.article
        # the page's own metadata learns the adapter of a mirror or test server for the pages to come
        self._learn_from(page.final_url, article.adapter)
        opts = self.options
        if opts.since and article.published and article.published < opts.since and self._only is None:
            self._skip(entry.url, f"published {article.published} before --since {opts.since}", page)
            return
        key = article.canonical or page.final_url
        text_hash = hashlib.sha256(article.text.encode("utf-8")).hexdigest()
        twin = self.cs.key_with_text(text_hash, key)
        if twin is not None:
            self._duplicate(entry.url, page, twin, "same text")
            return
        stored_hash = self.cs.stored_text_hash(key)
        if stored_hash == text_hash:
            how = "fetched again, unchanged" if self.cs.alias(entry.url) == key else "same canonical URL"
            self._duplicate(entry.url, page, key, how)
            return
        # the site as corpus/manifest.toml names it: its host ("congannghean.vn")
        reader = sites.get(article.adapter) if article.adapter else self.adapter(page.final_url)
        site = reader.hosts[0] if reader.hosts else (urlsplit(key).hostname or "").removeprefix("www.")
        source = fetched.model_copy(update={"key": key, "doc": doc_name(key), "url": key, "site": site})
        with self.store.db.atomic():
            landed = land(self.store, source, outcome)
            if isinstance(landed, Failure):
                self._finish(entry.url, "skipped", reason=landed.reason, response_id=page.response_id)
                self.stats.skipped += 1
                self.stats.faults.append((entry.url, landed.reason))
                return
            self._aliases(entry.url, page.final_url, key)
            self.cs.save_article_meta({
                "key": key, "url": entry.url, "final_url": page.final_url, "canonical": article.canonical,
                "response_id": page.response_id, "adapter": article.adapter, "author": article.author,
                "encoding": article.encoding, "charset_note": "; ".join(outcome.warnings) or None,
            })
            self._finish(entry.url, "done", article_key=key, response_id=page.response_id)
        self.stats.articles += 1
        self._event("article", entry.url)

    # -- outcomes ------------------------------------------------------------------

    def _finish(self, url: str, state: str, *, reason: str | None = None, article_key: str | None = None,
                response_id: int | None = None) -> None:
        with self.store.db.atomic():
            self.cs.mark(url, state, self._run_id, reason=reason, article_key=article_key, response_id=response_id)
            self.cs.resolve_failures(url)

    def _duplicate(self, url: str, page: _Page, key: str, how: str) -> None:
        with self.store.db.atomic():
            self._aliases(url, page.final_url, key, how)
            self._finish(url, "done", reason=f"duplicate of {key} ({how})", article_key=key,
                         response_id=page.response_id)
        if how == "fetched again, unchanged":
            self.stats.unchanged += 1
            self._event("unchanged", url)
        else:
            self.stats.duplicates += 1
            self._event("duplicate", url)

    def _skip(self, url: str, reason: str, page: _Page) -> None:
        with self.store.db.atomic():
            self.cs.mark(url, "skipped", self._run_id, reason=reason, response_id=page.response_id)
        self.stats.skipped += 1
        self.stats.faults.append((url, reason))
        self._event("skipped", url)

    def _fault(self, url: str, entry: FrontierEntry, reason: str, retry: bool, *, raw: bytes | None,
               response_id: int | None, stage: str = "fetch", error_type: str | None = None) -> None:
        """A page that could not be used: recorded with its reason, retried next run if transient."""
        state = "failed" if retry else "skipped"
        with self.store.db.atomic():
            self.cs.mark(url, state, self._run_id, reason=reason, failed=retry, response_id=response_id)
            self.store.record_failure(Source(key=url, doc=doc_name(url), raw=raw or b"", url=url, path=url),
                                      stage, reason, error_type)
        if retry:
            self.stats.failed += 1
        else:
            self.stats.skipped += 1
        self.stats.faults.append((url, reason))
        self._event("failed" if retry else "skipped", url)

    def _aliases(self, url: str, final_url: str, key: str, how: str = "fetched") -> None:
        self.cs.add_alias(url, key, how)
        if final_url != url:
            self.cs.add_alias(final_url, key, "redirect")
        if key != url and scope_of(key) in self._scopes:
            self.cs.add_alias(key, key, "canonical")  # the canonical address itself need not be fetched

    def _have(self, url: str) -> bool:
        """Is ``url`` already fetched (or known to hold a stored article)?  Then a redirect to it is not followed."""
        if self.cs.alias(url) is not None:
            return True
        known = self.cs.get(url)
        return known is not None and known.kind in ("article", "page") and known.state in ("done", "fetched")

    def _claim(self, final_url: str, entry: FrontierEntry) -> None:
        """A redirect target is fetched now: it must not be fetched again when found later."""
        if scope_of(final_url) in self._scopes:
            self.cs.add(final_url, entry.kind, self._run_id, via="redirect", found_from=entry.url)
            self.cs.mark(final_url, "done", self._run_id, reason=f"redirect target of {entry.url}")

    # -- discovery -------------------------------------------------------------------

    def _enqueue(self, links: list[discover.Link], parent: FrontierEntry) -> None:
        since = self.options.since
        for link in links:
            if scope_of(link.url) not in self._scopes:
                continue
            # depth: pages of one listing followed; hops: links followed from page to page
            depth = parent.depth + 1 if link.kind == "listing" else 0
            hops = parent.hops + 1 if link.kind == "page" else parent.hops
            adapter = self.adapter(link.url)
            if link.kind == "listing" and depth >= adapter.pagination.max_pages:
                continue
            if link.kind == "page" and hops > self.options.max_hops:
                continue
            if link.kind != "listing" and since and link.lastmod and link.lastmod < since:
                continue  # the feed or sitemap says it (or all it lists) is older than wanted: not even fetched
            # the URL's shape says which pages to read first, never what they are
            priority = 2 if link.kind == "page" and not sites.looks_like_article(link.url) else None
            added = self.cs.add(link.url, link.kind, self._run_id, depth=depth, hops=hops, via=link.via,
                                found_from=parent.url, lastmod=link.lastmod.isoformat() if link.lastmod else None,
                                adapter=adapter.name, priority=priority)
            if added:
                self._event("found", link.url)

    def _seed_site(self, root: str, adapter: Adapter) -> None:
        """A crawl started at a site's root reads its adapter's listings, feeds and sitemaps
        and the sitemaps its robots.txt names."""
        entry = FrontierEntry(url=root, kind="listing", state="pending", scope=scope_of(root))
        links = [discover.Link(url=u, kind="listing", via="start") for u in self._resolve(root, adapter.start)]
        links += [discover.Link(url=u, kind="feed", via="start") for u in self._resolve(root, adapter.feeds)]
        links += [discover.Link(url=u, kind="sitemap", via="start") for u in self._resolve(root, adapter.sitemaps)]
        rules = self.fetcher.robots(root)
        links += [discover.Link(url=normalize(u), kind="sitemap", via="robots") for u in rules.sitemaps]
        # a site that names no sitemap and no feed may still have them where sites keep them
        if not rules.sitemaps and not adapter.sitemaps:
            links += [discover.Link(url=u, kind="sitemap", via="probe") for u in self._resolve(root, discover.SITEMAP_PATHS)]
        if not adapter.feeds:
            links += [discover.Link(url=u, kind="feed", via="probe") for u in self._resolve(root, discover.FEED_PATHS)]
        self._enqueue(links, entry)

    @staticmethod
    def _resolve(root: str, paths: list[str]) -> list[str]:
        out = []
        for path in paths:
            url = normalize(path if "://" in path else origin(root) + "/" + path.lstrip("/"))
            # an adapter's absolute URLs name the real site; on another origin (a mirror,
            # a test server) the same paths are meant
            if "://" in path and scope_of(url) != scope_of(root):
                url = normalize(origin(root) + urlsplit(url).path + ("?" + urlsplit(url).query if urlsplit(url).query else ""))
            out.append(url)
        return out

    def adapter(self, url: str) -> Adapter:
        """The site adapter for ``url``: --site, else by host, else learned from a page's canonical, else generic."""
        scope = scope_of(url)
        if self._forced is not None and scope in self._scopes:
            return self._forced
        return sites.for_url(url) or self._learned.get(scope) or sites.generic()

    def _learn(self, url: str, html: str, current: Adapter) -> Adapter:
        """A site served from an address its adapter does not know (a mirror, a test server)
        is recognised by the canonical / og:url its pages declare."""
        if not current.is_generic:
            return current
        found = sites.for_page(htmlpage.identity_urls(htmlpage.parse(html), url))
        return self._adopt(url, found) if found is not None else current

    def _learn_from(self, url: str, adapter_name: str | None) -> None:
        """The same, from the adapter the cleaner found reading an article page."""
        if adapter_name and self.adapter(url).is_generic:
            self._adopt(url, sites.get(adapter_name))

    def _adopt(self, url: str, found: Adapter) -> Adapter:
        scope = scope_of(url)
        self._learned[scope] = found
        if scope in self._roots:  # a crawl of the site's root: now its listings, feeds and sitemaps are known
            self._seed_site(self._roots[scope], found)
        return found

    # -- plumbing ----------------------------------------------------------------------

    def _save_robots(self, result: FetchResult) -> None:
        self.cs.save_fetch(origin(result.url) + "/robots.txt", result, self._run_id)

    def _event(self, what: str, url: str) -> None:
        if self._on_event:
            self._on_event(what, url, self.stats)

    def _options_json(self) -> dict:
        return self.options.model_dump(mode="json")
