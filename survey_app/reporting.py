"""Reports integration: database -> analysis -> report contexts; `flask report build`; the HR
download routes (a unit's PDF, the organisation PDF, a zip of the wave).

Only closed waves are reported (anonymity.md rule 6: no live peeking). All numbers and all
suppression come from `analysis.analyse_wave`; the PDFs come from `reports`.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import sys
import zipfile
from collections.abc import Sequence
from pathlib import Path

import click
import numpy as np
import sqlalchemy as sa
from flask import Blueprint, Flask, Response, abort, current_app, g, request
from flask.cli import AppGroup, with_appcontext

from analysis.errors import AnalysisInputError
from analysis.skm import krejcie_morgan, skm_index
from reports.batch import ProgressBar, RenderJob, render_batch, render_job, write_atomic
from reports.build import (
    build_org_context,
    build_unit_context,
    instrument_dimensions,
)
from reports.context import SkmReportContext, SkmUnsur
from reports.i18n import check_lang

from .auth import login_required
from .extensions import db
from .instrument_store import get_instrument
from .models import Role, Unit, Wave, WaveState, WaveUnit
from .services import subtree_ids, wave_dataset
from .services.publication import (
    ReportingError,
    WaveBundle,
    analyse_culture_wave,
    culture_keys,
    is_skm,
    layout,
    org_name,
)

HR = (Role.ADMIN, Role.ANALYST)
ORG_FILE = "organisation.pdf"

bp = Blueprint("reports", __name__, url_prefix="/hr/laporan")


def find_wave(ident: str) -> Wave:
    """A wave by id, name or period label (e.g. 2026-Q4; culture waves first)."""
    query = sa.select(Wave).where(sa.or_(Wave.name == ident, Wave.period == ident))
    if ident.isdigit():
        query = sa.select(Wave).where(sa.or_(Wave.id == int(ident), Wave.name == ident))
    found = [w for w in db.session.scalars(query.order_by(Wave.opens_on)) if not is_skm(w)] \
        or list(db.session.scalars(query))
    if not found:
        raise ReportingError(f"Gelombang tidak ditemukan / no such wave: {ident}")
    return found[-1]


# ---------------------------------------------------------------- jobs

def safe_name(text: str) -> str:
    """A file-name fragment: letters, digits, dot, dash and underscore only."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("._") or "x"


def unit_filename(unit: Unit | WaveUnit) -> str:
    """The PDF file name of a unit's report."""
    return f"unit-{safe_name(unit.code)}.pdf"


def culture_jobs(bundle: WaveBundle, lang: str) -> list[RenderJob]:
    """Every unit report of the wave and the organisation report."""
    jobs = [RenderJob(unit_filename(unit), build_unit_context(
        i, bundle.names, bundle.waves, bundle.info, bundle.invited[i],
        bundle.events.get(i, [])), lang) for i, unit in enumerate(bundle.units)]
    jobs.append(RenderJob(ORG_FILE, build_org_context(bundle.names, bundle.waves, bundle.info,
                                                      bundle.invited), lang))
    return jobs


def skm_waves(year: str) -> list[Wave]:
    """Closed SKM waves whose period starts with `year`."""
    query = sa.select(Wave).where(Wave.state == WaveState.CLOSED.value,
                                  Wave.period.startswith(year)).order_by(Wave.id)
    return [w for w in db.session.scalars(query) if is_skm(w)]


def skm_context(wave: Wave, population: int | None = None) -> SkmReportContext:
    """The SKM report context of a one-unit SKM wave."""
    key = wave.instrument_keys[0]
    instrument = get_instrument(key)
    arrays = wave_dataset(wave.id, key)
    dims = instrument_dimensions(instrument)
    values = np.asarray(arrays.values, dtype=np.float64)
    n = int(values.shape[0])
    unit = wave.units[0]
    base = {"org_name": org_name(layout(wave) or [unit]), "service_unit": unit.name,
            "period": wave.period, "n_respondents": n, "k": wave.k,
            "generated_on": dt.date.today().isoformat(), "population": population,
            "required_sample": krejcie_morgan(population) if population else None}
    if n < wave.k:  # nothing is computed for a group below k
        return SkmReportContext(**base, unsur=(), ikm=float("nan"), converted=float("nan"),
                                mutu="D")
    result = skm_index(values)
    unsur = tuple(SkmUnsur(d.code, d.name, float(v))
                  for (_, d), v in zip(dims, result.nrr, strict=True))
    return SkmReportContext(**base, unsur=unsur, ikm=result.ikm, converted=result.converted,
                            mutu=result.mutu)


