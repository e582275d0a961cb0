"""2-D convolution (NCHW) with stride, padding and dilation, as matrix products over column matrices.

How it works
------------
Every output position reads a ``kh x kw x C`` patch of the zero-padded input. Stacking the patches
as the columns of a matrix ``cols`` of shape ``(kh*kw*C, positions)`` (im2col) turns the convolution
into one matrix product per batch chunk::

    out_mat = W_mat @ cols            W_mat : (F, kh*kw*C), out_mat : (F, positions)

and the backward pass into two more, with the same ``cols``::

    dW_mat = dout_mat @ cols.T        dcols = W_mat.T @ dout_mat

after which ``dcols`` is added back to the input pixels each patch entry came from (col2im).
A row of ones appended to ``cols`` carries the bias (``W_mat`` gets ``b`` as its last column), so
``db`` comes out of the ``dW_mat`` product too.

Where the time goes is memory traffic, so two layouts keep it small:

* **Stride 1 (any padding and dilation)**: the input is stored channel-first as one flat row per
  channel, ``(C, length)``, every image row followed by ``pw`` zeros and every image by ``ph`` zero
  rows (the zeros double as the left/top padding of the next row/image). Then kernel offset (i, j)
  reads the input shifted by ``i*dh*row + j*dw`` positions: the ``C`` rows of ``cols`` that belong to
  it are one contiguous slice of that flat input, and col2im is one contiguous addition per offset.
  The price: outputs are also computed at the few positions that straddle the zero gaps, and
  dropped.
* **Stride > 1**: the input is padded as ``(C, N, Hp, Wp)`` and each offset's rows of ``cols`` are a
  strided view of it, copied.

Both work through the batch in chunks of images whose ``cols`` fit in the processor's cache, and
return the output as an ``(N, F, Ho, Wo)`` view of channel-first memory (layers that follow accept it).
"""

from __future__ import annotations

import numpy as np

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


#: Bytes of one chunk's column matrix: small enough to stay in a core's cache between the products.
CHUNK_BYTES = 2 << 20
_scratch: dict[str, np.ndarray] = {}


def scratch(name: str, shape: tuple[int, ...], dtype) -> np.ndarray:
    """An uninitialised work array that lives only within one forward or backward call.

    Every Conv2D shares it and it grows to the largest size asked, so the column matrices are not
    allocated (and their pages faulted in by the operating system) anew at every call.
    """
    size, dt = int(np.prod(shape)), np.dtype(dtype)
    buf = _scratch.get(name)
    if buf is None or buf.nbytes < size * dt.itemsize:
        buf = _scratch[name] = np.empty(size * dt.itemsize, dtype=np.uint8)
    return buf[:size * dt.itemsize].view(dt).reshape(shape)


