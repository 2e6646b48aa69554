"""`vnfacts serve`: Datasette on the store, read-only, offline — checked in
process (metadata, canned queries) and in a real headless browser (Debian's
chromium driven by Playwright) against a real server.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest

from corpus_store import ROOT, corpus_store
from pipeline.query.queries import connect
from pipeline.query.serve import CANNED_QUERIES, PLUGINS_DIR, SETTINGS, metadata

CHROMIUM = os.environ.get("VNFACTS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def db() -> Path:
    return corpus_store()


# --------------------------------------------------------------------------- metadata

def test_metadata_describes_every_table_and_column_in_two_languages(db):
    meta = metadata(db.stem)
    tables = meta["databases"][db.stem]["tables"]
    conn = connect(db)
    names = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sentences_fts_%' "
        "AND name NOT LIKE 'sqlite_%'")]
    for table in names:
        assert table in tables, f"no metadata for table {table}"
        assert " / " in tables[table]["title"] and tables[table]["description"], table
        for (column,) in ((r[1],) for r in conn.execute(f"PRAGMA table_info([{table}])")):
            description = tables[table]["columns"].get(column)
            assert description and " / " in description, f"{table}.{column}: {description!r}"
    conn.close()
    queries = meta["databases"][db.stem]["queries"]
    assert set(queries) == set(CANNED_QUERIES)
    assert all(" / " in q["title"] and q["sql"] for q in queries.values())
    assert tables["sentences"]["fts_table"] == "sentences_fts"
    assert meta["plugins"]["datasette-cluster-map"]["tile_layer"].startswith("/-/tiles/basemap/")


# --------------------------------------------------------------------------- in process

def _get_all(db: Path, paths: list[str]) -> list:
    from datasette.app import Datasette

    async def run():
        ds = Datasette(immutables=[str(db)], metadata=metadata(db.stem), plugins_dir=str(PLUGINS_DIR),
                       settings={k: int(v) for k, v in SETTINGS.items()})
        await ds.invoke_startup()
        return [await ds.client.get(p) for p in paths]

    return asyncio.run(run())


def test_canned_queries_answer_like_the_command_line(db):
    from pipeline.query.queries import models_by_province, officials
    from pipeline.query.verify import verdict_rows, verify

    name = db.stem
    claim = "Thanh Hóa có 909 mô hình"
    responses = _get_all(db, [
        f"/{name}/models_by_province.json?_shape=array&province=&by=",
        f"/{name}/verify_figure.json?_shape=array&claim={quote(claim)}",
        f"/{name}/officials.json?_shape=array&name=",
        f"/{name}/article_facts.json?_shape=array&article_id=1",
        f"/{name}/place_map.json?_shape=array&province=",
        f"/{name}/search_sentences.json?_shape=array&q={quote('ha nam')}",
        f"/{name}/counts",
        f"/{name}/verify_figure?claim={quote(claim)}",
    ])
    assert all(r.status_code == 200 for r in responses), [(r.status_code, r.text[:300]) for r in responses]
    models, verified, people, facts, places, search, counts_page, verify_page = responses
    conn = connect(db)
    assert len(models.json()) == len(models_by_province(conn))
    expected = verdict_rows(verify(conn, claim))
    assert [(r["relation"], r["figure"], r["sentence"]) for r in verified.json()] == \
           [(r["relation"], r["figure"], r["sentence"]) for r in expected]
    assert len(people.json()) == len(officials(conn))
    assert all("⟦" in f["sentence"] for f in facts.json())
    assert places.json() and all(p["latitude"] and p["longitude"] for p in places.json())
    assert search.json()
    assert "Con số / counts" in counts_page.text           # table title from the metadata
    assert '<mark class="vnfacts-figure">909 mô hình</mark>' in verify_page.text
    conn.close()


def test_store_is_served_read_only(db):
    name = db.stem
    (resp,) = _get_all(db, [f"/{name}.json?sql={quote('DELETE FROM counts')}&_shape=array"])
    assert resp.status_code == 400
    (after,) = _get_all(db, [f"/{name}/counts.json?_shape=array&_size=1"])
    assert after.json()


# --------------------------------------------------------------------------- in a real browser

@pytest.fixture(scope="module")
def server(db):
    """``vnfacts serve`` on 127.0.0.1 with a port chosen by the system."""
    proc = subprocess.Popen([sys.executable, "-m", "pipeline", "serve", "--db", str(db), "--port", "0"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = None
    log: list[str] = []
    deadline = time.monotonic() + 60
    try:
        while url is None and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            log.append(line)
            if m := re.search(r"Uvicorn running on (http://127\.0\.0\.1:\d+)", line):
                url = m.group(1)
        assert url, "server did not start:\n" + "".join(log)
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(url + "/-/versions.json", timeout=5) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    # CI must prove the browser test ran: a missing browser fails, it does not skip.
    if not (Path(CHROMIUM).is_file() or shutil.which(CHROMIUM)):
        pytest.fail(f"chromium not found at {CHROMIUM}: install Debian's chromium "
                    "(apt-get install chromium; .ci/run does this)", pytrace=False)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("the playwright package is missing: pip install -e '.[test]'", pytrace=False)
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 900})
        yield context
        context.close()


@pytest.fixture
def page(browser, server):
    page = browser.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    # everything must come from our server: the test machine has no internet
    page.on("requestfailed", lambda req: problems.append(f"failed: {req.url}"))
    page.on("request", lambda req: None if req.url.startswith(server) or req.url.startswith("data:")
            else problems.append(f"outside request: {req.url}"))
    page.problems = problems
    yield page
    page.close()


_ROWS_JS = """table => {
  const heads = [...table.querySelectorAll("thead th")].map(th => th.dataset.column || th.innerText.trim());
  return [...table.querySelectorAll("tbody tr")].map(tr =>
    Object.fromEntries([...tr.querySelectorAll("td")].map((td, i) => [heads[i], td.innerText.trim()])));
}"""


def _rows(page) -> list[dict[str, str]]:
    """The result table as the reader sees it (one evaluation in the page, not a round trip a cell)."""
    return page.eval_on_selector("table.rows-and-columns", _ROWS_JS)


def test_browser_models_by_province(page, server, db):
    from pipeline.query.queries import models_by_province

    page.goto(f"{server}/{db.stem}/models_by_province")
    assert page.locator("h1").inner_text().startswith("Mô hình theo tỉnh / models by province")
    rows = _rows(page)
    expected = models_by_province(connect(db))
    assert len(rows) == len(expected)
    pccc = next(r for r in rows if r["model"] == "Tổ liên gia an toàn PCCC")
    assert (pccc["province"], pccc["count"], pccc["articles"]) == ("Thanh Hóa", "1120", "1")
    # the province filter, typed into the form as a reader would
    page.fill("input[name=province]", "Bạc Liêu")
    page.click("input[type=submit][value='Run SQL']")
    page.wait_for_load_state()
    rows = _rows(page)
    assert rows and {r["province"] for r in rows} == {"Bạc Liêu"}
    assert not page.problems, page.problems


def test_browser_verify_a_figure_of_the_corpus(page, server, db):
    page.goto(f"{server}/{db.stem}/verify_figure")
    page.fill("input[name=claim]", "Thanh Hóa có 909 mô hình")
    page.click("input[type=submit][value='Run SQL']")
    page.wait_for_selector("mark.vnfacts-figure")
    rows = _rows(page)
    support = next(r for r in rows if r["relation"] == "supports")
    assert (support["figure"], support["unit"], support["site"]) == ("909", "mô hình", "baothanhhoa.vn")
    assert support["title"] == "Xây dựng phong trào “Toàn dân bảo vệ an ninh Tổ quốc”"
    # the source sentence, as stored, with the figure highlighted
    sentence = connect(db).execute(
        "SELECT s.text FROM counts c JOIN sentences s ON s.id = c.sentence_id WHERE c.value = 909").fetchone()[0]
    assert support["sentence"] == sentence
    assert page.locator("mark.vnfacts-figure").first.inner_text() == "909 mô hình"
    assert any(r["relation"] == "different figure" and r["figure"] == "165" for r in rows)

    page.fill("input[name=claim]", "4.321 khu dân cư")
    page.click("input[type=submit][value='Run SQL']")
    page.wait_for_load_state()
    rows = _rows(page)
    assert rows[0]["relation"] == "no support" and "No stored article supports" in rows[0]["sentence"]
    assert not page.problems, page.problems


def test_browser_map_of_places_works_offline(page, server, db):
    page.goto(f"{server}/{db.stem}/place_map")
    page.wait_for_selector(".leaflet-container")
    page.wait_for_selector(".leaflet-marker-icon", timeout=15000)
    page.wait_for_selector("img.leaflet-tile-loaded", timeout=15000)  # tiles from the bundled basemap
    assert not page.problems, page.problems


def test_browser_full_text_search_ignores_diacritics(page, server, db):
    page.goto(f"{server}/{db.stem}/sentences?_search={quote('thanh hoa')}")
    rows = _rows(page)
    assert any("Thanh Hóa" in r["text"] for r in rows)
    assert not page.problems, page.problems
