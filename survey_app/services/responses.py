"""Respondent side: check a code, validate answers, store a response exactly once."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple, cast

import sqlalchemy as sa
from flask import current_app

from instruments.model import Instrument

from ..codes import CodeFormatError, hash_code, normalise_code
from ..extensions import db
from ..instrument_store import get_instrument
from ..models import (
    COMMENT_MAX_LENGTH,
    Answer,
    Code,
    Response,
    SkmFormNonce,
    Unit,
    Wave,
    WaveInstrument,
    WaveState,
    wave_unit,
)
from .comments import add_comment

if TYPE_CHECKING:
    from sqlalchemy.engine import CursorResult

CUT_CHOICES: dict[str, tuple[str, ...]] = {"jabatan": ("struktural", "fungsional")}
# Form fields that are not answers (`entry`: the signed token of ratelimit.entry_token);
# anything else that is not an item code is tampering.
FORM_FIELDS = frozenset({"csrf_token", "code", "entry", "cut", "submit", "lang", "comment"})


class CodeRefused(ValueError):
    """The code cannot be used; `reason` is one of format, unknown, used, closed."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class AnswersInvalid(ValueError):
    """Some answers are missing or out of range; `errors` maps field name -> reason."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__(", ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = dict(errors)


class FormTampered(ValueError):
    """The form carries fields the survey never had (e.g. a forged unit or wave)."""

    def __init__(self, fields: Iterable[str]) -> None:
        self.fields = sorted(fields)
        super().__init__(", ".join(self.fields))


class StoredAnswer(NamedTuple):
    """One stored answer as shown on the receipt (a tuple: ~50 are built per submission)."""

    item_code: str
    value: int
    points: int


@dataclass(frozen=True)
class Receipt:
    """Exactly what was stored: the wave, the unit, the cut and the answers. Nothing else."""

    wave_name: str
    unit_name: str
    cut: str | None
    answers: tuple[StoredAnswer, ...]
    comment: str | None = None  # as stored: redacted, apart from the answers


def code_hash(text: str) -> bytes:
    """Normalise typed text and hash it with the app's code key."""
    try:
        raw = normalise_code(text)
    except CodeFormatError as exc:
        raise CodeRefused("format") from exc
    return hash_code(raw, current_app.config["LENTERA_CODE_KEY"])


@dataclass(frozen=True)
class CodeWave:
    """What the respondent pages need to know about a wave."""

    id: int
    name: str
    state: str
    k: int
    cut: str | None
    instrument_keys: tuple[str, ...]


@dataclass(frozen=True)
class CodeUnit:
    """What the respondent pages need to know about the code's unit."""

    id: int
    name: str


@dataclass(frozen=True)
class CodeInfo:
    """A code row with its wave and unit, read in one query."""

    hash: bytes
    used: bool
    wave: CodeWave
    unit: CodeUnit


def check_code(text: str) -> CodeInfo:
    """The usable code for `text` (with wave and unit), or CodeRefused saying why not."""
    return _usable(_code_info(code_hash(text)))


# The respondent statements, built once (building a statement costs more than running it).
# Core tables, not ORM entities: nothing of a submission is loaded into the session.
_CODE, _WAVE, _UNIT = Code.__table__, Wave.__table__, Unit.__table__
_CODE_INFO = (
    sa.select(_CODE.c.used, _WAVE.c.id, _WAVE.c.name, _WAVE.c.state, _WAVE.c.k, _WAVE.c.cut,
              _UNIT.c.id, _UNIT.c.name)
    .join(_WAVE, _WAVE.c.id == _CODE.c.wave_id).join(_UNIT, _UNIT.c.id == _CODE.c.unit_id)
    .where(_CODE.c.hash == sa.bindparam("digest")))
# Marks the code used only while it is unused and its wave open: the exactly-once guard.
_MARK = (sa.update(_CODE).values(used=True)
         .where(_CODE.c.hash == sa.bindparam("digest"), _CODE.c.used.is_(False),
                _CODE.c.wave_id.in_(sa.select(_WAVE.c.id)
                                    .where(_WAVE.c.state == WaveState.OPEN.value))))
_INSERT_RESPONSE = sa.insert(Response.__table__)
_INSERT_ANSWERS = sa.insert(Answer.__table__)


