"""Shard stores written in parallel and merged (pipeline/batch/shards.py, pipeline/store/merge.py).

The merged store must be the single writer's store: every table's rows, ids included
(sentence ids numbered as the writer numbers them, fact ids carried over), only the
timestamps of the moment of writing left out; the search index finds the same sentences.
Real stores, the real command line, real SIGKILLs (of the command while its shard
writers run, and of a merging process at chosen statements).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
import zlib
from pathlib import Path

import pytest

from pipeline.batch.run import ENV_GROUP, ENV_VERSIONS, InlineExecutor, current_versions, register_files, run_batch, \
    select_stale
from pipeline.batch.shards import ENV_MERGE_GROUP, shard_of, shards_written
from pipeline.schema import Source
from pipeline.store import Store
from test_batch import _live_members, _synthetic, copy_store  # (shared with the single writer's tests)

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus" / "articles"
VNFACTS = [sys.executable, "-m", "pipeline"]
SYNTHETIC = 80
OLD = {"dates": "0", "counts": "0"}  # versions some articles were made with before the run
BAD_KEY = "bad-input"
TIMESTAMPS = {"extracted_at", "failed_at", "started_at"}  # when a row was written: differs run to run
QUERIES = ["an ninh", "camera", "Ha Noi", "mo hinh", "cong an xa"]  # diacritic-free, as users type


def _env(**extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in (ENV_VERSIONS, ENV_GROUP, ENV_MERGE_GROUP)}
    env.update(PYTHONHASHSEED="0", **extra)
    return env


def cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*VNFACTS, *args], capture_output=True, text=True, cwd=ROOT, env=env or _env(), timeout=300)


def dump(path: Path) -> dict[str, list]:
    """Every table's rows in a canonical order (all columns), ids included; the search
    index's own tables left out (compared by what it finds, ``hits``)."""
    with sqlite3.connect(path) as conn:
        out = {}
        for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                     "AND name NOT LIKE 'sentences_fts%' ORDER BY name"):
            columns = [row[1] for row in conn.execute(f"PRAGMA table_info([{table}])")]
            select = ", ".join("NULL" if c in TIMESTAMPS else f"[{c}]" for c in columns)
            order = ", ".join(f"[{c}]" for c in columns)
            out[table] = conn.execute(f"SELECT {select} FROM [{table}] ORDER BY {order}").fetchall()
    return out


def hits(path: Path) -> dict[str, list]:
    """What the search index finds, after FTS5's own check of the index against the text."""
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO sentences_fts (sentences_fts) VALUES ('integrity-check')")
        return {q: conn.execute("SELECT rowid FROM sentences_fts WHERE sentences_fts MATCH ? ORDER BY rowid",
                                [q]).fetchall() for q in QUERIES}


def assert_same_store(path: Path, reference: Path) -> None:
    mine, theirs = dump(path), dump(reference)
    assert list(mine) == list(theirs)
    for table in theirs:
        assert mine[table] == theirs[table], f"{table} differs"
    assert hits(path) == hits(reference)
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        assert conn.execute("SELECT COUNT(*) FROM bulk_state").fetchone() == (0,)
    assert not Path(f"{path}.shards").exists()  # the shards are gone once merged


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("shards")


@pytest.fixture(scope="module")
def base(work) -> Path:
    """Bundled + synthetic articles, raw input only, one input that cannot be read; 25
    already extracted with older versions of two extractors (their sentences stay: the
    merge must keep their ids)."""
    path = work / "base.db"
    store = Store(path)
    register_files([CORPUS], store)
    _synthetic().fill_store(store, SYNTHETIC)
    store.add_raw(Source(key=BAD_KEY, doc="bad.txt", raw=b"\x00\x01\x02 not text \x00" * 50))
    first = select_stale(store, current_versions())
    first.items = first.items[:25]
    run_batch(store, first, InlineExecutor(), {**current_versions(), **OLD})
    store.close()
    return path


@pytest.fixture(scope="module")
def single(base, work) -> Path:
    """The single writer's store (``vnfacts process``, bulk, in one process)."""
    path = copy_store(base, work / "single.db")
    result = cli("process", "--db", str(path))
    assert result.returncode == 1, result.stderr  # the bad input failed
    assert f"vnfacts: {BAD_KEY}: binary data, not text" in result.stderr
    return path


