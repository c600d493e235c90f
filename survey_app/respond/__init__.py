"""The anonymous side: a respondent enters a code, reads what is stored, answers, gets a
receipt (blueprint `respond`, /isi)."""

from flask import Flask, redirect, url_for

from ..extensions import compress
from .views import bp


def init_app(app: Flask) -> None:
    """Register the respondent pages, compressed for slow networks; `/` leads to them."""
    compress.init_app(app)
    app.register_blueprint(bp)
    app.add_url_rule("/", "home", lambda: redirect(url_for("respond.enter")))
