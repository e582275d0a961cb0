"""Training recipes the notebooks share: one training run, and a hyperparameter chosen on a grid.

``train_network`` is the workbook's one way to train a network for a comparison: an optimiser
(Adam by default) built on the model, ``fit`` on the training data with the validation data
monitored every epoch, optional early stopping that restores the best epoch's weights, and the
model's outputs on any named data sets afterwards. What it returns is small and picklable, so a
function run by :func:`helpers.seeds.run_seeds` can return it::

    import numpy as np
    from helpers import nn

    def train_once(rng, lr):
        model = nn.Sequential(nn.Linear(30, 16, rng=rng), nn.ReLU(), nn.Linear(16, 1, rng=rng, init="glorot"))
        return nn.train_network(model, nn.BinaryCrossEntropy(), X_train, y_train, rng=rng, lr=lr, epochs=300,
                                validation_data=(X_val, y_val), patience=20, outputs_for={"test": X_test})

    run = train_once(np.random.default_rng(0), lr=1e-3)
    run.history["val_loss"], run.best_epoch, run.weights_epoch, run.outputs["test"]

``choose_on_grid`` picks a setting (a learning rate, a penalty strength) from validation scores
over seeds and says whether the winner sits at an edge of the grid, where a wider grid might have
found a better value::

    choice = nn.choose_on_grid([1e-3, 3e-3, 1e-2], val_losses, higher_is_better=False)  # (settings, seeds)
    choice.value, choice.means, choice.sds, choice.at_edge          # at_edge: None, "low" or "high"
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..validation import check_float, check_int, check_rng
from .core import Module
from .losses import Loss
from .optim import Adam, Optimizer
from .train import EarlyStopping, fit, predict

__all__ = ["TrainingRun", "GridChoice", "train_network", "choose_on_grid"]


@dataclass(frozen=True)
class TrainingRun:
    """What :func:`train_network` measured (the model itself is trained in place).

    history : per-epoch curves (``loss``, each metric, ``val_loss``, ``val_<metric>``, ``lr``)
    best_epoch : index (from 0) of the best epoch of the monitored value
    weights_epoch : index of the epoch whose weights the model holds at the end (``best_epoch`` with
        early stopping, else the last epoch)
    epochs : epochs run
    stopped_early : True when early stopping ended training before ``epochs``
    outputs : the trained model's outputs (logits for classifiers) on each data set of ``outputs_for``
    """

    history: dict[str, list[float]]
    best_epoch: int
    weights_epoch: int
    epochs: int
    stopped_early: bool
    outputs: dict[str, np.ndarray] = field(default_factory=dict)


def _check_options(loss, model, optimizer, optimizer_options, outputs_for) -> None:
    if not isinstance(model, Module):
        raise TypeError(f"train_network: model must be a helpers.nn Module; got {type(model).__name__}")
    if not isinstance(loss, Loss):
        raise TypeError(f"train_network: loss must be a helpers.nn Loss (e.g. nn.SoftmaxCrossEntropy()); "
                        f"got {type(loss).__name__}")
    if not callable(optimizer):
        raise TypeError("train_network: optimizer must be an optimiser class such as nn.Adam (called as "
                        f"optimizer(model, lr=..., weight_decay=..., **optimizer_options)); got {optimizer!r}")
    if optimizer_options is not None and not isinstance(optimizer_options, Mapping):
        raise TypeError(f"train_network: optimizer_options must be a dict or None; got {type(optimizer_options).__name__}")
    if outputs_for is not None and (not isinstance(outputs_for, Mapping)
                                    or not all(isinstance(k, str) for k in outputs_for)):
        raise TypeError("train_network: outputs_for must be a dict {name: X} of data sets to predict, e.g. "
                        "{'test': X_test}")


def train_network(model: Module, loss: Loss, X: np.ndarray, y: np.ndarray, *, rng: np.random.Generator,
                  lr: float, epochs: int, validation_data: tuple[np.ndarray, np.ndarray],
                  patience: int | None = None, monitor: str = "val_loss", batch_size: int = 32,
                  weight_decay: float = 0.0, optimizer: Callable[..., Optimizer] = Adam,
                  optimizer_options: Mapping[str, Any] | None = None, metrics: Sequence = ("accuracy",),
                  outputs_for: Mapping[str, np.ndarray] | None = None) -> TrainingRun:
    """Train ``model`` in place on ``(X, y)``, monitoring ``validation_data``; return a :class:`TrainingRun`.

    Parameters
    ----------
    model, loss : the network and its loss
    X, y : training inputs and targets
    rng : numpy.random.Generator, shuffles the mini-batches
    lr : float > 0, the optimiser's learning rate
    epochs : int >= 1, the most epochs to run
    validation_data : (X_val, y_val), evaluated after every epoch (the curves and early stopping)
    patience : int >= 1 or None
        With a patience: stop after that many epochs without improvement of ``monitor`` and restore
        the best epoch's weights. None: run every epoch and keep the last weights.
    monitor : str, default "val_loss"; a History key (keys with "accuracy" are maximised)
    batch_size : int >= 1, default 32
    weight_decay : float >= 0, decoupled weight decay of the optimiser (weight matrices only)
    optimizer : optimiser class, default ``nn.Adam``; called as
        ``optimizer(model, lr=lr, weight_decay=weight_decay, **optimizer_options)``
    optimizer_options : extra keyword arguments of that class, or None
    metrics : passed to :func:`helpers.nn.fit` (names or callables ``f(y, outputs)``)
    outputs_for : {name: X} or None; the trained model's outputs on each (``nn.predict``)
    """
    _check_options(loss, model, optimizer, optimizer_options, outputs_for)
    check_rng(rng, "train_network")
    lr = check_float(lr, "lr", "train_network", low=0.0, low_open=True)
    epochs = check_int(epochs, "epochs", "train_network")
    weight_decay = check_float(weight_decay, "weight_decay", "train_network", low=0.0)
    if patience is not None:
        patience = check_int(patience, "patience", "train_network")
    if not (isinstance(validation_data, (tuple, list)) and len(validation_data) == 2):
        raise ValueError("train_network: validation_data must be a pair (X_val, y_val)")
    opt = optimizer(model, lr=lr, weight_decay=weight_decay, **dict(optimizer_options or {}))
    early = EarlyStopping(patience=patience, monitor=monitor, restore_best_weights=True) if patience else None
    history = fit(model, loss, opt, X, y, epochs=epochs, batch_size=batch_size, rng=rng,
                  validation_data=tuple(validation_data), metrics=metrics, early_stopping=early, progress=False)
    best = history.best_epoch if patience else int(np.argmin(history[monitor]) if "accuracy" not in monitor
                                                    else np.argmax(history[monitor]))
    outputs = {name: predict(model, data) for name, data in (outputs_for or {}).items()}
    return TrainingRun({k: list(v) for k, v in history.history.items()}, int(best),
                       int(best) if patience else history.epochs - 1, history.epochs, bool(history.stopped_early),
                       outputs)


@dataclass(frozen=True)
class GridChoice:
    """The setting :func:`choose_on_grid` picked.

    index, value : position and value of the chosen setting
    means, sds : mean and sample sd (ddof=1) of each setting's scores over seeds
    at_edge : None, or "low" / "high" when the chosen setting is the first / last of the grid
        (the best value may lie beyond it: widen the grid or say so)
    """

    index: int
    value: Any
    means: np.ndarray
    sds: np.ndarray
    at_edge: str | None

    @property
    def mean(self) -> float:
        return float(self.means[self.index])

    @property
    def sd(self) -> float:
        return float(self.sds[self.index])


def choose_on_grid(values: Sequence, scores: Any, *, higher_is_better: bool = True) -> GridChoice:
    """The grid setting with the best mean validation score over seeds.

    ``values`` are the settings in grid order (e.g. increasing strength); ``scores`` has shape
    (settings, seeds). Ties go to the earlier setting. ``at_edge`` says when the winner is the first
    or last setting of a grid of three or more.
    """
    values = list(values)
    s = np.asarray(scores, dtype=np.float64)
    if s.ndim != 2 or s.shape[0] != len(values) or s.shape[1] < 2:
        raise ValueError(f"choose_on_grid: scores must have shape (settings, seeds) = ({len(values)}, >= 2); "
                         f"got shape {s.shape}")
    if not np.all(np.isfinite(s)):
        raise ValueError("choose_on_grid: scores must be finite (a NaN score means a run failed)")
    if not isinstance(higher_is_better, (bool, np.bool_)):
        raise TypeError(f"choose_on_grid: higher_is_better must be True or False; got {higher_is_better!r}")
    means, sds = s.mean(axis=1), s.std(axis=1, ddof=1)
    index = int(np.argmax(means) if higher_is_better else np.argmin(means))
    edge = None if len(values) < 3 else "low" if index == 0 else "high" if index == len(values) - 1 else None
    return GridChoice(index, values[index], means, sds, edge)
