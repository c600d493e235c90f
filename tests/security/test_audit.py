"""`flask audit`: a clean database and clean logs report nothing; each planted breach of
design/anonymity.md is reported and makes the command exit with status 1."""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa

from survey_app import database
from survey_app.database import SQLITE_PRAGMAS
from survey_app.extensions import db
from survey_app.models import Wave
from survey_app.ops.audit import (
    DURABILITY,
    STORAGE,
    audit_database,
    audit_log_lines,
    audit_logs,
    durability_findings,
    mask,
    sqlite_file_findings,
)
from survey_app.services import close_wave
from survey_app.services.storage import compact_storage
from tests.app.helpers import submit

from .conftest import FULL_ANSWERS


def _findings(app):  # type: ignore[no-untyped-def]
    with app.app_context():
        found = audit_database(db.engine)
        db.engine.dispose()
    return found


def _plant(app, *statements: str) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        with db.engine.begin() as conn:
            for statement in statements:
                conn.exec_driver_sql(statement)
        db.engine.dispose()


@pytest.fixture
def plant(app, backend):  # type: ignore[no-untyped-def]
    """plant(statements, undo=...) changes the schema; PostgreSQL is shared by the session, so
    the undo statements run at teardown (SQLite files are per test)."""
    undo: list[str] = []

    def _do(*statements: str, revert: tuple[str, ...] = ()) -> None:
        _plant(app, *statements)
        undo[:0] = revert

    yield _do
    if backend == "postgres" and undo:
        _plant(app, *undo)


def _audit_cli(app, *args: str):  # type: ignore[no-untyped-def]
    return app.test_cli_runner().invoke(args=["audit", *args])


def test_clean_database_with_responses_reports_nothing(app, open_wave_codes):
    client = app.test_client()
    for code in open_wave_codes["codes"]["A"][:3]:
        assert submit(client, code, FULL_ANSWERS).status_code == 200
    assert _findings(app) == []
    result = _audit_cli(app)
    assert result.exit_code == 0, result.output
    assert "No breach of the anonymity rules found" in result.output


@pytest.mark.parametrize(("table", "column", "sql_type", "rule"), [
    ("response", "submitted_at", "TIMESTAMP", "no time"),
    ("response", "submitted", "DATE", "no time"),
    ("response", "client_ip", "VARCHAR(45)", "no identifier"),
    ("response", "user_agent", "TEXT", "no identifier"),
    ("response", "code_hash", "VARCHAR(64)", "no identifier"),
    ("response", "note", "TEXT", "allow-list"),
    ("answer", "answered_at", "TIMESTAMP", "no time"),
    ("code", "used_on", "DATE", "no time"),
    ("code", "used_time", "VARCHAR(20)", "no identifier"),
])
def test_planted_column_is_reported(app, plant, table, column, sql_type, rule):
    plant(f"ALTER TABLE {table} ADD COLUMN {column} {sql_type}",
          revert=(f"ALTER TABLE {table} DROP COLUMN {column}",))
    found = _findings(app)
    assert [f.where for f in found] == [f"{table}.{column}"]
    assert rule in found[0].rule
    result = _audit_cli(app)
    assert result.exit_code == 1
    assert f"{table}.{column}" in result.output


def test_wave_with_k_below_three_is_reported(app, plant, open_wave_codes, backend):
    wave = open_wave_codes["wave_id"]
    if backend == "sqlite":
        _plant(app, "PRAGMA ignore_check_constraints = 1", "UPDATE wave SET k = 2")
        expected = {f"wave {wave} (Budaya 2026-Q1)"}
    else:
        plant("ALTER TABLE wave DROP CONSTRAINT ck_wave_k_minimum",
              "UPDATE wave SET k = 2",  # the only wave
              revert=("UPDATE wave SET k = 3",
                      "ALTER TABLE wave ADD CONSTRAINT ck_wave_k_minimum CHECK (k >= 3)"))
        expected = {f"wave {wave} (Budaya 2026-Q1)", "wave"}  # + the missing constraint
    found = _findings(app)
    assert {f.where for f in found} == expected
    assert any(f.detail == "k = 2" for f in found)


