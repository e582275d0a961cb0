"""A4 Q1 (deep recurrent and recursive networks): the recorded answers, recomputed independently.

Reads build/results/a4_q1_recurrent_recursive.json (written when the notebook runs under nbval) and

- recomputes the digits baselines (logistic regression and the MLP on the flattened pixels) with
  scikit-learn on the same stratified split, and the stacked RNNs' parameter counts by hand;
- regenerates the expression trees with helpers.synthetic.trees from the recorded seed and sizes, and
  recomputes the majority class (by counting) and the bag-of-symbols baseline (digit and operator
  counts taken from the token lists, logistic regression), for the max/min trees and those with +;
- checks that the recursive network beats the bag of symbols and the majority class, that its
  accuracy by depth averages to its overall accuracy, and sanity bounds on every accuracy.
"""
from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier

from helpers.synthetic import trees

NOTEBOOK = "a4_q1_recurrent_recursive"


@pytest.fixture(scope="module")
def digits_split(recorded):
    d = load_digits()
    X, y = d.data / 16.0, d.target
    seed = recorded["seed"]
    X_trval, X_te, y_trval, y_te = train_test_split(X, y, test_size=0.25, stratify=y, random_state=seed)
    X_tr, X_va, y_tr, y_va = train_test_split(X_trval, y_trval, test_size=0.2, stratify=y_trval, random_state=seed)
    return X_tr, y_tr, X_va, y_va, X_te, y_te


def regenerate(seed, ops, recorded):
    g = np.random.default_rng(seed)
    return [trees.make_trees(n, g, min_depth=1, max_depth=recorded["tree_max_depth"], ops=tuple(ops))
            for n in (recorded["n_train_trees"], recorded["n_val_trees"], recorded["n_test_trees"])]


def token_counts(tree_list, ops):
    """Bag of symbols from the prefix token lists (independently of trees.symbol_counts)."""
    rows = []
    for t in tree_list:
        c = Counter(trees.to_prefix(t))
        rows.append([c[str(v)] for v in range(10)] + [c[o] for o in ops])
    return np.array(rows)


def test_digits_split_sizes(recorded, digits_split):
    X_tr, _, X_va, _, X_te, _ = digits_split
    assert (recorded["n_train_digits"], recorded["n_val_digits"], recorded["n_test_digits"]) == (
        len(X_tr), len(X_va), len(X_te))
    assert len(X_tr) + len(X_va) + len(X_te) == 1797


def test_digits_baselines_match_scikit_learn(recorded, digits_split):
    X_tr, y_tr, _, _, X_te, y_te = digits_split
    logreg = LogisticRegression(max_iter=5000).fit(X_tr, y_tr).score(X_te, y_te)
    assert recorded["baseline_test_accuracy"] == pytest.approx(logreg, abs=1e-12)
    mlp = MLPClassifier(hidden_layer_sizes=(64,), max_iter=1000, random_state=recorded["seed"]).fit(X_tr, y_tr)
    assert recorded["mlp_test_accuracy"] == pytest.approx(mlp.score(X_te, y_te), abs=1.5 / len(y_te))


def test_stacked_rnn_grid(recorded):
    grid, params = recorded["rnn_grid_test_accuracy"], recorded["rnn_grid_params"]
    assert recorded["single_layer_test_accuracy"] == pytest.approx(grid["L=1,H=32"])
    assert recorded["stacked_rnn_test_accuracy"] == pytest.approx(grid["L=2,H=32"])
    assert recorded["three_layer_test_accuracy"] == pytest.approx(grid["L=3,H=32"])
    for key, n in params.items():
        L, H = (int(part.split("=")[1]) for part in key.split(","))
        by_hand = (8 * H + H * H + H) + (L - 1) * (2 * H * H + H) + (10 * H + 10)
        assert n == by_hand, key
    for key, a in grid.items():
        assert 0.7 < a <= 1.0, key
    # a recurrent network reading rows is a sensible digit classifier, and two layers of 32 units
    # are not worse than one by more than noise
    assert recorded["stacked_rnn_test_accuracy"] > 0.93
    assert recorded["stacked_rnn_test_accuracy"] >= recorded["single_layer_test_accuracy"] - 0.02