class _ShiftLayout:
    """Stride-1 geometry: flat channel rows with zero gaps, one shifted slice per kernel offset.

    Image ``n`` pixel ``(r, q)`` sits at ``lead + n*block + r*row + q`` of each channel's row, where
    ``row = W + gap_w`` and ``block = (H + gap_h) * row``. Output position ``m`` (``n*block + h*row + w``)
    reads input position ``m + i*dh*row + j*dw`` for kernel offset ``(i, j)``; it is a real output when
    ``h < Ho`` and ``w < Wo``, else it straddles a gap and is dropped.
    """

    def __init__(self, shape, out_hw, kernel, padding, dilation) -> None:
        (self.n, self.c, self.h, self.w), (self.ho, self.wo) = shape, out_hw
        (kh, kw), (ph, pw), (dh, dw) = kernel, padding, dilation
        extent_h, extent_w = dh * (kh - 1) + 1, dw * (kw - 1) + 1
        # the gaps must hold the padding and leave room for every output row/column
        self.gap_h, self.gap_w = max(ph, 2 * ph - extent_h + 1), max(pw, 2 * pw - extent_w + 1)
        self.row = self.w + self.gap_w
        self.per_image = (self.h + self.gap_h) * self.row  # output positions per image (with gaps)
        self.lead = ph * self.row + pw
        self.shifts = [i * dh * self.row + j * dw for i in range(kh) for j in range(kw)]
        self.length = max(self.n * self.per_image + self.shifts[-1], self.lead + self.n * self.per_image)

    def pack_input(self, x: np.ndarray) -> np.ndarray:
        buf = np.zeros((self.c, self.length), dtype=x.dtype)
        grid = buf[:, self.lead:self.lead + self.n * self.per_image].reshape(self.c, self.n, -1, self.row)
        grid[:, :, :self.h, :self.w] = x.transpose(1, 0, 2, 3)
        return buf

    def fill_columns(self, cols: np.ndarray, xbuf: np.ndarray, a: int, b: int) -> None:
        lo, size, c = a * self.per_image, (b - a) * self.per_image, self.c
        for o, shift in enumerate(self.shifts):
            cols[o * c:(o + 1) * c, :size] = xbuf[:, lo + shift:lo + shift + size]

    def add_columns(self, dbuf: np.ndarray, dcols: np.ndarray, a: int, b: int) -> None:
        lo, size, c = a * self.per_image, (b - a) * self.per_image, self.c
        for o, shift in enumerate(self.shifts):
            dbuf[:, lo + shift:lo + shift + size] += dcols[o * c:(o + 1) * c]

    def output_view(self, out_mat: np.ndarray) -> np.ndarray:
        grid = out_mat.reshape(out_mat.shape[0], self.n, -1, self.row)
        return grid[:, :, :self.ho, :self.wo].transpose(1, 0, 2, 3)

    def pack_dout(self, dout: np.ndarray) -> np.ndarray:
        d = np.zeros((dout.shape[1], self.n * self.per_image), dtype=dout.dtype)
        self.output_view(d).transpose(1, 0, 2, 3)[...] = dout.transpose(1, 0, 2, 3)
        return d

    def input_view(self, dbuf: np.ndarray) -> np.ndarray:
        grid = dbuf[:, self.lead:self.lead + self.n * self.per_image].reshape(self.c, self.n, -1, self.row)
        return grid[:, :, :self.h, :self.w].transpose(1, 0, 2, 3)


