"""A1 Q2 (under/over/balanced fit on Windsor house prices): every recorded answer recomputed
independently, and every sentence of the Answer asserted.

Reads build/results/a1_q2_fit_windsor_housing.json (written when the notebook runs under nbval).
The independent computations use scikit-learn and numpy routines the notebook does not use:
`PolynomialFeatures` + `LinearRegression` and `numpy.polynomial.legendre.legfit` for the one-feature
view, ridge as augmented least squares, the `StandardScaler -> PolynomialFeatures -> StandardScaler
-> Ridge` pipeline on the same `RepeatedKFold` folds for the whole model selection (the one-SE rule
written out here), brute-force and `RidgeCV` leave-one-out for the optimism check.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as sps
from sklearn.linear_model import LinearRegression, Ridge, RidgeCV
from sklearn.metrics import root_mean_squared_error
from sklearn.model_selection import RepeatedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import PolynomialFeatures, StandardScaler
from threadpoolctl import threadpool_limits

from helpers import stats
from helpers.data import load_windsor_housing, train_val_test_split

NOTEBOOK = "a1_q2_fit_windsor_housing"
RTOL = 1e-6


@pytest.fixture(scope="module", autouse=True)
def one_blas_thread():
    """Many small fits: one BLAS thread is much faster than several competing ones (as in `make test`)."""
    with threadpool_limits(limits=1):
        yield


@pytest.fixture(scope="module")
def split(recorded):
    data = load_windsor_housing()
    return train_val_test_split(data.X, data.y / 1000, seed=int(recorded["seed"]))


@pytest.fixture(scope="module")
def trval(split):
    X_train, X_val, _, y_train, y_val, _ = split
    return np.vstack([X_train, X_val]), np.concatenate([y_train, y_val])


@pytest.fixture(scope="module")
def lambdas(recorded):
    lo, hi, count = recorded["cv_setting"]["log10_lambda"]
    return np.logspace(lo, hi, count)


def z_of(A, X_train):
    """The notebook's lot-size scaling, written out: log lot mapped to [-1, 1] by the training range."""
    lo, hi = np.log(X_train[:, 0].min()), np.log(X_train[:, 0].max())
    return 2 * (np.log(A[:, 0]) - lo) / (hi - lo) - 1


def ridge_pipeline(degree, lam):
    return make_pipeline(StandardScaler(), PolynomialFeatures(degree, include_bias=False), StandardScaler(),
                         Ridge(alpha=lam, solver="svd"))


def legendre_ridge(z, y, degree, lam):
    """Ridge on the Legendre coefficients 1..degree (level unpenalised) as augmented least squares; (w, df)."""
    V = np.polynomial.legendre.legvander(z, degree)
    penalty = math.sqrt(lam) * np.eye(degree + 1)[1:]
    w = np.linalg.lstsq(np.vstack([V, penalty]), np.concatenate([y, np.zeros(degree)]), rcond=None)[0]
    df = np.trace(V @ np.linalg.pinv(V.T @ V + lam * np.diag(np.r_[0.0, np.ones(degree)])) @ V.T)
    return w, df


def rounded(value, uncertainty):
    return stats.round_to_uncertainty(value, uncertainty)[0]


def signed(text):
    return text if text.startswith("-") else "+" + text


def interval_text(record, signed_ends=False):
    """How the Answer writes a recorded {gap or value, low, high}: value and interval at the half-width's precision."""
    half = (record["high"] - record["low"]) / 2
    return stats.format_interval(record["low"], record["high"], half, signed=signed_ends)


# ---------------------------------------------------------------------------------------- data
def test_split_sizes(recorded, split):
    X_train, X_val, X_test = split[:3]
    assert (recorded["n_train"], recorded["n_val"], recorded["n_test"]) == (len(X_train), len(X_val), len(X_test))
    assert len(X_train) + len(X_val) + len(X_test) == 546
    assert recorded["train_price_sd"] == pytest.approx(np.std(split[3]), rel=1e-12)


