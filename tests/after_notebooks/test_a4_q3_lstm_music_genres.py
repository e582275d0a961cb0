"""A4 Q3 (LSTM music-genre classification): the recorded answers against independent recomputations.

Reads build/results/a4_q3_lstm_music_genres.json (written when the notebook runs under nbval),
regenerates the clips with helpers.synthetic.audio and the recorded seed and settings, rebuilds the split,
and recomputes the log-mel features a different way (scipy.signal.stft for the power spectrum, a
mel filterbank written here with plain loops). On those features the bag-of-frames baseline is
refitted with a scikit-learn pipeline (StandardScaler + LogisticRegression, C chosen on the
validation clips) and its accuracy, macro-F1 and confusion matrix are compared with the recorded
ones. The LSTM's numbers get consistency checks: bounds, confusion-matrix sums against the
regenerated test labels, accuracy and macro-F1 recomputed from the recorded confusion matrix, the
parameter count from the formula, the McNemar p-value with scipy.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import signal, stats
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import confusion_matrix, f1_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from helpers.synthetic import audio

NOTEBOOK = "a4_q3_lstm_music_genres"
C_GRID = [0.01, 0.1, 1.0, 10.0, 100.0]      # must match the notebook's grid
FLOOR = 1e-6                                # log floor of helpers.synthetic.audio.log_mel_spectrogram (default)
K = len(audio.GENRES)


def htk_mel(f: float) -> float:
    return 2595.0 * math.log10(1.0 + f / 700.0)


def filterbank_by_loops(n_mels: int, n_fft: int, sr: int, fmin: float) -> np.ndarray:
    lo, hi = htk_mel(fmin), htk_mel(sr / 2)
    edges = [700.0 * (10 ** ((lo + (hi - lo) * i / (n_mels + 1)) / 2595.0) - 1.0) for i in range(n_mels + 2)]
    W = np.zeros((n_mels, n_fft // 2 + 1))
    for m in range(1, n_mels + 1):
        for k in range(n_fft // 2 + 1):
            f = k * sr / n_fft
            if edges[m - 1] < f <= edges[m]:
                W[m - 1, k] = (f - edges[m - 1]) / (edges[m] - edges[m - 1])
            elif edges[m] < f < edges[m + 1]:
                W[m - 1, k] = (edges[m + 1] - f) / (edges[m + 1] - edges[m])
    return W


@pytest.fixture(scope="module")
def data(recorded):
    r = recorded
    clips = audio.make_clips(r["n_clips"], np.random.default_rng(r["seed"]), sample_rate=r["sample_rate"],
                             duration=r["duration"], noise=r["noise"])
    y = clips.labels
    idx = np.arange(r["n_clips"])
    train_val, test = train_test_split(idx, test_size=0.2, stratify=y, random_state=r["seed"])
    train, val = train_test_split(train_val, test_size=0.25, stratify=y[train_val], random_state=r["seed"])
    window = signal.get_window("hann", r["n_fft"])
    _, _, Zxx = signal.stft(clips.audio, window=window, nperseg=r["n_fft"], noverlap=r["n_fft"] - r["hop"],
                            boundary=None, padded=False, detrend=False)
    power = np.abs(Zxx * window.sum()) ** 2                                  # (N, bins, T)
    W = filterbank_by_loops(r["n_mels"], r["n_fft"], r["sample_rate"], r["fmin"])
    S = np.log(np.einsum("mk,nkt->ntm", W, power) + FLOOR)                   # (N, T, M)
    mu, sd = S[train].mean(axis=(0, 1)), S[train].std(axis=(0, 1))
    Z = (S - mu) / sd
    bag = np.concatenate([Z.mean(axis=1), Z.std(axis=1)], axis=1)
    return {"y": y, "train": train, "val": val, "test": test, "S": S, "bag": bag, "clips": clips}


def test_settings_and_split(recorded, data):
    r = recorded
    assert (r["n_train"], r["n_val"], r["n_test"]) == (len(data["train"]), len(data["val"]), len(data["test"]))
    assert r["n_train"] + r["n_val"] + r["n_test"] == r["n_clips"]
    assert r["n_frames"] == 1 + (int(round(r["duration"] * r["sample_rate"])) - r["n_fft"]) // r["hop"]
    assert data["S"].shape == (r["n_clips"], r["n_frames"], r["n_mels"])
    assert np.bincount(data["y"][data["test"]], minlength=K).tolist() == [r["n_test"] // K] * K


def test_features_agree_with_the_helper(recorded, data):
    r = recorded
    sub = data["clips"].audio[:5]
    helper = audio.log_mel_spectrogram(sub, r["sample_rate"], n_fft=r["n_fft"], hop=r["hop"], n_mels=r["n_mels"],
                                       fmin=r["fmin"])
    np.testing.assert_allclose(helper, data["S"][:5], rtol=0, atol=1e-8)
    assert r["stft_matches_scipy"] is True and r["tone_band_correct"] is True


def test_logistic_regression_baseline_refitted(recorded, data):
    bag, y, tr, va, te = data["bag"], data["y"], data["train"], data["val"], data["test"]

    def model(C):
        return make_pipeline(StandardScaler(), LogisticRegression(C=C, max_iter=5000)).fit(bag[tr], y[tr])

    val_acc = [model(C).score(bag[va], y[va]) for C in C_GRID]
    C_best = C_GRID[int(np.argmax(val_acc))]
    assert recorded["lr_C"] == C_best
    pred = model(C_best).predict(bag[te])
    n_test = len(te)
    accuracy = float(np.mean(pred == y[te]))
    # the features are computed another way here (differences ~1e-12): allow one test clip
    assert recorded["baseline_lr_test_accuracy"] == pytest.approx(accuracy, abs=1.01 / n_test)
    assert recorded["baseline_lr_test_macro_f1"] == pytest.approx(f1_score(y[te], pred, average="macro"), abs=0.011)
    cm = np.array(recorded["baseline_lr_confusion"])
    assert np.abs(cm - confusion_matrix(y[te], pred, labels=range(K))).sum() <= 2
    assert cm.sum() == n_test and cm.sum(axis=1).tolist() == np.bincount(y[te], minlength=K).tolist()
    assert recorded["baseline_lr_test_accuracy"] == pytest.approx(np.trace(cm) / n_test, abs=1e-12)


def _from_confusion(cm: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Label pairs (true, predicted) that produce the confusion matrix ``cm``."""
    true = np.repeat(np.repeat(np.arange(K), K), cm.ravel())
    pred = np.repeat(np.tile(np.arange(K), K), cm.ravel())
    return true, pred


