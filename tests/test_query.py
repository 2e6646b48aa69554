"""Queries, export and the researchers' / journalists' commands on the bundled corpus store."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import sqlite3
import subprocess
import sys
from datetime import date

import pytest

from corpus_store import ROOT, corpus_store
from pipeline.query.export import export
from pipeline.query.queries import article_facts, connect, models_by_province, officials, place_map, search_sentences
from pipeline.schema import KINDS


@pytest.fixture(scope="module")
def db():
    return corpus_store()


@pytest.fixture(scope="module")
def conn(db):
    c = connect(db)
    yield c
    c.close()


def vnfacts(*args: str, db=None, cwd=ROOT) -> subprocess.CompletedProcess:
    """The real command line, in a subprocess (about a second each: used sparingly)."""
    env = {**os.environ, "COLUMNS": "200", "PYTHONPATH": str(ROOT)}
    if db is not None:
        env["VNFACTS_DB"] = str(db)
    return subprocess.run([sys.executable, "-m", "pipeline", *args], capture_output=True, text=True, cwd=cwd,
                          env=env, timeout=120)


def invoke(*args: str, db=None):
    """The same commands in this process (Typer's runner): fast enough to try many options."""
    from typer.testing import CliRunner

    from pipeline.cli import app

    env = {"COLUMNS": "200", **({"VNFACTS_DB": str(db)} if db is not None else {})}
    result = CliRunner().invoke(app, list(args), env=env)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


# --------------------------------------------------------------------------- pure functions

def test_connection_is_read_only(conn):
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        conn.execute("DELETE FROM counts")


def test_models_by_province(conn):
    reports = models_by_province(conn)
    total_pairs = conn.execute(
        "SELECT COUNT(*) FROM (SELECT DISTINCT COALESCE(g.province, a.main_province), m.canonical FROM models m "
        "JOIN articles a ON a.id = m.article_id LEFT JOIN gazetteer_units g ON g.code = m.place_code)").fetchone()[0]
    assert len(reports) == total_pairs
    by_key = {(r.province, r.model): r for r in reports}
    pccc = by_key[("Thanh Hóa", "Tổ liên gia an toàn PCCC")]
    assert (pccc.count, pccc.articles) == (1120, 1)
    camera = by_key[("Nghệ An", "Camera cộng đồng")]
    assert camera.first_reported == camera.last_reported == "2020-04-08"
    assert [r.province for r in reports] == sorted([r.province for r in reports], key=lambda p: p.replace("Đ", "D"))


def test_models_filters_on_province_typed_any_way_and_on_its_2025_successor(conn):
    for typed in ("thanh hoá", "Thanh Hoa", "thanh hoa", "THANH HÓA", "tỉnh Thanh Hóa"):
        thanh_hoa = models_by_province(conn, typed)
        assert thanh_hoa and {r.province for r in thanh_hoa} == {"Thanh Hóa"}, typed
    # Hà Nam merged into Ninh Bình on 1 July 2025
    assert {r.province for r in models_by_province(conn, "Ninh Bình")} == {"Hà Nam"}
    assert models_by_province(conn, "Cao Bằng") == []


def test_models_by_model_orders_by_model(conn):
    reports = models_by_province(conn, by="model")
    from pipeline.text import ascii_fold

    keys = [ascii_fold(r.canonical) for r in reports]
    assert keys == sorted(keys)


def test_officials(conn):
    people = officials(conn)
    assert len(people) == conn.execute("SELECT COUNT(DISTINCT person_key) FROM officials").fetchone()[0]
    hung = officials(conn, "le quoc hung")          # no diacritics needed
    assert [p.name for p in hung] == ["Lê Quốc Hùng"]
    (p,) = hung
    assert p.ranks == ["Trung tướng"]
    assert len(p.mentions) == 2 and {m.published for m in p.mentions} == {None, "2022-06-15"}
    assert any("Thứ trưởng" in t for t in p.positions)
    assert officials(conn, "Không Có Ai") == []


def test_article_facts_are_in_text_order_with_their_sentences(conn):
    facts = article_facts(conn, 4)
    assert [f.start for f in facts] == sorted(f.start for f in facts)
    kinds = {f.kind for f in facts}
    assert {"counts", "models", "places"} <= kinds
    for f in facts:
        assert f.sentence[f.start_in_sentence : f.end_in_sentence] == f.evidence


def test_search_ignores_diacritics(conn):
    hits = search_sentences(conn, "thanh hoa")
    assert hits and all("Thanh Hóa" in h["sentence"] or "Thanh Hoá" in h["sentence"] for h in hits)


def test_place_map_has_the_gazetteer_coordinates(conn):
    rows = place_map(conn)
    assert rows and all(8 < r["latitude"] < 24 and 102 < r["longitude"] < 118 for r in rows)
    thanh_hoa = next(r for r in rows if r["name"] == "Thanh Hóa" and r["level"] == "tỉnh")
    g = conn.execute("SELECT lat, lon FROM gazetteer_units WHERE code = ?", [thanh_hoa["code"]]).fetchone()
    assert (thanh_hoa["latitude"], thanh_hoa["longitude"]) == g
    assert json.loads(thanh_hoa["popup"])["title"].startswith("Tỉnh Thanh Hóa")


# --------------------------------------------------------------------------- export

@pytest.mark.parametrize("fmt", ["csv", "json", "parquet"])
def test_export_every_fact_table_joined_to_article_and_sentence(conn, tmp_path, fmt):
    written = {f.table: f for f in export(conn, tmp_path, fmt)}
    assert set(written) == {*KINDS, "articles"}
    for kind in KINDS:
        n = conn.execute(f"SELECT COUNT(*) FROM {kind}").fetchone()[0]
        path = tmp_path / f"{kind}.{fmt}"
        if fmt == "csv":
            with path.open(encoding="utf-8-sig", newline="") as fh:
                data = list(csv.DictReader(fh))
        elif fmt == "json":
            data = json.loads(path.read_text("utf-8"))
        else:
            import pyarrow.parquet as pq

            table = pq.read_table(path)
            assert str(table.schema.field("article_id").type) == "int64"
            data = table.to_pylist()
        assert written[kind].rows == len(data) == n
        row = data[0]
        assert {"ref", "evidence", "article_title", "article_site", "article_url", "article_published",
                "sentence_text"} <= set(row)
        # the evidence lies in its sentence, and the sentence in its article
        for r in data:
            assert r["evidence"] in r["sentence_text"]
            assert r["ref"] == f"{kind}/{r['id']}"


def test_exports_open_right(conn, tmp_path):
    import pyarrow.parquet as pq

    export(conn, tmp_path / "csv", "csv")
    raw = (tmp_path / "csv" / "counts.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")                  # UTF-8 with a BOM: Excel reads the Vietnamese
    assert "khu dân cư".encode("utf-8") in raw
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    thirteen = next(r for r in rows if r["figure"] == "13/13")
    assert (thirteen["value"], thirteen["denominator"]) == ("13", "13")   # not 13.0
    assert next(r for r in rows if r["figure"] == "92,6%")["value"] == "92.6"
    assert not any(re.fullmatch(r"\d+\.0", v or "") for r in rows for v in r.values())

    export(conn, tmp_path / "json", "json")
    data = json.loads((tmp_path / "json" / "counts.json").read_text("utf-8"))
    thirteen = next(r for r in data if r["figure"] == "13/13")
    assert thirteen["value"] == 13 and isinstance(thirteen["value"], int) and isinstance(thirteen["id"], int)

    export(conn, tmp_path / "pq", "parquet")
    counts = pq.read_table(tmp_path / "pq" / "counts.parquet")
    assert str(counts.schema.field("value").type) == "double"
    assert str(counts.schema.field("published").type) == "date32[day]"
    articles = pq.read_table(tmp_path / "pq" / "articles.parquet")
    assert str(articles.schema.field("ingested_at").type).startswith("timestamp")
    published = {r["doc"]: r["published"] for r in articles.to_pylist()}
    assert published["002_0b031385d2167ee9.txt"] == date(2020, 4, 8)


# --------------------------------------------------------------------------- the command line

def test_cli_models_json_and_csv(db):
    result = vnfacts("models", "--province", "thanh hoa", "--format", "json", db=db)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert {d["model"] for d in data} >= {"Tổ liên gia an toàn PCCC", "Điểm chữa cháy công cộng"}
    assert {d["province"] for d in data} == {"Thanh Hóa"}
    result = invoke("models", "--by", "model", "--format", "csv", "--db", str(db))
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows and set(rows[0]) == {"province", "province_2025", "model", "canonical", "count", "articles",
                                     "first_reported", "last_reported", "latest_article_id", "latest_fact_id"}
    table = invoke("models", db=db)
    assert table.exit_code == 0 and "Tổ liên gia an toàn PCCC" in table.stdout
    assert "1.120" in table.stdout and "1120" not in table.stdout   # Vietnamese notation


def test_cli_models_flags_an_unknown_province(db):
    result = invoke("models", "--province", "Thanh Hao", db=db)
    assert result.exit_code == 2
    assert "Thanh Hao" in result.output and "Thanh Hóa" in result.output   # what it may have meant
    assert invoke("models", "-p", "Cao Bằng", db=db).exit_code == 0          # known, nothing reported


def test_cli_pages_what_does_not_fit(db):
    total = len(models_by_province(connect(db)))
    result = invoke("models", "--limit", "5", db=db)
    assert result.exit_code == 0
    assert f"1–5 / {total}" in result.stdout and "--offset 5" in result.stdout
    data_rows = [line for line in result.stdout.splitlines() if line.startswith("│")]
    assert len(data_rows) <= 10                 # five rows (a long model name may wrap)
    result = invoke("models", "--limit", "5", "--offset", "5", db=db)
    assert f"6–10 / {total}" in result.stdout
    result = invoke("officials", "--limit", "2", db=db)
    people = connect(db).execute("SELECT COUNT(DISTINCT person_key) FROM officials").fetchone()[0]
    assert f"1–2 / {people}" in result.stdout
    assert len(json.loads(invoke("officials", "-f", "json", "--limit", "3", db=db).stdout)) == 3


def test_cli_verify(db):
    missing = invoke("verify", "4.321 khu dân cư", db=db)
    assert missing.exit_code == 1 and "No stored article supports" in missing.stdout
    rows = list(csv.DictReader(io.StringIO(invoke("verify", "13/13 khu dân cư", "--format", "csv", db=db).stdout)))
    assert rows[0]["relation"] == "supports" and "⟦13/13 khu dân cư⟧" in rows[0]["sentence"]
    data = json.loads(invoke("verify", "92,6%", "-f", "json", db=db).stdout)
    assert data["figures"][0]["status"] == "supported"
    assert invoke("verify", "không có con số", db=db).exit_code == 2
    shown = invoke("verify", "500 triệu đồng", db=db).stdout
    assert "= 500.000.000" in shown and "said by" in shown


def test_cli_officials_and_export(db, tmp_path):
    result = invoke("officials", "truong cong dung", db=db)
    assert result.exit_code == 0 and "Đại tá" in result.stdout and "Phó Giám đốc Công an tỉnh Bạc Liêu" in result.stdout
    rows = list(csv.DictReader(io.StringIO(invoke("officials", "-f", "csv", db=db).stdout)))
    assert {"name", "rank", "title", "article_title", "published", "evidence"} <= set(rows[0])
    result = invoke("export", "--format", "parquet", "--out", str(tmp_path / "out"), db=db)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(f"{t}.parquet" for t in (*KINDS, "articles"))


@pytest.mark.parametrize("command", [
    ["models"], ["officials"], ["verify", "909 mô hình"], ["export"], ["process"], ["reprocess", "--all"], ["serve"],
])
def test_commands_on_a_missing_store_say_so_and_create_nothing(tmp_path, command):
    typo = tmp_path / "typo.db"
    result = vnfacts(*command, "--db", str(typo), cwd=tmp_path)
    assert result.returncode == 3, (result.returncode, result.stderr)
    assert f"vnfacts: {typo}: no store here" in result.stderr
    assert list(tmp_path.iterdir()) == []         # no store, no export directory, nothing


def test_a_file_that_is_not_a_store_is_said_so(tmp_path):
    (tmp_path / "notes.db").write_text("not sqlite")
    result = invoke("models", "--db", str(tmp_path / "notes.db"))
    assert result.exit_code == 3 and "not a vnfacts store" in result.output
    assert (tmp_path / "notes.db").read_text() == "not sqlite"


def test_every_command_has_an_example_in_its_help():
    from pipeline.cli import app

    for fn, kwargs in __import__("pipeline.cli.options", fromlist=["COMMANDS"]).COMMANDS:
        name = kwargs.get("name") or fn.__name__
        help_text = invoke(name, "--help").stdout
        assert "Example" in help_text and f"vnfacts {name} " in help_text, name
    for name in ("reprocess", "crawl"):
        assert "YYYY-MM-DD" in invoke(name, "--help").stdout, name
    assert app.info.help
