"""HR pages on the blueprint `admin`: units, waves, codes, counts while open, training (the
user pages are in `users.py`, the audit log in `audit_log.py`). The request commits what a
view changed (`database.App`); a refused change is rolled back with `common.refuse`."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from instruments.model import Instrument

from ..extensions import db
from ..i18n import current_lang
from ..instrument_store import is_skm
from ..messages import row_error_message
from ..models import PlanAction, TrainingEvent, Wave, WaveState
from ..ops.request_guard import accepts_upload
from ..services import (
    ImportRejected,
    WaveRuleError,
    add_audit_entry,
    close_wave,
    create_wave,
    import_units,
    issue_codes,
    open_wave,
    unit_counts,
    units_in_tree_order,
    update_draft,
)
from ..services.plans import PlanRuleError, record_training
from ..services.slips import codes_csv, slips_pdf
from ..services.storage import compact_storage
from .auth import login_required
from .blueprint import bp
from .common import (
    HR,
    default_instruments,
    download,
    instrument_label,
    pickable_instruments,
    pinned_labels,
    refuse,
    unit_or_400,
    visible_unit_ids,
    wave_or_404,
)
from .forms import (
    EmptyForm,
    IssueCodesForm,
    RespondentExportForm,
    TrainingForm,
    UnitImportForm,
    WaveChoicesForm,
    WaveDraftForm,
    WaveForm,
)
from .plans import any_rule_message, training_choices

# The URL words of the state buttons and what they do.
STATE_ACTIONS = {"buka": open_wave, "tutup": close_wave}


@bp.route("/")
@login_required()
def index() -> ResponseReturnValue:
    """Dashboard: the waves."""
    waves = db.session.scalars(sa.select(Wave).order_by(Wave.opens_on.desc(), Wave.name))
    return render_template("hr/index.html", waves=list(waves))


@bp.route("/unit", methods=["GET", "POST"])
@accepts_upload
@login_required()
def units() -> ResponseReturnValue:
    """The unit tree; HR can import a CSV/Excel file (all rows or nothing)."""
    form = UnitImportForm()
    errors: list[str] = []
    if g.user.role in HR and form.validate_on_submit():
        upload = form.file.data
        try:
            n = import_units(upload.filename or "", upload.read())
        except ImportRejected as exc:
            db.session.rollback()
            errors = [row_error_message(e) for e in exc.errors]
        else:
            add_audit_entry(g.user.username, "units.import", None, f"{upload.filename}: {n} rows")
            flash(_("%(n)s unit diimpor.", n=n))
            return redirect(url_for("admin.units"))
    tree = units_in_tree_order(visible_unit_ids())
    return render_template("hr/units.html", tree=tree, form=form, errors=errors,
                           can_import=g.user.role in HR), (422 if errors else 200)


@bp.route("/gelombang/baru", methods=["GET", "POST"])
@login_required(*HR)
def wave_new() -> ResponseReturnValue:
    """Create a draft wave."""
    form = WaveForm()
    instruments = _offer_choices(form)
    if not form.is_submitted():
        form.instruments.data = default_instruments(instruments)
    if form.validate_on_submit():
        chosen = set(form.instruments.data)
        try:
            wave = create_wave(
                name=form.name.data.strip(), period=form.period.data.strip(),
                instrument_keys=[i.key for i in instruments if i.key in chosen],
                unit_ids=form.units.data, opens_on=form.opens_on.data,
                closes_on=form.closes_on.data, k=form.k.data, cut=form.cut.data or None,
                actor=g.user.username)
        except WaveRuleError as exc:
            refuse(exc)
        else:
            return redirect(url_for("admin.wave", wave_id=wave.id))
    return render_template("hr/wave_new.html", form=form)


def _offer_choices(form: WaveChoicesForm) -> list[Instrument]:
    """Every instrument version and unit a draft may pick, as the form's choices."""
    instruments = pickable_instruments()
    form.instruments.choices = [SelectChoice(i.key, instrument_label(i)) for i in instruments]
    form.units.choices = [SelectChoice(u.id, f"{'— ' * d}{u.name}")
                          for u, d in units_in_tree_order()]
    return instruments


