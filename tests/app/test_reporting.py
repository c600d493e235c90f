"""Reports integration: `flask report build` from the database and the HR downloads."""

from __future__ import annotations

import datetime as dt
import io
import re
import uuid
import zipfile

import numpy as np
import pytest
import sqlalchemy as sa

from survey_app.extensions import db
from survey_app.models import Answer, Response, TrainingEvent, Unit, Wave
from survey_app.services import close_wave, create_wave, issue_codes, open_wave
from survey_app.services.users import create_user
from tests.reports.pdftext import pdf_text

from .conftest import CODE_KEY, add_units, csrf_token

PASSWORD = "correct horse battery"
SIZES = {"A": 12, "B": 10, "C": 3}  # C is below k = 5
ITEMS = {"RD11": 5, "RD12": 5, "RD21": 5, "RD22": 5}


def _answers(wave: Wave, unit_id: int, n: int, rng: np.random.Generator, shift: float) -> None:
    rows, answers = [], []
    for _ in range(n):
        rid = uuid.uuid4()
        rows.append({"id": rid, "wave_id": wave.id, "unit_id": unit_id,
                     "cut": str(rng.choice(["struktural", "fungsional"]))})
        for code, points in ITEMS.items():
            value = int(np.clip(round(3 + shift + rng.normal(0, 1)), 1, points))
            answers.append({"response_id": rid, "item_code": code, "value": value,
                            "points": points})
    db.session.execute(sa.insert(Response), rows)
    db.session.execute(sa.insert(Answer), answers)


@pytest.fixture
def waves(app):  # type: ignore[no-untyped-def]
    """Two closed quarterly waves (tready) over A, B, C under ROOT; an open third one."""
    rng = np.random.default_rng(5)
    with app.app_context():
        units = add_units([("ROOT", "Pemerintah Kota Uji", None, 0),
                           ("A", "Kelurahan <b>Satu</b>", "ROOT", 14),
                           ("B", "Kelurahan Dua", "ROOT", 12), ("C", "Seksi Kecil", "ROOT", 4)])
        ids = {}
        for q, (opens, shift) in enumerate([(dt.date(2026, 8, 3), 0.0),
                                            (dt.date(2026, 11, 2), 0.8)]):
            wave = create_wave(name=f"Budaya 2026-Q{q + 3}", period=f"2026-Q{q + 3}",
                               instrument_keys=["tready"],
                               unit_ids=[units[c].id for c in SIZES], opens_on=opens,
                               closes_on=opens + dt.timedelta(days=18), k=5, actor="test")
            open_wave(wave, actor="test")
            for code, n in SIZES.items():
                issue_codes(wave, units[code], n + 2, key=CODE_KEY, actor="test")
                _answers(wave, units[code].id, n, rng, shift)
            close_wave(wave, actor="test")
            ids[wave.period] = wave.id
        db.session.add(TrainingEvent(unit=units["A"], held_on=dt.date(2026, 9, 15),
                                     title="Pelatihan manajemen perubahan", hours_jp=16))
        draft = create_wave(name="Budaya 2027-Q1", period="2027-Q1", instrument_keys=["tready"],
                            unit_ids=[units["A"].id], opens_on=dt.date(2027, 2, 1),
                            closes_on=dt.date(2027, 2, 20), k=5, actor="test")
        open_wave(draft, actor="test")
        ids["open"] = draft.id
        create_user("admin", PASSWORD, "admin")
        create_user("kepala.b", PASSWORD, "unit_head", units["B"].id)
        db.session.commit()
        return {"waves": ids, "units": {c: u.id for c, u in units.items()}}