def test_routing_is_stable_and_spreads_the_articles():
    keys = [f"https://example.vn/tin-{i}.html" for i in range(2000)]
    assert [shard_of(k, 4) for k in keys] == [shard_of(k, 4) for k in keys]
    counts = [sum(shard_of(k, 4) == s for k in keys) for s in range(4)]
    assert min(counts) > 400, counts  # 500 each, give or take
    # the same in another process (no salted hash)
    code = "from pipeline.batch.shards import shard_of; print([shard_of(f'k{i}', 3) for i in range(50)])"
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                           env={**os.environ, "PYTHONHASHSEED": "123"})
    assert other.stdout.strip() == str([shard_of(f"k{i}", 3) for i in range(50)])


@pytest.fixture(scope="module")
def sharded(base, work) -> Path:
    """The store ``vnfacts process --shards 2`` makes."""
    path = copy_store(base, work / "sharded.db")
    result = cli("process", "--db", str(path), "--shards", "2")
    assert result.returncode == 1, result.stderr
    assert f"vnfacts: {BAD_KEY}: binary data, not text" in result.stderr
    assert "shards, 2 worker(s)" in result.stdout
    return path


def test_the_merged_store_is_the_single_writers_store(sharded, single):
    assert_same_store(sharded, single)
    # the store has what the comparison is about: kept sentences, new ones, facts, reports, hits
    with sqlite3.connect(sharded) as conn:
        assert conn.execute("SELECT COUNT(*) FROM model_reports").fetchone()[0] > 0
        assert conn.execute("SELECT COUNT(DISTINCT article_id) FROM sentences").fetchone()[0] == SYNTHETIC + 5
        assert conn.execute("SELECT COUNT(*) FROM canonical_models").fetchone()[0] > 0
    assert all(hits(sharded)[q] for q in ("an ninh", "camera"))


def test_a_failure_lands_exactly_once(sharded, single, work):
    path = copy_store(sharded, work / "failure.db")
    # the rerun retries the failed article (still stale), alone, and records nothing new
    result = cli("process", "--db", str(path), "--shards", "3")
    assert result.returncode == 1, result.stderr
    assert result.stderr.count(f"vnfacts: {BAD_KEY}:") == 1
    assert re.search(r"articles skipped\W+85\W", result.stdout), result.stdout
    for store in (path, sharded, single):
        with sqlite3.connect(store) as conn:
            assert conn.execute("SELECT source, reason, resolved FROM failures").fetchall() == \
                [(BAD_KEY, "binary data, not text", 0)]
    assert_same_store(path, single)


def test_reprocess_all_with_shards_keeps_ids_as_the_single_writer_does(single, work):
    one, sharded = copy_store(single, work / "re-single.db"), copy_store(single, work / "re-sharded.db")
    with sqlite3.connect(one) as conn:  # one article's text changes: its sentences are renumbered
        conn.execute("UPDATE articles SET raw = ? WHERE key = (SELECT key FROM articles ORDER BY id LIMIT 1 OFFSET 7)",
                     [zlib.compress("Ngày 2/3/2024, Công an xã Yên Nhân đã lắp đặt 12 camera an ninh.".encode())])
    copy_store(one, sharded)
    assert cli("reprocess", "--all", "--db", str(one)).returncode == 1
    result = cli("reprocess", "--all", "--db", str(sharded), "--shards", "3")
    assert result.returncode == 1, result.stderr
    assert_same_store(sharded, one)


# --- kill -9 ----------------------------------------------------------------------------


def _shards_written(path: Path) -> int:
    return shards_written(sorted(Path(f"{path}.shards").glob("shard-*.db")))


