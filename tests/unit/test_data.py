import json
import re
from pathlib import Path

import numpy as np
import pytest

from helpers.data import (DataFileError, WINDSOR_FEATURES, load_sklearn, load_sunspots, load_sunspots_monthly,
                          load_windsor_housing, train_val_test_split)


def test_windsor_housing_matches_the_published_summary():
    d = load_windsor_housing()
    assert d.X.shape == (546, 11) and d.y.shape == (546,)
    assert d.feature_names == WINDSOR_FEATURES
    # First row of the file: 42000, 5850, 3, 1, 2, yes, no, yes, no, no, 1, no
    assert d.y[0] == 42000
    np.testing.assert_array_equal(d.X[0], [5850, 3, 1, 2, 1, 0, 1, 0, 0, 1, 0])
    assert set(np.unique(d.X[:, WINDSOR_FEATURES.index("airco")])) == {0.0, 1.0}
    assert 60_000 < d.y.mean() < 75_000  # Anglin and Gençay report a mean price of about 68 122


def test_sunspots_cover_1700_to_1988():
    years, values = load_sunspots()
    assert years[0] == 1700 and years[-1] == 1988 and len(values) == 289
    assert values.min() >= 0 and values.max() > 150


def test_monthly_sunspots_cover_1749_to_2013_one_row_per_month():
    time, values = load_sunspots_monthly()
    assert len(time) == len(values) == 3177
    assert time[0] == 1749 and time[-1] == pytest.approx(2013 + 8 / 12)
    np.testing.assert_allclose(np.diff(time), 1 / 12, atol=1e-6)
    assert values[:3].tolist() == [58.0, 62.6, 70.0]                    # the file's first rows
    years, yearly = load_sunspots()
    # the yearly series of 1749-1983 is (up to rounding and later revisions) the mean of the twelve months
    common = (years >= 1749) & (years <= 1983)
    means = values[: 12 * int(common.sum())].reshape(-1, 12).mean(axis=1)
    assert np.corrcoef(means, yearly[common])[0, 1] > 0.99


def test_a_missing_month_names_the_line(data_copy):
    f = data_copy / "sunspot_month.csv"
    lines = f.read_text().splitlines(keepends=True)
    f.write_text("".join(lines[:13] + lines[14:]))                    # drop January 1750
    detail = (r"line 14: the month 1750-02 follows 1749-12 \(one row per month, in order; a month is missing or "
              r"out of place\)")
    with pytest.raises(DataFileError, match=shipped_message("sunspot_month.csv", detail)):
        load_sunspots_monthly()


def test_a_monthly_file_outside_data_is_checked_month_by_month(tmp_path):
    own = tmp_path / "months.csv"
    own.write_text('"","time","sunspot.month"\n"1",1749,58\n"2",1749.08333333333,62.6\n"3",1749.25,70\n')
    with pytest.raises(DataFileError, match=r"line 4: the month 1749-04 follows 1749-02"):
        load_sunspots_monthly(own)
    own.write_text('"","time","sunspot.month"\n"1",1749,58\n"2",1749.08333333333,-1\n')
    with pytest.raises(DataFileError, match=r"line 3, column 'sunspot.month': -1 is out of range"):
        load_sunspots_monthly(own)


@pytest.mark.parametrize("name", ["iris", "digits", "breast_cancer", "wine", "diabetes"])
def test_sklearn_sets_load_as_arrays(name):
    d = load_sklearn(name)
    assert d.X.ndim == 2 and len(d.X) == len(d.y) > 0
    assert len(d.feature_names) == d.X.shape[1]


def test_unknown_sklearn_set_lists_the_choices():
    with pytest.raises(ValueError, match="^load_sklearn: name must be one of 'iris', 'digits', .*; got 'mnist'$"):
        load_sklearn("mnist")


def test_missing_file_names_it_and_says_how_to_restore(tmp_path: Path):
    with pytest.raises(DataFileError, match=r"windsor_housing.csv not found.*git checkout"):
        load_windsor_housing(tmp_path / "windsor_housing.csv")


