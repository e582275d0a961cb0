"""A1 Q3 (backpropagation): every claim of the Answer, and the recorded answers against independent computations.

Independent computations: the tiny network's gradients by the scalar chain rule (plain Python floats),
the saturated sigmoid unit by a scalar loop, the deep network's per-layer gradients by scikit-learn's own
backpropagation (one SGD step from weights regenerated from the recorded seed), and scikit-learn's
accuracy at the chosen learning rate from its own initial weights.
"""
from __future__ import annotations

import math
import re
import warnings

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler

from helpers import nn, stats
from helpers.data import train_val_test_split
from helpers.notebooks import cell_source, read_notebook
from helpers.paths import NOTEBOOK_DIR
from helpers.seeds import experiment_seed, seed_sequences

NOTEBOOK = "a1_q3_backpropagation"


@pytest.fixture(scope="module")
def split(recorded):
    digits = load_digits()
    X_train, X_val, X_test, y_train, y_val, y_test = train_val_test_split(
        digits.data.astype(float), digits.target, val_size=recorded["val_size"],
        test_size=recorded["test_size"], seed=recorded["seed"], stratify=True)
    scaler = StandardScaler().fit(X_train)
    return scaler.transform(X_train), scaler.transform(X_test), y_train, y_test


@pytest.fixture(scope="module")
def prose(answer):
    """The Answer with every run of whitespace (line breaks included) as one space."""
    return " ".join(answer.split())


def sigmoid(z):
    return 1.0 / (1.0 + math.exp(-z))


def test_split_sizes(recorded, split):
    X_train, X_test, _, _ = split
    assert recorded["n_train"] + recorded["n_val"] + recorded["n_test"] == 1797
    assert (recorded["n_train"], recorded["n_test"]) == (len(X_train), len(X_test))


def test_tiny_network_gradients_by_the_scalar_chain_rule(recorded):
    net = recorded["tiny_network"]
    x, y = net["X"][0], net["Y"][0][0]
    W1, b1, W2, b2 = net["W1"], net["b1"], net["W2"], net["b2"]
    a = [sigmoid(x[0] * W1[0][j] + x[1] * W1[1][j] + b1[j]) for j in range(2)]
    y_hat = sigmoid(a[0] * W2[0][0] + a[1] * W2[1][0] + b2[0])
    d_out = (y_hat - y) * y_hat * (1 - y_hat)                       # dL/dz for L = (y_hat - y)^2 / 2
    d_hidden = [d_out * W2[j][0] * a[j] * (1 - a[j]) for j in range(2)]
    got = recorded["tiny_gradients"]
    assert got["db2"] == pytest.approx([d_out], abs=1e-14)
    assert np.ravel(got["dW2"]) == pytest.approx([a[0] * d_out, a[1] * d_out], abs=1e-14)
    assert got["db1"] == pytest.approx(d_hidden, abs=1e-14)
    assert np.ravel(got["dW1"]) == pytest.approx([x[i] * d_hidden[j] for i in range(2) for j in range(2)], abs=1e-14)


def test_saturated_unit_steps_by_a_scalar_loop(recorded, prose):
    setting = recorded["saturation_setting"]
    deltas = {"squared error": lambda p: (p - 1) * p * (1 - p), "cross-entropy": lambda p: p - 1}
    for name, delta in deltas.items():
        w = setting["w0"]
        for step in range(1, setting["steps"] + 1):
            w -= setting["rate"] * delta(sigmoid(w))
            if sigmoid(w) > 0.5:
                break
        assert recorded["steps_to_half"][name] == step, name
    assert f"$\\hat y = {sigmoid(setting['w0']):.4f}$" in prose
    steps = recorded["steps_to_half"]
    assert f"after {steps['cross-entropy']} gradient steps with cross-entropy, {steps['squared error']} with squared error" in prose
    assert steps["cross-entropy"] * 10 < steps["squared error"]


