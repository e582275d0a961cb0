"""helpers.stats against scipy.stats and closed forms, on random cases."""
import inspect
import math

import numpy as np
import pytest
import scipy.stats as sps

from helpers import stats

CASES = range(8)


def random_pairs(case):
    rng = np.random.default_rng(case)
    n = int(rng.integers(2, 30))
    a = rng.normal(0.9, 0.02, n)
    b = a - rng.normal(rng.uniform(-0.02, 0.02), rng.uniform(0.001, 0.03), n)
    return a, b


@pytest.mark.parametrize("case", CASES)
def test_mean_sd_matches_numpy_with_ddof_1(case):
    x = np.random.default_rng(case).normal(size=int(3 + case))
    got = stats.mean_sd(x)
    assert got.n == len(x)
    assert got.mean == pytest.approx(sum(x) / len(x), rel=1e-12)
    assert got.sd == pytest.approx(math.sqrt(sum((v - got.mean) ** 2 for v in x) / (len(x) - 1)), rel=1e-12)
    assert got.se == pytest.approx(sps.sem(x), rel=1e-12)


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("confidence", [0.9, 0.95, 0.99])
def test_paired_difference_matches_ttest_rel_and_t_interval(case, confidence):
    a, b = random_pairs(case)
    got = stats.paired_difference(a, b, confidence=confidence)
    ref = sps.ttest_rel(a, b)
    d = a - b
    low, high = sps.t.interval(confidence, len(d) - 1, loc=d.mean(), scale=sps.sem(d))
    assert got.mean == pytest.approx(d.mean(), rel=1e-12)
    assert got.se == pytest.approx(sps.sem(d), rel=1e-12)
    assert got.p_value == pytest.approx(ref.pvalue, rel=1e-9, abs=1e-15)
    assert (got.low, got.high) == pytest.approx((low, high), rel=1e-9)
    assert got.covers_zero == (low <= 0 <= high)


def test_paired_difference_without_spread():
    same = stats.paired_difference([0.5, 0.6, 0.7], [0.5, 0.6, 0.7])
    assert (same.mean, same.se, same.low, same.high, same.p_value) == (0.0, 0.0, 0.0, 0.0, 1.0)
    shifted = stats.paired_difference([0.6, 0.7], [0.5, 0.6])
    assert shifted.p_value == 0.0 and not shifted.covers_zero


@pytest.mark.parametrize("k, n", [(0, 10), (1, 10), (7, 10), (10, 10), (45, 50), (873, 1000), (3, 4000)])
@pytest.mark.parametrize("confidence", [0.9, 0.95])
def test_wilson_interval_matches_scipy_binomtest(k, n, confidence):
    got = stats.wilson_interval(k, n, confidence=confidence)
    ref = sps.binomtest(k, n).proportion_ci(confidence_level=confidence, method="wilson")
    assert got.estimate == k / n
    assert (got.low, got.high) == pytest.approx((ref.low, ref.high), rel=1e-9, abs=1e-12)


def test_wilson_interval_always_contains_its_estimate_with_exact_ends_at_0_and_n():
    for n in range(1, 300):
        for k in range(n + 1):
            ci = stats.wilson_interval(k, n)
            assert ci.low <= ci.estimate <= ci.high, (k, n, ci)
        assert stats.wilson_interval(0, n).low == 0.0 and stats.wilson_interval(n, n).high == 1.0


@pytest.mark.parametrize("case", CASES)
def test_exact_mcnemar_matches_a_binomial_test_on_the_disagreements(case):
    rng = np.random.default_rng(case)
    a = rng.random(200) < 0.85
    b = np.where(rng.random(200) < 0.7, a, rng.random(200) < rng.uniform(0.6, 0.95))
    got = stats.mcnemar_exact(a, b)
    only_a, only_b = int(np.sum(a & ~b)), int(np.sum(~a & b))
    assert (got.only_a, got.only_b) == (only_a, only_b)
    ref = sps.binomtest(only_a, only_a + only_b, 0.5).pvalue if only_a + only_b else 1.0
    assert got.p_value == pytest.approx(ref, rel=1e-9)


def test_mcnemar_closed_form_small_case_and_no_disagreement():
    # only_a = 0, only_b = 5: p = 2 * 0.5**5
    a = np.array([False] * 5 + [True] * 3)
    b = np.array([True] * 5 + [True] * 3)
    assert stats.mcnemar_exact(a, b).p_value == pytest.approx(2 * 0.5 ** 5)
    assert stats.mcnemar_exact(a, a).p_value == 1.0


