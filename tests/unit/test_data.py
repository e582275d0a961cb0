from pathlib import Path

import numpy as np
import pytest

from helpers.data import (DataFileError, WINDSOR_FEATURES, load_sklearn, load_sunspots, load_windsor_housing,
                          train_val_test_split)


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


@pytest.mark.parametrize("name", ["iris", "digits", "breast_cancer", "wine", "diabetes"])
def test_sklearn_sets_load_as_arrays(name):
    d = load_sklearn(name)
    assert d.X.ndim == 2 and len(d.X) == len(d.y) > 0
    assert len(d.feature_names) == d.X.shape[1]


def test_unknown_sklearn_set_lists_the_choices():
    with pytest.raises(ValueError, match="iris, digits"):
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


@pytest.mark.parametrize("kwargs, message", [
    ({"val_size": 0}, "val_size"), ({"test_size": 1.2}, "test_size"), ({"val_size": 0.6, "test_size": 0.5}, "below 1")])
def test_split_validates_fractions(kwargs, message):
    with pytest.raises(ValueError, match=message):
        train_val_test_split(np.zeros((10, 1)), np.zeros(10), **kwargs)
