"""Development plans per unit and year (blueprint `plans`, /hr/rencana): the plans of a year,
drafting a plan from a unit's published results, editing its actions (one form each), the
XLSX and PDF a BKPSDM files, the organisation's learning offers, and JP delivered against
20 JP per ASN. A unit head sees and edits the plans of their own subtree only. The rules
are in `services.plans`; every change is audited there."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from reports.plan import PlanDocument, PlanRow, render_plan, rupiah
from reports.wording import number

from ..config import HR_PREFIX
from ..extensions import db
from ..i18n import current_lang
from ..instrument_store import UnknownInstrument, available_instruments, get_instrument
from ..messages import rule_message
from ..models import DevelopmentPlan, LearningOffer, PlanAction, Unit, Wave, WaveState
from ..services import units_in_tree_order
from ..services.plans import (
    DRAFT_HOURS_JP,
    JP_TARGET_PER_ASN,
    ActionFields,
    Draft,
    OfferFields,
    PlanRuleError,
    action_jp,
    add_action,
    add_offer,
    create_plan,
    draft_plan,
    jp_summary,
    plan_of,
    plan_totals,
    remove_action,
    set_plan_status,
    update_action,
    update_offer,
)
from ..services.publication import culture_keys, org_name
from .auth import login_required
from .common import HR, download, report_lang, visible_unit_ids, wave_or_404
from .forms import (
    ACTION_STATUS_CHOICES,
    GROUP_CHOICES,
    MONTHS,
    PATH_CHOICES,
    EmptyForm,
    OfferForm,
    PlanActionForm,
    PlanDraftForm,
    PlanStatusForm,
)

bp = Blueprint("plans", __name__, url_prefix=f"{HR_PREFIX}/rencana")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def plan_rule_message(error: PlanRuleError) -> str:
    """A plan change that breaks a rule, in the page's language."""
    texts: dict[str, str] = {
        "wave_not_closed": _("Gelombang %(d)s belum ditutup; rencana disusun dari hasil "
                             "gelombang yang sudah ditutup."),
        "unit_not_in_wave": _("Unit ini tidak termasuk gelombang %(d)s."),
        "no_culture": _("Gelombang %(d)s tidak memiliki instrumen budaya."),
        "plan_exists": _("Rencana %(d)s sudah ada; ubah rencana itu."),
        "bad_year": _("Tahun rencana harus antara 2000 dan 2100 (diisi: %(d)s)."),
        "empty_title": _("Judul tindakan kosong."),
        "bad_target": _("Sasaran tidak dikenal: %(d)s."),
        "no_target": _("Pilih dimensi sasaran atau tuliskan kompetensinya."),
        "bad_group": _("Kelompok sasaran tidak dikenal: %(d)s."),
        "bad_path": _("Jalur pengembangan tidak dikenal: %(d)s."),
        "bad_status": _("Status tindakan tidak dikenal: %(d)s."),
        "bad_month": _("Bulan harus 1 sampai 12 (diisi: %(d)s)."),
        "months_order": _("Bulan selesai tidak boleh sebelum bulan mulai (%(d)s)."),
        "bad_hours": _("JP harus lebih dari 0 dan paling banyak 1000 (diisi: %(d)s)."),
        "bad_budget": _("Anggaran harus rupiah bulat nol atau lebih (diisi: %(d)s)."),
        "bad_plan_status": _("Status rencana tidak dikenal: %(d)s."),
        "empty_plan": _("Rencana %(d)s belum memiliki tindakan; tambahkan tindakan sebelum "
                        "disetujui."),
        "bad_url": _("Tautan harus diawali https:// atau http:// (diisi: %(d)s)."),
        "bad_participants": _("Jumlah peserta paling sedikit 1 (diisi: %(d)s)."),
        "action_other_unit": _("Tindakan rencana itu milik unit %(d)s; pilih unit yang sama "
                               "atau tanpa tindakan rencana."),
    }
    return texts[error.reason] % {"d": error.detail}


def any_rule_message(error: Exception) -> str:
    """The message of a refused plan, offer or training change."""
    if isinstance(error, PlanRuleError):
        return plan_rule_message(error)
    return rule_message(error)


# ---------------------------------------------------------------- labels

def _labels(choices: Sequence[SelectChoice]) -> dict[Any, str]:
    return {c.value: str(c.label) for c in choices}


def path_label(path: str) -> str:
    """A development path in words."""
    return _labels(PATH_CHOICES).get(path, path)


