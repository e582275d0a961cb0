"""Data sets as numpy arrays with feature names.

Two sources, both offline: the small sets scikit-learn ships (iris, digits, breast_cancer,
wine, diabetes) and the CSV files in ``data/`` (see ``data/README.md`` for their citations).
A missing or damaged file raises :class:`DataFileError`, which names the file (and the line of a
bad value) and says how to restore it. Every value is checked on load (missing, not a number, not
finite, out of range, a yes/no that is not ``yes`` or ``no``), and a file in ``data/`` must match
``data/manifest.json`` (its row count and sha256), so an edited or truncated file is caught even
when its values look plausible.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .paths import DATA_DIR
from .validation import check_choice, check_float, check_int

SKLEARN_SETS = ("iris", "digits", "breast_cancer", "wine", "diabetes")


class DataFileError(RuntimeError):
    """A data file is missing, damaged, or differs from the shipped file."""


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
    check_choice(name, "name", "load_sklearn", SKLEARN_SETS)
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


# ----------------------------------------------------------------------------- the files in data/
#: The manifest of the shipped data files: for each file its sha256, its number of data rows and its header.
MANIFEST_NAME = "manifest.json"


@dataclass(frozen=True)
class Column:
    """How one CSV column is read: ``kind`` is ``"number"``, ``"whole"`` (a whole number) or ``"yes/no"``;
    numbers must be ``>= low`` (``> low`` with ``low_open``)."""

    name: str
    kind: str = "number"
    low: float | None = None
    low_open: bool = False


@dataclass
class _Table:
    """A CSV file's columns (strings) with the file line of every row."""

    path: Path
    raw: bytes
    columns: dict[str, list[str]]
    lines: list[int]


def _is_shipped(path: Path) -> bool:
    """True for a file in data/ (the folder the manifest describes), False for a copy elsewhere."""
    return path.resolve().parent == Path(DATA_DIR).resolve()


def _problem(path: Path, detail: str) -> DataFileError:
    """The error for a damaged file: shipped files are restored with git, other files fixed by hand."""
    if _is_shipped(path):
        return DataFileError(f"data/{path.name} differs from the shipped file: {detail}; restore it with "
                             f"git checkout -- data/{path.name} (data/README.md gives its source and citation)")
    return DataFileError(f"{path}: {detail}; fix the file, or load the shipped one by leaving out the path")


