"""Build report contexts from analysis results (analysis.wave) and instrument files.

Every number comes from `analysis`; this module only selects, converts to 0-100 and hides
what the disclosure result says is not shown. The one thing it counts itself is the answer
categories of each item (the diverging bars), and only over a group analysis has shown, for
items answered by at least k people.

Dimension order: an instrument's dimensions in file order, scale by scale
(`instrument_dimensions`); the `WaveData` of an instrument must use that order
(`instrument_layout` gives the matching arrays).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, SupportsFloat

import numpy as np
from numpy.typing import NDArray

from analysis.compare import spearman_interval
from analysis.evidence import Judgement
from analysis.scoring import subtree_members, to_score100
from analysis.validity import InstrumentValidity, instrument_validity
from analysis.wave import WaveData, WaveResult
from instruments.model import Dimension, Direction, Instrument, Item, Referent, Scale
from reports.context import (
    CULTURE_IKM_MIN_UNITS,
    CultureIkmCorrelation,
    CultureIkmRow,
    DimensionResult,
    InstrumentSection,
    ItemDistribution,
    OrgDimension,
    OrgReportContext,
    OrgUnitRow,
    QualityRow,
    ServiceIkm,
    SignificantChange,
    TrainingMark,
    TrendSeries,
    UnitReportContext,
    Validity,
)
from reports.errors import ReportError


@dataclass(frozen=True)
class InstrumentWave:
    """One instrument analysed in the current wave, plus its scores in earlier waves.

    history: one (U, D) array of shown 0-100 scores per earlier wave (oldest first; NaN =
    not shown or not asked), aligned with the current wave's units (`shown_scores100`).
    """

    instrument: Instrument
    data: WaveData
    result: WaveResult
    history: tuple[NDArray[np.float64], ...] = ()
    validity: InstrumentValidity | None = None  # see `analyse_validity`


@dataclass(frozen=True)
class WaveInfo:
    """The labels shared by every report of one wave."""

    org_name: str
    wave_label: str
    period: str
    wave_labels: tuple[str, ...]  # all waves so far, oldest first, this one last
    previous_wave_label: str | None = None
    generated_on: str = ""


def instrument_dimensions(instrument: Instrument) -> list[tuple[Scale, Dimension]]:
    """Every (scale, dimension) of an instrument, in file order."""
    return [(scale, dim) for scale in instrument.scales for dim in scale.dimensions]


def instrument_layout(instrument: Instrument) -> dict[str, NDArray[Any]]:
    """The item/dimension arrays of `WaveData` for an instrument (items in file order)."""
    dims = instrument_dimensions(instrument)
    index = {dim.code: j for j, (_, dim) in enumerate(dims)}
    items = instrument.items
    return {
        "item_dimension": np.array([index[i.dimension] for i in items], dtype=np.intp),
        "item_reverse": np.array([i.reverse for i in items], dtype=bool),
        "dimension_points": np.array([s.points for s, _ in dims], dtype=np.intp),
        "dimension_collective": np.array([s.referent == Referent.COLLECTIVE for s, _ in dims],
                                         dtype=bool),
    }


def analyse_validity(data: WaveData) -> InstrumentValidity:
    """The instrument's construct validity on the whole wave (once per instrument and wave)."""
    points = np.asarray(data.dimension_points)[np.asarray(data.item_dimension)]
    return instrument_validity(data.values, data.item_dimension, data.item_reverse, points)


def _validity(w: InstrumentWave) -> Validity | None:
    """The validity summary in report terms; None when not analysed or the organisation's
    whole-wave figures are not shown (fewer than k respondents in a root)."""
    v = w.validity
    if v is None or not w.result.organisation_shown:
        return None
    dims = [d for _, d in instrument_dimensions(w.instrument)]
    code = {j: d.code for j, d in enumerate(dims)}
    pair, top = None, None
    if v.distinct is not None and v.distinct.pair_htmt:
        k = int(np.nanargmax(v.distinct.pair_htmt)) if np.isfinite(
            v.distinct.pair_htmt).any() else None
        if k is not None:
            a, b = v.distinct.pairs[k]
            top = float(v.distinct.pair_htmt[k])
            pair = (dims[int(v.distinct.dimensions[a])].name,
                    dims[int(v.distinct.dimensions[b])].name)
    fit = v.cfa
    return Validity(
        verdict=v.verdict, n=int(v.n),
        groups=tuple(tuple(code[int(x)] for x in g) for g in v.groups),
        names=tuple((d.code, d.name) for d in dims), max_htmt=top, max_pair=pair,
        cfi_dimensions=_f(fit.dimensional.cfi) if fit else None,
        cfi_one_factor=_f(fit.one_factor.cfi) if fit else None,
        rmsea_dimensions=_f(fit.dimensional.rmsea) if fit else None,
        rmsea_one_factor=_f(fit.one_factor.rmsea) if fit else None,
        omega_h=_f(v.omega_h), reason=v.reason or "")


