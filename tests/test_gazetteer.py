"""The gazetteer on the real vietnamadminunits data (no mocks)."""

from __future__ import annotations

import csv
import dataclasses
import sqlite3
import time
import unicodedata

import pytest

from gazetteer import KINDS, LEVELS, Gazetteer, Unit, data_dir, get_gazetteer
from gazetteer.build import main as build_main
from pipeline.text import fold

# Mainland plus the Hoàng Sa / Trường Sa archipelagos.
LAT, LON = (8.0, 23.5), (102.0, 117.9)
MAINLAND_LON = (102.0, 110.0)


@pytest.fixture(scope="module")
def g() -> Gazetteer:
    return get_gazetteer()


def units(g: Gazetteer, era: str, level: str, former: bool = False) -> list[Unit]:
    """The units of one era and level: those of the tables, or (``former``) those merged away."""
    return [u for u in g if u.era == era and u.level == level and u.code.startswith("F:") == former]


def one(found: list[Unit]) -> Unit:
    assert len(found) == 1, found
    return found[0]


def test_load_time(capsys):
    start = time.perf_counter()
    Gazetteer.load()
    elapsed = time.perf_counter() - start
    with capsys.disabled():
        print(f"\n[gazetteer] load: {elapsed:.3f} s")


def test_get_gazetteer_is_cached(g):
    assert get_gazetteer() is g


# --------------------------------------------------------------------- counts

def test_counts(g):
    assert len(units(g, "legacy", "tỉnh")) == 63
    assert len(units(g, "legacy", "huyện")) == 696
    # The legacy table has 10,040 rows, but five are districts without any
    # commune (Bạch Long Vĩ, Cồn Cỏ, Hoàng Sa, Lý Sơn, Côn Đảo), with an empty
    # commune: 10,035 communes.
    assert len(units(g, "legacy", "xã")) == 10_035
    assert len(units(g, "2025", "tỉnh")) == 34
    assert len(units(g, "2025", "xã")) == 3_321
    # merged away in 2023–2025 (gazetteer.former): communes and a dozen districts
    former = len(units(g, "legacy", "huyện", True)) + len(units(g, "legacy", "xã", True))
    assert 500 < former < 1_000 and 10 <= len(units(g, "legacy", "huyện", True)) <= 20
    assert len(g) == 63 + 696 + 10_035 + 34 + 3_321 + former
    assert len(g.provinces()) == 63
    assert len(g.provinces(era="2025")) == 34
    assert len(g.provinces(era=None)) == 97


def test_legacy_table_has_10040_rows_and_5_without_commune():
    con = sqlite3.connect(f"{(data_dir() / 'dataset.db').as_uri()}?mode=ro&immutable=1", uri=True)
    try:
        assert con.execute("SELECT count(*) FROM admin_units_legacy").fetchone()[0] == 10_040
        empty = {r[0] for r in con.execute(
            "SELECT districtShort FROM admin_units_legacy WHERE wardCode IS NULL OR wardCode = ''")}
    finally:
        con.close()
    assert empty == {"Bạch Long Vĩ", "Cồn Cỏ", "Hoàng Sa", "Lý Sơn", "Côn Đảo"}


def test_districts_without_communes(g):
    con_dao = one(g.lookup("Côn Đảo", era="legacy"))
    assert con_dao.level == "huyện" and g.children(con_dao) == []


def test_kinds_per_era(g):
    legacy = {(u.level, u.kind) for u in g if u.era == "legacy"}
    assert legacy == {("tỉnh", "tỉnh"), ("tỉnh", "thành phố"),
                      ("huyện", "huyện"), ("huyện", "quận"), ("huyện", "thị xã"), ("huyện", "thành phố"),
                      ("xã", "xã"), ("xã", "phường"), ("xã", "thị trấn")}
    new = {(u.level, u.kind) for u in g if u.era == "2025"}
    assert new == {("tỉnh", "tỉnh"), ("tỉnh", "thành phố"), ("xã", "xã"), ("xã", "phường"),
                   ("xã", "đặc khu")}
    assert len([u for u in g.provinces() if u.kind == "thành phố"]) == 6


