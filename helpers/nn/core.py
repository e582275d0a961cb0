"""The ``Module`` base class and the argument checks every layer shares.

Conventions (the same for every layer in :mod:`helpers.nn`)
------------------------------------------------------------
* ``out = layer.forward(x)`` (or ``layer(x)``) computes the output and caches
  what the backward pass needs.
* ``dx = layer.backward(dout)`` takes the gradient of the loss with respect to
  the layer's output (same shape as ``out``) and returns the gradient with
  respect to its input (same shape as ``x``). It also fills
  ``layer.grads[name]`` for every ``layer.params[name]`` (same keys, same
  shapes); gradients are overwritten, not accumulated.
* ``layer.train()`` / ``layer.eval()`` switch ``layer.training``, which changes
  what Dropout and BatchNorm do; containers switch all their children.
* Batches come first: dense inputs are ``(N, D)``, images ``(N, C, H, W)`` and
  sequences ``(N, T, D)``.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterator
from typing import Any

import numpy as np

FLOAT_DTYPES = (np.float32, np.float64)


# ----------------------------------------------------------------------------
# Argument checks. Each raises ValueError/TypeError naming the owner, the
# parameter and the allowed range, e.g. "Conv2D: stride must be a positive
# integer, got -1".
# ----------------------------------------------------------------------------
def check_int(value: Any, name: str, owner: str, *, minimum: int = 1) -> int:
    """Return ``value`` as an int, or raise if it is not an integer >= ``minimum``."""
    what = "a positive integer" if minimum == 1 else f"an integer >= {minimum}"
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{owner}: {name} must be {what}, got {value!r}")
    if value < minimum:
        raise ValueError(f"{owner}: {name} must be {what}, got {value}")
    return int(value)


def check_pair(value: Any, name: str, owner: str, *, minimum: int = 1) -> tuple[int, int]:
    """Return ``(a, b)`` from an int or a pair of ints, each >= ``minimum``."""
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError(f"{owner}: {name} must be an integer or a pair of integers, got {value!r}")
        return (check_int(value[0], name, owner, minimum=minimum),
                check_int(value[1], name, owner, minimum=minimum))
    v = check_int(value, name, owner, minimum=minimum)
    return v, v


def check_float(value: Any, name: str, owner: str, *, low: float | None = None,
                high: float | None = None, low_open: bool = False,
                high_open: bool = False) -> float:
    """Return ``value`` as a float, or raise if it is not a real number in the range."""
    lo = "(" if low_open else "["
    hi = ")" if high_open else "]"
    low_txt = "-inf" if low is None else f"{low:g}"
    high_txt = "inf" if high is None else f"{high:g}"
    rng_txt = f"{lo}{low_txt}, {high_txt}{hi}"
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{owner}: {name} must be a number in {rng_txt}, got {value!r}")
    v = float(value)
    bad = not np.isfinite(v)
    if low is not None:
        bad |= v <= low if low_open else v < low
    if high is not None:
        bad |= v >= high if high_open else v > high
    if bad:
        raise ValueError(f"{owner}: {name} must be in {rng_txt}, got {value}")
    return v


def check_rng(rng: Any, owner: str) -> np.random.Generator:
    """Require a ``numpy.random.Generator``: layers never use numpy's global state."""
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"{owner}: rng must be a numpy.random.Generator "
                        f"(e.g. np.random.default_rng(0)), got {type(rng).__name__}")
    return rng


def check_dtype(dtype: Any, owner: str) -> type:
    """Return ``np.float32`` or ``np.float64``; other dtypes raise."""
    try:
        dt = np.dtype(dtype).type
    except TypeError:
        dt = None
    if dt not in FLOAT_DTYPES:
        raise ValueError(f"{owner}: dtype must be float32 or float64, got {dtype!r}")
    return dt


