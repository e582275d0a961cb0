"""Recurrent layers over whole sequences: RNN (tanh) and LSTM.

Both read ``x`` of shape (N, T, D) and return every hidden state (N, T, H)
(``return_sequences=True``) or only the last one (N, H). Stack them in a
Sequential: every recurrent layer but the last keeps ``return_sequences=True``.

Backpropagation through time (BPTT)
-----------------------------------
``backward`` walks the time steps in reverse. With ``bptt_truncate=k`` the
gradient of each step's output flows back through at most ``k`` time steps
(the step itself and ``k - 1`` earlier ones) before it is dropped; ``None``
(the default) is full BPTT. Truncation is exact: the backward pass carries, for
every hidden state, the gradient contributions still "in flight" sorted by how
many steps they have travelled, and drops those that reach age ``k``.

The LSTM runs time-major inside (``(T, N, ·)`` arrays, so each step reads contiguous memory): the
input projection of all steps is one matrix product, the four gates share one ``(H, 4H)`` product per
step, the local derivatives of every step are computed at once before the backward loop (which then
needs about ten vectorised operations per step), and the weight gradients are one product over all
steps.

After ``backward`` the layer keeps ``dh_per_step`` (N, T, H): the gradient of
the loss with respect to each hidden state ``h_t`` (with truncation: the part
that arrived). Its norm against ``T - 1 - t`` shows vanishing or exploding
gradients. ``dh0`` is the gradient with respect to the initial state.
"""

from __future__ import annotations

import numpy as np

from .core import Module, check_dtype, check_input, check_int, check_rng
from .init import glorot_uniform, orthogonal


class _Recurrent(Module):
    _gates = 1

    def __init__(self, input_size: int, hidden_size: int, *, rng: np.random.Generator,
                 return_sequences: bool = True, bptt_truncate: int | None = None, dtype=np.float32) -> None:
        super().__init__()
        name = type(self).__name__
        self.input_size = check_int(input_size, "input_size", name)
        self.hidden_size = check_int(hidden_size, "hidden_size", name)
        if not isinstance(return_sequences, (bool, np.bool_)):
            raise TypeError(f"{name}: return_sequences must be True or False, got {return_sequences!r}")
        self.return_sequences = bool(return_sequences)
        self.bptt_truncate = None if bptt_truncate is None else check_int(bptt_truncate, "bptt_truncate", name)
        self.dtype = check_dtype(dtype, name)
        check_rng(rng, name)
        d, h, g = input_size, hidden_size, self._gates
        # Glorot uniform input weights; orthogonal recurrent weights (one block per gate)
        self.params["Wx"] = glorot_uniform((d, g * h), d, h, rng, self.dtype)
        self.params["Wh"] = np.concatenate([orthogonal(h, rng, self.dtype) for _ in range(g)], axis=1)
        self.params["b"] = np.zeros(g * h, dtype=self.dtype)
        self.zero_grad()

    def _check(self, x, state, state_name):
        name = type(self).__name__
        x = check_input(x, name, 3, f"(N, T, {self.input_size})",
                        features={2: (self.input_size, "input features")}, dtype=self.dtype)
        if x.shape[1] < 1:
            raise ValueError(f"{name}: sequences must have at least one time step, got shape {x.shape}")
        n, h = x.shape[0], self.hidden_size
        if state is None:
            return x, np.zeros((n, h), dtype=self.dtype)
        state = np.asarray(state, dtype=self.dtype)
        if state.shape != (n, h):
            raise ValueError(f"{name}: {state_name} must have shape (N, hidden_size) = {(n, h)}, got {state.shape}")
        return x, state

    # truncated BPTT: in-flight gradients indexed by age, shape (ages, N, H)
    def _in_flight(self, n: int) -> np.ndarray:
        ages = 1 if self.bptt_truncate is None else self.bptt_truncate
        return np.zeros((ages, n, self.hidden_size), dtype=self.dtype)

    def _one_step_older(self, g: np.ndarray) -> np.ndarray:
        """Move in-flight gradients one step back in time; drop those that reach age k."""
        if self.bptt_truncate is None:
            return g
        older = np.zeros_like(g)
        older[1:] = g[:-1]
        return older

    def _upstream(self, dout: np.ndarray, t: int, last: int):
        if self.return_sequences:
            return dout[:, t]
        return dout if t == last else None

    def _param_grads(self, x, h_prev, da_steps):
        """Parameter and input gradients from the pre-activation gradients of all steps."""
        d, gh = self.input_size, da_steps.shape[2]
        da_flat = da_steps.reshape(-1, gh)
        self.grads["Wx"] = x.reshape(-1, d).T @ da_flat
        self.grads["Wh"] = h_prev.reshape(-1, self.hidden_size).T @ da_flat
        self.grads["b"] = da_flat.sum(axis=0)
        return da_steps @ self.params["Wx"].T

    def _param_grads_time_major(self, x, h_prev, da):
        """As :meth:`_param_grads` for time-major ``h_prev`` (T, N, H) and ``da`` (T, N, G*H); dx is (N, T, D)."""
        d, gh = self.input_size, da.shape[2]
        da_flat = da.reshape(-1, gh)
        self.grads["Wx"] = x.transpose(1, 0, 2).reshape(-1, d).T @ da_flat
        self.grads["Wh"] = h_prev.reshape(-1, self.hidden_size).T @ da_flat
        self.grads["b"] = da_flat.sum(axis=0)
        steps, n = da.shape[:2]
        return (da_flat @ self.params["Wx"].T).reshape(steps, n, d).transpose(1, 0, 2)

    def _check_dout(self, dout, n, t):
        expected = (n, t, self.hidden_size) if self.return_sequences else (n, self.hidden_size)
        if dout.shape != expected:
            raise ValueError(f"{type(self).__name__}: dout must have the output's shape {expected}, got {dout.shape}")

    def output_shape(self, input_shape):
        if len(input_shape) != 2 or input_shape[1] != self.input_size:
            raise ValueError(f"{type(self).__name__}: expected sample shape (T, {self.input_size}), "
                             f"got {tuple(input_shape)}")
        t = input_shape[0]
        return (t, self.hidden_size) if self.return_sequences else (self.hidden_size,)

    def macs(self, input_shape):
        t = input_shape[0]
        return t * self._gates * self.hidden_size * (self.input_size + self.hidden_size)

    def extra_repr(self):
        s = f"{self.input_size} -> {self.hidden_size}, return_sequences={self.return_sequences}"
        return s + (f", bptt_truncate={self.bptt_truncate}" if self.bptt_truncate is not None else "")


