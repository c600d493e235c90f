"""Whole-wave analysis: every statistic for every unit subtree and dimension in one pass.

The app builds a :class:`WaveData` from the database; :func:`analyse_wave` returns a frozen
:class:`WaveResult` of numpy arrays that the reports package renders. Everything is
vectorised across units: rows are sorted by (unit, cut) once and read in cache-sized chunks;
per-cell sufficient statistics (counts, sums, sums of squares, item sums of complete rows)
are taken with ``np.add.reduceat``, then rolled up the unit tree (a parent's statistics cover
its whole subtree's respondents). Statistics then come from the sums in closed form.

Shapes: n respondents, I items, U units, D dimensions, C cut categories.

Example
-------
>>> import numpy as np
>>> data = WaveData(
...     values=np.array([[4., 2.], [5., 1.], [3., 3.], [4., 2.], [5., 2.], [4., 1.]]),
...     unit=np.array([1, 1, 1, 2, 2, 2]), item_dimension=np.array([0, 0]),
...     item_reverse=np.array([False, True]), dimension_points=np.array([5]),
...     dimension_collective=np.array([True]), unit_parent=np.array([-1, 0, 0]))
>>> res = analyse_wave(data, k=3)
>>> res.n[:, 0].tolist(), res.shown.tolist()
([6, 3, 3], [True, True, True])
>>> float(res.mean[0, 0])
4.166666666666667

Read only what ``res.shown_dimension`` (and ``trend.shown``, ``comparison.shown``,
``cut_shown``) allow; everything else exists for computation, not for display.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

from analysis import agreement, compare, disclosure, evidence, reliability, trends
from analysis.errors import AnalysisInputError
from analysis.pooling import minimum_detectable_change
from analysis.scoring import MIN_FRACTION, roll_up, to_score100, tree_depth

#: Reason code where a statistic is undefined because the dimension is not collective.
REASON_INDIVIDUAL_REFERENT = "individual_referent"
#: Reason code of a change that is not tested because a wave's cell is suppressed.
REASON_SUPPRESSED = "suppressed"


@dataclass(frozen=True)
class WaveData:
    """One wave's answers and layout, as built by the app (see module docstring for shapes).

    values : (n, I) float64 raw answers 1..A, NaN = missing (not reverse-keyed).
    unit : (n,) int, index 0..U-1 of the respondent's own unit.
    item_dimension : (I,) int, index 0..D-1.
    item_reverse : (I,) bool.
    dimension_points : (D,) int, A of the dimension's scale.
    dimension_collective : (D,) bool, collective referent (aggregate to units as culture).
    unit_parent : (U,) int, parent unit, -1 for a root.
    cut : (n,) int or None, pre-declared cut category 0..C-1, -1 = not answered.
    n_cut_categories : C; 0 = infer from ``cut`` (give it explicitly so waves match).
    unit_population : (U,) staff invited in each unit itself (not its subtree), NaN where
        unknown, or None; used for the finite-population correction of unit scores.
    """

    values: NDArray[np.float64]
    unit: NDArray[np.integer]
    item_dimension: NDArray[np.integer]
    item_reverse: NDArray[np.bool_]
    dimension_points: NDArray[np.integer]
    dimension_collective: NDArray[np.bool_]
    unit_parent: NDArray[np.integer]
    cut: NDArray[np.integer] | None = None
    n_cut_categories: int = 0
    unit_population: NDArray[np.float64] | None = None

    @property
    def n_units(self) -> int:
        """U."""
        return int(np.asarray(self.unit_parent).shape[0])

    @property
    def n_dimensions(self) -> int:
        """D."""
        return int(np.asarray(self.dimension_points).shape[0])


@dataclass(frozen=True)
class PublishedStats:
    """A wave's figures as they were published, on another wave's unit layout (U, D).

    n : respondents with a score; mean : on the 1..A scale; var : sample variance;
    shown : the cell was published (everything else is ignored where it is False).
    Used as the ``previous`` wave of a trend, so that an earlier wave enters a comparison
    only as it was published under its own k and its own unit tree.
    """

    n: NDArray[np.int64]
    mean: NDArray[np.float64]
    var: NDArray[np.float64]
    shown: NDArray[np.bool_]


@dataclass(frozen=True)
class WaveTrend:
    """Change from the previous wave per unit subtree × dimension (U, D); diff = now - previous.

    ``reason`` is "" where the test is defined, else a trends.REASON_* code or
    ``suppressed``; ``q`` are Benjamini-Hochberg q-values across the units of each dimension
    whose cell is shown in both waves (the family of reportable changes; NaN elsewhere);
    ``verdict`` holds the one evidence standard's verdict (analysis.evidence) in trend
    words: up / down / no_clear_change / too_small_to_tell / not_computable; ``evidence`` the
    pooled change, its intervals and minimum detectable change (1..A units). ``shown`` =
    shown in both waves. The Welch p, t, CI, BH q and g exist for every defined cell (exports
    and computation; no verdict is drawn from them).
    """

    previous_n: NDArray[np.int64]
    previous_mean: NDArray[np.float64]
    diff: NDArray[np.float64]
    t: NDArray[np.float64]
    df: NDArray[np.float64]
    p: NDArray[np.float64]
    ci_low: NDArray[np.float64]
    ci_high: NDArray[np.float64]
    hedges_g: NDArray[np.float64]
    g_ci_low: NDArray[np.float64]
    g_ci_high: NDArray[np.float64]
    q: NDArray[np.float64]
    verdict: NDArray[np.str_]
    reason: NDArray[np.str_]
    shown: NDArray[np.bool_]
    evidence: evidence.Judgement


@dataclass(frozen=True)
class WaveComparison:
    """Unit subtree vs the rest of the organisation (U, D); diff = unit - rest.

    ``percentile`` ranks the unit's mean among shown units at the same tree depth.
    ``shown`` additionally requires the rest to hold 0 or at least k respondents.
    ``evidence`` is the pooled difference and its verdict (analysis.evidence codes: higher /
    lower / no_clear_difference / too_small_to_tell / not_computable); the Welch t, p and CI
    are the direct test (computation only).
    """

    rest_n: NDArray[np.int64]
    rest_mean: NDArray[np.float64]
    diff: NDArray[np.float64]
    t: NDArray[np.float64]
    df: NDArray[np.float64]
    p: NDArray[np.float64]
    ci_low: NDArray[np.float64]
    ci_high: NDArray[np.float64]
    percentile: NDArray[np.float64]
    shown: NDArray[np.bool_]
    evidence: evidence.Judgement


@dataclass(frozen=True)
class WaveResult:
    """Every statistic of one wave. (U, D) arrays are per unit subtree × dimension.

    scores : (n, D) respondent scores (mean of answered items, 2/3 rule), input row order.
    n, mean, sd, ci_low, ci_high : t-based 95% CI of the mean (confidence 1 - alpha).
    score100, score100_ci_low, score100_ci_high : the same on 0-100.
    favourable : share of answers above the scale midpoint (after reverse-keying); the
    favourable side of a higher-worse scale is ``below_midpoint``, the share below it.
    unit_alpha : (U, D) raw alpha of the unit's complete rows (all items; NaN if n < 3).
    rwg_j : (U, D) against the uniform null; rwg_j_skew against the slightly skewed null
    (agreement.NULL_SLIGHT_SKEW); rwg_beyond_chance : rwg_j_skew above the critical value of
    random answering at the group's size; rwg_verdict : the band of rwg_j_skew, or
    not_beyond_chance. rwg is NaN for non-collective dimensions ("not_computable") and for a
    subtree whose respondents come from more than one unit ("several_units": agreement is
    judged within one working group, never over a pooled subtree).
    mean_reliability : (U, D) Spearman-Brown reliability of the unit mean at its n from the
    dimension's ICC(1) (NaN for non-collective dimensions).
    reliability : D ReliabilityResults over the whole wave (listwise).
    icc1, icc2, icc1_verdict, icc2_verdict, icc_reason : (D,) over own units.
    organisation_shown : every root unit is shown, so the whole-wave statistics
    (reliability, ICC) describe at least k respondents and may be shown.
    respondents : (U,) subtree respondents; shown : (U,) from analysis.disclosure;
    shown_dimension : (U, D) shown and the dimension's own count passes suppression.
    cut_n, cut_mean : (U, C, D) per cut category; cut_shown : (U, C, D).
    within_var : (D,) within-unit variance of respondent scores over the published cells that
    are one working group, the sigma^2 of the random-intercept model behind ``pooled`` and
    every verdict.
    pooled : partially pooled unit means about the current staff (analysis.evidence,
    1..A); use them, not ``mean``, for statements about a unit.
    """

    k: int
    scores: NDArray[np.float64]
    n: NDArray[np.int64]
    mean: NDArray[np.float64]
    sd: NDArray[np.float64]
    ci_low: NDArray[np.float64]
    ci_high: NDArray[np.float64]
    score100: NDArray[np.float64]
    score100_ci_low: NDArray[np.float64]
    score100_ci_high: NDArray[np.float64]
    favourable: NDArray[np.float64]
    below_midpoint: NDArray[np.float64]
    unit_alpha: NDArray[np.float64]
    rwg_j: NDArray[np.float64]
    rwg_j_skew: NDArray[np.float64]
    rwg_beyond_chance: NDArray[np.bool_]
    rwg_verdict: NDArray[np.str_]
    mean_reliability: NDArray[np.float64]
    reliability: tuple[reliability.ReliabilityResult, ...]
    icc1: NDArray[np.float64]
    icc2: NDArray[np.float64]
    icc1_verdict: NDArray[np.str_]
    icc2_verdict: NDArray[np.str_]
    icc_reason: NDArray[np.str_]
    respondents: NDArray[np.int64]
    disclosure: disclosure.DisclosureResult
    shown: NDArray[np.bool_]
    shown_dimension: NDArray[np.bool_]
    organisation_shown: bool
    cut_n: NDArray[np.int64] | None
    cut_mean: NDArray[np.float64] | None
    cut_shown: NDArray[np.bool_] | None
    comparison: WaveComparison
    trend: WaveTrend | None
    within_var: NDArray[np.float64]
    pooled: evidence.PooledMeans


@dataclass(frozen=True)
class _Stats:
    """Per-unit sufficient statistics of one wave; scores and items centred at the midpoint.

    "direct" arrays cover a unit's own respondents, the others its whole subtree. Item
    statistics use the rows that answered every item of the dimension (listwise).
    """

    respondents: NDArray[np.int64]  # (U,) own-unit respondents
    cut_direct: NDArray[np.int64] | None  # (U, C) own-unit respondents per cut category
    direct_n: NDArray[np.int64]  # (U, D) own-unit respondents with a score
    direct_s1: NDArray[np.float64]  # (U, D) sum of centred scores
    direct_s2: NDArray[np.float64]  # (U, D) sum of squared centred scores
    n: NDArray[np.int64]  # (U, D)
    s1: NDArray[np.float64]
    s2: NDArray[np.float64]
    fav: NDArray[np.float64]  # (U, D) answers above the midpoint
    low: NDArray[np.float64]  # (U, D) answers below the midpoint
    answered: NDArray[np.float64]  # (U, D) answers given
    cut_n_direct: NDArray[np.int64] | None  # (U, C, D)
    cut_s1: NDArray[np.float64] | None  # (U, C, D) subtree
    complete: NDArray[np.float64]  # (U, D) rows with every item of the dimension
    item_s1: NDArray[np.float64]  # (U, I) items in dimension order, complete rows
    item_ss: NDArray[np.float64]  # (U, D) sum over the dimension's items of squares
    total_s1: NDArray[np.float64]  # (U, D) row totals of complete rows
    total_s2: NDArray[np.float64]  # (U, D)
    gram: tuple[NDArray[np.float64], ...]  # per d: (J, J) whole-wave cross-products


def validate_wave(w: WaveData, check_values: bool = True) -> None:
    """Raise AnalysisInputError with an actionable message if `w` is inconsistent.

    ``check_values=False`` skips the answer range check (analyse_wave checks every answer,
    including that it is a whole number, chunk by chunk during its pass).
    """
    x = np.asarray(w.values)
    if x.ndim != 2 or x.dtype != np.float64:
        raise AnalysisInputError("values must be a float64 array (respondents x items)")
    n, n_items = x.shape
    u, d = w.n_units, w.n_dimensions
    _check_int(w.unit, (n,), 0, u - 1, "unit")
    _check_int(w.item_dimension, (n_items,), 0, d - 1, "item_dimension")
    _check_int(w.dimension_points, (d,), 2, 101, "dimension_points")
    _check_int(w.unit_parent, (u,), -1, u - 1, "unit_parent")
    tree_depth(w.unit_parent)
    for name, shape in (("item_reverse", (n_items,)), ("dimension_collective", (d,))):
        arr = np.asarray(getattr(w, name))
        if arr.shape != shape or arr.dtype != np.bool_:
            raise AnalysisInputError(f"{name} must be a bool array of shape {shape}")
    if w.cut is not None:
        _check_int(w.cut, (n,), -1, max(_n_cut(w) - 1, -1), "cut")
    if np.bincount(np.asarray(w.item_dimension), minlength=d).min() == 0:
        raise AnalysisInputError("every dimension needs at least one item")
    if not check_values:
        return
    a = np.asarray(w.dimension_points, dtype=np.float64)[np.asarray(w.item_dimension)]
    with np.errstate(invalid="ignore"):
        lo, hi = np.nanmin(x, axis=0, initial=np.inf), np.nanmax(x, axis=0, initial=-np.inf)
    bad = np.flatnonzero((lo < 1) | (hi > a))
    if bad.size:
        j = int(bad[0])
        raise AnalysisInputError(f"item {j} has answers outside 1..{int(a[j])}")


def _check_int(arr: ArrayLike, shape: tuple[int, ...], lo: int, hi: int, name: str) -> None:
    a = np.asarray(arr)
    if a.shape != shape or not np.issubdtype(a.dtype, np.integer):
        raise AnalysisInputError(f"{name} must be an integer array of shape {shape}")
    if a.size and (a.min() < lo or a.max() > hi):
        raise AnalysisInputError(f"{name} values must lie in {lo}..{hi}")


def _n_cut(w: WaveData) -> int:
    if w.cut is None:
        return 0
    if w.n_cut_categories:
        return int(w.n_cut_categories)
    return int(np.max(w.cut, initial=-1)) + 1


#: Rows per chunk: a chunk's working arrays stay in a core's L2 cache.
CHUNK_ROWS = 8192
# Column blocks of the per-cell accumulator, in order (D columns each unless noted).
_FIELDS = ("n", "s1", "s2", "fav", "low", "answered", "complete", "total_s1", "total_s2")


def _layout(w: WaveData) -> tuple[NDArray[np.intp], NDArray[np.intp], NDArray[np.float64],
                                  NDArray[np.float64]]:
    """Item order by dimension, each item's dimension, signs and sign x midpoint."""
    dim = np.asarray(w.item_dimension, dtype=np.intp)
    item_order = np.argsort(dim, kind="stable")
    dim_sorted = dim[item_order]
    points = np.asarray(w.dimension_points, dtype=np.float64)
    mid_item = (points[dim_sorted] + 1.0) / 2.0
    sign = np.where(np.asarray(w.item_reverse)[item_order], -1.0, 1.0)
    return item_order, dim_sorted, sign, mid_item * sign


