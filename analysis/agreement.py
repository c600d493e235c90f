"""Within-unit agreement and reliability of unit means: rwg(j), ICC(1), ICC(2), verdicts.

Cross-checked against R ``multilevel`` 2.7 (``rwg.j``, ``ICC1``, ``ICC2``).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

from analysis.errors import AnalysisInputError

# Verdict codes for rwg(j) (LeBreton & Senter 2008, Table 3). The reports package translates
# them; the cut-offs are the lower bounds of each band.
RWG_LACK = "lack_of_agreement"  # rwg < .30
RWG_WEAK = "weak_agreement"  # .30 <= rwg < .50
RWG_MODERATE = "moderate_agreement"  # .50 <= rwg < .70
RWG_STRONG = "strong_agreement"  # .70 <= rwg < .90  (the conventional rwg >= .70 cut-off)
RWG_VERY_STRONG = "very_strong_agreement"  # rwg >= .90
NOT_COMPUTABLE = "not_computable"
RWG_BANDS = ((0.90, RWG_VERY_STRONG), (0.70, RWG_STRONG), (0.50, RWG_MODERATE),
             (0.30, RWG_WEAK), (-np.inf, RWG_LACK))
#: Every rwg(j) verdict code, from weakest to strongest, then not computable.
RWG_VERDICTS = (RWG_LACK, RWG_WEAK, RWG_MODERATE, RWG_STRONG, RWG_VERY_STRONG, NOT_COMPUTABLE)
#: rwg(j) at or above this value justifies aggregating members' answers to a unit score.
RWG_CUTOFF = 0.70

# Verdict codes for ICC(2), the reliability of unit means (cut-off .70, LeBreton & Senter 2008).
ICC2_RELIABLE = "reliable_unit_means"
ICC2_UNRELIABLE = "unreliable_unit_means"
ICC2_CUTOFF = 0.70
# Verdict codes for ICC(1), the effect of unit membership (LeBreton & Senter 2008: .01 small,
# .10 medium, .25 large).
ICC1_NONE = "no_unit_effect"  # < .01
ICC1_SMALL = "small_unit_effect"  # .01 <= ICC(1) < .10
ICC1_MEDIUM = "medium_unit_effect"  # .10 <= ICC(1) < .25
ICC1_LARGE = "large_unit_effect"  # >= .25
ICC1_BANDS = ((0.25, ICC1_LARGE), (0.10, ICC1_MEDIUM), (0.01, ICC1_SMALL), (-np.inf, ICC1_NONE))

REASON_TOO_FEW_GROUPS = "too_few_groups"
REASON_NO_WITHIN_DF = "no_within_group_df"
REASON_NO_BETWEEN_VARIANCE = "zero_between_mean_square"


@dataclass(frozen=True)
class RwgResult:
    """rwg(j) per group; NaN where the group has fewer than 2 complete respondents."""

    n: NDArray[np.int64]
    mean_item_var: NDArray[np.float64]
    rwg_j: NDArray[np.float64]
    n_items: int
    points: int


@dataclass(frozen=True)
class IccResult:
    """One-way ANOVA ICC(1) and ICC(2) over groups; NaN with ``reason`` if not computable."""

    icc1: float
    icc2: float
    msb: float
    msw: float
    df_between: int
    df_within: int
    k_bar: float
    f: float = np.nan
    p: float = np.nan
    reason: str | None = None


#: Null distributions of rwg(j): the answers expected if nobody agreed.
NULL_UNIFORM = "uniform"
NULL_SLIGHT_SKEW = "slight_skew"
NULLS = (NULL_UNIFORM, NULL_SLIGHT_SKEW)
#: The slightly skewed 5-point null of LeBreton & Senter (2008, Table 2; variance 1.34).
_SLIGHT_SKEW_5 = (0.05, 0.15, 0.20, 0.35, 0.25)
#: Monte Carlo draws per critical value, and the largest group simulated (larger groups use
#: its critical value, which is conservative: critical values fall as groups grow).
CRITICAL_DRAWS = 4000
CRITICAL_MAX_N = 100
#: Verdict code where rwg(j) does not exceed what random answering gives at this group size.
RWG_NOT_BEYOND_CHANCE = "not_beyond_chance"
#: Verdict code of a subtree whose respondents come from several units (not one group).
RWG_SEVERAL_UNITS = "several_units"
# Verdict codes for the reliability of one unit's mean at its own size (Spearman-Brown).
MEAN_RELIABLE = "dependable_unit_mean"
MEAN_UNRELIABLE = "undependable_unit_mean"


def null_proportions(points: int, null: str = NULL_UNIFORM) -> NDArray[np.float64]:
    """Category proportions 1..A of a null distribution of rwg(j).

    ``slight_skew`` is LeBreton & Senter's (2008, Table 2) slightly skewed 5-point null
    (.05/.15/.20/.35/.25). For other numbers of options no proportions are published (some
    tables give variances only); here they are the same distribution re-binned: its
    proportions as a piecewise-uniform density on [0, 1], cut into A equal bins. For A = 5
    this reproduces the published null; for A = 6 it gives variance 2.03, for A = 4 0.90,
    for A = 7 2.79. A caller with another tabulated variance passes it as ``null_var``.
    """
    a = int(points)
    if null not in NULLS:
        raise AnalysisInputError(f"unknown null {null!r}; choose one of {', '.join(NULLS)}")
    if a < 2:
        raise AnalysisInputError("a null distribution needs at least 2 answer options")
    if null == NULL_UNIFORM:
        return np.full(a, 1.0 / a)
    base = np.asarray(_SLIGHT_SKEW_5)
    cdf = np.interp(np.linspace(0.0, 1.0, a + 1), np.linspace(0.0, 1.0, base.size + 1),
                    np.r_[0.0, np.cumsum(base)])
    return np.diff(cdf)


def null_variance(points: int, null: str = NULL_UNIFORM) -> float:
    """Variance of a null distribution (uniform: (A^2 - 1)/12; slight skew 5-point: 1.34)."""
    p = null_proportions(points, null)
    x = np.arange(1, p.size + 1, dtype=np.float64)
    m = float(p @ x)
    return float(p @ (x * x)) - m * m


def rwg_critical_value(n: ArrayLike, n_items: int, points: int, null: str = NULL_UNIFORM,
                       alpha: float = 0.05) -> NDArray[np.float64]:
    """The 1 - alpha quantile of rwg(j) when n people answer J items at random from the null.

    An rwg(j) at or below it is what random answering gives at this group size (Dunlap,
    Burke & Smith-Crowe 2003 for rwg; for rwg(j) by simulation, as R ``multilevel::rwg.j.sim``).
    Deterministic (seeded per group size), ``CRITICAL_DRAWS`` draws, cached; groups above
    ``CRITICAL_MAX_N`` use that size's value. NaN where n < 2.

    References
    ----------
    Dunlap, W. P., Burke, M. J., & Smith-Crowe, K. (2003). J Appl Psychol 88(2), 356-362.
    """
    nn = np.asarray(n, dtype=np.float64)
    out = np.full(nn.shape, np.nan)
    capped = np.minimum(np.where(np.isfinite(nn), nn, 0), CRITICAL_MAX_N).astype(np.int64)
    for size in np.unique(capped[capped >= 2]):
        out[capped == size] = _critical(int(size), int(n_items), int(points), null,
                                        float(alpha))
    return out


@functools.lru_cache(maxsize=4096)
def _critical(n: int, n_items: int, points: int, null: str, alpha: float) -> float:
    rng = np.random.default_rng([n, n_items, points, NULLS.index(null)])
    p = null_proportions(points, null)
    x = rng.choice(np.arange(1, points + 1), p=p, size=(CRITICAL_DRAWS, n, n_items))
    s2 = x.var(axis=1, ddof=1).mean(axis=1)
    r = rwg_j_from_variance(s2, n_items, points, null_variance(points, null))
    return float(np.quantile(r, 1.0 - alpha))


def mean_reliability(icc1: ArrayLike, n: ArrayLike) -> NDArray[np.float64]:
    """Reliability of a group mean of n members: n rho / (1 + (n - 1) rho) (Spearman-Brown).

    rho = ICC(1), clipped at 0 (a negative ICC(1) estimates no group effect, so a mean is
    not a dependable measure of the group; the formula would give values below 0). NaN where
    rho or n is undefined or n < 1. With n the average group size this is ICC(2) of a
    balanced design (Bliese 2000).

    References
    ----------
    Bliese, P. D. (2000). Within-group agreement, non-independence, and reliability. In
    Klein & Kozlowski (eds.), Multilevel Theory, Research, and Methods in Organizations.
    """
    rho = np.clip(np.asarray(icc1, dtype=np.float64), 0.0, None)
    nn = np.asarray(n, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        r = nn * rho / (1.0 + (nn - 1.0) * rho)
    return np.where(nn >= 1, r, np.nan)


def mean_reliability_verdict(value: float) -> str:
    """dependable_unit_mean at .70 or above (the ICC(2) cut-off), else undependable."""
    return _band(value, ((ICC2_CUTOFF, MEAN_RELIABLE), (-np.inf, MEAN_UNRELIABLE)))


def rwg_j_from_variance(
    mean_item_var: ArrayLike, n_items: int, points: ArrayLike, null_var: ArrayLike | None = None
) -> NDArray[np.float64]:
    """rwg(j) from the mean within-group item variance.

    Parameters
    ----------
    mean_item_var : array of s̄^2, mean over the J items of the within-group variances (ddof 1).
    n_items : J.
    points : A, number of response options.
    null_var : σ²_E of the null distribution; None = uniform, (A^2 - 1)/12
        (see :func:`null_variance` for a slightly skewed one).

    Returns
    -------
    rwg(j) = J (1 - s̄^2/σ²_E) / (J (1 - s̄^2/σ²_E) + s̄^2/σ²_E);
    set to 0 where s̄^2 > σ²_E (James, Demaree & Wolf 1984; LeBreton & Senter 2008).

    References
    ----------
    James, L. R., Demaree, R. G., & Wolf, G. (1984). J Appl Psychol 69, 85-98.
    LeBreton, J. M., & Senter, J. L. (2008). Organ Res Methods 11, 815-852.
    """
    s2 = np.asarray(mean_item_var, dtype=np.float64)
    a = np.asarray(points, dtype=np.float64)
    expected = (a * a - 1.0) / 12.0 if null_var is None else np.asarray(null_var, np.float64)
    ratio = s2 / expected
    j = float(n_items)
    with np.errstate(invalid="ignore", divide="ignore"):
        r = j * (1.0 - ratio) / (j * (1.0 - ratio) + ratio)
    return np.where(ratio > 1.0, 0.0, r)


def rwg_j(values: ArrayLike, group: ArrayLike, n_groups: int, points: int) -> RwgResult:
    """rwg(j) per group for one set of items (respondents with a missing item are dropped).

    Parameters
    ----------
    values : (n, J) answers (reverse-keyed), NaN = missing.
    group : (n,) group index 0..G-1.
    n_groups : G.
    points : A.

    Returns
    -------
    RwgResult with arrays of length G. See :func:`rwg_j_from_variance` for the formula.
    """
    x = np.asarray(values, dtype=np.float64)
    g = _check_group(group, x.shape[0], n_groups)
    keep = ~np.isnan(x).any(axis=1)
    x, g = x[keep], g[keep]
    n = np.bincount(g, minlength=n_groups)
    s2 = np.zeros(n_groups)
    for j in range(x.shape[1]):
        s2 += _group_var(x[:, j], g, n, n_groups)
    s2 /= x.shape[1]
    r = rwg_j_from_variance(s2, x.shape[1], points)
    return RwgResult(n=n, mean_item_var=s2, rwg_j=np.where(n >= 2, r, np.nan),
                     n_items=x.shape[1], points=int(points))


def _group_var(x: NDArray[np.float64], g: NDArray[np.intp], n: NDArray[np.int64], n_groups: int
               ) -> NDArray[np.float64]:
    """Within-group variance (ddof 1) by two-pass bincount (NaN where n < 2)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        m = np.bincount(g, weights=x, minlength=n_groups) / n
        ss = np.bincount(g, weights=(x - m[g]) ** 2, minlength=n_groups)
        return np.where(n >= 2, ss / (n - 1), np.nan)


