"""Losses: softmax cross-entropy, binary cross-entropy (both from logits), mean squared error.

Every loss has the same two calls::

    value = loss.forward(outputs, targets)   # a Python float (mean over the batch)
    doutputs = loss.backward()               # gradient of value w.r.t. outputs, same shape

``loss(outputs, targets)`` is ``loss.forward(outputs, targets)``.
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit



def log_softmax(logits: np.ndarray, axis: int = -1) -> np.ndarray:
    """``log(softmax(logits))`` computed stably (subtract the row maximum first)."""
    shifted = logits - logits.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def softmax(logits: np.ndarray, axis: int = -1) -> np.ndarray:
    """Row-wise softmax, stable for large logits."""
    e = np.exp(logits - logits.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def sigmoid(z: np.ndarray) -> np.ndarray:
    """``1 / (1 + exp(-z))`` without overflow."""
    return expit(z)


class Loss:
    """Base class: ``forward(outputs, targets) -> float`` and ``backward() -> doutputs``."""

    def __call__(self, outputs: np.ndarray, targets: np.ndarray) -> float:
        return self.forward(outputs, targets)

    def forward(self, outputs: np.ndarray, targets: np.ndarray) -> float:
        raise NotImplementedError

    def backward(self) -> np.ndarray:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class SoftmaxCrossEntropy(Loss):
    """Cross-entropy of the softmax of ``logits`` with integer class labels.

    ``L = -mean_n log softmax(logits_n)[y_n]``; gradient ``(softmax - onehot(y)) / N``.

    Shapes: ``logits`` (N, C) floats, ``targets`` (N,) integers in [0, C).
    """

    def forward(self, logits: np.ndarray, targets: np.ndarray) -> float:
        logits = np.asarray(logits)
        y = np.asarray(targets)
        if logits.ndim != 2:
            raise ValueError(f"SoftmaxCrossEntropy: expected logits of shape (N, C), got shape {logits.shape}")
        n, c = logits.shape
        if y.shape != (n,):
            raise ValueError(f"SoftmaxCrossEntropy: expected targets of shape ({n},) (integer labels), "
                             f"got shape {y.shape}")
        if not np.issubdtype(y.dtype, np.integer):
            if not np.all(np.mod(y, 1) == 0):
                raise TypeError("SoftmaxCrossEntropy: targets must be integer class labels, "
                                f"got dtype {y.dtype}")
            y = y.astype(np.int64)
        if n and (y.min() < 0 or y.max() >= c):
            raise ValueError(f"SoftmaxCrossEntropy: labels must be in [0, {c - 1}] for {c} logits, "
                             f"got range [{y.min()}, {y.max()}]")
        logp = log_softmax(logits)
        rows = np.arange(n)
        self._cache = (logp, y)
        return float(-logp[rows, y].mean())

    def backward(self) -> np.ndarray:
        logp, y = self._cache
        n = logp.shape[0]
        d = np.exp(logp)
        d[np.arange(n), y] -= 1
        d /= n
        return d


class BinaryCrossEntropy(Loss):
    """Binary cross-entropy of ``sigmoid(logits)`` with 0/1 targets.

    ``L = mean(softplus(z) - y z)``, the stable form of
    ``-[y log s + (1 - y) log(1 - s)]``; gradient ``(sigmoid(z) - y) / size``.

    Shapes: ``logits`` (N,) or (N, 1) (or any shape), ``targets`` the same shape,
    or (N,) for (N, 1) logits. Targets may be probabilities in [0, 1].
    """

    def forward(self, logits: np.ndarray, targets: np.ndarray) -> float:
        z = np.asarray(logits)
        y = np.asarray(targets)
        if y.shape != z.shape:
            if z.ndim == 2 and z.shape[1] == 1 and y.shape == (z.shape[0],):
                y = y[:, None]
            else:
                raise ValueError(f"BinaryCrossEntropy: targets shape {y.shape} must match logits "
                                 f"shape {z.shape}")
        if y.size and (y.min() < 0 or y.max() > 1):
            raise ValueError(f"BinaryCrossEntropy: targets must be in [0, 1], got range [{y.min()}, {y.max()}]")
        y = y.astype(z.dtype)
        self._cache = (z, y)
        return float(np.mean(np.logaddexp(0, z) - y * z))

    def backward(self) -> np.ndarray:
        z, y = self._cache
        return (sigmoid(z) - y) / z.size


class MeanSquaredError(Loss):
    """``L = mean((outputs - targets) ** 2)`` over all elements; gradient ``2 (outputs - targets) / size``.

    Shapes: ``outputs`` any shape, ``targets`` the same (or (N,) for (N, 1) outputs).
    """

    def forward(self, outputs: np.ndarray, targets: np.ndarray) -> float:
        out = np.asarray(outputs)
        y = np.asarray(targets)
        if y.shape != out.shape:
            if out.ndim == 2 and out.shape[1] == 1 and y.shape == (out.shape[0],):
                y = y[:, None]
            else:
                raise ValueError(f"MeanSquaredError: targets shape {y.shape} must match outputs shape {out.shape}")
        self._diff = out - y.astype(out.dtype)
        return float(np.mean(self._diff ** 2))

    def backward(self) -> np.ndarray:
        return 2 * self._diff / self._diff.size
