"""A1 Q3 (backpropagation): the recorded answers against an independent scikit-learn run.

Reads build/results/a1_q3_backpropagation.json (written when the notebook runs under `make test`)
and retrains scikit-learn's MLPClassifier on the same digits split with the recorded settings.
"""
from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler

from helpers.data import train_val_test_split

NOTEBOOK = "a1_q3_backpropagation"
SK_ACTIVATION = {"tanh": "tanh", "sigmoid": "logistic", "relu": "relu"}


@pytest.fixture(scope="module")
def split(recorded):
    digits = load_digits()
    X_train, X_val, X_test, y_train, y_val, y_test = train_val_test_split(
        digits.data.astype(float), digits.target, val_size=recorded["val_size"],
        test_size=recorded["test_size"], seed=recorded["seed"], stratify=True)
    scaler = StandardScaler().fit(X_train)
    return scaler.transform(X_train), scaler.transform(X_test), y_train, y_test


def test_sizes_and_settings_are_consistent(recorded, split):
    X_train, X_test, _, _ = split
    assert recorded["n_train"] + recorded["n_val"] + recorded["n_test"] == 1797
    assert recorded["n_train"] == len(X_train) and recorded["n_test"] == len(X_test)
    assert recorded["input_dim"] == 64 and recorded["n_classes"] == 10
    assert recorded["activation"] in SK_ACTIVATION
    assert recorded["hidden_units"] >= 1 and recorded["batch_size"] >= 1 and recorded["epochs"] >= 1
    assert 0 < recorded["learning_rate"] < 1


def test_sklearn_accuracy_matches_an_independent_run(recorded, split):
    X_train, X_test, y_train, y_test = split
    clf = MLPClassifier(hidden_layer_sizes=(recorded["hidden_units"],),
                        activation=SK_ACTIVATION[recorded["activation"]], solver="sgd", alpha=0.0,
                        batch_size=recorded["batch_size"], learning_rate="constant",
                        learning_rate_init=recorded["learning_rate"], momentum=0.0, nesterovs_momentum=False,
                        max_iter=recorded["epochs"], shuffle=True, early_stopping=False,
                        n_iter_no_change=recorded["epochs"], random_state=recorded["seed"])
    with warnings.catch_warnings():
        # fixed epoch budget, as in the notebook: scikit-learn warns that max_iter was reached
        warnings.filterwarnings("ignore", category=ConvergenceWarning)
        clf.fit(X_train, y_train)
    accuracy = clf.score(X_test, y_test)
    # identical on the same machine; allow one test image for another BLAS's rounding
    assert abs(accuracy - recorded["test_accuracy_sklearn"]) <= 1 / len(y_test) + 1e-12, (
        f"independent MLPClassifier: {accuracy:.4f}, recorded: {recorded['test_accuracy_sklearn']:.4f}")


def test_gradient_check_passed(recorded):
    err = recorded["grad_check_max_rel_error"]
    assert isinstance(err, float) and np.isfinite(err)
    assert 0 < err < 1e-6, f"largest relative gradient error {err:.2e} is not below 1e-6"
    assert recorded["grad_check_passed"] is True
    # a backward pass that matches central differences must also match scikit-learn's own step
    assert recorded["sklearn_one_step_max_abs_diff"] < 1e-12


def test_numpy_network_agrees_with_sklearn(recorded):
    acc_np, acc_sk = recorded["test_accuracy_numpy"], recorded["test_accuracy_sklearn"]
    assert acc_np > 0.9 and acc_sk > 0.9, f"accuracies too low: numpy {acc_np:.4f}, scikit-learn {acc_sk:.4f}"
    assert abs(acc_np - acc_sk) <= 0.02, f"numpy {acc_np:.4f} vs scikit-learn {acc_sk:.4f}: more than 2 points apart"
    assert abs(recorded["test_accuracy_numpy_seed_mean"] - recorded["test_accuracy_sklearn_seed_mean"]) <= 0.02
    assert recorded["final_train_loss_numpy"] < recorded["final_val_loss_numpy"] < 0.5
