"""Change between waves: Welch t, Hedges' g with a noncentral-t CI, Mann-Kendall with Sen's
slope, Benjamini-Hochberg q-values, and verdict codes.

Cross-checked against R 4.2.2 ``t.test``, ``effectsize::hedges_g`` 0.8.3 and ``p.adjust``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import optimize, special, stats

from analysis.errors import AnalysisInputError

# Verdict codes (translated by reports/).
UP = "up"
DOWN = "down"
NO_CLEAR_CHANGE = "no_clear_change"
NOT_COMPUTABLE = "not_computable"
#: A change the unit is too small to detect (analysis.evidence); trend lines never get it.
TOO_SMALL_TO_TELL = "too_small_to_tell"
#: Every verdict code a change or a trend line can get.
CHANGE_VERDICTS = (UP, DOWN, NO_CLEAR_CHANGE, TOO_SMALL_TO_TELL, NOT_COMPUTABLE)
# Reason codes for an undefined test.
REASON_GROUP_TOO_SMALL = "group_too_small"  # a group with fewer than 2 respondents
REASON_BOTH_CONSTANT = "both_groups_constant"  # SE 0 (R: "data are essentially constant")
REASON_ZERO_POOLED_VARIANCE = "zero_pooled_variance"
REASON_TOO_FEW_WAVES = "too_few_waves"
#: Mann-Kendall needs this many waves before it can support a verdict (p < .05 is impossible
#: for fewer than 5 points).
MIN_WAVES_MANN_KENDALL = 5


@dataclass(frozen=True)
class WelchResult:
    """Welch two-sample t test of b - a; arrays (or floats) of equal shape."""

    n_a: NDArray[np.float64]
    n_b: NDArray[np.float64]
    mean_a: NDArray[np.float64]
    mean_b: NDArray[np.float64]
    diff: NDArray[np.float64]
    t: NDArray[np.float64]
    df: NDArray[np.float64]
    p: NDArray[np.float64]
    ci_low: NDArray[np.float64]
    ci_high: NDArray[np.float64]
    reason: NDArray[np.str_]  # "" where computable


@dataclass(frozen=True)
class HedgesResult:
    """Cohen's d, Hedges' g = J d and their noncentral-t CIs, for b - a."""

    d: NDArray[np.float64]
    d_ci_low: NDArray[np.float64]
    d_ci_high: NDArray[np.float64]
    g: NDArray[np.float64]
    g_ci_low: NDArray[np.float64]
    g_ci_high: NDArray[np.float64]
    j: NDArray[np.float64]
    reason: NDArray[np.str_]


@dataclass(frozen=True)
class MannKendallResult:
    """Mann-Kendall trend test with Sen's slope; ``verdict`` needs >= 5 waves."""

    n: int
    s: float
    var_s: float
    z: float
    p: float
    tau_a: float
    sen_slope: float
    verdict: str
    reason: str | None = None


def _stats(x: ArrayLike) -> tuple[float, float, float]:
    v = np.asarray(x, dtype=np.float64)
    v = v[~np.isnan(v)]
    n = v.size
    return n, (v.mean() if n else np.nan), (v.var(ddof=1) if n > 1 else np.nan)