def test_insertion_order_on_the_answer_table_is_reported(app, plant, backend):
    if backend == "sqlite":
        # Rebuild `answer` as an ordinary (rowid) table: rows then keep insertion order.
        _plant(app, "PRAGMA foreign_keys = OFF", "DROP TABLE answer",
               "CREATE TABLE answer (response_id CHAR(32) NOT NULL, item_code VARCHAR(32) NOT "
               "NULL, value SMALLINT NOT NULL, points SMALLINT NOT NULL, "
               "CONSTRAINT ck_answer_value_range CHECK (value BETWEEN 1 AND points), "
               "CONSTRAINT ck_answer_points_range CHECK (points BETWEEN 2 AND 11), "
               "PRIMARY KEY (response_id, item_code))")
        # Dropping the table dropped its closed-wave guards too, and the audit says so.
        found = sorted((f.where, f.rule) for f in _findings(app))
        assert found == [("answer", "rule 2: no order")] + [
            (f"trg_answer_{event}_closed", "closed waves are immutable")
            for event in ("delete", "insert", "update")]
    else:
        plant("ALTER TABLE answer ADD COLUMN n SERIAL",
              revert=("ALTER TABLE answer DROP COLUMN n",))
        found = _findings(app)
        assert ("answer.n", "rule 2: no order") in [(f.where, f.rule) for f in found]


def test_missing_range_constraint_is_reported(app, plant, backend):
    if backend == "sqlite":
        pytest.skip("SQLite cannot drop a constraint without rebuilding the table")
    plant("ALTER TABLE answer DROP CONSTRAINT ck_answer_value_range",
          revert=("ALTER TABLE answer ADD CONSTRAINT ck_answer_value_range "
                  "CHECK (value BETWEEN 1 AND points)",))
    found = _findings(app)
    assert [(f.where, f.detail) for f in found] == [
        ("answer", "constraint ck_answer_value_range missing")]


def test_missing_closed_wave_guard_is_reported(app, plant, backend):
    if backend == "sqlite":
        plant("DROP TRIGGER trg_answer_update_closed")
        name = "trg_answer_update_closed"
    else:
        plant("DROP TRIGGER trg_answer_update_closed_wave ON answer", revert=(
            "CREATE TRIGGER trg_answer_update_closed_wave AFTER UPDATE ON answer REFERENCING "
            "OLD TABLE AS changed_answers FOR EACH STATEMENT EXECUTE FUNCTION "
            "lentera_closed_wave_guard_answers()",))
        name = "trg_answer_update_closed_wave"
    assert [(f.rule, f.where) for f in _findings(app)] == [("closed waves are immutable", name)]


GOOD_LOG = [
    '127.0.0.1 - - [30/Nov/2026:01:02:03 +0000] "GET /hr/ HTTP/1.1" 200 512',
    '- - - "POST /isi/survei HTTP/1.1" 200 2210',
    "[2026-11-30 01:02:03 +0000] [42] [INFO] Booting worker with pid: 42",
    "INFO survey_app: wave 2026-Q1 opened by admin (AUTHENTICATED user)",
    '[01:02:03] :: "POST /isi/survei" 200 12:30:45',
]


@pytest.mark.parametrize(("line", "rule"), [
    ('10.0.0.7 - - [30/Nov/2026:01:02:03] "POST /isi HTTP/1.1" 200', "no IP"),
    ('2001:db8::17 - - "POST /isi/survei HTTP/1.1" 409', "no IP"),
    ('- - - "GET /isi?code=AB3D-EF4H-JK5N HTTP/1.1" 200', "no code"),
    ("WARNING code refused: ab3d-ef4h-jk5n (used)", "no code"),
    ("ERROR while storing AB3DEF4HJK5N", "no code"),
    ("ERROR form data {'code': 'AB3D EF4H JK5N'}", "no code"),
])
def test_log_lines_with_a_code_or_a_respond_ip_are_reported(line, rule):
    assert audit_log_lines("x.log", GOOD_LOG) == []
    found = audit_log_lines("x.log", [*GOOD_LOG, line])
    assert [f.where for f in found] == [f"x.log:{len(GOOD_LOG) + 1}"]
    assert rule in found[0].rule
    assert "EF4H" not in str(found[0]).upper()  # the report does not repeat the code


