"""Synthetic customer-item interactions for recommender examples (seeded, documented).

No real shop logs ship with the workbook, so this module *generates* them. The model behind the
numbers is deliberately simple and fully known, which lets a notebook compare what a recommender
learns with the truth. Conclusions drawn from it hold for data with this structure; real logs
have more noise, drift over time and cold-start customers.

How a shop's log is generated (:func:`make_interactions`)
--------------------------------------------------------
1. **Items.** Each of ``n_items`` items belongs to one of ``n_categories`` categories (uniformly
   at random) and gets a popularity weight from a Zipf-like law, ``pop_i ∝ rank_i ** -zipf_exponent``
   with the ranks shuffled, so a few items are seen by many customers and most by few. Each item
   also has a hidden quality ``q_i ~ N(0, quality_sd)`` that shows up only in its reviews.
2. **Tastes.** Each of ``n_tastes`` taste groups likes ``categories_per_taste`` categories
   (drawn without replacement): a 0/1 matrix ``A`` of shape (n_tastes, n_categories).
3. **Customers.** Customer ``u`` mixes the tastes with weights ``theta_u ~ Dirichlet(taste_concentration)``;
   a small concentration (e.g. 0.3) makes most customers belong mainly to one or two groups.
   The customer's *liking* of item ``i`` is ``l_ui = s_u(c_i) / max_c s_u(c)`` with
   ``s_u(c) = sum_t theta_ut A_tc``: 1 for their favourite categories, 0 for categories none of
   their tastes covers.
4. **Browsing.** Customer ``u`` views ``1 + Poisson(g_u)`` pages, ``g_u ~ Gamma(2, mean_views / 2)``.
   Each view is an exploration view with probability ``explore`` (an item drawn by popularity
   alone) or otherwise a taste view (a taste ``t ~ theta_u``, then an item of a category that
   taste likes, drawn by popularity). ``views[u, i]`` counts the views.
5. **Purchases.** Each view of item ``i`` converts with probability
   ``buy_rate * (0.1 + 0.9 * l_ui)``, so ``P(purchased) = 1 - (1 - that) ** views``.
6. **Reviews.** A purchased item is reviewed with probability ``review_rate``; the stars are
   ``clip(round(1 + 4 l_ui + q_i + N(0, star_noise)), 1, 5)``. Impulse buys outside the
   customer's tastes therefore tend to get 1-2 stars.

From events to the RBM's binary visible units (:func:`to_visible`)
------------------------------------------------------------------
``v_ui = 1`` if the customer (purchased the item and did not review it with ``<= bad_stars``
stars) or viewed it at least ``min_views`` times; otherwise 0. Each part can be switched off to
show its effect.

Evaluation splits: :func:`split_customers` (train / validation customers) and
:func:`leave_k_out` (hide ``k`` positives of each customer as the items to recover).
Top-k evaluation: :func:`top_k_unseen` (the k best-scored items a customer has not interacted with)
and :func:`ranking_metrics` (hit-rate, precision, recall and NDCG at k, per customer).
Random numbers come only from the ``numpy.random.Generator`` passed in.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..validation import check_float, check_int, check_memory, check_rng

#: Conversion probability of a view, as a fraction of ``buy_rate``, for an item the customer does
#: not like at all (liking 0); it rises linearly to 1 at liking 1.
BASE_CONVERSION = 0.1


@dataclass(frozen=True)
class Interactions:
    """A generated shop log and the hidden truth behind it.

    Attributes
    ----------
    views : ndarray of int64, shape (n_customers, n_items)
        How often each customer viewed each item's page (browsing history).
    purchased : ndarray of bool, shape (n_customers, n_items)
        Whether the customer bought the item (at least once).
    stars : ndarray of int8, shape (n_customers, n_items)
        Review stars 1..5, or 0 where the customer wrote no review (only purchased items are reviewed).
    liking : ndarray of float, shape (n_customers, n_items)
        The hidden true liking ``l_ui`` in [0, 1] (not observable in a real shop).
    taste_mix : ndarray of float, shape (n_customers, n_tastes)
        Each customer's taste weights ``theta_u`` (rows sum to 1).
    taste_categories : ndarray of bool, shape (n_tastes, n_categories)
        Which categories each taste group likes (``A``).
    item_category : ndarray of int64, shape (n_items,)
        The category index of each item.
    item_popularity : ndarray of float, shape (n_items,)
        Zipf-like popularity weights (sum to 1).
    item_quality : ndarray of float, shape (n_items,)
        Hidden item quality ``q_i`` (shifts review stars).
    """

    views: np.ndarray
    purchased: np.ndarray
    stars: np.ndarray
    liking: np.ndarray
    taste_mix: np.ndarray
    taste_categories: np.ndarray
    item_category: np.ndarray
    item_popularity: np.ndarray
    item_quality: np.ndarray

    @property
    def n_customers(self) -> int:
        return self.views.shape[0]

    @property
    def n_items(self) -> int:
        return self.views.shape[1]

    def __repr__(self) -> str:
        return (f"Interactions({self.n_customers} customers x {self.n_items} items, "
                f"{self.taste_mix.shape[1]} tastes, {self.taste_categories.shape[1]} categories, "
                f"{int(self.views.sum())} views, {int(self.purchased.sum())} purchases, "
                f"{int((self.stars > 0).sum())} reviews)")


#: Peak memory of :func:`make_interactions` per customer-item cell, in bytes (measured about 67:
#: several float64 (n_customers, n_items) arrays are alive at once).
BYTES_PER_CELL = 80


@dataclass(frozen=True)
class _Shop:
    """The checked arguments of :func:`make_interactions`."""

    n_customers: int
    n_items: int
    n_tastes: int
    n_categories: int
    categories_per_taste: int
    taste_concentration: float
    zipf_exponent: float
    mean_views: float
    explore: float
    buy_rate: float
    review_rate: float
    quality_sd: float
    star_noise: float


def _check_shop(rng, n_customers, n_items, n_tastes, n_categories, categories_per_taste, taste_concentration,
                zipf_exponent, mean_views, explore, buy_rate, review_rate, quality_sd, star_noise) -> _Shop:
    owner = "make_interactions"
    check_rng(rng, owner)
    n_customers = check_int(n_customers, "n_customers", owner, low=10, high=200_000)
    n_items = check_int(n_items, "n_items", owner, low=10, high=20_000)
    n_categories = check_int(n_categories, "n_categories", owner, low=1, high=n_items)
    shop = _Shop(
        n_customers=n_customers, n_items=n_items, n_tastes=check_int(n_tastes, "n_tastes", owner, low=1, high=100),
        n_categories=n_categories,
        categories_per_taste=check_int(categories_per_taste, "categories_per_taste", owner, low=1, high=n_categories),
        taste_concentration=check_float(taste_concentration, "taste_concentration", owner,
                                        low=0.0, high=100.0, low_open=True),
        zipf_exponent=check_float(zipf_exponent, "zipf_exponent", owner, low=0.0, high=3.0),
        mean_views=check_float(mean_views, "mean_views", owner, low=1.0, high=10_000.0),
        explore=check_float(explore, "explore", owner, low=0.0, high=1.0),
        buy_rate=check_float(buy_rate, "buy_rate", owner, low=0.0, high=1.0, low_open=True),
        review_rate=check_float(review_rate, "review_rate", owner, low=0.0, high=1.0),
        quality_sd=check_float(quality_sd, "quality_sd", owner, low=0.0, high=5.0),
        star_noise=check_float(star_noise, "star_noise", owner, low=0.0, high=5.0))
    check_memory(BYTES_PER_CELL * n_customers * n_items, owner, f"{n_customers} customers x {n_items} items",
                 "n_customers or n_items")
    return shop


def make_interactions(rng: np.random.Generator, *, n_customers: int = 3000, n_items: int = 300,
                      n_tastes: int = 6, n_categories: int = 12, categories_per_taste: int = 2,
                      taste_concentration: float = 0.3, zipf_exponent: float = 0.8,
                      mean_views: float = 40.0, explore: float = 0.15, buy_rate: float = 0.15,
                      review_rate: float = 0.4, quality_sd: float = 0.6,
                      star_noise: float = 0.5) -> Interactions:
    """Generate a seeded shop log (browsing, purchases, reviews) with taste structure and popularity skew.

    Parameters (the recipe is in the module docstring)
    ----------
    rng : numpy.random.Generator, the only source of randomness (same generator state, same log)
    n_customers : int in [10, 200000]
    n_items : int in [10, 20000]
    n_tastes : int in [1, 100], the number of latent taste groups
    n_categories : int in [1, n_items], the number of item categories
    categories_per_taste : int in [1, n_categories], the categories each taste group likes
    taste_concentration : float in (0, 100], Dirichlet concentration of the customers' taste mixtures
        (small: one dominant taste)
    zipf_exponent : float in [0, 3], the popularity skew; 0 gives equally popular items
    mean_views : float in [1, 10000], mean of the Gamma-distributed browsing activity (about the mean
        number of views - 1)
    explore : float in [0, 1], the share of views drawn by popularity alone, ignoring taste
    buy_rate : float in (0, 1], the conversion probability of a view of a fully liked item
    review_rate : float in [0, 1], the probability that a purchase is reviewed
    quality_sd : float in [0, 5], the spread of the hidden item quality (in stars)
    star_noise : float in [0, 5], the spread of the per-review noise (in stars)

    Returns
    -------
    Interactions
        Arrays of shape (n_customers, n_items) for ``views``, ``purchased``, ``stars`` and
        ``liking``, plus the hidden truth (see :class:`Interactions`).

    Raises
    ------
    TypeError, ValueError
        A parameter of the wrong type or outside its range; the message names it and the range.
    MemoryLimitError
        The log would need more memory than the limit (about 80 bytes per customer-item pair; see
        :mod:`helpers.validation`).
    """
    s = _check_shop(rng, n_customers, n_items, n_tastes, n_categories, categories_per_taste, taste_concentration,
                    zipf_exponent, mean_views, explore, buy_rate, review_rate, quality_sd, star_noise)
    item_category, popularity, quality = _draw_items(rng, s)
    A, theta, liking = _draw_tastes(rng, s, item_category)
    views = _draw_views(rng, s, A, theta, item_category, popularity)
    purchased, stars = _draw_purchases_and_reviews(rng, s, liking, views, quality)
    return Interactions(views=views, purchased=purchased, stars=stars, liking=liking, taste_mix=theta,
                        taste_categories=A, item_category=item_category.astype(np.int64),
                        item_popularity=popularity, item_quality=quality)


def _draw_items(rng: np.random.Generator, s: _Shop):
    """Step 1: each item's category, Zipf-like popularity over shuffled ranks, hidden quality."""
    item_category = rng.integers(0, s.n_categories, size=s.n_items)
    ranks = rng.permutation(s.n_items) + 1
    popularity = ranks.astype(float) ** -s.zipf_exponent
    popularity /= popularity.sum()
    quality = rng.normal(0.0, s.quality_sd, size=s.n_items)
    return item_category, popularity, quality


