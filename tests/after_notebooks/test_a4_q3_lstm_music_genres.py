"""A4 Q3 (LSTM music-genre classification): the Answer's claims and the recorded results against independent computations.

The clips are regenerated with helpers.synthetic.audio from the recorded seed, split the same way, and
their log-mel features recomputed another way (scipy.signal.stft for the power spectrum, a mel
filterbank written here with plain loops). On those features the logistic-regression baseline is
refitted with a scikit-learn pipeline (C chosen on the validation clips) and must match the recorded
one; the order task is rebuilt from the same random stream and an order-free model on it must be at
chance. The LSTM checks, the parameter count, the one-standard-error choices of the learning rates and
the McNemar p-values are recomputed. Every number the Answer quotes is compared with the stored results
at the printed precision, and every claim's logic with this run's recorded results.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import signal
from scipy import stats as sps
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from helpers import stats
from helpers.seeds import experiment_seed
from helpers.synthetic import audio

NOTEBOOK = "a4_q3_lstm_music_genres"
C_GRID = (0.01, 0.1, 1.0, 10.0, 100.0)
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


def log_mel_by_scipy(waveforms, r) -> np.ndarray:
    window = signal.get_window("hann", r["n_fft"])
    _, _, Zxx = signal.stft(waveforms, window=window, nperseg=r["n_fft"], noverlap=r["n_fft"] - r["hop"],
                            boundary=None, padded=False, detrend=False)
    power = np.abs(Zxx * window.sum()) ** 2                                  # (N, bins, T)
    W = filterbank_by_loops(r["n_mels"], r["n_fft"], r["sample_rate"], r["fmin"])
    return np.log(np.einsum("mk,nkt->ntm", W, power) + FLOOR)               # (N, T, M)


@pytest.fixture(scope="module")
def data(recorded):
    r = recorded["settings"]
    clips = audio.make_clips(r["n_clips"], np.random.default_rng(experiment_seed(r["seed"], 0)),
                             sample_rate=r["sample_rate"], duration=r["duration"], noise=r["noise"])
    y = clips.labels
    train_val, test = train_test_split(np.arange(r["n_clips"]), test_size=0.2, stratify=y, random_state=r["seed"])
    train, val = train_test_split(train_val, test_size=0.25, stratify=y[train_val], random_state=r["seed"])
    S = log_mel_by_scipy(clips.audio, r)
    mu, sd = S[train].mean(axis=(0, 1)), S[train].std(axis=(0, 1))
    return {"y": y, "train": train, "val": val, "test": test, "S": S, "mu": mu, "sd": sd, "clips": clips, "r": r}


def bag(Z: np.ndarray) -> np.ndarray:
    return np.concatenate([Z.mean(axis=1), Z.std(axis=1)], axis=1)


def pm(entry) -> str:
    return stats.format_pm(entry["mean"], entry["sd"])


def diff(entry) -> str:
    return stats.format_pm(entry["mean"], entry["se"], signed=True)


def test_settings_split_and_features(recorded, data):
    r = data["r"]
    assert (r["n_train"], r["n_val"], r["n_test"]) == (len(data["train"]), len(data["val"]), len(data["test"]))
    assert r["n_frames"] == 1 + (int(round(r["duration"] * r["sample_rate"])) - r["n_fft"]) // r["hop"]
    assert data["S"].shape == (r["n_clips"], r["n_frames"], r["n_mels"])
    helper = audio.log_mel_spectrogram(data["clips"].audio[:5], r["sample_rate"], n_fft=r["n_fft"], hop=r["hop"],
                                       n_mels=r["n_mels"], fmin=r["fmin"])
    np.testing.assert_allclose(helper, data["S"][:5], rtol=0, atol=1e-8)
    assert all(recorded["feature_checks"].values())


def test_logistic_regression_baseline_refitted(recorded, data):
    y, tr, va, te = data["y"], data["train"], data["val"], data["test"]
    B = bag((data["S"] - data["mu"]) / data["sd"])

    def model(C):
        return make_pipeline(StandardScaler(), LogisticRegression(C=C, max_iter=5000)).fit(B[tr], y[tr])

    C_best = C_GRID[int(np.argmax([model(C).score(B[va], y[va]) for C in C_GRID]))]
    assert recorded["logreg_C"] == C_best
    pred = model(C_best).predict(B[te])
    lr = recorded["logistic_regression"]
    # the features are computed another way here (differences ~1e-12): allow one test clip
    assert lr["accuracy"] == pytest.approx(np.mean(pred == y[te]), abs=1.01 / len(te))
    assert lr["macro_f1"] == pytest.approx(f1_score(y[te], pred, average="macro"), abs=0.011)


def test_order_task_rebuilt_is_at_chance_for_an_order_free_model(recorded, data):
    # the notebook's stream: one shuffle of all frames, then two partner permutations per part of the split
    y, r = data["y"], data["r"]
    rng = np.random.default_rng(experiment_seed(r["seed"], 3))
    rng.random((r["n_clips"], r["n_frames"]))
    rock, classical = audio.GENRES.index("rock"), audio.GENRES.index("classical")
    parts = {}
    for part in ("train", "val", "test"):
        idx = data[part]
        rk, cl = idx[y[idx] == rock], idx[y[idx] == classical]
        partners = np.concatenate([rng.permutation(cl), rng.permutation(cl)])
        pairs, labels = audio.order_pairs(data["clips"].audio[np.tile(rk, 2)], data["clips"].audio[partners])
        parts[part] = (bag((log_mel_by_scipy(pairs, r) - data["mu"]) / data["sd"]), labels)
    model = LogisticRegression(C=recorded["logreg_C"], max_iter=5000).fit(*parts["train"])
    chance_accuracy = model.score(*parts["test"])
    n_test = len(parts["test"][1])
    assert abs(chance_accuracy - 0.5) < 2.5 * math.sqrt(0.25 / n_test)
    assert recorded["order_task_logreg"] == pytest.approx(chance_accuracy,
                                                                                          abs=2.01 / n_test)


def test_lstm_checks_parameter_count_and_learning_rates(recorded):
    checks = recorded["lstm_checks"]
    assert checks["scratch_vs_numerical"] < 1e-6 and checks["classifier_vs_numerical"] < 1e-6
    assert checks["scratch_vs_nn_lstm"] < 1e-12
    H, D = recorded["settings"]["hidden"], recorded["settings"]["n_mels"]
    assert 4 * H * (D + H + 1) + (H + 1) * K == 7461
    grids = {"LSTM": (3e-2, 1e-2, 3e-3), "frame network": (1e-1, 3e-2, 1e-2)}     # largest first
    for model, scores in recorded["grid_val_accuracy"].items():
        scores = np.array(scores)
        means = scores.mean(axis=1)
        best = int(np.argmax(means))
        se = scores[best].std(ddof=1) / math.sqrt(scores.shape[1])
        assert recorded["learning_rate"][model] == grids[model][next(i for i, m in enumerate(means) if m >= means[best] - se)]


def test_mcnemar_p_values_recomputed(recorded):
    for (only_lstm, only_other), p in zip(recorded["mcnemar_lstm_vs_frame_network"]["counts"],
                                          recorded["mcnemar_lstm_vs_frame_network"]["p"]):
        n = only_lstm + only_other
        expected = sps.binomtest(min(only_lstm, only_other), n, 0.5).pvalue if n else 1.0
        assert p == pytest.approx(expected, rel=1e-9)


# ----------------------------------------------------------------------------- the Answer, claim by claim
@pytest.fixture(scope="module")
def text(answer):
    """The Answer with every run of white space as one space (line breaks fall anywhere in Markdown)."""
    return " ".join(answer.split())


def minus(entry) -> str:
    return diff(entry).replace("-", "−")


def significantly_positive(recorded, key, name) -> bool:
    return recorded[key][name]["mean"] > 0 and recorded[f"{key}_p"][name] < 0.05


def test_answer_what_was_built(recorded, stored, text):
    s = stored["settings"]
    assert f"({s['n_frames']} frames × {s['n_mels']} mel bands) of 1,000 synthetic 3-s clips" in text
    assert s["n_clips"] == 1000 and s["duration"] == 3.0 and f"({s['hidden']} units" in text
    assert "relative error below $10^{-8}$" in text and "`nn.LSTM` (below $10^{-14}$)" in text
    checks = recorded["lstm_checks"]
    assert checks["scratch_vs_numerical"] < 1e-8 and checks["scratch_vs_nn_lstm"] < 1e-14
    assert f"{s['n_seeds']} seeds" in text and f"({s['n_test']} test clips, chance 0.20" in text


def test_answer_result(stored, text):
    assert f"accuracy {pm(stored['genre_accuracy']['LSTM'])}, macro-F1 {pm(stored['genre_macro_f1']['LSTM'])}" in text
    f1 = stored["lstm_per_class_f1"]
    low, high = min(f1.values(), key=lambda e: e["mean"]), max(f1.values(), key=lambda e: e["mean"])
    assert f"per-genre F1 from {pm(low)} to {pm(high)}" in text


def test_answer_against_order_free_models(recorded, stored, text):
    frame = "frame network"
    assert f"({pm(stored['genre_accuracy'][frame])}; difference {minus(stored['lstm_minus'][frame])})" in text
    assert recorded["lstm_minus"][frame]["mean"] < 0                                    # does not beat it
    assert not significantly_positive(recorded, "lstm_minus", frame)
    lr, n_test = stored["logistic_regression"], stored["settings"]["n_test"]
    z, p = sps.norm.ppf(0.975), lr["accuracy"]                                          # Wilson interval by hand
    centre = (p + z * z / (2 * n_test)) / (1 + z * z / n_test)
    half = z * math.sqrt(p * (1 - p) / n_test + z * z / (4 * n_test**2)) / (1 + z * z / n_test)
    assert (lr["accuracy_low"], lr["accuracy_high"]) == pytest.approx((centre - half, centre + half), abs=1e-12)
    spread = max(lr["accuracy_high"] - p, p - lr["accuracy_low"])
    quoted = (f"{stats.round_to_uncertainty(p, spread)[0]}, 95 % Wilson interval "
              f"{stats.format_interval(lr['accuracy_low'], lr['accuracy_high'], spread)}")
    assert f"spreads ({quoted})" in text
    assert not significantly_positive(recorded, "lstm_minus", "logistic regression")
    shuffled = "LSTM, shuffled frames"                                                  # a tie
    assert f"({minus(stored['lstm_minus'][shuffled])}, {stats.format_p(stored['lstm_minus_p'][shuffled])})" in text
    assert recorded["lstm_minus_p"][shuffled] >= 0.05
    lean = "LSTM minus LSTM on shuffled test frames"                                    # leans on the order
    d = stored["order_minus"][lean]
    assert f"costs {stats.format_pm(d['mean'], d['se'])}, {stats.format_p(stored['order_minus_p'][lean])})" in text
    assert significantly_positive(recorded, "order_minus", lean)


def test_answer_memory(recorded, stored, text):
    sigma_1 = 1 / (1 + math.exp(-1))
    assert f"{sigma_1:.2f}" == "0.73" and 0.5e-8 < 0.73 ** 58 < 2e-8                     # the closed forms quoted
    g = stored["forget_gates"]
    assert f"average {stats.format_pm(g['mean'], g['sd'])}, near their start" in text
    assert abs(recorded["forget_gates"]["mean"] - sigma_1) < 0.1
    assert f"(product over the last 20 frames {pm(g['median_product_20_steps'])})" in text
    assert recorded["forget_gates"]["median_product_20_steps"]["mean"] < 0.01           # the median unit forgets
    assert f"keep {pm(g['p90_product_58_steps'])} over all 58 steps" in text
    assert recorded["forget_gates"]["p90_product_58_steps"]["mean"] > 0.1               # the persistent tenth
    d = stored["last_1s_loss"]["LSTM"]
    assert f"the LSTM loses {stats.format_pm(d['mean'], d['se'])}" in text
    assert significantly_positive(recorded, "last_1s_loss", "LSTM")


def test_answer_when_order_pays(recorded, stored, text):
    lstm, frame = stored["order"]["LSTM, order task"], stored["order"]["frame network, order task"]
    assert f"the LSTM reaches {pm(lstm)} while the frame network stays at chance, {pm(frame)}" in text
    n_test = 2 * 2 * (recorded["settings"]["n_test"] // K)          # 40 rock test clips, two partners, both orders
    rec = recorded["order"]
    assert abs(rec["frame network, order task"]["mean"] - 0.5) < 2.5 * math.sqrt(0.25 / n_test)
    assert rec["LSTM, order task"]["mean"] - 3 * rec["LSTM, order task"]["sd"] > 0.5
