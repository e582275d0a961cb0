"""A2 Q2 (DQN lane keeping): the recorded answers against independent computations, and every claim
of the Answer against the recorded results.

Independent computations: the random policy and both controllers are driven again on the recorded
evaluation roads with a scalar re-implementation of their rules; the controller's grid search is
repeated on the tuning roads; the textbook gains follow from omega_n and zeta; every paired
comparison is recomputed with scipy from the recorded per-seed and per-road returns (the baselines'
returns taken from this test's own drives); the dead band and 1 - gamma^k follow from the recorded
sigma_i and refresh counts.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as sps

from helpers import stats
from helpers.synthetic.driving import HEADING_SCALE, LaneKeepingEnv

NOTEBOOK = "a2_q2_dqn_driving"
TUNE_SEEDS = list(range(20))
BASELINES = {"random": "random policy", "design": "controller, textbook design", "tuned": "controller for five levels"}


# ----------------------------------------------------------------------------- independent drives
def episode_return(env: LaneKeepingEnv, seed: int, choose) -> tuple[float, bool]:
    """Drive one road; `choose(obs, env)` picks the action. Returns (return, left the road)."""
    obs, _ = env.reset(seed=seed)
    env.action_space.seed(seed)
    total, terminated, truncated = 0.0, False, False
    while not (terminated or truncated):
        obs, reward, terminated, truncated, _ = env.step(choose(obs, env))
        total += reward
    return total, terminated


def proportional(k_e: float, k_psi: float, band: float):
    """kappa = kappa_road - k_e e - k_psi psi at the nearest level; the current level is kept unless another
    is nearer by more than band x (level spacing), one observation at a time with plain floats."""
    def choose(obs, env):
        kappa_max = env.max_steer_curvature
        e, psi, kappa_road = float(obs[0]) * env.half_width, float(obs[1]) * HEADING_SCALE, float(obs[2]) * kappa_max
        command = kappa_road - k_e * e - k_psi * psi
        distances = [abs(float(level) - command) for level in env.steer_levels]
        previous = float(obs[4]) * kappa_max
        current = min(range(len(distances)), key=lambda i: abs(float(env.steer_levels[i]) - previous))
        distances[current] -= band * kappa_max / 2
        return min(range(len(distances)), key=distances.__getitem__)
    return choose


def eval_seeds(recorded: dict) -> list[int]:
    return list(range(*recorded["eval_seed_range"]))


def returns_on(recorded: dict, seeds, choose) -> np.ndarray:
    env = LaneKeepingEnv(**recorded["env_kwargs"])
    return np.array([episode_return(env, int(s), choose)[0] for s in seeds])


def random_choice(obs, env):
    return int(env.action_space.sample())


@pytest.fixture(scope="module")
def baseline_returns(recorded) -> dict[str, np.ndarray]:
    seeds = eval_seeds(recorded)
    return {"random": returns_on(recorded, seeds, random_choice),
            "design": returns_on(recorded, seeds, proportional(*recorded["design_gains"])),
            "tuned": returns_on(recorded, seeds, proportional(*recorded["tuned_gains"]))}


# ----------------------------------------------------------------------------- settings and baselines
def test_settings_are_consistent(recorded):
    assert recorded["n_seeds"] >= 5 and recorded["n_discount_seeds"] >= 5 and len(recorded["lr_scores"][0]) >= 5
    assert recorded["episodes"] >= 100
    assert len(eval_seeds(recorded)) >= 20 and len(recorded["dqn_road_returns"]) == len(eval_seeds(recorded))
    assert not set(eval_seeds(recorded)) & set(TUNE_SEEDS), "evaluation roads must not be tuning roads"
    assert recorded["lr"] in recorded["learning_rates"]
    assert sorted(recorded["variant_seed_returns"]) == sorted(
        ["full DQN", "no replay", "no target network", "squared loss"])
    assert all(len(r) == recorded["n_seeds"] for r in recorded["variant_seed_returns"].values())
    runs = (len(recorded["learning_rates"]) * len(recorded["lr_scores"][0])
            + len(recorded["variant_seed_returns"]) * recorded["n_seeds"]
            + (len(recorded["discounts"]) - 1) * recorded["n_discount_seeds"] + 5
            + sum(len(scores) * len(scores[0]) for scores in recorded["retune_scores"].values()))
    assert runs == 92, "the Question's budget paragraph states 92 training runs"
    assert all(len(scores) == len(recorded["learning_rates"]) and len(scores[0]) == len(recorded["lr_scores"][0])
               for scores in recorded["retune_scores"].values()), "the failing variants get the whole grid"


def test_baselines_match_an_independent_run(recorded, baseline_returns):
    for key, returns in baseline_returns.items():
        np.testing.assert_allclose([returns.mean(), returns.std(ddof=1)], recorded[f"{key}_return"], rtol=1e-9)


def test_textbook_gains_follow_from_omega_and_zeta(recorded):
    speed, omega_n, zeta = 10.0, 0.8, 0.8                    # the notebook's design choices (section 7)
    np.testing.assert_allclose(recorded["design_gains"], [(omega_n / speed) ** 2, 2 * zeta * omega_n / speed, 0.0])


def test_tuned_controller_is_the_best_of_the_grid_on_the_tuning_roads(recorded):
    grid = recorded["tune_grid"]
    scores = {(k_e, k_psi, b): returns_on(recorded, TUNE_SEEDS, proportional(k_e, k_psi, b)).mean()
              for k_e in grid["k_offset"] for k_psi in grid["k_heading"] for b in grid["hysteresis"]}
    assert list(max(scores, key=scores.get)) == recorded["tuned_gains"]


def test_learning_rate_is_the_best_mean_validation_score(recorded):
    means = np.mean(recorded["lr_scores"], axis=1)
    assert recorded["lr"] == recorded["learning_rates"][int(np.argmax(means))]


# ----------------------------------------------------------------------------- paired comparisons
def check_paired(reported: list, a, b) -> None:
    """The recorded [mean, se] of a paired difference, and helpers.stats' interval and p-value, against a
    direct computation and scipy's paired t-test on the same pairs."""
    d = np.asarray(a, float) - np.asarray(b, float)
    se = d.std(ddof=1) / math.sqrt(len(d))
    assert reported == pytest.approx([d.mean(), se], abs=1e-9)
    half = sps.t.ppf(0.975, len(d) - 1) * se
    ours = stats.paired_difference(a, b)
    assert (ours.low, ours.high) == pytest.approx((d.mean() - half, d.mean() + half), abs=1e-9)
    if se > 0:
        assert sps.ttest_rel(a, b).pvalue == pytest.approx(ours.p_value, rel=1e-9)


