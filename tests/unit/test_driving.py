"""helpers.synthetic.driving: the lane-keeping environment follows the Gymnasium API and its documented model."""
from __future__ import annotations

import inspect
import math
import warnings

import numpy as np
import pytest
from gymnasium import spaces
from gymnasium.utils.env_checker import check_env

from helpers.synthetic.driving import ACTION_NAMES, HEADING_SCALE, STEER_LEVELS, LaneKeepingEnv


def rollout(env: LaneKeepingEnv, seed: int, actions) -> list:
    out = [env.reset(seed=seed)]
    for a in actions:
        out.append(env.step(a))
        if out[-1][2] or out[-1][3]:
            break
    return out


def test_gymnasium_env_checker_passes_without_warnings():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        check_env(LaneKeepingEnv(), skip_render_check=True)
    assert [str(w.message) for w in caught] == []


def test_spaces():
    env = LaneKeepingEnv()
    assert isinstance(env.action_space, spaces.Discrete) and env.action_space.n == 5 == len(ACTION_NAMES)
    assert isinstance(env.observation_space, spaces.Box)
    assert env.observation_space.shape == (5,) and env.observation_space.dtype == np.float32
    np.testing.assert_allclose(env.steer_levels, 0.05 * STEER_LEVELS)
    assert env.steer_levels[0] > 0 > env.steer_levels[-1], "action 0 steers left (positive curvature)"


def test_same_seed_same_episode_other_seed_other_road():
    env = LaneKeepingEnv()
    actions = np.random.default_rng(0).integers(0, 5, 60)
    a = rollout(env, 3, actions)
    b = rollout(env, 3, actions)
    assert len(a) == len(b)
    np.testing.assert_array_equal(a[0][0], b[0][0])
    for x, y in zip(a[1:], b[1:]):
        np.testing.assert_array_equal(x[0], y[0])
        assert x[1:4] == y[1:4] and x[4] == y[4]
    env.reset(seed=3)
    road3 = {k: v.copy() for k, v in env.road.items()}
    env.reset(seed=4)
    assert not np.array_equal(road3["phases"], env.road["phases"])


def test_observations_stay_in_the_box_and_match_the_state():
    env = LaneKeepingEnv()
    obs, info = env.reset(seed=11)
    assert obs.dtype == np.float32 and obs.shape == (5,) and env.observation_space.contains(obs)
    assert abs(info["offset"]) <= 0.5 and abs(info["heading_error"]) <= 0.05 and info["s"] == 0.0
    rng = np.random.default_rng(1)
    for _ in range(100):
        obs, reward, terminated, truncated, info = env.step(int(rng.integers(5)))
        assert env.observation_space.contains(obs)
        expected = [info["offset"] / env.half_width, info["heading_error"] / HEADING_SCALE,
                    env.road_curvature(info["s"]) / 0.05, env.road_curvature(info["s"] + env.lookahead) / 0.05,
                    info["steer_curvature"] / 0.05]
        np.testing.assert_allclose(obs, np.clip(expected, -2, 2), rtol=1e-6, atol=1e-6)
        if terminated or truncated:
            break


def test_dynamics_and_reward_follow_the_documented_equations():
    env = LaneKeepingEnv(centre_weight=0.7, steer_weight=0.3, heading_noise=0.0)
    _, info = env.reset(seed=5)
    prev_steer = 0.0
    for action in [0, 0, 1, 2, 4, 3, 2, 2]:
        e, psi, s = info["offset"], info["heading_error"], info["s"]
        kr = env.road_curvature(s)
        kc = 0.05 * STEER_LEVELS[action]
        s_dot = 10.0 * math.cos(psi) / (1 - kr * e)
        _, reward, terminated, _, info = env.step(action)
        assert not terminated
        assert info["offset"] == pytest.approx(e + 10.0 * math.sin(psi) * 0.1, abs=1e-12)
        assert info["heading_error"] == pytest.approx(psi + (10.0 * kc - kr * s_dot) * 0.1, abs=1e-12)
        assert info["s"] == pytest.approx(s + s_dot * 0.1, abs=1e-12)
        expected = s_dot / 10.0 - 0.7 * (info["offset"] / 2.0) ** 2 - 0.3 * abs(kc - prev_steer) / 0.05
        assert reward == pytest.approx(expected, abs=1e-12)
        prev_steer = kc


def test_leaving_the_road_terminates_with_the_crash_penalty():
    env = LaneKeepingEnv(crash_penalty=7.5)
    steps = rollout(env, 0, [0] * 200)            # hard left until off the road
    *_, (obs, reward, terminated, truncated, info) = steps
    assert terminated and not truncated and reward == -7.5
    assert abs(info["offset"]) > 2.0 or abs(info["heading_error"]) > math.pi / 2
    assert len(steps) - 1 < 100


