"""A2 Q3 (facial expressions): the recorded comparison against independent recomputations.

The notebook's faces and clips are regenerated with helpers.faces and the same seed and settings
and split the same way; the parameter and multiply-add counts are recounted by hand from the layer
shapes; scikit-learn's logistic regression and MLPClassifier are refitted on the same split and
must match the recorded baselines; the networks' recorded accuracies must stand in a sensible
relation to them, and the robustness and clip numbers get sanity bounds.
"""
from __future__ import annotations

import warnings

import numpy as np
import pytest

from helpers import faces
from helpers.data import train_val_test_split
from helpers.results import load_recorded

NOTEBOOK = "a2_q3_facial_expressions"
# must match the notebook's setup, data and implementation cells
SEED = 2013
SIZE, K = 24, 5
N_FACES, N_CLIPS, FRAMES, RAMP, CLIP_NOISE = 2500, 2000, 8, 3, 0.15
MLP_HIDDEN, CNN_FILTERS, LSTM_HIDDEN, CLIP_HIDDEN = 64, (8, 16, 16), 48, 32
EPOCHS, BATCH_SIZE = 30, 32
LOGREG_C = 0.01


@pytest.fixture(scope="module")
def recorded() -> dict:
    try:
        return load_recorded(NOTEBOOK)
    except FileNotFoundError as err:
        pytest.fail(f"{err} (run `make test`: the notebooks run first and write it)")


@pytest.fixture(scope="module")
def split():
    rng = np.random.default_rng(SEED)
    data = faces.make_faces(N_FACES, rng, size=SIZE)
    faces.make_clips(N_CLIPS, rng, frames=FRAMES, ramp=RAMP, size=SIZE, noise=CLIP_NOISE)
    X_train, X_val, X_test, y_train, y_val, y_test = train_val_test_split(
        data.images, data.labels, val_size=0.2, test_size=0.2, seed=SEED, stratify=True)
    mean, sd = X_train.mean(), X_train.std()
    F_train = ((X_train - mean) / sd).reshape(len(X_train), -1)
    F_test = ((X_test - mean) / sd).reshape(len(X_test), -1)
    return X_train, X_test, F_train, F_test, y_train, y_test, (mean, sd)


def test_data_regenerated_with_the_helper_match(recorded, split):
    X_train, X_test, *_ = split
    d = recorded["data"]
    assert (d["n_faces"], d["n_clips"], d["frames"], d["ramp"], d["size"]) == (N_FACES, N_CLIPS, FRAMES, RAMP, SIZE), \
        "the notebook's data settings changed; update this test"
    assert d["clip_noise"] == CLIP_NOISE
    assert (d["n_train"], d["n_test"]) == (len(X_train), len(X_test))
    assert d["test_pixel_mean"] == pytest.approx(float(X_test.mean()), abs=1e-12)


def test_parameter_and_multiply_add_counts_by_hand(recorded):
    # MLP 576 -> 64 -> 5
    mlp_params = SIZE * SIZE * MLP_HIDDEN + MLP_HIDDEN + MLP_HIDDEN * K + K
    mlp_macs = SIZE * SIZE * MLP_HIDDEN + MLP_HIDDEN * K
    # CNN: three 3x3 'same' convolutions (1 -> 8 -> 16 -> 16) each followed by 2x2 pooling, then 16*3*3 -> 5
    cnn_params = (3 * 3 * 1 * 8 + 8) + (3 * 3 * 8 * 16 + 16) + (3 * 3 * 16 * 16 + 16) + (16 * 3 * 3 * K + K)
    cnn_macs = 24 * 24 * 9 * 1 * 8 + 12 * 12 * 9 * 8 * 16 + 6 * 6 * 9 * 16 * 16 + 16 * 3 * 3 * K
    # LSTM: four gates, each with input weights (24 x 48), recurrent weights (48 x 48) and a bias; read-out 48 -> 5
    lstm_params = 4 * (SIZE * LSTM_HIDDEN + LSTM_HIDDEN * LSTM_HIDDEN + LSTM_HIDDEN) + LSTM_HIDDEN * K + K
    lstm_macs = SIZE * 4 * (SIZE * LSTM_HIDDEN + LSTM_HIDDEN * LSTM_HIDDEN) + LSTM_HIDDEN * K
    assert (recorded["mlp"]["params"], recorded["mlp"]["macs"]) == (mlp_params, mlp_macs) == (37253, 37184)
    assert (recorded["cnn"]["params"], recorded["cnn"]["macs"]) == (cnn_params, cnn_macs) == (4293, 291024)
    assert (recorded["lstm"]["params"], recorded["lstm"]["macs"]) == (lstm_params, lstm_macs) == (14261, 332016)
    clip_params = 4 * (K * CLIP_HIDDEN + CLIP_HIDDEN * CLIP_HIDDEN + CLIP_HIDDEN) + CLIP_HIDDEN * K + K
    assert recorded["clips"]["lstm_params"] == clip_params