def group_label(group: str) -> str:
    """A target group (position type) in words."""
    return _labels(GROUP_CHOICES).get(group, group)


def status_label(status: str) -> str:
    """An action's status in words."""
    return _labels(ACTION_STATUS_CHOICES).get(status, status)


def plan_status_label(status: str) -> str:
    """A plan's status in words."""
    return str(_("Disetujui") if status == "approved" else _("Draf"))


def months_label(start: int, end: int) -> str:
    """An action's schedule as month names."""
    names = _labels(MONTHS)
    return names[start] if start == end else f"{names[start]}–{names[end]}"


def dimension_label(key: str | None, code: str | None, lang: str) -> str:
    """"Instrument: dimension" in the page's language (the key itself if it no longer loads)."""
    if key is None or code is None:
        return ""
    try:
        instrument = get_instrument(key)
    except UnknownInstrument:
        return f"{key}: {code}"
    for scale in instrument.scales:
        for dim in scale.dimensions:
            if dim.code == code:
                return f"{instrument.title.get(lang)}: {dim.name.get(lang)}"
    return f"{instrument.title.get(lang)}: {code}"


def action_target(action: PlanAction, lang: str) -> str:
    """What an action targets, in words."""
    return dimension_label(action.instrument_key, action.dimension, lang) or action.competence


def target_choices(keys: Sequence[str], current: Sequence[str], lang: str
                   ) -> list[SelectChoice]:
    """Dimensions an action or offer may target ("key|code"), plus values already stored."""
    out = [SelectChoice("", _("— tidak ada (tulis kompetensinya) —"))]
    for key in keys:
        instrument = get_instrument(key)
        out.extend(SelectChoice(f"{key}|{d.code}", dimension_label(key, d.code, lang))
                   for s in instrument.scales for d in s.dimensions)
    known = {c.value for c in out}
    for value in current:
        if value and value not in known:
            key, _sep, code = value.partition("|")
            out.append(SelectChoice(value, dimension_label(key, code, lang)))
            known.add(value)
    return out


def culture_instrument_keys(wave: Wave | None) -> list[str]:
    """The plan's wave's culture instruments, or every culture instrument on offer."""
    if wave is not None and culture_keys(wave):
        return culture_keys(wave)
    return [i.key for i in available_instruments() if i.kind != "skm"]


# ---------------------------------------------------------------- access

def check_unit(unit_id: int) -> None:
    """403 for a unit outside the user's subtree."""
    visible = visible_unit_ids()
    if visible is not None and unit_id not in visible:
        abort(403)


def plan_or_404(plan_id: int) -> DevelopmentPlan:
    """The plan of the URL, if the user may see it (403 outside the subtree)."""
    plan = db.session.get(DevelopmentPlan, plan_id)
    if plan is None:
        abort(404)
    check_unit(plan.unit_id)
    return plan


def action_or_404(plan: DevelopmentPlan, action_id: int) -> PlanAction:
    """An action of the plan."""
    action = db.session.get(PlanAction, action_id)
    if action is None or action.plan_id != plan.id:
        abort(404)
    return action


def year_arg(default: int) -> int:
    """The `?tahun=` of the URL (a year 2000..2100), else `default`; anything else is 400."""
    raw = request.args.get("tahun")
    if raw is None or raw == "":
        return default
    if not raw.isdigit() or not 2000 <= int(raw) <= 2100:
        abort(400, description=_("Tahun harus angka antara 2000 dan 2100 (diisi: %(v)s).",
                                 v=raw))
    return int(raw)


def default_plan_year(wave: Wave) -> int:
    """The year a plan drafted from `wave` is for: a wave closing in the last quarter plans
    the next year, an earlier one the rest of its own year."""
    return wave.closes_on.year + (1 if wave.closes_on.month >= 10 else 0)


# ---------------------------------------------------------------- list and draft

@bp.route("/")
@login_required()
def index() -> ResponseReturnValue:
    """The plans of a year (the user's subtree), with their totals."""
    year = year_arg(dt.date.today().year)
    query = sa.select(DevelopmentPlan).where(DevelopmentPlan.year == year)
    visible = visible_unit_ids()
    if visible is not None:
        query = query.where(DevelopmentPlan.unit_id.in_(visible))
    by_unit = {p.unit_id: p for p in db.session.scalars(query)}
    ordered = [(by_unit[u.id], d) for u, d in units_in_tree_order(visible) if u.id in by_unit]
    years = sorted({y for (y,) in db.session.execute(sa.select(DevelopmentPlan.year)
                                                     .distinct())} | {year}, reverse=True)
    lang = current_lang()
    return render_template(
        "hr/plans.html", year=year, years=years, lang=lang,
        plans=[(p, d, *plan_totals(p)) for p, d in ordered],
        waves=list(db.session.scalars(sa.select(Wave).where(Wave.state == WaveState.CLOSED)
                                      .order_by(Wave.opens_on.desc()))),
        rupiah=rupiah, number=number, plan_status_label=plan_status_label)


