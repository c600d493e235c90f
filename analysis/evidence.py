"""One evidence standard for every verdict a report gives about a unit.

Most units have 5-15 respondents (design/small-units.md). At those sizes a significance test
per unit mostly reports noise: the verdicts that pass it have the wrong sign far too often and
overstate the truth several times (Gelman & Carlin 2014). Every comparison a report makes —
a unit's change since the previous wave, a unit against the rest of the organisation — goes
through :func:`judge`:

1. The direct estimates of all units of the same tree depth (peers) are pooled by empirical
   Bayes (:func:`analysis.pooling.eb_pool`, Morris 1983): a small unit's estimate moves towards
   what is typical for its peers, and its interval stays honest. Fewer than
   ``pooling.MIN_UNITS`` peers: the direct estimate and its t interval are used.
2. A verdict (``higher`` / ``lower``) is given only when the pooled 95% interval excludes 0,
   the pooled difference survives Benjamini-Hochberg at ``FDR`` across the units of the
   dimension, *and* the minimum detectable difference (80% power) is at most ``MDC_FACTOR``
   times the pooled estimate. Pooling repairs the sign and size errors of small units
   (Gelman & Carlin 2014), BH the false discoveries of zero effects among many units, and the
   MDC rule the exaggeration of estimates a unit could barely see. The rule is scored by
   simulation in bench/small_units.py.
3. Otherwise the unit is ``too_small_to_tell`` when it could not even detect a large
   difference (Cohen's d = ``LARGE_EFFECT``), else ``no_clear_difference``. Reports print the
   minimum detectable difference beside either, so a reader knows what size the unit can see.

Unit scores are pooled the same way (:func:`pool_means`), with a finite-population correction
for statements about a unit's current staff.

Example
-------
>>> import numpy as np
>>> j = judge(direct=np.array([[0.9], [0.1], [-0.2], [0.0], [0.1]]),
...           variance=np.full((5, 1), 0.04), df=np.full((5, 1), 40.0),
...           mdc=np.full((5, 1), 0.5), sd=np.array([1.0]),
...           family=np.zeros(5, dtype=int), eligible=np.ones((5, 1), dtype=bool))
>>> j.verdict[:, 0].tolist()[:2]
['higher', 'no_clear_difference']
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

from analysis.pooling import MIN_UNITS, eb_pool
from analysis.trends import benjamini_hochberg

HIGHER = "higher"
LOWER = "lower"
NO_CLEAR = "no_clear_difference"
TOO_SMALL = "too_small_to_tell"
NOT_COMPUTABLE = "not_computable"
#: Every verdict code of :func:`judge`.
VERDICTS = (HIGHER, LOWER, NO_CLEAR, TOO_SMALL, NOT_COMPUTABLE)

#: False discovery rate across the units of a dimension (Benjamini-Hochberg).
FDR = 0.05
#: A verdict also needs minimum detectable difference <= MDC_FACTOR x |pooled estimate|.
MDC_FACTOR = 2.0
#: Cohen's (1988) "large" standardised difference: a unit that cannot detect it is too small
#: to tell.
LARGE_EFFECT = 0.8


@dataclass(frozen=True)
class Judgement:
    """Pooled estimates of a difference per unit x dimension and the verdict they support.

    All (U, D), in the unit of the direct estimates. ``ci_low``/``ci_high`` are the
    ``confidence`` interval (also the one the verdict uses); ``q`` the Benjamini-Hochberg q of
    the pooled difference; ``shrinkage`` the weight on the peers' mean (0 = the unit's own
    estimate; NaN where not pooled). Cells that are not eligible are NaN and
    ``not_computable``.
    """

    direct: NDArray[np.float64]
    estimate: NDArray[np.float64]
    se: NDArray[np.float64]
    ci_low: NDArray[np.float64]
    ci_high: NDArray[np.float64]
    q: NDArray[np.float64]
    shrinkage: NDArray[np.float64]
    mdc: NDArray[np.float64]
    verdict: NDArray[np.str_]


@dataclass(frozen=True)
class PooledMeans:
    """Partially pooled unit means (U, D) with their ``confidence`` intervals."""

    estimate: NDArray[np.float64]
    ci_low: NDArray[np.float64]
    ci_high: NDArray[np.float64]
    shrinkage: NDArray[np.float64]
    fpc: NDArray[np.float64]  # finite-population factor applied to the sampling variance


def _pool_cells(y: NDArray[np.float64], v: NDArray[np.float64], df: NDArray[np.float64],
                family: NDArray[np.integer], eligible: NDArray[np.bool_], levels: tuple[float, ...]
                ) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64],
                           list[tuple[NDArray[np.float64], NDArray[np.float64]]]]:
    """Estimate, se, shrinkage and one (low, high) pair per level, per (family, column)."""
    est, se, shrink = (np.full(y.shape, np.nan) for _ in range(3))
    bounds = [(np.full(y.shape, np.nan), np.full(y.shape, np.nan)) for _ in levels]
    for j in range(y.shape[1]):
        for f in np.unique(family):
            rows = np.flatnonzero((family == f) & eligible[:, j])
            exact = rows[v[rows, j] <= 0]
            rows = rows[v[rows, j] > 0]
            est[exact, j], se[exact, j], shrink[exact, j] = y[exact, j], 0.0, 0.0
            for lo, hi in bounds:
                lo[exact, j] = hi[exact, j] = y[exact, j]
            if rows.size >= MIN_UNITS:
                res = eb_pool(y[rows, j], v[rows, j])
                est[rows, j], se[rows, j], shrink[rows, j] = res.estimate, res.se, res.shrinkage
                quant = [np.full(rows.size, stats.norm.ppf(0.5 + c / 2)) for c in levels]
            else:
                est[rows, j], se[rows, j] = y[rows, j], np.sqrt(v[rows, j])
                quant = [stats.t.ppf(0.5 + c / 2, df[rows, j]) for c in levels]
            for (lo, hi), q in zip(bounds, quant, strict=True):
                lo[rows, j] = est[rows, j] - q * se[rows, j]
                hi[rows, j] = est[rows, j] + q * se[rows, j]
    return est, se, shrink, bounds


def _checked(direct: ArrayLike, variance: ArrayLike, df: ArrayLike, eligible: ArrayLike
             ) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64],
                        NDArray[np.bool_]]:
    y = np.asarray(direct, dtype=np.float64)
    v = np.asarray(variance, dtype=np.float64)
    ok = np.asarray(eligible, dtype=bool) & np.isfinite(y) & np.isfinite(v) & (v >= 0)
    dfv = np.broadcast_to(np.asarray(df, dtype=np.float64), y.shape)
    ok &= np.isfinite(dfv) & (dfv > 0)
    return y, v, dfv, ok


def _q_values(est: NDArray[np.float64], se: NDArray[np.float64], df: NDArray[np.float64],
              v: NDArray[np.float64], ok: NDArray[np.bool_]) -> NDArray[np.float64]:
    """Benjamini-Hochberg q of each cell's pooled z (t where not pooled), per column."""
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.abs(est) / se
    p = np.where(np.isinf(z), 0.0, 2 * stats.norm.sf(z))
    q = np.full(est.shape, np.nan)
    for j in range(est.shape[1]):
        rows = ok[:, j]
        q[rows, j] = benjamini_hochberg(p[rows, j])
    return q


