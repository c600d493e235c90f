"""Respondent side: check a code, validate answers, store a response exactly once."""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import NamedTuple

from flask import current_app

from instruments.model import Instrument

from ..codes import CodeFormatError, hash_code, normalise_code
from ..database import dbapi_run
from ..extensions import db
from ..instrument_store import get_instrument
from ..models import Wave, WaveState

CUT_CHOICES: dict[str, tuple[str, ...]] = {"jabatan": ("struktural", "fungsional")}
# Form fields that are not answers (`entry`: the signed token of ratelimit.entry_token);
# anything else that is not an item code is tampering.
FORM_FIELDS = frozenset({"csrf_token", "code", "entry", "cut", "submit", "lang"})


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


def code_hash(text: str) -> bytes:
    """Normalise typed text and hash it with the app's code key."""
    try:
        raw = normalise_code(text)
    except CodeFormatError as exc:
        raise CodeRefused("format") from exc
    return hash_code(raw, current_app.config["LENTERA_CODE_KEY"])


@dataclass(frozen=True)
class WaveInfo:
    """What the respondent pages need to know about a wave."""

    id: int
    name: str
    state: str
    k: int
    cut: str | None
    instrument_keys: tuple[str, ...]


@dataclass(frozen=True)
class UnitInfo:
    """What the respondent pages need to know about the code's unit."""

    id: int
    name: str


@dataclass(frozen=True)
class CodeInfo:
    """A code row with its wave and unit, read in one query."""

    hash: bytes
    used: bool
    wave: WaveInfo
    unit: UnitInfo


# The respondent hot path runs these statements on the request's DBAPI connection
# (`dbapi_connection`): through the ORM session each one cost several times the database's
# own work (bench/submit.md). Written with :name parameters (`driver_sql`).
# The store marks the code used only if it is unused and its wave open (the exactly-once
# guard); SQLite's store trigger (migrations 0005, 0006) refuses an unmarkable code with
# this message.
SQLITE_NOT_MARKABLE = "lentera: code not markable"
_STATEMENTS = {
    "code_info": "SELECT code.used, code.wave_id, wave.name, wave.state, wave.k, wave.cut, "
                 "code.unit_id, unit.name FROM code JOIN wave ON wave.id = code.wave_id "
                 "JOIN unit ON unit.id = code.unit_id WHERE code.hash = :digest",
    "wave_instruments": "SELECT instrument_key FROM wave_instrument WHERE wave_id = :wave_id "
                        "ORDER BY position",
    # PostgreSQL: mark, response and answers in ONE statement, which is its own transaction on
    # the autocommit hot-path connection (one round trip instead of five with BEGIN and
    # COMMIT). Every data-modifying WITH query runs; the answers' foreign keys and guard
    # trigger see the response inserted beside them. Returns 1 if stored, 0 if not markable.
    "store_postgresql":
        "WITH marked AS (UPDATE code SET used = TRUE WHERE hash = :digest AND NOT used "
        "AND wave_id IN (SELECT id FROM wave WHERE state = 'open') RETURNING wave_id, unit_id), "
        "stored AS (INSERT INTO response (id, wave_id, unit_id, cut) "
        "SELECT :rid, wave_id, unit_id, :cut FROM marked RETURNING id), "
        "answered AS (INSERT INTO answer (response_id, item_code, value, points) "
        "SELECT stored.id, a.key, CAST(a.value AS SMALLINT), CAST(s.key AS SMALLINT) "
        "FROM stored CROSS JOIN jsonb_each(CAST(:answers AS JSONB)) AS s "
        "CROSS JOIN LATERAL jsonb_each_text(s.value) AS a) "
        "SELECT count(*) FROM stored",
    # SQLite: one INSERT into a view whose INSTEAD OF trigger marks the code and stores the
    # response and its answers (migrations 0005, 0006).
    # One statement is one SQLite call, atomic, and holds the write lock without needing the
    # GIL in between (bench/submit.md).
    "store_sqlite": "INSERT INTO respond_store (digest, response_id, cut, answers) "
                    "VALUES (:digest, :rid, :cut, :answers)",
}


def check_code(text: str) -> CodeInfo:
    """The usable code for `text` (with wave and unit), or CodeRefused saying why not."""
    info = _code_info(code_hash(text))
    _raise_if_unusable(info)
    return info  # type: ignore[return-value]