def shown_scores100(result: WaveResult) -> NDArray[np.float64]:
    """(U, D) 0-100 scores where the disclosure result shows them, NaN elsewhere."""
    return np.where(result.shown_dimension, result.score100, np.nan)


def _f(value: SupportsFloat) -> float | None:
    """A numpy scalar as float, None when NaN."""
    number = float(value)
    return None if math.isnan(number) else number


def _scale_of_points(points: int) -> float:
    """Factor from a difference of means on 1..A to a difference on 0-100."""
    return 100.0 / (points - 1)


# ---------------------------------------------------------------- unit report

def build_unit_context(unit: int, unit_names: Sequence[str], waves: Sequence[InstrumentWave],
                       info: WaveInfo, n_invited: int | None = None,
                       events: Sequence[TrainingMark] = ()) -> UnitReportContext:
    """The unit report context of unit index `unit` (indices as in the wave's arrays)."""
    if not waves:
        raise ReportError("Tidak ada instrumen yang dianalisis. / No analysed instrument.")
    first = waves[0].result
    shown = all(bool(w.result.shown[unit]) for w in waves)
    base: dict[str, Any] = {"org_name": info.org_name, "unit_name": unit_names[unit],
            "wave_label": info.wave_label, "period": info.period, "k": first.k,
            "generated_on": info.generated_on}
    if not shown:
        reasons = {str(w.result.disclosure.reason[unit]) for w in waves}
        reason = "complementary" if reasons == {"complementary"} else "below_k"
        return UnitReportContext(**base, shown=False, suppressed_reason=reason,
                                 included_in=_shown_ancestor(unit, unit_names, waves))
    return UnitReportContext(
        **base, shown=True, n_respondents=int(first.respondents[unit]), n_invited=n_invited,
        instruments=tuple(_section(unit, w, info) for w in waves), events=tuple(events))


def _shown_ancestor(unit: int, unit_names: Sequence[str],
                    waves: Sequence[InstrumentWave]) -> str:
    """The name of the nearest unit above `unit` that every instrument shows ("" if none)."""
    parent = np.asarray(waves[0].data.unit_parent)
    u = int(parent[unit])
    while u >= 0 and not all(bool(w.result.shown[u]) for w in waves):
        u = int(parent[u])
    return unit_names[u] if u >= 0 else ""


def _section(unit: int, w: InstrumentWave, info: WaveInfo) -> InstrumentSection:
    """One instrument's part of the unit report."""
    dims = instrument_dimensions(w.instrument)
    scale0 = dims[0][0]
    history = [*w.history, shown_scores100(w.result)]
    labels = tuple(info.wave_labels[-len(history):])
    complete = _complete_rows(unit, w.data)
    return InstrumentSection(
        title=w.instrument.title, citation=w.instrument.citation,
        option_labels=tuple(o.label for o in scale0.options),
        collective=all(s.referent == Referent.COLLECTIVE for s, _ in dims),
        dimensions=tuple(_dimension(unit, j, s, d, w.result, int(complete[j]))
                         for j, (s, d) in enumerate(dims)),
        items=_items(unit, w),
        quality=tuple(_quality(j, d, w.result) for j, (_, d) in enumerate(dims)),
        wave_labels=labels,
        trend=tuple(TrendSeries(d.name, tuple(_f(h[unit, j]) for h in history))
                    for j, (_, d) in enumerate(dims)),
        validity=_validity(w),
    )


def _complete_rows(u: int, data: WaveData) -> NDArray[np.int64]:
    """(D,) respondents of unit `u`'s subtree who answered every item of each dimension."""
    member = subtree_members(data.unit_parent)[u][np.asarray(data.unit)]
    answered = ~np.isnan(np.asarray(data.values)[member])
    item_dimension = np.asarray(data.item_dimension)
    return np.array([answered[:, item_dimension == j].all(axis=1).sum()
                     for j in range(data.n_dimensions)], dtype=np.int64)


