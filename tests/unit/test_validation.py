import numpy as np
import pytest

from helpers.validation import (MemoryLimitError, check_choice, check_dtype, check_finite, check_float, check_input,
                                check_int, check_memory, check_pair, check_rng, format_bytes, memory_limit_bytes)


def test_accepts_values_in_range_and_converts():
    assert check_int(np.int64(3), "k", "f", low=1, high=5) == 3 and type(check_int(3, "k", "f")) is int
    assert check_int(-4, "k", "f", low=None) == -4
    assert check_float(1, "p", "f", low=0.0, high=1.0) == 1.0 and type(check_float(np.float32(0.5), "p", "f")) is float
    assert check_pair(3, "kernel_size", "Conv2D") == (3, 3) and check_pair((1, 2), "stride", "Conv2D") == (1, 2)
    assert check_choice("he", "init", "Linear", ("he", "glorot")) == "he"
    assert check_dtype("float64", "Linear") is np.float64
    rng = np.random.default_rng(0)
    assert check_rng(rng, "f") is rng


@pytest.mark.parametrize("call, message", [
    (lambda: check_int(0, "k", "make_x", low=1, high=5), r"^make_x: k must be an integer in \[1, 5\]; got 0$"),
    (lambda: check_int(0, "stride", "Conv2D"), r"^Conv2D: stride must be an integer >= 1; got 0$"),
    (lambda: check_int(9, "k", "f", low=None, high=5), r"^f: k must be an integer <= 5; got 9$"),
    (lambda: check_float(0.0, "p", "f", low=0.0, high=1.0, low_open=True),
     r"^f: p must be a finite number in \(0, 1\]; got 0.0$"),
    (lambda: check_float(1.0, "p", "Dropout", low=0.0, high=1.0, high_open=True),
     r"^Dropout: p must be a finite number in \[0, 1\); got 1.0$"),
    (lambda: check_float(float("nan"), "lr", "SGD", low=0.0, low_open=True),
     r"^SGD: lr must be a finite number > 0; got nan$"),
    (lambda: check_float(float("inf"), "x", "f"), r"^f: x must be a finite number; got inf$"),
    (lambda: check_pair((1, 2, 3), "kernel_size", "Conv2D"),
     r"^Conv2D: kernel_size must be an integer or a pair of integers >= 1; got \(1, 2, 3\)$"),
    (lambda: check_choice("lecun", "init", "Linear", ("he", "glorot")),
     r"^Linear: init must be one of 'he', 'glorot'; got 'lecun'$"),
    (lambda: check_dtype(np.int32, "Linear"), r"^Linear: dtype must be float32 or float64"),
    (lambda: check_input(np.zeros((2, 3)), "RNN", 3, "(N, T, D)"), r"^RNN: expected input of shape \(N, T, D\)"),
    (lambda: check_input(np.zeros((2, 3)), "Linear", 2, "(N, 4)", features={1: (4, "features")}),
     r"^Linear: expected 4 features"),
])
def test_a_wrong_value_is_a_value_error_naming_owner_parameter_range_and_value(call, message):
    with pytest.raises(ValueError, match=message):
        call()


@pytest.mark.parametrize("call, message", [
    (lambda: check_int(True, "k", "f", low=0, high=5), r"^f: k must be an integer in \[0, 5\]; got True \(bool\)$"),
    (lambda: check_int(2.0, "k", "f", low=0, high=5), r"^f: k must be an integer in \[0, 5\]; got 2.0 \(float\)$"),
    (lambda: check_int("3", "k", "f"), r"^f: k must be an integer >= 1; got '3' \(str\)$"),
    (lambda: check_float("0.5", "p", "f", low=0.0, high=1.0),
     r"^f: p must be a finite number in \[0, 1\]; got '0.5' \(str\)$"),
    (lambda: check_float(np.bool_(True), "p", "f"), r"^f: p must be a finite number; got .*\(bool"),
    (lambda: check_choice(3, "init", "Linear", ("he",)), r"^Linear: init must be one of 'he'; got 3 \(int\)$"),
    (lambda: check_rng(np.random, "make_faces"),
     r"^make_faces: rng must be a numpy.random.Generator \(e.g. np.random.default_rng\(0\)\); got module$"),
    (lambda: check_rng(np.random.RandomState(0), "fit"),
     r"^fit: rng must be a numpy.random.Generator.*; got RandomState$"),
])
def test_a_wrong_type_is_a_type_error_naming_the_type(call, message):
    with pytest.raises(TypeError, match=message):
        call()


def test_check_finite_names_the_array_and_the_first_bad_entry():
    X = np.zeros((4, 3))
    assert check_finite(X, "X", "fit") is not None
    X[2, 1], X[3, 0] = np.nan, np.inf
    with pytest.raises(ValueError, match=r"^fit: X has 2 non-finite value\(s\) \(the first, nan, at index \(2, 1\)\); "
                                         r"remove or impute them before calling fit$"):
        check_finite(X, "X", "fit")
    with pytest.raises(ValueError, match=r"^evaluate: y has 1 non-finite value\(s\) \(the first, -inf, at index 1\)"):
        check_finite(np.array([0.0, -np.inf]), "y", "evaluate")
    np.testing.assert_array_equal(check_finite(np.array(["a", "b"]), "y", "fit"), ["a", "b"])  # labels pass


def test_memory_limit_defaults_to_2_gib_and_reads_the_environment(monkeypatch):
    monkeypatch.delenv("WORKBOOK_MEMORY_LIMIT_GIB", raising=False)
    assert memory_limit_bytes() == 2 * 2**30
    monkeypatch.setenv("WORKBOOK_MEMORY_LIMIT_GIB", "")
    assert memory_limit_bytes() == 2 * 2**30
    monkeypatch.setenv("WORKBOOK_MEMORY_LIMIT_GIB", "0.5")
    assert memory_limit_bytes() == 2**29
    for bad in ("lots", "-1", "0", "nan"):
        monkeypatch.setenv("WORKBOOK_MEMORY_LIMIT_GIB", bad)
        with pytest.raises(ValueError, match=rf"WORKBOOK_MEMORY_LIMIT_GIB must be a positive number of GiB .*; "
                                             rf"got '{bad}'"):
            memory_limit_bytes()


def test_check_memory_refuses_beyond_the_limit_naming_the_size_and_how_to_lower_it(monkeypatch):
    monkeypatch.delenv("WORKBOOK_MEMORY_LIMIT_GIB", raising=False)
    check_memory(2 * 2**30, "make_x", "100 things", "n")            # at the limit: allowed
    with pytest.raises(MemoryLimitError, match=r"^make_x: 100 things need about 3 GiB of memory, over the limit of "
                                               r"2 GiB; lower n, or raise the limit with the environment variable "
                                               r"WORKBOOK_MEMORY_LIMIT_GIB \(e.g. WORKBOOK_MEMORY_LIMIT_GIB=8"):
        check_memory(3 * 2**30, "make_x", "100 things", "n")
    monkeypatch.setenv("WORKBOOK_MEMORY_LIMIT_GIB", "4")
    check_memory(3 * 2**30, "make_x", "100 things", "n")
    assert issubclass(MemoryLimitError, ValueError)


def test_format_bytes():
    assert [format_bytes(n) for n in (512, 2048, 3 * 2**20, 1.5 * 2**30)] == ["512 bytes", "2 KiB", "3 MiB", "1.5 GiB"]