def _code_info(digest: bytes) -> CodeInfo | None:
    """One joined query: the code, its wave and its unit (None when unknown)."""
    row = db.session.execute(_CODE_INFO, {"digest": digest}).one_or_none()
    if row is None:
        return None
    used, wave_id, wave_name, state, k, cut, unit_id, unit_name = row
    wave = CodeWave(wave_id, wave_name, state, k, cut, _instrument_keys(wave_id))
    return CodeInfo(digest, bool(used), wave, CodeUnit(unit_id, unit_name))


def _instrument_keys(wave_id: int) -> tuple[str, ...]:
    """A wave's pinned instruments; cached per process because they never change."""
    cache: dict[int, tuple[str, ...]] = current_app.extensions.setdefault(
        "lentera_wave_instruments", {})
    if wave_id not in cache:
        cache[wave_id] = tuple(db.session.scalars(
            sa.select(WaveInstrument.instrument_key).where(WaveInstrument.wave_id == wave_id)
            .order_by(WaveInstrument.position)))
    return cache[wave_id]


def _usable(info: CodeInfo | None) -> CodeInfo:
    """`info` if its code can be used now; CodeRefused saying why not otherwise."""
    if info is None:
        raise CodeRefused("unknown")
    if info.wave.state != WaveState.OPEN:
        raise CodeRefused("closed")
    if info.used:
        raise CodeRefused("used")
    return info


def wave_instruments(wave: CodeWave | Wave) -> list[Instrument]:
    """The instruments of a wave in form order."""
    return [get_instrument(key) for key in wave.instrument_keys]


# Scale length A -> {"1": 1, ..., str(A): A}: the values a radio button of the scale sends,
# looked up in one step; anything else goes through the full check below.
_OPTION_VALUES = {points: {str(v): v for v in range(1, points + 1)} for points in range(2, 12)}


def validate_answers(
    instruments: list[Instrument], cut: str | None, form: Mapping[str, str]
) -> tuple[list[StoredAnswer], str | None]:
    """Check every field; return the answers and the cut, or raise with every problem at once."""
    expected = _expected_fields(instruments)
    unknown = set(form) - FORM_FIELDS - set(expected)
    if unknown:
        raise FormTampered(unknown)
    errors: dict[str, str] = {}
    answers = []
    for code, (points, required) in expected.items():
        text = form.get(code) or ""
        value = _OPTION_VALUES.get(points, {}).get(text)  # what a radio button sends
        if value is None:
            text = text.strip()
            if not text:
                if required:
                    errors[code] = "missing"
                continue
            # ASCII digits only, at most two (A <= 11): "²".isdigit() is True but int() fails,
            # and int() of thousands of digits raises too.
            if not (text.isascii() and text.isdigit() and len(text) <= 2) \
                    or not 1 <= int(text) <= points:
                errors[code] = "range"
                continue
            value = int(text)
        answers.append(StoredAnswer(code, value, points))
    cut_value = _validate_cut(cut, form.get("cut"), errors)
    # A browser counts a line break as one character against `maxlength` but sends "\r\n".
    if len((form.get("comment") or "").replace("\r\n", "\n")) > COMMENT_MAX_LENGTH:
        errors["comment"] = "length"
    if errors:
        raise AnswersInvalid(errors)
    return answers, cut_value


def _expected_fields(instruments: list[Instrument]) -> dict[str, tuple[int, bool]]:
    """Item code -> (A, required). Respondent questions (SKM) are optional."""
    fields: dict[str, tuple[int, bool]] = {}
    for inst in instruments:
        for scale in inst.scales:
            fields.update({item.code: (scale.points, True) for item in scale.items})
        fields.update({q.code: (len(q.choices), False) for q in inst.respondent_questions})
    return fields


def _validate_cut(cut: str | None, given: str | None, errors: dict[str, str]) -> str | None:
    """The declared cut's value, optional for the respondent; other values are errors."""
    if not given:
        return None
    if cut is None or given not in CUT_CHOICES[cut]:
        errors["cut"] = "range"
        return None
    return given


