"""A1 Q2 (under/over/balanced fit on Windsor house prices): the recorded errors, recomputed independently.

Reads build/results/a1_q2_fit_windsor_housing.json (written when the notebook runs under nbval) and
refits every recorded model with scikit-learn on the same split (helpers.data.train_val_test_split,
same seed): the one-feature polynomials with PolynomialFeatures + LinearRegression, the
eleven-feature models with a StandardScaler -> PolynomialFeatures(3) -> StandardScaler -> Ridge
pipeline, and the cross-validation with cross_val_score on the same KFold folds.
"""
from __future__ import annotations


import numpy as np
import pytest
from sklearn.linear_model import LinearRegression, Ridge
from sklearn.metrics import root_mean_squared_error
from sklearn.model_selection import KFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import PolynomialFeatures, StandardScaler
from threadpoolctl import threadpool_limits

from helpers.data import load_windsor_housing, train_val_test_split

NOTEBOOK = "a1_q2_fit_windsor_housing"
REGIMES = ("underfit", "balanced", "overfit")
LAMBDAS = np.logspace(-2, 6, 33)   # the notebook's grid
RTOL = 1e-5


@pytest.fixture(scope="module", autouse=True)
def one_blas_thread():
    """Many small fits: one BLAS thread is much faster than several competing ones (as in `make test`)."""
    with threadpool_limits(limits=1):
        yield


@pytest.fixture(scope="module")
def split(recorded):
    data = load_windsor_housing()
    return train_val_test_split(data.X, data.y / 1000, seed=int(recorded["seed"]))


def cubic_ridge(lam):
    return make_pipeline(StandardScaler(), PolynomialFeatures(3, include_bias=False), StandardScaler(),
                         Ridge(alpha=lam))


def test_split_sizes(recorded, split):
    X_train, X_val, X_test = split[:3]
    assert (recorded["n_train"], recorded["n_val"], recorded["n_test"]) == (len(X_train), len(X_val), len(X_test))
    assert len(X_train) + len(X_val) + len(X_test) == 546


def test_one_feature_polynomials_match_scikit_learn(recorded, split):
    X_train, X_val, X_test, y_train, y_val, y_test = split
    lot = 0  # lotsize is the first column
    lo, hi = np.log(X_train[:, lot].min()), np.log(X_train[:, lot].max())

    def z(A):
        return (2 * (np.log(A[:, lot]) - lo) / (hi - lo) - 1).reshape(-1, 1)

    for label in REGIMES:
        degree = int(recorded[f"poly1d_{label}_degree"])
        if degree == 0:
            pred = {name: np.full(len(t), y_train.mean()) for name, t in
                    (("train", y_train), ("val", y_val), ("test", y_test))}
        else:
            model = make_pipeline(PolynomialFeatures(degree), LinearRegression()).fit(z(X_train), y_train)
            pred = {"train": model.predict(z(X_train)), "val": model.predict(z(X_val)),
                    "test": model.predict(z(X_test))}
        for part, target in (("train", y_train), ("val", y_val), ("test", y_test)):
            expected = root_mean_squared_error(target, pred[part])
            assert recorded[f"poly1d_{label}_{part}_rmse"] == pytest.approx(expected, rel=RTOL), (label, part)


def test_balanced_degree_has_the_lowest_validation_error(recorded, split):
    X_train, X_val, _, y_train, y_val, _ = split
    lo, hi = np.log(X_train[:, 0].min()), np.log(X_train[:, 0].max())
    z_train = 2 * (np.log(X_train[:, 0]) - lo) / (hi - lo) - 1
    z_val = 2 * (np.log(X_val[:, 0]) - lo) / (hi - lo) - 1
    val = []
    for d in range(16):
        w = np.polynomial.legendre.legfit(z_train, y_train, d)
        val.append(root_mean_squared_error(y_val, np.polynomial.legendre.legval(z_val, w)))
    assert recorded["poly1d_balanced_degree"] == int(np.argmin(val))
    assert (recorded["poly1d_underfit_degree"], recorded["poly1d_overfit_degree"]) == (0, 15)


