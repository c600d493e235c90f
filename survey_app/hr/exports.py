"""HR downloads of a closed wave's results for their own tools (blueprint `exports`); the
disclosure rules are `services.exports`'."""

from __future__ import annotations

from flask import Blueprint, Response, abort, g
from flask_babel import gettext as _

from ..config import HR_PREFIX
from ..i18n import current_lang
from ..models import Wave
from ..services.exports import ExportRefused, export_bytes
from ..services.tables import FORMATS, MIMETYPES
from .auth import login_required
from .common import closed_or_409, download, visible_unit_ids, wave_or_404
from .forms import RespondentExportForm

bp = Blueprint("exports", __name__, url_prefix=f"{HR_PREFIX}/ekspor")


def _export(wave: Wave, fmt: str, *, respondents: bool) -> Response:
    try:
        data, name, _rows = export_bytes(wave, fmt, respondents=respondents,
                                         actor=g.user.username, unit_ids=visible_unit_ids(),
                                         lang=current_lang())
    except ExportRefused as exc:
        abort(409, description=str(exc))
    return download(data, name, MIMETYPES[fmt])


@bp.route("/<int:wave_id>/agregat.<fmt>")
@login_required()
def aggregated(wave_id: int, fmt: str) -> Response:
    """The aggregated results; a unit head gets the units of their own subtree only."""
    wave = wave_or_404(wave_id)
    if fmt not in FORMATS:
        abort(404)
    return _export(closed_or_409(wave), fmt, respondents=False)


@bp.route("/<int:wave_id>/responden", methods=["POST"])
@login_required()
def respondents(wave_id: int) -> Response:
    """The respondent-level data (a POST: every download is written to the audit log, which
    the request commits with the download)."""
    wave = wave_or_404(wave_id)
    if not g.user.can_export_respondents:
        abort(403, description=_("Ekspor data per responden memerlukan izin khusus yang "
                                 "diberikan oleh admin di halaman Pengguna."))
    closed_or_409(wave)
    form = RespondentExportForm()
    if not form.validate_on_submit():
        abort(400)
    return _export(wave, form.fmt.data, respondents=True)
