"""Pooling over (N, C, H, W) inputs: MaxPool2D, AvgPool2D, GlobalAvgPool2D."""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .conv import check_window_fits, conv_output_size
from .core import Module, check_input, check_pair


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

    def _windows(self, x: np.ndarray, fill: float) -> tuple[np.ndarray, np.ndarray]:
        """Padded input and the view (N, C, Ho, Wo, kh, kw) of its pooling windows."""
        ph, pw = self.padding
        if ph or pw:
            x = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)), constant_values=fill)
        windows = sliding_window_view(x, self.kernel_size, axis=(2, 3))
        return x, windows[:, :, ::self.stride[0], ::self.stride[1]]

    def _scatter(self, per_offset, shape: tuple[int, ...], out_hw: tuple[int, int], dtype) -> np.ndarray:
        """Add ``per_offset(k)`` (N, C, Ho, Wo) back to the pixels kernel offset k read."""
        (kh, kw), (sh, sw), (ph, pw) = self.kernel_size, self.stride, self.padding
        n, c, h, w = shape
        ho, wo = out_hw
        dxp = np.zeros((n, c, h + 2 * ph, w + 2 * pw), dtype=dtype)
        for k in range(kh * kw):
            i, j = divmod(k, kw)
            dxp[:, :, i:i + sh * (ho - 1) + 1:sh, j:j + sw * (wo - 1) + 1:sw] += per_offset(k)
        return dxp[:, :, ph:ph + h, pw:pw + w]

    def _check(self, x):
        x = check_input(x, type(self).__name__, 4, "(N, C, H, W)")
        return x, self._out_hw(*x.shape[2:])

    def output_shape(self, input_shape):
        if len(input_shape) != 3:
            raise ValueError(f"{type(self).__name__}: expected sample shape (C, H, W), got {tuple(input_shape)}")
        return (input_shape[0], *self._out_hw(*input_shape[1:]))

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
        x, (ho, wo) = self._check(x)
        _, windows = self._windows(x, -np.inf)
        n, c = x.shape[:2]
        flat = windows.reshape(n, c, ho, wo, -1)
        self._argmax = flat.argmax(axis=-1)
        self._shape = x.shape
        return np.take_along_axis(flat, self._argmax[..., None], axis=-1)[..., 0]

    def backward(self, dout: np.ndarray) -> np.ndarray:
        def per_offset(k):
            return np.where(self._argmax == k, dout, 0)
        return self._scatter(per_offset, self._shape, self._argmax.shape[2:], dout.dtype)


class AvgPool2D(_Pool2D):
    """Mean over each ``kernel_size`` window.

    Arguments as :class:`MaxPool2D`; zero padding counts in the mean.
    """

    def forward(self, x: np.ndarray) -> np.ndarray:
        x, _ = self._check(x)
        _, windows = self._windows(x, 0.0)
        self._shape = x.shape
        out = windows.mean(axis=(-2, -1))
        self._pooled_hw = out.shape[2:]
        return out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        share = dout / (self.kernel_size[0] * self.kernel_size[1])
        return self._scatter(lambda k: share, self._shape, self._pooled_hw, dout.dtype)


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
