"""The ``Module`` base class every layer and container derives from.

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
* Every module's ``backward`` refuses to run before its ``forward``, and refuses a
  ``dout`` whose shape differs from the last output's, naming the module and both
  shapes (:meth:`Module.__init_subclass__` adds these checks to every subclass).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

import numpy as np

# The argument checks live in helpers.validation, the workbook's one argument-check module. conv,
# pooling and recurrent import these names from here; every other module imports helpers.validation.
from ..validation import check_choice, check_dtype, check_input, check_int, check_pair, check_rng  # noqa: F401

_NOT_RUN = object()  # the recorded output shape of a module whose forward has not run yet


def _recording_forward(forward):
    """Wrap a module's ``forward`` so it records the shape of its output (for backward's check)."""
    @functools.wraps(forward)
    def wrapper(self, *args, **kwargs):
        out = forward(self, *args, **kwargs)
        if type(self).forward is wrapper:  # the outermost forward (not a subclass calling super())
            self._forward_shape = out.shape if type(out) is np.ndarray else None
        return out
    return wrapper


def _checked_backward(backward):
    """Wrap a module's ``backward`` so it refuses to run before forward or with a wrong ``dout`` shape."""
    @functools.wraps(backward)
    def wrapper(self, dout, *args, **kwargs):
        if type(self).backward is wrapper:
            expected = getattr(self, "_forward_shape", _NOT_RUN)
            if expected is _NOT_RUN:
                raise RuntimeError(f"{type(self).__name__}: backward(dout) was called before forward(x); run "
                                   "forward on the batch first, then backward with the gradient of the loss with "
                                   "respect to its output")
            if expected is not None and (dout.shape if type(dout) is np.ndarray else np.shape(dout)) != expected:
                raise ValueError(f"{type(self).__name__}: backward got dout of shape {np.shape(dout)}, but the last "
                                 f"forward returned shape {expected}; dout is the gradient of the loss with respect "
                                 "to this module's output and must have its shape")
        return backward(self, dout, *args, **kwargs)
    return wrapper


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

    def __init_subclass__(cls, **kwargs) -> None:
        """Give every layer the same checks: ``backward`` refuses to run before ``forward`` and
        refuses a ``dout`` whose shape differs from the last output's, naming the layer."""
        super().__init_subclass__(**kwargs)
        if "forward" in cls.__dict__:
            cls.forward = _recording_forward(cls.__dict__["forward"])
        if "backward" in cls.__dict__:
            cls.backward = _checked_backward(cls.__dict__["backward"])

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

    def receptive_step(self) -> tuple[tuple[int, int], tuple[int, int]] | None:
        """``(kernel extent, stride)`` in (height, width) of a layer that slides a window over the
        image (convolution, pooling), else None; :func:`helpers.nn.receptive_field` composes them."""
        return None

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
