"""HR side of waves: create, change before opening (audited), open, close, issue codes, counts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from ..codes import generate_code, hash_code, normalise_code
from ..extensions import db
from ..instrument_store import UnknownInstrument, get_instrument, is_skm
from ..models import (
    K_DEFAULT,
    K_MINIMUM,
    AuditEntry,
    Code,
    TrainingEvent,
    Unit,
    Wave,
    WaveInstrument,
    WaveState,
)
from .publication import freeze_layout, publish
from .responses import CUT_CHOICES
from .rules import RuleError
from .storage import insert_codes, scrub_wave_codes


class WaveRuleError(RuleError):
    """An HR action breaks a wave rule."""


@dataclass(frozen=True)
class IssuedCode:
    """A code in plain text, handed out once at issue time (only its hash is stored)."""

    code: str
    unit_code: str
    unit_name: str


def add_audit_entry(actor: str, action: str, wave_id: int | None = None, detail: str = "") -> None:
    """Record an HR action in the audit log, with its time: the log is about HR users, never
    respondents. `actor` is an HR username or a command's name; "" is a failed login on no
    existing account (what was typed is never stored, it may be a password)."""
    db.session.add(AuditEntry(at=dt.datetime.now(dt.UTC), actor=actor, action=action,
                              wave_id=wave_id, detail=detail))


def create_wave(*, name: str, period: str, instrument_keys: Sequence[str],
                unit_ids: Sequence[int], opens_on: dt.date, closes_on: dt.date,
                k: int = K_DEFAULT, cut: str | None = None, actor: str) -> Wave:
    """A new draft wave; instruments must load and the rules on k, dates and cut must hold."""
    _check_rules(k, cut, opens_on, closes_on)
    if not instrument_keys:
        raise WaveRuleError("no_instruments")
    if not unit_ids:
        raise WaveRuleError("no_units")
    if db.session.scalar(sa.select(Wave.id).where(Wave.name == name)) is not None:
        raise WaveRuleError("duplicate_name", name)
    pinned = [_pin(key) for key in instrument_keys]
    units = list(db.session.scalars(sa.select(Unit).where(Unit.id.in_(unit_ids))))
    wave = Wave(name=name, period=period, k=k, cut=cut, opens_on=opens_on, closes_on=closes_on,
                state=WaveState.DRAFT.value, units=units,
                instruments=[WaveInstrument(instrument_key=key, position=i)
                             for i, key in enumerate(pinned)])
    db.session.add(wave)
    db.session.flush()
    add_audit_entry(actor, "wave.create", wave.id, f"{name} {period} k={k} cut={cut or '-'} "
                    f"{', '.join(pinned)} units={len(units)}")
    return wave


def _pin(key: str) -> str:
    try:
        return get_instrument(key).key
    except UnknownInstrument as exc:
        raise WaveRuleError("unknown_instrument", key) from exc


def _check_rules(k: int, cut: str | None, opens_on: dt.date, closes_on: dt.date) -> None:
    if k < K_MINIMUM:
        raise WaveRuleError("k_too_small", str(k))
    if cut is not None and cut not in CUT_CHOICES:
        raise WaveRuleError("unknown_cut", cut)
    if closes_on < opens_on:
        raise WaveRuleError("dates_order", f"{opens_on} > {closes_on}")


def update_draft(wave: Wave, *, k: int, cut: str | None, opens_on: dt.date,
                 closes_on: dt.date, actor: str, instrument_keys: Sequence[str] | None = None,
                 unit_ids: Sequence[int] | None = None) -> list[str]:
    """Change a draft wave's k, cut, dates, instruments or units (None: unchanged); each
    change goes to the audit log. A unit that already has codes of the wave stays in it."""
    if wave.state != WaveState.DRAFT:
        raise WaveRuleError("not_draft", wave.state)
    _check_rules(k, cut, opens_on, closes_on)
    changes = []
    for field, new in (("k", k), ("cut", cut), ("opens_on", opens_on), ("closes_on", closes_on)):
        old = getattr(wave, field)
        if old != new:
            setattr(wave, field, new)
            changes.append(f"{field}: {old} -> {new}")
            add_audit_entry(actor, f"wave.{field}", wave.id, f"{old} -> {new}")
    if instrument_keys is not None:
        changes += _change_instruments(wave, instrument_keys, actor)
    if unit_ids is not None:
        changes += _change_units(wave, unit_ids, actor)
    db.session.flush()
    return changes


def _change_instruments(wave: Wave, keys: Sequence[str], actor: str) -> list[str]:
    if not keys:
        raise WaveRuleError("no_instruments")
    pinned = [_pin(key) for key in keys]
    old = wave.instrument_keys
    if pinned == old:
        return []
    wave.instruments = [WaveInstrument(instrument_key=key, position=i)
                        for i, key in enumerate(pinned)]
    change = f"{', '.join(old)} -> {', '.join(pinned)}"
    add_audit_entry(actor, "wave.instruments", wave.id, change)
    return [f"instruments: {change}"]


def _change_units(wave: Wave, unit_ids: Sequence[int], actor: str) -> list[str]:
    if not unit_ids:
        raise WaveRuleError("no_units")
    units = list(db.session.scalars(sa.select(Unit).where(Unit.id.in_(unit_ids))
                                    .order_by(Unit.code)))
    old = {u.id for u in wave.units}
    new = {u.id for u in units}
    if new == old:
        return []
    with_codes = db.session.scalars(
        sa.select(Unit.name).join(Code, Code.unit_id == Unit.id)
        .where(Code.wave_id == wave.id, Unit.id.in_(old - new)).distinct().order_by(Unit.name))
    kept = list(with_codes)
    if kept:
        raise WaveRuleError("units_have_codes", ", ".join(kept))
    wave.units = units
    change = f"+{len(new - old)} -{len(old - new)} = {len(new)}"
    add_audit_entry(actor, "wave.units", wave.id, change)
    return [f"units: {change}"]


def open_wave(wave: Wave, *, actor: str) -> None:
    """draft -> open; from now on k and the cut are fixed."""
    if wave.state != WaveState.DRAFT:
        raise WaveRuleError("not_draft", wave.state)
    wave.state = WaveState.OPEN.value
    freeze_layout(wave)
    add_audit_entry(actor, "wave.open", wave.id, f"k={wave.k}")
    db.session.flush()


def close_wave(wave: Wave, *, actor: str) -> None:
    """open -> closed; after this nothing about the wave's answers can change."""
    if wave.state != WaveState.OPEN:
        raise WaveRuleError("not_open", wave.state)
    publish(wave)  # reads the code rows, so before they go
    # Rewrite first: once the state is closed, the database refuses any change to the rows.
    scrub_wave_codes(wave.id)
    wave.state = WaveState.CLOSED.value
    add_audit_entry(actor, "wave.close", wave.id)
    db.session.flush()


