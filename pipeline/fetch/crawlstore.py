"""The crawler's tables, in the same SQLite file as the knowledge store.

  crawl_runs       one row per ``vnfacts crawl`` / ``fetch`` run: start URLs, options,
                   status (running → finished | stopped), counts
  crawl_frontier   every URL the crawler knows, keyed by its normal form: kind
                   (article, listing, feed, sitemap, or page: what it is, its
                   content will tell), state (pending → fetched →
                   done | skipped | failed), the reason of the last skip/failure,
                   attempts, the article it became
  crawl_responses  every HTTP exchange (retries and redirect hops included): URL,
                   final URL of its fetch, status, headers, request headers, fetch
                   time, error, and the body, zlib-compressed
  crawl_aliases    URL → article key, for every URL known to hold a stored article
                   (the URL it was fetched from, redirect targets, rel=canonical
                   variants, pages with the same text)
  crawl_articles   article key → where and how it was fetched (response, canonical,
                   author, adapter, charset notes)

A response is committed as soon as it arrives (state "fetched"), before the
page is processed: a crawl killed at any point resumes from the stored body
instead of fetching again, and nothing fetched is lost.

One crawl (or fetch) works on a store at a time: ``CrawlStore.lock`` holds an
exclusive lock on a file beside the store for as long as it runs.  The
operating system releases it when the process ends, however it ends (SIGKILL
included), so a killed crawl never leaves a stale lock behind.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from pydantic import BaseModel

from pipeline.fetch.http import FetchResult
from pipeline.store import Store

__all__ = ["HUB_KINDS", "CrawlRunning", "CrawlStore", "FrontierEntry", "StoredResponse", "scope_of"]

HUB_KINDS = ("listing", "feed", "sitemap")  # pages re-read on every run; articles are read once
# articles (and pages that may be articles) before the next listing page
_PRIORITY = {"sitemap": 0, "feed": 0, "article": 1, "page": 1, "listing": 2}


class CrawlRunning(RuntimeError):
    """Another crawl or fetch holds the store."""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def scope_of(url: str) -> str:
    """host:port without "www." — a crawl stays on the hosts it was started on."""
    p = urlsplit(url)
    name = (p.hostname or "").lower().removeprefix("www.")
    port = p.port or (443 if p.scheme == "https" else 80)
    return f"{name}:{port}"


class FrontierEntry(BaseModel):
    url: str
    kind: str
    state: str
    scope: str
    depth: int = 0
    hops: int = 0
    via: str = ""
    found_from: str | None = None
    lastmod: str | None = None
    attempts: int = 0
    reason: str | None = None
    adapter: str | None = None


class StoredResponse(BaseModel):
    id: int
    url: str
    final_url: str
    status: int | None
    headers: list[tuple[str, str]]
    body: bytes | None

    def header(self, name: str) -> str | None:
        name = name.lower()
        return next((v for k, v in self.headers if k.lower() == name), None)


class CrawlStore:
    def __init__(self, store: Store):
        self.store = store
        self.db = store.db
        self.ensure_schema()

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the store's crawl lock; ``CrawlRunning`` if another process holds it."""
        if str(self.store.path) == ":memory:":
            yield
            return
        path = Path(f"{self.store.path}.crawl-lock")
        handle = open(path, "a+")
        try:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.seek(0)
                holder = handle.read().strip() or "another process"
                raise CrawlRunning(f"a crawl is already running on {self.store.path} ({holder})") from None
            handle.seek(0)
            handle.truncate()
            handle.write(f"pid {os.getpid()}")
            handle.flush()
            yield
        finally:
            handle.close()  # closing releases the lock

    def ensure_schema(self) -> None:
        db = self.db
        if "crawl_frontier" in db.table_names():
            if "hops" not in db["crawl_frontier"].columns_dict:
                db["crawl_frontier"].add_column("hops", int)  # a store crawled by an earlier version
            return
        with db.atomic():
            db["crawl_runs"].create({
                "id": int, "command": str, "scope_key": str, "start_urls": str, "options": str,
                "started_at": str, "finished_at": str, "status": str, "stats": str,
            }, pk="id")
            db["crawl_frontier"].create({
                "url": str, "kind": str, "state": str, "scope": str, "adapter": str, "depth": int, "hops": int,
                "priority": int, "via": str, "found_from": str, "lastmod": str, "attempts": int,
                "reason": str, "run_id": int, "response_id": int, "article_key": str,
                "first_seen": str, "updated_at": str,
            }, pk="url")
            db["crawl_frontier"].create_index(["state", "scope", "priority"])
            db["crawl_responses"].create({
                "id": int, "run_id": int, "frontier_url": str, "url": str, "final_url": str, "hop": int,
                "attempt": int, "is_final": int, "status": int, "headers": str, "request_headers": str,
                "started_at": str, "elapsed": float, "error": str, "truncated": int, "content_type": str,
                "body": bytes, "body_size": int, "body_sha256": str,
            }, pk="id")
            db["crawl_responses"].create_index(["frontier_url"])
            db["crawl_responses"].create_index(["url"])
            db["crawl_aliases"].create({"url": str, "article_key": str, "how": str, "found_at": str}, pk="url")
            db["crawl_aliases"].create_index(["article_key"])
            db["crawl_articles"].create({
                "key": str, "url": str, "final_url": str, "canonical": str, "response_id": int, "adapter": str,
                "author": str, "encoding": str, "charset_note": str, "fetched_at": str,
            }, pk="key")

    # -- runs --------------------------------------------------------------

    def begin_run(self, command: str, start_urls: list[str], options: dict) -> tuple[int, bool]:
        """Resume the unfinished run with the same start URLs, or start a new one.

        A new run re-reads the hub pages (listings, feeds, sitemaps) reached
        again; a resumed one does not re-read those it already read.
        """
        key = command + " " + " ".join(sorted(start_urls))
        row = self.db.execute(
            "SELECT id FROM crawl_runs WHERE scope_key = ? AND status != 'finished' ORDER BY id DESC LIMIT 1",
            [key]).fetchone()
        with self.db.atomic():
            if row:
                run_id = row[0]
                self.db.execute("UPDATE crawl_runs SET status = 'running' WHERE id = ?", [run_id])
                return run_id, True
            run_id = self.db["crawl_runs"].insert({
                "command": command, "scope_key": key, "start_urls": json.dumps(start_urls),
                "options": json.dumps(options, default=str), "started_at": _now(), "status": "running",
            }).last_pk
        return run_id, False

    def finish_run(self, run_id: int, status: str, stats: dict) -> None:
        with self.db.atomic():
            self.db.execute("UPDATE crawl_runs SET status = ?, finished_at = ?, stats = ? WHERE id = ?",
                            [status, _now(), json.dumps(stats, default=str), run_id])

    # -- frontier ----------------------------------------------------------

    def get(self, url: str) -> FrontierEntry | None:
        row = self.db.execute(
            "SELECT url, kind, state, scope, depth, hops, via, found_from, lastmod, attempts, reason, adapter "
            "FROM crawl_frontier WHERE url = ?", [url]).fetchone()
        if not row:
            return None
        names = ("url", "kind", "state", "scope", "depth", "hops", "via", "found_from", "lastmod", "attempts", "reason",
                 "adapter")
        return FrontierEntry(**{k: v for k, v in zip(names, row) if v is not None})

    def add(self, url: str, kind: str, run_id: int, *, depth: int = 0, hops: int = 0, via: str = "",
            found_from: str | None = None, lastmod: str | None = None, adapter: str | None = None,
            priority: int | None = None, force: bool = False) -> bool:
        """Put a URL in the frontier; True if this queued it (it was not pending already).

        A known article is never queued again (unless ``force``, for ``vnfacts
        fetch``); a known hub is queued again once per run.
        """
        existing = self.get(url)
        now = _now()
        with self.db.atomic():
            if existing is None:
                self.db["crawl_frontier"].insert({
                    "url": url, "kind": kind, "state": "pending", "scope": scope_of(url), "adapter": adapter,
                    "depth": depth, "hops": hops, "priority": _PRIORITY.get(kind, 2) if priority is None else priority,
                    "via": via, "found_from": found_from,
                    "lastmod": lastmod, "attempts": 0, "run_id": run_id, "first_seen": now, "updated_at": now,
                })
                return True
            if existing.state in ("pending", "fetched"):
                return False  # queued already (a "fetched" body is stored; the run processes it)
            run = self.db.execute("SELECT run_id FROM crawl_frontier WHERE url = ?", [url]).fetchone()[0]
            again = force or (existing.kind in HUB_KINDS and existing.state in ("done", "skipped") and run != run_id)
            if again:
                self.db.execute(
                    "UPDATE crawl_frontier SET state = 'pending', depth = MIN(depth, ?), updated_at = ? WHERE url = ?",
                    [depth, now, url])
            return again

    def children(self, url: str, kinds: Iterable[str]) -> list[FrontierEntry]:
        """Entries first found on ``url`` (of the given kinds)."""
        kinds = list(kinds)
        rows = self.db.execute(
            f"SELECT url FROM crawl_frontier WHERE found_from = ? AND kind IN ({','.join('?' * len(kinds))})",
            [url, *kinds]).fetchall()
        return [e for (u,) in rows if (e := self.get(u)) is not None]

    def requeue_failed(self, scopes: Iterable[str], max_attempts: int) -> int:
        """Failures of earlier runs get another try (until ``max_attempts``)."""
        scopes = list(scopes)
        marks = ",".join("?" * len(scopes))
        with self.db.atomic():
            cur = self.db.execute(
                f"UPDATE crawl_frontier SET state = 'pending', updated_at = ? "
                f"WHERE state = 'failed' AND attempts < ? AND scope IN ({marks})",
                [_now(), max_attempts, *scopes])
        return cur.rowcount

    def next(self, scopes: Iterable[str], states: tuple[str, ...] = ("pending",), limit: int = 1) -> list[FrontierEntry]:
        """The next ``limit`` entries to visit, in order (feeds and sitemaps, articles, listings)."""
        scopes = list(scopes)
        rows = self.db.execute(
            f"SELECT url FROM crawl_frontier WHERE state IN ({','.join('?' * len(states))}) "
            f"AND scope IN ({','.join('?' * len(scopes))}) ORDER BY priority, rowid LIMIT ?",
            [*states, *scopes, limit]).fetchall()
        return [e for (u,) in rows if (e := self.get(u)) is not None]

    def mark(self, url: str, state: str, run_id: int, *, reason: str | None = None, article_key: str | None = None,
             failed: bool = False, response_id: int | None = None) -> None:
        sets = ["state = ?", "reason = ?", "run_id = ?", "updated_at = ?"]
        params: list = [state, reason, run_id, _now()]
        if article_key is not None:
            sets.append("article_key = ?")
            params.append(article_key)
        if response_id is not None:
            sets.append("response_id = ?")
            params.append(response_id)
        if failed:
            sets.append("attempts = attempts + 1")
        with self.db.atomic():
            self.db.execute(f"UPDATE crawl_frontier SET {', '.join(sets)} WHERE url = ?", [*params, url])

    def counts(self, scopes: Iterable[str]) -> dict[str, int]:
        scopes = list(scopes)
        rows = self.db.execute(
            f"SELECT state, COUNT(*) FROM crawl_frontier WHERE scope IN ({','.join('?' * len(scopes))}) GROUP BY 1",
            scopes).fetchall()
        return dict(rows)

    # -- responses -------------------------------------------------------------

    def save_fetch(self, frontier_url: str, result: FetchResult, run_id: int) -> int | None:
        """Store every exchange of a fetch; return the id of the final one (None if there was none)."""
        final_id = None
        with self.db.atomic():
            for i, ex in enumerate(result.exchanges):
                body = ex.body
                ctype = (ex.header("content-type") or "").split(";")[0].strip().lower() or None
                row_id = self.db["crawl_responses"].insert({
                    "run_id": run_id, "frontier_url": frontier_url, "url": ex.url, "final_url": result.final_url,
                    "hop": ex.hop, "attempt": ex.attempt, "is_final": int(i == len(result.exchanges) - 1),
                    "status": ex.status, "headers": json.dumps(ex.headers, ensure_ascii=False),
                    "request_headers": json.dumps(ex.request_headers, ensure_ascii=False),
                    "started_at": ex.started_at, "elapsed": ex.elapsed, "error": ex.error,
                    "truncated": int(ex.truncated), "content_type": ctype,
                    "body": zlib.compress(body, 6) if body is not None else None,
                    "body_size": len(body) if body is not None else None,
                    "body_sha256": hashlib.sha256(body).hexdigest() if body is not None else None,
                }).last_pk
                final_id = row_id
        return final_id

    def response(self, response_id: int) -> StoredResponse | None:
        row = self.db.execute("SELECT id, url, final_url, status, headers, body FROM crawl_responses WHERE id = ?",
                              [response_id]).fetchone()
        if not row:
            return None
        rid, url, final_url, status, headers, body = row
        return StoredResponse(id=rid, url=url, final_url=final_url, status=status,
                              headers=[tuple(h) for h in json.loads(headers or "[]")],
                              body=zlib.decompress(body) if body is not None else None)

    def fetched_response(self, url: str) -> StoredResponse | None:
        """The stored final response of a frontier entry in state "fetched"."""
        row = self.db.execute("SELECT response_id FROM crawl_frontier WHERE url = ?", [url]).fetchone()
        return self.response(row[0]) if row and row[0] else None

    def validators(self, url: str) -> dict[str, str] | None:
        """ETag / Last-Modified of the last successful response for a frontier URL (conditional GET)."""
        row = self.db.execute(
            "SELECT headers FROM crawl_responses WHERE frontier_url = ? AND is_final = 1 AND status = 200 "
            "ORDER BY id DESC LIMIT 1", [url]).fetchone()
        if not row:
            return None
        headers = {k.lower(): v for k, v in json.loads(row[0] or "[]")}
        found = {"etag": headers.get("etag"), "last_modified": headers.get("last-modified")}
        return {k: v for k, v in found.items() if v} or None

    def robots(self, origin: str, ttl: float) -> tuple[int | None, bytes | None, str | None] | None:
        """A robots.txt fetched less than ``ttl`` seconds ago, as (status, body, error)."""
        since = (datetime.now(UTC) - timedelta(seconds=ttl)).isoformat(timespec="milliseconds")
        row = self.db.execute(
            "SELECT status, body, error FROM crawl_responses WHERE frontier_url = ? AND is_final = 1 "
            "AND started_at >= ? ORDER BY id DESC LIMIT 1", [origin + "/robots.txt", since]).fetchone()
        if not row:
            return None
        status, body, error = row
        if status is None or status >= 500:
            return None  # an unreachable robots.txt is asked again, not remembered
        return status, zlib.decompress(body) if body is not None else None, error

    # -- articles ----------------------------------------------------------------

    def alias(self, url: str) -> str | None:
        row = self.db.execute("SELECT article_key FROM crawl_aliases WHERE url = ?", [url]).fetchone()
        return row[0] if row else None

    def add_alias(self, url: str, key: str, how: str) -> None:
        with self.db.atomic():
            self.db["crawl_aliases"].insert({"url": url, "article_key": key, "how": how, "found_at": _now()},
                                            replace=True)

    def key_with_text(self, text_sha256: str, other_than: str) -> str | None:
        """An article already stored with exactly this cleaned text, under another key."""
        row = self.db.execute("SELECT key FROM articles WHERE text_sha256 = ? AND key != ? LIMIT 1",
                              [text_sha256, other_than]).fetchone()
        return row[0] if row else None

    def stored_text_hash(self, key: str) -> str | None:
        row = self.db.execute("SELECT text_sha256 FROM articles WHERE key = ?", [key]).fetchone()
        return row[0] if row else None

    def save_article_meta(self, row: dict) -> None:
        with self.db.atomic():
            self.db["crawl_articles"].insert({**row, "fetched_at": _now()}, replace=True)

    def resolve_failures(self, source: str) -> None:
        """A URL that failed before and now went through: its failures are resolved
        (``Store.save`` does this for articles; hub pages and skips come here)."""
        with self.db.atomic():
            self.db.execute("UPDATE failures SET resolved = 1 WHERE source = ? AND resolved = 0", [source])
