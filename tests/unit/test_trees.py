"""helpers.synthetic.trees: the seeded expression-tree generator, evaluation, flattening and symbol counts."""
from __future__ import annotations

import numpy as np
import pytest

from helpers.synthetic import trees
from helpers.synthetic.trees import (DEFAULT_OPS, OPERATORS, Forest, depth, draw_tree, evaluate, flatten, layout,
                                     make_trees, n_leaves, select, symbol_counts, to_infix, to_postfix, to_prefix)

ALL_OPS = ("+", "-", "max", "min")


@pytest.fixture(scope="module")
def forest_trees():
    return make_trees(400, np.random.default_rng(0), min_depth=1, max_depth=4, ops=ALL_OPS)


def test_same_seed_same_trees_other_seed_other_trees():
    a = make_trees(200, np.random.default_rng(3), ops=ALL_OPS)
    b = make_trees(200, np.random.default_rng(3), ops=ALL_OPS)
    c = make_trees(200, np.random.default_rng(4), ops=ALL_OPS)
    assert a == b
    assert a != c


def test_depth_limits_and_uniform_depths(forest_trees):
    depths = np.array([depth(t) for t in forest_trees])
    assert depths.min() >= 1 and depths.max() <= 4
    counts = np.bincount(depths, minlength=5)[1:]
    assert (counts > 60).all(), counts                 # each of the 4 depths gets about 100 of 400
    for t in forest_trees:
        d = depth(t)
        assert d + 1 <= n_leaves(t) <= 2 ** d
    single = make_trees(50, np.random.default_rng(1), min_depth=0, max_depth=0)
    assert all(isinstance(t, int) and 0 <= t <= 9 for t in single)
    exact = make_trees(50, np.random.default_rng(1), min_depth=3, max_depth=3)
    assert {depth(t) for t in exact} == {3}


def test_only_requested_operators_and_digits_in_range():
    ts = make_trees(300, np.random.default_rng(2), ops=("max",), modulus=5)
    tokens = {tok for t in ts for tok in to_prefix(t)}
    assert tokens <= {"max", "0", "1", "2", "3", "4"}
    assert "max" in tokens


def test_evaluate_small_cases():
    assert evaluate(7) == 7
    assert evaluate(("+", 7, 6)) == 3                   # 13 mod 10
    assert evaluate(("-", 2, 5)) == 7                   # -3 mod 10
    assert evaluate(("max", 3, ("min", 7, 5))) == 5
    assert evaluate(("min", 3, ("max", 7, 5))) == 3
    assert evaluate(("max", 7, ("min", 3, 5))) == 7
    assert evaluate(("+", 4, 4), modulus=5) == 3


def test_evaluate_matches_python_arithmetic(forest_trees):
    # independent of evaluate(): Python evaluates the infix text itself
    for t in make_trees(300, np.random.default_rng(5), ops=("max", "min")):
        assert evaluate(t) == eval(to_infix(t), {"max": max, "min": min})  # noqa: S307 - our own text
    for t in make_trees(300, np.random.default_rng(6), ops=("+", "-")):
        assert evaluate(t) == eval(to_infix(t)) % 10                       # noqa: S307 - our own text
    assert all(0 <= evaluate(t) <= 9 for t in forest_trees)


def test_text_forms():
    t = ("max", 3, ("+", 7, 6))
    assert to_infix(t) == "max(3, (7 + 6))"
    assert to_prefix(t) == ["max", "3", "+", "7", "6"]
    assert to_postfix(t) == ["3", "7", "6", "+", "max"]
    assert depth(t) == 2 and n_leaves(t) == 3


def test_flatten_arrays_are_consistent(forest_trees):
    F = flatten(forest_trees, ALL_OPS)
    assert isinstance(F, Forest) and F.n_trees == len(forest_trees)
    assert F.n_nodes == sum(2 * n_leaves(t) - 1 for t in forest_trees)
    for name in ("digit", "op", "left", "right", "height", "value", "tree"):
        assert getattr(F, name).shape == (F.n_nodes,) and getattr(F, name).dtype == np.int64
    leaf = F.digit >= 0
    assert ((F.op >= 0) == ~leaf).all() and (F.left[leaf] == -1).all() and (F.right[leaf] == -1).all()
    inner = np.flatnonzero(~leaf)
    assert (F.left[inner] < inner).all() and (F.right[inner] < inner).all()   # children before parents
    assert (F.height[inner] == 1 + np.maximum(F.height[F.left[inner]], F.height[F.right[inner]])).all()
    assert (F.height[leaf] == 0).all()
    children = np.concatenate([F.left[inner], F.right[inner]])
    assert len(np.unique(children)) == len(children)                          # one parent per node
    np.testing.assert_array_equal(F.value[F.root], [evaluate(t) for t in forest_trees])
    np.testing.assert_array_equal(F.height[F.root], [depth(t) for t in forest_trees])
    np.testing.assert_array_equal(F.tree[F.root], np.arange(len(forest_trees)))
    for k in inner[:200]:                                                     # every node's value by its rule
        name = F.ops[F.op[k]]
        assert F.value[k] == OPERATORS[name](F.value[F.left[k]], F.value[F.right[k]], 10)
    assert "400 trees" in repr(F)


