"""The Lentera Flask app: the only package that imports Flask; it wires the other three.

By audience: `respond/` (the anonymous respondents), `hr/` (staff pages), `ops/` (guards,
headers, limits, logs, audit, backup), `cli/` (every `flask` command), around a core of
config, models, database, services, instruments and translations. docs/architecture.md
draws it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from flask import Flask

from . import cli, database, hr, i18n, instrument_store, ops, respond
from .config import config_from_env, default_config, finish_config
from .database import App
from .extensions import csrf


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: defaults, then environment, then `config` (tests pass their settings)."""
    app = App(__name__, instance_path=_instance_path(config), instance_relative_config=True)
    configure(app, config)
    configure_extensions(app)
    configure_blueprints(app)
    cli.init_app(app)
    return app


def _instance_path(config: Mapping[str, Any] | None) -> str | None:
    return (config or {}).get("LENTERA_INSTANCE_PATH")


def configure(app: Flask, config: Mapping[str, Any] | None) -> None:
    """Settings: defaults, then the environment, then the mapping given to create_app."""
    overrides = dict(config or {})
    overrides.pop("LENTERA_INSTANCE_PATH", None)
    if "DATABASE_URL" in overrides:  # same name as the environment variable
        overrides["SQLALCHEMY_DATABASE_URI"] = overrides.pop("DATABASE_URL")
    app.config.from_mapping(default_config(app.instance_path))
    app.config.from_mapping(config_from_env(os.environ))
    app.config.from_mapping(overrides)
    finish_config(app.config, app.instance_path)


def configure_extensions(app: Flask) -> None:
    """Database and migrations, CSRF, translations, the instrument cache, the ops guards."""
    database.init_app(app)
    csrf.init_app(app)
    i18n.init_app(app)
    instrument_store.init_app(app)
    ops.init_app(app)


def configure_blueprints(app: Flask) -> None:
    """The respondents' pages (/isi) and the staff pages (/hr)."""
    respond.init_app(app)
    hr.init_app(app)
