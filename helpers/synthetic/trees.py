"""Random arithmetic-expression trees for recursive (tree-structured) networks (seeded, documented).

No parse-tree data set ships offline, so this module *generates* expression trees whose
structure matters: the value of ``max(3, (7 + 6))`` depends on which digits meet at which operator,
not only on which symbols occur. The data are synthetic and fully known (every node's value is
exact), which makes them good for checking that a recursive network learns to compose; they do
not have the ambiguity, vocabulary size or label noise of parsed natural language.

Trees
-----
A tree is either

* a **leaf**: a Python ``int`` digit in ``0 .. modulus - 1``, or
* an **internal node**: a tuple ``(op, left, right)`` with ``op`` a key of :data:`OPERATORS`
  and ``left``, ``right`` trees.

Every node has a value in ``0 .. modulus - 1``: a leaf's value is its digit; an internal node
applies its operator to its children's values (``+`` and ``-`` are taken modulo ``modulus``;
``max`` and ``min`` stay in range by themselves). The **depth** of a tree is the number of
operators on its longest root-to-leaf path (a single digit has depth 0, ``(2 + 3)`` depth 1).

How trees are generated (:func:`make_trees`)
--------------------------------------------
For each of ``n`` trees a depth ``d`` is drawn uniformly from ``min_depth .. max_depth``, then a
tree of depth exactly ``d`` is grown top-down: the root gets an operator drawn uniformly from
``ops``; one child (left or right with probability 1/2) is grown to depth ``d - 1``, the other
to a depth drawn uniformly from ``0 .. d - 1``; leaves get digits drawn uniformly. A tree of
depth ``d`` therefore has between ``d + 1`` and ``2**d`` leaves.

For batched computation, :func:`flatten` turns a list of trees into one :class:`Forest` of node
arrays (children stored before their parents, each node's height, value and tree index),
:func:`select` takes some of its trees as a smaller forest without walking them again, and
:func:`symbol_counts` gives the bag-of-symbols features that ignore the structure.
:func:`layout` and :func:`draw_tree` draw one tree, with a label under each node (e.g. what a
network predicts there). Random numbers come only from the ``numpy.random.Generator`` passed in.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Union

import numpy as np

from ..validation import check_int, check_memory, check_rng

#: The operators a tree may use: ``name -> f(a, b, modulus)`` for child values ``a`` (left), ``b`` (right).
OPERATORS: dict[str, Callable[[int, int, int], int]] = {
    "+": lambda a, b, m: (a + b) % m,
    "-": lambda a, b, m: (a - b) % m,
    "max": lambda a, b, m: max(a, b),
    "min": lambda a, b, m: min(a, b),
}

#: The operators :func:`make_trees` uses unless told otherwise.
DEFAULT_OPS: tuple[str, ...] = ("max", "min")

#: Largest depth :func:`make_trees` accepts (a depth-12 tree has up to 8191 nodes).
MAX_DEPTH = 12
#: Memory per tree node as nested tuples, in bytes (measured about 32: a tuple for each internal node).
_BYTES_PER_NODE = 40

Tree = Union[int, tuple]


# ----------------------------------------------------------------------------------------------
# Argument checks
# ----------------------------------------------------------------------------------------------


def _check_ops(ops: Sequence[str], owner: str) -> tuple[str, ...]:
    if isinstance(ops, str) or not isinstance(ops, Sequence) or len(ops) == 0:
        raise ValueError(f"{owner}: ops must be a non-empty sequence of operator names from {list(OPERATORS)}; "
                         f"got {ops!r}")
    unknown = [o for o in ops if o not in OPERATORS]
    if unknown:
        raise ValueError(f"{owner}: ops must be operator names from {list(OPERATORS)}; unknown: {unknown}")
    if len(set(ops)) != len(ops):
        raise ValueError(f"{owner}: ops must not repeat an operator; got {list(ops)}")
    return tuple(ops)


def _check_modulus(modulus, owner: str) -> int:
    return check_int(modulus, "modulus", owner, low=2, high=10)


def _is_leaf(tree: Tree) -> bool:
    return isinstance(tree, (int, np.integer)) and not isinstance(tree, bool)


def _check_node(tree: Tree, modulus: int) -> None:
    if _is_leaf(tree):
        if not 0 <= tree < modulus:
            raise ValueError(f"a leaf must be a digit in [0, {modulus - 1}] (modulus {modulus}); got {tree}")
        return
    if not (isinstance(tree, tuple) and len(tree) == 3 and tree[0] in OPERATORS):
        raise ValueError(f"a tree node must be an int digit or a tuple (op, left, right) with op in "
                         f"{list(OPERATORS)}; got {tree!r}")


# ----------------------------------------------------------------------------------------------
# Single trees
# ----------------------------------------------------------------------------------------------
def is_leaf(tree: Tree) -> bool:
    """True for a digit leaf, False for an ``(op, left, right)`` node."""
    return _is_leaf(tree)


def evaluate(tree: Tree, modulus: int = 10) -> int:
    """The value of ``tree`` in ``0 .. modulus - 1`` (``+`` and ``-`` modulo ``modulus``).

    Raises
    ------
    ValueError
        For a malformed tree (unknown operator, digit out of range, wrong tuple shape).
    """
    modulus = _check_modulus(modulus, "evaluate")
    _check_node(tree, modulus)
    if _is_leaf(tree):
        return int(tree)
    op, left, right = tree
    return int(OPERATORS[op](evaluate(left, modulus), evaluate(right, modulus), modulus))


def depth(tree: Tree) -> int:
    """Number of operators on the longest root-to-leaf path (0 for a single digit)."""
    if _is_leaf(tree):
        return 0
    return 1 + max(depth(tree[1]), depth(tree[2]))


def n_leaves(tree: Tree) -> int:
    """Number of digits in the tree."""
    return 1 if _is_leaf(tree) else n_leaves(tree[1]) + n_leaves(tree[2])


def to_infix(tree: Tree) -> str:
    """Readable text: ``+``/``-`` between brackets, ``max``/``min`` as functions, e.g. ``max(3, (7 + 6))``."""
    if _is_leaf(tree):
        return str(int(tree))
    op, left, right = tree
    if op in ("max", "min"):
        return f"{op}({to_infix(left)}, {to_infix(right)})"
    return f"({to_infix(left)} {op} {to_infix(right)})"


def to_prefix(tree: Tree) -> list[str]:
    """Tokens in prefix (Polish) order, which needs no brackets: ``["max", "3", "+", "7", "6"]``."""
    if _is_leaf(tree):
        return [str(int(tree))]
    op, left, right = tree
    return [op, *to_prefix(left), *to_prefix(right)]


def to_postfix(tree: Tree) -> list[str]:
    """Tokens in postfix (reverse Polish) order, the order a stack calculator evaluates:
    ``["3", "7", "6", "+", "max"]``."""
    if _is_leaf(tree):
        return [str(int(tree))]
    op, left, right = tree
    return [*to_postfix(left), *to_postfix(right), op]


# ----------------------------------------------------------------------------------------------
# Generation
# ----------------------------------------------------------------------------------------------
def _grow(d: int, rng: np.random.Generator, ops: tuple[str, ...], modulus: int) -> Tree:
    if d == 0:
        return int(rng.integers(modulus))
    op = ops[int(rng.integers(len(ops)))]
    other_depth = int(rng.integers(d))              # 0 .. d - 1
    deep_on_left = bool(rng.random() < 0.5)
    deep = _grow(d - 1, rng, ops, modulus)
    other = _grow(other_depth, rng, ops, modulus)
    return (op, deep, other) if deep_on_left else (op, other, deep)


def expected_nodes(depth: int) -> float:
    """Mean number of nodes (leaves included) of a tree of exactly ``depth`` grown by :func:`make_trees`.

    A node of depth ``d`` has one child of depth ``d - 1`` and one of a depth uniform in ``0 .. d - 1``,
    so ``N(d) = 1 + N(d - 1) + mean(N(0), ..., N(d - 1))`` with ``N(0) = 1``.
    """
    nodes = [1.0]
    for d in range(1, depth + 1):
        nodes.append(1.0 + nodes[d - 1] + sum(nodes) / d)
    return nodes[depth]


def make_trees(n: int, rng: np.random.Generator, *, min_depth: int = 1, max_depth: int = 4,
               ops: Sequence[str] = DEFAULT_OPS, modulus: int = 10) -> list[Tree]:
    """``n`` random expression trees (see the module docstring for the recipe).

    Parameters
    ----------
    n : int in [1, 1_000_000]
        Number of trees.
    rng : numpy.random.Generator
        The only source of randomness (same generator state, same trees).
    min_depth, max_depth : int, 0 <= min_depth <= max_depth <= MAX_DEPTH (12)
        Each tree's depth is drawn uniformly from this range (a depth-0 tree is a single digit).
    ops : sequence of str, default ``("max", "min")``
        Operator names from :data:`OPERATORS`, drawn uniformly at each internal node.
    modulus : int in [2, 10], default 10
        Leaves are digits ``0 .. modulus - 1``; ``+`` and ``-`` are taken modulo ``modulus``.

    Returns
    -------
    list of n trees (ints and nested ``(op, left, right)`` tuples).

    Raises
    ------
    TypeError, ValueError
        A parameter of the wrong type or outside its range; the message names it and the range.
    MemoryLimitError
        The trees would need more memory than the limit (about 40 bytes per node, see
        :func:`expected_nodes` and :mod:`helpers.validation`).
    """
    check_rng(rng, "make_trees")
    n = check_int(n, "n", "make_trees", low=1, high=1_000_000)
    max_depth = check_int(max_depth, "max_depth", "make_trees", low=0, high=MAX_DEPTH)
    min_depth = check_int(min_depth, "min_depth", "make_trees", low=0, high=max_depth)
    ops = _check_ops(ops, "make_trees")
    modulus = _check_modulus(modulus, "make_trees")
    check_memory(_BYTES_PER_NODE * n * expected_nodes(max_depth), "make_trees",
                 f"{n} trees of depth up to {max_depth}", "n or max_depth")
    depths = rng.integers(min_depth, max_depth + 1, size=n)
    return [_grow(int(d), rng, ops, modulus) for d in depths]


# ----------------------------------------------------------------------------------------------
# Many trees as arrays
# ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Forest:
    """Many trees as node arrays, every child stored before its parent (post-order per tree).

    Attributes (``M`` nodes in total over ``n`` trees)
    -------------------------------------------------
    digit : ndarray of int64, shape (M,)
        A leaf's digit; -1 for internal nodes.
    op : ndarray of int64, shape (M,)
        An internal node's operator as an index into ``ops``; -1 for leaves.
    left, right : ndarray of int64, shape (M,)
        Indices (into these arrays) of an internal node's children; -1 for leaves.
    height : ndarray of int64, shape (M,)
        0 for leaves, else 1 + the larger of the children's heights (a root's height is its tree's depth).
        All nodes of one height can be computed together once the lower heights are done.
    value : ndarray of int64, shape (M,)
        Every node's exact value (the label of the sub-expression it roots).
    tree : ndarray of int64, shape (M,)
        Which tree (0 .. n-1) each node belongs to.
    root : ndarray of int64, shape (n,)
        Index of each tree's root node (the last node of that tree).
    ops : tuple of str
        The operator names ``op`` indexes.
    modulus : int
    """

    digit: np.ndarray
    op: np.ndarray
    left: np.ndarray
    right: np.ndarray
    height: np.ndarray
    value: np.ndarray
    tree: np.ndarray
    root: np.ndarray
    ops: tuple[str, ...]
    modulus: int

    @property
    def n_trees(self) -> int:
        return len(self.root)

    @property
    def n_nodes(self) -> int:
        return len(self.digit)

    def __repr__(self) -> str:
        return (f"Forest({self.n_trees} trees, {self.n_nodes} nodes, "
                f"heights 0..{int(self.height.max())}, ops {list(self.ops)})")


def flatten(trees: Sequence[Tree], ops: Sequence[str] = DEFAULT_OPS, modulus: int = 10) -> Forest:
    """Node arrays of ``trees`` (see :class:`Forest`); ``ops`` fixes the operator indices.

    Raises
    ------
    ValueError
        For an empty list, a malformed tree, or an operator that is not in ``ops``.
    """
    ops = _check_ops(ops, "flatten")
    modulus = _check_modulus(modulus, "flatten")
    if len(trees) == 0:
        raise ValueError("trees must be a non-empty list of trees")
    op_index = {o: k for k, o in enumerate(ops)}
    cols: dict[str, list[int]] = {k: [] for k in ("digit", "op", "left", "right", "height", "value", "tree")}
    roots = []

    def visit(node: Tree, t: int) -> int:
        _check_node(node, modulus)
        if _is_leaf(node):
            row = (int(node), -1, -1, -1, 0, int(node))
        else:
            name, a, b = node
            if name not in op_index:
                raise ValueError(f"operator {name!r} is not in ops {list(ops)}; pass the ops the trees use")
            i, j = visit(a, t), visit(b, t)
            row = (-1, op_index[name], i, j, 1 + max(cols["height"][i], cols["height"][j]),
                   int(OPERATORS[name](cols["value"][i], cols["value"][j], modulus)))
        for key, v in zip(("digit", "op", "left", "right", "height", "value"), row):
            cols[key].append(v)
        cols["tree"].append(t)
        return len(cols["digit"]) - 1

    for t, tree in enumerate(trees):
        roots.append(visit(tree, t))
    arrays = {k: np.asarray(v, dtype=np.int64) for k, v in cols.items()}
    return Forest(**arrays, root=np.asarray(roots, dtype=np.int64), ops=ops, modulus=modulus)


def symbol_counts(trees: Sequence[Tree], ops: Sequence[str] = DEFAULT_OPS, modulus: int = 10) -> np.ndarray:
    """Bag-of-symbols features: how often each digit and each operator occurs; the structure is lost.

    Returns
    -------
    ndarray of int64, shape (len(trees), modulus + len(ops))
        Columns ``0 .. modulus-1`` count the digits, the next ``len(ops)`` columns the operators
        in the order of ``ops``.
    """
    forest = flatten(trees, ops, modulus)
    n = forest.n_trees
    counts = np.zeros((n, modulus + len(forest.ops)), dtype=np.int64)
    leaf = forest.digit >= 0
    np.add.at(counts, (forest.tree[leaf], forest.digit[leaf]), 1)
    np.add.at(counts, (forest.tree[~leaf], modulus + forest.op[~leaf]), 1)
    return counts


def select(forest: Forest, tree_ids: Sequence[int] | np.ndarray) -> Forest:
    """The trees ``tree_ids`` of ``forest`` (in that order) as a forest of their own, node arrays re-indexed.

    Equal to ``flatten([trees[i] for i in tree_ids], forest.ops)`` but computed from the arrays, without
    walking the trees again (a mini-batch of a forest flattened once).

    Raises
    ------
    ValueError
        For an empty selection or an index outside ``0 .. forest.n_trees - 1``.
    """
    ids = np.asarray(tree_ids)
    if ids.ndim != 1 or len(ids) == 0 or not np.issubdtype(ids.dtype, np.integer):
        raise ValueError(f"select: tree_ids must be a non-empty 1-D sequence of tree indices; got {tree_ids!r}")
    if ids.min() < 0 or ids.max() >= forest.n_trees:
        raise ValueError(f"select: tree_ids must lie in [0, {forest.n_trees - 1}] (the forest has "
                         f"{forest.n_trees} trees); got {int(ids.min())} .. {int(ids.max())}")
    end = forest.root + 1                                   # each tree's nodes are contiguous, its root last
    start = np.concatenate([[0], end[:-1]])
    sizes = (end - start)[ids]
    new_start = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    old = np.concatenate([np.arange(a, b) for a, b in zip(start[ids], end[ids])])
    shift = np.repeat(new_start - start[ids], sizes)
    inner = forest.left[old] >= 0
    return Forest(digit=forest.digit[old], op=forest.op[old],
                  left=np.where(inner, forest.left[old] + shift, -1), right=np.where(inner, forest.right[old] + shift, -1),
                  height=forest.height[old], value=forest.value[old], tree=np.repeat(np.arange(len(ids)), sizes),
                  root=new_start + sizes - 1, ops=forest.ops, modulus=forest.modulus)


# ----------------------------------------------------------------------------------------------
# Drawing
# ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TreeLayout:
    """Where each node of one tree is drawn, in post-order (the node order of ``flatten([tree])``).

    Attributes (``M`` nodes)
    ------------------------
    x : ndarray, shape (M,)
        Leaves at 0, 1, 2, ... from left to right; a parent centred over its two children.
    y : ndarray, shape (M,)
        Minus the node's distance from the root (root 0, its children -1, ...).
    parent : ndarray of int64, shape (M,)
        Index of the node's parent; -1 for the root (the last node).
    labels : list of str
        The digit of a leaf, the operator of an internal node.
    """

    x: np.ndarray
    y: np.ndarray
    parent: np.ndarray
    labels: list[str]


def layout(tree: Tree, modulus: int = 10) -> TreeLayout:
    """Positions of the nodes of ``tree`` for drawing (see :class:`TreeLayout`)."""
    modulus = _check_modulus(modulus, "layout")
    xs: list[float] = []
    ys: list[float] = []
    parent: list[int] = []
    labels: list[str] = []
    next_leaf = [0]

    def visit(node: Tree, level: int) -> int:
        _check_node(node, modulus)
        if _is_leaf(node):
            x, label, kids = float(next_leaf[0]), str(int(node)), ()
            next_leaf[0] += 1
        else:
            kids = (visit(node[1], level + 1), visit(node[2], level + 1))
            x, label = (xs[kids[0]] + xs[kids[1]]) / 2, str(node[0])
        xs.append(x)
        ys.append(-float(level))
        parent.append(-1)
        labels.append(label)
        for k in kids:
            parent[k] = len(xs) - 1
        return len(xs) - 1

    visit(tree, 0)
    return TreeLayout(np.array(xs), np.array(ys), np.array(parent, dtype=np.int64), labels)


def draw_tree(ax, tree: Tree, *, below: Sequence[str] | None = None, correct: Sequence[bool] | None = None,
              modulus: int = 10):
    """Draw ``tree`` on the matplotlib axes ``ax``: each node's digit or operator in a circle.

    ``below`` (one string per node, in post-order as :func:`flatten` orders them) is written under the
    nodes, e.g. ``"7|7"`` for a true and a predicted value; ``correct`` (one bool or None per node) colours
    a node green (True), red (False) or grey (None). Returns ``ax``.

    Raises
    ------
    ValueError
        When ``below`` or ``correct`` does not have one entry per node.
    """
    from ..plotting import PALETTE

    pos = layout(tree, modulus)
    m = len(pos.x)
    for name, given in (("below", below), ("correct", correct)):
        if given is not None and len(given) != m:
            raise ValueError(f"draw_tree: {name} must have one entry per node ({m}, in post-order); got {len(given)}")
    for k in np.flatnonzero(pos.parent >= 0):
        ax.plot([pos.x[k], pos.x[pos.parent[k]]], [pos.y[k], pos.y[pos.parent[k]]], color="0.6", lw=1, zorder=1)
    for k in range(m):
        verdict = None if correct is None else correct[k]
        fill, edge = ("0.92", "0.4") if verdict is None else (("#d9f0d3", PALETTE[2]) if verdict else ("#f4cccc", PALETTE[3]))
        ax.scatter(pos.x[k], pos.y[k], s=330, color=fill, edgecolor=edge, lw=1.5, zorder=2)
        ax.text(pos.x[k], pos.y[k], pos.labels[k], ha="center", va="center", fontsize=8, fontweight="bold", zorder=3)
        if below is not None:
            ax.text(pos.x[k], pos.y[k] - 0.32, below[k], ha="center", va="top", fontsize=7, color=edge)
    ax.set(xlim=(-0.7, pos.x.max() + 0.7), ylim=(pos.y.min() - 0.8, 0.5))
    ax.axis("off")
    return ax
