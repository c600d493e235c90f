"""Database wiring: SQLite pragmas and write locks, Flask-Migrate, and the `flask db` CLI."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from .extensions import db, migrate

MIGRATIONS = Path(__file__).parent / "migrations"


def configure_sqlite(engine: Engine) -> None:
    """WAL, a 30 s busy timeout and BEGIN IMMEDIATE, so concurrent writers wait, never fail.

    A deferred SQLite transaction that reads first and writes later can fail with "database
    is locked" without waiting; taking the write lock at BEGIN makes every writer queue on
    the busy timeout instead. Readers are not blocked in WAL mode.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        # Let SQLAlchemy's "begin" hook below emit BEGIN itself.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):  # type: ignore[no-untyped-def]
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def init_app(app: Flask) -> None:
    """Bind Flask-SQLAlchemy and Flask-Migrate; the schema comes only from migrations."""
    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS), render_as_batch=True)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            configure_sqlite(db.engine)


def upgrade_schema(app: Flask) -> None:
    """Apply all migrations (what `flask db upgrade` does), for tests and the demo."""
    from flask_migrate import upgrade

    with app.app_context():
        upgrade(directory=str(MIGRATIONS))
