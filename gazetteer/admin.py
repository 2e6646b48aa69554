"""Vietnamese administrative units, before and after the 1 July 2025 reform.

The data comes from the installed ``vietnamadminunits`` package and is read at
run time (nothing is copied into this repository):

* ``dataset.db`` table ``admin_units_legacy``: one row per legacy commune with
  its district and province (63 provinces, 696 districts);
* ``dataset.db`` table ``admin_units``: the communes of the 34 provinces of 2025;
* ``converter_2025.json`` ``DICT_PROVINCE``: which legacy provinces merged into
  which 2025 province.

Everything is loaded once per process (:func:`get_gazetteer`) into plain
dictionaries.  Every name key is built with :func:`pipeline.text.fold`, so
"Hoà"/"Hòa" and "thuỷ"/"thủy" are the same key.

Codes are unique across eras: ``"L:01"`` / ``"L:001"`` / ``"L:00001"`` are a
legacy province / district / commune (2, 3 and 5 digits, the GSO codes) and
``"N:01"`` / ``"N:00004"`` a 2025 province / commune.  The GSO reuses numbers
across eras (legacy ward 00004 and 2025 ward 00004 are different units), hence
the prefix.  ``"F:"`` marks a legacy unit merged away before the reform
(:mod:`gazetteer.former`).

Data quirks handled here (see also the tests):

* short names that the source disambiguates with a suffix, "Cai Lậy (Huyện)" /
  "Cai Lậy (Thị xã)", lose the suffix: the kind tells them apart;
* the unit word is taken from the full name when the type column disagrees
  with it ("Thị trấn Ngọc Lặc" typed "Xã"; "Phường 5" of Phú Nhuận typed "Xã";
  four 2025 wards of Hải Phòng and Cần Thơ);
* numbered units ("Phường 1", "Quận 3", Vị Thanh's "Phường I" … "Phường VII")
  are named with their unit word, as written in the press, and can also be
  looked up by the bare number;
* five legacy districts have no communes at all (Bạch Long Vĩ, Cồn Cỏ, Hoàng Sa,
  Lý Sơn, Côn Đảo): the legacy table has a row for each with an empty commune,
  so it has 10,040 rows but 10,035 communes.
"""

from __future__ import annotations

import copyreg
import importlib.util
import json
import re
import sqlite3
import sys
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from gazetteer.former import PREFIX as FORMER
from gazetteer.former import data_files as former_data_files
from gazetteer.former import former_units
from pipeline.text import fold

__all__ = [
    "ERAS",
    "KINDS",
    "LEVELS",
    "Gazetteer",
    "Unit",
    "data_dir",
    "get_gazetteer",
    "name_key",
]

LEVELS: tuple[str, ...] = ("tỉnh", "huyện", "xã")
KINDS: tuple[str, ...] = (
    "tỉnh", "thành phố", "huyện", "quận", "thị xã", "xã", "phường", "thị trấn", "đặc khu",
)
ERAS: tuple[str, ...] = ("legacy", "2025")


@dataclass(frozen=True, slots=True)
class Unit:
    """One administrative unit of one era."""

    code: str                 # "L:01", "L:001", "L:00001", "N:01", "N:00004", "F:13288" (gazetteer.former)
    name: str                 # short proper name with diacritics: "Bình Lục", "Phường 1"
    full_name: str            # "Huyện Bình Lục"
    level: str                # "tỉnh" | "huyện" | "xã"
    kind: str                 # unit word, lower case: "thành phố", "thị trấn", …
    era: str                  # "legacy" | "2025"
    province_code: str        # the unit's own code for a province
    province: str             # short name of its province (itself for a province)
    district_code: str | None  # legacy communes only
    district: str | None       # legacy communes only
    lat: float | None
    lon: float | None
    province_2025: str        # 2025 province the unit's province became part of


# --------------------------------------------------------------------------- keys

