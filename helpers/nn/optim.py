"""Optimisers (SGD with momentum/Nesterov, Adam), decoupled weight decay and
gradient clipping by global norm.

An optimiser is built on a model (or on ``model.parameters()``, the
``(module, name)`` pairs) and updates ``module.params[name]`` in place from
``module.grads[name]``::

    opt = Adam(model, lr=1e-3)
    loss.forward(model.forward(x), y)
    model.backward(loss.backward())
    opt.step()

``opt.lr`` may be changed between steps (learning-rate schedules do this).

Weight decay is *decoupled* (Loshchilov and Hutter, AdamW): each step also does
``p -= lr * weight_decay * p``, separately from the gradient step. It applies to
weight matrices and kernels only (arrays with ``ndim >= 2``), not to biases or
BatchNorm's gamma/beta.
"""

from __future__ import annotations

import numpy as np

from ..validation import check_float
from .core import Module


def _collect(params, owner: str) -> list[tuple[Module, str]]:
    if isinstance(params, Module):
        params = params.parameters()
    pairs = list(params)
    for p in pairs:
        if not (isinstance(p, tuple) and len(p) == 2 and isinstance(p[0], Module) and p[1] in p[0].params):
            raise TypeError(f"{owner}: params must be a Module or its parameters() "
                            f"((module, name) pairs), got an item {p!r}")
    return pairs


class Optimizer:
    """Base class. Subclasses implement ``_update(i, p, g)`` for parameter number i."""

    def __init__(self, params, lr: float, weight_decay: float) -> None:
        name = type(self).__name__
        self.param_refs = _collect(params, name)
        self.lr = check_float(lr, "lr", name, low=0.0, low_open=True)
        self.weight_decay = check_float(weight_decay, "weight_decay", name, low=0.0)
        self.iterations = 0

    def zero_grad(self) -> None:
        for m, name in self.param_refs:
            m.grads[name] = np.zeros_like(m.params[name])

    def _check_lr(self) -> None:
        """The learning rate may change between steps (schedules, a notebook cell): it must still be finite."""
        owner = f"{type(self).__name__}.step"
        try:
            check_float(self.lr, "lr", owner, low=0.0)
        except (TypeError, ValueError) as exc:
            raise type(exc)(f"{exc}; the learning rate was changed after the optimiser was built (by a schedule "
                            "or an assignment to .lr): give it a finite value >= 0 before stepping") from None

    def step(self) -> None:
        """Update every parameter once from its current gradient (refused when ``lr`` is not finite)."""
        self._check_lr()
        self.iterations += 1
        for i, (m, name) in enumerate(self.param_refs):
            p, g = m.params[name], m.grads[name]
            if self.weight_decay and p.ndim >= 2:
                p *= 1 - self.lr * self.weight_decay
            self._update(i, p, g)

    def _update(self, i: int, p: np.ndarray, g: np.ndarray) -> None:
        raise NotImplementedError


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with (Nesterov) momentum.

    With velocity ``v`` (starting at 0) and momentum ``mu``::

        v = mu * v + g
        p -= lr * v               (classical momentum)
        p -= lr * (g + mu * v)    (nesterov=True)

    With ``mu = 0`` this is ``p -= lr * g``.

    Parameters
    ----------
    params : Module or iterable of (module, name)
    lr : float > 0, default 0.01
    momentum : float in [0, 1), default 0
    nesterov : bool, default False (needs momentum > 0)
    weight_decay : float >= 0, default 0 (decoupled, see module docstring)
    """

    def __init__(self, params, lr: float = 0.01, momentum: float = 0.0, nesterov: bool = False,
                 weight_decay: float = 0.0) -> None:
        super().__init__(params, lr, weight_decay)
        self.momentum = check_float(momentum, "momentum", "SGD", low=0.0, high=1.0, high_open=True)
        if nesterov and self.momentum == 0:
            raise ValueError("SGD: nesterov=True needs momentum in (0, 1), got momentum=0")
        self.nesterov = bool(nesterov)
        self.velocity = [np.zeros_like(m.params[n]) for m, n in self.param_refs]

    def _update(self, i, p, g):
        if self.momentum == 0:
            p -= self.lr * g
            return
        v = self.velocity[i]
        v *= self.momentum
        v += g
        p -= self.lr * (g + self.momentum * v) if self.nesterov else self.lr * v

    def __repr__(self):
        return (f"SGD(lr={self.lr:g}, momentum={self.momentum:g}, nesterov={self.nesterov}, "
                f"weight_decay={self.weight_decay:g})")


class Adam(Optimizer):
    """Adam (Kingma and Ba, 2015); with ``weight_decay > 0`` it is AdamW.

    At step t (from 1), with moments m and v starting at 0::

        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g**2
        p -= lr * (m / (1 - beta1**t)) / (sqrt(v / (1 - beta2**t)) + eps)

    Parameters
    ----------
    params : Module or iterable of (module, name)
    lr : float > 0, default 1e-3
    betas : (float, float) each in [0, 1), default (0.9, 0.999)
    eps : float > 0, default 1e-8
    weight_decay : float >= 0, default 0 (decoupled, see module docstring)
    """

    def __init__(self, params, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0) -> None:
        super().__init__(params, lr, weight_decay)
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise ValueError(f"Adam: betas must be a pair (beta1, beta2), got {betas!r}")
        self.betas = tuple(check_float(b, f"betas[{k}]", "Adam", low=0.0, high=1.0, high_open=True)
                           for k, b in enumerate(betas))
        self.eps = check_float(eps, "eps", "Adam", low=0.0, low_open=True)
        self.m = [np.zeros_like(m.params[n]) for m, n in self.param_refs]
        self.v = [np.zeros_like(m.params[n]) for m, n in self.param_refs]

    def step(self) -> None:
        self._check_lr()
        b1, b2 = self.betas
        t = self.iterations + 1
        # bias corrections folded into the step size and eps (same result, fewer array ops)
        self._step_size = float(self.lr * np.sqrt(1 - b2 ** t) / (1 - b1 ** t))
        self._eps_hat = float(self.eps * np.sqrt(1 - b2 ** t))
        super().step()

    def _update(self, i, p, g):
        b1, b2 = self.betas
        m, v = self.m[i], self.v[i]
        m *= b1
        m += (1 - b1) * g
        v *= b2
        v += (1 - b2) * (g * g)
        denom = np.sqrt(v)
        denom += self._eps_hat
        p -= self._step_size * (m / denom)

    def __repr__(self):
        return f"Adam(lr={self.lr:g}, betas={self.betas}, eps={self.eps:g}, weight_decay={self.weight_decay:g})"


def global_grad_norm(params) -> float:
    """``sqrt(sum of squared gradient entries)`` over all parameters."""
    pairs = _collect(params, "global_grad_norm")
    return float(np.sqrt(sum(float(np.vdot(m.grads[n], m.grads[n])) for m, n in pairs)))


def clip_grad_norm(params, max_norm: float) -> float:
    """Scale all gradients together so their global norm is at most ``max_norm``.

    Parameters
    ----------
    params : Module or iterable of (module, name)
    max_norm : float > 0

    Returns
    -------
    float
        The global norm *before* clipping (plot it to see exploding gradients).
    """
    max_norm = check_float(max_norm, "max_norm", "clip_grad_norm", low=0.0, low_open=True)
    pairs = _collect(params, "clip_grad_norm")
    norm = global_grad_norm(pairs)
    if norm > max_norm:
        scale = max_norm / (norm + 1e-12)
        for m, n in pairs:
            m.grads[n] = m.grads[n] * scale
    return norm
