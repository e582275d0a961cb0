"""A2 Q1 (breast-cancer application): the recorded answers against independent computations.

Reads build/results/a2_q1_breast_cancer_application.json (written when the notebook runs under
`make test`). The logistic-regression baseline is refitted here with scikit-learn on the same
split, its validation threshold is re-chosen with a naive loop over the thresholds, and the
network's recorded AUC, confusion counts, sensitivity and specificity are checked for mutual
consistency (a ROC curve through the operating point bounds the AUC).
"""
from __future__ import annotations


import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.preprocessing import StandardScaler

from helpers.data import train_val_test_split

NOTEBOOK = "a2_q1_breast_cancer_application"


@pytest.fixture(scope="module")
def split(recorded):
    bunch = load_breast_cancer()
    y = (bunch.target == 0).astype(int)               # positive class: malignant (scikit-learn's target 0)
    X_train, X_val, X_test, y_train, y_val, y_test = train_val_test_split(
        bunch.data, y, val_size=recorded["val_size"], test_size=recorded["test_size"],
        seed=recorded["seed"], stratify=True)
    scaler = StandardScaler().fit(X_train)
    return (scaler.transform(X_train), scaler.transform(X_val), scaler.transform(X_test), y_train, y_val, y_test)


@pytest.fixture(scope="module")
def logreg_scores(recorded, split):
    X_train, X_val, X_test, y_train, _, _ = split
    clf = LogisticRegression(C=recorded["logreg_C"], max_iter=5000).fit(X_train, y_train)
    return clf.predict_proba(X_val)[:, 1], clf.predict_proba(X_test)[:, 1]


def naive_threshold(y, p, ratio):
    """Cheapest of t = 0.001 ... 0.999 for 'malignant if p >= t' at cost ratio*FN + FP; ties: nearest 1/(1+ratio),
    then the lower t. One threshold at a time, counting with a Python loop."""
    target = 1 / (1 + ratio)
    best = None
    for k in range(1, 1000):
        t = k / 1000
        fn = sum(1 for yi, pi in zip(y, p) if yi == 1 and pi < t)
        fp = sum(1 for yi, pi in zip(y, p) if yi == 0 and pi >= t)
        key = (ratio * fn + fp, abs(t - target), t)
        if best is None or key < best[0]:
            best = (key, t)
    return best[1]


def test_split_sizes(recorded, split):
    _, _, X_test, y_train, y_val, y_test = split
    assert (recorded["n_train"], recorded["n_val"], recorded["n_test"]) == (len(y_train), len(y_val), len(y_test))
    assert recorded["n_train"] + recorded["n_val"] + recorded["n_test"] == 569
    assert recorded["n_test_malignant"] == int(y_test.sum())
    assert recorded["majority_test_accuracy"] == pytest.approx(np.mean(y_test == 0), abs=1e-12)


def test_logistic_regression_matches_an_independent_fit(recorded, split, logreg_scores):
    y_test = split[5]
    _, p_test = logreg_scores
    auc = roc_auc_score(y_test, p_test)
    accuracy = np.mean((p_test >= 0.5) == y_test)
    assert recorded["logreg_test_auc"] == pytest.approx(auc, abs=1e-6), (
        f"independent logistic regression: AUC {auc:.6f}, recorded {recorded['logreg_test_auc']:.6f}")
    # identical on the same machine; allow one test case for another BLAS's rounding
    assert abs(recorded["logreg_test_accuracy"] - accuracy) <= 1 / len(y_test) + 1e-12


def test_logistic_regression_threshold_and_rates(recorded, split, logreg_scores):
    y_val, y_test = split[4], split[5]
    p_val, p_test = logreg_scores
    t = naive_threshold(y_val, p_val, recorded["cost_ratio"])
    assert recorded["logreg_threshold"] == pytest.approx(t, abs=1e-12)
    pred = p_test >= t
    sens = np.sum(pred & (y_test == 1)) / np.sum(y_test == 1)
    spec = np.sum(~pred & (y_test == 0)) / np.sum(y_test == 0)
    assert recorded["logreg_test_sensitivity"] == pytest.approx(sens, abs=1e-12)
    assert recorded["logreg_test_specificity"] == pytest.approx(spec, abs=1e-12)


def test_cost_ratio_and_bayes_threshold(recorded):
    r = recorded["cost_ratio"]
    assert r >= 1
    assert recorded["bayes_threshold"] == pytest.approx(1 / (1 + r), abs=1e-15)
    assert 0 < recorded["net_threshold"] < 1 and 0 < recorded["logreg_threshold"] < 1
    tn, fp, fn, tp = recorded["net_test_counts_at_threshold"]
    assert recorded["net_test_cost_per_case"] == pytest.approx((r * fn + fp) / recorded["n_test"], abs=1e-12)


def test_network_auc_is_high_and_consistent_with_its_operating_points(recorded):
    auc = recorded["net_test_auc"]
    assert 0.9 <= auc <= 1.0, f"network test AUC {auc:.4f} outside [0.9, 1]"
    n, n_pos = recorded["n_test"], recorded["n_test_malignant"]
    for key, accuracy, sens, spec in (
            ("net_test_counts_at_05", recorded["net_test_accuracy"], None, None),
            ("net_test_counts_at_threshold", None, recorded["net_test_sensitivity"], recorded["net_test_specificity"])):
        tn, fp, fn, tp = recorded[key]
        assert tn + fp + fn + tp == n and tp + fn == n_pos, f"{key}: counts do not add up to the test set"
        tpr, tnr = tp / n_pos, tn / (n - n_pos)
        if accuracy is not None:
            assert accuracy == pytest.approx((tp + tn) / n, abs=1e-12)
        if sens is not None:
            assert sens == pytest.approx(tpr, abs=1e-12) and spec == pytest.approx(tnr, abs=1e-12)
        # a monotone ROC curve through (FPR, TPR) = (1 - tnr, tpr) has area between tpr * tnr and 1 - (1 - tnr)(1 - tpr)
        assert tpr * tnr - 1e-12 <= auc <= 1 - (1 - tnr) * (1 - tpr) + 1e-12, (
            f"{key}: AUC {auc:.4f} is impossible for sensitivity {tpr:.3f} and specificity {tnr:.3f}")
    # a lower threshold can only raise sensitivity and lower specificity
    tn5, fp5, fn5, tp5 = recorded["net_test_counts_at_05"]
    tn_t, fp_t, fn_t, tp_t = recorded["net_test_counts_at_threshold"]
    if recorded["net_threshold"] <= 0.5:
        assert tp_t >= tp5 and tn_t <= tn5
    else:
        assert tp_t <= tp5 and tn_t >= tn5


def test_other_recorded_numbers_are_sane(recorded):
    assert recorded["auc_crosscheck_passed"] is True
    assert recorded["auc_diff_ci_low"] <= recorded["net_test_auc"] - recorded["logreg_test_auc"] + 1e-12
    assert recorded["net_test_auc"] - recorded["logreg_test_auc"] <= recorded["auc_diff_ci_high"] + 1e-12
    assert 0.9 <= recorded["net_seed_auc_mean"] <= 1 and 0 <= recorded["net_seed_auc_sd"] < 0.05
    assert 0.5 < recorded["one_feature_test_auc"] <= 1
    widths = [30, *recorded["net_hidden"], 1]
    assert recorded["net_params"] == sum(a * b + b for a, b in zip(widths[:-1], widths[1:]))
    for key in ("net_test_brier", "logreg_test_brier"):
        assert 0 <= recorded[key] < 0.25, f"{key} = {recorded[key]:.3f}: no better than always saying 0.5"