def test_malformed_files_raise_clear_errors(tmp_path: Path):
    f = tmp_path / "windsor_housing.csv"
    f.write_text('"","price","lotsize"\n"1",42000,5850\n')
    with pytest.raises(DataFileError, match="lacks column"):
        load_windsor_housing(f)
    s = tmp_path / "sunspot_year.csv"
    s.write_text('"","time","sunspot.year"\n"1",1700,5\n"2",1701,abc\n')
    with pytest.raises(DataFileError, match="sunspot.year"):
        load_sunspots(s)
    s.write_text('"","time","sunspot.year"\n"1",1700,5\n"2",1701\n')
    with pytest.raises(DataFileError, match="line 3"):
        load_sunspots(s)
    s.write_text('"","time","sunspot.year"\n')
    with pytest.raises(DataFileError, match="empty"):
        load_sunspots(s)


def test_split_sizes_are_disjoint_and_seeded():
    X = np.arange(200).reshape(100, 2)
    y = np.arange(100) % 2
    parts = train_val_test_split(X, y, val_size=0.2, test_size=0.3, seed=3, stratify=True)
    X_train, X_val, X_test = parts[:3]
    assert (len(X_train), len(X_val), len(X_test)) == (50, 20, 30)
    rows = np.concatenate([X_train[:, 0], X_val[:, 0], X_test[:, 0]])
    assert len(np.unique(rows)) == 100
    again = train_val_test_split(X, y, val_size=0.2, test_size=0.3, seed=3, stratify=True)
    np.testing.assert_array_equal(parts[0], again[0])


@pytest.mark.parametrize("kwargs, error, message", [
    ({"val_size": 0}, ValueError, r"^train_val_test_split: val_size must be a finite number in \(0, 1\); got 0$"),
    ({"test_size": 1.2}, ValueError, r"^train_val_test_split: test_size must be a finite number in \(0, 1\); got 1.2$"),
    ({"test_size": "20%"}, TypeError, r"^train_val_test_split: test_size must be a finite number .*\(str\)$"),
    ({"seed": -1}, ValueError, r"^train_val_test_split: seed must be an integer >= 0; got -1$"),
    ({"val_size": 0.6, "test_size": 0.5}, ValueError, r"^train_val_test_split: val_size \+ test_size must be below 1"),
])
def test_split_validates_its_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        train_val_test_split(np.zeros((10, 1)), np.zeros(10), **kwargs)


# ---------------------------------------------------------------- damaged or changed data files
@pytest.fixture
def data_copy(tmp_path, monkeypatch):
    """A copy of data/ (files and manifest) that the loaders read as the shipped folder."""
    import shutil

    import helpers.data

    from helpers.paths import DATA_DIR

    copy = tmp_path / "data"
    shutil.copytree(DATA_DIR, copy)
    monkeypatch.setattr(helpers.data, "DATA_DIR", copy)
    return copy


def edit_line(path: Path, line_no: int, column: int, value: str) -> None:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    cells = lines[line_no - 1].rstrip("\n").split(",")
    cells[column] = value
    lines[line_no - 1] = ",".join(cells) + "\n"
    path.write_text("".join(lines), encoding="utf-8")


def shipped_message(name: str, detail: str) -> str:
    return (f"^data/{name} differs from the shipped file: {detail}; restore it with git checkout -- data/{name} "
            r"\(data/README.md gives its source and citation\)$")


def test_the_manifest_lists_every_data_file():
    from helpers.paths import DATA_DIR

    manifest = json.loads((DATA_DIR / "manifest.json").read_text())
    assert sorted(manifest) == sorted(p.name for p in DATA_DIR.glob("*.csv"))
    assert all(len(e["sha256"]) == 64 and e["rows"] > 0 for e in manifest.values())


@pytest.mark.parametrize("line, column, value, detail", [
    (10, 1, "nan", r"line 10, column 'price': 'nan' is not a finite number"),
    (10, 1, "inf", r"line 10, column 'price': 'inf' is not a finite number"),
    (10, 1, "-42000", r"line 10, column 'price': -42000 is out of range \(it must be > 0\)"),
    (10, 1, "", r"line 10, column 'price': the value is missing"),
    (11, 1, "NA", r"line 11, column 'price': the value is missing"),
    (12, 3, "2.5", r"line 12, column 'bedrooms': '2.5' is not a whole number"),
    (12, 3, "three", r"line 12, column 'bedrooms': 'three' is not a number"),
    (10, 6, '"Yes"', r"line 10, column 'driveway': 'Yes' is not yes or no \(lower case, as shipped\)"),
    (12, 10, '"maybe"', r"line 12, column 'airco': 'maybe' is not yes or no \(lower case, as shipped\)"),
])
def test_a_bad_value_names_the_line_column_and_problem(data_copy, line, column, value, detail):
    edit_line(data_copy / "windsor_housing.csv", line, column, value)
    with pytest.raises(DataFileError, match=shipped_message("windsor_housing.csv", detail)):
        load_windsor_housing()


