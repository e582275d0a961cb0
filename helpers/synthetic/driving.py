"""A small lane-keeping task on a curving road, written to the Gymnasium API.

The car drives at constant speed along a randomly curving road; the agent only steers. The
model is a kinematic one in road-aligned (Frenet) coordinates, simple enough to read in full and
to train a Deep Q-Network on in seconds, yet with the ingredients of the real problem: a
continuous state, delayed consequences of steering, curves that have to be anticipated and a
road edge that ends the episode. It is a teaching model, not a vehicle simulator: no tyre forces,
no actuator lag, no other traffic.

State and dynamics
------------------
``s`` (m) distance travelled along the centre line, ``e`` (m) lateral offset from the centre line
(positive to the left), ``psi`` (rad) heading error (car heading minus road heading, positive =
pointing left of the road direction), ``kappa_road(s)`` (1/m) the road's curvature (positive =
left bend). An action sets the curvature of the car's path ``kappa_car`` (the steering angle of a
kinematic bicycle: ``kappa_car = tan(delta) / wheelbase``). With speed ``v`` and time step ``dt``
one step is (explicit Euler)::

    s_dot = v cos(psi) / (1 - kappa_road(s) e)
    e    <- e   + v sin(psi) dt
    psi  <- psi + (v kappa_car - kappa_road(s) s_dot) dt + heading_noise * N(0, 1)
    s    <- s   + s_dot dt

The noise term is a small random disturbance of the heading (gusts, road camber), drawn from
the environment's seeded ``np_random``.

Road
----
``kappa_road(s) = max_road_curvature * sum_j a_j sin(2 pi s / L_j + phi_j)`` with three terms,
``a_j`` positive and summing to 1 (so ``|kappa_road| <= max_road_curvature``), wavelengths
``L_j ~ U(40, 160)`` m and phases ``phi_j ~ U(0, 2 pi)``, all drawn at ``reset(seed=...)``. The
road heading is its integral (closed form) and the centre line in the plane is integrated
numerically for plotting (:meth:`LaneKeepingEnv.to_world`).

Actions (``Discrete(5)``)
-------------------------
0 hard left, 1 left, 2 straight, 3 right, 4 hard right:
``kappa_car = max_steer_curvature * [1, 0.5, 0, -0.5, -1][action]``.

Observation (``Box(-2, 2, (5,), float32)``, clipped to the box)
---------------------------------------------------------------
``[e / half_width, psi / 0.5, kappa_road(s) / max_steer_curvature,
kappa_road(s + lookahead) / max_steer_curvature, kappa_car_previous / max_steer_curvature]``.
The previous steering is part of the state because the smoothness penalty depends on it.

Reward
------
Per step: ``r = progress - centre_weight * (e / half_width)**2 - steer_weight * |kappa_car -
kappa_car_previous| / max_steer_curvature``, where ``progress = s_dot dt / (v dt)`` is the
distance gained along the road as a fraction of the distance driven (1 when aligned with the
road). A step that leaves the road (``|e| > half_width``) or turns across it (``|psi| > pi/2``)
ends the episode (``terminated``) and earns ``-crash_penalty`` instead. After ``max_steps``
steps the episode is ``truncated`` (a time limit, not a failure: value-based agents should
still bootstrap from that state).
"""
from __future__ import annotations

import math

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from ..validation import check_float, check_int

#: Steering levels as fractions of ``max_steer_curvature``, indexed by action.
STEER_LEVELS = np.array([1.0, 0.5, 0.0, -0.5, -1.0])
ACTION_NAMES = ("hard left", "left", "straight", "right", "hard right")
#: Scale of the heading error in the observation (rad).
HEADING_SCALE = 0.5
OBS_NAMES = ("offset / half width", "heading error / 0.5 rad", "road curvature here (scaled)",
             "road curvature ahead (scaled)", "previous steering (scaled)")
N_ROAD_TERMS = 3
WAVELENGTH_RANGE = (40.0, 160.0)


