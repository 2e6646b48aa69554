"""Tables built once and kept, so that a cold ``vnfacts`` loads them in a few tens of ms.

The segmenter's window tables (``pipeline.nlp.wordseg``: underthesea's CRF model
regrouped, ~0.4 s to build) and the gazetteer (``gazetteer.admin``: ~0.2 s to read and
index vietnamadminunits) are built on first use and pickled into the user's cache
(``$VNFACTS_CACHE``, else ``$XDG_CACHE_HOME/vnfacts``, else ``~/.cache/vnfacts``); later
processes unpickle them.  Nothing is committed to the repository.

A kept table is used only if it was built from the same inputs by the same code: its
file name carries a digest of the input files (path, size, mtime) and of the source of
the modules that build it, so upgrading underthesea or vietnamadminunits, or editing the
building code, builds it again.  Any problem with the cache (unwritable, damaged, a
concurrent writer) falls back to building in memory: the cache can only save time.
"""

from __future__ import annotations

import gc
import hashlib
import os
import pickle
import sys
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

__all__ = ["ENV_CACHE", "cache_dir", "load"]

ENV_CACHE = "VNFACTS_CACHE"  # a directory, or "off" to build in memory every time
_FORMAT = 1

T = TypeVar("T")


def cache_dir() -> Path | None:
    where = os.environ.get(ENV_CACHE, "").strip()
    if where.lower() in ("off", "0", "no"):
        return None
    if where:
        return Path(where)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "vnfacts"


def _digest(inputs: Iterable[Path], code: Iterable[Path]) -> str:
    h = hashlib.blake2b(f"{_FORMAT}\t{sys.version_info[:2]}\t{pickle.HIGHEST_PROTOCOL}".encode(), digest_size=12)
    for path in inputs:
        st = path.stat()
        h.update(f"{path.resolve()}\t{st.st_size}\t{st.st_mtime_ns}\n".encode())
    for path in code:
        h.update(path.read_bytes())
    return h.hexdigest()


def load(name: str, build: Callable[[], T], inputs: Iterable[Path], code: Iterable[Path]) -> T:
    """``build()``'s result, from the cache when it holds one made from the same ``inputs``
    (data files) by the same ``code`` (source files); else built and kept."""
    directory = cache_dir()
    if directory is None:
        return build()
    try:
        path = directory / f"{name}-{_digest(inputs, code)}.pickle"
    except OSError:
        return build()
    try:
        with open(path, "rb") as fh:
            data = fh.read()
        gc.disable()  # a few hundred thousand objects, none cyclic garbage: no collections meanwhile
        try:
            return pickle.loads(data)
        finally:
            gc.enable()
    except FileNotFoundError:
        pass
    except Exception:  # noqa: BLE001 - a damaged or foreign file: build again
        pass
    value = build()
    try:
        directory.mkdir(parents=True, exist_ok=True)
        for old in directory.glob(f"{name}-*.pickle"):  # made from other inputs or code
            old.unlink(missing_ok=True)
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{name}-", suffix=".tmp")
    except OSError:
        return value
    try:
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)  # atomic: a concurrent reader sees the whole file or none
    except Exception:  # noqa: BLE001 - the cache only saves time
        Path(tmp).unlink(missing_ok=True)
    return value