def _dimension(u: int, j: int, scale: Scale, dim: Dimension, r: WaveResult,
               complete: int) -> DimensionResult:
    """One dimension row of one unit; scores are None when the dimension is suppressed.

    The favourable share is the side of the midpoint that is good on this scale: above it
    when higher is better, below it when higher is worse.
    """
    shown = bool(r.shown_dimension[u, j])

    def score(values: NDArray[np.float64]) -> float | None:
        return _f(values[u, j]) if shown else None

    collective = scale.referent == Referent.COLLECTIVE
    good_side = r.favourable if scale.direction == Direction.HIGHER_BETTER else r.below_midpoint
    return DimensionResult(
        code=dim.code, name=dim.name, description=dim.description, direction=scale.direction,
        actions=dim.actions, n=int(r.n[u, j]) if shown else 0,
        score100=score(r.score100), ci_low100=score(r.score100_ci_low),
        ci_high100=score(r.score100_ci_high), favourable=score(good_side),
        unit_alpha=score(r.unit_alpha), unit_alpha_n=complete if shown else 0,
        n_items=len(dim.items),
        rwg_j=score(r.rwg_j) if collective else None,
        rwg_skew=score(r.rwg_j_skew) if collective else None,
        rwg_beyond_chance=bool(r.rwg_beyond_chance[u, j]) if shown and collective else None,
        mean_reliability=(score(r.mean_reliability)
                          if collective and r.organisation_shown else None),
        agreement=str(r.rwg_verdict[u, j]) if shown and collective else "not_computable",
        **_trend_fields(u, j, scale.points, r, shown), **_comparison_fields(u, j, scale, r, shown),
        **_estimate_fields(u, j, scale.points, r, shown),
    )


def _estimate_fields(u: int, j: int, points: int, r: WaveResult, shown: bool
                     ) -> dict[str, Any]:
    """The pooled score of the unit's current staff (analysis.evidence) on 0-100."""
    if not shown:
        return {}
    p = r.pooled
    return {"estimate100": _score(p.estimate[u, j], points),
            "estimate_ci_low100": _score(p.ci_low[u, j], points),
            "estimate_ci_high100": _score(p.ci_high[u, j], points)}


def _score(mean: float, points: int) -> float | None:
    """A mean on 1..A as a 0-100 score, None when NaN."""
    return _f(to_score100(mean, points))


def _judged(e: Judgement, u: int, j: int, points: int, prefix: str) -> dict[str, Any]:
    """A pooled difference (analysis.evidence.Judgement) and its MDC on 0-100."""
    factor = _scale_of_points(points)

    def scaled(values: NDArray[np.float64]) -> float | None:
        value = _f(values[u, j])
        return None if value is None else value * factor

    return {f"{prefix}_est100": scaled(e.estimate), f"{prefix}_ci_low100": scaled(e.ci_low),
            f"{prefix}_ci_high100": scaled(e.ci_high), f"{prefix}_mdc100": scaled(e.mdc)}


def _trend_fields(u: int, j: int, points: int, r: WaveResult, shown: bool) -> dict[str, Any]:
    """Change since the previous wave; "none" when there is no previous shown value."""
    t = r.trend
    if t is None or not shown or not bool(t.shown[u, j]):
        return {"trend": "none"}
    factor = _scale_of_points(points)
    diff = _f(t.diff[u, j])
    return {"previous_score100": _f(to_score100(t.previous_mean[u, j], points)),
            "change100": None if diff is None else diff * factor, "change_q": _f(t.q[u, j]),
            "hedges_g": _f(t.hedges_g[u, j]), "trend": str(t.verdict[u, j]),
            **_judged(t.evidence, u, j, points, "change")}


#: The evidence standard's verdicts (analysis.evidence) in comparison words.
_COMPARISON_WORDS = {"higher": "above", "lower": "below", "no_clear_difference": "similar",
                     "too_small_to_tell": "too_small_to_tell", "not_computable": "none"}


def _comparison_fields(u: int, j: int, scale: Scale, r: WaveResult, shown: bool
                       ) -> dict[str, Any]:
    """The rest of the organisation on 0-100 and the pooled difference's verdict (one
    evidence standard, analysis.evidence)."""
    c = r.comparison
    if not shown or not bool(c.shown[u, j]) or c.rest_n[u, j] == 0:
        return {"comparison": "none"}
    return {"org_score100": _f(to_score100(c.rest_mean[u, j], scale.points)),
            "percentile": _f(c.percentile[u, j]),
            "comparison": _COMPARISON_WORDS[str(c.evidence.verdict[u, j])],
            **_judged(c.evidence, u, j, scale.points, "cmp")}