def test_build_writes_every_unit_report_and_the_organisation_report(app, waves, tmp_path):
    out = tmp_path / "out"
    result = app.test_cli_runner().invoke(args=["report", "build", "--wave", "2026-Q4",
                                                "--out", str(out), "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [
        "organisation.pdf", "unit-A.pdf", "unit-B.pdf", "unit-C.pdf", "unit-ROOT.pdf"]
    unit_a = pdf_text((out / "unit-A.pdf").read_bytes())
    assert "Kelurahan <b>Satu</b>" in unit_a  # a hostile-looking name stays text
    assert "12 / 14" in unit_a  # respondents / codes issued
    assert "2026-Q3" in unit_a and "Pelatihan manajemen perubahan" in unit_a
    with app.app_context():
        from survey_app.services.publication import analyse_culture_wave
        from survey_app.services.waves import find_wave
        bundle = analyse_culture_wave(find_wave("2026-Q4"))
        i = bundle.names.index("Kelurahan <b>Satu</b>")
        score = bundle.waves[0].result.score100[i, 0]
    assert f"{score:.0f} (" in unit_a


def test_unit_below_k_prints_no_figure(app, waves, tmp_path):
    out = tmp_path / "out"
    app.test_cli_runner().invoke(args=["report", "build", "--wave", "2026-Q4", "--out",
                                       str(out), "--workers", "1", "--lang", "en"])
    text = pdf_text((out / "unit-C.pdf").read_bytes())
    assert "Seksi Kecil" in text and "not reported" in text
    text = text.replace("02-11-2026 – 20-11-2026", "")  # the period
    assert set(re.findall(r"\d+", text)) <= {"2026", "4", "5", "1"}  # wave, k, page 1 / 1
    org = pdf_text((out / "organisation.pdf").read_bytes())
    row = next(line for line in org.splitlines() if line.startswith("Seksi Kecil"))
    # the mark claims no count; 5 codes issued is no secret; n = 3 is
    assert row == "Seksi Kecil n.r. 5 not reported"


def test_open_wave_is_not_reported(app, waves):
    result = app.test_cli_runner().invoke(args=["report", "build", "--wave",
                                                str(waves["waves"]["open"])])
    assert result.exit_code != 0
    assert "belum ditutup" in result.output and "not closed" in result.output


def test_unknown_wave_is_named(app, waves):
    result = app.test_cli_runner().invoke(args=["report", "build", "--wave", "1999-Q1"])
    assert result.exit_code != 0 and "no such wave" in result.output


def _login(client, username):  # type: ignore[no-untyped-def]
    page = client.get("/hr/masuk").get_data(as_text=True)
    client.post("/hr/masuk", data={"csrf_token": csrf_token(page), "username": username,
                                   "password": PASSWORD})


def test_downloads_respect_roles(app, client, waves, tmp_path):
    wave_id, units = waves["waves"]["2026-Q4"], waves["units"]
    assert client.get(f"/hr/laporan/{wave_id}/unit/{units['B']}.pdf").status_code == 302
    _login(client, "kepala.b")
    own = client.get(f"/hr/laporan/{wave_id}/unit/{units['B']}.pdf")
    assert own.status_code == 200 and own.mimetype == "application/pdf"
    assert "Kelurahan Dua" in pdf_text(own.data)
    assert client.get(f"/hr/laporan/{wave_id}/unit/{units['A']}.pdf").status_code == 403
    assert client.get(f"/hr/laporan/{wave_id}/organisasi.pdf").status_code == 403
    assert client.get(f"/hr/laporan/{wave_id}.zip").status_code == 403


def test_hr_downloads_org_report_and_zip(app, client, waves):
    wave_id = waves["waves"]["2026-Q4"]
    _login(client, "admin")
    missing = client.get(f"/hr/laporan/{wave_id}.zip")
    assert missing.status_code == 404 and "belum dibuat" in missing.get_data(as_text=True)
    org = client.get(f"/hr/laporan/{wave_id}/organisasi.pdf?lang=en")
    assert org.status_code == 200 and "Organisation Culture Report" in pdf_text(org.data)
    # one PDF built on demand is not a zip: the zip comes only from a whole report job
    assert client.get(f"/hr/laporan/{wave_id}.zip?lang=en").status_code == 404
    result = app.test_cli_runner().invoke(args=["report", "start", "--wave", str(wave_id),
                                                "--here", "--workers", "1"])
    assert result.exit_code == 0, result.output
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"/hr/laporan/{wave_id}.zip?lang=id").data))
    assert "unit-A.pdf" in archive.namelist() and "organisation.pdf" in archive.namelist()
    assert client.get(f"/hr/laporan/{wave_id}/organisasi.pdf?lang=xx").status_code == 400
    open_id = waves["waves"]["open"]
    assert client.get(f"/hr/laporan/{open_id}/organisasi.pdf").status_code == 409


def test_build_all_closed_waves_and_argument_errors(app, waves, tmp_path):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["report", "build"]).exit_code != 0
    both = runner.invoke(args=["report", "build", "--all", "--wave", "2026-Q4"])
    assert both.exit_code != 0 and "either --wave or --all" in both.output
    out = tmp_path / "all"
    result = runner.invoke(args=["report", "build", "--all", "--out", str(out),
                                 "--workers", "1", "--no-skm"])
    assert result.exit_code == 0, result.output
    folders = sorted(p.name for p in out.iterdir())
    assert folders == [f"wave-{waves['waves']['2026-Q3']}-2026-Q3",
                       f"wave-{waves['waves']['2026-Q4']}-2026-Q4"]
    assert (out / folders[0] / "id" / "organisation.pdf").is_file()


