"""Weight initialisation.

* **He (Kaiming) normal**, ``std = sqrt(2 / fan_in)``: keeps the variance of
  activations constant through ReLU-style layers (He et al., 2015). The default
  of :class:`Linear` and :class:`Conv2D`.
* **Glorot (Xavier) uniform**, ``U(-a, a)`` with ``a = sqrt(6 / (fan_in + fan_out))``:
  for tanh/sigmoid layers and for the input weights of RNN/LSTM
  (Glorot and Bengio, 2010). Pass ``init="glorot"`` to Linear/Conv2D.
* **Orthogonal**: recurrent weights ``W_h`` start as an orthogonal matrix, so
  repeated multiplication neither shrinks nor grows the hidden state at first.

``fan_in`` is the number of inputs feeding one output unit (``in_features`` or
``in_channels * kh * kw``), ``fan_out`` the number of outputs one input feeds.
"""

from __future__ import annotations

import numpy as np

INITS = ("he", "glorot")


def he_normal(shape: tuple[int, ...], fan_in: int, rng: np.random.Generator, dtype: type) -> np.ndarray:
    return (rng.standard_normal(shape) * np.sqrt(2.0 / fan_in)).astype(dtype)


def glorot_uniform(shape: tuple[int, ...], fan_in: int, fan_out: int, rng: np.random.Generator,
                   dtype: type) -> np.ndarray:
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=shape).astype(dtype)


def init_weight(kind: str, shape: tuple[int, ...], fan_in: int, fan_out: int,
                rng: np.random.Generator, dtype: type) -> np.ndarray:
    """He normal (``kind="he"``) or Glorot uniform (``kind="glorot"``) weights."""
    if kind == "he":
        return he_normal(shape, fan_in, rng, dtype)
    return glorot_uniform(shape, fan_in, fan_out, rng, dtype)


def orthogonal(n: int, rng: np.random.Generator, dtype: type) -> np.ndarray:
    """A random ``(n, n)`` orthogonal matrix (QR of a Gaussian matrix, signs fixed)."""
    q, r = np.linalg.qr(rng.standard_normal((n, n)))
    return (q * np.sign(np.diag(r))).astype(dtype)
