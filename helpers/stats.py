"""Statistics for the evidence standard: spreads, paired comparisons, intervals, tests, model selection.

Every number in an Answer carries its uncertainty and is rounded to what that uncertainty allows.
The functions here compute the uncertainty; :func:`format_pm` does the rounding::

    from helpers import stats

    stats.mean_sd(acc_cnn)                        # MeanSD: str() -> "0.912 ± 0.006 (mean ± sd over 5 seeds)"
    d = stats.paired_difference(acc_cnn, acc_mlp) # same seeds/folds, in the same order
    d.mean, d.se, d.low, d.high, d.p_value        # "cannot be told apart" <=> d.low <= 0 <= d.high
    stats.wilson_interval(correct.sum(), len(correct))       # accuracy on n test samples, 95 %
    stats.mcnemar_exact(pred_a == y_test, pred_b == y_test)  # two classifiers on the same test set
    stats.bootstrap_interval(values, rng=np.random.default_rng(SEED))
    stats.one_standard_error_rule(cv_scores)      # (models simplest first, folds) -> the chosen model
    stats.format_pm(0.91234, 0.0061)              # "0.912 ± 0.006"

Conventions: standard deviations use ``ddof=1``; intervals are two-sided at ``confidence`` (0.95);
inputs are checked first (1-D, finite, equal lengths, n >= 2 where a spread is needed).

Folds of (repeated) K-fold cross-validation share most of their training data, so their scores are
not independent and ``sd / sqrt(n)`` understates the standard error. ``paired_difference`` and
``one_standard_error_rule`` take ``test_train_ratio`` (``n_test / n_train``, ``1 / (K - 1)`` for
K-fold) and then use the corrected standard error ``sd * sqrt(1/n + test_train_ratio)`` of Nadeau and
Bengio (2003), as in the corrected repeated K-fold test of Bouckaert and Frank (2004)::

    stats.paired_difference(rmse_a, rmse_b, test_train_ratio=1 / (K - 1))   # R x K paired fold scores

References: Student's t-interval and paired t-test (e.g. Wasserman, *All of Statistics*, 2004, ch. 10);
E. B. Wilson (1927), Probable inference, the law of succession, and statistical inference, *JASA* 22;
Q. McNemar (1947), *Psychometrika* 12, and its exact (binomial) form, Dietterich (1998), *Neural
Computation* 10; B. Efron and R. Tibshirani (1993), *An Introduction to the Bootstrap*, ch. 13
(percentile interval); Hastie, Tibshirani and Friedman (2009), *The Elements of Statistical
Learning*, 2nd ed., sec. 7.10 (the one-standard-error rule); C. Nadeau and Y. Bengio (2003), Inference for
the generalization error, *Machine Learning* 52, 239-281; R. R. Bouckaert and E. Frank (2004), Evaluating
the replicability of significance tests for comparing learning algorithms, *PAKDD 2004*, LNCS 3056.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np
from scipy import stats as sps

__all__ = ["MeanSD", "PairedDifference", "Interval", "McNemar", "OneSEChoice", "mean_sd", "paired_difference",
           "wilson_interval", "mcnemar_exact", "bootstrap_interval", "one_standard_error_rule",
           "format_pm", "format_interval", "format_p", "round_to_uncertainty"]


# ----------------------------------------------------------------------------------- checks
def _sample(values: Any, name: str, *, min_n: int = 2) -> np.ndarray:
    """``values`` as a 1-D float array of finite numbers with at least ``min_n`` entries."""
    try:
        x = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a 1-D sequence of numbers; got {type(values).__name__}") from None
    if x.ndim != 1:
        raise ValueError(f"{name} must be 1-D (one value per seed, fold or sample); got shape {x.shape}")
    if len(x) < min_n:
        raise ValueError(f"{name} needs at least {min_n} values; got {len(x)}")
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{name} must be finite; entries {np.flatnonzero(~np.isfinite(x)).tolist()} are NaN or inf")
    return x


def _confidence(confidence: Any) -> float:
    if isinstance(confidence, bool) or not isinstance(confidence, (int, float, np.floating)) \
            or not 0.0 < float(confidence) < 1.0:
        raise ValueError(f"confidence must be a number in (0, 1), e.g. 0.95; got {confidence!r}")
    return float(confidence)


def _standard_error(sd: float, n: int, test_train_ratio: Any) -> float:
    """``sd / sqrt(n)``, or the Nadeau-Bengio corrected ``sd * sqrt(1/n + test_train_ratio)`` for fold scores."""
    if test_train_ratio is None:
        return sd / math.sqrt(n)
    if isinstance(test_train_ratio, bool) or not isinstance(test_train_ratio, (int, float, np.integer, np.floating)) \
            or not 0.0 < float(test_train_ratio) < math.inf:
        raise ValueError("test_train_ratio must be a number > 0 (n_test / n_train of one fold, 1 / (K - 1) for "
                         f"K-fold cross-validation) or None; got {test_train_ratio!r}")
    return sd * math.sqrt(1.0 / n + float(test_train_ratio))


def _count(value: Any, name: str) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < 0:
        raise ValueError(f"{name} must be a non-negative integer; got {value!r}")
    return int(value)


# ----------------------------------------------------------------------------------- rounding
def _half_up(x: float, decimals: int) -> str:
    """``x`` rounded half away from zero at ``decimals`` (negative: tens, hundreds), as printed (0.25 -> 0.3)."""
    step = Decimal(1).scaleb(-decimals)
    return str(Decimal(repr(x)).quantize(step, rounding=ROUND_HALF_UP).quantize(Decimal(1).scaleb(-max(decimals, 0))))


def round_to_uncertainty(value: float, uncertainty: float) -> tuple[str, str, int]:
    """Both numbers as text, rounded to the uncertainty's precision, and that number of decimals.

    The uncertainty keeps one significant digit, two when its first digit is 1 (0.0061 -> 0.006,
    0.013 -> 0.013, 0.096 -> 0.10); the value is rounded to the same decimal place.
    """
    value, uncertainty = float(value), float(uncertainty)
    if not math.isfinite(value):
        raise ValueError(f"value must be finite; got {value}")
    if not math.isfinite(uncertainty) or uncertainty <= 0:
        raise ValueError(f"uncertainty must be a finite number > 0; got {uncertainty} "
                         "(with no spread at all, report the value and say that it did not vary)")
    exponent = math.floor(math.log10(uncertainty))
    leading = int(uncertainty / 10.0 ** exponent + 1e-9)
    decimals = (1 if leading == 1 else 0) - exponent  # 0.096 rounds up to 0.10: two digits, as it starts with 1
    text = _half_up(value, decimals)
    if float(text) == 0.0:
        text = text.lstrip("-")
    return text, _half_up(uncertainty, decimals), decimals


def format_pm(value: float, uncertainty: float, *, signed: bool = False) -> str:
    """``"value ± uncertainty"`` rounded to what the uncertainty allows: ``format_pm(0.91234, 0.0061)``
    -> ``"0.912 ± 0.006"``; ``signed=True`` writes a sign on the value (for differences)."""
    v, u, _ = round_to_uncertainty(value, uncertainty)
    if signed and not v.startswith("-"):
        v = "+" + v
    return f"{v} ± {u}"


def format_interval(low: float, high: float, uncertainty: float, *, signed: bool = False) -> str:
    """``"[low, high]"`` with both ends rounded to the decimal place ``uncertainty`` allows."""
    lo, _, _ = round_to_uncertainty(low, uncertainty)
    hi, _, _ = round_to_uncertainty(high, uncertainty)
    if signed:
        lo, hi = (s if s.startswith("-") else "+" + s for s in (lo, hi))
    return f"[{lo}, {hi}]"


def format_p(p: float) -> str:
    """A p-value with two significant digits, ``"p < 0.001"`` below 0.001."""
    p = float(p)
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"a p-value must be in [0, 1]; got {p}")
    return "p < 0.001" if p < 0.001 else f"p = {float(f'{p:.2g}'):g}"


# ----------------------------------------------------------------------------------- results
@dataclass(frozen=True)
class MeanSD:
    """Mean and sample standard deviation (ddof=1) of ``n`` values (seeds, folds)."""

    mean: float
    sd: float
    n: int
    what: str = "seeds"

    @property
    def se(self) -> float:
        """Standard error of the mean, ``sd / sqrt(n)``."""
        return self.sd / math.sqrt(self.n)

    def as_dict(self) -> dict[str, float]:
        """``{"mean": ..., "sd": ...}``, e.g. for ``results.add`` (the numbers a reader needs to quote it)."""
        return {"mean": self.mean, "sd": self.sd}

    def formatted(self) -> str:
        """``"mean ± sd"`` rounded to what the sd allows (see :func:`format_pm`), as a sentence quotes it."""
        return format_pm(self.mean, self.sd)

    def __str__(self) -> str:
        if self.sd == 0:
            return f"{self.mean:g} (all {self.n} {self.what} equal)"
        return f"{format_pm(self.mean, self.sd)} (mean ± sd over {self.n} {self.what})"


@dataclass(frozen=True)
class PairedDifference:
    """Mean of the paired differences ``a - b``, its standard error, t-interval and two-sided p-value."""

    mean: float
    sd: float
    se: float
    low: float
    high: float
    p_value: float
    n: int
    confidence: float

    @property
    def covers_zero(self) -> bool:
        """True when the interval contains 0: the two cannot be told apart at this confidence."""
        return self.low <= 0.0 <= self.high

    def as_dict(self) -> dict[str, float]:
        """``{"mean", "se", "low", "high"}``, e.g. for ``results.add`` (what a sentence about it quotes and tests)."""
        return {"mean": self.mean, "se": self.se, "low": self.low, "high": self.high}

    def formatted(self) -> str:
        """``"+mean ± se"`` (signed) rounded to what the standard error allows, as a sentence quotes it."""
        return format_pm(self.mean, self.se, signed=True)

    def __str__(self) -> str:
        level = f"{100 * self.confidence:g}%"
        if self.se == 0:
            return f"{self.mean:+g} in every one of {self.n} pairs"
        return (f"{format_pm(self.mean, self.se, signed=True)} (paired difference ± se, n = {self.n}; {level} CI "
                f"{format_interval(self.low, self.high, self.se, signed=True)}, {format_p(self.p_value)})")


@dataclass(frozen=True)
class Interval:
    """A point estimate with a two-sided interval."""

    estimate: float
    low: float
    high: float
    confidence: float
    method: str

    def __str__(self) -> str:
        half = max(self.high - self.estimate, self.estimate - self.low)
        if half <= 0:
            return f"{self.estimate:g} ({100 * self.confidence:g}% {self.method} interval of width 0)"
        return (f"{round_to_uncertainty(self.estimate, half)[0]} ({100 * self.confidence:g}% {self.method} "
                f"interval {format_interval(self.low, self.high, half)})")


@dataclass(frozen=True)
class McNemar:
    """Exact McNemar test: ``only_a`` samples only classifier A got right, ``only_b`` only B."""

    only_a: int
    only_b: int
    p_value: float

    def __str__(self) -> str:
        return (f"only A right on {self.only_a}, only B right on {self.only_b}: "
                f"exact McNemar {format_p(self.p_value)}")


@dataclass(frozen=True)
class OneSEChoice:
    """What the one-standard-error rule chose (indices into the candidate list, simplest first)."""

    chosen: int
    best: int
    threshold: float
    means: np.ndarray
    ses: np.ndarray
    higher_is_better: bool


# ----------------------------------------------------------------------------------- statistics
def mean_sd(values: Any, *, what: str = "seeds") -> MeanSD:
    """Mean ± sample standard deviation (ddof=1) of at least two values."""
    x = _sample(values, "values")
    return MeanSD(float(x.mean()), float(x.std(ddof=1)), len(x), what)


def paired_difference(a: Any, b: Any, *, confidence: float = 0.95,
                      test_train_ratio: float | None = None) -> PairedDifference:
    """Compare two models run on the same seeds (or folds) through their paired differences ``a - b``.

    ``se = sd(a - b) / sqrt(n)``; the interval is ``mean ± t_{n-1} se`` and the p-value is the paired
    t-test's (``scipy.stats.ttest_rel``). When every difference is the same, ``se`` is 0: the interval
    is that value and p is 1 if it is 0, else 0.

    For the folds of (repeated) K-fold cross-validation pass ``test_train_ratio = 1 / (K - 1)``: then
    ``se = sd(a - b) * sqrt(1/n + test_train_ratio)`` (Nadeau and Bengio's correction for folds that
    share training data; the corrected repeated K-fold t-test of Bouckaert and Frank).
    """
    x, y = _sample(a, "a"), _sample(b, "b")
    if len(x) != len(y):
        raise ValueError(f"a and b must be paired (same seeds or folds, same order); got {len(x)} and {len(y)} values")
    confidence = _confidence(confidence)
    d = x - y
    n, mean, sd = len(d), float(d.mean()), float(d.std(ddof=1))
    se = _standard_error(sd, n, test_train_ratio)
    if se == 0.0:
        return PairedDifference(mean, 0.0, 0.0, mean, mean, 1.0 if mean == 0 else 0.0, n, confidence)
    half = float(sps.t.ppf(0.5 + confidence / 2, n - 1)) * se
    p = float(2 * sps.t.sf(abs(mean) / se, n - 1))
    return PairedDifference(mean, sd, se, mean - half, mean + half, min(p, 1.0), n, confidence)


def wilson_interval(successes: int, n: int, *, confidence: float = 0.95) -> Interval:
    """Wilson score interval for a proportion (e.g. accuracy: ``successes`` right out of ``n``)."""
    k, n = _count(successes, "successes"), _count(n, "n")
    if n == 0 or k > n:
        raise ValueError(f"need 0 <= successes <= n and n >= 1; got successes={k}, n={n}")
    confidence = _confidence(confidence)
    z = float(sps.norm.ppf(0.5 + confidence / 2))
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    low = 0.0 if k == 0 else max(0.0, centre - half)        # exact ends: rounding must not push them past p
    high = 1.0 if k == n else min(1.0, centre + half)
    return Interval(p, low, high, confidence, "Wilson")


def mcnemar_exact(a_correct: Any, b_correct: Any) -> McNemar:
    """Exact McNemar test of two classifiers on the same test samples.

    ``a_correct`` and ``b_correct`` are boolean arrays (sample i right or wrong). Only the samples where
    they disagree count: under "equally good" each is A's with probability 1/2, so the two-sided p-value
    is the binomial test's, ``min(1, 2 P(X <= min(only_a, only_b)))`` with X ~ Binomial(only_a + only_b, 1/2).
    """
    a, b = np.asarray(a_correct), np.asarray(b_correct)
    for name, arr in (("a_correct", a), ("b_correct", b)):
        if arr.ndim != 1 or arr.dtype != bool:
            raise ValueError(f"{name} must be a 1-D boolean array (sample right or wrong), e.g. pred == y_test; "
                             f"got dtype {arr.dtype}, shape {arr.shape}")
    if len(a) != len(b) or len(a) == 0:
        raise ValueError(f"a_correct and b_correct must cover the same test samples; got {len(a)} and {len(b)}")
    only_a, only_b = int(np.sum(a & ~b)), int(np.sum(~a & b))
    m = only_a + only_b
    p = 1.0 if m == 0 else min(1.0, 2.0 * float(sps.binom.cdf(min(only_a, only_b), m, 0.5)))
    return McNemar(only_a, only_b, p)


def bootstrap_interval(values: Any, *, rng: np.random.Generator, statistic: Callable = np.mean,
                       n_resamples: int = 9999, confidence: float = 0.95) -> Interval:
    """Percentile bootstrap interval of ``statistic`` (default: the mean) over resampled ``values``.

    Resamples ``values`` with replacement ``n_resamples`` times (indices from ``rng``), applies
    ``statistic(resamples, axis=-1)`` and takes the ``(1 - confidence)/2`` and ``(1 + confidence)/2``
    percentiles. For paired data, pass the differences. ``statistic`` must accept ``axis``.
    """
    x = _sample(values, "values")
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator (np.random.default_rng(seed)); got {type(rng).__name__}")
    if isinstance(n_resamples, bool) or not isinstance(n_resamples, (int, np.integer)) or n_resamples < 100:
        raise ValueError(f"n_resamples must be an integer >= 100; got {n_resamples!r}")
    confidence = _confidence(confidence)
    index = rng.integers(0, len(x), (int(n_resamples), len(x)))
    replicates = np.asarray(statistic(x[index], axis=-1), dtype=np.float64)
    if replicates.shape != (int(n_resamples),):
        raise ValueError("statistic must reduce the last axis to one number, like np.mean(x, axis=-1); "
                         f"got an output of shape {replicates.shape}")
    alpha = (1 - confidence) / 2
    low, high = np.percentile(replicates, [100 * alpha, 100 * (1 - alpha)])
    return Interval(float(statistic(x, axis=-1)), float(low), float(high), confidence, "percentile bootstrap")


def one_standard_error_rule(scores: Any, *, higher_is_better: bool = True,
                            test_train_ratio: float | None = None) -> OneSEChoice:
    """Choose the simplest model whose mean score is within one standard error of the best.

    ``scores`` has shape (models, folds or seeds), models ordered from simplest to most complex.
    The best model has the highest mean (lowest with ``higher_is_better=False``, e.g. an error);
    its standard error is ``sd / sqrt(folds)``; the rule returns the first model whose mean is at
    least ``best - se`` (at most ``best + se`` for errors). With the R x K fold scores of repeated
    K-fold cross-validation, pass ``test_train_ratio = 1 / (K - 1)`` for the corrected standard error
    ``sd * sqrt(1/(R K) + 1/(K - 1))`` (see the module docstring).
    """
    s = np.asarray(scores, dtype=np.float64)
    if s.ndim != 2 or s.shape[0] < 1 or s.shape[1] < 2:
        raise ValueError("scores must have shape (models, folds) with at least 2 folds (or seeds) per model; "
                         f"got shape {s.shape}")
    if not np.all(np.isfinite(s)):
        raise ValueError("scores must be finite (a NaN score means a run failed: fix or drop it first)")
    if not isinstance(higher_is_better, (bool, np.bool_)):
        raise TypeError(f"higher_is_better must be True or False; got {higher_is_better!r}")
    means = s.mean(axis=1)
    ses = s.std(axis=1, ddof=1) * _standard_error(1.0, s.shape[1], test_train_ratio)
    sign = 1.0 if higher_is_better else -1.0
    best = int(np.argmax(sign * means))
    threshold = float(means[best] - sign * ses[best])
    chosen = int(np.flatnonzero(sign * means >= sign * threshold)[0])
    return OneSEChoice(chosen, best, threshold, means, ses, bool(higher_is_better))