def judge(direct: ArrayLike, variance: ArrayLike, df: ArrayLike, mdc: ArrayLike,
          sd: ArrayLike, family: ArrayLike, eligible: ArrayLike,
          confidence: float = 0.95) -> Judgement:
    """Pool each unit's direct difference among its peers and give the verdict it supports.

    Parameters
    ----------
    direct : (U, D) direct estimates (a change, or unit minus rest).
    variance : (U, D) their sampling variances (0 = known exactly: not pooled).
    df : (U, D) degrees of freedom of each direct estimate (used where not pooled).
    mdc : (U, D) minimum detectable difference (``pooling.minimum_detectable_change``).
    sd : (D,) respondent SD, the yardstick of ``LARGE_EFFECT``.
    family : (U,) peer group of each unit (e.g. its tree depth); pooled within a group.
    eligible : (U, D) cells that may be judged (shown, and defined).
    confidence : level of the reported interval.

    Returns
    -------
    Judgement
    """
    y, v, dfv, ok = _checked(direct, variance, df, eligible)
    fam = np.asarray(family)
    est, se, shrink, ((low, high),) = _pool_cells(y, v, dfv, fam, ok, (confidence,))
    m = np.asarray(mdc, dtype=np.float64)
    q = _q_values(est, se, dfv, v, ok)
    with np.errstate(invalid="ignore"):
        sized = (m <= MDC_FACTOR * np.abs(est)) & (q <= FDR)
        verdict = np.where(sized & (low > 0), HIGHER,
                           np.where(sized & (high < 0), LOWER, NO_CLEAR))
        small = ~(m <= LARGE_EFFECT * np.asarray(sd, dtype=np.float64))
    verdict = np.where((verdict == NO_CLEAR) & small, TOO_SMALL, verdict)
    verdict = np.where(ok, verdict, NOT_COMPUTABLE)
    return Judgement(direct=np.where(ok, y, np.nan), estimate=est, se=se, ci_low=low,
                     ci_high=high, q=q, shrinkage=shrink, mdc=np.where(ok, m, np.nan),
                     verdict=verdict)


