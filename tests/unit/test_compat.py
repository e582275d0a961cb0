import numpy as np
import pytest

from helpers.compat import penalised_logistic_regression
from helpers.data import load_sklearn


@pytest.mark.parametrize("l1_ratio", [0.0, 0.5, 1.0])
def test_l1_ratio_sets_the_penalty_mix(l1_ratio):
    d = load_sklearn("breast_cancer")
    X = (d.X - d.X.mean(0)) / d.X.std(0)
    model = penalised_logistic_regression(0.05, l1_ratio, solver="saga", max_iter=5000, tol=1e-6).fit(X, d.y)
    zeros = int(np.sum(model.coef_ == 0))
    if l1_ratio == 0.0:
        assert zeros == 0
    else:  # a strong L1 part makes exact zeros
        assert zeros > 5


def test_l1_ratio_outside_the_unit_interval_is_refused():
    with pytest.raises(ValueError, match=r"^penalised_logistic_regression: l1_ratio must be a finite number "
                                         r"in \[0, 1\]; got 1.5$"):
        penalised_logistic_regression(1.0, 1.5)