def _scipy_bootstrap(x, statistic, n_resamples, confidence, seed):
    kwargs = dict(n_resamples=n_resamples, confidence_level=confidence, method="percentile")
    if "rng" in inspect.signature(sps.bootstrap).parameters:
        kwargs["rng"] = np.random.default_rng(seed)
    else:
        kwargs["random_state"] = np.random.default_rng(seed)
    return sps.bootstrap((x,), statistic, **kwargs).confidence_interval


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("statistic", [np.mean, np.median], ids=["mean", "median"])
def test_bootstrap_interval_matches_scipy_percentile_bootstrap(case, statistic):
    x = np.random.default_rng(case).exponential(size=int(5 + 3 * case))
    got = stats.bootstrap_interval(x, rng=np.random.default_rng(100 + case), statistic=statistic, n_resamples=999)
    ref = _scipy_bootstrap(x, statistic, 999, 0.95, 100 + case)
    assert (got.low, got.high) == pytest.approx((ref.low, ref.high), rel=1e-10)
    assert got.estimate == pytest.approx(statistic(x))


def test_bootstrap_of_the_mean_approaches_the_normal_interval():
    x = np.random.default_rng(3).normal(2.0, 1.0, 400)
    got = stats.bootstrap_interval(x, rng=np.random.default_rng(0), n_resamples=20000)
    half = 1.959964 * x.std(ddof=0) / math.sqrt(len(x))
    assert got.low == pytest.approx(x.mean() - half, abs=0.01)
    assert got.high == pytest.approx(x.mean() + half, abs=0.01)


def naive_one_se(scores, higher_is_better):
    """The rule written out with loops, as in Hastie et al. (2009), sec. 7.10."""
    k = len(scores[0])
    means = [sum(row) / k for row in scores]
    ses = [math.sqrt(sum((v - m) ** 2 for v in row) / (k - 1)) / math.sqrt(k) for row, m in zip(scores, means)]
    order = range(len(scores))
    best = max(order, key=lambda i: means[i]) if higher_is_better else min(order, key=lambda i: means[i])
    for i in order:
        if (means[i] >= means[best] - ses[best]) if higher_is_better else (means[i] <= means[best] + ses[best]):
            return i, best


@pytest.mark.parametrize("case", range(20))
@pytest.mark.parametrize("higher_is_better", [True, False])
def test_one_standard_error_rule_matches_the_rule_written_out(case, higher_is_better):
    rng = np.random.default_rng(case)
    models, folds = int(rng.integers(1, 8)), int(rng.integers(2, 11))
    curve = np.sort(rng.uniform(0.6, 0.95, models))  # more complex models score higher on average
    scores = curve[:, None] + rng.normal(0, rng.uniform(0.005, 0.05), (models, folds))
    if not higher_is_better:
        scores = 1 - scores  # an error rate
    got = stats.one_standard_error_rule(scores, higher_is_better=higher_is_better)
    assert (got.chosen, got.best) == naive_one_se(scores.tolist(), higher_is_better)
    assert got.chosen <= got.best


def test_one_standard_error_rule_prefers_the_simpler_model_in_a_tie():
    scores = [[0.91, 0.93, 0.92], [0.915, 0.935, 0.925], [0.70, 0.72, 0.71]]
    assert stats.one_standard_error_rule(scores).chosen == 0
    errors = 1 - np.array(scores)
    got = stats.one_standard_error_rule(errors, higher_is_better=False)
    assert (got.chosen, got.best) == (0, 1)


def test_corrected_standard_error_for_cross_validation_folds():
    """test_train_ratio: se = sd * sqrt(1/n + ratio) (Nadeau and Bengio 2003), written out by hand."""
    rng = np.random.default_rng(7)
    a, b = rng.normal(16.0, 2.0, 50), rng.normal(16.5, 2.0, 50)
    d = a - b
    got = stats.paired_difference(a, b, test_train_ratio=0.25)
    se = d.std(ddof=1) * np.sqrt(1 / 50 + 0.25)
    half = sps.t.ppf(0.975, 49) * se
    assert got.se == pytest.approx(se, rel=1e-12)
    assert (got.low, got.high) == pytest.approx((d.mean() - half, d.mean() + half), rel=1e-12)
    assert got.p_value == pytest.approx(2 * sps.t.sf(abs(d.mean()) / se, 49), rel=1e-10)
    plain = stats.paired_difference(a, b)
    assert got.mean == plain.mean and got.se > plain.se        # the correction only widens the interval
    errors = np.array([[16.6, 17.0, 16.2, 16.8], [16.5, 16.9, 16.1, 16.7], [16.4, 16.8, 16.0, 16.6]])
    plain_choice = stats.one_standard_error_rule(errors, higher_is_better=False)
    corrected = stats.one_standard_error_rule(errors, higher_is_better=False, test_train_ratio=1 / 3)
    assert corrected.ses == pytest.approx(errors.std(axis=1, ddof=1) * np.sqrt(1 / 4 + 1 / 3), rel=1e-12)
    assert (plain_choice.chosen, corrected.chosen, corrected.best) == (1, 0, 2)   # wider se: a simpler model