def skm_jobs(year: str, lang: str, populations: dict[str, int]) -> list[RenderJob]:
    """The SKM reports of every service unit for the year."""
    jobs = []
    for wave in skm_waves(year):
        unit = wave.units[0]
        try:
            ctx = skm_context(wave, populations.get(unit.code))
        except AnalysisInputError as exc:  # e.g. an SKM instrument without the nine unsur
            click.echo(f"SKM {wave.name} dilewati / skipped: {exc}", err=True)
            continue
        jobs.append(RenderJob(f"skm-{safe_name(unit.code)}-{wave.id}.pdf", ctx, lang))
    return jobs


def report_dir(wave: Wave, lang: str) -> Path:
    """Where the built PDFs of a wave live (instance folder unless configured)."""
    root = current_app.config.get("LENTERA_REPORT_DIR") or Path(current_app.instance_path) / \
        "reports"
    return Path(root) / wave_folder(wave) / lang


def wave_folder(wave: Wave) -> str:
    """The folder name of a wave's reports."""
    return f"wave-{wave.id}-{safe_name(wave.period)}"


# ---------------------------------------------------------------- CLI

report_group = AppGroup("report", help="Laporan PDF / PDF reports.")


@report_group.command("build")
@with_appcontext
@click.option("--wave", "ident", default=None, help="Wave id, name or period (2026-Q4).")
@click.option("--all", "all_waves", is_flag=True,
              help="Every closed culture wave, each into its own subfolder of --out.")
@click.option("--lang", default="id", show_default=True, type=click.Choice(["id", "en"]))
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Output folder (default: <instance>/reports/wave-<id>-<period>/<lang>).")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64))
@click.option("--time-limit", default=120, show_default=True, type=click.IntRange(1),
              help="Seconds allowed for one report.")
@click.option("--skm/--no-skm", default=True, help="Also the SKM reports of the same year.")
@click.option("--population", multiple=True, metavar="UNIT_CODE=N",
              help="Service users of an SKM unit (for Krejcie & Morgan); repeatable.")
def build_command(ident: str | None, all_waves: bool, lang: str, out: Path | None,
                  workers: int, time_limit: int, skm: bool, population: tuple[str, ...]) -> None:
    """Render every unit report, the organisation report (and SKM reports) of a wave."""
    if bool(ident) == all_waves:
        raise click.UsageError("Pilih --wave ATAU --all / give either --wave or --all.")
    try:
        targets = closed_culture_waves() if all_waves else [find_wave(ident or "")]
        populations = _populations(population)
    except ReportingError as exc:
        raise click.ClickException(str(exc)) from exc
    failed = 0
    for wave in targets:
        if out is None:
            folder = report_dir(wave, lang)
        else:
            folder = out / wave_folder(wave) / lang if all_waves else out
        failed += _build_wave(wave, lang, folder, workers, time_limit, skm, populations)
    if failed:
        raise SystemExit(1)


def closed_culture_waves() -> list[Wave]:
    """Every closed wave with a culture instrument, oldest first."""
    query = sa.select(Wave).where(Wave.state == WaveState.CLOSED.value).order_by(Wave.opens_on)
    return [w for w in db.session.scalars(query) if culture_keys(w)]


def _build_wave(wave: Wave, lang: str, target: Path, workers: int, time_limit: int, skm: bool,
                populations: dict[str, int]) -> int:
    """Render one wave's reports into `target`; return the number of failed reports."""
    try:
        bundle = analyse_culture_wave(wave)
        jobs = culture_jobs(bundle, lang)
        if skm:
            jobs += skm_jobs(wave.period[:4], lang, populations)
    except ReportingError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{wave.name}: {len(jobs)} laporan / reports -> {target}", err=True)
    bar = ProgressBar(len(jobs), sys.stderr)
    outcomes = render_batch(jobs, target, workers=workers, time_limit=time_limit,
                            progress=bar.advance)
    failed = [o for o in outcomes if o.error]
    for o in failed:
        click.echo(f"GAGAL / FAILED {o.filename}: {o.error}", err=True)
    click.echo(f"{wave.name}: {len(outcomes) - len(failed)} PDF ditulis / written to {target}")
    return len(failed)


