"""`flask audit`: a clean database and clean logs report nothing; each planted breach of
design/anonymity.md is reported and makes the command exit with status 1."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from survey_app.audit import audit_database, audit_log_lines, audit_logs, mask
from survey_app.extensions import db
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

    from survey_app.gunicorn_logging import AnonymousAccessLogger

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
