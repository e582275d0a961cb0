"""Fixtures every after-notebook test shares.

A test module names its notebook once, ``NOTEBOOK = "a1_q1_mle_quality_control"``, and asks for

* ``recorded``: the results the notebook recorded in this run (``build/results/<notebook>.json``),
  a clear failure when the notebook did not run;
* ``stored``: the results stored in the notebook file (its results table's metadata): the values
  the hand-written Answer quotes;
* ``answer``: the stored notebook's Answer section as Markdown text.

How an Answer is asserted: each number it quotes is compared with ``stored`` at the precision it
is printed (``assert stats.format_pm(stored["acc_mean"], stored["acc_sd"]) in answer``), and each
claim's logic with ``recorded`` (``assert recorded["cnn_vs_mlp"]["low"] > 0`` for "the CNN is more
accurate"), so a refresh that would make a sentence false fails here. Inside the numeric profile
the two are equal; outside it test_stored_answers.py checks ``recorded`` against ``stored`` within
each answer's declared tolerance, and the claims must still hold on ``recorded``.
"""
from __future__ import annotations

import pytest

from helpers.notebooks import answer_markdown, stored_results
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
def stored(request) -> dict:
    path = NOTEBOOK_DIR / f"{_notebook(request)}.ipynb"
    payload = stored_results(path)
    if payload is None:
        pytest.fail(f"{path.name} stores no results in its results table: `make refresh NB=notebooks/{path.name}`")
    return payload["results"]


@pytest.fixture(scope="module")
def answer(request) -> str:
    path = NOTEBOOK_DIR / f"{_notebook(request)}.ipynb"
    text = answer_markdown(path)
    if not text:
        pytest.fail(f"{path.name} has no Markdown prose in its ## Answer section")
    return text
