"""A notebook's key answers: recorded to ``build/results/<notebook>.json`` and shown as a table.

Usage in a notebook::

    results = Results("a1_q1_mle_quality_control")
    ...
    results.add("posterior_gaussian_nb", p, "P(passed | x), Gaussian naive Bayes", digits=4)
    results.add("test_accuracy", acc_mean, "test accuracy, mean of 5 seeds", digits=3, tolerance=2 * acc_sd)
    ...
    results.show()          # in the Answer section: writes the JSON file and displays the table

The JSON file keeps full precision (tests compare it with independent computations); the table
shows each value rounded to ``digits`` significant decimals.

Tolerance: how far a fresh run on another machine may move the value (outside the numeric
profile, last bits differ and training amplifies them). ``None`` (the default) means "the same
value": exact for integers, strings and booleans, equal to 1e-9 relative for floats (closed forms,
counts, deterministic computations). A trained score declares its spread over seeds, e.g. the
standard deviation across seeds. ``show()`` stores the values and tolerances in the output's
metadata, so the stored notebook keeps the reference that ``make test`` checks fresh runs against.

What can be recorded is checked when it is added, with the key named: numbers, strings, bools,
None, and lists and dicts of them (numpy scalars and arrays are converted). A non-finite number
(nan, inf), also inside a list or dict, is refused rather than stored: a diverged run is not an
answer. The file is written atomically, so a reader never sees half of it.
"""
from __future__ import annotations

import html
import json
import math
import numbers
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .files import atomic_write_text
from .paths import build_dir
from .validation import check_float, check_int


#: Relative tolerance of a value declared without one (``tolerance=None``).
DETERMINISTIC_RTOL = 1e-9
#: Key of the output metadata under which ``show()`` stores values and tolerances.
METADATA_KEY = "workbook_results"


@dataclass
class _Entry:
    value: Any
    label: str
    digits: int | None
    tolerance: float | None = None


def _plain(value: Any) -> Any:
    """Convert numpy scalars/arrays (and nested containers) to JSON-ready Python values."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _check_storable(value: Any, where: str) -> None:
    """Refuse what a JSON file cannot hold faithfully; ``where`` names the place, e.g. ``curve[3]``."""
    if value is None or isinstance(value, (bool, str)):
        return
    if isinstance(value, numbers.Integral):
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"Results.add: {where} is {value}; a diverged run cannot be recorded as an answer: "
                             "fix the run (learning rate, inputs) or leave the value out")
        return
    if isinstance(value, list):
        for i, item in enumerate(value):
            _check_storable(item, f"{where}[{i}]")
        return
    if isinstance(value, dict):
        for k, item in value.items():
            _check_storable(item, f"{where}[{k!r}]")
        return
    raise TypeError(f"Results.add: {where} is a {type(value).__name__}, which a JSON file cannot store; record "
                    "numbers, strings, bools or lists and dicts of them (e.g. a model's accuracy, not the model)")


def _format(value: Any, digits: int | None) -> str:
    if isinstance(value, float) and digits is not None:
        if math.isnan(value) or math.isinf(value):
            return str(value)
        return f"{value:.{digits}f}"
    if isinstance(value, list) and digits is not None:
        return "[" + ", ".join(_format(v, digits) for v in value) + "]"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_format(v, digits)}" for k, v in value.items())
    return str(value)


class Results:
    """Ordered key answers of one notebook."""

    def __init__(self, notebook: str):
        from .course import load_course

        if not isinstance(notebook, str) or not notebook.isidentifier():
            stem = str(notebook).replace("\\", "/").rsplit("/", 1)[-1].removesuffix(".ipynb")
            raise ValueError(f"Results: notebook must be the notebook's id, its file name without folder or .ipynb, "
                             f"e.g. Results({stem if stem.isidentifier() else 'a1_q1_mle_quality_control'!r}); "
                             f"got {notebook!r}")
        load_course().question(notebook)  # raises a clear KeyError for an unknown notebook
        self.notebook = notebook
        self._entries: dict[str, _Entry] = {}

    def add(self, key: str, value: Any, label: str, *, digits: int | None = 4,
            tolerance: float | None = None) -> None:
        """Record ``value`` under ``key`` (an identifier) with a human ``label``.

        Returns nothing, so a cell may end with ``results.add(...)`` without printing the value.

        ``tolerance`` (absolute, >= 0, per number) says how far a run on another machine may move
        it; ``None`` means the value is deterministic (see the module docstring).

        Raises ``TypeError`` for a value a JSON file cannot store and ``ValueError`` for a non-finite
        number anywhere in it, naming the key (and the place inside a list or dict).
        """
        if not isinstance(key, str) or not key.isidentifier():
            raise ValueError(f"Results.add: key must be an identifier such as 'test_accuracy'; got {key!r}")
        owner = f"Results.add({key!r})"
        if not isinstance(label, str):
            raise TypeError(f"Results.add: the label of {key!r} must be a str; got {type(label).__name__}")
        if digits is not None:
            digits = check_int(digits, "digits", owner, low=0, high=15)
        if tolerance is not None:
            tolerance = check_float(tolerance, "tolerance", owner, low=0.0)
        plain = _plain(value)
        _check_storable(plain, key)
        self._entries[key] = _Entry(plain, label, digits, tolerance)

    def add_differences(self, key: str, differences: dict[str, Any], label: str, tolerance: float) -> None:
        """Record paired differences (``helpers.stats.PairedDifference`` by name) as ``{name: {mean, se}}``
        under ``key`` and their p-values under ``key + "_p"`` (tolerance 1: a p-value may move anywhere on
        another machine; a sentence that relies on one is asserted by the notebook's test instead)."""
        self.add(key, {name: {"mean": d.mean, "se": d.se} for name, d in differences.items()}, label,
                 tolerance=tolerance)
        self.add(f"{key}_p", {name: d.p_value for name, d in differences.items()}, f"{label}: paired t-test p",
                 digits=3, tolerance=1.0)

    def __getitem__(self, key: str) -> Any:
        return self._entries[key].value

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def path(self) -> Path:
        """Where :meth:`save` writes: ``build/results/<notebook>.json``."""
        return build_dir() / "results" / f"{self.notebook}.json"

    def save(self) -> Path:
        """Write the JSON file (``{"notebook": ..., "results": {key: value}, "labels": {...}}``)."""
        if not self._entries:
            raise ValueError("nothing recorded yet; call results.add(...) before saving")
        path = self.path
        atomic_write_text(path, json.dumps(self.payload(), indent=2, sort_keys=False, allow_nan=False) + "\n")
        return path

    def payload(self) -> dict[str, Any]:
        """What :meth:`save` writes and :meth:`show` stores in the output metadata."""
        return {
            "notebook": self.notebook,
            "results": {k: e.value for k, e in self._entries.items()},
            "labels": {k: e.label for k, e in self._entries.items()},
            "tolerances": {k: e.tolerance for k, e in self._entries.items()},
        }

    def rows(self) -> list[tuple[str, str]]:
        """(label, formatted value) pairs, in the order recorded."""
        return [(e.label, _format(e.value, e.digits)) for e in self._entries.values()]

    def _repr_html_(self) -> str:
        body = "".join(f"<tr><td style='text-align:left'>{html.escape(label)}</td>"
                       f"<td style='text-align:right'>{html.escape(value)}</td></tr>"
                       for label, value in self.rows())
        return ("<table><thead><tr><th style='text-align:left'>recorded answer</th>"
                f"<th style='text-align:right'>value</th></tr></thead><tbody>{body}</tbody></table>")

    def _repr_mimebundle_(self, include=None, exclude=None) -> tuple[dict[str, str], dict[str, Any]]:
        data = {"text/plain": repr(self), "text/html": self._repr_html_()}
        return data, {METADATA_KEY: self.payload()}

    def __repr__(self) -> str:
        width = max((len(label) for label, _ in self.rows()), default=0)
        return "\n".join(f"{label:<{width}}  {value}" for label, value in self.rows())

    def show(self) -> "Results":
        """Save the JSON file and return self, so a cell ending in ``results.show()`` shows the table."""
        self.save()
        return self


def table_html(header: list[str], rows: list[list[Any]], digits: int = 4) -> str:
    """A small HTML table (for comparison tables inside notebooks); floats rounded to ``digits``."""
    def cell(v: Any) -> str:
        return html.escape(f"{v:.{digits}f}" if isinstance(v, float) else str(v))

    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{cell(v)}</td>" for v in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


class Table:
    """A comparison table that shows as HTML in Jupyter and as aligned text elsewhere.

    ``Table(["model", "accuracy"], [["MLP", 0.91], ["CNN", 0.97]], digits=3)``
    """

    def __init__(self, header: list[str], rows: list[list[Any]], digits: int = 4):
        for i, row in enumerate(rows):
            if len(row) != len(header):
                raise ValueError(f"row {i} has {len(row)} cells; the header has {len(header)}")
        self.header, self.rows, self.digits = list(header), [list(r) for r in rows], digits

    def _cells(self) -> list[list[str]]:
        return [[f"{v:.{self.digits}f}" if isinstance(v, float) else str(v) for v in row] for row in self.rows]

    def _repr_html_(self) -> str:
        return table_html(self.header, self.rows, self.digits)

    def __repr__(self) -> str:
        cells = [self.header, *self._cells()]
        widths = [max(len(r[j]) for r in cells) for j in range(len(self.header))]
        return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths)) for r in cells)


