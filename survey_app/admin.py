"""HR pages (blueprint `admin`): units, waves, codes, counts while open, audit log, training;
the user management pages come from `users.py`."""

from __future__ import annotations

import sqlalchemy as sa
from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from . import slips
from .auth import login_required
from .extensions import db
from .forms import (
    EmptyForm,
    IssueCodesForm,
    RespondentExportForm,
    TrainingForm,
    UnitImportForm,
    WaveDraftForm,
    WaveForm,
)
from .messages import row_error_message, wave_rule_message
from .models import AuditEntry, Role, TrainingEvent, Unit, Wave, WaveState
from .request_guard import accepts_upload
from .services import (
    ImportRejected,
    IssuedCode,
    WaveRuleError,
    add_training,
    close_wave,
    create_wave,
    import_units,
    issue_codes,
    open_wave,
    subtree_ids,
    unit_counts,
    units_in_tree_order,
    update_draft,
)
from .services.storage import compact_storage
from .tables import csv_text
from .users import register_user_routes

bp = Blueprint("admin", __name__, url_prefix="/hr")
register_user_routes(bp)  # user management (admins only) lives in users.py
HR = (Role.ADMIN, Role.ANALYST)


def visible_unit_ids() -> set[int] | None:
    """Units the current user may see: all (None) for HR, the own subtree for a unit head."""
    if g.user.role == Role.UNIT_HEAD:
        return subtree_ids(g.user.unit_id)
    return None


@bp.route("/")
@login_required()
def index():  # type: ignore[no-untyped-def]
    """Dashboard: the waves."""
    waves = db.session.scalars(sa.select(Wave).order_by(Wave.opens_on.desc(), Wave.name))
    return render_template("hr/index.html", waves=list(waves))


@bp.route("/unit", methods=["GET", "POST"])
@accepts_upload
@login_required()
def units():  # type: ignore[no-untyped-def]
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
            from .services import audit

            audit(g.user.username, "units.import", None, f"{upload.filename}: {n} rows")
            db.session.commit()
            flash(_("%(n)s unit diimpor.", n=n))
            return redirect(url_for("admin.units"))
    tree = units_in_tree_order(visible_unit_ids())
    return render_template("hr/units.html", tree=tree, form=form, errors=errors,
                           can_import=g.user.role in HR), (422 if errors else 200)


@bp.route("/gelombang/baru", methods=["GET", "POST"])
@login_required(*HR)
def wave_new():  # type: ignore[no-untyped-def]
    """Create a draft wave."""
    form = WaveForm()
    form.units.choices = [SelectChoice(u.id, f"{'— ' * d}{u.name}")
                          for u, d in units_in_tree_order()]
    if form.validate_on_submit():
        try:
            wave = create_wave(
                name=form.name.data.strip(), period=form.period.data.strip(),
                instrument_keys=[k.strip() for k in form.instruments.data.split(",") if k.strip()],
                unit_ids=form.units.data, opens_on=form.opens_on.data,
                closes_on=form.closes_on.data, k=form.k.data, cut=form.cut.data or None,
                actor=g.user.username)
        except WaveRuleError as exc:
            db.session.rollback()
            flash(wave_rule_message(exc))
        else:
            db.session.commit()
            return redirect(url_for("admin.wave", wave_id=wave.id))
    return render_template("hr/wave_new.html", form=form)


def _wave_or_404(wave_id: int) -> Wave:
    wave = db.session.get(Wave, wave_id)
    if wave is None:
        abort(404)
    return wave


@bp.route("/gelombang/<int:wave_id>", methods=["GET", "POST"])
@login_required()
def wave(wave_id: int):  # type: ignore[no-untyped-def]
    """A wave: settings (editable while draft), state buttons, codes, counts while open."""
    wave = _wave_or_404(wave_id)
    draft_form = WaveDraftForm(obj=wave) if wave.state == WaveState.DRAFT else None
    if draft_form is not None and request.method == "GET":
        draft_form.cut.data = wave.cut or ""
    if g.user.role in HR and draft_form is not None and draft_form.validate_on_submit():
        try:
            changes = update_draft(wave, k=draft_form.k.data, cut=draft_form.cut.data or None,
                                   opens_on=draft_form.opens_on.data,
                                   closes_on=draft_form.closes_on.data, actor=g.user.username)
        except WaveRuleError as exc:
            db.session.rollback()
            flash(wave_rule_message(exc))
        else:
            db.session.commit()
            flash(_("Perubahan dicatat di log audit: %(c)s", c="; ".join(changes) or "-"))
        return redirect(url_for("admin.wave", wave_id=wave.id))
    visible = visible_unit_ids()
    counts = unit_counts(wave, visible)
    codes_form = IssueCodesForm()
    codes_form.unit.choices = [SelectChoice(0, _("Semua unit (sejumlah pegawai)"))] + [
        SelectChoice(u.id, u.name) for u in wave.units]
    units = [u for u in wave.units if visible is None or u.id in visible]
    return render_template("hr/wave.html", wave=wave, draft_form=draft_form, counts=counts,
                           units=units, codes_form=codes_form, state_form=EmptyForm(),
                           export_form=RespondentExportForm(), is_hr=g.user.role in HR)