def paired(recorded: dict, name: str):
    """A variant against the full DQN, paired by seed, from the recorded per-seed returns."""
    seeds = recorded["variant_seed_returns"]
    return stats.paired_difference(seeds[name], seeds["full DQN"])


def against_baseline(recorded: dict, returns: np.ndarray, how: str):
    """The DQN against a baseline's per-road returns, paired by seed or by road."""
    if how == "seeds":
        per_seed = recorded["variant_seed_returns"]["full DQN"]
        return stats.paired_difference(per_seed, np.full(len(per_seed), returns.mean()))
    return stats.paired_difference(recorded["dqn_road_returns"], returns)


def test_ablation_differences_recomputed(recorded):
    seeds = recorded["variant_seed_returns"]
    for name in ("no replay", "no target network", "squared loss"):
        check_paired(recorded[f"vs_full_{name.replace(' ', '_')}"], seeds[name], seeds["full DQN"])
        assert recorded["variant_failed"][name] <= recorded["n_seeds"]


def retuned(recorded: dict, name: str):
    """A failing variant at its own best validation rate minus the full DQN at the chosen rate, paired by seed."""
    scores = np.array(recorded["retune_scores"][name])
    full = recorded["lr_scores"][recorded["learning_rates"].index(recorded["lr"])]
    return scores[int(np.argmax(scores.mean(axis=1)))], full


def test_retuned_variants_recomputed(recorded):
    for name in recorded["retune_scores"]:
        check_paired(recorded[f"retuned_vs_full_{name.replace(' ', '_')}"], *retuned(recorded, name))


def test_dqn_spreads_and_comparisons_recomputed(recorded, baseline_returns):
    per_seed = np.array(recorded["variant_seed_returns"]["full DQN"])
    per_road = np.array(recorded["dqn_road_returns"])
    assert per_seed.mean() == pytest.approx(per_road.mean(), abs=1e-9) == pytest.approx(recorded["dqn_mean"], abs=1e-9)
    assert per_seed.std(ddof=1) == pytest.approx(recorded["dqn_sd_seeds"], abs=1e-9)
    assert per_road.std(ddof=1) == pytest.approx(recorded["dqn_sd_roads"], abs=1e-9)
    for key, returns in baseline_returns.items():
        check_paired(recorded[f"dqn_vs_{key}_by_seeds"], per_seed, np.full(len(per_seed), returns.mean()))
        check_paired(recorded[f"dqn_vs_{key}_by_roads"], per_road, returns)


def test_dead_band_and_value_ratio_follow_from_their_formulas(recorded):
    w_c, h = recorded["env_kwargs"]["centre_weight"], recorded["env_kwargs"]["half_width"]
    np.testing.assert_allclose(recorded["dead_band"], h * np.sqrt(np.array(recorded["sigma"]) / w_c), rtol=1e-9)
    for g in recorded["discounts"]:
        assert len(recorded["refreshes"][str(g)]) == len(recorded["value_ratio"][str(g)]) == recorded["n_discount_seeds"]
        assert np.all(np.array(recorded["refreshes"][str(g)]) > 0)