@dataclass(frozen=True)
class _Plan:
    """What every chunk of one wave's scan needs (row order, item layout, buffer width)."""

    order: NDArray[np.intp]
    key_sorted: NDArray[np.integer]
    item_order: NDArray[np.intp]
    identity: bool
    sign: NDArray[np.float64]
    shift: NDArray[np.float64]
    bounds: NDArray[np.intp]
    j_count: NDArray[np.float64]
    need: NDArray[np.float64]
    a_col: NDArray[np.float64]  # (items, 1) A of each item, dimension order
    width: int
    n_cells: int
    with_items: bool


def _plan(w: WaveData, with_items: bool) -> _Plan:
    u, d = w.n_units, w.n_dimensions
    n_cut = _n_cut(w)
    cut = np.full(np.asarray(w.unit).shape, -1) if w.cut is None else np.asarray(w.cut)
    key = np.asarray(w.unit, dtype=np.int64) * (n_cut + 1) + (cut + 1)
    # small integer keys let numpy's stable sort use radix sort (O(n))
    key = key.astype(np.uint16 if u * (n_cut + 1) < 2**16 else np.int64)
    order = np.argsort(key, kind="stable")
    item_order, dim_sorted, sign, shift = _layout(w)
    n_items = item_order.size
    bounds = np.searchsorted(dim_sorted, np.arange(d + 1))
    j_count = np.diff(bounds).astype(np.float64)
    return _Plan(
        order=order, key_sorted=key[order], item_order=item_order,
        identity=bool(np.all(item_order == np.arange(n_items))), sign=sign, shift=shift,
        bounds=bounds, j_count=j_count, need=MIN_FRACTION * j_count - 1e-12,
        a_col=np.asarray(w.dimension_points, dtype=np.float64)[dim_sorted][:, None],
        width=(len(_FIELDS) + 1) * d + n_items if with_items else 3 * d,
        n_cells=u * (n_cut + 1), with_items=with_items)


