"""Batch normalisation for dense (N, D) and convolutional (N, C, H, W) inputs."""

from __future__ import annotations

import numpy as np

from ..validation import check_dtype, check_float, check_input, check_int
from .core import Module


class _BatchNorm(Module):
    """Shared code; use :class:`BatchNorm1D` or :class:`BatchNorm2D`.

    Training mode normalises with the batch mean and (biased) variance and
    updates the running statistics::

        running = momentum * running + (1 - momentum) * batch_statistic

    (the convention of CS231n and Keras; PyTorch's ``momentum=0.1`` is our 0.9).
    Training needs more than one value per channel (N > 1, or N * H * W > 1 for
    BatchNorm2D), as in PyTorch. Evaluation mode normalises with the running statistics. Then
    ``out = gamma * x_hat + beta``, with ``gamma`` starting at 1 and ``beta`` at 0.
    """

    _ndim = 2
    _layout = "(N, D)"

    def __init__(self, num_features: int, *, momentum: float = 0.9, eps: float = 1e-5,
                 dtype=np.float32) -> None:
        super().__init__()
        name = type(self).__name__
        self.num_features = check_int(num_features, "num_features", name)
        self.momentum = check_float(momentum, "momentum", name, low=0.0, high=1.0, high_open=True)
        self.eps = check_float(eps, "eps", name, low=0.0, low_open=True)
        self.dtype = check_dtype(dtype, name)
        self.params["gamma"] = np.ones(num_features, dtype=self.dtype)
        self.params["beta"] = np.zeros(num_features, dtype=self.dtype)
        self.buffers["running_mean"] = np.zeros(num_features, dtype=self.dtype)
        self.buffers["running_var"] = np.ones(num_features, dtype=self.dtype)
        self.zero_grad()

    # BatchNorm2D works on a (N*H*W, C) view of channels-last data: one row per position
    def _rows(self, a: np.ndarray) -> np.ndarray:
        return a

    def _unrows(self, a: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
        return a

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = check_input(x, type(self).__name__, self._ndim, self._layout,
                        features={1: (self.num_features, "features/channels")}, dtype=self.dtype)
        self._shape = x.shape
        rows = self._rows(x)  # (M, D): statistics per column
        if self.training and len(rows) < 2:
            raise ValueError(
                f"{type(self).__name__}: expected more than 1 value per channel when training, got input shape "
                f"{x.shape} (the batch statistics of a single value normalise every output to 0); train on "
                "batches of at least 2 samples (in fit, a batch_size that leaves no last batch of 1), or call "
                "model.eval() to use the running statistics")
        if self.training:
            mean = rows.mean(axis=0)
            centred = rows - mean
            var = np.einsum("ij,ij->j", centred, centred) / len(rows)
            m = self.momentum
            self.buffers["running_mean"] = m * self.buffers["running_mean"] + (1 - m) * mean
            self.buffers["running_var"] = m * self.buffers["running_var"] + (1 - m) * var
        else:
            centred = rows - self.buffers["running_mean"]
            var = self.buffers["running_var"]
        inv_std = 1.0 / np.sqrt(var + self.eps)
        x_hat = centred * inv_std
        self._cache = (x_hat, inv_std, self.training)
        return self._unrows(x_hat * self.params["gamma"] + self.params["beta"], x.shape)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        x_hat, inv_std, batch_stats = self._cache
        d = self._rows(dout)
        self.grads["gamma"] = np.einsum("ij,ij->j", d, x_hat)
        self.grads["beta"] = d.sum(axis=0)
        scale = self.params["gamma"] * inv_std
        if not batch_stats:  # running statistics are constants
            return self._unrows(d * scale, self._shape)
        # x_hat also depends on x through the batch mean and variance; with M rows:
        # dx = gamma * inv_std * (dout - mean(dout) - x_hat * mean(dout * x_hat))
        #    = gamma * inv_std * (dout - dbeta / M - x_hat * dgamma / M)
        m = len(d)
        dx = (d - self.grads["beta"] / m - x_hat * (self.grads["gamma"] / m)) * scale
        return self._unrows(dx, self._shape)

    def extra_repr(self):
        return f"{self.num_features}, momentum={self.momentum:g}, eps={self.eps:g}"


class BatchNorm1D(_BatchNorm):
    """Batch normalisation of dense features: input and output ``(N, D)``.

    Parameters
    ----------
    num_features : int
        D.
    momentum : float in [0, 1), default 0.9
        Weight of the old value in the running mean/variance update.
    eps : float > 0, default 1e-5
        Added to the variance before the square root.
    dtype : float32 (default) or float64

    Parameters ``gamma``, ``beta`` : (D,); buffers ``running_mean``, ``running_var`` : (D,).
    """


class BatchNorm2D(_BatchNorm):
    """Spatial batch normalisation: input and output ``(N, C, H, W)``; statistics
    per channel over the batch and all positions. Arguments as :class:`BatchNorm1D`
    with ``num_features = C``."""

    _ndim = 4
    _layout = "(N, C, H, W)"

    def _rows(self, a):
        return a.transpose(0, 2, 3, 1).reshape(-1, self.num_features)  # free for channels-last memory

    def _unrows(self, a, shape):
        n, c, h, w = shape
        return a.reshape(n, h, w, c).transpose(0, 3, 1, 2)
