"""A2 Q5: the recorded Hopfield capacities checked against independent computations, and every
sentence of the Answer asserted.

Reads build/results/a2_q5_hopfield_capacity.json (written when the notebook runs under `make test`).
Independent computations: closed forms; the original zero-temperature Amit-Gutfreund-Sompolinsky
equations solved by fixed-point iteration (not the notebook's elimination); one measurement point
(one-step errors at N = 200, P = 40) recomputed exactly with a naive loop on the same seeded patterns;
a naive asynchronous network (its own seed) that retrieves below and fails above the measured
critical load; a naive check that correlated patterns break Hebb's rule but not the projection rule.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

from helpers import stats

NOTEBOOK = "a2_q5_hopfield_capacity"
N_VALUES = [100, 200, 400, 800]


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


def entropy2(p: float) -> float:
    return 0.0 if p in (0.0, 1.0) else -(p * math.log2(p) + (1 - p) * math.log2(1 - p))


def naive_recall(W: np.ndarray, s: np.ndarray, gen: np.random.Generator, max_sweeps: int = 100) -> np.ndarray:
    """Asynchronous updates one unit at a time, in a fresh random order per sweep, until no unit flips."""
    s = s.copy()
    for _ in range(max_sweeps):
        changed = False
        for i in gen.permutation(len(s)):
            h = W[i] @ s
            if h * s[i] < 0:
                s[i] = -s[i]
                changed = True
        if not changed:
            break
    return s


def band(recorded, criterion: str, level: float, noise: float) -> list[float]:
    return recorded["band_N100"][f"{criterion} | {level} | {noise}"]


# ------------------------------------------------------------------------------- theory
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
    p1 = 0.5 * math.erfc(1 / math.sqrt(2 * recorded["alpha_c_theory"]))
    assert recorded["one_step_error_at_alpha_c"] == pytest.approx(p1, rel=1e-9)


def test_bits_per_weight_theory(recorded):
    a, rho = recorded["alpha_c_theory"], recorded["wrong_bits_at_alpha_c"]
    assert recorded["bits_per_weight_theory"] == pytest.approx(2 * a * (1 - entropy2(rho)), rel=1e-9)


# ------------------------------------------------------------------------- measurements
def test_one_step_errors_recomputed_with_a_naive_loop(recorded):
    N, P, networks, seed = 200, 40, 40, int(recorded["seed"])
    per_network = []
    for k in range(networks):
        gen = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(1, N, P, k)))   # the notebook's stream
        xi = (gen.integers(0, 2, size=(N, P)) * 2 - 1).astype(np.int64)
        W = np.zeros((N, N), dtype=np.int64)                          # N W, integer Hebb rule
        for mu in range(P):
            W += np.outer(xi[:, mu], xi[:, mu])
        np.fill_diagonal(W, 0)
        per_network.append(sum(int(xi[i, nu] * (W[i] @ xi[:, nu]) < 0) for nu in range(P) for i in range(N)))
    unstable = sum(per_network)
    assert recorded["one_step_unstable_bits_N200_P40"] == unstable
    assert recorded["one_step_error_rate_N200_alpha020"] == pytest.approx(unstable / (N * P * networks), rel=1e-12)
    # the Gaussian crosstalk model, within the spread across networks (errors of one network come in clumps)
    expected = p_err_gauss(N, P) * N * P * networks
    assert abs(unstable - expected) < 4 * np.std(per_network, ddof=1) * math.sqrt(networks)


def test_crosstalk_variance_is_alpha(recorded):
    got = recorded["crosstalk_variance"]
    assert got["theory"] == pytest.approx(399 * 39 / 400 ** 2, rel=1e-12)
    assert got["measured"] == pytest.approx(got["theory"], rel=0.05)


def test_exact_recall_loads_follow_the_finite_n_gaussian_model(recorded):
    for N in N_VALUES:
        lo, hi = 2.0 / N, 0.6                 # solve (1 - P_err)^N = 1/2 by bisection
        for _ in range(60):
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if N * math.log1p(-p_err_gauss(N, mid * N)) > math.log(0.5) else (lo, mid)
        measured = recorded[f"exact_recall_load_N{N}"]
        assert measured == pytest.approx(lo, rel=0.15), N
        assert measured > 1 / (2 * math.log(N)), N        # the asymptotic limit is a conservative one


def test_naive_network_retrieves_below_and_fails_above_the_measured_critical_load(recorded):
    """Own seed, own code: at N = 100 the fraction of probes ending with m >= 0.9 is above one half at a load
    well below the recorded alpha_c(100) and below one half well above it."""
    gen = np.random.default_rng(2024)
    N, alpha_c = 100, recorded["critical_load_N100"]["mean"]

    def retrieved_fraction(P: int, networks: int) -> float:
        hits = []
        for _ in range(networks):
            xi = gen.choice([-1.0, 1.0], size=(P, N))
            W = xi.T @ xi / N
            np.fill_diagonal(W, 0.0)
            hits += [(naive_recall(W, xi[mu], gen) @ xi[mu]) / N >= 0.9 for mu in range(P)]
        return float(np.mean(hits))

    low, high = round((alpha_c - 0.05) * N), round((alpha_c + 0.05) * N)
    assert retrieved_fraction(low, 6) > 0.5 > retrieved_fraction(high, 6)


def test_correlated_patterns_break_hebb_but_not_the_projection_rule():
    gen = np.random.default_rng(7)
    N, P = 256, 8
    prototype = gen.choice([-1.0, 1.0], N)
    xi = np.where(gen.random((N, P)) < 0.25, -prototype[:, None], prototype[:, None])
    q = (xi.T @ xi / N)[np.triu_indices(P, 1)]
    assert q.mean() == pytest.approx(0.25, abs=0.05)                      # "overlap 0.25"
    hebb = xi @ xi.T
    projection = xi @ np.linalg.solve(xi.T @ xi, xi.T)
    for W in (hebb, projection):
        np.fill_diagonal(W, 0.0)
    assert np.mean(np.all(xi * (hebb @ xi) > 0, axis=0)) < 0.5            # most patterns are not even fixed points
    assert np.all(xi * (projection @ xi) > 0)                             # every pattern is one


def test_measured_critical_loads_fall_with_n_towards_0138(recorded):
    means = [recorded[f"critical_load_N{N}"]["mean"] for N in N_VALUES]
    sds = [recorded[f"critical_load_N{N}"]["sd"] for N in N_VALUES]
    for a, b, sa, sb in zip(means, means[1:], sds, sds[1:]):
        assert a - b > 3 * max(sa, sb)                                     # "falls with N"
    assert means[-1] > recorded["alpha_c_theory"]
    assert abs(recorded["critical_load_extrapolated"]["mean"] - recorded["alpha_c_theory"]) < 0.01   # "towards 0.138"


def test_letter_recall_counts_and_intervals(recorded):
    for rule in ("Hebb", "Storkey", "projection"):
        got = recorded[f"letters_{rule}"]
        ci = stats.wilson_interval(got["retrieved"], got["probes"])
        assert (got["low"], got["high"]) == pytest.approx((ci.low, ci.high), abs=1e-12)
    assert recorded["letters_Hebb"]["fixed_points"] == 0 and recorded["letters_projection"]["fixed_points"] == 8
    assert recorded["letter_overlap_max"] > 0.5                            # strongly correlated letters


def test_storkey_and_projection_store_more_than_hebb(recorded):
    cap = {rule: recorded[f"corr_{rule}_independent"]["capacity"] for rule in ("Hebb", "Storkey", "projection")}
    assert cap["Hebb"][0] + 3 * cap["Hebb"][1] < cap["Storkey"][0] - 3 * cap["Storkey"][1]
    assert cap["Storkey"][0] + 3 * cap["Storkey"][1] < cap["projection"][0] - 3 * cap["projection"][1]
    assert recorded["corr_Hebb_correlated"]["capacity"] is None            # never half retrieved, even at 0.05


# ------------------------------------------------------------------------------ the Answer
def test_answer_how_it_is_calculated(answer, recorded):
    text = " ".join(answer.split())
    assert "allows $P = N/(2\\ln N)$; no flip in any pattern, $N/(4\\ln N)$" in text
    assert f"$\\alpha_c = {recorded['alpha_c_theory']:.3f}$ ({100 * recorded['wrong_bits_at_alpha_c']:.1f} % wrong bits)" \
        in text


def test_answer_reconciles_the_three_capacities(answer, recorded, stored):
    text = " ".join(answer.split())
    cells = {key: value[0] for key, value in recorded["band_N100"].items()}
    lowest, highest = min(cells, key=cells.get), max(cells, key=cells.get)
    assert lowest == "exact (m = 1) | 0.9 | 0.2" and highest == "m ≥ 0.8 | 0.5 | 0.0"
    quoted = {k: stats.format_pm(*band(stored, *k)) for k in
              [("exact (m = 1)", 0.9, 0.2), ("m ≥ 0.8", 0.5, 0.0), ("m ≥ 0.9", 0.5, 0.0), ("exact (m = 1)", 0.5, 0.2)]}
    assert (f"ranges from {quoted['exact (m = 1)', 0.9, 0.2]} (exact recall of 90 % of cues with 20 % of bits flipped) "
            f"to {quoted['m ≥ 0.8', 0.5, 0.0]} ($m \\ge 0.8$ for half of noiseless cues)") in text
    assert f"half of noiseless cues) gives {quoted['m ≥ 0.9', 0.5, 0.0]}" in text
    assert band(stored, "m ≥ 0.9", 0.5, 0.0)[0] == stored["critical_load_N100"]["mean"]   # the same measurement
    assert f"(exact recall of half of 20 %-noisy cues: {quoted['exact (m = 1)', 0.5, 0.2]})" in text
    assert cells[lowest] < 0.15 < cells[highest]                          # "0.15 lies inside the band"
    assert abs(cells["exact (m = 1) | 0.5 | 0.2"] - 0.15) < 3 * band(recorded, "exact (m = 1)", 0.5, 0.2)[1] + 0.005
    n800 = stored["critical_load_N800"]
    assert f"to {stats.format_pm(n800['mean'], n800['sd'])} at $N = 800$, towards 0.138" in text


def test_answer_correlated_patterns(answer, recorded, stored):
    text = " ".join(answer.split())
    hebb, projection = stored["letters_Hebb"], stored["letters_projection"]
    assert f"Hebb's rule recalls {hebb['retrieved']} of {hebb['probes']} noisy cues (95 % interval " \
           f"[{hebb['low']:.0f}, {hebb['high']:.2f}])" in text
    assert f"the projection rule $W = \\Xi\\Xi^{{+}}$ all {projection['probes']} ([{projection['low']:.2f}, " \
           f"{projection['high']:.0f}])" in text
    assert projection["retrieved"] == projection["probes"] and recorded["letters_Hebb"]["retrieved"] == 0
    assert "retrieves nothing even at $\\alpha = 0.05$" in text
    assert recorded["corr_Hebb_correlated"]["retrieved_at_005"] == 0
    cor, ind = stored["corr_projection_correlated"]["capacity"], stored["corr_projection_independent"]["capacity"]
    assert f"capacity stays at {stats.format_pm(*cor)} (independent patterns: {stats.format_pm(*ind)})" in text
    assert abs(recorded["corr_projection_correlated"]["capacity"][0]
               - recorded["corr_projection_independent"]["capacity"][0]) < 0.05      # "stays"


def test_answer_bits(answer, recorded, stored):
    text = " ".join(answer.split())
    assert f"{stored['bits_per_weight_theory']:.2f} bits per weight at $\\alpha_c$" in text
    got = stored["bits_per_weight_N800"]
    assert f"(measured {stats.format_pm(got['mean'], got['sd'])} at $N = 800$)" in text
    fresh = recorded["bits_per_weight_N800"]
    assert abs(fresh["mean"] - recorded["bits_per_weight_theory"]) < 2 * fresh["sd"]
