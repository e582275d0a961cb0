"""Every recorded answer of this run against the answer stored in the notebook, within its tolerance.

The stored notebook keeps, in the metadata of its results table, each answer's value and declared
tolerance (``Results.add(..., tolerance=...)``). Inside the numeric profile the fresh values equal
the stored ones bit for bit (strict nbval checks that too); outside it (portable mode) this test is
what says the answers still hold: a deterministic answer must match to 1e-9, a trained score within
the spread the notebook declared for it.
"""
from __future__ import annotations

import json

import pytest

from helpers.notebooks import notebook_paths, stored_results
from helpers.paths import build_dir
from helpers.results import within_tolerance

NOTEBOOKS = notebook_paths()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_recorded_answers_match_the_stored_ones_within_their_tolerance(path):
    stored = stored_results(path)
    assert stored is not None, (f"{path.name} stores no answers in its results table's metadata: run "
                                f"`make refresh NB=notebooks/{path.name}` and commit it")
    recorded_file = build_dir() / "results" / f"{path.stem}.json"
    assert recorded_file.is_file(), f"{recorded_file.name} was not written: the notebook did not run to its end"
    recorded = json.loads(recorded_file.read_text(encoding="utf-8"))
    assert recorded["results"].keys() == stored["results"].keys(), (
        f"answers recorded now {sorted(recorded['results'])} differ from the stored ones "
        f"{sorted(stored['results'])}: refresh the notebook if the change is intended")
    mismatches = []
    for key, reference in stored["results"].items():
        tolerance = stored["tolerances"].get(key)
        value = recorded["results"][key]
        if not within_tolerance(reference, value, tolerance):
            mismatches.append(f"  {key} ({stored['labels'][key]}): stored {reference!r}, this run {value!r}, "
                              f"tolerance {'deterministic' if tolerance is None else tolerance}")
        if recorded["tolerances"].get(key) != tolerance:
            mismatches.append(f"  {key}: declared tolerance changed from {tolerance} to "
                              f"{recorded['tolerances'].get(key)}")
    assert not mismatches, (f"{path.name}: {len(mismatches)} answer(s) moved beyond their stated tolerance:\n"
                            + "\n".join(mismatches) + "\nIf the change is intended: `make refresh "
                            f"NB=notebooks/{path.name}`, check `git diff`, commit.")
