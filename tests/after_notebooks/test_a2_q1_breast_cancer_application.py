"""A2 Q1 (breast-cancer application): the Answer's claims and the recorded answers against independent computations.

Reads build/results/a2_q1_breast_cancer_application.json (written when the notebook runs under `make test`).
The fold design of every repeat is drawn again here from the recorded seed (the notebook's stream recipe:
experiment 0, one SeedSequence child per repeat, its first spawned child for the splits), logistic
regression is refitted with scikit-learn in every fold with C chosen by validation log-loss, its
thresholds are re-chosen on the calibration parts with a plain loop, and its recorded AUCs and operating
points are compared with these. Wilson intervals are recomputed with scipy. Every number the Answer
quotes is compared with the stored results at the printed precision, and every claim's logic with this
run's recorded results.
"""
from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import binomtest
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss, roc_auc_score
from sklearn.model_selection import StratifiedKFold
from sklearn.preprocessing import StandardScaler

from helpers import stats
from helpers.data import train_val_test_split
from helpers.seeds import experiment_seed, seed_sequences

NOTEBOOK = "a2_q1_breast_cancer_application"


def pm(entry: dict) -> str:
    return stats.format_pm(entry["mean"], entry["se"], signed=True)


def ci(entry: dict) -> str:
    return stats.format_interval(entry["low"], entry["high"], entry["se"], signed=True)


def plain_threshold(y, p, ratio):
    """Cheapest of t = 0.001 ... 0.999 for 'malignant if p >= t'; ties: nearest 1/(1 + ratio). A Python loop."""
    best = None
    for k in range(1, 1000):
        t = k / 1000
        cost = sum(ratio for yi, pi in zip(y, p) if yi == 1 and pi < t) + sum(1 for yi, pi in zip(y, p)
                                                                              if yi == 0 and pi >= t)
        key = (cost, abs(t - 1 / (1 + ratio)))
        if best is None or key < best[0]:
            best = (key, t)
    return best[1]


@pytest.fixture(scope="module")
def logistic_repeats(recorded):
    """Per repeat: the test probability of every case and the decision at the calibration threshold."""
    bunch = load_breast_cancer()
    X, y = bunch.data, (bunch.target == 0).astype(int)
    _, val_size, cal_size = recorded["inner_split"]
    n_folds = recorded["n_folds"]
    roots = seed_sequences(experiment_seed(recorded["seed"], 0), recorded["n_repeats"])
    out, chosen_C = [], []
    for root in roots:
        split_rng = np.random.default_rng(root).spawn(1 + n_folds)[0]
        outer = StratifiedKFold(n_folds, shuffle=True, random_state=int(split_rng.integers(2**31)))
        inner_seeds = split_rng.integers(2**31, size=n_folds)
        prob, refer = np.zeros(len(y)), np.zeros(len(y), bool)
        for (rest, test), inner_seed in zip(outer.split(X, y), inner_seeds):
            train, val, cal, *_ = train_val_test_split(rest, y[rest], val_size=val_size, test_size=cal_size,
                                                       seed=int(inner_seed), stratify=True)
            scaler = StandardScaler().fit(X[train])
            fits = [LogisticRegression(C=C, max_iter=5000).fit(scaler.transform(X[train]), y[train])
                    for C in recorded["C_grid"]]
            best = min(fits, key=lambda f: log_loss(y[val], f.predict_proba(scaler.transform(X[val]))[:, 1]))
            chosen_C.append(best.C)
            t = plain_threshold(y[cal], best.predict_proba(scaler.transform(X[cal]))[:, 1], recorded["cost_ratio"])
            prob[test] = best.predict_proba(scaler.transform(X[test]))[:, 1]
            refer[test] = prob[test] >= t
        out.append((prob, refer))
    return y, out, chosen_C


def test_every_case_is_tested_once_per_repeat_and_the_settings_are_recorded(recorded):
    assert recorded["n_repeats"] >= 5, "the evidence standard asks for at least five seeds"
    assert recorded["same_design_for_every_lr"] is True
    assert sum(recorded["lr_chosen_counts"]) == recorded["n_repeats"] * recorded["n_folds"]
    assert recorded["bayes_threshold"] == pytest.approx(1 / (1 + recorded["cost_ratio"]), abs=1e-15)
    assert recorded["majority_cost"] == pytest.approx(recorded["cost_ratio"] * 212 / 569, abs=1e-12)
    assert recorded["auc_crosscheck_passed"] is True


