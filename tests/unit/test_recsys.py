"""helpers.synthetic.recsys: the seeded shop-log generator, the folding rule and the evaluation splits."""
from __future__ import annotations

import inspect

import numpy as np
import pytest

from helpers.synthetic import recsys
from helpers.synthetic.recsys import HoldOut, Interactions, leave_k_out, make_interactions, split_customers, to_visible

SMALL = dict(n_customers=400, n_items=60, n_tastes=4, n_categories=6, categories_per_taste=2, mean_views=30.0)


@pytest.fixture(scope="module")
def data() -> Interactions:
    return make_interactions(np.random.default_rng(0), **SMALL)


def test_same_seed_same_data_other_seed_other_data(data):
    again = make_interactions(np.random.default_rng(0), **SMALL)
    other = make_interactions(np.random.default_rng(1), **SMALL)
    for name in ("views", "purchased", "stars", "liking", "taste_mix", "taste_categories", "item_category",
                 "item_popularity", "item_quality"):
        np.testing.assert_array_equal(getattr(data, name), getattr(again, name), err_msg=name)
    assert not np.array_equal(data.views, other.views)


def test_shapes_and_dtypes(data):
    n, m = SMALL["n_customers"], SMALL["n_items"]
    t, c = SMALL["n_tastes"], SMALL["n_categories"]
    assert (data.n_customers, data.n_items) == (n, m)
    for name in ("views", "purchased", "stars", "liking"):
        assert getattr(data, name).shape == (n, m), name
    assert data.views.dtype == np.int64 and data.purchased.dtype == bool and data.stars.dtype == np.int8
    assert data.taste_mix.shape == (n, t)
    assert data.taste_categories.shape == (t, c) and data.taste_categories.dtype == bool
    assert data.item_category.shape == (m,) and data.item_popularity.shape == (m,) and data.item_quality.shape == (m,)
    assert "400 customers x 60 items" in repr(data)


def test_value_ranges_and_consistency(data):
    assert (data.views >= 0).all() and (data.views.sum(axis=1) >= 1).all()      # everyone browses at least once
    assert set(np.unique(data.stars)) <= {0, 1, 2, 3, 4, 5}
    assert not ((data.stars > 0) & ~data.purchased).any(), "only purchased items can be reviewed"
    assert ((data.liking >= 0) & (data.liking <= 1)).all()
    np.testing.assert_allclose(data.liking.max(axis=1), 1.0)                  # favourite categories have liking 1
    np.testing.assert_allclose(data.taste_mix.sum(axis=1), 1.0)
    np.testing.assert_allclose(data.item_popularity.sum(), 1.0)
    assert (data.taste_categories.sum(axis=1) == SMALL["categories_per_taste"]).all()
    assert data.item_category.min() >= 0 and data.item_category.max() < SMALL["n_categories"]


