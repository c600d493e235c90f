"""`flask demo`: a demo organisation (Kecamatan Plaju under the city government) with four
quarterly culture waves of synthetic answers that drift plausibly, one SKM period per service
unit, training events, an open try-out wave with printable codes, and a demo admin user."""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from dataclasses import dataclass
from pathlib import Path

import click
import numpy as np
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from instruments.model import Instrument

from .auth import create_user
from .database import restrict_file
from .extensions import db
from .instrument_store import get_instrument
from .models import Answer, Code, Response, TrainingEvent, Unit, Wave
from .services import audit, close_wave, create_wave, issue_codes, open_wave
from .services.storage import compact_storage
from .tables import csv_text

ACTOR = "demo"
SEED = 20260101

# code, name, parent, headcount, unit effect (latent, + = better culture), trend per quarter
UNITS: list[tuple[str, str, str | None, int, float, float]] = [
    ("PLG", "Pemerintah Kota Palembang", None, 0, 0.0, 0.0),
    ("PLJ", "Kecamatan Plaju", "PLG", 12, 0.15, 0.05),
    ("PLJ-SEK", "Sekretariat Kecamatan Plaju", "PLJ", 9, 0.1, 0.04),
    ("PLJ-PEM", "Seksi Pemerintahan", "PLJ", 6, 0.0, 0.06),
    ("PLJ-PEL", "Seksi Pelayanan Umum", "PLJ", 7, 0.25, 0.08),
    ("PLJ-EKB", "Seksi Ekonomi dan Pembangunan", "PLJ", 5, -0.1, 0.02),
    ("PLJ-KSS", "Seksi Kesejahteraan Sosial", "PLJ", 4, 0.05, 0.0),
    ("PLJ-TRT", "Seksi Ketenteraman dan Ketertiban Umum", "PLJ", 8, -0.2, 0.03),
    ("PLJ-PATEN", "Pelayanan Administrasi Terpadu Kecamatan (PATEN)", "PLJ", 6, 0.2, 0.1),
    ("KEL-BK", "Kelurahan Bagus Kuning", "PLJ", 11, 0.1, 0.05),
    ("KEL-KP", "Kelurahan Komperta", "PLJ", 9, -0.15, 0.0),
    ("KEL-PD", "Kelurahan Plaju Darat", "PLJ", 10, 0.0, 0.06),
    ("KEL-PI", "Kelurahan Plaju Ilir", "PLJ", 12, 0.3, 0.02),
    ("KEL-PU", "Kelurahan Plaju Ulu", "PLJ", 13, -0.05, 0.09),
    ("KEL-TB", "Kelurahan Talang Bubuk", "PLJ", 10, -0.3, -0.06),
    ("KEL-TP", "Kelurahan Talang Putri", "PLJ", 14, 0.05, 0.04),
    ("PKM-PLJ", "Puskesmas Plaju", "PLJ", 36, 0.2, 0.05),
    ("PKM-TB", "Puskesmas Pembantu Talang Bubuk", "PLJ", 6, -0.1, 0.0),
    ("DISDUKCAPIL", "Dinas Kependudukan dan Pencatatan Sipil", "PLG", 18, -0.05, 0.07),
    ("DUK-PD", "Bidang Pelayanan Pendaftaran Penduduk", "DISDUKCAPIL", 22, -0.2, 0.1),
    ("DUK-PS", "Bidang Pelayanan Pencatatan Sipil", "DISDUKCAPIL", 17, 0.0, 0.05),
    ("BKPSDM", "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia", "PLG", 14, 0.25, 0.04),
    ("BKP-PK", "Bidang Pengembangan Kompetensi Aparatur", "BKPSDM", 10, 0.35, 0.05),
    ("BKP-MU", "Bidang Mutasi dan Promosi", "BKPSDM", 9, 0.1, 0.0),
    ("DINKES", "Dinas Kesehatan", "PLG", 28, 0.05, 0.03),
]
SKM_UNITS = ("DISDUKCAPIL", "PKM-PLJ", "PLJ-PATEN")
QUARTERS = [("2026-Q1", dt.date(2026, 2, 2), dt.date(2026, 2, 20)),
            ("2026-Q2", dt.date(2026, 5, 4), dt.date(2026, 5, 22)),
            ("2026-Q3", dt.date(2026, 8, 3), dt.date(2026, 8, 21)),
            ("2026-Q4", dt.date(2026, 11, 2), dt.date(2026, 11, 20))]
