"""Dense layers: Linear, Flatten and (inverted) Dropout."""

from __future__ import annotations

import math

import numpy as np

from ..validation import check_choice, check_dtype, check_float, check_int, check_rng
from .core import Module
from .init import INITS, init_weight


class Linear(Module):
    """Fully connected layer ``out = x @ W + b``.

    Parameters
    ----------
    in_features, out_features : int
        Sizes D of the input and H of the output.
    rng : numpy.random.Generator
        Source of the initial weights.
    init : {"he", "glorot"}, default "he"
        He normal (for ReLU-style layers that follow) or Glorot uniform (tanh,
        sigmoid, or an output layer); see :mod:`helpers.nn.init`.
    bias : bool, default True
    dtype : float32 (default) or float64

    Shapes
    ------
    x : (N, D) -> out : (N, H). Any leading axes are allowed, e.g. (N, T, D) ->
    (N, T, H) applies the same layer at every time step.
    Parameters ``W`` : (D, H), ``b`` : (H,).
    """

    def __init__(self, in_features: int, out_features: int, *, rng: np.random.Generator,
                 init: str = "he", bias: bool = True, dtype=np.float32) -> None:
        super().__init__()
        self.in_features = check_int(in_features, "in_features", "Linear")
        self.out_features = check_int(out_features, "out_features", "Linear")
        self.init = check_choice(init, "init", "Linear", INITS)
        self.dtype = check_dtype(dtype, "Linear")
        check_rng(rng, "Linear")
        self.params["W"] = init_weight(init, (in_features, out_features), in_features, out_features, rng, self.dtype)
        if bias:
            self.params["b"] = np.zeros(out_features, dtype=self.dtype)
        self.zero_grad()
        self._x = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x)
        if x.ndim < 2 or x.shape[-1] != self.in_features:
            raise ValueError(f"Linear: expected input of shape (N, {self.in_features}), got shape {x.shape}")
        if x.dtype != self.dtype:
            x = x.astype(self.dtype)
        self._x = x
        out = x @ self.params["W"]
        if "b" in self.params:
            out += self.params["b"]
        return out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        x2 = self._x.reshape(-1, self.in_features)
        d2 = dout.reshape(-1, self.out_features)
        self.grads["W"] = x2.T @ d2
        if "b" in self.params:
            self.grads["b"] = d2.sum(axis=0)
        return dout @ self.params["W"].T

    def output_shape(self, input_shape):
        return (*input_shape[:-1], self.out_features)

    def macs(self, input_shape):
        return math.prod(input_shape[:-1]) * self.in_features * self.out_features

    def extra_repr(self):
        bias = "" if "b" in self.params else ", bias=False"
        return f"{self.in_features} -> {self.out_features}, init={self.init!r}{bias}"


class Flatten(Module):
    """Reshape ``(N, d1, d2, ...)`` to ``(N, d1 * d2 * ...)``."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x)
        if x.ndim < 2:
            raise ValueError(f"Flatten: expected input with a batch axis, shape (N, ...), got shape {x.shape}")
        self._shape = x.shape
        return x.reshape(x.shape[0], -1)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return dout.reshape(self._shape)

    def output_shape(self, input_shape):
        return (math.prod(input_shape),)


class Dropout(Module):
    """Inverted dropout: in training, zero each unit with probability ``p`` and
    scale the survivors by ``1 / (1 - p)`` so the expected activation is unchanged;
    in evaluation mode the layer is the identity.

    Parameters
    ----------
    p : float in [0, 1)
        Probability of dropping a unit.
    rng : numpy.random.Generator
        Source of the dropout masks.
    """

    def __init__(self, p: float = 0.5, *, rng: np.random.Generator) -> None:
        super().__init__()
        self.p = check_float(p, "p", "Dropout", low=0.0, high=1.0, high_open=True)
        self.rng = check_rng(rng, "Dropout")
        self._mask = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x)
        if not self.training or self.p == 0.0:
            self._mask = None
            return x
        dt = x.dtype.type if x.dtype in (np.float32, np.float64) else np.float64
        keep = self.rng.random(x.shape, dtype=dt) >= self.p
        self._mask = keep * dt(1.0 / (1.0 - self.p))
        return x * self._mask

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return dout if self._mask is None else dout * self._mask

    def extra_repr(self):
        return f"p={self.p:g}"