def test_gradient_check_and_its_step(recorded, stored, prose):
    sweep = recorded["eps_sweep_log10_worst"]
    steps = np.linspace(-10, -2, len(sweep))
    assert recorded["grad_check_log10_eps"] == pytest.approx(steps[int(np.argmin(sweep))])
    assert sweep[0] > min(sweep) + 2 and sweep[-1] > min(sweep) + 2, "the sweep must show both error regimes"
    assert 0 < recorded["grad_check_max_rel_error"] < 1e-6
    assert f"below $10^{{-6}}$ in all {recorded['grad_check_arrays']} parameter arrays" in prose
    assert len(recorded["bug_rel_errors"]) == 3 and min(recorded["bug_rel_errors"].values()) > 1e-2
    bugs = stored["bug_rel_errors"].values()
    assert f"three injected bugs give {min(bugs):.2f} to {max(bugs):.2f}" in prose


def test_deep_gradients_match_scikit_learns_backpropagation(recorded, split):
    X_train, _, y_train, _ = split
    setting = recorded["deep_setting"]
    sizes, batch = setting["sizes"], setting["batch"]
    rng = np.random.default_rng(seed_sequences(experiment_seed(recorded["seed"], setting["experiment"]), setting["seeds"])[0])
    W, b = [], []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):       # the notebook's Glorot-uniform draw, in its order
        r = np.sqrt(6.0 / (fan_in + fan_out))
        W.append(rng.uniform(-r, r, (fan_in, fan_out)))
        b.append(rng.uniform(-r, r, fan_out))
    for hidden, sk_name in (("sigmoid", "logistic"), ("tanh", "tanh")):
        clf = MLPClassifier(hidden_layer_sizes=tuple(sizes[1:-1]), activation=sk_name, solver="sgd", alpha=0.0,
                            batch_size=batch, learning_rate_init=1.0, momentum=0.0, shuffle=False, max_iter=1,
                            warm_start=True, random_state=0)
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", category=ConvergenceWarning)
            clf.fit(X_train[:batch], y_train[:batch])
            clf.coefs_, clf.intercepts_ = [w.copy() for w in W], [v.copy() for v in b]
            clf.fit(X_train[:batch], y_train[:batch])            # one full-batch step with rate 1: W_new = W - grad
        log_norms = [np.log10(np.linalg.norm(w - w_new)) for w, w_new in zip(W, clf.coefs_)]
        assert recorded["deep_log10_norms_seed0"][hidden] == pytest.approx(log_norms, abs=1e-6), hidden


def test_vanishing_gradient_claims(recorded, stored, prose):
    for hidden, name in (("sigmoid", "the sigmoid"), ("tanh", "tanh")):
        text = stats.format_pm(stored[f"shrink_per_layer_{hidden}"], stored[f"shrink_per_layer_{hidden}_sd"])
        assert f"{text} with {name}" in prose
    assert "a network with ten hidden layers" in prose and len(recorded["deep_setting"]["sizes"]) - 2 == 10
    assert "mean ± sd over 5 seeds" in prose and recorded["deep_setting"]["seeds"] == 5
    # "shrinks ... with the sigmoid" and hardly with tanh: far apart on this run too
    assert recorded["shrink_per_layer_sigmoid"] - 2 * recorded["shrink_per_layer_sigmoid_sd"] > 3
    assert abs(recorded["shrink_per_layer_tanh"] - 1) < 0.2
    norms = recorded["deep_log10_norms_seed0"]["sigmoid"]
    assert all(lower < upper for lower, upper in zip(norms[:-1], norms[1:])), "sigmoid: norms must grow towards the output"


def test_same_start_same_batches_as_scikit_learn(recorded, prose):
    assert recorded["same_start_max_weight_gap"] < 1e-14
    assert recorded["same_start_same_predictions"] is True
    assert f"{recorded['epochs']} epochs end with the same weights (difference below $10^{{-14}}$)" in prose