def _draw_tastes(rng: np.random.Generator, s: _Shop, item_category: np.ndarray):
    """Steps 2 and 3: which categories each taste group likes; customers' taste mixtures and liking."""
    A = np.zeros((s.n_tastes, s.n_categories), dtype=bool)
    for t in range(s.n_tastes):
        A[t, rng.choice(s.n_categories, size=s.categories_per_taste, replace=False)] = True
    theta = rng.dirichlet(np.full(s.n_tastes, s.taste_concentration), size=s.n_customers)
    score = theta @ A.astype(float)                                   # (n_customers, n_categories)
    liking = (score / score.max(axis=1, keepdims=True))[:, item_category]
    return A, theta, liking


def _draw_views(rng: np.random.Generator, s: _Shop, A, theta, item_category, popularity) -> np.ndarray:
    """Step 4: browsing, a mixture of taste views and exploration views."""
    in_taste = A[:, item_category] * popularity                        # (n_tastes, n_items)
    totals = in_taste.sum(axis=1, keepdims=True)
    # a taste whose categories hold no item browses by popularity alone
    in_taste = np.where(totals > 0, in_taste / np.where(totals > 0, totals, 1.0), popularity)
    p_view = (1.0 - s.explore) * (theta @ in_taste) + s.explore * popularity
    p_view /= p_view.sum(axis=1, keepdims=True)
    activity = rng.gamma(2.0, s.mean_views / 2.0, size=s.n_customers)
    n_views = 1 + rng.poisson(activity)
    return rng.multinomial(n_views, p_view).astype(np.int64)


