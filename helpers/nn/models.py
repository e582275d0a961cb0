"""Ready-made classifiers several notebooks share: a ReLU MLP and an LSTM sequence classifier.

Both return an ordinary :class:`~helpers.nn.containers.Sequential` of the kit's layers, so they
train with :func:`~helpers.nn.train.fit`, print with :func:`~helpers.nn.summary.summary` and pass
:func:`~helpers.nn.gradcheck.check_layer_gradients` like any hand-built model::

    from helpers import nn

    mlp = nn.build_mlp(48, 64, 5, rng=rng)                        # (N, 48) -> (N, 5) logits
    bag = nn.build_mlp(24, 32, 5, rng=rng, pool="mean")            # (N, T, 24): frame-wise MLP, mean over time
    lstm = nn.build_lstm(24, 32, 5, rng=rng)                       # (N, T, 24): read-out from h_T
    pooled = nn.build_lstm(24, 32, 5, rng=rng, readout="mean")     # read-out from the mean of h_1 .. h_T

Hidden layers start from He-normal weights (they feed a ReLU), output layers from Glorot-uniform
weights; the LSTM's forget-gate bias starts at 1 (see :class:`~helpers.nn.recurrent.LSTM`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..validation import check_choice, check_dtype, check_int, check_rng
from .activations import ReLU
from .containers import Sequential
from .layers import Linear
from .pooling import PoolOverTime
from .recurrent import LSTM

POOLS = ("mean", "max")
READOUTS = ("last", *POOLS)


def _hidden_sizes(hidden, owner: str) -> list[int]:
    if isinstance(hidden, (int, np.integer)) and not isinstance(hidden, bool):
        return [check_int(hidden, "hidden", owner)]
    if isinstance(hidden, Sequence) and not isinstance(hidden, str):
        return [check_int(h, f"hidden[{i}]", owner) for i, h in enumerate(hidden)]
    raise TypeError(f"{owner}: hidden must be an integer (one hidden layer) or a sequence of integers "
                    f"(one per hidden layer, empty for none); got {hidden!r}")


def build_mlp(n_in: int, hidden: int | Sequence[int], n_out: int, *, rng: np.random.Generator,
              pool: str | None = None, dtype=np.float32) -> Sequential:
    """A ReLU multilayer perceptron ``Linear, ReLU, ..., Linear`` that outputs ``n_out`` logits.

    Parameters
    ----------
    n_in, n_out : int >= 1
        Input features and outputs (classes).
    hidden : int or sequence of int
        Width of the one hidden layer, or of each hidden layer in order (``()``: a linear model).
    rng : numpy.random.Generator
        Source of the initial weights.
    pool : None, "mean" or "max"
        None: input (N, n_in). "mean" / "max": input (N, T, n_in); the hidden layers act on every
        step alone, then :class:`~helpers.nn.pooling.PoolOverTime` pools them over time before the
        output layer: a bag-of-frames network, whose output no reordering of the steps can change.
    dtype : float32 (default) or float64
    """
    owner = "build_mlp"
    n_in, n_out = check_int(n_in, "n_in", owner), check_int(n_out, "n_out", owner)
    sizes = _hidden_sizes(hidden, owner)
    check_rng(rng, owner)
    dtype = check_dtype(dtype, owner)
    if pool is not None:
        pool = check_choice(pool, "pool", owner, POOLS)
    layers, width = [], n_in
    for h in sizes:
        layers += [Linear(width, h, rng=rng, dtype=dtype), ReLU()]
        width = h
    if pool is not None:
        layers.append(PoolOverTime(pool))
    layers.append(Linear(width, n_out, rng=rng, init="glorot", dtype=dtype))
    return Sequential(*layers)


def build_lstm(n_in: int, hidden: int, n_out: int, *, rng: np.random.Generator, readout: str = "last",
               dtype=np.float32) -> Sequential:
    """An LSTM sequence classifier: (N, T, n_in) -> ``n_out`` logits.

    Parameters
    ----------
    n_in, hidden, n_out : int >= 1
        Input features per step, LSTM units, outputs (classes).
    rng : numpy.random.Generator
    readout : "last" (default), "mean" or "max"
        What the linear output layer reads: the last hidden state ``h_T`` ("last"), or the mean or
        maximum of ``h_1 .. h_T`` over time (:class:`~helpers.nn.pooling.PoolOverTime`).
    dtype : float32 (default) or float64
    """
    owner = "build_lstm"
    n_in, hidden, n_out = (check_int(v, name, owner) for v, name in ((n_in, "n_in"), (hidden, "hidden"),
                                                                        (n_out, "n_out")))
    check_rng(rng, owner)
    dtype = check_dtype(dtype, owner)
    readout = check_choice(readout, "readout", owner, READOUTS)
    if readout == "last":
        return Sequential(LSTM(n_in, hidden, rng=rng, return_sequences=False, dtype=dtype),
                          Linear(hidden, n_out, rng=rng, init="glorot", dtype=dtype))
    return Sequential(LSTM(n_in, hidden, rng=rng, return_sequences=True, dtype=dtype), PoolOverTime(readout),
                      Linear(hidden, n_out, rng=rng, init="glorot", dtype=dtype))