def _code_info(digest: bytes) -> CodeInfo | None:
    """One joined query: the code, its wave and its unit (None when unknown)."""
    rows = dbapi_run(_STATEMENTS["code_info"], {"digest": digest})
    if not rows:
        return None
    (used, wave_id, wave_name, state, k, cut, unit_id, unit_name), = rows
    wave = WaveInfo(wave_id, wave_name, state, k, cut, _instrument_keys(wave_id))
    return CodeInfo(digest, bool(used), wave, UnitInfo(unit_id, unit_name))


def _instrument_keys(wave_id: int) -> tuple[str, ...]:
    """A wave's pinned instruments; cached per process because they never change."""
    cache: dict[int, tuple[str, ...]] = current_app.extensions.setdefault(
        "lentera_wave_instruments", {})
    if wave_id not in cache:
        rows = dbapi_run(_STATEMENTS["wave_instruments"], {"wave_id": wave_id})
        cache[wave_id] = tuple(key for (key,) in rows)
    return cache[wave_id]


def _raise_if_unusable(info: CodeInfo | None) -> None:
    if info is None:
        raise CodeRefused("unknown")
    if info.wave.state != WaveState.OPEN:
        raise CodeRefused("closed")
    if info.used:
        raise CodeRefused("used")


def wave_instruments(wave: WaveInfo | Wave) -> list[Instrument]:
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
            # and int() of thousands of digits raises too (found by tests/security/test_fuzz.py).
            if not (text.isascii() and text.isdigit() and len(text) <= 2) \
                    or not 1 <= int(text) <= points:
                errors[code] = "range"
                continue
            value = int(text)
        answers.append(StoredAnswer(code, value, points))
    cut_value = _validate_cut(cut, form.get("cut"), errors)
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


def store_response(info: CodeInfo, answers: list[StoredAnswer], cut: str | None) -> Receipt:
    """Mark the code used and store validated answers, atomically and committed.

    Marking is the exactly-once guard: of two concurrent submissions with the same code only
    one marks it (PostgreSQL re-checks the row after the other commits; SQLite runs one writer
    at a time). Either way the store is one statement: all of it is stored, or nothing. A code
    that cannot be marked stores nothing and raises CodeRefused saying why.
    """
    response_id = uuid.uuid4()
    if db.engine.dialect.name == "postgresql":
        stored = _store_postgresql(info, response_id, answers, cut)
    else:
        stored = _store_sqlite(info, response_id, answers, cut)
    if not stored:
        _raise_if_unusable(_code_info(info.hash))
        raise CodeRefused("used")
    return Receipt(info.wave.name, info.unit.name, cut, tuple(answers))


def answers_json(answers: Iterable[StoredAnswer]) -> str:
    """The answers as the store statements take them: grouped by scale length (points), e.g.
    {"6": {"RC-RS1": 3, ...}, "5": {"RD-CM1": 4, ...}}.

    Both databases read every item code and value straight out of their JSON table functions
    (json_each, jsonb_each_text) with one parse of the document; a list of [code, value, points]
    triples needed one more parse per answer (SQLite) or three array parameters whose quoting
    psycopg does in Python (bench/submit.md).
    """
    grouped: dict[str, dict[str, int]] = {}
    for answer in answers:
        grouped.setdefault(str(answer.points), {})[answer.item_code] = answer.value
    return json.dumps(grouped, separators=(",", ":"))


def _store_postgresql(info: CodeInfo, response_id: uuid.UUID, answers: list[StoredAnswer],
                      cut: str | None) -> bool:
    """One statement on the autocommit connection: it commits, or fails and stores nothing."""
    rows = dbapi_run(_STATEMENTS["store_postgresql"], {
        "digest": info.hash, "rid": response_id, "cut": cut, "answers": answers_json(answers)})
    return bool(rows[0][0])


def _store_sqlite(info: CodeInfo, response_id: uuid.UUID, answers: list[StoredAnswer],
                  cut: str | None) -> bool:
    """One statement in autocommit mode: it commits, or fails and stores nothing."""
    try:
        dbapi_run(_STATEMENTS["store_sqlite"], {
            "digest": info.hash, "rid": response_id.hex,  # as SQLAlchemy's Uuid stores it
            "cut": cut, "answers": answers_json(answers)})
    except sqlite3.IntegrityError as exc:
        if str(exc) == SQLITE_NOT_MARKABLE:
            return False
        raise
    return True