# Dash and apostrophe lookalikes, spacing around dashes, leading zeros ("Phường 01").
_DASHES = str.maketrans({"–": "-", "—": "-", "‑": "-", "’": "'", "‘": "'", "ʼ": "'", "`": "'"})
_AROUND_DASH = re.compile(r"\s*-\s*")
_LEADING_ZEROS = re.compile(r"(?<!\d)0+(?=\d)")
_KEY_FIXES = re.compile(r"[-–—‑’‘ʼ`0]")


def _key_of_folded(folded: str) -> str:
    if not _KEY_FIXES.search(folded):      # nearly every name: nothing to do
        return folded
    key = folded.translate(_DASHES)
    if "-" in key:
        key = _AROUND_DASH.sub(" - ", key)
    return _LEADING_ZEROS.sub("", key)


def name_key(text: str) -> str:
    """Lookup key of a name: :func:`fold`, one dash and apostrophe style, no leading zeros."""
    return _key_of_folded(fold(text))


# Unit words that may open a full name.
_KIND_WORD_SET = frozenset(KINDS)
_SUFFIX = re.compile(r"\s*\([^)]*\)\s*$")                 # "Cai Lậy (Huyện)"
_NUMBER = re.compile(r"(?:\d+|[IVX]+)")                   # "1", "VII"

# What a caller may put before a name in a query, and the kind it implies.
_QUERY_PREFIX = re.compile(
    r"^(?:(?P<word>thành phố|thị xã|thị trấn|đặc khu|tỉnh|huyện|quận|phường|xã)\s+"
    r"|(?P<abbr>tp|tx|tt)(?:\.\s*|\s+)"
    r"|(?P<letter>[hqpfx])(?:\.\s*|(?=\d)))"
    r"(?P<rest>.+)$"
)
_ABBREVIATIONS = {"tp": "thành phố", "tx": "thị xã", "tt": "thị trấn",
                  "h": "huyện", "q": "quận", "p": "phường", "f": "phường", "x": "xã"}

# Hand-written aliases of provinces (the package's own aliases are ASCII keys
# such as "hcm", not names).  They apply to the province of both eras.
_PROVINCE_ALIASES: dict[str, tuple[str, ...]] = {
    "Hồ Chí Minh": ("TP.HCM", "TP HCM", "TPHCM", "HCM", "Sài Gòn"),
    "Huế": ("Thừa Thiên Huế", "Thừa Thiên - Huế", "TT-Huế", "TT Huế"),
    "Hà Nội": ("HN", "TP.HN"),
    "Bà Rịa - Vũng Tàu": ("BR-VT", "BRVT"),
    "Bắc Kạn": ("Bắc Cạn",),
    "Đắk Lắk": ("Đăk Lăk", "Đắc Lắc"),
    "Đắk Nông": ("Đăk Nông", "Đắc Nông"),
    "Kon Tum": ("Kontum",),
}

_LEVEL_ORDER = {lvl: i for i, lvl in enumerate(LEVELS)}
_ERA_ORDER = {era: i for i, era in enumerate(ERAS)}


def _sort_key(unit: Unit) -> tuple[int, int, bool, str]:
    return (_ERA_ORDER[unit.era], _LEVEL_ORDER[unit.level], unit.code.startswith(FORMER), unit.code)


def _kind_of(full_name: str, type_column: str | None) -> str:
    """The unit word: from the full name when it starts with one, else the type column."""
    # The data is NFC and no unit word has a tone mark that retone would move.
    words = full_name.lower().split(" ", 2)
    if len(words) > 1:
        if words[0] + " " + words[1] in _KIND_WORD_SET:
            return words[0] + " " + words[1]
        if words[0] in _KIND_WORD_SET:
            return words[0]
    kind = fold(type_column or "")
    if kind not in KINDS:
        raise ValueError(f"unknown unit type {type_column!r} for {full_name!r}")
    return kind


