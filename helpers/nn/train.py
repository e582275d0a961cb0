"""Training and inference loops: fit, evaluate, predict, predict_proba, predict_labels.

``fit`` prints nothing except one tqdm progress bar over epochs; everything it
measures is returned in a :class:`History`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from scipy.special import expit

from ..progress import progress_bar
from ..seeds import in_seed_run
from ..validation import check_finite, check_float, check_int, check_rng
from .core import Module
from .losses import Loss, softmax
from .metrics import predicted_labels, resolve_metrics
from .optim import Optimizer, clip_grad_norm


class TrainingDivergedError(RuntimeError):
    """The loss became NaN or infinite during ``fit``.

    Attributes ``epoch`` and ``batch`` (counted from 1; ``batch`` is None for
    the validation loss) and ``value`` (the non-finite loss).
    """

    def __init__(self, epoch: int, epochs: int, batch: int | None, n_batches: int, value: float,
                 lr: float) -> None:
        self.epoch, self.batch, self.value = epoch, batch, value
        where = "on the validation data" if batch is None else f"at batch {batch}/{n_batches}"
        super().__init__(
            f"fit: training diverged, the loss became {value} in epoch {epoch}/{epochs} {where}. "
            f"The learning rate (lr={lr:g}) is probably too high: lower it (e.g. 10x) "
            "or clip the gradients with fit(..., clip_norm=1.0).")


@dataclass
class EarlyStopping:
    """Stop when the monitored value has not improved for ``patience`` epochs.

    Parameters
    ----------
    patience : int >= 1, default 5
        Epochs without improvement before stopping.
    min_delta : float >= 0, default 0
        Smallest change that counts as an improvement.
    monitor : str or None, default None
        A History key; None means "val_loss" with validation data, else "loss".
        Keys containing "accuracy" are maximised, others minimised.
    restore_best_weights : bool, default True
        At the end of ``fit`` put back the weights of the best epoch.

    ``fit(..., early_stopping=5)`` is ``early_stopping=EarlyStopping(patience=5)``.
    """

    patience: int = 5
    min_delta: float = 0.0
    monitor: str | None = None
    restore_best_weights: bool = True

    def __post_init__(self) -> None:
        check_int(self.patience, "patience", "EarlyStopping")
        check_float(self.min_delta, "min_delta", "EarlyStopping", low=0.0)


class History:
    """What ``fit`` measured, one entry per epoch.

    ``history["loss"]`` or ``history.loss``; keys: ``loss``, each metric (e.g.
    ``accuracy``), ``val_loss`` and ``val_<metric>`` with validation data, and
    ``lr``. Also:

    best_epoch : int
        Index (from 0) of the best epoch of the monitored value (``val_loss``
        with validation data, else ``loss``, or early stopping's ``monitor``).
    monitor : str
    stopped_early : bool
    seconds : float
        Wall time of the whole ``fit`` call (for reports; not reproducible).
    """

    def __init__(self) -> None:
        self.history: dict[str, list[float]] = {}
        self.best_epoch: int | None = None
        self.monitor = "loss"
        self.stopped_early = False
        self.seconds = 0.0

    def append(self, key: str, value: float) -> None:
        self.history.setdefault(key, []).append(float(value))

    def __getitem__(self, key: str) -> list[float]:
        if key not in self.history:
            raise KeyError(f"History has no {key!r}; available: {sorted(self.history)}")
        return self.history[key]

    def __getattr__(self, name: str):
        history = self.__dict__.get("history", {})
        if name in history:
            return history[name]
        raise AttributeError(f"History has no {name!r}; available: {sorted(history)}")

    def keys(self):
        return self.history.keys()

    @property
    def epochs(self) -> int:
        """Number of epochs run."""
        return len(self.history.get("loss", []))

    def best(self, key: str | None = None) -> float:
        """Value of ``key`` (default: the monitored one) at ``best_epoch``."""
        return self[key or self.monitor][self.best_epoch]

    def to_dict(self) -> dict:
        return {**self.history, "best_epoch": self.best_epoch, "stopped_early": self.stopped_early}

    def __repr__(self) -> str:
        return (f"History(epochs={self.epochs}, best_epoch={self.best_epoch}, monitor={self.monitor!r}, "
                f"keys={list(self.history)})")


def _check_xy(X, y, owner: str, name: str = "X", y_name: str = "y"):
    """``X`` (and ``y``) as arrays with a batch axis, equal lengths and finite entries."""
    X = np.asarray(X)
    if X.ndim < 2:
        raise ValueError(f"{owner}: {name} must have a batch axis, shape (N, ...), got shape {X.shape}")
    if len(X) == 0:
        raise ValueError(f"{owner}: {name} has no samples")
    X = check_finite(X, name, owner)
    if y is not None:
        y = np.asarray(y)
        if len(y) != len(X):
            raise ValueError(f"{owner}: {name} has {len(X)} samples but its targets have {len(y)}")
        y = check_finite(y, y_name, owner)
    return X, y


def _cast(model: Module, X: np.ndarray, y: np.ndarray | None):
    """Inputs (and float targets) in the model's dtype, copied once instead of per batch."""
    dt = model.param_dtype
    if dt is not None and X.dtype != dt:
        X = X.astype(dt)
    if dt is not None and y is not None and np.issubdtype(y.dtype, np.floating) and y.dtype != dt:
        y = y.astype(dt)
    return X, y


def _improved(value: float, best: float, mode: str, min_delta: float) -> bool:
    return value < best - min_delta if mode == "min" else value > best + min_delta


def _check_optimizer_owner(model: Module, optimizer: Optimizer) -> None:
    """Refuse an optimiser that would update arrays outside ``model`` (its steps would not train it)."""
    own = {(id(m), name) for m, name in model.parameters()}
    foreign = [f"{type(m).__name__}.{name}" for m, name in optimizer.param_refs if (id(m), name) not in own]
    if foreign or not optimizer.param_refs:
        what = f"{len(foreign)} parameter(s) that are not this model's (e.g. {foreign[0]})" if foreign \
            else "no parameters"
        raise ValueError(f"fit: the optimizer updates {what}, so its steps would not train the model; build the "
                         f"optimizer on this model's parameters, e.g. {type(optimizer).__name__}(model, lr=...)")


def _check_fit_arguments(model, loss, optimizer, epochs, batch_size, rng, clip_norm, schedule, early_stopping):
    """Check fit's arguments; returns ``(epochs, batch_size, clip_norm, early_stopping)`` normalised."""
    if not isinstance(model, Module):
        raise TypeError(f"fit: model must be a helpers.nn Module, got {type(model).__name__}")
    if not isinstance(loss, Loss):
        raise TypeError(f"fit: loss must be a helpers.nn Loss (e.g. SoftmaxCrossEntropy()), got {type(loss).__name__}")
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"fit: optimizer must be a helpers.nn Optimizer (e.g. Adam(model)), "
                        f"got {type(optimizer).__name__}")
    _check_optimizer_owner(model, optimizer)
    epochs = check_int(epochs, "epochs", "fit")
    batch_size = check_int(batch_size, "batch_size", "fit")
    check_rng(rng, "fit")
    if clip_norm is not None:
        clip_norm = check_float(clip_norm, "clip_norm", "fit", low=0.0, low_open=True)
    if schedule is not None and not callable(schedule):
        raise TypeError(f"fit: schedule must be a callable epoch -> lr (e.g. CosineSchedule), got {schedule!r}")
    if isinstance(early_stopping, (int, np.integer)) and not isinstance(early_stopping, bool):
        early_stopping = EarlyStopping(patience=int(early_stopping))
    if early_stopping is not None and not isinstance(early_stopping, EarlyStopping):
        raise TypeError(f"fit: early_stopping must be None, a patience (int) or EarlyStopping, got {early_stopping!r}")
    return epochs, batch_size, clip_norm, early_stopping