TRAINING = [
    ("PLJ-PEL", dt.date(2026, 3, 16), "Pelayanan prima dan budaya BerAKHLAK", 16,
     "BPSDM Provinsi Sumatera Selatan"),
    ("KEL-TB", dt.date(2026, 6, 8), "Manajemen perubahan untuk lurah dan kasi", 24,
     "Universitas Sriwijaya"),
    ("DUK-PD", dt.date(2026, 4, 20), "E-learning layanan adminduk daring", 12,
     "ASN Unggul (e-learning LAN)"),
    ("PKM-PLJ", dt.date(2026, 7, 13), "Coaching dan mentoring kepala ruang", 20,
     "Dinas Kesehatan"),
    ("PLJ-TRT", dt.date(2026, 9, 7), "Manajemen waktu dan pelayanan pelanggan", 8,
     "BKPSDM Kota Palembang"),
    ("BKP-PK", dt.date(2026, 5, 11), "Organisasi pembelajar: after-action review", 12,
     "BKPSDM Kota Palembang"),
]
CULTURE = ("resistance", "readiness", "learning")


@dataclass(frozen=True)
class Effects:
    """Latent effects used to draw one unit's answers in one wave."""

    unit: float
    trend: float
    quarter: int
    trained: bool


def draw_answers(rng: np.random.Generator, instrument: Instrument, n: int,
                 effects: Effects) -> list[dict[str, int]]:
    """n synthetic respondents: latent culture + unit effect + drift, per item noise, 1..A."""
    person = rng.normal(0.0, 0.55, size=n)
    rows: list[dict[str, int]] = [{} for _ in range(n)]
    for scale in instrument.scales:
        trait = scale.referent == "individual"  # resistance is a trait: it hardly moves
        shift = (0.3 * effects.unit if trait else effects.unit) + (
            0.0 if trait else effects.trend * effects.quarter + 0.12 * effects.trained)
        sign = -1.0 if scale.direction == "higher_worse" else 1.0
        centre, spread = (scale.points + 1) / 2, scale.points / 4
        for dim_index, dim in enumerate(scale.dimensions):
            dim_shift = 0.1 * ((dim_index % 3) - 1)
            for item in dim.items:
                latent = sign * (0.35 + shift + dim_shift + person) + rng.normal(0, 0.6, n)
                if item.reverse:
                    latent = -latent
                values = np.clip(np.rint(centre + spread * latent), 1, scale.points)
                for row, value in zip(rows, values.astype(int), strict=True):
                    row[item.code] = int(value)
    return rows


def _units() -> dict[str, Unit]:
    units: dict[str, Unit] = {}
    for code, name, parent, headcount, *_ in UNITS:
        units[code] = Unit(code=code, name=name, headcount=headcount,
                           parent=units[parent] if parent else None)
        db.session.add(units[code])
    db.session.flush()
    return units


def _store_responses(wave: Wave, unit: Unit, answers: list[dict[str, int]],
                     points: dict[str, int], rng: np.random.Generator, cut: bool) -> None:
    """Insert responses with random ids (as the app does) and mark as many codes used."""
    responses, rows = [], []
    for answer in answers:
        rid = uuid.uuid4()
        choice = rng.choice(["struktural", "fungsional", ""], p=[0.2, 0.7, 0.1]) if cut else ""
        responses.append({"id": rid, "wave_id": wave.id, "unit_id": unit.id,
                          "cut": str(choice) or None})
        rows += [{"response_id": rid, "item_code": c, "value": v, "points": points[c]}
                 for c, v in answer.items()]
    if responses:
        db.session.execute(sa.insert(Response), responses)
        db.session.execute(sa.insert(Answer), rows)
        used = sa.select(Code.hash).where(Code.wave_id == wave.id, Code.unit_id == unit.id) \
            .limit(len(responses)).scalar_subquery()
        db.session.execute(sa.update(Code).where(Code.hash.in_(used)).values(used=True))


def _points(instruments: list[Instrument]) -> dict[str, int]:
    points = {}
    for inst in instruments:
        for scale in inst.scales:
            points.update({item.code: scale.points for item in scale.items})
        points.update({q.code: len(q.choices) for q in inst.respondent_questions})
    return points


def _culture_waves(units: dict[str, Unit], keys: list[str], rng: np.random.Generator) -> int:
    instruments = [get_instrument(k) for k in keys]
    points = _points(instruments)
    key = current_app.config["LENTERA_CODE_KEY"]
    # Every unit is in the wave (the city root too, so reports roll up to one tree); only
    # units with staff get codes.
    staffed = [u for u in units.values() if u.headcount > 0]
    trained_on = {code: day for code, day, *_ in TRAINING}
    total = 0
    for quarter, (period, opens, closes) in enumerate(QUARTERS):
        wave = create_wave(name=f"Budaya kerja {period}", period=period, instrument_keys=keys,
                           unit_ids=[u.id for u in units.values()], opens_on=opens,
                           closes_on=closes,
                           k=5, cut="jabatan", actor=ACTOR)
        open_wave(wave, actor=ACTOR)
        for unit in staffed:
            issue_codes(wave, unit, unit.headcount, key=key, actor=ACTOR)
            code, *_rest, effect, trend = next(r for r in UNITS if r[0] == unit.code)
            n = int(rng.binomial(unit.headcount, rng.uniform(0.6, 0.9)))
            effects = Effects(effect, trend, quarter,
                              code in trained_on and trained_on[code] < opens)
            answers = [{} for _ in range(n)]
            for inst in instruments:
                for row, part in zip(answers, draw_answers(rng, inst, n, effects), strict=True):
                    row.update(part)
            _store_responses(wave, unit, answers, points, rng, cut=True)
            total += n
        close_wave(wave, actor=ACTOR)
    return total