def test_learning_rate_choice_and_the_tie(recorded, stored, prose):
    rates = recorded["learning_rates"]
    for impl in ("numpy", "sklearn"):
        losses = recorded[f"val_loss_by_rate_{impl}"]
        assert recorded[f"chosen_rate_{impl}"] == rates[int(np.argmin(losses))]
        assert 0 < int(np.argmin(losses)) < len(rates) - 1, "the grid must bracket the chosen rate"
    assert recorded["chosen_rate_numpy"] == recorded["chosen_rate_sklearn"] == 1.0
    assert "validation-chosen learning rate 1," in prose
    for impl, name in (("numpy", "numpy"), ("sklearn", "scikit-learn")):
        assert f"{stats.format_pm(stored[f'test_acc_{impl}'], stored[f'test_acc_{impl}_sd'])} ({name})" in prose
    assert f"paired difference {stats.format_pm(stored['acc_diff']['mean'], stored['acc_diff']['se'])} (± se)" in prose
    assert "a tie" in prose and recorded["acc_diff"]["low"] <= 0 <= recorded["acc_diff"]["high"]


def test_scikit_learn_accuracy_from_its_own_initial_weights(recorded, split):
    X_train, X_test, y_train, y_test = split
    scores = []
    for random_state in range(3):
        clf = MLPClassifier(hidden_layer_sizes=(recorded["hidden_units"],), activation="tanh", solver="sgd", alpha=0.0,
                            batch_size=recorded["batch_size"], learning_rate="constant",
                            learning_rate_init=recorded["chosen_rate_sklearn"], momentum=0.0, nesterovs_momentum=False,
                            max_iter=recorded["epochs"], n_iter_no_change=recorded["epochs"], random_state=random_state)
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", category=ConvergenceWarning)   # fixed epoch budget, as in the notebook
            scores.append(clf.fit(X_train, y_train).score(X_test, y_test))
    spread = 3 * max(recorded["test_acc_sklearn_sd"], recorded["test_acc_numpy_sd"]) + 1 / len(y_test)
    for impl in ("numpy", "sklearn"):
        assert abs(np.mean(scores) - recorded[f"test_acc_{impl}"]) < spread, (impl, scores)


def test_the_gradient_check_uses_the_workbooks_one_relative_error():
    """One definition of the relative error (helpers.nn.relative_error, max-norm): the notebook defines no other."""
    code = "\n".join(cell_source(c) for c in read_notebook(NOTEBOOK_DIR / f"{NOTEBOOK}.ipynb")["cells"]
                     if c["cell_type"] == "code")
    assert "nn.relative_error(" in code and "nn.numerical_gradient(" in code
    assert not re.search(r"def\s+\w*rel\w*err", code), "use helpers.nn.relative_error, do not define another"
    a, n = np.array([1.0, -2.0, 0.0]), np.array([1.0, -2.2, 0.0])
    assert nn.relative_error(a, n) == pytest.approx(0.2 / 4.2)   # max|a - n| / max(|a| + |n|), as the notebook states


def test_what_the_gradient_check_covered(recorded, prose):
    setting = recorded["grad_check_setting"]
    assert set(setting["activations"]) == {"tanh", "sigmoid", "relu"} and len(setting["outputs"]) == 2
    assert [len(sizes) - 2 for sizes in setting["sizes"]] == [1, 3]           # one and three hidden layers
    per_combination = sum(2 * (len(sizes) - 1) for sizes in setting["sizes"])  # a W and a b per layer
    assert recorded["grad_check_arrays"] == 3 * 2 * per_combination + setting["tiny_arrays"]
    assert "(three activations, both losses, one and three hidden layers, the hand-computed network)" in prose


def test_backward_costs_at_most_two_forward_passes(recorded, prose):
    ratios = {key: value for key, value in recorded.items() if key.startswith("mac_ratio_")}
    assert len(ratios) == 2
    for key, ratio in ratios.items():
        sizes = [int(v) for v in key.removeprefix("mac_ratio_").split("_")]
        layer = [a * c for a, c in zip(sizes[:-1], sizes[1:])]          # multiply-adds per example and layer
        assert ratio == pytest.approx((sum(layer) + sum(layer[1:])) / sum(layer)) and 1 < ratio < 2
    assert "The backward pass costs at most two forward passes." in prose