def test_table_entries_are_complete(recorded, split):
    batches_per_epoch = -(-len(split[0]) // BATCH_SIZE)
    for name in ("mlp", "cnn", "lstm"):
        entry = recorded[name]
        assert 0.0 <= entry["test_accuracy"] <= 1.0
        assert 1 <= entry["epochs"] <= EPOCHS
        assert entry["updates"] == entry["epochs"] * batches_per_epoch, "cost = epochs run x mini-batches"
        # accuracies on 500 test faces are multiples of 1/500
        assert entry["test_accuracy"] * 500 == pytest.approx(round(entry["test_accuracy"] * 500), abs=1e-9)


def test_scikit_learn_baselines_refitted_and_the_networks_against_them(recorded, split):
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression
    from sklearn.neural_network import MLPClassifier

    _, _, F_train, F_test, y_train, y_test, _ = split
    logreg = LogisticRegression(C=LOGREG_C, max_iter=2000).fit(F_train, y_train).score(F_test, y_test)
    assert recorded["logreg_test_accuracy"] == pytest.approx(logreg, abs=0.0041)   # within two test faces
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        sk = MLPClassifier(hidden_layer_sizes=(MLP_HIDDEN,), learning_rate_init=1e-3, batch_size=BATCH_SIZE,
                           max_iter=EPOCHS, random_state=SEED).fit(F_train, y_train).score(F_test, y_test)
    assert recorded["sklearn_mlp_test_accuracy"] == pytest.approx(sk, abs=0.0041)

    mlp, cnn, lstm = (recorded[n]["test_accuracy"] for n in ("mlp", "cnn", "lstm"))
    assert logreg > 0.4, "a linear model on pixels should beat chance (0.2) clearly"
    assert abs(mlp - sk) < 0.08, "the numpy MLP and scikit-learn's MLP of the same size should agree roughly"
    assert cnn >= logreg + 0.15 and cnn >= 0.8, "the CNN should beat the linear baseline by a wide margin"
    assert cnn >= mlp + 0.05, "the CNN should beat the MLP on shifted, scaled faces"
    assert lstm >= logreg and mlp >= logreg - 0.02
    assert max(mlp, cnn, lstm) < 1.0, "a perfect score would mean the task is too easy to compare anything"


def test_pixel_models_lose_under_shift_independently(recorded, split):
    # the shift procedure, rerun on an independent pixel model: a linear classifier also breaks
    from sklearn.linear_model import LogisticRegression

    _, X_test, F_train, _, y_train, y_test, (mean, sd) = split
    model = LogisticRegression(C=LOGREG_C, max_iter=2000).fit(F_train, y_train)
    score = lambda X: model.score(((X - mean) / sd).reshape(len(X), -1), y_test)          # noqa: E731
    clean = score(X_test)
    moved = np.mean([score(faces.shift(X_test, dx, dy)) for dx, dy in ((3, 0), (-3, 0), (0, 3), (0, -3))])
    assert moved < clean - 0.1
    mlp = recorded["robustness_mlp"]
    assert mlp["shift"] < recorded["mlp"]["test_accuracy"] - 0.1


def test_robustness_numbers_are_sane_and_ordered(recorded):
    settings = recorded["robustness_settings"]
    assert settings == {"shift_px": 3, "noise_sigma": 0.2, "occlusion_px": 8}
    keep = {}
    for name in ("mlp", "cnn", "lstm"):
        clean = recorded[name]["test_accuracy"]
        r = recorded[f"robustness_{name}"]
        for key in ("shift_horizontal", "shift_vertical", "noise", "occlusion"):
            assert 0.1 <= r[key] <= clean + 0.02, (name, key)
        assert r["shift"] == pytest.approx((r["shift_horizontal"] + r["shift_vertical"]) / 2, abs=1e-12)
        keep[name] = {k: r[k] / clean for k in r}
    assert keep["cnn"]["shift"] > keep["mlp"]["shift"] + 0.1, "convolution + pooling should tolerate shifts better"
    assert keep["lstm"]["shift_vertical"] > keep["lstm"]["shift_horizontal"] + 0.1, \
        "a row-by-row LSTM should tolerate vertical (time) shifts better than horizontal ones"
    assert recorded["robustness_cnn"]["occlusion"] >= recorded["robustness_mlp"]["occlusion"]
    assert 0.1 <= recorded["cnn_covered_mouth"] <= recorded["cnn"]["test_accuracy"]
    assert 0.1 <= recorded["cnn_covered_eyes"] <= recorded["cnn"]["test_accuracy"]


def test_clip_numbers(recorded):
    c = recorded["clips"]
    for key in ("last_frame", "frame_average", "last_frame_refit", "last_and_change", "lstm", "apex_average_true_onset"):
        assert 0.2 <= c[key] <= 1.0, key
        assert c[key] * 400 == pytest.approx(round(c[key] * 400), abs=1e-9), "400 test clips"
    assert c["frame_average"] < c["last_frame"], "neutral frames before the onset dilute the average"
    assert c["lstm"] >= max(c["last_frame"], c["last_frame_refit"]), "the LSTM over frames should not lose to one frame"
    assert c["lstm_updates"] > 0 and c["lstm_updates"] % -(-1200 // BATCH_SIZE) == 0, "epochs x mini-batches"