class _StridedLayout:
    """Any stride: a padded ``(C, N, Hp, Wp)`` input; each kernel offset's patch entries are a strided view."""

    def __init__(self, shape, out_hw, kernel, padding, dilation, stride) -> None:
        (self.n, self.c, self.h, self.w), (self.ho, self.wo) = shape, out_hw
        (self.ph, self.pw) = padding
        self.per_image = self.ho * self.wo
        (kh, kw), (dh, dw), (sh, sw) = kernel, dilation, stride
        self.windows = [(slice(i * dh, i * dh + sh * (self.ho - 1) + 1, sh),
                         slice(j * dw, j * dw + sw * (self.wo - 1) + 1, sw)) for i in range(kh) for j in range(kw)]

    def pack_input(self, x: np.ndarray) -> np.ndarray:
        buf = np.zeros((self.c, self.n, self.h + 2 * self.ph, self.w + 2 * self.pw), dtype=x.dtype)
        buf[:, :, self.ph:self.ph + self.h, self.pw:self.pw + self.w] = x.transpose(1, 0, 2, 3)
        return buf

    def fill_columns(self, cols: np.ndarray, xbuf: np.ndarray, a: int, b: int) -> None:
        c, shape = self.c, (self.c, b - a, self.ho, self.wo)
        for o, (rows, columns) in enumerate(self.windows):
            cols[o * c:(o + 1) * c, :(b - a) * self.per_image].reshape(shape)[...] = xbuf[:, a:b, rows, columns]

    def add_columns(self, dbuf: np.ndarray, dcols: np.ndarray, a: int, b: int) -> None:
        c, shape = self.c, (self.c, b - a, self.ho, self.wo)
        for o, (rows, columns) in enumerate(self.windows):
            dbuf[:, a:b, rows, columns] += dcols[o * c:(o + 1) * c].reshape(shape)

    def output_view(self, out_mat: np.ndarray) -> np.ndarray:
        return out_mat.reshape(out_mat.shape[0], self.n, self.ho, self.wo).transpose(1, 0, 2, 3)

    def pack_dout(self, dout: np.ndarray) -> np.ndarray:
        d = np.empty((dout.shape[1], self.n * self.per_image), dtype=dout.dtype)
        self.output_view(d).transpose(1, 0, 2, 3)[...] = dout.transpose(1, 0, 2, 3)
        return d

    def input_view(self, dbuf: np.ndarray) -> np.ndarray:
        return dbuf[:, :, self.ph:self.ph + self.h, self.pw:self.pw + self.w].transpose(1, 0, 2, 3)


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

    def _layout(self, shape):
        ho, wo = self._out_hw(*shape[2:])
        geometry = (shape, (ho, wo), self.kernel_size, self.padding, self.dilation)
        if self.stride == (1, 1):
            return _ShiftLayout(*geometry)
        return _StridedLayout(*geometry, self.stride)

    def _weight_matrix(self) -> np.ndarray:
        """``(F, kh*kw*C [+1])``: columns ordered (i, j, c) like the rows of ``cols``, then the bias."""
        f, c, kh, kw = self.params["W"].shape
        w_mat = self.params["W"].transpose(0, 2, 3, 1).reshape(f, kh * kw * c)
        if "b" in self.params:
            w_mat = np.concatenate([w_mat, self.params["b"][:, None]], axis=1)
        return np.ascontiguousarray(w_mat)

    def _chunks(self, layout, rows: int):
        """Column buffer (ones row for the bias filled once) and the image ranges of each chunk."""
        per_chunk = max(1, CHUNK_BYTES // (np.dtype(self.dtype).itemsize * rows * layout.per_image))
        cols = scratch("cols", (rows, min(per_chunk, layout.n) * layout.per_image), self.dtype)
        if "b" in self.params:
            cols[-1] = 1.0
        return cols, [(a, min(a + per_chunk, layout.n)) for a in range(0, layout.n, per_chunk)]

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = check_input(x, "Conv2D", 4, "(N, C, H, W)",
                        features={1: (self.in_channels, "input channels")}, dtype=self.dtype)
        layout = self._layout(x.shape)
        xbuf = layout.pack_input(x)
        w_mat = self._weight_matrix()
        out_mat = np.empty((self.out_channels, layout.n * layout.per_image), dtype=self.dtype)
        cols, chunks = self._chunks(layout, w_mat.shape[1])
        for a, b in chunks:
            size = (b - a) * layout.per_image
            layout.fill_columns(cols, xbuf, a, b)
            np.matmul(w_mat, cols[:, :size], out=out_mat[:, a * layout.per_image:a * layout.per_image + size])
        self._cache = (layout, xbuf)
        return layout.output_view(out_mat)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        layout, xbuf = self._cache
        dout = np.asarray(dout, dtype=self.dtype)
        d_mat = layout.pack_dout(dout)
        w_mat = self._weight_matrix()
        k = w_mat.shape[1] - ("b" in self.params)
        dw_mat = np.zeros_like(w_mat)
        dbuf = np.zeros_like(xbuf)
        cols, chunks = self._chunks(layout, w_mat.shape[1])
        dcols = scratch("dcols", (k, cols.shape[1]), self.dtype)
        w_t = w_mat[:, :k].T
        for a, b in chunks:
            size = (b - a) * layout.per_image
            d_chunk = d_mat[:, a * layout.per_image:a * layout.per_image + size]
            layout.fill_columns(cols, xbuf, a, b)
            dw_mat += (cols[:, :size] @ d_chunk.T).T  # faster in OpenBLAS than d_chunk @ cols.T
            layout.add_columns(dbuf, np.matmul(w_t, d_chunk, out=dcols[:, :size]), a, b)
        f, c, kh, kw = self.params["W"].shape
        self.grads["W"] = np.ascontiguousarray(dw_mat[:, :k].reshape(f, kh, kw, c).transpose(0, 3, 1, 2))
        if "b" in self.params:
            self.grads["b"] = dw_mat[:, k].copy()
        return layout.input_view(dbuf)

    def output_shape(self, input_shape):
        c, h, w = self._check_shape(input_shape)
        return (self.out_channels, *self._out_hw(h, w))

    def receptive_step(self):
        extent = tuple(d * (k - 1) + 1 for k, d in zip(self.kernel_size, self.dilation))
        return extent, self.stride

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
