"""A3 Q1 (CNN architectures): the recorded table against independent counts and a scikit-learn rerun.

Reads build/results/a3_q1_cnn_architectures.json (written when the notebook runs under `make test`).
The parameter counts, some MACs and receptive fields are recomputed here by hand from the layer
shapes described in the notebook (conv: F (C kh kw + 1), dense: n_out (n_in + 1), BatchNorm: 2 C),
without building any network; the RBF SVM reference is refitted on the same split.
"""
from __future__ import annotations

import json

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.svm import SVC

from helpers.data import train_val_test_split
from helpers.paths import build_dir

NOTEBOOK = "a3_q1_cnn_architectures"
ARCHS = ["lenet", "alexnet", "vgg", "stacked", "dilated", "inception", "resnet"]


def conv(c_in: int, c_out: int, k: int, bias: bool = True) -> int:
    return c_out * (c_in * k * k + (1 if bias else 0))


def dense(n_in: int, n_out: int) -> int:
    return n_out * (n_in + 1)


def bn(c: int) -> int:
    return 2 * c


def inception_module(c_in, n1, n3, n5, n_pool) -> int:
    return (conv(c_in, n1, 1) + conv(c_in, n3[0], 1) + conv(n3[0], n3[1], 3)
            + conv(c_in, n5[0], 1) + conv(n5[0], n5[1], 5) + conv(c_in, n_pool, 1))


def residual_block(c_in, c_out, projection) -> int:
    body = conv(c_in, c_out, 3, bias=False) + bn(c_out) + conv(c_out, c_out, 3, bias=False) + bn(c_out)
    return body + (conv(c_in, c_out, 1, bias=False) + bn(c_out) if projection else 0)


# 8x8 inputs, one channel; the layer shapes of the notebook's Implementation section
EXPECTED_PARAMS = {
    # conv 5x5 (6) -> avg-pool -> conv 3x3 (16) -> avg-pool -> dense 16*2*2 -> 32 -> 10
    "lenet": conv(1, 6, 5) + conv(6, 16, 3) + dense(16 * 2 * 2, 32) + dense(32, 10),
    # conv 5x5/2 (24) -> conv 3x3 (32) -> conv 3x3 (24) -> pool -> dense 96 -> 128 -> 128 -> 10
    "alexnet": conv(1, 24, 5) + conv(24, 32, 3) + conv(32, 24, 3) + dense(24 * 2 * 2, 128)
               + dense(128, 128) + dense(128, 10),
    # three blocks of two 3x3 convs (8, 16, 32 channels), 1x1x32 map -> dense 64 -> 10
    "vgg": conv(1, 8, 3) + conv(8, 8, 3) + conv(8, 16, 3) + conv(16, 16, 3) + conv(16, 32, 3)
           + conv(32, 32, 3) + dense(32, 64) + dense(64, 10),
    # three 3x3 convs of 12 channels, global average, dense 12 -> 10 (dilation adds no weights)
    "stacked": conv(1, 12, 3) + 2 * conv(12, 12, 3) + dense(12, 10),
    "dilated": conv(1, 12, 3) + 2 * conv(12, 12, 3) + dense(12, 10),
    # stem 3x3 (8), modules 8 -> 20 and 20 -> 32 channels, global average, dense 32 -> 10
    "inception": conv(1, 8, 3) + inception_module(8, 4, (4, 8), (2, 4), 4)
                 + inception_module(20, 8, (8, 12), (4, 6), 6) + dense(32, 10),
    # stem 3x3 (16, no bias) + BN, block 16 -> 16, block 16 -> 32 (stride 2, 1x1 projection), dense 32 -> 10
    "resnet": conv(1, 16, 3, bias=False) + bn(16) + residual_block(16, 16, False)
              + residual_block(16, 32, True) + dense(32, 10),
}

# multiply-adds per image: H_out W_out F C kh kw per conv, n_in n_out per dense layer
EXPECTED_MACS = {
    "lenet": 8 * 8 * 6 * 1 * 25 + 4 * 4 * 16 * 6 * 9 + 64 * 32 + 32 * 10,
    "stacked": 8 * 8 * 12 * 1 * 9 + 2 * 8 * 8 * 12 * 12 * 9 + 12 * 10,
    "resnet": (8 * 8 * 16 * 1 * 9 + 2 * 8 * 8 * 16 * 16 * 9            # stem, first block
               + 4 * 4 * 32 * 16 * 9 + 4 * 4 * 32 * 32 * 9 + 4 * 4 * 32 * 16 + 32 * 10),
}

