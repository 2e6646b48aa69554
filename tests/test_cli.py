"""The real command line, end to end, in subprocesses."""

import json
import sqlite3

from conftest import CORPUS, GOLD, ROOT, run_cli
from pipeline.read.clean import clean


def test_extract_prints_one_annotation_line_per_input_with_provenance():
    result = run_cli("extract", str(CORPUS / "002_0b031385d2167ee9.txt"), str(CORPUS / "004_ebb5bb68b1f31be9.txt"))
    assert result.returncode == 0, result.stderr.decode()
    lines = [json.loads(line) for line in result.stdout.decode().splitlines()]
    assert [r["doc"] for r in lines] == ["002_0b031385d2167ee9.txt", "004_ebb5bb68b1f31be9.txt"]
    assert lines[0]["published"] == "2020-04-08"
    text = clean((CORPUS / "004_ebb5bb68b1f31be9.txt").read_bytes()).text
    for kind in ("models", "counts", "officials", "places", "dates"):
        for item in lines[1][kind]:
            assert {"sentence", "start", "end", "optional"} <= set(item)
            assert item["sentence"] in text
            assert item["start"] < item["end"] and text[item["start"] : item["end"]] in item["sentence"]


def test_bad_inputs_fail_alone_with_a_one_line_reason(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02\x03PK\x03\x04" * 100)
    (tmp_path / "latin.txt").write_bytes(b"caf\xe9 " * 50 + b"\xff\xfe\xfd")
    (tmp_path / "english.html").write_bytes(b"<html><body><p>" + b"Only English words in here. " * 30 + b"</p></body></html>")
    good = CORPUS / "003_8f6b5f42b542b582.txt"
    result = run_cli("extract", str(tmp_path / "empty.txt"), str(good), str(tmp_path / "binary.txt"),
                     str(tmp_path / "latin.txt"), str(tmp_path / "english.html"), str(tmp_path / "missing.txt"))
    assert result.returncode == 1
    assert [json.loads(line)["doc"] for line in result.stdout.decode().splitlines()] == [good.name]
    errors = result.stderr.decode().strip().splitlines()
    assert len(errors) == 5
    for name, reason in [("empty.txt", "empty input"), ("binary.txt", "binary"), ("latin.txt", "no Vietnamese"),
                         ("english.html", "no Vietnamese"), ("missing.txt", "no such file")]:
        assert any(name in line and reason in line for line in errors), errors


def test_ingest_builds_the_store_and_reingesting_never_duplicates(tmp_path):
    db = tmp_path / "store.db"
    for _ in range(2):
        result = run_cli("ingest", str(CORPUS), "--db", str(db))
        assert result.returncode == 0, result.stderr.decode()
    con = sqlite3.connect(db)
    assert con.execute("SELECT COUNT(*) FROM articles").fetchone()[0] == 5
    assert con.execute("SELECT COUNT(*) FROM counts").fetchone()[0] == 66
    assert con.execute("SELECT COUNT(*) FROM counts c JOIN articles a ON a.id = c.article_id "
                       "WHERE a.doc = '000_4f5e0ceea2366087.txt'").fetchone()[0] == 13
    # "Ha Noi" finds "Hà Nội": FTS5 with remove_diacritics 2
    hits = con.execute("SELECT s.text FROM sentences_fts JOIN sentences s ON s.id = sentences_fts.rowid "
                       "WHERE sentences_fts MATCH ?", ['"Binh Luc"']).fetchall()
    assert hits and all("Bình Lục" in h[0] for h in hits)


def test_ingest_records_failures_with_raw_input_and_keeps_going(tmp_path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "a_bad.txt").write_bytes(b"\x00\x00binary\x00" * 20)
    (inputs / "b_good.txt").write_bytes((CORPUS / "002_0b031385d2167ee9.txt").read_bytes())
    db = tmp_path / "s.db"
    result = run_cli("ingest", str(inputs), "--db", str(db), env={"VNFACTS_DB": "ignored-when-db-given.db"})
    assert result.returncode == 1
    assert "a_bad.txt" in result.stderr.decode()
    con = sqlite3.connect(db)
    assert con.execute("SELECT doc FROM articles").fetchall() == [("b_good.txt",)]
    reason, raw = con.execute("SELECT reason, raw FROM failures").fetchone()
    assert "binary" in reason and raw


def test_default_store_location_follows_vnfacts_db(tmp_path):
    result = run_cli("ingest", str(CORPUS / "003_8f6b5f42b542b582.txt"), env={"VNFACTS_DB": str(tmp_path / "env.db")})
    assert result.returncode == 0, result.stderr.decode()
    assert (tmp_path / "env.db").exists()


def test_eval_scores_the_bundled_gold(tmp_path):
    result = run_cli("eval", str(GOLD), "--json")
    assert result.returncode == 0, result.stderr.decode()
    scores = json.loads(result.stdout)
    for kind in ("models", "counts", "officials", "places", "dates"):
        assert scores[kind]["f1"] >= 0.90, (kind, scores[kind])
        if scores[kind]["attribute_accuracy"] is not None:
            assert scores[kind]["attribute_accuracy"] >= 0.85, (kind, scores[kind])
    # a predictions file is scored the same way
    pred = tmp_path / "pred.jsonl"
    pred.write_bytes(run_cli("extract", str(CORPUS)).stdout)
    again = json.loads(run_cli("eval", str(GOLD), str(pred), "--json").stdout)
    assert again == scores


def test_help_lists_the_commands():
    out = run_cli("--help").stdout.decode()
    for command in ("extract", "ingest", "eval"):
        assert command in out
    assert (ROOT / "README.md").read_text("utf-8").count("make test") >= 1
