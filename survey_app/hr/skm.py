"""HR pages on the blueprint `admin`: an SKM period's follow-up plan (rencana tindak lanjut)
and the citizens' consultation forums."""

from __future__ import annotations

from flask import abort, g, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from analysis.skm import priority_unsur
from reports.build import instrument_dimensions
from reports.wording import number

from ..extensions import db
from ..i18n import current_lang
from ..instrument_store import get_instrument, is_skm
from ..models import FOLLOW_UP_STATUSES, SkmFollowUp, WaveState
from ..services import units_in_tree_order
from ..services.reports import skm_context
from ..services.skm_followup import (
    FollowUpRuleError,
    NeedInput,
    add_follow_up,
    add_forum,
    follow_ups,
    forums_of,
    set_follow_up_status,
)
from .auth import login_required
from .blueprint import bp
from .common import HR, pickable_instruments, refuse, unit_or_400, visible_unit_ids, wave_or_404
from .forms import FollowUpForm, FollowUpStatusForm, ForumForm


def _visible_or_404(unit_id: int) -> None:
    visible = visible_unit_ids()
    if visible is not None and unit_id not in visible:
        abort(404)


@bp.route("/skm/<int:wave_id>/unit/<int:unit_id>/tindak-lanjut", methods=["GET", "POST"])
@login_required()
def skm_follow_up(wave_id: int, unit_id: int) -> ResponseReturnValue:
    """A service unit's closed SKM period: NRR per unsur, the unsur to take first, the
    follow-up plan."""
    wave = wave_or_404(wave_id)
    if not is_skm(wave) or wave.state != WaveState.CLOSED:
        abort(409, description=_("Rencana tindak lanjut hanya untuk gelombang SKM yang sudah "
                                 "ditutup."))
    unit = next((u for u in wave.units if u.id == unit_id), None) or abort(404)
    _visible_or_404(unit.id)
    lang = current_lang()
    instrument = get_instrument(wave.instrument_keys[0])
    names = {d.code: d.name.get(lang) for _s, d in instrument_dimensions(instrument)}
    context = skm_context(wave, unit)
    first = {context.unsur[i].code for i in priority_unsur([u.nrr for u in context.unsur])} \
        if context.unsur else set()
    form = FollowUpForm()
    form.unsur.choices = [SelectChoice(code, name) for code, name in names.items()]
    if g.user.role in HR and form.validate_on_submit():
        try:
            add_follow_up(wave, unit, unsur=form.unsur.data, unsur_codes=list(names),
                          action=form.action.data, owner=form.owner.data,
                          due_on=form.due_on.data, actor=g.user.username)
        except FollowUpRuleError as exc:
            refuse(exc)
        else:
            return redirect(url_for("admin.skm_follow_up", wave_id=wave.id, unit_id=unit.id))
    lines = follow_ups(wave.id, unit.id)
    status_forms = {line.id: FollowUpStatusForm(status=line.status, prefix=f"s{line.id}")
                    for line in lines}
    nrr = {u.code: number(u.nrr, 2, lang) for u in context.unsur}
    return render_template("hr/skm_follow_up.html", wave=wave, context=context, names=names,
                           first=first, nrr=nrr, form=form, lines=lines,
                           status_forms=status_forms, is_hr=g.user.role in HR)


@bp.route("/skm/tindak-lanjut/<int:line_id>/status", methods=["POST"])
@login_required(*HR)
def skm_follow_up_status(line_id: int) -> ResponseReturnValue:
    """Move one follow-up line to another status."""
    line = db.session.get(SkmFollowUp, line_id) or abort(404)
    form = FollowUpStatusForm(prefix=f"s{line.id}")
    if form.validate_on_submit() and form.status.data in FOLLOW_UP_STATUSES:
        set_follow_up_status(line, form.status.data, g.user.username)
    else:
        abort(400, description=_("Status tidak dikenal."))
    return redirect(url_for("admin.skm_follow_up", wave_id=line.wave_id, unit_id=line.unit_id))


def need_targets(lang: str) -> list[SelectChoice]:
    """What a forum need may concern: each SKM unsur, each culture dimension, or neither."""
    out = [SelectChoice("", _("— tidak dipetakan —"))]
    seen: set[str] = set()
    for instrument in pickable_instruments():
        kind = "unsur" if instrument.kind == "skm" else "dimension"
        for _scale, dim in instrument_dimensions(instrument):
            value = f"{kind}:{dim.code}" if kind == "unsur" else \
                f"{kind}:{instrument.id}:{dim.code}"
            if value in seen:  # another version of the same instrument
                continue
            seen.add(value)
            label = (_("Unsur SKM: %(n)s", n=dim.name.get(lang)) if kind == "unsur" else
                     f"{instrument.title.get(lang)}: {dim.name.get(lang)}")
            out.append(SelectChoice(value, label))
    return out


@bp.route("/forum", methods=["GET", "POST"])
@login_required()
def forums() -> ResponseReturnValue:
    """Citizens' consultation forums of the units the user may see; HR records new ones."""
    visible = visible_unit_ids()
    lang = current_lang()
    targets = need_targets(lang)
    form = ForumForm()
    form.unit.choices = [SelectChoice(u.id, f"{'— ' * d}{u.name}")
                         for u, d in units_in_tree_order(visible)]
    for entry in form.needs:
        entry.form.target.choices = targets
    if g.user.role in HR and form.validate_on_submit():
        try:
            add_forum(unit=unit_or_400(form.unit.data), held_on=form.held_on.data,
                      topic=form.topic.data, participants=form.participants.data,
                      needs=[NeedInput(e.form.text.data or "", e.form.target.data or "")
                             for e in form.needs],
                      targets=[str(t.value) for t in targets], actor=g.user.username)
        except FollowUpRuleError as exc:
            refuse(exc)
        else:
            return redirect(url_for("admin.forums"))
    labels = {str(t.value): str(t.label) for t in targets}
    return render_template("hr/forums.html", form=form, forums=forums_of(visible),
                           labels=labels, is_hr=g.user.role in HR)
