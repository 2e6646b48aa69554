"""The bundled corpus ingested once per test process, for the query-side tests.

Query tests only read the store, so one build (a few seconds) serves them all.
The store lives in a temporary directory removed when the process exits.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus" / "articles"
GOLD = ROOT / "corpus" / "gold" / "seeds.jsonl"


@cache
def corpus_store() -> Path:
    """Path of a store holding the five bundled articles (built on first call)."""
    from pipeline.store import Store
    from pipeline.trip import Trip

    directory = Path(tempfile.mkdtemp(prefix="vnfacts-corpus-"))
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
    path = directory / "corpus.db"
    store = Store(path)
    summary = Trip(store)
    for _ in summary.run_paths([CORPUS]):
        pass
    store.close()
    assert summary.ok == 5 and summary.failed == 0, summary
    return path