def _decode(path: Path, raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise _problem(path, f"it is not UTF-8 text (byte 0x{raw[exc.start]:02x} at line {line}, "
                             f"column {column})") from None


def _read_table(path: Path, expected_columns: list[str]) -> _Table:
    """Read an R-style CSV (first, unnamed column = row names) into columns of strings."""
    if not path.is_file():
        raise DataFileError(f"data file {path.name} not found in {path.parent.name}/; restore it with "
                            f"git checkout -- data/{path.name} (data/README.md gives its source and citation)")
    raw = path.read_bytes()
    reader = csv.reader(io.StringIO(_decode(path, raw), newline=""))
    header = next(reader, None)
    if header is None:
        raise _problem(path, "the file is empty")
    missing = [c for c in expected_columns if c not in header]
    if missing:
        raise _problem(path, f"the header lacks column(s) {missing} (found {header})")
    index = {c: header.index(c) for c in expected_columns}
    columns: dict[str, list[str]] = {c: [] for c in expected_columns}
    lines: list[int] = []
    for row in reader:
        if len(row) != len(header):
            raise _problem(path, f"line {reader.line_num} has {len(row)} fields, the header {len(header)}")
        lines.append(reader.line_num)
        for c, i in index.items():
            columns[c].append(row[i])
    if not lines:
        raise _problem(path, "the file is empty or has only a header")
    return _Table(path, raw, columns, lines)


def read_csv(path: str | Path, expected_columns: list[str]) -> dict[str, list[str]]:
    """Read an R-style CSV (first, unnamed column = row names) into columns of strings.

    Raises
    ------
    DataFileError
        When the file is missing, empty, not UTF-8, or its header lacks one of ``expected_columns``
        or a row has the wrong number of fields (the line named).
    """
    return _read_table(Path(path), expected_columns).columns


_YES_NO = {"yes": 1.0, "no": 0.0}
_MISSING = {"", "NA", "."}     # how R and spreadsheets write a missing value


def _value(raw: str, column: Column) -> float | str:
    """One cell as a number, or a string saying what is wrong with it."""
    if raw.strip() in _MISSING:
        return "the value is missing"
    if column.kind == "yes/no":
        return _YES_NO[raw] if raw in _YES_NO else f"{raw!r} is not yes or no (lower case, as shipped)"
    try:
        value = float(raw)
    except ValueError:
        return f"{raw!r} is not a number"
    if not math.isfinite(value):
        return f"{raw!r} is not a finite number"
    if column.kind == "whole" and not value.is_integer():
        return f"{raw!r} is not a whole number"
    if column.low is not None and (value <= column.low if column.low_open else value < column.low):
        return f"{raw} is out of range (it must be {'>' if column.low_open else '>='} {column.low:g})"
    return value


def _values(table: _Table, column: Column) -> np.ndarray:
    """A column as floats; the first bad cell raises, naming the line, the column and the problem."""
    out = np.empty(len(table.lines))
    for i, raw in enumerate(table.columns[column.name]):
        value = _value(raw, column)
        if isinstance(value, str):
            raise _problem(table.path, f"line {table.lines[i]}, column {column.name!r}: {value}")
        out[i] = value
    return out


def _load_manifest() -> dict:
    path = Path(DATA_DIR) / MANIFEST_NAME
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DataFileError(f"data/{MANIFEST_NAME} is missing or damaged ({exc}); restore it with "
                            f"git checkout -- data/{MANIFEST_NAME}") from None


def _check_manifest(table: _Table) -> None:
    """A shipped file must have the manifest's row count and sha256 (bytes exactly as shipped)."""
    if not _is_shipped(table.path):
        return
    entry = _load_manifest().get(table.path.name)
    if entry is None:
        raise DataFileError(f"data/{table.path.name} is not listed in data/{MANIFEST_NAME}; add its sha256 and "
                            "row count there (see data/README.md)")
    if len(table.lines) != entry["rows"]:
        raise _problem(table.path, f"it has {len(table.lines)} data rows, the shipped file {entry['rows']}")
    digest = hashlib.sha256(table.raw).hexdigest()
    if digest == entry["sha256"]:
        return
    if hashlib.sha256(table.raw.replace(b"\r\n", b"\n")).hexdigest() == entry["sha256"]:
        raise _problem(table.path, "its line endings were changed to CRLF (e.g. by git's autocrlf; "
                                   ".gitattributes keeps data files byte-exact)")
    raise _problem(table.path, f"its sha256 is {digest[:12]}..., data/{MANIFEST_NAME} lists "
                               f"{entry['sha256'][:12]}... (a value was edited)")


def load_table(path: Path, columns: list[Column], *, time_unit: str = "year") -> dict[str, np.ndarray]:
    """Read, validate and check a data file: each column as floats, keyed by column name.

    Every value is checked (missing, not a number, not finite, out of range, a bad yes/no) with its
    line named; a file in ``data/`` must also match ``data/manifest.json`` (row count and sha256).
    A ``time`` column (decimal years) must advance by one ``time_unit`` (``"year"`` or ``"month"``) per row.
    """
    check_choice(time_unit, "time_unit", "load_table", tuple(_TIME_STEPS))
    table = _read_table(path, [c.name for c in columns])
    values = {c.name: _values(table, c) for c in columns}
    _check_time_steps(table, values, time_unit)
    _check_manifest(table)
    return values


#: How far a ``time`` column (decimal years) advances per row, by unit.
_TIME_STEPS = {"year": 1.0, "month": 1.0 / 12.0}


def _year_month(time: float) -> str:
    """A decimal year of a monthly series as ``YYYY-MM`` (1749.0 is ``1749-01``)."""
    months = int(round(time * 12))
    return f"{months // 12}-{months % 12 + 1:02d}"


def _check_time_steps(table: _Table, values: dict[str, np.ndarray], unit: str) -> None:
    """A series with a ``time`` column has one row per year (or month), in order."""
    times = values.get("time")
    if times is None:
        return
    gaps = np.flatnonzero(np.abs(np.diff(times) - _TIME_STEPS[unit]) > 1e-6)
    if len(gaps):
        i = gaps[0] + 1
        shown = (lambda t: f"{t:g}") if unit == "year" else _year_month
        raise _problem(table.path, f"line {table.lines[i]}: the {unit} {shown(times[i])} follows "
                                   f"{shown(times[i - 1])} (one row per {unit}, in order; a {unit} is missing or "
                                   "out of place)")


WINDSOR_FEATURES = ["lotsize", "bedrooms", "bathrms", "stories", "driveway", "recroom", "fullbase",
                    "gashw", "airco", "garagepl", "prefarea"]
_YES_NO_COLUMNS = {"driveway", "recroom", "fullbase", "gashw", "airco", "prefarea"}
WINDSOR_COLUMNS = [Column("price", low=0.0, low_open=True), Column("lotsize", low=0.0, low_open=True)] + [
    Column(name, "yes/no") if name in _YES_NO_COLUMNS else Column(name, "whole", low=0.0)
    for name in WINDSOR_FEATURES[1:]]
SUNSPOT_COLUMNS = [Column("time", "whole"), Column("sunspot.year", low=0.0)]
SUNSPOT_MONTH_COLUMNS = [Column("time"), Column("sunspot.month", low=0.0)]


def load_windsor_housing(path: str | Path | None = None) -> Dataset:
    """Windsor (Canada) house sales of 1987: 546 houses, 11 features, price in Canadian dollars.

    Yes/no columns become 1/0. ``X`` has shape (546, 11) in the order of ``WINDSOR_FEATURES``;
    ``y`` is the sale price. Source: Anglin and Gençay (1996), see ``data/README.md``.

    Raises
    ------
    DataFileError
        The file is missing, damaged (a value missing, not finite, out of range, a yes/no that is not
        ``yes`` or ``no``: the line is named) or differs from the shipped file (``data/manifest.json``).
    """
    path = Path(path) if path is not None else Path(DATA_DIR) / "windsor_housing.csv"
    values = load_table(path, WINDSOR_COLUMNS)
    return Dataset(X=np.column_stack([values[name] for name in WINDSOR_FEATURES]), y=values["price"],
                   feature_names=list(WINDSOR_FEATURES),
                   description="Windsor house prices, 1987 (Anglin and Gençay 1996)")


def load_sunspots(path: str | Path | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Yearly mean sunspot numbers 1700-1988.

    Returns
    -------
    years : ndarray, shape (289,)
    sunspots : ndarray, shape (289,)

    Raises
    ------
    DataFileError
        As :func:`load_windsor_housing`; also when a year is missing or out of order.
    """
    return _load_series(path, "sunspot_year.csv", SUNSPOT_COLUMNS, "year")


def load_sunspots_monthly(path: str | Path | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Monthly mean sunspot numbers, January 1749 to September 2013: ``(time, sunspots)``, each of shape (3177,).

    ``time`` is in decimal years (1749.0 is January 1749, 1749 + 1/12 February). Raises :class:`DataFileError`
    as :func:`load_sunspots` does, also when a month is missing or out of order.
    """
    return _load_series(path, "sunspot_month.csv", SUNSPOT_MONTH_COLUMNS, "month")


def _load_series(path: str | Path | None, name: str, columns: list[Column], unit: str) -> tuple[np.ndarray, np.ndarray]:
    """A series file's ``time`` column and its value column (the second of ``columns``)."""
    values = load_table(Path(path) if path is not None else Path(DATA_DIR) / name, columns, time_unit=unit)
    return values["time"], values[columns[1].name]


def train_val_test_split(X: np.ndarray, y: np.ndarray, *, val_size: float = 0.2, test_size: float = 0.2,
                         seed: int = 0, stratify: bool = False):
    """Split into train, validation and test parts.

    ``val_size`` and ``test_size`` are fractions of the whole set (rounded to whole rows). Returns
    ``(X_train, X_val, X_test, y_train, y_val, y_test)``.
    """
    from sklearn.model_selection import train_test_split

    owner = "train_val_test_split"
    val_size = check_float(val_size, "val_size", owner, low=0.0, high=1.0, low_open=True, high_open=True)
    test_size = check_float(test_size, "test_size", owner, low=0.0, high=1.0, low_open=True, high_open=True)
    seed = check_int(seed, "seed", owner, low=0)
    if val_size + test_size >= 1:
        raise ValueError(f"{owner}: val_size + test_size must be below 1; got {val_size + test_size}")
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