# receptive field: r += (k - 1) d j, j *= s, over the convolutions and poolings
EXPECTED_RF = {
    "stacked": 1 + 2 + 2 + 2,                       # 1 + 2L, L = 3
    "dilated": 1 + 2 * 1 + 2 * 2 + 2 * 4,           # 2^(L+1) - 1
    "lenet": 1 + 4 + 1 + 2 * 2 + 1 * 2,             # conv5, pool2, conv3 (jump 2), pool2 (jump 2)
    "resnet": 1 + 2 + 2 + 2 + 2 + 2 * 2,            # stem, 2 convs, strided conv, conv at jump 2
}


@pytest.mark.parametrize("arch", ARCHS)
def test_parameter_count_matches_hand_formula(recorded, arch):
    assert recorded[arch]["params"] == EXPECTED_PARAMS[arch], (
        f"{arch}: table says {recorded[arch]['params']} parameters, the layer-shape formula gives "
        f"{EXPECTED_PARAMS[arch]}")


@pytest.mark.parametrize("arch", sorted(EXPECTED_MACS))
def test_macs_match_hand_formula(recorded, arch):
    assert recorded[arch]["macs"] == EXPECTED_MACS[arch]


@pytest.mark.parametrize("arch", sorted(EXPECTED_RF))
def test_receptive_field_matches_recursion(recorded, arch):
    assert recorded[arch]["rf"] == EXPECTED_RF[arch]


def test_stacked_and_dilated_differ_only_in_receptive_field(recorded):
    s, d = recorded["stacked"], recorded["dilated"]
    assert s["params"] == d["params"] and s["macs"] == d["macs"]
    assert d["rf"] > s["rf"]


def test_accuracies_are_sane(recorded):
    n_test = recorded["n_test"]
    for arch in ARCHS:
        mean, std = recorded[arch]["acc_mean"], recorded[arch]["acc_std"]
        assert 0.85 < mean <= 1.0, f"{arch}: mean test accuracy {mean:.4f} is implausible for digits"
        assert 0.0 <= std < 0.05, f"{arch}: seed spread {std:.4f}"
        # a mean over 3 seeds of counts out of n_test: a multiple of 1 / (3 n_test)
        k = mean * recorded["n_seeds"] * n_test
        assert abs(k - round(k)) < 1e-6
    best = recorded["best_architecture"]
    assert best.lower() in ARCHS
    assert recorded["best_acc_mean"] == max(recorded[a]["acc_mean"] for a in ARCHS)


@pytest.fixture(scope="module")
def split(recorded):
    digits = load_digits()
    images = digits.images.astype(float) / 16.0
    i_train, i_val, i_test, y_train, y_val, y_test = train_val_test_split(
        np.arange(len(digits.target)), digits.target, val_size=recorded["val_size"],
        test_size=recorded["test_size"], seed=recorded["seed"], stratify=True)
    mu, sd = images[i_train].mean(), images[i_train].std()
    X = ((images - mu) / sd).reshape(len(images), -1)
    return X[i_train], X[i_val], X[i_test], y_train, y_val, y_test


def test_split_sizes(recorded, split):
    X_train, X_val, X_test, *_ = split
    assert (len(X_train), len(X_val), len(X_test)) == (recorded["n_train"], recorded["n_val"], recorded["n_test"])
    assert recorded["n_train"] + recorded["n_val"] + recorded["n_test"] == 1797


def test_svc_reference_recomputed_on_the_same_split(recorded, split):
    X_train, X_val, X_test, y_train, y_val, y_test = split
    grid = recorded["svc_C_grid"]
    val = [SVC(C=C, kernel="rbf", gamma="scale").fit(X_train, y_train).score(X_val, y_val) for C in grid]
    C = grid[int(np.argmax(val))]
    assert C == recorded["svc_C"]
    test_acc = SVC(C=C, kernel="rbf", gamma="scale").fit(X_train, y_train).score(X_test, y_test)
    # identical here; allow one test image for another machine's rounding
    assert abs(test_acc - recorded["svc_test_accuracy"]) <= 1 / len(y_test) + 1e-12
    assert test_acc > 0.97


def test_best_network_reaches_the_classical_reference(recorded):
    best, ref = recorded["best_acc_mean"], recorded["svc_test_accuracy"]
    assert best >= ref - 0.01, (f"best network {recorded['best_architecture']} {best:.4f} is more than one point "
                                f"below the RBF SVM {ref:.4f}")
    assert recorded["logreg_test_accuracy"] < ref + 0.01
