"""A4 Q1 (deep recurrent and recursive networks): the recorded answers against independent computations,
and every sentence of the Answer.

Independently of the notebook this test

- rebuilds the sunspot windows from the monthly file with plain loops, and recomputes the persistence
  forecast and the linear model (scikit-learn's LinearRegression) on them;
- counts the stacked networks' parameters by hand;
- regenerates the expression trees from the recorded seed (``experiment_seed(seed, k)``) and recomputes the
  majority class by counting and the bag of symbols from the prefix token lists (not ``symbol_counts``),
  for the max/min trees and those with +;
- checks that the accuracy by depth averages back to the overall accuracy;

then asserts each number the Answer quotes against ``stored`` at its printed precision, and each claim's
logic (a tie, "worse", "beats", "holds") against ``recorded``.
"""
from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression, LogisticRegression

from helpers import stats
from helpers.data import load_sunspots_monthly
from helpers.seeds import experiment_seed
from helpers.synthetic import trees

NOTEBOOK = "a4_q1_recurrent_recursive"


# ------------------------------------------------------------------------------ the sunspot task
@pytest.fixture(scope="module")
def sunspot_windows():
    time, x = load_sunspots_monthly()
    i_val, i_test = (int(np.flatnonzero(time >= year)[0]) for year in (1916, 1958))
    scale = x[:i_val].max()

    def window(t):
        quarters = [sum(x[m] for m in range(t - 60 + 3 * q, t - 60 + 3 * q + 3)) / 3 for q in range(20)]
        return [v / scale for v in quarters], sum(x[t:t + 12]) / 12 / scale, sum(x[t - 12:t]) / 12 / scale

    parts = {"train": range(60, i_val - 11, 6), "val": range(i_val, i_test - 11), "test": range(i_test, len(x) - 11)}
    out = {}
    for part, targets in parts.items():
        rows = [window(t) for t in targets]
        out[part] = (np.array([r[0] for r in rows]), np.array([r[1] for r in rows]), np.array([r[2] for r in rows]))
    return out, scale


def test_window_counts(recorded, sunspot_windows):
    windows, _ = sunspot_windows
    for part, (X, y, _) in windows.items():
        assert recorded[f"n_{part}_windows"] == len(y), part


def test_baselines_recomputed(recorded, sunspot_windows):
    windows, scale = sunspot_windows
    X_tr, y_tr, _ = windows["train"]
    X_te, y_te, last_year = windows["test"]
    linear = LinearRegression().fit(X_tr, y_tr).predict(X_te)
    rmse = {"persistence": np.sqrt(np.mean((last_year - y_te) ** 2)) * scale,
            "linear": np.sqrt(np.mean((linear - y_te) ** 2)) * scale}
    for name, value in rmse.items():
        assert recorded["baseline_test_rmse"][name] == pytest.approx(value, rel=1e-6), name


def test_parameter_counts_by_hand(recorded):
    H = 16
    for L in (1, 2, 3):
        by_hand = (1 * H + H * H + H) + (L - 1) * (H * H + H * H + H) + (H + 1)
        assert recorded["stacked_params"][str(L)] == by_hand


# ------------------------------------------------------------------------------ the expression trees
def regenerate(recorded, which, ops):
    rng = np.random.default_rng(experiment_seed(recorded["seed"], recorded["tree_experiments"][which]))
    n = recorded["n_trees"]
    return {part: trees.make_trees(n[part], rng, min_depth=1, max_depth=recorded["tree_max_depth"], ops=ops)
            for part in ("train", "val", "test")}


def token_counts(tree_list, ops):
    """Bag of symbols from the prefix token lists (independently of trees.symbol_counts)."""
    rows = []
    for t in tree_list:
        c = Counter(trees.to_prefix(t))
        rows.append([c[str(v)] for v in range(10)] + [c[o] for o in ops])
    return np.array(rows)


@pytest.fixture(scope="module")
def maxmin(recorded):
    return regenerate(recorded, "max/min", ("max", "min"))


def test_majority_class_by_counting(recorded, maxmin):
    counts = Counter(trees.evaluate(t) for t in maxmin["train"])
    top = max(sorted(counts), key=lambda v: counts[v])
    acc = sum(trees.evaluate(t) == top for t in maxmin["test"]) / len(maxmin["test"])
    assert recorded["majority_test_accuracy"] == pytest.approx(acc, abs=1e-12)


@pytest.mark.parametrize("which, ops, key", [("max/min", ("max", "min"), "bag_of_symbols_test_accuracy"),
                                             ("with +", ("max", "min", "+"), "plus_bag_of_symbols_test_accuracy")])
def test_bag_of_symbols(recorded, which, ops, key):
    sets = regenerate(recorded, which, ops)
    model = LogisticRegression(max_iter=5000).fit(token_counts(sets["train"], ops), [trees.evaluate(t) for t in sets["train"]])
    acc = model.score(token_counts(sets["test"], ops), [trees.evaluate(t) for t in sets["test"]])
    assert recorded[key] == pytest.approx(acc, abs=1.5 / len(sets["test"]))


