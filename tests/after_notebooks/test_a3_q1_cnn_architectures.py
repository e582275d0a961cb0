"""A3 Q1 (CNN architectures): every claim of the Answer, and the recorded table against independent counts.

Parameter counts, MACs and receptive fields are recomputed by hand from the layer shapes of the
notebook's Implementation section (conv: F (C k^2 + 1), dense: n_out (n_in + 1), BatchNorm: 2 C;
MACs: H_out W_out F C k^2), without building a network; the RBF SVM reference is refitted on the same
split of the upsampled digits.
"""
from __future__ import annotations

import numpy as np
import pytest
from scipy.ndimage import zoom
from sklearn.datasets import load_digits
from sklearn.svm import SVC

from helpers import stats
from helpers.data import train_val_test_split

NOTEBOOK = "a3_q1_cnn_architectures"


def conv(c_in, c_out, k, bias=True):
    return c_out * (c_in * k * k + (1 if bias else 0))


def dense(n_in, n_out):
    return n_out * (n_in + 1)


def bn(c):
    return 2 * c


def conv_macs(side_out, c_in, c_out, k):
    return side_out * side_out * c_out * c_in * k * k


def inception_module(c_in, n1, n3, n5, n_pool):
    return (conv(c_in, n1, 1) + conv(c_in, n3[0], 1) + conv(n3[0], n3[1], 3) + conv(c_in, n5[0], 1)
            + conv(n5[0], n5[1], 5) + conv(c_in, n_pool, 1))


def residual_block(c_in, c_out, projection):
    body = conv(c_in, c_out, 3, bias=False) + bn(c_out) + conv(c_out, c_out, 3, bias=False) + bn(c_out)
    return body + (conv(c_in, c_out, 1, bias=False) + bn(c_out) if projection else 0)


def vgg_params(batch_norm):
    convs = [(1, 4), (4, 8), (8, 8), (8, 16), (16, 16)]                   # blocks of 1, 2 and 2 convolutions
    return (sum(conv(a, b, 3, bias=not batch_norm) + (bn(b) if batch_norm else 0) for a, b in convs)
            + dense(64, 64) + dense(64, 10))


def alexnet_params(side_after_pools):
    return (conv(1, 8, 5) + conv(8, 12, 3) + conv(12, 12, 3) + dense(12 * side_after_pools ** 2, 64)
            + dense(64, 64) + dense(64, 10))


# 16 x 16 inputs, one channel; the layer shapes of the notebook's Implementation section
EXPECTED_PARAMS = {
    "lenet": conv(1, 6, 5) + conv(6, 16, 5) + dense(16 * 2 * 2, 32) + dense(32, 10),
    "alexnet": alexnet_params(2),                                    # stride-2 stem: 16 -> 8 -> 4 -> 2
    "alexnet_stride1_stem": alexnet_params(4),                       # stride 1: 16 -> 16 -> 8 -> 4
    "vgg": vgg_params(False),
    "vgg_batch_norm": vgg_params(True),
    "stacked": conv(1, 4, 3) + 2 * conv(4, 4, 3) + dense(4 * 4, 10),     # 4 channels, 4 quadrant means each
    "dilated": conv(1, 4, 3) + 2 * conv(4, 4, 3) + dense(4 * 4, 10),
    "inception": (conv(1, 8, 3) + inception_module(8, 4, (4, 6), (2, 3), 3)
                  + inception_module(16, 8, (8, 12), (4, 6), 6) + dense(32, 10)),
    "resnet": (conv(1, 6, 3, bias=False) + bn(6) + residual_block(6, 6, False) + residual_block(6, 12, True)
               + residual_block(12, 12, False) + dense(12, 10)),
    "resnet_no_shortcuts": (conv(1, 6, 3, bias=False) + bn(6) + residual_block(6, 6, False)
                            + residual_block(6, 12, False) + residual_block(12, 12, False) + dense(12, 10)),
}

EXPECTED_MACS = {
    "lenet": conv_macs(16, 1, 6, 5) + conv_macs(4, 6, 16, 5) + 64 * 32 + 32 * 10,
    "alexnet": conv_macs(8, 1, 8, 5) + conv_macs(4, 8, 12, 3) + conv_macs(4, 12, 12, 3) + 48 * 64 + 64 * 64 + 640,
    "alexnet_stride1_stem": (conv_macs(16, 1, 8, 5) + conv_macs(8, 8, 12, 3) + conv_macs(8, 12, 12, 3)
                             + 192 * 64 + 64 * 64 + 640),
    "vgg": (conv_macs(16, 1, 4, 3) + conv_macs(8, 4, 8, 3) + conv_macs(8, 8, 8, 3)
            + conv_macs(4, 8, 16, 3) + conv_macs(4, 16, 16, 3) + 64 * 64 + 640),
    "stacked": conv_macs(16, 1, 4, 3) + 2 * conv_macs(16, 4, 4, 3) + 16 * 10,
    "resnet": (conv_macs(8, 1, 6, 3) + 2 * conv_macs(8, 6, 6, 3) + conv_macs(4, 6, 12, 3) + conv_macs(4, 12, 12, 3)
               + conv_macs(4, 6, 12, 1) + 2 * conv_macs(4, 12, 12, 3) + 12 * 10),
}

