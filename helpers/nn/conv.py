"""2-D convolution (NCHW) with stride, padding and dilation, by im2col + one matrix product.

How it works
------------
The padded input is moved to channels-last layout ``(N, Hp, Wp, C)``. Every
output position (n, i, j) reads a ``kh x kw x C`` patch; ``sliding_window_view``
exposes all patches without copying, and one reshape copies them into the
"column" matrix ``cols`` of shape ``(N*Ho*Wo, kh*kw*C)`` (im2col). Then

    out = cols @ W_mat + b          W_mat : (kh*kw*C, F)

is a single large matrix product. Backward reuses ``cols``::

    dW_mat = dout_mat.T @ cols      db = dout_mat.sum(0)

and the input gradient adds ``dout_mat @ W[:, :, i, j]`` back to the pixels each
kernel offset (i, j) read (a loop over the kh*kw offsets only; col2im).
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .core import Module, check_choice, check_dtype, check_input, check_int, check_pair, check_rng
from .init import INITS, init_weight


def conv_output_size(size: int, kernel: int, stride: int, padding: int, dilation: int = 1) -> int:
    """``floor((size + 2 padding - dilation (kernel - 1) - 1) / stride) + 1``."""
    return (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


def check_window_fits(owner: str, input_hw: tuple[int, int], kernel: tuple[int, int],
                      padding: tuple[int, int], dilation: tuple[int, int] = (1, 1)) -> None:
    """Raise ValueError if the (dilated) kernel does not fit in the padded input."""
    extent = tuple(d * (k - 1) + 1 for k, d in zip(kernel, dilation))
    padded = tuple(s + 2 * p for s, p in zip(input_hw, padding))
    if extent[0] > padded[0] or extent[1] > padded[1]:
        raise ValueError(
            f"{owner}: kernel_size {kernel} with dilation {dilation} spans {extent[0]}x{extent[1]} pixels, "
            f"larger than the padded input {padded[0]}x{padded[1]}; the kernel extent "
            f"dilation*(kernel_size-1)+1 must be <= input size + 2*padding")


class Conv2D(Module):
    """2-D convolution (cross-correlation, as in every deep-learning library).

    Parameters
    ----------
    in_channels, out_channels : int
        C and F.
    kernel_size : int or (int, int)
    rng : numpy.random.Generator
    stride : int or (int, int), default 1
    padding : int, (int, int) or "same", default 0
        Zero padding on each side; "same" keeps H and W when stride is 1
        (needs an odd dilated kernel extent).
    dilation : int or (int, int), default 1
        Spacing between kernel taps; extent ``dilation * (k - 1) + 1``.
    init : {"he", "glorot"}, default "he"
    bias : bool, default True
    dtype : float32 (default) or float64

    Shapes
    ------
    x : (N, C, H, W) -> out : (N, F, Ho, Wo) with
    ``Ho = floor((H + 2 padding - dilation (kh - 1) - 1) / stride) + 1`` (same for Wo).
    Parameters ``W`` : (F, C, kh, kw), ``b`` : (F,).
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size, *, rng: np.random.Generator,
                 stride=1, padding=0, dilation=1, init: str = "he", bias: bool = True,
                 dtype=np.float32) -> None:
        super().__init__()
        self.in_channels = check_int(in_channels, "in_channels", "Conv2D")
        self.out_channels = check_int(out_channels, "out_channels", "Conv2D")
        self.kernel_size = check_pair(kernel_size, "kernel_size", "Conv2D")
        self.stride = check_pair(stride, "stride", "Conv2D")
        self.dilation = check_pair(dilation, "dilation", "Conv2D")
        if padding == "same":
            extents = [d * (k - 1) for k, d in zip(self.kernel_size, self.dilation)]
            if self.stride != (1, 1) or any(e % 2 for e in extents):
                raise ValueError("Conv2D: padding='same' needs stride 1 and an odd dilated kernel extent, "
                                 f"got stride {self.stride}, kernel_size {self.kernel_size}, "
                                 f"dilation {self.dilation}")
            self.padding = (extents[0] // 2, extents[1] // 2)
        else:
            self.padding = check_pair(padding, "padding", "Conv2D", low=0)
        self.init = check_choice(init, "init", "Conv2D", INITS)
        self.dtype = check_dtype(dtype, "Conv2D")
        check_rng(rng, "Conv2D")
        kh, kw = self.kernel_size
        shape = (out_channels, in_channels, kh, kw)
        self.params["W"] = init_weight(init, shape, in_channels * kh * kw, out_channels * kh * kw, rng, self.dtype)
        if bias:
            self.params["b"] = np.zeros(out_channels, dtype=self.dtype)
        self.zero_grad()

    def _out_hw(self, h: int, w: int) -> tuple[int, int]:
        check_window_fits("Conv2D", (h, w), self.kernel_size, self.padding, self.dilation)
        return tuple(conv_output_size(s, k, st, p, d) for s, k, st, p, d in
                     zip((h, w), self.kernel_size, self.stride, self.padding, self.dilation))

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = check_input(x, "Conv2D", 4, "(N, C, H, W)",
                        features={1: (self.in_channels, "input channels")}, dtype=self.dtype)
        n, c, h, w = x.shape
        ho, wo = self._out_hw(h, w)
        (kh, kw), (sh, sw), (ph, pw), (dh, dw) = self.kernel_size, self.stride, self.padding, self.dilation
        # channels-last, zero-padded copy of the input
        xp = np.zeros((n, h + 2 * ph, w + 2 * pw, c), dtype=self.dtype)
        xp[:, ph:ph + h, pw:pw + w, :] = x.transpose(0, 2, 3, 1)
        # all patches as a view (N, Ho, Wo, C, kh, kw) ...
        windows = sliding_window_view(xp, (dh * (kh - 1) + 1, dw * (kw - 1) + 1), axis=(1, 2))
        windows = windows[:, ::sh, ::sw, :, ::dh, ::dw][:, :ho, :wo]
        # ... copied once into the column matrix, patch order (kh, kw, C)
        cols = windows.transpose(0, 1, 2, 4, 5, 3).reshape(n * ho * wo, kh * kw * c)
        w_mat = self.params["W"].transpose(2, 3, 1, 0).reshape(kh * kw * c, self.out_channels)
        out = cols @ w_mat
        if "b" in self.params:
            out += self.params["b"]
        self._cache = (cols, x.shape, (ho, wo))
        # a (N, F, Ho, Wo) view of channels-last memory; the next layer accepts either
        return out.reshape(n, ho, wo, self.out_channels).transpose(0, 3, 1, 2)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        cols, (n, c, h, w), (ho, wo) = self._cache
        (kh, kw), (sh, sw), (ph, pw), (dh, dw) = self.kernel_size, self.stride, self.padding, self.dilation
        f = self.out_channels
        dout_mat = dout.transpose(0, 2, 3, 1).reshape(n * ho * wo, f)
        self.grads["W"] = (dout_mat.T @ cols).reshape(f, kh, kw, c).transpose(0, 3, 1, 2).copy()
        if "b" in self.params:
            self.grads["b"] = dout_mat.sum(axis=0)
        # col2im: each kernel offset (i, j) read the pixels xp[:, i*dh + sh*oi, j*dw + sw*oj]
        dxp = np.zeros((n, h + 2 * ph, w + 2 * pw, c), dtype=dout_mat.dtype)
        W = self.params["W"]
        for i in range(kh):
            for j in range(kw):
                rows = slice(i * dh, i * dh + sh * (ho - 1) + 1, sh)
                cols_ = slice(j * dw, j * dw + sw * (wo - 1) + 1, sw)
                dxp[:, rows, cols_, :] += (dout_mat @ W[:, :, i, j]).reshape(n, ho, wo, c)
        return dxp[:, ph:ph + h, pw:pw + w, :].transpose(0, 3, 1, 2)

    def output_shape(self, input_shape):
        c, h, w = self._check_shape(input_shape)
        return (self.out_channels, *self._out_hw(h, w))

    def macs(self, input_shape):
        _, ho, wo = self.output_shape(input_shape)
        kh, kw = self.kernel_size
        return ho * wo * self.out_channels * self.in_channels * kh * kw

    def _check_shape(self, input_shape):
        if len(input_shape) != 3 or input_shape[0] != self.in_channels:
            raise ValueError(f"Conv2D: expected sample shape ({self.in_channels}, H, W), got {tuple(input_shape)}")
        return input_shape

    def extra_repr(self):
        parts = [f"{self.in_channels} -> {self.out_channels}", f"kernel_size={self.kernel_size}"]
        for name, default in (("stride", (1, 1)), ("padding", (0, 0)), ("dilation", (1, 1))):
            if getattr(self, name) != default:
                parts.append(f"{name}={getattr(self, name)}")
        if "b" not in self.params:
            parts.append("bias=False")
        return ", ".join(parts)
