"""A4 Q2 (BPTT on the sunspot series): the recorded answers against independent computations, and the Answer.

Reads this run's results (``recorded``), the results stored in the notebook (``stored``, which the Answer
quotes) and the Answer's Markdown (``answer``). Independently of the notebook it recomputes:

- the worked example of the derivation (T = 3, one unit) with plain floats and ``math.tanh``, and checks
  that the hand-written table in the derivation shows those numbers;
- the split, the persistence forecasts (plain loops) and AR(p) with scikit-learn's LinearRegression on
  lagged values (the order chosen on validation, the test RMSE, the iterated forecasts five years ahead);
- the paired comparison of AR(p) and persistence per test year, with scipy's paired t-test.

Then every sentence of the Answer: each quoted number against ``stored`` at its printed precision, each
claim's logic (ties, "beats", the cause of the divergence) against ``recorded``.
"""
from __future__ import annotations

import json
import math

import numpy as np
import pytest
from scipy import stats as sps
from sklearn.linear_model import LinearRegression
from sklearn.metrics import root_mean_squared_error

from helpers import stats
from helpers.data import load_sunspots
from helpers.paths import NOTEBOOK_DIR

NOTEBOOK = "a4_q2_bptt_sunspots"


@pytest.fixture(scope="module")
def split(recorded):
    years, x = load_sunspots()
    n = len(x)
    i_val, i_test = n - recorded["n_test"] - recorded["n_val"], n - recorded["n_test"]
    return {"x": x, "years": years, "train": np.arange(recorded["first_target"], i_val),
            "val": np.arange(i_val, i_test), "test": np.arange(i_test, n)}


def lag_features(x, p, targets):
    """Row i: x[t-1], ..., x[t-p] for t = targets[i] (a loop, independently of the notebook)."""
    return np.array([[x[t - j] for j in range(1, p + 1)] for t in targets]), x[targets]


def fit_ar(split, p):
    Z, y = lag_features(split["x"], p, split["train"])
    return LinearRegression().fit(Z, y)


# ------------------------------------------------------------------------------ the worked example
def worked_example():
    """T = 3, one unit: W_x = 0.5, W_h = 0.8, W_y = 1, biases 0, x = (1, 0.5, -1), L = (y_3 - 0.5)^2."""
    h, a = [0.0], []
    for x_t in (1.0, 0.5, -1.0):
        a.append(0.5 * x_t + 0.8 * h[-1])
        h.append(math.tanh(a[-1]))
    dy = 2 * (h[3] - 0.5)
    dh, delta = {3: dy}, {}
    for t in (3, 2, 1):
        delta[t] = dh[t] * (1 - h[t] ** 2)
        dh[t - 1] = delta[t] * 0.8
    return {"a": a, "h": h, "dh": dh, "delta": delta, "y_hat_3": h[3], "loss": (h[3] - 0.5) ** 2,
            "dL/dW_h": sum(h[t - 1] * delta[t] for t in (1, 2, 3)),
            "dL/dW_x": sum(x * delta[t] for t, x in zip((1, 2, 3), (1.0, 0.5, -1.0))),
            "dL/db": sum(delta.values()), "dL/dW_y": h[3] * dy}


def derivation_markdown() -> str:
    nb = json.loads((NOTEBOOK_DIR / f"{NOTEBOOK}.ipynb").read_text(encoding="utf-8"))
    return "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")


def test_worked_example_matches_plain_arithmetic(recorded):
    ex = worked_example()
    for key, value in recorded["hand_example"].items():
        assert value == pytest.approx(ex[key], abs=1e-12), key


def test_hand_written_table_shows_the_computed_numbers():
    ex, text = worked_example(), derivation_markdown()
    shown = [f"{ex['h'][t]:.4f}" for t in (1, 2, 3)] + [f"{ex['dh'][t]:.4f}" for t in (1, 2, 3)]
    shown += [f"{ex['delta'][t]:.4f}" for t in (1, 2, 3)] + [f"{ex['a'][t]:.4f}" for t in (1, 2)]
    shown += [f"{1 - ex['h'][t] ** 2:.4f}" for t in (1, 2, 3)]
    shown += [f"{ex[k]:.4f}" for k in ("loss", "dL/dW_h", "dL/dW_x", "dL/db", "dL/dW_y")]
    for number in shown:
        assert number in text, f"the worked example should show {number}"