@pytest.mark.parametrize("value, uncertainty, text", [
    (0.91234, 0.0061, "0.912 ± 0.006"),
    (0.91234, 0.013, "0.912 ± 0.013"),
    (0.91234, 0.0196, "0.912 ± 0.020"),
    (0.91234, 0.096, "0.91 ± 0.10"),
    (0.91234, 0.25, "0.9 ± 0.3"),
    (0.45, 0.25, "0.5 ± 0.3"),
    (0.5, 0.95, "0.5 ± 1.0"),
    (12.345, 1.2, "12.3 ± 1.2"),
    (4567.0, 123.0, "4570 ± 120"),
    (4567.0, 870.0, "4600 ± 900"),
    (-0.0123, 0.0049, "-0.012 ± 0.005"),
    (3.0, 0.5, "3.0 ± 0.5"),
])
def test_format_pm_rounds_to_what_the_uncertainty_allows(value, uncertainty, text):
    assert stats.format_pm(value, uncertainty) == text


def test_signed_formats_and_p_values():
    assert stats.format_pm(0.0123, 0.0049, signed=True) == "+0.012 ± 0.005"
    assert stats.format_interval(-0.0061, 0.0304, 0.007, signed=True) == "[-0.006, +0.030]"
    assert stats.format_p(0.04567) == "p = 0.046" and stats.format_p(0.0004) == "p < 0.001"
    assert str(stats.mean_sd([0.90, 0.91, 0.92])) == "0.910 ± 0.010 (mean ± sd over 3 seeds)"


@pytest.mark.parametrize("call, error, message", [
    (lambda: stats.mean_sd([0.9]), ValueError, "values needs at least 2 values; got 1"),
    (lambda: stats.mean_sd([[0.9, 0.8]]), ValueError, r"values must be 1-D .* got shape \(1, 2\)"),
    (lambda: stats.mean_sd([0.9, float("nan")]), ValueError, r"values must be finite; entries \[1\]"),
    (lambda: stats.mean_sd("abc"), TypeError, "values must be a 1-D sequence of numbers"),
    (lambda: stats.paired_difference([1, 2, 3], [1, 2]), ValueError, "must be paired .* got 3 and 2 values"),
    (lambda: stats.paired_difference([1, 2], [1, 3], confidence=95), ValueError, r"confidence must be .* \(0, 1\)"),
    (lambda: stats.wilson_interval(11, 10), ValueError, "need 0 <= successes <= n"),
    (lambda: stats.wilson_interval(1.5, 10), ValueError, "successes must be a non-negative integer"),
    (lambda: stats.mcnemar_exact(np.array([1, 0]), np.array([1, 0])), ValueError, "must be a 1-D boolean array"),
    (lambda: stats.mcnemar_exact(np.array([True]), np.array([True, False])), ValueError, "same test samples"),
    (lambda: stats.bootstrap_interval([1.0, 2.0], rng=np.random), TypeError, "rng must be a numpy.random.Generator"),
    (lambda: stats.bootstrap_interval([1.0, 2.0], rng=np.random.default_rng(0), n_resamples=10), ValueError,
     "n_resamples must be an integer >= 100"),
    (lambda: stats.bootstrap_interval([1.0, 2.0], rng=np.random.default_rng(0), statistic=lambda x, axis: x),
     ValueError, "statistic must reduce the last axis"),
    (lambda: stats.one_standard_error_rule([0.9, 0.8]), ValueError, r"shape \(models, folds\)"),
    (lambda: stats.one_standard_error_rule([[0.9, np.nan]]), ValueError, "scores must be finite"),
    (lambda: stats.one_standard_error_rule([[0.9, 0.8]], test_train_ratio=0), ValueError, "test_train_ratio must be"),
    (lambda: stats.paired_difference([1, 2], [1, 3], test_train_ratio="1/4"), ValueError, "test_train_ratio must be"),
    (lambda: stats.format_pm(0.9, 0.0), ValueError, "uncertainty must be a finite number > 0"),
    (lambda: stats.format_pm(float("inf"), 0.1), ValueError, "value must be finite"),
    (lambda: stats.format_p(1.5), ValueError, r"a p-value must be in \[0, 1\]"),
])
def test_bad_input_is_refused_with_a_clear_message(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_as_dict_gives_the_numbers_a_sentence_quotes():
    m = stats.mean_sd([0.90, 0.92, 0.91])
    assert m.as_dict() == {"mean": m.mean, "sd": m.sd}
    d = stats.paired_difference([0.90, 0.92, 0.91, 0.95], [0.88, 0.91, 0.91, 0.90])
    assert d.as_dict() == {"mean": d.mean, "se": d.se, "low": d.low, "high": d.high}
    assert d.as_dict()["low"] <= d.mean <= d.as_dict()["high"]


def test_formatted_quotes_mean_sd_and_signed_difference_se_rounded_to_their_uncertainty():
    m = stats.mean_sd([0.91, 0.93, 0.95, 0.89, 0.92])
    assert m.formatted() == stats.format_pm(m.mean, m.sd) == "0.92 ± 0.02"
    d = stats.paired_difference([0.91, 0.93, 0.95, 0.89, 0.92], [0.90, 0.90, 0.90, 0.90, 0.90])
    assert d.formatted() == stats.format_pm(d.mean, d.se, signed=True)
    assert d.formatted().startswith("+")
