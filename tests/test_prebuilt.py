"""Cold start: prebuilt tables (pipeline/prebuilt.py) and commands that import only their
own module (pipeline/cli/__init__.py).  Times are measured by bench/startup.py, not here."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline import prebuilt

ROOT = Path(__file__).resolve().parent.parent


def test_a_table_is_built_once_then_loaded_and_rebuilt_when_its_inputs_change(tmp_path, monkeypatch):
    monkeypatch.setenv(prebuilt.ENV_CACHE, str(tmp_path / "cache"))
    data, code = tmp_path / "data.txt", tmp_path / "code.py"
    data.write_text("a b c")
    code.write_text("# v1")
    built = []

    def build():
        built.append(1)
        return {"words": data.read_text().split()}

    assert prebuilt.load("t", build, [data], [code]) == {"words": ["a", "b", "c"]}
    assert prebuilt.load("t", build, [data], [code]) == {"words": ["a", "b", "c"]} and len(built) == 1
    data.write_text("a b c d")  # new data
    assert prebuilt.load("t", build, [data], [code])["words"][-1] == "d" and len(built) == 2
    code.write_text("# v2")  # new code building it
    prebuilt.load("t", build, [data], [code])
    assert len(built) == 3
    assert len(list((tmp_path / "cache").glob("t-*.pickle"))) == 1  # the stale copies are gone
    # a damaged copy is built again, not trusted
    next((tmp_path / "cache").glob("t-*.pickle")).write_bytes(b"not a pickle")
    assert prebuilt.load("t", build, [data], [code])["words"] == ["a", "b", "c", "d"] and len(built) == 4


def test_no_cache_where_none_can_be_written(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv(prebuilt.ENV_CACHE, str(blocker / "cache"))  # under a file: cannot be made
    assert prebuilt.load("t", lambda: 42, [], []) == 42
    monkeypatch.setenv(prebuilt.ENV_CACHE, "off")
    assert prebuilt.cache_dir() is None and prebuilt.load("t", lambda: 43, [], []) == 43


def test_the_prebuilt_segmenter_and_gazetteer_are_the_ones_built_from_the_sources(tmp_path, monkeypatch):
    from gazetteer.admin import Gazetteer, get_gazetteer
    from pipeline.nlp.wordseg import WordSegmenter

    monkeypatch.setenv(prebuilt.ENV_CACHE, str(tmp_path))
    fresh = WordSegmenter(prebuilt=False)
    WordSegmenter()  # builds and keeps
    kept = WordSegmenter()  # loads
    for name in ("dictionary", "token_map", "_known_base", "_lowered", "_flags", "_bos", "_eos", "_trans"):
        assert getattr(kept, name) == getattr(fresh, name), name
    text = "Ngày 12/3/2024, Công an xã Tân Lập (huyện Quỳnh Lưu) ra mắt mô hình “Camera an ninh” với 1.200 camera."
    assert kept.segment(text) == fresh.segment(text)
    assert kept.model.labels == fresh.model.labels  # still there, read on first use

    get_gazetteer.cache_clear()
    try:
        get_gazetteer()
        get_gazetteer.cache_clear()
        loaded, built = get_gazetteer(), Gazetteer.load()
        assert list(loaded.rows()) == list(built.rows())
        assert loaded.lookup("TP Lạng Sơn") == built.lookup("TP Lạng Sơn")
        assert loaded.names_by_first_syllable() == built.names_by_first_syllable()
    finally:
        get_gazetteer.cache_clear()


def test_every_command_is_declared_by_the_module_the_entry_point_loads_for_it():
    from pipeline.cli import MODULES
    from pipeline.cli.options import COMMANDS
    import pipeline.cli

    pipeline.cli.app  # noqa: B018 - builds the whole app: every module declares its commands
    declared = {(kwargs.get("name") or fn.__name__.replace("_", "-")): fn.__module__.rsplit(".", 1)[1]
                for fn, kwargs in COMMANDS}
    assert declared == MODULES


@pytest.mark.parametrize("command, unwanted", [
    (["--help"], ["spacy", "pipeline.nlp.extract"]),
    (["models", "--help"], ["spacy", "pipeline.cli.batch", "pipeline.cli.crawl", "pipeline.cli.articles"]),
])
def test_a_command_imports_only_what_it_needs(command, unwanted):
    probe = ("import sys, runpy; sys.argv = ['vnfacts', *sys.argv[1:]]\n"
             "try:\n    runpy.run_module('pipeline', run_name='__main__')\n"
             "except SystemExit:\n    pass\n"
             "print(' '.join(sorted(sys.modules)), file=sys.stderr)")
    result = subprocess.run([sys.executable, "-c", probe, *command], capture_output=True, text=True, cwd=ROOT,
                            env={**os.environ})
    assert "Usage" in result.stdout
    loaded = set(result.stderr.split())
    assert not loaded & set(unwanted), loaded & set(unwanted)
