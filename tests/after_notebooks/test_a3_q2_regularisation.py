"""A3 Q2 (regularisation): the recorded linear-model answers against scikit-learn, sanity bounds on the network.

Reads build/results/a3_q2_regularisation.json (written when the notebook runs under `make test`).
The diabetes quadratic model (10 main effects, 9 squares, 45 products) is rebuilt here with a plain
loop, split and standardised as the notebook describes, and every recorded lasso / ridge / elastic-net
answer is recomputed with scikit-learn's own solvers (Lasso, ElasticNet, Ridge with alpha = n lambda),
including the choice of lambda over the recorded grid. The penalised logistic regressions are refitted
with LogisticRegression (C = 1 / (n lambda)). The network numbers get sanity bounds only.
"""
from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, load_diabetes
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import ElasticNet, Lasso, Ridge
from sklearn.metrics import log_loss

from helpers.compat import penalised_logistic_regression
from helpers.data import train_val_test_split

NOTEBOOK = "a3_q2_regularisation"
VAL_SIZE = TEST_SIZE = 0.2
NN_METHODS = ["weight_decay", "dropout", "early_stopping", "augment_shifts", "augment_noise", "batch_norm",
              "combined"]


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
    Q = quadratic_features(d.data)
    X_tr, X_va, X_te, y_tr, y_va, y_te = train_val_test_split(Q, d.target, val_size=VAL_SIZE,
                                                              test_size=TEST_SIZE, seed=recorded["seed"])
    mu, sd = X_tr.mean(0), X_tr.std(0)
    return (X_tr - mu) / sd, (X_va - mu) / sd, (X_te - mu) / sd, y_tr, y_va, y_te


def sk_model(method: str, lam: float, n: int, l1_ratio: float):
    if method == "lasso":
        return Lasso(alpha=lam, tol=1e-10, max_iter=500_000)
    if method == "enet":
        return ElasticNet(alpha=lam, l1_ratio=l1_ratio, tol=1e-10, max_iter=500_000)
    return Ridge(alpha=n * lam)


def test_design_and_split(recorded, diabetes):
    X_tr, X_va, X_te, *_ = diabetes
    assert recorded["reg_n_features"] == X_tr.shape[1] == 64
    assert recorded["reg_split_sizes"] == [len(X_tr), len(X_va), len(X_te)]


@pytest.mark.parametrize("method", ["lasso", "enet", "ridge"])
def test_linear_answers_match_scikit_learn(recorded, diabetes, method):
    X_tr, X_va, X_te, y_tr, y_va, y_te = diabetes
    lam = recorded[f"{method}_lambda"]
    model = sk_model(method, lam, len(X_tr), recorded["enet_l1_ratio"]).fit(X_tr, y_tr)
    zeros = int(np.sum(model.coef_ == 0))
    assert zeros == recorded[f"{method}_zeros"], (
        f"{method}: scikit-learn gives {zeros} zero coefficients at lambda={lam:g}, the notebook recorded "
        f"{recorded[f'{method}_zeros']}")
    assert model.score(X_va, y_va) == pytest.approx(recorded[f"{method}_val_r2"], abs=1e-6)
    assert model.score(X_te, y_te) == pytest.approx(recorded[f"{method}_test_r2"], abs=1e-6)


@pytest.mark.parametrize("method", ["lasso", "enet", "ridge"])
def test_chosen_lambda_is_the_validation_optimum(recorded, diabetes, method):
    X_tr, X_va, _, y_tr, y_va, _ = diabetes
    grid = recorded["reg_lambda_grid"]
    scores = [sk_model(method, lam, len(X_tr), recorded["enet_l1_ratio"]).fit(X_tr, y_tr).score(X_va, y_va)
              for lam in grid]
    at_chosen = scores[int(np.argmin(np.abs(np.array(grid) - recorded[f"{method}_lambda"])))]
    assert at_chosen >= max(scores) - 1e-6, f"{method}: a lambda on the grid scores {max(scores):.6f} > {at_chosen:.6f}"


