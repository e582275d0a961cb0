"""helpers.seeds: seed streams, order and bit-identity across workers, errors, output, notebooks."""
import os
import sys
import textwrap
import warnings

import nbformat
import numpy as np
import pytest
from nbclient import NotebookClient
from sklearn.datasets import load_digits

from helpers import nn
from helpers.paths import ROOT
from helpers.seeds import SeedRunError, available_workers, in_seed_run, run_seeds, seed_sequences

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers are forked on Linux only")


def train_digits_mlp(rng, lr=1e-2, epochs=3):
    """A real helpers.nn training run: weights, batch order and dropout from rng; float32."""
    X, y = load_digits(return_X_y=True)
    X = (X[:400] / 16.0).astype(np.float32)
    y = y[:400]
    model = nn.Sequential(nn.Linear(64, 32, rng=rng), nn.ReLU(), nn.Dropout(0.2, rng=rng),
                          nn.Linear(32, 10, rng=rng, init="glorot"))
    nn.fit(model, nn.SoftmaxCrossEntropy(), nn.Adam(model, lr=lr), X, y, epochs=epochs, batch_size=32, rng=rng)
    return {"W": model[0].params["W"].copy(), "logits": nn.predict(model, X[:50]), "in_run": in_seed_run()}


def first_draws(rng, offset=0.0):
    return rng.random(4) + offset


def fail_on_index_two(rng):
    if rng.bit_generator.seed_seq.spawn_key == (2,):
        raise ValueError("seed two is broken")
    return 1


def chatty(rng, tag):
    print(f"run {tag} {rng.integers(100)}")
    warnings.warn(f"note from {tag}", RuntimeWarning)
    return tag


def test_streams_are_spawned_seed_sequences_not_global_state():
    np.random.seed(5)
    before = np.random.get_state()[1].copy()
    got = run_seeds(first_draws, 4, seed=2024, sequential=True, progress=False)
    children = np.random.SeedSequence(2024).spawn(4)
    for i, draws in enumerate(got):
        np.testing.assert_array_equal(draws, np.random.default_rng(children[i]).random(4))
    assert len({tuple(d) for d in got}) == 4
    # the pitfall the spawned streams avoid: a list seed [s, 0] is the stream of s itself
    np.testing.assert_array_equal(np.random.default_rng([7, 0]).random(3), np.random.default_rng(7).random(3))
    np.testing.assert_array_equal(np.random.get_state()[1], before)
    assert [s.spawn_key for s in seed_sequences(2024, 3)] == [(0,), (1,), (2,)]


@linux_only
def test_workers_return_seed_order_and_the_same_bits_as_a_sequential_run():
    here = run_seeds(train_digits_mlp, 5, seed=11, sequential=True, progress=False)
    pooled = run_seeds(train_digits_mlp, 5, seed=11, workers=2, progress=False)
    assert len(pooled) == 5
    for a, b in zip(here, pooled):
        assert a["W"].dtype == np.float32
        assert a["W"].tobytes() == b["W"].tobytes()
        assert a["logits"].tobytes() == b["logits"].tobytes()
        assert a["in_run"] and b["in_run"]
    assert here[0]["W"].tobytes() != here[1]["W"].tobytes()
    # and the same as calling the function directly with that seed's stream
    direct = train_digits_mlp(np.random.default_rng(seed_sequences(11, 5)[3]))
    assert direct["logits"].tobytes() == pooled[3]["logits"].tobytes()
    assert not in_seed_run()


@linux_only
def test_grid_gives_every_setting_the_same_streams():
    got = run_seeds(first_draws, 3, seed=1, grid=[{"offset": 0.0}, {"offset": 10.0}], workers=2, progress=False)
    assert len(got) == 2 and all(len(row) == 3 for row in got)
    for a, b in zip(*got):
        np.testing.assert_allclose(b - a, 10.0)
    np.testing.assert_array_equal(got[0][2], np.random.default_rng(seed_sequences(1, 3)[2]).random(4))


@linux_only
def test_a_function_defined_on_the_fly_works_with_forked_workers():
    scale = 3.0
    got = run_seeds(lambda rng: scale * rng.random(), 4, seed=0, workers=2, progress=False)
    assert got == [scale * np.random.default_rng(s).random() for s in seed_sequences(0, 4)]


@pytest.mark.parametrize("sequential", [True, False], ids=["here", "workers"])
def test_a_failing_seed_names_its_index_sequence_and_traceback(sequential):
    if not sequential and not sys.platform.startswith("linux"):
        pytest.skip("workers are forked on Linux only")
    with pytest.raises(SeedRunError) as info:
        run_seeds(fail_on_index_two, 4, seed=9, sequential=sequential, workers=2, progress=False)
    err = info.value
    assert err.seed_index == 2 and err.seed_sequence.spawn_key == (2,)
    assert "fail_on_index_two failed for seed index 2 (of 4; np.random.SeedSequence(9).spawn(4)[2])" in str(err)
    assert "ValueError: seed two is broken" in str(err)
    assert 'raise ValueError("seed two is broken")' in err.worker_traceback