def _kill_while_writing_shards(path: Path, written: int) -> int:
    """``vnfacts process --shards 2``, SIGKILLed once its shard writers wrote ``written``
    articles; return how many they had written (their processes must then leave)."""
    proc = subprocess.Popen([*VNFACTS, "process", "--db", str(path), "--shards", "2"], cwd=ROOT,
                            env=_env(**{ENV_GROUP: "7"}), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        while proc.poll() is None and _shards_written(path) < written:
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    deadline = time.perf_counter() + 15
    while _live_members(proc.pid):
        if time.perf_counter() > deadline:
            os.killpg(proc.pid, signal.SIGKILL)
            pytest.fail("shard writers outlived the killed command")
        time.sleep(0.2)
    assert proc.returncode == -signal.SIGKILL
    return _shards_written(path)


def test_killed_while_writing_shards_then_rerun_gives_the_same_store(base, single, work):
    path = copy_store(base, work / "killed-writing.db")
    before = dump(path)
    first = _kill_while_writing_shards(path, 8)
    # (the shard writers notice within half a second that the command is gone, and leave)
    second = _kill_while_writing_shards(path, first + 5)
    # the second run went on from the first (on a loaded machine its writers, which take up to
    # half a second to notice the kill, may even finish every article: the rerun then only merges)
    assert 8 <= first < second <= SYNTHETIC + 6, (first, second)
    assert dump(path) == before  # the main store is not written before the merge
    result = cli("process", "--db", str(path), "--shards", "2")
    assert result.returncode == 1, result.stderr
    assert_same_store(path, single)


_MERGE = textwrap.dedent("""
    import os, signal, sys
    from pathlib import Path
    from pipeline.store import Store
    from pipeline.store.merge import merge_shards

    path, at = sys.argv[1], int(sys.argv[2])
    store = Store(path)
    seen = [0]

    def statement(sql):  # SIGKILL this process at its at-th statement of the merge (0: never)
        seen[0] += 1
        if seen[0] == at:
            os.kill(os.getpid(), signal.SIGKILL)

    store.db.conn.set_trace_callback(statement)
    merge_shards(store, sorted(Path(path + ".shards").glob("shard-*.db")), group=6)
    print(seen[0])
""")


def _copy_with_shards(src: Path, dst: Path) -> Path:
    copy_store(src, dst)
    shutil.copytree(f"{src}.shards", f"{dst}.shards")
    return dst


@pytest.fixture(scope="module")
def written(base, work) -> Path:
    """A store whose shards are written, not merged (the run killed right before merging)."""
    path = copy_store(base, work / "written.db")
    code = ("import sys; from pipeline.batch.run import current_versions, select_stale; "
            "from pipeline.batch.shards import prepare_shards, write_shards; from pipeline.store import Store; "
            "store = Store(sys.argv[1]); v = current_versions(); "
            "write_shards(prepare_shards(store, select_stale(store, v), 2, v), v)")
    done = subprocess.run([sys.executable, "-c", code, str(path)], cwd=ROOT, env=_env(), capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return path


@pytest.fixture(scope="module")
def merge_statements(written, work) -> int:
    """How many statements a whole merge of ``written`` runs (where to kill it)."""
    path = _copy_with_shards(written, work / "merged-whole.db")
    whole = subprocess.run([sys.executable, "-c", _MERGE, str(path), "0"], cwd=ROOT, env=_env(),
                           capture_output=True, text=True, timeout=300)
    assert whole.returncode == 0, whole.stderr
    return int(whole.stdout.strip())


def _committed(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT COUNT(*) FROM extractions").fetchone()[0]


@pytest.mark.parametrize("when", [0.02, 0.5, 0.998])  # the first groups, half way, in the end's index/reports
def test_killed_while_merging_then_rerun_gives_the_same_store(written, merge_statements, single, work, when):
    path = _copy_with_shards(written, work / f"killed-merging-{when}.db")
    at = max(1, int(merge_statements * when))
    killed = subprocess.run([sys.executable, "-c", _MERGE, str(path), str(at)], cwd=ROOT, env=_env(),
                            capture_output=True, text=True, timeout=300)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert _committed(written) <= _committed(path) <= _committed(single)
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT COUNT(*) FROM bulk_state").fetchone() == (1,)  # the end not done yet
    result = cli("process", "--db", str(path), "--shards", "2")
    assert result.returncode == 1, result.stderr
    assert_same_store(path, single)
