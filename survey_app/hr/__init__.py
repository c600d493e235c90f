"""The staff side (/hr): login, units, waves and codes, users, training, reports and exports.

Blueprints: `auth` (login), `admin` (the pages of `admin.py`, `audit_log.py` and `users.py`),
`reports` and `exports` (downloads of closed waves), `results`, `plans` (development plans).
"""

from flask import Flask, g

from . import admin, audit_log, users  # noqa: F401  (their routes are on blueprint.bp)
from .auth import bp as auth_bp
from .blueprint import bp as admin_bp
from .exports import bp as exports_bp
from .forms import EmptyForm
from .plans import bp as plans_bp
from .reports import bp as reports_bp
from .results import bp as results_bp


def init_app(app: Flask) -> None:
    """Register the HR blueprints and the logout form every HR page shows."""
    for bp in (auth_bp, admin_bp, reports_bp, exports_bp, results_bp, plans_bp):
        app.register_blueprint(bp)

    @app.context_processor
    def _logout_form() -> dict[str, object]:
        return {"logout_form": EmptyForm} if g.get("user") else {}
