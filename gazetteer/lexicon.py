"""Word lists the extractors share: ranks, positions, honorifics, surnames, abbreviations,
words written between a unit word and its name, countries.

They live as plain files in ``gazetteer/data`` so that a reviewer can read and
extend them without touching code.  Every entry is also indexed by ``fold`` so
"Thiếu uý" and "Thiếu úy" are one rank.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from pipeline.text import fold, nfc

__all__ = ["Lexicon", "get_lexicon"]


def _lines(name: str) -> list[str]:
    text = resources.files("gazetteer").joinpath("data", name).read_text("utf-8")
    return [nfc(ln.rstrip("\n")) for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]


@dataclass(frozen=True)
class Lexicon:
    ranks: dict[str, str]  # folded -> canonical spelling
    rank_order: dict[str, int]  # canonical -> seniority
    positions: tuple[str, ...]  # canonical heads, longest first
    honorifics: frozenset[str]  # folded
    surnames: frozenset[str]  # folded
    abbreviations: dict[str, str]  # as written (upper case) -> expansion
    unit_descriptors: tuple[str, ...] = ()  # "biên giới" in "huyện biên giới Sốp Cộp", longest first
    countries: tuple[str, ...] = ()  # as written, longest first

    def expand(self, text: str) -> str:
        """Replace known abbreviations by their expansion, word by word."""
        return " ".join(self.abbreviations.get(w, w) for w in text.split())


@lru_cache(maxsize=1)
def get_lexicon() -> Lexicon:
    ranks: dict[str, str] = {}
    order: dict[str, int] = {}
    for row in _lines("ranks.tsv"):
        name, _force, rank_order = row.split("\t")
        ranks[fold(name)] = name
        order[name] = int(rank_order)
    positions = tuple(sorted({p.strip() for p in _lines("positions.txt")}, key=len, reverse=True))
    abbreviations = {}
    for row in _lines("abbreviations.tsv"):
        short, long = row.split("\t")
        abbreviations[short] = long
    return Lexicon(
        ranks=ranks,
        rank_order=order,
        positions=positions,
        honorifics=frozenset(fold(h) for h in _lines("honorifics.txt")),
        surnames=frozenset(fold(s) for s in _lines("surnames.txt")),
        abbreviations=abbreviations,
        unit_descriptors=tuple(sorted({d.strip() for d in _lines("unit_descriptors.txt")}, key=len, reverse=True)),
        countries=tuple(sorted({c.strip() for c in _lines("countries.txt")}, key=len, reverse=True)),
    )
