"""`flask backup FILE` and `flask restore FILE`: online, consistent copies of the database.

SQLite: `VACUUM INTO` writes a consistent snapshot while the app keeps serving (writers wait
for its one read transaction), rebuilt in key order so that it keeps no insertion order; the
copy is checked with `PRAGMA integrity_check`. PostgreSQL: `pg_dump --format=custom` (a
consistent snapshot in one transaction), restored with `pg_restore`. Restore refuses to
overwrite a database that already holds tables unless `--force` is given. The
participation-code key (`LENTERA_CODE_KEY` or `<instance>/code_key`) is NOT in the backup:
keep it apart (see SECURITY.md). Backup files are created with mode 0600.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import URL, Engine

from ..database import restrict_file


class BackupError(RuntimeError):
    """A backup or restore could not be done; the message says why and what to do."""


def _pg_url(url: URL) -> str:
    """A libpq URL (pg_dump does not know SQLAlchemy's `+psycopg` driver suffix)."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _sqlite_path(url: URL) -> str:
    if not url.database or url.database == ":memory:":
        raise BackupError("SQLite in memory cannot be backed up / tidak bisa dicadangkan")
    return url.database


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} tidak ditemukan / not found: install postgresql-client")
    return path


def backup_database(engine: Engine, target: Path) -> None:
    """Write a consistent copy of the live database to `target` (overwritten if present).

    The copy is written to `<target>.partial`, created with mode 0600 (owner only) before any
    byte of data goes in, and renamed into place when complete."""
    url = engine.url
    tmp = target.with_name(target.name + ".partial")
    tmp.unlink(missing_ok=True)
    restrict_file(tmp)
    try:
        if url.get_backend_name() == "sqlite":
            _backup_sqlite(_sqlite_path(url), tmp)
        elif url.get_backend_name() == "postgresql":
            # Fixed argv without a shell; the inputs are our own config and the operator's path.
            argv = [_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(tmp),
                    "--dbname", _pg_url(url)]
            subprocess.run(argv, check=True, capture_output=True)  # noqa: S603
        else:
            raise BackupError(f"unsupported database {url.get_backend_name()}")
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    tmp.replace(target)  # atomic: a crash never leaves a half-written FILE


def _backup_sqlite(source: str, tmp: Path) -> None:
    """`VACUUM INTO` the empty file `tmp`: one read transaction gives a consistent copy, and
    the copy is built afresh in key order, so it carries no page or cell in insertion order,
    no free page and no journal (design/anonymity.md rule 11)."""
    src = sqlite3.connect(source, timeout=30)
    try:
        src.execute("PRAGMA temp_store=MEMORY")
        src.execute("VACUUM INTO ?", (str(tmp),))
    finally:
        src.close()
    dst = sqlite3.connect(tmp)
    try:
        status = dst.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        dst.close()
    if status != "ok":
        raise BackupError(f"integrity check of the copy failed: {status}")


def is_empty(engine: Engine) -> bool:
    """True when the database has no tables at all."""
    return not sa.inspect(engine).get_table_names()


def restore_database(engine: Engine, source: Path, force: bool = False) -> None:
    """Replace the database with the backup in `source`; refuses a non-empty one unless forced."""
    if not source.is_file():
        raise BackupError(f"berkas tidak ada / no such file: {source}")
    if not force and not is_empty(engine):
        raise BackupError("Basis data tidak kosong; pakai --force untuk menimpanya. / The "
                          "database is not empty; use --force to overwrite it.")
    engine.dispose()
    url = engine.url
    if url.get_backend_name() == "sqlite":
        _restore_sqlite(source, _sqlite_path(url))
    elif url.get_backend_name() == "postgresql":
        _restore_pg(source, url)
    else:
        raise BackupError(f"unsupported database {url.get_backend_name()}")


def _restore_sqlite(source: Path, target: str) -> None:
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        status = src.execute("PRAGMA integrity_check").fetchone()[0]
        if status != "ok":
            raise BackupError(f"backup file fails the integrity check: {status}")
        dst = sqlite3.connect(target, timeout=30)
        try:
            with dst:
                src.backup(dst)
        finally:
            dst.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"not a SQLite backup / bukan cadangan SQLite: {exc}") from exc
    finally:
        src.close()


def _restore_pg(source: Path, url: URL) -> None:
    cmd = [_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction",
           "--exit-on-error", "--dbname", _pg_url(url), str(source)]
    # Fixed argv without a shell; the only inputs are our own config and the operator's path.
    result = subprocess.run(cmd, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"pg_restore failed: {result.stderr.strip()[:500]}")