def issue_codes(wave: Wave, unit: Unit, count: int, *, key: str, actor: str) -> list[IssuedCode]:
    """`count` new codes for a unit of a draft or open wave; only their hashes are stored."""
    if wave.state == WaveState.CLOSED:
        raise WaveRuleError("closed", wave.name)
    if unit not in wave.units:
        raise WaveRuleError("unit_not_in_wave", unit.code)
    if not 0 < count <= 10_000:
        raise WaveRuleError("bad_count", str(count))
    issued: list[IssuedCode] = []
    rows = []
    hashes: set[bytes] = set()
    while len(issued) < count:
        code = generate_code()
        digest = hash_code(normalise_code(code), key)
        if digest in hashes:  # a 59-bit collision is practically impossible; stay exact anyway
            continue
        hashes.add(digest)
        rows.append({"hash": digest, "wave_id": wave.id, "unit_id": unit.id, "used": False})
        issued.append(IssuedCode(code, unit.code, unit.name))
    insert_codes(rows)
    add_audit_entry(actor, "codes.issue", wave.id, f"{unit.code}: {count}")
    return issued


def add_training(*, unit: Unit, held_on: dt.date, title: str, hours_jp: float, provider: str,
                 actor: str) -> TrainingEvent:
    """Log a training event of a unit."""
    if not title.strip():
        raise WaveRuleError("empty_title")
    if hours_jp <= 0:
        raise WaveRuleError("bad_hours", str(hours_jp))
    event = TrainingEvent(unit=unit, held_on=held_on, title=title.strip(), hours_jp=hours_jp,
                          provider=provider.strip())
    db.session.add(event)
    add_audit_entry(actor, "training.add", None, f"{unit.code}: {title.strip()} ({hours_jp} JP)")
    db.session.flush()
    return event


class WaveNotFound(LookupError):
    """No wave, or more than one, answers to what was typed (the message says which)."""


def find_wave(ident: str) -> Wave:
    """The wave whose id or name is `ident`, else the one wave of that period label (e.g.
    2026-Q4), a culture wave before SKM waves of the same period."""
    exact = [sa.func.lower(Wave.name) == ident.strip().lower()]
    if ident.strip().isdigit():
        exact.append(Wave.id == int(ident))
    found = list(db.session.scalars(sa.select(Wave).where(sa.or_(*exact)).order_by(Wave.id)))
    if not found:
        same_period = list(db.session.scalars(
            sa.select(Wave).where(Wave.period == ident.strip()).order_by(Wave.id)))
        found = [w for w in same_period if not is_skm(w)] or same_period
    if len(found) == 1:
        return found[0]
    if not found:
        raise WaveNotFound(f"Gelombang tidak ditemukan / no such wave: {ident}")
    ids = ", ".join(str(w.id) for w in found)
    raise WaveNotFound(f"Lebih dari satu gelombang cocok dengan {ident!r} (id {ids}); tulis "
                       f"id-nya / more than one wave matches {ident!r} (ids {ids}); give the id")
