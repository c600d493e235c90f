"""Scoring: reverse-keying, scale scores, 0-100 transform, favourable share, tree roll-up.

All functions are vectorised over respondents and take raw answers as float arrays with
NaN for a missing answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

from analysis.errors import AnalysisInputError


@dataclass(frozen=True)
class UnitSummary:
    """Per unit (subtree) n, mean, sd (ddof 1) and t-based CI of the mean; NaN if undefined."""

    n: NDArray[np.int64]
    mean: NDArray[np.float64]
    sd: NDArray[np.float64]
    ci_low: NDArray[np.float64]
    ci_high: NDArray[np.float64]

#: Default minimum fraction of a dimension's items that must be answered for a scale score.
MIN_FRACTION = 2.0 / 3.0


def check_answers(values: ArrayLike, points: ArrayLike) -> NDArray[np.float64]:
    """Return `values` as a 2-D float array, checking every answer is NaN or an integer 1..A."""
    x = np.asarray(values, dtype=np.float64)
    if x.ndim != 2:
        raise AnalysisInputError(f"answers must be 2-D (respondents x items), not {x.ndim}-D")
    a = np.broadcast_to(np.asarray(points, dtype=np.float64), (x.shape[1],))
    bad = ~np.isnan(x) & ((x < 1) | (x > a) | (x != np.round(x)))
    if bad.any():
        row, col = np.argwhere(bad)[0]
        raise AnalysisInputError(
            f"answer {x[row, col]!r} in row {row}, item {col} is outside 1..{int(a[col])}"
        )
    return x


def reverse_key(values: ArrayLike, reverse: ArrayLike, points: ArrayLike) -> NDArray[np.float64]:
    """Reverse-key the flagged items with the scale bounds.

    Parameters
    ----------
    values : (n, k) array of answers 1..A, NaN = missing.
    reverse : (k,) bool array, True for a reverse-keyed item.
    points : int or (k,) array, A = number of response options of each item.

    Returns
    -------
    (n, k) float array with ``x' = A + 1 - x`` in the reversed columns (NaN stays NaN).

    Notes
    -----
    Uses the scale bounds, not the observed minimum and maximum as ``psych::alpha(keys=)``
    does, so the result does not depend on which answers happen to occur. Applying it twice
    returns the input.
    """
    x = check_answers(values, points)
    rev = np.asarray(reverse, dtype=bool)
    if rev.shape != (x.shape[1],):
        raise AnalysisInputError(f"reverse must have one flag per item ({x.shape[1]})")
    a = np.broadcast_to(np.asarray(points, dtype=np.float64), (x.shape[1],))
    out = x.copy()
    out[:, rev] = a[rev] + 1.0 - x[:, rev]
    return out


def scale_scores(
    values: ArrayLike,
    item_dimension: ArrayLike,
    n_dimensions: int | None = None,
    min_fraction: float = MIN_FRACTION,
) -> NDArray[np.float64]:
    """Respondent scale scores: mean of the answered items of each dimension.

    Parameters
    ----------
    values : (n, k) array of (already reverse-keyed) answers, NaN = missing.
    item_dimension : (k,) int array, dimension index 0..D-1 of each item.
    n_dimensions : D; defaults to ``max(item_dimension) + 1``.
    min_fraction : a score is given only when ``answered / items >= min_fraction``
        (default 2/3); otherwise NaN.

    Returns
    -------
    (n, D) float array.

    Notes
    -----
    The score is ``sum(x_answered) / n_answered``. The 2/3 rule is compared in integers
    (``3 * answered >= 2 * items`` for the default) so that 4 of 6 items qualifies exactly.
    """
    x = np.asarray(values, dtype=np.float64)
    dim = np.asarray(item_dimension, dtype=np.intp)
    d_count = int(dim.max()) + 1 if n_dimensions is None else int(n_dimensions)
    out = np.full((x.shape[0], d_count), np.nan)
    for d in range(d_count):
        block = x[:, dim == d]
        if block.shape[1] == 0:
            continue
        answered = block.shape[1] - np.isnan(block).sum(axis=1)
        total = np.nansum(block, axis=1)
        ok = answered >= min_fraction * block.shape[1] - 1e-12
        with np.errstate(invalid="ignore", divide="ignore"):
            out[:, d] = np.where(ok, total / answered, np.nan)
    return out


def to_score100(mean: ArrayLike, points: ArrayLike) -> NDArray[np.float64]:
    """Transform a mean on 1..A to 0..100.

    Notes
    -----
    ``score100 = (mean - 1) / (A - 1) * 100``; linear, so a CI transforms the same way.
    """
    a = np.asarray(points, dtype=np.float64)
    return (np.asarray(mean, dtype=np.float64) - 1.0) / (a - 1.0) * 100.0


def favourable_counts(
    values: ArrayLike, item_dimension: ArrayLike, points: ArrayLike, n_dimensions: int
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Per respondent and dimension: answers above the scale midpoint, and answers given.

    Notes
    -----
    An answer is favourable when ``x > (A + 1) / 2`` after reverse-keying (on a 5-point
    scale: 4 or 5; on a 6-point scale: 4, 5 or 6). The share is favourable / answered.
    """
    x = np.asarray(values, dtype=np.float64)
    dim = np.asarray(item_dimension, dtype=np.intp)
    a = np.asarray(points, dtype=np.float64)
    fav = np.zeros((x.shape[0], n_dimensions), dtype=np.int64)
    ans = np.zeros((x.shape[0], n_dimensions), dtype=np.int64)
    for d in range(n_dimensions):
        block = x[:, dim == d]
        ans[:, d] = block.shape[1] - np.isnan(block).sum(axis=1)
        fav[:, d] = (block > (a[d] + 1.0) / 2.0).sum(axis=1)
    return fav, ans


