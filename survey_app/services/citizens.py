"""Citizen SKM collection without codes (issue #16): the poster token of a wave's service unit,
the short-lived form token, kiosks, populations, refusal counts and the public results.

Nothing here stores or derives who a citizen is: the poster token names a (wave, unit) only,
the form token's nonce is stored as a keyed hash with the day (`services.responses`), a kiosk
names a tablet registered by HR (never stored with a response), and a refusal is one more in
an aggregate count.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

import numpy as np
import sqlalchemy as sa
from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeSerializer, URLSafeTimedSerializer

from analysis.skm import CONVERSION, krejcie_morgan, mutu_for, round_converted
from instruments.model import Instrument

from ..extensions import db
from ..instrument_store import get_instrument, is_skm
from ..models import (
    Kiosk,
    PublishedCell,
    Response,
    SkmPopulation,
    SkmRefusals,
    Unit,
    Wave,
    WaveState,
    WaveUnit,
)
from .publication import band as count_band
from .publication import layout
from .waves import WaveRuleError, add_audit_entry

KIOSK_COOKIE = "lentera_kiosk"


class TargetUnknown(LookupError):
    """The poster token names no SKM wave unit (404)."""


class TargetClosed(LookupError):
    """The poster's SKM wave is not open (410 once closed, 404 while a draft)."""

    def __init__(self, wave: Wave) -> None:
        super().__init__(wave.name)
        self.wave = wave


class FormTokenInvalid(ValueError):
    """The form token is forged or for another unit (`bad`) or too old (`expired`)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Target:
    """The wave and service unit a poster's URL is for."""

    wave: Wave
    unit: Unit

    @property
    def instruments(self) -> list[Instrument]:
        """The wave's SKM instruments in form order."""
        return [get_instrument(k) for k in self.wave.instrument_keys]


# ---------------------------------------------------------------- the poster's URL

def _poster_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="lentera-skm-poster")


def poster_token(wave: Wave, unit: Unit) -> str:
    """The token printed on a unit's QR poster: signed, so no other (wave, unit) is guessable."""
    return str(_poster_serializer().dumps([wave.id, unit.id]))


def resolve_target(token: str, *, open_only: bool = True) -> Target:
    """The SKM wave unit of a poster token; TargetUnknown or TargetClosed if it takes none."""
    if len(token) > 200:
        raise TargetUnknown(token[:20])
    try:
        value = _poster_serializer().loads(token)
    except BadSignature as exc:
        raise TargetUnknown(token[:20]) from exc
    if not (isinstance(value, list) and len(value) == 2
            and all(isinstance(v, int) for v in value)):
        raise TargetUnknown(token[:20])
    return target_of(value[0], value[1], open_only=open_only)


def target_of(wave_id: int, unit_id: int, *, open_only: bool = True) -> Target:
    """The SKM wave unit (wave_id, unit_id); TargetUnknown or TargetClosed."""
    wave, unit = db.session.get(Wave, wave_id), db.session.get(Unit, unit_id)
    if wave is None or unit is None or unit not in wave.units or not is_skm(wave):
        raise TargetUnknown(f"{wave_id}/{unit_id}")
    if open_only and wave.state != WaveState.OPEN:
        raise TargetClosed(wave)
    return Target(wave, unit)


def poster_url(wave: Wave, unit: Unit) -> str:
    """The full URL a poster prints and its QR code carries."""
    base = current_app.config["LENTERA_PUBLIC_URL"].rstrip("/")
    return f"{base}/skm/{poster_token(wave, unit)}"


# ---------------------------------------------------------------- the form token

def _form_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="lentera-skm-form")


def issue_form_token(target: Target) -> str:
    """A signed token for one form: the (wave, unit), a random nonce and, inside the
    signature, the second it was issued. It lives in the page only; the server keeps nothing."""
    return str(_form_serializer().dumps([target.wave.id, target.unit.id,
                                         secrets.token_urlsafe(16)]))


def read_form_token(token: str, target: Target) -> tuple[str, float]:
    """(nonce, seconds since issue) of a token issued for `target`; FormTokenInvalid if not."""
    if not token or len(token) > 300:
        raise FormTokenInvalid("bad")
    try:
        value, issued = _form_serializer().loads(
            token, max_age=current_app.config["LENTERA_SKM_FORM_SECONDS"],
            return_timestamp=True)
    except SignatureExpired as exc:
        raise FormTokenInvalid("expired") from exc
    except BadSignature as exc:
        raise FormTokenInvalid("bad") from exc
    if not (isinstance(value, list) and len(value) == 3
            and value[:2] == [target.wave.id, target.unit.id] and isinstance(value[2], str)):
        raise FormTokenInvalid("bad")
    return value[2], time.time() - issued.timestamp()


