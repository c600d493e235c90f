"""Frozen waves (anonymity.md rules 9 and 10): a wave's unit layout is stored when it opens,
its results are analysed and published once when it closes, and every later output reads
what was published.

- `freeze_layout` (at open): the wave's units and their ancestors as they are now.
- `publish` (at close): invited counts, the published respondent counts and one
  `PublishedCell` per unit x dimension (x cut), from `analyse_culture_wave`, the analysis of
  the PDF reports, with its suppression.
- `analyse_culture_wave`: the one analysis of a closed wave, on its frozen layout; an
  earlier wave enters its trends and history only through that wave's published cells.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import sqlalchemy as sa
from flask import current_app
from numpy.typing import NDArray

from analysis.scoring import subtree_members, to_score100
from analysis.wave import PublishedStats, WaveData, WaveResult, analyse_wave
from instruments.model import Direction, Referent, Scale
from reports.build import (
    InstrumentWave,
    WaveInfo,
    analyse_validity,
    instrument_dimensions,
    item_counts,
)
from reports.context import TrainingMark

from ..extensions import db
from ..instrument_store import get_instrument
from ..models import (
    Answer,
    Code,
    PublishedCell,
    PublishedItem,
    Response,
    TrainingEvent,
    Unit,
    Wave,
    WaveState,
    WaveUnit,
)
from .dataset import WaveDataset, wave_dataset, wave_datasets
from .responses import CUT_CHOICES
from .units import units_in_tree_order


class ReportingError(ValueError):
    """A wave cannot be reported (the message says why, Bahasa Indonesia / English)."""


@dataclass
class WaveBundle:
    """Everything the reports of one culture wave need, already analysed."""

    wave: Wave
    units: list[WaveUnit]  # the frozen layout, report order
    waves: list[InstrumentWave]
    info: WaveInfo
    invited: list[int | None]
    events: dict[int, list[TrainingMark]] = field(default_factory=dict)  # by unit index

    @property
    def names(self) -> list[str]:
        """Unit names in report order."""
        return [u.name for u in self.units]

    @property
    def parent(self) -> NDArray[np.intp]:
        """Parent position of each unit, -1 for a root."""
        return layout_parent(self.units)


# ---------------------------------------------------------------- the frozen layout

def culture_keys(wave: Wave) -> list[str]:
    """The wave's pinned culture instruments."""
    return [k for k in wave.instrument_keys if get_instrument(k).kind != "skm"]


def freeze_layout(wave: Wave) -> None:
    """Store the wave's units and their ancestors as they are now (called at open)."""
    members = {u.id for u in wave.units}
    units = {u.id: u for u in db.session.scalars(sa.select(Unit))}
    keep: set[int] = set()
    for uid in members:
        node: int | None = uid
        while node is not None and node not in keep:
            keep.add(node)
            node = units[node].parent_id
    position: dict[int, int] = {}
    for unit, _depth in units_in_tree_order(keep):  # parents before children
        position[unit.id] = len(position)
        db.session.add(WaveUnit(
            wave_id=wave.id, position=position[unit.id], unit_id=unit.id, code=unit.code,
            name=unit.name, parent_position=(None if unit.parent_id is None
                                             else position[unit.parent_id]),
            headcount=unit.headcount, surveyed=unit.id in members))
    db.session.flush()


def layout(wave: Wave) -> list[WaveUnit]:
    """The wave's frozen layout in report order (empty for a draft wave)."""
    return list(db.session.scalars(sa.select(WaveUnit).where(WaveUnit.wave_id == wave.id)
                                   .order_by(WaveUnit.position)))


def layout_parent(units: Sequence[WaveUnit]) -> NDArray[np.intp]:
    """Parent position per layout row, -1 for a root."""
    return np.array([-1 if u.parent_position is None else u.parent_position for u in units],
                    dtype=np.intp)


def subtree_positions(units: Sequence[WaveUnit], u: int) -> list[int]:
    """Positions of layout unit u and its descendants."""
    children: dict[int, list[int]] = {}
    for v, row in enumerate(units):
        if row.parent_position is not None:
            children.setdefault(row.parent_position, []).append(v)
    out, stack = [], [u]
    while stack:
        v = stack.pop()
        out.append(v)
        stack.extend(children.get(v, []))
    return out


# ---------------------------------------------------------------- analysis on the layout

def _require_closed(wave: Wave) -> None:
    if wave.state != WaveState.CLOSED:
        raise ReportingError(
            f"Gelombang {wave.name} belum ditutup; laporan hanya dibuat setelah ditutup. / "
            f"Wave {wave.name} is not closed; reports exist only after a wave closes.")


