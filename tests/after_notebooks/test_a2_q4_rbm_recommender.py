"""A2 Q4 (RBM recommender): the recorded hit-rates against independent recomputations.

The notebook's data, customer split and held-out items are regenerated with helpers.synthetic.recsys and the
same seed and settings; the popularity baseline is recomputed with a plain loop and must match the
recorded value exactly; scikit-learn's BernoulliRBM is refitted with the recorded settings and
scored with a plain loop; the other numbers get sanity bounds.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

from helpers.synthetic.recsys import leave_k_out, make_interactions, split_customers, to_visible

NOTEBOOK = "a2_q4_rbm_recommender"
# must match the notebook's setup and data cells
SEED = 7
DATA = dict(n_customers=3000, n_items=300, n_tastes=6, n_categories=12, categories_per_taste=2,
            taste_concentration=0.3, zipf_exponent=0.8, mean_views=40.0)
VALIDATION_FRACTION = 0.2
EPOCHS, BATCH_SIZE, TOP = 30, 50, 10


@pytest.fixture(scope="module")
def setup():
    rng = np.random.default_rng(SEED)
    data = make_interactions(rng, **DATA)
    V = to_visible(data)
    train_idx, _ = split_customers(data.n_customers, VALIDATION_FRACTION, rng)
    split = leave_k_out(V, 1, rng)
    X_train = split.observed[train_idx]
    evaluated = split.evaluated[train_idx]
    held = split.held_out[train_idx]
    test = [(X_train[r], int(held[r, 0])) for r in range(len(train_idx)) if evaluated[r]]
    return V, X_train, test


def naive_hit_rate(score_of, test) -> float:
    """For each test customer: rank unseen items by (-score, index), check the hidden item in the top 10."""
    hits = 0
    for row, (observed, hidden) in enumerate(test):
        scores = score_of(row, observed)
        unseen = [i for i in range(len(observed)) if observed[i] == 0]
        ranked = sorted(unseen, key=lambda i: (-scores[i], i))[:TOP]
        hits += hidden in ranked
    return hits / len(test)


def test_data_settings_match_the_notebook(recorded, setup):
    V, _, test = setup
    assert recorded["n_test_customers"] == len(test), "the notebook's data or split settings changed; update this test"
    assert recorded["density"] == pytest.approx(float(V.mean()), abs=1e-12)


def test_popularity_hit_rate_recomputed_with_a_loop(recorded, setup):
    _, X_train, test = setup
    counts = [sum(int(X_train[u, i]) for u in range(X_train.shape[0])) for i in range(X_train.shape[1])]
    assert naive_hit_rate(lambda row, observed: counts, test) == recorded["hit_rate_at_10_popularity"]


def test_bernoulli_rbm_refitted_and_scored_with_a_loop(recorded, setup):
    from sklearn.neural_network import BernoulliRBM

    _, X_train, test = setup
    rbm = BernoulliRBM(n_components=recorded["n_hidden"], learning_rate=recorded["bernoulli_rbm_learning_rate"],
                       batch_size=BATCH_SIZE, n_iter=EPOCHS, random_state=SEED).fit(X_train.astype(float))
    W, b, c = rbm.components_, rbm.intercept_visible_, rbm.intercept_hidden_   # W: (hidden, items)

    def sigmoid(x):
        return 1.0 / (1.0 + np.exp(-x))

    def scores(row, observed):
        h = sigmoid(c + W @ observed.astype(float))       # p(h | v), one up...
        return sigmoid(b + W.T @ h)                        # ... and down: p(v | h)

    hr = naive_hit_rate(scores, test)
    # float rounding may swap two near-equal scores: allow one customer's difference
    assert abs(hr - recorded["hit_rate_at_10_bernoulli_rbm"]) <= 1.0 / len(test) + 1e-12


def test_random_baseline_near_its_expectation(recorded, setup):
    _, _, test = setup
    expected = np.mean([TOP / (len(obs) - obs.sum()) for obs, _ in test])
    se = math.sqrt(expected * (1 - expected) / len(test))
    assert abs(recorded["hit_rate_at_10_random"] - expected) < 4 * se


def test_sanity_bounds(recorded):
    r = recorded
    for key in ("hit_rate_at_10_rbm_cd", "hit_rate_at_10_rbm_pcd", "hit_rate_at_10_bernoulli_rbm",
                "hit_rate_at_10_popularity", "hit_rate_at_10_random"):
        assert 0.0 <= r[key] <= 1.0, key
    # every trained model is far better than random
    for key in ("hit_rate_at_10_rbm_cd", "hit_rate_at_10_rbm_pcd", "hit_rate_at_10_bernoulli_rbm"):
        assert r[key] > r["hit_rate_at_10_random"] + 0.2, key
    # our RBMs start from the popularity model (visible biases = log-odds): much worse means a bug
    for key in ("hit_rate_at_10_rbm_cd", "hit_rate_at_10_rbm_pcd"):
        assert r[key] > r["hit_rate_at_10_popularity"] - 0.05, key
    assert r["n_hidden"] in (8, 16, 32, 64, 128)
    assert r["learning_rate"] in (0.02, 0.05, 0.1)