@linux_only
def test_a_failing_grid_setting_is_named():
    with pytest.raises(SeedRunError, match=r"grid\[1\] = \{'lr': 100.0\}") as info:
        run_seeds(lambda rng, lr: 1 / (lr < 10), 2, seed=0, grid=[{"lr": 1.0}, {"lr": 100.0}],
                  workers=2, progress=False)
    assert info.value.setting == {"lr": 100.0}


@linux_only
def test_an_unpicklable_result_is_reported_with_a_fix():
    with pytest.raises(SeedRunError, match="result cannot be sent back"):
        run_seeds(lambda rng: (lambda: 0), 2, seed=0, workers=2, progress=False)


def test_spawned_workers_refuse_notebook_functions_before_any_work():
    calls = []
    with pytest.raises(TypeError) as info:
        run_seeds(lambda rng: calls.append(1), 3, seed=0, workers=2, start_method="spawn", progress=False)
    message = str(info.value)
    assert "cannot send test_spawned_workers_refuse_notebook_functions_before_any_work.<locals>.<lambda> to worker" in message
    assert "'spawn'" in message and "in a .py module" in message and "sequential=True" in message
    assert calls == []


def test_main_module_functions_are_refused_under_spawn_when_main_has_no_file(monkeypatch):
    import types
    main = types.ModuleType("__main__")  # what a Jupyter kernel's __main__ looks like: no __file__
    code = "def train_in_cell(rng):\n    return 1\n"
    exec(code, main.__dict__)
    monkeypatch.setitem(sys.modules, "__main__", main)
    with pytest.raises(TypeError, match=r"train_in_cell is defined in this notebook .*'spawn'.* sequential=True"):
        run_seeds(main.train_in_cell, 2, seed=0, workers=2, start_method="spawn", progress=False)


def test_if_needed_runs_a_notebook_function_here_under_spawn_and_on_workers_when_it_can(monkeypatch):
    import types
    main = types.ModuleType("__main__")
    exec("import numpy as np\ndef draw_in_cell(rng):\n    return rng.random(3)\n", main.__dict__)
    monkeypatch.setitem(sys.modules, "__main__", main)
    here = run_seeds(main.draw_in_cell, 3, seed=5, sequential=True, progress=False)
    fallback = run_seeds(main.draw_in_cell, 3, seed=5, workers=2, start_method="spawn", sequential="if-needed",
                         progress=False)
    assert [a.tobytes() for a in fallback] == [b.tobytes() for b in here]
    pooled = run_seeds(first_draws, 2, seed=4, workers=2, start_method="spawn", sequential="if-needed",
                       progress=False, kwargs={"offset": 1.0})
    assert [a.tobytes() for a in pooled] == [b.tobytes() for b in run_seeds(first_draws, 2, seed=4, sequential=True,
                                                                             progress=False, kwargs={"offset": 1.0})]
    with pytest.raises(TypeError, match="'if-needed'"):
        run_seeds(first_draws, 2, seed=4, sequential="sometimes", progress=False)


def test_spawned_workers_run_a_module_function():
    got = run_seeds(first_draws, 2, seed=4, workers=2, start_method="spawn", progress=False,
                    kwargs={"offset": 1.0})
    here = run_seeds(first_draws, 2, seed=4, sequential=True, progress=False, kwargs={"offset": 1.0})
    assert [a.tobytes() for a in got] == [b.tobytes() for b in here]


@pytest.mark.parametrize("sequential", [True, False], ids=["here", "workers"])
def test_prints_come_in_seed_order_and_warnings_are_reissued(sequential, capsys):
    if not sequential and not sys.platform.startswith("linux"):
        pytest.skip("workers are forked on Linux only")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        got = run_seeds(chatty, 3, seed=0, grid=[{"tag": "a"}, {"tag": "b"}], sequential=sequential,
                        workers=2, progress=False)
    assert got == [["a"] * 3, ["b"] * 3]
    lines = capsys.readouterr().out.splitlines()
    expected = [f"run {tag} {np.random.default_rng(s).integers(100)}" for tag in "ab" for s in seed_sequences(0, 3)]
    assert lines == expected
    assert [str(w.message) for w in caught] == ["note from a"] * 3 + ["note from b"] * 3
    assert all(w.category is RuntimeWarning for w in caught)


def test_progress_bar_counts_runs_unless_bars_are_switched_off(capsys):
    run_seeds(first_draws, 3, seed=0, sequential=True, desc="three seeds")
    err = capsys.readouterr().err
    if os.environ.get("TQDM_DISABLE"):  # how tests and refreshes run: tqdm's default then hides every bar
        assert err == ""
    else:
        assert "three seeds" in err and "/3" in err
    run_seeds(first_draws, 3, seed=0, sequential=True, progress=False)
    assert capsys.readouterr().err == ""