# receptive field: r += (k - 1) d j, j *= s over the convolutions and poolings (widest path)
EXPECTED_RF = {
    "stacked": 1 + 2 + 2 + 2 + 7,                              # 1 + 2L (L = 3), then the 8 x 8 quadrant mean
    "dilated": 1 + 2 * 1 + 2 * 2 + 2 * 4 + 7,                  # 2^(L+1) - 1, then the quadrant mean
    "lenet": 1 + 4 + 1 + 4 * 2 + 1 * 2,                        # conv5, pool2, conv5 at jump 2, pool2 at jump 2
    "resnet": 1 + 2 + 2 * 2 * 2 + 2 * 2 + 2 * 4 + 2 * 4 * 2,   # stem/2, block (2 convs), block (/2, conv), block
}


@pytest.mark.parametrize("key", sorted(EXPECTED_PARAMS))
def test_parameter_count_matches_the_hand_formula(recorded, key):
    assert recorded[f"size_{key}"]["params"] == EXPECTED_PARAMS[key]


@pytest.mark.parametrize("key", sorted(EXPECTED_MACS))
def test_macs_match_the_hand_formula(recorded, key):
    assert recorded[f"size_{key}"]["macs"] == EXPECTED_MACS[key]


@pytest.mark.parametrize("key", sorted(EXPECTED_RF))
def test_receptive_field_matches_the_recursion(recorded, key):
    assert recorded[f"size_{key}"]["rf"] == EXPECTED_RF[key]


def test_ablation_pairs_differ_only_where_intended(recorded):
    s = {k[5:]: v for k, v in recorded.items() if k.startswith("size_")}
    assert (s["stacked"]["params"], s["stacked"]["macs"]) == (s["dilated"]["params"], s["dilated"]["macs"])
    assert s["dilated"]["rf"] > s["stacked"]["rf"]
    assert s["vgg_batch_norm"]["macs"] == s["vgg"]["macs"]           # BN adds parameters, no MACs counted
    assert s["alexnet_stride1_stem"]["macs"] > 3 * s["alexnet"]["macs"]


@pytest.fixture(scope="module")
def split(recorded):
    digits = load_digits()
    side = recorded["image_side"]
    images = zoom(digits.images / 16.0, (1, side / 8, side / 8), order=1)
    i_train, i_val, i_test, y_train, y_val, y_test = train_val_test_split(
        np.arange(len(digits.target)), digits.target, val_size=recorded["val_size"],
        test_size=recorded["test_size"], seed=recorded["seed"], stratify=True)
    mu, sd = images[i_train].mean(), images[i_train].std()
    X = ((images - mu) / sd).reshape(len(images), -1).astype(np.float32)
    return X[i_train], X[i_val], X[i_test], y_train, y_val, y_test


def test_split_sizes(recorded, split):
    X_train, X_val, X_test, *_ = split
    assert (len(X_train), len(X_val), len(X_test)) == (recorded["n_train"], recorded["n_val"], recorded["n_test"])


def test_svm_reference_refitted_on_the_same_split(recorded, split):
    X_train, X_val, X_test, y_train, y_val, y_test = split
    test_acc = SVC(C=recorded["svc_C"]).fit(X_train, y_train).score(X_test, y_test)
    assert abs(test_acc - recorded["svc_test_accuracy"]) <= 1 / len(y_test) + 1e-12


def test_accuracies_are_whole_test_images_averaged_over_seeds(recorded):
    n = recorded["n_test"] * recorded["n_seeds"]
    for key, value in recorded.items():
        if key.startswith("acc_"):
            k = value["mean"] * n
            assert abs(k - round(k)) < 1e-6, key
            assert 0.85 < value["mean"] <= 1.0, key


# ----------------------------------------------------------------------------- the Answer, claim by claim
MAIN = ("resnet", "lenet", "dilated", "inception", "alexnet", "vgg", "stacked")
TIED_WITH_RESNET = ("lenet", "resnet_no_shortcuts", "alexnet_stride1_stem")
TRAILING = ("dilated", "inception", "vgg", "stacked")
UNSETTLED_ABLATIONS = ("batch", "dilation")


