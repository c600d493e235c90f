"""Database wiring: SQLite pragmas and write locks, Flask-Migrate, the `flask db` CLI, and the
request's commit point."""

from __future__ import annotations

import logging
import os
import re
import sqlite3
import stat
import traceback
from pathlib import Path
from typing import Any

from flask import Flask, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import ConnectionPoolEntry

from .config import RESPOND_PREFIX
from .extensions import db, migrate

MIGRATIONS = Path(__file__).parent / "migrations"
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
_READ = re.compile(r"\s*(SELECT|PRAGMA)\b", re.IGNORECASE)  # statements that never write


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
    """The pragmas above, file mode 0600, and the write lock taken at a transaction's first
    write, so concurrent writers wait and readers never do.

    The driver's own transaction handling is off. Statements before a transaction's first
    write (SELECT, PRAGMA) run as their own short read transactions and hold no lock between
    statements. The first other statement opens the transaction with BEGIN IMMEDIATE, which
    takes the write lock at once: a deferred transaction that has read and then writes can
    fail with "database is locked" without waiting, while BEGIN IMMEDIATE queues on the busy
    timeout. The lock is held until the request commits (`App`). A write must therefore check
    in itself whatever it depends on (as the code mark does), exactly as under PostgreSQL's
    read committed. In rollback-journal mode a writer also waits for readers to finish their
    (short) read statements before it commits.
    """
    path = engine.url.database or ""
    on_disk = bool(path) and path != ":memory:" and not path.startswith("file:")

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: ConnectionPoolEntry) -> None:
        # Let SQLAlchemy's "begin" hook below emit BEGIN itself.
        dbapi_connection.isolation_level = None
        if on_disk:
            try:
                restrict_file(path)
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

    @event.listens_for(engine, "before_cursor_execute")
    def _lock_before_first_write(_conn: Connection, cursor: sqlite3.Cursor, statement: str,
                                 *_args: object) -> None:
        if not cursor.connection.in_transaction and not _READ.match(statement):
            cursor.execute("BEGIN IMMEDIATE")


class App(Flask):
    """The Flask app with one commit point per request, and crash logs that keep the
    respondents' pages free of what they typed.

    A view that returns has its work committed here, before the response is sent; a view that
    raises has it rolled back when the session is removed at teardown. Services only add to
    the session (and flush when they need ids), so a request's writes stand or fall together.
    """

    def dispatch_request(self) -> Any:
        """Run the view, then commit what it did."""
        result = super().dispatch_request()
        db.session.commit()
        return result

    def log_exception(self, exc_info: Any) -> None:
        """Log a crash; on the respondents' pages only where it happened and the exception's
        type, never its message or arguments, which may hold what was typed (e.g. a code)."""
        if not (has_request_context() and request.path.startswith(RESPOND_PREFIX)):
            super().log_exception(exc_info)
            return
        exc_type, _value, tb = exc_info
        self.logger.error("Exception on %s [%s]: %s (message not logged)\n%s", request.path,
                          request.method, exc_type.__name__, "".join(traceback.format_tb(tb)))


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