def test_structure_the_generator_promises(data):
    # popularity skew: the most popular tenth of items gets far more views than a uniform share
    share = np.sort(data.views.sum(axis=0))[::-1][: SMALL["n_items"] // 10].sum() / data.views.sum()
    assert share > 0.25
    # taste structure: purchases concentrate on liked items, and liked purchases get better reviews
    assert data.liking[data.purchased].mean() > data.liking.mean() + 0.3
    reviewed = data.stars > 0
    good = data.stars[reviewed & (data.liking > 0.8)].mean()
    bad = data.stars[reviewed & (data.liking < 0.2)].mean()
    assert good > bad + 1.5
    # no popularity skew when zipf_exponent = 0
    flat = make_interactions(np.random.default_rng(0), **{**SMALL, "zipf_exponent": 0.0})
    np.testing.assert_allclose(flat.item_popularity, 1 / SMALL["n_items"])


def test_to_visible_rule_and_its_parts(data):
    V = to_visible(data)
    assert V.dtype == np.uint8 and V.shape == data.views.shape and set(np.unique(V)) <= {0, 1}
    panned = (data.stars > 0) & (data.stars <= 2)
    expected = (data.purchased & ~panned) | (data.views >= 3)
    np.testing.assert_array_equal(V, expected.astype(np.uint8))
    purchases = to_visible(data, bad_stars=0, min_views=None)
    np.testing.assert_array_equal(purchases, data.purchased.astype(np.uint8))
    browsing = to_visible(data, use_purchases=False, min_views=1)
    np.testing.assert_array_equal(browsing, (data.views >= 1).astype(np.uint8))
    # dropping panned purchases can only remove positives; adding browsing can only add
    assert to_visible(data, min_views=None).sum() <= purchases.sum() <= to_visible(data, bad_stars=0).sum()


def test_split_customers(data):
    tr, va = split_customers(data.n_customers, 0.2, np.random.default_rng(3))
    tr2, va2 = split_customers(data.n_customers, 0.2, np.random.default_rng(3))
    np.testing.assert_array_equal(tr, tr2)
    np.testing.assert_array_equal(va, va2)
    assert len(va) == 80 and len(tr) == 320
    assert not set(tr) & set(va) and sorted(set(tr) | set(va)) == list(range(data.n_customers))
    assert (np.diff(tr) > 0).all() and (np.diff(va) > 0).all()


def test_leave_k_out(data):
    V = to_visible(data)
    for k in (1, 2):
        ho = leave_k_out(V, k, np.random.default_rng(5))
        assert isinstance(ho, HoldOut)
        assert ho.observed.shape == V.shape and ho.held_out.shape == (V.shape[0], k)
        np.testing.assert_array_equal(ho.evaluated, V.sum(axis=1) >= k + 1)
        rows = np.flatnonzero(ho.evaluated)
        assert (ho.held_out[~ho.evaluated] == -1).all()
        for u in rows:
            held = ho.held_out[u]
            assert len(set(held)) == k and (V[u, held] == 1).all() and (ho.observed[u, held] == 0).all()
        # exactly the held-out entries were removed
        assert V.sum() - ho.observed.sum() == k * len(rows)
        np.testing.assert_array_equal(ho.observed[~ho.evaluated], V[~ho.evaluated])
    again = leave_k_out(V, 1, np.random.default_rng(5))
    np.testing.assert_array_equal(again.held_out, leave_k_out(V, 1, np.random.default_rng(5)).held_out)


@pytest.mark.parametrize("name, value, allowed", [
    ("n_customers", 5, "[10, 200000]"),
    ("n_items", 3, "[10, 20000]"),
    ("n_tastes", 0, "[1, 100]"),
    ("n_categories", 0, "[1, 60]"),
    ("categories_per_taste", 7, "[1, 6]"),
    ("taste_concentration", 0.0, "(0, 100]"),
    ("zipf_exponent", -1.0, "[0, 3]"),
    ("mean_views", 0.5, "[1, 10000]"),
    ("explore", 1.5, "[0, 1]"),
    ("buy_rate", 0.0, "(0, 1]"),
    ("review_rate", -0.1, "[0, 1]"),
    ("quality_sd", 6.0, "[0, 5]"),
    ("star_noise", -1.0, "[0, 5]"),
])
def test_parameter_validation_names_parameter_and_range(name, value, allowed):
    with pytest.raises(ValueError) as err:
        make_interactions(np.random.default_rng(0), **{**SMALL, name: value})
    assert str(err.value).startswith(f"make_interactions: {name} must be ")
    assert str(err.value).endswith(f" {allowed}; got {value!r}")


def test_a_wrong_type_is_a_type_error_naming_the_type():
    with pytest.raises(TypeError, match=r"^make_interactions: n_items must be an integer in \[10, 20000\]; "
                                        r"got 2.5 \(float\)$"):
        make_interactions(np.random.default_rng(0), **{**SMALL, "n_items": 2.5})


def test_other_validation(data):
    with pytest.raises(TypeError, match="numpy.random.Generator"):
        make_interactions(np.random.RandomState(0), **SMALL)
    with pytest.raises(ValueError, match=r"bad_stars.*\[0, 4\]"):
        to_visible(data, bad_stars=5)
    with pytest.raises(ValueError, match=r"min_views.*\[1, 1000\]"):
        to_visible(data, min_views=0)
    with pytest.raises(ValueError, match="no signal"):
        to_visible(data, use_purchases=False, min_views=None)
    with pytest.raises(ValueError, match=r"^split_customers: validation_fraction must be a finite number "
                                         r"in \(0, 1\); got 1.0$"):
        split_customers(100, 1.0, np.random.default_rng(0))
    with pytest.raises(ValueError, match=r"validation_fraction"):
        split_customers(100, 0.0, np.random.default_rng(0))
    V = to_visible(data)
    with pytest.raises(ValueError, match=r"k must be an integer in \[1, 59\]"):
        leave_k_out(V, 0, np.random.default_rng(0))
    with pytest.raises(ValueError, match="only 0 and 1"):
        leave_k_out(V * 2, 1, np.random.default_rng(0))
    with pytest.raises(ValueError, match="shape"):
        leave_k_out(V[0], 1, np.random.default_rng(0))


def test_no_global_random_state_is_used():
    np.random.seed(123)
    before = np.random.get_state()[1].copy()
    make_interactions(np.random.default_rng(0), **SMALL)
    np.testing.assert_array_equal(np.random.get_state()[1], before)


def test_public_functions_are_documented_with_shapes():
    for fn in (make_interactions, to_visible, split_customers, leave_k_out, recsys.top_k_unseen,
               recsys.ranking_metrics):
        doc = inspect.getdoc(fn)
        assert doc and "Parameters" in doc and "Returns" in doc, fn.__name__
    for name in inspect.signature(make_interactions).parameters:
        assert name in inspect.getdoc(make_interactions), f"parameter {name} is not documented"
    assert "shape (n_customers, n_items)" in inspect.getdoc(Interactions)
    assert "shape (n_customers, k)" in inspect.getdoc(HoldOut)


def test_top_k_unseen_skips_observed_items_and_breaks_ties_by_index():
    scores = np.array([[0.1, 0.9, 0.9, 0.5, 0.0], [1.0, 1.0, 1.0, 1.0, 1.0]])
    observed = np.array([[0, 1, 0, 0, 0], [1, 0, 0, 0, 0]])
    np.testing.assert_array_equal(recsys.top_k_unseen(scores, observed, 3), [[2, 3, 0], [1, 2, 3]])


def test_ranking_metrics_against_hand_computed_values():
    # customer 0: held-out items 2 and 4; top-3 unseen = [2, 3, 0] -> one hit at rank 1
    scores = np.array([[0.1, 0.9, 0.9, 0.5, 0.0], [0.0, 0.2, 0.3, 0.4, 0.5]])
    observed = np.array([[0, 1, 0, 0, 0], [1, 0, 0, 0, 0]])
    held = np.array([[2, 4], [3, 1]])
    m = recsys.ranking_metrics(scores, observed, held, k=3)
    # customer 1: top-3 unseen = [4, 3, 2]: one hit (3) at rank 2
    np.testing.assert_allclose(m["hit"], [1, 1])
    np.testing.assert_allclose(m["precision"], [1 / 3, 1 / 3])
    np.testing.assert_allclose(m["recall"], [0.5, 0.5])
    idcg = 1 + 1 / np.log2(3)
    np.testing.assert_allclose(m["ndcg"], [1 / idcg, (1 / np.log2(3)) / idcg])
    # both held-out items first: NDCG 1; none in the list: all 0
    perfect = recsys.ranking_metrics(np.array([[0, 0, 5, 0, 4.0]]), np.zeros((1, 5)), np.array([[4, 2]]), k=3)
    assert perfect["ndcg"][0] == pytest.approx(1.0) and perfect["recall"][0] == 1.0
    miss = recsys.ranking_metrics(np.array([[5, 4, 3, 2, 1.0]]), np.zeros((1, 5)), np.array([[4]]), k=2)
    assert all(v[0] == 0 for v in miss.values())


def test_ranking_metrics_refuse_bad_input():
    scores, observed = np.zeros((2, 5)), np.zeros((2, 5), dtype=int)
    with pytest.raises(ValueError, match="same shape"):
        recsys.ranking_metrics(scores, observed[:, :4], np.array([[1], [2]]))
    with pytest.raises(ValueError, match="held_out must be an integer array"):
        recsys.ranking_metrics(scores, observed, np.array([1, 2]))
    with pytest.raises(ValueError, match="outside"):
        recsys.ranking_metrics(scores, observed, np.array([[1], [-1]]))
    observed[0, 1] = 1
    with pytest.raises(ValueError, match="also observed"):
        recsys.ranking_metrics(scores, observed, np.array([[1], [2]]))
    with pytest.raises(ValueError, match="NaN"):
        recsys.top_k_unseen(np.full((2, 5), np.nan), observed)
    with pytest.raises(ValueError, match=r"k must be an integer in \[1, 5\]"):
        recsys.top_k_unseen(scores, observed, 6)
