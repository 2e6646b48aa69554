"""Names units had before the dates the gazetteer's tables were drawn up.

The legacy table shows the units just before the reform of 1 July 2025, so a
unit renamed earlier (Thừa Thiên Huế, a centrally-run city "Huế" from 1 January
2025) carries its late name; an article written before the change names it as
it was then (``data/former_names.tsv``).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from datetime import date
from functools import lru_cache
from importlib import resources

from pipeline.text import fold

__all__ = ["name_on", "written_keys"]


@lru_cache(maxsize=1)
def _former() -> dict[str, list[tuple[date, str]]]:
    text = resources.files("gazetteer").joinpath("data", "former_names.tsv").read_text("utf-8")
    out: dict[str, list[tuple[date, str]]] = {}
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        code, name, since = line.split("\t")
        out.setdefault(code, []).append((date.fromisoformat(since), name))
    for changes in out.values():
        changes.sort()
    return out


def _key(name: str) -> str:
    return " ".join(re.sub(r"\s*[-–]\s*", " ", fold(name)).split())  # "Thừa Thiên - Huế" = "Thừa Thiên Huế"


def written_keys(names: Iterable[str]) -> frozenset[str]:
    """The names an article writes, as :func:`name_on` compares them (once per article)."""
    return frozenset(_key(n) for n in names)


def name_on(code: str, name: str, day: date | None, written: Collection[str] = frozenset()) -> str:
    """The name of unit ``code`` (``name`` in the table) on ``day``.  When the day is
    unknown: the name the article itself writes (``written``: :func:`written_keys`), else
    the former name, borne far longer before the table was drawn up than the late one
    (Thừa Thiên Huế from 1976 to 2024, Huế for the last six months)."""
    for since, former in _former().get(code, ()):
        if day is not None and day < since:
            return former
        if day is None and (_key(former) in written or _key(name) not in written):
            return former
    return name
