"""Places as people type them, looked up in the store's own gazetteer (``gazetteer_units``).

    places = Places(conn)
    places.find("thanh hoa")            # [Tỉnh Thanh Hóa]
    places.find("tỉnh Ninh Bình")       # [legacy Ninh Bình, the 2025 Ninh Bình]
    places.province("Ninh Binh")        # legacy provinces Hà Nam, Nam Định, Ninh Bình

A name is compared without regard to diacritics, case or tone placement
("Thanh Hoa" = "Thanh Hoá" = "thanh hóa"); when it is typed with diacritics,
the units spelled alike win over the ones that only share its letters.  A unit
word in front ("tỉnh", "huyện", "TP.", "tx" …) restricts the kind.

Both eras are kept: "Ninh Bình" is the legacy province and the 2025 one that
took in Hà Nam and Nam Định, and a reader of the answer is told which.  The
table is read level by level on demand (63 + 34 provinces first, communes only
when a name is not a province or district), so a query naming a province does
not pay for 13,000 communes.  Not the Python gazetteer: a query must not load
the package's data (a cold start) to read a few names.
"""

from __future__ import annotations

import re
import sqlite3
import unicodedata
from dataclasses import dataclass
from functools import cache

from gazetteer.admin import _PROVINCE_ALIASES  # hand-written aliases (TP.HCM, Sài Gòn …): data, not code
from pipeline.text import fold, nfc

__all__ = ["Unit", "Places", "ProvinceChoice", "UnknownPlace", "bare", "is_bare", "loose_key", "UNIT_WORDS"]

LEVELS = ("tỉnh", "huyện", "xã")


@dataclass(frozen=True, slots=True)
class Unit:
    code: str
    name: str
    full_name: str
    level: str
    kind: str
    era: str
    province: str
    province_2025: str | None
    parent_code: str | None


# --------------------------------------------------------------------------- text without marks

@cache
def _bare_table() -> dict[int, str]:
    table = {ord("đ"): "d", ord("Đ"): "D"}
    # Latin-1, Latin Extended-A and -B, Latin Extended Additional: every Vietnamese letter
    for i in (*range(0xC0, 0x250), *range(0x1E00, 0x1F00)):
        c = chr(i)
        base = "".join(x for x in unicodedata.normalize("NFD", c) if not unicodedata.combining(x))
        if base != c and len(base) == 1 and base.isascii():
            table[i] = base
    return table


def bare(text: str) -> str:
    """``text`` without diacritics, case and length kept ("Thanh Hóa" -> "Thanh Hoa"), so that
    offsets found in it are offsets in ``text`` (an NFC string)."""
    return text.translate(_bare_table())


def is_bare(text: str) -> bool:
    """Typed without diacritics: no letter has a mark (and no đ)."""
    return text.isascii()


_DASH = re.compile(r"\s*[-–—‑]\s*")
_LEADING_ZEROS = re.compile(r"(?<!\d)0+(?=\d)")


def loose_key(text: str) -> str:
    """The key names are compared on: no marks (so no tone placement either), lower case,
    one dash style, no leading zeros."""
    return _key(bare(nfc(text)))


def _key(bare_text: str) -> str:
    key = " ".join(bare_text.lower().replace(".", " ").split())
    if "-" in key or "–" in key:
        key = _DASH.sub(" - ", key)
    return _LEADING_ZEROS.sub("", key) if "0" in key else key


# Unit words a name may be typed with, and the kinds they allow ("tp" is a city, "tt" a town).
UNIT_WORDS: dict[str, tuple[str, ...]] = {
    "thanh pho": ("thành phố",), "tp": ("thành phố",), "thi xa": ("thị xã",), "tx": ("thị xã",),
    "thi tran": ("thị trấn",), "tt": ("thị trấn",), "dac khu": ("đặc khu",), "tinh": ("tỉnh", "thành phố"),
    "huyen": ("huyện",), "quan": ("quận",), "phuong": ("phường",), "xa": ("xã",),
}
_LEVEL_OF_KIND = {"tỉnh": "tỉnh", "thành phố": None, "thị xã": "huyện", "huyện": "huyện", "quận": "huyện",
                  "thị trấn": "xã", "phường": "xã", "xã": "xã", "đặc khu": "xã"}
_UNIT_PREFIX = re.compile(r"^(" + "|".join(sorted(UNIT_WORDS, key=len, reverse=True)) + r")\s+(.+)$")


def split_unit_word(text: str) -> tuple[tuple[str, ...] | None, str]:
    """("tỉnh Thanh Hóa") -> (("tỉnh", "thành phố"), "Thanh Hóa"); no unit word: (None, text)."""
    key = loose_key(text)
    m = _UNIT_PREFIX.match(key)
    if not m:
        return None, text
    # the same number of words off the text as written (keys keep the word count, "TP." aside)
    words = text.replace(".", ". ").split()
    return UNIT_WORDS[m.group(1)], " ".join(words[len(m.group(1).split()):])


class UnknownPlace(LookupError):
    def __init__(self, text: str, suggestions: list[str]):
        self.text, self.suggestions = text, suggestions
        hint = f" (did you mean {', '.join(suggestions)}?)" if suggestions else ""
        super().__init__(f"no province or unit called “{text}” in the gazetteer{hint}")


@dataclass(frozen=True)
class ProvinceChoice:
    """What a typed province name stands for: its units of both eras and the legacy
    provinces they cover (the store's facts carry the province as written then)."""

    text: str
    units: tuple[Unit, ...]
    legacy: tuple[str, ...]

    @property
    def name(self) -> str:
        return self.units[0].name

    def describe(self) -> str:
        """"Ninh Bình (since 2025 also Hà Nam, Nam Định)"."""
        others = [p for p in self.legacy if fold(p) != fold(self.name)]
        return f"{self.name} (từ 2025 gồm cả / since 2025 also {', '.join(others)})" if others else self.name