def wave_data(wave: Wave, key: str, units: Sequence[WaveUnit],
              dataset: WaveDataset | None = None) -> WaveData:
    """The answers of one instrument in one wave on the wave's frozen layout (from `dataset`
    when the caller has read it already)."""
    if dataset is None:
        dataset = wave_dataset(wave.id, key)
    data = dataset.data
    position = {u.unit_id: i for i, u in enumerate(units)}
    local = np.array([position.get(u.id, -1) for u in dataset.units], dtype=np.intp)
    unit = local[data.unit] if data.unit.size else np.zeros(0, dtype=np.intp)
    keep = unit >= 0
    return dataclasses.replace(
        data, values=data.values[keep], unit=unit[keep], unit_parent=layout_parent(units),
        cut=None if data.cut is None else data.cut[keep])


def earlier_waves(wave: Wave) -> list[Wave]:
    """Closed culture waves that opened before `wave` and share an instrument, oldest first."""
    query = sa.select(Wave).where(Wave.opens_on < wave.opens_on,
                                  Wave.state == WaveState.CLOSED.value).order_by(Wave.opens_on)
    keys = set(culture_keys(wave))
    return [w for w in db.session.scalars(query) if keys & set(w.instrument_keys)]


def published_stats(earlier: Wave, key: str, instrument_dims: list[str],
                    units: Sequence[WaveUnit]) -> PublishedStats:
    """An earlier wave's published whole-unit cells of one instrument, on `units`' layout
    (matched by unit); a unit it did not publish, or did not survey, is not shown."""
    shape = (len(units), len(instrument_dims))
    n = np.zeros(shape, dtype=np.int64)
    mean, var = np.full(shape, np.nan), np.full(shape, np.nan)
    shown = np.zeros(shape, dtype=bool)
    position = {u.unit_id: i for i, u in enumerate(units)}
    column = {code: j for j, code in enumerate(instrument_dims)}
    rows = db.session.execute(
        sa.select(WaveUnit.unit_id, PublishedCell.dimension, PublishedCell.n,
                  PublishedCell.mean, PublishedCell.sd)
        .join(WaveUnit, sa.and_(WaveUnit.wave_id == PublishedCell.wave_id,
                                WaveUnit.position == PublishedCell.position))
        .where(PublishedCell.wave_id == earlier.id, PublishedCell.instrument_key == key,
               PublishedCell.cut == "", PublishedCell.shown))
    for unit_id, dim, count, m, sd in rows:
        u, j = position.get(unit_id), column.get(dim)
        if u is None or j is None:
            continue
        assert count is not None  # a shown whole-unit cell has its n (published_cells)
        n[u, j], mean[u, j], shown[u, j] = count, m, True
        var[u, j] = np.nan if sd is None else sd * sd
    return PublishedStats(n, mean, var, shown)


def _history_scores(earlier: Wave, key: str, dims: list[str], points: NDArray[np.float64],
                    units: Sequence[WaveUnit]) -> NDArray[np.float64]:
    """An earlier wave's published 0-100 scores on `units`' layout (NaN = not published)."""
    prev = published_stats(earlier, key, dims, units)
    return np.where(prev.shown, to_score100(prev.mean, points), np.nan)


def analyse_culture_wave(wave: Wave) -> WaveBundle:
    """Analyse every culture instrument of a closed wave on its frozen layout.

    Earlier waves enter (trend against the previous wave, history of scores) only through
    their published cells, as they were published under their own k and unit tree.
    """
    _require_closed(wave)
    return _analyse(wave)


def _analyse(wave: Wave) -> WaveBundle:
    units = layout(wave)
    if not units:
        raise ReportingError(f"Gelombang {wave.name} tidak memiliki tata letak unit yang "
                             f"dibekukan. / Wave {wave.name} has no frozen unit layout.")
    history = earlier_waves(wave)
    # codes issued = the unit's staff: the finite population of its pooled score
    population = np.array(direct_invited(wave, units), dtype=np.float64)
    analysed = []
    datasets = wave_datasets(wave.id, culture_keys(wave))  # every answer read once
    for key in culture_keys(wave):
        instrument = get_instrument(key)
        dims = [d.code for _, d in instrument_dimensions(instrument)]
        points = np.array([s.points for s, _ in instrument_dimensions(instrument)],
                          dtype=np.float64)
        current = dataclasses.replace(wave_data(wave, key, units, datasets[key]),
                                      unit_population=population)
        asked = [h for h in history if key in h.instrument_keys]
        previous = (published_stats(history[-1], key, dims, units)
                    if history and key in history[-1].instrument_keys else None)
        result = analyse_wave(current, k=wave.k, previous=previous)
        blank = np.full(result.score100.shape, np.nan)
        scores = tuple(_history_scores(h, key, dims, points, units) if h in asked else blank
                       for h in history)
        analysed.append(InstrumentWave(instrument, current, result, scores,
                                       analyse_validity(current)))
    if not analysed:
        raise ReportingError(f"Gelombang {wave.name} tidak memiliki instrumen budaya. / "
                             f"Wave {wave.name} has no culture instrument.")
    labels = tuple(w.period for w in [*history, wave])
    info = WaveInfo(org_name=org_name(units), wave_label=wave.period,
                    period=f"{wave.opens_on:%d-%m-%Y} – {wave.closes_on:%d-%m-%Y}",
                    wave_labels=labels,
                    previous_wave_label=history[-1].period if history else None,
                    generated_on=dt.date.today().isoformat())
    return WaveBundle(wave, units, analysed, info, invited_counts(wave, units),
                      _events(units, [*history, wave]))


