"""`flask demo`: a demo organisation (Kecamatan Plaju under the city government) with four
quarterly culture waves, one SKM period per service unit, training events, an open try-out
wave with printable codes, and a demo admin user.

The answers come from a model whose truth is kept in this module, so reports can be compared
with it (tests/app/test_demo_truth.py; the simulation study in bench/):

- every respondent has a latent score per dimension (SD 1): dimensions of one instrument
  correlate about .4-.6, dimensions of different instruments about .25-.35, resistance
  negatively with readiness and learning (a general factor plus one factor per scale);
- each unit has its own effect per dimension (latent ICC(1) .08-.20, partly shared across its
  dimensions), stable across waves, plus a small random-walk drift from wave to wave;
- a unit's latent score on the dimension a training targets rises by `Training.effect_sd` in
  every wave that opens after the training; no other unit changes beyond the drift;
- items load .6-.8 on their dimension; answers threshold the item's latent value onto 1..A;
- unit response rates differ (`UNITS`) and vary a little per wave; no item is skipped (the
  survey form requires every answer).
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import click
import numpy as np
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext
from numpy.typing import NDArray
from scipy import special

from instruments.model import Direction, Instrument, Referent

from ..database import restrict_file
from ..extensions import db
from ..instrument_store import get_instrument
from ..models import Answer, Code, Response, TrainingEvent, Unit, Wave
from ..services import add_audit_entry, close_wave, create_wave, issue_codes, open_wave
from ..services.slips import codes_csv
from ..services.storage import compact_storage
from ..services.users import create_user
from .common import needs_schema

ACTOR = "demo"
SEED = 20260101

# code, name, parent, headcount, usual response rate (each wave varies by RATE_JITTER)
UNITS: list[tuple[str, str, str | None, int, float]] = [
    ("PLG", "Pemerintah Kota Palembang", None, 0, 0.0),
    ("PLJ", "Kecamatan Plaju", "PLG", 12, 0.85),
    ("PLJ-SEK", "Sekretariat Kecamatan Plaju", "PLJ", 9, 0.9),
    ("PLJ-PEM", "Seksi Pemerintahan", "PLJ", 6, 0.75),
    ("PLJ-PEL", "Seksi Pelayanan Umum", "PLJ", 7, 0.9),
    ("PLJ-EKB", "Seksi Ekonomi dan Pembangunan", "PLJ", 5, 0.8),
    ("PLJ-KSS", "Seksi Kesejahteraan Sosial", "PLJ", 4, 0.75),
    ("PLJ-TRT", "Seksi Ketenteraman dan Ketertiban Umum", "PLJ", 8, 0.7),
    ("PLJ-PATEN", "Pelayanan Administrasi Terpadu Kecamatan (PATEN)", "PLJ", 6, 0.95),
    ("KEL-BK", "Kelurahan Bagus Kuning", "PLJ", 11, 0.7),
    ("KEL-KP", "Kelurahan Komperta", "PLJ", 9, 0.65),
    ("KEL-PD", "Kelurahan Plaju Darat", "PLJ", 10, 0.75),
    ("KEL-PI", "Kelurahan Plaju Ilir", "PLJ", 12, 0.8),
    ("KEL-PU", "Kelurahan Plaju Ulu", "PLJ", 13, 0.65),
    ("KEL-TB", "Kelurahan Talang Bubuk", "PLJ", 10, 0.7),
    ("KEL-TP", "Kelurahan Talang Putri", "PLJ", 14, 0.55),
    ("PKM-PLJ", "Puskesmas Plaju", "PLJ", 36, 0.7),
    ("PKM-TB", "Puskesmas Pembantu Talang Bubuk", "PLJ", 6, 0.85),
    ("DISDUKCAPIL", "Dinas Kependudukan dan Pencatatan Sipil", "PLG", 18, 0.8),
    ("DUK-PD", "Bidang Pelayanan Pendaftaran Penduduk", "DISDUKCAPIL", 22, 0.65),
    ("DUK-PS", "Bidang Pelayanan Pencatatan Sipil", "DISDUKCAPIL", 17, 0.75),
    ("BKPSDM", "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia", "PLG", 14, 0.95),
    ("BKP-PK", "Bidang Pengembangan Kompetensi Aparatur", "BKPSDM", 10, 0.9),
    ("BKP-MU", "Bidang Mutasi dan Promosi", "BKPSDM", 9, 0.85),
    ("DINKES", "Dinas Kesehatan", "PLG", 28, 0.6),
]
SKM_UNITS = ("DISDUKCAPIL", "PKM-PLJ", "PLJ-PATEN")
QUARTERS = [("2026-Q1", dt.date(2026, 2, 2), dt.date(2026, 2, 20)),
            ("2026-Q2", dt.date(2026, 5, 4), dt.date(2026, 5, 22)),
            ("2026-Q3", dt.date(2026, 8, 3), dt.date(2026, 8, 21)),
            ("2026-Q4", dt.date(2026, 11, 2), dt.date(2026, 11, 20))]
CULTURE = ("resistance", "readiness", "learning")


@dataclass(frozen=True)
class Training:
    """A recorded training event and its true effect on the unit's answers.

    The unit's latent mean on `dimension` rises by `effect_sd` (in SD of the respondents'
    latent score) in every wave that opens after `held_on`; `true_score100` gives the same
    change on the 0-100 scale.
    """

    unit: str
    held_on: dt.date
    title: str
    hours_jp: float
    provider: str
    dimension: str
    effect_sd: float


# The events fall between different waves, so each quarter-to-quarter comparison has real
# changes to find (Q1->Q2: PLJ-PEL, DUK-PD; Q2->Q3: KEL-TB, BKP-PK; Q3->Q4: PKM-PLJ) and
# PLJ-TRT's training, without effect, tests that a report does not credit it.
TRAINING: tuple[Training, ...] = (
    Training("PLJ-PEL", dt.date(2026, 3, 16), "Pelayanan prima dan budaya BerAKHLAK", 16,
             "BPSDM Provinsi Sumatera Selatan", "RD-CM", 0.65),
    Training("KEL-TB", dt.date(2026, 6, 8), "Manajemen perubahan untuk lurah dan kasi", 24,
             "Universitas Sriwijaya", "RD-CE", 0.65),
    Training("DUK-PD", dt.date(2026, 4, 20), "E-learning layanan adminduk daring", 12,
             "ASN Unggul (e-learning LAN)", "LC-CL", 0.35),
    Training("PKM-PLJ", dt.date(2026, 9, 21), "Coaching dan mentoring kepala ruang", 20,
             "Dinas Kesehatan", "LC-SL", 0.65),
    Training("PLJ-TRT", dt.date(2026, 9, 7), "Manajemen waktu dan pelayanan pelanggan", 8,
             "BKPSDM Kota Palembang", "RD-CE", 0.0),
    Training("BKP-PK", dt.date(2026, 5, 11), "Organisasi pembelajar: after-action review", 12,
             "BKPSDM Kota Palembang", "LC-TL", 0.65),
)

# Model parameters. Person-level latent scores have SD 1 within a unit-free population.
LOADING = (0.6, 0.8)  # item on its dimension
GENERAL_LOADING = (0.5, 0.6)  # dimension on the factor shared by all instruments
SCALE_LOADING = (0.35, 0.5)  # dimension on its scale's factor (within-scale r ~ .4-.6)
UNIT_ICC = {Referent.COLLECTIVE: (0.11, 0.18), Referent.INDIVIDUAL: (0.08, 0.12)}
UNIT_SHARED = 0.3  # share of a unit's effect variance common to all its dimensions
DRIFT_SD = {Referent.COLLECTIVE: 0.03, Referent.INDIVIDUAL: 0.01}  # per wave, a trait moves little
INTERCEPT = {"culture": 0.4, "skm": 1.0}  # item latent mean: answers lean to the agree side
INTERCEPT_SD = 0.15
ANSWER_SPREAD = 0.23  # one latent SD as a share of the answer range 1..A
RATE_JITTER = 0.05  # SD of a unit's response rate from wave to wave


@dataclass(frozen=True)
class Layout:
    """Items and dimensions of a set of instruments, flattened in file order."""

    items: tuple[str, ...]
    points: NDArray[np.int64]  # A per item
    reverse: NDArray[np.bool_]  # per item
    dimension: NDArray[np.intp]  # dimension index per item
    intercept: NDArray[np.float64]  # per item, before the item's own jitter
    dimensions: tuple[str, ...]
    sign: NDArray[np.float64]  # per dimension: -1 where a higher score is worse
    scale: NDArray[np.intp]  # scale index per dimension
    referent: tuple[Referent, ...]  # per dimension


def layout_of(instruments: Sequence[Instrument]) -> Layout:
    """The flattened layout of `instruments` (their scales in order)."""
    items, dims, scales = [], [], []
    for inst in instruments:
        for scale in inst.scales:
            scales.append(scale)
            for dim in scale.dimensions:
                dims.append((dim.code, scale, len(scales) - 1))
                items += [(item, scale, len(dims) - 1, INTERCEPT[inst.kind])
                          for item in dim.items]
    return Layout(
        items=tuple(it.code for it, *_ in items),
        points=np.array([s.points for _, s, _, _ in items], dtype=np.int64),
        reverse=np.array([it.reverse for it, *_ in items], dtype=bool),
        dimension=np.array([d for _, _, d, _ in items], dtype=np.intp),
        intercept=np.array([b for *_, b in items], dtype=np.float64),
        dimensions=tuple(code for code, _, _ in dims),
        sign=np.array([-1.0 if s.direction == Direction.HIGHER_WORSE else 1.0
                       for _, s, _ in dims]),
        scale=np.array([i for *_, i in dims], dtype=np.intp),
        referent=tuple(s.referent for _, s, _ in dims))


@dataclass(frozen=True)
class DemoModel:
    """The population the demo draws from: parameters and every unit's true latent means.

    Arrays over waves are indexed like `periods`, over units like `units`, over dimensions
    like `layout.dimensions`, over items like `layout.items`.
    """

    layout: Layout
    units: tuple[str, ...]
    periods: tuple[str, ...]
    loading: NDArray[np.float64]  # per item
    intercept: NDArray[np.float64]  # per item
    general: NDArray[np.float64]  # per dimension, signed by `layout.sign`
    specific: NDArray[np.float64]  # per dimension, on its scale's factor
    tau2: NDArray[np.float64]  # per dimension: latent ICC(1), the unit share of variance
    unit_effect: NDArray[np.float64]  # (units, dims), stable across waves
    drift: NDArray[np.float64]  # (waves, units, dims), random walk from 0
    change: NDArray[np.float64]  # (waves, units, dims), training effects only

    @property
    def unit_mean(self) -> NDArray[np.float64]:
        """(waves, units, dims) latent mean of each unit's respondents."""
        return self.unit_effect[None] + self.drift + self.change