def _check_group(group: ArrayLike, n_rows: int, n_groups: int) -> NDArray[np.intp]:
    g = np.asarray(group)
    if g.shape != (n_rows,) or not np.issubdtype(g.dtype, np.integer):
        raise AnalysisInputError("group must be an integer array with one entry per respondent")
    if g.size and (g.min() < 0 or g.max() >= n_groups):
        raise AnalysisInputError(f"group indices must lie in 0..{n_groups - 1}")
    return g.astype(np.intp)


def icc_from_stats(n: ArrayLike, mean: ArrayLike, ss_within: ArrayLike) -> IccResult:
    """ICC(1) and ICC(2) from per-group n, mean and within-group sum of squares.

    Parameters
    ----------
    n, mean, ss_within : arrays over groups; groups with n = 0 are ignored.

    Returns
    -------
    IccResult

    Notes
    -----
    One-way ANOVA with G non-empty groups and N respondents:
    MSB = sum n_g (m_g - m)^2 / (G - 1), MSW = sum SS_g / (N - G),
    ICC(1) = (MSB - MSW) / (MSB + (k̄ - 1) MSW) with k̄ = N / G (the convention of
    ``multilevel::ICC1``; Bliese 2000), ICC(2) = (MSB - MSW) / MSB; F = MSB/MSW with its
    p-value on (G - 1, N - G) df.

    References
    ----------
    Bliese, P. D. (2000). In Klein & Kozlowski (Eds.), Multilevel Theory, Research, and
    Methods in Organizations, 349-381.
    """
    n = np.asarray(n, dtype=np.float64)
    live = n > 0
    n, m, ss = n[live], np.asarray(mean, dtype=np.float64)[live], np.asarray(ss_within)[live]
    big_n, g = n.sum(), n.size
    if g < 2:
        return _icc_nan(REASON_TOO_FEW_GROUPS, g, big_n)
    if big_n - g < 1:
        return _icc_nan(REASON_NO_WITHIN_DF, g, big_n)
    grand = np.sum(n * m) / big_n
    msb = float(np.sum(n * (m - grand) ** 2) / (g - 1))
    msw = float(np.sum(ss) / (big_n - g))
    k_bar = float(big_n / g)
    if msb <= 0:
        return _icc_nan(REASON_NO_BETWEEN_VARIANCE, g, big_n)
    icc1 = (msb - msw) / (msb + (k_bar - 1) * msw)
    f = msb / msw if msw > 0 else np.inf
    return IccResult(icc1=float(icc1), icc2=float((msb - msw) / msb), msb=msb, msw=msw,
                     df_between=int(g - 1), df_within=int(big_n - g), k_bar=k_bar, f=f,
                     p=float(stats.f.sf(f, g - 1, big_n - g)))


