"""The workbook's argument checks: every helper (data generators, the driving environment, helpers.nn)
checks its arguments with these functions, before doing any work.

One convention for all of them:

* ``check_x(value, name, owner, ...)``: the value first, then the parameter's name, then its owner
  (the function or layer that received it, e.g. ``"make_faces"``, ``"Conv2D"``).
* A value of the wrong type raises ``TypeError``; a value of the right type outside its allowed
  range (or not finite) raises ``ValueError``.
* Every message names the owner, the parameter, what is allowed and what was given, e.g.
  ``Conv2D: stride must be an integer >= 1; got 0`` or
  ``make_clips: n must be an integer in [1, 50000]; got 2.5 (float)``.

Memory limit
------------
Generators that allocate by a size argument estimate their memory first and refuse, with
:class:`MemoryLimitError`, beyond a limit: 2 GiB by default, or the number of GiB in the
environment variable ``WORKBOOK_MEMORY_LIMIT_GIB`` (e.g. ``WORKBOOK_MEMORY_LIMIT_GIB=8``; set it
before starting JupyterLab, or in a notebook with ``os.environ["WORKBOOK_MEMORY_LIMIT_GIB"] = "8"``).
"""
from __future__ import annotations

import math
import numbers
import os
from typing import Any

import numpy as np

#: The two floating-point types helpers.nn computes in.
FLOAT_DTYPES = (np.float32, np.float64)
#: The default memory limit of the generators, in GiB.
DEFAULT_MEMORY_LIMIT_GIB = 2.0
MEMORY_LIMIT_VARIABLE = "WORKBOOK_MEMORY_LIMIT_GIB"


def _number_text(x: float) -> str:
    return f"{x:g}" if isinstance(x, float) else str(x)


def _range_text(low, high, low_open: bool = False, high_open: bool = False) -> str:
    """``in [0, 1)``, ``>= 1``, ``> 0``, ``<= 5`` or an empty string for no bound."""
    if low is not None and high is not None:
        return f"in {'(' if low_open else '['}{_number_text(low)}, {_number_text(high)}{')' if high_open else ']'}"
    if low is not None:
        return f"{'>' if low_open else '>='} {_number_text(low)}"
    if high is not None:
        return f"{'<' if high_open else '<='} {_number_text(high)}"
    return ""


def _given(value: Any, with_type: bool) -> str:
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{text} ({type(value).__name__})" if with_type else text


def _is_bool(value: Any) -> bool:
    return isinstance(value, (bool, np.bool_))


def check_int(value: Any, name: str, owner: str, *, low: int | None = 1, high: int | None = None) -> int:
    """``value`` as an ``int`` in ``[low, high]`` (default: a positive integer; ``None`` = no bound).

    Python and numpy integers are accepted; bools, floats (even ``2.0``) and strings are not.
    """
    wanted = f"{owner}: {name} must be an integer {_range_text(low, high)}".rstrip()
    if _is_bool(value) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{wanted}; got {_given(value, True)}")
    if (low is not None and value < low) or (high is not None and value > high):
        raise ValueError(f"{wanted}; got {_given(value, False)}")
    return int(value)


def check_pair(value: Any, name: str, owner: str, *, low: int | None = 1) -> tuple[int, int]:
    """``(a, b)`` from an integer or a pair of integers, each ``>= low`` (kernel sizes, strides)."""
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError(f"{owner}: {name} must be an integer or a pair of integers "
                             f"{_range_text(low, None)}; got {_given(value, False)}")
        return check_int(value[0], name, owner, low=low), check_int(value[1], name, owner, low=low)
    v = check_int(value, name, owner, low=low)
    return v, v


def check_float(value: Any, name: str, owner: str, *, low: float | None = None, high: float | None = None,
                low_open: bool = False, high_open: bool = False) -> float:
    """``value`` as a finite ``float`` in the range (bounds ``None`` = none; ``*_open`` excludes the bound).

    Python and numpy reals are accepted; bools and strings are not; nan and inf are refused.
    """
    wanted = f"{owner}: {name} must be a finite number {_range_text(low, high, low_open, high_open)}".rstrip()
    if _is_bool(value) or not isinstance(value, numbers.Real):
        raise TypeError(f"{wanted}; got {_given(value, True)}")
    v = float(value)
    bad = not math.isfinite(v)
    if low is not None:
        bad = bad or (v <= low if low_open else v < low)
    if high is not None:
        bad = bad or (v >= high if high_open else v > high)
    if bad:
        raise ValueError(f"{wanted}; got {_given(value, False)}")
    return v


