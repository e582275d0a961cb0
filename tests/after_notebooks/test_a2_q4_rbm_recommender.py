"""A2 Q4 (RBM recommender): every claim of the Answer, and the recorded numbers against independent computations.

The shop, the customer split and the hidden items are regenerated from the recorded seed and generator
settings; the popularity baseline is ranked and scored with plain loops; item-kNN is recomputed with
scikit-learn's cosine similarity and the truncated SVD with scikit-learn's TruncatedSVD; one seed of
scikit-learn's BernoulliRBM is refitted from the recorded settings and scored with its own up-down pass.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn.decomposition import TruncatedSVD
from sklearn.metrics.pairwise import cosine_similarity
from sklearn.neural_network import BernoulliRBM

from helpers import stats
from helpers.seeds import experiment_seed, seed_sequences
from helpers.synthetic.recsys import leave_k_out, make_interactions, split_customers, to_visible

NOTEBOOK = "a2_q4_rbm_recommender"
TOP = 10


@pytest.fixture(scope="module")
def shop(recorded):
    rng = np.random.default_rng(experiment_seed(recorded["seed"], 1))
    data = make_interactions(rng, **recorded["data_settings"])
    V = to_visible(data)
    train_idx, rest = split_customers(data.n_customers, 0.4, rng)
    valid, test = split_customers(len(rest), 0.5, rng)
    parts = {}
    for part, idx in (("valid", rest[valid]), ("test", rest[test])):
        hold = leave_k_out(V[idx], 2, rng)
        rows = np.flatnonzero(hold.evaluated)
        parts[part] = (hold.observed[rows].astype(float), hold.held_out[rows])
    return V[train_idx].astype(float), parts


def loop_metrics(score_rows, observed, held):
    """HR, P and NDCG at 10 with plain Python: sort unseen items by (-score, index), count the hidden ones."""
    hr = prec = ndcg = 0.0
    for scores, obs, hidden in zip(score_rows, observed, held):
        ranked = sorted((i for i in range(len(obs)) if obs[i] == 0), key=lambda i: (-scores[i], i))[:TOP]
        gains = [1.0 / math.log2(r + 2) for r, item in enumerate(ranked) if item in set(hidden.tolist())]
        ideal = sum(1.0 / math.log2(r + 2) for r in range(min(len(hidden), TOP)))
        hr += bool(gains)
        prec += len(gains) / TOP
        ndcg += sum(gains) / ideal
    n = len(observed)
    return {"HR@10": hr / n, "P@10": prec / n, "NDCG@10": ndcg / n}


def test_split_sizes(recorded, shop):
    X_train, parts = shop
    assert (len(X_train), len(parts["valid"][1]), len(parts["test"][1])) == (
        recorded["n_train"], recorded["n_valid"], recorded["n_test"])


def test_popularity_scored_with_plain_loops(recorded, shop):
    X_train, parts = shop
    counts = X_train.sum(axis=0)
    observed, held = parts["test"]
    got = loop_metrics([counts] * len(observed), observed, held)
    for metric, value in got.items():
        assert value == pytest.approx(recorded["test_popularity"][metric], abs=1e-12), metric


def test_item_knn_recomputed_with_scikit_learn(recorded, shop):
    X_train, parts = shop
    S = cosine_similarity(X_train.T)
    np.fill_diagonal(S, 0.0)
    K = recorded["knn_neighbours"]
    for j in range(S.shape[1]):                      # keep each item's K most similar items (ties: lower index)
        keep = sorted(range(S.shape[0]), key=lambda i: (-S[i, j], i))[:K]
        mask = np.zeros(S.shape[0], bool)
        mask[keep] = True
        S[~mask, j] = 0.0
    observed, held = parts["test"]
    got = loop_metrics(observed @ S, observed, held)
    # float rounding may swap two equal-looking similarities: one customer's worth of slack
    assert got["NDCG@10"] == pytest.approx(recorded["test_itemknn"]["NDCG@10"], abs=1.5 / len(observed))


def test_truncated_svd_recomputed_with_scikit_learn(recorded, shop):
    X_train, parts = shop
    svd = TruncatedSVD(n_components=recorded["svd_rank"], algorithm="arpack", random_state=0).fit(X_train)
    observed, held = parts["test"]
    got = loop_metrics(observed @ svd.components_.T @ svd.components_, observed, held)
    assert got["NDCG@10"] == pytest.approx(recorded["test_truncated_svd"]["NDCG@10"], abs=1.5 / len(observed))


def test_bernoulli_rbm_seed_refitted(recorded, shop):
    X_train, parts = shop
    grid = recorded["lr_grid_bernoullirbm"]
    lr = grid["lr"][int(np.argmax(grid["ndcg"]))]    # the rate the notebook chose on validation
    rng = np.random.default_rng(seed_sequences(experiment_seed(recorded["seed"], 4), 5)[0])
    rbm = BernoulliRBM(n_components=recorded["n_hidden"], learning_rate=lr, batch_size=50, n_iter=30,
                       random_state=int(rng.integers(2**31 - 1))).fit(X_train)
    observed, held = parts["test"]
    hidden = 1 / (1 + np.exp(-(observed @ rbm.components_.T + rbm.intercept_hidden_)))
    scores = 1 / (1 + np.exp(-(hidden @ rbm.components_ + rbm.intercept_visible_)))
    got = loop_metrics(scores, observed, held)
    assert got["NDCG@10"] == pytest.approx(recorded["bernoulli_rbm_seed_ndcg"][0], abs=1.5 / len(observed))


def test_choices_follow_the_recorded_validation_scores(recorded):
    grid = recorded["hidden_grid"]
    assert recorded["n_hidden"] in grid["hidden"]
    # the one-SE rule keeps a size within about one standard error (0.015 here) of the best, never the worst
    assert grid["ndcg"][grid["hidden"].index(recorded["n_hidden"])] >= max(grid["ndcg"]) - 0.03
    assert recorded["taste_units"] == 5 * recorded["n_hidden"]


# ----------------------------------------------------------------------------- the Answer, claim by claim
def low(d):
    """Lower end of a recorded paired difference's 95 % interval (mean - t se)."""
    return d["mean"] - d["t"] * d["se"]