def _quality(j: int, dim: Dimension, r: WaveResult) -> QualityRow:
    """Reliability of a dimension over the whole wave, with ICCs (collective only); empty
    where a root is hidden, since whole-wave figures would then include its respondents."""
    rel = r.reliability[j]
    if not r.organisation_shown:
        return QualityRow(name=dim.name, n_items=len(dim.items), n=0, alpha=None,
                          alpha_ci_low=None, alpha_ci_high=None, omega=None,
                          note="organisation_not_shown")
    return QualityRow(
        name=dim.name, n_items=len(dim.items), n=int(rel.n), alpha=_f(rel.alpha),
        alpha_ci_low=_f(rel.alpha_ci[0]), alpha_ci_high=_f(rel.alpha_ci[1]),
        omega=_f(rel.omega_total), icc1=_f(r.icc1[j]), icc2=_f(r.icc2[j]),
        note=rel.reason or (str(r.icc_reason[j]) or None))


def _items(u: int, w: InstrumentWave) -> tuple[ItemDistribution, ...]:
    """Answer-category shares per item over the unit's subtree, for items with >= k answers."""
    return tuple(ItemDistribution(item.code, item.text, item.reverse, n,
                                  tuple(float(c) / n for c in counts))
                 for item, n, counts in item_counts(u, w))


def item_counts(u: int, w: InstrumentWave, members: NDArray[np.bool_] | None = None
                ) -> list[tuple[Item, int, tuple[int, ...]]]:
    """(item, answers, count of each option 1..A) over the unit's subtree, for the items with
    at least k answers: what the unit report's answer distributions show. `members`: the
    wave's `subtree_members` when the caller goes through many units (it is U x U)."""
    data, k = w.data, w.result.k
    if members is None:
        members = subtree_members(data.unit_parent)
    member = members[u][np.asarray(data.unit)]
    values = np.asarray(data.values)[member]
    points = np.asarray(data.dimension_points)[np.asarray(data.item_dimension)]
    out = []
    for col, item in enumerate(w.instrument.items):
        answers = values[:, col]
        answers = answers[~np.isnan(answers)].astype(np.intp)
        if answers.size < k:
            continue
        counts = np.bincount(answers - 1, minlength=int(points[col]))
        out.append((item, int(answers.size), tuple(int(c) for c in counts)))
    return out


# ---------------------------------------------------------------- organisation report

def tree_order(parent: Sequence[int], names: Sequence[str]) -> list[tuple[int, int]]:
    """(unit, depth) depth-first from the roots, siblings by name."""
    children: dict[int, list[int]] = {}
    for u, p in enumerate(parent):
        children.setdefault(int(p), []).append(u)
    out: list[tuple[int, int]] = []
    stack = [(u, 0) for u in sorted(children.get(-1, []), key=lambda u: names[u], reverse=True)]
    while stack:
        u, depth = stack.pop()
        out.append((u, depth))
        kids = sorted(children.get(u, []), key=lambda v: names[v], reverse=True)
        stack.extend((v, depth + 1) for v in kids)
    return out


def build_org_context(unit_names: Sequence[str], waves: Sequence[InstrumentWave],
                      info: WaveInfo, n_invited: Sequence[int | None] | None = None,
                      service: Sequence[ServiceIkm] = ()) -> OrgReportContext:
    """The organisation report context; the first root in tree order is the organisation.

    `service`: the SKM results of service units of the wave in its year, set next to their
    culture scores (and correlated with them when enough units have both)."""
    if not waves:
        raise ReportError("Tidak ada instrumen yang dianalisis. / No analysed instrument.")
    first = waves[0].result
    parent = np.asarray(waves[0].data.unit_parent)
    order = tree_order(parent.tolist(), unit_names)
    dims = [(w, j, s, d) for w in waves
            for j, (s, d) in enumerate(instrument_dimensions(w.instrument))]
    invited = list(n_invited) if n_invited is not None else [None] * len(unit_names)
    root = order[0][0]
    return OrgReportContext(
        org_name=info.org_name, wave_label=info.wave_label, period=info.period, k=first.k,
        n_respondents=int(first.respondents[root]), n_invited=invited[root],
        dimensions=tuple(OrgDimension(d.code, d.name, w.instrument.title, s.direction)
                         for w, _, s, d in dims),
        units=tuple(_org_row(u, depth, unit_names, waves, dims, invited) for u, depth in order),
        changes=tuple(_changes(unit_names, dims, order)),
        quality=tuple(_org_quality(w, j, d) for w, j, _, d in dims),
        previous_wave_label=info.previous_wave_label, generated_on=info.generated_on,
        validity=tuple((w.instrument.title, v) for w in waves
                       if (v := _validity(w)) is not None),
        **_culture_ikm(service, unit_names, waves, dims, invited))