@bp.route("/susun/<int:wave_id>/<int:unit_id>", methods=["GET", "POST"])
@login_required()
def draft(wave_id: int, unit_id: int) -> ResponseReturnValue:
    """What a closed wave's published results support for a unit, and drafting its plan."""
    wave = wave_or_404(wave_id)
    check_unit(unit_id)
    unit = db.session.get(Unit, unit_id)
    if unit is None:
        abort(404)
    lang = current_lang()
    try:
        proposal = draft_plan(unit, wave, lang)
    except PlanRuleError as exc:
        abort(409, description=plan_rule_message(exc))
    form = PlanDraftForm()
    if not form.is_submitted():
        form.year.data = default_plan_year(wave)
    if form.validate_on_submit():
        try:
            plan = create_plan(proposal, int(form.year.data or 0), actor=g.user.username)
        except PlanRuleError as exc:
            db.session.rollback()
            flash(plan_rule_message(exc))
        else:
            flash(_("Rencana %(u)s %(y)s disusun dengan %(n)s tindakan; periksa dan ubah "
                    "setiap tindakan.", u=unit.name, y=plan.year, n=len(plan.actions)))
            return redirect(url_for("plans.edit", plan_id=plan.id))
    existing = plan_of(unit.id, form.year.data) if isinstance(form.year.data, int) else None
    return render_template("hr/plan_draft.html", wave=wave, unit=unit, draft=proposal,
                           form=form, existing=existing, why=draft_reason(proposal),
                           draft_jp=number(DRAFT_HOURS_JP, 0, lang),
                           path_label=path_label,
                           lang=lang), (422 if form.errors else 200)


def draft_reason(draft: Draft) -> str:
    """Why the draft proposes nothing, in words ("" when it proposes actions)."""
    reasons = {
        "hidden": _("Hasil unit ini tidak ditampilkan pada gelombang %(w)s (kurang dari k = "
                    "%(k)s responden, atau disembunyikan agar tidak dapat dihitung dengan "
                    "pengurangan); karena itu tidak ada tindakan yang diusulkan dari hasil "
                    "ini."),
        "no_weakness": _("Tidak ada dimensi unit ini yang didukung bukti sebagai lebih lemah "
                         "daripada bagian lain organisasi atau daripada gelombang sebelumnya; "
                         "karena itu tidak ada tindakan yang diusulkan dari hasil ini."),
        "no_actions": _("Ada dimensi yang lebih lemah, tetapi katalog instrumen dan daftar "
                        "tawaran pembelajaran organisasi tidak memiliki tindakan untuknya."),
    }
    text = reasons.get(draft.reason)
    return text % {"w": draft.wave.name, "k": draft.wave.k} if text else ""


# ---------------------------------------------------------------- one plan

def action_form(plan: DevelopmentPlan, action: PlanAction | None, lang: str,
                formdata: Any = None) -> PlanActionForm:
    """The form of one action (prefix by action id, so every field id is unique); without
    `formdata` it shows the stored action, even while another form's POST is answered."""
    prefix = f"a{action.id}" if action is not None else "baru"
    form = PlanActionForm(formdata=formdata, obj=action, prefix=prefix)
    stored = f"{action.instrument_key}|{action.dimension}" if action is not None \
        and action.dimension else ""
    form.target.choices = target_choices(culture_instrument_keys(plan.wave),
                                         [stored, str(form.target.data or "")], lang)
    if action is not None and formdata is None:
        form.target.data = stored
    return form


def fields_of(form: PlanActionForm) -> ActionFields:
    """What the form holds, for the service."""
    return ActionFields(
        title=form.title.data or "", target=form.target.data or "",
        competence=form.competence.data or "", target_group=form.target_group.data,
        path=form.path.data, provider=form.provider.data or "",
        start_month=int(form.start_month.data), end_month=int(form.end_month.data),
        hours_jp=float(form.hours_jp.data or 0), budget=int(form.budget.data or 0),
        status=form.status.data)


