"""Data sets as numpy arrays with feature names.

Two sources, both offline: the small sets scikit-learn ships (iris, digits, breast_cancer,
wine, diabetes) and the CSV files in ``data/`` (see ``data/README.md`` for their citations).
A missing or damaged file raises :class:`DataFileError`, which names the file and says how to
restore it.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .paths import DATA_DIR

SKLEARN_SETS = ("iris", "digits", "breast_cancer", "wine", "diabetes")


class DataFileError(RuntimeError):
    """A data file is missing or does not have the expected layout."""


@dataclass
class Dataset:
    """A data set as arrays.

    Attributes
    ----------
    X : ndarray, shape (n_samples, n_features)
    y : ndarray, shape (n_samples,)
    feature_names : list of str, length n_features
    target_names : list of str (class names; empty for regression)
    description : str, one line on what the rows are and where they come from
    images : ndarray, shape (n_samples, height, width), or None (digits only)
    """

    X: np.ndarray
    y: np.ndarray
    feature_names: list[str]
    target_names: list[str] = field(default_factory=list)
    description: str = ""
    images: np.ndarray | None = None

    def __repr__(self) -> str:
        return (f"Dataset({self.description!r}, X{self.X.shape}, y{self.y.shape}, "
                f"{len(self.target_names) or 'continuous'} targets)")


def load_sklearn(name: str) -> Dataset:
    """One of scikit-learn's bundled data sets: ``iris``, ``digits``, ``breast_cancer``, ``wine``, ``diabetes``."""
    if name not in SKLEARN_SETS:
        raise ValueError(f"name must be one of {', '.join(SKLEARN_SETS)}; got {name!r}")
    import sklearn.datasets as skd

    bunch = getattr(skd, f"load_{name}")()
    target_names = [str(t) for t in getattr(bunch, "target_names", [])]
    lines = [ln.strip(" .*_:") for ln in bunch.DESCR.strip().splitlines() if not ln.startswith(".. ")]
    title = next((ln for ln in lines if ln.strip("=-")), name)
    return Dataset(
        X=np.asarray(bunch.data, dtype=float), y=np.asarray(bunch.target),
        feature_names=[str(f) for f in bunch.feature_names], target_names=target_names,
        description=f"{title} (scikit-learn {name})", images=getattr(bunch, "images", None),
    )


def _restore_hint(path: Path) -> str:
    return (f"restore it with `git checkout -- data/{path.name}` from the project folder "
            f"(data/README.md gives its source and citation)")


def read_csv(path: str | Path, expected_columns: list[str]) -> dict[str, list[str]]:
    """Read an R-style CSV (first, unnamed column = row names) into columns of strings.

    Raises
    ------
    DataFileError
        When the file is missing, empty, or its header lacks one of ``expected_columns``.
    """
    path = Path(path)
    if not path.is_file():
        raise DataFileError(f"data file {path.name} not found in {path.parent.name}/; {_restore_hint(path)}")
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    if len(rows) < 2:
        raise DataFileError(f"data file {path.name} is empty or has only a header; {_restore_hint(path)}")
    header = rows[0]
    missing = [c for c in expected_columns if c not in header]
    if missing:
        raise DataFileError(f"data file {path.name} lacks column(s) {missing} (found {header}); "
                            f"{_restore_hint(path)}")
    columns: dict[str, list[str]] = {c: [] for c in expected_columns}
    for line_no, row in enumerate(rows[1:], start=2):
        if len(row) != len(header):
            raise DataFileError(f"data file {path.name}, line {line_no}: {len(row)} fields, expected "
                                f"{len(header)}; {_restore_hint(path)}")
        for c in expected_columns:
            columns[c].append(row[header.index(c)])
    return columns


def _numbers(path: Path, column: str, values: list[str]) -> np.ndarray:
    try:
        return np.array([float(v) for v in values])
    except ValueError as exc:
        raise DataFileError(f"data file {path.name}, column {column!r}: {exc}; {_restore_hint(path)}") from exc


WINDSOR_FEATURES = ["lotsize", "bedrooms", "bathrms", "stories", "driveway", "recroom", "fullbase",
                    "gashw", "airco", "garagepl", "prefarea"]
_YES_NO = {"yes": 1.0, "no": 0.0}


def load_windsor_housing(path: str | Path | None = None) -> Dataset:
    """Windsor (Canada) house sales of 1987: 546 houses, 11 features, price in Canadian dollars.

    Yes/no columns become 1/0. ``X`` has shape (546, 11) in the order of ``WINDSOR_FEATURES``;
    ``y`` is the sale price. Source: Anglin and Gençay (1996), see ``data/README.md``.
    """
    path = Path(path) if path is not None else DATA_DIR / "windsor_housing.csv"
    cols = read_csv(path, ["price", *WINDSOR_FEATURES])
    features = []
    for name in WINDSOR_FEATURES:
        raw = cols[name]
        if set(raw) <= set(_YES_NO):
            features.append(np.array([_YES_NO[v] for v in raw]))
        else:
            features.append(_numbers(path, name, raw))
    return Dataset(X=np.column_stack(features), y=_numbers(path, "price", cols["price"]),
                   feature_names=list(WINDSOR_FEATURES),
                   description="Windsor house prices, 1987 (Anglin and Gençay 1996)")


def load_sunspots(path: str | Path | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Yearly mean sunspot numbers 1700-1988.

    Returns
    -------
    years : ndarray, shape (289,)
    sunspots : ndarray, shape (289,)
    """
    path = Path(path) if path is not None else DATA_DIR / "sunspot_year.csv"
    cols = read_csv(path, ["time", "sunspot.year"])
    years = _numbers(path, "time", cols["time"])
    values = _numbers(path, "sunspot.year", cols["sunspot.year"])
    if np.any(np.diff(years) <= 0):
        raise DataFileError(f"data file {path.name}: years are not increasing; {_restore_hint(path)}")
    return years, values


def train_val_test_split(X: np.ndarray, y: np.ndarray, *, val_size: float = 0.2, test_size: float = 0.2,
                         seed: int = 0, stratify: bool = False):
    """Split into train, validation and test parts.

    ``val_size`` and ``test_size`` are fractions of the whole set (rounded to whole rows). Returns
    ``(X_train, X_val, X_test, y_train, y_val, y_test)``.
    """
    from sklearn.model_selection import train_test_split

    for name, v in (("val_size", val_size), ("test_size", test_size)):
        if not 0 < v < 1:
            raise ValueError(f"{name} must be in (0, 1); got {v}")
    if val_size + test_size >= 1:
        raise ValueError(f"val_size + test_size must be below 1; got {val_size + test_size}")
    X = np.asarray(X)
    y = np.asarray(y)
    if len(X) != len(y):
        raise ValueError(f"X and y must have the same number of rows; got {len(X)} and {len(y)}")
    n_test, n_val = round(test_size * len(X)), round(val_size * len(X))
    X_rest, X_test, y_rest, y_test = train_test_split(
        X, y, test_size=n_test, random_state=seed, stratify=y if stratify else None)
    X_train, X_val, y_train, y_val = train_test_split(
        X_rest, y_rest, test_size=n_val, random_state=seed + 1,
        stratify=y_rest if stratify else None)
    return X_train, X_val, X_test, y_train, y_val, y_test
