"""`flask backup` / `flask restore` round-trip a wave (SQLite backup API, pg_dump/pg_restore);
the copy is consistent while submissions go on; restore refuses a non-empty database."""

from __future__ import annotations

import secrets
import sqlite3
import threading
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from survey_app import create_app
from survey_app.extensions import db
from tests.app.helpers import submit
from tests.conftest import _admin_connect, _url_for

from .conftest import FULL_ANSWERS, app_config

SNAPSHOT = {
    "wave": "SELECT id, name, state, k FROM wave ORDER BY id",
    "unit": "SELECT id, code, name, parent_id, headcount FROM unit ORDER BY id",
    "code": "SELECT hash, wave_id, unit_id, used FROM code ORDER BY hash",
    "response": "SELECT id, wave_id, unit_id, cut FROM response ORDER BY id",
    "answer": "SELECT response_id, item_code, value, points FROM answer "
              "ORDER BY response_id, item_code",
}


def snapshot(app) -> dict[str, list[tuple]]:  # type: ignore[no-untyped-def]
    """Every row of the wave's tables, in a stable order."""
    with app.app_context():
        with db.engine.connect() as conn:
            rows = {t: [tuple(r) for r in conn.execute(sa.text(q))] for t, q in SNAPSHOT.items()}
        db.engine.dispose()
    return rows


@pytest.fixture
def empty_target(backend, tmp_path) -> Iterator[str]:
    """URL of an empty database of the same kind (a new SQLite file or PostgreSQL database)."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.db'}"
        return
    name = f"lentera_t_{secrets.token_hex(6)}"
    with _admin_connect() as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield _url_for(name)
    finally:
        with _admin_connect() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_backup_and_restore_round_trip_a_wave(app, open_wave_codes, empty_target, tmp_path):
    client = app.test_client()
    for code in open_wave_codes["codes"]["A"][:4] + open_wave_codes["codes"]["B"][:2]:
        assert submit(client, code, FULL_ANSWERS).status_code == 200
    before = snapshot(app)
    assert len(before["response"]) == 6 and len(before["answer"]) == 6 * len(FULL_ANSWERS)
    file = tmp_path / "lentera.backup"
    result = app.test_cli_runner().invoke(args=["backup", str(file)])
    assert result.exit_code == 0, result.output
    assert file.stat().st_size > 0

    target = create_app(app_config(empty_target, tmp_path / "target"))
    result = target.test_cli_runner().invoke(args=["restore", str(file)])
    assert result.exit_code == 0, result.output
    assert snapshot(target) == before
    # The restored app works: a remaining code can be used, a used one cannot.
    tclient = target.test_client()
    assert submit(tclient, open_wave_codes["codes"]["B"][5], FULL_ANSWERS).status_code == 200
    assert submit(tclient, open_wave_codes["codes"]["A"][0], FULL_ANSWERS).status_code == 409
    with target.app_context():
        db.engine.dispose()


def test_restore_refuses_a_non_empty_database_without_force(app, open_wave_codes, tmp_path):
    client = app.test_client()
    assert submit(client, open_wave_codes["codes"]["A"][0], FULL_ANSWERS).status_code == 200
    file = tmp_path / "one.backup"
    assert app.test_cli_runner().invoke(args=["backup", str(file)]).exit_code == 0
    assert submit(client, open_wave_codes["codes"]["A"][1], FULL_ANSWERS).status_code == 200
    after_two = snapshot(app)
    refused = app.test_cli_runner().invoke(args=["restore", str(file)])
    assert refused.exit_code != 0
    assert "--force" in refused.output and "tidak kosong" in refused.output
    assert snapshot(app) == after_two  # nothing changed
    forced = app.test_cli_runner().invoke(args=["restore", "--force", str(file)])
    assert forced.exit_code == 0, forced.output
    restored = snapshot(app)
    assert len(restored["response"]) == 1
    assert sum(1 for row in restored["code"] if row[3]) == 1


def test_restore_rejects_a_file_that_is_not_a_backup(app, tmp_path):
    bogus = tmp_path / "bogus.backup"
    bogus.write_bytes(b"not a database at all" * 100)
    result = app.test_cli_runner().invoke(args=["restore", "--force", str(bogus)])
    assert result.exit_code != 0
    assert snapshot(app)["wave"] == []  # the (empty) database is untouched and still works
    missing = app.test_cli_runner().invoke(args=["restore", str(tmp_path / "missing")])
    assert missing.exit_code != 0 and "no such file" in missing.output


def test_sqlite_backup_is_consistent_while_submissions_go_on(app, open_wave_codes, backend,
                                                              tmp_path):
    if backend != "sqlite":
        pytest.skip("pg_dump's snapshot consistency is PostgreSQL's own guarantee")
    codes = open_wave_codes["codes"]["A"] + open_wave_codes["codes"]["B"]
    done = threading.Event()

    def submit_all() -> None:
        client = app.test_client()
        for code in codes:
            submit(client, code, FULL_ANSWERS)
        done.set()

    worker = threading.Thread(target=submit_all)
    worker.start()
    copies = []
    while not done.is_set() and len(copies) < 20:
        file = tmp_path / f"copy{len(copies)}.db"
        assert app.test_cli_runner().invoke(args=["backup", str(file)]).exit_code == 0
        copies.append(file)
    worker.join()
    assert copies
    for file in copies:
        conn = sqlite3.connect(file)
        try:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            used = conn.execute("SELECT count(*) FROM code WHERE used").fetchone()[0]
            responses = conn.execute("SELECT count(*) FROM response").fetchone()[0]
            answers = conn.execute("SELECT count(*) FROM answer").fetchone()[0]
        finally:
            conn.close()
        # A copy holds whole submissions only: code used <=> response with all its answers.
        assert used == responses and answers == responses * len(FULL_ANSWERS)
