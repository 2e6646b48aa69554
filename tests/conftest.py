"""Shared fixtures: real files, real SQLite stores, the real CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus" / "articles"
GOLD = ROOT / "corpus" / "gold" / "seeds.jsonl"
VNFACTS = [sys.executable, "-m", "pipeline"]


def run_cli(*args: str, env: dict | None = None, cwd: Path | None = None, input: bytes | None = None) -> subprocess.CompletedProcess:
    """Run the real command line in a subprocess."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([*VNFACTS, *args], capture_output=True, cwd=cwd or ROOT, env=full_env, input=input, timeout=300)


@pytest.fixture
def facts_of():
    """Extract the facts of a snippet of text (one call = one article)."""
    from pipeline.nlp.extract import extract_doc
    from pipeline.nlp.segment import make_doc
    from pipeline.read.clean import CleanArticle

    def run(text: str, published: date | None = None):
        return extract_doc(make_doc(CleanArticle(text=text, published=published), "snippet.txt"))

    return run
