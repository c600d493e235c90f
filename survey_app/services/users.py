"""HR user accounts: create, change role/unit, reset password, (de)activate, export permission.

Every change is written to the audit log (actor, action, detail; never a password). The
guards keep at least one active admin and stop an admin from locking themselves out.
"""

from __future__ import annotations

import sqlalchemy as sa
from werkzeug.security import generate_password_hash
from zxcvbn import zxcvbn

from ..extensions import db
from ..models import Role, Unit, User
from .waves import add_audit_entry

#: The password strength rule shared by `flask create-admin` and the user management page:
#: a minimum length, and a zxcvbn score (0-4) of at least 3, which zxcvbn calls "safely
#: unguessable" (about 10^10 guesses: common passwords, names, dates and keyboard patterns
#: such as "password12" score 0-2).
PASSWORD_MIN_LENGTH = 10
PASSWORD_MIN_SCORE = 3
#: zxcvbn's run time grows with the length; the first characters decide its score anyway.
PASSWORD_SCORED_CHARS = 100


class UserRuleError(ValueError):
    """A user-management action breaks a rule; `reason` names it, `detail` gives the value."""

    ENGLISH = {
        "unknown_role": "unknown role {d}; use admin, analyst or unit_head",
        "weak_password": f"password must have at least {PASSWORD_MIN_LENGTH} characters",
        "common_password": "the password is too easy to guess (a common password, word, name "
                           "or pattern); use a few uncommon words or a short sentence",
        "empty_username": "username must not be empty",
        "duplicate_username": "username {d} is already taken",
        "unknown_unit": "no such unit: {d}",
        "unit_required": "a unit head needs a unit",
        "self_deactivate": "you cannot deactivate your own account",
        "self_demote": "you cannot change your own role",
        "last_admin": "{d} is the last active admin",
    }

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(self.ENGLISH[reason].format(d=detail))
        self.reason = reason
        self.detail = detail


def check_password(password: str, username: str = "") -> None:
    """Raise UserRuleError unless the password is long enough and hard to guess."""
    if len(password) < PASSWORD_MIN_LENGTH:
        raise UserRuleError("weak_password", str(PASSWORD_MIN_LENGTH))
    inputs = [word for word in (username, "lentera", "survei") if word]
    if zxcvbn(password[:PASSWORD_SCORED_CHARS], user_inputs=inputs)["score"] \
            < PASSWORD_MIN_SCORE:
        raise UserRuleError("common_password")


def _check_role_unit(role: str, unit_id: int | None) -> Unit | None:
    """The unit of a unit head (which must exist); None for the other roles."""
    if role not in set(Role):
        raise UserRuleError("unknown_role", role)
    if role != Role.UNIT_HEAD:
        return None  # a unit means nothing for admins and analysts: not stored
    if unit_id is None:
        raise UserRuleError("unit_required")
    unit = db.session.get(Unit, unit_id)
    if unit is None:
        raise UserRuleError("unknown_unit", str(unit_id))
    return unit


def create_user(username: str, password: str, role: str, unit_id: int | None = None, *,
                actor: str | None = None) -> User:
    """A new active HR user with a hashed password; audited when `actor` is given."""
    username = username.strip()
    if not username:
        raise UserRuleError("empty_username")
    unit = _check_role_unit(role, unit_id)
    check_password(password, username)
    taken = db.session.scalar(sa.select(User.id).where(
        sa.func.lower(User.username) == username.lower()))
    if taken is not None:
        raise UserRuleError("duplicate_username", username)
    user = User(username=username, password_hash=generate_password_hash(password), role=role,
                unit_id=unit.id if unit else None, active=True, can_export_respondents=False)
    db.session.add(user)
    db.session.flush()
    if actor is not None:
        add_audit_entry(actor, "user.create", None, f"{username}: {_describe(user)}")
    return user


def _describe(user: User) -> str:
    unit = db.session.get(Unit, user.unit_id) if user.unit_id else None
    return f"role={user.role}" + (f" unit={unit.code}" if unit else "")


def _other_active_admins(user: User) -> int:
    """Active admins other than `user`; the rows are locked so two concurrent demotions
    cannot both pass (PostgreSQL; SQLite serialises writers at BEGIN IMMEDIATE)."""
    ids = db.session.scalars(
        sa.select(User.id).where(User.role == Role.ADMIN.value, User.active.is_(True),
                                 User.id != user.id).with_for_update())
    return len(list(ids))


def _guard_admin_removal(user: User) -> None:
    """Refuse to take away the last active admin."""
    if user.role == Role.ADMIN and user.active and _other_active_admins(user) == 0:
        raise UserRuleError("last_admin", user.username)


def change_role(user: User, role: str, unit_id: int | None, *, actor: User) -> bool:
    """Set a user's role and unit (unit heads only); False when nothing changed."""
    unit = _check_role_unit(role, unit_id)
    new_unit_id = unit.id if unit else None
    if role == user.role and new_unit_id == user.unit_id:
        return False
    if role != user.role:
        if user.id == actor.id:
            raise UserRuleError("self_demote")
        if user.role == Role.ADMIN:
            _guard_admin_removal(user)
    before = _describe(user)
    user.role, user.unit_id = role, new_unit_id
    db.session.flush()
    db.session.expire(user, ["unit"])
    add_audit_entry(actor.username, "user.update", None,
                    f"{user.username}: {before} -> {_describe(user)}")
    return True


def end_sessions(user: User) -> None:
    """End every session of `user`, on every device and every copy of its cookie."""
    user.session_version = User.session_version + 1  # one UPDATE: concurrent ends both count
    db.session.flush()
    db.session.refresh(user, ["session_version"])


def reset_password(user: User, password: str, *, actor: User) -> None:
    """Give a user a new password (same strength rule as at creation); ends their sessions."""
    check_password(password, user.username)
    user.password_hash = generate_password_hash(password)
    end_sessions(user)
    add_audit_entry(actor.username, "user.password_reset", None, user.username)


def set_active(user: User, active: bool, *, actor: User) -> bool:
    """Deactivate (ending their sessions) or reactivate a user; False when it already was."""
    if user.active == active:
        return False
    if not active:
        if user.id == actor.id:
            raise UserRuleError("self_deactivate")
        _guard_admin_removal(user)
    user.active = active
    if not active:
        end_sessions(user)
    db.session.flush()
    add_audit_entry(actor.username, "user.reactivate" if active else "user.deactivate", None,
                    user.username)
    return True


def set_export_permission(user: User, granted: bool, *, actor: User) -> bool:
    """Grant or revoke the respondent-level export permission; False when unchanged."""
    if user.can_export_respondents == granted:
        return False
    user.can_export_respondents = granted
    db.session.flush()
    add_audit_entry(actor.username, "user.export_grant" if granted else "user.export_revoke", None,
                    user.username)
    return True


def list_users() -> list[User]:
    """Every HR user, by username."""
    return list(db.session.scalars(sa.select(User).order_by(User.username)))
