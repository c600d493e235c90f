"""Did it work? A targeted unit's change against comparable units (difference in differences).

For each dimension that a unit's development actions targeted between the previous closed
culture wave and `wave_after`, `followup_of` compares the unit's change in its published
pooled score (`PublishedCell.estimate100` and its 95% interval) with the change of the
comparison units over the same two waves, by `analysis.did`. It reads only the published
cells of the two closed waves and their frozen layouts, never an answer, so it shows nothing
the two waves did not already publish (a hidden cell stays hidden: such a unit is not
estimable, or not a comparison unit).

Which unit had an action on which dimension is an input, `treated`: (instrument key,
dimension code) -> ids of the units whose actions targeted it between the two waves.
`treated_dimensions` reads it from the development plans: a training event recorded against
a plan action on the dimension, held between the two waves (`services.plans`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import sqlalchemy as sa
from scipy import stats

from analysis.did import (
    MIN_COMPARISON,
    DidEstimate,
    difference_in_differences,
    judge_family,
    not_estimable,
    unit_se,
)
from analysis.pooling import minimum_detectable_change
from reports.build import instrument_dimensions
from reports.context import FollowupRow

from ..extensions import db
from ..instrument_store import get_instrument
from ..models import PublishedCell, Wave, WaveUnit
from .plans import targeted_dimensions
from .publication import earlier_waves, invited_counts, layout

#: Reason code (beside analysis.did's): no earlier closed wave asked the instrument.
NO_PREVIOUS_WAVE = "no_previous_wave"
#: The published intervals are normal intervals (pooled) or t intervals (fewer than
#: `pooling.MIN_UNITS` peers); dividing either by 2 z gives an SE that is exact or too large.
Z95 = float(stats.norm.ppf(0.975))

Treated = Mapping[tuple[str, str], set[int]]
#: Whom the follow-up speaks about: the unit (default; the staff's answers in a wave vary
#: around it) or the current staff who were there at each wave (the published intervals).
About = Literal["unit", "current_staff"]


@dataclass(frozen=True)
class Followup:
    """The follow-up of one targeted dimension of one unit between two closed waves."""

    instrument_key: str
    dimension: str
    wave_before: str  # period label of the earlier wave ("" when there is none)
    wave_after: str
    estimate: DidEstimate
    comparison_unit_ids: tuple[int, ...]  # the units actually compared with


@dataclass(frozen=True)
class _Cell:
    estimate: float
    se: float
    n: int | None
    sd: float | None


def treated_dimensions(wave_before: Wave | None, wave_after: Wave) -> dict[tuple[str, str],
                                                                         set[int]]:
    """(instrument key, dimension) -> unit ids whose development actions targeted it between
    the two waves: a training recorded against a plan action on that dimension, held after
    the earlier wave closed and before the later one opened (while it is open, its answers
    are partly before the training)."""
    if wave_before is None:
        return {}
    return targeted_dimensions(wave_before.closes_on,
                               wave_after.opens_on - dt.timedelta(days=1))


def previous_culture_wave(wave: Wave) -> Wave | None:
    """The closed culture wave before `wave` (sharing an instrument), or None."""
    history = earlier_waves(wave)
    return history[-1] if history else None


def _published(wave: Wave, keys: set[str], about: About
               ) -> dict[tuple[str, str], dict[int, _Cell | None]]:
    """(key, dimension) -> unit id -> its whole-unit cell (None where hidden), with the SE
    about the unit (`analysis.did.unit_se`, from the codes issued in its subtree) or about
    its current staff (the published interval as it is)."""
    units = layout(wave)
    staff = {u.unit_id: (np.nan if n is None else float(n))
             for u, n in zip(units, invited_counts(wave, units), strict=True)}
    points = {key: _points(key) for key in keys}
    rows = db.session.execute(
        sa.select(WaveUnit.unit_id, PublishedCell)
        .join(WaveUnit, sa.and_(WaveUnit.wave_id == PublishedCell.wave_id,
                                WaveUnit.position == PublishedCell.position))
        .where(PublishedCell.wave_id == wave.id, PublishedCell.cut == "",
               PublishedCell.instrument_key.in_(keys)))
    out: dict[tuple[str, str], dict[int, _Cell | None]] = {}
    for unit_id, c in rows:
        est, low, high = c.estimate100, c.estimate100_ci_low, c.estimate100_ci_high
        cell = None  # hidden, or published before the evidence standard had estimates
        if c.shown and est is not None and low is not None and high is not None:
            se = (high - low) / (2 * Z95)
            if about == "unit" and c.n is not None and c.sd is not None:
                sd100 = c.sd * 100.0 / (points[c.instrument_key][c.dimension] - 1)
                se = float(unit_se(se, sd100, c.n, staff.get(unit_id, np.nan)))
            cell = _Cell(est, se, c.n, c.sd)
        out.setdefault((c.instrument_key, c.dimension), {})[unit_id] = cell
    return out


def _relatives(units: Sequence[WaveUnit], unit_ids: set[int]) -> set[int]:
    """The units of a layout above or below any of `unit_ids` (their scores contain or are
    contained in theirs), `unit_ids` included."""
    by_position = {u.position: u for u in units}
    children: dict[int, list[int]] = {}
    for u in units:
        if u.parent_position is not None:
            children.setdefault(u.parent_position, []).append(u.position)
    out: set[int] = set()
    for u in units:
        if u.unit_id not in unit_ids:
            continue
        node: int | None = u.position
        while node is not None:  # the unit and its ancestors
            out.add(by_position[node].unit_id)
            node = by_position[node].parent_position
        stack = list(children.get(u.position, []))
        while stack:  # its descendants
            v = stack.pop()
            out.add(by_position[v].unit_id)
            stack.extend(children.get(v, []))
    return out


def _points(key: str) -> dict[str, int]:
    return {d.code: s.points for s, d in instrument_dimensions(get_instrument(key))}


def _treated_mdc(before: _Cell, after: _Cell, points: int) -> float | None:
    """The unit's own minimum detectable change on 0-100 from its n and SD in both waves."""
    if before.n is None or after.n is None or before.sd is None or after.sd is None:
        return None
    sd100 = float(np.sqrt((before.sd ** 2 + after.sd ** 2) / 2.0)) * 100.0 / (points - 1)
    return float(minimum_detectable_change(sd100, before.n, after.n))


