"""Setting the database file's mode never releases a lock that this process holds on it."""

from __future__ import annotations

import sqlite3
import subprocess
import sys

from survey_app.database import restrict_file

# Another process tries to take the write lock without waiting.
_WRITER = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], timeout=0, isolation_level=None)
try:
    conn.execute("BEGIN IMMEDIATE")
except sqlite3.OperationalError as exc:
    print(exc)
else:
    print("got the lock")
"""


def _other_process_writes(path) -> str:  # type: ignore[no-untyped-def]
    return subprocess.run([sys.executable, "-c", _WRITER, str(path)], capture_output=True,
                          text=True, timeout=30, check=True).stdout.strip()


def test_restrict_file_keeps_a_writer_lock(tmp_path):
    path = tmp_path / "lentera.db"
    restrict_file(path)
    assert path.stat().st_mode & 0o777 == 0o600
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=DELETE")
    conn.execute("CREATE TABLE t (x)")
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("INSERT INTO t VALUES (1)")
    assert _other_process_writes(path) == "database is locked"
    path.chmod(0o644)
    restrict_file(path)  # what each new pooled connection does while this one writes
    assert path.stat().st_mode & 0o777 == 0o600
    assert _other_process_writes(path) == "database is locked"
    conn.execute("COMMIT")
    assert _other_process_writes(path) == "got the lock"
