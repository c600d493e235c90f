"""HR downloads of a closed wave's reports: a unit's PDF, the organisation PDF (built here on
first use, or by a report job), and the zip of every report, built by a report job
(services.jobs) that HR starts here and watches (blueprint `reports`)."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, Response, abort, g, redirect, render_template, url_for
from flask.typing import ResponseReturnValue

from reports.batch import RenderJob, render_job, write_atomic

from ..config import HR_PREFIX
from ..extensions import db
from ..models import JobState, ReportJob, Role, Unit, Wave
from ..services import jobs, subtree_ids
from ..services.publication import ReportingError, analyse_culture_wave
from ..services.reports import ORG_FILE, org_job, report_dir, unit_filename, unit_job
from .auth import login_required
from .common import HR, closed_wave_or_409, download, report_lang
from .forms import EmptyForm

bp = Blueprint("reports", __name__, url_prefix=f"{HR_PREFIX}/laporan")


def _cached_or_render(wave: Wave, lang: str, filename: str,
                      make_job: Callable[[], RenderJob]) -> Response:
    """The built file if `flask report build` made it, else render it now and keep it."""
    path = report_dir(wave, lang) / filename
    if path.is_file():
        data = path.read_bytes()
    else:
        try:
            data = render_job(make_job())
        except ReportingError as exc:
            abort(409, description=str(exc))
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, data)
    return download(data, filename, "application/pdf")


@bp.route("/<int:wave_id>/unit/<int:unit_id>.pdf")
@login_required()
def unit_pdf(wave_id: int, unit_id: int) -> Response:
    """One unit's report; a unit head may download only units in their own subtree."""
    wave = closed_wave_or_409(wave_id)
    unit = db.session.get(Unit, unit_id)
    if unit is None:
        abort(404)
    if g.user.role == Role.UNIT_HEAD and unit.id not in subtree_ids(g.user.unit_id):
        abort(403)
    lang = report_lang()

    def job() -> RenderJob:
        bundle = analyse_culture_wave(wave)
        ids = [u.unit_id for u in bundle.units]
        if unit.id not in ids:
            abort(404)
        return unit_job(bundle, ids.index(unit.id), lang)

    return _cached_or_render(wave, lang, unit_filename(unit), job)


@bp.route("/<int:wave_id>/organisasi.pdf")
@login_required(*HR)
def org_pdf(wave_id: int) -> Response:
    """The organisation report (HR only)."""
    wave = closed_wave_or_409(wave_id)
    lang = report_lang()
    return _cached_or_render(wave, lang, ORG_FILE,
                             lambda: org_job(analyse_culture_wave(wave), lang))


@bp.route("/<int:wave_id>.zip")
@login_required(*HR)
def wave_zip(wave_id: int) -> Response | ResponseReturnValue:
    """Every report of the wave in one zip (HR only), as the last finished job built it.

    Never a partial zip: while a job runs this is its progress page, and before any job the
    page offers to start one.
    """
    wave = closed_wave_or_409(wave_id)
    lang = report_lang()
    job = jobs.latest_job(wave.id, lang)
    if job is not None and job.state in jobs.ACTIVE:
        return redirect(url_for("reports.job_page", job_id=job.id), 303)
    path = jobs.zip_path(wave, lang)
    done = job is not None and job.state == JobState.DONE.value
    if done and path.is_file():
        return download(path.read_bytes(), path.name, "application/zip")
    return render_template("hr/report_job.html", wave=wave, job=job, lang=lang, active=False,
                           form=EmptyForm()), 404


@bp.route("/<int:wave_id>/bangun", methods=["POST"])
@login_required(*HR)
def build(wave_id: int) -> ResponseReturnValue:
    """Start a report job for the wave (or show the one already running)."""
    wave = closed_wave_or_409(wave_id)
    lang = report_lang()
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        job = jobs.start(wave, lang, g.user.username)
    except ReportingError as exc:
        abort(409, description=str(exc))
    return redirect(url_for("reports.job_page", job_id=job.id), 303)


@bp.route("/job/<int:job_id>")
@login_required(*HR)
def job_page(job_id: int) -> ResponseReturnValue:
    """A report job's progress; the page reloads itself while the job runs."""
    job = db.session.get(ReportJob, job_id)
    if job is None:
        abort(404)
    return render_template("hr/report_job.html", wave=job.wave, job=job, lang=job.lang,
                           active=job.state in jobs.ACTIVE, form=EmptyForm())
