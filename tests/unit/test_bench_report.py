"""tools.bench's report: targets judged under the profile, missing PyTorch never counts as met, README block."""
from __future__ import annotations

import pytest

from tools import bench


def fake_run(ratio: float | None, *, inside: bool = True) -> dict:
    """A measurement as ``bench.measure`` returns it, every PyTorch ratio equal to ``ratio``."""
    torch_s = None if ratio is None else 1e-3 * ratio
    pair = {"helpers_s": 1e-3, "torch_s": torch_s, "ratio": ratio, "helpers_gflops": 40.0}
    return {"environment": {"cpu": "test CPU", "logical_cpus": 2, "usable_cpus": 2, "blas": ["openblas (Haswell)"],
                            "numpy_dispatch": "uses X86_V3", "numeric_profile": inside, "profile_verdict": "inside",
                            "python": "3.11", "numpy": "2", "sklearn": "1", "torch": None if ratio is None else "2.13",
                            "load_average": (0.5, 0.5, 0.5)},
            "matmul_gflops": 100.0,
            "mlp": {"helpers.nn": {"seconds": 1.0, "accuracy": 0.97},
                    "scikit-learn MLPClassifier": {"seconds": 2.0, "accuracy": 0.968}},
            "conv": {name: dict(pair) for name in bench.CONV_SHAPES},
            "pool": {name: dict(pair) for name in bench.POOL_SHAPES},
            "recurrent": {f"{k} {name}": dict(pair) for k in ("RNN", "LSTM") for name in bench.RECURRENT_SHAPES},
            "seeds": {"n_seeds": 5, "seconds_1_worker": 10.0, "seconds_2_workers": 5.2, "speedup": 10 / 5.2,
                      "identical": True, "usable_cpus": 2},
            "load_average_after": (0.5, 0.5, 0.5)}


def by_name(rows):
    return {r["target"]: r for r in rows}


def test_targets_are_judged_under_the_profile_not_natively():
    rows = by_name(bench.targets(fake_run(0.6), fake_run(0.9)))
    conv = rows[f"Conv2D {next(iter(bench.CONV_SHAPES))}: speed / PyTorch"]
    assert (conv["profile"], conv["native"], conv["met"]) == (0.6, 0.9, False)  # 70% met only natively: not met
    lstm = rows[f"LSTM {next(iter(bench.RECURRENT_SHAPES))}: speed / PyTorch"]
    assert lstm["met"]  # 60% >= 50%
    assert rows["MLP time, helpers.nn / scikit-learn"]["profile"] == pytest.approx(0.5)
    assert rows["MLP test accuracy gap (points)"]["profile"] == pytest.approx(0.2)
    assert rows["MLP time, helpers.nn / scikit-learn"]["met"]


def test_without_pytorch_its_targets_are_not_met_and_say_so():
    rows = bench.targets(fake_run(None), fake_run(None))
    torch_rows = [r for r in rows if "PyTorch" in r["target"]]
    assert torch_rows and not any(r["met"] for r in torch_rows)
    text, _ = bench.report(fake_run(None), fake_run(None))
    assert "PyTorch not installed" in text and "| n/a |" in text


def test_report_names_the_machine_the_profile_and_the_seed_speedup():
    text, rows = bench.report(fake_run(1.2), fake_run(1.1))
    assert "test CPU, 2 logical CPUs" in text
    assert "Numeric profile: active in the profile run" in text
    assert "1.92x faster" in text and "bit-identical results" in text
    assert text.count("NOT met") == sum(not r["met"] for r in rows) == 0
    outside, _ = bench.report(fake_run(1.2, inside=False), fake_run(1.1))
    assert "NOT active in the profile run" in outside


def test_update_readme_replaces_only_the_bench_block(tmp_path, monkeypatch):
    readme = tmp_path / "README.md"
    readme.write_text("# T\n\nbefore\n<!-- bench:start -->\nold table\n<!-- bench:end -->\n\nafter\n", encoding="utf-8")
    monkeypatch.setattr(bench, "ROOT", tmp_path)
    bench.update_readme("### new\n\n| a |\n")
    assert readme.read_text(encoding="utf-8") == (
        "# T\n\nbefore\n<!-- bench:start -->\n### new\n\n| a |\n<!-- bench:end -->\n\nafter\n")
    readme.write_text("no block\n", encoding="utf-8")
    with pytest.raises(SystemExit, match="no <!-- bench:start -->"):
        bench.update_readme("x")
