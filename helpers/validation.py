"""Argument checks shared by the seeded data generators (faces, audio, recsys, ...).

Each raises with a message naming the parameter and the allowed range, e.g.
``n_items must be an integer in [2, 100000]; got 1``.
"""
from __future__ import annotations

from typing import Any

import numpy as np


def check_generator(rng: Any) -> None:
    """``rng`` must be a ``numpy.random.Generator`` (never the global random state)."""
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator (np.random.default_rng(seed)); got {type(rng).__name__}")


def check_int(name: str, value: Any, lo: int, hi: int) -> int:
    """``value`` as an int in ``[lo, hi]`` (bools are refused)."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not lo <= value <= hi:
        raise ValueError(f"{name} must be an integer in [{lo}, {hi}]; got {value!r}")
    return int(value)


def check_float(name: str, value: Any, lo: float, hi: float, *, open_lo: bool = False) -> float:
    """``value`` as a finite float in ``[lo, hi]`` (``(lo, hi]`` with ``open_lo``)."""
    interval = f"{'(' if open_lo else '['}{lo}, {hi}]"
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or not np.isfinite(value):
        raise ValueError(f"{name} must be a number in {interval}; got {value!r}")
    value = float(value)
    if not ((lo < value) if open_lo else (lo <= value)) or value > hi:
        raise ValueError(f"{name} must be a number in {interval}; got {value!r}")
    return value