def test_ridge_regimes_match_scikit_learn(recorded, split):
    X_train, X_val, X_test, y_train, y_val, y_test = split
    for label in REGIMES:
        model = cubic_ridge(recorded[f"{label}_lambda"]).fit(X_train, y_train)
        for part, A, target in (("train", X_train, y_train), ("val", X_val, y_val), ("test", X_test, y_test)):
            expected = root_mean_squared_error(target, model.predict(A))
            assert recorded[f"{label}_{part}_rmse"] == pytest.approx(expected, rel=RTOL), (label, part)


def test_effective_parameters_are_the_trace_of_the_smoother(recorded, split):
    X_train, y_train = split[0], split[3]
    model = cubic_ridge(1.0).fit(X_train, y_train)
    Phi = model[:-1].transform(X_train)
    for label in REGIMES:
        lam = recorded[f"{label}_lambda"]
        trace = np.trace(Phi @ np.linalg.solve(Phi.T @ Phi + lam * np.eye(Phi.shape[1]), Phi.T))
        assert recorded[f"{label}_df"] == pytest.approx(trace, rel=1e-4), label


def test_cross_validation_choice_and_test_score(recorded, split):
    X_train, X_val, X_test, y_train, y_val, y_test = split
    X_trval, y_trval = np.vstack([X_train, X_val]), np.concatenate([y_train, y_val])
    folds = list(KFold(n_splits=5, shuffle=True, random_state=int(recorded["seed"])).split(X_trval))
    scores = np.array([-cross_val_score(cubic_ridge(lam), X_trval, y_trval, cv=folds,
                                        scoring="neg_root_mean_squared_error") for lam in LAMBDAS])
    best = int(np.argmin(scores.mean(axis=1)))
    assert recorded["cv_lambda"] == pytest.approx(LAMBDAS[best], rel=1e-12)
    assert recorded["balanced_lambda"] == recorded["cv_lambda"]
    assert recorded["cv_rmse_mean"] == pytest.approx(scores[best].mean(), rel=RTOL)
    assert recorded["cv_rmse_std"] == pytest.approx(scores[best].std(), rel=1e-4)
    linear = min(-cross_val_score(make_pipeline(StandardScaler(), Ridge(alpha=lam)), X_trval, y_trval, cv=folds,
                                  scoring="neg_root_mean_squared_error").mean() for lam in LAMBDAS)
    assert recorded["linear_cv_rmse_mean"] == pytest.approx(linear, rel=RTOL)
    final = cubic_ridge(LAMBDAS[best]).fit(X_trval, y_trval)
    assert recorded["chosen_test_rmse"] == pytest.approx(root_mean_squared_error(y_test, final.predict(X_test)),
                                                         rel=RTOL)


def test_regimes_are_ordered_as_the_theory_says(recorded):
    r = recorded
    sd = r["train_price_sd"]
    for prefix in ("", "poly1d_"):
        under_t, bal_t, over_t = (r[f"{prefix}{k}_train_rmse"] for k in REGIMES)
        under_v, bal_v, over_v = (r[f"{prefix}{k}_val_rmse"] for k in REGIMES)
        assert over_t < bal_t < under_t, prefix            # training error falls with complexity
        assert over_v > bal_v and under_v > bal_v, prefix  # validation error is U-shaped
        assert under_t > 0.8 * sd and under_v > 0.8 * sd, prefix  # underfit: both high, near "predict the mean"
        under_x, bal_x, over_x = (r[f"{prefix}{k}_test_rmse"] for k in REGIMES)
        assert over_x > bal_x and under_x > bal_x, prefix  # the ordering carries over to the test houses
    assert r["overfit_val_rmse"] > 3 * r["overfit_train_rmse"]       # overfit: a wide gap
    assert r["underfit_df"] < 5 < r["balanced_df"] < r["overfit_df"]
    # sanity: the chosen model's test error is near its CV estimate and well below the spread of prices
    assert abs(r["chosen_test_rmse"] - r["cv_rmse_mean"]) < 3 * r["cv_rmse_std"]
    assert r["chosen_test_rmse"] < 0.7 * sd
