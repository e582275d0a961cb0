"""A1 Q1: the recorded posteriors, recomputed independently with scikit-learn and scipy.

Reads build/results/a1_q1_mle_quality_control.json (written when the notebook runs under `make test`).
"""
from __future__ import annotations


import numpy as np
import pytest
from scipy.stats import multivariate_normal
from sklearn.naive_bayes import BernoulliNB, CategoricalNB, GaussianNB


NOTEBOOK = "a1_q1_mle_quality_control"
# the question's data: (X1 curvature, X2 diameter), class 0 = failed, 1 = passed
X = np.array([[2.93, 6.63], [2.53, 7.79], [3.57, 5.65], [3.16, 5.47],
              [2.58, 4.46], [2.16, 6.22], [3.27, 3.52]])
Y = np.array([0, 0, 0, 0, 1, 1, 1])
X_NEW = np.array([[2.33, 5.5]])


def test_class_priors_are_the_class_frequencies(recorded):
    assert recorded["prior_failed"] == pytest.approx(4 / 7, abs=1e-12)
    assert recorded["prior_passed"] == pytest.approx(3 / 7, abs=1e-12)


def test_gaussian_nb_matches_sklearn_with_mle_variances(recorded):
    p = GaussianNB(var_smoothing=0).fit(X, Y).predict_proba(X_NEW)[0, 1]
    assert recorded["posterior_passed_gaussian_nb"] == pytest.approx(p, abs=1e-9)
    assert recorded["predicted_class_gaussian_nb"] == int(p > 0.5)


def test_ml_rule_is_gaussian_nb_with_equal_priors(recorded):
    p = GaussianNB(var_smoothing=0, priors=[0.5, 0.5]).fit(X, Y).predict_proba(X_NEW)[0, 1]
    assert recorded["posterior_passed_mle_gaussian_nb"] == pytest.approx(p, abs=1e-9)
    assert recorded["predicted_class_mle_gaussian_nb"] == int(p > 0.5)


def test_full_gaussian_matches_scipy_with_mle_covariances(recorded):
    joint = []
    for k, prior in ((0, 4 / 7), (1, 3 / 7)):
        Xk = X[Y == k]
        cov = np.cov(Xk, rowvar=False, bias=True)      # 1/m: the maximum-likelihood covariance
        joint.append(prior * multivariate_normal(Xk.mean(axis=0), cov).pdf(X_NEW[0]))
    p = joint[1] / sum(joint)
    assert recorded["posterior_passed_full_gaussian"] == pytest.approx(p, abs=1e-9)
    assert recorded["predicted_class_full_gaussian"] == int(p > 0.5)


def test_bernoulli_matches_sklearn_on_midrange_thresholds(recorded):
    thresholds = (X.min(axis=0) + X.max(axis=0)) / 2      # two equal-width bins per feature
    assert recorded["bernoulli_thresholds"] == pytest.approx(thresholds.tolist(), abs=1e-12)
    model = BernoulliNB(alpha=1.0, binarize=None).fit((X > thresholds).astype(int), Y)
    p = model.predict_proba((X_NEW > thresholds).astype(int))[0, 1]
    assert recorded["posterior_passed_bernoulli"] == pytest.approx(p, abs=1e-9)
    assert recorded["predicted_class_bernoulli"] == int(p > 0.5)


def test_categorical_posteriors_match_sklearn(recorded):
    by_bins = recorded["posterior_passed_categorical_by_bins"]
    assert sorted(int(k) for k in by_bins) == [2, 3, 4, 5, 6]
    lo, hi = X.min(axis=0), X.max(axis=0)
    for k, value in by_bins.items():
        k = int(k)
        edges = [np.linspace(lo[j], hi[j], k + 1)[1:-1] for j in range(2)]

        def codes(A):
            # bin index = number of inner edges strictly below the value (0..k-1)
            return np.column_stack([(A[:, [j]] > edges[j][None, :]).sum(axis=1) for j in range(2)])

        model = CategoricalNB(alpha=1.0, min_categories=k).fit(codes(X), Y)
        assert value == pytest.approx(model.predict_proba(codes(X_NEW))[0, 1], abs=1e-9), f"{k} bins"


def test_sanity_bounds(recorded):
    for key, value in recorded.items():
        if key.startswith(("posterior_passed_", "loo_min_posterior_passed_")) and isinstance(value, float):
            assert 0.0 <= value <= 1.0, key


def test_leave_one_out_minimum_of_gaussian_nb(recorded):
    keep = [np.arange(len(X)) != i for i in range(len(X))]
    posts = [GaussianNB(var_smoothing=0).fit(X[m], Y[m]).predict_proba(X_NEW)[0, 1] for m in keep]
    assert recorded["loo_min_posterior_passed_gaussian_nb"] == pytest.approx(min(posts), abs=1e-9)
