"""Comparisons: a unit against the rest of the organisation, its percentile among peers, and
rank correlations across units."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

from analysis.trends import WelchResult, welch_from_stats


def rest_stats(n: ArrayLike, mean: ArrayLike, var: ArrayLike, total_n: ArrayLike,
               total_mean: ArrayLike, total_var: ArrayLike
               ) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Size, mean and variance (ddof 1) of the respondents outside a unit.

    Notes
    -----
    From the sums S = n m and Q = (n - 1) v + n m^2 of the unit and of the whole
    organisation: n_r = N - n, m_r = (S_N - S)/n_r, v_r = (Q_N - Q - n_r m_r^2)/(n_r - 1).
    Pass centred means (mean minus a common constant) for best precision; the difference
    of means does not depend on the constant.
    """
    n, m, v, tn, tm, tv = (np.asarray(a, dtype=np.float64) for a in (
        n, mean, var, total_n, total_mean, total_var))
    with np.errstate(invalid="ignore", divide="ignore"):
        s = n * np.nan_to_num(m)
        q = np.nan_to_num((n - 1) * v) + n * np.nan_to_num(m) ** 2
        ts, tq = tn * tm, (tn - 1) * tv + tn * tm**2
        nr = tn - n
        mr = (ts - s) / nr
        vr = (tq - q - nr * mr**2) / (nr - 1)
    return nr, np.where(nr > 0, mr, np.nan), np.where(nr > 1, np.maximum(vr, 0.0), np.nan)


def unit_vs_rest(n: ArrayLike, mean: ArrayLike, var: ArrayLike, total_n: ArrayLike,
                 total_mean: ArrayLike, total_var: ArrayLike,
                 confidence: float = 0.95) -> WelchResult:
    """Welch t test of unit mean minus the mean of the rest of the organisation.

    Parameters
    ----------
    n, mean, var : per unit (any shape).
    total_n, total_mean, total_var : the whole organisation (broadcast against the units).

    Returns
    -------
    WelchResult with a = rest, b = unit (``diff`` = unit - rest); see
    :func:`analysis.trends.welch_from_stats` for the formulas.
    """
    nr, mr, vr = rest_stats(n, mean, var, total_n, total_mean, total_var)
    return welch_from_stats(nr, mr, vr, n, mean, var, confidence=confidence)


def percentile_rank(values: ArrayLike, peer_group: ArrayLike | None = None) -> NDArray[np.float64]:
    """Percentile of each value among its peers (NaN values are not ranked and get NaN).

    Parameters
    ----------
    values : (U,) e.g. unit means of one dimension.
    peer_group : (U,) integer peer label (e.g. depth in the unit tree); default: all peers.

    Returns
    -------
    (U,) percentile rank 100 (below + 0.5 equal) / m, m = peers with a value
    (the mid-rank definition; Crocker & Algina 1986). A single peer gets 50.
    """
    x = np.asarray(values, dtype=np.float64)
    grp = np.zeros(x.shape, np.intp) if peer_group is None else np.asarray(peer_group, np.intp)
    out = np.full(x.shape, np.nan)
    for g in np.unique(grp):
        idx = np.flatnonzero((grp == g) & ~np.isnan(x))
        if idx.size == 0:
            continue
        v = np.sort(x[idx])
        below = np.searchsorted(v, x[idx], side="left")
        equal = np.searchsorted(v, x[idx], side="right") - below
        out[idx] = 100.0 * (below + 0.5 * equal) / idx.size
    return out


@dataclass(frozen=True)
class SpearmanResult:
    """Spearman's rank correlation over the complete pairs, with its interval."""

    n: int  # complete pairs
    rho: float  # NaN when n < 4 or a variable is constant
    ci_low: float
    ci_high: float


def spearman_interval(x: ArrayLike, y: ArrayLike, confidence: float = 0.95) -> SpearmanResult:
    """Spearman's rho of the pairs where both values are present, with a Fisher-z interval.

    Notes
    -----
    rho is Pearson's r of the average ranks (ties share their mean rank), as
    ``scipy.stats.spearmanr``. Interval: z = atanh(rho) +- z_(1-a/2) SE with Bonett and
    Wright's SE = sqrt((1 + rho^2 / 2) / (n - 3)), back-transformed by tanh; for n >= 4.

    References
    ----------
    Bonett, D. G., & Wright, T. A. (2000). Sample size requirements for estimating Pearson,
    Kendall and Spearman correlations. Psychometrika, 65(1), 23-28.
    """
    a, b = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    keep = np.isfinite(a) & np.isfinite(b)
    a, b = a[keep], b[keep]
    n = int(a.size)
    nan = SpearmanResult(n, float("nan"), float("nan"), float("nan"))
    if n < 4 or np.ptp(a) == 0 or np.ptp(b) == 0:
        return nan
    ra, rb = stats.rankdata(a), stats.rankdata(b)
    rho = float(np.corrcoef(ra, rb)[0, 1])
    if abs(rho) >= 1:
        return SpearmanResult(n, rho, rho, rho)
    half = stats.norm.ppf(0.5 + confidence / 2) * np.sqrt((1 + rho**2 / 2) / (n - 3))
    z = np.arctanh(rho)
    return SpearmanResult(n, rho, float(np.tanh(z - half)), float(np.tanh(z + half)))
