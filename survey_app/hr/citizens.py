"""HR pages of a citizen SKM wave (blueprint `citizens`, /hr): each service unit's population
and Krejcie-Morgan sample with the progress towards it, the refused-submission count, the QR
poster, and the counter kiosks (register, revoke; both audited)."""

from __future__ import annotations

import segno
from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from markupsafe import Markup
from wtforms.fields.choices import SelectChoice

from ..config import HR_PREFIX
from ..extensions import db
from ..instrument_store import is_skm
from ..models import Kiosk, Wave
from ..services import WaveRuleError
from ..services.citizens import (
    Progress,
    TargetUnknown,
    kiosks,
    poster_url,
    progress,
    register_kiosk,
    revoke_kiosk,
    set_population,
    target_of,
)
from .auth import login_required
from .common import HR, refuse, unit_or_400, visible_unit_ids, wave_or_404
from .forms import EmptyForm, KioskForm, PopulationForm

bp = Blueprint("citizens", __name__, url_prefix=HR_PREFIX, template_folder="templates")


@bp.app_template_global()
def skm_progress(wave: Wave) -> list[Progress]:
    """The wave page's SKM rows: population, sample size, respondents (k-banded), refusals."""
    return progress(wave, visible_unit_ids())


def skm_wave_or_404(wave_id: int) -> Wave:
    """The SKM wave of the URL."""
    wave = wave_or_404(wave_id)
    if not is_skm(wave):
        abort(404, description=_("Gelombang %(w)s bukan survei kepuasan masyarakat.",
                                 w=wave.name))
    return wave


def _unit_choices(wave: Wave) -> list[SelectChoice]:
    return [SelectChoice(u.id, u.name) for u in wave.units]


@bp.route("/gelombang/<int:wave_id>/skm")
@login_required(*HR)
def skm(wave_id: int) -> ResponseReturnValue:
    """The SKM wave's citizen page: populations, progress, posters, kiosks."""
    wave = skm_wave_or_404(wave_id)
    return _page(wave)


def _page(wave: Wave, activation: tuple[Kiosk, str] | None = None,
          population_form: PopulationForm | None = None,
          kiosk_form: KioskForm | None = None) -> str:
    population_form = population_form or PopulationForm(formdata=None)
    kiosk_form = kiosk_form or KioskForm(formdata=None)
    population_form.unit.choices = kiosk_form.unit.choices = _unit_choices(wave)
    link = qr = None
    if activation is not None:
        base = current_app.config["LENTERA_PUBLIC_URL"].rstrip("/")
        link = base + url_for("citizen.kiosk", token=activation[1])
        qr = _qr(link)
    return render_template("hr/skm.html", wave=wave, rows=progress(wave),
                           kiosks=kiosks(wave), population_form=population_form,
                           kiosk_form=kiosk_form, revoke_form=EmptyForm(),
                           activation=activation, activation_link=link, activation_qr=qr)


@bp.route("/gelombang/<int:wave_id>/skm/populasi", methods=["POST"])
@login_required(*HR)
def population(wave_id: int) -> ResponseReturnValue:
    """Store a unit's population for the period (audited)."""
    wave = skm_wave_or_404(wave_id)
    form = PopulationForm()
    form.unit.choices = _unit_choices(wave)
    if not form.validate_on_submit():
        return _page(wave, population_form=form), 400
    try:
        set_population(wave, unit_or_400(form.unit.data), form.population.data,
                       actor=g.user.username)
    except WaveRuleError as exc:
        refuse(exc)
    else:
        flash(_("Populasi disimpan dan dicatat di log audit."))
    return redirect(url_for("citizens.skm", wave_id=wave.id))


@bp.route("/gelombang/<int:wave_id>/skm/kiosk", methods=["POST"])
@login_required(*HR)
def kiosk_new(wave_id: int) -> ResponseReturnValue:
    """Register a kiosk; its one-time activation link is shown on this page only."""
    wave = skm_wave_or_404(wave_id)
    form = KioskForm()
    form.unit.choices = _unit_choices(wave)
    if not form.validate_on_submit():
        return _page(wave, kiosk_form=form), 400
    try:
        activation = register_kiosk(wave, unit_or_400(form.unit.data), form.label.data,
                                    actor=g.user.username)
    except WaveRuleError as exc:
        refuse(exc)
        return redirect(url_for("citizens.skm", wave_id=wave.id))
    return _page(wave, activation=activation)


@bp.route("/gelombang/<int:wave_id>/skm/kiosk/<int:kiosk_id>/cabut", methods=["POST"])
@login_required(*HR)
def kiosk_revoke(wave_id: int, kiosk_id: int) -> ResponseReturnValue:
    """Revoke a kiosk (audited): its cookie no longer lifts the address ceiling."""
    wave = skm_wave_or_404(wave_id)
    kiosk = db.session.get(Kiosk, kiosk_id)
    if kiosk is None or kiosk.wave_id != wave.id:
        abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    revoke_kiosk(kiosk, actor=g.user.username)
    flash(_("Kiosk %(label)s dicabut dan dicatat di log audit.", label=kiosk.label))
    return redirect(url_for("citizens.skm", wave_id=wave.id))


@bp.route("/gelombang/<int:wave_id>/skm/<int:unit_id>/poster")
@login_required(*HR)
def poster(wave_id: int, unit_id: int) -> ResponseReturnValue:
    """A printable A4 poster for the unit's counter: the URL and its QR code."""
    wave = skm_wave_or_404(wave_id)
    try:
        target = target_of(wave.id, unit_id, open_only=False)
    except TargetUnknown:
        abort(404)
    url = poster_url(target.wave, target.unit)
    return render_template("hr/skm_poster.html", target=target, url=url, qr=_qr(url, 8))


def _qr(url: str, scale: int = 4) -> Markup:
    """The QR code of `url` as inline SVG (segno writes only its own markup)."""
    return Markup(segno.make(url, error="m", micro=False).svg_inline(scale=scale,  # noqa: S704
                                                                     border=2))