# ------------------------------------------------------------------------------ data and baselines
def test_split(recorded, split):
    assert recorded["n_train"] == len(split["train"]) == 169
    assert split["years"][split["test"][0]] == 1939 and split["years"][split["test"][-1]] == 1988
    assert split["years"][split["val"][0]] == 1899


def test_persistence_rmse(recorded, split):
    x = split["x"]
    squared = [(x[t] - x[t - 1]) ** 2 for t in split["test"]]
    assert recorded["persistence_test_rmse"] == pytest.approx(math.sqrt(sum(squared) / len(squared)), rel=1e-10)


def test_ar_order_chosen_on_validation_and_its_test_rmse(recorded, split):
    x = split["x"]
    val_rmse = [root_mean_squared_error(x[split["val"]], fit_ar(split, p).predict(lag_features(x, p, split["val"])[0]))
                for p in range(1, len(recorded["ar_val_rmse"]) + 1)]
    np.testing.assert_allclose(recorded["ar_val_rmse"], val_rmse, rtol=1e-8)
    p = recorded["ar_order"]
    assert p == int(np.argmin(val_rmse)) + 1
    test_rmse = root_mean_squared_error(x[split["test"]], fit_ar(split, p).predict(lag_features(x, p, split["test"])[0]))
    assert recorded["ar_test_rmse"] == pytest.approx(test_rmse, rel=1e-8)


def test_ar_against_persistence_per_test_year(recorded, split):
    x, p, test = split["x"], recorded["ar_order"], split["test"]
    ar = fit_ar(split, p).predict(lag_features(x, p, test)[0])
    d = (ar - x[test]) ** 2 - (x[test - 1] - x[test]) ** 2
    assert recorded["ar_vs_persistence_sq_error"]["mean"] == pytest.approx(d.mean(), rel=1e-8)
    t = sps.ttest_rel((ar - x[test]) ** 2, (x[test - 1] - x[test]) ** 2)
    assert recorded["ar_vs_persistence_sq_error"]["high"] < 0 and t.pvalue < 0.01


def test_iterated_baselines_five_years_ahead(recorded, split):
    x, p, horizon = split["x"], recorded["ar_order"], 11
    model = fit_ar(split, p)
    origins = np.arange(split["test"][0], len(x) - horizon + 1)
    errors_ar, errors_persistence = [], []
    for o in origins:
        past = list(x[:o])
        for _ in range(5):
            past.append(model.predict(np.array([past[-1:-p - 1:-1]]))[0])
        errors_ar.append(past[-1] - x[o + 4])
        errors_persistence.append(x[o - 1] - x[o + 4])
    iterated = recorded["iterated_rmse_5y"]
    assert iterated["AR"] == pytest.approx(math.sqrt(np.mean(np.square(errors_ar))), rel=1e-8)
    assert iterated["persistence"] == pytest.approx(math.sqrt(np.mean(np.square(errors_persistence))), rel=1e-10)


# ------------------------------------------------------------------------------ the checks and measurements
def test_gradient_checks(recorded):
    assert recorded["grad_check_passed"] is True and recorded["grad_check_max_rel_error"] < 1e-6
    assert recorded["helpers_nn_max_rel_diff"] < 1e-10


def test_vanishing_and_exploding_factors(recorded):
    factor = {float(k): v for k, v in recorded["grad_change_per_step"].items()}
    for rho, f in factor.items():
        assert f <= rho + 1e-9, f"the per-step change cannot exceed the bound rho = {rho}"
    ordered = [factor[r] for r in sorted(factor)]
    assert ordered == sorted(ordered), "the gradient should decay more slowly as rho grows"
    assert factor[0.5] < 0.51 and factor[1.0] < 1 < factor[3.0]


# ------------------------------------------------------------------------------ the Answer, sentence by sentence
def pm(d, *, signed=False, spread="sd"):
    return stats.format_pm(d["mean"], d[spread], signed=signed)


@pytest.fixture(scope="module")
def text(answer):
    """The Answer with its line breaks folded into spaces."""
    return " ".join(answer.split())