def test_notebook_prose_claims_hold(recorded):
    design, tuned = recorded["design_gains"], recorded["tuned_gains"]
    assert tuned[0] > design[0] and tuned[2] > 0, "the tuned law is stiffer and uses a hysteresis band"
    td = recorded["td_final"]
    assert td["no target network"] > 100 * td["full DQN"], "without a target network the TD error keeps growing"
    assert min(recorded["strip_straight"]) == 0, "some seeds never choose 'straight' on the straight-road line"
    reference = recorded["gamma_returns"]["0.95"]
    assert reference == pytest.approx(recorded["variant_seed_returns"]["full DQN"][:len(reference)], abs=1e-9)
    for g in ("0.9", "0.99"):
        d = stats.paired_difference(recorded["gamma_returns"][g], reference)
        assert d.low <= 0 <= d.high, f"gamma = {g}: the returns of the discounts cannot be told apart"


# ----------------------------------------------------------------------------- the Answer, claim by claim
def pm(value, uncertainty, signed=False):
    return stats.format_pm(value, uncertainty, signed=signed)


def test_answer_setup_sentence(stored, answer):
    assert f"{stored['n_seeds']} seeds, {len(eval_seeds(stored))} unseen roads" in answer
    assert "five steering levels" in answer and "10 m ahead" in answer


def test_answer_ablations(stored, recorded, answer):
    n, failed = stored["n_seeds"], stored["variant_failed"]
    no_target, no_replay = stored["vs_full_no_target_network"], stored["vs_full_no_replay"]
    assert f"all {n} seeds failed ({pm(*no_target, True)})" in answer
    assert recorded["variant_failed"]["no target network"] == recorded["n_seeds"]
    assert f"without replay {failed['no replay']} of {n} ({pm(*no_replay, True)})" in answer
    for name in ("no target network", "no replay"):
        assert paired(recorded, name).high < 0, f"{name} is worse than the full DQN"
    at_best = ", ".join(pm(*stored[f"retuned_vs_full_{key}"], True) for key in ("no_target_network", "no_replay"))
    assert f"each at its best learning rate still trails on validation ({at_best})" in " ".join(answer.split())
    for name in ("no target network", "no replay"):
        assert stats.paired_difference(*retuned(recorded, name)).high < 0, f"{name} at its best rate is worse"
    assert "Squared loss instead of Huber cannot be told apart from the full DQN " \
           f"({pm(*stored['vs_full_squared_loss'], True)})" in " ".join(answer.split())
    assert paired(recorded, "squared loss").covers_zero, "squared loss: a tie with the full DQN"


def test_answer_how_well_it_drives(stored, recorded, answer, baseline_returns):
    assert f"Return {pm(stored['dqn_mean'], stored['dqn_sd_seeds'])} (sd over seeds; over roads " \
           f"{stored['dqn_sd_roads']:.1f}, so training luck decides)" in answer
    assert recorded["dqn_sd_seeds"] > 5 * recorded["dqn_sd_roads"]
    for key, phrase in [("random", "better than random steering"), ("design", "tied with the textbook controller"),
                        ("tuned", "worse than a controller designed for five levels")]:
        assert phrase in answer and pm(*stored[f"dqn_vs_{key}_by_seeds"], True) in answer
        for how in ("seeds", "roads"):
            d = against_baseline(recorded, baseline_returns[key], how)
            if key == "random":
                assert d.low > 0
            elif key == "design":
                assert d.covers_zero, "a tie with the textbook controller, by seed and by road"
            else:
                assert d.high < 0


def test_answer_diagnosis(stored, recorded, answer):
    w_c, h = stored["env_kwargs"]["centre_weight"], stored["env_kwargs"]["half_width"]
    wait_cost = w_c * (0.4 / h) ** 2
    assert f"{wait_cost:.2f} at 0.4 m" in answer
    sigma, band = np.array(stored["sigma"]), np.array(stored["dead_band"])
    assert f"= {pm(sigma.mean(), sigma.std(ddof=1))}, mean ± sd over seeds" in answer
    assert f"= {pm(band.mean(), band.std(ddof=1))} m" in answer
    assert w_c * (0.4 / h) ** 2 < np.mean(recorded["sigma"]), "waiting one step at 0.4 m costs less than sigma"
    share, offset = np.array(stored["straight_share"]), np.array(stored["signed_offset"])
    assert f'"straight" on {100 * share.min():.0f}% to {100 * share.max():.0f}% of steps' in answer
    assert f"from {-offset.min():.2f} m right to {offset.max():.2f} m left" in answer
    assert min(recorded["signed_offset"]) < 0 < max(recorded["signed_offset"]), "seeds settle on both sides"


def test_answer_discount(stored, recorded, answer):
    r9, r99 = np.array(stored["value_ratio"]["0.9"]), np.array(stored["value_ratio"]["0.99"])
    assert f"({pm(r9.mean(), r9.std(ddof=1))} at $\\gamma$ = 0.9, {pm(r99.mean(), r99.std(ddof=1))} at 0.99)" in answer
    ratio = {g: np.mean(v) for g, v in recorded["value_ratio"].items()}
    predicted = {g: np.mean(1 - float(g) ** np.array(k)) for g, k in recorded["refreshes"].items()}
    assert ratio["0.9"] > ratio["0.95"] > ratio["0.99"], "a larger discount leaves the values further from converged"
    for g in ratio:
        assert 0 < ratio[g] - predicted[g] < 0.15, f"gamma = {g}: the ratio is about (a little above) 1 - gamma^k"
