"""Inputs from the local disk: files and folders in, ``Source``s out.

A folder is walked with its subfolders (hidden ones left out) for the files an
article can be in: ``.txt``, ``.html``, ``.htm``, ``.xhtml`` and files without
an extension.  ``manifest.toml`` files give what the file itself cannot: the
URL, the site and the publication date (see ``corpus/manifest.toml``).

An article's identity (``Source.key``) is its URL when a manifest gives one,
else ``file:`` and its path relative to the folder it was ingested from (a file
named on the command line: its name).  If that key already holds another
file's article, the store takes the next of the longer paths in
``Source.alt_keys`` (``pipeline.store.Store.key_for``): two different files
never share a key, and the same file ingested again replaces its article.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

from pipeline.schema import Source

__all__ = ["SUFFIXES", "MANIFEST", "Found", "find_files", "source_for", "sources", "manifest_entry"]

MANIFEST = "manifest.toml"
SUFFIXES = (".txt", ".html", ".htm", ".xhtml", "")


@dataclass(frozen=True)
class Found:
    """A path given or found: a file with the folder it was found in, or a problem."""

    path: Path
    root: Path  # the folder given (a file given directly: its own folder)
    problem: str | None = None  # a folder without articles, a path that does not exist
    unreadable: bool = False  # a file that exists but cannot be read: a failed input


def _is_article_file(path: Path) -> bool:
    return path.suffix.lower() in SUFFIXES and path.name != MANIFEST and not path.name.startswith(".")


def find_files(paths: Iterable[Path]) -> Iterator[Found]:
    """Files as given; folders walked (subfolders too, sorted, hidden ones left out)."""
    for given in paths:
        if given.is_dir():
            found = sorted(
                (p for p in given.rglob("*")
                 if p.is_file() and _is_article_file(p)
                 and not any(part.startswith(".") for part in p.relative_to(given).parts[:-1])),
                key=lambda p: p.relative_to(given).as_posix(),
            )
            if not found:
                yield Found(given, given, problem=f"no article files in this folder or its subfolders "
                                                  f"(read: {', '.join(s for s in SUFFIXES if s)}, no extension)")
            for path in found:
                yield Found(path, given)
        elif given.exists() or given.is_symlink():
            yield Found(given, given.parent)
        else:
            yield Found(given, given.parent, problem="no such file or folder")


@lru_cache(maxsize=64)
def _load_manifest(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text("utf-8")).get("articles", {})
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return {}


def manifest_entry(path: Path) -> dict:
    """The manifest entry of a file: in a manifest.toml of its folder or of a folder
    above it (up to three levels), by its path relative to that folder or its name."""
    path = path.absolute()
    directory = path.parent
    for _ in range(4):
        candidate = directory / MANIFEST
        if candidate.is_file():
            entries = _load_manifest(candidate)
            relative = path.relative_to(directory).as_posix()
            for name in (relative, path.name):
                if name in entries:
                    return entries[name]
        if directory.parent == directory:
            break
        directory = directory.parent
    return {}


def _published(meta: dict) -> date | None:
    value = meta.get("published")
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def _keys(path: Path, root: Path) -> tuple[str, tuple[str, ...]]:
    """The key and the longer ones to fall back on: relative to ``root``, then with
    more of the folders above, then the absolute path."""
    absolute = path.absolute()
    relative = absolute.relative_to(root.absolute()).as_posix() if absolute.is_relative_to(root.absolute()) else path.name
    parts = absolute.parts
    depth = len(Path(relative).parts)
    longer = ["/".join(parts[-n:]) for n in range(depth + 1, len(parts))]
    return f"file:{relative}", tuple(dict.fromkeys(f"file:{k}" for k in (*longer, absolute.as_posix())))


def source_for(path: Path, root: Path | None = None, raw: bytes | None = None) -> Source:
    """The ``Source`` of a file (read unless ``raw`` is given); OSError if it cannot be read."""
    root = root if root is not None else path.parent
    raw = path.read_bytes() if raw is None else raw
    meta = manifest_entry(path)
    url = meta.get("url") or None
    key, alt_keys = _keys(path, root)
    doc = key.removeprefix("file:")
    return Source(key=url or key, alt_keys=() if url else alt_keys, doc=doc, raw=raw, url=url,
                  site=meta.get("site"), path=str(path), file=path.absolute().as_posix(), published=_published(meta))


def sources(paths: Iterable[Path]) -> Iterator[Source | Found]:
    """A ``Source`` per article file found; a ``Found`` with its problem for a path that
    gives none (a folder without articles, a missing or unreadable file)."""
    for found in find_files(paths):
        if found.problem:
            yield found
            continue
        try:
            yield source_for(found.path, found.root)
        except OSError as exc:
            yield Found(found.path, found.root, problem=f"cannot read: {exc.strerror or exc}", unreadable=True)