@pytest.fixture(scope="module")
def maxmin_trees(recorded):
    return regenerate(recorded["tree_seed"], recorded["tree_ops"], recorded)


def test_majority_class_by_counting(recorded, maxmin_trees):
    train, _, test = maxmin_trees
    counts = Counter(trees.evaluate(t) for t in train)
    top = max(sorted(counts), key=lambda v: counts[v])
    assert recorded["majority_class"] == top
    acc = sum(trees.evaluate(t) == top for t in test) / len(test)
    assert recorded["majority_test_accuracy"] == pytest.approx(acc, abs=1e-12)


def test_bag_of_symbols_baseline(recorded, maxmin_trees):
    train, _, test = maxmin_trees
    ops = recorded["tree_ops"]
    y_tr = [trees.evaluate(t) for t in train]
    y_te = [trees.evaluate(t) for t in test]
    model = LogisticRegression(max_iter=5000).fit(token_counts(train, ops), y_tr)
    assert recorded["bag_of_symbols_test_accuracy"] == pytest.approx(model.score(token_counts(test, ops), y_te),
                                                                     abs=1e-12)


def test_bag_of_symbols_baseline_with_plus(recorded):
    train, _, test = regenerate(recorded["plus_tree_seed"], recorded["plus_tree_ops"], recorded)
    ops = recorded["plus_tree_ops"]
    model = LogisticRegression(max_iter=5000).fit(token_counts(train, ops), [trees.evaluate(t) for t in train])
    acc = model.score(token_counts(test, ops), [trees.evaluate(t) for t in test])
    assert recorded["plus_bag_of_symbols_test_accuracy"] == pytest.approx(acc, abs=1e-12)


def test_recursive_network_beats_structure_blind_baselines(recorded):
    rec = recorded["recursive_test_accuracy"]
    assert rec > recorded["bag_of_symbols_test_accuracy"] + 0.1, "the recursive network should use the tree"
    assert rec > recorded["majority_test_accuracy"] + 0.5
    assert rec > recorded["lstm_sequence_test_accuracy"]
    assert 0.85 < rec <= 1.0
    assert recorded["recursive_root_only_test_accuracy"] > recorded["bag_of_symbols_test_accuracy"]
    assert recorded["plus_recursive_test_accuracy"] > recorded["plus_bag_of_symbols_test_accuracy"]
    assert 0.05 < recorded["majority_test_accuracy"] < 0.2           # ten roughly balanced values


def test_accuracy_by_depth_is_consistent(recorded, maxmin_trees):
    _, _, test = maxmin_trees
    depth = np.array([trees.depth(t) for t in test])
    n_per_depth = np.array([np.sum(depth == k) for k in range(1, recorded["tree_max_depth"] + 1)])
    for key, overall in (("recursive_accuracy_by_depth", "recursive_test_accuracy"),
                         ("bag_of_symbols_accuracy_by_depth", "bag_of_symbols_test_accuracy"),
                         ("lstm_accuracy_by_depth", "lstm_sequence_test_accuracy")):
        by_depth = np.array(recorded[key])
        assert len(by_depth) == len(n_per_depth)
        assert np.sum(by_depth * n_per_depth) / len(test) == pytest.approx(recorded[overall], abs=1e-9), key
    # depth-1 trees are a single operator on two digits: the recursive network gets them all right
    assert recorded["recursive_accuracy_by_depth"][0] > 0.98


def test_gradient_checks(recorded):
    assert recorded["grad_check_passed"] is True
    assert recorded["grad_check_max_rel_error"] < 1e-6
    assert recorded["grad_check_log10"] == int(np.floor(np.log10(recorded["grad_check_max_rel_error"])))
    assert recorded["batched_vs_recursive_passed"] is True