def _skm_periods(units: dict[str, Unit], rng: np.random.Generator) -> int:
    inst = get_instrument("skm")
    points = _points([inst])
    key = current_app.config["LENTERA_CODE_KEY"]
    total = 0
    for code in SKM_UNITS:
        unit = units[code]
        wave = create_wave(name=f"SKM 2026 {unit.name}", period="2026", instrument_keys=["skm"],
                           unit_ids=[unit.id], opens_on=dt.date(2026, 9, 1),
                           closes_on=dt.date(2026, 9, 30), k=5, actor=ACTOR)
        open_wave(wave, actor=ACTOR)
        issue_codes(wave, unit, 150, key=key, actor=ACTOR)
        n = int(rng.integers(95, 140))
        effect = next(r for r in UNITS if r[0] == code)[4]
        answers = draw_answers(rng, inst, n, Effects(effect + 0.3, 0.0, 0, False))
        for row in answers:
            for q in inst.respondent_questions:
                if rng.random() < 0.85:
                    row[q.code] = int(rng.integers(1, len(q.choices) + 1))
        _store_responses(wave, unit, answers, points, rng, cut=False)
        close_wave(wave, actor=ACTOR)
        total += n
    return total


def _tryout_wave(units: dict[str, Unit], keys: list[str], out: Path) -> int:
    """An open wave for Kecamatan Plaju's office so the respondent flow can be tried."""
    unit = units["PLJ"]
    wave = create_wave(name="Uji coba 2026-12", period="2026-12", instrument_keys=keys,
                       unit_ids=[unit.id], opens_on=dt.date(2026, 12, 1),
                       closes_on=dt.date(2026, 12, 31), k=5, cut="jabatan", actor=ACTOR)
    open_wave(wave, actor=ACTOR)
    issued = issue_codes(wave, unit, 10, key=current_app.config["LENTERA_CODE_KEY"],
                         actor=ACTOR)
    base = current_app.config["LENTERA_PUBLIC_URL"].rstrip("/")
    out.parent.mkdir(parents=True, exist_ok=True)
    restrict_file(out)
    header = ("code", "url", "unit_code", "unit_name", "wave", "closes_on")
    out.write_text(csv_text([header] + [(c.code, f"{base}/isi#{c.code}", c.unit_code,
                                         c.unit_name, wave.name, wave.closes_on.isoformat())
                                        for c in issued]), encoding="utf-8", newline="")
    return len(issued)


@click.command("demo")
@with_appcontext
@click.option("--instruments", "keys", default=",".join(CULTURE), show_default=True,
              help="Culture instruments of the quarterly waves.")
@click.option("--skm/--no-skm", default=True, help="Add one SKM period per service unit.")
@click.option("--codes-out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where to write the try-out codes (default: <instance>/demo-codes.csv).")
def demo_command(keys: str, skm: bool, codes_out: Path | None) -> None:
    """Build the demo organisation, waves and answers in an empty database."""
    if db.session.scalar(sa.select(sa.func.count()).select_from(Unit)):
        raise click.ClickException("Database tidak kosong / database is not empty; "
                                   "use a fresh DATABASE_URL for the demo.")
    rng = np.random.default_rng(SEED)
    key_list = [k.strip() for k in keys.split(",") if k.strip()]
    units = _units()
    audit(ACTOR, "units.import", None, f"demo: {len(units)} units")
    for code, day, title, hours, provider in TRAINING:
        db.session.add(TrainingEvent(unit=units[code], held_on=day, title=title,
                                     hours_jp=hours, provider=provider))
    n_culture = _culture_waves(units, key_list, rng)
    n_skm = _skm_periods(units, rng) if skm else 0
    out = codes_out or Path(current_app.instance_path) / "demo-codes.csv"
    n_codes = _tryout_wave(units, key_list, out)
    password = secrets.token_urlsafe(9)
    create_user("admin", password, "admin")
    create_user("camat.plaju", password, "unit_head", units["PLJ"].id)
    db.session.commit()
    compact_storage()  # the closed waves' files, rewritten without submission order
    click.echo(f"Demo: {len(units)} units, 4 culture waves ({n_culture} responses), "
               f"{len(SKM_UNITS) if skm else 0} SKM periods ({n_skm} responses), "
               f"{len(TRAINING)} training events.")
    click.echo(f"Try-out wave: {n_codes} codes in {out}")
    click.echo(f"Log in at /hr/masuk as 'admin' (or unit head 'camat.plaju') "
               f"with password: {password}")
