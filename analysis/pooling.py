"""Partial pooling of unit estimates, and what a small unit can detect.

Most units have 5-15 respondents (design/small-units.md). A unit's own change between two
waves is then mostly noise, and the changes that pass a significance test have the wrong sign
far too often and overstate the truth several times (Gelman & Carlin 2014). This module
gives the two tools a report needs to say only what the data support:

- :func:`eb_pool`: empirical Bayes estimates of many units' true values (a mean, or a change)
  from their direct estimates and sampling variances, shrunk towards the precision-weighted
  mean of the units, with Morris's (1983) intervals that account for the estimated prior.
- :func:`minimum_detectable_change`: the smallest true change between two independent groups
  that a two-sided Welch-type test detects with the given power.

Example
-------
>>> import numpy as np
>>> res = eb_pool(np.array([1.0, -0.5, 0.2, 0.8, 0.1]), np.full(5, 0.25))
>>> bool(np.all(np.abs(res.estimate - res.mean) <= np.abs(np.array([1.0, -0.5, 0.2, 0.8,
...                                                                   0.1]) - res.mean)))
True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

from analysis.errors import AnalysisInputError

#: Fewest units for which Morris's estimator of the prior is defined (it uses k - 3).
MIN_UNITS = 4


@dataclass(frozen=True)
class PooledEstimates:
    """Empirical Bayes estimates of k units' true values.

    estimate : (k,) posterior means; se : (k,) their standard errors (Morris 1983, eq. 4.2);
    ci_low, ci_high : estimate -/+ z * se; shrinkage : (k,) B_i, the weight on the pooled
    mean (0 = the unit's own estimate, 1 = the pooled mean); mean : the pooled mean;
    between_var : the estimated variance A of the true values between units.
    """

    estimate: NDArray[np.float64]
    se: NDArray[np.float64]
    ci_low: NDArray[np.float64]
    ci_high: NDArray[np.float64]
    shrinkage: NDArray[np.float64]
    mean: float
    between_var: float


def eb_pool(direct: ArrayLike, variance: ArrayLike, confidence: float = 0.95,
            max_iter: int = 200) -> PooledEstimates:
    """Morris's empirical Bayes estimates of unit true values from direct estimates.

    Parameters
    ----------
    direct : (k,) each unit's direct estimate y_i (e.g. its mean change between two waves).
    variance : (k,) the sampling variance V_i of each y_i (e.g. s^2 (1/n_1 + 1/n_2)).
    confidence : level of the intervals.
    max_iter : iterations of the fixed point for A.

    Returns
    -------
    PooledEstimates.

    Notes
    -----
    Model: y_i ~ N(theta_i, V_i), theta_i ~ N(mu, A). With w_i = 1/(A + V_i),
    mu = sum w_i y_i / sum w_i and A the fixed point of
    A = max(0, sum w_i (k/(k-1) (y_i - mu)^2 - V_i) / sum w_i) (Morris 1983, eq. 3.4).
    B_i = (k-3)/(k-1) V_i/(V_i + A); theta_i = (1 - B_i) y_i + B_i mu;
    se_i^2 = V_i (1 - (k-1)/k B_i) + 2/(k-3) B_i^2 (y_i - mu)^2 (eq. 4.2), which widens the
    naive posterior variance for the uncertainty in mu and A. Coverage is checked by
    simulation (tests/analysis/test_pooling.py, bench/small_units.py).

    References
    ----------
    Morris, C. N. (1983). Parametric empirical Bayes inference: theory and applications.
    JASA 78(381), 47-55.
    """
    y, v = _check(direct, variance)
    k = y.size
    a = _prior_variance(y, v, max_iter)
    w = 1.0 / (a + v)
    mu = float(np.sum(w * y) / np.sum(w))
    b = (k - 3) / (k - 1) * v / (v + a)
    estimate = (1.0 - b) * y + b * mu
    se = np.sqrt(v * (1.0 - (k - 1) / k * b) + 2.0 / (k - 3) * b * b * (y - mu) ** 2)
    z = stats.norm.ppf(0.5 + confidence / 2.0)
    return PooledEstimates(estimate, se, estimate - z * se, estimate + z * se, b, mu, a)


def _check(direct: ArrayLike, variance: ArrayLike
           ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    y = np.asarray(direct, dtype=np.float64)
    v = np.asarray(variance, dtype=np.float64)
    if y.ndim != 1 or v.shape != y.shape:
        raise AnalysisInputError("direct and variance must be 1-d arrays of the same length")
    if y.size < MIN_UNITS:
        raise AnalysisInputError(f"partial pooling needs at least {MIN_UNITS} units, "
                                 f"got {y.size}")
    if not (np.all(np.isfinite(y)) and np.all(np.isfinite(v)) and np.all(v > 0)):
        raise AnalysisInputError("direct estimates must be finite and variances positive")
    return y, v


def _prior_variance(y: NDArray[np.float64], v: NDArray[np.float64], max_iter: int) -> float:
    """The fixed point A of Morris's moment equation (0 when the units do not differ)."""
    k = y.size
    a = max(0.0, float(np.var(y, ddof=1) - np.mean(v)))
    for _ in range(max_iter):
        w = 1.0 / (a + v)
        mu = np.sum(w * y) / np.sum(w)
        new = max(0.0, float(np.sum(w * (k / (k - 1) * (y - mu) ** 2 - v)) / np.sum(w)))
        if abs(new - a) <= 1e-12 * max(1.0, a):
            return new
        a = new
    return a


def minimum_detectable_change(sd: ArrayLike, n_a: ArrayLike, n_b: ArrayLike,
                              alpha: float = 0.05, power: float = 0.8) -> NDArray[np.float64]:
    """Smallest true difference of two independent means detected with `power`.

    Parameters
    ----------
    sd : respondent standard deviation (same unit as the means).
    n_a, n_b : group sizes (broadcastable); NaN where either is below 2.
    alpha : two-sided level of the test; power : 1 - beta.

    Returns
    -------
    MDC = (t_{1-alpha/2, df} + t_{power, df}) * sd * sqrt(1/n_a + 1/n_b), df = n_a + n_b - 2
    (the usual normal-approximation formula with t quantiles; Cohen 1988, ch. 2). At
    sd = 18.5 points on 0-100 it is 37.4 points for n = 5 and 24.5 for n = 10 (each wave).
    """
    s, na, nb = np.broadcast_arrays(*(np.asarray(x, dtype=np.float64) for x in (sd, n_a, n_b)))
    with np.errstate(invalid="ignore", divide="ignore"):
        df = na + nb - 2.0
        q = stats.t.ppf(1.0 - alpha / 2.0, df) + stats.t.ppf(power, df)
        out = q * s * np.sqrt(1.0 / na + 1.0 / nb)
    return np.where((na >= 2) & (nb >= 2), out, np.nan)