def nonce_digest(nonce: str) -> bytes:
    """The stored form of a used nonce: an HMAC under a key derived from the app secret."""
    key = hmac.new(current_app.config["SECRET_KEY"].encode(), b"lentera-skm-nonce",
                   hashlib.sha256).digest()
    return hmac.new(key, nonce.encode(), hashlib.sha256).digest()


# ---------------------------------------------------------------- refusals

_COUNT_REFUSAL = sa.text(
    "INSERT INTO skm_refusals (wave_id, unit_id, refused) VALUES (:wave_id, :unit_id, 1) "
    "ON CONFLICT (wave_id, unit_id) DO UPDATE SET refused = skm_refusals.refused + 1")


def count_refusal(target: Target) -> None:
    """One more refused submission for the wave's unit (the request commits it)."""
    db.session.execute(_COUNT_REFUSAL, {"wave_id": target.wave.id, "unit_id": target.unit.id})


def refusals(wave: Wave) -> dict[int, int]:
    """Refused submissions per unit id of the wave."""
    return dict(db.session.execute(sa.select(SkmRefusals.unit_id, SkmRefusals.refused)
                                   .where(SkmRefusals.wave_id == wave.id)).all())


# ---------------------------------------------------------------- kiosks

def _secret_hash(secret: str) -> bytes:
    return hashlib.sha256(secret.encode()).digest()


def register_kiosk(wave: Wave, unit: Unit, label: str, *, actor: str) -> tuple[Kiosk, str]:
    """A new kiosk and its one-time activation secret (shown once, stored only hashed)."""
    if wave.state == WaveState.CLOSED:
        raise WaveRuleError("closed", wave.name)
    if unit not in wave.units or not is_skm(wave):
        raise WaveRuleError("unit_not_in_wave", unit.code)
    activation = secrets.token_urlsafe(24)
    kiosk = Kiosk(wave_id=wave.id, unit_id=unit.id, label=label.strip()[:80] or unit.name,
                  activation_hash=_secret_hash(activation), revoked=False)
    db.session.add(kiosk)
    db.session.flush()
    add_audit_entry(actor, "kiosk.register", wave.id, f"kiosk {kiosk.id}: {unit.code}")
    return kiosk, activation


def kiosk_to_activate(activation: str) -> Kiosk | None:
    """The unrevoked kiosk an activation secret belongs to, while it is unused."""
    if not activation or len(activation) > 100:
        return None
    return db.session.scalar(sa.select(Kiosk).where(
        Kiosk.activation_hash == _secret_hash(activation), Kiosk.revoked.is_(False)))


def activate_kiosk(kiosk: Kiosk) -> str:
    """Use up the activation secret and return the tablet's cookie secret (stored hashed)."""
    secret = secrets.token_urlsafe(32)
    kiosk.activation_hash = None
    kiosk.secret_hash = _secret_hash(secret)
    db.session.flush()
    return secret


def kiosk_of(secret: str | None, target: Target) -> Kiosk | None:
    """The registered, unrevoked kiosk of this cookie secret, if it is for `target`."""
    if not secret or len(secret) > 100:
        return None
    return db.session.scalar(sa.select(Kiosk).where(
        Kiosk.secret_hash == _secret_hash(secret), Kiosk.revoked.is_(False),
        Kiosk.wave_id == target.wave.id, Kiosk.unit_id == target.unit.id))


def revoke_kiosk(kiosk: Kiosk, *, actor: str) -> None:
    """Revoke a kiosk: its cookie no longer lifts the address ceiling (audited)."""
    kiosk.revoked = True
    kiosk.activation_hash = None
    add_audit_entry(actor, "kiosk.revoke", kiosk.wave_id, f"kiosk {kiosk.id}")
    db.session.flush()


def kiosks(wave: Wave) -> list[Kiosk]:
    """The wave's kiosks, in registration order."""
    return list(db.session.scalars(sa.select(Kiosk).where(Kiosk.wave_id == wave.id)
                                   .order_by(Kiosk.id)))


# ---------------------------------------------------------------- populations and progress

