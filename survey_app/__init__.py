"""The Lentera Flask app: the only package that imports Flask; it wires the other three."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from flask import Flask

from .config import config_from_env, default_config, finish_config
from .database import App


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: defaults, then environment, then `config` (tests pass their settings)."""
    overrides = dict(config or {})
    instance_path = overrides.pop("LENTERA_INSTANCE_PATH", None)
    if "DATABASE_URL" in overrides:  # same name as the environment variable
        overrides["SQLALCHEMY_DATABASE_URI"] = overrides.pop("DATABASE_URL")
    app = App(__name__, instance_path=instance_path, instance_relative_config=True)
    app.config.from_mapping(default_config(app.instance_path))
    app.config.from_mapping(config_from_env(os.environ))
    app.config.from_mapping(overrides)
    finish_config(app.config, app.instance_path)

    from . import (
        admin,
        audit,
        auth,
        backup,
        cli,
        database,
        exports,
        i18n,
        instrument_store,
        logs,
        ratelimit,
        reporting,
        request_guard,
        respond,
        security_headers,
    )
    from .extensions import csrf

    csrf.init_app(app)
    for module in (database, i18n, instrument_store, logs, auth, respond, admin, cli, reporting,
                   exports, security_headers, request_guard, ratelimit, audit, backup):
        module.init_app(app)
    return app

