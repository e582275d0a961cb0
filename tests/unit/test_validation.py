import numpy as np
import pytest

from helpers.validation import check_float, check_generator, check_int


def test_accepts_values_in_range_and_converts():
    assert check_int("k", np.int64(3), 1, 5) == 3 and isinstance(check_int("k", 3, 1, 5), int)
    assert check_float("p", 1, 0.0, 1.0) == 1.0
    check_generator(np.random.default_rng(0))


@pytest.mark.parametrize("call, message", [
    (lambda: check_int("k", 0, 1, 5), r"k must be an integer in \[1, 5\]; got 0"),
    (lambda: check_int("k", True, 0, 5), "k must be an integer"),
    (lambda: check_int("k", 2.0, 0, 5), "k must be an integer"),
    (lambda: check_float("p", 0.0, 0.0, 1.0, open_lo=True), r"p must be a number in \(0.0, 1.0\]"),
    (lambda: check_float("p", float("nan"), 0.0, 1.0), "p must be a number"),
    (lambda: check_float("p", "0.5", 0.0, 1.0), "p must be a number"),
])
def test_rejects_with_the_parameter_name_and_range(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_refuses_the_global_random_state():
    with pytest.raises(TypeError, match="default_rng"):
        check_generator(np.random)
