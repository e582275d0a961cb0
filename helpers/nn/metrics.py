"""Metrics that ``fit`` and ``evaluate`` report, computed from network outputs, and per-class scores.

Each metric is ``metric(targets, outputs) -> float``. ``fit(metrics=...)`` takes
names from ``METRICS`` or your own functions (named by ``__name__``).

For a classifier's test predictions, :func:`confusion_matrix` and :func:`class_scores` give the
confusion matrix and per-class precision, recall and F1 (as scikit-learn's
``precision_recall_fscore_support`` with ``zero_division=0``)::

    s = nn.class_scores(y_test, nn.predict_labels(model, X_test), n_classes=5)
    s.precision, s.recall, s.f1, s.support, s.accuracy, s.macro_f1, s.confusion
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..validation import check_int


def predicted_labels(outputs: np.ndarray) -> np.ndarray:
    """Class labels from network outputs: argmax of (N, C) logits for C > 1,
    ``logit > 0`` for a single logit per sample ((N,) or (N, 1))."""
    outputs = np.asarray(outputs)
    if outputs.ndim == 2 and outputs.shape[1] > 1:
        return outputs.argmax(axis=1)
    return (outputs.reshape(len(outputs)) > 0).astype(np.int64)


def accuracy(targets: np.ndarray, outputs: np.ndarray) -> float:
    """Fraction of samples whose predicted label (see ``predicted_labels``) equals the target."""
    return float(np.mean(predicted_labels(outputs) == np.asarray(targets).reshape(len(outputs))))


def mae(targets: np.ndarray, outputs: np.ndarray) -> float:
    """Mean absolute error."""
    outputs = np.asarray(outputs)
    return float(np.mean(np.abs(outputs - np.asarray(targets).reshape(outputs.shape))))


def rmse(targets: np.ndarray, outputs: np.ndarray) -> float:
    """Root mean squared error."""
    outputs = np.asarray(outputs)
    return float(np.sqrt(np.mean((outputs - np.asarray(targets).reshape(outputs.shape)) ** 2)))


def _labels(values, name: str, n_classes: int) -> np.ndarray:
    y = np.asarray(values)
    if y.ndim != 1 or not np.issubdtype(y.dtype, np.integer):
        raise ValueError(f"class_scores: {name} must be a 1-D array of integer class labels; "
                         f"got dtype {y.dtype}, shape {y.shape}")
    if y.size and (y.min() < 0 or y.max() >= n_classes):
        raise ValueError(f"class_scores: {name} must lie in [0, n_classes - 1] = [0, {n_classes - 1}]; "
                         f"got labels from {y.min()} to {y.max()}")
    return y


def confusion_matrix(y_true, y_pred, n_classes: int) -> np.ndarray:
    """``C[j, k]``: how many samples of true class j were predicted as class k, shape (n_classes, n_classes)."""
    n_classes = check_int(n_classes, "n_classes", "confusion_matrix", low=2)
    t, p = _labels(y_true, "y_true", n_classes), _labels(y_pred, "y_pred", n_classes)
    if len(t) != len(p) or len(t) == 0:
        raise ValueError(f"confusion_matrix: y_true and y_pred must label the same samples; got {len(t)} and {len(p)}")
    cm = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(cm, (t, p), 1)
    return cm


@dataclass(frozen=True)
class ClassScores:
    """Per-class scores of one classifier on one labelled set (arrays indexed by class).

    ``precision[k] = C[k, k] / sum_j C[j, k]``, ``recall[k] = C[k, k] / sum_k' C[k, k']``,
    ``f1[k] = 2 P R / (P + R)``; 0 where the denominator is 0 (scikit-learn's ``zero_division=0``).
    """

    confusion: np.ndarray
    precision: np.ndarray
    recall: np.ndarray
    f1: np.ndarray
    support: np.ndarray

    @property
    def accuracy(self) -> float:
        return float(np.trace(self.confusion) / self.confusion.sum())

    @property
    def macro_f1(self) -> float:
        """The unweighted mean of the per-class F1 scores."""
        return float(self.f1.mean())


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    return np.divide(num, den, out=np.zeros(num.shape, dtype=np.float64), where=den > 0)


def class_scores(y_true, y_pred, n_classes: int) -> ClassScores:
    """Confusion matrix, per-class precision, recall, F1 and support of predictions ``y_pred``."""
    cm = confusion_matrix(y_true, y_pred, n_classes)
    hits = np.diag(cm).astype(np.float64)
    precision, recall = _ratio(hits, cm.sum(axis=0)), _ratio(hits, cm.sum(axis=1))
    f1 = _ratio(2 * precision * recall, precision + recall)
    return ClassScores(cm, precision, recall, f1, cm.sum(axis=1))


METRICS = {"accuracy": accuracy, "mae": mae, "rmse": rmse}


def resolve_metrics(metrics) -> dict:
    """``{name: function}`` from names in ``METRICS`` and/or callables."""
    if metrics is None:
        return {}
    if isinstance(metrics, str) or callable(metrics):
        metrics = (metrics,)
    out = {}
    for m in metrics:
        if callable(m):
            out[getattr(m, "__name__", "metric")] = m
        elif m in METRICS:
            out[m] = METRICS[m]
        else:
            raise ValueError(f"fit: metrics must be names in {sorted(METRICS)} or callables, got {m!r}")
    return out