def _names(short: str, kind: str) -> tuple[str, str, str | None]:
    """(name, full_name, bare number or None) from a short name and its kind."""
    if short.endswith(")"):
        short = _SUFFIX.sub("", short)
    short = short.strip()
    word = kind.capitalize()
    if short[-1].isdigit() or short[-1] in "IVX":
        bare = short
        if short.lower().startswith(kind + " ") and _NUMBER.fullmatch(short[len(kind) + 1:]):
            bare = short[len(kind) + 1:]                 # "Phường 1" -> "1"
        if _NUMBER.fullmatch(bare):
            name = f"{word} {bare}"
            return name, name, bare
    return short, f"{word} {short}", None


def _variants(name: str) -> list[str]:
    """Written forms of a name worth matching in text besides the name itself."""
    out = []
    if " - " in name:                                    # "Bà Rịa - Vũng Tàu"
        out += [name.replace(" - ", "-"), name.replace(" - ", " ")]
    if name[-1].isdigit() and not name[-2].isdigit() and name[-2] == " ":
        out.append(f"{name[:-1]}0{name[-1]}")            # "Phường 1" -> "Phường 01"
    if _DAK.search(name) or "'" in name:
        # the Central Highlands' names as the press spells them: "Đăk Nông", "Đắc Lắk", "Đăk Rlấp"
        for dak in ("Đắk", "Đăk", "Đắc", "Đak"):
            spelt = _DAK.sub(dak, name)
            out += [v for v in (spelt, spelt.replace("'", "").replace("’", "")) if v != name]
    return list(dict.fromkeys(out))


_DAK = re.compile(r"(?<!\w)(?:Đắk|Đăk|Đắc|Đak)(?!\w)")


# ----------------------------------------------------------------------- loading

def data_dir() -> Path:
    """Directory of the installed vietnamadminunits data files.

    Found with ``find_spec``, which does not import the package: its
    ``__init__`` builds the package's own parsers and takes over a second.
    """
    spec = importlib.util.find_spec("vietnamadminunits")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("the vietnamadminunits package is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def _reduce_unit(unit: Unit) -> tuple:
    # pickled as its fields, rebuilt by __init__: a third faster to load than the
    # dataclass's own state (the prebuilt gazetteer holds 14,000 units)
    return Unit, tuple(getattr(unit, name) for name in Unit.__slots__)


copyreg.pickle(Unit, _reduce_unit)


def _connect(path: Path) -> sqlite3.Connection:
    # Read-only and immutable: never create journal files in site-packages.
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)


_SQL = {
    "new_provinces": "SELECT DISTINCT provinceCode, province, provinceShort, provinceLat, provinceLon,"
                     " provinceKey FROM admin_units",
    "new_wards": "SELECT provinceCode, ward, wardShort, wardType, wardCode, wardLat, wardLon"
                 " FROM admin_units",
    "provinces": "SELECT DISTINCT provinceCode, province, provinceShort, provinceLat, provinceLon,"
                 " provinceKey FROM admin_units_legacy",
    "districts": "SELECT DISTINCT provinceCode, district, districtShort, districtType, districtCode,"
                 " districtLat, districtLon FROM admin_units_legacy",
    # Five rows have no commune: districts without communes (island districts).
    "wards": "SELECT districtCode, ward, wardShort, wardType, wardCode, wardLat, wardLon"
             " FROM admin_units_legacy WHERE wardCode IS NOT NULL AND wardCode != ''",
}


