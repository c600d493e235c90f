"""Construct validity of an instrument each wave: are its dimensions distinct?

HTMT (Henseler, Ringle & Sarstedt 2015), disattenuated correlations of dimension scores,
omega hierarchical (Schmid-Leiman on an oblimin minres solution, as ``psych::omega``) and a
maximum-likelihood CFA of the dimensional model against one factor (as ``lavaan::cfa``).
Every estimator uses the complete rows of the items (listwise), as lavaan does by default.

Cross-checked against R 4.2.2 with psych 2.2.9, GPArotation 2022.10.2, lavaan 0.6.14 and
semTools 0.5.6; see tests/data/validity.R, tests/data/validity_expected.json and
tests/analysis/test_validity.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeAlias

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import optimize, stats

from analysis.errors import AnalysisInputError
from analysis.reliability import minres_one_factor

#: Verdict codes of :func:`dimensions_distinct` (reports/ translates them).
VERDICT_DISTINCT = "dimensions_distinct"
VERDICT_NOT_DISTINCT = "not_distinct_report_instrument_level"
VERDICT_NOT_COMPUTABLE = "not_computable"
#: Per-pair codes.
PAIR_DISTINCT = "distinct"
PAIR_NOT_DISTINCT = "not_distinct"
PAIR_NOT_COMPUTABLE = "not_computable"
#: Warning codes.
WARN_NOT_CONVERGED = "not_converged"
WARN_HEYWOOD = "heywood_case"
WARN_NEGATIVE_G_LOADING = "negative_general_loading"
WARN_TWO_FACTORS = "two_factors_equal_general_loadings"

MIN_ROWS = 3

#: Dimension labels, sorted, as given in ``item_dimension`` (strings or numbers).
Labels: TypeAlias = tuple[Any, ...]


@dataclass(frozen=True)
class Items:
    """Complete rows of the items and the dimension of each item (validated input)."""

    x: NDArray[np.float64]
    dimension: NDArray[np.intp]  # index into labels, per item
    labels: Labels
    n_rows_given: int

    @property
    def n(self) -> int:
        """Number of complete rows used."""
        return int(self.x.shape[0])

    def members(self, d: int) -> NDArray[np.intp]:
        """Item indices of dimension d."""
        return np.flatnonzero(self.dimension == d)


def dimension_map(item_dimension: ArrayLike, k: int) -> tuple[Labels, NDArray[np.intp]]:
    """Sorted dimension labels and each item's index into them, validated.

    Raises
    ------
    AnalysisInputError
        When item_dimension does not have one entry per item, fewer than two dimensions or
        a dimension with fewer than two items are given.
    """
    dims = np.asarray(item_dimension)
    if dims.ndim != 1 or dims.size != k:
        raise AnalysisInputError(
            f"item_dimension needs one entry per item column: got {dims.size} for {k} columns")
    labels, index = np.unique(dims, return_inverse=True)
    if labels.size < 2:
        raise AnalysisInputError("validity needs at least two dimensions; got one")
    sizes = np.bincount(index, minlength=labels.size)
    if (sizes < 2).any():
        small = [str(lab) for lab, s in zip(labels, sizes, strict=True) if s < 2]
        raise AnalysisInputError(
            f"every dimension needs at least two items; too few in: {', '.join(small)}")
    return tuple(labels.tolist()), index.astype(np.intp)


def prepare_items(data: ArrayLike, item_dimension: ArrayLike) -> Items:
    """Validate answers and the item -> dimension map; keep complete rows (listwise).

    Raises
    ------
    AnalysisInputError
        When data is not 2-D, item_dimension is invalid (see :func:`dimension_map`), or
        fewer than 3 complete rows remain.
    """
    x = np.asarray(data, dtype=np.float64)
    if x.ndim != 2:
        raise AnalysisInputError("data must be a 2-D array (respondents x items)")
    labels, index = dimension_map(item_dimension, x.shape[1])
    rows = x[~np.isnan(x).any(axis=1)]
    if rows.shape[0] < MIN_ROWS:
        raise AnalysisInputError(
            f"{rows.shape[0]} complete rows; validity needs at least {MIN_ROWS} "
            "respondents who answered every item")
    return Items(x=rows, dimension=index, labels=labels, n_rows_given=x.shape[0])


# --------------------------------------------------------------------------------------
# HTMT and disattenuated correlations


@dataclass(frozen=True)
class HtmtResult:
    """HTMT per pair of dimensions (symmetric, diagonal 1; NaN where an item is constant)."""

    dimensions: Labels
    n: int
    htmt: NDArray[np.float64]
    monotrait: NDArray[np.float64]  # mean within-dimension correlation per dimension


def _cor(x: NDArray[np.float64]) -> NDArray[np.float64]:
    """Correlation matrix; constant items give NaN rows instead of a warning."""
    return _cov2cor(np.cov(x, rowvar=False))


def _cov2cor(c: NDArray[np.float64]) -> NDArray[np.float64]:
    """cov2cor; items with zero or undefined variance give NaN rows instead of a warning."""
    d = np.sqrt(np.diag(c))
    with np.errstate(invalid="ignore", divide="ignore"):
        r: NDArray[np.float64] = c / np.outer(d, d)
    np.fill_diagonal(r, 1.0)
    r[~np.isfinite(d) | (d == 0), :] = np.nan
    r[:, ~np.isfinite(d) | (d == 0)] = np.nan
    return r


def htmt(data: ArrayLike, item_dimension: ArrayLike) -> HtmtResult:
    """Heterotrait-monotrait ratio of correlations for every pair of dimensions.

    Parameters
    ----------
    data : (n, k) reverse-keyed answers, NaN = missing; complete rows only are used.
    item_dimension : (k,) dimension label of each item (at least two items per dimension).

    Returns
    -------
    HtmtResult

    Notes
    -----
    With r the Pearson correlations of the items, for dimensions i (items I) and j (items J)

        HTMT_ij = mean_{a in I, b in J} r_ab / sqrt(mono_i * mono_j),
        mono_i = mean_{a < a' in I} r_aa'

    (Henseler, Ringle & Sarstedt 2015, eq. 6). Raw correlations are averaged, as in the
    paper; semTools' default takes absolute values and geometric means (HTMT2, Roemer et al.
    2021), which differs when correlations are unequal or negative.

    Cross-check: equals ``semTools::htmt(model, x, absolute = FALSE, htmt2 = FALSE)`` and the
    same formula written with ``cor(na.omit(x))`` in R to 1e-12 (tests/data/validity.R).

    References
    ----------
    Henseler, J., Ringle, C. M., & Sarstedt, M. (2015). A new criterion for assessing
    discriminant validity in variance-based structural equation modeling. Journal of the
    Academy of Marketing Science 43(1), 115-135.
    """
    items = prepare_items(data, item_dimension)
    return _htmt(_cor(items.x), items.dimension, items.labels, items.n)


def htmt_from_cor(r: ArrayLike, item_dimension: ArrayLike, n: int) -> HtmtResult:
    """:func:`htmt` from the items' correlation matrix R of n complete rows.

    The same estimator: ``htmt(x, dims)`` equals ``htmt_from_cor(cor(complete rows of x),
    dims, n)``; use this when R has been computed once for several estimators.
    """
    rr = np.asarray(r, dtype=np.float64)
    labels, index = dimension_map(item_dimension, rr.shape[0])
    return _htmt(rr, index, labels, int(n))


def _htmt(r: NDArray[np.float64], index: NDArray[np.intp], labels: Labels, n: int
          ) -> HtmtResult:
    """HTMT from R with block sums: one pass over R whatever the number of dimensions."""
    m = len(labels)
    member = (index[:, None] == np.arange(m)[None, :]).astype(np.float64)  # (k, m)
    sizes = member.sum(axis=0)
    undefined = np.isnan(r)  # a constant item: NaN only in the blocks it belongs to
    block_sum = member.T @ np.where(undefined, 0.0, r) @ member  # sum over items of i x j
    block_sum[member.T @ undefined @ member > 0] = np.nan
    with np.errstate(invalid="ignore", divide="ignore"):
        mono = (np.diag(block_sum) - sizes) / (sizes * (sizes - 1))
        hetero = block_sum / np.outer(sizes, sizes)
        h = hetero / np.sqrt(np.outer(mono, mono))
    np.fill_diagonal(h, 1.0)
    return HtmtResult(dimensions=labels, n=n, htmt=h, monotrait=mono)


@dataclass(frozen=True)
class DisattenuatedResult:
    """Correlations of dimension scores, the alphas, and the disattenuated correlations."""

    dimensions: Labels
    n: int
    alpha: NDArray[np.float64]
    score_correlation: NDArray[np.float64]
    disattenuated: NDArray[np.float64]  # diagonal set to 1


def disattenuated_correlations(data: ArrayLike, item_dimension: ArrayLike
                               ) -> DisattenuatedResult:
    """Correlations of dimension scores corrected for unreliability (Spearman 1904).

    Parameters
    ----------
    data : (n, k) reverse-keyed answers, NaN = missing; complete rows only are used.
    item_dimension : (k,) dimension label of each item.

    Returns
    -------
    DisattenuatedResult

    Notes
    -----
    With s_i the row mean of dimension i's items and alpha_i its raw Cronbach alpha (both
    on the same complete rows),

        r*_ij = cor(s_i, s_j) / sqrt(alpha_i * alpha_j).

    Values near or above 1 mean the two scores measure the same thing up to error. Alpha
    is a lower bound of reliability for non-tau-equivalent items, so r* tends to be too
    high, never too low, for distinct dimensions.

    Cross-check: equals ``cor(sapply(dims, function(d) rowMeans(na.omit(x)[, d]))) /
    sqrt(outer(a, a))`` with ``a = psych::alpha(na.omit(x)[, d])$total$raw_alpha`` to 1e-12.

    References
    ----------
    Spearman, C. (1904). The proof and measurement of association between two things.
    American Journal of Psychology 15, 72-101.
    """
    items = prepare_items(data, item_dimension)
    return _disattenuated(np.cov(items.x, rowvar=False), items.dimension, items.labels, items.n)


def disattenuated_from_cov(c: ArrayLike, item_dimension: ArrayLike, n: int
                           ) -> DisattenuatedResult:
    """:func:`disattenuated_correlations` from the items' covariance matrix of n rows.

    The scores' covariances are W' C W with W the (k, m) row-mean weights, and each alpha
    comes from its dimension's block of C, so no pass over the rows is needed; the
    divisor of C (N or N - 1) cancels.
    """
    cc = np.asarray(c, dtype=np.float64)
    labels, index = dimension_map(item_dimension, cc.shape[0])
    return _disattenuated(cc, index, labels, int(n))


def _block_alpha(c: NDArray[np.float64]) -> float:
    """Raw alpha of a covariance block; zero-variance items dropped, as psych::alpha."""
    keep = np.diag(c) > 0
    k = int(keep.sum())
    if k < 2:
        return np.nan
    b = c[np.ix_(keep, keep)]
    return float(k / (k - 1) * (1.0 - np.trace(b) / np.sum(b)))


def _disattenuated(c: NDArray[np.float64], index: NDArray[np.intp], labels: Labels, n: int
                   ) -> DisattenuatedResult:
    m = len(labels)
    member = (index[:, None] == np.arange(m)[None, :]).astype(np.float64)
    w = member / member.sum(axis=0)
    score_cov = w.T @ c @ w
    alphas = np.array([_block_alpha(c[np.ix_(index == d, index == d)]) for d in range(m)])
    r = _cov2cor(score_cov)
    with np.errstate(invalid="ignore"):
        star = r / np.sqrt(np.outer(alphas, alphas))
    np.fill_diagonal(star, 1.0)
    return DisattenuatedResult(dimensions=labels, n=n, alpha=alphas, score_correlation=r,
                               disattenuated=star)


# --------------------------------------------------------------------------------------
# Maximum-likelihood CFA (lavaan's conventions)


@dataclass(frozen=True)
class CfaFit:
    """One ML CFA fit (std.lv: factor variances 1). Arrays are per item / per factor."""

    chisq: float
    df: int
    pvalue: float
    cfi: float
    tli: float
    rmsea: float
    srmr: float
    loadings: NDArray[np.float64]  # (k,) loading of each item on its factor
    residual_variance: NDArray[np.float64]
    factor_correlation: NDArray[np.float64]  # (m, m)
    converged: bool
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class CfaComparison:
    """Dimensional model vs one factor on the same items and rows."""

    dimensions: Labels
    n: int
    baseline_chisq: float
    baseline_df: int
    dimensional: CfaFit
    one_factor: CfaFit
    chisq_diff: float
    df_diff: int
    p_diff: float

    @property
    def bic_difference(self) -> float:
        """BIC(one factor) - BIC(dimensional) = chi2_diff - df_diff ln N; > 0 favours dimensions.

        lavaan's BIC is -2 logL + q ln N, so for two ML fits to the same S the log-likelihood
        terms differ by the chi-square difference (Raftery 1995, Sociological Methodology 25).
        """
        return float(self.chisq_diff - self.df_diff * np.log(self.n))


def _unpack(theta: NDArray[np.float64], pattern: NDArray[np.bool_]
            ) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Loadings matrix, factor correlation matrix and residual variances from theta."""
    k, m = pattern.shape
    lam = np.zeros((k, m))
    lam[pattern] = theta[:k]
    psi = theta[k:2 * k]
    phi = np.eye(m)
    iu = np.triu_indices(m, 1)
    phi[iu] = theta[2 * k:]
    phi[iu[::-1]] = theta[2 * k:]
    return lam, phi, psi


