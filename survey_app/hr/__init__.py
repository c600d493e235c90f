"""The staff side (/hr): login, units, waves and codes, users, training, SKM follow-up and
consultation forums, results, reports and exports.

Blueprints: `auth` (login), `admin` (the pages of `admin.py`, `audit_log.py`, `comments.py`,
`skm.py` and `users.py`), `results`, `plans` (development plans), `citizens`, `reports`
and `exports` (downloads of closed waves).
"""

from flask import Flask, g

from . import admin, audit_log, comments, skm, users  # noqa: F401  (routes on blueprint.bp)
from .auth import bp as auth_bp
from .blueprint import bp as admin_bp
from .citizens import bp as citizens_bp
from .exports import bp as exports_bp
from .forms import EmptyForm
from .plans import bp as plans_bp
from .reports import bp as reports_bp
from .results import bp as results_bp


def init_app(app: Flask) -> None:
    """Register the HR blueprints and the logout form every HR page shows."""
    for bp in (auth_bp, admin_bp, reports_bp, exports_bp, results_bp, citizens_bp, plans_bp):
        app.register_blueprint(bp)

    @app.context_processor
    def _logout_form() -> dict[str, object]:
        return {"logout_form": EmptyForm} if g.get("user") else {}