def test_accuracy_by_depth_averages_to_the_overall_accuracy(recorded, maxmin):
    depth = np.array([trees.depth(t) for t in maxmin["test"]])
    share = np.bincount(depth, minlength=recorded["tree_max_depth"] + 1)[1:] / len(depth)
    by_depth = recorded["accuracy_by_depth"]
    assert np.dot(by_depth["recursive"], share) == pytest.approx(recorded["recursive_root_only_test_accuracy"]["mean"])
    assert np.dot(by_depth["LSTM"], share) == pytest.approx(recorded["lstm_test_accuracy"]["mean"])
    assert np.dot(by_depth["bag of symbols"], share) == pytest.approx(recorded["bag_of_symbols_test_accuracy"])
    assert by_depth["recursive"][0] > 0.95 and by_depth["recursive"][-1] > by_depth["LSTM"][-1]


def test_gradient_checks(recorded):
    assert recorded["grad_check_max_rel_error"] < 1e-6
    assert recorded["batched_vs_recursive_rel_error"] < 1e-10


# ------------------------------------------------------------------------------ the Answer, sentence by sentence
def pm(d, *, signed=False, spread="sd"):
    return stats.format_pm(d["mean"], d[spread], signed=signed)


@pytest.fixture(scope="module")
def text(answer):
    """The Answer with its line breaks folded into spaces."""
    return " ".join(answer.split())


def test_answer_applications(text):
    for phrase in ("ordered sequences of any length", "language", "speech", "translation", "time series",
                   "given hierarchies", "parse trees", "phrase sentiment", "molecules", "program syntax trees"):
        assert phrase in text


def test_answer_deep_recurrent_network(text, stored, recorded):
    t, base, d = stored["stacked_test_rmse"], stored["baseline_test_rmse"], stored["stacked_paired_test_differences"]
    assert (f"reach test RMSE {pm(t['1'])}, {pm(t['2'])} and {pm(t['3'])}, all below the linear model "
            f"({base['linear']:.1f}) and persistence ({base['persistence']:.1f})") in text
    now = recorded["stacked_paired_test_differences"]
    assert all(now[f"{L} layers - linear"]["high"] < 0 for L in (1, 2, 3)), "every depth beats the linear model"
    two = d["2 - 1 layers"]
    assert (f"2 and 1 layers cannot be told apart (paired difference {pm(two, signed=True, spread='se')}, 95% CI "
            f"{stats.format_interval(two['low'], two['high'], two['se'], signed=True)})") in text
    assert now["2 - 1 layers"]["low"] <= 0 <= now["2 - 1 layers"]["high"]
    assert f"3 layers were worse than 1 ({pm(d['3 - 1 layers'], signed=True, spread='se')})" in text
    assert now["3 - 1 layers"]["low"] > 0


def test_answer_probes(text, stored, recorded):
    p = stored["probe_r2_last_step"]
    assert (f"from layer 1 (R² {pm(p['layer 1, target'])}) as from layer 2 ({pm(p['layer 2, target'])})") in text
    gain = recorded["probe_target_layer2_minus_layer1"]
    assert gain["low"] <= 0 <= gain["high"], "layer 2 holds the target no better than layer 1"


def bag_interval(stored):
    """The bag of symbols' test accuracy with its 95% Wilson interval, as the Answer prints it."""
    n = stored["n_trees"]["test"]
    return str(stats.wilson_interval(round(stored["bag_of_symbols_test_accuracy"] * n), n))


def test_answer_recursive_network(text, stored, recorded):
    rec, lstm, diff = (stored[k] for k in ("recursive_root_only_test_accuracy", "lstm_test_accuracy", "recursive_minus_lstm"))
    assert (f"it scores {pm(rec)} against {pm(lstm)} for an LSTM reading the same tokens "
            f"(paired {pm(diff, signed=True, spread='se')}; McNemar p < 0.001 for every seed pair) and "
            f"{bag_interval(stored)} for a bag of symbols") in text
    assert recorded["recursive_minus_lstm"]["low"] > 0 and recorded["mcnemar_largest_p"] < 0.001
    assert recorded["recursive_root_only_test_accuracy"]["mean"] > recorded["bag_of_symbols_test_accuracy"]


def test_answer_internal_nodes(text, stored, recorded):
    probe = stored["internal_node_probe"]
    assert (f"a linear probe reads them with accuracy {pm(probe['trained'])} ({pm(probe['untrained'])} before "
            "training)") in text
    now = recorded["internal_node_probe"]
    assert now["trained"]["mean"] > 0.9 and now["trained"]["mean"] - now["untrained"]["mean"] > 0.2


def test_answer_richer_composition(text, stored, recorded):
    acc, diff = stored["plus_test_accuracy"], stored["plus_two_minus_one_layer"]
    assert (f"the one-layer composition plateaus at {pm(acc['1-layer composition'])}; a two-layer composition reaches "
            f"{pm(acc['2-layer composition'])} (paired {pm(diff, signed=True, spread='se')})") in text
    assert recorded["plus_two_minus_one_layer"]["low"] > 0
