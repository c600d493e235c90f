"""HR login (Flask-WTF form, werkzeug password hashes) and role checks."""

from __future__ import annotations

import functools
import secrets
import threading
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, flash, g, redirect, render_template, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from werkzeug.security import check_password_hash, generate_password_hash

from ..config import HR_PREFIX
from ..extensions import db
from ..models import Role, User
from ..ops.ratelimit import (
    Refusal,
    login_limited,
    note_login_failure,
    note_login_success,
    refusal_text,
    too_many,
)
from ..services import add_audit_entry
from ..services.users import end_sessions
from .forms import EmptyForm, LoginForm

bp = Blueprint("auth", __name__, url_prefix=HR_PREFIX, template_folder="templates")
# A hash of a random password nobody knows, made with the same (default) method as the users'
# hashes; checked against for an unknown username so that it answers as slowly as a real one.
_dummy_hash: list[str] = []
_dummy_lock = threading.Lock()


def spend_password_check(password: str) -> None:
    """Take as long as checking a real user's password (the answer is always no)."""
    with _dummy_lock:
        if not _dummy_hash:  # making the hash costs what checking one costs
            _dummy_hash.append(generate_password_hash(secrets.token_hex(16)))
            return
    check_password_hash(_dummy_hash[0], password)


def login_required(*roles: Role, refusal: str | None = None
                   ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Require a logged-in HR user, with one of `roles` when given.

    `refusal` (a lazy_gettext string) tells a user without the role why the page is closed.
    """

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if g.get("user") is None:
                return redirect(url_for("auth.login"))
            if roles and g.user.role not in roles:
                abort(403, description=str(refusal) if refusal is not None else None)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def start_session(user: User) -> None:
    """Log `user` in on this session, bound to their current session version."""
    session["user_id"] = user.id
    session["session_version"] = user.session_version


@bp.before_app_request
def load_user() -> None:
    """Put the logged-in HR user (if any) on `g`; the respond routes never set one.

    The session cookie is signed but kept by the browser, so a copy of it would outlive a
    logout; the session version stored in it must still be the user's (logout, a password
    reset and deactivation raise it), and the user must be active.
    """
    user_id = session.get("user_id")
    g.user = db.session.get(User, user_id) if user_id is not None else None
    if g.user is not None and (not g.user.active
                               or session.get("session_version") != g.user.session_version):
        session.pop("user_id", None)
        session.pop("session_version", None)
        g.user = None


def too_many_logins(refusal: Refusal) -> tuple[str, int, dict[str, str]]:
    """The login page again, saying how long to wait."""
    flash(refusal_text(refusal))
    return too_many(refusal, render_template("hr/login.html", form=LoginForm(formdata=None)))


def account_name(typed: str) -> str:
    """The stored username of the account `typed` names (case aside), or "" for none.

    A failed login is audited under this name only: what was typed may be a password typed
    into the wrong field, so it is never stored unless it is an existing account's name.
    """
    name = db.session.scalar(sa.select(User.username).where(
        sa.func.lower(User.username) == typed.strip().lower()))
    return name or ""


@bp.route("/masuk", methods=["GET", "POST"])
@login_limited(too_many_logins)
def login() -> ResponseReturnValue:
    """Log in."""
    form = LoginForm()
    if form.validate_on_submit():
        user = db.session.scalar(sa.select(User).where(User.username == form.username.data))
        if user is None:
            spend_password_check(form.password.data)
        if user is not None and check_password_hash(user.password_hash, form.password.data):
            note_login_success(form.username.data)
            if user.active:
                session.clear()
                start_session(user)
                add_audit_entry(user.username, "login")
                return redirect(url_for("admin.index"))
            add_audit_entry(user.username, "login.inactive")
            # Said only after the right password, so it reveals nothing to a guesser.
            flash(_("Akun ini dinonaktifkan. Hubungi admin untuk mengaktifkannya kembali."))
        else:
            note_login_failure(form.username.data)
            add_audit_entry(user.username if user is not None
                            else account_name(form.username.data), "login.failed")
            flash(_("Nama pengguna atau kata sandi salah."))
    return render_template("hr/login.html", form=form)


@bp.route("/keluar", methods=["POST"])
def logout() -> ResponseReturnValue:
    """Log out (a CSRF-protected POST): ends every session of the user, copies included."""
    if EmptyForm().validate_on_submit():
        if g.get("user") is not None:
            end_sessions(g.user)
            add_audit_entry(g.user.username, "logout")
        session.pop("user_id", None)
        session.pop("session_version", None)
    return redirect(url_for("auth.login"))