def _ml_discrepancy(theta: NDArray[np.float64], s: NDArray[np.float64], pattern: NDArray[np.bool_],
                    logdet_s: float) -> tuple[float, NDArray[np.float64]]:
    """F = log|Sigma| + tr(S Sigma^-1) - log|S| - p and its gradient in theta."""
    lam, phi, psi = _unpack(theta, pattern)
    sigma = lam @ phi @ lam.T + np.diag(psi)
    try:  # the ML discrepancy is defined for positive definite Sigma only
        np.linalg.cholesky(sigma)
    except np.linalg.LinAlgError:
        return np.inf, np.zeros_like(theta)
    logdet = np.linalg.slogdet(sigma)[1]
    inv = np.linalg.inv(sigma)
    f = logdet + np.trace(s @ inv) - logdet_s - s.shape[0]
    g_sigma = inv - inv @ s @ inv
    g_lam = 2.0 * g_sigma @ lam @ phi
    g_phi = 2.0 * lam.T @ g_sigma @ lam
    iu = np.triu_indices(phi.shape[0], 1)
    grad = np.concatenate([g_lam[pattern], np.diag(g_sigma), g_phi[iu]])
    return f, grad


def _start(s: NDArray[np.float64], pattern: NDArray[np.bool_]) -> NDArray[np.float64]:
    """Start values: loadings 0.7 sd, residual variances half the variance, r = 0."""
    sd = np.sqrt(np.diag(s))
    m = pattern.shape[1]
    return np.concatenate([0.7 * sd, 0.5 * np.diag(s), np.zeros(m * (m - 1) // 2)])


#: BFGS restarts from the last point when the line search gives up early.
ML_RESTARTS = 4


def _fit_ml(s: NDArray[np.float64], pattern: NDArray[np.bool_]
            ) -> tuple[NDArray[np.float64], float, bool]:
    """Minimise the ML discrepancy by BFGS with the analytic gradient.

    Near the boundary (factor correlations close to 1, Sigma near singular) BFGS's line
    search can stop after one step; a restart from that point with a fresh Hessian
    approximation continues, so up to ``ML_RESTARTS`` restarts are made until the
    gradient is below 1e-6.
    """
    logdet_s = np.linalg.slogdet(s)[1]

    def fun(th: NDArray[np.float64]) -> tuple[float, NDArray[np.float64]]:
        return _ml_discrepancy(th, s, pattern, logdet_s)

    theta = _start(s, pattern)
    for _ in range(1 + ML_RESTARTS):
        res = optimize.minimize(fun, theta, jac=True, method="BFGS",
                                options={"gtol": 1e-10, "maxiter": 10_000})
        theta = res.x
        f, grad = fun(theta)
        converged = bool(np.isfinite(f) and np.max(np.abs(grad)) < 1e-6)
        if converged:
            break
    return theta, f, converged


def _srmr(s: NDArray[np.float64], sigma: NDArray[np.float64]) -> float:
    """Bentler's SRMR: residuals scaled by observed SDs, lower triangle with diagonal."""
    d = np.sqrt(np.diag(s))
    resid = (s - sigma) / np.outer(d, d)
    low = np.tril_indices_from(s)
    return float(np.sqrt(np.mean(resid[low] ** 2)))


def _fit_measures(chisq: float, df: int, n: int, base_chisq: float, base_df: int
                  ) -> tuple[float, float, float]:
    """CFI, TLI and RMSEA as lavaan::fitMeasures computes them (N, not N - 1)."""
    d_model, d_base = max(chisq - df, 0.0), max(base_chisq - base_df, 0.0)
    denom = max(d_model, d_base)
    cfi = 1.0 - d_model / denom if denom > 0 else 1.0
    tli = ((base_chisq / base_df - chisq / df) / (base_chisq / base_df - 1.0)
           if df > 0 else 1.0)
    rmsea = float(np.sqrt(max(chisq - df, 0.0) / (df * n))) if df > 0 else 0.0
    return cfi, tli, rmsea


def _cfa_one(s: NDArray[np.float64], pattern: NDArray[np.bool_], n: int, base_chisq: float,
             base_df: int) -> CfaFit:
    k, m = pattern.shape
    theta, f, converged = _fit_ml(s, pattern)
    lam, phi, psi = _unpack(theta, pattern)
    chisq = n * f
    df = k * (k + 1) // 2 - theta.size
    cfi, tli, rmsea = _fit_measures(chisq, df, n, base_chisq, base_df)
    sigma = lam @ phi @ lam.T + np.diag(psi)
    warns: tuple[str, ...] = () if converged else (WARN_NOT_CONVERGED,)
    if (psi < 0).any() or (np.abs(phi[np.triu_indices(m, 1)]) > 1).any():
        warns += (WARN_HEYWOOD,)
    sign = np.sign(lam.sum(axis=0))  # orient each factor so its loadings sum is positive
    sign[sign == 0] = 1.0
    return CfaFit(
        chisq=float(chisq), df=int(df), pvalue=float(stats.chi2.sf(chisq, df)), cfi=cfi,
        tli=tli, rmsea=rmsea, srmr=_srmr(s, sigma), loadings=(lam * sign).sum(axis=1),
        residual_variance=psi, factor_correlation=phi * np.outer(sign, sign),
        converged=converged, warnings=warns)


def cfa_compare(data: ArrayLike, item_dimension: ArrayLike) -> CfaComparison:
    """ML CFA of the dimensional model against one factor, with the chi-square difference.

    Parameters
    ----------
    data : (n, k) reverse-keyed answers, NaN = missing; complete rows only are used.
    item_dimension : (k,) dimension label of each item.

    Returns
    -------
    CfaComparison

    Notes
    -----
    Dimensional model: each item loads on its own dimension's factor only, factors
    correlated, factor variances fixed to 1 (``std.lv = TRUE``), residuals uncorrelated.
    One-factor model: all items on one factor. Both minimise the normal-theory discrepancy

        F = log|Sigma| + tr(S Sigma^-1) - log|S| - p

    with S the covariance matrix of the complete rows divided by N (not N - 1), and report
    chi-square = N * F_min, as lavaan does with its default ``likelihood = "normal"``. With
    the independence model's chi2_b = N (sum log s_ii - log|S|), df_b = p(p - 1)/2:

    * CFI = 1 - max(chi2 - df, 0) / max(chi2 - df, chi2_b - df_b, 0);
    * TLI = (chi2_b/df_b - chi2/df) / (chi2_b/df_b - 1);
    * RMSEA = sqrt(max(chi2 - df, 0) / (df N));
    * SRMR (Bentler) = root mean square of (s_ij - sigma_ij) / sqrt(s_ii s_jj) over i <= j;
    * difference test: chi2_one - chi2_dim on df_one - df_dim degrees of freedom
      (``lavTestLRT``, nested models).

    No bounds are imposed (lavaan's default): negative residual variances or |r| > 1
    between factors are returned with the warning ``heywood_case``. Each factor is
    oriented so that its loadings sum to a positive number.

    Cross-check: every figure, the loadings, residual variances and factor correlations
    equal ``lavaan::cfa(model, data = x, std.lv = TRUE)`` with ``fitMeasures`` and
    ``lavTestLRT`` (lavaan 0.6.14) to 1e-6 or better (tests/data/validity.R).

    References
    ----------
    Joreskog, K. G. (1969). Psychometrika 34, 183-202. Bentler, P. M. (1990). Psychological
    Bulletin 107, 238-246. Rosseel, Y. (2012). lavaan. Journal of Statistical Software
    48(2).
    """
    items = prepare_items(data, item_dimension)
    return _cfa_compare(np.cov(items.x, rowvar=False, ddof=0), items.dimension, items.labels,
                        items.n)


def cfa_compare_from_cov(s: ArrayLike, item_dimension: ArrayLike, n: int) -> CfaComparison:
    """:func:`cfa_compare` from the covariance matrix S of n complete rows, divisor N.

    Pass the N divisor (``ddof=0``), as lavaan's ML does; the fit depends on the rows only
    through S and n.
    """
    ss = np.asarray(s, dtype=np.float64)
    labels, index = dimension_map(item_dimension, ss.shape[0])
    return _cfa_compare(ss, index, labels, int(n))


def _cfa_compare(s: NDArray[np.float64], index: NDArray[np.intp], labels: Labels, n: int
                 ) -> CfaComparison:
    if not np.isfinite(s).all() or np.linalg.eigvalsh(s)[0] <= 1e-12 * np.trace(s):
        raise AnalysisInputError(
            "the items' covariance matrix is singular (a constant item, or items that are "
            "exact copies or sums of others); drop those items before the CFA")
    k, m = s.shape[0], len(labels)
    base_chisq = float(n * (np.sum(np.log(np.diag(s))) - np.linalg.slogdet(s)[1]))
    base_df = k * (k - 1) // 2
    pattern = index[:, None] == np.arange(m)[None, :]
    dim = _cfa_one(s, pattern, n, base_chisq, base_df)
    one = _cfa_one(s, np.ones((k, 1), dtype=bool), n, base_chisq, base_df)
    diff, ddf = one.chisq - dim.chisq, one.df - dim.df
    return CfaComparison(
        dimensions=labels, n=n, baseline_chisq=base_chisq, baseline_df=base_df,
        dimensional=dim, one_factor=one, chisq_diff=float(diff), df_diff=int(ddf),
        p_diff=float(stats.chi2.sf(diff, ddf)))


# --------------------------------------------------------------------------------------
# Omega hierarchical: minres EFA -> varimax -> oblimin -> Schmid-Leiman


@dataclass(frozen=True)
class OmegaHierarchicalResult:
    """omega_h with the solution it came from (arrays per item / per group factor)."""

    n: int
    n_factors: int
    omega_h: float
    omega_total: float
    general_loadings: NDArray[np.float64]  # (k,) Schmid-Leiman g loadings
    oblique_loadings: NDArray[np.float64]  # (k, m) oblimin pattern
    factor_correlation: NDArray[np.float64]  # (m, m) oblimin Phi
    converged: bool
    warnings: tuple[str, ...] = ()


def _minres_objective(psi: NDArray[np.float64], r: NDArray[np.float64], n_factors: int
                      ) -> tuple[float, NDArray[np.float64]]:
    """psych's minres criterion: off-diagonal squared residuals of R - L L'."""
    a = r.copy()
    np.fill_diagonal(a, 1.0 - psi)
    w, v = np.linalg.eigh(a)
    lam = v[:, -n_factors:][:, ::-1] * np.sqrt(np.maximum(w[-n_factors:][::-1], 0.0))
    res = r - lam @ lam.T
    np.fill_diagonal(res, 0.0)
    return float(np.sum(res**2)), lam


def _minres_value_and_gradient(psi: NDArray[np.float64], r: NDArray[np.float64], n_factors: int
                               ) -> tuple[float, NDArray[np.float64]]:
    """The minres criterion and its exact gradient in psi.

    With A = R, diag 1 - psi, = V diag(w) V' and LL' = V diag(g(w)) V', g(w) = max(w, 0)
    on the leading n_factors eigenvalues and 0 elsewhere, the Daleckii-Krein formula gives
    d(LL') = V (Gamma o V' dA V) V' with Gamma_kl = (g_k - g_l)/(w_k - w_l) (g' on ties);
    dA = -diag(dpsi), so df/dpsi_i = -[V (Gamma o V' G V) V']_ii with G = -2 offdiag(R - LL').
    One eigendecomposition per call, instead of k + 1 for a finite-difference gradient.
    """
    a = r.copy()
    np.fill_diagonal(a, 1.0 - psi)
    w, v = np.linalg.eigh(a)
    top = np.arange(w.size) >= w.size - n_factors
    g = np.where(top, np.maximum(w, 0.0), 0.0)
    lam = v[:, top] * np.sqrt(g[top])
    res = r - lam @ lam.T
    np.fill_diagonal(res, 0.0)
    dw = w[:, None] - w[None, :]
    tie = np.abs(dw) <= 1e-12 * max(1.0, float(np.abs(w).max()))
    with np.errstate(divide="ignore", invalid="ignore"):
        gamma = np.where(tie, 0.0, (g[:, None] - g[None, :]) / np.where(tie, 1.0, dw))
    slope = (top & (w > 0)).astype(np.float64)
    gamma[tie] = np.broadcast_to(np.sqrt(np.outer(slope, slope)), gamma.shape)[tie]
    b = v @ (gamma * (v.T @ (-2.0 * res) @ v)) @ v.T
    return float(np.sum(res**2)), -np.diag(b)


def minres_factors(r: ArrayLike, n_factors: int) -> tuple[NDArray[np.float64], bool]:
    """Unrotated m-factor minres loadings with uniquenesses bounded to [0.005, 1].

    Minimises sum_{i != j} (r_ij - (L L')_ij)^2 over the uniquenesses psi, L from the
    leading eigenpairs of R with 1 - psi on the diagonal, by L-BFGS-B with the exact
    gradient (:func:`_minres_value_and_gradient`) from 1 - SMC within
    psych's bounds (``psych::fa(fm = "minres")``), so that a Heywood item stops at
    psi = 0.005 as in psych instead of running to h2 > 1.
    """
    rr = np.asarray(r, dtype=np.float64)
    psi0 = np.clip(1.0 / np.diag(np.linalg.inv(rr)), 0.005, 1.0)
    res = optimize.minimize(_minres_value_and_gradient, psi0, args=(rr, n_factors), jac=True,
                            method="L-BFGS-B", bounds=[(0.005, 1.0)] * psi0.size,
                            options={"ftol": 1e-16, "gtol": 1e-12, "maxiter": 10_000})
    return _minres_objective(res.x, rr, n_factors)[1], bool(res.success)


def varimax(a: NDArray[np.float64], eps: float = 1e-12, max_iter: int = 1000
            ) -> NDArray[np.float64]:
    """Kaiser-normalized varimax, the algorithm of R's ``stats::varimax``."""
    sc: NDArray[np.float64] = np.sqrt(np.sum(a**2, axis=1))
    x = a / sc[:, None]
    p, m = x.shape
    t = np.eye(m)
    d = 0.0
    for _ in range(max_iter):
        z = x @ t
        b = x.T @ (z**3 - z * (np.sum(z**2, axis=0) / p))
        u, sv, vt = np.linalg.svd(b)
        t = u @ vt
        d_past, d = d, float(np.sum(sv))
        if d < d_past * (1 + eps):
            break
    return (x @ t) * sc[:, None]


def _quartimin(lam: NDArray[np.float64]) -> tuple[float, NDArray[np.float64]]:
    """Oblimin criterion with gamma = 0 and its gradient (Bernaards & Jennrich 2005)."""
    l2 = lam**2
    x = l2 @ (np.ones((lam.shape[1],) * 2) - np.eye(lam.shape[1]))
    return float(np.sum(l2 * x) / 4.0), lam * x


def oblimin(a: NDArray[np.float64], eps: float = 1e-8, max_iter: int = 100_000
            ) -> tuple[NDArray[np.float64], NDArray[np.float64], bool]:
    """Oblique quartimin (oblimin, gamma = 0) by gradient projection from the identity.

    The GPFoblq algorithm of ``GPArotation::oblimin`` (Bernaards & Jennrich 2005), run to a
    projected-gradient norm of ``eps`` (GPArotation stops at 1e-5). Returns
    (pattern, Phi, converged).
    """
    t = np.eye(a.shape[1])
    lam = a @ np.linalg.inv(t).T
    f, gq = _quartimin(lam)
    g = -(lam.T @ gq @ np.linalg.inv(t)).T
    al = 1.0
    for _ in range(max_iter):
        gp = g - t * np.sum(t * g, axis=0)
        s = float(np.linalg.norm(gp))
        if s < eps:
            return lam, t.T @ t, True
        al *= 2.0
        for _ in range(11):
            xm = t - al * gp
            tt = xm / np.sqrt(np.sum(xm**2, axis=0))
            lam_t = a @ np.linalg.inv(tt).T
            ft, gq_t = _quartimin(lam_t)
            if ft < f - 0.5 * s**2 * al:
                break
            al /= 2.0
        t, lam, f, gq = tt, lam_t, ft, gq_t
        g = -(lam.T @ gq @ np.linalg.inv(t)).T
    return lam, t.T @ t, False


def schmid_leiman_general(pattern: ArrayLike, phi: ArrayLike, max_iter: int = 10_000
                          ) -> tuple[NDArray[np.float64], tuple[str, ...]]:
    """General-factor loadings of a Schmid-Leiman transformation, as ``psych::schmid``.

    Parameters
    ----------
    pattern : (k, m) oblique pattern loadings.
    phi : (m, m) correlations of the oblique factors.

    Returns
    -------
    (g, warnings) with g = pattern @ gamma, gamma the loadings of the m factors on one
    second-order factor: a one-factor minres fit to phi when m >= 3
    (:func:`analysis.reliability.minres_one_factor`; exactly identified at m = 3), and
    gamma = (sqrt|phi_12|, sign(phi_12) sqrt|phi_12|) when m = 2 (psych's
    ``option = "equal"``; warning ``two_factors_equal_general_loadings``).

    References
    ----------
    Schmid, J., & Leiman, J. M. (1957). Psychometrika 22, 53-61.
    """
    lam = np.asarray(pattern, dtype=np.float64)
    ph = np.asarray(phi, dtype=np.float64)
    m = ph.shape[0]
    if m == 2:
        root = np.sqrt(abs(ph[0, 1]))
        return lam @ np.array([root, np.sign(ph[0, 1]) * root]), (WARN_TWO_FACTORS,)
    gamma, converged = minres_one_factor(ph, max_iter=max_iter)
    return lam @ gamma, () if converged else (WARN_NOT_CONVERGED,)


def omega_h_from_solution(pattern: ArrayLike, phi: ArrayLike, r: ArrayLike
                          ) -> tuple[float, tuple[str, ...]]:
    """omega_h = (sum_i g_i)^2 / sum(R) from an oblique solution (psych's ``omega_h``)."""
    g, warns = schmid_leiman_general(pattern, phi)
    if (g < 0).any():
        warns += (WARN_NEGATIVE_G_LOADING,)
    return float(np.sum(g) ** 2 / np.sum(np.asarray(r))), warns


def omega_hierarchical(data: ArrayLike, n_factors: int) -> OmegaHierarchicalResult:
    """Omega hierarchical of an instrument: the share of total-score variance due to g.

    Parameters
    ----------
    data : (n, k) reverse-keyed answers, NaN = missing; complete rows only are used.
    n_factors : number of group factors, normally the instrument's number of dimensions
        (the factors are found exploratorily, as ``psych::omega`` does).

    Returns
    -------
    OmegaHierarchicalResult

    Notes
    -----
    On R, the correlation matrix of the complete rows:

    1. m-factor minres (ULS) fit, :func:`minres_factors`, rotated by varimax then by
       oblimin (gamma = 0) from the identity, :func:`oblimin` -> pattern P, Phi;
    2. Schmid-Leiman: g = P gamma with gamma the one-factor minres loadings of Phi
       (:func:`schmid_leiman_general`);
    3. omega_h = (sum g)^2 / sum(R); omega_t = 1 - sum(1 - h2) / sum(R) with h2 the
       communalities of step 1.

    Items are not flipped: answers must be reverse-keyed first; a negative g loading is
    reported as ``negative_general_loading`` (psych would reverse the item).

    Cross-check: ``psych::omega(na.omit(x), nfactors = m, fm = "minres", rotate =
    "oblimin", plot = FALSE)$omega_h`` (psych 2.2.9, GPArotation 2022.10.2); see
    tests/analysis/test_validity.py for the agreement reached. psych stops its minres
    optimiser and GPArotation's rotation (eps = 1e-5) earlier than this function, so the
    difference is psych's convergence error; the Schmid-Leiman step alone, fed psych's own
    oblique solution, agrees to 1e-12.

    References
    ----------
    McDonald, R. P. (1999). Test Theory: A Unified Treatment. Zinbarg, R. E., Revelle, W.,
    Yovel, I., & Li, W. (2005). Psychometrika 70, 123-133. Bernaards, C. A., & Jennrich,
    R. I. (2005). Educational and Psychological Measurement 65, 676-696.
    """
    x = np.asarray(data, dtype=np.float64)
    if x.ndim != 2:
        raise AnalysisInputError("data must be a 2-D array (respondents x items)")
    _check_n_factors(n_factors, x.shape[1])
    rows = x[~np.isnan(x).any(axis=1)]
    if rows.shape[0] < MIN_ROWS:
        raise AnalysisInputError(f"{rows.shape[0]} complete rows; omega_h needs {MIN_ROWS}")
    return omega_hierarchical_from_cor(_cor(rows), n_factors, rows.shape[0])


def _check_n_factors(n_factors: int, k: int) -> None:
    if not 2 <= int(n_factors) <= k // 2:
        raise AnalysisInputError(
            f"n_factors must be between 2 and half the number of items ({k // 2})")


def omega_hierarchical_from_cor(r: ArrayLike, n_factors: int, n: int,
                                max_iter: int | None = None) -> OmegaHierarchicalResult:
    """:func:`omega_hierarchical` from the items' correlation matrix R of n complete rows.

    ``max_iter`` caps the oblimin iterations and those of the second-order factor fit
    (default: 100,000 and 10,000, the settings pinned to psych); a capped step that has
    not converged is reported as ``not_converged``.
    """
    rr = np.asarray(r, dtype=np.float64)
    _check_n_factors(n_factors, rr.shape[0])
    if not np.isfinite(rr).all():
        raise AnalysisInputError("an item is constant on the complete rows; drop it first")
    unrotated, ok_fit = minres_factors(rr, int(n_factors))
    pattern, phi, ok_rot = oblimin(varimax(unrotated), max_iter=max_iter or 100_000)
    sign = np.where(pattern.sum(axis=0) < 0, -1.0, 1.0)  # psych: column sums positive
    pattern, phi = pattern * sign, phi * np.outer(sign, sign)
    g, warns = schmid_leiman_general(pattern, phi, max_iter=max_iter or 10_000)
    omega_h = float(np.sum(g) ** 2 / np.sum(rr))  # as omega_h_from_solution, g computed once
    if (g < 0).any():
        warns += (WARN_NEGATIVE_G_LOADING,)
    h2 = np.sum(unrotated**2, axis=1)
    if not (ok_fit and ok_rot):
        warns = (WARN_NOT_CONVERGED,) + warns
    if (h2 > 1).any():
        warns += (WARN_HEYWOOD,)
    return OmegaHierarchicalResult(
        n=int(n), n_factors=int(n_factors), omega_h=omega_h,
        omega_total=float(1.0 - np.sum(1.0 - h2) / np.sum(rr)), general_loadings=g,
        oblique_loadings=pattern, factor_correlation=phi, converged=ok_fit and ok_rot,
        warnings=warns)


# --------------------------------------------------------------------------------------
# Verdict


@dataclass(frozen=True)
class DistinctDimensions:
    """Discriminant validity per pair of dimensions by HTMT, and an overall code."""

    dimensions: Labels
    n: int
    threshold: float
    pairs: tuple[tuple[int, int], ...]  # (i, j) indices into dimensions, i < j
    pair_htmt: tuple[float, ...]
    pair_codes: tuple[str, ...]  # distinct / not_distinct / not_computable
    verdict: str  # dimensions_distinct / not_distinct_report_instrument_level / not_computable

    @property
    def distinct(self) -> bool:
        """True when every pair of dimensions is distinct."""
        return self.verdict == VERDICT_DISTINCT


def _pair_code(h: float, threshold: float) -> str:
    if not np.isfinite(h):
        return PAIR_NOT_COMPUTABLE
    return PAIR_DISTINCT if h < threshold else PAIR_NOT_DISTINCT


def _overall(codes: tuple[str, ...]) -> str:
    if PAIR_NOT_DISTINCT in codes:
        return VERDICT_NOT_DISTINCT
    return VERDICT_NOT_COMPUTABLE if PAIR_NOT_COMPUTABLE in codes else VERDICT_DISTINCT


def dimensions_distinct(data: ArrayLike, item_dimension: ArrayLike, threshold: float = 0.85
                        ) -> DistinctDimensions:
    """Are an instrument's dimensions distinct enough to report and prescribe one by one?

    Parameters
    ----------
    data : (n, k) reverse-keyed answers, NaN = missing; complete rows only are used.
    item_dimension : (k,) dimension label of each item.
    threshold : HTMT below which a pair counts as distinct: 0.85 (Henseler et al. 2015's
        conservative HTMT.85, default) or 0.90 (their HTMT.90 for conceptually close
        dimensions).

    Returns
    -------
    DistinctDimensions
        ``verdict`` is ``dimensions_distinct`` when every pair is below the threshold,
        ``not_distinct_report_instrument_level`` when any pair is not (report and act on
        the instrument score, not per dimension), ``not_computable`` when an HTMT is
        undefined (a constant item) and no pair fails.

    Notes
    -----
    A point-estimate rule, as in Henseler et al. (2015, p. 129); their HTMT_inference
    (bootstrap interval below 1) is not implemented. Pair with :func:`cfa_compare` for the
    model comparison and :func:`omega_hierarchical` for the strength of the general factor.

    References
    ----------
    Henseler, J., Ringle, C. M., & Sarstedt, M. (2015). Journal of the Academy of Marketing
    Science 43(1), 115-135.
    """
    _check_threshold(threshold)
    return distinct_from_htmt(htmt(data, item_dimension), threshold)


def _check_threshold(threshold: float) -> None:
    if not 0.0 < float(threshold) <= 1.0:
        raise AnalysisInputError("threshold must be in (0, 1]; Henseler et al. use .85 or .90")


def distinct_from_htmt(h: HtmtResult, threshold: float = 0.85) -> DistinctDimensions:
    """:func:`dimensions_distinct` from an HTMT result already computed."""
    _check_threshold(threshold)
    m = len(h.dimensions)
    pairs = tuple((i, j) for i in range(m) for j in range(i + 1, m))
    values = tuple(float(h.htmt[i, j]) for i, j in pairs)
    codes = tuple(_pair_code(v, float(threshold)) for v in values)
    return DistinctDimensions(dimensions=h.dimensions, n=h.n, threshold=float(threshold),
                              pairs=pairs, pair_htmt=values, pair_codes=codes,
                              verdict=_overall(codes))


# --------------------------------------------------------------------------------------
# One pass over the rows: moments of the complete rows

#: Bytes of float64 answers per chunk: small enough to stay in cache while it is reduced.
CHUNK_BYTES = 4 << 20


@dataclass(frozen=True)
class ItemMoments:
    """Means and scatter matrix of the complete rows, and the range of their answers."""

    n: int  # complete rows
    n_given: int
    mean: NDArray[np.float64]
    scatter: NDArray[np.float64]  # sum over complete rows of (x - mean)(x - mean)'
    low: NDArray[np.float64]  # smallest answer per item on the complete rows
    high: NDArray[np.float64]
    whole: bool  # every answer on the complete rows is a whole number

    def cov(self, ddof: int = 1) -> NDArray[np.float64]:
        """Covariance matrix with divisor n - ddof (NaN when n <= ddof)."""
        if self.n <= ddof:
            return np.full_like(self.scatter, np.nan)
        return self.scatter / (self.n - ddof)


def _chunk_sums(c: NDArray[np.float64], shift: NDArray[np.float64]
                ) -> tuple[int, NDArray[np.float64], NDArray[np.float64],
                           NDArray[np.float64] | float, NDArray[np.float64] | float, bool]:
    """Complete rows of one chunk: count, shifted sums and cross-products, range, wholeness."""
    ok = ~np.isnan(c).any(axis=1)
    if not ok.all():
        c = c[ok]
    d = c - shift
    whole = not (c != np.rint(c)).any()
    if c.shape[0] == 0:
        return 0, d.sum(axis=0), d.T @ d, np.inf, -np.inf, whole
    return c.shape[0], d.sum(axis=0), d.T @ d, c.min(axis=0), c.max(axis=0), whole


def complete_row_moments(values: ArrayLike, chunk_rows: int | None = None) -> ItemMoments:
    """Means and scatter matrix of the rows without a missing answer, in one chunked pass.

    Parameters
    ----------
    values : (n, k) answers, NaN = missing (any float or integer dtype).
    chunk_rows : rows per chunk (default: ``CHUNK_BYTES`` of float64), which bounds the
        extra memory to one chunk whatever n is.

    Returns
    -------
    ItemMoments

    Notes
    -----
    Each chunk's complete rows are shifted by the first row's answers before the BLAS
    product d'd is accumulated, and the scatter is sum d d' - n dbar dbar'. Answers on a
    scale are small whole numbers, so the shifted cross-products are whole numbers too and
    their float64 sums are exact below 2^53: the result does not depend on the chunking.
    """
    x = np.asarray(values)
    if x.ndim != 2:
        raise AnalysisInputError("values must be a 2-D array (respondents x items)")
    k = x.shape[1]
    rows = int(chunk_rows) if chunk_rows else max(1, CHUNK_BYTES // (8 * max(k, 1)))
    shift = _first_complete_row(x)
    n, s1, s2 = 0, np.zeros(k), np.zeros((k, k))
    low, high, whole = np.full(k, np.inf), np.full(k, -np.inf), True
    for start in range(0, x.shape[0], rows):
        c = np.asarray(x[start:start + rows], dtype=np.float64)
        cn, cs1, cs2, clo, chi, cwhole = _chunk_sums(c, shift)
        n, whole = n + cn, whole and cwhole
        s1 += cs1
        s2 += cs2
        np.minimum(low, clo, out=low)
        np.maximum(high, chi, out=high)
    dbar = s1 / n if n else np.full(k, np.nan)
    scatter = s2 - n * np.outer(dbar, dbar) if n else np.full((k, k), np.nan)
    return ItemMoments(n=n, n_given=x.shape[0], mean=shift + dbar, scatter=scatter, low=low,
                       high=high, whole=whole)


def _first_complete_row(x: NDArray[Any]) -> NDArray[np.float64]:
    """The first row without NaN (zeros if none): the shift that keeps sums small."""
    for start in range(0, x.shape[0], 1024):
        c = np.asarray(x[start:start + 1024], dtype=np.float64)
        ok = np.flatnonzero(~np.isnan(c).any(axis=1))
        if ok.size:
            first: NDArray[np.float64] = c[ok[0]].copy()
            return first
    return np.zeros(x.shape[1])


def reverse_keyed_moments(m: ItemMoments, reverse: ArrayLike, points: ArrayLike
                          ) -> ItemMoments:
    """Moments of x' = A + 1 - x in the reversed items, without touching the rows.

    Reversing item i negates its deviations, so its row and column of the scatter change
    sign (its diagonal does not), its mean becomes A + 1 - mean and its range flips.
    """
    rev = np.asarray(reverse, dtype=bool)
    a = np.broadcast_to(np.asarray(points, dtype=np.float64), m.mean.shape)
    sign = np.where(rev, -1.0, 1.0)
    return ItemMoments(
        n=m.n, n_given=m.n_given, mean=np.where(rev, a + 1.0 - m.mean, m.mean),
        scatter=m.scatter * np.outer(sign, sign), low=np.where(rev, a + 1.0 - m.high, m.low),
        high=np.where(rev, a + 1.0 - m.low, m.high), whole=m.whole)


# --------------------------------------------------------------------------------------
# One summary per instrument and wave

#: Verdict codes of :func:`instrument_validity` (reports/ translates them).
INSTRUMENT_DISTINCT = "distinct"
INSTRUMENT_PARTLY_DISTINCT = "partly_distinct"
INSTRUMENT_NOT_DISTINCT = VERDICT_NOT_DISTINCT
INSTRUMENT_NOT_COMPUTABLE = VERDICT_NOT_COMPUTABLE
INSTRUMENT_SINGLE_DIMENSION = "single_dimension"
#: Reason codes of a ``not_computable`` summary.
REASON_TOO_FEW_ROWS = "too_few_complete_rows"
REASON_SMALL_DIMENSION = "dimension_with_fewer_than_two_items"
REASON_SINGULAR = "singular_covariance"
REASON_UNCORRELATED = "nonpositive_within_dimension_correlation"
REASON_CFA_FAILED = "cfa_not_converged"
#: Warning codes of a summary (CFA and omega warnings are prefixed ``cfa_`` / ``omega_``).
WARN_CONSTANT_DROPPED = "constant_items_dropped"
WARN_BIC_ONE_FACTOR = "one_factor_preferred_by_bic"
WARN_OMEGA_FAILED = "omega_not_computable"
#: Rows rule: at least max(MIN_ROWS_SUMMARY, ROWS_PER_ITEM x items) complete rows.
MIN_ROWS_SUMMARY = 100
ROWS_PER_ITEM = 5
#: Cap on omega's rotation and second-order iterations in the summary: omega_h is
#: descriptive, and where the group factors are not identified (one factor behind all
#: items) these steps do not converge and would run to their caps of 10^5 and 10^4.
SUMMARY_MAX_ITER = 1_000


@dataclass(frozen=True)
class InstrumentValidity:
    """Construct validity of one instrument in one wave, and what the reports may claim.

    ``groups`` partitions the dimensions (labels, in order) into sets the data can tell
    apart: report and prescribe per group, not per dimension. Pair arrays follow
    ``distinct.pairs``. Estimator results are None when they were not reached.
    """

    verdict: str
    dimensions: Labels
    groups: tuple[Labels, ...]
    n: int
    n_given: int
    threshold: float
    items_used: NDArray[np.intp]
    reason: str | None = None
    message: str = ""
    pair_codes: tuple[str, ...] = ()
    pair_cfa_correlation: tuple[float, ...] = ()
    distinct: DistinctDimensions | None = None
    disattenuated: DisattenuatedResult | None = None
    max_disattenuated: float = np.nan
    max_disattenuated_pair: tuple[Any, Any] | None = None
    cfa: CfaComparison | None = None
    omega: OmegaHierarchicalResult | None = None
    warnings: tuple[str, ...] = ()

    @property
    def computable(self) -> bool:
        """True when a verdict about the dimensions could be reached."""
        return self.verdict != INSTRUMENT_NOT_COMPUTABLE

    @property
    def omega_h(self) -> float:
        """omega hierarchical, NaN when not computed."""
        return self.omega.omega_h if self.omega is not None else np.nan

    @property
    def bic_difference(self) -> float:
        """BIC(one factor) - BIC(dimensional), NaN without a CFA."""
        return self.cfa.bic_difference if self.cfa is not None else np.nan


def instrument_validity(values: ArrayLike, item_dimension: ArrayLike, item_reverse: ArrayLike,
                        points: ArrayLike, threshold: float = 0.85) -> InstrumentValidity:
    """Can the data tell the instrument's dimensions apart? One summary per wave.

    Parameters
    ----------
    values : (n, k) raw answers 1..A, NaN = missing, *not* reverse-keyed (any dtype).
    item_dimension : (k,) dimension label of each item.
    item_reverse : (k,) bool, True for a reverse-keyed item (reversed here as A + 1 - x).
    points : int or (k,) array, A = number of response options of each item.
    threshold : a pair of dimensions is not distinct when its HTMT or its CFA factor
        correlation reaches this (0.85 default, Henseler et al.'s HTMT.85; 0.90 for
        conceptually close dimensions).

    Returns
    -------
    InstrumentValidity
        ``verdict`` is one of

        * ``distinct``: every pair distinct and the dimensional model beats one factor by
          BIC -- report and prescribe per dimension;
        * ``partly_distinct``: some dimensions merge -- report per group in ``groups``;
        * ``not_distinct_report_instrument_level``: one group -- report and prescribe on
          the instrument score only;
        * ``single_dimension``: the instrument has one dimension, nothing to tell apart;
        * ``not_computable`` with ``reason``: ``too_few_complete_rows`` (fewer than
          max(100, 5 k) complete rows, k the items with variance),
          ``dimension_with_fewer_than_two_items`` (after dropping constant items),
          ``singular_covariance`` (items that are exact linear combinations),
          ``nonpositive_within_dimension_correlation`` (HTMT undefined) or
          ``cfa_not_converged``.

    Raises
    ------
    AnalysisInputError
        Only for arguments that do not describe survey answers: values not 2-D, item
        arrays of the wrong length, an answer on a complete row outside 1..A or not a whole
        number, a threshold outside (0, 1]. Survey data never raise.

    Notes
    -----
    **One pass.** The complete rows (listwise, as lavaan's default) are reduced once, in
    chunks of ``CHUNK_BYTES``, to their means and scatter matrix
    (:func:`complete_row_moments`); reverse-keying flips signs in that matrix
    (:func:`reverse_keyed_moments`). HTMT, the disattenuated correlations, both CFAs and
    omega_h are functions of the k x k matrix only, so the cost beyond the pass does not
    grow with n.

    **How the evidence combines.**

    1. Pairs: dimensions i and j are *not distinct* when |HTMT_ij| >= threshold or
       |phi_ij| >= threshold, phi the dimensional CFA's factor correlation. HTMT is the
       criterion with simulation support (Henseler et al. 2015) and needs no model; phi is
       the ML estimate of the same quantity under congeneric loadings, where HTMT is biased
       (Roemer et al. 2021). Both must be below the threshold, so neither estimator's
       weakness can split dimensions the other says are the same; both are effect sizes,
       so the rule means the same at n = 200 and at n = 10^6.
    2. Groups: connected components of the not-distinct pairs (if A ~ B and B ~ C, then
       A, B and C are one group even if A and C differ; the conservative reading).
    3. Gate: when BIC(one factor) - BIC(dimensional) = chi2_diff - df_diff ln N <= 0, the
       data do not pay for the extra factors: all dimensions become one group
       (``one_factor_preferred_by_bic``). BIC, not the chi-square difference test: a p
       value only rejects one factor (at province size always, at n ~ 150 seldom), it
       never supports it; BIC compares both models symmetrically (Raftery 1995).
    4. Verdict from the number of groups: m -> distinct, 1 -> not distinct, otherwise
       partly distinct.

    omega_h (minres, oblimin, Schmid-Leiman) is reported, not used: a strong general
    factor does not make group factors indistinct. Its failure is only a warning.
    The largest disattenuated correlation is reported for the reader; it uses alpha, a
    lower bound of reliability, so it overstates correlations and is not used either.

    The rows rule is a rule of thumb: below ~100 cases, and below about 5 per item,
    ML CFAs often fail to converge or give improper solutions (Anderson & Gerbing 1984;
    Bentler & Chou 1987), and an HTMT verdict near the threshold is noise.

    References
    ----------
    Henseler, J., Ringle, C. M., & Sarstedt, M. (2015). Journal of the Academy of Marketing
    Science 43(1), 115-135. Roemer, E., Schuberth, F., & Henseler, J. (2021). Industrial
    Management & Data Systems 121(12), 2637-2650. Raftery, A. E. (1995). Sociological
    Methodology 25, 111-163. Anderson, J. C., & Gerbing, D. W. (1984). Psychometrika 49,
    155-173. Bentler, P. M., & Chou, C.-P. (1987). Sociological Methods & Research 16,
    78-117.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> f = rng.standard_normal((500, 1))
    >>> x = np.clip(np.rint(3 + f + 0.6 * rng.standard_normal((500, 6))), 1, 5)
    >>> instrument_validity(x, [0, 0, 0, 1, 1, 1], [False] * 6, 5).verdict
    'not_distinct_report_instrument_level'
    """
    _check_threshold(threshold)
    x = np.asarray(values)
    if x.ndim != 2:
        raise AnalysisInputError("values must be a 2-D array (respondents x items)")
    labels, index = _summary_dimensions(item_dimension, x.shape[1])
    rev, a = _keying(item_reverse, points, x.shape[1])
    raw = complete_row_moments(x)
    _check_answer_range(raw, a)
    mom = reverse_keyed_moments(raw, rev, a)
    if len(labels) == 1:
        return InstrumentValidity(
            verdict=INSTRUMENT_SINGLE_DIMENSION, dimensions=labels, groups=(labels,),
            n=mom.n, n_given=mom.n_given, threshold=float(threshold),
            items_used=np.arange(x.shape[1]), message="one dimension: nothing to tell apart")
    return _assess(mom, index, labels, float(threshold))


def _summary_dimensions(item_dimension: ArrayLike, k: int) -> tuple[Labels, NDArray[np.intp]]:
    dims = np.asarray(item_dimension)
    if dims.ndim != 1 or dims.size != k or k == 0:
        raise AnalysisInputError(
            f"item_dimension needs one entry per item column: got {dims.size} for {k} columns")
    labels, index = np.unique(dims, return_inverse=True)
    return tuple(labels.tolist()), index.astype(np.intp)


def _keying(item_reverse: ArrayLike, points: ArrayLike, k: int
            ) -> tuple[NDArray[np.bool_], NDArray[np.float64]]:
    rev = np.asarray(item_reverse, dtype=bool)
    if rev.shape != (k,):
        raise AnalysisInputError(f"item_reverse must have one flag per item ({k})")
    a = np.asarray(points, dtype=np.float64)
    if a.ndim > 1 or (a.ndim == 1 and a.size != k) or not (np.isfinite(a) & (a >= 2)).all():
        raise AnalysisInputError(f"points must be one number >= 2 or one per item ({k})")
    return rev, np.broadcast_to(a, (k,))


def _check_answer_range(m: ItemMoments, a: NDArray[np.float64]) -> None:
    if m.n == 0:
        return
    bad = np.flatnonzero((m.low < 1) | (m.high > a))
    if bad.size:
        j = int(bad[0])
        raise AnalysisInputError(
            f"item {j} has answers from {float(m.low[j]):g} to {float(m.high[j]):g}, outside "
            f"1..{int(a[j])}")
    if not m.whole:
        raise AnalysisInputError("answers must be whole numbers 1..A (or NaN when missing)")


def _not_computable(base: dict[str, Any], reason: str, message: str, **found: Any
                    ) -> InstrumentValidity:
    return InstrumentValidity(verdict=INSTRUMENT_NOT_COMPUTABLE, groups=(), reason=reason,
                              message=message, **base, **found)


def _screen(n: int, index: NDArray[np.intp], m: int) -> tuple[str, str] | None:
    """Reason and message when the rows or the items cannot support a verdict."""
    need = max(MIN_ROWS_SUMMARY, ROWS_PER_ITEM * index.size)
    if n < need:
        return REASON_TOO_FEW_ROWS, f"{n} complete rows; the summary needs {need}"
    sizes = np.bincount(index, minlength=m)
    if (sizes < 2).any():
        return REASON_SMALL_DIMENSION, "a dimension has fewer than two items with variance"
    return None


def _assess(mom: ItemMoments, index: NDArray[np.intp], labels: Labels, threshold: float
            ) -> InstrumentValidity:
    used = np.flatnonzero(np.diag(mom.scatter) > 0) if mom.n else np.arange(index.size)
    warns = (WARN_CONSTANT_DROPPED,) if used.size < index.size else ()
    base = {"dimensions": labels, "n": mom.n, "n_given": mom.n_given, "threshold": threshold,
            "items_used": used}
    idx = index[used]
    stop = _screen(mom.n, idx, len(labels))
    if stop:
        return _not_computable(base, *stop, warnings=warns)
    c = mom.cov(1)[np.ix_(used, used)]
    r = _cov2cor(c)
    if np.linalg.eigvalsh(r)[0] <= 1e-10:
        return _not_computable(base, REASON_SINGULAR, "items are exact linear combinations "
                               "of others on the complete rows", warnings=warns)
    h = _htmt(r, idx, labels, mom.n)
    if not (np.isfinite(h.monotrait).all() and (h.monotrait > 0).all()):
        return _not_computable(base, REASON_UNCORRELATED, "a dimension's items do not "
                               "correlate positively; HTMT is undefined", warnings=warns)
    return _assess_models(base, c, r, h, idx, warns)


def _assess_models(base: dict[str, Any], c: NDArray[np.float64], r: NDArray[np.float64],
                   h: HtmtResult, idx: NDArray[np.intp], warns: tuple[str, ...]
                   ) -> InstrumentValidity:
    labels, n, threshold = base["dimensions"], base["n"], base["threshold"]
    distinct = distinct_from_htmt(h, threshold)
    dis = _disattenuated(c, idx, labels, n)
    found = {"distinct": distinct, "disattenuated": dis, **_largest_pair(dis)}
    with np.errstate(all="ignore"):
        cfa = _cfa_compare(c * ((n - 1) / n), idx, labels, n)
    found["cfa"] = cfa
    warns += tuple(f"cfa_{w}" for w in cfa.dimensional.warnings + cfa.one_factor.warnings
                   if w != WARN_NOT_CONVERGED)
    if not (cfa.dimensional.converged and cfa.one_factor.converged):
        return _not_computable(base, REASON_CFA_FAILED, "the ML CFA did not converge",
                               warnings=warns, **found)
    omega, omega_warns = _summary_omega(r, len(labels), n)
    codes, phis = _pair_codes(distinct, cfa, threshold)
    groups = _groups(distinct.pairs, codes, len(labels))
    if cfa.bic_difference <= 0 and len(groups) > 1:
        groups, warns = [list(range(len(labels)))], warns + (WARN_BIC_ONE_FACTOR,)
    verdict = (INSTRUMENT_DISTINCT if len(groups) == len(labels) else
               INSTRUMENT_NOT_DISTINCT if len(groups) == 1 else INSTRUMENT_PARTLY_DISTINCT)
    return InstrumentValidity(
        verdict=verdict, groups=tuple(tuple(labels[d] for d in g) for g in groups),
        pair_codes=codes, pair_cfa_correlation=phis, omega=omega,
        warnings=tuple(dict.fromkeys(warns + omega_warns)), **base, **found)


def _largest_pair(dis: DisattenuatedResult) -> dict[str, Any]:
    iu = np.triu_indices_from(dis.disattenuated, 1)
    v = dis.disattenuated[iu]
    if not np.isfinite(v).any():
        return {}
    j = int(np.nanargmax(v))
    pair = (dis.dimensions[iu[0][j]], dis.dimensions[iu[1][j]])
    return {"max_disattenuated": float(v[j]), "max_disattenuated_pair": pair}


def _pair_codes(distinct: DistinctDimensions, cfa: CfaComparison, threshold: float
                ) -> tuple[tuple[str, ...], tuple[float, ...]]:
    """Per pair: not distinct when |HTMT| or |phi| reaches the threshold."""
    phis = tuple(float(cfa.dimensional.factor_correlation[i, j]) for i, j in distinct.pairs)
    codes = tuple(
        PAIR_NOT_COMPUTABLE if not (np.isfinite(h) and np.isfinite(p)) else
        PAIR_NOT_DISTINCT if max(abs(h), abs(p)) >= threshold else PAIR_DISTINCT
        for h, p in zip(distinct.pair_htmt, phis, strict=True))
    return codes, phis


def _groups(pairs: tuple[tuple[int, int], ...], codes: tuple[str, ...], m: int
            ) -> list[list[int]]:
    """Connected components of the pairs that are not distinct (or not computable)."""
    root = list(range(m))

    def find(i: int) -> int:
        while root[i] != i:
            i = root[i]
        return i

    for (i, j), code in zip(pairs, codes, strict=True):
        if code != PAIR_DISTINCT:
            root[find(j)] = find(i)
    comps: dict[int, list[int]] = {}
    for d in range(m):
        comps.setdefault(find(d), []).append(d)
    return sorted(comps.values())


def _summary_omega(r: NDArray[np.float64], m: int, n: int
                   ) -> tuple[OmegaHierarchicalResult | None, tuple[str, ...]]:
    """omega_h for the summary; a failure is a warning, never an exception."""
    try:
        with np.errstate(all="ignore"):
            o = omega_hierarchical_from_cor(r, m, n, max_iter=SUMMARY_MAX_ITER)
    except (np.linalg.LinAlgError, ValueError):
        return None, (WARN_OMEGA_FAILED,)
    return o, tuple(f"omega_{w}" for w in o.warnings)
