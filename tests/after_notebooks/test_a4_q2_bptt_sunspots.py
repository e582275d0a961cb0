"""A4 Q2 (BPTT on the sunspot series): the recorded answers, recomputed independently.

Reads build/results/a4_q2_bptt_sunspots.json (written when the notebook runs under nbval) and
recomputes, on the same split of the sunspot series (last ``n_test`` years test, ``n_val`` years
before them validation, training targets from index ``first_target``):

- the persistence forecast's test RMSE with a plain loop;
- the AR(p) test RMSE with scikit-learn's LinearRegression on lagged features (the notebook solves
  least squares itself), and the choice of p by validation RMSE over p = 1..15;
- sanity bounds on the gradient check, the agreement with helpers.nn.RNN, the vanishing/exploding
  factors and the RNN's test RMSE.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression
from sklearn.metrics import root_mean_squared_error

from helpers.data import load_sunspots

NOTEBOOK = "a4_q2_bptt_sunspots"


@pytest.fixture(scope="module")
def split(recorded):
    years, x = load_sunspots()
    n = len(x)
    i_val = n - recorded["n_test"] - recorded["n_val"]
    i_test = n - recorded["n_test"]
    return {"x": x, "years": years, "train": np.arange(recorded["first_target"], i_val),
            "val": np.arange(i_val, i_test), "test": np.arange(i_test, n)}


def lag_features(x, p, targets):
    """Row i: x[t-1], ..., x[t-p] for t = targets[i] (built with a loop, independently of the notebook)."""
    rows = [[x[t - j] for j in range(1, p + 1)] for t in targets]
    return np.array(rows), x[targets]


def test_split(recorded, split):
    assert recorded["n_train"] == len(split["train"])
    assert len(split["train"]) + len(split["val"]) + len(split["test"]) + recorded["first_target"] == 289
    assert split["years"][split["test"][-1]] == 1988


def test_persistence_rmse(recorded, split):
    x, test = split["x"], split["test"]
    squared = [(x[t] - x[t - 1]) ** 2 for t in test]
    assert recorded["persistence_test_rmse"] == pytest.approx(math.sqrt(sum(squared) / len(squared)), rel=1e-10)


def test_ar_order_chosen_on_validation(recorded, split):
    x = split["x"]
    val_rmse = []
    for p in range(1, len(recorded["ar_val_rmse"]) + 1):
        Z_tr, y_tr = lag_features(x, p, split["train"])
        Z_va, y_va = lag_features(x, p, split["val"])
        val_rmse.append(root_mean_squared_error(y_va, LinearRegression().fit(Z_tr, y_tr).predict(Z_va)))
    np.testing.assert_allclose(recorded["ar_val_rmse"], val_rmse, rtol=1e-8)
    assert recorded["ar_order"] == int(np.argmin(val_rmse)) + 1


def test_ar_test_rmse_matches_scikit_learn(recorded, split):
    x, p = split["x"], recorded["ar_order"]
    Z_tr, y_tr = lag_features(x, p, split["train"])
    Z_te, y_te = lag_features(x, p, split["test"])
    rmse = root_mean_squared_error(y_te, LinearRegression().fit(Z_tr, y_tr).predict(Z_te))
    assert recorded["ar_test_rmse"] == pytest.approx(rmse, rel=1e-8)
    assert rmse < recorded["persistence_test_rmse"]


def test_gradient_check(recorded):
    assert recorded["grad_check_max_rel_error"] < 1e-6
    assert recorded["grad_check_passed"] is True
    assert recorded["grad_check_log10"] == math.floor(math.log10(recorded["grad_check_max_rel_error"]))
    assert recorded["helpers_nn_max_rel_diff"] < 1e-10


def test_vanishing_and_exploding_factors(recorded):
    factor = {float(k): v for k, v in recorded["grad_change_per_step"].items()}
    for rho, f in factor.items():
        assert f <= rho + 1e-9, f"the per-step change can not exceed the bound rho = {rho}"
    assert factor[0.5] < 0.55 and factor[3.0] > 1.0
    ordered = [factor[r] for r in sorted(factor)]
    assert ordered == sorted(ordered), "the gradient should decay more slowly as rho grows"


def test_clipping_and_rnn_sanity(recorded):
    assert recorded["clip_runs_diverged"]["clip 1.0"] < recorded["clip_runs_diverged"]["no clipping"]
    assert recorded["window_length"] in (10, 20, 30)
    for key in ("rnn_test_rmse", "rnn_ensemble_test_rmse"):
        assert 5.0 < recorded[key] < recorded["persistence_test_rmse"], key
    assert recorded["rnn_test_rmse_sd"] >= 0
