"""The one article trip (pipeline/trip.py): every input stored or refused with a reason.

One test per crash class and per loss class of issue 8, on the inputs named
there; a folder mixing good and bad inputs; a fuzz run of several hundred
mutated articles through one ``vnfacts extract``.  Real files, real stores,
the real command line in subprocesses.
"""

from __future__ import annotations

import codecs
import json
import random
import sqlite3
import zlib
from pathlib import Path

import pytest

from conftest import CORPUS, ROOT, run_cli
from pipeline.read.charset import unicode_to_tcvn3
from pipeline.schema import Source
from pipeline.trip import ENV_RAISE, MAX_TEXT_CHARS, Extracted, Failure, Trip, land, read

HELDOUT = ROOT / "corpus" / "heldout" / "articles"
ARTICLE = (CORPUS / "003_8f6b5f42b542b582.txt").read_text("utf-8")
LEAD = ("Công an huyện Bình Lục, tỉnh Hà Nam vừa tổng kết phong trào toàn dân bảo vệ an ninh Tổ quốc "
        "năm 2024 với nhiều mô hình tự quản hiệu quả tại các xã.")


def _source(text: str | bytes, name: str = "bai.txt", **extra) -> Source:
    raw = text.encode("utf-8") if isinstance(text, str) else text
    return Source(key=f"file:{name}", doc=name, raw=raw, path=name, **extra)


def _article(sentence: str) -> str:
    return f"{LEAD}\n{sentence}\n{LEAD.replace('2024', '2023')}"


# --- crash classes: each fixed at its root ----------------------------------------------


def test_ratios_with_thousands_separators_are_counts():
    outcome = read(_source(_article("Đến nay đã có 1.250/1.300 khu dân cư đạt chuẩn an toàn về an ninh trật tự.")))
    assert isinstance(outcome, Extracted)
    counts = [(c.value, c.denominator, c.unit.split()[0]) for c in outcome.facts.counts]
    assert (1250, 1300, "khu") in counts


def test_a_number_too_long_to_be_a_figure_is_not_a_count():
    digits = "7" * 5000  # past Python's 4,300-digit int limit
    outcome = read(_source(_article(f"Mã tra cứu {digits} lượt được gửi tới 12 xã trong huyện.")))
    assert isinstance(outcome, Extracted)
    assert all(len(str(c.value)) < 30 for c in outcome.facts.counts)
    assert any(c.value == 12 for c in outcome.facts.counts)


def test_a_value_sqlite_cannot_hold_is_stored_not_a_crash(tmp_path):
    from pipeline.store import Store

    store = Store(tmp_path / "store.db")
    source = _source(_article("Tổng số tiền đã thu hồi là 9223372036854775808 đồng cho Nhà nước."))
    outcome = land(store, source, read(source))
    assert isinstance(outcome, Extracted), outcome
    (value,) = store.db.execute("SELECT value FROM counts WHERE unit = 'đồng'").fetchone()
    assert value == pytest.approx(9.223372036854775808e18)
    store.close()


def test_verify_of_a_huge_stored_figure_answers(tmp_path):
    db = tmp_path / "store.db"
    text = _article("Tổng số tiền đã thu hồi là 9223372036854775808 đồng cho Nhà nước.")
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "bai.txt").write_text(text, "utf-8")
    assert run_cli("ingest", str(tmp_path / "in"), "--db", str(db)).returncode == 0
    for claim in ("Hà Nam thu hồi 9223372036854775808 đồng", "Hà Nam thu hồi " + "9" * 400 + " đồng"):
        result = run_cli("verify", claim, "--db", str(db))
        assert result.returncode in (0, 1, 2) and b"Traceback" not in result.stderr, result.stderr.decode()


# --- isolation at the trip's boundary ------------------------------------------------------


def test_a_bug_in_a_stage_is_that_inputs_failure_and_the_switch_reraises(monkeypatch):
    from extractors import dates

    def broken(doc):
        raise RuntimeError("boom\nsecond line")

    monkeypatch.setattr(dates, "extract", broken)
    from pipeline.nlp import extract as pipeline_extract

    components = pipeline_extract.build([dates, *(m for m in _modules() if m is not dates)])
    monkeypatch.setattr(pipeline_extract, "COMPONENTS", components)
    outcome = read(_source(ARTICLE))
    assert isinstance(outcome, Failure)
    assert outcome.stage == "extract" and outcome.error_type == "RuntimeError"
    assert "\n" not in outcome.reason and "boom" in outcome.reason
    monkeypatch.setenv(ENV_RAISE, "1")
    with pytest.raises(RuntimeError):
        read(_source(ARTICLE))