@pytest.fixture(scope="module")
def text(answer):
    return " ".join(answer.split())                  # line breaks of the Markdown do not split a number


def signed(d):
    return stats.format_pm(d["mean"], d["se"], signed=True)


def low(d):
    """Lower end of a recorded paired difference's 95 % interval (mean - t se)."""
    return d["mean"] - d["t"] * d["se"]


def high(d):
    return d["mean"] + d["t"] * d["se"]


def test_answer_quotes_the_stored_numbers(stored, text):
    for key in MAIN:
        assert stats.format_pm(stored[f"acc_{key}"]["mean"], stored[f"acc_{key}"]["sd"]) in text, key
    for key in ("lenet", "alexnet"):
        assert signed(stored[f"resnet_minus_{key}"]) in text, key
    gaps = sorted((stored[f"resnet_minus_{key}"] for key in TRAILING), key=lambda d: d["mean"])
    assert f"by {signed(gaps[0])} to {signed(gaps[-1])}" in text
    for key in UNSETTLED_ABLATIONS + ("stride_1", "shortcuts"):
        assert signed(stored[f"ablation_{key}"]) in text, key
    n = stored["n_test"]
    svm = stats.wilson_interval(round(stored["svc_test_accuracy"] * n), n)
    assert f"{svm.estimate:.3f} (95 % interval [{svm.low:.3f}, {svm.high:.3f}])" in text
    assert f"({stored['n_train']:,} training, {stored['n_val']:,} validation, {stored['n_test']:,} test images)" in text
    params = [v["params"] for k, v in stored.items() if k.startswith("size_") and k[5:] in MAIN]
    assert f"({min(params):,} to {max(params):,} parameters)" in text
    lenet = stored["size_lenet"]
    assert f"({lenet['params']:,} parameters, {lenet['macs']:,} MACs)" in text
    ratio = stored["size_alexnet_stride1_stem"]["macs"] / stored["size_alexnet"]["macs"]
    assert f"at {ratio:.1f} times the MACs" in text
    assert f"{stored['n_seeds']} seeds" in text


def test_resnet_lenet_no_shortcuts_and_stride_1_alexnet_cannot_be_told_apart(recorded):
    for key in TIED_WITH_RESNET:
        d = recorded[f"resnet_minus_{key}"]
        assert low(d) <= 0 <= high(d), f"the Answer says ResNet and {key} are tied"


def test_resnet_beats_alexnet(recorded):
    assert low(recorded["resnet_minus_alexnet"]) > 0


def test_four_networks_trail_resnet_and_the_smaller_gaps_are_not_settled(recorded):
    gaps = [recorded[f"resnet_minus_{key}"] for key in TRAILING]
    assert all(d["mean"] > 0 for d in gaps), "the Answer says they trail ResNet"
    assert min(low(d) for d in gaps) < 0.01, "the Answer says the smaller gaps are not settled"


def test_no_network_beats_the_svm(recorded):
    n = recorded["n_test"]
    svm = stats.wilson_interval(round(recorded["svc_test_accuracy"] * n), n)
    assert all(v["mean"] <= svm.high for k, v in recorded.items() if k.startswith("acc_"))


def test_ablations_stride_1_helps_shortcuts_do_nothing_the_rest_unsettled(recorded):
    assert low(recorded["ablation_stride_1"]) > 0, "the Answer says the stride-1 stem helps"
    shortcuts = recorded["ablation_shortcuts"]
    assert low(shortcuts) <= 0 <= high(shortcuts), "the Answer says shortcuts make no detectable difference"
    for key in UNSETTLED_ABLATIONS:
        d = recorded[f"ablation_{key}"]
        assert d["mean"] > 0 and low(d) < 0.01, f"the Answer says {key} points upwards, its interval starting near 0"


def test_lenet_is_the_cheapest_of_the_leading_tie_and_on_both_pareto_fronts(recorded):
    mean = {k[4:]: v["mean"] for k, v in recorded.items() if k.startswith("acc_")}
    size = {k[5:]: v for k, v in recorded.items() if k.startswith("size_")}
    for cost in ("params", "macs"):
        assert min(("resnet",) + TIED_WITH_RESNET, key=lambda k: size[k][cost]) == "lenet", cost
        dominated = [k for k in mean if k != "lenet" and mean[k] > mean["lenet"] and size[k][cost] <= size["lenet"][cost]]
        assert not dominated, (cost, dominated)
