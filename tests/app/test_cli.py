"""The `flask` commands: create-admin, import-units, wave create/open/close, codes issue."""

from __future__ import annotations

import csv

import sqlalchemy as sa

from survey_app.extensions import db
from survey_app.models import Code, Unit, User, Wave

from .conftest import FULL_ANSWERS
from .helpers import submit


def test_cli_runs_a_wave_end_to_end(app, tmp_path):
    runner = app.test_cli_runner()
    units = tmp_path / "units.csv"
    units.write_text("code;name;parent_code;headcount\nROOT;Pemkot;;0\nA;Unit A;ROOT;4\n"
                     "B;Unit B;ROOT;3\n", encoding="utf-8")
    assert runner.invoke(args=["import-units", str(units)]).exit_code == 0
    r = runner.invoke(args=["create-admin", "boss", "--password", "a long password"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(args=["wave", "create", "--name", "W1", "--period", "2026-Q1",
                            "--instruments", "tready,tlearn", "--units", "A,B",
                            "--opens", "2026-01-05", "--closes", "2026-01-30", "--k", "3"])
    assert r.exit_code == 0, r.output
    assert runner.invoke(args=["wave", "open", "W1"]).exit_code == 0
    out = tmp_path / "codes.csv"
    r = runner.invoke(args=["codes", "issue", "W1", "--out", str(out)])
    assert r.exit_code == 0, r.output
    rows = list(csv.DictReader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert len(rows) == 7 and {r["unit_code"] for r in rows} == {"A", "B"}
    assert submit(app.test_client(), rows[0]["code"], FULL_ANSWERS).status_code == 200
    assert runner.invoke(args=["wave", "close", "W1"]).exit_code == 0
    again = runner.invoke(args=["wave", "close", "W1"])
    assert again.exit_code != 0 and "Hanya gelombang yang sedang dibuka" in again.output
    with app.app_context():
        assert db.session.scalar(sa.select(Wave.state)) == "closed"
        assert db.session.scalar(sa.select(User.role)) == "admin"
        # `wave close` deleted the wave's 7 code rows (services/storage.py).
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Code)) == 0


def test_cli_import_reports_row_errors_in_both_languages_and_stores_nothing(app, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("code,name,parent_code,headcount\nA,Unit A,,x\nB,,A,2\nC,Unit C,ZZ,1\n",
                   encoding="utf-8")
    runner = app.test_cli_runner()
    r = runner.invoke(args=["import-units", str(bad)])
    assert r.exit_code != 0
    assert "Baris 2: jumlah pegawai x" in r.output and "Baris 3: nama unit B kosong" in r.output
    assert "Baris 4: kode induk ZZ tidak dikenal" in r.output
    r = runner.invoke(args=["import-units", "--lang", "en", str(bad)])
    assert "Row 4: unknown parent code ZZ." in r.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Unit)) == 0


def test_audit_command_passes_a_clean_database_and_reports_breaches(app, open_wave_codes):
    runner = app.test_cli_runner()
    assert submit(app.test_client(), open_wave_codes["codes"]["A"][0], FULL_ANSWERS) \
        .status_code == 200
    clean = runner.invoke(args=["audit"])
    assert clean.exit_code == 0, clean.output
    assert "No breach" in clean.output
    with app.app_context():
        # A code marked used without a response (e.g. a manual edit) is a breach to report.
        db.session.execute(sa.update(Code).where(Code.used.is_(False)).values(used=True))
        db.session.commit()
    dirty = runner.invoke(args=["audit"])
    assert dirty.exit_code != 0
    assert "12 used codes but 1 responses" in dirty.output


def test_codes_file_is_readable_by_its_owner_only(app, tmp_path):
    """The file holds every plain code of the wave."""
    import datetime as dt
    import stat

    from survey_app.services import create_wave

    from .conftest import add_units

    with app.app_context():
        units = add_units([("U1", "Unit Satu", None, 3)])
        wave = create_wave(name="W9", period="2026-Q1", instrument_keys=["tready"],
                           unit_ids=[units["U1"].id], opens_on=dt.date(2026, 1, 5),
                           closes_on=dt.date(2026, 1, 30), actor="t")
        db.session.commit()
        name = wave.name
    out = tmp_path / "kode.csv"
    result = app.test_cli_runner().invoke(args=["codes", "issue", name, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(out.stat().st_mode) == 0o600 and out.read_text().count("\n") == 4


def _two_waves(runner, tmp_path):  # type: ignore[no-untyped-def]
    units = tmp_path / "units.csv"
    units.write_text("code;name;parent_code;headcount\nROOT;Pemkot;;0\nA;Unit A;ROOT;4\n",
                     encoding="utf-8")
    assert runner.invoke(args=["import-units", str(units)]).exit_code == 0
    for name, period in (("Budaya Q1", "2026-Q1"), ("Budaya Q2", "2026-Q2")):
        r = runner.invoke(args=["wave", "create", "--name", name, "--period", period,
                                "--instruments", "tready", "--units", "A",
                                "--opens", "2026-01-05", "--closes", "2026-01-30"])
        assert r.exit_code == 0, r.output


def test_every_wave_command_finds_a_wave_by_id_name_or_period(app, tmp_path):
    runner = app.test_cli_runner()
    _two_waves(runner, tmp_path)
    r = runner.invoke(args=["wave", "open", "2026-Q2"])  # by period, as `report build` does
    assert r.exit_code == 0 and "'Budaya Q2' is now open" in r.output, r.output
    assert runner.invoke(args=["wave", "open", "budaya q1"]).exit_code == 0  # name, any case
    r = runner.invoke(args=["wave", "close", "2026-Q3"])
    assert r.exit_code == 1 and "no such wave: 2026-Q3" in r.output
    r = runner.invoke(args=["export", "--wave", "2026-Q3", "--format", "csv", "--out",
                            str(tmp_path / "x.csv")])
    assert r.exit_code == 1 and "no such wave: 2026-Q3" in r.output


def test_wave_list_shows_every_wave_with_its_state(app, tmp_path):
    runner = app.test_cli_runner()
    r = runner.invoke(args=["wave", "list"])
    assert r.exit_code == 0 and "no waves yet" in r.output
    _two_waves(runner, tmp_path)
    runner.invoke(args=["wave", "open", "Budaya Q2"])
    lines = runner.invoke(args=["wave", "list"]).output.splitlines()
    assert len(lines) == 2
    assert "Budaya Q1  2026-Q1  draft  k=5" in lines[0]
    assert "Budaya Q2  2026-Q2  open" in lines[1] and "1 unit  tready" in lines[1]


def test_commands_on_a_database_without_the_schema_say_what_to_run(tmp_path):
    from survey_app import create_app

    from .conftest import app_config

    app = create_app(app_config(f"sqlite:///{tmp_path / 'empty.db'}", tmp_path))
    runner = app.test_cli_runner()
    for args in (["demo"], ["wave", "list"], ["create-admin", "x", "--password", "p"],
                 ["report", "build", "--wave", "1"]):
        r = runner.invoke(args=args)
        assert r.exit_code == 1, (args, r.output)
        assert "flask db upgrade" in r.output and "Traceback" not in r.output, args
        assert r.exception is None or isinstance(r.exception, SystemExit)