def _modules():
    from extractors import counts, dates, models, officials, places

    return [dates, places, models, counts, officials]


def test_components_out_of_order_fail_at_start_up():
    from extractors import counts, dates, models, officials, places
    from pipeline.nlp.extract import PipelineOrderError, build

    with pytest.raises(PipelineOrderError, match="models.*requires.*place_mentions"):
        build([dates, models, places, counts, officials])
    assert [c.kind for c in build(_modules())] == ["dates", "places", "models", "counts", "officials"]


def test_a_text_over_the_size_limit_is_refused_with_its_reason():
    big = (LEAD + " ") * (MAX_TEXT_CHARS // len(LEAD) + 10)
    outcome = read(_source(big))
    assert isinstance(outcome, Failure) and outcome.stage == "clean" and "too long" in outcome.reason


# --- nothing lost silently ---------------------------------------------------------------


def _ingest(db: Path, *paths: Path) -> "sqlite3.CompletedProcess":
    return run_cli("ingest", *map(str, paths), "--db", str(db))


def test_two_files_of_one_name_in_two_folders_are_two_articles(tmp_path):
    for folder, sentence in (("a", "Xã Yên Nhân có 12 tổ tự quản."), ("b", "Xã Yên Nhân có 15 tổ tự quản.")):
        (tmp_path / "in" / folder).mkdir(parents=True)
        (tmp_path / "in" / folder / "bai.txt").write_text(_article(sentence), "utf-8")
    db = tmp_path / "one.db"
    assert _ingest(db, tmp_path / "in").returncode == 0
    keys = [k for (k,) in sqlite3.connect(db).execute("SELECT key FROM articles ORDER BY key")]
    assert keys == ["file:a/bai.txt", "file:b/bai.txt"]
    # named one by one, in two runs: still two articles, and again the same two
    db2 = tmp_path / "two.db"
    for _ in range(2):
        assert _ingest(db2, tmp_path / "in" / "a" / "bai.txt").returncode == 0
        assert _ingest(db2, tmp_path / "in" / "b" / "bai.txt").returncode == 0
    con = sqlite3.connect(db2)
    assert con.execute("SELECT COUNT(*) FROM articles").fetchone()[0] == 2
    values = sorted(v for (v,) in con.execute("SELECT value FROM counts WHERE unit LIKE 'tổ%'"))
    assert values == [12, 15]


def test_reingesting_the_same_file_replaces_its_article(tmp_path):
    (tmp_path / "in").mkdir()
    path = tmp_path / "in" / "bai.txt"
    path.write_text(_article("Xã Yên Nhân có 12 tổ tự quản."), "utf-8")
    db = tmp_path / "store.db"
    assert _ingest(db, tmp_path / "in").returncode == 0
    path.write_text(_article("Xã Yên Nhân có 14 tổ tự quản."), "utf-8")
    assert _ingest(db, tmp_path / "in").returncode == 0
    con = sqlite3.connect(db)
    assert con.execute("SELECT COUNT(*) FROM articles").fetchone()[0] == 1
    assert [v for (v,) in con.execute("SELECT value FROM counts WHERE unit LIKE 'tổ%'")] == [14]


def test_ingest_walks_subfolders_and_says_when_a_folder_has_no_article(tmp_path):
    deep = tmp_path / "in" / "2024" / "06"
    deep.mkdir(parents=True)
    (deep / "bai.html").write_text(f"<html><body><h1>Tin</h1><p>{LEAD}</p><p>{LEAD}</p></body></html>", "utf-8")
    (tmp_path / "in" / "bai.txt").write_text(ARTICLE, "utf-8")
    (tmp_path / "in" / "notes.pdf").write_bytes(b"%PDF-1.4")
    db = tmp_path / "store.db"
    result = _ingest(db, tmp_path / "in")
    assert result.returncode == 0, result.stderr.decode()
    keys = sorted(k for (k,) in sqlite3.connect(db).execute("SELECT key FROM articles"))
    assert keys == ["file:2024/06/bai.html", "file:bai.txt"]
    (tmp_path / "empty").mkdir()
    result = _ingest(tmp_path / "other.db", tmp_path / "empty")
    assert result.returncode == 1
    assert b"no article files" in result.stderr and b"Traceback" not in result.stderr


def test_a_few_bad_bytes_or_a_cut_end_are_read_with_a_warning(tmp_path):
    raw = ARTICLE.encode("utf-8")
    flipped = bytearray(raw)
    flipped[len(raw) // 2] = 0xFF
    cut = raw[: raw.rindex("ệ".encode("utf-8")) + 1]  # in the middle of a character
    for data in (bytes(flipped), cut):
        outcome = read(_source(data))
        assert isinstance(outcome, Extracted), outcome
        assert outcome.warnings and "replaced" in outcome.warnings[0]
    store_dir = tmp_path / "in"
    store_dir.mkdir()
    (store_dir / "flipped.txt").write_bytes(bytes(flipped))
    assert _ingest(tmp_path / "s.db", store_dir).returncode == 0
    (warnings,) = sqlite3.connect(tmp_path / "s.db").execute("SELECT warnings FROM articles").fetchone()
    assert "replaced" in json.loads(warnings)[0]


@pytest.mark.parametrize("encoding, bom", [("utf-16-le", codecs.BOM_UTF16_LE), ("utf-16-be", codecs.BOM_UTF16_BE),
                                           ("utf-32-le", codecs.BOM_UTF32_LE), ("utf-8", codecs.BOM_UTF8)])
def test_unicode_with_a_bom_is_read(encoding, bom):
    outcome = read(_source(bom + ARTICLE.encode(encoding)))
    assert isinstance(outcome, Extracted), outcome
    assert outcome.article.text.startswith(ARTICLE.split("\n")[0].strip()[:20])


def test_a_tcvn3_page_reads_the_same_when_crawled_and_when_reprocessed(tmp_path):
    from pipeline.store import Store

    page = f"<html><head><title>Tin an ninh</title></head><body><h1>Tin an ninh</h1><p>{LEAD}</p><p>{LEAD}</p></body></html>"
    raw = unicode_to_tcvn3(page)
    crawled = read(_source(raw, "tin.html", url="http://127.0.0.1/tin.html", content_type="text/html"))
    assert isinstance(crawled, Extracted) and "Bình Lục" in crawled.article.text
    store = Store(tmp_path / "store.db")
    land(store, _source(raw, "tin.html", url="http://127.0.0.1/tin.html", content_type="text/html"), crawled)
    store.close()
    result = run_cli("reprocess", "--all", "--db", str(tmp_path / "store.db"))
    assert result.returncode == 0, result.stderr.decode()
    (text,) = sqlite3.connect(tmp_path / "store.db").execute("SELECT text FROM articles").fetchone()
    assert text == crawled.article.text


# --- one ingest over a folder of good and bad inputs ---------------------------------------


def test_one_ingest_stores_every_readable_article_and_a_reason_for_the_rest(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for path in sorted(CORPUS.iterdir()):
        if path.suffix == ".txt":
            (folder / path.name).write_bytes(path.read_bytes())
    crash_inputs = {
        "ratio.txt": _article("Có 1.250/1.300 khu dân cư đạt chuẩn."),
        "huge.txt": _article("Thu hồi 9223372036854775808 đồng."),
        "digits.txt": _article("Số " + "8" * 6000 + " lượt."),
    }
    for name, text in crash_inputs.items():
        (folder / name).write_text(text, "utf-8")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(zlib.compress(b"\x00\x01\x02" * 4000) * 3)
    db = tmp_path / "store.db"
    result = _ingest(db, folder)
    stderr = result.stderr.decode()
    assert result.returncode == 1 and "Traceback" not in stderr
    con = sqlite3.connect(db)
    docs = {d for (d,) in con.execute("SELECT doc FROM articles")}
    assert docs == {p.name for p in CORPUS.glob("*.txt")} | set(crash_inputs)
    failures = {doc: (stage, reason, raw) for doc, stage, reason, raw in
                con.execute("SELECT doc, stage, reason, raw FROM failures")}
    assert set(failures) == {"empty.txt", "binary.txt"}
    assert failures["empty.txt"][:2] == ("decode", "empty input")
    assert failures["binary.txt"][0] == "decode" and "binary" in failures["binary.txt"][1]
    assert zlib.decompress(failures["binary.txt"][2]) == (folder / "binary.txt").read_bytes()
    lines = stderr.strip().splitlines()
    assert len(lines) == 2 and all(line.startswith("vnfacts: ") for line in lines), lines


# --- fuzz: several hundred mutants through one vnfacts extract -----------------------------


def _mutants(rng: random.Random) -> dict[str, tuple[bytes, bool]]:
    """name -> (bytes, "mildly damaged": a few bad bytes or a cut end, must be read)."""
    bases = [p.read_bytes() for p in sorted(CORPUS.glob("*.txt"))] + [p.read_bytes() for p in sorted(HELDOUT.iterdir())]
    out: dict[str, tuple[bytes, bool]] = {}

    def flips(data: bytes, n: int) -> bytes:
        b = bytearray(data)
        for _ in range(n):
            b[rng.randrange(len(b))] = rng.randrange(256)
        return bytes(b)

    def lines_op(data: bytes, op: str) -> bytes:
        lines = data.split(b"\n")
        if op == "shuffle":
            rng.shuffle(lines)
        else:
            i = rng.randrange(len(lines))
            lines[i:i] = [lines[i]] * rng.randint(1, 5)
        return b"\n".join(lines)

    def insert(data: bytes, pieces: list[bytes], n: int) -> bytes:
        b = data
        for _ in range(n):
            i = rng.randrange(len(b))
            b = b[:i] + rng.choice(pieces) + b[i:]
        return b

    inserts = {
        "digits": [b"9" * rng.randint(1, 40), b"1.000.000", b"13/13", b"1.250/1.300", b"07", b"92,6%", b"0"],
        "slashes": [b"/", b"//", b"/ /", b"12/", b"/2024", b"31/12/", b"1/1/1/1"],
        "quotes": ["“".encode(), "”".encode(), b'"', b"'", "‘".encode(), "“”".encode()],
        "brackets": [b"(", b")", b"[", b"]", b"((", b"))", b"{", b"}"],
    }
    for i, base in enumerate(bases):
        for k in range(5):
            out[f"flip{i:02d}_{k}.txt"] = (flips(base, rng.randint(1, 3)), True)
        for k in range(4):
            cut = rng.randrange(len(base) // 2, len(base))
            out[f"cut{i:02d}_{k}.txt"] = (base[:cut], True)
        out[f"shuffle{i:02d}.txt"] = (lines_op(base, "shuffle"), False)
        out[f"dup{i:02d}.txt"] = (lines_op(base, "dup"), False)
        for name, pieces in inserts.items():
            out[f"{name}{i:02d}.txt"] = (insert(base, pieces, rng.randint(5, 60)), False)
        out[f"heavy{i:02d}.txt"] = (flips(base, len(base) // 10), False)
    return out


def test_fuzz_several_hundred_mutated_articles_through_one_extract(tmp_path):
    mutants = _mutants(random.Random(20261201))
    assert len(mutants) >= 300
    folder = tmp_path / "mutants"
    folder.mkdir()
    for name, (data, _) in mutants.items():
        (folder / name).write_bytes(data)
    result = run_cli("extract", str(folder))
    stdout, stderr = result.stdout.decode(), result.stderr.decode()
    assert "Traceback" not in stderr and "internal error" not in stderr, stderr[:2000]
    read_docs = {json.loads(line)["doc"] for line in stdout.splitlines()}
    failed = {line.split(": ", 2)[1].rsplit("/", 1)[-1] for line in stderr.splitlines() if line.startswith("vnfacts: ")}
    assert read_docs | failed == set(mutants), set(mutants) - read_docs - failed  # an answer for every input
    assert not read_docs & failed
    mild = [name for name, (_, is_mild) in mutants.items() if is_mild]
    share = sum(name in read_docs for name in mild) / len(mild)
    assert share >= 0.95, (share, sorted(set(mild) - read_docs)[:20])
