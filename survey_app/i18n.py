"""Flask-Babel: Bahasa Indonesia by default, English through `?lang=en` kept in the session."""

from __future__ import annotations

from flask import Flask, has_request_context, request, session
from flask_babel import get_locale

from .extensions import babel

LANGUAGES = ("id", "en")


def select_locale() -> str:
    """`?lang=` wins and is remembered in the session; otherwise the session, else `id`."""
    if not has_request_context():  # CLI commands speak Bahasa Indonesia unless forced
        return "id"
    asked = request.args.get("lang")
    if asked in LANGUAGES:
        session["lang"] = asked
        return asked
    stored = session.get("lang")
    return stored if stored in LANGUAGES else "id"


def current_lang() -> str:
    """The language of the current request ("id" or "en"; "id" outside a request)."""
    return str(get_locale() or "id") if has_request_context() else "id"


def init_app(app: Flask) -> None:
    """Register the locale selector and make the current language available to templates."""
    babel.init_app(app, locale_selector=select_locale)

    @app.context_processor
    def _lang() -> dict[str, str]:
        return {"lang": current_lang()}
