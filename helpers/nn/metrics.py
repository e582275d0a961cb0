"""Metrics that ``fit`` and ``evaluate`` report, computed from network outputs.

Each metric is ``metric(targets, outputs) -> float``. ``fit(metrics=...)`` takes
names from ``METRICS`` or your own functions (named by ``__name__``).
"""

from __future__ import annotations

import numpy as np


def predicted_labels(outputs: np.ndarray) -> np.ndarray:
    """Class labels from network outputs: argmax of (N, C) logits for C > 1,
    ``logit > 0`` for a single logit per sample ((N,) or (N, 1))."""
    outputs = np.asarray(outputs)
    if outputs.ndim == 2 and outputs.shape[1] > 1:
        return outputs.argmax(axis=1)
    return (outputs.reshape(len(outputs)) > 0).astype(np.int64)


def accuracy(targets: np.ndarray, outputs: np.ndarray) -> float:
    """Fraction of samples whose predicted label (see ``predicted_labels``) equals the target."""
    return float(np.mean(predicted_labels(outputs) == np.asarray(targets).reshape(len(outputs))))


def mae(targets: np.ndarray, outputs: np.ndarray) -> float:
    """Mean absolute error."""
    outputs = np.asarray(outputs)
    return float(np.mean(np.abs(outputs - np.asarray(targets).reshape(outputs.shape))))


def rmse(targets: np.ndarray, outputs: np.ndarray) -> float:
    """Root mean squared error."""
    outputs = np.asarray(outputs)
    return float(np.sqrt(np.mean((outputs - np.asarray(targets).reshape(outputs.shape)) ** 2)))


METRICS = {"accuracy": accuracy, "mae": mae, "rmse": rmse}


def resolve_metrics(metrics) -> dict:
    """``{name: function}`` from names in ``METRICS`` and/or callables."""
    if metrics is None:
        return {}
    if isinstance(metrics, str) or callable(metrics):
        metrics = (metrics,)
    out = {}
    for m in metrics:
        if callable(m):
            out[getattr(m, "__name__", "metric")] = m
        elif m in METRICS:
            out[m] = METRICS[m]
        else:
            raise ValueError(f"fit: metrics must be names in {sorted(METRICS)} or callables, got {m!r}")
    return out