def _wave_stats(w: WaveData, with_items: bool, workers: int = 1,
                scores: NDArray[np.float64] | None = None) -> _Stats:
    """One chunked pass over the rows sorted by (unit, cut): per-cell sums, and the
    respondent scores written into ``scores`` when an (n, D) buffer is given.

    Reverse-keying and centring are fused: with m = (A + 1)/2, a reversed item's centred
    value is (A + 1 - x) - m = -(x - m), so z = s x - s m with s = -1 or +1. Items are
    grouped by dimension so that per-dimension sums are one ``np.add.reduceat`` along the
    row, and per-cell sums one ``np.add.reduceat`` down the rows (no BLAS calls on thin
    matrices, whose threading overhead dominated). With ``workers > 1`` contiguous ranges
    of chunks run in threads (numpy releases the GIL) and their sums are added.
    """
    plan = _plan(w, with_items)
    values = np.asarray(w.values)
    n = values.shape[0]
    n_chunks = -(-n // CHUNK_ROWS)
    parts = max(1, min(int(workers), n_chunks))
    edges = [(n_chunks * i // parts) * CHUNK_ROWS for i in range(parts + 1)]
    ranges = [(edges[i], min(edges[i + 1], n)) for i in range(parts)]
    if parts == 1:
        results = [_scan(plan, values, scores, *ranges[0])]
    else:
        with ThreadPoolExecutor(max_workers=parts) as pool:
            results = list(pool.map(lambda r: _scan(plan, values, scores, *r), ranges))
    acc = np.sum([r[0] for r in results], axis=0)
    gram = np.sum([r[1] for r in results], axis=0)
    if scores is not None:
        scores += ((np.asarray(w.dimension_points, dtype=np.float64) + 1.0) / 2.0)
    dim_sorted = np.asarray(w.item_dimension)[plan.item_order]
    return _package_stats(w, acc, gram, _n_cut(w), dim_sorted, with_items)


def _scan(plan: _Plan, values: NDArray[np.float64], scores: NDArray[np.float64] | None, lo: int,
          hi: int) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Per-cell sums (and the gram matrix) of the sorted rows lo..hi; fills their scores.

    A chunk is held field-major (items x rows, fields x rows): every write is contiguous and
    the per-cell ``reduceat`` runs along the last axis, about 20 % faster than row-major.
    """
    d = plan.j_count.size
    bounds = plan.bounds
    j_count, need = plan.j_count[:, None], plan.need[:, None]
    sign, shift = plan.sign[:, None], plan.shift[:, None]
    acc = np.zeros((plan.width, plan.n_cells))
    gram = np.zeros((plan.item_order.size, plan.item_order.size))
    for start in range(lo, hi, CHUNK_ROWS):
        rows = plan.order[start:min(start + CHUNK_ROWS, hi)]
        z = values.take(rows, axis=0)
        if not plan.identity:
            z = z.take(plan.item_order, axis=1)
        z = np.ascontiguousarray(z.T)  # (items, m)
        isnan = np.isnan(z)
        _check_answers(z, isnan, rows, plan)
        z *= sign
        z -= shift
        np.copyto(z, 0.0, where=isnan)
        f = np.empty((plan.width, rows.size))
        ans = j_count - _dim_sums(isnan, bounds)
        zsum = _dim_sums(z, bounds)
        ok = ans >= need
        cz = f[d:2 * d]
        np.divide(zsum, ans, out=cz, where=ok)
        cz[~ok] = 0.0
        f[:d] = ok
        np.multiply(cz, cz, out=f[2 * d:3 * d])
        if scores is not None:
            scores[rows] = np.where(ok, cz, np.nan).T
        if plan.with_items:
            _item_fields(f, z, zsum, ans, j_count, bounds, gram)
        keys = plan.key_sorted[start:start + rows.size]
        begin = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
        acc[:, keys[begin].astype(np.intp)] += np.add.reduceat(f, begin, axis=1)
    return acc.T, gram


def _dim_sums(a: NDArray[np.float64] | NDArray[np.bool_], bounds: NDArray[np.intp],
              out: NDArray[np.float64] | None = None) -> NDArray[np.float64]:
    """(D, m) sums of the item rows of each dimension of a field-major (items, m) chunk.

    One ``np.sum`` per dimension slice: about 4x faster than ``np.add.reduceat`` along
    axis 0, which does not vectorise over the rows.
    """
    d = bounds.size - 1
    out = np.empty((d, a.shape[1])) if out is None else out
    for j in range(d):
        np.sum(a[bounds[j]:bounds[j + 1]], axis=0, dtype=np.float64, out=out[j])
    return out


def _check_answers(z: NDArray[np.float64], isnan: NDArray[np.bool_], rows: NDArray[np.intp],
                   plan: _Plan) -> None:
    """Raise unless every given answer is a whole number 1..A (z is raw, items x m).

    Done per chunk while the chunk is in cache, instead of extra passes over the matrix.
    """
    fractional = (np.rint(z) != z) & ~isnan  # NaN != NaN, hence the mask
    lo, hi = np.fmin.reduce(z, axis=1), np.fmax.reduce(z, axis=1)  # NaN-ignoring
    if fractional.any() or (lo < 1).any() or (hi > plan.a_col[:, 0]).any():
        bad = fractional | (z < 1) | (z > plan.a_col)
        i, c = np.argwhere(bad)[0]
        v, item = float(z[i, c]), int(plan.item_order[i])
        a = int(plan.a_col[i, 0])
        what = "is not a whole number" if v != round(v) else f"is outside 1..{a}"
        raise AnalysisInputError(
            f"answer {v!r} of respondent row {int(rows[c])}, item {item} {what}")


def _item_fields(f: NDArray[np.float64], z: NDArray[np.float64], zsum: NDArray[np.float64],
                 ans: NDArray[np.float64], j_count: NDArray[np.float64], bounds: NDArray[np.intp],
                 gram: NDArray[np.float64]) -> None:
    """Answers above/below the midpoint, answered counts, complete-row totals, item sums, gram.

    All arrays are field-major: z is (items, m), zsum/ans are (D, m), f is (fields, m).
    """
    d = j_count.size
    n_items = z.shape[0]
    _dim_sums(z > 0, bounds, out=f[3 * d:4 * d])
    _dim_sums(z < 0, bounds, out=f[4 * d:5 * d])
    f[5 * d:6 * d] = ans
    complete = ans == j_count
    f[6 * d:7 * d] = complete
    np.multiply(zsum, complete, out=f[7 * d:8 * d])
    np.multiply(f[7 * d:8 * d], f[7 * d:8 * d], out=f[8 * d:9 * d])
    zc = f[10 * d:10 * d + n_items]
    np.multiply(z, np.repeat(complete, np.diff(bounds), axis=0), out=zc)
    # only the per-dimension sum of squares is needed (tr C), which keeps the buffer narrow
    _dim_sums(zc * zc, bounds, out=f[9 * d:10 * d])
    for j in range(d):
        blk = zc[bounds[j]:bounds[j + 1]]
        gram[bounds[j]:bounds[j + 1], bounds[j]:bounds[j + 1]] += blk @ blk.T


def _package_stats(w: WaveData, acc: NDArray[np.float64], gram: NDArray[np.float64], n_cut: int,
                   dim_sorted: NDArray[np.integer], with_items: bool) -> _Stats:
    u, d = w.n_units, w.n_dimensions
    par = np.asarray(w.unit_parent, dtype=np.intp)
    cells = acc.reshape(u, n_cut + 1, -1)  # acc: (cells, fields)
    direct = cells.sum(axis=1)
    names = _FIELDS if with_items else _FIELDS[:3]
    f = {name: direct[:, i * d:(i + 1) * d] for i, name in enumerate(names)}
    f.update({name: np.zeros((u, d)) for name in _FIELDS if name not in f})
    up = {name: roll_up(par, f[name]) for name in _FIELDS}
    n_items = dim_sorted.size
    base = len(names) * d
    items = roll_up(par, direct[:, base:]) if with_items else np.zeros((u, d + n_items))
    respondents = np.bincount(np.asarray(w.unit), minlength=u).astype(np.int64)
    cut_direct = cut_n = cut_s1 = None
    if w.cut is not None:
        cut_vals = np.asarray(w.cut)
        flat = np.asarray(w.unit)[cut_vals >= 0] * n_cut + cut_vals[cut_vals >= 0]
        cut_direct = np.bincount(flat, minlength=u * n_cut).reshape(u, n_cut).astype(np.int64)
        cut_n = np.rint(cells[:, 1:, :d]).astype(np.int64)
        cut_s1 = roll_up(par, cells[:, 1:, d:2 * d])
    bounds = np.searchsorted(dim_sorted, np.arange(d + 1))
    return _Stats(
        respondents=respondents, cut_direct=cut_direct,
        direct_n=np.rint(f["n"]).astype(np.int64), direct_s1=f["s1"], direct_s2=f["s2"],
        n=np.rint(up["n"]).astype(np.int64), s1=up["s1"], s2=up["s2"], fav=up["fav"],
        low=up["low"],
        answered=up["answered"], cut_n_direct=cut_n, cut_s1=cut_s1, complete=up["complete"],
        item_ss=items[:, :d], item_s1=items[:, d:], total_s1=up["total_s1"],
        total_s2=up["total_s2"],
        gram=tuple(gram[bounds[j]:bounds[j + 1], bounds[j]:bounds[j + 1]] for j in range(d)),
    )


def _mean_var(st: _Stats, points: NDArray[np.float64]
              ) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    n = st.n.astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        cm = st.s1 / n
        var = np.where(n >= 2, (st.s2 - n * cm * cm) / (n - 1), np.nan)
    return cm + (points + 1.0) / 2.0, np.maximum(var, 0.0), cm


def analyse_wave(current: WaveData, k: int = 5,
                 previous: WaveData | PublishedStats | None = None,
                 alpha: float = 0.05, workers: int = 1) -> WaveResult:
    """Analyse a whole wave: scores, reliability, agreement, comparison, trend, disclosure.

    Parameters
    ----------
    current : this wave.
    k : minimum group size for disclosure control (anonymity.md rule 4).
    previous : the previous wave, same units and dimensions (respondents differ): its raw
        data (disclosed with this call's k), or its published figures (`PublishedStats`,
        disclosed as they were published).
    alpha : 1 - confidence of every CI, and the false discovery rate of the trend verdicts.
    workers : threads for the pass over the rows (1 = none; 2 uses both cores of a small
        server; keep 1 inside parallel report workers). Results do not depend on it beyond
        floating-point summation order (~1e-15).

    Returns
    -------
    WaveResult; see the formulas in analysis.scoring, reliability, agreement, trends,
    compare and disclosure. Nothing is rounded.
    """
    _validate_call(current, previous, k, alpha, workers)
    points = np.asarray(current.dimension_points, dtype=np.float64)
    collective = np.asarray(current.dimension_collective)
    scores = np.empty((np.asarray(current.values).shape[0], current.n_dimensions))
    st = _wave_stats(current, with_items=True, workers=workers, scores=scores)
    mean, var, cmean = _mean_var(st, points)
    half = _half_width(st.n, var, alpha)
    rel, unit_alpha, (rwg, rwg_skew, beyond, several) = _reliability_agreement(
        st, current, collective, 1 - alpha)
    icc = _icc_per_dimension(st, collective)
    icc1 = np.array([r.icc1 if r else np.nan for r in icc])
    disc, shown_dim, cut_shown = _disclose(current, st, k)
    cut_n, cut_mean = _cut_means(st, current, points)
    within = _within_var(st, shown_dim)
    family = tree_depth(current.unit_parent)
    comparison = _compare(st, cmean, var, shown_dim, current, k, alpha, within, family)
    trend = None
    if previous is not None:
        trend = _trend(current, previous, st, mean, var, shown_dim, k, alpha, points, workers,
                       within, family)
    pooled = evidence.pool_means(mean, within, st.n, _population(current), family, shown_dim,
                                 confidence=1 - alpha)
    with np.errstate(invalid="ignore", divide="ignore"):
        favourable = st.fav / st.answered
        below = st.low / st.answered
    return WaveResult(
        k=k, scores=scores, n=st.n, mean=mean, sd=np.sqrt(var), ci_low=mean - half,
        ci_high=mean + half, score100=to_score100(mean, points),
        score100_ci_low=to_score100(mean - half, points),
        score100_ci_high=to_score100(mean + half, points), favourable=favourable,
        below_midpoint=below,
        unit_alpha=unit_alpha, rwg_j=rwg, rwg_j_skew=rwg_skew, rwg_beyond_chance=beyond,
        rwg_verdict=_rwg_verdicts(rwg_skew, beyond, several),
        mean_reliability=agreement.mean_reliability(icc1, st.n) * np.where(collective, 1, np.nan),
        reliability=rel,
        icc1=icc1,
        icc2=np.array([r.icc2 if r else np.nan for r in icc]),
        icc1_verdict=np.array([agreement.icc1_verdict(r.icc1 if r else np.nan) for r in icc]),
        icc2_verdict=np.array([agreement.icc2_verdict(r.icc2 if r else np.nan) for r in icc]),
        icc_reason=np.array([(r.reason or "") if r else REASON_INDIVIDUAL_REFERENT
                             for r in icc]),
        respondents=disc.counts, disclosure=disc, shown=disc.shown, shown_dimension=shown_dim,
        organisation_shown=bool(disc.shown[np.asarray(current.unit_parent) < 0].all()),
        cut_n=cut_n, cut_mean=cut_mean, cut_shown=cut_shown, comparison=comparison,
        trend=trend, within_var=within, pooled=pooled,
    )


def _validate_call(current: WaveData, previous: WaveData | PublishedStats | None, k: int,
                   alpha: float,
                   workers: int) -> None:
    if int(k) != k or k < disclosure.MIN_K:
        raise AnalysisInputError(f"k must be an integer >= {disclosure.MIN_K} (anonymity rule 4)")
    if not 0.0 < alpha < 1.0:
        raise AnalysisInputError("alpha must lie strictly between 0 and 1 (e.g. 0.05)")
    if int(workers) != workers or workers < 1:
        raise AnalysisInputError("workers must be a whole number >= 1")
    validate_wave(current, check_values=False)  # answers are checked during the pass
    if isinstance(previous, PublishedStats):
        shape = (current.n_units, current.n_dimensions)
        if any(np.shape(a) != shape for a in (previous.n, previous.mean, previous.var,
                                               previous.shown)):
            raise AnalysisInputError(f"previous published figures must have shape {shape}")
    elif previous is not None:
        validate_wave(previous, check_values=False)
        _check_same_layout(current, previous)


def _half_width(n: NDArray[np.int64], var: NDArray[np.float64], alpha: float
                ) -> NDArray[np.float64]:
    """Half-width of the t-based CI of a mean: t_{1-a/2, n-1} sd / sqrt(n) (NaN if n < 2)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        half = stats.t.ppf(1 - alpha / 2, n - 1) * np.sqrt(var) / np.sqrt(n)
    return np.where(n >= 2, half, np.nan)


def _rwg_verdicts(rwg_skew: NDArray[np.float64], beyond: NDArray[np.bool_],
                  several: NDArray[np.bool_]) -> NDArray[np.str_]:
    """Bands of rwg(j) against the slightly skewed null; not_beyond_chance at or below what
    random answering gives at the group's size; several_units for a subtree of units."""
    bands = np.vectorize(agreement.rwg_verdict, otypes=[str])(rwg_skew)
    out = np.where(np.isfinite(rwg_skew) & ~beyond, agreement.RWG_NOT_BEYOND_CHANCE, bands)
    return np.where(several, agreement.RWG_SEVERAL_UNITS, out)


def _icc_per_dimension(st: _Stats, collective: NDArray[np.bool_]
                       ) -> list[agreement.IccResult | None]:
    """ICC over own units for collective dimensions (None for individual-referent ones)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        dmean = st.direct_s1 / st.direct_n
    dss = st.direct_s2 - st.direct_s1 * np.nan_to_num(dmean)
    return [agreement.icc_from_stats(st.direct_n[:, j], dmean[:, j], dss[:, j])
            if collective[j] else None for j in range(collective.size)]


def _cut_means(st: _Stats, w: WaveData, points: NDArray[np.float64]
               ) -> tuple[NDArray[np.int64] | None, NDArray[np.float64] | None]:
    """(U, C, D) respondents with a score and mean score per unit subtree × cut category."""
    if st.cut_n_direct is None:
        return None, None
    cut_n = roll_up(np.asarray(w.unit_parent, dtype=np.intp), st.cut_n_direct)
    with np.errstate(invalid="ignore", divide="ignore"):
        return cut_n, st.cut_s1 / cut_n + (points + 1.0) / 2.0


def _check_same_layout(a: WaveData, b: WaveData) -> None:
    same = (np.array_equal(a.unit_parent, b.unit_parent)
            and np.array_equal(a.item_dimension, b.item_dimension)
            and np.array_equal(a.item_reverse, b.item_reverse)
            and np.array_equal(a.dimension_points, b.dimension_points)
            and np.array_equal(a.dimension_collective, b.dimension_collective))
    if not same:
        raise AnalysisInputError(
            "previous wave must have the same units, items and dimensions as the current wave")


def _reliability_agreement(
    st: _Stats, w: WaveData, collective: NDArray[np.bool_], confidence: float,
) -> tuple[tuple[reliability.ReliabilityResult, ...], NDArray[np.float64],
           tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.bool_], NDArray[np.bool_]]]:
    """Whole-wave reliability per dimension, unit alpha and rwg(j) per unit × dimension.

    Per unit only tr(C) and sum(C) are needed: tr(C) = sum of item variances and
    sum(C) = variance of the row total (both over complete rows, ddof 1).
    """
    u, d = w.n_units, w.n_dimensions
    unit_alpha = np.full((u, d), np.nan)
    rwg = np.full((u, d), np.nan)
    skew = np.full((u, d), np.nan)
    beyond = np.zeros((u, d), dtype=bool)
    several = np.zeros((u, d), dtype=bool)
    rel = []
    roots = np.asarray(w.unit_parent) < 0
    bounds = np.searchsorted(np.sort(np.asarray(w.item_dimension)), np.arange(d + 1))
    for j in range(d):
        cols = slice(bounds[j], bounds[j + 1])
        nc = st.complete[:, j]
        s1 = st.item_s1[:, cols]
        n_all = nc[roots].sum()
        t_all = s1[roots].sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            cov_all = (st.gram[j] - np.outer(t_all, t_all) / n_all) / (n_all - 1)
            rel.append(reliability.alpha_from_cov(cov_all, int(n_all), confidence))
            tr = (st.item_ss[:, j] - (s1 * s1).sum(axis=1) / nc) / (nc - 1)
            tot = (st.total_s2[:, j] - st.total_s1[:, j] ** 2 / nc) / (nc - 1)
            jj = bounds[j + 1] - bounds[j]
            a = jj / (jj - 1) * (1 - tr / tot) if jj > 1 else np.full(u, np.nan)
        unit_alpha[:, j] = np.where((nc >= 3) & (tot > 0), a, np.nan)
        if collective[j]:
            a_j = int(w.dimension_points[j])
            # agreement is a property of one working group: not of a subtree of several
            several[:, j] = st.n[:, j] != st.direct_n[:, j]
            ok = (nc >= 2) & ~several[:, j]
            rwg[:, j] = np.where(ok, agreement.rwg_j_from_variance(tr / jj, jj, a_j), np.nan)
            null = agreement.null_variance(a_j, agreement.NULL_SLIGHT_SKEW)
            skew[:, j] = np.where(ok, agreement.rwg_j_from_variance(tr / jj, jj, a_j, null),
                                  np.nan)
            crit = agreement.rwg_critical_value(np.where(ok, nc, 0), jj, a_j,
                                                agreement.NULL_SLIGHT_SKEW)
            with np.errstate(invalid="ignore"):
                beyond[:, j] = ok & (skew[:, j] > crit)
    return tuple(rel), unit_alpha, (rwg, skew, beyond, several)


def _disclose(w: WaveData, st: _Stats, k: int
              ) -> tuple[disclosure.DisclosureResult, NDArray[np.bool_], NDArray[np.bool_] | None]:
    """Suppression on respondent counts AND on each dimension's own counts (still safe:
    hiding more never reveals more)."""
    par = np.asarray(w.unit_parent, dtype=np.intp)
    disc = disclosure.suppress(par, st.respondents, k, st.cut_direct)
    u, d = w.n_units, w.n_dimensions
    shown_dim = np.zeros((u, d), dtype=bool)
    cut_shown = None if st.cut_direct is None else np.zeros((u, st.cut_direct.shape[1], d), bool)
    for j in range(d):
        cut_j = None if st.cut_n_direct is None else st.cut_n_direct[:, :, j]
        dj = disclosure.suppress(par, st.direct_n[:, j], k, cut_j)
        shown_dim[:, j] = disc.shown & dj.shown
        if cut_shown is not None and disc.cut_shown is not None and dj.cut_shown is not None:
            cut_shown[:, :, j] = disc.cut_shown & dj.cut_shown
    return disc, shown_dim, cut_shown


def _within_var(st: _Stats, shown_dim: NDArray[np.bool_]) -> NDArray[np.float64]:
    """(D,) pooled within-unit variance of scores (one-way ANOVA MSW) over the published cells
    that are one working group (no respondents below them).

    Every pooled estimate and interval depends on it, so it draws only on figures the wave
    publishes anyway (those cells' n and SD): a hidden unit, or a parent's own staff, adds
    nothing to it.
    """
    use = shown_dim & (st.n == st.direct_n)
    n = np.where(use, st.direct_n, 0).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        ss = np.where(n > 0, st.direct_s2 - st.direct_s1 ** 2 / n, 0.0)
        df = n.sum(axis=0) - (n > 0).sum(axis=0)
        return np.where(df > 0, np.maximum(ss.sum(axis=0), 0.0) / df, np.nan)


def _population(w: WaveData) -> NDArray[np.float64]:
    """(U,) staff invited in each subtree; NaN where any unit of the subtree is unknown."""
    if w.unit_population is None:
        return np.full(w.n_units, np.nan)
    own = np.asarray(w.unit_population, dtype=np.float64)
    return roll_up(np.asarray(w.unit_parent, dtype=np.intp), own)


def _judge(diff: NDArray[np.float64], n_a: ArrayLike, n_b: ArrayLike, within: NDArray[np.float64],
           family: NDArray[np.intp], eligible: NDArray[np.bool_], alpha: float
           ) -> evidence.Judgement:
    """The evidence standard for a difference of two independent groups' means."""
    na, nb = (np.asarray(x, dtype=np.float64) for x in (n_a, n_b))
    sd = np.sqrt(within)
    with np.errstate(invalid="ignore", divide="ignore"):
        variance = within * (1.0 / na + 1.0 / nb)
    return evidence.judge(diff, variance, na + nb - 2.0,
                          minimum_detectable_change(sd, na, nb, alpha=alpha), sd, family,
                          eligible & (na >= 2) & (nb >= 2), confidence=1 - alpha)


def _compare(st: _Stats, cmean: NDArray[np.float64], var: NDArray[np.float64],
             shown_dim: NDArray[np.bool_], w: WaveData, k: int, alpha: float,
             within: NDArray[np.float64], family: NDArray[np.intp]) -> WaveComparison:
    roots = np.asarray(w.unit_parent) < 0
    tn = st.n[roots].sum(axis=0).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        tm = st.s1[roots].sum(axis=0) / tn
        tv = (st.s2[roots].sum(axis=0) - tn * tm * tm) / (tn - 1)
    res = compare.unit_vs_rest(st.n, cmean, var, tn, tm, tv, confidence=1 - alpha)
    rest_n = (tn - st.n).astype(np.int64)
    shown = shown_dim & ((rest_n == 0) | (rest_n >= k))
    depth = tree_depth(w.unit_parent)
    pct = np.full(cmean.shape, np.nan)
    for j in range(cmean.shape[1]):
        pct[:, j] = compare.percentile_rank(np.where(shown_dim[:, j], cmean[:, j], np.nan), depth)
    mid = (np.asarray(w.dimension_points, dtype=np.float64) + 1.0) / 2.0
    judged = _judge(res.diff, st.n, rest_n, within, family, shown, alpha)
    return WaveComparison(rest_n=rest_n, rest_mean=res.mean_a + mid, diff=res.diff, t=res.t,
                          df=res.df, p=res.p, ci_low=res.ci_low, ci_high=res.ci_high,
                          percentile=pct, shown=shown, evidence=judged)


def _published(previous: WaveData, k: int, points: NDArray[np.float64], workers: int
               ) -> PublishedStats:
    """The figures of a previous wave given as raw data, disclosed with k."""
    pst = _wave_stats(previous, with_items=False, workers=workers)
    pmean, pvar, _ = _mean_var(pst, points)
    _, pshown, _ = _disclose(previous, pst, k)
    return PublishedStats(pst.n, pmean, pvar, pshown)


#: Trend words of the evidence verdicts.
_TREND_WORDS = {evidence.HIGHER: trends.UP, evidence.LOWER: trends.DOWN,
                evidence.NO_CLEAR: trends.NO_CLEAR_CHANGE,
                evidence.TOO_SMALL: trends.TOO_SMALL_TO_TELL,
                evidence.NOT_COMPUTABLE: trends.NOT_COMPUTABLE}


def _trend(current: WaveData, previous: WaveData | PublishedStats, st: _Stats,
           mean: NDArray[np.float64], var: NDArray[np.float64], shown_dim: NDArray[np.bool_],
           k: int, alpha: float, points: NDArray[np.float64], workers: int,
           within: NDArray[np.float64], family: NDArray[np.intp]) -> WaveTrend:
    prev = (previous if isinstance(previous, PublishedStats)
            else _published(previous, k, points, workers))
    pshown = np.asarray(prev.shown, dtype=bool)
    pn = np.where(pshown, np.asarray(prev.n), 0).astype(np.int64)
    pmean = np.where(pshown, np.asarray(prev.mean, dtype=np.float64), np.nan)
    pvar = np.where(pshown, np.asarray(prev.var, dtype=np.float64), np.nan)
    args = (pn, pmean, pvar, st.n, mean, var)
    welch = trends.welch_from_stats(*args, confidence=1 - alpha)
    hedges = trends.hedges_from_stats(*args, confidence=1 - alpha)
    shown = shown_dim & pshown
    # the BH family is the changes that can be reported: cells shown in both waves
    family_p = np.where(shown, welch.p, np.nan)
    q = np.column_stack([trends.benjamini_hochberg(family_p[:, j])
                         for j in range(family_p.shape[1])])
    reason = np.where(~pshown | (~shown & (welch.reason == "")), REASON_SUPPRESSED,
                      welch.reason)
    judged = _judge(welch.diff, pn, st.n, within, family, shown, alpha)
    verdict = np.vectorize(_TREND_WORDS.__getitem__, otypes=[str])(judged.verdict)
    return WaveTrend(
        previous_n=pn, previous_mean=pmean, diff=welch.diff, t=welch.t, df=welch.df,
        p=welch.p, ci_low=welch.ci_low, ci_high=welch.ci_high, hedges_g=hedges.g,
        g_ci_low=hedges.g_ci_low, g_ci_high=hedges.g_ci_high, q=q,
        verdict=verdict, reason=reason, shown=shown, evidence=judged,
    )


def answer_distribution(data: WaveData) -> NDArray[np.int64]:
    """Counts of each answer option per unit subtree and dimension, after reverse-keying.

    Returns
    -------
    (U, D, A_max) int array: ``out[u, d, a - 1]`` answers equal to ``a`` given to the items
    of dimension d by the respondents of u's subtree (for diverging stacked bars). Options
    above a dimension's own A stay 0. Apply ``WaveResult.shown_dimension`` before showing.
    """
    validate_wave(data)
    u, d = data.n_units, data.n_dimensions
    points = np.asarray(data.dimension_points, dtype=np.intp)
    a_max = int(points.max())
    dim = np.asarray(data.item_dimension, dtype=np.intp)
    unit = np.asarray(data.unit, dtype=np.int64)
    out = np.zeros((u, d, a_max), dtype=np.int64)
    for j in range(d):
        cols = np.flatnonzero(dim == j)
        x = np.asarray(data.values)[:, cols]
        rev = np.asarray(data.item_reverse)[cols]
        x[:, rev] = points[j] + 1 - x[:, rev]
        ok = ~np.isnan(x)
        key = unit[:, None] * a_max + (np.where(ok, x, 1.0).astype(np.int64) - 1)
        out[:, j, :] = np.bincount(key[ok], minlength=u * a_max).reshape(u, a_max)
    return roll_up(np.asarray(data.unit_parent, dtype=np.intp), out)