def followup_of(unit_id: int, wave_after: Wave, treated: Treated,
                about: About = "unit") -> list[Followup]:
    """The follow-up of every dimension targeted for `unit_id` before the closed culture wave
    `wave_after`, judged together (Benjamini-Hochberg across the unit's dimensions).

    Comparison units: units published in both waves whose actions did not target that
    dimension, leaving out every unit above or below a targeted unit in either wave's
    frozen layout (a parent's score contains its children's respondents). `about`: see
    `About`; "unit" widens each published SE by the part its finite-population correction
    removed (`analysis.did.unit_se`).
    """
    targeted = sorted(k for k, ids in treated.items() if unit_id in ids
                      and k[0] in wave_after.instrument_keys and k[1] in _points(k[0]))
    if not targeted:
        return []
    before = previous_culture_wave(wave_after)
    keys = {k for k, _ in targeted}
    after_cells = _published(wave_after, keys, about)
    before_cells = _published(before, keys, about) if before is not None else {}
    layouts = [layout(wave_after)] + ([layout(before)] if before is not None else [])
    out = []
    for key, dim in targeted:
        label = before.period if before is not None else ""
        if before is None or key not in before.instrument_keys:
            out.append(Followup(key, dim, label, wave_after.period,
                                not_estimable(NO_PREVIOUS_WAVE), ()))
            continue
        excluded = {v for units in layouts for v in _relatives(units, set(treated[key, dim]))}
        out.append(_one(unit_id, key, dim, before_cells.get((key, dim), {}),
                        after_cells.get((key, dim), {}), excluded, label, wave_after.period))
    judged = judge_family([f.estimate for f in out])
    return [Followup(f.instrument_key, f.dimension, f.wave_before, f.wave_after, e,
                     f.comparison_unit_ids) for f, e in zip(out, judged, strict=True)]


def _one(unit_id: int, key: str, dim: str, before: dict[int, _Cell | None],
         after: dict[int, _Cell | None], excluded: set[int], label_before: str,
         label_after: str) -> Followup:
    t_before, t_after = before.get(unit_id), after.get(unit_id)
    pairs = {u: (b, a) for u, b in before.items() if u not in excluded
             and b is not None and (a := after.get(u)) is not None
             and b.se ** 2 + a.se ** 2 > 0}  # a change known exactly: analysis.did drops it
    comparison = sorted(pairs)
    cb = [pairs[u][0] for u in comparison]
    ca = [pairs[u][1] for u in comparison]
    mdc = (_treated_mdc(t_before, t_after, _points(key)[dim])
           if t_before is not None and t_after is not None else None)
    estimate = difference_in_differences(
        (t_before.estimate if t_before else None, t_after.estimate if t_after else None),
        (t_before.se if t_before else None, t_after.se if t_after else None),
        np.array([c.estimate for c in cb]), np.array([c.estimate for c in ca]),
        np.array([c.se for c in cb]), np.array([c.se for c in ca]),
        hidden_comparison="drop", exact_comparison="drop", treated_mdc=mdc)
    used = tuple(comparison) if estimate.estimable else ()
    return Followup(key, dim, label_before, label_after, estimate, used)


def _f(value: float) -> float | None:
    return None if not np.isfinite(value) else float(value)


def followup_rows(followups: Sequence[Followup]) -> list[FollowupRow]:
    """The follow-ups as the plain data the unit page and the unit report print."""
    out = []
    for f in followups:
        instrument = get_instrument(f.instrument_key)
        scale, dim = next((s, d) for s, d in instrument_dimensions(instrument)
                          if d.code == f.dimension)
        e = f.estimate
        out.append(FollowupRow(
            dim.name, instrument.title, scale.direction, f.wave_before, e.verdict, e.reason,
            change100=_f(e.treated_change), comparison_change100=_f(e.comparison_change),
            difference100=_f(e.difference), ci_low100=_f(e.ci_low), ci_high100=_f(e.ci_high),
            mdd100=_f(e.mdd), n_comparison=e.n_comparison, min_comparison=MIN_COMPARISON))
    return out
