"""A wave's answers as `analysis.wave.WaveData` (rows in random-id order, never submission)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import sqlalchemy as sa
from numpy.typing import NDArray

from analysis.wave import WaveData
from instruments.model import Dimension, Instrument, Item
from reports.build import instrument_layout

from ..extensions import db
from ..instrument_store import get_instrument
from ..models import Answer, Response, Unit, Wave
from .responses import CUT_CHOICES


@dataclass(frozen=True)
class WaveDataset:
    """`data` for analysis.analyse_wave plus what a report needs to label its arrays.

    units[i] is unit index i of data.unit / data.unit_parent; items[j] is column j of
    data.values; dimensions[d] is dimension index d; cut_labels[c] is cut category c.
    """

    data: WaveData
    units: tuple[Unit, ...]
    items: tuple[Item, ...]
    dimensions: tuple[Dimension, ...]
    instrument: Instrument
    k: int
    cut_labels: tuple[str, ...]

    @property
    def values(self) -> NDArray[np.float64]:
        """(n, items) raw answers 1..A, NaN where unanswered."""
        return self.data.values


def wave_dataset(wave_id: int, instrument_key: str) -> WaveDataset:
    """Answers of `instrument_key` (`id` or `id@version`) in a wave, rows by random id."""
    return wave_datasets(wave_id, [instrument_key])[instrument_key]


def wave_datasets(wave_id: int, instrument_keys: Sequence[str]) -> dict[str, WaveDataset]:
    """Answers of several instruments of a wave, read in one pass; keyed as asked.

    Every instrument has a row for every response of the wave (rows by random id), NaN where
    a response has no answer to an item.
    """
    wave = db.session.get(Wave, wave_id)
    if wave is None:
        raise LookupError(f"no wave {wave_id}")
    instruments = {key: get_instrument(_pinned_key(wave, key)) for key in instrument_keys}
    units = tuple(wave.units)
    responses = db.session.execute(
        sa.select(Response.unit_id, Response.cut)
        .where(Response.wave_id == wave.id).order_by(Response.id)
    ).all()
    cut_labels = CUT_CHOICES.get(wave.cut or "", ())
    columns = list(dict.fromkeys(item.code for i in instruments.values() for item in i.items))
    values = _values(wave.id, len(responses), columns)
    col_of = {code: j for j, code in enumerate(columns)}
    unit = _unit_index(units, [uid for uid, _ in responses])
    cut = (np.array([cut_labels.index(c) if c else -1 for _, c in responses], dtype=np.intp)
           if wave.cut else None)
    out = {}
    for key, instrument in instruments.items():
        data = WaveData(
            values=values[:, [col_of[item.code] for item in instrument.items]],
            unit=unit, **instrument_layout(instrument), unit_parent=_parents(units),
            cut=cut, n_cut_categories=len(cut_labels))
        out[key] = WaveDataset(data, units, instrument.items, instrument.dimensions,
                               instrument, wave.k, cut_labels)
    return out


def _pinned_key(wave: Wave, key: str) -> str:
    """The wave's pinned `id@version` for `id` or `id@version`."""
    if key in wave.instrument_keys:
        return key
    by_id = {k.split("@")[0]: k for k in wave.instrument_keys}
    if key not in by_id:
        raise LookupError(f"wave {wave.name} has no instrument {key}")
    return by_id[key]


#: Answers fetched from the driver at a time (bounded memory for a province-sized wave).
FETCH_ROWS = 262_144


#: Answer values are below 16 (a scale has at most 11 points): 4 bits of the packed cell.
VALUE_BITS = 4


def _values(wave_id: int, n: int, columns: Sequence[str]) -> NDArray[np.float64]:
    """(n, columns) float matrix of raw answers, NaN where not answered.

    The database numbers the rows (a response's rank by random id, as the responses are
    ordered) and the columns and packs each answer into one integer,
    (row x columns + column) x 16 + value, so an answer arrives as one small int and a
    fetched block lands in the matrix with one vectorised assignment.
    """
    values = np.full((n, len(columns)), np.nan)
    if not n or not columns:
        return values
    rank = (sa.select(Response.id, (sa.func.row_number().over(order_by=Response.id) - 1)
                      .label("row"))
            .where(Response.wave_id == wave_id).subquery())
    column = sa.case({code: j for j, code in enumerate(columns)}, value=Answer.item_code)
    packed = (rank.c.row * len(columns) + column) * (1 << VALUE_BITS) + Answer.value
    query = (sa.select(packed).join(rank, rank.c.id == Answer.response_id)
             .where(Answer.item_code.in_(list(columns))))
    flat = values.reshape(-1)
    for block in _fetch_ints(query):
        cells = np.array(block, dtype=np.int64).reshape(-1)
        flat[cells >> VALUE_BITS] = cells & ((1 << VALUE_BITS) - 1)
    return values


def _fetch_ints(query: sa.Select[Any]) -> Iterator[list[tuple[int]]]:
    """Blocks of a one-integer-column query's rows, from the driver's own cursor.

    SQLAlchemy's result rows cost more per row than the database takes to produce them; the
    query's only literals are column numbers and item codes (from instrument files), bound
    inline by SQLAlchemy's compiler. PostgreSQL streams through a server-side cursor.
    """
    connection = db.session.connection()
    sql = str(query.compile(dialect=connection.dialect,
                            compile_kwargs={"literal_binds": True}))
    driver = connection.connection.driver_connection
    assert driver is not None
    cursor = (driver.cursor(name="lentera_answers") if connection.dialect.name == "postgresql"
              else driver.cursor())
    try:
        cursor.execute(sql)
        while block := cursor.fetchmany(FETCH_ROWS):
            yield block
    finally:
        cursor.close()


def _unit_index(units: tuple[Unit, ...], unit_ids: list[int]) -> NDArray[np.intp]:
    index = {u.id: i for i, u in enumerate(units)}
    return np.array([index[uid] for uid in unit_ids], dtype=np.intp)


def _parents(units: tuple[Unit, ...]) -> NDArray[np.intp]:
    """Parent index per unit; -1 for a root or a parent outside the wave."""
    index = {u.id: i for i, u in enumerate(units)}
    return np.array([index.get(u.parent_id, -1) if u.parent_id else -1 for u in units],
                    dtype=np.intp)


def closed_waves(instrument_id: str) -> list[Wave]:
    """Closed waves that pinned a version of `instrument_id`, oldest first (a trend series)."""
    from ..models import WaveInstrument, WaveState

    rows = db.session.execute(
        sa.select(Wave, WaveInstrument.instrument_key).join(WaveInstrument)
        .where(Wave.state == WaveState.CLOSED.value).order_by(Wave.opens_on, Wave.id))
    # Compare ids in Python: LIKE would treat "_" in an id as a wildcard.
    return [wave for wave, key in rows if key.partition("@")[0] == instrument_id]


def training_log(unit_ids: set[int] | None = None) -> list[tuple[str, str, dt.date, str, float,
                                                                  str]]:
    """Training events as (unit code, unit name, date, title, hours JP, provider), by date."""
    from ..models import TrainingEvent

    query = (sa.select(Unit.code, Unit.name, TrainingEvent.held_on, TrainingEvent.title,
                       TrainingEvent.hours_jp, TrainingEvent.provider)
             .join(Unit, Unit.id == TrainingEvent.unit_id).order_by(TrainingEvent.held_on))
    if unit_ids is not None:
        query = query.where(TrainingEvent.unit_id.in_(unit_ids))
    return [(code, name, held_on, title, hours, provider)
            for code, name, held_on, title, hours, provider in db.session.execute(query)]