def org_name(units: Sequence[WaveUnit | Unit]) -> str:
    """The configured organisation name, else the first root unit's."""
    configured = current_app.config.get("LENTERA_ORG_NAME")
    return configured or (units[0].name if units else "")


def direct_invited(wave: Wave, units: Sequence[WaveUnit]) -> list[int]:
    """Codes issued to each layout unit itself: frozen at close, else live."""
    if wave.state == WaveState.CLOSED and all(u.invited is not None for u in units):
        return [int(u.invited or 0) for u in units]
    rows = db.session.execute(sa.select(Code.unit_id, sa.func.count())
                              .where(Code.wave_id == wave.id).group_by(Code.unit_id))
    by_unit = dict(rows.all())
    return [by_unit.get(u.unit_id, 0) for u in units]


def invited_counts(wave: Wave, units: Sequence[WaveUnit]) -> list[int | None]:
    """Codes issued per layout unit, summed over its subtree: frozen at close, else live."""
    direct = direct_invited(wave, units)
    return [sum(direct[v] for v in subtree_positions(units, u)) or None
            for u in range(len(units))]


def _events(units: Sequence[WaveUnit], waves: list[Wave]) -> dict[int, list[TrainingMark]]:
    """Training events per layout unit (its whole subtree), placed before the first wave
    that opened after them; events after the current wave opened are left out."""
    position = {u.unit_id: i for i, u in enumerate(units)}
    rows = db.session.scalars(sa.select(TrainingEvent).where(TrainingEvent.unit_id.in_(position))
                              .order_by(TrainingEvent.held_on))
    out: dict[int, list[TrainingMark]] = {}
    for row in rows:
        after = next((w for w in waves if w.opens_on > row.held_on), None)
        if after is None:
            continue
        event = TrainingMark(after.period, f"{row.title} ({row.hours_jp:g} JP)",
                              f"{row.held_on:%d-%m-%Y}")
        u: int | None = position[row.unit_id]
        while u is not None:  # the unit and every ancestor in the frozen layout
            out.setdefault(u, []).append(event)
            u = units[u].parent_position
    return out


# ---------------------------------------------------------------- publishing

def publish(wave: Wave) -> None:
    """Analyse the closing wave once and store what its reports show (called at close,
    before the code rows go; the caller sets the state and commits)."""
    units = layout(wave)
    rows = db.session.execute(sa.select(Code.unit_id, sa.func.count())
                              .where(Code.wave_id == wave.id).group_by(Code.unit_id))
    by_unit = dict(rows.all())
    for unit in units:
        if unit.invited is None:  # a wave published again keeps its counts at close
            unit.invited = by_unit.get(unit.unit_id, 0)
    db.session.execute(sa.delete(PublishedCell).where(PublishedCell.wave_id == wave.id))
    db.session.execute(sa.delete(PublishedItem).where(PublishedItem.wave_id == wave.id))
    if not culture_keys(wave):
        _publish_skm(wave, units)
        return
    bundle = _analyse(wave)
    for i, unit in enumerate(units):
        shown = all(bool(w.result.shown[i]) for w in bundle.waves)
        unit.respondents = int(bundle.waves[0].result.respondents[i]) if shown else None
    # ORM bulk inserts: rows as dictionaries (tens of thousands of rows, no objects needed)
    db.session.execute(sa.insert(PublishedCell), published_cells(bundle))
    items = published_items(bundle)
    if items:
        db.session.execute(sa.insert(PublishedItem), items)
    db.session.flush()