# ------------------------------------------------------------------------- one-feature view
def test_one_feature_fits_match_scikit_learn(recorded, split):
    X_train, X_val, _, y_train, y_val, _ = split
    z_train, z_val = z_of(X_train, X_train), z_of(X_val, X_train)
    inside = np.abs(z_val) <= 1
    assert recorded["n_val_outside"] == int(np.sum(~inside)) == 2
    assert np.all(X_val[~inside, 0] > X_train[:, 0].max())            # both beyond the largest training lot
    for d in (1, recorded["poly1d_best_in_range_degree"], 15):
        model = make_pipeline(PolynomialFeatures(d), LinearRegression()).fit(z_train[:, None], y_train)
        p_train, p_val = model.predict(z_train[:, None]), model.predict(z_val[:, None])
        got = recorded[f"poly1d_d{d}"]
        assert got["train"] == pytest.approx(root_mean_squared_error(y_train, p_train), rel=1e-5), d
        assert got["val"] == pytest.approx(root_mean_squared_error(y_val, p_val), rel=1e-5), d
        assert got["val_in_range"] == pytest.approx(root_mean_squared_error(y_val[inside], p_val[inside]), rel=1e-5), d
        assert got["outside_errors"] == pytest.approx(p_val[~inside] - y_val[~inside], rel=1e-4), d


def test_degree_with_the_lowest_in_range_error(recorded, split):
    X_train, X_val, _, y_train, y_val, _ = split
    z_train, z_val = z_of(X_train, X_train), z_of(X_val, X_train)
    inside = np.abs(z_val) <= 1
    errors = [root_mean_squared_error(y_val[inside], np.polynomial.legendre.legval(
        z_val[inside], np.polynomial.legendre.legfit(z_train, y_train, d))) for d in range(16)]
    assert recorded["poly1d_best_in_range_degree"] == int(np.argmin(errors)) == 3
    assert max(errors[1:]) - min(errors[1:]) < 1.25                    # "within about 1 k$ from degree 1 to 15"


def test_in_range_gap_of_degree_15(recorded, split):
    X_train, X_val, _, y_train, y_val, _ = split
    z_train, z_val = z_of(X_train, X_train), z_of(X_val, X_train)
    inside = np.abs(z_val) <= 1
    fits = {d: np.polynomial.legendre.legval(z_val[inside], np.polynomial.legendre.legfit(z_train, y_train, d))
            for d in (3, 15)}
    gap = recorded["poly1d_gap_15"]
    assert gap["gap"] == pytest.approx(root_mean_squared_error(y_val[inside], fits[15])
                                       - root_mean_squared_error(y_val[inside], fits[3]), abs=1e-6)
    assert gap["low"] < 0 < gap["high"]                                # as good as the cubic: a tie
    assert gap["low"] < gap["gap"] < gap["high"]


def test_ridge_shrinks_towards_zero_not_towards_a_lower_degree(recorded, split):
    X_train, X_val, _, y_train, y_val, _ = split
    z_train, z_val = z_of(X_train, X_train), z_of(X_val, X_train)
    inside = np.abs(z_val) <= 1
    eq = recorded["ridge15_equal_df"]
    w, df = legendre_ridge(z_train, y_train, 15, eq["lambda"])
    assert df == pytest.approx(eq["df"], abs=1e-6) and eq["df"] == pytest.approx(4.0, abs=1e-6)
    p_val = np.polynomial.legendre.legval(z_val, w)
    assert eq["val_in_range"] == pytest.approx(root_mean_squared_error(y_val[inside], p_val[inside]), rel=1e-6)
    assert eq["outside_errors"] == pytest.approx(p_val[~inside] - y_val[~inside], rel=1e-5)
    assert min(eq["outside_errors"]) > 1000                            # "misses those houses by thousands of k$"
    assert max(abs(e) for e in recorded["poly1d_d3"]["outside_errors"]) < 100   # the cubic: tens
    assert eq["gap_low"] < 0 < eq["gap_high"]                          # in range: a tie with the cubic
    assert eq["nonzero_coefficients"] == 16
    norms = [np.linalg.norm(legendre_ridge(z_train, y_train, 15, lam)[0][1:]) for lam in (0.01, 10, 100, 1e4)]
    assert np.all(np.diff(norms) < 0)                                  # every step of lambda shrinks the weights
    w_big = legendre_ridge(z_train, y_train, 15, 1e4)[0]
    assert eq["high_degree_share"] == pytest.approx(np.sum(w_big[4:] ** 2) / np.sum(w_big[1:] ** 2), rel=1e-6)
    assert eq["high_degree_share"] > 0.1                               # degrees 4-15 keep their share