def _populations(pairs: Sequence[str]) -> dict[str, int]:
    out = {}
    for pair in pairs:
        code, _, number = pair.partition("=")
        if not number.isdigit() or int(number) < 1:
            raise ReportingError(f"--population {pair!r}: tulis KODE_UNIT=N / "
                                 f"write UNIT_CODE=N with N >= 1")
        out[code] = int(number)
    return out


# ---------------------------------------------------------------- download routes

def _wave_for_download(wave_id: int) -> Wave:
    wave = db.session.get(Wave, wave_id)
    if wave is None:
        abort(404)
    if wave.state != WaveState.CLOSED:
        abort(409, description="Laporan tersedia setelah gelombang ditutup. / "
                               "Reports are available after the wave closes.")
    return wave


def _lang() -> str:
    lang = request.args.get("lang", "id")
    try:
        return check_lang(lang)
    except ValueError:
        abort(400, description="lang harus id atau en / lang must be id or en")


def _pdf(data: bytes, filename: str) -> Response:
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _cached_or_render(wave: Wave, lang: str, filename: str, make_job) -> bytes:
    """The built file if `flask report build` made it, else render it now and keep it."""
    path = report_dir(wave, lang) / filename
    if path.is_file():
        return path.read_bytes()
    try:
        data = render_job(make_job())
    except ReportingError as exc:
        abort(409, description=str(exc))
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, data)
    return data


@bp.route("/<int:wave_id>/unit/<int:unit_id>.pdf")
@login_required()
def unit_pdf(wave_id: int, unit_id: int):  # type: ignore[no-untyped-def]
    """One unit's report; a unit head may download only units in their own subtree."""
    wave = _wave_for_download(wave_id)
    unit = db.session.get(Unit, unit_id)
    if unit is None:
        abort(404)
    if g.user.role == Role.UNIT_HEAD and unit.id not in subtree_ids(g.user.unit_id):
        abort(403)
    lang = _lang()

    def job() -> RenderJob:
        bundle = analyse_culture_wave(wave)
        ids = [u.unit_id for u in bundle.units]
        if unit.id not in ids:
            abort(404)
        i = ids.index(unit.id)
        return RenderJob(unit_filename(unit), build_unit_context(
            i, bundle.names, bundle.waves, bundle.info, bundle.invited[i],
            bundle.events.get(i, [])), lang)

    return _pdf(_cached_or_render(wave, lang, unit_filename(unit), job), unit_filename(unit))


@bp.route("/<int:wave_id>/organisasi.pdf")
@login_required(*HR)
def org_pdf(wave_id: int):  # type: ignore[no-untyped-def]
    """The organisation report (HR only)."""
    wave = _wave_for_download(wave_id)
    lang = _lang()

    def job() -> RenderJob:
        bundle = analyse_culture_wave(wave)
        return RenderJob(ORG_FILE, build_org_context(bundle.names, bundle.waves, bundle.info,
                                                     bundle.invited), lang)

    return _pdf(_cached_or_render(wave, lang, ORG_FILE, job), ORG_FILE)


@bp.route("/<int:wave_id>.zip")
@login_required(*HR)
def wave_zip(wave_id: int):  # type: ignore[no-untyped-def]
    """Every built PDF of the wave in one zip (HR only); built by `flask report build`."""
    wave = _wave_for_download(wave_id)
    lang = _lang()
    folder = report_dir(wave, lang)
    files = sorted(folder.glob("*.pdf")) if folder.is_dir() else []
    if not files:
        abort(404, description=f"Belum ada laporan; jalankan: flask report build --wave "
                               f"{wave.id} --lang {lang} / No reports yet; run: flask report "
                               f"build --wave {wave.id} --lang {lang}")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in files:
            archive.write(path, arcname=path.name)
    response = Response(buffer.getvalue(), mimetype="application/zip")
    name = f"laporan-{safe_name(wave.period)}-{lang}.zip"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    """Register `flask report` and the download routes."""
    app.register_blueprint(bp)
    app.cli.add_command(report_group)
