import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

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


# ---------------------------------------------------------------- checked when added
@pytest.mark.parametrize("name, suggestion", [
    ("x.ipynb", "Results('x')"),
    ("notebooks/a1_q1_mle_quality_control.ipynb", "Results('a1_q1_mle_quality_control')"),
    ("a1 q1", "Results('a1_q1_mle_quality_control')"),
])
def test_results_refuse_a_file_name_and_give_the_id_form(tmp_path, monkeypatch, name, suggestion):
    monkeypatch.setenv("WORKBOOK_BUILD_DIR", str(tmp_path))
    expected = (f"Results: notebook must be the notebook's id, its file name without folder or .ipynb, "
                f"e.g. {suggestion}; got {name!r}")
    with pytest.raises(ValueError, match="^" + re.escape(expected) + "$"):
        Results(name)
    assert list(tmp_path.iterdir()) == []


def test_a_value_json_cannot_store_is_refused_at_add_naming_the_key():
    r = Results("a1_q1_mle_quality_control")
    with pytest.raises(TypeError, match=r"^Results.add: model is a object, which a JSON file cannot store; record "
                                        r"numbers, strings, bools or lists and dicts of them"):
        r.add("model", object(), "the model")
    with pytest.raises(TypeError, match=r"^Results.add: scores\['mlp'\]\[1\] is a set, which"):
        r.add("scores", {"mlp": [0.9, {1, 2}]}, "scores")
    with pytest.raises(TypeError, match=r"^Results.add: the label of 'p' must be a str; got int"):
        r.add("p", 0.5, 3)
    with pytest.raises(ValueError, match=r"^Results.add\('p'\): digits must be an integer in \[0, 15\]; got -1$"):
        r.add("p", 0.5, "p", digits=-1)
    with pytest.raises(ValueError, match=r"^Results.add: key must be an identifier such as 'test_accuracy'; got 3$"):
        r.add(3, 0.5, "p")
    with pytest.raises(ValueError, match=r"^Results.add\('acc'\): tolerance must be a finite number >= 0; got -0.1$"):
        r.add("acc", 0.9, "accuracy", tolerance=-0.1)
    with pytest.raises(TypeError, match=r"^Results.add\('acc'\): tolerance must be a finite number >= 0; got '2sd'"):
        r.add("acc", 0.9, "accuracy", tolerance="2sd")
    assert len(r) == 0                                      # nothing half-recorded


@pytest.mark.parametrize("value, where, bad", [
    ([0.5, float("nan")], r"curve\[1\]", "nan"),
    ({"train": [0.1, 0.2], "val": [0.3, float("inf")]}, r"curve\['val'\]\[1\]", "inf"),
    (np.array([[1.0, -np.inf]]), r"curve\[0\]\[1\]", "-inf"),
])
def test_non_finite_numbers_inside_lists_and_dicts_are_refused(value, where, bad):
    r = Results("a1_q1_mle_quality_control")
    with pytest.raises(ValueError, match=rf"^Results.add: {where} is {bad}; a diverged run cannot be recorded"):
        r.add("curve", value, "a learning curve")
    assert len(r) == 0