def test_a_file_cut_at_a_row_boundary_is_caught_by_its_row_count(data_copy):
    f = data_copy / "windsor_housing.csv"
    f.write_text("".join(f.read_text().splitlines(keepends=True)[:401]))
    with pytest.raises(DataFileError, match=shipped_message("windsor_housing.csv",
                                                            "it has 400 data rows, the shipped file 546")):
        load_windsor_housing()


def test_a_missing_sunspot_year_names_the_line(data_copy):
    f = data_copy / "sunspot_year.csv"
    lines = f.read_text().splitlines(keepends=True)
    f.write_text("".join(lines[:51] + lines[52:]))                    # drop the row of 1750
    detail = (r"line 52: the year 1751 follows 1749 \(one row per year, in order; a year is missing or "
              r"out of place\)")
    with pytest.raises(DataFileError, match=shipped_message("sunspot_year.csv", detail)):
        load_sunspots()


def test_a_negative_sunspot_number_is_out_of_range(data_copy):
    edit_line(data_copy / "sunspot_year.csv", 5, 2, "-3")
    with pytest.raises(DataFileError, match=r"line 5, column 'sunspot.year': -3 is out of range \(it must be >= 0\)"):
        load_sunspots()


def test_a_plausible_edit_is_caught_by_the_sha256(data_copy):
    edit_line(data_copy / "windsor_housing.csv", 2, 1, "42001")
    with pytest.raises(DataFileError, match=shipped_message(
            "windsor_housing.csv", r"its sha256 is [0-9a-f]{12}\.\.\., data/manifest.json lists cf0175a1e0d1\.\.\. "
                                   r"\(a value was edited\)")):
        load_windsor_housing()


def test_windows_line_endings_are_named(data_copy):
    f = data_copy / "sunspot_year.csv"
    f.write_bytes(f.read_bytes().replace(b"\n", b"\r\n"))
    with pytest.raises(DataFileError, match=shipped_message(
            "sunspot_year.csv", r"its line endings were changed to CRLF \(e.g. by git's autocrlf; "
                                r".gitattributes keeps data files byte-exact\)")):
        load_sunspots()


def test_a_non_utf8_file_is_named_with_the_byte_and_line(data_copy):
    f = data_copy / "windsor_housing.csv"
    f.write_bytes(f.read_bytes().replace(b'"yes"', b'"y\xe9s"', 1))
    with pytest.raises(DataFileError, match=shipped_message(
            "windsor_housing.csv", r"it is not UTF-8 text \(byte 0xe9 at line 2, column 24\)")):
        load_windsor_housing()


def test_a_missing_manifest_is_named(data_copy):
    (data_copy / "manifest.json").unlink()
    with pytest.raises(DataFileError, match=r"^data/manifest.json is missing or damaged .*; restore it with "
                                            r"git checkout -- data/manifest.json$"):
        load_sunspots()


def test_a_file_outside_data_is_validated_but_not_held_to_the_manifest(tmp_path):
    from helpers.paths import DATA_DIR

    lines = (DATA_DIR / "sunspot_year.csv").read_text().splitlines(keepends=True)
    own = tmp_path / "sunspot_year.csv"
    own.write_text("".join(lines[:101]))                              # 1700-1799 only: fine for an own file
    years, values = load_sunspots(own)
    assert len(years) == 100 and years[-1] == 1799
    edit_line(own, 3, 2, "inf")
    with pytest.raises(DataFileError, match=rf"^{re.escape(str(own))}: line 3, column 'sunspot.year': 'inf' is not "
                                            r"a finite number; fix the file, or load the shipped one"):
        load_sunspots(own)
