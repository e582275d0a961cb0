"""A2 Q3 (facial expressions): the Answer's claims and the recorded results against independent computations.

The faces and clips are regenerated with helpers.synthetic.faces from the recorded seed and split the
same way; parameter and multiply-add counts are recounted from the layer shapes written out here; the
learning-rate choices are recomputed from the recorded grid with the one-standard-error rule written
out by hand; a scikit-learn logistic regression on the same pixels is the independent reference the
networks must beat, and it must lose accuracy under the same shift. Every number the Answer quotes is
compared with the stored results at the precision it is printed, and every claim's logic (which
difference excludes zero, which one is a tie) with this run's recorded results.
"""
from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from helpers import stats
from helpers.data import train_val_test_split
from helpers.seeds import experiment_seed
from helpers.synthetic import faces

NOTEBOOK = "a2_q3_facial_expressions"
K = 5


@pytest.fixture(scope="module")
def split(recorded):
    d = recorded["data"]
    rng = np.random.default_rng(experiment_seed(d["seed"], 0))
    data = faces.make_faces(d["n_faces"], rng, size=d["size"])
    clips = faces.make_clips(d["n_clips"], rng, frames=d["frames"], ramp=d["ramp"], size=d["size"], noise=d["clip_noise"])
    X_train, X_val, X_test, y_train, y_val, y_test = train_val_test_split(
        data.images, data.labels, val_size=0.2, test_size=0.2, seed=d["seed"], stratify=True)
    clip_parts = train_val_test_split(np.arange(d["n_clips"]), clips.labels, val_size=0.2, test_size=0.2,
                                      seed=d["seed"], stratify=True)
    return {"X_train": X_train, "X_test": X_test, "y_train": y_train, "y_test": y_test,
            "n_val": len(y_val), "n_clip_test": len(clip_parts[2])}


def pm(entry):
    return stats.format_pm(entry["mean"], entry["sd"])


def diff(entry):
    return stats.format_pm(entry["mean"], entry["se"], signed=True)