def test_cli_reads_configured_logs_and_masks_codes(app, tmp_path):
    good, bad = tmp_path / "access.log", tmp_path / "error.log"
    good.write_text("\n".join(GOOD_LOG) + "\n")
    bad.write_text("ERROR code=XY7Z-AB3D-EF4H rejected\n")
    app.config["LENTERA_AUDIT_LOGS"] = str(good)
    assert _audit_cli(app).exit_code == 0
    result = _audit_cli(app, "--log", str(bad))
    assert result.exit_code == 1
    assert f"{bad}:1" in result.output and mask("XY7Z-AB3D-EF4H") in result.output
    assert "AB3D" not in result.output


def test_missing_log_file_is_reported(tmp_path):
    found = audit_logs([tmp_path / "nope.log"])
    assert [f.detail for f in found] == ["configured log file not found"]


def test_gunicorn_access_log_of_a_real_submission_is_clean(app, open_wave_codes, tmp_path):
    """The app's own gunicorn access logger writes lines that pass the audit."""
    import logging

    from survey_app.ops.gunicorn_logging import AnonymousAccessLogger

    assert AnonymousAccessLogger is not None
    log = logging.getLogger("survey_app")
    path = tmp_path / "app.log"
    handler = logging.FileHandler(path)
    log.addHandler(handler)
    old_level = log.level
    log.setLevel(logging.DEBUG)
    try:
        assert submit(app.test_client(), open_wave_codes["codes"]["B"][0], FULL_ANSWERS
                      ).status_code == 200
    finally:
        log.removeHandler(handler)
        handler.close()
        log.setLevel(old_level)
    assert audit_logs([path]) == []


def test_audit_reads_nothing_it_should_not_change(app, open_wave_codes):
    with app.app_context():
        before = db.session.execute(sa.text("SELECT count(*) FROM code WHERE used")).scalar()
        db.session.rollback()
    _audit_cli(app)
    with app.app_context():
        assert db.session.execute(sa.text("SELECT count(*) FROM code WHERE used")).scalar() \
            == before


@pytest.mark.slow
def test_demo_database_passes_the_audit(app, tmp_path):
    """The organisation `flask demo` builds (four waves, hundreds of responses) is clean."""
    result = app.test_cli_runner().invoke(args=[
        "demo", "--instruments", "tready,tlearn", "--no-skm",
        "--codes-out", str(tmp_path / "codes.csv")])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.execute(sa.text("SELECT count(*) FROM response")).scalar() > 500
        db.session.rollback()
    audit = _audit_cli(app)
    assert audit.exit_code == 0, audit.output
    assert "No breach" in audit.output


# --- storage traces (design/anonymity.md rule 11) -------------------------------------------


def _storage(app):  # type: ignore[no-untyped-def]
    return [(f.rule, f.where) for f in _findings(app) if f.rule in (STORAGE, DURABILITY)]


def _sqlite_path(app) -> Path:  # type: ignore[no-untyped-def]
    with app.app_context():
        return Path(db.engine.url.database)  # type: ignore[arg-type]


def test_clean_closed_wave_reports_no_storage_trace(app, open_wave_codes):
    for code in open_wave_codes["codes"]["A"][:3]:
        assert submit(app.test_client(), code, FULL_ANSWERS).status_code == 200
    with app.app_context():
        close_wave(db.session.get(Wave, open_wave_codes["wave_id"]), actor="t")
        db.session.commit()
        compact_storage()
    assert _findings(app) == []


def test_code_rows_left_by_a_closed_wave_are_reported(app, open_wave_codes):
    assert submit(app.test_client(), open_wave_codes["codes"]["A"][0], FULL_ANSWERS
                  ).status_code == 200
    _plant(app, "UPDATE wave SET state = 'closed'")  # closed without the app: codes stay
    wave = open_wave_codes["wave_id"]
    assert (STORAGE, f"wave {wave} (Budaya 2026-Q1)") in _storage(app)
    assert any("12 code rows left" in f.detail for f in _findings(app))


@pytest.mark.parametrize("backend", [pytest.param("postgres", marks=pytest.mark.postgres)])
def test_closed_wave_rows_with_several_xmin_are_reported(app, backend, open_wave_codes):
    for code in open_wave_codes["codes"]["A"][:3]:
        assert submit(app.test_client(), code, FULL_ANSWERS).status_code == 200
    _plant(app, "DELETE FROM code", "UPDATE wave SET state = 'closed'")  # no same-xmin rewrite
    found = [f for f in _findings(app) if f.rule == STORAGE]
    assert [f.detail for f in found] == [
        "responses and answers carry 3 transaction ids (xmin) after close"]