def test_logistic_regression_matches_an_independent_refit_in_every_fold(recorded, logistic_repeats):
    y, repeats, chosen_C = logistic_repeats
    assert [chosen_C.count(C) for C in recorded["C_grid"]] == recorded["C_chosen_counts"]
    aucs = [roc_auc_score(y, prob) for prob, _ in repeats]
    np.testing.assert_allclose(recorded["logreg_auc_per_repeat"], aucs, atol=1e-6)
    sens = [np.sum(refer & (y == 1)) / np.sum(y == 1) for _, refer in repeats]
    spec = [np.sum(~refer & (y == 0)) / np.sum(y == 0) for _, refer in repeats]
    cost = [(recorded["cost_ratio"] * np.sum(~refer & (y == 1)) + np.sum(refer & (y == 0))) / len(y)
            for _, refer in repeats]
    assert recorded["logreg_sens_mean"] == pytest.approx(np.mean(sens), abs=2e-3)
    assert recorded["logreg_spec_mean"] == pytest.approx(np.mean(spec), abs=2e-3)
    assert recorded["logreg_cost_mean"] == pytest.approx(np.mean(cost), abs=4e-3)
    counts = recorded["logreg_counts_repeat1"]
    refer = repeats[0][1]
    assert counts == {"tp": int(np.sum(refer & (y == 1))), "fn": int(np.sum(~refer & (y == 1))),
                      "fp": int(np.sum(refer & (y == 0))), "tn": int(np.sum(~refer & (y == 0)))}


@pytest.mark.parametrize("model", ["net", "logreg"])
def test_wilson_intervals_and_counts_agree(recorded, model):
    counts = recorded[f"{model}_counts_repeat1"]
    assert counts["tp"] + counts["fn"] == 212 and counts["tn"] + counts["fp"] == 357
    ref = binomtest(counts["tp"], 212).proportion_ci(method="wilson")
    assert recorded[f"{model}_sens_wilson_repeat1"] == pytest.approx([ref.low, ref.high], abs=1e-9)


def test_the_answer_quotes_the_stored_results(stored, answer):
    for model in ("net", "logreg"):
        for key in ("auc", "sens", "spec", "cost"):
            assert stats.format_pm(stored[f"{model}_{key}_mean"], stored[f"{model}_{key}_sd"]) in answer, (model, key)
    for key in ("diff_auc", "diff_sens", "diff_spec", "diff_cost", "diff_cost_per_case"):
        assert f"{pm(stored[key])} {ci(stored[key])}" in answer or (pm(stored[key]) in answer
                                                                    and ci(stored[key]) in answer), key
    counts = stored["net_counts_repeat1"]
    low, high = stored["net_sens_wilson_repeat1"]
    assert f"caught {counts['tp']} of {counts['tp'] + counts['fn']} cancers" in answer
    assert f"[{low:.3f}, {high:.3f}]" in answer
    for model in ("net", "logreg"):
        saving = stored[f"{model}_chosen_minus_05"]
        assert stats.format_pm(-saving["mean"], saving["se"]) in answer, model
        assert pm(stored[f"{model}_chosen_minus_Bayes"]) in answer, model
    t = stored["net_threshold"]
    assert f"median {t['median']:.2f}, quartiles {t['q1']:.2f} and {t['q3']:.2f}" in answer.replace("\n", " ")
    assert f"$1/(1+r) = {stored['bayes_threshold']:.2f}$" in answer
    assert f"$r = {stored['cost_ratio']}$" in answer and f"{stored['n_folds']}-fold" in answer


def test_the_network_and_logistic_regression_cannot_be_told_apart_in_auc_or_cost(recorded):
    for key in ("diff_auc", "diff_cost", "diff_cost_per_case"):
        assert recorded[key]["low"] <= 0 <= recorded[key]["high"], (key, recorded[key])


def test_thresholds_from_the_costs_beat_05_but_not_the_bayes_threshold(recorded):
    for model in ("net", "logreg"):
        assert recorded[f"{model}_chosen_minus_05"]["high"] < 0, model
        bayes = recorded[f"{model}_chosen_minus_Bayes"]
        assert bayes["low"] <= 0 <= bayes["high"], model
    t = recorded["net_threshold"]
    assert t["q3"] - t["q1"] > 0.1, "the Answer says the thresholds scattered widely"


def test_probabilities_are_near_calibrated(recorded):
    # "near-calibrated": a Brier score far below that of always saying the prevalence (0.373 * 0.627 = 0.234)
    for model in ("net", "logreg"):
        assert recorded[f"{model}_brier_mean"] < 0.05, model