def test_bootstrap_spread_of_the_fitted_curves(recorded):
    sd = {d: recorded[f"boot_sd_d{d}"] for d in (1, 3, 15)}
    for d in (1, 3, 15):
        assert 0 < sd[d]["median_lot"] < sd[d]["largest_lot"]          # curves move most at the edge
    assert sd[1]["median_lot"] < sd[15]["median_lot"] < 5               # mid-range: a few k$ at most
    assert sd[15]["largest_lot"] > 10_000 > 100 * sd[3]["largest_lot"]  # "over 10,000 k$" at the largest lot


# ------------------------------------------------------------------ eleven features: selection
@pytest.fixture(scope="module")
def selection(recorded, trval, lambdas):
    """The notebook's model selection redone with scikit-learn: CV RMSE (candidates, folds) and df (candidates,)."""
    X, y = trval
    setting = recorded["cv_setting"]
    folds = list(RepeatedKFold(n_splits=setting["folds"], n_repeats=setting["repeats"],
                               random_state=setting["random_state"]).split(X))
    scores, dfs, candidates = [], [], []
    for d in setting["degrees"]:
        features = make_pipeline(StandardScaler(), PolynomialFeatures(d, include_bias=False), StandardScaler())
        per_fold = []
        for tr, va in folds:
            F_tr = features.fit_transform(X[tr])
            ridge = Ridge(alpha=lambdas, solver="svd").fit(F_tr, np.tile(y[tr][:, None], len(lambdas)))
            residual = ridge.predict(features.transform(X[va])) - y[va][:, None]
            per_fold.append(np.sqrt(np.mean(residual ** 2, axis=0)))
        scores.append(np.array(per_fold).T)
        s = np.linalg.svd(features.fit_transform(X), compute_uv=False)
        dfs.append([1 + np.sum(s ** 2 / (s ** 2 + lam)) for lam in lambdas])
        candidates += [(d, lam) for lam in lambdas]
    return np.vstack(scores), np.concatenate(dfs), candidates, setting


def test_model_selection_recomputed_with_scikit_learn(recorded, selection):
    scores, dfs, candidates, setting = selection
    ratio = 1 / (setting["folds"] - 1)
    means = scores.mean(axis=1)
    ses = scores.std(axis=1, ddof=1) * np.sqrt(1 / scores.shape[1] + ratio)
    best = int(np.argmin(means))
    threshold = means[best] + ses[best]
    order = np.argsort(dfs, kind="stable")
    chosen = next(int(i) for i in order if means[i] <= threshold)
    for key, i in (("chosen_model", chosen), ("best_model", best)):
        got = recorded[key]
        assert (got["degree"], got["lambda"]) == pytest.approx(candidates[i], rel=1e-12), key
        assert got["df"] == pytest.approx(dfs[i], rel=1e-6)
        assert got["cv_rmse"] == pytest.approx(means[i], rel=RTOL)
        assert got["cv_se"] == pytest.approx(ses[i], rel=RTOL)
    # the choice is not a knife edge: every simpler candidate misses the threshold by a clear margin
    simpler = [int(i) for i in order if dfs[i] < dfs[chosen]]
    assert min(means[i] for i in simpler) > threshold + 0.05
    assert means[chosen] < threshold - 0.05