def _uniform(rng: np.random.Generator, bounds: tuple[float, float], n: int
             ) -> NDArray[np.float64]:
    return rng.uniform(bounds[0], bounds[1], size=n)


def _unit_effects(rng: np.random.Generator, layout: Layout, tau2: NDArray[np.float64],
                  n_units: int) -> NDArray[np.float64]:
    """(units, dims) effects with variance tau2 across the units exactly, partly shared."""
    shared = rng.normal(size=(n_units, 1)) * layout.sign
    own = rng.normal(size=(n_units, len(layout.dimensions)))
    raw = np.sqrt(UNIT_SHARED) * shared + np.sqrt(1.0 - UNIT_SHARED) * own
    # Standardised over the units so the realised between-unit variance is tau2 itself.
    z: NDArray[np.float64] = ((raw - raw.mean(axis=0)) / raw.std(axis=0) if n_units > 1
                              else np.zeros_like(raw))
    return z * np.sqrt(tau2)


def _drift(rng: np.random.Generator, layout: Layout, n_waves: int, n_units: int
           ) -> NDArray[np.float64]:
    sd = np.array([DRIFT_SD[r] for r in layout.referent])
    steps = rng.normal(size=(n_waves, n_units, sd.size)) * sd
    steps[0] = 0.0
    return np.cumsum(steps, axis=0)