@dataclass
class ActionView:
    """An action on the plan page: its form and what was delivered against it."""

    action: PlanAction | None
    form: PlanActionForm
    target: str
    delivered: str


def render_plan_page(plan: DevelopmentPlan, failed: PlanActionForm | None = None,
                     failed_id: int | None = None, status: int = 200) -> ResponseReturnValue:
    """The plan page; a form that failed is shown with what was typed and its messages."""
    lang = current_lang()
    delivered = action_jp([a.id for a in plan.actions])
    views = []
    for action in plan.actions:
        form = failed if failed is not None and failed_id == action.id else \
            action_form(plan, action, lang)
        views.append(ActionView(action, form, action_target(action, lang),
                                number(delivered.get(action.id, 0.0), 1, lang)))
    new = failed if failed is not None and failed_id is None else action_form(plan, None, lang)
    jp = jp_summary([(plan.unit, 0)], plan.year)[0]
    total_jp, total_budget = plan_totals(plan)
    return render_template(
        "hr/plan.html", plan=plan, views=views, new=new, jp=jp, lang=lang,
        total_jp=number(total_jp, 1, lang), total_budget=rupiah(total_budget, lang),
        number=number, rupiah=rupiah, path_label=path_label, group_label=group_label,
        status_label=status_label, months_label=months_label,
        plan_status_label=plan_status_label, remove_form=EmptyForm(),
        status_form=PlanStatusForm(), can_approve=g.user.role in HR,
        target_per_asn=JP_TARGET_PER_ASN), status


@bp.route("/<int:plan_id>")
@login_required()
def edit(plan_id: int) -> ResponseReturnValue:
    """A plan with one form per action, a form for a new action, and its JP."""
    return render_plan_page(plan_or_404(plan_id))


def _save(plan: DevelopmentPlan, action: PlanAction | None) -> ResponseReturnValue:
    """Check and store one action's form; on bad input the page keeps what was typed."""
    lang = current_lang()
    form = action_form(plan, action, lang, formdata=request.form)
    if form.validate_on_submit():
        try:
            if action is None:
                add_action(plan, fields_of(form), actor=g.user.username)
            else:
                update_action(action, fields_of(form), actor=g.user.username)
        except PlanRuleError as exc:
            db.session.rollback()
            form.title.errors = [*form.title.errors, plan_rule_message(exc)]
        else:
            flash(_("Tindakan disimpan."))
            return redirect(url_for("plans.edit", plan_id=plan.id) +
                            (f"#t{action.id}" if action is not None else ""))
    plan = plan_or_404(plan.id)
    return render_plan_page(plan, form, action.id if action is not None else None, 422)


@bp.route("/<int:plan_id>/tindakan", methods=["POST"])
@login_required()
def action_add(plan_id: int) -> ResponseReturnValue:
    """Add an action to the plan."""
    return _save(plan_or_404(plan_id), None)


@bp.route("/<int:plan_id>/tindakan/<int:action_id>", methods=["POST"])
@login_required()
def action_update(plan_id: int, action_id: int) -> ResponseReturnValue:
    """Change one action."""
    plan = plan_or_404(plan_id)
    return _save(plan, action_or_404(plan, action_id))


@bp.route("/<int:plan_id>/tindakan/<int:action_id>/hapus", methods=["POST"])
@login_required()
def action_remove(plan_id: int, action_id: int) -> ResponseReturnValue:
    """Remove one action (a CSRF-protected button)."""
    plan = plan_or_404(plan_id)
    action = action_or_404(plan, action_id)
    if not EmptyForm().validate_on_submit():
        abort(400, description=_("Formulir kedaluwarsa; muat ulang halaman dan coba lagi."))
    remove_action(action, actor=g.user.username)
    flash(_("Tindakan dihapus."))
    return redirect(url_for("plans.edit", plan_id=plan.id))


@bp.route("/<int:plan_id>/status", methods=["POST"])
@login_required(*HR)
def plan_status(plan_id: int) -> ResponseReturnValue:
    """Approve a plan or put it back to draft (HR)."""
    plan = plan_or_404(plan_id)
    form = PlanStatusForm()
    if not form.validate_on_submit():
        abort(400, description=_("Status rencana tidak sah."))
    try:
        set_plan_status(plan, form.status.data, actor=g.user.username)
    except PlanRuleError as exc:
        db.session.rollback()
        flash(plan_rule_message(exc))
    return redirect(url_for("plans.edit", plan_id=plan.id))


