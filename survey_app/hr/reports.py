"""HR downloads of a closed wave's reports: a unit's PDF, the organisation PDF, a zip of the
wave (blueprint `reports`). The PDFs are built by `flask report build` or here on first use."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

from flask import Blueprint, Response, abort, g

from reports.batch import RenderJob, render_job, write_atomic

from ..config import HR_PREFIX
from ..extensions import db
from ..models import Role, Unit, Wave
from ..services import subtree_ids
from ..services.publication import ReportingError, analyse_culture_wave
from ..services.reports import ORG_FILE, org_job, report_dir, safe_name, unit_filename, unit_job
from .auth import login_required
from .common import HR, closed_wave_or_409, download, report_lang

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
def wave_zip(wave_id: int) -> Response:
    """Every built PDF of the wave in one zip (HR only); built by `flask report build`."""
    wave = closed_wave_or_409(wave_id)
    lang = report_lang()
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
    return download(buffer.getvalue(), f"laporan-{safe_name(wave.period)}-{lang}.zip",
                    "application/zip")