def published_items(bundle: WaveBundle) -> list[dict[str, Any]]:
    """Each shown unit's answer counts per item over its subtree (`reports.build.item_counts`,
    what its report prints) as `PublishedItem` rows: a unit shown in every instrument, an item
    with at least k answers."""
    out = []
    members = [subtree_members(w.data.unit_parent) for w in bundle.waves]  # U x U, once each
    for u in range(len(bundle.units)):
        if not all(bool(w.result.shown[u]) for w in bundle.waves):
            continue
        for w, m in zip(bundle.waves, members, strict=True):
            out += [{"wave_id": bundle.wave.id, "position": u,
                     "instrument_key": w.instrument.key, "item_code": item.code, "n": n,
                     "counts": ",".join(map(str, counts))}
                    for item, n, counts in item_counts(u, w, m)]
    return out


def _publish_skm(wave: Wave, units: Sequence[WaveUnit]) -> None:
    """An SKM wave: per service unit (a wave unit) its respondent count and one cell per unsur
    with n and the NRR (`mean`), published when the unit has at least k respondents; hidden
    cells otherwise. Ancestors publish nothing (each service unit is reported on its own)."""
    counts = dict(db.session.execute(
        sa.select(Response.unit_id, sa.func.count()).where(Response.wave_id == wave.id)
        .group_by(Response.unit_id)).all())
    sums = {(unit_id, item): (int(total), int(n)) for unit_id, item, total, n in
            db.session.execute(
                sa.select(Response.unit_id, Answer.item_code, sa.func.sum(Answer.value),
                          sa.func.count()).join(Response, Response.id == Answer.response_id)
                .where(Response.wave_id == wave.id)
                .group_by(Response.unit_id, Answer.item_code))}
    for position, unit in enumerate(units):
        shown = unit.surveyed and counts.get(unit.unit_id, 0) >= wave.k
        unit.respondents = counts.get(unit.unit_id, 0) if shown else None
        if not unit.surveyed:
            continue
        for key in wave.instrument_keys:
            for dim in get_instrument(key).dimensions:
                total = sum(sums.get((unit.unit_id, i.code), (0, 0))[0] for i in dim.items)
                n = sum(sums.get((unit.unit_id, i.code), (0, 0))[1] for i in dim.items)
                figures = {"n": n, "mean": total / n} if shown and n else {}
                db.session.add(PublishedCell(wave_id=wave.id, position=position,
                                             instrument_key=key, dimension=dim.code, cut="",
                                             shown=bool(figures), **figures))
    db.session.flush()


def _f(value: float) -> float | None:
    value = float(value)
    return None if math.isnan(value) else value


def published_cells(bundle: WaveBundle) -> list[dict[str, Any]]:
    """Every unit x dimension (x cut) cell of the bundle as `PublishedCell` rows, hidden ones
    without figures.

    A unit cell is shown when the unit is shown in every instrument (the unit report's rule)
    and its dimension cell is shown; a cut cell also needs the cut's own disclosure. Cut cells
    carry n, mean and score100 only. Whole-wave reliability is given only when the analysis
    allows it (`WaveResult.organisation_shown`).
    """
    labels = CUT_CHOICES.get(bundle.wave.cut or "", ())
    out = []
    for u in range(len(bundle.units)):
        unit_shown = all(bool(w.result.shown[u]) for w in bundle.waves)
        for w in bundle.waves:
            r = w.result
            for j, (scale, dim) in enumerate(instrument_dimensions(w.instrument)):
                base = {"wave_id": bundle.wave.id, "position": u,
                        "instrument_key": w.instrument.key, "dimension": dim.code}
                shown = unit_shown and bool(r.shown_dimension[u, j])
                out.append({**base, "cut": "", "shown": shown,
                            **(_unit_figures(r, u, j, scale) if shown else {})})
                for c, label in enumerate(labels):
                    # the analysis gives all four cut arrays or none (a wave without a cut)
                    ok = (shown and r.cut_shown is not None and bool(r.cut_shown[u, c, j])
                          and r.disclosure.cut_shown is not None
                          and bool(r.disclosure.cut_shown[u, c]))
                    figures = {"n": int(r.cut_n[u, c, j]), "mean": _f(r.cut_mean[u, c, j]),
                               "score100": _score100(r.cut_mean[u, c, j], scale.points)
                               } if ok and r.cut_n is not None and r.cut_mean is not None else {}
                    out.append({**base, "cut": label, "shown": ok, **figures})
    return out


def _score100(mean: float, points: int) -> float | None:
    value = _f(mean)
    return None if value is None else float(to_score100(value, points))


