"""A1 Q1: every claim of the Answer, and the recorded answers recomputed independently.

Independent computations: scikit-learn's GaussianNB, BernoulliNB and CategoricalNB, scipy's
multivariate normal with covariances built here from numpy, a leave-one-out loop written here, and
scipy's exact binomial test for McNemar. The data are the question's seven products (typed in the
question itself, so they are the one constant this test repeats).
"""
from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy.stats import binomtest, multivariate_normal
from sklearn.naive_bayes import BernoulliNB, CategoricalNB, GaussianNB

from helpers import stats

NOTEBOOK = "a1_q1_mle_quality_control"
X = np.array([[2.93, 6.63], [2.53, 7.79], [3.57, 5.65], [3.16, 5.47],
              [2.58, 4.46], [2.16, 6.22], [3.27, 3.52]])
Y = np.array([0, 0, 0, 0, 1, 1, 1])
X_NEW = np.array([[2.33, 5.5]])
NAIVE = ("mle_gaussian_nb", "bernoulli", "gaussian_nb")
TABLE_ORDER = (*NAIVE, "full_gaussian", "shrunk_gaussian")   # the rows of the Answer's table


@pytest.fixture(scope="module")
def prose(answer):
    """The Answer with every run of whitespace (line breaks included) as one space."""
    return " ".join(answer.split())


def full_gaussian_posterior(X, Y, x, prior_strength, diagonal=False):
    """P(y | x) with covariances (S_k + nu0 * pooled) / (n_k + nu0), pooled = (S_0 + S_1) / n."""
    scatter = [np.cov(X[Y == k], rowvar=False, bias=True) * (Y == k).sum() for k in (0, 1)]
    pooled = sum(scatter) / len(X)
    joint = []
    for k in (0, 1):
        cov = (scatter[k] + prior_strength * pooled) / ((Y == k).sum() + prior_strength)
        if diagonal:
            cov = np.diag(np.diag(cov))
        joint.append(np.mean(Y == k) * multivariate_normal(X[Y == k].mean(axis=0), cov).pdf(x))
    return np.array(joint) / sum(joint)


def leave_one_out(predict_proba):
    """'R'/'W' per left-out product; predict_proba(X_fit, Y_fit, x) -> P(y | x), or None when undefined."""
    letters = ""
    for i in range(len(X)):
        keep = np.arange(len(X)) != i
        post = predict_proba(X[keep], Y[keep], X[i])
        letters += "-" if post is None else "RW"[int(np.argmax(post) != Y[i])]
    return letters


def wilson(k):
    iv = stats.wilson_interval(k, 7)
    return stats.format_interval(iv.low, iv.high, max(iv.high - iv.estimate, iv.estimate - iv.low))


def test_posteriors_match_scikit_learn_and_scipy(recorded):
    post = recorded["posterior_passed"]
    assert post["gaussian_nb"] == pytest.approx(GaussianNB(var_smoothing=0).fit(X, Y).predict_proba(X_NEW)[0, 1], abs=1e-9)
    equal = GaussianNB(var_smoothing=0, priors=[0.5, 0.5]).fit(X, Y).predict_proba(X_NEW)[0, 1]
    assert post["mle_gaussian_nb"] == pytest.approx(equal, abs=1e-9)
    thresholds = (X.min(axis=0) + X.max(axis=0)) / 2            # two equal-width bins per feature
    assert recorded["bernoulli_thresholds"] == pytest.approx(thresholds.tolist(), abs=1e-12)
    bern = BernoulliNB(alpha=1.0, binarize=None).fit((X > thresholds).astype(int), Y)
    assert post["bernoulli"] == pytest.approx(bern.predict_proba((X_NEW > thresholds).astype(int))[0, 1], abs=1e-9)
    assert post["full_gaussian"] == pytest.approx(full_gaussian_posterior(X, Y, X_NEW[0], 0.0)[1], abs=1e-9)
    nu0 = recorded["prior_strength"]
    assert post["shrunk_gaussian"] == pytest.approx(full_gaussian_posterior(X, Y, X_NEW[0], nu0)[1], abs=1e-9)
    assert recorded["gaussian_nb_vs_sklearn_max_diff"] < 1e-9


def test_categorical_model_flips_at_four_bins(recorded, prose):
    lo, hi = X.min(axis=0), X.max(axis=0)
    for k, value in recorded["posterior_passed_by_bins"].items():
        edges = [np.linspace(lo[j], hi[j], int(k) + 1)[1:-1] for j in range(2)]

        def codes(A):
            return np.column_stack([(A[:, [j]] > edges[j][None, :]).sum(axis=1) for j in range(2)])

        model = CategoricalNB(alpha=1.0, min_categories=int(k)).fit(codes(X), Y)
        assert value == pytest.approx(model.predict_proba(codes(X_NEW))[0, 1], abs=1e-9), f"{k} bins"
        assert (value < 0.5) == (int(k) >= 4), f"{k} bins"
    assert "With 4 or more bins per feature the categorical model predicts failed." in prose