def training_change(layout: Layout, units: Sequence[str],
                    quarters: Sequence[tuple[str, dt.date, dt.date]] = QUARTERS,
                    training: Sequence[Training] = TRAINING) -> NDArray[np.float64]:
    """(waves, units, dims) true latent change from `training` (0 where none applies)."""
    change = np.zeros((len(quarters), len(units), len(layout.dimensions)))
    for event in training:
        if event.unit not in units or event.dimension not in layout.dimensions:
            continue
        after = [w for w, (_, opens, _) in enumerate(quarters) if event.held_on < opens]
        change[after, units.index(event.unit), layout.dimensions.index(event.dimension)] \
            += event.effect_sd
    return change


def build_model(instruments: Sequence[Instrument], units: Sequence[str],
                quarters: Sequence[tuple[str, dt.date, dt.date]] = QUARTERS,
                training: Sequence[Training] = TRAINING, seed: int = SEED) -> DemoModel:
    """Draw the fixed parameters of the demo population for `units` (same seed, same model)."""
    rng = np.random.default_rng([seed, 1])
    layout = layout_of(instruments)
    n_dims, n_items = len(layout.dimensions), len(layout.items)
    tau2 = np.array([rng.uniform(*UNIT_ICC[r]) for r in layout.referent])
    return DemoModel(
        layout=layout, units=tuple(units), periods=tuple(q[0] for q in quarters),
        loading=_uniform(rng, LOADING, n_items),
        intercept=layout.intercept + rng.normal(0.0, INTERCEPT_SD, n_items),
        general=_uniform(rng, GENERAL_LOADING, n_dims) * layout.sign,
        specific=_uniform(rng, SCALE_LOADING, n_dims), tau2=tau2,
        unit_effect=_unit_effects(rng, layout, tau2, len(units)),
        drift=_drift(rng, layout, len(quarters), len(units)),
        change=training_change(layout, list(units), quarters, training))


