"""Reports of a closed wave: database -> analysis -> report contexts -> render jobs, and where
the built PDFs live.

Only closed waves are reported (anonymity.md rule 6: no live peeking). All numbers and all
suppression come from `analysis.analyse_wave`; the PDFs come from `reports`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re
from pathlib import Path

import numpy as np
import sqlalchemy as sa
from flask import current_app

from analysis.errors import AnalysisInputError
from analysis.skm import krejcie_morgan, skm_index
from reports.batch import RenderJob
from reports.build import build_org_context, build_unit_context, instrument_dimensions
from reports.context import ServiceIkm, SkmReportContext, SkmUnsur

from ..extensions import db
from ..instrument_store import get_instrument, is_skm
from ..models import SkmPopulation, Unit, Wave, WaveState, WaveUnit
from . import followup
from .dataset import wave_dataset
from .publication import ReportingError, WaveBundle, culture_keys, layout, org_name
from .skm_followup import report_lines

ORG_FILE = "organisation.pdf"


def safe_name(text: str) -> str:
    """A file-name fragment: letters, digits, dot, dash and underscore only."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("._") or "x"


def unit_filename(unit: Unit | WaveUnit) -> str:
    """The PDF file name of a unit's report."""
    return f"unit-{safe_name(unit.code)}.pdf"


def unit_job(bundle: WaveBundle, i: int, lang: str) -> RenderJob:
    """The report of the wave's unit at position `i`, with the follow-up of the dimensions
    its development actions targeted since the previous wave (services.followup)."""
    context = build_unit_context(i, bundle.names, bundle.waves, bundle.info, bundle.invited[i],
                                 bundle.events.get(i, []))
    rows = followup.followup_rows(followup.followup_of(
        bundle.units[i].unit_id, bundle.wave, followup.treated_dimensions(
            followup.previous_culture_wave(bundle.wave), bundle.wave)))
    return RenderJob(unit_filename(bundle.units[i]),
                     dataclasses.replace(context, followup=tuple(rows)), lang)


def org_job(bundle: WaveBundle, lang: str) -> RenderJob:
    """The organisation report of the wave."""
    return RenderJob(ORG_FILE, build_org_context(bundle.names, bundle.waves, bundle.info,
                                                 bundle.invited, service_ikm(bundle)), lang)


def service_ikm(bundle: WaveBundle) -> list[ServiceIkm]:
    """The service units of the closed SKM waves of the culture wave's year that are units of
    the wave, each with its converted IKM (None below the SKM wave's k), by unit in report
    order."""
    year = bundle.wave.period[:4]
    position = {u.unit_id: i for i, u in enumerate(bundle.units)}
    out = []
    for wave in skm_waves(year) if year.isdigit() else []:
        for unit in wave.units:
            i = position.get(unit.id)
            if i is None:
                continue
            ctx = skm_context(wave, unit)
            shown = ctx.n_respondents >= ctx.k
            out.append(ServiceIkm(i, wave.period, ctx.n_respondents,
                                  ctx.converted if shown else None))
    return sorted(out, key=lambda s: (s.unit, s.period))


def culture_jobs(bundle: WaveBundle, lang: str) -> list[RenderJob]:
    """Every unit report of the wave and the organisation report."""
    return [*(unit_job(bundle, i, lang) for i in range(len(bundle.units))),
            org_job(bundle, lang)]


def closed_culture_waves() -> list[Wave]:
    """Every closed wave with a culture instrument, oldest first."""
    query = sa.select(Wave).where(Wave.state == WaveState.CLOSED.value).order_by(Wave.opens_on)
    return [w for w in db.session.scalars(query) if culture_keys(w)]


def skm_waves(year: str) -> list[Wave]:
    """Closed SKM waves whose period starts with `year`."""
    query = sa.select(Wave).where(Wave.state == WaveState.CLOSED.value,
                                  Wave.period.startswith(year)).order_by(Wave.id)
    return [w for w in db.session.scalars(query) if is_skm(w)]


def skm_context(wave: Wave, unit: Unit, population: int | None = None) -> SkmReportContext:
    """The SKM report context of one service unit of an SKM wave; the population is the one
    given, else the one HR entered for the unit and wave."""
    if unit not in wave.units:
        raise ReportingError(f"Unit {unit.name} tidak termasuk gelombang {wave.name}. / "
                             f"Unit {unit.name} is not in wave {wave.name}.")
    key = wave.instrument_keys[0]
    instrument = get_instrument(key)
    arrays = wave_dataset(wave.id, key)
    dims = instrument_dimensions(instrument)
    mine = np.asarray(arrays.data.unit) == arrays.units.index(unit)
    values = np.asarray(arrays.values, dtype=np.float64)[mine]
    n = int(values.shape[0])
    if population is None:
        population = db.session.scalar(sa.select(SkmPopulation.population).where(
            SkmPopulation.wave_id == wave.id, SkmPopulation.unit_id == unit.id))
    follow_ups, forums = report_lines(wave, unit)
    context = functools.partial(
        SkmReportContext, org_name=org_name(layout(wave) or [unit]), service_unit=unit.name,
        period=wave.period, n_respondents=n, k=wave.k,
        generated_on=dt.date.today().isoformat(), population=population,
        required_sample=krejcie_morgan(population) if population else None,
        follow_ups=follow_ups, forums=forums)
    if n < wave.k:  # nothing is computed for a group below k
        return context(unsur=(), ikm=float("nan"), converted=float("nan"), mutu="D")
    result = skm_index(values)
    unsur = tuple(SkmUnsur(d.code, d.name, float(v))
                  for (_, d), v in zip(dims, result.nrr, strict=True))
    return context(unsur=unsur, ikm=result.ikm, converted=result.converted, mutu=result.mutu)


def skm_filename(wave: Wave, unit: Unit) -> str:
    """The PDF file name of a service unit's SKM report."""
    return f"skm-{safe_name(unit.code)}-{wave.id}.pdf"


def skm_render_jobs(wave: Wave, lang: str,
                    populations: dict[str, int] | None = None) -> list[RenderJob]:
    """One SKM report per service unit of the wave (`populations` by unit code, else HR's)."""
    return [RenderJob(skm_filename(wave, unit),
                      skm_context(wave, unit, (populations or {}).get(unit.code)), lang)
            for unit in wave.units]


def skm_jobs(year: str, lang: str, populations: dict[str, int]
             ) -> tuple[list[RenderJob], list[str]]:
    """The SKM reports of every service unit for the year, and why any wave was skipped."""
    jobs, skipped = [], []
    for wave in skm_waves(year):
        try:
            jobs += skm_render_jobs(wave, lang, populations)
        except AnalysisInputError as exc:  # e.g. an SKM instrument without the nine unsur
            skipped.append(f"SKM {wave.name} dilewati / skipped: {exc}")
    return jobs, skipped


def wave_folder(wave: Wave) -> str:
    """The folder name of a wave's reports."""
    return f"wave-{wave.id}-{safe_name(wave.period)}"


def report_dir(wave: Wave, lang: str) -> Path:
    """Where the built PDFs of a wave live (instance folder unless configured)."""
    root = current_app.config.get("LENTERA_REPORT_DIR") or Path(current_app.instance_path) / \
        "reports"
    return Path(root) / wave_folder(wave) / lang
