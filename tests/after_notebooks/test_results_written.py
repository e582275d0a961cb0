"""Runs after the notebooks (second pytest call of `make test`): each one wrote its results file."""
from __future__ import annotations

import json

import pytest

from helpers.paths import build_dir
from helpers.notebooks import notebook_paths

NOTEBOOKS = notebook_paths()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_wrote_its_results_when_run(path):
    result = build_dir() / "results" / f"{path.stem}.json"
    assert result.is_file(), (f"{result.name} was not written; the notebook's Answer section must call "
                              "results.show() (run `make test`: the notebooks run before this check)")
    payload = json.loads(result.read_text())
    assert payload["notebook"] == path.stem
    assert payload["results"], "no results recorded"