def _icc_nan(reason: str, g: int, big_n: float) -> IccResult:
    return IccResult(icc1=np.nan, icc2=np.nan, msb=np.nan, msw=np.nan, df_between=int(g - 1),
                     df_within=int(big_n - g), k_bar=float(big_n / g) if g else np.nan,
                     reason=reason)


def icc(scores: ArrayLike, group: ArrayLike, n_groups: int) -> IccResult:
    """ICC(1) and ICC(2) of respondent scores grouped by unit (NaN scores are dropped).

    See :func:`icc_from_stats` for the formulas.
    """
    y = np.asarray(scores, dtype=np.float64)
    g = _check_group(group, y.shape[0], n_groups)
    keep = ~np.isnan(y)
    y, g = y[keep], g[keep]
    n = np.bincount(g, minlength=n_groups)
    with np.errstate(invalid="ignore", divide="ignore"):
        m = np.bincount(g, weights=y, minlength=n_groups) / n
    ss = np.bincount(g, weights=(y - np.nan_to_num(m)[g]) ** 2, minlength=n_groups)
    return icc_from_stats(n, m, ss)


def _band(value: float, bands: tuple[tuple[float, str], ...]) -> str:
    if not np.isfinite(value):
        return NOT_COMPUTABLE
    return next(code for low, code in bands if value >= low)


def rwg_verdict(value: float) -> str:
    """Verdict code for one rwg(j) value (LeBreton & Senter 2008 bands); see RWG_* constants."""
    return _band(value, RWG_BANDS)


def icc1_verdict(value: float) -> str:
    """Verdict code for ICC(1); see ICC1_* constants."""
    return _band(value, ICC1_BANDS)


def icc2_verdict(value: float) -> str:
    """Verdict code for ICC(2): reliable unit means when ICC(2) >= .70."""
    return _band(value, ((ICC2_CUTOFF, ICC2_RELIABLE), (-np.inf, ICC2_UNRELIABLE)))
