"""Fixtures every after-notebook test shares.

A test module names its notebook once, ``NOTEBOOK = "a1_q1_mle_quality_control"``, and asks for

* ``recorded``: the results the notebook recorded in this run (``build/results/<notebook>.json``),
  a clear failure when the notebook did not run;
* ``answer``: the stored notebook's Answer section as Markdown text, so that each sentence's claim
  can be asserted against ``recorded``.
"""
from __future__ import annotations

import pytest

from helpers.notebooks import answer_markdown
from helpers.paths import NOTEBOOK_DIR
from helpers.results import load_recorded


def _notebook(request) -> str:
    name = getattr(request.module, "NOTEBOOK", None)
    if not name:
        pytest.fail(f"{request.module.__name__} must set NOTEBOOK = '<notebook id>' to use this fixture")
    return name


@pytest.fixture(scope="module")
def recorded(request) -> dict:
    try:
        return load_recorded(_notebook(request))
    except FileNotFoundError as missing:
        pytest.fail(str(missing))


@pytest.fixture(scope="module")
def answer(request) -> str:
    path = NOTEBOOK_DIR / f"{_notebook(request)}.ipynb"
    text = answer_markdown(path)
    if not text:
        pytest.fail(f"{path.name} has no Markdown prose in its ## Answer section")
    return text
