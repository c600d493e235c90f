"""Reliability of a scale: Cronbach's alpha with the Feldt CI, McDonald's omega, item stats.

Cross-checked against R 4.2.2 / psych 2.2.9 (``psych::alpha``, ``psych::omega``); see
tests/analysis/test_reliability.py and tests/data/README.md.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

from analysis.errors import AnalysisInputError

Missing = Literal["listwise", "pairwise"]

#: Reason codes of a reliability result that could not be computed.
REASON_TOO_FEW_ITEMS = "too_few_items"
REASON_TOO_FEW_RESPONDENTS = "too_few_respondents"
#: Warning codes.
WARN_ZERO_VARIANCE = "zero_variance_items_dropped"
WARN_HEYWOOD = "omega_heywood_case"
WARN_OMEGA_NOT_CONVERGED = "omega_not_converged"
WARN_NONPOSITIVE_SUM = "nonpositive_total_covariance"


@dataclass(frozen=True)
class ReliabilityResult:
    """Reliability of one scale. Arrays are per *used* item (``items_used``)."""

    n: int
    k: int
    alpha: float = np.nan
    alpha_std: float = np.nan
    alpha_ci: tuple[float, float] = (np.nan, np.nan)
    average_r: float = np.nan
    omega_total: float = np.nan
    items_used: NDArray[np.intp] = field(default_factory=lambda: np.zeros(0, np.intp))
    r_drop: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))
    r_total: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))
    alpha_if_deleted: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))
    alpha_std_if_deleted: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))
    warnings: tuple[str, ...] = ()
    reason: str | None = None
    message: str = ""

    @property
    def computable(self) -> bool:
        """True when alpha could be computed."""
        return self.reason is None


def _cov(x: NDArray[np.float64], missing: Missing) -> tuple[NDArray[np.float64], int]:
    """Covariance matrix (ddof = 1) and the n used for the Feldt CI."""
    if missing == "listwise":
        rows = x[~np.isnan(x).any(axis=1)]
        n = rows.shape[0]
        if n < 2:
            return np.full((x.shape[1], x.shape[1]), np.nan), n
        return np.atleast_2d(np.cov(rows, rowvar=False)), n
    return pairwise_cov(x), x.shape[0]


def pairwise_cov(x: NDArray[np.float64]) -> NDArray[np.float64]:
    """Pairwise-complete covariance matrix, ddof = 1, as R's ``cov(x, use = "pairwise")``.

    Notes
    -----
    For each pair (i, j) only the rows where both are answered enter, and each variable's
    mean is taken over those same rows (R's convention).
    """
    ok = ~np.isnan(x)
    z = np.where(ok, x, 0.0)
    w = ok.astype(np.float64)
    n = w.T @ w
    sx = z.T @ w  # sx[i, j] = sum of x_i over rows where j answered (and i)
    sxy = z.T @ z
    with np.errstate(invalid="ignore", divide="ignore"):
        c = (sxy - sx * sx.T / n) / (n - 1)
    c[n < 2] = np.nan
    return c


def cronbach_alpha(
    values: ArrayLike, missing: Missing = "listwise", confidence: float = 0.95
) -> ReliabilityResult:
    """Cronbach's alpha (raw and standardized), Feldt CI, omega total and item statistics.

    Parameters
    ----------
    values : (n, k) array of reverse-keyed answers, NaN = missing.
    missing : ``"listwise"`` (default) uses complete rows only; ``"pairwise"`` uses the
        pairwise-complete covariance matrix as ``psych::alpha`` does by default.
    confidence : level of the Feldt interval.

    Returns
    -------
    ReliabilityResult
        Not computable (``reason`` set, values NaN) when fewer than 2 items with variance
        remain or fewer than 3 respondents enter.

    Notes
    -----
    With C the covariance matrix (ddof = 1) and R = cov2cor(C) of the k items,

    * raw alpha = k/(k-1) * (1 - tr(C)/sum(C)) (Cronbach 1951);
    * standardized alpha = k/(k-1) * (1 - k/sum(R));
    * Feldt (1965) CI: 1 - (1 - alpha) * F^-1(1 - a/2; n-1, (n-1)(k-1)) and the same with
      a/2. n = complete rows under ``listwise`` (= ``psych::alpha(na.omit(x))``) and all rows
      under ``pairwise`` (= psych's default);
    * r_drop (corrected item-total r) = (c_i. - c_ii) / sqrt(c_ii (sum(C) - 2 c_i. + c_ii));
    * r_total (uncorrected, psych's raw.r) = c_i. / sqrt(c_ii sum(C));
    * omega total from a one-factor minres fit to R, see :func:`omega_total`.

    Items with zero variance are dropped with the warning ``zero_variance_items_dropped``
    (as psych does), so k shrinks.

    References
    ----------
    Cronbach, L. J. (1951). Psychometrika 16, 297-334. Feldt, L. S. (1965). Psychometrika
    30, 357-370. Revelle, W. psych::alpha (R package).
    """
    x = np.asarray(values, dtype=np.float64)
    if x.ndim != 2:
        raise AnalysisInputError("values must be a 2-D array (respondents x items)")
    if missing not in ("listwise", "pairwise"):
        raise AnalysisInputError("missing must be 'listwise' or 'pairwise'")
    c, n = _cov(x, missing)
    cor = pairwise_cor(x) if missing == "pairwise" else None
    return alpha_from_cov(c, n, confidence, cor)


def pairwise_cor(x: NDArray[np.float64]) -> NDArray[np.float64]:
    """Pairwise-complete correlation matrix as R's ``cor(x, use = "pairwise")``.

    Notes
    -----
    Unlike ``cov2cor`` of the pairwise covariance matrix, both standard deviations are taken
    over the rows where the pair is complete; ``psych::omega`` uses this matrix.
    """
    ok = ~np.isnan(x)
    z = np.where(ok, x, 0.0)
    w = ok.astype(np.float64)
    n = w.T @ w
    sx = z.T @ w
    sxx = (z * z).T @ w  # sum of x_i^2 over rows where j answered
    with np.errstate(invalid="ignore", divide="ignore"):
        cxy = z.T @ z - sx * sx.T / n
        vx = sxx - sx * sx / n
        r = cxy / np.sqrt(vx * vx.T)
    np.fill_diagonal(r, 1.0)
    return r


def alpha_from_cov(
    cov: ArrayLike, n: int, confidence: float = 0.95, cor: ArrayLike | None = None
) -> ReliabilityResult:
    """Alpha and item statistics from a covariance matrix (see :func:`cronbach_alpha`).

    ``cor`` is the correlation matrix for omega (default: ``cov2cor(cov)``).
    """
    c = np.atleast_2d(np.asarray(cov, dtype=np.float64))
    n = int(n)
    if n < 3:
        return _not_computable(n, c.shape[0], REASON_TOO_FEW_RESPONDENTS,
                               f"{n} respondents; alpha needs at least 3")
    diag = np.diag(c)
    used = np.flatnonzero(np.isfinite(diag) & (diag > 0))
    warns: tuple[str, ...] = (WARN_ZERO_VARIANCE,) if used.size < c.shape[0] else ()
    c = c[np.ix_(used, used)]
    k = used.size
    if not np.isfinite(c).all():
        return _not_computable(n, k, REASON_TOO_FEW_RESPONDENTS,
                               "some item pairs have fewer than 2 joint answers", warns)
    if k < 2:
        return _not_computable(n, k, REASON_TOO_FEW_ITEMS,
                               f"{k} item(s) with variance; alpha needs at least 2", warns)
    d = np.sqrt(np.diag(c))
    r = c / np.outer(d, d)
    alpha = _alpha(c)
    if np.sum(c) <= 0:
        warns += (WARN_NONPOSITIVE_SUM,)
    q = (1.0 - confidence) / 2.0
    dfn, dfd = n - 1, (n - 1) * (k - 1)
    f_hi, f_lo = stats.f.ppf(1 - q, dfn, dfd), stats.f.ppf(q, dfn, dfd)
    ci = (1 - (1 - alpha) * f_hi, 1 - (1 - alpha) * f_lo)
    r_omega = r if cor is None else np.asarray(cor, dtype=np.float64)[np.ix_(used, used)]
    omega, omega_warns = omega_total(r_omega)
    return ReliabilityResult(
        n=n, k=k, alpha=alpha, alpha_std=_alpha_std(r), alpha_ci=(float(ci[0]), float(ci[1])),
        average_r=float((r.sum() - k) / (k * (k - 1))), omega_total=omega, items_used=used,
        r_drop=_r_drop(c), r_total=c.sum(axis=0) / np.sqrt(np.diag(c) * c.sum()),
        alpha_if_deleted=_drop_each(c, _alpha),
        alpha_std_if_deleted=_drop_each(r, _alpha_std), warnings=warns + omega_warns,
    )


def _alpha(c: NDArray[np.float64]) -> float:
    k = c.shape[0]
    return float(k / (k - 1) * (1 - np.trace(c) / np.sum(c))) if k > 1 else np.nan


def _alpha_std(r: NDArray[np.float64]) -> float:
    k = r.shape[0]
    return float(k / (k - 1) * (1 - k / np.sum(r))) if k > 1 else np.nan


def _r_drop(c: NDArray[np.float64]) -> NDArray[np.float64]:
    col = c.sum(axis=0)
    var_i = np.diag(c)
    rest_var = c.sum() - 2 * col + var_i
    with np.errstate(invalid="ignore", divide="ignore"):
        r: NDArray[np.float64] = (col - var_i) / np.sqrt(var_i * rest_var)
    return r


def _drop_each(m: NDArray[np.float64], fn: Callable[[NDArray[np.float64]], float]
               ) -> NDArray[np.float64]:
    k = m.shape[0]
    out = np.empty(k)
    for i in range(k):
        keep = np.arange(k) != i
        out[i] = fn(m[np.ix_(keep, keep)])
    return out


def _not_computable(n: int, k: int, reason: str, message: str,
                    warns: tuple[str, ...] = ()) -> ReliabilityResult:
    return ReliabilityResult(n=n, k=k, reason=reason, message=message, warnings=warns)


def minres_one_factor(
    r: ArrayLike, tol: float = 1e-14, max_iter: int = 10_000
) -> tuple[NDArray[np.float64], bool]:
    """Loadings of a one-factor minres (unweighted least squares) fit to a correlation matrix.

    Parameters
    ----------
    r : (k, k) correlation matrix.
    tol : convergence tolerance on the largest change of a communality.
    max_iter : iteration cap.

    Returns
    -------
    (loadings, converged)

    Notes
    -----
    Minres minimises the off-diagonal residuals sum_{i != j} (r_ij - l_i l_j)^2. Its
    stationary points are the fixed points of iterated principal axes: put the current
    communalities h^2 = l^2 on the diagonal, take l = sqrt(ev_1) v_1 of the leading
    eigenpair, repeat (Harman 1976, ch. 8). Started from squared multiple correlations, as
    ``psych::fa(fm = "minres")``; on tests/data/a_single_factor.csv it reproduces the exact
    optimum to 3e-15 and psych's (less tightly converged) loadings to 3e-8. The sign is
    chosen so the loadings sum is positive.

    References
    ----------
    Harman, H. H. (1976). Modern Factor Analysis, 3rd ed. Revelle, W. psych::fa.
    """
    rr = np.array(r, dtype=np.float64)
    try:
        with np.errstate(divide="ignore", invalid="ignore"):
            h2 = 1.0 - 1.0 / np.diag(np.linalg.inv(rr))
    except np.linalg.LinAlgError:
        h2 = np.full(rr.shape[0], 0.5)
    # a singular or indefinite (pairwise) matrix gives no usable SMC start: use 0.5
    h2 = np.clip(np.where(np.isfinite(h2), h2, 0.5), 0.005, 1.0)
    loadings = np.sqrt(h2)
    for _ in range(max_iter):
        np.fill_diagonal(rr, h2)
        w, v = np.linalg.eigh(rr)
        loadings = v[:, -1] * np.sqrt(max(w[-1], 0.0))
        new = loadings**2
        if np.max(np.abs(new - h2)) < tol:
            return loadings * np.sign(loadings.sum() or 1.0), True
        h2 = new
    return loadings * np.sign(loadings.sum() or 1.0), False


def omega_total(r: ArrayLike) -> tuple[float, tuple[str, ...]]:
    """McDonald's omega total from a one-factor minres fit, as ``psych::omega(nfactors=1)``.

    Parameters
    ----------
    r : (k, k) correlation matrix (pairwise or listwise, matching the alpha policy).

    Returns
    -------
    (omega, warnings)

    Notes
    -----
    omega_t = 1 - sum(1 - h_i^2) / sum(R), with h_i^2 = l_i^2 the one-factor minres
    communalities (:func:`minres_one_factor`); the denominator is the observed variance of
    the standardized sum score (McDonald 1999; Revelle & Zinbarg 2009). Heywood cases
    (h^2 > 1) are reported as a warning.

    References
    ----------
    McDonald, R. P. (1999). Test Theory: A Unified Treatment. Revelle, W., & Zinbarg, R. E.
    (2009). Psychometrika 74, 145-154.
    """
    rr = np.asarray(r, dtype=np.float64)
    if rr.shape[0] < 2 or not np.isfinite(rr).all():
        return np.nan, ()
    loadings, converged = minres_one_factor(rr)
    h2 = loadings**2
    warns: tuple[str, ...] = () if converged else (WARN_OMEGA_NOT_CONVERGED,)
    if (h2 > 1.0).any():
        warns += (WARN_HEYWOOD,)
    return float(1.0 - np.sum(1.0 - h2) / np.sum(rr)), warns