class _Builder:
    """Collects units, parent links and name keys while the tables are read."""

    def __init__(self) -> None:
        self.units: dict[str, Unit] = {}
        self.parents: dict[str, str | None] = {}
        self.index: dict[str, list[Unit]] = defaultdict(list)
        self.by_first: dict[str, set[str]] = defaultdict(set)
        self.province_keys: set[str] = set()
        self.max_words = 1

    def add(self, unit: Unit, parent: str | None, bare: str | None = None,
            aliases: Iterable[str] = ()) -> None:
        if unit.code in self.units:
            raise ValueError(f"duplicate code {unit.code}")
        self.units[unit.code] = unit
        self.parents[unit.code] = parent
        folded = fold(unit.name)
        name_k = _key_of_folded(folded)
        keys = {name_k, name_k if unit.full_name == unit.name else f"{unit.kind} {name_k}"}
        if bare is not None:          # bare numbers: lookup only, too ambiguous to match in text
            keys.add(name_key(bare))
        surfaces = [folded]
        if aliases or " - " in folded or folded[-1].isdigit() or "đ" in folded or "'" in folded:
            surfaces += [fold(v) for v in _variants(unit.name)]
            for alias in aliases:
                surfaces += [fold(alias), *(fold(v) for v in _variants(alias))]
            keys.update(_key_of_folded(f) for f in surfaces)
        for surface in surfaces:
            first, _, rest = surface.partition(" ")
            self.by_first[first].add(surface)
            if rest:
                self.max_words = max(self.max_words, surface.count(" ") + 1)
        for key in keys:
            self.index[key].append(unit)
        if unit.level == "tỉnh":
            self.province_keys.update(_key_of_folded(f) for f in surfaces)