def welch_from_stats(n_a: ArrayLike, mean_a: ArrayLike, var_a: ArrayLike, n_b: ArrayLike,
                     mean_b: ArrayLike, var_b: ArrayLike, confidence: float = 0.95
                     ) -> WelchResult:
    """Welch t test of mean_b - mean_a from group sizes, means and variances (ddof 1).

    Parameters
    ----------
    n_a, mean_a, var_a, n_b, mean_b, var_b : broadcastable arrays.
    confidence : level of the CI of the difference.

    Returns
    -------
    WelchResult; where a group has n < 2 (``group_too_small``) or both variances are 0
    (``both_groups_constant``) every statistic is NaN and ``reason`` says why.

    Notes
    -----
    se = sqrt(v_a/n_a + v_b/n_b), t = (m_b - m_a)/se,
    df = se^4 / ((v_a/n_a)^2/(n_a-1) + (v_b/n_b)^2/(n_b-1)) (Welch-Satterthwaite),
    p = 2 P(T_df > |t|), CI = diff -/+ t_{1-a/2, df} se. One constant group is fine.

    References
    ----------
    Welch, B. L. (1947). Biometrika 34, 28-35.
    """
    na, ma, va, nb, mb, vb = np.broadcast_arrays(*(np.asarray(v, dtype=np.float64) for v in (
        n_a, mean_a, var_a, n_b, mean_b, var_b)))
    small = (na < 2) | (nb < 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        ea, eb = va / na, vb / nb
        se = np.sqrt(ea + eb)
        constant = ~small & (se == 0)
        bad = small | constant
        diff = mb - ma
        df = se**4 / (ea**2 / (na - 1) + eb**2 / (nb - 1))
        df = np.where(bad, np.nan, df)
        t = np.where(bad, np.nan, diff / se)
        p = 2.0 * np.asarray(stats.t.sf(np.abs(t), df))
        half = stats.t.ppf(0.5 + confidence / 2.0, df) * se
    reason = np.where(small, REASON_GROUP_TOO_SMALL, np.where(constant, REASON_BOTH_CONSTANT, ""))
    diff = np.where(small, np.nan, diff)
    return WelchResult(n_a=na, n_b=nb, mean_a=ma, mean_b=mb, diff=diff, t=t, df=df, p=p,
                       ci_low=diff - half, ci_high=diff + half, reason=reason)


def welch_t(a: ArrayLike, b: ArrayLike, confidence: float = 0.95) -> WelchResult:
    """Welch t test of mean(b) - mean(a) on two samples (NaN dropped), as R's ``t.test``.

    See :func:`welch_from_stats`. Fields are 0-d arrays.
    """
    return welch_from_stats(*_stats(a), *_stats(b), confidence=confidence)


def hedges_j(df: ArrayLike) -> NDArray[np.float64]:
    """Exact small-sample correction J(df) = Γ(df/2) / (sqrt(df/2) Γ((df-1)/2)).

    References
    ----------
    Hedges, L. V. (1981). J Educ Stat 6, 107-128.
    """
    m = np.asarray(df, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.exp(special.gammaln(m / 2) - special.gammaln((m - 1) / 2)) / np.sqrt(m / 2)


def _ncp_for(p: float, df: NDArray[np.float64], t: NDArray[np.float64]
             ) -> NDArray[np.float64]:
    """Noncentrality nc with P(T_{df,nc} <= t) = p, vectorised.

    Starts from the normal approximation nc = t - z_p sqrt(1 + t^2/(2 df)) and solves
    ``nctdtr(df, nc, t) = p`` by secant steps on the cells not yet converged (|step| <
    1e-12 with |residual| < 1e-10); cells the secant cannot settle in 60 steps, or where it
    stalls on a flat tail or meets a NaN, fall back to ``brentq``.

    |t| < 1e-100 is solved as t = 0, where the CDF is already equal to double precision:
    scipy 1.17's ``nctdtr(1, nc, 6e-156)`` returns NaN, which sent the solver to a wrong
    root (2.06 instead of 1.95996 for p = 0.025; found by the property test).
    """
    t = np.where(np.abs(t) < 1e-100, 0.0, t)
    z = stats.norm.ppf(p)
    x0 = t - z * np.sqrt(1.0 + t * t / (2.0 * df))
    x1: NDArray[np.float64] = x0 + 0.1
    f0 = special.nctdtr(df, x0, t) - p
    live = np.ones(x0.shape, dtype=bool)
    fallback = np.zeros(x0.shape, dtype=bool)
    for _ in range(60):
        idx = np.flatnonzero(live)
        if idx.size == 0:
            break
        f1 = special.nctdtr(df[idx], x1[idx], t[idx]) - p
        # nctdtr is NaN in places (far tails at df = 1): such a cell is not converged, it
        # goes to the bracketing fallback instead of being taken as a root.
        lost = ~np.isfinite(f1)
        denom = f1 - f0[idx]
        with np.errstate(invalid="ignore", divide="ignore"):
            step = np.where(denom != 0, f1 * (x1[idx] - x0[idx]) / denom, 0.0)
        step = np.clip(np.nan_to_num(step), -5.0, 5.0)  # keep a wild first step in range
        x0[idx], f0[idx] = x1[idx], f1
        x1[idx] -= step
        still = np.abs(step) < 1e-12
        # A step of 0 on a flat tail (f1 == f0, far from the root) is no convergence either.
        stuck = lost | (still & ~(np.abs(f1) < 1e-10))
        fallback[idx[stuck]] = True
        live[idx[stuck | still]] = False
    for i in np.flatnonzero(live | fallback):
        x1[i] = _ncp_brentq(p, float(df[i]), float(t[i]))
    return x1


def _ncp_brentq(p: float, df: float, t: float) -> float:
    """Bracketing fallback for :func:`_ncp_for`; NaN when no root can be bracketed.

    nctdtr decreases in nc. The bracket is found by unit steps upwards from below the root,
    so it stays next to the root: a wide bracket let brentq step into the CDF's NaN pockets
    (df = 1, t = -21: NaN at nc = 7.8 though the root is -1.6).
    """
    lo = t - 10.0
    for _ in range(100):
        if special.nctdtr(df, lo, t) >= p:
            break
        lo -= 10.0
    hi = lo + 1.0
    for _ in range(1000):
        value = special.nctdtr(df, hi, t)
        if value <= p:
            break
        if value > p:  # NaN neither raises lo nor ends the walk
            lo = hi
        hi += 1.0
    try:
        return optimize.brentq(lambda nc: special.nctdtr(df, nc, t) - p, lo, hi, xtol=1e-14)
    except (ValueError, RuntimeError):  # no sign change, or NaN inside the bracket
        return float("nan")


def hedges_from_stats(n_a: ArrayLike, mean_a: ArrayLike, var_a: ArrayLike, n_b: ArrayLike,
                      mean_b: ArrayLike, var_b: ArrayLike, confidence: float = 0.95
                      ) -> HedgesResult:
    """Cohen's d and Hedges' g for mean_b - mean_a with noncentral-t confidence intervals.

    Notes
    -----
    s_p^2 = ((n_a-1) v_a + (n_b-1) v_b)/(n_a+n_b-2), d = (m_b - m_a)/s_p, g = J(df) d with
    the exact J (:func:`hedges_j`), df = n_a + n_b - 2. The CI for d inverts the noncentral
    t: with f = sqrt(n_a n_b/(n_a+n_b)) and t = d f, find nc_lo, nc_hi with
    P(T_{df,nc_lo} <= t) = 1 - a/2 and P(T_{df,nc_hi} <= t) = a/2; CI = nc/f (Steiger &
    Fouladi 1997). The CI for g is J times the CI for d, as ``effectsize::hedges_g``.

    References
    ----------
    Hedges, L. V. (1981). J Educ Stat 6, 107-128. Steiger, J. H., & Fouladi, R. T. (1997).
    In Harlow et al. (Eds.), What If There Were No Significance Tests?, 221-257.
    """
    na, ma, va, nb, mb, vb = np.broadcast_arrays(*(np.asarray(v, dtype=np.float64) for v in (
        n_a, mean_a, var_a, n_b, mean_b, var_b)))
    small = (na < 2) | (nb < 2)
    df = na + nb - 2
    with np.errstate(invalid="ignore", divide="ignore"):
        sp = np.sqrt(((na - 1) * va + (nb - 1) * vb) / df)
        zero = ~small & (sp == 0)
        bad = small | zero
        d = np.where(bad, np.nan, (mb - ma) / sp)
        f = np.sqrt(na * nb / (na + nb))
        j = np.where(bad, np.nan, hedges_j(df))
    q = (1.0 - confidence) / 2.0
    lo = np.full(d.shape, np.nan)
    hi = np.full(d.shape, np.nan)
    ok = ~bad
    if ok.any():
        lo[ok] = _ncp_for(1.0 - q, df[ok], d[ok] * f[ok]) / f[ok]
        hi[ok] = _ncp_for(q, df[ok], d[ok] * f[ok]) / f[ok]
    reason = np.where(small, REASON_GROUP_TOO_SMALL,
                      np.where(zero, REASON_ZERO_POOLED_VARIANCE, ""))
    return HedgesResult(d=d, d_ci_low=lo, d_ci_high=hi, g=j * d, g_ci_low=j * lo,
                        g_ci_high=j * hi, j=j, reason=reason)


def hedges_g(a: ArrayLike, b: ArrayLike, confidence: float = 0.95) -> HedgesResult:
    """Hedges' g of b - a on two samples (NaN dropped); see :func:`hedges_from_stats`."""
    return hedges_from_stats(*_stats(a), *_stats(b), confidence=confidence)


def benjamini_hochberg(p: ArrayLike) -> NDArray[np.float64]:
    """Benjamini-Hochberg adjusted p-values (q-values) with R's ``p.adjust`` semantics.

    Parameters
    ----------
    p : 1-D array of p-values; NaN = undefined test.

    Returns
    -------
    q-values, NaN where p is NaN.

    Notes
    -----
    Undefined p-values are dropped first, m = number of valid tests; sorted decreasingly,
    q_(i) = min_{j >= i} min(1, m p_(j) / j) (step-up cumulative minimum).

    References
    ----------
    Benjamini, Y., & Hochberg, Y. (1995). J R Stat Soc B 57, 289-300.
    """
    pv = np.asarray(p, dtype=np.float64)
    if pv.ndim != 1:
        raise AnalysisInputError("p must be a 1-D array")
    if ((pv < 0) | (pv > 1)).any():
        raise AnalysisInputError("p-values must lie in [0, 1]")
    q = np.full(pv.shape, np.nan)
    valid = np.flatnonzero(~np.isnan(pv))
    m = valid.size
    if m == 0:
        return q
    order = np.argsort(pv[valid])[::-1]
    ranks = np.arange(m, 0, -1)
    adj = np.minimum.accumulate(m / ranks * pv[valid][order])
    q[valid[order]] = np.minimum(adj, 1.0)
    return q


def mann_kendall(series: ArrayLike, times: ArrayLike | None = None,
                 alpha: float = 0.05) -> MannKendallResult:
    """Mann-Kendall trend test with tie correction and continuity correction, Sen's slope.

    Parameters
    ----------
    series : values in time order (e.g. a unit's mean per wave); NaN waves are dropped.
    times : time of each value (default 0, 1, 2, ...), used for Sen's slope.
    alpha : level for the verdict.

    Returns
    -------
    MannKendallResult. Statistics are given for n >= 3; the verdict is ``not_computable``
    (reason ``too_few_waves``) below 5 waves, where p < .05 cannot be reached.

    Notes
    -----
    S = sum_{i<j} sign(x_j - x_i); Var(S) = [n(n-1)(2n+5) - sum_t t(t-1)(2t+5)]/18 over tie
    groups t; Z = (S - sign(S))/sqrt(Var S); p = 2(1 - Φ(|Z|)); tau_a = S/(n(n-1)/2);
    Sen's slope = median over i<j of (x_j - x_i)/(t_j - t_i).

    References
    ----------
    Mann, H. B. (1945). Econometrica 13, 245-259. Kendall, M. G. (1975). Rank Correlation
    Methods. Sen, P. K. (1968). J Am Stat Assoc 63, 1379-1389.
    """
    x = np.asarray(series, dtype=np.float64)
    tt = np.arange(x.size, dtype=np.float64) if times is None else np.asarray(times, float)
    keep = ~np.isnan(x)
    x, tt = x[keep], tt[keep]
    n = x.size
    if n < 3:
        return MannKendallResult(n, *(np.nan,) * 6, verdict=NOT_COMPUTABLE,
                                 reason=REASON_TOO_FEW_WAVES)
    i, j = np.triu_indices(n, 1)
    s = float(np.sign(x[j] - x[i]).sum())
    _, ties = np.unique(x, return_counts=True)
    var_s = (n * (n - 1) * (2 * n + 5) - np.sum(ties * (ties - 1) * (2 * ties + 5))) / 18.0
    z = (s - np.sign(s)) / np.sqrt(var_s) if var_s > 0 else 0.0
    p = float(2.0 * stats.norm.sf(abs(z)))
    slope = float(np.median((x[j] - x[i]) / (tt[j] - tt[i])))
    if n < MIN_WAVES_MANN_KENDALL:
        verdict, reason = NOT_COMPUTABLE, REASON_TOO_FEW_WAVES
    else:
        verdict = UP if (p <= alpha and s > 0) else DOWN if (p <= alpha and s < 0) else \
            NO_CLEAR_CHANGE
        reason = None
    return MannKendallResult(n=n, s=s, var_s=float(var_s), z=float(z), p=p,
                             tau_a=s / (n * (n - 1) / 2), sen_slope=slope, verdict=verdict,
                             reason=reason)


def trend_series(means_by_wave: ArrayLike, alpha: float = 0.05) -> MannKendallResult:
    """Trend line over waves for one unit and dimension: Mann-Kendall + Sen's slope."""
    return mann_kendall(means_by_wave, alpha=alpha)


@dataclass(frozen=True)
class TrendLines:
    """Mann-Kendall + Sen's slope for every unit × dimension; arrays of shape (U, D)."""

    n_waves: NDArray[np.int64]
    s: NDArray[np.float64]
    z: NDArray[np.float64]
    p: NDArray[np.float64]
    sen_slope: NDArray[np.float64]
    verdict: NDArray[np.str_]


def trend_lines(means_by_wave: ArrayLike, alpha: float = 0.05) -> TrendLines:
    """Apply :func:`mann_kendall` to every unit × dimension of a (W, U, D) array of means.

    NaN entries (e.g. waves where the cell was suppressed) are left out of that cell's
    series; cells with fewer than 5 remaining waves get the verdict ``not_computable``.
    """
    m = np.asarray(means_by_wave, dtype=np.float64)
    if m.ndim != 3:
        raise AnalysisInputError("means_by_wave must have shape (waves, units, dimensions)")
    shape = m.shape[1:]
    out = {k: np.full(shape, np.nan) for k in ("n", "s", "z", "p", "slope")}
    verdict = np.full(shape, NOT_COMPUTABLE, dtype=object)
    for idx in np.ndindex(*shape):
        r = mann_kendall(m[(slice(None), *idx)], alpha=alpha)
        out["n"][idx], out["s"][idx], out["z"][idx] = r.n, r.s, r.z
        out["p"][idx], out["slope"][idx], verdict[idx] = r.p, r.sen_slope, r.verdict
    return TrendLines(n_waves=out["n"].astype(np.int64), s=out["s"], z=out["z"], p=out["p"],
                      sen_slope=out["slope"], verdict=verdict.astype(str))
