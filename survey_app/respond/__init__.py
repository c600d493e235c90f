"""The anonymous side: a respondent enters a code, reads what is stored, answers, gets a
receipt (blueprint `respond`, /isi)."""

from flask import Flask, redirect, url_for

from .views import bp


def init_app(app: Flask) -> None:
    """Register the respondent pages; `/` leads respondents to them."""
    app.register_blueprint(bp)
    app.add_url_rule("/", "home", lambda: redirect(url_for("respond.enter")))
