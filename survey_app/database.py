"""Database wiring: SQLite pragmas and write locks, Flask-Migrate, the `flask db` CLI, and the
DBAPI connection of the respondent hot path."""

from __future__ import annotations

import functools
import logging
import os
import re
import sqlite3
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, g
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import PoolProxiedConnection

from .extensions import db, migrate

MIGRATIONS = Path(__file__).parent / "migrations"
_DBAPI_KEY = "lentera_dbapi_connection"
_PARAM = re.compile(r"(?<![:\w]):(\w+)")  # a :name parameter, not a :: cast
log = logging.getLogger(__name__)


# Per-connection settings of every SQLite connection (design/anonymity.md rule 11, SECURITY.md):
# - rollback journal, not WAL: a WAL file keeps every commit's pages, in commit order, until
#   it is checkpointed and overwritten, so a copy of it pairs each used code with its response;
#   the rollback journal holds one transaction's before-images and is deleted at its commit;
# - secure_delete: freed pages and deleted cells are overwritten with zeros;
# - synchronous=FULL: in rollback-journal mode the only level at which a committed transaction
#   survives a power cut (NORMAL can lose or corrupt the last commits);
# - a 30 s busy timeout, so concurrent writers wait instead of failing.
SQLITE_PRAGMAS = {
    "journal_mode": "DELETE",
    "secure_delete": "ON",
    "synchronous": "FULL",
    "busy_timeout": "30000",
    "foreign_keys": "ON",
}
FILE_MODE = 0o600  # database files and backups: owner only


def restrict_file(path: str | Path) -> None:
    """Create `path` if missing and make it readable and writable by its owner only.

    An existing file is changed by name and never opened: closing any descriptor of a SQLite
    database releases every POSIX lock this process holds on it, so an open and close here
    while another connection of the process is writing would let a second process write at
    the same time and corrupt the file (sqlite.org/howtocorrupt.html, section 2.2).

    SQLite creates a database's journal with the permissions of the database file, so the
    main file's mode covers the journal too."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
    except FileExistsError:
        pass
    if stat.S_ISREG(os.stat(path).st_mode):  # never a device such as /dev/null
        os.chmod(path, FILE_MODE)


def configure_sqlite(engine: Engine) -> None:
    """The pragmas above, file mode 0600, and BEGIN IMMEDIATE, so concurrent writers wait.

    A deferred SQLite transaction that reads first and writes later can fail with "database
    is locked" without waiting; taking the write lock at BEGIN makes every writer queue on
    the busy timeout instead. In rollback-journal mode a writer also waits for readers to
    finish their (short) read transactions before it commits.

    The driver's own transaction handling is off (autocommit): SQLAlchemy's "begin" hook below
    emits BEGIN IMMEDIATE for the ORM, and the respondent hot path (`dbapi_connection`) runs
    each statement as its own transaction.
    """
    path = engine.url.database
    on_disk = bool(path) and path != ":memory:" and not path.startswith("file:")

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        # Let SQLAlchemy's "begin" hook below emit BEGIN itself.
        dbapi_connection.isolation_level = None
        if on_disk:
            try:
                restrict_file(path)  # type: ignore[arg-type]
            except PermissionError:  # not the owner: `flask audit` reports the file mode
                log.warning("cannot set mode 0600 on the database file / tidak bisa "
                            "mengatur mode berkas basis data")
        cursor = dbapi_connection.cursor()
        # First, before the busy timeout is set: leaving WAL needs every other connection
        # closed, and a connection must not wait 30 s for that and then fail.
        try:
            cursor.execute(f"PRAGMA journal_mode={SQLITE_PRAGMAS['journal_mode']}")
        except sqlite3.OperationalError:
            pass
        (mode,) = cursor.execute("PRAGMA journal_mode").fetchone()
        if on_disk and mode.upper() != SQLITE_PRAGMAS["journal_mode"]:
            log.warning("SQLite journal_mode is %s, not DELETE (another connection in WAL mode "
                        "is open); `flask audit` reports it", mode)
        for name, value in SQLITE_PRAGMAS.items():
            if name != "journal_mode":
                cursor.execute(f"PRAGMA {name}={value}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):  # type: ignore[no-untyped-def]
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def dbapi_connection() -> PoolProxiedConnection:
    """This request's DBAPI connection for the respondent hot path, outside the ORM session.

    A respondent POST runs a few fixed statements (rate-limit counter, code, store). Through
    the ORM session each statement and commit cost several times the database's own work
    (bench/submit.md), so the hot path runs them on a pooled DBAPI connection checked out once
    per request and returned as soon as its work is done (`release_dbapi_connection`, and at
    teardown in any case). The connection is in autocommit mode:
    - Each statement is its own transaction, so the store is one statement (services.responses).
    - SQLite (see `configure_sqlite`): reads are short implicit transactions that never take
      the write lock (they wait, on the busy timeout, only while a writer commits); the store
      statement holds the lock only while it runs.
    - PostgreSQL: the store is one round trip; the mode is switched back before the
      connection returns to the pool.
    """
    conn = g.get(_DBAPI_KEY)
    if conn is None:
        conn = db.engine.raw_connection()
        setattr(g, _DBAPI_KEY, conn)
        if db.engine.dialect.name == "postgresql":
            conn.driver_connection.autocommit = True  # type: ignore[union-attr]
    return conn


@functools.cache
def driver_sql(text: str, dialect: str) -> str:
    """`text` written with :name parameters, in the driver's style: sqlite3 takes :name as it
    is, psycopg takes %(name)s."""
    return text if dialect == "sqlite" else _PARAM.sub(r"%(\1)s", text)


def dbapi_run(text: str, params: Mapping[str, Any]) -> list[Any]:
    """Run `text` (:name parameters) on the request's DBAPI connection; all rows it returns.

    Always read to the end: on SQLite a statement left unfinished keeps its implicit read
    transaction, and so a stale snapshot, open into the next write.
    """
    cursor = dbapi_connection().cursor()
    try:
        cursor.execute(driver_sql(text, db.engine.dialect.name), params)
        return list(cursor.fetchall()) if cursor.description else []
    finally:
        cursor.close()


def release_dbapi_connection() -> None:
    """Give the request's DBAPI connection back to the pool now (also done at teardown).

    The respond views call it as soon as their statements are done, so that a connection is
    not held while the reply is written to a slow client (nor past an engine's disposal).
    """
    conn = g.pop(_DBAPI_KEY, None)
    if conn is None:
        return
    try:
        if db.engine.dialect.name == "postgresql":
            conn.driver_connection.autocommit = False  # type: ignore[union-attr]
    except Exception:  # a broken connection must not go back to the pool
        conn.invalidate()
    finally:
        conn.close()  # the pool rolls back whatever a failed request left open


def init_app(app: Flask) -> None:
    """Bind Flask-SQLAlchemy and Flask-Migrate; the schema comes only from migrations."""
    db.init_app(app)
    app.teardown_appcontext(lambda _exc: release_dbapi_connection())
    migrate.init_app(app, db, directory=str(MIGRATIONS), render_as_batch=True)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            configure_sqlite(db.engine)


def upgrade_schema(app: Flask) -> None:
    """Apply all migrations (what `flask db upgrade` does), for tests and the demo."""
    from flask_migrate import upgrade

    with app.app_context():
        upgrade(directory=str(MIGRATIONS))