class RNN(_Recurrent):
    """Elman RNN: ``h_t = tanh(x_t @ Wx + h_{t-1} @ Wh + b)``, ``h_0`` zeros by default.

    Parameters
    ----------
    input_size, hidden_size : int
        D and H.
    rng : numpy.random.Generator
    return_sequences : bool, default True
        Return all hidden states (N, T, H), or only the last (N, H).
    bptt_truncate : int or None, default None
        Let gradients flow back at most this many steps (see module docstring).
    dtype : float32 (default) or float64

    Parameters ``Wx`` : (D, H) Glorot uniform, ``Wh`` : (H, H) orthogonal, ``b`` : (H,) zeros.
    ``forward(x, h0=None)`` accepts an initial state (N, H); after it,
    ``last_hidden`` is h_T.
    """

    def forward(self, x: np.ndarray, h0: np.ndarray | None = None) -> np.ndarray:
        x, h = self._check(x, h0, "h0")
        n, steps, _ = x.shape
        xw = x @ self.params["Wx"] + self.params["b"]  # input part of every step at once
        hs = np.empty((n, steps, self.hidden_size), dtype=self.dtype)
        Wh = self.params["Wh"]
        h0 = h
        for t in range(steps):
            h = np.tanh(xw[:, t] + h @ Wh)
            hs[:, t] = h
        self._cache = (x, h0, hs)
        self.last_hidden = h
        return hs if self.return_sequences else h

    def backward(self, dout: np.ndarray) -> np.ndarray:
        x, h0, hs = self._cache
        n, steps, hid = hs.shape
        self._check_dout(dout, n, steps)
        dh = self._in_flight(n)
        da_steps = np.empty_like(hs)  # gradient w.r.t. the pre-activation of each step
        self.dh_per_step = np.empty_like(hs)
        Wh_T = self.params["Wh"].T
        for t in reversed(range(steps)):
            up = self._upstream(dout, t, steps - 1)
            if up is not None:
                dh[0] += up
            self.dh_per_step[:, t] = dh.sum(axis=0)
            da = dh * (1 - hs[:, t] ** 2)  # through tanh, for every age
            da_steps[:, t] = da.sum(axis=0)
            dh = self._one_step_older(da @ Wh_T)  # to h_{t-1}
        self.dh0 = dh.sum(axis=0)
        h_prev = np.concatenate([h0[:, None], hs[:, :-1]], axis=1)
        return self._param_grads(x, h_prev, da_steps)