def test_the_table_of_the_answer(recorded, stored, prose):
    assert all(p > 0.5 for p in recorded["posterior_passed"].values()), "every model predicts passed"
    assert "every model predicts passed" in prose
    rows = [line for line in prose.split("| (")[1:]]
    assert len(rows) == len(stored["posterior_passed"]) == len(TABLE_ORDER)
    for key, row in zip(TABLE_ORDER, rows):
        p = stored["posterior_passed"][key]
        lo, hi = stored["loo_p_range"][key]
        assert f"| {p:.2f} |" in row, key
        if "-" in stored["loo_folds"][key]:
            assert f"undefined in {stored['loo_folds'][key].count('-')} of 7 folds" in row, key
        else:
            assert f"| {lo:.2f} to {hi:.2f} |" in row, key
    assert "`GaussianNB(var_smoothing=0)` to $10^{-9}$" in prose


def test_leave_one_out_records(recorded):
    folds = recorded["loo_folds"]

    def gaussian_nb(priors=None):
        return lambda Xf, Yf, x: GaussianNB(var_smoothing=0, priors=priors).fit(Xf, Yf).predict_proba([x])[0]

    assert folds["gaussian_nb"] == leave_one_out(gaussian_nb())
    assert folds["mle_gaussian_nb"] == leave_one_out(gaussian_nb([0.5, 0.5]))
    # majority baseline: the commoner class of the six, ties to "failed" (class 0)
    assert folds["majority"] == leave_one_out(lambda Xf, Yf, x: np.bincount(Yf, minlength=2) / len(Yf))
    nu0 = recorded["prior_strength"]
    assert folds["shrunk_gaussian"] == leave_one_out(lambda Xf, Yf, x: full_gaussian_posterior(Xf, Yf, x, nu0))
    # MLE full covariance: a class of two points in the plane has a singular covariance
    assert folds["full_gaussian"] == leave_one_out(
        lambda Xf, Yf, x: None if min(np.bincount(Yf)) <= 2 else full_gaussian_posterior(Xf, Yf, x, 0.0))
    ablation = recorded["prior_sweep_folds"]["correlation removed"][f"{nu0:g}"]
    assert ablation == leave_one_out(lambda Xf, Yf, x: full_gaussian_posterior(Xf, Yf, x, nu0, diagonal=True))


def test_what_seven_products_can_decide(recorded, stored, prose):
    folds = recorded["loo_folds"]
    assert {folds[key].count("R") for key in NAIVE} == {3}
    assert "are each right 3 of 7 times (95 % Wilson interval " + wilson(3) + ")" in prose
    assert folds["majority"].count("R") == 4 and f"right 4 of 7 times ({wilson(4)})" in prose
    assert folds["full_gaussian"].count("-") == 3 and "undefined in 3 of 7 folds" in prose
    assert all(c == "-" for c, label in zip(folds["full_gaussian"], Y) if label == 1), "the undefined folds leave out a passed product"
    nu0 = recorded["prior_strength"]
    assert f"worth $\\nu_0 = {nu0:g}$ products" in prose
    assert folds["shrunk_gaussian"] == "R" * 7 and f"defined in all 7 folds and right 7 of 7 times ({wilson(7)})" in prose
    ablation = recorded["prior_sweep_folds"]["correlation removed"][f"{nu0:g}"]
    assert f"(the ablation) it is right {ablation.count('R')} of 7 times" in prose
    # "cannot tell any two apart": every pair of classifiers defined in every fold
    complete = [letters for letters in folds.values() if "-" not in letters]
    p_values = []
    for a, b in itertools.combinations(complete, 2):
        only_a = sum(x == "R" and y == "W" for x, y in zip(a, b))
        only_b = sum(x == "W" and y == "R" for x, y in zip(a, b))
        p_values.append(1.0 if only_a + only_b == 0 else binomtest(min(only_a, only_b), only_a + only_b, 0.5).pvalue)
    assert min(p_values) == pytest.approx(recorded["mcnemar_min_p"], abs=1e-12)
    assert f"exact McNemar p ≥ {stored['mcnemar_min_p']:.3f} for every pair" in prose
    assert min(p_values) > 0.05


def test_the_correlation_the_conclusion_names(prose):
    for k in (0, 1):
        assert np.corrcoef(X[Y == k].T)[0, 1] < -0.85, "strong negative correlation within each class"
    assert "strong negative correlation of $X_1$ and $X_2$ within each class" in prose
