"""Batch (re)processing: incremental, idempotent, crash-safe, distributed (pipeline/batch/run.py).

Real stores, the real command line in subprocesses, real SIGKILLs, a real Dask
LocalCluster.  The corpus is the bundled articles plus synthetic ones
(bench/synthetic.py) so that a run lasts long enough to be killed in the middle.
"""

from __future__ import annotations

import importlib.util
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import time
import zlib
from pathlib import Path

import pytest

from pipeline.batch.run import (ENV_GROUP, ENV_VERSIONS, InlineExecutor, current_versions, register_files, run_batch, select_chosen,
                            select_stale)
from pipeline.schema import KINDS
from pipeline.store import Store
from extractors.dates import VERSION as DATES_VERSION

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus" / "articles"
VNFACTS = [sys.executable, "-m", "pipeline"]
SYNTHETIC = 150  # with the 5 bundled ones: a 2-worker run takes a few seconds
OLD = {"dates": "0", "counts": "0"}  # versions some articles were made with before the run


def _synthetic():
    spec = importlib.util.spec_from_file_location("vnfacts_bench_synthetic", ROOT / "bench" / "synthetic.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


# Every process whose output is compared runs with the same hash seed: these tests are
# about the batch machinery (crash safety, executors), not about whether an extractor
# iterates over a set of strings somewhere.
HASH_SEED = {"PYTHONHASHSEED": "0"}


def _env(**extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k != ENV_VERSIONS}
    env.update(HASH_SEED, **extra)
    return env


def cli(*args: str, env: dict | None = None, timeout: float = 240) -> subprocess.CompletedProcess:
    return subprocess.run([*VNFACTS, *args], capture_output=True, text=True, cwd=ROOT, env=env or _env(),
                          timeout=timeout)


def copy_store(src: Path, dst: Path) -> Path:
    with sqlite3.connect(src) as a, sqlite3.connect(dst) as b:
        a.backup(b)
    return dst


def dump(path: Path) -> list:
    """Every row of every table, ids and timestamps included."""
    with sqlite3.connect(path) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return [(t, conn.execute(f"SELECT * FROM [{t}] ORDER BY rowid").fetchall()) for t in tables
                if not t.startswith("sentences_fts_")]


def in_process(path: Path, versions: dict | None = None, **chosen) -> object:
    store = Store(path)
    try:
        versions = versions or current_versions()
        selection = select_chosen(store, **chosen) if chosen else select_stale(store, versions)
        return run_batch(store, selection, InlineExecutor(), versions)
    finally:
        store.close()


def derived(path: Path) -> tuple[list, list]:
    """What the writer derives from the facts: the model reports, and what the search index
    finds (a diacritic-free query), after FTS5's own check of the index against the text."""
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO sentences_fts (sentences_fts) VALUES ('integrity-check')")
        reports = conn.execute("SELECT * FROM model_reports ORDER BY province, canonical").fetchall()
        found = conn.execute("SELECT s.text FROM sentences_fts JOIN sentences s ON s.id = sentences_fts.rowid "
                             "WHERE sentences_fts MATCH 'an ninh' ORDER BY s.text").fetchall()
        assert conn.execute("SELECT COUNT(*) FROM bulk_state").fetchone() == (0,)
        assert conn.execute("SELECT COUNT(*) FROM model_reports_dirty").fetchone() == (0,)
    return reports, found


def fingerprints(path: Path) -> tuple[str, dict[str, str]]:
    store = Store(path)
    try:
        return store.fingerprint(), store.article_fingerprints()
    finally:
        store.close()


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("batch")


@pytest.fixture(scope="module")
def base(work) -> Path:
    """Bundled + synthetic articles, raw input only; 25 of them already extracted with
    older versions of two extractors (stale for those kinds only)."""
    path = work / "base.db"
    store = Store(path)
    register_files([CORPUS], store)
    _synthetic().fill_store(store, SYNTHETIC)
    first = select_stale(store, current_versions())
    first.items = first.items[:25]
    run_batch(store, first, InlineExecutor(), {**current_versions(), **OLD})
    store.close()
    return path


@pytest.fixture(scope="module")
def reference(base, work) -> tuple[Path, str, dict[str, str]]:
    """The store an uninterrupted run makes (in-process, one transaction per article, search
    index and model reports kept by trigger row by row)."""
    path = copy_store(base, work / "reference.db")
    result = cli("process", "--db", str(path), "--workers", "1", "--per-article")
    assert result.returncode == 0, result.stderr
    assert re.search(rf"articles processed\W+{SYNTHETIC + 5}\W", result.stdout), result.stdout
    # the pre-extracted articles got only their two stale kinds rewritten
    assert re.search(r"only some kinds rewritten\W+25\W", result.stdout), result.stdout
    return (path, *fingerprints(path))


@pytest.fixture(scope="module")
def bundled(work) -> Path:
    """The five bundled articles, extracted with the current versions."""
    path = work / "bundled.db"
    store = Store(path)
    register_files([CORPUS], store)
    store.close()
    in_process(path)
    return path


def test_a_bulk_run_makes_the_store_of_a_per_article_run(base, reference, work):
    path = copy_store(base, work / "bulk.db")
    result = cli("process", "--db", str(path), "--workers", "1", "--bulk")
    assert result.returncode == 0, result.stderr
    assert fingerprints(path) == reference[1:]
    assert derived(path) == derived(reference[0])
    assert derived(path)[0] and derived(path)[1]  # there are reports, and the search finds sentences


def test_process_twice_leaves_the_store_identical(reference, work):
    path = copy_store(reference[0], work / "idempotent.db")
    before = dump(path)
    started = time.perf_counter()
    result = cli("process", "--db", str(path), "--workers", "2")
    assert result.returncode == 0, result.stderr
    assert dump(path) == before  # not a row, id or timestamp changed
    assert fingerprints(path)[0] == reference[1]
    assert "155 up to date" in result.stdout
    assert time.perf_counter() - started < 30
    # the skip check is one query, not a read of each article
    store = Store(path)
    selection = select_stale(store, current_versions())
    store.close()
    assert selection.items == [] and selection.skipped == SYNTHETIC + 5 and selection.seconds < 0.5


def _committed(path: Path) -> int:
    """Articles whose facts have all the current versions (read-only, while a writer runs)."""
    versions = current_versions()
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
    try:
        clause = " OR ".join("(kind = ? AND version = ?)" for _ in versions)
        args = [x for item in versions.items() for x in item]
        return conn.execute(f"SELECT COUNT(*) FROM (SELECT article_id FROM extractions WHERE {clause} "
                            f"GROUP BY article_id HAVING COUNT(*) = {len(versions)})", args).fetchone()[0]
    finally:
        conn.close()


def _run_and_kill(path: Path, when, mode: str = "--bulk") -> int:
    """Start ``vnfacts process`` with 2 workers; SIGKILL it once ``when(elapsed, committed)``."""
    # small groups in bulk mode: many commits, so the kills land between and inside them
    proc = subprocess.Popen([*VNFACTS, "process", "--db", str(path), "--workers", "2", mode], cwd=ROOT,
                            env=_env(**{ENV_GROUP: "7"}),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    started = time.perf_counter()
    try:
        while proc.poll() is None:
            if when(time.perf_counter() - started, _committed(path)):
                proc.send_signal(signal.SIGKILL)
                break
            time.sleep(0.02)
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    # the orphaned workers notice the writer is gone and leave
    deadline = time.perf_counter() + 10
    while time.perf_counter() < deadline:
        try:
            os.killpg(proc.pid, 0)
        except ProcessLookupError:
            break
        if not _live_members(proc.pid):
            break
        time.sleep(0.2)
    else:
        os.killpg(proc.pid, signal.SIGKILL)
        pytest.fail("worker processes outlived the killed writer")
    return proc.returncode


def _live_members(pgid: int) -> list[int]:
    alive = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_bytes().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] not in (b"Z", b"X"):
            alive.append(int(stat.parent.name))
    return alive


@pytest.mark.parametrize("mode", ["--bulk", "--per-article"])
def test_killed_runs_end_in_the_store_of_an_uninterrupted_run(base, reference, work, mode):
    path = copy_store(base, work / f"killed{mode}.db")
    _, before = fingerprints(base)
    _, after = fingerprints(reference[0])
    total = SYNTHETIC + 5
    rng = random.Random(20250526)

    def while_writing(delay: float):
        """A moment ``delay`` seconds after this run's first commit."""
        state = {}

        def when(t: float, n: int) -> bool:
            state.setdefault("start", n)
            if n > state["start"] and "first" not in state:
                state["first"] = t
            return "first" in state and t >= state["first"] + delay
        return when

    kills = [
        ("during start-up", lambda t, n, at=rng.uniform(0.2, 1.5): t >= at),
        ("after 5 articles", lambda t, n: n >= 5),
        ("at a random moment while writing", while_writing(rng.uniform(0.0, 0.8))),
        ("half way", lambda t, n: n >= total // 2),
    ]
    progress = []
    for label, when in kills:
        code = _run_and_kill(path, when, mode)
        now = fingerprints(path)[1]
        # every article is entirely as before or entirely as an uninterrupted run leaves it
        halves = [key for key, fp in now.items() if fp not in (before[key], after[key])]
        assert not halves, f"killed {label}: articles half written: {halves[:5]}"
        assert set(now) == set(after)  # none lost, none duplicated (keys are unique)
        progress.append((label, code, _committed(path)))
    assert all(code == -signal.SIGKILL for _, code, _ in progress), progress
    assert progress[0][2] == 0 and progress[1][2] >= 5 and progress[2][2] > progress[1][2], progress
    assert total > progress[3][2] >= total // 2, progress
    result = cli("process", "--db", str(path), "--workers", "2", mode)
    assert result.returncode == 0, result.stderr
    assert fingerprints(path) == reference[1:], progress
    assert derived(path) == derived(reference[0])  # index and reports too, whatever the kills left
    # the rerun did only what the killed runs had left
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT COUNT(*) FROM sentences").fetchone() == \
            sqlite3.connect(reference[0]).execute("SELECT COUNT(*) FROM sentences").fetchone()
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_dask_local_cluster_makes_the_same_store(base, reference, work, monkeypatch):
    distributed = pytest.importorskip("dask.distributed")
    for name, value in HASH_SEED.items():
        monkeypatch.setenv(name, value)  # the cluster's worker processes inherit it
    path = copy_store(base, work / "dask.db")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster:
        result = cli("process", "--db", str(path), "--executor", "dask", "--scheduler", cluster.scheduler_address)
    assert result.returncode == 0, result.stderr
    assert "dask" in result.stdout
    assert fingerprints(path) == reference[1:]
    assert derived(path) == derived(reference[0])


def test_an_article_that_can_no_longer_be_cleaned_fails_with_its_reason(bundled, work):
    path = copy_store(bundled, work / "failure.db")
    with sqlite3.connect(path) as conn:
        victim, key, raw = conn.execute("SELECT id, key, raw FROM articles ORDER BY id LIMIT 1 OFFSET 2").fetchone()
        conn.execute("UPDATE articles SET raw = ? WHERE id = ?", [zlib.compress(b"\x00\x01\x02 not text \x00" * 50), victim])
    env = _env(**{ENV_VERSIONS: "dates=99"})  # all articles stale for dates
    result = cli("process", "--db", str(path), env=env)
    assert result.returncode == 1
    assert f"vnfacts: {key}: binary data, not text" in result.stderr
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT source, reason, resolved FROM failures").fetchall() == \
            [(key, "binary data, not text", 0)]
        done = conn.execute("SELECT article_id FROM extractions WHERE kind = 'dates' AND version = '99'").fetchall()
        assert sorted(a for (a,) in done) == sorted(a for (a,) in conn.execute(
            "SELECT id FROM articles WHERE id != ?", [victim]))
        # the failed article keeps its previous facts, still marked with their version
        assert conn.execute("SELECT version FROM extractions WHERE article_id = ? AND kind = 'dates'",
                            [victim]).fetchone() == (DATES_VERSION,)
    # a rerun retries it and does not record the same failure twice
    again = cli("process", "--db", str(path), env=env)
    assert again.returncode == 1
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT COUNT(*) FROM failures").fetchone() == (1,)
        conn.execute("UPDATE articles SET raw = ? WHERE id = ?", [raw, victim])
    fixed = cli("process", "--db", str(path), env=env)
    assert fixed.returncode == 0, fixed.stderr
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT resolved FROM failures").fetchall() == [(1,)]


def _rows_by_kind(path: Path) -> dict[str, list]:
    with sqlite3.connect(path) as conn:
        return {kind: (conn.execute(f"SELECT * FROM [{kind}] ORDER BY id").fetchall(),
                       conn.execute("SELECT article_id, version, extracted_at FROM extractions WHERE kind = ? "
                                    "ORDER BY article_id", [kind]).fetchall())
                for kind in KINDS}


@pytest.mark.parametrize("bumped", ["dates", "places"])
def test_a_new_version_of_one_extractor_rewrites_only_its_facts(bundled, work, monkeypatch, bumped):
    path = copy_store(bundled, work / f"bump-{bumped}.db")
    before = _rows_by_kind(path)
    time.sleep(1.05)  # extracted_at has one-second resolution
    monkeypatch.setenv(ENV_VERSIONS, f"{bumped}=test2")
    summary = in_process(path)
    assert summary.processed == 5 and summary.partial == 5
    assert summary.kinds_written == {bumped: 5}
    after = _rows_by_kind(path)
    for kind in KINDS:
        if kind == bumped:
            rows, extractions = after[kind]
            assert {r[1] for r in extractions} == {"test2"} and rows
            assert all(r[2] > b[2] for r, b in zip(extractions, before[kind][1]))
            assert {r[7] for r in rows} == {"test2"}  # (id, article_id, sentence_id, start, end, evidence, extractor, version, …)
        else:
            assert after[kind] == before[kind], f"{kind} rows were rewritten"
    # the incremental store is the one a full run with the new versions makes
    fresh = work / f"fresh-{bumped}.db"
    store = Store(fresh)
    register_files([CORPUS], store)
    store.close()
    in_process(fresh)
    assert fingerprints(path) == fingerprints(fresh)
    # and nothing is stale any more
    store = Store(path)
    assert select_stale(store, current_versions()).items == []
    store.close()


def test_reprocess_chooses_articles(bundled, work):
    path = copy_store(bundled, work / "reprocess.db")
    store = Store(path)
    assert len(select_chosen(store, everything=True).items) == 5
    assert [store.db.execute("SELECT site FROM articles WHERE id = ?", [a]).fetchone()[0]
            for a, _ in select_chosen(store, site="antv.gov.vn").items] == ["antv.gov.vn"]
    assert len(select_chosen(store, since="2000-01-01").items) == 5
    assert select_chosen(store, since="2999-01-01").items == []
    assert len(select_chosen(store, published_since="2022-01-01").items) == 1  # 004, 15/06/2022
    with pytest.raises(ValueError):
        select_chosen(store)
    store.close()
    before = fingerprints(path)
    result = cli("reprocess", "--db", str(path), "--site", "antv.gov.vn")
    assert result.returncode == 0, result.stderr
    assert re.search(r"articles skipped\W+4\W", result.stdout), result.stdout
    assert fingerprints(path) == before  # same code, same facts
    assert cli("reprocess", "--db", str(path)).returncode != 0  # nothing chosen: refused


def test_an_article_reingested_during_the_run_keeps_the_newer_save(bundled, work):
    from pipeline.schema import Source
    from pipeline.trip import land, read

    path = copy_store(bundled, work / "superseded.db")
    store = Store(path)
    selection = select_chosen(store, everything=True)
    first = selection.items[0][0]
    key, doc, raw_z = store.db.execute("SELECT key, doc, raw FROM articles WHERE id = ?", [first]).fetchone()
    newer = zlib.decompress(raw_z) + "\nCông an xã Yên Nhân đã lắp đặt 12 camera an ninh tại các thôn.\n".encode()

    class ReingestedMeanwhile(InlineExecutor):
        def map(self, fn, units):
            for unit in units:
                result = fn(unit)  # extracted from the old raw input …
                if unit.article_id == first:  # … while the crawler stores a newer version
                    source = Source(key=key, doc=doc, raw=newer)
                    land(store, source, read(source))
                yield result

    summary = run_batch(store, selection, ReingestedMeanwhile())
    assert summary.superseded == 1 and summary.processed == 4
    text = store.db.execute("SELECT text FROM articles WHERE id = ?", [first]).fetchone()[0]
    assert "12 camera an ninh" in text
    assert store.db.execute("SELECT COUNT(*) FROM counts WHERE article_id = ? AND evidence LIKE '12 camera%'",
                            [first]).fetchone() == (1,)
    store.close()
