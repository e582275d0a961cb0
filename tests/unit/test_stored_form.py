"""Every stored notebook is in the form JupyterLab writes and `make refresh` stores (tools/refresh.py).

So opening a notebook in JupyterLab and saving it without an edit changes no byte (the browser test
confirms the form with JupyterLab itself), and a refresh changes only what the run changed.
"""
from __future__ import annotations

import nbformat
import pytest

from helpers.notebooks import notebook_paths
from tools.refresh import stored_form

NOTEBOOKS = notebook_paths()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_is_stored_in_jupyterlabs_form(path):
    text = path.read_text(encoding="utf-8")
    nb = nbformat.reads(text, as_version=4)
    timed = [i for i, c in enumerate(nb.cells) if "execution" in c.get("metadata", {})]
    assert not timed, f"cells {timed[:5]} store execution timestamps: run `make refresh NB=notebooks/{path.name}`"
    assert "version" in nb.metadata.get("language_info", {}), "language_info as the kernel reports it"
    assert stored_form(nb, path.stem) == text, (
        f"{path.name} is not in the stored form (widget ids, numbers, kernelspec or layout differ): "
        f"run `make refresh NB=notebooks/{path.name}`")
