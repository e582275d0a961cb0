"""A2 Q2 (DQN lane keeping): the recorded answers against an independent re-evaluation.

Reads build/results/a2_q2_dqn_driving.json (written when the notebook runs under `make test`),
drives the random policy and the hand-written controllers again on the recorded evaluation roads
with helpers.synthetic.driving, repeats the controller's gain search, and checks the DQN's recorded numbers
for consistency and against the random policy.
"""
from __future__ import annotations

import numpy as np
import pytest

from helpers.synthetic.driving import HEADING_SCALE, LaneKeepingEnv

NOTEBOOK = "a2_q2_dqn_driving"


def episode_return(env: LaneKeepingEnv, seed: int, choose) -> tuple[float, bool]:
    """Drive one road; `choose(obs, env)` picks the action. Returns (return, left the road)."""
    obs, _ = env.reset(seed=seed)
    env.action_space.seed(seed)
    total, terminated, truncated = 0.0, False, False
    while not (terminated or truncated):
        obs, reward, terminated, truncated, _ = env.step(choose(obs, env))
        total += reward
    return total, terminated


def proportional(k_e: float, k_psi: float):
    """kappa = kappa_road - k_e e - k_psi psi from the observation, rounded to the nearest steering level."""
    def choose(obs, env):
        e = float(obs[0]) * env.half_width
        psi = float(obs[1]) * HEADING_SCALE
        kappa_road = float(obs[2]) * env.max_steer_curvature
        command = kappa_road - k_e * e - k_psi * psi
        distances = [abs(level - command) for level in env.steer_levels]
        return distances.index(min(distances))
    return choose


def returns_on(recorded: dict, seeds, choose) -> tuple[np.ndarray, int]:
    env = LaneKeepingEnv(**recorded["env_kwargs"])
    out = [episode_return(env, int(s), choose) for s in seeds]
    return np.array([r for r, _ in out]), sum(c for _, c in out)


def test_settings_are_consistent(recorded):
    assert recorded["n_seeds"] >= 3 and recorded["n_train_episodes"] >= 100
    assert recorded["n_eval_episodes"] == len(recorded["eval_seeds"]) >= 20
    assert len(set(recorded["eval_seeds"])) == len(recorded["eval_seeds"])
    assert not set(recorded["eval_seeds"]) & set(recorded["tune_seeds"]), "evaluation roads must not be tuning roads"
    max_steps = recorded["env_kwargs"]["max_steps"]
    assert len(recorded["env_steps_per_seed"]) == recorded["n_seeds"]
    for steps in recorded["env_steps_per_seed"]:
        assert recorded["n_train_episodes"] <= steps <= recorded["n_train_episodes"] * max_steps


def test_random_policy_matches_an_independent_run(recorded):
    returns, crashes = returns_on(recorded, recorded["eval_seeds"], lambda obs, env: env.action_space.sample())
    assert returns.mean() == pytest.approx(recorded["random_mean"], rel=1e-9, abs=1e-9)
    assert returns.std(ddof=1) == pytest.approx(recorded["random_sd"], rel=1e-9, abs=1e-9)
    assert crashes == recorded["random_crashes"]


def test_designed_gains_follow_from_omega_and_zeta(recorded):
    speed, omega_n, zeta = 10.0, 0.8, 0.8                    # the notebook's design choices
    np.testing.assert_allclose(recorded["design_gains"], [(omega_n / speed) ** 2, 2 * zeta * omega_n / speed])


@pytest.mark.parametrize("which", ["design", "tuned"])
def test_controllers_match_an_independent_run(recorded, which):
    k_e, k_psi = recorded[f"{which}_gains"]
    returns, _ = returns_on(recorded, recorded["eval_seeds"], proportional(k_e, k_psi))
    assert returns.mean() == pytest.approx(recorded[f"{which}_mean"], rel=1e-9, abs=1e-9)
    assert returns.std(ddof=1) == pytest.approx(recorded[f"{which}_sd"], rel=1e-9, abs=1e-9)


def test_tuned_gains_are_the_best_of_the_grid_on_the_tuning_roads(recorded):
    grid = recorded["tune_grid"]
    scores = {(k_e, k_psi): returns_on(recorded, recorded["tune_seeds"], proportional(k_e, k_psi))[0].mean()
              for k_e in grid["k_offset"] for k_psi in grid["k_heading"]}
    assert list(max(scores, key=scores.get)) == recorded["tuned_gains"]


def test_dqn_numbers_are_consistent_and_it_beats_random(recorded):
    max_steps = recorded["env_kwargs"]["max_steps"]
    seed_means = recorded["dqn_seed_means"]
    assert len(seed_means) == recorded["n_seeds"]
    assert np.mean(seed_means) == pytest.approx(recorded["dqn_mean"], rel=1e-12)   # equal-sized pools
    assert 0 <= recorded["dqn_sd"] < 50
    assert -recorded["env_kwargs"]["crash_penalty"] <= recorded["dqn_mean"] <= 1.05 * max_steps
    assert 0 <= recorded["dqn_crashes"] <= recorded["n_seeds"] * recorded["n_eval_episodes"]
    # the learned policy must be far better than driving at random, on every seed
    assert recorded["dqn_beats_random"] is True
    assert min(seed_means) > recorded["random_mean"] + 3 * recorded["random_sd"]
    assert recorded["dqn_beats_design"] == (recorded["dqn_mean"] > recorded["design_mean"])
    assert recorded["dqn_beats_tuned"] == (recorded["dqn_mean"] > recorded["tuned_mean"])
