"""A2 Q5: the recorded Hopfield capacities, checked against independent computations.

Reads build/results/a2_q5_hopfield_capacity.json (written when the notebook runs under `make test`).
The theory values are recomputed from closed forms and from the original zero-temperature
Amit-Gutfreund-Sompolinsky equations (by fixed-point iteration, not the notebook's elimination);
one measurement point (one-step errors at N = 200, P = 40) is recomputed exactly with a naive loop
on the same seeded patterns; and a naive asynchronous network checks that recall works below and
fails above the measured critical load.
"""
from __future__ import annotations

import math
import re

import numpy as np
import pytest

from helpers.notebooks import cell_source, read_notebook
from helpers.paths import NOTEBOOK_DIR

NOTEBOOK = "a2_q5_hopfield_capacity"
N_VALUES = [100, 200, 400, 800]


@pytest.fixture(scope="module")
def seed():
    nb = read_notebook(NOTEBOOK_DIR / f"{NOTEBOOK}.ipynb")
    for cell in nb["cells"]:
        m = re.search(r"^SEED = (\d+)", cell_source(cell), flags=re.M)
        if cell["cell_type"] == "code" and m:
            return int(m.group(1))
    pytest.fail("the notebook's setup cell defines no `SEED = <int>`")


def p_err_gauss(N: int, P: float) -> float:
    """Phi(-sqrt((N-1)/(P-1))): Gaussian crosstalk with its exact variance and threshold."""
    return 0.5 * math.erfc(math.sqrt((N - 1) / (P - 1)) / math.sqrt(2)) if P > 1 else 0.0


def ags_fixed_point(alpha: float, iterations: int = 4000) -> float:
    """Overlap m reached by iterating m = erf(m / sqrt(2 alpha r)), C = sqrt(2/(pi alpha r)) exp(-m^2/(2 alpha r)),
    r = 1/(1 - C)^2 from m = 1, r = 1 (the retrieval branch); a small m means no retrieval state."""
    m, r = 1.0, 1.0
    for _ in range(iterations):
        y = m / math.sqrt(2 * alpha * r)
        C = math.sqrt(2 / (math.pi * alpha * r)) * math.exp(-y * y)
        if C >= 1:
            return 0.0
        r = 1 / (1 - C) ** 2
        m = math.erf(y)
    return m


def test_error_free_limits_are_n_over_2_and_4_ln_n(recorded):
    for N in N_VALUES:
        assert recorded[f"p_max_2lnN_N{N}"] == pytest.approx(N / (2 * math.log(N)), rel=1e-12)
        assert recorded[f"p_max_4lnN_N{N}"] == pytest.approx(N / (4 * math.log(N)), rel=1e-12)


def test_critical_load_matches_the_original_ags_equations(recorded):
    lo, hi = 0.12, 0.16                       # retrieval state exists at lo, not at hi
    assert ags_fixed_point(lo) > 0.9 and ags_fixed_point(hi) < 0.9
    for _ in range(30):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if ags_fixed_point(mid) > 0.9 else (lo, mid)
    assert recorded["alpha_c_theory"] == pytest.approx(lo, abs=1e-3)
    assert recorded["alpha_c_theory"] == pytest.approx(0.138, abs=1e-3)       # the literature value
    m_c = ags_fixed_point(recorded["alpha_c_theory"] - 1e-4, iterations=20000)
    assert recorded["m_at_alpha_c"] == pytest.approx(m_c, abs=5e-3)
    assert recorded["wrong_bits_at_alpha_c"] == pytest.approx((1 - recorded["m_at_alpha_c"]) / 2, abs=1e-12)
    assert 0.014 < recorded["wrong_bits_at_alpha_c"] < 0.018                   # "about 1.6 %"
    p1 = 0.5 * math.erfc(1 / math.sqrt(2 * recorded["alpha_c_theory"]))
    assert recorded["one_step_error_at_alpha_c"] == pytest.approx(p1, rel=1e-9)


def test_one_step_errors_recomputed_with_a_naive_loop(recorded, seed):
    N, P, networks = 200, 40, 40
    unstable = 0
    for k in range(networks):
        gen = np.random.default_rng([seed, 1, N, P, k])             # the notebook's stream 1 for this point
        xi = (gen.integers(0, 2, size=(N, P)) * 2 - 1).astype(np.int64)
        W = np.zeros((N, N), dtype=np.int64)                          # N W, integer Hebb rule
        for mu in range(P):
            W += np.outer(xi[:, mu], xi[:, mu])
        np.fill_diagonal(W, 0)
        for nu in range(P):
            for i in range(N):
                h = int(W[i] @ xi[:, nu])
                unstable += xi[i, nu] * h < 0
    assert recorded["one_step_unstable_bits_N200_P40"] == unstable
    rate = unstable / (N * P * networks)
    assert recorded["one_step_error_rate_N200_alpha020"] == pytest.approx(rate, rel=1e-12)
    # sanity: the Gaussian crosstalk model (about 3800 errors expected, so a few per cent of noise)
    assert rate == pytest.approx(p_err_gauss(N, P), rel=0.08)


def test_exact_recall_loads_follow_the_finite_n_gaussian_model(recorded):
    for N in N_VALUES:
        lo, hi = 2.0 / N, 0.6                 # solve (1 - P_err)^N = 1/2 by bisection
        for _ in range(60):
            mid = (lo + hi) / 2
            if N * math.log1p(-p_err_gauss(N, mid * N)) > math.log(0.5):
                lo = mid
            else:
                hi = mid
        measured = recorded[f"exact_recall_load_N{N}"]
        assert measured == pytest.approx(lo, rel=0.15), N
        assert measured > 1 / (2 * math.log(N)), N        # the asymptotic limit is a conservative one


def test_measured_critical_loads_are_near_0138_and_shrink_towards_it(recorded):
    ac = [recorded[f"critical_load_N{N}"] for N in N_VALUES]
    # finite networks retrieve somewhat beyond alpha_c = 0.138 (smeared transition); N = 100 the most
    for N, a in zip(N_VALUES, ac):
        assert 0.12 < a < 0.26, (N, a)
        assert a > 1 / (2 * math.log(N)), (N, a)           # errors allowed: more than error-free capacity
    assert ac[0] > ac[-1], ac
    assert 0.10 < recorded["critical_load_extrapolated"] < 0.18


def test_naive_asynchronous_network_retrieves_below_and_fails_above(recorded):
    gen = np.random.default_rng(2024)
    N = 100

    def retrieved_fraction(P: int, networks: int) -> float:
        hits = total = 0
        for _ in range(networks):
            xi = gen.choice([-1.0, 1.0], size=(P, N))
            W = xi.T @ xi / N
            np.fill_diagonal(W, 0.0)
            for mu in range(P):
                s = xi[mu].copy()
                for _sweep in range(100):
                    changed = False
                    for i in gen.permutation(N):
                        h = W[i] @ s
                        if h * s[i] < 0:
                            s[i] = -s[i]
                            changed = True
                    if not changed:
                        break
                hits += (s @ xi[mu]) / N >= 0.9
                total += 1
        return hits / total

    assert recorded["critical_load_N100"] > 0.05
    assert retrieved_fraction(5, 6) == 1.0                 # alpha = 0.05
    assert recorded["critical_load_N100"] < 0.35
    assert retrieved_fraction(35, 2) < 0.5                 # alpha = 0.35
