"""`flask report build`: every PDF of a closed wave (or of all of them) into a folder;
`flask report start` / `status`: the same as a report job with its zip (services.jobs);
`flask jobs worker`: a worker of the report queue."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from reports.batch import ProgressBar, render_batch

from ..extensions import db
from ..models import JobState, ReportJob, Wave
from ..services import jobs
from ..services.publication import ReportingError, analyse_culture_wave
from ..services.reports import (
    closed_culture_waves,
    culture_jobs,
    report_dir,
    skm_jobs,
    wave_folder,
)
from ..services.waves import WaveNotFound, find_wave
from .common import ACTOR, needs_schema

report_group = AppGroup("report", help="Laporan PDF / PDF reports.")


@report_group.command("build")
@needs_schema
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
    """Render every unit report, the organisation report (and SKM reports) of a wave into a
    folder. The zip HR downloads is built by `flask report start` (a report job)."""
    if bool(ident) == all_waves:
        raise click.UsageError("Pilih --wave ATAU --all / give either --wave or --all.")
    try:
        targets = closed_culture_waves() if all_waves else [find_wave(ident or "")]
        populations = _populations(population)
    except (WaveNotFound, ReportingError) as exc:
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


def _build_wave(wave: Wave, lang: str, target: Path, workers: int, time_limit: int, skm: bool,
                populations: dict[str, int]) -> int:
    """Render one wave's reports into `target`; return the number of failed reports."""
    try:
        jobs = culture_jobs(analyse_culture_wave(wave), lang)
        if skm:
            more, skipped = skm_jobs(wave.period[:4], lang, populations)
            jobs += more
            for line in skipped:
                click.echo(line, err=True)
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


@report_group.command("start")
@needs_schema
@click.option("--wave", "ident", required=True, help="Wave id, name or period (2026-Q4).")
@click.option("--lang", default="id", show_default=True, type=click.Choice(["id", "en"]))
@click.option("--here", is_flag=True,
              help="Run the job in this process instead of a worker (e.g. from cron).")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64),
              help="Render processes with --here.")
def start_command(ident: str, lang: str, here: bool, workers: int) -> None:
    """Build every report of a closed wave and its zip as a report job."""
    try:
        wave = find_wave(ident)
        job = jobs.start(wave, lang, ACTOR) if not here else jobs.queued(wave, lang, ACTOR)[0]
    except (WaveNotFound, ReportingError) as exc:
        raise click.ClickException(str(exc)) from exc
    if here:
        jobs.run_here(job.id, workers)
        db.session.refresh(job)
    click.echo(_describe(job))
    if job.state == JobState.FAILED.value:
        raise SystemExit(1)


@report_group.command("status")
@needs_schema
@click.argument("job_id", type=int)
def status_command(job_id: int) -> None:
    """The state and progress of a report job."""
    click.echo(_describe(_job(job_id)))


@report_group.command("cancel")
@needs_schema
@click.argument("job_id", type=int)
def cancel_command(job_id: int) -> None:
    """Give up a report job that will not finish, so that a new one can start."""
    job = _job(job_id)
    jobs.cancel(job)
    db.session.commit()
    click.echo(_describe(job))


def _job(job_id: int) -> ReportJob:
    job = db.session.get(ReportJob, job_id)
    if job is None:
        raise click.ClickException(f"Tidak ada pekerjaan laporan {job_id} / no report job "
                                   f"{job_id}")
    return job


def _describe(job: ReportJob) -> str:
    text = (f"job {job.id}: {job.wave.name} [{job.lang}] {job.state} {job.done}/{job.total}"
            + (f", {job.failed} gagal / failed" if job.failed else ""))
    if job.state == JobState.DONE.value:
        text += f" -> {jobs.zip_path(job.wave, job.lang)}"
    if job.error:
        text += "\n" + job.error.rstrip()
    return text


jobs_group = AppGroup("jobs", help="Pekerja laporan / report workers (RQ over Redis).")


@jobs_group.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
@click.option("--name", default=None, help="Worker name (default: host and process id).")
def worker_command(burst: bool, name: str | None) -> None:
    """Take report jobs from the queue on LENTERA_REDIS_URL (any number, any machine)."""
    try:
        jobs.work(current_app._get_current_object(), burst=burst, name=name)  # type: ignore[attr-defined]
    except ReportingError as exc:
        raise click.ClickException(str(exc)) from exc