def check_choice(value: Any, name: str, owner: str, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise ValueError(f"{owner}: {name} must be one of {', '.join(map(repr, choices))}, got {value!r}")
    return value


def check_input(x: Any, owner: str, ndim: int, layout: str, *, features: dict[int, tuple[int, str]] | None = None,
                dtype: type | None = None) -> np.ndarray:
    """Check an input batch's rank and feature sizes; cast it to ``dtype`` if given.

    ``features`` maps an axis to ``(expected size, name of the size)``.
    """
    x = np.asarray(x)
    if x.ndim != ndim:
        raise ValueError(f"{owner}: expected input of shape {layout}, got shape {x.shape}")
    for axis, (size, what) in (features or {}).items():
        if x.shape[axis] != size:
            raise ValueError(f"{owner}: expected {size} {what} (input shape {layout}), "
                             f"got shape {x.shape}")
    if dtype is not None and x.dtype != dtype:
        x = x.astype(dtype)
    return x


# ----------------------------------------------------------------------------
# The base class
# ----------------------------------------------------------------------------
class Module:
    """Base class of every layer and container.

    Attributes
    ----------
    params : dict[str, ndarray]
        Trainable arrays of this module (not of its children).
    grads : dict[str, ndarray]
        Gradients of the loss with respect to ``params`` (same keys and shapes),
        filled by :meth:`backward`.
    buffers : dict[str, ndarray]
        Non-trainable state saved with the weights (BatchNorm running statistics).
    training : bool
        True in training mode (the default), False after :meth:`eval`.
    """

    def __init__(self) -> None:
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}
        self.buffers: dict[str, np.ndarray] = {}
        self.training = True

    # -- computation ---------------------------------------------------------
    def forward(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def backward(self, dout: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def __call__(self, x: np.ndarray, *args, **kwargs) -> np.ndarray:
        """``layer(x)`` is ``layer.forward(x)`` (extra arguments, e.g. an RNN's ``h0``, pass through)."""
        return self.forward(x, *args, **kwargs)

    # -- structure -----------------------------------------------------------
    def named_children(self) -> Iterator[tuple[str, "Module"]]:
        """Direct sub-modules as ``(name, module)``; leaves have none."""
        return iter(())

    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, "Module"]]:
        """This module and all sub-modules, depth first, with dotted names."""
        yield prefix, self
        for name, child in self.named_children():
            yield from child.named_modules(f"{prefix}.{name}" if prefix else name)

    def modules(self) -> Iterator["Module"]:
        for _, m in self.named_modules():
            yield m

    def parameters(self) -> Iterator[tuple["Module", str]]:
        """``(module, name)`` for every trainable array, for optimisers.

        The array is ``module.params[name]`` and its gradient ``module.grads[name]``.
        """
        for m in self.modules():
            for name in m.params:
                yield m, name

    def named_parameters(self) -> Iterator[tuple[str, np.ndarray]]:
        """``(dotted name, array)`` for every trainable array, e.g. ``('0.W', W)``."""
        for prefix, m in self.named_modules():
            for name, p in m.params.items():
                yield (f"{prefix}.{name}" if prefix else name), p

    # -- modes, dtype, state -----------------------------------------------------
    def train(self, mode: bool = True) -> "Module":
        """Set training mode (Dropout active, BatchNorm uses batch statistics)."""
        for m in self.modules():
            m.training = bool(mode)
        return self

    def eval(self) -> "Module":
        """Set evaluation mode (Dropout off, BatchNorm uses running statistics)."""
        return self.train(False)

    def zero_grad(self) -> None:
        for m in self.modules():
            for name, p in m.params.items():
                m.grads[name] = np.zeros_like(p)

    def astype(self, dtype: Any) -> "Module":
        """Convert all parameters, gradients and buffers in place; returns ``self``.

        ``model.astype(np.float64)`` before a gradient check.
        """
        dt = check_dtype(dtype, type(self).__name__)
        for m in self.modules():
            for store in (m.params, m.grads, m.buffers):
                for k, v in store.items():
                    store[k] = v.astype(dt)
            if hasattr(m, "dtype"):
                m.dtype = dt
        return self

    @property
    def param_dtype(self) -> type | None:
        """dtype of the first parameter (None for a module without parameters)."""
        for _, p in self.named_parameters():
            return p.dtype.type
        return None

    def state_dict(self) -> dict[str, np.ndarray]:
        """Copies of all parameters and buffers, keyed by dotted name."""
        state = {}
        for prefix, m in self.named_modules():
            for store in (m.params, m.buffers):
                for k, v in store.items():
                    state[f"{prefix}.{k}" if prefix else k] = v.copy()
        return state

    def load_state_dict(self, state: dict[str, np.ndarray]) -> None:
        """Copy arrays from :meth:`state_dict` back into this model (in place)."""
        for prefix, m in self.named_modules():
            for store in (m.params, m.buffers):
                for k in store:
                    key = f"{prefix}.{k}" if prefix else k
                    if key not in state:
                        raise ValueError(f"{type(self).__name__}.load_state_dict: missing array {key!r}")
                    if state[key].shape != store[k].shape:
                        raise ValueError(f"{type(self).__name__}.load_state_dict: {key!r} has shape "
                                         f"{state[key].shape}, expected {store[k].shape}")
                    store[k][...] = state[key]

    # -- summary -------------------------------------------------------------
    def output_shape(self, input_shape: tuple[int, ...]) -> tuple[int, ...]:
        """Shape of one sample's output for one sample's input shape (no batch axis)."""
        return tuple(input_shape)

    def macs(self, input_shape: tuple[int, ...]) -> int:
        """Multiply-accumulate operations for one sample (0 for element-wise layers)."""
        return 0

    def summary_rows(self, input_shape: tuple[int, ...], name: str) -> list[dict]:
        """Rows of :func:`helpers.nn.summary`; containers return their children's rows."""
        return [{"name": name, "layer": self.short_repr(), "output_shape": self.output_shape(input_shape),
                 "params": sum(p.size for p in self.params.values()), "macs": self.macs(input_shape)}]

    # -- printing ------------------------------------------------------------
    def extra_repr(self) -> str:
        return ""

    def short_repr(self) -> str:
        return f"{type(self).__name__}({self.extra_repr()})"

    def __repr__(self) -> str:
        children = list(self.named_children())
        if not children:
            return self.short_repr()
        lines = [f"{type(self).__name__}({self.extra_repr()}"]
        for name, child in children:
            body = repr(child).replace("\n", "\n  ")
            lines.append(f"  ({name}): {body}")
        return "\n".join(lines) + "\n)"