def test_paired_differences_recomputed(recorded, selection):
    scores, dfs, candidates, setting = selection
    ratio = 1 / (setting["folds"] - 1)
    best = int(np.argmin(scores.mean(axis=1)))
    for key in ("chosen_minus_best", "best_d2_minus_best", "best_d3_minus_best"):
        got = recorded[key]
        i = next(j for j, c in enumerate(candidates) if c[0] == got["degree"] and np.isclose(c[1], got["lambda"]))
        if key != "chosen_minus_best":
            rows = [j for j, c in enumerate(candidates) if c[0] == got["degree"]]
            assert i == min(rows, key=lambda j: scores[j].mean())            # the best of its degree
        d = scores[i] - scores[best]
        se = d.std(ddof=1) * math.sqrt(1 / len(d) + ratio)
        half = float(sps.t.ppf(0.975, len(d) - 1)) * se
        assert got["mean"] == pytest.approx(d.mean(), rel=RTOL, abs=1e-9)
        assert got["se"] == pytest.approx(se, rel=RTOL)
        assert (got["low"], got["high"]) == pytest.approx((d.mean() - half, d.mean() + half), rel=RTOL, abs=1e-9)
    # section 4's prose: the one-SE choice costs a little (interval just above 0), far less than the CV SE
    cost = recorded["chosen_minus_best"]
    assert 0 < cost["low"] and cost["high"] < recorded["chosen_model"]["cv_se"]


def test_regimes_match_scikit_learn(recorded, split):
    X_train, X_val, _, y_train, y_val, _ = split
    inside = np.all((X_val >= X_train.min(axis=0)) & (X_val <= X_train.max(axis=0)), axis=1)
    assert recorded["n_val_inside_all"] == int(inside.sum())
    chosen = recorded["chosen_model"]
    predictions = {}
    for label, (d, lam) in {"underfit": (1, 1e5), "chosen": (chosen["degree"], chosen["lambda"]),
                            "overfit": (3, 1e-2)}.items():
        model = ridge_pipeline(d, lam).fit(X_train, y_train)
        p_val = predictions[label] = model.predict(X_val)
        got = recorded[f"regime_{label}"]
        assert got["train"] == pytest.approx(root_mean_squared_error(y_train, model.predict(X_train)), rel=1e-5)
        assert got["val_in_range"] == pytest.approx(root_mean_squared_error(y_val[inside], p_val[inside]), rel=1e-5)
        assert got["outside_errors"] == pytest.approx(p_val[~inside] - y_val[~inside], rel=1e-4, abs=1e-6)
    gap = recorded["overfit_gap"]
    assert gap["gap"] == pytest.approx(root_mean_squared_error(y_val[inside], predictions["overfit"][inside])
                                       - root_mean_squared_error(y_val[inside], predictions["chosen"][inside]), rel=1e-5)
    assert 0 < gap["low"] < gap["gap"] < gap["high"]                   # overfit worse in range: interval above 0


# ---------------------------------------------------------------------- optimism and the test
def test_optimism_estimates_recomputed(recorded, trval, split):
    X, y = trval
    n = len(y)
    chosen = recorded["chosen_model"]
    # leave-one-out by brute force for the chosen model (437 refits; standardisation from all houses, as derived)
    features = make_pipeline(StandardScaler(), PolynomialFeatures(chosen["degree"], include_bias=False), StandardScaler())
    F = features.fit_transform(X)
    loo = [Ridge(alpha=chosen["lambda"]).fit(np.delete(F, i, 0), np.delete(y, i)).predict(F[i:i + 1])[0] - y[i]
           for i in range(n)]
    got = recorded["optimism_chosen"]
    assert got["loo"] == pytest.approx(np.sqrt(np.mean(np.square(loo))), rel=1e-6)
    train_mse = np.mean((Ridge(alpha=chosen["lambda"]).fit(F, y).predict(F) - y) ** 2)
    sigma2 = train_mse * n / (n - chosen["df"])
    assert recorded["sigma_hat"] == pytest.approx(np.sqrt(sigma2), rel=1e-6)
    assert got["train"] == pytest.approx(np.sqrt(train_mse), rel=1e-6)
    assert got["cp"] == pytest.approx(np.sqrt(train_mse + 2 * sigma2 * chosen["df"] / n), rel=1e-6)
    assert got["gcv"] == pytest.approx(np.sqrt(train_mse / (1 - chosen["df"] / n) ** 2), rel=1e-6)
    # the nearly unpenalised cubic: leave-one-out from scikit-learn's RidgeCV (efficient LOO)
    F3 = make_pipeline(StandardScaler(), PolynomialFeatures(3, include_bias=False), StandardScaler()).fit_transform(X)
    ridge_cv = RidgeCV(alphas=[0.01], store_cv_results=True).fit(F3, y)
    assert recorded["optimism_cubic_lam001"]["loo"] == pytest.approx(np.sqrt(ridge_cv.cv_results_.mean()), rel=1e-3)