class LaneKeepingEnv(gym.Env):
    """Keep a car in its lane on a curving road by choosing one of five steering levels.

    Parameters
    ----------
    centre_weight : float >= 0, default 1.0
        Weight of the squared normalised offset ``(e / half_width)**2`` (stay centred).
    steer_weight : float >= 0, default 0.1
        Weight of the steering change ``|kappa_car - previous| / max_steer_curvature`` (smooth steering;
        hard left to hard right costs ``2 * steer_weight``).
    crash_penalty : float >= 0, default 10.0
        Reward of the step that leaves the road (replaces that step's other terms).
    max_steps : int in [1, 10000], default 100
        Time limit; the episode is truncated after this many steps.
    speed : float in (0, 40], default 10.0
        Constant speed v (m/s).
    dt : float in (0, 1], default 0.1
        Time step (s); with the defaults the car moves 1 m per step.
    half_width : float in (0, 10], default 2.0
        Half the lane width (m): the road edge is at ``|e| = half_width``.
    max_road_curvature : float in [0, 0.2], default 0.02
        Largest road curvature (1/m); 0.02 is a bend of radius 50 m.
    max_steer_curvature : float in (0, 0.5], default 0.05
        Path curvature of "hard left" (1/m), a turning radius of 20 m. Must exceed
        ``max_road_curvature`` or some bends cannot be followed.
    lookahead : float in [0, 100], default 10.0
        Distance ahead (m) at which the observation reports the road curvature.
    heading_noise : float in [0, 0.1], default 0.005
        Standard deviation (rad) of the random heading disturbance per step.

    Attributes after ``reset``: ``road`` (dict with ``amplitudes``, ``wavelengths``, ``phases``, each
    shape (3,)), ``s``, ``offset``, ``heading_error``, ``steer`` (current ``kappa_car``), ``t``.
    """

    metadata = {"render_modes": []}

    def __init__(self, *, centre_weight: float = 1.0, steer_weight: float = 0.1, crash_penalty: float = 10.0,
                 max_steps: int = 100, speed: float = 10.0, dt: float = 0.1, half_width: float = 2.0,
                 max_road_curvature: float = 0.02, max_steer_curvature: float = 0.05,
                 lookahead: float = 10.0, heading_noise: float = 0.005) -> None:
        super().__init__()
        owner = "LaneKeepingEnv"
        self.centre_weight = check_float(centre_weight, "centre_weight", owner, low=0.0)
        self.steer_weight = check_float(steer_weight, "steer_weight", owner, low=0.0)
        self.crash_penalty = check_float(crash_penalty, "crash_penalty", owner, low=0.0)
        self.max_steps = check_int(max_steps, "max_steps", owner, low=1, high=10_000)
        self.speed = check_float(speed, "speed", owner, low=0.0, high=40.0, low_open=True)
        self.dt = check_float(dt, "dt", owner, low=0.0, high=1.0, low_open=True)
        self.half_width = check_float(half_width, "half_width", owner, low=0.0, high=10.0, low_open=True)
        self.max_road_curvature = check_float(max_road_curvature, "max_road_curvature", owner, low=0.0, high=0.2)
        self.max_steer_curvature = check_float(max_steer_curvature, "max_steer_curvature", owner,
                                               low=0.0, high=0.5, low_open=True)
        if self.max_steer_curvature <= self.max_road_curvature:
            raise ValueError(f"LaneKeepingEnv: max_steer_curvature must be larger than max_road_curvature "
                             f"({self.max_road_curvature:g}) so every bend can be followed; "
                             f"got {self.max_steer_curvature:g}")
        self.lookahead = check_float(lookahead, "lookahead", owner, low=0.0, high=100.0)
        self.heading_noise = check_float(heading_noise, "heading_noise", owner, low=0.0, high=0.1)

        self.action_space = spaces.Discrete(len(STEER_LEVELS))
        self.observation_space = spaces.Box(low=-2.0, high=2.0, shape=(5,), dtype=np.float32)
        self.steer_levels = self.max_steer_curvature * STEER_LEVELS
        self.road: dict[str, np.ndarray] | None = None
        self._terms: list[tuple[float, float, float]] = []
        self._centre = None
        #: How the current episode ended ("terminated" or "truncated"), None while it runs.
        self.ended: str | None = None

    # -- the road --------------------------------------------------------------
    def road_curvature(self, s):
        """Road curvature kappa_road(s) (1/m) at distance(s) ``s`` (float or array of any shape)."""
        self._require_reset()
        a, lam, phi = self.road["amplitudes"], self.road["wavelengths"], self.road["phases"]
        s = np.asarray(s, dtype=float)[..., None]
        return self.max_road_curvature * np.sum(a * np.sin(2 * np.pi * s / lam + phi), axis=-1)

    def road_heading(self, s):
        """Road heading theta(s) = integral of kappa_road from 0 to s (rad); theta(0) = 0."""
        self._require_reset()
        a, lam, phi = self.road["amplitudes"], self.road["wavelengths"], self.road["phases"]
        s = np.asarray(s, dtype=float)[..., None]
        k = 2 * np.pi / lam
        return self.max_road_curvature * np.sum(a / k * (np.cos(phi) - np.cos(k * s + phi)), axis=-1)

    def _centre_line(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Centre line sampled every 0.25 m over the longest distance an episode can cover."""
        if self._centre is None:
            length = 1.2 * self.max_steps * self.speed * self.dt + self.lookahead + 10.0
            s = np.linspace(0.0, length, int(length / 0.25) + 1)
            theta = self.road_heading(s)
            ds = np.diff(s)
            x = np.concatenate([[0.0], np.cumsum(0.5 * (np.cos(theta[1:]) + np.cos(theta[:-1])) * ds)])
            y = np.concatenate([[0.0], np.cumsum(0.5 * (np.sin(theta[1:]) + np.sin(theta[:-1])) * ds)])
            self._centre = (s, x, y)
        return self._centre

    def to_world(self, s, offset=0.0) -> tuple[np.ndarray, np.ndarray]:
        """Plane coordinates (x, y) in m of the point at distance ``s`` along the road and lateral
        ``offset`` from its centre (positive to the left); arrays of equal shape broadcast."""
        grid, x, y = self._centre_line()
        s = np.asarray(s, dtype=float)
        if np.any(s < 0) or np.any(s > grid[-1]):
            raise ValueError(f"to_world: s must lie in [0, {grid[-1]:g}] m; got values in [{s.min():g}, {s.max():g}]")
        theta = self.road_heading(s)
        offset = np.asarray(offset, dtype=float)
        return (np.interp(s, grid, x) - offset * np.sin(theta), np.interp(s, grid, y) + offset * np.cos(theta))

    # -- Gymnasium API -----------------------------------------------------------
    def _require_reset(self) -> None:
        if self.road is None:
            raise RuntimeError("LaneKeepingEnv: call reset(seed=...) before step() or the road methods")

    def _kappa(self, s: float) -> float:
        """Scalar kappa_road(s) with plain floats (the hot path of step(); same formula as road_curvature)."""
        return self.max_road_curvature * sum(a * math.sin(k * s + p) for a, k, p in self._terms)

    def _observation(self) -> np.ndarray:
        k = self.max_steer_curvature
        kappa_here, kappa_ahead = self._kappa(self.s), self._kappa(self.s + self.lookahead)
        obs = np.array([self.offset / self.half_width, self.heading_error / HEADING_SCALE,
                        kappa_here / k, kappa_ahead / k, self.steer / k])
        return np.clip(obs, -2.0, 2.0).astype(np.float32)

    def _info(self) -> dict[str, float]:
        return {"s": float(self.s), "offset": float(self.offset), "heading_error": float(self.heading_error),
                "steer_curvature": float(self.steer), "t": int(self.t)}

    def reset(self, *, seed: int | None = None, options: dict | None = None):
        """Draw a new road and start state. Returns ``(observation (5,) float32, info dict)``.

        The start: ``s = 0``, offset ~ U(-0.5, 0.5) m, heading error ~ U(-0.05, 0.05) rad, steering straight.
        """
        super().reset(seed=seed)
        rng = self.np_random
        amplitudes = rng.uniform(0.2, 1.0, N_ROAD_TERMS)
        self.road = {"amplitudes": amplitudes / amplitudes.sum(),
                     "wavelengths": rng.uniform(*WAVELENGTH_RANGE, N_ROAD_TERMS),
                     "phases": rng.uniform(0.0, 2 * np.pi, N_ROAD_TERMS)}
        self._terms = [(float(a), float(2 * np.pi / lam), float(p)) for a, lam, p in
                       zip(self.road["amplitudes"], self.road["wavelengths"], self.road["phases"])]
        self._centre = None
        self.s = 0.0
        self.offset = float(rng.uniform(-0.5, 0.5))
        self.heading_error = float(rng.uniform(-0.05, 0.05))
        self.steer = 0.0
        self.t = 0
        self.ended = None
        return self._observation(), self._info()

    def step(self, action):
        """Apply one steering level for ``dt`` seconds.

        Returns ``(observation, reward, terminated, truncated, info)``; ``info`` holds the true state
        (``s``, ``offset``, ``heading_error``, ``steer_curvature``, ``t``).

        Raises
        ------
        RuntimeError
            Before the first ``reset()``, or after a step that returned ``terminated`` or ``truncated``
            (the episode is over: call ``reset()``).
        TypeError, ValueError
            ``action`` is not an integer in [0, 4].
        """
        self._require_reset()
        if self.ended is not None:
            raise RuntimeError(f"LaneKeepingEnv: the episode was {self.ended} at step {self.t}; call reset() "
                               "before stepping again")
        action = check_int(action, "action", "LaneKeepingEnv.step", low=0, high=len(STEER_LEVELS) - 1)
        kappa_car = float(self.steer_levels[int(action)])
        kappa_road = self._kappa(self.s)
        v, dt, e, psi = self.speed, self.dt, self.offset, self.heading_error
        noise = self.heading_noise * float(self.np_random.standard_normal())
        s_dot = v * math.cos(psi) / (1.0 - kappa_road * e)
        self.offset = e + v * math.sin(psi) * dt
        self.heading_error = psi + (v * kappa_car - kappa_road * s_dot) * dt + noise
        self.s += s_dot * dt
        steer_change = abs(kappa_car - self.steer) / self.max_steer_curvature
        self.steer = kappa_car
        self.t += 1

        terminated = bool(abs(self.offset) > self.half_width or abs(self.heading_error) > math.pi / 2)
        if terminated:
            reward = -self.crash_penalty
        else:
            progress = s_dot / v
            reward = (progress - self.centre_weight * (self.offset / self.half_width) ** 2
                      - self.steer_weight * steer_change)
        truncated = bool(self.t >= self.max_steps and not terminated)
        if terminated or truncated:
            self.ended = "terminated" if terminated else "truncated"
        return self._observation(), float(reward), terminated, truncated, self._info()

    def __repr__(self) -> str:
        return (f"LaneKeepingEnv(centre_weight={self.centre_weight:g}, steer_weight={self.steer_weight:g}, "
                f"crash_penalty={self.crash_penalty:g}, max_steps={self.max_steps})")