def _evidence_figures(r: WaveResult, u: int, j: int, points: int) -> dict[str, float | str | None]:
    """The pooled score and the verdicts of the one evidence standard (analysis.evidence)."""
    p, t, c = r.pooled, r.trend, r.comparison
    change = str(t.verdict[u, j]) if t is not None and bool(t.shown[u, j]) else None
    compare = str(c.evidence.verdict[u, j]) if bool(c.shown[u, j]) else None
    return {"estimate100": _score100(p.estimate[u, j], points),
            "estimate100_ci_low": _score100(p.ci_low[u, j], points),
            "estimate100_ci_high": _score100(p.ci_high[u, j], points),
            "change_verdict": change, "comparison_verdict": compare}


def _unit_figures(r: WaveResult, u: int, j: int,
                  scale: Scale) -> dict[str, int | float | str | None]:
    collective = scale.referent == Referent.COLLECTIVE
    favourable = r.below_midpoint if scale.direction == Direction.HIGHER_WORSE else r.favourable
    rel = r.reliability[j]
    wave_level = ({"alpha_wave": _f(rel.alpha), "omega_wave": _f(rel.omega_total),
                   "icc1_wave": _f(r.icc1[j]), "icc2_wave": _f(r.icc2[j])}
                  if r.organisation_shown else {})
    return {"n": int(r.n[u, j]), "mean": _f(r.mean[u, j]), "sd": _f(r.sd[u, j]),
            "score100": _f(r.score100[u, j]), "score100_ci_low": _f(r.score100_ci_low[u, j]),
            "score100_ci_high": _f(r.score100_ci_high[u, j]),
            "favourable": _f(favourable[u, j]),
            "rwg_j": _f(r.rwg_j[u, j]) if collective else None,
            "agreement": str(r.rwg_verdict[u, j]) if collective else None, **wave_level,
            # a function of the whole-wave ICC(1): published only where that is
            "mean_reliability": (_f(r.mean_reliability[u, j])
                                 if collective and r.organisation_shown else None),
            **_evidence_figures(r, u, j, scale.points)}


def cells_of(wave: Wave) -> list[PublishedCell]:
    """A closed wave's published cells in report order (refuses one never published)."""
    rows = list(db.session.scalars(
        sa.select(PublishedCell).where(PublishedCell.wave_id == wave.id)
        .order_by(PublishedCell.position)))
    if not rows and culture_keys(wave):
        raise ReportingError(
            f"Gelombang {wave.name} belum diterbitkan; jalankan: flask wave publish "
            f"{wave.id} / Wave {wave.name} has no published results; run: flask wave "
            f"publish {wave.id}")
    return rows


# ---------------------------------------------------------------- counts on the wave page

@dataclass(frozen=True)
class UnitCount:
    """What the wave page may say about a layout unit's respondents (its whole subtree).

    Closed: the published count (low == high), None where the reports hide it. Open: the
    count rounded down to a multiple of k, shown as the band low..high = low + k - 1, None
    below k. A band changes only when the count crosses a multiple of k, so every exact
    value it ever gives away is a multiple of k and no difference of them is a group of
    1..k-1 (tests/security/test_disclosure_attack.py solves them jointly).
    """

    unit: WaveUnit
    depth: int
    invited: int | None
    low: int | None
    high: int | None


def unit_counts(wave: Wave, visible: set[int] | None = None) -> list[UnitCount]:
    """The wave page's respondent counts per layout unit; `visible` limits the unit ids."""
    units = layout(wave)
    invited = invited_counts(wave, units)
    depth: list[int] = []
    for u in units:
        depth.append(0 if u.parent_position is None else depth[u.parent_position] + 1)
    if wave.state == WaveState.CLOSED:
        shown = [(u.respondents, u.respondents) for u in units]
    else:
        shown = [band(c, wave.k) for c in _subtree_counts(wave, units)]
    return [UnitCount(u, depth[i], invited[i], *shown[i]) for i, u in enumerate(units)
            if visible is None or u.unit_id in visible]


def band(count: int, k: int) -> tuple[int | None, int | None]:
    """`count` rounded down to a multiple of k, as the band low..low + k - 1; None below k."""
    if count < k:
        return None, None
    low = count // k * k
    return low, low + k - 1


def _subtree_counts(wave: Wave, units: Sequence[WaveUnit]) -> list[int]:
    rows = db.session.execute(sa.select(Response.unit_id, sa.func.count())
                              .where(Response.wave_id == wave.id).group_by(Response.unit_id))
    by_unit = dict(rows.all())
    direct = [by_unit.get(u.unit_id, 0) for u in units]
    return [sum(direct[v] for v in subtree_positions(units, u)) for u in range(len(units))]
