"""Learning-rate schedules: callables ``epoch -> lr`` (epochs counted from 0).

Pass one to ``fit(..., schedule=...)``, which sets ``optimizer.lr`` at the
start of every epoch, or call it yourself in a hand-written loop.
"""

from __future__ import annotations

import math

from ..validation import check_float, check_int


class StepSchedule:
    """``lr * gamma ** (epoch // step_size)``: multiply by ``gamma`` every ``step_size`` epochs.

    Parameters
    ----------
    lr : float > 0
        Learning rate of the first epochs.
    step_size : int >= 1
    gamma : float in (0, 1], default 0.1
    """

    def __init__(self, lr: float, step_size: int, gamma: float = 0.1) -> None:
        self.lr = check_float(lr, "lr", "StepSchedule", low=0.0, low_open=True)
        self.step_size = check_int(step_size, "step_size", "StepSchedule")
        self.gamma = check_float(gamma, "gamma", "StepSchedule", low=0.0, high=1.0, low_open=True)

    def __call__(self, epoch: int) -> float:
        return self.lr * self.gamma ** (check_int(epoch, "epoch", "StepSchedule", low=0) // self.step_size)

    def __repr__(self) -> str:
        return f"StepSchedule(lr={self.lr:g}, step_size={self.step_size}, gamma={self.gamma:g})"


class CosineSchedule:
    """Cosine annealing from ``lr`` to ``min_lr`` over ``epochs`` epochs,
    after an optional linear warm-up::

        lr_e = min_lr + (lr - min_lr) * (1 + cos(pi * e / (epochs - 1))) / 2

    (for ``e`` counted after the warm-up; ``min_lr`` is reached at the last epoch and kept after).

    Parameters
    ----------
    lr : float > 0
    epochs : int >= 1
        Length of the whole schedule, warm-up included.
    min_lr : float in [0, lr], default 0
    warmup_epochs : int in [0, epochs), default 0
        Epochs rising linearly to ``lr`` first (``lr * (e + 1) / (warmup_epochs + 1)``).
    """

    def __init__(self, lr: float, epochs: int, min_lr: float = 0.0, warmup_epochs: int = 0) -> None:
        self.lr = check_float(lr, "lr", "CosineSchedule", low=0.0, low_open=True)
        self.epochs = check_int(epochs, "epochs", "CosineSchedule")
        self.min_lr = check_float(min_lr, "min_lr", "CosineSchedule", low=0.0, high=self.lr)
        self.warmup_epochs = check_int(warmup_epochs, "warmup_epochs", "CosineSchedule", low=0)
        if self.warmup_epochs >= self.epochs:
            raise ValueError(f"CosineSchedule: warmup_epochs must be in [0, epochs) = [0, {self.epochs}), "
                             f"got {warmup_epochs}")

    def __call__(self, epoch: int) -> float:
        epoch = check_int(epoch, "epoch", "CosineSchedule", low=0)
        if epoch < self.warmup_epochs:
            return self.lr * (epoch + 1) / (self.warmup_epochs + 1)
        span = self.epochs - self.warmup_epochs - 1
        progress = 0.0 if span == 0 else min((epoch - self.warmup_epochs) / span, 1.0)
        return self.min_lr + (self.lr - self.min_lr) * (1 + math.cos(math.pi * progress)) / 2

    def __repr__(self) -> str:
        return (f"CosineSchedule(lr={self.lr:g}, epochs={self.epochs}, min_lr={self.min_lr:g}, "
                f"warmup_epochs={self.warmup_epochs})")
