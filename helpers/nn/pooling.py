"""Pooling: MaxPool2D, AvgPool2D, GlobalAvgPool2D over (N, C, H, W) images, PoolOverTime over (N, T, H) sequences.

The 2-D pools loop over the ``kh * kw`` kernel offsets, never over positions: offset (i, j) of every
window at once is one strided view of the padded input, so the forward pass is ``kh * kw`` vectorised
maximum (or sum) updates and the backward pass ``kh * kw`` vectorised additions, for any stride.
"""

from __future__ import annotations

import numpy as np

from .conv import check_window_fits, conv_output_size
from .core import Module, check_choice, check_input, check_pair


class _Pool2D(Module):
    """Shared code of MaxPool2D and AvgPool2D."""

    def __init__(self, kernel_size, stride=None, padding=0) -> None:
        super().__init__()
        name = type(self).__name__
        self.kernel_size = check_pair(kernel_size, "kernel_size", name)
        self.stride = self.kernel_size if stride is None else check_pair(stride, "stride", name)
        self.padding = check_pair(padding, "padding", name, low=0)
        for p, k in zip(self.padding, self.kernel_size):
            if p > k // 2:
                raise ValueError(f"{name}: padding must be in [0, kernel_size // 2] = [0, {k // 2}], got {p}")

    def _out_hw(self, h: int, w: int) -> tuple[int, int]:
        check_window_fits(type(self).__name__, (h, w), self.kernel_size, self.padding)
        return tuple(conv_output_size(s, k, st, p) for s, k, st, p in
                     zip((h, w), self.kernel_size, self.stride, self.padding))

    def _offset_views(self, x: np.ndarray, fill: float, out_hw: tuple[int, int]) -> list[np.ndarray]:
        """What kernel offset (i, j) reads in every window: views (Ho, Wo, N*C), one per offset.

        The padded input is stored as (Hp, Wp, N*C), so every vectorised operation runs along a
        contiguous N*C axis instead of the short rows of small feature maps.
        """
        (kh, kw), (sh, sw), (ph, pw) = self.kernel_size, self.stride, self.padding
        n, c, h, w = x.shape
        (ho, wo), hp, wp = out_hw, h + 2 * ph, w + 2 * pw
        padded = np.full((hp, wp, n, c), fill, dtype=x.dtype) if ph or pw else np.empty((hp, wp, n, c), x.dtype)
        padded[ph:ph + h, pw:pw + w] = x.transpose(2, 3, 0, 1)
        padded = padded.reshape(hp, wp, n * c)
        return [padded[i:i + sh * (ho - 1) + 1:sh, j:j + sw * (wo - 1) + 1:sw] for i in range(kh) for j in range(kw)]

    @staticmethod
    def _to_nchw(y: np.ndarray, n: int, c: int) -> np.ndarray:
        """(H, W, N*C) memory as an (N, C, H, W) view."""
        return y.reshape(y.shape[0], y.shape[1], n, c).transpose(2, 3, 0, 1)

    def _scatter(self, per_offset, shape: tuple[int, ...], dout: np.ndarray) -> np.ndarray:
        """Add ``per_offset(k, d)`` ((Ho, Wo, N*C), from ``d`` = dout in that layout) to what offset k read."""
        (kh, kw), (sh, sw), (ph, pw) = self.kernel_size, self.stride, self.padding
        n, c, h, w = shape
        ho, wo = dout.shape[2:]
        d = np.ascontiguousarray(dout.transpose(2, 3, 0, 1)).reshape(ho, wo, n * c)
        dxp = np.zeros((h + 2 * ph, w + 2 * pw, n * c), dtype=dout.dtype)
        for k in range(kh * kw):
            i, j = divmod(k, kw)
            dxp[i:i + sh * (ho - 1) + 1:sh, j:j + sw * (wo - 1) + 1:sw] += per_offset(k, d)
        return self._to_nchw(dxp[ph:ph + h, pw:pw + w], n, c)

    def _check(self, x):
        x = check_input(x, type(self).__name__, 4, "(N, C, H, W)")
        return x, self._out_hw(*x.shape[2:])

    def output_shape(self, input_shape):
        if len(input_shape) != 3:
            raise ValueError(f"{type(self).__name__}: expected sample shape (C, H, W), got {tuple(input_shape)}")
        return (input_shape[0], *self._out_hw(*input_shape[1:]))

    def receptive_step(self):
        return self.kernel_size, self.stride

    def extra_repr(self):
        s = f"kernel_size={self.kernel_size}, stride={self.stride}"
        return s + (f", padding={self.padding}" if self.padding != (0, 0) else "")