def _culture_ikm(service: Sequence[ServiceIkm], names: Sequence[str],
                 waves: Sequence[InstrumentWave], dims: list[_DimCell],
                 invited: Sequence[int | None]) -> dict[str, Any]:
    rows = tuple(CultureIkmRow(names[s.unit], s.period, s.n_citizens, s.converted,
                               _org_row(s.unit, 0, names, waves, dims, invited).scores100)
                 for s in service)
    ikm = np.array([np.nan if r.converted is None else r.converted for r in rows])
    correlations = []
    for j in range(len(dims)):
        scores = np.array([np.nan if r.scores100[j] is None else r.scores100[j] for r in rows])
        result = spearman_interval(scores, ikm)
        if result.n >= CULTURE_IKM_MIN_UNITS and np.isfinite(result.rho):
            correlations.append(CultureIkmCorrelation(j, result.n, result.rho, result.ci_low,
                                                      result.ci_high))
    return {"culture_ikm": rows, "culture_ikm_correlations": tuple(correlations)}


#: One dimension of one analysed instrument: (wave, column j in its arrays, scale, dimension).
_DimCell = tuple[InstrumentWave, int, Scale, Dimension]


def _org_row(u: int, depth: int, names: Sequence[str], waves: Sequence[InstrumentWave],
             dims: list[_DimCell], invited: Sequence[int | None]) -> OrgUnitRow:
    """One unit's heatmap row; counts and scores only where analysis shows them."""
    shown = all(bool(w.result.shown[u]) for w in waves)
    cells = [(w, j, s) for w, j, s, _ in dims]
    scores = tuple(_score(w.result.pooled.estimate[u, j], s.points)
                   if shown and w.result.shown_dimension[u, j] else None for w, j, s in cells)
    verdicts = tuple(_better_worse(w.result, u, j, s) if shown else "" for w, j, s in cells)
    return OrgUnitRow(names[u], depth, int(waves[0].result.respondents[u]) if shown else None,
                      invited[u], shown, scores, verdicts)


def _better_worse(r: WaveResult, u: int, j: int, scale: Scale) -> str:
    """ "better"/"worse" than the rest of the organisation by the evidence standard, or ""."""
    c = r.comparison
    code = str(c.evidence.verdict[u, j]) if bool(c.shown[u, j]) else ""
    if code not in ("higher", "lower"):
        return ""
    return "better" if (code == "higher") == (scale.direction == Direction.HIGHER_BETTER) \
        else "worse"


def _changes(names: Sequence[str], dims: list[_DimCell], order: list[tuple[int, int]]
             ) -> Iterator[SignificantChange]:
    """Unit x dimension cells whose trend verdict is up or down (analysis.evidence)."""
    for w, j, s, d in dims:
        r, t = w.result, w.result.trend
        if t is None:
            continue
        factor = _scale_of_points(s.points)
        for u, _ in order:
            if not (r.shown_dimension[u, j] and t.shown[u, j]) or t.verdict[u, j] not in (
                    "up", "down"):
                continue
            e = t.evidence
            mdc = _f(e.mdc[u, j])
            yield SignificantChange(
                names[u], d.name, s.direction,
                float(to_score100(t.previous_mean[u, j], s.points)), float(r.score100[u, j]),
                float(e.estimate[u, j]) * factor, float(e.ci_low[u, j]) * factor,
                float(e.ci_high[u, j]) * factor, None if mdc is None else mdc * factor,
                str(t.verdict[u, j]))


def _org_quality(w: InstrumentWave, j: int, dim: Dimension) -> QualityRow:
    """Whole-wave reliability with the median rwg(j) over shown units."""
    row = _quality(j, dim, w.result)
    rwg = np.asarray(w.result.rwg_j)[:, j][np.asarray(w.result.shown_dimension)[:, j]]
    rwg = rwg[~np.isnan(rwg)]
    median = float(np.median(rwg)) if rwg.size else None
    return QualityRow(**{**row.__dict__, "rwg_j": median})
