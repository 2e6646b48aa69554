"""Provenance is the product: every stored fact's span is the text it claims."""

import sqlite3

import pytest

from conftest import CORPUS, run_cli
from pipeline.schema import KINDS


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    db = tmp_path_factory.mktemp("prov") / "store.db"
    result = run_cli("ingest", str(CORPUS), "--db", str(db))
    assert result.returncode == 0, result.stderr.decode()
    con = sqlite3.connect(db)
    con.row_factory = sqlite3.Row
    return con


@pytest.mark.parametrize("kind", KINDS)
def test_every_fact_span_cut_from_its_article_is_its_evidence(store, kind):
    rows = store.execute(
        f"SELECT f.*, a.text AS article_text, s.start AS s_start, s.end AS s_end, s.text AS sentence "
        f"FROM [{kind}] f JOIN articles a ON a.id = f.article_id JOIN sentences s ON s.id = f.sentence_id"
    ).fetchall()
    assert rows, kind
    for row in rows:
        article = row["article_text"]
        assert article[row["start"] : row["end"]] == row["evidence"]
        assert row["evidence"].strip()
        assert row["s_start"] <= row["start"] < row["end"] <= row["s_end"]
        assert article[row["s_start"] : row["s_end"]] == row["sentence"]
        assert row["extractor"] == kind and row["version"]


def test_the_evidence_contains_the_fact(store):
    for name, evidence in store.execute("SELECT name, evidence FROM officials"):
        assert name in evidence
    for name, evidence in store.execute("SELECT name, evidence FROM models"):
        assert evidence == name
    for figure, evidence in store.execute("SELECT figure, evidence FROM counts"):
        assert evidence.startswith(figure)


def test_raw_input_is_kept_and_cleaned_text_comes_from_it(store):
    import zlib

    for doc, raw in store.execute("SELECT doc, raw FROM articles"):
        assert zlib.decompress(raw) == (CORPUS / doc).read_bytes()


def test_places_link_to_the_gazetteer(store):
    unlinked = store.execute(
        "SELECT p.name FROM places p LEFT JOIN gazetteer_units g ON g.code = p.unit_code WHERE g.code IS NULL"
    ).fetchall()
    assert unlinked == []
    lat, lon, province_2025 = store.execute(
        "SELECT lat, lon, province_2025 FROM places WHERE name = 'Hòa Bình' AND level = 'huyện'").fetchone()
    assert 8 < lat < 24 and 102 < lon < 118 and province_2025 == "Cà Mau"


def test_extractor_versions_recorded_per_article_and_kind(store):
    n_articles = store.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
    assert store.execute("SELECT COUNT(*) FROM extractions").fetchone()[0] == n_articles * len(KINDS)
