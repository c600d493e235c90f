"""The anonymous side: a respondent enters a code, reads what is stored, answers, gets a
receipt (blueprint `respond`, /isi)."""

from flask import Flask, redirect, url_for

from ..extensions import compress
from .citizen import bp as citizen_bp
from .views import bp


def init_app(app: Flask) -> None:
    """Register the respondent and citizen pages (compressed for slow networks); `/` leads
    to the respondents' code page."""
    compress.init_app(app)
    app.register_blueprint(bp)
    app.register_blueprint(citizen_bp)  # the citizens' SKM form (/skm), same audience rules
    app.add_url_rule("/", "home", lambda: redirect(url_for("respond.enter")))