def latent_correlation(model: DemoModel) -> NDArray[np.float64]:
    """(dims, dims) correlation of the respondents' latent scores within a unit."""
    g, h, scale = model.general, model.specific, model.layout.scale
    r: NDArray[np.float64] = np.outer(g, g) + np.outer(h, h) * (scale[:, None] == scale[None, :])
    np.fill_diagonal(r, 1.0)
    return r


def _person_latent(rng: np.random.Generator, model: DemoModel, mean: NDArray[np.float64]
                   ) -> NDArray[np.float64]:
    """(n, dims) latent scores around the given (n, dims) unit means."""
    n, (g, h, scale) = mean.shape[0], (model.general, model.specific, model.layout.scale)
    common = rng.normal(size=(n, 1))
    per_scale = rng.normal(size=(n, int(scale.max()) + 1))[:, scale]
    own = rng.normal(size=mean.shape)
    z = g * common + h * per_scale + np.sqrt(1.0 - g ** 2 - h ** 2) * own
    return mean + np.sqrt(1.0 - model.tau2) * z


def _thresholds(layout: Layout) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Per item the centre and the width of one latent SD on the answer scale."""
    a = layout.points.astype(np.float64)
    return (a + 1.0) / 2.0, ANSWER_SPREAD * (a - 1.0)


def draw_wave(rng: np.random.Generator, model: DemoModel, wave: int,
              unit_index: NDArray[np.intp]) -> NDArray[np.float64]:
    """(n, items) raw answers 1..A (reverse-keyed items as answered).

    One row per entry of `unit_index` (an index into `model.units`).
    """
    lay = model.layout
    theta = _person_latent(rng, model, model.unit_mean[wave][unit_index])
    lam = model.loading
    y = model.intercept + lam * theta[:, lay.dimension] \
        + np.sqrt(1.0 - lam ** 2) * rng.normal(size=(unit_index.size, lam.size))
    centre, width = _thresholds(lay)
    forward = np.clip(np.rint(centre + width * y), 1, lay.points)
    # no skipped items: the survey form requires every answer
    return np.where(lay.reverse, lay.points + 1 - forward, forward)


def true_score100(model: DemoModel) -> NDArray[np.float64]:
    """(waves, units, dims) expected 0-100 score of each unit's respondents (reverse-keyed).

    Notes
    -----
    An item's latent value is y = b + l (mu + sqrt(1 - tau2) z) + sqrt(1 - l^2) e, normal with
    mean b + l mu and variance 1 - l^2 tau2 around the unit mean mu, and the answer is
    ``1 + sum_k [c + w y >= k + 1/2]`` for k = 1..A-1, so its expectation is
    ``1 + sum_k Phi((b + l mu - (k + 1/2 - c) / w) / sd)``; a dimension's score is the mean of
    its items' ``(E - 1) / (A - 1) * 100``. This is the unit's population mean (staff of
    unlimited size); the change of a unit is the difference between waves.
    """
    lay = model.layout
    mu = model.unit_mean[..., lay.dimension]  # (waves, units, items)
    sd = np.sqrt(1.0 - model.loading ** 2 * model.tau2[lay.dimension])
    centre, width = _thresholds(lay)
    expected = np.ones_like(mu)
    for k in range(1, int(lay.points.max())):
        cut = (k + 0.5 - centre) / width
        p = special.ndtr((model.intercept + model.loading * mu - cut) / sd)
        expected += np.where(k < lay.points, p, 0.0)
    item100 = (expected - 1.0) / (lay.points - 1.0) * 100.0
    totals = np.zeros(mu.shape[:2] + (len(lay.dimensions),))
    # items summed into their dimension along the last axis (the moved axis is a view)
    np.add.at(np.moveaxis(totals, -1, 0), lay.dimension, np.moveaxis(item100, -1, 0))
    return totals / np.bincount(lay.dimension, minlength=len(lay.dimensions))


def response_counts(rng: np.random.Generator, headcount: NDArray[np.int64],
                    rate: NDArray[np.float64]
                    ) -> NDArray[np.int64]:
    """Respondents per unit in one wave: each unit's usual rate, varying a little per wave."""
    wave_rate = np.clip(rate + rng.normal(0.0, RATE_JITTER, size=rate.shape), 0.3, 1.0)
    return rng.binomial(headcount, wave_rate)