class Places:
    """The store's ``gazetteer_units``, looked up the way people type names."""

    _COLUMNS = "code, name, full_name, level, kind, era, province, province_2025, parent_code"

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self._units: dict[str, Unit] = {}
        self._by_key: dict[tuple[str, str], list[tuple]] = {}  # (level, key) -> rows
        self._loaded: set[str] = set()
        self._successors: list[tuple[str, str]] | None = None

    def _load(self, level: str) -> None:
        if level in self._loaded:
            return
        self._loaded.add(level)
        rows = self._conn.execute(f"SELECT {self._COLUMNS} FROM gazetteer_units WHERE level = ? ORDER BY era DESC, code",
                                  [level]).fetchall()
        # one translate over all the names at once: 13,000 communes in a few milliseconds
        names = bare("\n".join(f"{r[1]}\t{r[4]}" for r in rows)).lower().split("\n")
        index = self._by_key
        for row, pair in zip(rows, names):
            name, kind = pair.split("\t")
            if "." in name or "  " in name or "-" in name or "0" in name:
                name = _key(name)
            keys = [name, f"{kind} {name}"]
            if name.startswith(kind + " "):          # "Phường 1" is also "1" after its unit word
                keys.append(name[len(kind) + 1:])
            if row[2].lower() != f"{row[4]} {row[1].lower()}":
                keys.append(loose_key(row[2]))
            if level == "tỉnh":
                keys += [loose_key(alias) for alias in _PROVINCE_ALIASES.get(row[1], ())]
            for key in keys:
                index.setdefault((level, key), []).append(row)

    def _unit(self, row: tuple) -> Unit:
        unit = self._units.get(row[0])
        if unit is None:
            unit = self._units[row[0]] = Unit(*row)
        return unit

    def find(self, text: str, *, levels: tuple[str, ...] = LEVELS) -> list[Unit]:
        """Units called ``text``, legacy ones first, at the first level of ``levels`` that has any."""
        kinds, name = split_unit_word(text)
        if kinds is not None:
            wanted = {_LEVEL_OF_KIND[k] for k in kinds}
            levels = tuple(lv for lv in levels if lv in wanted or None in wanted)
        key = loose_key(name)
        if not key:
            return []
        for level in levels:
            self._load(level)
            found = [self._unit(r) for r in dict.fromkeys(self._by_key.get((level, key), ()))
                     if kinds is None or r[4] in kinds]
            if found:
                if not is_bare(name):  # typed with its marks: the units spelled alike first
                    same = [u for u in found if fold(u.name) == fold(name) or fold(u.full_name) == fold(text)]
                    found = same or found
                return sorted(found, key=lambda u: (u.era != "legacy", u.code))
        return []

    def get(self, code: str) -> Unit | None:
        if code not in self._units:
            row = self._conn.execute(f"SELECT {self._COLUMNS} FROM gazetteer_units WHERE code = ?", [code]).fetchone()
            if row is None:
                return None
            self._units[code] = Unit(*row)
        return self._units[code]

    def preload(self, codes) -> None:
        """Read the units of ``codes`` in one query (``get`` then answers from memory)."""
        wanted = sorted({c for c in codes if c and c not in self._units})
        for i in range(0, len(wanted), 500):
            chunk = wanted[i : i + 500]
            for row in self._conn.execute(f"SELECT {self._COLUMNS} FROM gazetteer_units WHERE code IN "
                                          f"({','.join('?' * len(chunk))})", chunk):
                self._units[row[0]] = Unit(*row)

    def ancestors(self, unit: Unit) -> list[Unit]:
        out, code = [], unit.parent_code
        while code and (parent := self.get(code)) is not None:
            out.append(parent)
            code = parent.parent_code
        return out

    def contains(self, outer: Unit, inner: Unit) -> bool:
        """Is ``inner`` ``outer`` or inside it (same era)?"""
        return outer.code == inner.code or any(a.code == outer.code for a in self.ancestors(inner))

    def legacy_provinces(self, unit: Unit) -> tuple[str, ...]:
        """The legacy provinces a unit lies in: its own, or for a 2025 province or commune,
        every legacy province merged into its province."""
        if unit.era == "legacy":
            return (unit.province,)
        return tuple(sorted(name for name, successor in self._legacy_successors() if successor == unit.province))

    def _legacy_successors(self) -> list[tuple[str, str]]:
        """(legacy province, its 2025 province) for the 63 legacy provinces."""
        if self._successors is None:
            self._successors = self._conn.execute(
                "SELECT name, province_2025 FROM gazetteer_units WHERE level = 'tỉnh' AND era = 'legacy'").fetchall()
        return self._successors

    def province(self, text: str) -> ProvinceChoice:
        """A province as typed, of either era; ``UnknownPlace`` (with close names) if there is none."""
        units = self.find(text, levels=("tỉnh",))
        if not units:
            raise UnknownPlace(text, self._suggest(text))
        legacy = sorted({p for u in units for p in self.legacy_provinces(u)})
        return ProvinceChoice(text=text, units=tuple(units), legacy=tuple(legacy))

    def _suggest(self, text: str) -> list[str]:
        import difflib

        names = {loose_key(n): n for n, _ in self._legacy_successors()}
        return [names[k] for k in difflib.get_close_matches(loose_key(split_unit_word(text)[1]), list(names), n=3, cutoff=0.75)]
