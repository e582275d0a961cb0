import json

import numpy as np
import pytest

from helpers.results import Results, Table


def test_results_are_saved_in_full_precision_and_shown_rounded(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBOOK_BUILD_DIR", str(tmp_path))
    r = Results("a1_q1_mle_quality_control")
    r.add("posterior", np.float64(0.123456789), "P(passed | x)", digits=3)
    r.add("classes", np.array([0, 1]), "predicted classes")
    r.show()
    payload = json.loads((tmp_path / "results" / "a1_q1_mle_quality_control.json").read_text())
    assert payload["results"] == {"posterior": 0.123456789, "classes": [0, 1]}
    assert payload["labels"]["posterior"] == "P(passed | x)"
    assert "0.123" in repr(r) and "0.1234" not in repr(r)
    assert "<table>" in r._repr_html_()


def test_results_reject_unknown_notebooks_bad_keys_and_diverged_values():
    with pytest.raises(KeyError, match="course.toml"):
        Results("a0_q0_missing")
    r = Results("a1_q1_mle_quality_control")
    with pytest.raises(ValueError, match="identifier"):
        r.add("not a key", 1.0, "x")
    with pytest.raises(ValueError, match="diverged"):
        r.add("loss", float("nan"), "x")
    with pytest.raises(ValueError, match="nothing recorded"):
        r.save()


def test_table_checks_row_length_and_formats():
    t = Table(["model", "accuracy"], [["MLP", 0.91234], ["CNN", 1]], digits=2)
    assert "0.91" in repr(t) and "0.91" in t._repr_html_()
    with pytest.raises(ValueError, match="row 0"):
        Table(["a", "b"], [[1]])


def test_load_recorded_reads_back_and_explains_a_missing_file(tmp_path, monkeypatch):
    from helpers.results import load_recorded

    monkeypatch.setenv("WORKBOOK_BUILD_DIR", str(tmp_path))
    with pytest.raises(FileNotFoundError, match="make test"):
        load_recorded("a1_q1_mle_quality_control")
    r = Results("a1_q1_mle_quality_control")
    r.add("p", 0.5, "p")
    r.save()
    assert load_recorded("a1_q1_mle_quality_control") == {"p": 0.5}