@dataclass(frozen=True)
class DemoWave:
    """One drawn wave: respondents' units (index into the model's units) and answers."""

    period: str
    unit_index: NDArray[np.intp]
    values: NDArray[np.float64]


def staffed_units() -> list[tuple[str, str, str | None, int, float]]:
    """The rows of `UNITS` with staff (the ones that answer)."""
    return [u for u in UNITS if u[3] > 0]


def draw_organisation(instruments: Sequence[Instrument], seed: int = SEED
                      ) -> tuple[DemoModel, list[DemoWave]]:
    """The demo's model and its four culture waves as arrays (what `flask demo` stores)."""
    staffed = staffed_units()
    model = build_model(instruments, [u[0] for u in staffed], seed=seed)
    rng = np.random.default_rng([seed, 2])
    headcount = np.array([u[3] for u in staffed])
    rate = np.array([u[4] for u in staffed])
    waves = []
    for w, period in enumerate(model.periods):
        n = response_counts(rng, headcount, rate)
        unit_index = np.repeat(np.arange(len(staffed), dtype=np.intp), n)
        waves.append(DemoWave(period, unit_index, draw_wave(rng, model, w, unit_index)))
    return model, waves


def truth_lines(model: DemoModel) -> list[str]:
    """One line per training: its true change on the 0-100 scale, for comparing reports."""
    truth, lines = true_score100(model), []
    for event in TRAINING:
        if event.unit not in model.units or event.dimension not in model.layout.dimensions:
            continue
        u, d = model.units.index(event.unit), model.layout.dimensions.index(event.dimension)
        after = [w for w, (_, opens, _) in enumerate(QUARTERS) if event.held_on < opens]
        if not after or after[0] == 0:
            continue
        w = after[0]
        lines.append(f"True change / perubahan sebenarnya {event.unit} {event.dimension} "
                     f"{model.periods[w - 1]}->{model.periods[w]}: "
                     f"{truth[w, u, d] - truth[w - 1, u, d]:+.1f}")
    return lines


# --- storing the drawn answers ---------------------------------------------------------------


@dataclass(frozen=True)
class _Columns:
    """What one stored answer column is: its item (or question) code and its A."""

    codes: tuple[str, ...]
    points: tuple[int, ...]


def _columns(layout: Layout) -> _Columns:
    return _Columns(layout.items, tuple(int(a) for a in layout.points))


def _store_responses(wave: Wave, units: Sequence[Unit], unit_index: NDArray[np.intp],
                     values: NDArray[np.float64], columns: _Columns,
                     rng: np.random.Generator, cut: bool) -> None:
    """Insert responses with random ids (as the app does) and mark as many codes used."""
    responses, rows = [], []
    choices = rng.choice(["struktural", "fungsional", ""], p=[0.2, 0.7, 0.1],
                         size=unit_index.size) if cut else [""] * unit_index.size
    for u, row, choice in zip(unit_index, values, choices, strict=True):
        rid = uuid.uuid4()
        responses.append({"id": rid, "wave_id": wave.id, "unit_id": units[u].id,
                          "cut": str(choice) or None})
        rows += [{"response_id": rid, "item_code": columns.codes[j], "value": int(row[j]),
                  "points": columns.points[j]} for j in np.flatnonzero(~np.isnan(row))]
    if not responses:
        return
    db.session.execute(sa.insert(Response), responses)
    db.session.execute(sa.insert(Answer), rows)
    for u, count in enumerate(np.bincount(unit_index, minlength=len(units))):
        if count:
            _mark_used(wave, units[u], int(count))


def _mark_used(wave: Wave, unit: Unit, count: int) -> None:
    used = sa.select(Code.hash).where(Code.wave_id == wave.id, Code.unit_id == unit.id) \
        .limit(count).scalar_subquery()
    db.session.execute(sa.update(Code).where(Code.hash.in_(used)).values(used=True))


