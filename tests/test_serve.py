"""`vnfacts serve`: Datasette on the store, read-only, offline — checked in
process (metadata, canned queries, the reader page, links that survive a
reprocess) and in a real headless browser (Debian's chromium driven by
Playwright) against a real server: the reader page and its links, Vietnamese
labels, readable widths, the search box, the map's popups.
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
from pipeline.schema import KINDS
from pipeline.query.queries import connect
from pipeline.query.serve import (
    CANNED_QUERIES,
    PLUGINS_DIR,
    SETTINGS,
    STATIC_DIR,
    STATIC_MOUNT,
    TEMPLATES_DIR,
    metadata,
)

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
                       template_dir=str(TEMPLATES_DIR), static_mounts=[(STATIC_MOUNT, str(STATIC_DIR))],
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


def test_reader_page_has_the_text_and_every_fact_linked(db):
    conn = connect(db)
    name = db.stem
    (page, missing) = _get_all(db, [f"/{name}/articles/1", f"/{name}/articles/999999"])
    assert page.status_code == 200 and missing.status_code == 404
    html = page.text
    title, text = conn.execute("SELECT title, text FROM articles WHERE id = 1").fetchone()
    assert f"<h1>{title}</h1>" in html
    for kind in KINDS:
        for (fact_id,) in conn.execute(f"SELECT id FROM {kind} WHERE article_id = 1"):
            assert f'id="f{fact_id}"' in html, (kind, fact_id)           # highlighted in the text
            assert f'id="fact-{fact_id}"' in html, (kind, fact_id)       # listed by kind
            assert f'href="#fact-{fact_id}"' in html and f'href="#f{fact_id}"' in html
    n_sentences = conn.execute("SELECT COUNT(*) FROM sentences WHERE article_id = 1").fetchone()[0]
    assert all(f'id="s{i}"' in html for i in range(n_sentences))
    # the whole text, paragraph by paragraph (markup aside)
    plain = re.sub(r"<[^>]+>", "", html.split('<article class="article-text"', 1)[1].split("</article>", 1)[0])
    import html as html_lib

    assert " ".join(text.split()) in " ".join(html_lib.unescape(plain).split())
    conn.close()


def test_fact_ids_and_reader_links_survive_a_reprocess(tmp_path):
    """A link to a fact (``/db/articles/ID#fFACT``) is the same after ``vnfacts reprocess --all``."""
    import shutil

    db = tmp_path / "copy.db"
    shutil.copy(corpus_store(), db)
    before = {kind: sorted(r for r in connect(db).execute(f"SELECT article_id, id FROM {kind}")) for kind in KINDS}
    result = subprocess.run([sys.executable, "-m", "pipeline", "reprocess", "--all", "--db", str(db), "--no-progress"],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    after = {kind: sorted(r for r in connect(db).execute(f"SELECT article_id, id FROM {kind}")) for kind in KINDS}
    assert after == before
    article_id, fact_id = before["counts"][0]
    (page,) = _get_all(db, [f"/{db.stem}/articles/{article_id}"])
    assert f'id="f{fact_id}"' in page.text and f'id="fact-{fact_id}"' in page.text


def test_every_fact_row_and_canned_row_links_to_its_sentence(db):
    name = db.stem
    claim = "Thanh Hóa có 909 mô hình"
    pages = _get_all(db, [f"/{name}/counts", f"/{name}/places", f"/{name}/sentences",
                          f"/{name}/verify_figure?claim={quote(claim)}", f"/{name}/article_facts?article_id=1",
                          f"/{name}/search_sentences?q=ha+nam", f"/{name}/models_by_province?province=&by=",
                          f"/{name}/officials?name=", f"/{name}/place_map?province="])
    assert all(p.status_code == 200 for p in pages), [p.status_code for p in pages]
    reader = re.compile(rf'href="/{name}/articles/(\d+)#([fs]-?\d+)"')
    conn = connect(db)
    for page in pages:
        links = reader.findall(page.text)
        assert links, page.url
        rows = page.text.count("<tr>") - 1
        assert len(links) >= rows, (page.url, len(links), rows)          # every row has one
    counts_links = reader.findall(pages[0].text)
    for article_id, anchor in counts_links:
        fact = conn.execute("SELECT article_id FROM counts WHERE id = ?", [int(anchor[1:])]).fetchone()
        assert fact == (int(article_id),)
    verify_links = reader.findall(pages[3].text)
    (count_id,) = conn.execute("SELECT id FROM counts WHERE value = 909").fetchone()
    assert (str(conn.execute("SELECT article_id FROM counts WHERE id = ?", [count_id]).fetchone()[0]),
            f"f{count_id}") in verify_links
    conn.close()


def test_a_quote_in_the_search_box_is_a_plain_message(db):
    name = db.stem
    table, raw = _get_all(db, [f"/{name}/sentences?_search={quote(chr(34))}",
                               f"/{name}/sentences?_search={quote(chr(34))}&_searchmode=raw"])
    assert table.status_code == 200 and "fts5" not in table.text
    assert "fts5" not in raw.text and "Ô tìm kiếm không đọc được" in raw.text


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
    assert (pccc["province"], pccc["count"], pccc["articles"]) == ("Thanh Hóa", "1.120", "1")
    # Vietnamese labels; the column's own name stays in data-column
    heads = page.eval_on_selector_all("table.rows-and-columns thead th", "ths => ths.map(th => th.innerText.trim())")
    assert "tỉnh" in heads and "số lượng" in heads and "province" not in heads
    # the province filter, typed into the form as a reader would, without diacritics
    page.fill("input[name=province]", "bac lieu")
    page.click("input[type=submit][value='Chạy truy vấn']")
    page.wait_for_load_state()
    rows = _rows(page)
    assert rows and {r["province"] for r in rows} == {"Bạc Liêu"}
    assert not page.problems, page.problems


def test_browser_verify_a_figure_of_the_corpus(page, server, db):
    page.goto(f"{server}/{db.stem}/verify_figure")
    page.fill("input[name=claim]", "Thanh Hoa co 909 mo hinh")
    page.click("input[type=submit][value='Chạy truy vấn']")
    page.wait_for_selector("mark.vnfacts-figure")
    rows = _rows(page)
    support = next(r for r in rows if r["relation"].startswith("ủng hộ"))
    assert (support["figure"], support["site"]) == ("909 mô hình", "baothanhhoa.vn")
    assert support["title"] == "Xây dựng phong trào “Toàn dân bảo vệ an ninh Tổ quốc”"
    # the source sentence, as stored, with the figure highlighted
    sentence = connect(db).execute(
        "SELECT s.text FROM counts c JOIN sentences s ON s.id = c.sentence_id WHERE c.value = 909").fetchone()[0]
    assert support["sentence"] == sentence
    assert page.locator("mark.vnfacts-figure").first.inner_text() == "909 mô hình"
    # from the row to its sentence in the reader, the figure marked there
    page.click("td.col-sentence a.vnfacts-reader")
    page.wait_for_load_state()
    assert "/articles/" in page.url and "#f" in page.url
    target = page.locator(":target")
    assert target.evaluate("el => el.tagName") == "MARK" and target.inner_text().startswith("909")

    page.goto(f"{server}/{db.stem}/verify_figure")
    page.fill("input[name=claim]", "4.321 khu dân cư")
    page.click("input[type=submit][value='Chạy truy vấn']")
    page.wait_for_load_state()
    rows = _rows(page)
    assert rows[0]["relation"].startswith("không có căn cứ") and "No stored article supports" in rows[0]["sentence"]
    assert not page.problems, page.problems


def test_browser_map_of_places_works_offline(page, server, db):
    page.goto(f"{server}/{db.stem}/place_map?province=bac+lieu")
    page.wait_for_selector(".leaflet-container")
    page.wait_for_selector(".leaflet-marker-icon", timeout=15000)
    page.wait_for_selector("img.leaflet-tile-loaded", timeout=15000)  # tiles from the bundled basemap
    # the popup is text (the place, its articles), not JSON
    page.locator(".leaflet-marker-icon:not(.marker-cluster)").first.click()
    popup = page.wait_for_selector(".leaflet-popup-content").inner_text()
    assert "Bạc Liêu" in popup and "bài / articles" in popup and "{" not in popup
    cells = page.eval_on_selector_all("td.col-popup", "tds => tds.map(td => td.innerText)")
    assert cells and not any("{" in c for c in cells)
    assert not page.problems, page.problems


def test_browser_full_text_search_ignores_diacritics_and_survives_a_quote(page, server, db):
    page.goto(f"{server}/{db.stem}/sentences?_search={quote('thanh hoa')}")
    rows = _rows(page)
    assert any("Thanh Hóa" in r["text"] for r in rows)
    # a reader types a stray quote: no error page, no "fts5: syntax error"
    page.fill("input[name=_search]", 'thanh hoa"')
    page.click("input[type=submit][value='Áp dụng']")
    page.wait_for_load_state()
    assert "fts5" not in page.content() and "syntax error" not in page.content()
    assert any("Thanh Hóa" in r["text"] for r in _rows(page))
    assert not page.problems, page.problems


def test_browser_officials_show_positions_as_text(page, server, db):
    page.goto(f"{server}/{db.stem}/officials?name=le+quoc+hung")
    (row,) = _rows(page)
    assert row["ranks"] == "Trung tướng" and "Thứ trưởng" in row["positions"]
    assert "[" not in row["positions"] and '"' not in row["positions"]
    # its latest mention leads to the sentence
    page.click("td.col-latest_fact_id a")
    page.wait_for_load_state()
    assert "Lê Quốc Hùng" in page.locator(":target").inner_text()
    assert not page.problems, page.problems


def test_browser_reader_page_and_its_links(page, server, db):
    conn = connect(db)
    title, text = conn.execute("SELECT title, text FROM articles WHERE id = 5").fetchone()
    facts = {kind: [r[0] for r in conn.execute(f"SELECT id FROM {kind} WHERE article_id = 5 ORDER BY start")]
             for kind in KINDS}
    conn.close()
    # from the articles table, the headline leads to the reader
    page.goto(f"{server}/{db.stem}/articles")
    page.click(f"td.col-title a:has-text('{title}')")
    page.wait_for_load_state()
    assert page.url.endswith(f"/{db.stem}/articles/5")
    assert page.locator("h1").inner_text() == title
    # readable: the text column is wide, sentences run over whole lines (not a word a line)
    width = page.eval_on_selector("article.article-text", "el => el.getBoundingClientRect().width")
    assert width >= 480, width
    lines = page.eval_on_selector("article.article-text p.paragraph:nth-of-type(2)", """p => {
        const lh = parseFloat(getComputedStyle(p).lineHeight); return p.getBoundingClientRect().height / lh; }""")
    words = len(page.eval_on_selector("article.article-text p.paragraph:nth-of-type(2)", "p => p.innerText").split())
    assert words / lines > 6, (words, lines)
    # every fact highlighted in the text and listed under its kind
    for kind, ids in facts.items():
        listed = page.eval_on_selector_all(f"#kind-{kind} li", "lis => lis.map(li => li.id)")
        assert listed == [f"fact-{i}" for i in ids], kind
        for i in ids:
            assert page.locator(f"mark#f{i}").count() == 1, (kind, i)
    # list -> text: the fact is marked as the target and in view
    first_count = facts["counts"][0]
    page.click(f"#fact-{first_count} a.to-text")
    assert page.url.endswith(f"#f{first_count}")
    mark = page.locator(f"mark#f{first_count}")
    assert mark.evaluate("el => el.matches(':target')")
    assert mark.evaluate("el => { const r = el.getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; }")
    # text -> list: a highlighted figure leads to its entry
    mark.locator("a.fact-link").first.click()
    assert page.url.endswith(f"#fact-{first_count}")
    assert page.locator(f"li#fact-{first_count}").evaluate("el => el.matches(':target')")
    # the entry's row link is the fact's own row page
    page.click(f"li#fact-{first_count} a:has-text('dòng / row')")
    page.wait_for_load_state()
    assert page.url.endswith(f"/{db.stem}/counts/{first_count}")
    # and from a fact's table row back to the reader
    page.goto(f"{server}/{db.stem}/counts?article_id=5&_sort=start")
    page.click("td.col-evidence a")
    page.wait_for_load_state()
    assert page.url.endswith(f"/{db.stem}/articles/5#f{first_count}")
    assert page.locator(":target").count() == 1
    assert not page.problems, page.problems