def test_lstm_numbers_are_consistent(recorded, data):
    r = recorded
    te = data["test"]
    for key in ("lstm_test_accuracy", "lstm_test_macro_f1", "baseline_mlp_test_accuracy", "baseline_mlp_test_macro_f1",
                "lstm_shuffled_eval_test_accuracy", "lstm_shuffled_eval_test_macro_f1",
                "lstm_shuffled_train_test_accuracy", "lstm_shuffled_train_test_macro_f1",
                "lstm_last_1s_test_accuracy", "lstm_shuffled_last_1s_test_accuracy"):
        assert 0.0 <= r[key] <= 1.0, key
    for key in ("lstm_test_accuracy", "baseline_mlp_test_accuracy", "lstm_shuffled_eval_test_accuracy",
                "lstm_shuffled_train_test_accuracy", "lstm_last_1s_test_accuracy"):
        assert (r[key] * r["n_test"]) == pytest.approx(round(r[key] * r["n_test"]), abs=1e-9), key   # whole clips
    cm = np.array(r["lstm_confusion"])
    assert cm.shape == (K, K) and cm.sum() == r["n_test"]
    assert cm.sum(axis=1).tolist() == np.bincount(data["y"][te], minlength=K).tolist()
    assert r["lstm_test_accuracy"] == pytest.approx(np.trace(cm) / r["n_test"], abs=1e-12)
    true, pred = _from_confusion(cm)
    per_class = f1_score(true, pred, average=None, labels=range(K))
    assert r["lstm_test_macro_f1"] == pytest.approx(per_class.mean(), abs=1e-12)
    assert list(r["lstm_per_class_f1"]) == list(audio.GENRES)
    np.testing.assert_allclose(list(r["lstm_per_class_f1"].values()), per_class, atol=1e-12)
    assert r["lstm_test_accuracy"] > 0.6, "the LSTM should be far above chance (0.2) on these clips"


def test_model_size_gradient_check_and_mcnemar(recorded):
    r = recorded
    H, D = r["lstm_hidden"], r["n_mels"]
    assert r["lstm_params"] == 4 * H * (D + H + 1) + (H + 1) * K
    assert r["grad_check_passed"] is True and r["grad_check_log10"] <= -7
    m = r["mcnemar_lstm_vs_lr"]
    b, c = m["b"], m["c"]
    assert 0 <= b + c <= r["n_test"]
    # b - c is the difference in correctly classified test clips between the LSTM and the baseline
    assert b - c == round((r["lstm_test_accuracy"] - r["baseline_lr_test_accuracy"]) * r["n_test"])
    expected = stats.binomtest(min(b, c), b + c, 0.5).pvalue if b + c else 1.0
    assert m["p"] == pytest.approx(expected, rel=1e-9)
