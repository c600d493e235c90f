"""Database wiring: SQLite pragmas and write locks, Flask-Migrate, and the `flask db` CLI."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from .extensions import db, migrate

MIGRATIONS = Path(__file__).parent / "migrations"
# Execution option that makes the next SQLite transaction a plain (deferred) BEGIN.
DEFERRED = "lentera_sqlite_deferred"


def configure_sqlite(engine: Engine) -> None:
    """WAL, a 30 s busy timeout and BEGIN IMMEDIATE, so concurrent writers wait, never fail.

    A deferred SQLite transaction that reads first and writes later can fail with "database
    is locked" without waiting; taking the write lock at BEGIN makes every writer queue on
    the busy timeout instead. Readers are not blocked in WAL mode.

    A transaction started by `begin_read_snapshot` is the exception: it only reads, so it
    takes no write lock and never waits for a writer; `end_read_snapshot` ends it.
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
        deferred = connection.get_execution_options().get(DEFERRED, False)
        connection.exec_driver_sql("BEGIN" if deferred else "BEGIN IMMEDIATE")


def begin_read_snapshot() -> None:
    """Start the session's next transaction as a read that takes no SQLite write lock.

    The respond path reads (rate-limit counter, code, wave) and validates before it writes;
    holding SQLite's single write lock through that Python work serialised every submission
    of every worker behind it. The caller calls `end_read_snapshot` before writing, so the
    write starts a fresh BEGIN IMMEDIATE transaction and never upgrades a stale snapshot.
    Nothing to do on PostgreSQL, whose writers do not share one lock.
    """
    if db.engine.dialect.name == "sqlite":
        db.session.commit()  # nothing is pending at this point; ends any transaction begun
        db.session.connection(execution_options={DEFERRED: True})


def end_read_snapshot() -> None:
    """End the read begun by `begin_read_snapshot`, so that the next statement may write.

    On PostgreSQL the reads and the write share one transaction: committing in between
    would cost a round trip (and a pool pre-ping) for nothing.
    """
    if db.engine.dialect.name == "sqlite":
        db.session.commit()


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
