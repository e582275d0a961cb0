"""A3 Q2 (regularisation): the Answer's claims and the recorded answers against independent computations.

Reads build/results/a3_q2_regularisation.json (written when the notebook runs under `make test`).
The diabetes quadratic model (10 main effects, 9 squares, 45 products) is rebuilt here with a plain
loop and split as the notebook does; the one-standard-error choices are re-checked with scikit-learn's
own estimators (Lasso, ElasticNet, Ridge in a pipeline that standardises inside each of the ten folds),
and the chosen models' zeros and test R^2 with a refit on all development rows. The label noise of the
digits is drawn again from the recorded seed. Every number the Answer quotes is compared with the
stored results at the printed precision, and every claim's logic with this run's recorded results.
"""
from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import load_diabetes, load_digits
from sklearn.linear_model import ElasticNet, Lasso, Ridge
from sklearn.model_selection import KFold, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from helpers import stats
from helpers.data import train_val_test_split
from helpers.seeds import experiment_seed

NOTEBOOK = "a3_q2_regularisation"
LINEAR = {"lasso": 1.0, "enet": None, "ridge": 0.0}
HELPS = ["input_noise", "weight_decay", "early_stopping", "dropout", "max_norm", "L1_on_weights"]
TIES = ["shift_augmentation", "label_smoothing", "batch_normalisation"]


def quadratic_features(X: np.ndarray) -> np.ndarray:
    """Main effects, then for i <= j the products x_i x_j, without the constant square of the binary sex column."""
    cols = [X[:, i] for i in range(X.shape[1])]
    for i in range(X.shape[1]):
        for j in range(i, X.shape[1]):
            if i == j and len(np.unique(X[:, i])) == 2:
                continue
            cols.append(X[:, i] * X[:, j])
    return np.column_stack(cols)


@pytest.fixture(scope="module")
def diabetes(recorded):
    d = load_diabetes()
    X_tr, X_va, X_te, y_tr, y_va, y_te = train_val_test_split(quadratic_features(d.data), d.target, val_size=0.2,
                                                              test_size=0.2, seed=recorded["seed"])
    return np.vstack([X_tr, X_va]), np.r_[y_tr, y_va], X_te, y_te


def estimator(method: str, lam: float, n: int, l1_ratio: float):
    if method == "lasso":
        return Lasso(alpha=lam, tol=1e-10, max_iter=1_000_000)
    if method == "enet":
        return ElasticNet(alpha=lam, l1_ratio=l1_ratio, tol=1e-10, max_iter=1_000_000)
    return Ridge(alpha=n * lam)


def cv_scores(method, lam, X, y, seed, l1_ratio):
    folds = KFold(10, shuffle=True, random_state=seed).split(X)
    return np.array([make_pipeline(StandardScaler(), estimator(method, lam, len(fit), l1_ratio)).fit(X[fit], y[fit])
                     .score(X[held], y[held]) for fit, held in folds])


def test_design_and_split(recorded, diabetes):
    X_dev, _, X_te, _ = diabetes
    assert recorded["reg_sizes"] == [442, len(X_dev), len(X_te), X_dev.shape[1]] and X_dev.shape[1] == 64
    assert recorded["paths_match_scikit_learn"] is True
    assert recorded["gradcheck_max_relative_error"] < 1e-6


@pytest.mark.parametrize("method", list(LINEAR))
def test_one_standard_error_choice_with_scikit_learn_estimators(recorded, diabetes, method):
    X_dev, y_dev, X_te, y_te = diabetes
    entry, grid = recorded[f"{method}_cv"], recorded["lambda_grid"]
    k = grid.index(entry["lambda"])
    chosen = cv_scores(method, entry["lambda"], X_dev, y_dev, recorded["seed"], recorded["enet_l1_ratio"])
    best = cv_scores(method, entry["best_lambda"], X_dev, y_dev, recorded["seed"], recorded["enet_l1_ratio"])
    assert chosen.mean() == pytest.approx(entry["cv_r2"], abs=1e-4)
    assert chosen.std(ddof=1) / np.sqrt(10) == pytest.approx(entry["cv_se"], abs=1e-4)
    # the rule: within one se of the best mean, and the next larger lambda is not
    assert chosen.mean() >= best.mean() - best.std(ddof=1) / np.sqrt(10) - 1e-9
    if k + 1 < len(grid):
        larger = cv_scores(method, grid[k + 1], X_dev, y_dev, recorded["seed"], recorded["enet_l1_ratio"])
        assert larger.mean() < best.mean() - best.std(ddof=1) / np.sqrt(10)


@pytest.mark.parametrize("method", list(LINEAR))
def test_chosen_models_refitted_on_all_development_rows(recorded, diabetes, method):
    X_dev, y_dev, X_te, y_te = diabetes
    entry = recorded[f"{method}_cv"]
    scaler = StandardScaler().fit(X_dev)
    model = estimator(method, entry["lambda"], len(X_dev), recorded["enet_l1_ratio"]).fit(scaler.transform(X_dev), y_dev)
    assert int(np.sum(model.coef_ == 0)) == entry["zeros"]
    assert model.score(scaler.transform(X_te), y_te) == pytest.approx(entry["test_r2"], abs=1e-5)
    assert entry["test_low"] < entry["test_r2"] < entry["test_high"]


