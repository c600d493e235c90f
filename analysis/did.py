"""Did a targeted unit change more than comparable units? Difference-in-differences.

A development action (a training, coaching, a programme) targets one dimension of one unit.
Between the wave before it and the wave after it, the unit's score changes; so do the scores
of units that had no such action. :func:`difference_in_differences` compares the two changes
on the published multilevel (partially pooled, empirical Bayes) estimates of each wave:

1. Each unit's change is ``y_i = after_i - before_i`` with sampling variance
   ``v_i = se_before_i^2 + se_after_i^2``. The waves are treated as independent samples; when
   the same staff answer both waves the true variance of a change is smaller, so the
   interval errs on the wide side. A published SE that is about a unit's current staff
   (finite-population corrected) is widened to one about the unit by :func:`unit_se`.
2. The changes enter a random-effects meta-regression on a treated indicator (one treated
   unit, the rest comparison units): ``y_i = b0 + b1 t_i + u_i + e_i``, ``u_i ~ N(0, tau^2)``
   (how much units' true changes differ without any action), ``e_i ~ N(0, v_i)``. ``b0`` is
   the comparison units' precision-weighted mean change, ``b1`` the difference in differences.
   With one treated unit, ``b1 = y_T - b0`` and
   ``Var(b1) = v_T + tau^2 + 1 / sum_c w_c``, ``w_c = 1 / (v_c + tau^2)``: the treated unit's
   own sampling error, how much any unit's change differs from the typical change, and the
   uncertainty of the comparison mean. This is exactly the model of R's
   ``metafor::rma(yi, vi, mods = ~ treated)`` (tests/data/did.R pins it).
3. ``tau^2`` by REML (Fisher scoring, Viechtbauer 2005) or DerSimonian-Laird; the interval is
   ``b1 -/+ z_(1 - alpha/2) se(b1)``.

The verdict follows the evidence standard of :mod:`analysis.evidence`: a difference is called
``more`` or ``less`` only when (a) the treated unit is published in both waves and at least
``MIN_COMPARISON`` comparison units are, (b) the interval excludes 0, (c) the
Benjamini-Hochberg q across the family of differences judged together (e.g. the targeted
dimensions of one unit, :func:`judge_family`) is at most ``evidence.FDR``, and (d) the minimum
detectable difference (80% power) is at most ``evidence.MDC_FACTOR`` times the estimate
(the larger of 2.80 se and the treated unit's own minimum detectable change from its
respondents, as the change verdicts use).
Otherwise the verdict is ``not_enough_evidence``. A verdict describes an association over
time, not a cause: other things changed in the same months.

The pooled estimates are shrunk towards their peers' mean in each wave, so a small unit's
change, and hence the difference, is pulled towards 0 (bench/did.py: the mean estimate is
0.92-0.97 of the true effect; its 95% intervals cover the true effect 97-98% of the time with
:func:`unit_se`, and 1.9% of units without a true effect get a verdict).

References
----------
Card, D. & Krueger, A. B. (1994). Minimum wages and employment. *American Economic Review*
84(4), 772-793 (difference-in-differences).
Viechtbauer, W. (2005). Bias and efficiency of meta-analytic variance estimators in the
random-effects model. *Journal of Educational and Behavioral Statistics* 30(3), 261-293.
DerSimonian, R. & Laird, N. (1986). Meta-analysis in clinical trials. *Controlled Clinical
Trials* 7(3), 177-188.
Viechtbauer, W. (2010). Conducting meta-analyses in R with the metafor package. *Journal of
Statistical Software* 36(3).

Example
-------
>>> import numpy as np
>>> r = difference_in_differences(
...     treated=(50.0, 62.0), treated_se=(2.0, 2.0),
...     comparison_before=np.array([50.0, 52, 48, 51, 49, 50]),
...     comparison_after=np.array([51.0, 52, 49, 52, 50, 50]),
...     comparison_se_before=np.full(6, 2.0), comparison_se_after=np.full(6, 2.0))
>>> round(r.difference, 1), r.n_comparison, r.verdict
(11.3, 6, 'more')
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

from analysis.errors import AnalysisInputError
from analysis.evidence import FDR, MDC_FACTOR, finite_population_factor
from analysis.pooling import MIN_UNITS
from analysis.trends import benjamini_hochberg

MORE = "more"
LESS = "less"
NOT_ENOUGH = "not_enough_evidence"
NOT_ESTIMABLE = "not_estimable"
#: Every verdict code of :func:`difference_in_differences`.
VERDICTS = (MORE, LESS, NOT_ENOUGH, NOT_ESTIMABLE)

#: Reason codes of a ``not_estimable`` result.
TREATED_HIDDEN = "treated_hidden"  # the treated unit is not published in one of the waves
TOO_FEW_COMPARISON = "too_few_comparison"  # fewer than `min_comparison` comparison units
REASONS = (TREATED_HIDDEN, TOO_FEW_COMPARISON)

#: Fewest comparison units: the same minimum as partial pooling (analysis.pooling).
MIN_COMPARISON = MIN_UNITS
#: Power at which the minimum detectable difference is computed (as analysis.pooling).
POWER = 0.8

Method = Literal["REML", "DL"]


@dataclass(frozen=True)
class DidEstimate:
    """A difference in differences for one targeted unit and dimension.

    All in the unit of the inputs (0-100 scores in Lentera); NaN where not estimable.
    ``treated_change``/``treated_se``: the unit's own change and its sampling SE;
    ``comparison_change``/``comparison_se``: the comparison units' precision-weighted mean
    change (``b0``) and its SE; ``difference``/``se``/``ci_low``/``ci_high``/``p``: ``b1``;
    ``between_var``: tau^2; ``mdd``: the smallest true difference detected with 80% power