def test_numpy_values_nested_in_containers_are_stored_as_plain_json(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBOOK_BUILD_DIR", str(tmp_path))
    r = Results("a1_q1_mle_quality_control")
    r.add("mixed", {"n": np.int64(3), "ok": np.bool_(True), "xs": (np.float32(0.5), None, "a")}, "mixed")
    payload = json.loads(r.save().read_text(), parse_constant=lambda c: pytest.fail(f"non-standard JSON {c}"))
    assert payload["results"]["mixed"] == {"n": 3, "ok": True, "xs": [0.5, None, "a"]}


# ---------------------------------------------------------------- where and how the file is written
@pytest.mark.parametrize("value, expected", [
    ("", "ROOT/build"), ("   ", "ROOT/build"), ("relbuild", "ROOT/relbuild"), ("~/wb", "HOME/wb"),
    ("ABS/out", "ABS/out"),
])
def test_build_dir_is_resolved_against_the_project_folder(tmp_path, monkeypatch, value, expected):
    from helpers.paths import ROOT, build_dir

    home = tmp_path / "home"
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("USERPROFILE", str(home))
    monkeypatch.setenv("WORKBOOK_BUILD_DIR", value.replace("ABS", str(tmp_path)))
    monkeypatch.chdir(ROOT / "notebooks")                  # a notebook's working directory
    wanted = expected.replace("ROOT", str(ROOT)).replace("HOME", str(home)).replace("ABS", str(tmp_path))
    assert build_dir() == Path(wanted)
    assert Results("a1_q1_mle_quality_control").path == Path(wanted) / "results" / "a1_q1_mle_quality_control.json"


def test_a_save_that_fails_part_way_keeps_the_previous_file(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBOOK_BUILD_DIR", str(tmp_path))
    r = Results("a1_q1_mle_quality_control")
    r.add("p", 0.5, "p")
    path = r.save()
    before = path.read_bytes()
    r.add("curve", list(range(1000)), "curve")

    def disk_full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(OSError, match="No space left"):
        r.save()
    assert path.read_bytes() == before
    assert [p.name for p in path.parent.iterdir()] == [path.name]       # no temporary file left behind


@pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_FSIZE is POSIX")
def test_a_save_over_the_file_size_limit_keeps_the_previous_file(tmp_path):
    """A file-size limit (as `ulimit -f`) makes the write fail part-way, like a full disk."""
    script = textwrap.dedent(f"""
        import os, resource, signal
        os.environ["WORKBOOK_BUILD_DIR"] = {str(tmp_path)!r}
        from helpers.results import Results
        r = Results("a1_q1_mle_quality_control")
        r.add("p", 0.5, "p")
        r.save()
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))
        r.add("curve", [0.123456789] * 5000, "curve")
        try:
            r.save()
        except OSError as exc:
            print("failed:", exc.errno)
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert out.startswith("failed:"), out
    path = tmp_path / "results" / "a1_q1_mle_quality_control.json"
    assert json.loads(path.read_text())["results"] == {"p": 0.5}
    assert [p.name for p in path.parent.iterdir()] == [path.name]


WRITER = """
import os, sys
os.environ["WORKBOOK_BUILD_DIR"] = sys.argv[1]
from helpers.results import Results
r = Results("a1_q1_mle_quality_control")
for i in range(int(sys.argv[3])):
    r.add("values", [int(sys.argv[2])] * 3000, "values")
    r.save()
"""

READER = """
import json, pathlib, sys
path, done = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
reads = partial = 0
while not done.exists() or reads < 50:
    try:
        text = path.read_text()
    except FileNotFoundError:
        continue
    reads += 1
    try:
        values = json.loads(text)["results"]["values"]
        assert len(values) == 3000 and len(set(values)) == 1
    except (ValueError, KeyError, AssertionError):
        partial += 1
print(reads, partial)
"""


def test_a_reader_never_sees_a_partial_file_while_two_processes_write_it(tmp_path):
    path = tmp_path / "results" / "a1_q1_mle_quality_control.json"
    done = tmp_path / "done"
    subprocess.run([sys.executable, "-c", WRITER, str(tmp_path), "0", "1"], check=True)
    reader = subprocess.Popen([sys.executable, "-c", READER, str(path), str(done)], stdout=subprocess.PIPE, text=True)
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path), str(k), "150"]) for k in (1, 2)]
    assert [w.wait(timeout=120) for w in writers] == [0, 0]
    done.touch()
    reads, partial = map(int, reader.communicate(timeout=120)[0].split())
    assert reads >= 50 and partial == 0
    assert [p.name for p in path.parent.iterdir()] == [path.name]


def test_add_differences_records_mean_and_se_and_the_p_values_apart():
    from helpers import stats

    results = Results("a1_q1_mle_quality_control")
    d = stats.paired_difference([0.9, 0.8, 0.85, 0.95], [0.8, 0.8, 0.8, 0.9])
    results.add_differences("gain", {"cnn_vs_mlp": d}, "test-accuracy gain", tolerance=0.02)
    assert results["gain"] == {"cnn_vs_mlp": {"mean": d.mean, "se": d.se}}
    assert results["gain_p"] == {"cnn_vs_mlp": d.p_value}
    payload = results.payload()
    assert payload["tolerances"] == {"gain": 0.02, "gain_p": 1.0}
    assert payload["labels"]["gain_p"] == "test-accuracy gain: paired t-test p"
