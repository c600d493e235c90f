"""A wave's answers as arrays for the analysis package (rows in random-id order)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sqlalchemy as sa

from instruments.model import Instrument, Item

from ..extensions import db
from ..instrument_store import get_instrument
from ..models import Answer, Response, Unit, Wave


@dataclass(frozen=True)
class WaveArrays:
    """Raw answers of one instrument in one wave, shaped like `analysis.wave.WaveData`.

    values: (n, items) float, raw 1..A, NaN where unanswered; unit: (n,) index into `units`;
    unit_parent: (units,) index of each unit's parent in `units`, -1 for a root or a parent
    outside the wave; cut: (n,) object array of cut values or None.
    """

    values: np.ndarray
    unit: np.ndarray
    unit_parent: np.ndarray
    cut: np.ndarray
    items: tuple[Item, ...]
    units: tuple[Unit, ...]
    instrument: Instrument
    k: int


def wave_dataset(wave_id: int, instrument_key: str) -> WaveArrays:
    """Answers of `instrument_key` in wave `wave_id`; rows ordered by the random response id."""
    wave = db.session.get(Wave, wave_id)
    if wave is None:
        raise LookupError(f"no wave {wave_id}")
    if instrument_key not in wave.instrument_keys:
        keys = {k.split("@")[0]: k for k in wave.instrument_keys}
        if instrument_key not in keys:
            raise LookupError(f"wave {wave.name} has no instrument {instrument_key}")
        instrument_key = keys[instrument_key]
    instrument = get_instrument(instrument_key)
    items = instrument.items
    units = tuple(wave.units)
    unit_index = {u.id: i for i, u in enumerate(units)}
    responses = db.session.execute(
        sa.select(Response.id, Response.unit_id, Response.cut)
        .where(Response.wave_id == wave.id).order_by(Response.id)
    ).all()
    row_of = {rid: i for i, (rid, _, _) in enumerate(responses)}
    values = np.full((len(responses), len(items)), np.nan)
    col_of = {item.code: j for j, item in enumerate(items)}
    answers = db.session.execute(
        sa.select(Answer.response_id, Answer.item_code, Answer.value)
        .join(Response, Response.id == Answer.response_id)
        .where(Response.wave_id == wave.id, Answer.item_code.in_(list(col_of)))
    )
    for rid, code, value in answers:
        values[row_of[rid], col_of[code]] = value
    return WaveArrays(
        values=values,
        unit=np.array([unit_index[uid] for _, uid, _ in responses], dtype=np.intp),
        unit_parent=np.array([unit_index.get(u.parent_id, -1) if u.parent_id else -1
                              for u in units], dtype=np.intp),
        cut=np.array([c for _, _, c in responses], dtype=object),
        items=items, units=units, instrument=instrument, k=wave.k,
    )