def test_answer_built_and_checked(text, stored, recorded):
    assert f"(largest relative error about $10^{{{math.floor(math.log10(stored['grad_check_max_rel_error']))}}}$)" in text
    assert f"full and truncated (about $10^{{{math.floor(math.log10(stored['helpers_nn_max_rel_diff']))}}}$)" in text
    assert recorded["grad_check_max_rel_error"] < 1e-6 and recorded["helpers_nn_max_rel_diff"] < 1e-10


def test_answer_vanishing_and_exploding(text, stored, recorded):
    f = stored["grad_change_per_step"]
    assert f"by {f['0.5']:.2f} at $\\rho = 0.5$, {f['1.0']:.2f} at $\\rho = 1$ and {f['3.0']:.1f} at $\\rho = 3$" in text
    now = recorded["grad_change_per_step"]
    assert all(now[k] < float(k) for k in now), "below the bound rho"
    assert all(v < 1 for v in recorded["mean_tanh_slope"].values()), "saturated units: 1 - h^2 < 1"


def test_answer_clipping_and_the_cause_of_divergence(text, stored, recorded):
    d, s = recorded["clip_diverged_runs"], stored["clip_diverged_runs"]
    assert (f"clipping {s['rho 1.2, no clipping']} of 5 runs diverged at $\\rho = 1.2$, {s['rho 0.9, no clipping']} at "
            f"$\\rho = 0.9$ and none at $\\rho = 0.5$") in text
    assert s["rho 0.5, no clipping"] == 0 and d["rho 0.5, no clipping"] == 0 and d["rho 1.2, no clipping"] >= 4
    assert 1 <= d["rho 0.9, no clipping"] < d["rho 1.2, no clipping"], "a run diverges at rho = 0.9 too, fewer than at 1.2"
    assert all(d[name] == 0 for name in d if "clip at" in name), "clipping prevented every divergence"
    assert recorded["clip_diverged_after_eta_lambda_2"] == d, "each diverging run had eta * lambda_max > 2 first"
    assert recorded["clip_peak_eta_lambda_rho_0_5"] < 1 and "(below 1 at $\\rho = 0.5$)" in text
    assert f"With $W_h$ held fixed {s['rho 1.2, frozen W_h']} of 5 runs still diverged" in text
    assert d["rho 1.2, frozen W_h"] >= 3, "holding W_h fixed does not prevent the divergence"
    assert d["rho 1.2, frozen W_y and b_y"] == 0 and "with the read-out held fixed none did" in text
    assert recorded["clip_peak_sigma_1_frozen_readout"] > 1.5 and "from 1.2 to above 1.5 in every run" in text


def test_answer_one_step_forecasts(text, stored, recorded):
    assert (f"persistence {stored['persistence_test_rmse']:.1f}, AR({stored['ar_order']}) {stored['ar_test_rmse']:.1f}, "
            f"RNN {pm(stored['rnn_test_rmse'])} (5 seeds)") in text
    v = stored["rnn_vs_ar_sq_error"]
    assert (f"per year {pm(v, signed=True, spread='se')}, 95% CI "
            f"{stats.format_interval(v['low'], v['high'], v['se'], signed=True)}); both beat persistence") in text
    now = recorded["rnn_vs_ar_sq_error"]
    assert now["low"] <= 0 <= now["high"], "RNN and AR cannot be told apart"
    assert recorded["rnn_vs_persistence_sq_error"]["high"] < 0 and recorded["ar_vs_persistence_sq_error"]["high"] < 0
    assert f"(validation RMSE {pm(stored['truncated_vs_full_val_rmse']['k=3'], signed=True, spread='se')})" in text
    now = recorded["truncated_vs_full_val_rmse"]["k=3"]
    assert now["low"] <= 0 <= now["high"], "truncated (k = 3) and full BPTT tie"


def test_answer_the_state_carries_the_cycle(text, stored, recorded):
    it = stored["iterated_rmse_5y"]
    assert (f"the RNN scores {pm(stored['stateless_test_rmse'])} one step ahead and "
            f"{pm(it['stateless'])} five years ahead (iterated), against "
            f"{pm(it['RNN'])} with it (AR({stored['ar_order']}) {it['AR']:.1f}, "
            f"persistence {it['persistence']:.1f})") in text
    assert recorded["stateless_minus_rnn_one_step"]["low"] > 0, "without recurrence the one-step error is larger"
    assert recorded["stateless_minus_rnn_5y"]["low"] > 0, "without recurrence the iterated error is larger"
