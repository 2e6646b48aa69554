"""The notebooks run top to bottom against the bundled corpus store (nbclient),
and are kept in git without outputs."""

from __future__ import annotations

import nbformat
import pytest
from nbclient import NotebookClient

from corpus_store import ROOT, corpus_store

NOTEBOOKS = ROOT / "notebooks"


@pytest.mark.parametrize("name, outputs", [
    ("researchers.ipynb", ["models_by_province.png", "models_over_time.png", "places.png", "places_map.html"]),
    ("journalists.ipynb", []),
])
def test_notebook_runs_top_to_bottom(name, outputs, tmp_path, monkeypatch):
    # the kernel is a child process: it inherits these
    monkeypatch.setenv("VNFACTS_DB", str(corpus_store()))
    monkeypatch.setenv("VNFACTS_NOTEBOOK_OUT", str(tmp_path))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}}).execute()
    errors = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs if o.output_type == "error"]
    assert not errors
    for filename in outputs:
        assert (tmp_path / filename).stat().st_size > 1000, filename
    if name == "journalists.ipynb":
        html = "".join(o.get("data", {}).get("text/html", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
        assert "<mark>909 mô hình</mark>" in html and "No stored article supports" in html


@pytest.mark.parametrize("name", ["researchers.ipynb", "journalists.ipynb"])
def test_notebooks_are_stored_without_outputs(name):
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