@bp.route("/gelombang/<int:wave_id>/<action>", methods=["POST"])
@login_required(*HR)
def wave_state(wave_id: int, action: str):  # type: ignore[no-untyped-def]
    """Open or close a wave (CSRF-protected buttons)."""
    wave = _wave_or_404(wave_id)
    if action not in ("buka", "tutup") or not EmptyForm().validate_on_submit():
        abort(400)
    try:
        (open_wave if action == "buka" else close_wave)(wave, actor=g.user.username)
    except WaveRuleError as exc:
        db.session.rollback()
        flash(wave_rule_message(exc))
    else:
        db.session.commit()
        if action == "tutup":
            compact_storage()  # after the commit: rewrite the files without submission order
    return redirect(url_for("admin.wave", wave_id=wave.id))


@bp.route("/gelombang/<int:wave_id>/kode", methods=["POST"])
@login_required(*HR)
def wave_codes(wave_id: int):  # type: ignore[no-untyped-def]
    """Issue codes and hand them out once, as CSV or as printable slips (PDF)."""
    wave = _wave_or_404(wave_id)
    form = IssueCodesForm()
    form.unit.choices = [SelectChoice(0, "")] + [SelectChoice(u.id, u.name)
                                                 for u in wave.units]
    if not form.validate_on_submit():
        flash(_("Permintaan kode tidak lengkap."))
        return redirect(url_for("admin.wave", wave_id=wave.id))
    targets = [db.session.get(Unit, form.unit.data)] if form.unit.data else [
        u for u in wave.units if form.count.data or u.headcount > 0]  # empty units get none
    key = current_app.config["LENTERA_CODE_KEY"]
    try:
        issued = [c for u in targets
                  for c in issue_codes(wave, u, form.count.data or u.headcount, key=key,
                                       actor=g.user.username)]
    except WaveRuleError as exc:
        db.session.rollback()
        flash(wave_rule_message(exc))
        return redirect(url_for("admin.wave", wave_id=wave.id))
    # Render before committing: codes that were never handed out must not be stored.
    try:
        if form.fmt.data == "pdf":
            download = _download(slips.slips_pdf(wave, issued), f"kode-{wave.id}.pdf",
                                 "application/pdf")
        else:
            download = _download(codes_csv(wave, issued).encode("utf-8-sig"),
                                 f"kode-{wave.id}.csv", "text/csv; charset=utf-8")
    except slips.SlipsUnavailable:
        db.session.rollback()
        flash(_("Slip PDF belum tersedia; unduh kode sebagai CSV."))
        return redirect(url_for("admin.wave", wave_id=wave.id))
    db.session.commit()
    return download


def codes_csv(wave: Wave, issued: list[IssuedCode]) -> str:
    """CSV of freshly issued codes with their QR/link URL (the code in the #fragment)."""
    header = ("code", "url", "unit_code", "unit_name", "wave", "closes_on")
    return csv_text([header] + [(c.code, slips.code_url(c.code), c.unit_code, c.unit_name,
                                 wave.name, wave.closes_on.isoformat()) for c in issued])


def _download(data: bytes, filename: str, mimetype: str) -> Response:
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/audit")
@login_required(*HR)
def audit_log():  # type: ignore[no-untyped-def]
    """The audit log, newest first."""
    entries = db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id.desc()).limit(500))
    waves = {w.id: w.name for w in db.session.scalars(sa.select(Wave))}
    return render_template("hr/audit.html", entries=list(entries), waves=waves)


@bp.route("/pelatihan", methods=["GET", "POST"])
@login_required()
def training():  # type: ignore[no-untyped-def]
    """Training events per unit (a unit head sees and logs only their subtree)."""
    visible = visible_unit_ids()
    form = TrainingForm()
    form.unit.choices = [SelectChoice(u.id, f"{'— ' * d}{u.name}")
                          for u, d in units_in_tree_order(visible)]
    if form.validate_on_submit():
        try:
            add_training(unit=db.session.get(Unit, form.unit.data), held_on=form.held_on.data,
                         title=form.title.data, hours_jp=form.hours_jp.data,
                         provider=form.provider.data or "", actor=g.user.username)
        except WaveRuleError as exc:
            db.session.rollback()
            flash(wave_rule_message(exc))
        else:
            db.session.commit()
            return redirect(url_for("admin.training"))
    query = sa.select(TrainingEvent).order_by(TrainingEvent.held_on.desc())
    if visible is not None:
        query = query.where(TrainingEvent.unit_id.in_(visible))
    return render_template("hr/training.html", events=list(db.session.scalars(query)), form=form)


def init_app(app: Flask) -> None:
    """Register the admin blueprint and the logout form for every HR page."""
    app.register_blueprint(bp)

    @app.context_processor
    def _logout_form() -> dict[str, object]:
        return {"logout_form": EmptyForm} if g.get("user") else {}
