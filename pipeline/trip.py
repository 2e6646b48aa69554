"""The one trip of an article: raw bytes → decode → clean → segment → extract → store.

Whatever brings an article (a file, a crawl, ``process``/``reprocess``, a Dask
worker), it goes through ``read`` here, and its outcome is stored by ``land``:

* ``read(source)`` runs the stages in the worker and returns plain, picklable
  data: an ``Extracted`` article (cleaned text, sentence spans, facts, warnings)
  or a ``Failure`` naming the stage, the reason and the exception type.
* ``land(store, source, outcome)`` writes either in one transaction.  A failure
  keeps the raw bytes in ``failures``.

This is the isolation boundary: any exception raised by any stage for one input
becomes that input's ``Failure`` and the run goes on.  ``VNFACTS_RAISE=1``
re-raises instead (to debug a stage with a traceback).
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Literal

from pydantic import BaseModel

from pipeline.errors import InputError
from pipeline.read.clean import CleanArticle
from pipeline.schema import KINDS, ArticleFacts, Source

__all__ = [
    "Stage", "Failure", "Extracted", "Outcome", "MAX_TEXT_CHARS", "ENV_RAISE", "read", "land", "Trip",
    "report_line",
]

Stage = Literal["fetch", "decode", "clean", "segment", "extract", "store"]

# Past this length a "text" is a data dump or a runaway page, not one article: refused
# with a reason rather than held in memory through every stage.
MAX_TEXT_CHARS = 5_000_000
ENV_RAISE = "VNFACTS_RAISE"


class Failure(BaseModel):
    stage: Stage
    reason: str
    error_type: str = "InputError"

    ok: Literal[False] = False


class Extracted(BaseModel):
    article: CleanArticle
    sentences: list[tuple[int, int]]
    facts: ArticleFacts
    warnings: list[str] = []
    raw_sha256: str

    ok: Literal[True] = True


Outcome = Extracted | Failure


def _raise_wanted() -> bool:
    return os.environ.get(ENV_RAISE, "").strip() not in ("", "0", "false", "no")


def _failure(stage: Stage, exc: BaseException) -> Failure:
    if isinstance(exc, InputError):
        return Failure(stage=stage, reason=str(exc), error_type=type(exc).__name__)
    # a bug met on this input: say where, keep it on one line
    message = " ".join(str(exc).split())[:300]
    return Failure(stage=stage, reason=f"internal error in {stage}: {type(exc).__name__}: {message}",
                   error_type=type(exc).__name__)


def read(source: Source) -> Outcome:
    """Decode, clean, segment and extract one input; never raises (but see ``VNFACTS_RAISE``)."""
    from pipeline.nlp.extract import extract_doc
    from pipeline.nlp.segment import make_doc
    from pipeline.read.clean import clean_decoded
    from pipeline.read.decode import decode

    stage: Stage = "decode"
    try:
        decoded = decode(source.raw, source.content_type)
        stage = "clean"
        article = clean_decoded(decoded, url=source.url)
        if len(article.text) > MAX_TEXT_CHARS:
            raise InputError(f"text too long for one article: {len(article.text):,} characters after cleaning "
                             f"(limit {MAX_TEXT_CHARS:,})")
        stage = "segment"
        doc = make_doc(article, name=source.doc, published=source.published)
        stage = "extract"
        facts = extract_doc(doc)
        return Extracted(article=article, sentences=list(doc._.sents), facts=facts, warnings=decoded.warnings,
                         raw_sha256=hashlib.sha256(source.raw).hexdigest())
    except (KeyboardInterrupt, SystemExit):
        raise
    except Exception as exc:  # noqa: BLE001 - the isolation boundary
        if _raise_wanted():
            raise
        return _failure(stage, exc)


def land(store, source: Source, outcome: Outcome, versions: dict[str, str] | None = None) -> Outcome:
    """Store ``outcome`` (an article and its facts, or a failure with the raw bytes).

    Returns the outcome, or the ``Failure`` of the store stage when writing it failed
    (that failure is recorded in its place)."""
    from pipeline.nlp.extract import VERSIONS

    if isinstance(outcome, Failure):
        store.record_failure(source, outcome.stage, outcome.reason, outcome.error_type)
        return outcome
    try:
        store.save(source, outcome.article, outcome.sentences, outcome.facts, versions or VERSIONS,
                   warnings=outcome.warnings)
        return outcome
    except (KeyboardInterrupt, SystemExit):
        raise
    except Exception as exc:  # noqa: BLE001 - one article's write must not end the run
        if _raise_wanted():
            raise
        failure = _failure("store", exc)
        store.record_failure(source, failure.stage, failure.reason, failure.error_type)
        return failure


def report_line(where: str, reason: str) -> None:
    """The one stderr line a failed input gets: ``vnfacts: PATH: reason``."""
    print(f"vnfacts: {where}: {reason}", file=sys.stderr, flush=True)


class Trip:
    """Read and (with a store) land each input, counting what happened.

    ``on_failure`` is told of every failure (by default: its stderr line)."""

    def __init__(self, store=None, *, on_failure: Callable[[Source, Failure], None] | None = None,
                 versions: dict[str, str] | None = None):
        self.store = store
        self.versions = versions
        self.on_failure = on_failure or (lambda source, failure: report_line(source.where, failure.reason))
        self.ok = 0
        self.failed = 0
        self.problems = 0  # paths that gave no input at all (a folder without articles, a typo)
        self.facts: dict[str, int] = dict.fromkeys(KINDS, 0)

    def run_paths(self, paths: Iterable[Path], want: Callable[[Source], bool] | None = None
                  ) -> Iterator[tuple[Source, Outcome]]:
        """Every article file under ``paths`` (``want``: those it accepts) through the trip,
        in order (``pipeline.fetch.files``)."""
        from pipeline.fetch.files import Found, sources

        for item in sources(paths):
            if want is not None and not isinstance(item, Found) and not want(item):
                continue
            if isinstance(item, Found):
                if item.unreadable:
                    source = Source(key=f"file:{item.path.name}", doc=item.path.name, raw=b"", path=str(item.path))
                    yield source, self.refuse(source, "fetch", item.problem or "cannot read")
                else:
                    self.problems += 1
                    report_line(str(item.path), item.problem or "no input")
                continue
            yield item, self.run(item)

    def run(self, source: Source) -> Outcome:
        outcome = read(source)
        return self.finish(source, outcome)

    def refuse(self, source: Source, stage: Stage, reason: str, error_type: str = "InputError") -> Failure:
        """An input that failed before the trip could start (a file that cannot be read)."""
        return self.finish(source, Failure(stage=stage, reason=reason, error_type=error_type))  # type: ignore[return-value]

    def finish(self, source: Source, outcome: Outcome) -> Outcome:
        if self.store is not None:
            outcome = land(self.store, source, outcome, self.versions)
        if isinstance(outcome, Failure):
            self.failed += 1
            self.on_failure(source, outcome)
        else:
            self.ok += 1
            for kind in KINDS:
                self.facts[kind] += len(getattr(outcome.facts, kind))
        return outcome
