"""Bench-only baseline routes (enabled by LENTERA_BENCH, never in production): a static page
and a POST that inserts one row without validation or CSRF. bench/submit.py compares the real
respondent pair (GET form + POST answers) with this bare pair in the same server."""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from flask import Blueprint, Flask

from .extensions import csrf, db

bp = Blueprint("bench", __name__, url_prefix="/bench")
PAGE = "<!doctype html><title>bench</title><p>bench</p>"


@bp.get("/page")
def page() -> str:
    """A static page."""
    return PAGE


@bp.post("/insert")
def insert() -> str:
    """Insert one row, nothing else."""
    db.session.execute(sa.text("INSERT INTO bench_row (id) VALUES (:id)"),
                       {"id": secrets.token_hex(16)})
    db.session.commit()
    return "ok"


def init_app(app: Flask) -> None:
    """Register the routes and create their scratch table (outside the migrations on purpose)."""
    csrf.exempt(bp)
    app.register_blueprint(bp)
    with app.app_context(), db.engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE IF NOT EXISTS bench_row (id VARCHAR(32) PRIMARY KEY)"))