def tree_depth(parent: ArrayLike) -> NDArray[np.intp]:
    """Depth of every unit in the tree given by ``parent`` (-1 = root); rejects cycles."""
    par = np.asarray(parent, dtype=np.intp)
    n = par.shape[0]
    if par.ndim != 1 or ((par < -1) | (par >= n)).any():
        raise AnalysisInputError("unit_parent must hold -1 or a unit index 0..U-1 for each unit")
    depth = np.zeros(n, dtype=np.intp)
    cur = par.copy()
    for _ in range(n + 1):
        live = cur >= 0
        if not live.any():
            return depth
        depth[live] += 1
        cur[live] = par[cur[live]]
    raise AnalysisInputError("unit_parent contains a cycle; units must form a tree")


def roll_up(parent: ArrayLike, direct: ArrayLike) -> NDArray[Any]:
    """Sum per-unit quantities over each unit's whole subtree.

    Parameters
    ----------
    parent : (U,) parent index, -1 for a root.
    direct : (U, ...) array of quantities of the unit's own respondents (sums, counts).

    Returns
    -------
    (U, ...) array: for each unit, the sum over the unit and all its descendants.
    """
    par = np.asarray(parent, dtype=np.intp)
    depth = tree_depth(par)
    total = np.array(direct, copy=True)
    for level in range(int(depth.max(initial=0)), 0, -1):
        nodes = np.flatnonzero(depth == level)
        np.add.at(total, par[nodes], total[nodes])
    return total


def subtree_members(parent: ArrayLike) -> NDArray[np.bool_]:
    """(U, U) bool matrix: ``m[a, u]`` is True when unit u lies in a's subtree (a included)."""
    par = np.asarray(parent, dtype=np.intp)
    n = par.shape[0]
    tree_depth(par)
    m = np.eye(n, dtype=bool)
    cur = par.copy()
    idx = np.arange(n)
    while (cur >= 0).any():
        live = cur >= 0
        m[cur[live], idx[live]] = True
        cur[live] = par[cur[live]]
    return m


def unit_summary(scores: ArrayLike, unit: ArrayLike, n_units: int,
                 parent: ArrayLike | None = None, confidence: float = 0.95) -> UnitSummary:
    """n, mean, SD and CI of respondent scores per unit (or per subtree when `parent` given).

    Notes
    -----
    mean = sum/n, sd^2 = sum (y - mean)^2 / (n - 1), CI = mean -/+ t_{1-a/2, n-1} sd/sqrt(n).
    NaN scores are left out. Sums are taken about the overall mean for precision and rolled
    up the tree with :func:`roll_up`.
    """
    y = np.asarray(scores, dtype=np.float64)
    g = np.asarray(unit, dtype=np.intp)
    keep = ~np.isnan(y)
    y, g = y[keep], g[keep]
    centre = y.mean() if y.size else 0.0
    sums = np.stack([np.bincount(g, minlength=n_units).astype(np.float64),
                     np.bincount(g, weights=y - centre, minlength=n_units),
                     np.bincount(g, weights=(y - centre) ** 2, minlength=n_units)], axis=1)
    if parent is not None:
        sums = roll_up(parent, sums)
    n, s1, s2 = sums.T
    with np.errstate(invalid="ignore", divide="ignore"):
        m = s1 / n
        sd = np.sqrt(np.maximum((s2 - n * m * m) / (n - 1), 0.0))
        half = stats.t.ppf(0.5 + confidence / 2, n - 1) * sd / np.sqrt(n)
    sd = np.where(n >= 2, sd, np.nan)
    half = np.where(n >= 2, half, np.nan)
    return UnitSummary(n=n.astype(np.int64), mean=m + centre, sd=sd, ci_low=m + centre - half,
                       ci_high=m + centre + half)