class Gazetteer:
    """In-memory index of the legacy and 2025 administrative units."""

    def __init__(self, built: _Builder) -> None:
        """Use :meth:`load` or :func:`get_gazetteer` rather than calling this directly."""
        self._units = built.units
        self._parent = built.parents
        children: dict[str, list[str]] = defaultdict(list)
        for code, parent in built.parents.items():
            if parent is not None:
                children[parent].append(code)
        self._children = {p: tuple(sorted(cs)) for p, cs in children.items()}
        self._index: dict[str, tuple[Unit, ...]] = {
            key: tuple(units) if len(units) == 1 else tuple(sorted(units, key=_sort_key))
            for key, units in built.index.items()
        }
        self._by_first = {k: frozenset(v) for k, v in built.by_first.items()}
        self._province_names = frozenset(fold(u.name) for u in self._units.values() if u.level == "tỉnh")
        self._province_keys = frozenset(built.province_keys)
        self.max_name_words: int = built.max_words
        """Longest name or alias, in whitespace-separated syllables."""

    @classmethod
    def load(cls, directory: Path | None = None) -> Gazetteer:
        """Read ``dataset.db`` and ``converter_2025.json`` from ``directory``
        (default: the installed vietnamadminunits package)."""
        directory = directory or data_dir()
        with open(directory / "converter_2025.json", encoding="utf-8") as fh:
            merged = json.load(fh)["DICT_PROVINCE"]        # 2025 province key -> legacy keys
        con = _connect(directory / "dataset.db")
        try:
            rows = {name: con.execute(sql).fetchall() for name, sql in _SQL.items()}
        finally:
            con.close()

        b = _Builder()
        short_2025 = {key: short for _, _, short, _, _, key in rows["new_provinces"]}
        successor = {old: short_2025[new] for new, olds in merged.items() for old in olds}

        # Legacy provinces, districts, communes.
        coords: dict[str, tuple[float | None, float | None]] = {}
        for p_code, p_full, p_short, lat, lon, key in rows["provinces"]:
            code = f"L:{p_code}"
            kind = _kind_of(p_full, None)
            b.add(Unit(code, p_short, f"{kind.capitalize()} {p_short}", "tỉnh", kind, "legacy",
                       code, p_short, None, None, lat, lon, successor[key]),
                  None, aliases=_PROVINCE_ALIASES.get(p_short, ()))
            coords[code] = (lat, lon)
        for p_code, d_full, d_short, d_type, d_code, lat, lon in rows["districts"]:
            code, province = f"L:{d_code}", b.units[f"L:{p_code}"]
            kind = _kind_of(d_full, d_type)
            name, full, bare = _names(d_short, kind)
            # A district without coordinates gets its province's (none lacks them in 1.0.4).
            if lat is None or lon is None:
                lat, lon = coords[province.code]
            b.add(Unit(code, name, full, "huyện", kind, "legacy", province.code, province.name,
                       None, None, lat, lon, province.province_2025), province.code, bare)
            coords[code] = (lat, lon)
        for d_code, w_full, w_short, w_type, w_code, lat, lon in rows["wards"]:
            district = b.units[f"L:{d_code}"]
            kind = _kind_of(w_full, w_type)
            name, full, bare = _names(w_short, kind)
            # A commune without coordinates gets its district's, which may itself be
            # its province's (none lacks them in 1.0.4; the source already did this
            # for some units, e.g. the communes of Trường Sa sit on Khánh Hòa's point).
            if lat is None or lon is None:
                lat, lon = coords[district.code]
            b.add(Unit(f"L:{w_code}", name, full, "xã", kind, "legacy", district.province_code,
                       district.province, district.code, district.name, lat, lon,
                       district.province_2025), district.code, bare)

        # Units the 2023–2025 mergers dissolved (gazetteer.former), after the current ones.
        current = {code: (u.name, b.parents[code]) for code, u in b.units.items() if u.era == "legacy"}
        for level, code, full, short, parent_code in former_units(current):
            parent = b.units[parent_code]
            kind = _kind_of(full, None)
            name, full, bare = _names(short, kind)
            district = (parent.code, parent.name) if level == "xã" else (None, None)
            b.add(Unit(code, name, full, level, kind, "legacy", parent.province_code, parent.province, *district,
                       parent.lat, parent.lon, parent.province_2025), parent.code, bare)

        # 2025 provinces and communes.
        for p_code, p_full, p_short, lat, lon, _ in rows["new_provinces"]:
            code = f"N:{p_code}"
            kind = _kind_of(p_full, None)
            b.add(Unit(code, p_short, f"{kind.capitalize()} {p_short}", "tỉnh", kind, "2025",
                       code, p_short, None, None, lat, lon, p_short),
                  None, aliases=_PROVINCE_ALIASES.get(p_short, ()))
        for p_code, w_full, w_short, w_type, w_code, lat, lon in rows["new_wards"]:
            province = b.units[f"N:{p_code}"]
            kind = _kind_of(w_full, w_type)
            name, full, bare = _names(w_short, kind)
            # A commune without coordinates gets its province's (none lacks them in 1.0.4).
            if lat is None or lon is None:
                lat, lon = province.lat, province.lon
            b.add(Unit(f"N:{w_code}", name, full, "xã", kind, "2025", province.code,
                       province.name, None, None, lat, lon, province.name), province.code, bare)
        return cls(b)

    # -- queries ----------------------------------------------------------------

    def lookup(self, name: str, *, level: str | None = None, kind: str | None = None,
               era: str | None = None) -> list[Unit]:
        """Units called ``name`` (compared with :func:`fold`), optionally filtered.

        ``name`` may be a short name ("Bình Lục"), a full name ("Huyện Bình Lục"),
        an abbreviated one ("TP Lạng Sơn", "TX. Thái Hòa", "Q.3", "P1"), a number
        ("1", "Phường 01") or a province alias ("TP.HCM", "Sài Gòn", "Thừa Thiên Huế").
        A unit word in the query restricts the kind.  Results are ordered legacy
        first, then by level and code.
        """
        if level is not None and level not in LEVELS:
            raise ValueError(f"level must be one of {LEVELS}, not {level!r}")
        if era is not None and era not in ERAS:
            raise ValueError(f"era must be one of {ERAS}, not {era!r}")
        if kind is not None:
            kind = fold(kind)
            if kind not in KINDS:
                raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")

        key = name_key(name)
        found = self._index.get(key, ())
        implied = None
        if not found:
            m = _QUERY_PREFIX.match(key)
            if m:
                implied = m["word"] or _ABBREVIATIONS[m["abbr"] or m["letter"]]
                found = self._index.get(name_key(m["rest"]), ())
        return [u for u in found
                if (level is None or u.level == level)
                and (kind is None or u.kind == kind)
                and (implied is None or u.kind == implied)
                and (era is None or u.era == era)]

    def get(self, code: str) -> Unit:
        """The unit with this code (``KeyError`` if there is none)."""
        return self._units[code]

    def __contains__(self, code: object) -> bool:
        return code in self._units

    def __len__(self) -> int:
        return len(self._units)

    def __iter__(self) -> Iterator[Unit]:
        return iter(self._units.values())

    def provinces(self, era: str | None = "legacy") -> list[Unit]:
        """Provinces of one era (``None``: both), ordered by code."""
        return sorted((u for u in self._units.values()
                       if u.level == "tỉnh" and (era is None or u.era == era)), key=_sort_key)

    def children(self, code: str | Unit) -> list[Unit]:
        """Direct subdivisions: districts of a legacy province, communes of a
        district or of a 2025 province; ``[]`` for a commune."""
        code = code.code if isinstance(code, Unit) else code
        return [self._units[c] for c in self._children.get(code, ())]

    def parent(self, unit: Unit | str) -> Unit | None:
        """Commune -> district (legacy) or province (2025), district -> province, province -> None."""
        code = unit.code if isinstance(unit, Unit) else unit
        parent = self._parent[code]
        return None if parent is None else self._units[parent]

    def ancestors(self, unit: Unit | str) -> list[Unit]:
        """Parent, grandparent, … up to the province."""
        out = []
        current = self.parent(unit)
        while current is not None:
            out.append(current)
            current = self.parent(current)
        return out

    def is_ancestor(self, a: Unit | str, b: Unit | str) -> bool:
        """True if ``a`` strictly contains ``b`` (same era only)."""
        a_code = a.code if isinstance(a, Unit) else a
        return any(u.code == a_code for u in self.ancestors(b))

    def province_names(self) -> set[str]:
        """Folded short names of all legacy and 2025 provinces (aliases not included)."""
        return set(self._province_names)

    def province_keys(self) -> frozenset[str]:
        """:func:`name_key` of every way of writing a province's name: its name, the
        dash variants, the aliases ("tp.hcm", "sài gòn", "thừa thiên - huế")."""
        return self._province_keys

    def names_by_first_syllable(self) -> dict[str, frozenset[str]]:
        """Folded first syllable -> folded names and aliases starting with it.

        Meant for matchers scanning folded text: at a token, the candidates are
        the names in this set, longest first; each can be passed to :meth:`lookup`.
        Names only, not full names with their unit word (except numbered units,
        whose name is "Phường 1"); bare numbers are left out.
        """
        return self._by_first

    def rows(self) -> Iterator[dict[str, object]]:
        """One flat dict per unit, for a SQLite table or a TSV dump."""
        for u in sorted(self._units.values(), key=_sort_key):
            yield {
                "code": u.code, "name": u.name, "full_name": u.full_name, "level": u.level,
                "kind": u.kind, "era": u.era, "province": u.province, "district": u.district,
                "lat": u.lat, "lon": u.lon, "province_2025": u.province_2025,
                "parent_code": self._parent[u.code],
            }


@cache
def get_gazetteer() -> Gazetteer:
    """The process-wide gazetteer, loaded on first use: unpickled from the prebuilt copy
    (``pipeline.prebuilt``) made by the same code from the same data, else built (and kept)."""
    from pipeline import prebuilt

    here = Path(__file__).resolve().parent
    source = data_dir()
    inputs = [source / "dataset.db", source / "converter_2025.json", *former_data_files(),
              *sorted((here / "data").glob("*"))]
    code = [*sorted(here.glob("*.py")), Path(sys.modules[fold.__module__].__file__)]  # fold: pipeline/text.py
    return prebuilt.load("gazetteer", Gazetteer.load, inputs, code)
