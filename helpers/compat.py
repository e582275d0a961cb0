"""Small bridges over differences between the supported library versions.

scikit-learn 1.8 replaced ``LogisticRegression(penalty=...)`` by the elastic-net mix ``l1_ratio``
(0 = L2, 1 = L1); older releases ignore ``l1_ratio`` unless ``penalty="elasticnet"``.
"""
from __future__ import annotations

import inspect
from typing import Any

from .validation import check_float


def penalised_logistic_regression(C: float, l1_ratio: float, **kwargs: Any):
    """``LogisticRegression`` with penalty ``(1 - l1_ratio) * L2 + l1_ratio * L1`` on every supported scikit-learn.

    ``l1_ratio`` must be in [0, 1]; other keyword arguments (solver, tol, max_iter, ...) pass through.
    """
    from sklearn.linear_model import LogisticRegression

    l1_ratio = check_float(l1_ratio, "l1_ratio", "penalised_logistic_regression", low=0.0, high=1.0)
    if inspect.signature(LogisticRegression).parameters["penalty"].default == "deprecated":
        return LogisticRegression(C=C, l1_ratio=l1_ratio, **kwargs)
    if l1_ratio == 0.0:
        return LogisticRegression(C=C, penalty="l2", **kwargs)
    if l1_ratio == 1.0:
        return LogisticRegression(C=C, penalty="l1", **kwargs)
    return LogisticRegression(C=C, penalty="elasticnet", l1_ratio=l1_ratio, **kwargs)