class MaxPool2D(_Pool2D):
    """Maximum over each ``kernel_size`` window; the gradient goes to the maximum.

    Parameters
    ----------
    kernel_size : int or (int, int)
    stride : int or (int, int), default ``kernel_size`` (non-overlapping windows)
    padding : int or (int, int), default 0
        Implicit ``-inf`` padding on each side, at most ``kernel_size // 2``.

    Shapes: (N, C, H, W) -> (N, C, Ho, Wo), Ho as for :class:`Conv2D`.
    """

    def forward(self, x: np.ndarray) -> np.ndarray:
        x, out_hw = self._check(x)
        views = self._offset_views(x, -np.inf, out_hw)
        out = views[0].copy()
        argmax = np.zeros(out.shape, dtype=np.uint8 if len(views) < 256 else np.intp)
        better = np.empty(out.shape, dtype=bool)
        for k, view in enumerate(views[1:], start=1):
            np.greater(view, out, out=better)  # strict: the first of equal maxima keeps the gradient
            np.putmask(argmax, better, k)
            np.maximum(out, view, out=out)
        self._argmax = argmax
        self._shape = x.shape
        return self._to_nchw(out, *x.shape[:2])

    def backward(self, dout: np.ndarray) -> np.ndarray:
        def per_offset(k, d):
            return np.where(self._argmax == k, d, 0)
        return self._scatter(per_offset, self._shape, dout)


class AvgPool2D(_Pool2D):
    """Mean over each ``kernel_size`` window.

    Arguments as :class:`MaxPool2D`; zero padding counts in the mean.
    """

    def forward(self, x: np.ndarray) -> np.ndarray:
        x, out_hw = self._check(x)
        views = self._offset_views(x, 0.0, out_hw)
        out = views[0].astype(np.result_type(x.dtype, np.float32), copy=True)
        for view in views[1:]:
            out += view
        out /= len(views)
        self._shape = x.shape
        return self._to_nchw(out, *x.shape[:2])

    def backward(self, dout: np.ndarray) -> np.ndarray:
        share = np.asarray(dout) / (self.kernel_size[0] * self.kernel_size[1])
        return self._scatter(lambda k, d: d, self._shape, share)


class GlobalAvgPool2D(Module):
    """Mean over all positions of each channel: (N, C, H, W) -> (N, C)."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = check_input(x, "GlobalAvgPool2D", 4, "(N, C, H, W)")
        self._shape = x.shape
        return x.mean(axis=(2, 3))

    def backward(self, dout: np.ndarray) -> np.ndarray:
        n, c, h, w = self._shape
        return np.broadcast_to((dout / (h * w))[:, :, None, None], self._shape).copy()

    def output_shape(self, input_shape):
        if len(input_shape) != 3:
            raise ValueError(f"GlobalAvgPool2D: expected sample shape (C, H, W), got {tuple(input_shape)}")
        return (input_shape[0],)


class PoolOverTime(Module):
    """Mean or maximum over the time axis of a sequence, for sequence classifiers: (N, T, H) -> (N, H).

    Put it after a recurrent layer with ``return_sequences=True``: the classifier then sees every
    step's hidden state, not only the last one.

    Parameters
    ----------
    mode : {"mean", "max"}, default "mean"

    ``forward(x, lengths=None)``: with ``lengths`` (N,) integers in [1, T], sequence ``n`` is pooled over
    its first ``lengths[n]`` steps only (padded sequences); the padded steps get zero gradient.
    The maximum's gradient goes to the first step holding it.
    """

    def __init__(self, mode: str = "mean") -> None:
        super().__init__()
        self.mode = check_choice(mode, "mode", "PoolOverTime", ("mean", "max"))

    def _mask(self, x: np.ndarray, lengths) -> np.ndarray | None:
        if lengths is None:
            return None
        lengths = np.asarray(lengths)
        n, t = x.shape[:2]
        if lengths.shape != (n,) or not np.issubdtype(lengths.dtype, np.integer) \
                or lengths.min() < 1 or lengths.max() > t:
            raise ValueError(f"PoolOverTime: lengths must be {n} integers in [1, T={t}] (one per sequence); "
                             f"got {lengths if lengths.size <= 8 else lengths.shape}")
        return np.arange(t)[None, :] < lengths[:, None]  # (N, T): True on real steps

    def forward(self, x: np.ndarray, lengths=None) -> np.ndarray:
        x = check_input(x, "PoolOverTime", 3, "(N, T, H)")
        mask = self._mask(x, lengths)
        self._shape = x.shape
        if self.mode == "mean":
            if mask is None:
                self._weights = np.full(x.shape[:2], 1.0 / x.shape[1], dtype=x.dtype)
            else:
                self._weights = (mask / mask.sum(axis=1, keepdims=True)).astype(x.dtype)
            return np.einsum("nt,nth->nh", self._weights, x)
        masked = x if mask is None else np.where(mask[:, :, None], x, -np.inf)
        self._argmax = masked.argmax(axis=1)  # (N, H)
        return np.take_along_axis(x, self._argmax[:, None, :], axis=1)[:, 0]

    def backward(self, dout: np.ndarray) -> np.ndarray:
        n, t, h = self._shape
        if self.mode == "mean":
            return self._weights[:, :, None] * dout[:, None, :]
        dx = np.zeros(self._shape, dtype=dout.dtype)
        np.put_along_axis(dx, self._argmax[:, None, :], dout[:, None, :], axis=1)
        return dx

    def output_shape(self, input_shape):
        if len(input_shape) != 2:
            raise ValueError(f"PoolOverTime: expected sample shape (T, H), got {tuple(input_shape)}")
        return (input_shape[1],)

    def extra_repr(self):
        return repr(self.mode)