def make_skm_wave(app, unit_id: int) -> int:  # type: ignore[no-untyped-def]
    """A closed SKM wave of 40 citizens' answers for the unit; its id."""
    rng = np.random.default_rng(9)
    with app.app_context():
        unit = db.session.get(Unit, unit_id)
        wave = create_wave(name="SKM 2026 Kelurahan Dua", period="2026", instrument_keys=["skm"],
                           unit_ids=[unit.id], opens_on=dt.date(2026, 9, 1),
                           closes_on=dt.date(2026, 9, 30), k=5, actor="test")
        open_wave(wave, actor="test")
        rows, answers = [], []
        for _ in range(40):
            rid = uuid.uuid4()
            rows.append({"id": rid, "wave_id": wave.id, "unit_id": unit.id, "cut": None})
            answers += [{"response_id": rid, "item_code": f"U{i}", "value":
                         int(rng.integers(2, 5)), "points": 4} for i in range(1, 10)]
        db.session.execute(sa.insert(Response), rows)
        db.session.execute(sa.insert(Answer), answers)
        close_wave(wave, actor="test")
        db.session.commit()
        return wave.id


def test_skm_report_of_the_same_year_with_sample_adequacy(app, waves, tmp_path):
    skm_id = make_skm_wave(app, waves["units"]["B"])
    out = tmp_path / "out"
    result = app.test_cli_runner().invoke(args=[
        "report", "build", "--wave", "2026-Q4", "--out", str(out), "--workers", "1",
        "--population", "B=100"])
    assert result.exit_code == 0, result.output
    text = pdf_text((out / f"skm-B-{skm_id}.pdf").read_bytes())
    assert "Kelurahan Dua" in text and "Persyaratan" in text
    assert "80" in text and "belum terpenuhi" in text  # Krejcie & Morgan: 100 -> 80 > 40
    # the organisation report sets B's IKM next to B's culture scores, which are hidden here
    # (C is below k, so B is hidden with it): nothing to compare, and the report says so
    with app.app_context():
        values = db.session.execute(sa.select(Answer.item_code, Answer.value).join(Response)
                                    .where(Response.wave_id == skm_id)).all()
    nrr = [np.mean([v for c, v in values if c == f"U{i}"]) for i in range(1, 10)]
    converted = f"{sum(nrr) / 9 * 25:.2f}".replace(".", ",")
    org = " ".join(pdf_text((out / "organisation.pdf").read_bytes()).split())
    assert "Budaya kerja dan kepuasan masyarakat" in org and converted in org
    section = org[org.rfind("Budaya kerja dan kepuasan masyarakat"):]
    assert "Kelurahan Dua 2026 IKM (konversi) " + converted + " Responden SKM 40" in section
    assert "Dimensi 1 t.d. Dimensi 2 t.d." in section
    assert "Belum ada unit pelayanan yang memiliki IKM dan skor budaya" in section
    bad = app.test_cli_runner().invoke(args=["report", "build", "--wave", "2026-Q4",
                                             "--population", "B=many"])
    assert bad.exit_code != 0 and "UNIT_CODE=N" in bad.output


def test_wave_page_links_the_reports_by_role(app, client, waves):
    """A closed wave's page links every unit PDF; the organisation PDF and zip only for HR."""
    closed, open_id, units = waves["waves"]["2026-Q4"], waves["waves"]["open"], waves["units"]
    _login(client, "admin")
    page = client.get(f"/hr/gelombang/{closed}").get_data(as_text=True)
    assert f"/hr/laporan/{closed}/organisasi.pdf" in page
    assert f"/hr/laporan/{closed}.zip" in page
    assert f"/hr/laporan/{closed}/unit/{units['A']}.pdf" in page
    assert "/hr/laporan/" not in client.get(f"/hr/gelombang/{open_id}").get_data(as_text=True)
    head = app.test_client()
    _login(head, "kepala.b")
    page = head.get(f"/hr/gelombang/{closed}").get_data(as_text=True)
    assert f"/hr/laporan/{closed}/unit/{units['B']}.pdf" in page
    assert "organisasi.pdf" not in page and ".zip" not in page