def high(d):
    return d["mean"] + d["t"] * d["se"]


def test_answer_quotes_the_stored_numbers(stored, answer):
    answer = " ".join(answer.split())                # line breaks of the Markdown do not split a number
    cd1 = stored["test_cd1"]
    for metric in ("NDCG@10", "HR@10", "P@10"):
        assert stats.format_pm(*cd1[metric]) in answer, metric
    for key in ("diff_cd3", "diff_pcd1", "diff_bernoullirbm", "diff_itemknn", "diff_truncated_svd", "diff_popularity"):
        assert stats.format_pm(stored[key]["mean"], stored[key]["se"], signed=True) in answer, key
    for setting in ("overfit", "main"):
        d = stored[f"overfit_{setting}"]
        assert stats.format_pm(d["mean"], d["se"], signed=True) in answer, setting
    assert f"{stored['taste_passing']} of {stored['taste_units']} hidden units" in answer
    assert f"{stored['n_test']} new test customers" in answer
    assert f"{stored['n_hidden']} binary hidden units" in answer
    assert f"about {round(0.05 * stored['taste_units'])} would pass" in answer
    shop = stored["data_settings"]
    assert f"({shop['n_customers']:,} customers, {shop['n_items']} items" in answer
    assert ["one", "two", "three", "four", "five", "six", "seven", "eight"][shop["n_tastes"] - 1] + " hidden tastes" in answer


def test_cd3_ties_with_cd1_pcd1_is_no_better_and_bernoulli_rbm_is_lower(recorded):
    assert low(recorded["diff_cd3"]) <= 0 <= high(recorded["diff_cd3"]), "the Answer says CD-3 ties with CD-1"
    pcd = recorded["diff_pcd1"]
    assert pcd["mean"] < 0 and high(pcd) < 0.005, "the Answer says PCD-1 is no better than CD-1"
    assert high(recorded["diff_bernoullirbm"]) < 0, "the Answer says BernoulliRBM is below CD-1"


def test_the_rbm_beats_every_baseline(recorded):
    for key in ("diff_itemknn", "diff_truncated_svd", "diff_popularity"):
        assert high(recorded[key]) < 0, f"the Answer says CD-1 beats {key[5:]}"


def test_overfitting_shows_in_the_overfit_setting_only(recorded):
    assert high(recorded["overfit_overfit"]) < 0, "the Answer says the validation hit-rate falls"
    main = recorded["overfit_main"]
    assert low(main) <= 0 <= high(main), "the Answer says the main setting does not move"


def test_hidden_units_learn_tastes_well_beyond_chance(recorded):
    chance = 0.05 * recorded["taste_units"]
    assert recorded["taste_passing"] >= 5 * chance, "the Answer says far more units pass than chance allows"
    assert recorded["taste_purity"]["median"] > recorded["taste_purity"]["chance_median"]