def store_response(info: CodeInfo, answers: list[StoredAnswer], cut: str | None,
                   comment: str | None = None) -> Receipt:
    """Mark the code used and add the response and its answers, and the redacted comment if
    any (`services.comments.add_comment`, not linked to the response), to the request's
    transaction, which the request commits (`database.App`): all of it is stored, or nothing.

    Marking is the exactly-once guard: the update changes the code's row only while the code
    is unused and its wave open, so of two concurrent submissions with the same code only one
    marks it (PostgreSQL re-checks the row once the other commits; SQLite runs one writer at
    a time). A code that cannot be marked adds nothing and raises CodeRefused saying why.
    """
    # An UPDATE's result is a CursorResult, which Session.execute is not typed to return.
    marked = cast("CursorResult[Any]", db.session.execute(_MARK, {"digest": info.hash}))
    if marked.rowcount != 1:
        _usable(_code_info(info.hash))
        raise CodeRefused("used")
    response_id = uuid.uuid4()
    db.session.execute(_INSERT_RESPONSE, [{"id": response_id, "wave_id": info.wave.id,
                                           "unit_id": info.unit.id, "cut": cut}])
    db.session.execute(_INSERT_ANSWERS, [
        {"response_id": response_id, "item_code": a.item_code, "value": a.value,
         "points": a.points} for a in answers])
    stored = add_comment(info.wave.id, info.unit.id, comment) if comment else None
    return Receipt(info.wave.name, info.unit.name, cut, tuple(answers), stored)


# --- the citizen SKM form: no code; a used form token's nonce is the exactly-once guard -----


class CitizenRefused(ValueError):
    """A citizen form cannot be stored; `reason` is `closed` (the wave is not open for this
    unit) or `used` (this form was already stored)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


_NONCE = SkmFormNonce.__table__
# Marks the form's nonce used; a nonce already there inserts nothing (same form sent twice).
_USE_NONCE = sa.text("INSERT INTO skm_form_nonce (hash, day) VALUES (:digest, :day) "
                     "ON CONFLICT (hash) DO NOTHING")
_PURGE_NONCES = sa.delete(_NONCE).where(_NONCE.c.day < sa.bindparam("before"))
# Inserts the response only while its wave is open and the unit is one of the wave's.
_INSERT_CITIZEN = sa.insert(Response.__table__).from_select(
    ["id", "wave_id", "unit_id", "cut"],
    sa.select(sa.bindparam("id", type_=sa.Uuid()), sa.bindparam("wave_id", type_=sa.Integer()),
              sa.bindparam("unit_id", type_=sa.Integer()), sa.null())
    .where(sa.exists().where(_WAVE.c.id == sa.bindparam("wave_id"),
                             _WAVE.c.state == WaveState.OPEN.value))
    .where(sa.exists().where(wave_unit.c.wave_id == sa.bindparam("wave_id"),
                             wave_unit.c.unit_id == sa.bindparam("unit_id")))
).returning(Response.__table__.c.id)  # rowcount of INSERT ... SELECT is -1 on psycopg


def store_citizen_response(wave_id: int, unit_id: int, nonce_digest: bytes,
                           answers: list[StoredAnswer], today: dt.date,
                           saran: str | None = None) -> str | None:
    """Store a citizen's SKM answers in the request's transaction: the form's nonce (a keyed
    hash, with the day only), the response (random id, wave, unit), its answers, and the
    suggestion (saran) redacted and apart from the response (`services.comments`). All of it,
    or nothing: CitizenRefused when the nonce was used or the wave is not open for the unit.
    Returns the saran as stored (None: none).

    Nothing else is written: no address, no time, no kiosk, no cookie.
    """
    db.session.execute(_PURGE_NONCES, {"before": today - dt.timedelta(days=1)})
    used = cast("CursorResult[Any]", db.session.execute(
        _USE_NONCE, {"digest": nonce_digest, "day": today}))
    if used.rowcount != 1:
        raise CitizenRefused("used")
    response_id = uuid.uuid4()
    inserted = db.session.execute(
        _INSERT_CITIZEN, {"id": response_id, "wave_id": wave_id, "unit_id": unit_id}).all()
    if len(inserted) != 1:
        raise CitizenRefused("closed")
    db.session.execute(_INSERT_ANSWERS, [
        {"response_id": response_id, "item_code": a.item_code, "value": a.value,
         "points": a.points} for a in answers])
    return add_comment(wave_id, unit_id, saran) if saran else None