def _draw_purchases_and_reviews(rng: np.random.Generator, s: _Shop, liking, views, quality):
    """Steps 5 and 6: each view converts with a liking-dependent probability; purchases get reviewed."""
    per_view = s.buy_rate * (BASE_CONVERSION + (1.0 - BASE_CONVERSION) * liking)
    p_buy = 1.0 - (1.0 - per_view) ** views
    purchased = rng.random((s.n_customers, s.n_items)) < p_buy
    reviewed = purchased & (rng.random((s.n_customers, s.n_items)) < s.review_rate)
    raw = 1.0 + 4.0 * liking + quality + rng.normal(0.0, s.star_noise, size=(s.n_customers, s.n_items))
    stars = np.where(reviewed, np.clip(np.rint(raw), 1, 5), 0).astype(np.int8)
    return purchased, stars


def to_visible(data: Interactions, *, use_purchases: bool = True, bad_stars: int = 2,
               min_views: int | None = 3) -> np.ndarray:
    """Fold browsing, purchases and reviews into binary visible units.

    ``v_ui = 1`` if (``use_purchases`` and the customer bought item ``i`` and did not review it with
    ``<= bad_stars`` stars) or (``min_views`` is not None and the customer viewed it at least
    ``min_views`` times). ``bad_stars=0`` keeps every purchase; ``min_views=None`` ignores browsing.

    Parameters
    ----------
    data : Interactions
    use_purchases : bool
    bad_stars : int in [0, 4]
    min_views : int in [1, 1000] or None

    Returns
    -------
    ndarray of uint8, shape (n_customers, n_items), entries 0 or 1
    """
    bad_stars = check_int(bad_stars, "bad_stars", "to_visible", low=0, high=4)
    if min_views is not None:
        min_views = check_int(min_views, "min_views", "to_visible", low=1, high=1000)
    if not use_purchases and min_views is None:
        raise ValueError("to_visible: use_purchases=False with min_views=None leaves no signal; keep one of them")
    v = np.zeros(data.views.shape, dtype=bool)
    if use_purchases:
        disliked = (data.stars > 0) & (data.stars <= bad_stars)
        v |= data.purchased & ~disliked
    if min_views is not None:
        v |= data.views >= min_views
    return v.astype(np.uint8)