def test_data_regenerated_from_the_recorded_seed(recorded, split):
    d = recorded["data"]
    assert (d["n_train"], d["n_val"], d["n_test"]) == (len(split["y_train"]), split["n_val"], len(split["y_test"]))
    assert d["n_clip_test"] == split["n_clip_test"]
    assert d["test_pixel_mean"] == pytest.approx(float(split["X_test"].mean()), abs=1e-12)
    assert np.bincount(split["y_test"], minlength=K).tolist() == [d["n_test"] // K] * K


def test_parameter_and_multiply_add_counts_by_hand(recorded):
    c = recorded["counts"]
    # MLP 576 -> 64 -> 5
    assert (c["MLP"]["params"], c["MLP"]["macs"]) == (576 * 64 + 64 + 64 * 5 + 5, 576 * 64 + 64 * 5)
    # CNN: 3x3 'same' convolutions 1 -> 4 -> 8 -> 16, each followed by 2x2 pooling (24 -> 12 -> 6 -> 3), then 144 -> 5
    assert c["CNN"]["params"] == (9 * 1 * 4 + 4) + (9 * 4 * 8 + 8) + (9 * 8 * 16 + 16) + (16 * 9 * 5 + 5)
    assert c["CNN"]["macs"] == 24 * 24 * 9 * 4 + 12 * 12 * 9 * 4 * 8 + 6 * 6 * 9 * 8 * 16 + 144 * 5
    # LSTM over 24 rows: four gates with input (24 x 32), recurrent (32 x 32) weights and a bias; read-out 32 -> 5
    assert c["LSTM"]["params"] == 4 * (24 * 32 + 32 * 32 + 32) + 32 * 5 + 5
    assert c["LSTM"]["macs"] == 24 * 4 * (24 * 32 + 32 * 32) + 32 * 5


def test_learning_rates_follow_the_one_standard_error_rule(recorded):
    grids = {"MLP": (1e-3, 3e-4, 1e-4), "CNN": (1e-2, 3e-3, 1e-3), "LSTM": (3e-2, 1e-2, 3e-3)}   # largest first
    for name, rates in grids.items():
        scores = np.array(recorded["grid_val_accuracy"][name])
        means = scores.mean(axis=1)
        best = int(np.argmax(means))
        se = scores[best].std(ddof=1) / np.sqrt(scores.shape[1])
        first_within = next(i for i, m in enumerate(means) if m >= means[best] - se)
        assert recorded["learning_rate"][name] == rates[first_within], name


def test_networks_beat_an_independent_linear_model_that_also_breaks_under_shift(recorded, split):
    mean, sd = split["X_train"].mean(), split["X_train"].std()

    def features(X):
        return ((X - mean) / sd).reshape(len(X), -1)

    model = LogisticRegression(C=0.01, max_iter=2000).fit(features(split["X_train"]), split["y_train"])
    clean = model.score(features(split["X_test"]), split["y_test"])
    moved = np.mean([model.score(features(faces.shift(split["X_test"], dx, dy)), split["y_test"])
                     for dx, dy in ((3, 0), (-3, 0))])
    assert 0.3 < clean < recorded["accuracy"]["CNN"]["mean"], "the CNN should beat a linear model on pixels"
    assert moved < clean - 0.1, "a pixel-wise linear model loses accuracy under a 3-pixel shift"
    assert recorded["robustness"]["MLP"]["3 px horizontal"]["mean"] < recorded["accuracy"]["MLP"]["mean"] - 0.1


def test_recorded_results_are_internally_consistent(recorded):
    for name in ("MLP", "CNN", "LSTM"):
        a = recorded["accuracy"][name]
        assert 0.2 < a["mean"] < 1.0 and 0 < a["sd"] < 0.2
        assert recorded["updates"][name]["mean"] > 0
    for entry in recorded["clips"].values():
        assert 0.2 <= entry["mean"] <= 1.0


# ----------------------------------------------------------------------------- the Answer, claim by claim
NAMES = ("MLP", "CNN", "LSTM")


@pytest.fixture(scope="module")
def text(answer):
    """The Answer with every run of white space as one space (line breaks fall anywhere in Markdown)."""
    return " ".join(answer.split())


def significant(recorded, key, name):
    """A paired difference over seeds that is positive at the 5 % level in this run."""
    return recorded[key][name]["mean"] > 0 and recorded[f"{key}_p"][name] < 0.05


def test_answer_table_quotes_the_stored_results_column_by_column(stored, text):
    d = stored["data"]
    assert f"{d['n_train']:,} synthetic {d['size']} × {d['size']} faces" in text and "5 seeds" in text
    rows = {"parameters": [f"{stored['counts'][n]['params']:,}" for n in NAMES],
            "parameter updates": [pm(stored["updates"][n]) for n in NAMES],
            "clean faces": [pm(stored["accuracy"][n]) for n in NAMES]}
    for label, key in (("shifted 3 px sideways", "3 px horizontal"), ("shifted 3 px vertically", "3 px vertical"),
                       ("noise $\\sigma = 0.2$", "noise 0.2"), ("mouth covered", "mouth covered")):
        rows[label] = [pm(stored["robustness"][n][key]) for n in NAMES]
    for label, cells in rows.items():
        assert f"| {label} | " + " | ".join(cells) + " |" in text, label


def test_answer_cnn_paragraph(recorded, stored, text):
    counts = stored["counts"]
    assert min(NAMES, key=lambda n: counts[n]["params"]) == "CNN"                       # fewest parameters
    assert min(NAMES, key=lambda n: recorded["updates"][n]["mean"]) == "CNN"            # ... and updates
    assert diff(stored["paired_clean"]["CNN - MLP"]) in text
    assert significant(recorded, "paired_clean", "CNN - MLP")                            # more accurate than the MLP
    for other in ("MLP", "LSTM"):                                                        # most tolerant of sideways shifts
        assert diff(stored["contrasts"][f"horizontal 3 px: CNN - {other}"]) in text
        assert significant(recorded, "contrasts", f"horizontal 3 px: CNN - {other}")
    lead = "CNN - LSTM"                                                                  # ... a tie on clean faces
    assert f"({diff(stored['paired_clean'][lead])}, {stats.format_p(stored['paired_clean_p'][lead])}) is a tie" in text
    assert recorded["paired_clean_p"][lead] >= 0.05
    assert diff(stored["contrasts"]["noise 0.2: LSTM - CNN"]) in text                  # the LSTM beats it under noise
    assert significant(recorded, "contrasts", "noise 0.2: LSTM - CNN")
    cost, gain = stored["augmentation"]["clean"], stored["augmentation"]["noise 0.2"]    # noisy training copies
    assert f"cost {stats.format_pm(-cost['mean'], cost['se'])} of clean" in text
    assert recorded["augmentation"]["clean"]["mean"] < 0 and recorded["augmentation_p"]["clean"] < 0.05
    assert f"({diff(gain)}, {stats.format_p(stored['augmentation_p']['noise 0.2'])})" in text
    assert recorded["augmentation_p"]["noise 0.2"] >= 0.05                              # no significant gain


def test_answer_mlp_lstm_mouth_and_clip_claims(recorded, stored, text):
    assert max(NAMES, key=lambda n: stored["counts"][n]["params"]) == "MLP"              # the most parameters
    for key in ("3 px horizontal", "3 px vertical"):                                     # a 3-px shift halves it
        ratio = recorded["robustness"]["MLP"][key]["mean"] / recorded["accuracy"]["MLP"]["mean"]
        assert 0.4 < ratio < 0.6, key
    vertical = "LSTM: vertical - horizontal, 3 px"
    assert f"{diff(stored['contrasts'][vertical])} over a sideways one" in text
    assert significant(recorded, "contrasts", vertical)
    assert "covered, each loses over 0.4." in text                                      # all rely on the mouth
    for n in NAMES:
        assert recorded["accuracy"][n]["mean"] - recorded["robustness"][n]["mouth covered"]["mean"] > 0.4, n
    assert f"({pm(stored['clips']['LSTM'])})" in text
    refit, all_frames = "LSTM - last frame, refitted", "LSTM - all frames, refitted"
    assert f"refitted last frame ({diff(stored['clip_pairs'][refit])})" in text
    assert significant(recorded, "clip_pairs", refit)                                    # beats the refitted last frame
    assert f"({diff(stored['clip_pairs'][all_frames])})".replace("-", "−") in text
    assert not significant(recorded, "clip_pairs", all_frames)                           # ... but not all eight frames