def test_unit_fields_are_consistent(g):
    codes = set()
    for u in g:
        assert u.code not in codes
        codes.add(u.code)
        assert u.level in LEVELS and u.kind in KINDS and u.era in ("legacy", "2025")
        prefix, _, digits = u.code.partition(":")
        assert prefix in (("L", "F") if u.era == "legacy" else ("N",))
        assert len(digits) == {"tỉnh": 2, "huyện": 3, "xã": 5}[u.level]
        assert u.name and u.name == u.name.strip() and "(" not in u.name
        assert unicodedata.is_normalized("NFC", u.name)
        assert fold(u.full_name).startswith(u.kind + " ")
        assert g.get(u.province_code).name == u.province
        assert g.get(u.province_code).era == u.era
        if u.era == "legacy" and u.level == "xã":
            assert g.get(u.district_code).name == u.district
        else:
            assert u.district_code is None and u.district is None
    new_names = {p.name for p in g.provinces(era="2025")}
    assert {u.province_2025 for u in g} == new_names


def test_unit_is_frozen(g):
    unit = g.provinces()[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        unit.name = "x"  # type: ignore[misc]
    assert {unit: 1}[unit] == 1


# ------------------------------------------------------------------- lookups

def test_binh_luc(g):
    u = one(g.lookup("Bình Lục", level="huyện"))
    assert (u.kind, u.full_name, u.province, u.province_2025, u.era) == (
        "huyện", "Huyện Bình Lục", "Hà Nam", "Ninh Bình", "legacy")
    assert g.lookup("Huyện Bình Lục") == [u]
    assert g.lookup("H. Bình Lục") == [u]


@pytest.mark.parametrize("name", ["Hòa Bình", "Hoà Bình", "HOÀ BÌNH", "hòa  bình"])
def test_hoa_binh_both_tone_placements(g, name):
    province = one(g.lookup(name, level="tỉnh", era="legacy"))
    assert province.kind == "tỉnh" and province.province_2025 == "Phú Thọ"
    district = one(g.lookup(name, kind="huyện"))
    assert (district.level, district.province, district.province_2025) == ("huyện", "Bạc Liêu", "Cà Mau")
    assert {(u.kind, u.province) for u in g.lookup(name, level="huyện")} == {
        ("thành phố", "Hòa Bình"), ("huyện", "Bạc Liêu")}


def test_thai_hoa(g):
    u = one(g.lookup("Thái Hoà", level="huyện"))
    assert (u.kind, u.province, u.full_name) == ("thị xã", "Nghệ An", "Thị xã Thái Hòa")
    assert g.lookup("TX Thái Hòa") == [u] == g.lookup("thị xã thái hoà")
    assert g.lookup("Huyện Thái Hòa") == []


def test_yen_nhan(g):
    found = g.lookup("Yên Nhân", level="xã", era="legacy")
    assert {(u.district, u.province) for u in found} == {
        ("Thường Xuân", "Thanh Hóa"), ("Ý Yên", "Nam Định"), ("Yên Mô", "Ninh Bình")}
    u = next(u for u in found if u.district == "Thường Xuân")
    assert u.kind == "xã" and g.parent(u).full_name == "Huyện Thường Xuân"


def test_hung_hoi(g):
    u = one(g.lookup("Hưng Hội", era="legacy"))
    assert (u.kind, u.district, u.province) == ("xã", "Vĩnh Lợi", "Bạc Liêu")


def test_thanh_long_van_lang(g):
    found = g.lookup("Thanh Long", era="legacy")
    assert ("Văn Lãng", "Lạng Sơn") in {(u.district, u.province) for u in found}


def test_hoang_van_thu(g):
    found = g.lookup("Hoàng Văn Thụ", kind="phường", era="legacy")
    u = next(u for u in found if u.province == "Lạng Sơn")
    parent = g.parent(u)
    assert (parent.kind, parent.name, parent.level) == ("thành phố", "Lạng Sơn", "huyện")
    # Xã of the same name exist too (Văn Lãng and Bình Gia in Lạng Sơn, Chương Mỹ).
    assert len(g.lookup("Hoàng Văn Thụ", kind="xã", era="legacy")) == 3


def test_binh_my(g):
    found = g.lookup("Bình Mỹ", era="legacy")
    town = one([u for u in found if u.kind == "thị trấn"])
    assert (town.district, town.province) == ("Bình Lục", "Hà Nam")
    assert g.lookup("Thị trấn Bình Mỹ") == [town]
    others = {(u.kind, u.district, u.province) for u in found if u is not town}
    assert others == {("xã", "Bình Sơn", "Quảng Ngãi"), ("xã", "Bắc Tân Uyên", "Bình Dương"),
                      ("xã", "Củ Chi", "Hồ Chí Minh"), ("xã", "Châu Phú", "An Giang")}


def test_lang_son_province_and_city(g):
    found = g.lookup("Lạng Sơn", era="legacy")
    assert [(u.level, u.kind) for u in found] == [("tỉnh", "tỉnh"), ("huyện", "thành phố"), ("xã", "xã")]
    assert (found[2].district, found[2].province) == ("Anh Sơn", "Nghệ An")
    city = found[1]
    assert city.province == "Lạng Sơn" and g.parent(city) == found[0]
    assert g.lookup("TP Lạng Sơn") == [city] == g.lookup("Thành phố Lạng Sơn")
    assert g.lookup("Tỉnh Lạng Sơn", era="legacy") == [found[0]]


def test_bac_lieu_merged_into_ca_mau(g):
    u = one(g.lookup("Bạc Liêu", level="tỉnh", era="legacy"))
    assert u.province_2025 == "Cà Mau"
    assert g.lookup("Bạc Liêu", level="tỉnh", era="2025") == []
    # The 2025 ward named after the old capital.
    ward = one(g.lookup("Bạc Liêu", era="2025"))
    assert (ward.kind, ward.province) == ("phường", "Cà Mau")


@pytest.mark.parametrize("alias", ["TP.HCM", "TP HCM", "tp.hcm", "TPHCM", "Sài Gòn",
                                   "Thành phố Hồ Chí Minh", "TP. Hồ Chí Minh", "Hồ Chí Minh"])
def test_ho_chi_minh_aliases(g, alias):
    found = g.lookup(alias, level="tỉnh")
    assert [(u.code, u.name) for u in found] == [("L:79", "Hồ Chí Minh"), ("N:79", "Hồ Chí Minh")]


@pytest.mark.parametrize("alias", ["Thừa Thiên Huế", "Thừa Thiên - Huế", "Thừa Thiên-Huế", "Huế"])
def test_hue_aliases(g, alias):
    assert [u.code for u in g.lookup(alias, level="tỉnh")] == ["L:46", "N:46"]


def test_dashed_names(g):
    brvt = g.lookup("Bà Rịa - Vũng Tàu")
    assert [u.code for u in brvt] == ["L:77"] and brvt[0].province_2025 == "Hồ Chí Minh"
    for form in ("Bà Rịa-Vũng Tàu", "Bà Rịa – Vũng Tàu", "Bà Rịa Vũng Tàu", "BR-VT"):
        assert g.lookup(form) == brvt
    assert g.lookup("Phan Rang-Tháp Chàm")[0].kind == "thành phố"


def test_numbered_units(g):
    q3 = one(g.lookup("Quận 3"))
    assert (q3.name, q3.full_name, q3.kind, q3.province) == ("Quận 3", "Quận 3", "quận", "Hồ Chí Minh")
    assert g.lookup("Q.3") == [q3] == g.lookup("Q3") == g.lookup("quận 03") == g.lookup("3", kind="quận")
    p1 = g.lookup("Phường 1")
    assert len([u for u in p1 if not u.code.startswith("F:")]) == 33
    assert all(u.kind == "phường" and u.name == "Phường 1" for u in p1)
    assert g.lookup("1", kind="phường") == p1 == g.lookup("P.1") == g.lookup("Phường 01")
    assert {u.code for u in g.lookup("1")} == {u.code for u in p1} | {"L:760"}   # + Quận 1
    # Phú Nhuận's "Phường 5" and "Phường 15" are typed "Xã" in the source.
    pn = [u for u in g.lookup("5") if u.district == "Phú Nhuận"]
    assert [u.kind for u in pn] == ["phường"]
    # Roman numerals (Vị Thanh, Hậu Giang).
    u = one(g.lookup("Phường I"))
    assert (u.name, u.district) == ("Phường I", "Vị Thanh")
    assert g.lookup("I") == [u]
    # Names that merely end with a number stay as they are.
    assert one(g.lookup("Mỹ Đình 1")).full_name == "Phường Mỹ Đình 1"
    assert one(g.lookup("1 Bảo Lộc")).full_name == "Phường 1 Bảo Lộc"
    # A ward literally called "Phường Đúc".
    u = one(g.lookup("Phường Đúc"))
    assert (u.full_name, u.kind) == ("Phường Phường Đúc", "phường")


def test_source_disambiguation_suffix_removed(g):
    found = g.lookup("Cai Lậy", era="legacy")
    assert {(u.kind, u.name) for u in found} == {("huyện", "Cai Lậy"), ("thị xã", "Cai Lậy")}
    found = g.lookup("Yên Viên", era="legacy")
    assert {u.full_name for u in found} == {"Thị trấn Yên Viên", "Xã Yên Viên"}


def test_kind_from_full_name_beats_type_column(g):
    # Typed "Xã" in the source, but the full name says "Thị trấn".
    u = one(g.lookup("Ngọc Lặc", level="xã", era="legacy"))
    assert u.kind == "thị trấn"


@pytest.mark.parametrize("old,new", [("Thuỷ Xuân Tiên", "Thủy Xuân Tiên"), ("Khánh Hoà", "Khánh Hòa"),
                                     ("Thanh Hoá", "Thanh Hóa"), ("Hoà Bình", "Hòa Bình")])
def test_fold_insensitive(g, old, new):
    assert g.lookup(old) == g.lookup(new) != []
    assert g.lookup(unicodedata.normalize("NFD", old)) == g.lookup(new)
    assert g.lookup(old.upper()) == g.lookup(new)


def test_lookup_validates_filters(g):
    with pytest.raises(ValueError):
        g.lookup("Bình Lục", level="district")
    with pytest.raises(ValueError):
        g.lookup("Bình Lục", era="2024")
    with pytest.raises(ValueError):
        g.lookup("Bình Lục", kind="county")
    assert g.lookup("Bình Lục", kind="Huyện") == g.lookup("Bình Lục", level="huyện")
    assert g.lookup("Không Có Nơi Này") == []


# ---------------------------------------------------------------- hierarchy

def test_hierarchy(g):
    town = one(g.lookup("Thị trấn Bình Mỹ"))
    district = g.parent(town)
    province = g.parent(district)
    assert (district.name, province.name, g.parent(province)) == ("Bình Lục", "Hà Nam", None)
    assert g.is_ancestor(province, town) and g.is_ancestor(district, town)
    assert g.is_ancestor(province.code, town.code)
    assert not g.is_ancestor(town, province) and not g.is_ancestor(town, town)
    assert town in g.children(district) and district in g.children(province)
    assert g.children(town) == []
    assert g.ancestors(town) == [district, province]
    assert g.get("L:35") is province and g.get(town.code) is town
    with pytest.raises(KeyError):
        g.get("L:99999")
    # 2025 communes hang directly off their province.
    ward = one(g.lookup("Phường Ba Đình", era="2025"))
    assert g.parent(ward) == one(g.lookup("Hà Nội", era="2025"))
    assert len(g.children("N:01")) == 126
    assert not g.is_ancestor("L:01", ward)       # no links across eras


def test_children_cover_everything(g):
    def current(units):
        return [u for u in units if not u.code.startswith("F:")]

    assert sum(len(current(g.children(p))) for p in g.provinces()) == 696
    assert sum(len(current(g.children(d))) for d in current(g) if d.level == "huyện") == 10_035
    assert sum(len(g.children(p)) for p in g.provinces(era="2025")) == 3_321


def test_province_2025_mapping(g):
    merged = {}
    for p in g.provinces():
        merged.setdefault(p.province_2025, set()).add(p.name)
    assert len(merged) == 34
    assert merged["Cà Mau"] == {"Bạc Liêu", "Cà Mau"}
    assert merged["Hồ Chí Minh"] == {"Hồ Chí Minh", "Bình Dương", "Bà Rịa - Vũng Tàu"}
    assert merged["Hà Nội"] == {"Hà Nội"}
    assert merged["Ninh Bình"] == {"Hà Nam", "Nam Định", "Ninh Bình"}


# -------------------------------------------------------------- coordinates

def test_province_coordinates_in_vietnam(g):
    for p in g.provinces(era=None):
        assert p.lat is not None and p.lon is not None, p
        assert LAT[0] <= p.lat <= LAT[1] and MAINLAND_LON[0] <= p.lon <= MAINLAND_LON[1], p


def test_every_unit_has_coordinates_in_vietnam(g):
    for u in g:
        assert u.lat is not None and u.lon is not None, u
        assert LAT[0] <= u.lat <= LAT[1] and LON[0] <= u.lon <= LON[1], u


# ------------------------------------------------------------- matcher helpers

def test_names_by_first_syllable(g):
    index = g.names_by_first_syllable()
    assert "bình lục" in index["bình"]
    assert "hòa bình" in index["hòa"]
    assert "tp.hcm" in index["tp.hcm"] and "sài gòn" in index["sài"]
    assert "thừa thiên huế" in index["thừa"]
    assert "phường 1" in index["phường"] and "phường 01" in index["phường"]
    assert "1" not in index["1"]                # bare numbers are lookup-only…
    assert "1 bảo lộc" in index["1"]            # …but a 2025 name may start with one
    for first, names in index.items():
        for name in names:
            assert name == fold(name) and name.split(" ")[0] == first
            assert g.lookup(name), name
            assert len(name.split()) <= g.max_name_words
    assert g.max_name_words >= 4


def test_province_names(g):
    names = g.province_names()
    assert len(names) == 63                     # every 2025 name is also a legacy one
    assert {"hòa bình", "bạc liêu", "hồ chí minh", "huế", "bà rịa - vũng tàu"} <= names


def test_rows_and_tsv(g, tmp_path):
    rows = list(g.rows())
    assert len(rows) == len(g)
    assert set(rows[0]) == {"code", "name", "full_name", "level", "kind", "era", "province",
                            "district", "lat", "lon", "province_2025", "parent_code"}
    by_code = {r["code"]: r for r in rows}
    town = one(g.lookup("Thị trấn Bình Mỹ"))
    assert by_code[town.code]["parent_code"] == g.parent(town).code
    assert by_code["L:01"]["parent_code"] is None

    out = tmp_path / "gazetteer.tsv"
    assert build_main([str(out)]) == 0
    with open(out, encoding="utf-8", newline="") as fh:
        written = list(csv.DictReader(fh, delimiter="\t"))
    assert len(written) == len(rows)
    assert written[0]["code"] == rows[0]["code"]


# ------------------------------------------------------------ former units

def test_units_merged_away_before_the_reform_are_kept_after_the_current_ones(g):
    from gazetteer.former import spelling

    bong_khe = one(g.lookup("Bồng Khê"))
    assert bong_khe.code.startswith("F:") and bong_khe.era == "legacy" and bong_khe.level == "xã"
    assert (bong_khe.district, bong_khe.province, bong_khe.province_2025) == ("Con Cuông", "Nghệ An", "Nghệ An")
    assert g.parent(bong_khe).name == "Con Cuông" and bong_khe in g.children(g.parent(bong_khe))
    # a district merged away holds its communes; a name both a current and a former unit
    # bear lists the current one first
    ngu_lao = g.lookup("Ngũ Lão", level="xã")
    assert [u.code[:2] for u in ngu_lao] == ["L:", "F:"] and ngu_lao[1].province == "Hải Phòng"
    # a unit only respelt since (Phó/Phố Bảng, Sĩ/Sỹ) is the same unit: no former twin
    assert spelling("Phó Bảng") == spelling("Phố Bảng") and spelling("Quận 01") == spelling("1")
    assert not any(u.code.startswith("F:") for u in g.lookup("Phố Bảng"))