def test_cp_and_gcv_choose_more_complex_models_than_cv(recorded):
    chosen = recorded["chosen_model"]
    for key in ("cp_choice", "gcv_choice"):
        assert recorded[key]["df"] > 4 * chosen["df"], key
        assert recorded[key]["estimate"] < recorded[key]["cv_rmse"], key    # the one-fit estimate flatters


def test_test_score_recomputed(recorded, split, trval):
    X, y = trval
    X_test, y_test = split[2], split[5]
    chosen = recorded["chosen_model"]
    pred = ridge_pipeline(chosen["degree"], chosen["lambda"]).fit(X, y).predict(X_test)
    got = recorded["test_rmse"]
    assert got["value"] == pytest.approx(root_mean_squared_error(y_test, pred), rel=1e-6)
    assert got["low"] < got["value"] < got["high"]
    assert abs(got["value"] - chosen["cv_rmse"]) < 2 * chosen["cv_se"]    # consistent with its CV estimate


def test_learning_curve_ends_recomputed(recorded, trval):
    X, y = trval
    setting = recorded["cv_setting"]
    folds = list(RepeatedKFold(n_splits=setting["folds"], n_repeats=setting["repeats"],
                               random_state=setting["random_state"]).split(X))[:setting["folds"]]
    chosen = recorded["chosen_model"]
    for label, (d, lam) in {"underfit": (1, 1e5), "chosen": (chosen["degree"], chosen["lambda"]),
                            "overfit": (3, 1e-2)}.items():
        train, val = [], []
        for tr, va in folds:
            model = ridge_pipeline(d, lam).fit(X[tr], y[tr])
            train.append(root_mean_squared_error(y[tr], model.predict(X[tr])))
            val.append(root_mean_squared_error(y[va], model.predict(X[va])))
        got = recorded[f"learning_{label}"]
        assert got["train"] == pytest.approx(np.mean(train), rel=1e-5), label
        assert got["val"] == pytest.approx(np.mean(val), rel=1e-5), label
    under = recorded["learning_underfit"]
    assert abs(under["train"] - under["val"]) < under["val_sd"]          # "about as much on training as on new houses"


# ------------------------------------------------------------------------------- the Answer
def test_answer_underfitting(answer, recorded, stored):
    assert "Ridge shrunk to one effective parameter, the average price" in " ".join(answer.split())
    assert stored["regime_underfit"]["df"] == pytest.approx(1.0, abs=0.05)
    sd = recorded["train_price_sd"]
    for value in (recorded["learning_underfit"]["train"], recorded["learning_underfit"]["val"]):
        assert 0.9 * sd < value < 1.1 * sd                             # "both near the spread of prices"


def test_answer_overfitting(answer, recorded, stored):
    text = " ".join(answer.split())
    over = stored["regime_overfit"]
    assert f"about {round(over['df'], -1):.0f} effective parameters for {stored['n_train']} houses" in text
    assert f"reach {over['train']:.1f} k\\$ on training houses" in text
    gap = stored["overfit_gap"]
    assert (f"by {rounded(gap['gap'], (gap['high'] - gap['low']) / 2)} k\\$ (95% interval {interval_text(gap)})"
            in text)
    assert recorded["regime_overfit"]["val_in_range"] > 3 * recorded["regime_overfit"]["train"]   # "much higher"
    assert recorded["overfit_gap"]["low"] > 0