def set_population(wave: Wave, unit: Unit, population: int, *, actor: str) -> None:
    """HR enters the number of citizens the unit served in the wave's period (audited)."""
    if unit not in wave.units or not is_skm(wave):
        raise WaveRuleError("unit_not_in_wave", unit.code)
    if not 1 <= population <= 100_000_000:
        raise WaveRuleError("bad_count", str(population))
    row = db.session.get(SkmPopulation, (wave.id, unit.id))
    if row is None:
        db.session.add(SkmPopulation(wave_id=wave.id, unit_id=unit.id, population=population))
    else:
        row.population = population
    add_audit_entry(actor, "skm.population", wave.id, f"{unit.code}: {population}")
    db.session.flush()


@dataclass(frozen=True)
class Progress:
    """What the wave page says about one service unit: population, sample size, respondents
    (a band of width k while open, the published count once closed, None below k), refusals."""

    unit_id: int
    name: str
    population: int | None
    required: int | None
    low: int | None
    high: int | None
    refused: int


def progress(wave: Wave, visible: set[int] | None = None) -> list[Progress]:
    """Per service unit of an SKM wave, its progress towards the Krejcie-Morgan sample: the
    unit's own responses (a service unit is reported on its own, also under another one), in
    bands of width k while open (`publication.UnitCount`), as published once closed."""
    if wave.state == WaveState.DRAFT:
        return []
    populations = dict(db.session.execute(
        sa.select(SkmPopulation.unit_id, SkmPopulation.population)
        .where(SkmPopulation.wave_id == wave.id)).all())
    direct = dict(db.session.execute(
        sa.select(Response.unit_id, sa.func.count()).where(Response.wave_id == wave.id)
        .group_by(Response.unit_id)).all())
    refused = refusals(wave)
    out = []
    for unit in layout(wave):
        if not unit.surveyed or (visible is not None and unit.unit_id not in visible):
            continue
        if wave.state == WaveState.CLOSED:
            low, high = unit.respondents, unit.respondents
        else:
            low, high = count_band(direct.get(unit.unit_id, 0), wave.k)
        n = populations.get(unit.unit_id)
        out.append(Progress(unit.unit_id, unit.name, n, krejcie_morgan(n) if n else None,
                            low, high, refused.get(unit.unit_id, 0)))
    return out


# ---------------------------------------------------------------- public results

@dataclass(frozen=True)
class Unsur:
    """One published unsur: its code, name (both languages) and NRR."""

    code: str
    name_id: str
    name_en: str
    nrr: float


@dataclass(frozen=True)
class PublicResult:
    """The published SKM result of a service unit: only aggregates (None below k)."""

    wave: Wave
    unit: WaveUnit
    respondents: int | None
    unsur: tuple[Unsur, ...]
    ikm: float | None
    converted: str | None  # two decimals as the regulation prints it
    mutu: str | None
    population: int | None = None  # entered by HR; with it the Krejcie-Morgan sample
    required: int | None = None

    @property
    def shown(self) -> bool:
        """The unit reached k, so its figures are published."""
        return self.respondents is not None and bool(self.unsur)


def public_result(target: Target) -> PublicResult:
    """What the close published for the unit: NRR per unsur, IKM = mean of the NRR (equal
    weights 1/number of unsur, 1/9 for the regulation's nine), converted = 25 IKM, mutu."""
    units = layout(target.wave)
    position = next((i for i, u in enumerate(units) if u.unit_id == target.unit.id), None)
    if position is None:
        raise TargetUnknown(f"{target.wave.id}/{target.unit.id}")
    cells = {(c.instrument_key, c.dimension): c for c in db.session.scalars(
        sa.select(PublishedCell).where(PublishedCell.wave_id == target.wave.id,
                                       PublishedCell.position == position,
                                       PublishedCell.cut == ""))}
    unsur = []
    for inst in target.instruments:
        for dim in inst.dimensions:
            cell = cells.get((inst.key, dim.code))
            if cell is None or not cell.shown or cell.mean is None:
                return PublicResult(target.wave, units[position], None, (), None, None, None)
            unsur.append(Unsur(dim.code, dim.name.id, dim.name.en, float(cell.mean)))
    respondents = units[position].respondents
    if respondents is None or not unsur:
        return PublicResult(target.wave, units[position], None, (), None, None, None)
    ikm = float(np.mean([u.nrr for u in unsur]))
    converted = ikm * CONVERSION
    population = db.session.scalar(sa.select(SkmPopulation.population).where(
        SkmPopulation.wave_id == target.wave.id, SkmPopulation.unit_id == target.unit.id))
    return PublicResult(target.wave, units[position], respondents, tuple(unsur), ikm,
                        str(round_converted(converted)), mutu_for(converted), population,
                        krejcie_morgan(population) if population else None)


def today() -> dt.date:
    """The day a used nonce is stored under (no finer time is kept)."""
    return dt.date.today()