def test_time_limit_truncates():
    env = LaneKeepingEnv(max_steps=7, heading_noise=0.0, max_road_curvature=0.0)
    env.reset(seed=0)
    env.offset, env.heading_error = 0.0, 0.0      # a straight road driven straight never ends by itself
    flags = [env.step(2)[2:4] for _ in range(7)]
    assert flags[:-1] == [(False, False)] * 6 and flags[-1] == (False, True)


def test_road_geometry_is_consistent():
    env = LaneKeepingEnv()
    env.reset(seed=2)
    s = np.linspace(0, 110, 2201)
    kappa = env.road_curvature(s)
    assert np.abs(kappa).max() <= 0.02 + 1e-12
    theta = env.road_heading(s)
    np.testing.assert_allclose(np.gradient(theta, s, edge_order=2), kappa, atol=1e-6)   # heading' = curvature
    x, y = env.to_world(s)
    np.testing.assert_allclose(np.hypot(np.diff(x), np.diff(y)), np.diff(s), rtol=1e-3)  # arc length
    xl, yl = env.to_world(s, 2.0)
    np.testing.assert_allclose(np.hypot(xl - x, yl - y), 2.0)            # edges at the half width
    with pytest.raises(ValueError, match="s must lie in"):
        env.to_world(-1.0)


def test_methods_need_reset_and_valid_actions():
    env = LaneKeepingEnv()
    with pytest.raises(RuntimeError, match="reset"):
        env.step(0)
    env.reset(seed=0)
    for bad in (5, -1):
        with pytest.raises(ValueError, match=rf"^LaneKeepingEnv.step: action must be an integer in \[0, 4\]; "
                                             rf"got {bad}$"):
            env.step(bad)
    for bad in (1.5, "left", True):
        with pytest.raises(TypeError, match=r"^LaneKeepingEnv.step: action must be an integer in \[0, 4\]; got .* \("):
            env.step(bad)
    env.step(np.int64(2))                         # numpy integers (Discrete.sample) are accepted


@pytest.mark.parametrize("how", ["terminated", "truncated"])
def test_a_step_after_the_episode_ended_is_refused_until_reset(how):
    env = LaneKeepingEnv(max_steps=3 if how == "truncated" else 100)
    env.reset(seed=0)
    flags = (False, False)
    while flags == (False, False):
        flags = env.step(0)[2:4]                   # hard left leaves the road well before 100 steps
    assert flags == ((True, False) if how == "terminated" else (False, True))
    state = (env.s, env.offset, env.t)
    with pytest.raises(RuntimeError, match=rf"^LaneKeepingEnv: the episode was {how} at step {env.t}; call reset\(\)"):
        env.step(2)
    assert (env.s, env.offset, env.t) == state       # nothing moved
    env.reset(seed=1)
    assert env.step(2)[2:4] == (False, False)


@pytest.mark.parametrize("name, value, error, allowed", [
    ("centre_weight", -0.1, ValueError, ">= 0"), ("steer_weight", float("nan"), ValueError, ">= 0"),
    ("crash_penalty", "10", TypeError, ">= 0"), ("speed", 0.0, ValueError, r"in \(0, 40\]"),
    ("dt", 2.0, ValueError, r"in \(0, 1\]"), ("half_width", -1, ValueError, r"in \(0, 10\]"),
    ("max_road_curvature", 0.3, ValueError, r"in \[0, 0.2\]"),
    ("max_steer_curvature", 0.0, ValueError, r"in \(0, 0.5\]"), ("lookahead", 101, ValueError, r"in \[0, 100\]"),
    ("heading_noise", 0.2, ValueError, r"in \[0, 0.1\]"), ("max_steps", 0, ValueError, r"in \[1, 10000\]"),
    ("max_steps", 2.5, TypeError, r"in \[1, 10000\]"),
])
def test_parameter_validation_names_the_parameter_and_range(name, value, error, allowed):
    with pytest.raises(error, match=rf"^LaneKeepingEnv: {name} must be .*{allowed}; got "):
        LaneKeepingEnv(**{name: value})


def test_steering_must_be_able_to_follow_the_sharpest_bend():
    with pytest.raises(ValueError, match="max_steer_curvature must be larger than max_road_curvature"):
        LaneKeepingEnv(max_road_curvature=0.05, max_steer_curvature=0.04)


def test_every_parameter_and_method_is_documented():
    doc = LaneKeepingEnv.__doc__
    for name in inspect.signature(LaneKeepingEnv).parameters:
        assert name in doc, f"parameter {name} is not documented"
    for method in (LaneKeepingEnv.reset, LaneKeepingEnv.step, LaneKeepingEnv.to_world, LaneKeepingEnv.road_curvature):
        assert method.__doc__