def test_label_noise_redrawn_from_the_seed(recorded):
    """The training subset and its wrong labels drawn again with a plain loop from the recorded seed and rate."""
    d = load_digits()
    idx_pool, idx_val, idx_test, y_pool, _, _ = train_val_test_split(
        np.arange(len(d.target)), d.target, val_size=0.2, test_size=0.2, seed=recorded["seed"], stratify=True)
    n_train, n_wrong, n_val, n_test = recorded["nn_sizes"]
    idx_train, _, y_clean, _ = train_test_split(idx_pool, y_pool, train_size=n_train, stratify=y_pool,
                                                random_state=recorded["seed"])
    assert (len(idx_train), len(idx_val), len(idx_test)) == (n_train, n_val, n_test)
    assert not set(idx_train) & set(idx_val) and not set(idx_train) & set(idx_test) and not set(idx_val) & set(idx_test)
    rng = np.random.default_rng(experiment_seed(recorded["seed"], 2))
    flipped = rng.random(n_train) < recorded["label_noise_rate"]
    shift = rng.integers(1, 10, n_train)
    noisy = [(y + s) % 10 if f else y for y, f, s in zip(y_clean, flipped, shift)]
    assert n_wrong == int(flipped.sum()) == sum(a != b for a, b in zip(noisy, y_clean))
    assert abs(n_wrong / n_train - recorded["label_noise_rate"]) < 0.1
    assert recorded["n_seeds"] >= 5


def test_the_answer_quotes_the_stored_linear_results(stored, answer):
    names = {"lasso": "lasso", "enet": "elastic net", "ridge": "ridge"}
    for method, name in names.items():
        e = stored[f"{method}_cv"]
        row = (f"| {name}, $\\lambda = {e['lambda']:.2g}$ | {e['zeros']} | {stats.format_pm(e['cv_r2'], e['cv_se'])} | "
               f"{e['test_r2']:.2f} [{e['test_low']:.2f}, {e['test_high']:.2f}] |")
        assert row in answer, row
    lasso = stored["lasso_cv"]
    assert f"lasso {stats.format_pm(lasso['vs_ls_all_mean'], lasso['vs_ls_all_se'], signed=True)}" in answer
    assert stats.format_pm(lasso["vs_ls_main_mean"], lasso["vs_ls_main_se"], signed=True) in answer
    assert f"choosing {64 - lasso['zeros']} of 64 predictors" in answer
    single = stored["single_split"]
    text = answer.replace("\n", " ")
    assert f"from {single['lambda_low']:.1g} to {single['lambda_high']:.2g}" in text
    assert f"off the fresh one by {stats.format_pm(single['optimism_mean'], single['optimism_sd'])} (mean ± sd)" in text


def test_a_single_split_is_noise_more_than_bias(recorded):
    """'noise more than bias': the mean gap is smaller than its sd over splits, and the choices spread widely."""
    single = recorded["single_split"]
    assert abs(single["optimism_mean"]) < single["optimism_sd"] / 2
    assert single["lambda_high"] / single["lambda_low"] >= 10


def test_the_answer_quotes_the_stored_network_results(stored, answer):
    text = answer.replace("\n", " ")
    assert f"{stored['nn_sizes'][0]} training images, {stored['nn_sizes'][1]} mislabelled" in text
    assert f"test accuracy {stats.format_pm(*stored['baseline_test'])}" in text
    symbols = {"input_noise": "\\sigma", "weight_decay": "\\kappa", "dropout": "q", "max_norm": "c",
               "L1_on_weights": "\\lambda_1"}
    strength = {name.replace(" ", "_").replace("-", "_"): v for name, v in stored["nn_strengths"].items()}
    for key in HELPS + TIES:
        e = stored[f"nn_{key}"]
        assert stats.format_pm(e["diff_mean"], e["diff_se"], signed=True) in text, key
        if key in symbols:
            assert f"${symbols[key]} = {strength[key]:g}$" in text, key
    assert f"(patience {strength['early_stopping']})" in text
    e = stored["ensemble"]
    assert f"ensemble of five, per image, {stats.format_pm(e['gain_mean'], e['gain_se'], signed=True)}" in text


def test_penalised_models_beat_least_squares_on_all_predictors_and_the_hand_picked_model_is_as_stated(recorded):
    for method in LINEAR:
        assert recorded[f"{method}_cv"]["vs_ls_all_low"] > 0, method
    lasso = recorded["lasso_cv"]
    assert lasso["vs_ls_main_low"] <= 0 <= lasso["vs_ls_main_high"], "the lasso ties with the main-effects model"
    for method in ("enet", "ridge"):
        assert recorded[f"{method}_cv"]["vs_ls_main_high"] < 0, f"the main-effects model beats {method}"
    assert recorded["ridge_cv"]["zeros"] == 0 < recorded["enet_cv"]["zeros"] < recorded["lasso_cv"]["zeros"] < 64


def test_the_network_overfits_without_regularisation(recorded):
    lowest, last = recorded["baseline_val_ce"]
    assert last > lowest + 0.2, "the validation loss should rise visibly after its minimum"
    assert recorded["baseline_wrong_fitted"][0] == pytest.approx(1.0), "the Answer says it fits every wrong label"
    assert recorded["lr"] in recorded["lr_tied"] and len(recorded["lr_tied"]) >= 2


def test_six_regularisers_and_the_ensemble_help_three_cannot_be_told_apart(recorded):
    base = recorded["baseline_wrong_fitted"][0]
    for key in HELPS:
        e = recorded[f"nn_{key}"]
        assert e["diff_low"] > 0, (key, e)
        assert e["wrong_fitted"] < base - 0.1, f"{key}: the Answer says it leaves fewer wrong labels fitted"
    for key in TIES:
        e = recorded[f"nn_{key}"]
        assert e["diff_low"] <= 0 <= e["diff_high"], (key, e)
    assert recorded["ensemble"]["gain_low"] > 0