def test_symbol_counts(forest_trees):
    C = symbol_counts(forest_trees, ALL_OPS)
    assert C.shape == (len(forest_trees), 10 + len(ALL_OPS))
    for row, t in zip(C[:50], forest_trees[:50]):
        tokens = to_prefix(t)
        expected = [tokens.count(str(v)) for v in range(10)] + [tokens.count(o) for o in ALL_OPS]
        assert row.tolist() == expected


@pytest.mark.parametrize("kwargs, word", [
    (dict(n=0), "n must be an integer in [1"),
    (dict(max_depth=13), "max_depth must be an integer in [0, 12]"),
    (dict(min_depth=5, max_depth=4), "min_depth must be an integer in [0, 4]"),
    (dict(min_depth=-1), "min_depth must be an integer"),
    (dict(ops=()), "ops must be a non-empty"),
    (dict(ops="max"), "ops must be a non-empty"),
    (dict(ops=("max", "pow")), "unknown: ['pow']"),
    (dict(ops=("max", "max")), "must not repeat"),
    (dict(modulus=1), "modulus must be an integer in [2, 10]"),
    (dict(modulus=11), "modulus must be an integer in [2, 10]"),
])
def test_parameter_validation(kwargs, word):
    args = {"n": 5, **kwargs}
    n = args.pop("n")
    with pytest.raises(ValueError) as err:
        make_trees(n, np.random.default_rng(0), **args)
    assert str(err.value).startswith("make_trees: ") and word in str(err.value)


def test_wrong_types_are_type_errors():
    with pytest.raises(TypeError, match="^make_trees: rng must be a numpy.random.Generator"):
        make_trees(5, 0)
    with pytest.raises(TypeError, match=r"^make_trees: n must be an integer in \[1, 1000000\]; got 2.5 \(float\)$"):
        make_trees(2.5, np.random.default_rng(0))


def test_malformed_trees_are_rejected():
    with pytest.raises(ValueError, match="leaf must be a digit"):
        evaluate(("max", 3, 12))
    with pytest.raises(ValueError, match="tuple \\(op, left, right\\)"):
        evaluate(("pow", 3, 2))
    with pytest.raises(ValueError, match="not in ops"):
        flatten([("+", 1, 2)], ops=("max", "min"))
    with pytest.raises(ValueError, match="non-empty"):
        flatten([])


def test_default_operators_are_max_and_min():
    assert DEFAULT_OPS == ("max", "min")
    assert {tok for t in make_trees(100, np.random.default_rng(9)) for tok in to_prefix(t)} >= {"max", "min"}


def test_select_equals_flattening_the_chosen_trees_again(forest_trees):
    F = flatten(forest_trees, ALL_OPS)
    for ids in ([0], [399], [5, 3, 5, 0], list(range(0, 400, 7))[::-1]):
        expected = flatten([forest_trees[i] for i in ids], ALL_OPS)
        got = select(F, ids)
        for name in ("digit", "op", "left", "right", "height", "value", "tree", "root"):
            np.testing.assert_array_equal(getattr(got, name), getattr(expected, name), err_msg=name)
        assert got.ops == expected.ops and got.modulus == expected.modulus


@pytest.mark.parametrize("ids, word", [([], "non-empty"), ([[1, 2]], "1-D"), ([0.5], "tree indices"),
                                       ([400], r"\[0, 399\]"), ([-1], r"\[0, 399\]")])
def test_select_refuses_bad_indices(forest_trees, ids, word):
    with pytest.raises(ValueError, match=word):
        select(flatten(forest_trees, ALL_OPS), ids)


def test_layout_follows_flatten_order_and_centres_parents(forest_trees):
    for t in forest_trees[:50]:
        pos, F = layout(t), flatten([t], ALL_OPS)
        assert len(pos.x) == F.n_nodes == len(pos.labels)
        leaf = F.digit >= 0
        np.testing.assert_array_equal(pos.x[leaf], np.arange(n_leaves(t)))           # leaves left to right
        assert [pos.labels[k] for k in np.flatnonzero(leaf)] == [tok for tok in to_prefix(t) if tok.isdigit()]
        inner = np.flatnonzero(~leaf)
        np.testing.assert_allclose(pos.x[inner], (pos.x[F.left[inner]] + pos.x[F.right[inner]]) / 2)
        assert (pos.parent[F.left[inner]] == inner).all() and (pos.parent[F.right[inner]] == inner).all()
        assert pos.parent[-1] == -1 and pos.y[-1] == 0 and pos.y.min() == -depth(t)
        assert [pos.labels[k] for k in inner] == [ALL_OPS[o] for o in F.op[inner]]


def test_draw_tree_draws_every_node_and_checks_its_arguments():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    t = ("max", 3, ("+", 7, 6))
    fig, ax = plt.subplots()
    draw_tree(ax, t, below=["3|3", "7|7", "6|6", "3|4", "3|3"], correct=[True, None, True, False, True])
    texts = [x.get_text() for x in ax.texts]
    assert sorted(texts) == sorted(["3", "7", "6", "+", "max", "3|3", "7|7", "6|6", "3|4", "3|3"])
    assert len(ax.lines) == 4                                                       # one edge per child
    edges = [tuple(np.round(c.get_edgecolor()[0][:3], 3)) for c in ax.collections]
    assert len(set(edges)) == 3                                   # right, wrong and neutral nodes look different
    with pytest.raises(ValueError, match="below must have one entry per node"):
        draw_tree(ax, t, below=["1"])
    with pytest.raises(ValueError, match="correct must have one entry per node"):
        draw_tree(ax, t, correct=[True])
    plt.close(fig)