def test_sparsity_ordering(recorded):
    assert recorded["ridge_zeros"] == 0
    assert recorded["lasso_zeros"] >= recorded["enet_zeros"] > 0
    assert recorded["lasso_zeros"] < recorded["reg_n_features"]
    # every penalty beats unpenalised least squares on the 64 predictors
    for m in ("lasso", "enet", "ridge"):
        assert recorded[f"{m}_val_r2"] > recorded["ols_val_r2"] + 0.05


@pytest.mark.parametrize("method,l1_ratio", [("logit_l1", 1.0), ("logit_enet", 0.5), ("logit_l2", 0.0)])
def test_logistic_answers_match_scikit_learn(recorded, method, l1_ratio):
    d = load_breast_cancer()
    X_tr, X_va, _, y_tr, y_va, _ = train_val_test_split(d.data, d.target, val_size=VAL_SIZE, test_size=TEST_SIZE,
                                                        seed=recorded["seed"], stratify=True)
    mu, sd = X_tr.mean(0), X_tr.std(0)
    X_tr, X_va = (X_tr - mu) / sd, (X_va - mu) / sd
    C = 1.0 / (len(X_tr) * recorded[f"{method}_lambda"])
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        model = penalised_logistic_regression(C, l1_ratio, solver="saga" if l1_ratio > 0 else "lbfgs",
                                   tol=1e-10, max_iter=100_000).fit(X_tr, y_tr)
    assert int(np.sum(model.coef_ == 0)) == recorded[f"{method}_zeros"]
    assert log_loss(y_va, model.predict_proba(X_va)[:, 1]) == pytest.approx(recorded[f"{method}_val_logloss"], abs=1e-5)
    assert model.score(X_va, y_va) == pytest.approx(recorded[f"{method}_val_acc"], abs=1e-12)


def test_network_sanity(recorded):
    n_train, n_val, n_test = recorded["nn_split_sizes"]
    assert n_train == 100 and n_train + n_val + n_test < 1797
    base = recorded["nn_baseline"]
    assert base["train_acc"] >= 0.99, "the unregularised network should fit its 100 training images"
    assert base["gap"] > 0.03, f"the baseline should overfit (train - validation gap {base['gap']:.3f})"
    for name in ["baseline", *NN_METHODS]:
        r = recorded[f"nn_{name}"]
        assert 0.7 < r["val_acc"] <= 1.0 and 0.7 < r["test_acc"] <= 1.0, name
        assert r["best_val_acc"] >= r["val_acc"] - 1e-12 or name == "early_stopping", name
        assert r["gap"] == pytest.approx(r["train_acc"] - r["val_acc"], abs=1e-9)
        # a mean of 5 counts out of n_val is a multiple of 1 / (5 n_val)
        k = r["val_acc"] * 5 * n_val
        assert abs(k - round(k)) < 1e-6, name
    gaps = [recorded[f"nn_{m}"]["gap"] for m in NN_METHODS]
    loss_gaps = [recorded[f"nn_{m}"]["loss_gap"] for m in NN_METHODS]
    assert min(gaps) < base["gap"], "no regulariser reduced the train-validation accuracy gap"
    assert min(loss_gaps) < base["loss_gap"], "no regulariser reduced the train-validation loss gap"
    # shift augmentation must buy robustness to shifts
    assert recorded["nn_augment_shifts"]["shifted_val_acc"] > base["shifted_val_acc"] + 0.1
    # context: more data helps far more than any regulariser
    assert recorded["nn_full_data_val_acc"] > max(recorded[f"nn_{m}"]["val_acc"] for m in NN_METHODS)
    assert recorded["nn_chosen_weight_decay"] in (1.0, 3.0, 10.0) and recorded["nn_chosen_dropout"] in (0.2, 0.5)
