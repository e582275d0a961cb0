"""A notebook's key answers: recorded to ``build/results/<notebook>.json`` and shown as a table.

Usage in a notebook::

    results = Results("a1_q1_mle_quality_control")
    ...
    results.add("posterior_gaussian_nb", p, "P(passed | x), Gaussian naive Bayes", digits=4)
    ...
    results.show()          # in the Answer section: writes the JSON file and displays the table

The JSON file keeps full precision (tests compare it with independent computations); the table
shows each value rounded to ``digits`` significant decimals.
"""
from __future__ import annotations

import html
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .paths import build_dir


@dataclass
class _Entry:
    value: Any
    label: str
    digits: int | None


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

        load_course().question(notebook)  # raises a clear KeyError for an unknown notebook
        self.notebook = notebook
        self._entries: dict[str, _Entry] = {}

    def add(self, key: str, value: Any, label: str, *, digits: int | None = 4) -> Any:
        """Record ``value`` under ``key`` (an identifier) with a human ``label``; returns the value."""
        if not key.isidentifier():
            raise ValueError(f"key must be an identifier such as 'test_accuracy'; got {key!r}")
        plain = _plain(value)
        if isinstance(plain, float) and not math.isfinite(plain):
            raise ValueError(f"{key}: the value is {plain}; a diverged run cannot be recorded as an answer")
        self._entries[key] = _Entry(plain, label, digits)
        return value

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
        self.path.parent.mkdir(parents=True, exist_ok=True)
        payload = {
            "notebook": self.notebook,
            "results": {k: e.value for k, e in self._entries.items()},
            "labels": {k: e.label for k, e in self._entries.items()},
        }
        self.path.write_text(json.dumps(payload, indent=2, sort_keys=False) + "\n", encoding="utf-8")
        return self.path

    def rows(self) -> list[tuple[str, str]]:
        """(label, formatted value) pairs, in the order recorded."""
        return [(e.label, _format(e.value, e.digits)) for e in self._entries.values()]

    def _repr_html_(self) -> str:
        body = "".join(f"<tr><td style='text-align:left'>{html.escape(label)}</td>"
                       f"<td style='text-align:right'>{html.escape(value)}</td></tr>"
                       for label, value in self.rows())
        return ("<table><thead><tr><th style='text-align:left'>recorded answer</th>"
                f"<th style='text-align:right'>value</th></tr></thead><tbody>{body}</tbody></table>")

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
