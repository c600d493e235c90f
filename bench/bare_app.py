"""The app bench/submit.py serves: `survey_app.create_app()` plus the bare pair's two routes, a
static page (GET /bench/page) and a CSRF-exempt POST that inserts one row without validation
(POST /bench/insert). The routes exist only in this app, never in the product.

    gunicorn -c gunicorn.conf.py "bench.bare_app:create_bench_app()"

The insert's scratch table `bench_row` lies outside the migrations on purpose; bench/submit.py
creates it (`create_scratch_table`) once, before gunicorn's workers start.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, Flask

from survey_app import create_app
from survey_app.extensions import csrf, db

PAGE = "<!doctype html><title>bench</title><p>bench</p>"

bp = Blueprint("bench", __name__, url_prefix="/bench")
csrf.exempt(bp)


@bp.get("/page")
def page() -> str:
    """A static page."""
    return PAGE


@bp.post("/insert")
def insert() -> str:
    """Insert one row, nothing else; the app commits it at the end of the request, as it does
    a submission (survey_app.database.App)."""
    db.session.execute(sa.text("INSERT INTO bench_row (id) VALUES (:id)"),
                       {"id": secrets.token_hex(16)})
    return "ok"


def create_bench_app(config: Mapping[str, Any] | None = None) -> Flask:
    """The product's app (settings as `create_app` takes them) with the bare pair's routes."""
    app = create_app(config)
    app.register_blueprint(bp)
    return app


def create_scratch_table(app: Flask) -> None:
    """Create `bench_row` in the app's database. Once, before any worker serves: two workers
    racing on CREATE TABLE IF NOT EXISTS fail on PostgreSQL (pg_type)."""
    with app.app_context(), db.engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE IF NOT EXISTS bench_row (id VARCHAR(32) PRIMARY KEY)"))
