"""Containers: Sequential (a chain), Residual (skip connection), Concat (parallel branches)."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from ..validation import check_int
from .core import Module


def _check_modules(owner: str, what: str, modules) -> list[Module]:
    modules = list(modules)
    for m in modules:
        if not isinstance(m, Module):
            raise TypeError(f"{owner}: every {what} must be a helpers.nn Module, got {type(m).__name__}")
    return modules


class _Container(Module):
    """A module made of other modules; :mod:`helpers.nn.summary` walks it through :meth:`structure`."""

    def structure(self) -> tuple[str, list[tuple[str, Module | None]], str | None]:
        """``(how, parts, merge)``: ``"series"`` (each part feeds the next) or ``"parallel"`` (every part
        reads the input; ``None`` is the identity), the parts with their names, and the label of the
        step that merges parallel parts (a summary row)."""
        raise NotImplementedError

    def macs(self, input_shape):
        from .summary import summary

        return summary(self, input_shape).total_macs


class Sequential(_Container):
    """Layers applied one after the other; backward runs them in reverse.

    ``Sequential(Linear(...), ReLU(), Linear(...))`` or ``Sequential([...])``.
    Supports ``len(model)``, ``model[i]``, iteration and ``model.append(layer)``.
    """

    def __init__(self, *layers) -> None:
        super().__init__()
        if len(layers) == 1 and isinstance(layers[0], (list, tuple)):
            layers = layers[0]
        self.layers = _check_modules("Sequential", "layer", layers)

    def append(self, layer: Module) -> "Sequential":
        self.layers.extend(_check_modules("Sequential", "layer", [layer]))
        return self

    def __len__(self) -> int:
        return len(self.layers)

    def __getitem__(self, i):
        return Sequential(self.layers[i]) if isinstance(i, slice) else self.layers[i]

    def __iter__(self) -> Iterator[Module]:
        return iter(self.layers)

    def named_children(self):
        return ((str(i), layer) for i, layer in enumerate(self.layers))

    def forward(self, x: np.ndarray) -> np.ndarray:
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, dout: np.ndarray) -> np.ndarray:
        for layer in reversed(self.layers):
            dout = layer.backward(dout)
        return dout

    def output_shape(self, input_shape):
        shape = tuple(input_shape)
        for layer in self.layers:
            shape = layer.output_shape(shape)
        return shape

    def structure(self):
        return "series", [(str(i), layer) for i, layer in enumerate(self.layers)], None


class Residual(_Container):
    """``out = body(x) + shortcut(x)``, the building block of ResNets.

    Parameters
    ----------
    body : Module
        E.g. ``Sequential(Conv2D, BatchNorm2D, ReLU, Conv2D, BatchNorm2D)``.
    shortcut : Module or None, default None
        None is the identity skip (body must keep the shape). When the body
        changes the shape (stride or channel count), pass a projection such as
        ``Conv2D(C_in, C_out, 1, stride=s)``.

    The ReLU after the addition is not included: put it after the block.
    """

    def __init__(self, body: Module, shortcut: Module | None = None) -> None:
        super().__init__()
        self.body = _check_modules("Residual", "body", [body])[0]
        self.shortcut = None if shortcut is None else _check_modules("Residual", "shortcut", [shortcut])[0]

    def named_children(self):
        yield "body", self.body
        if self.shortcut is not None:
            yield "shortcut", self.shortcut

    def _mismatch(self, body_shape, skip_shape):
        return ValueError(f"Residual: the body's output shape {body_shape} differs from the "
                          f"{'identity' if self.shortcut is None else 'shortcut'} output shape {skip_shape}; "
                          "pass a projection shortcut (e.g. a 1x1 Conv2D with the body's stride and "
                          "output channels) so they match")

    def forward(self, x: np.ndarray) -> np.ndarray:
        out = self.body.forward(x)
        skip = x if self.shortcut is None else self.shortcut.forward(x)
        if out.shape != np.shape(skip):
            raise self._mismatch(out.shape, np.shape(skip))
        return out + skip

    def backward(self, dout: np.ndarray) -> np.ndarray:
        dx = self.body.backward(dout)
        return dx + (dout if self.shortcut is None else self.shortcut.backward(dout))

    def output_shape(self, input_shape):
        out = self.body.output_shape(input_shape)
        skip = tuple(input_shape) if self.shortcut is None else self.shortcut.output_shape(input_shape)
        if out != skip:
            raise self._mismatch(out, skip)
        return out

    def structure(self):
        return "parallel", [("body", self.body), ("shortcut", self.shortcut)], "Residual(add)"


class Concat(_Container):
    """Parallel branches on the same input, outputs concatenated on the channel axis.

    The Inception block: ``Concat([conv1x1, Sequential(conv1x1, conv3x3), ...])``.
    Every branch must give the same shape except along ``axis``.

    Parameters
    ----------
    branches : list of Module
    axis : int, default 1
        The channel axis of (N, C, H, W) (or the feature axis of (N, D)).
    """

    def __init__(self, branches, axis: int = 1) -> None:
        super().__init__()
        self.branches = _check_modules("Concat", "branch", branches)
        if not self.branches:
            raise ValueError("Concat: branches must contain at least one module, got 0")
        self.axis = check_int(axis, "axis (axis 0 is the batch)", "Concat", low=1)

    def named_children(self):
        return ((str(i), b) for i, b in enumerate(self.branches))

    def _check_shapes(self, shapes, offset):
        ref = list(shapes[0])
        for i, s in enumerate(shapes):
            s = list(s)
            if len(s) != len(ref) or s[:self.axis - offset] + s[self.axis - offset + 1:] != \
                    ref[:self.axis - offset] + ref[self.axis - offset + 1:]:
                raise ValueError(f"Concat: branch output shapes {[tuple(s) for s in shapes]} differ outside "
                                 f"axis {self.axis} (branch {i}); give every branch the same "
                                 "spatial size, e.g. with padding")

    def forward(self, x: np.ndarray) -> np.ndarray:
        outs = [b.forward(x) for b in self.branches]
        self._check_shapes([o.shape for o in outs], 0)
        self._sizes = [o.shape[self.axis] for o in outs]
        return np.concatenate(outs, axis=self.axis)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        parts = np.split(dout, np.cumsum(self._sizes)[:-1], axis=self.axis)
        dx = self.branches[0].backward(parts[0])
        for branch, part in zip(self.branches[1:], parts[1:]):
            dx = dx + branch.backward(part)
        return dx

    def output_shape(self, input_shape):
        shapes = [b.output_shape(input_shape) for b in self.branches]
        self._check_shapes(shapes, 1)
        out = list(shapes[0])
        out[self.axis - 1] = sum(s[self.axis - 1] for s in shapes)
        return tuple(out)

    def structure(self):
        return "parallel", [(str(i), b) for i, b in enumerate(self.branches)], "Concat"