(at least the treated unit's own minimum detectable change when given);
    ``q``: the Benjamini-Hochberg q within the family judged together (= p alone).
    """

    verdict: str
    reason: str  # one of REASONS, "" when estimable
    treated_change: float
    treated_se: float
    comparison_change: float
    comparison_se: float
    difference: float
    se: float
    ci_low: float
    ci_high: float
    p: float
    q: float
    between_var: float
    mdd: float
    n_comparison: int
    confidence: float = 0.95

    @property
    def estimable(self) -> bool:
        """A difference and its interval were computed."""
        return self.verdict != NOT_ESTIMABLE


@dataclass(frozen=True)
class MetaRegression:
    """A random-effects meta-regression: coefficients, their covariance and tau^2."""

    beta: NDArray[np.float64]
    cov: NDArray[np.float64]
    tau2: float
    iterations: int


def meta_regression(y: ArrayLike, v: ArrayLike, x: ArrayLike, method: Method = "REML",
                    tol: float = 1e-12, max_iter: int = 500) -> MetaRegression:
    """Random-effects meta-regression ``y ~ N(X b, diag(v) + tau^2 I)``.

    Parameters
    ----------
    y : (k,) estimates; v : (k,) their sampling variances (> 0); x : (k, p) design matrix.
    method : "REML" (restricted maximum likelihood by Fisher scoring, truncated at 0) or
        "DL" (DerSimonian-Laird's method of moments, generalised to meta-regression).
    tol, max_iter : convergence of REML on tau^2.

    Returns
    -------
    MetaRegression with b = (X'WX)^-1 X'W y and Cov(b) = (X'WX)^-1, W = diag(1/(v + tau^2)).

    Notes
    -----
    With P = W - W X (X'WX)^-1 X'W, the REML score for tau^2 is
    (y'PPy - tr P) / 2 and its information tr(PP) / 2, so a Fisher step is
    tau^2 += (y'PPy - tr P) / tr(PP) (Viechtbauer 2005), truncated at 0.
    DL: tau^2 = max(0, (Q_E - (k - p)) / (tr W0 - tr((X'W0X)^-1 X'W0^2 X))), W0 = diag(1/v).
    """
    yy, vv, xx = (np.asarray(a, dtype=np.float64) for a in (y, v, x))
    if xx.ndim != 2 or yy.ndim != 1 or vv.shape != yy.shape or xx.shape[0] != yy.size:
        raise AnalysisInputError("y, v must be (k,) and x (k, p)")
    if yy.size <= xx.shape[1]:
        raise AnalysisInputError(f"a meta-regression with {xx.shape[1]} coefficients needs "
                                 f"more than {xx.shape[1]} estimates, got {yy.size}")
    if not (np.all(np.isfinite(yy)) and np.all(np.isfinite(vv)) and np.all(vv > 0)):
        raise AnalysisInputError("estimates must be finite and sampling variances positive")
    if method == "DL":
        tau2, iterations = _dl(yy, vv, xx), 0
    elif method == "REML":
        tau2, iterations = _reml(yy, vv, xx, tol, max_iter)
    else:
        raise AnalysisInputError(f"unknown method {method!r}: use 'REML' or 'DL'")
    w = 1.0 / (vv + tau2)
    cov = np.asarray(np.linalg.inv(xx.T @ (w[:, None] * xx)), dtype=np.float64)
    beta = cov @ (xx.T @ (w * yy))
    return MetaRegression(beta, cov, float(tau2), iterations)


def _projection(v: NDArray[np.float64], x: NDArray[np.float64], tau2: float
                ) -> NDArray[np.float64]:
    w = 1.0 / (v + tau2)
    wx = w[:, None] * x
    return np.diag(w) - wx @ np.linalg.solve(x.T @ wx, wx.T)


def _dl(y: NDArray[np.float64], v: NDArray[np.float64], x: NDArray[np.float64]) -> float:
    p = _projection(v, x, 0.0)
    q_e = float(y @ p @ y)
    return max(0.0, (q_e - float(y.size - x.shape[1])) / float(np.trace(p)))


def _reml(y: NDArray[np.float64], v: NDArray[np.float64], x: NDArray[np.float64],
          tol: float, max_iter: int) -> tuple[float, int]:
    resid = y - x @ np.linalg.lstsq(x, y, rcond=None)[0]
    # start from a moment estimate on the ordinary least-squares residuals
    tau2 = max(0.0, float(resid @ resid / (y.size - x.shape[1]) - np.mean(v)))
    for iteration in range(1, max_iter + 1):
        p = _projection(v, x, tau2)
        py = p @ y
        step = (float(py @ py) - float(np.trace(p))) / float(np.sum(p * p))
        new = max(0.0, tau2 + step)  # the REML estimate lies in [0, inf)
        if abs(new - tau2) <= tol * max(1.0, tau2):
            return new, iteration
        tau2 = new
    return tau2, max_iter


def not_estimable(reason: str, n_comparison: int = 0, confidence: float = 0.95,
                  treated: tuple[float, float] = (np.nan, np.nan)) -> DidEstimate:
    """A result without a difference, for `reason` (a caller may add its own codes);
    ``treated`` keeps the unit's own change and SE where they are known."""
    nan = float("nan")
    return DidEstimate(NOT_ESTIMABLE, reason, float(treated[0]), float(treated[1]), nan, nan,
                       nan, nan, nan, nan, nan, nan, nan, nan, n_comparison, confidence)


def _changes(before: ArrayLike, after: ArrayLike, se_before: ArrayLike, se_after: ArrayLike
             ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    b, a, sb, sa = (np.atleast_1d(np.asarray(z, dtype=np.float64))
                    for z in (before, after, se_before, se_after))
    if not (b.shape == a.shape == sb.shape == sa.shape) or b.ndim != 1:
        raise AnalysisInputError("before, after and their standard errors must be 1-d "
                                 "arrays of the same length")
    if np.any(sb < 0) or np.any(sa < 0):
        raise AnalysisInputError("standard errors must not be negative")
    return a - b, sb * sb + sa * sa


def difference_in_differences(
        treated: tuple[float | None, float | None],
        treated_se: tuple[float | None, float | None],
        comparison_before: ArrayLike, comparison_after: ArrayLike,
        comparison_se_before: ArrayLike, comparison_se_after: ArrayLike, *,
        hidden_comparison: Literal["drop", "raise"] = "drop",
        exact_comparison: Literal["drop", "raise"] = "drop",
        treated_mdc: float | None = None, min_comparison: int = MIN_COMPARISON,
        method: Method = "REML", confidence: float = 0.95) -> DidEstimate:
    """The treated unit's change minus comparable units' change, with its interval.

    Parameters
    ----------
    treated : (before, after) estimate of the treated unit; None or NaN where the unit is
        not published in that wave (then the result is ``not_estimable``, reason
        ``treated_hidden``).
    treated_se : (before, after) their standard errors (0 is allowed: a unit known exactly
        still differs from the typical change by tau^2).
    comparison_before, comparison_after, comparison_se_before, comparison_se_after : (m,)
        the comparison units' estimates and standard errors in the two waves.
    hidden_comparison : a comparison unit with NaN in either wave (hidden, or not surveyed):
        "drop" leaves it out (``n_comparison`` counts the units used), "raise" refuses.
    exact_comparison : a comparison unit whose change has sampling variance 0 (everyone
        answered in both waves, so its finite-population interval has no width, and it
        would take all the weight when tau^2 = 0): "drop" leaves it out, "raise" refuses.
    treated_mdc : the smallest change the treated unit could detect from its own respondents
        (``pooling.minimum_detectable_change`` of its n and SD in the two waves), the
        evidence standard's size yardstick; None (or NaN) leaves only the MDD of the interval
        itself, 2.80 se, which an interval that excludes 0 always meets.
    min_comparison : fewest comparison units for an estimate (``not_estimable``,
        ``too_few_comparison`` below it; at least 2).
    method : estimator of tau^2, "REML" or "DL" (:func:`meta_regression`).
    confidence : level of the interval.

    Returns
    -------
    DidEstimate, judged alone (q = p); :func:`judge_family` judges several together.

    Notes
    -----
    The treated unit alone determines b1, so its residual is 0 and it carries no
    information on tau^2 under REML or DL: both are computed from the comparison units'
    intercept-only model, and b1 = y_T - b0, Var(b1) = v_T + tau^2 + Var(b0), which equals
    ``rma(yi, vi, mods = ~ treated)`` on all units (tests/data/did.R).
    """
    if not 0 < confidence < 1:
        raise AnalysisInputError("confidence must be between 0 and 1")
    tb, ta = (np.nan if z is None else float(z) for z in treated)
    sb, sa = (np.nan if z is None else float(z) for z in treated_se)
    y_c, v_c = _changes(comparison_before, comparison_after, comparison_se_before,
                        comparison_se_after)
    usable = np.isfinite(y_c) & np.isfinite(v_c)
    if hidden_comparison == "raise" and not np.all(usable):
        raise AnalysisInputError("a comparison unit is missing in one of the waves")
    if exact_comparison == "raise" and np.any(usable & (v_c <= 0)):
        raise AnalysisInputError("a comparison unit's change has sampling variance 0")
    usable &= v_c > 0
    y_c, v_c = y_c[usable], v_c[usable]
    m = int(y_c.size)
    y_t, v_t = ta - tb, sb * sb + sa * sa
    if not (np.isfinite(y_t) and np.isfinite(v_t) and v_t >= 0):
        return not_estimable(TREATED_HIDDEN, m, confidence)
    if m < max(2, min_comparison):
        return not_estimable(TOO_FEW_COMPARISON, m, confidence, (y_t, float(np.sqrt(v_t))))
    fit = meta_regression(y_c, v_c, np.ones((m, 1)), method=method)
    b0, var0 = float(fit.beta[0]), float(fit.cov[0, 0])
    b1, se1 = y_t - b0, float(np.sqrt(v_t + fit.tau2 + var0))
    z = float(stats.norm.ppf(0.5 + confidence / 2.0))
    p = float(2.0 * stats.norm.sf(abs(b1) / se1))
    mdd = (float(stats.norm.ppf(0.975)) + float(stats.norm.ppf(POWER))) * se1
    if treated_mdc is not None and np.isfinite(treated_mdc):
        mdd = max(mdd, float(treated_mdc))
    result = DidEstimate(NOT_ENOUGH, "", y_t, float(np.sqrt(v_t)), b0, float(np.sqrt(var0)),
                         b1, se1, b1 - z * se1, b1 + z * se1, p, p, fit.tau2, mdd, m,
                         confidence)
    return replace(result, verdict=_verdict(result))


def unit_se(se: ArrayLike, sd: ArrayLike, n: ArrayLike, population: ArrayLike
            ) -> NDArray[np.float64]:
    """The SE of a published unit estimate as a statement about the unit, not its current
    staff: ``sqrt(se^2 + sd^2 / n (1 - (N - n) / (N - 1)))``.

    Parameters
    ----------
    se : the published SE (from an interval with the finite-population correction, which
        treats the answers of the staff who answered as the whole truth about the unit).
    sd : respondent SD; n : respondents; population : staff N (NaN = unknown: nothing added).

    Notes
    -----
    The part the finite-population factor (Cochran 1977, eq. 2.12) removed from the sampling
    variance sd^2 / n is added back, as if unshrunk, so the result errs on the wide side.
    A change between two waves is about the unit (what a development action can move), and
    the staff's answers in a wave vary around it from occasion to occasion; without this, the
    follow-up's 95% intervals cover the true difference about 90% of the time instead of 95%
    (bench/did.py).
    """
    s, d, nn, big = (np.asarray(x, dtype=np.float64) for x in (se, sd, n, population))
    removed = 1.0 - finite_population_factor(nn, big)
    with np.errstate(invalid="ignore", divide="ignore"):
        extra = np.where(nn > 0, d * d / nn * removed, 0.0)
    return np.asarray(np.sqrt(s * s + np.where(np.isfinite(extra), extra, 0.0)),
                      dtype=np.float64)


def _verdict(r: DidEstimate) -> str:
    """The evidence standard: interval excludes 0, BH q <= FDR, MDD <= MDC_FACTOR |b1|."""
    if not r.estimable:
        return NOT_ESTIMABLE
    sized = r.mdd <= MDC_FACTOR * abs(r.difference) and r.q <= FDR
    if sized and r.ci_low > 0:
        return MORE
    if sized and r.ci_high < 0:
        return LESS
    return NOT_ENOUGH


def judge_family(results: Sequence[DidEstimate]) -> list[DidEstimate]:
    """Judge differences together: each verdict then also needs its Benjamini-Hochberg q
    (over the estimable ones) to be at most ``evidence.FDR``, as the unit verdicts of
    :mod:`analysis.evidence` do across units."""
    index = [i for i, r in enumerate(results) if r.estimable]
    q = benjamini_hochberg(np.array([results[i].p for i in index], dtype=np.float64)) \
        if index else np.zeros(0)
    out = list(results)
    for i, qi in zip(index, q, strict=True):
        judged = replace(results[i], q=float(qi))
        out[i] = replace(judged, verdict=_verdict(judged))
    return out
