"""Script payloads entered by HR (unit names through the CSV import) come
back as text everywhere they are shown: HR pages (escaped HTML) and the report PDFs."""

from __future__ import annotations

import datetime as dt
import io
import re
import uuid

import sqlalchemy as sa

from survey_app.extensions import db
from survey_app.models import Answer, Response, Unit
from survey_app.services import close_wave, create_wave, issue_codes, open_wave
from tests.reports.pdftext import pdf_text

from .conftest import CODE_KEY, client_at, csrf_token, login

PAYLOADS = {"P1": "<script>alert(1)</script>", "P2": '"><img src=x onerror=alert(2)>',
            "P3": "{{ 7*7 }} {% if 1 %}x{% endif %}", "P4": "<svg/onload=alert(4)>&amp;"}
ITEMS = {"RD11": 5, "RD12": 5, "RD21": 5, "RD22": 5}


def _import_units(client) -> None:  # type: ignore[no-untyped-def]
    rows = ["code,name,parent_code,headcount", "ROOT,Pemkot Uji,,0"]
    rows += [f'{code},"{name.replace(chr(34), chr(34) * 2)}",ROOT,8'
             for code, name in PAYLOADS.items()]
    token = csrf_token(client.get("/hr/unit").get_data(as_text=True))
    r = client.post("/hr/unit", data={"csrf_token": token, "file": (
        io.BytesIO("\n".join(rows).encode()), "units.csv")})
    assert r.status_code == 302, r.get_data(as_text=True)[:500]


def _closed_wave_with_answers(app) -> int:  # type: ignore[no-untyped-def]
    with app.app_context():
        units = {u.code: u for u in db.session.scalars(sa.select(Unit))}
        wave = create_wave(name="Budaya <b>2026</b>-Q3", period="2026-Q3",
                           instrument_keys=["tready"],
                           unit_ids=[units[c].id for c in PAYLOADS],
                           opens_on=dt.date(2026, 8, 3), closes_on=dt.date(2026, 8, 21), k=5,
                           actor="test")
        open_wave(wave, actor="test")
        for i, code in enumerate(PAYLOADS):
            issue_codes(wave, units[code], 7, key=CODE_KEY, actor="test")
            for j in range(6):
                rid = uuid.uuid4()
                db.session.execute(sa.insert(Response), [{"id": rid, "wave_id": wave.id,
                                                          "unit_id": units[code].id}])
                db.session.execute(sa.insert(Answer), [
                    {"response_id": rid, "item_code": item, "value": 1 + (i + j + n) % points,
                     "points": points} for n, (item, points) in enumerate(ITEMS.items())])
        close_wave(wave, actor="test")
        db.session.commit()
        return wave.id


def test_payloads_stay_text_in_hr_pages_and_report_pdfs(app, users):
    client = client_at(app, "10.30.0.1")
    assert login(client, "admin").status_code == 302
    _import_units(client)
    page = client.get("/hr/unit").get_data(as_text=True)
    for name in PAYLOADS.values():
        if "<" in name or '"' in name:
            assert name not in page  # escaped, never raw markup
    assert PAYLOADS["P3"] in page  # shown as typed: data is never rendered as a template
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    # {{ 7*7 }} was not evaluated as a template (the page's random tokens may hold any digits)
    assert "49" not in re.sub(r'value="[^"]*"', "", page)
    wave_id = _closed_wave_with_answers(app)
    with app.app_context():
        ids = dict(db.session.execute(sa.select(Unit.code, Unit.id)).all())
    org = client.get(f"/hr/laporan/{wave_id}/organisasi.pdf")
    assert org.status_code == 200
    org_text = " ".join(pdf_text(org.data).split())
    for name in PAYLOADS.values():
        assert name in org_text, name
    unit = client.get(f"/hr/laporan/{wave_id}/unit/{ids['P1']}.pdf")
    assert unit.status_code == 200
    unit_text = " ".join(pdf_text(unit.data).split())
    assert PAYLOADS["P1"] in unit_text
