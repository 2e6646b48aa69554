"""A `vnfacts crawl` killed with SIGKILL resumes without fetching again what it stored."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from crawl_fixture_server import FixtureServer

VNFACTS = Path(sys.executable).with_name("vnfacts")


def _query(db: Path, sql: str) -> list[tuple]:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as conn:
            return conn.execute(sql).fetchall()
    except sqlite3.OperationalError:  # not created yet, or busy
        return []


def _crawl(base: str, db: Path) -> subprocess.Popen:
    env = {**os.environ, "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"}
    return subprocess.Popen([str(VNFACTS), "crawl", base + "/", "--db", str(db), "--delay", "0.2", "--timeout", "2"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)


def test_killed_crawl_resumes_without_refetching(tmp_path):
    db = tmp_path / "vnfacts.db"
    with FixtureServer("congannghean") as srv:
        proc = _crawl(srv.base, db)
        # Kill it while a fetched page is stored but not yet processed (the first
        # article waits for the extractor's models to load): the hardest moment.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            if _query(db, "SELECT 1 FROM crawl_frontier WHERE state = 'fetched'"):
                break
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        assert proc.returncode == -signal.SIGKILL
        killed_after = len(srv.log)
        stored = {u for (u,) in _query(db, "SELECT url FROM crawl_responses")}
        assert _query(db, "SELECT COUNT(*) FROM crawl_frontier WHERE state = 'fetched'")[0][0] >= 1
        assert _query(db, "SELECT COUNT(*) FROM articles")[0][0] == 0  # killed before the first article was saved

        resumed = _crawl(srv.base, db)
        out, err = resumed.communicate(timeout=120)
        assert resumed.returncode == 0, err.decode()
        again = srv.log[killed_after:]

    # nothing stored before the kill was asked for again (robots.txt included: it is kept)
    assert not {srv.base + h.path for h in again} & stored
    # and over both runs no page came twice, except one in flight at the moment of the kill
    twice = [p for p, n in Counter(h.path for h in srv.log if h.status == 200).items() if n > 1]
    assert len(twice) <= 1 and not {srv.base + p for p in twice} & stored
    # the resumed run is the same run, and it finished the job
    assert _query(db, "SELECT id, status FROM crawl_runs") == [(1, "finished")]
    assert _query(db, "SELECT COUNT(*) FROM crawl_frontier WHERE state IN ('pending', 'fetched')") == [(0,)]
    assert _query(db, "SELECT COUNT(*) FROM articles") == [(3,)]
    assert b"articles stored" in out