def test_answer_extrapolation(answer, recorded, stored):
    text = " ".join(answer.split())
    gap = stored["poly1d_gap_15"]
    half = (gap["high"] - gap["low"]) / 2
    assert (f"as good as degree {stored['poly1d_best_in_range_degree']} inside the training range "
            f"({signed(rounded(gap['gap'], half))} k\\$, 95% interval {interval_text(gap, True)})") in text
    assert recorded["poly1d_gap_15"]["low"] < 0 < recorded["poly1d_gap_15"]["high"]
    assert f"validation RMSE of {stored['poly1d_d15']['val']:,.0f} k\\$" in text
    assert f"comes from {stored['n_val_outside']} houses with lots beyond the largest training lot" in text
    assert recorded["poly1d_d15"]["val_in_range"] < 20 < recorded["poly1d_d15"]["val"] / 100   # the 2 houses make it
    assert "scatter by over 10,000 k\\$ (sd)" in text and recorded["boot_sd_d15"]["largest_lot"] > 10_000
    assert "shrinks all 15 of its non-constant coefficients towards zero" in text
    assert recorded["ridge15_equal_df"]["nonzero_coefficients"] == 16     # none of them set to zero
    assert f"at a cubic's {stored['ridge15_equal_df']['df']:.0f} effective parameters" in text
    assert min(recorded["ridge15_equal_df"]["outside_errors"]) > 1000


def test_answer_balanced_fit(answer, recorded, stored):
    text = " ".join(answer.split())
    chosen, setting = stored["chosen_model"], stored["cv_setting"]
    n_candidates = len(setting["degrees"]) * setting["log10_lambda"][2]
    assert f"({n_candidates} candidates, {setting['repeats']} × {setting['folds']}-fold CV, same folds)" in text
    assert chosen["degree"] == 1 and "a linear model" in text
    assert f"$\\lambda$ = {chosen['lambda']:.0f}, CV RMSE {stats.format_pm(chosen['cv_rmse'], chosen['cv_se'])} k\\$" in text
    assert stored["best_model"]["degree"] == 1                         # the best is linear too
    quoted = [stats.format_pm(stored[k]["mean"], stored[k]["se"], signed=True)
              for k in ("best_d2_minus_best", "best_d3_minus_best")]
    assert f"(paired differences {quoted[0]} and {quoted[1]} k\\$)" in text
    for key in ("best_d2_minus_best", "best_d3_minus_best"):
        assert recorded[key]["low"] <= 0 <= recorded[key]["high"], key   # "cannot be told apart"
    test = stored["test_rmse"]
    assert f"k\\$, one test score {rounded(test['value'], (test['high'] - test['low']) / 2)} k\\$ (95% interval " \
           f"{interval_text(test)})" in text


def test_answer_optimism(answer, recorded, stored):
    text = " ".join(answer.split())
    got = stored["optimism_chosen"]
    assert f"$C_p$, GCV and leave-one-out ({got['cp']:.1f}, {got['gcv']:.1f} and {got['loo']:.1f} k\\$)" in text
    fresh, chosen = recorded["optimism_chosen"], recorded["chosen_model"]
    for key in ("cp", "gcv", "loo"):                                   # "agree with CV within its standard error"
        assert abs(fresh[key] - chosen["cv_rmse"]) < chosen["cv_se"] and abs(fresh[key] - fresh["cv"]) < chosen["cv_se"]
    far = recorded["optimism_cubic_lam001"]
    assert far["df"] > 0.5 * recorded["n_train"] and far["max_leverage"] > 0.99
    assert far["cp"] < far["cv"] / 3 and far["gcv"] < far["cv"] / 3   # "fall far below CV"