def split_customers(n_customers: int, validation_fraction: float,
                    rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Random disjoint train / validation customer indices (each sorted).

    Parameters
    ----------
    n_customers : int in [2, 10000000]
    validation_fraction : float in (0, 1): share of customers in the validation part
        (at least one customer on each side)
    rng : numpy.random.Generator

    Returns
    -------
    train_idx : ndarray of int64, shape (n_train,)
    valid_idx : ndarray of int64, shape (n_valid,), with n_valid = round(validation_fraction * n_customers)
        clipped to [1, n_customers - 1]
    """
    check_rng(rng, "split_customers")
    n_customers = check_int(n_customers, "n_customers", "split_customers", low=2, high=10_000_000)
    validation_fraction = check_float(validation_fraction, "validation_fraction", "split_customers",
                                      low=0.0, high=1.0, low_open=True, high_open=True)
    n_valid = min(max(int(round(validation_fraction * n_customers)), 1), n_customers - 1)
    order = rng.permutation(n_customers)
    return np.sort(order[n_valid:]), np.sort(order[:n_valid])


@dataclass(frozen=True)
class HoldOut:
    """A leave-k-out split of a binary customer-item matrix.

    Attributes
    ----------
    observed : ndarray of uint8, shape (n_customers, n_items)
        The matrix with the held-out positives set to 0 (what a model may see).
    held_out : ndarray of int64, shape (n_customers, k)
        The hidden positive items of each evaluated customer (sorted); -1 in rows not evaluated.
    evaluated : ndarray of bool, shape (n_customers,)
        Customers with at least ``k + min_observed`` positives (the others keep all their items).
    """

    observed: np.ndarray
    held_out: np.ndarray
    evaluated: np.ndarray


def leave_k_out(V: np.ndarray, k: int, rng: np.random.Generator, *, min_observed: int = 1) -> HoldOut:
    """Hide ``k`` random positives of every customer who has at least ``k + min_observed`` of them.

    Parameters
    ----------
    V : array of 0/1, shape (n_customers, n_items)
    k : int in [1, n_items - 1]
    rng : numpy.random.Generator
        Customers are processed in row order; each evaluated row draws one ``rng.choice``.
    min_observed : int in [0, n_items - 1]
        Positives that must stay visible for a customer to be evaluated.

    Returns
    -------
    HoldOut
    """
    check_rng(rng, "leave_k_out")
    V = np.asarray(V)
    if V.ndim != 2:
        raise ValueError(f"leave_k_out: V must have shape (n_customers, n_items); got {V.shape}")
    if not np.isin(V, (0, 1)).all():
        raise ValueError("leave_k_out: V must contain only 0 and 1")
    n_items = V.shape[1]
    k = check_int(k, "k", "leave_k_out", low=1, high=n_items - 1)
    min_observed = check_int(min_observed, "min_observed", "leave_k_out", low=0, high=n_items - 1)
    observed = V.astype(np.uint8).copy()
    held = np.full((V.shape[0], k), -1, dtype=np.int64)
    evaluated = observed.sum(axis=1) >= k + min_observed
    for u in np.flatnonzero(evaluated):
        chosen = np.sort(rng.choice(np.flatnonzero(observed[u]), size=k, replace=False))
        observed[u, chosen] = 0
        held[u] = chosen
    return HoldOut(observed=observed, held_out=held, evaluated=evaluated)


def top_k_unseen(scores: np.ndarray, observed: np.ndarray, k: int = 10) -> np.ndarray:
    """The ``k`` highest-scoring items each customer has not interacted with, best first.

    Observed items (``observed == 1``) are never recommended; equal scores are ranked by the lower
    item index, so the ranking is reproducible.

    Parameters
    ----------
    scores : array of float, shape (n_customers, n_items)
    observed : array of 0/1, shape (n_customers, n_items)
    k : int in [1, n_items]

    Returns
    -------
    ndarray of int64, shape (n_customers, k)
    """
    scores, observed = _scores_and_observed(scores, observed, "top_k_unseen")
    k = check_int(k, "k", "top_k_unseen", low=1, high=scores.shape[1])
    masked = np.where(observed == 1, -np.inf, scores)
    return np.argsort(-masked, axis=1, kind="stable")[:, :k].astype(np.int64)


def ranking_metrics(scores: np.ndarray, observed: np.ndarray, held_out: np.ndarray,
                    k: int = 10) -> dict[str, np.ndarray]:
    """Hit-rate, precision, recall and NDCG at ``k`` of each customer's top-k unseen items.

    With ``R`` the held-out items of a customer, ``r_1..r_k`` their top-k list (:func:`top_k_unseen`)
    and ``rel_i = 1`` when ``r_i`` is in ``R``:

    * ``hit = 1`` if any ``rel_i = 1``; ``precision = sum(rel) / k``; ``recall = sum(rel) / |R|``;
    * ``ndcg = DCG / IDCG`` with ``DCG = sum_i rel_i / log2(i + 1)`` and ``IDCG`` the DCG of a list
      that puts all of ``R`` first (binary relevance; Järvelin and Kekäläinen, 2002).

    Parameters
    ----------
    scores : array of float, shape (n_customers, n_items)
    observed : array of 0/1, shape (n_customers, n_items), the items the recommender may see
    held_out : array of int, shape (n_customers, n_held)
        The hidden items of each customer (:attr:`HoldOut.held_out` of the evaluated rows); none may
        be observed.
    k : int in [1, n_items]

    Returns
    -------
    dict of ndarray of float, each of shape (n_customers,): ``hit``, ``precision``, ``recall``, ``ndcg``
        Average them for the usual "hit-rate@k" etc.; keep them per customer for paired comparisons.
    """
    scores, observed = _scores_and_observed(scores, observed, "ranking_metrics")
    held = np.asarray(held_out)
    if held.ndim != 2 or len(held) != len(scores) or not np.issubdtype(held.dtype, np.integer):
        raise ValueError(f"ranking_metrics: held_out must be an integer array of shape (n_customers, n_held) "
                         f"= ({len(scores)}, n_held); got {held.dtype} {held.shape}")
    if held.size and (held.min() < 0 or held.max() >= scores.shape[1]):
        raise ValueError("ranking_metrics: held_out holds item indices outside [0, n_items); pass only the "
                         "evaluated customers' rows (HoldOut.evaluated)")
    if np.take_along_axis(observed, held, axis=1).any():
        raise ValueError("ranking_metrics: a held-out item is also observed; hide it first (leave_k_out)")
    top = top_k_unseen(scores, observed, k)
    relevant = (top[:, :, None] == held[:, None, :]).any(axis=2).astype(float)   # (n_customers, k)
    discount = 1.0 / np.log2(np.arange(2, top.shape[1] + 2))
    ideal = np.cumsum(discount)[np.minimum(held.shape[1], top.shape[1]) - 1]
    hits = relevant.sum(axis=1)
    return {"hit": (hits > 0).astype(float), "precision": hits / top.shape[1],
            "recall": hits / held.shape[1], "ndcg": (relevant @ discount) / ideal}


def _scores_and_observed(scores, observed, owner: str) -> tuple[np.ndarray, np.ndarray]:
    scores, observed = np.asarray(scores, dtype=float), np.asarray(observed)
    if scores.ndim != 2 or scores.shape != observed.shape:
        raise ValueError(f"{owner}: scores and observed must have the same shape (n_customers, n_items); "
                         f"got {scores.shape} and {observed.shape}")
    if np.isnan(scores).any():
        raise ValueError(f"{owner}: scores contain NaN (a model that diverged?); rankings need numbers")
    return scores, observed