# ---------------------------------------------------------------- exports

def plan_document(plan: DevelopmentPlan, lang: str) -> PlanDocument:
    """The plan as plain data for the PDF and the workbook."""
    delivered = action_jp([a.id for a in plan.actions])
    rows = tuple(PlanRow(
        title=a.title, target=action_target(a, lang), group=group_label(a.target_group),
        path=path_label(a.path), provider=a.provider,
        schedule=f"{months_label(a.start_month, a.end_month)} {plan.year}",
        hours_jp=a.hours_jp, budget=a.budget, status=status_label(a.status),
        cancelled=a.status == "dibatalkan", delivered_jp=delivered.get(a.id, 0.0))
        for a in plan.actions)
    jp = jp_summary([(plan.unit, 0)], plan.year)[0]
    root = plan.unit
    while root.parent is not None:
        root = root.parent
    return PlanDocument(
        org_name=org_name([root]), unit_name=plan.unit.name, year=plan.year,
        status=plan_status_label(plan.status),
        wave_label=plan.wave.name if plan.wave is not None else "",
        headcount=plan.unit.headcount, rows=rows, delivered_jp=jp.delivered,
        generated_on=dt.date.today().isoformat())


def _filename(plan: DevelopmentPlan, ext: str) -> str:
    safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in plan.unit.code)
    return f"rencana-{safe}-{plan.year}.{ext}"


@bp.route("/<int:plan_id>/rencana.pdf")
@login_required()
def pdf(plan_id: int) -> ResponseReturnValue:
    """The plan as a PDF a BKPSDM can file."""
    plan = plan_or_404(plan_id)
    lang = report_lang()
    from flask_babel import force_locale

    with force_locale(lang):
        doc = plan_document(plan, lang)
    return download(render_plan(doc, lang), _filename(plan, "pdf"), "application/pdf")


@bp.route("/<int:plan_id>/rencana.xlsx")
@login_required()
def xlsx(plan_id: int) -> ResponseReturnValue:
    """The plan as an Excel workbook: a header block, one row per action, the totals."""
    plan = plan_or_404(plan_id)
    return download(plan_workbook(plan_document(plan, current_lang()), current_lang()),
                    _filename(plan, "xlsx"), XLSX)


