"""Element-wise activations: ReLU, LeakyReLU, Tanh, Sigmoid. Any input shape."""

from __future__ import annotations

import numpy as np
from scipy.special import expit

from ..validation import check_float
from .core import Module


class ReLU(Module):
    """``max(x, 0)``; the gradient at exactly 0 is taken as 0."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        out = np.maximum(x, 0)
        self._out = out
        return out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return dout * (self._out > 0)


class LeakyReLU(Module):
    """``x`` for x > 0, ``negative_slope * x`` otherwise.

    Parameters
    ----------
    negative_slope : float in [0, 1), default 0.01
    """

    def __init__(self, negative_slope: float = 0.01) -> None:
        super().__init__()
        self.negative_slope = check_float(negative_slope, "negative_slope", "LeakyReLU",
                                          low=0.0, high=1.0, high_open=True)

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x)
        self._positive = x > 0
        return np.where(self._positive, x, x * x.dtype.type(self.negative_slope))

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return np.where(self._positive, dout, dout * dout.dtype.type(self.negative_slope))

    def extra_repr(self):
        return f"negative_slope={self.negative_slope:g}"


class Tanh(Module):
    """``tanh(x)``; derivative ``1 - tanh(x)**2``."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        self._out = np.tanh(x)
        return self._out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return dout * (1 - self._out * self._out)


class Sigmoid(Module):
    """``1 / (1 + exp(-x))`` (computed without overflow); derivative ``s (1 - s)``."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        self._out = expit(x)
        return self._out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return dout * self._out * (1 - self._out)