@pytest.mark.parametrize("backend", [pytest.param("postgres", marks=pytest.mark.postgres)])
def test_synchronous_commit_off_is_reported(app, backend, plant):
    with app.app_context():
        name = db.engine.url.database
    plant(f'ALTER DATABASE "{name}" SET synchronous_commit = off',
          revert=(f'ALTER DATABASE "{name}" RESET synchronous_commit',))
    assert _storage(app) == [(DURABILITY, "synchronous_commit")]


def test_fsync_off_is_reported():
    assert [f.where for f in durability_findings({"fsync": "off", "synchronous_commit": "on"})
            ] == ["fsync"]
    assert durability_findings({"fsync": "on", "synchronous_commit": "local"}) == []


@pytest.mark.parametrize("backend", ["sqlite"])
def test_sqlite_wal_mode_is_reported(app, backend):
    path = _sqlite_path(app)
    with app.app_context():
        db.engine.dispose()
    other = sqlite3.connect(path, isolation_level=None)  # an old process that runs WAL
    try:
        other.execute("PRAGMA journal_mode=WAL")
        other.execute("PRAGMA user_version = 7")  # one commit: a frame in the -wal
        found = _storage(app)
    finally:
        other.close()
    assert (STORAGE, "journal_mode") in found
    assert (STORAGE, f"{path}-wal") in found  # its frames, while it runs


@pytest.mark.parametrize("backend", ["sqlite"])
def test_sqlite_leftover_wal_file_with_frames_is_reported(app, backend, tmp_path):
    """A -wal left beside a copy of the files (a crash, a file copy): the app's own connection
    replays and deletes such a file when it opens the database, so the check reads the files."""
    path = _sqlite_path(app)
    with app.app_context():
        db.engine.dispose()
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("PRAGMA journal_mode=WAL")
    other.execute("PRAGMA user_version = 7")
    copy = tmp_path / "copy.db"
    shutil.copyfile(path, copy)
    shutil.copyfile(f"{path}-wal", f"{copy}-wal")
    other.close()
    for file in (copy, Path(f"{copy}-wal")):
        file.chmod(0o600)
    assert [(f.rule, f.where) for f in sqlite_file_findings(copy)] == [(STORAGE, f"{copy}-wal")]
    Path(f"{copy}-wal").write_bytes(b"\0" * 32)  # a header without frames is no trace
    assert sqlite_file_findings(copy) == []


@pytest.mark.parametrize("backend", ["sqlite"])
def test_sqlite_rowid_code_table_is_reported(app, backend):
    _plant(app, "DROP TABLE code", "CREATE TABLE code (hash BLOB NOT NULL PRIMARY KEY, "
           "wave_id INTEGER NOT NULL, unit_id INTEGER NOT NULL, used BOOLEAN NOT NULL)")
    assert [(f.rule, f.where) for f in _findings(app)] == [("rule 2: no order", "code")]


@pytest.mark.parametrize("backend", ["sqlite"])
@pytest.mark.parametrize(("pragma", "value", "finding"), [
    ("secure_delete", "OFF", (STORAGE, "secure_delete")),
    ("synchronous", "NORMAL", (DURABILITY, "synchronous")),
])
def test_sqlite_unsafe_pragma_is_reported(app, backend, monkeypatch, pragma, value, finding):
    monkeypatch.setitem(SQLITE_PRAGMAS, pragma, value)
    with app.app_context():
        db.engine.dispose()  # new connections get the changed setting
    assert _storage(app) == [finding]


@pytest.mark.parametrize("backend", ["sqlite"])
def test_sqlite_readable_database_file_is_reported(app, backend, monkeypatch):
    path = _sqlite_path(app)
    # The app sets 0600 at every connection; a file it does not own keeps its mode.
    monkeypatch.setattr(database, "restrict_file", lambda _path: None)
    with app.app_context():
        db.engine.dispose()
    os.chmod(path, 0o644)
    assert _storage(app) == [(STORAGE, str(path))]