@bp.route("/gelombang/<int:wave_id>", methods=["GET", "POST"])
@login_required()
def wave(wave_id: int) -> ResponseReturnValue:
    """A wave: settings (editable while draft), state buttons, codes, counts while open."""
    wave = wave_or_404(wave_id)
    draft_form = WaveDraftForm(obj=wave) if wave.state == WaveState.DRAFT else None
    if draft_form is not None:
        instruments = _offer_choices(draft_form)
        if request.method == "GET":
            draft_form.cut.data = wave.cut or ""
            draft_form.instruments.data = wave.instrument_keys
            draft_form.units.data = [u.id for u in wave.units]
    if g.user.role in HR and draft_form is not None and draft_form.validate_on_submit():
        chosen = set(draft_form.instruments.data)
        try:
            changes = update_draft(wave, k=draft_form.k.data, cut=draft_form.cut.data or None,
                                   opens_on=draft_form.opens_on.data,
                                   closes_on=draft_form.closes_on.data, actor=g.user.username,
                                   instrument_keys=[i.key for i in instruments
                                                    if i.key in chosen],
                                   unit_ids=draft_form.units.data)
        except WaveRuleError as exc:
            refuse(exc)
        else:
            flash(_("Perubahan dicatat di log audit: %(c)s", c="; ".join(changes) or "-"))
        return redirect(url_for("admin.wave", wave_id=wave_id))
    visible = visible_unit_ids()
    counts = unit_counts(wave, visible)
    members = {u.id for u in wave.units}
    tree = units_in_tree_order(members)  # parents before children
    codes_form = IssueCodesForm()
    codes_form.unit.choices = [SelectChoice(0, _("Semua unit (sejumlah pegawai)"))] + [
        SelectChoice(u.id, f"{'— ' * d}{u.name}") for u, d in tree]
    units = [(u, d) for u, d in tree if visible is None or u.id in visible]
    return render_template("hr/wave.html", wave=wave, draft_form=draft_form, counts=counts,
                           units=units, codes_form=codes_form, state_form=EmptyForm(),
                           export_form=RespondentExportForm(), is_hr=g.user.role in HR,
                           instruments=pinned_labels(wave.instrument_keys),
                           skm=is_skm(wave))


@bp.route("/gelombang/<int:wave_id>/<action>", methods=["POST"])
@login_required(*HR)
def wave_state(wave_id: int, action: str) -> ResponseReturnValue:
    """Open or close a wave (CSRF-protected buttons)."""
    wave = wave_or_404(wave_id)
    if action not in STATE_ACTIONS or not EmptyForm().validate_on_submit():
        abort(400)
    try:
        STATE_ACTIONS[action](wave, actor=g.user.username)
    except WaveRuleError as exc:
        refuse(exc)
    else:
        if wave.state == WaveState.CLOSED:
            db.session.commit()  # the rewrite below needs the closed wave committed first
            compact_storage()  # rewrite the files without submission order
    return redirect(url_for("admin.wave", wave_id=wave_id))


@bp.route("/gelombang/<int:wave_id>/kode", methods=["POST"])
@login_required(*HR)
def wave_codes(wave_id: int) -> ResponseReturnValue:
    """Issue codes and hand them out once, as CSV or as printable slips (PDF). The file is
    made before the request commits, so codes that were never handed out are never stored."""
    wave = wave_or_404(wave_id)
    form = IssueCodesForm()
    form.unit.choices = [SelectChoice(0, "")] + [SelectChoice(u.id, u.name)
                                                 for u in wave.units]
    if not form.validate_on_submit():
        flash(_("Permintaan kode tidak lengkap."))
        return redirect(url_for("admin.wave", wave_id=wave.id))
    targets = [unit_or_400(form.unit.data)] if form.unit.data else [
        u for u in wave.units if form.count.data or u.headcount > 0]  # empty units get none
    key = current_app.config["LENTERA_CODE_KEY"]
    try:
        issued = [c for u in targets
                  for c in issue_codes(wave, u, form.count.data or u.headcount, key=key,
                                       actor=g.user.username)]
    except WaveRuleError as exc:
        refuse(exc)
        return redirect(url_for("admin.wave", wave_id=wave.id))
    if form.fmt.data == "pdf":
        return download(slips_pdf(wave, issued), f"kode-{wave.id}.pdf", "application/pdf")
    return download(codes_csv(wave, issued), f"kode-{wave.id}.csv", "text/csv; charset=utf-8")


@bp.route("/pelatihan", methods=["GET", "POST"])
@login_required()
def training() -> ResponseReturnValue:
    """Training events per unit (a unit head sees and logs only their subtree), each
    optionally against a plan action, with its number of participants."""
    visible = visible_unit_ids()
    form = TrainingForm()
    form.unit.choices = [SelectChoice(u.id, f"{'— ' * d}{u.name}")
                          for u, d in units_in_tree_order(visible)]
    form.plan_action.choices = training_choices(visible, current_lang())
    if form.validate_on_submit():
        action = db.session.get(PlanAction, form.plan_action.data) if form.plan_action.data \
            else None
        try:
            record_training(unit=unit_or_400(form.unit.data), held_on=form.held_on.data,
                            title=form.title.data, hours_jp=form.hours_jp.data,
                            provider=form.provider.data or "",
                            participants=form.participants.data or 1, plan_action=action,
                            actor=g.user.username)
        except (WaveRuleError, PlanRuleError) as exc:
            db.session.rollback()
            flash(any_rule_message(exc))
        else:
            return redirect(url_for("admin.training"))
    query = sa.select(TrainingEvent).order_by(TrainingEvent.held_on.desc())
    if visible is not None:
        query = query.where(TrainingEvent.unit_id.in_(visible))
    return render_template("hr/training.html", events=list(db.session.scalars(query)), form=form)