def check_choice(value: Any, name: str, owner: str, choices: tuple[str, ...]) -> str:
    """``value`` if it is one of ``choices``."""
    if not isinstance(value, str):
        raise TypeError(f"{owner}: {name} must be one of {', '.join(map(repr, choices))}; "
                        f"got {_given(value, True)}")
    if value not in choices:
        raise ValueError(f"{owner}: {name} must be one of {', '.join(map(repr, choices))}; got {value!r}")
    return value


def check_rng(rng: Any, owner: str) -> np.random.Generator:
    """``rng`` if it is a ``numpy.random.Generator``: helpers never use numpy's global random state."""
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"{owner}: rng must be a numpy.random.Generator (e.g. np.random.default_rng(0)); "
                        f"got {type(rng).__name__}")
    return rng


def check_dtype(dtype: Any, owner: str) -> type:
    """``np.float32`` or ``np.float64`` from anything numpy reads as one of them."""
    try:
        dt = np.dtype(dtype).type
    except TypeError:
        dt = None
    if dt not in FLOAT_DTYPES:
        raise ValueError(f"{owner}: dtype must be float32 or float64; got {dtype!r}")
    return dt


def check_input(x: Any, owner: str, ndim: int, layout: str, *, features: dict[int, tuple[int, str]] | None = None,
                dtype: type | None = None) -> np.ndarray:
    """An input batch with ``ndim`` axes (``layout`` describes them, e.g. ``"(N, C, H, W)"``).

    ``features`` maps an axis to ``(expected size, name of the size)``; the result is cast to
    ``dtype`` when given.
    """
    x = np.asarray(x)
    if x.ndim != ndim:
        raise ValueError(f"{owner}: expected input of shape {layout}, got shape {x.shape}")
    for axis, (size, what) in (features or {}).items():
        if x.shape[axis] != size:
            raise ValueError(f"{owner}: expected {size} {what} (input shape {layout}), got shape {x.shape}")
    if dtype is not None and x.dtype != dtype:
        x = x.astype(dtype)
    return x


def check_finite(array: Any, name: str, owner: str) -> np.ndarray:
    """``array`` as an ndarray if every entry is finite; else ValueError naming the first bad entry.

    Non-numeric arrays (labels as strings) pass unchanged.
    """
    array = np.asarray(array)
    if not (np.issubdtype(array.dtype, np.floating) or np.issubdtype(array.dtype, np.complexfloating)):
        return array
    finite = np.isfinite(array)
    if finite.all():
        return array
    bad = np.argwhere(~finite)
    first = tuple(int(i) for i in bad[0])
    where = f"index {first[0]}" if len(first) == 1 else f"index {first}"
    raise ValueError(f"{owner}: {name} has {len(bad)} non-finite value(s) (the first, {array[first]}, at {where}); "
                     f"remove or impute them before calling {owner}")


# ----------------------------------------------------------------------------- memory
class MemoryLimitError(ValueError):
    """A generator's arguments would allocate more than the workbook's memory limit."""


def memory_limit_bytes() -> int:
    """The memory limit in bytes: ``$WORKBOOK_MEMORY_LIMIT_GIB`` GiB, or 2 GiB when unset or empty."""
    raw = os.environ.get(MEMORY_LIMIT_VARIABLE, "").strip()
    if not raw:
        return int(DEFAULT_MEMORY_LIMIT_GIB * 2**30)
    try:
        gib = float(raw)
    except ValueError:
        gib = math.nan
    if not math.isfinite(gib) or gib <= 0:
        raise ValueError(f"the environment variable {MEMORY_LIMIT_VARIABLE} must be a positive number of GiB "
                         f"(e.g. 8); got {raw!r}")
    return int(gib * 2**30)


def format_bytes(n: float) -> str:
    """``1.5 GiB``, ``300 MiB``, ``12 KiB`` or ``512 bytes``."""
    for unit, size in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if n >= size:
            return f"{n / size:.3g} {unit}"
    return f"{int(n)} bytes"


def check_memory(nbytes: float, owner: str, what: str, lower: str) -> None:
    """Refuse an allocation of about ``nbytes`` beyond :func:`memory_limit_bytes`.

    ``what`` says what would be allocated (``"50000 clips of 64 frames of 64x64 pixels"``) and
    ``lower`` which arguments make it smaller (``"n, frames or size"``).
    """
    limit = memory_limit_bytes()
    if nbytes > limit:
        raise MemoryLimitError(
            f"{owner}: {what} need about {format_bytes(nbytes)} of memory, over the limit of "
            f"{format_bytes(limit)}; lower {lower}, or raise the limit with the environment variable "
            f"{MEMORY_LIMIT_VARIABLE} (e.g. {MEMORY_LIMIT_VARIABLE}=8 for 8 GiB) if the machine has the memory")