def finite_population_factor(n: ArrayLike, population: ArrayLike) -> NDArray[np.float64]:
    """(N - n) / (N - 1), the factor on a mean's sampling variance for a finite population.

    1 where the population is unknown (NaN or 0) or smaller than n (an out-of-date count);
    0 where everyone answered.
    """
    nn = np.asarray(n, dtype=np.float64)
    big = np.asarray(population, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        f = np.where(big > 1, (big - nn) / (big - 1), 0.0)
    known = np.isfinite(big) & (big >= nn) & (big > 0)
    return np.where(known, np.clip(f, 0.0, 1.0), 1.0)


def pool_means(mean: ArrayLike, within_var: ArrayLike, n: ArrayLike, population: ArrayLike,
               family: ArrayLike, eligible: ArrayLike, confidence: float = 0.95
               ) -> PooledMeans:
    """Partially pooled unit means about each unit's current staff.

    Parameters
    ----------
    mean : (U, D) direct means; within_var : (D,) the within-unit variance of respondents
        (the random-intercept model's sigma^2, common to all units); n : (U, D) respondents;
    population : (U,) staff invited (NaN = unknown); family, eligible : as in :func:`judge`.

    Notes
    -----
    Sampling variance of a unit mean: sigma^2 / n x (N - n)/(N - 1) (finite-population
    correction; Cochran 1977, eq. 2.12), so a unit where everyone answered is known exactly
    and is not shrunk. Means are then pooled among peers as in :func:`judge`.
    """
    nn = np.asarray(n, dtype=np.float64)
    fpc = finite_population_factor(nn, np.asarray(population, dtype=np.float64)[:, None])
    with np.errstate(invalid="ignore", divide="ignore"):
        v = np.asarray(within_var, dtype=np.float64) / nn * fpc
    y, v, dfv, ok = _checked(mean, v, nn - 1, np.asarray(eligible, dtype=bool) & (nn >= 2))
    est, _, shrink, (ci,) = _pool_cells(y, v, dfv, np.asarray(family), ok, (confidence,))
    return PooledMeans(estimate=est, ci_low=ci[0], ci_high=ci[1], shrinkage=shrink, fpc=fpc)
