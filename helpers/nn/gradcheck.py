"""Numerical gradient checks by central differences.

``check_layer_gradients(layer, x, rng)`` compares every gradient a layer's
backward pass computes (input and parameters) with central differences of the
scalar ``f = sum(layer.forward(x) * dout)`` for a fixed random ``dout``, and
returns the relative errors::

    rel_error(a, n) = max|a - n| / max(max(|a| + |n|), tiny)

In float64 a correct layer gives about 1e-8 or less; a bug gives ~1e-2 to 1.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable

import numpy as np

from ..validation import check_float, check_rng
from .core import Module

TINY = 1e-300


def relative_error(analytic: np.ndarray, numeric: np.ndarray) -> float:
    """``max|a - n| / max(max(|a| + |n|), tiny)``; 0 when both are all zero."""
    a, n = np.asarray(analytic, dtype=np.float64), np.asarray(numeric, dtype=np.float64)
    if a.shape != n.shape:
        raise ValueError(f"relative_error: shapes differ, {a.shape} and {n.shape}")
    if a.size == 0:
        return 0.0
    return float(np.max(np.abs(a - n)) / max(float(np.max(np.abs(a) + np.abs(n))), TINY))


def numerical_gradient(f: Callable[[np.ndarray], float], array: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Central-difference gradient of the scalar ``f(array)`` with respect to ``array``.

    ``array`` is perturbed in place, one entry at a time, and restored:
    ``grad[i] = (f(a + eps e_i) - f(a - eps e_i)) / (2 eps)``. So ``f`` may
    ignore its argument and read the array through a layer (e.g. a weight).

    Parameters
    ----------
    f : callable, ndarray -> float
    array : ndarray (float64 for meaningful results)
    eps : float > 0, default 1e-6

    Returns
    -------
    ndarray, same shape as ``array``.
    """
    eps = check_float(eps, "eps", "numerical_gradient", low=0.0, low_open=True)
    grad = np.zeros(array.shape, dtype=np.float64)
    flat = array.reshape(-1)  # a view: writing it changes array
    if not np.shares_memory(flat, array):
        raise ValueError("numerical_gradient: array must be contiguous so it can be perturbed in place")
    g = grad.reshape(-1)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + eps
        f_plus = f(array)
        flat[i] = old - eps
        f_minus = f(array)
        flat[i] = old
        g[i] = (f_plus - f_minus) / (2 * eps)
    return grad


def _rng_states(model: Module) -> list:
    """Bit-generator states of layers that draw random numbers in forward (Dropout)."""
    return [(m.rng, copy.deepcopy(m.rng.bit_generator.state)) for m in model.modules()
            if isinstance(getattr(m, "rng", None), np.random.Generator)]


def check_layer_gradients(layer: Module, x: np.ndarray, rng: np.random.Generator, *, eps: float = 1e-6,
                          dtype=np.float64) -> dict[str, float]:
    """Relative errors of a layer's (or model's) backward pass against central differences.

    The check runs on a copy of ``layer`` converted to ``dtype`` (float64 by
    default), so the layer itself is untouched. The copy keeps its training mode
    (call ``layer.eval()`` first to check evaluation mode). Random layers
    (Dropout) replay the same random numbers at every evaluation.

    Parameters
    ----------
    layer : Module
    x : ndarray
        An input batch (keep it small: each entry costs two forward passes).
    rng : numpy.random.Generator
        Draws the upstream gradient ``dout``.
    eps : float > 0, default 1e-6
    dtype : float64 (default) or float32

    Returns
    -------
    dict
        ``{"x": error, "<param>": error, ...}`` with dotted parameter names,
        e.g. ``{"x": 3e-10, "0.W": 1e-10, "0.b": 4e-11, ...}``.
    """
    if not isinstance(layer, Module):
        raise TypeError(f"check_layer_gradients: layer must be a helpers.nn Module, got {type(layer).__name__}")
    check_rng(rng, "check_layer_gradients")
    layer = copy.deepcopy(layer).astype(dtype)
    x = np.array(x, dtype=dtype)  # a private copy, perturbed in place
    states = _rng_states(layer)

    def forward(inp):
        for gen, state in states:
            gen.bit_generator.state = copy.deepcopy(state)
        return layer.forward(inp)

    out = forward(x)
    dout = rng.standard_normal(np.shape(out)).astype(dtype)
    dx = layer.backward(dout)
    analytic = {"x": np.array(dx)}
    for m, name in layer.parameters():
        analytic[id(m), name] = m.grads[name].copy()

    def f(_):
        return float(np.sum(forward(x) * dout))

    errors = {"x": relative_error(analytic["x"], numerical_gradient(f, x, eps))}
    for prefix, m in layer.named_modules():
        for name, p in m.params.items():
            key = f"{prefix}.{name}" if prefix else name
            errors[key] = relative_error(analytic[id(m), name], numerical_gradient(f, p, eps))
    return errors


def format_check(errors: dict[str, float] | float, tol: float = 1e-6) -> str:
    """One line saying whether a gradient check passed, with the order of magnitude.

    ``format_check({"x": 3.2e-10, "W": 8e-9})`` ->
    ``"passed (relative error ~1e-9 < 1e-6)"``: the largest error is shown
    only as its power of ten (rounded down), so the line does not change from run
    to run; a failure names the worst array.
    """
    tol = check_float(tol, "tol", "format_check", low=0.0, low_open=True)
    if isinstance(errors, dict):
        if not errors:
            raise ValueError("format_check: errors is empty")
        worst = max(errors, key=lambda k: errors[k])
        err = float(errors[worst])
    else:
        worst, err = None, float(errors)
    power = math.floor(math.log10(tol))
    tol_txt = f"1e{power}" if tol == 10.0 ** power else f"{tol:g}"
    if err == 0.0:
        mag = "0"
    elif not math.isfinite(err):
        mag = str(err)
    else:
        mag = f"~1e{math.floor(math.log10(err))}"
    if err < tol:
        return f"passed (relative error {mag} < {tol_txt})"
    where = f" in {worst}" if worst is not None else ""
    return f"FAILED (relative error {mag} >= {tol_txt}{where})"