def plan_workbook(doc: PlanDocument, lang: str) -> bytes:
    """The workbook (openpyxl write-only); text cells stay text, never formulas."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Rencana")[:31])
    bold = Font(bold=True)

    def text(value: str, strong: bool = False) -> Any:
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        if strong:
            cell.font = bold
        return cell

    sheet.append([text(_("Rencana Pengembangan Kompetensi"), True)])
    for label, value in ((_("Organisasi"), doc.org_name), (_("Unit kerja"), doc.unit_name),
                         (_("Tahun"), str(doc.year)), (_("Status rencana"), doc.status),
                         (_("Disusun dari hasil gelombang"), doc.wave_label or "–"),
                         (_("Jumlah pegawai (saat ini)"), str(doc.headcount))):
        sheet.append([text(label, True), text(value)])
    sheet.append([])
    header = [_("No"), _("Tindakan"), _("Sasaran (dimensi/kompetensi)"),
              _("Kelompok sasaran (jenis jabatan)"), _("Jalur pengembangan"),
              _("Penyelenggara"), _("Jadwal"), _("Jam pelajaran per peserta (JP)"),
              _("Anggaran (rupiah)"), _("Status"), _("JP terlaksana (jam × peserta)")]
    sheet.append([text(h, True) for h in header])
    def amount(value: float, fmt: str = "#,##0.0", strong: bool = False) -> Any:
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = fmt
        if strong:
            cell.font = bold
        return cell

    for i, r in enumerate(doc.rows, 1):
        sheet.append([i, text(r.title), text(r.target), text(r.group), text(r.path),
                      text(r.provider) if r.provider else None, text(r.schedule),
                      amount(r.hours_jp), amount(r.budget, "#,##0"), text(r.status),
                      amount(r.delivered_jp)])
    live = [r for r in doc.rows if not r.cancelled]
    sheet.append([None, text(_("Jumlah (tanpa tindakan yang dibatalkan)"), True), None, None,
                  None, None, None, amount(sum(r.hours_jp for r in live), strong=True),
                  amount(sum(r.budget for r in live), "#,##0", True), None,
                  amount(sum(r.delivered_jp for r in doc.rows), strong=True)])
    sheet.append([])
    target = JP_TARGET_PER_ASN * doc.headcount
    sheet.append([text(_("JP terlaksana tahun %(y)s (jam × peserta)", y=doc.year), True),
                  doc.delivered_jp])
    sheet.append([text(_("Target: 20 JP × jumlah pegawai"), True), target])
    sheet.append([text(_("JP per ASN"), True),
                  doc.delivered_jp / doc.headcount if doc.headcount else None])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------- JP and offers

@bp.route("/jp")
@login_required()
def jp() -> ResponseReturnValue:
    """JP delivered per unit in a year against 20 JP x headcount (aggregates only)."""
    year = year_arg(dt.date.today().year)
    lines = jp_summary(units_in_tree_order(visible_unit_ids()), year)
    lang = current_lang()
    total = sum(line.delivered for line in lines)
    target = sum(line.target for line in lines)
    return render_template("hr/plan_jp.html", year=year, lines=lines, lang=lang,
                           number=number, total=total, target=target,
                           target_per_asn=JP_TARGET_PER_ASN)


def offer_fields(form: OfferForm) -> OfferFields:
    """What the offer form holds, for the service."""
    return OfferFields(title=form.title.data or "", path=form.path.data,
                       provider=form.provider.data or "", url=form.url.data or "",
                       target=form.target.data or "", active=bool(form.active.data))


def offer_form(offer: LearningOffer | None, keys: list[str], lang: str,
               formdata: Any = None) -> OfferForm:
    """The form of one offer (prefix by id)."""
    prefix = f"o{offer.id}" if offer is not None else "baru"
    form = OfferForm(formdata=formdata, obj=offer, prefix=prefix)
    stored = f"{offer.instrument_key}|{offer.dimension}" if offer is not None \
        and offer.dimension else ""
    form.target.choices = target_choices(keys, [stored, str(form.target.data or "")], lang)
    if offer is not None and formdata is None:
        form.target.data = stored
    return form


@bp.route("/tawaran", methods=["GET", "POST"])
@bp.route("/tawaran/<int:offer_id>", methods=["POST"])
@login_required(*HR)
def offers(offer_id: int | None = None) -> ResponseReturnValue:
    """The organisation's learning offers: one form each and one for a new offer."""
    lang = current_lang()
    keys = [i.key for i in available_instruments() if i.kind != "skm"]
    target: LearningOffer | None = None
    if offer_id is not None:
        target = db.session.get(LearningOffer, offer_id)
        if target is None:
            abort(404)
    failed: OfferForm | None = None
    if request.method == "POST":
        form = offer_form(target, keys, lang, formdata=request.form)
        if form.validate_on_submit():
            try:
                if target is None:
                    add_offer(offer_fields(form), actor=g.user.username)
                else:
                    update_offer(target, offer_fields(form), actor=g.user.username)
            except PlanRuleError as exc:
                db.session.rollback()
                form.title.errors = [*form.title.errors, plan_rule_message(exc)]
            else:
                flash(_("Tawaran pembelajaran disimpan."))
                return redirect(url_for("plans.offers"))
        failed = form
    rows = list(db.session.scalars(sa.select(LearningOffer).order_by(LearningOffer.title)))
    forms = [(o, failed if failed is not None and target is not None and target.id == o.id
              else offer_form(o, keys, lang)) for o in rows]
    new = failed if failed is not None and target is None else offer_form(None, keys, lang)
    return render_template("hr/plan_offers.html", forms=forms, new=new, lang=lang,
                           path_label=path_label, dimension_label=dimension_label), \
        (422 if failed is not None else 200)


def training_choices(visible: set[int] | None, lang: str) -> list[SelectChoice]:
    """Plan actions a training may be recorded against (the user's subtree), newest year
    first; 0 = none."""
    query = (sa.select(PlanAction, DevelopmentPlan, Unit)
             .join(DevelopmentPlan, DevelopmentPlan.id == PlanAction.plan_id)
             .join(Unit, Unit.id == DevelopmentPlan.unit_id)
             .where(PlanAction.status != "dibatalkan")
             .order_by(DevelopmentPlan.year.desc(), Unit.code, PlanAction.id))
    if visible is not None:
        query = query.where(DevelopmentPlan.unit_id.in_(visible))
    out = [SelectChoice(0, _("— tidak terkait rencana —"))]
    out.extend(SelectChoice(a.id, f"{u.name} · {p.year} · {a.title}")
               for a, p, u in db.session.execute(query))
    return out