def _check_validation_data(model: Module, validation_data):
    if validation_data is None:
        return None
    if not (isinstance(validation_data, (tuple, list)) and len(validation_data) == 2):
        raise ValueError("fit: validation_data must be a pair (X_val, y_val)")
    Xv, yv = _check_xy(*validation_data, "fit", "validation_data X", "validation_data y")
    return _cast(model, Xv, yv)


def _monitor(early_stopping: EarlyStopping | None, with_validation: bool, metric_fns) -> str:
    """The History key that picks the best epoch (and stops early); checked against what fit records."""
    monitor = (early_stopping.monitor if early_stopping and early_stopping.monitor
               else "val_loss" if with_validation else "loss")
    known = ["loss", *metric_fns]
    known += [f"val_{k}" for k in known] if with_validation else []
    if monitor not in known:
        raise ValueError(f"fit: early_stopping.monitor must be one of {known}, got {monitor!r}")
    return monitor


@dataclass
class _Batches:
    """One epoch's mini-batches and where fit is (for the divergence message)."""

    X: np.ndarray
    y: np.ndarray
    size: int
    epoch: int
    epochs: int

    @property
    def count(self) -> int:
        return -(-len(self.X) // self.size)


def _train_epoch(model: Module, loss: Loss, optimizer: Optimizer, batches: _Batches, clip_norm: float | None,
                 keep_outputs: bool) -> tuple[float, list[np.ndarray]]:
    """One pass of forward, loss, backward and step over every batch: (mean loss, the batches' outputs)."""
    model.train()
    total, outputs = 0.0, []
    for b in range(batches.count):
        xb = batches.X[b * batches.size:(b + 1) * batches.size]
        yb = batches.y[b * batches.size:(b + 1) * batches.size]
        out = model.forward(xb)
        value = loss.forward(out, yb)
        if not np.isfinite(value):
            raise TrainingDivergedError(batches.epoch + 1, batches.epochs, b + 1, batches.count, value,
                                        optimizer.lr)
        model.backward(loss.backward())
        if clip_norm is not None:
            clip_grad_norm(optimizer.param_refs, clip_norm)
        optimizer.step()
        total += value * len(xb)
        if keep_outputs:
            outputs.append(out)
    return total / len(batches.X), outputs


class _BestEpoch:
    """Tracks the monitored value, the best epoch's weights and the patience left."""

    def __init__(self, history: History, early_stopping: EarlyStopping | None) -> None:
        self.history, self.early_stopping = history, early_stopping
        self.mode = "max" if "accuracy" in history.monitor else "min"
        self.best = np.inf if self.mode == "min" else -np.inf
        self.state, self.wait = None, 0

    def update(self, model: Module, epoch: int) -> bool:
        """Record this epoch; True when early stopping says stop."""
        es = self.early_stopping
        current = self.history[self.history.monitor][-1]
        if _improved(current, self.best, self.mode, es.min_delta if es else 0.0):
            self.best, self.history.best_epoch, self.wait = current, epoch, 0
            if es and es.restore_best_weights:
                self.state = model.state_dict()
            return False
        self.wait += 1
        return bool(es and self.wait >= es.patience)


def fit(model: Module, loss: Loss, optimizer: Optimizer, X: np.ndarray, y: np.ndarray, *,
        epochs: int, batch_size: int = 32, rng: np.random.Generator,
        validation_data: tuple[np.ndarray, np.ndarray] | None = None,
        metrics=("accuracy",), early_stopping: EarlyStopping | int | None = None,
        schedule=None, clip_norm: float | None = None, progress: bool = True,
        shuffle: bool = True) -> History:
    """Train ``model`` with mini-batch gradient descent.

    Each epoch shuffles the samples (with ``rng``), runs forward, loss, backward and
    ``optimizer.step()`` on every mini-batch (the last may be smaller), then evaluates on
    ``validation_data`` in evaluation mode. Training loss and metrics are averages over the
    epoch's batches (as the weights change), like Keras.

    Parameters
    ----------
    model : Module
    loss : Loss, e.g. ``SoftmaxCrossEntropy()``
    optimizer : Optimizer built on ``model``, e.g. ``Adam(model, lr=1e-3)`` (one built on another model is refused)
    X, y : finite arrays (N, ...): inputs (cast to the model's dtype), targets (labels for SoftmaxCrossEntropy)
    epochs : int >= 1
    batch_size : int >= 1, default 32
    rng : numpy.random.Generator, shuffles the batches
    validation_data : (X_val, y_val) or None
    metrics : sequence of names ("accuracy", "mae", "rmse") or callables ``f(y, outputs)``
    early_stopping : EarlyStopping, int (patience) or None
    schedule : callable ``epoch -> lr`` or None, e.g. ``CosineSchedule(1e-2, epochs)``; sets ``optimizer.lr``
    clip_norm : float > 0 or None, clip gradients to this global norm before each step
    progress : bool, default True, a tqdm bar over epochs with the losses (TQDM_DISABLE=1 hides it; never
        inside :func:`helpers.seeds.run_seeds`, which shows one bar over its runs)
    shuffle : bool, default True; returns a History.

    Raises
    ------
    ValueError
        Before training: a non-finite input or target (the array and its first bad entry named), an
        optimiser over another model's parameters, an argument out of range.
    TrainingDivergedError
        The loss became NaN or infinite on finite data (lower the learning rate or clip gradients).
    """
    epochs, batch_size, clip_norm, early_stopping = _check_fit_arguments(
        model, loss, optimizer, epochs, batch_size, rng, clip_norm, schedule, early_stopping)
    X, y = _cast(model, *_check_xy(X, y, "fit"))
    validation = _check_validation_data(model, validation_data)
    metric_fns = resolve_metrics(metrics)
    history, start_time = History(), time.perf_counter()
    history.monitor = _monitor(early_stopping, validation is not None, metric_fns)
    plan = _Plan(epochs, batch_size, rng, shuffle, schedule, clip_norm, metric_fns, validation)
    best = _BestEpoch(history, early_stopping)
    bar = _epoch_bar(epochs, progress)
    try:
        with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
            _run_epochs(model, loss, optimizer, X, y, plan, history, best, bar)
    finally:
        bar.close()
        model.train()
    if best.state is not None:
        model.load_state_dict(best.state)
    history.seconds = time.perf_counter() - start_time
    return history


def _epoch_bar(epochs: int, progress: bool):
    """fit's bar over epochs (none when TQDM_DISABLE is set: tests and refreshes); inside
    helpers.seeds.run_seeds the runner's own bar counts the runs."""
    return progress_bar(range(epochs), desc="training", unit="epoch", enabled=progress and not in_seed_run())


@dataclass
class _Plan:
    """fit's checked settings."""

    epochs: int
    batch_size: int
    rng: np.random.Generator
    shuffle: bool
    schedule: object
    clip_norm: float | None
    metric_fns: dict
    validation: tuple[np.ndarray, np.ndarray] | None


def _run_epochs(model, loss, optimizer, X, y, plan: _Plan, history: History, best: _BestEpoch, bar) -> None:
    """The epochs of :func:`fit`: learning rate, one training pass, the epoch's scores, early stopping."""
    for epoch in bar:
        if plan.schedule is not None:
            optimizer.lr = check_float(plan.schedule(epoch), "schedule(epoch)", "fit", low=0.0)
        history.append("lr", optimizer.lr)
        order = plan.rng.permutation(len(X)) if plan.shuffle else slice(None)
        batches = _Batches(X[order], y[order], plan.batch_size, epoch, plan.epochs)
        mean_loss, outputs = _train_epoch(model, loss, optimizer, batches, plan.clip_norm, bool(plan.metric_fns))
        history.append("loss", mean_loss)
        _record_epoch(model, loss, history, batches, outputs, plan.metric_fns, plan.validation, optimizer.lr)
        bar.set_postfix({k: f"{history[k][-1]:.4f}" for k in ("loss", "val_loss") if k in history.keys()},
                        refresh=False)
        if best.update(model, epoch):
            history.stopped_early = True
            break


def _record_epoch(model, loss, history: History, batches: _Batches, outputs, metric_fns, validation,
                  lr: float) -> None:
    """Append the epoch's training metrics and its validation loss and metrics to ``history``."""
    if metric_fns:
        train_out = np.concatenate(outputs)
        for name, fn in metric_fns.items():
            history.append(name, fn(batches.y, train_out))
    if validation is None:
        return
    scores = evaluate(model, loss, *validation, batch_size=max(batches.size, 256), metrics=metric_fns)
    if not np.isfinite(scores["loss"]):
        raise TrainingDivergedError(batches.epoch + 1, batches.epochs, None, batches.count, scores["loss"], lr)
    for name, value in scores.items():
        history.append(f"val_{name}", value)


def predict(model: Module, X: np.ndarray, *, batch_size: int = 256) -> np.ndarray:
    """Network outputs (logits for classifiers) for ``X``, in evaluation mode and in batches.

    The model's training/evaluation mode is restored afterwards.

    Parameters
    ----------
    model : Module
    X : ndarray (N, ...)
    batch_size : int >= 1, default 256

    Returns
    -------
    ndarray (N, ...), the stacked outputs of ``model.forward``.
    """
    batch_size = check_int(batch_size, "batch_size", "predict")
    X, _ = _check_xy(X, None, "predict")
    X, _ = _cast(model, X, None)
    was_training = model.training
    model.eval()
    try:
        outs = [model.forward(X[i:i + batch_size]) for i in range(0, len(X), batch_size)]
    finally:
        model.train(was_training)
    return np.concatenate(outs)


def predict_proba(model: Module, X: np.ndarray, *, batch_size: int = 256) -> np.ndarray:
    """Class probabilities, (N, C): softmax of (N, C) logits, or for a single
    logit per sample ``[1 - sigmoid(z), sigmoid(z)]`` (like scikit-learn, column
    ``k`` is the probability of class ``k``)."""
    out = predict(model, X, batch_size=batch_size)
    if out.ndim == 2 and out.shape[1] > 1:
        return softmax(out, axis=1)
    if out.ndim in (1, 2):
        p = expit(out.reshape(len(out)))
        return np.stack([1 - p, p], axis=1)
    raise ValueError(f"predict_proba: expected model outputs of shape (N, C) or (N,), got {out.shape}")


def predict_labels(model: Module, X: np.ndarray, *, batch_size: int = 256) -> np.ndarray:
    """Predicted class labels (N,): argmax of the logits, or ``logit > 0`` for one output."""
    return predicted_labels(predict(model, X, batch_size=batch_size))


def evaluate(model: Module, loss: Loss, X: np.ndarray, y: np.ndarray, *, batch_size: int = 256,
             metrics=("accuracy",)) -> dict[str, float]:
    """Loss and metrics on ``(X, y)`` in evaluation mode.

    Returns
    -------
    dict, e.g. ``{"loss": 0.12, "accuracy": 0.97}``.
    """
    X, y = _check_xy(X, y, "evaluate")
    metric_fns = metrics if isinstance(metrics, dict) else resolve_metrics(metrics)
    out = predict(model, X, batch_size=batch_size)
    scores = {"loss": loss.forward(out, y)}
    for name, fn in metric_fns.items():
        scores[name] = float(fn(y, out))
    return scores