def _units() -> dict[str, Unit]:
    units: dict[str, Unit] = {}
    for code, name, parent, headcount, _rate in UNITS:
        units[code] = Unit(code=code, name=name, headcount=headcount,
                           parent=units[parent] if parent else None)
        db.session.add(units[code])
    db.session.flush()
    return units


def _culture_waves(units: dict[str, Unit], keys: list[str], seed: int
                   ) -> tuple[int, DemoModel]:
    model, drawn = draw_organisation([get_instrument(k) for k in keys], seed)
    staffed = [units[code] for code in model.units]
    columns, key = _columns(model.layout), current_app.config["LENTERA_CODE_KEY"]
    rng = np.random.default_rng([seed, 3])
    total = 0
    for (period, opens, closes), sample in zip(QUARTERS, drawn, strict=True):
        # Every unit is in the wave (the city root too, so reports roll up to one tree); only
        # units with staff get codes.
        wave = create_wave(name=f"Budaya kerja {period}", period=period, instrument_keys=keys,
                           unit_ids=[u.id for u in units.values()], opens_on=opens,
                           closes_on=closes, k=5, cut="jabatan", actor=ACTOR)
        open_wave(wave, actor=ACTOR)
        for unit in staffed:
            issue_codes(wave, unit, unit.headcount, key=key, actor=ACTOR)
        _store_responses(wave, staffed, sample.unit_index, sample.values, columns, rng,
                         cut=True)
        close_wave(wave, actor=ACTOR)
        total += sample.unit_index.size
    return total, model


def _respondent_answers(rng: np.random.Generator, inst: Instrument, n: int
                        ) -> tuple[NDArray[np.float64], _Columns]:
    """The optional respondent questions of an SKM: 85% answer each, uniformly."""
    qs = inst.respondent_questions
    sizes = np.array([len(q.choices) for q in qs])
    values = np.floor(rng.random((n, len(qs))) * sizes) + 1.0
    values[rng.random(values.shape) >= 0.85] = np.nan
    return values, _Columns(tuple(q.code for q in qs), tuple(int(s) for s in sizes))


def _skm_periods(units: dict[str, Unit], seed: int) -> int:
    inst = get_instrument("skm")
    model = build_model([inst], list(SKM_UNITS), quarters=QUARTERS[:1], training=(),
                        seed=seed + 1)
    rng = np.random.default_rng([seed, 4])
    key = current_app.config["LENTERA_CODE_KEY"]
    total = 0
    for u, code in enumerate(SKM_UNITS):
        unit = units[code]
        wave = create_wave(name=f"SKM 2026 {unit.name}", period="2026", instrument_keys=["skm"],
                           unit_ids=[unit.id], opens_on=dt.date(2026, 9, 1),
                           closes_on=dt.date(2026, 9, 30), k=5, actor=ACTOR)
        open_wave(wave, actor=ACTOR)
        issue_codes(wave, unit, 150, key=key, actor=ACTOR)
        n = int(rng.integers(95, 140))
        answers = draw_wave(rng, model, 0, np.full(n, u, dtype=np.intp))
        extra, questions = _respondent_answers(rng, inst, n)
        columns = _Columns(_columns(model.layout).codes + questions.codes,
                           _columns(model.layout).points + questions.points)
        _store_responses(wave, [unit], np.zeros(n, dtype=np.intp), np.hstack([answers, extra]),
                         columns, rng, cut=False)
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
    out.parent.mkdir(parents=True, exist_ok=True)
    restrict_file(out)
    out.write_bytes(codes_csv(wave, issued))
    return len(issued)


@click.command("demo")
@with_appcontext
@needs_schema
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
    key_list = [k.strip() for k in keys.split(",") if k.strip()]
    units = _units()
    add_audit_entry(ACTOR, "units.import", None, f"demo: {len(units)} units")
    for event in TRAINING:
        db.session.add(TrainingEvent(unit=units[event.unit], held_on=event.held_on,
                                     title=event.title, hours_jp=event.hours_jp,
                                     provider=event.provider))
    n_culture, model = _culture_waves(units, key_list, SEED)
    n_skm = _skm_periods(units, SEED) if skm else 0
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
    for line in truth_lines(model):
        click.echo(line)
    click.echo(f"Try-out wave: {n_codes} codes in {out}")
    click.echo(f"Log in at /hr/masuk as 'admin' (or unit head 'camat.plaju') "
               f"with password: {password}")
