"""User management pages (admins only), on the HR blueprint `admin`.

Every change goes through `services.users`, which audits it; each POST is a Flask-WTF form;
the request commits (`database.App`).
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, g, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms.fields.choices import SelectChoice

from ..extensions import db
from ..models import Role, User
from ..services import units_in_tree_order
from ..services.users import (
    UserRuleError,
    change_role,
    create_user,
    list_users,
    reset_password,
    set_active,
    set_export_permission,
)
from .auth import login_required, start_session
from .blueprint import bp
from .common import refuse
from .forms import FlagForm, PasswordResetForm, UserCreateForm, UserRoleForm

ADMIN_ONLY = _l("Hanya admin yang dapat mengelola pengguna. Minta admin BKPSDM bila Anda "
                "memerlukan akses.")
admin_required = login_required(Role.ADMIN, refusal=ADMIN_ONLY)


def _unit_choices(form: UserCreateForm | UserRoleForm) -> None:
    form.unit.choices = [SelectChoice(0, "-")] + [
        SelectChoice(u.id, f"{'— ' * d}{u.code} · {u.name}") for u, d in units_in_tree_order()]


def _unit_id(form: UserCreateForm | UserRoleForm) -> int | None:
    return form.unit.data or None


def _user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.route("/pengguna", methods=["GET", "POST"])
@admin_required
def users() -> ResponseReturnValue:
    """Every HR user and a form to create one."""
    form = UserCreateForm()
    _unit_choices(form)
    status = 200
    if form.validate_on_submit():
        try:
            user = create_user(form.username.data, form.password.data, form.role.data,
                               _unit_id(form), actor=g.user.username)
        except UserRuleError as exc:
            refuse(exc)
            status = 422
        else:
            flash(_("Pengguna %(u)s dibuat.", u=user.username))
            return redirect(url_for("admin.users"))
    elif form.is_submitted():
        status = 422
    return render_template("hr/users.html", users=list_users(), form=form), status


def _user_page(user: User, status: int = 200, **forms: Any) -> tuple[str, int]:
    role_form = forms.get("role_form") or UserRoleForm(
        formdata=None, role=user.role, unit=user.unit_id or 0)
    _unit_choices(role_form)
    return render_template(
        "hr/user.html", user=user, role_form=role_form,
        password_form=forms.get("password_form") or PasswordResetForm(formdata=None),
        flag_form=FlagForm(formdata=None), is_self=user.id == g.user.id), status


@bp.route("/pengguna/<int:user_id>")
@admin_required
def user(user_id: int) -> ResponseReturnValue:
    """One user: role and unit, password, active, export permission."""
    return _user_page(_user_or_404(user_id))


def _refused(user: User, exc: UserRuleError, **forms: Any) -> tuple[str, int]:
    """Roll back and show the user page with the rule that was broken (409)."""
    refuse(exc)
    return _user_page(user, 409, **forms)


@bp.route("/pengguna/<int:user_id>/peran", methods=["POST"])
@admin_required
def user_role(user_id: int) -> ResponseReturnValue:
    """Change a user's role and unit."""
    user = _user_or_404(user_id)
    form = UserRoleForm()
    _unit_choices(form)
    if not form.validate_on_submit():
        return _user_page(user, 422, role_form=form)
    try:
        changed = change_role(user, form.role.data, _unit_id(form), actor=g.user)
    except UserRuleError as exc:
        return _refused(user, exc, role_form=form)
    flash(_("Peran %(u)s diubah.", u=user.username) if changed else _("Tidak ada perubahan."))
    return redirect(url_for("admin.user", user_id=user.id))


@bp.route("/pengguna/<int:user_id>/sandi", methods=["POST"])
@admin_required
def user_password(user_id: int) -> ResponseReturnValue:
    """Reset a user's password."""
    user = _user_or_404(user_id)
    form = PasswordResetForm()
    if not form.validate_on_submit():
        return _user_page(user, 422, password_form=form)
    try:
        reset_password(user, form.password.data, actor=g.user)
    except UserRuleError as exc:
        return _refused(user, exc, password_form=form)
    if user.id == g.user.id:  # the admin's other sessions end; this one goes on
        start_session(user)
    flash(_("Kata sandi %(u)s diganti.", u=user.username))
    return redirect(url_for("admin.user", user_id=user.id))


def _flag(user_id: int) -> tuple[User, bool]:
    """The target user and the posted 1/0 value (400 when the form is not valid)."""
    user = _user_or_404(user_id)
    form = FlagForm()
    if not form.validate_on_submit():
        abort(400)
    return user, form.value.data == "1"


@bp.route("/pengguna/<int:user_id>/status", methods=["POST"])
@admin_required
def user_active(user_id: int) -> ResponseReturnValue:
    """Deactivate (value 0) or reactivate (value 1) a user."""
    user, active = _flag(user_id)
    try:
        changed = set_active(user, active, actor=g.user)
    except UserRuleError as exc:
        return _refused(user, exc)
    if changed:
        flash(_("%(u)s diaktifkan kembali.", u=user.username) if active
              else _("%(u)s dinonaktifkan; sesinya berakhir pada permintaan berikutnya.",
                     u=user.username))
    return redirect(url_for("admin.user", user_id=user.id))


@bp.route("/pengguna/<int:user_id>/izin-ekspor", methods=["POST"])
@admin_required
def user_export(user_id: int) -> ResponseReturnValue:
    """Grant (value 1) or revoke (value 0) the respondent-level export permission."""
    user, granted = _flag(user_id)
    set_export_permission(user, granted, actor=g.user)
    flash(_("Izin ekspor data per responden diberikan kepada %(u)s.", u=user.username)
          if granted else _("Izin ekspor data per responden dicabut dari %(u)s.",
                            u=user.username))
    return redirect(url_for("admin.user", user_id=user.id))