@linux_only
def test_tqdm_disable_hides_the_bar_in_a_notebook_kernel_too(monkeypatch):
    """tqdm's notebook bar ignores TQDM_DISABLE on its own; a refreshed notebook must store no bar."""
    monkeypatch.setenv("TQDM_DISABLE", "1")  # the kernel inherits it, as under `make refresh`
    cell = "from helpers.seeds import run_seeds\ndraws = run_seeds(lambda rng: rng.random(), 2, seed=0, sequential=True)"
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(cell)])
    NotebookClient(notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}).execute()
    assert notebook.cells[0].outputs == [], [o.get("data", o.get("text")) for o in notebook.cells[0].outputs]


def test_worker_count_follows_affinity_and_the_environment(monkeypatch):
    monkeypatch.delenv("WORKBOOK_WORKERS", raising=False)
    expected = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    assert available_workers() == expected
    monkeypatch.setenv("WORKBOOK_WORKERS", "3")
    assert available_workers() == 3
    monkeypatch.setenv("WORKBOOK_WORKERS", "zero")
    with pytest.raises(ValueError, match="WORKBOOK_WORKERS must be a positive integer; got 'zero'"):
        available_workers()


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(fn=3, n_seeds=2, seed=0), TypeError, "fn must be a function"),
    (dict(fn=first_draws, n_seeds=0, seed=0), ValueError, r"n_seeds must be an integer in \[1, 100000\]; got 0"),
    (dict(fn=first_draws, n_seeds=2, seed=-1), ValueError, "seed must be an integer"),
    (dict(fn=first_draws, n_seeds=2, seed=0, args=[1]), TypeError, "args must be a tuple"),
    (dict(fn=first_draws, n_seeds=2, seed=0, grid={"lr": 1}), TypeError, "grid must be a non-empty list of dicts"),
    (dict(fn=first_draws, n_seeds=2, seed=0, grid=[]), TypeError, "grid must be a non-empty list"),
    (dict(fn=first_draws, n_seeds=2, seed=0, grid=[3]), TypeError, r"grid\[0\] must be a dict"),
    (dict(fn=first_draws, n_seeds=2, seed=0, grid=[{"offset": 1}], kwargs={"offset": 2}), ValueError,
     r"grid\[0\] sets \['offset'\], which kwargs also sets"),
    (dict(fn=first_draws, n_seeds=2, seed=0, workers=0), ValueError, "workers must be an integer"),
    (dict(fn=first_draws, n_seeds=2, seed=0, start_method="thread"), ValueError, "start_method must be one of"),
    (dict(fn=first_draws, n_seeds=2, seed=0, sequential="yes"), TypeError, "sequential must be True, False or .if-needed., and progress True or False"),
])
def test_bad_arguments_are_refused_up_front(kwargs, error, message):
    with pytest.raises(error, match=message):
        run_seeds(**kwargs)


@linux_only
def test_in_a_notebook_kernel_a_cell_function_runs_on_workers_without_stderr(tmp_path):
    """A Jupyter kernel as the parent: a function defined in a cell, a progress bar, nothing on stderr."""
    cells = [
        """
        import numpy as np
        from helpers import nn
        from helpers.seeds import run_seeds

        def train(rng):
            X = rng.standard_normal((64, 5)).astype(np.float32)
            y = (X[:, 0] > 0).astype(int)
            model = nn.Sequential(nn.Linear(5, 8, rng=rng), nn.Tanh(), nn.Linear(8, 2, rng=rng))
            nn.fit(model, nn.SoftmaxCrossEntropy(), nn.Adam(model, lr=1e-2), X, y, epochs=3, rng=rng)
            print("trained")
            return model[0].params["W"]
        """,
        """
        pooled = run_seeds(train, 3, seed=1, workers=2)
        here = run_seeds(train, 3, seed=1, sequential=True)
        print(all(a.tobytes() == b.tobytes() for a, b in zip(pooled, here)))
        """,
    ]
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(textwrap.dedent(c)) for c in cells])
    NotebookClient(notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}).execute()
    outputs = notebook.cells[1].outputs
    streams = [o for o in outputs if o.output_type == "stream"]
    assert not [o for o in streams if o.name == "stderr"], streams
    text = "".join(o.text for o in streams if o.name == "stdout")
    assert text.splitlines() == ["trained"] * 6 + ["True"]


def test_experiment_seeds_are_independent_children_of_the_notebook_seed_and_rerunnable():
    from helpers.seeds import experiment_seed, seed_sequences

    root = np.random.SeedSequence(11)
    children = root.spawn(3)
    for k in range(3):
        assert experiment_seed(11, k).generate_state(4).tolist() == children[k].generate_state(4).tolist()
    first = run_seeds(first_draws, 2, seed=experiment_seed(11, 1), sequential=True, progress=False)
    again = run_seeds(first_draws, 2, seed=experiment_seed(11, 1), sequential=True, progress=False)
    other = run_seeds(first_draws, 2, seed=experiment_seed(11, 2), sequential=True, progress=False)
    assert [a.tobytes() for a in first] == [a.tobytes() for a in again]
    assert first[0].tobytes() != other[0].tobytes()
    sequence = experiment_seed(11, 1)
    seed_sequences(sequence, 2)
    assert sequence.n_children_spawned == 0, "the caller's sequence is not advanced"