def load_recorded(notebook: str) -> dict[str, Any]:
    """The results a notebook recorded when it last ran (``build/results/<notebook>.json``).

    Raises
    ------
    FileNotFoundError
        When the notebook has not run since ``build/`` was cleaned; the message says how to run it.
    """
    path = build_dir() / "results" / f"{notebook}.json"
    if not path.is_file():
        raise FileNotFoundError(f"{path.name} not found: run `make test` (the notebooks run first and write "
                                f"their results) or run {notebook}.ipynb in JupyterLab")
    return json.loads(path.read_text(encoding="utf-8"))["results"]


def within_tolerance(reference: Any, value: Any, tolerance: float | None) -> bool:
    """Whether a fresh ``value`` matches the stored ``reference`` under a declared ``tolerance``.

    Lists compare element by element, dicts key by key; ``None`` tolerance means deterministic
    (exact for non-floats, :data:`DETERMINISTIC_RTOL` relative for floats). Integral floats and
    ints compare equal (a browser stores ``80.0`` as ``80``).
    """
    if isinstance(reference, dict) or isinstance(value, dict):
        return (isinstance(reference, dict) and isinstance(value, dict) and reference.keys() == value.keys()
                and all(within_tolerance(reference[k], value[k], tolerance) for k in reference))
    if isinstance(reference, list) or isinstance(value, list):
        return (isinstance(reference, list) and isinstance(value, list) and len(reference) == len(value)
                and all(within_tolerance(r, v, tolerance) for r, v in zip(reference, value)))
    numbers = (int, float)
    if isinstance(reference, bool) or isinstance(value, bool) or not (
            isinstance(reference, numbers) and isinstance(value, numbers)):
        return reference == value
    if tolerance is None:
        if isinstance(reference, int) and isinstance(value, int):
            return reference == value
        return math.isclose(reference, value, rel_tol=DETERMINISTIC_RTOL, abs_tol=1e-12)
    return abs(reference - value) <= tolerance * (1 + 1e-9)
