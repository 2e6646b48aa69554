"""The writer's bulk mode (Store.begin_bulk / finish_bulk, migrations.BULK_SQL): the search
index and the model reports it defers are whole again at the end, after a kill too, and an
older store's triggers are upgraded.  Real SQLite files, the real command line."""

from __future__ import annotations

import sqlite3
import zlib
from pathlib import Path

import pytest

from pipeline.batch.run import InlineExecutor, current_versions, register_files, run_batch, select_stale
from pipeline.schema import Source
from pipeline.store import Store
from pipeline.trip import land, read

from conftest import CORPUS, run_cli

# sqlite-utils' triggers and the first model_reports trigger, as stores made before the bulk mode have them
OLD_TRIGGERS = """
CREATE TRIGGER "sentences_ai" AFTER INSERT ON "sentences" BEGIN
  INSERT INTO "sentences_fts" (rowid, "text") VALUES (new.rowid, new."text");
END;
CREATE TRIGGER "sentences_ad" AFTER DELETE ON "sentences" BEGIN
  INSERT INTO "sentences_fts" ("sentences_fts", rowid, "text") VALUES('delete', old.rowid, old."text");
END;
CREATE TRIGGER "sentences_au" AFTER UPDATE ON "sentences" BEGIN
  INSERT INTO "sentences_fts" ("sentences_fts", rowid, "text") VALUES('delete', old.rowid, old."text");
  INSERT INTO "sentences_fts" (rowid, "text") VALUES (new.rowid, new."text");
END;
"""


def derived(path: Path) -> tuple[list, list]:
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO sentences_fts (sentences_fts) VALUES ('integrity-check')")
        reports = conn.execute("SELECT * FROM model_reports ORDER BY province, canonical").fetchall()
        found = conn.execute("SELECT rowid FROM sentences_fts WHERE sentences_fts MATCH 'cong an' "
                             "ORDER BY rowid").fetchall()
    return reports, found


def registered(path: Path) -> Path:
    store = Store(path)
    register_files([CORPUS], store)
    store.close()
    return path


def batch(path: Path, bulk: bool) -> None:
    store = Store(path)
    run_batch(store, select_stale(store, current_versions()), InlineExecutor(), bulk=bulk)
    store.close()


@pytest.fixture(scope="module")
def per_article(tmp_path_factory) -> Path:
    path = registered(tmp_path_factory.mktemp("bulk") / "per-article.db")
    batch(path, bulk=False)
    return path


def test_a_bulk_batch_indexes_and_reports_once_at_the_end(per_article, tmp_path):
    path = registered(tmp_path / "bulk.db")
    store = Store(path)
    selection = select_stale(store, current_versions())
    seen = []

    class Watch(InlineExecutor):  # what a reader sees while the batch runs
        def map(self, fn, units):
            for result in super().map(fn, units):
                seen.append(store.db.execute("SELECT COUNT(*) FROM model_reports").fetchone()[0])
                yield result

    summary = run_batch(store, selection, Watch(), bulk=True)
    store.close()
    assert set(seen) == {0}  # deferred: nothing was reported row by row …
    assert summary.indexed > 0 and summary.reports_refreshed > 0  # … but all at the end
    assert derived(path) == derived(per_article) and derived(path)[0] and derived(path)[1]


def test_a_bulk_batch_killed_before_it_finished_is_finished_by_the_next_run(per_article, tmp_path):
    path = registered(tmp_path / "killed.db")
    store = Store(path)
    store.begin_bulk()  # the state a bulk run killed after its last commit leaves:
    run_batch(store, select_stale(store, current_versions()), InlineExecutor(), bulk=False)
    assert store.bulk_pending()
    # meanwhile an ingest replaces an article: its not yet indexed sentences leave no trace
    key, raw = store.db.execute("SELECT key, raw FROM articles ORDER BY id LIMIT 1").fetchone()
    source = Source(key=key, doc="again.txt", raw=zlib.decompress(raw), file=None)
    assert land(store, source, read(source)).ok
    store.close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT COUNT(*) FROM model_reports").fetchone() == (0,)
    result = run_cli("process", "--db", str(path))  # nothing stale: it only finishes
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT COUNT(*) FROM bulk_state").fetchone() == (0,)
    assert derived(path)[0] == derived(per_article)[0]
    assert len(derived(path)[1]) == len(derived(per_article)[1])


def test_an_older_store_gets_the_bulk_triggers(per_article, tmp_path):
    path = tmp_path / "old.db"
    with sqlite3.connect(per_article) as a, sqlite3.connect(path) as b:
        a.backup(b)
    with sqlite3.connect(path) as conn:
        for name in ("sentences_ai", "sentences_ad", "sentences_au"):
            conn.execute(f"DROP TRIGGER {name}")
        conn.executescript(OLD_TRIGGERS + "DROP TABLE bulk_state; DROP TABLE model_reports_dirty;"
                           "DROP TRIGGER model_reports_insert_bulk; DROP TRIGGER model_reports_delete_bulk;")
    store = Store(path)  # upgraded on open
    assert "bulk_state" in store.db.table_names()
    triggers = dict(store.db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").fetchall())
    assert "bulk_state" in triggers["sentences_ai"] and "model_reports_insert_bulk" in triggers
    source = Source(key="file:new.txt", doc="new.txt",
                    raw="Công an xã Tân Lập ra mắt mô hình “Camera an ninh” với 12 camera.\n".encode())
    assert land(store, source, read(source)).ok
    store.close()
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO sentences_fts (sentences_fts) VALUES ('integrity-check')")
        assert conn.execute("SELECT COUNT(*) FROM sentences_fts WHERE sentences_fts MATCH 'tan lap'").fetchone() == (1,)