class LSTM(_Recurrent):
    """Long short-term memory over whole sequences.

    With ``a = x_t @ Wx + h_{t-1} @ Wh + b`` split into four blocks of H::

        i = sigmoid(a_i)  f = sigmoid(a_f)  o = sigmoid(a_o)  g = tanh(a_g)
        c_t = f * c_{t-1} + i * g        h_t = o * tanh(c_t)

    Parameters as :class:`RNN`; ``Wx`` : (D, 4H), ``Wh`` : (H, 4H), ``b`` : (4H,),
    gate order (i, f, o, g), forget-gate bias initialised to 1.
    ``forward(x, h0=None, c0=None)``; after it ``last_hidden`` and ``last_cell``.
    """

    _gates = 4

    def __init__(self, input_size: int, hidden_size: int, *, rng: np.random.Generator,
                 return_sequences: bool = True, bptt_truncate: int | None = None, dtype=np.float32) -> None:
        super().__init__(input_size, hidden_size, rng=rng, return_sequences=return_sequences,
                         bptt_truncate=bptt_truncate, dtype=dtype)
        self.params["b"][hidden_size:2 * hidden_size] = 1.0  # remember by default

    def forward(self, x: np.ndarray, h0: np.ndarray | None = None, c0: np.ndarray | None = None) -> np.ndarray:
        x, h = self._check(x, h0, "h0")
        _, c = self._check(x, c0, "c0")
        n, steps, d = x.shape
        H = self.hidden_size
        # sigmoid(a) = (1 + tanh(a / 2)) / 2: halving the i, f, o columns lets one tanh call activate all
        # four gates (numpy's tanh is several times faster than scipy's expit on small float32 arrays)
        half = np.concatenate([np.full(3 * H, 0.5), np.ones(H)]).astype(self.dtype)
        # input part of every step in one product, read time-major: xw[t] is (N, 4H)
        xw = ((x.reshape(-1, d) @ self.params["Wx"] + self.params["b"]) * half).reshape(n, steps, 4 * H)
        xw = xw.transpose(1, 0, 2)
        gates = np.empty((steps, n, 4 * H), dtype=self.dtype)  # i, f, o, g after activation, time-major
        cs = np.empty((steps, n, H), dtype=self.dtype)
        tanh_cs, hs, ig = np.empty_like(cs), np.empty_like(cs), np.empty((n, H), dtype=self.dtype)
        a = np.empty((n, 4 * H), dtype=self.dtype)
        Wh = self.params["Wh"] * half
        h0, c0 = h, c
        sigmoids, (i, f, o, g) = gates[:, :, :3 * H], (gates[:, :, k * H:(k + 1) * H] for k in range(4))
        for t in range(steps):
            np.matmul(h, Wh, out=a)
            a += xw[t]
            np.tanh(a, out=gates[t])
            sigmoids[t] *= 0.5
            sigmoids[t] += 0.5
            np.multiply(f[t], c, out=cs[t])
            cs[t] += np.multiply(i[t], g[t], out=ig)
            c = cs[t]
            np.tanh(c, out=tanh_cs[t])
            h = np.multiply(o[t], tanh_cs[t], out=hs[t])
        self._cache = (x, h0, c0, gates, cs, tanh_cs, hs)
        self.last_hidden, self.last_cell = h.copy(), c.copy()
        return np.ascontiguousarray(hs.transpose(1, 0, 2)) if self.return_sequences else h.copy()

    def _local_derivatives(self, c0, gates, cs, tanh_cs):
        """For all steps at once: d(pre-activations)/d(c_t or h_t) per gate, and d(c_t)/d(h_t)."""
        H = self.hidden_size
        i, f, o, g = (gates[..., k * H:(k + 1) * H] for k in range(4))
        c_prev = np.concatenate([c0[None], cs[:-1]], axis=0)
        local = np.empty_like(gates)  # da = local * (dc, dc, dh, dc) block by block
        local[..., :H] = g * i * (1 - i)
        local[..., H:2 * H] = c_prev * f * (1 - f)
        local[..., 2 * H:3 * H] = tanh_cs * o * (1 - o)
        local[..., 3 * H:] = i * (1 - g * g)
        return local, o * (1 - tanh_cs * tanh_cs)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        x, h0, c0, gates, cs, tanh_cs, hs = self._cache
        steps, n, H = hs.shape
        self._check_dout(dout, n, steps)
        dout = np.asarray(dout, dtype=self.dtype)
        local, dc_dh = self._local_derivatives(c0, gates, cs, tanh_cs)
        run = self._bptt_full if self.bptt_truncate is None else self._bptt_truncated
        da, dh_steps = run(dout, gates, local, dc_dh)
        self.dh_per_step = dh_steps.transpose(1, 0, 2)
        h_prev = np.concatenate([h0[None], hs[:-1]], axis=0)
        return self._param_grads_time_major(x, h_prev, da)

    def _bptt_full(self, dout, gates, local, dc_dh):
        """Full BPTT, about eight vectorised operations per step; returns da (T, N, 4H) and dh (T, N, H)."""
        steps, n, four_h = gates.shape
        H = four_h // 4
        da, dh_steps = np.empty_like(gates), np.empty((steps, n, H), dtype=self.dtype)
        scale = np.zeros((n, 4, H), dtype=self.dtype)  # (dc_t, dc_t, dh_t, dc_t): the factors of local
        flat_scale, dc_t, dh = scale.reshape(n, four_h), scale[:, 0], scale[:, 2]
        dc = np.zeros((n, H), dtype=self.dtype)
        Wh_T = self.params["Wh"].T
        forget = gates[:, :, H:2 * H]
        upstream = dout.transpose(1, 0, 2) if self.return_sequences else None
        if upstream is None:
            dh += dout
        for t in reversed(range(steps)):
            if upstream is not None:
                dh += upstream[t]
            dh_steps[t] = dh
            np.multiply(dh, dc_dh[t], out=dc_t)
            dc_t += dc  # total gradient reaching c_t
            scale[:, 1::2] = dc_t[:, None]
            np.multiply(local[t], flat_scale, out=da[t])
            np.matmul(da[t], Wh_T, out=dh)  # to h_{t-1}
            np.multiply(dc_t, forget[t], out=dc)
        self.dh0, self.dc0 = dh.copy(), dc
        return da, dh_steps

    def _bptt_truncated(self, dout, gates, local, dc_dh):
        """Truncated BPTT: in-flight gradients indexed by age, dropped at age ``bptt_truncate``."""
        steps, n, four_h = gates.shape
        H = four_h // 4
        dh, dc = self._in_flight(n), self._in_flight(n)
        da, dh_steps = np.empty_like(gates), np.empty((steps, n, H), dtype=self.dtype)
        scale = np.empty((dh.shape[0], n, 4, H), dtype=self.dtype)
        Wh_T = self.params["Wh"].T
        for t in reversed(range(steps)):
            up = self._upstream(dout, t, steps - 1)
            if up is not None:
                dh[0] += up
            dh_steps[t] = dh.sum(axis=0)
            dc_t = dc + dh * dc_dh[t]
            scale[:, :, 0], scale[:, :, 1], scale[:, :, 2], scale[:, :, 3] = dc_t, dc_t, dh, dc_t
            da_ages = local[t] * scale.reshape(-1, n, four_h)
            da[t] = da_ages.sum(axis=0)
            dh = self._one_step_older(da_ages @ Wh_T)
            dc = self._one_step_older(dc_t * gates[t, :, H:2 * H])
        self.dh0, self.dc0 = dh.sum(axis=0), dc.sum(axis=0)
        return da, dh_steps
