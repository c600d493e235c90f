"""HR side through the web forms (CSRF on): login, roles, import, waves, codes, counts, audit."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
import sqlalchemy as sa
from openpyxl import Workbook

from survey_app.extensions import db
from survey_app.models import AuditEntry, Code, TrainingEvent, Unit, Wave
from survey_app.services.users import create_user

from .conftest import FULL_ANSWERS, add_units, csrf_token
from .helpers import submit

PASSWORD = "correct horse battery"


@pytest.fixture
def users(app):  # type: ignore[no-untyped-def]
    with app.app_context():
        units = add_units([("ROOT", "Pemkot", None, 0), ("KEC", "Kecamatan Plaju", "ROOT", 10),
                           ("KEL1", "Kelurahan Plaju Ilir", "KEC", 8),
                           ("DINAS", "Dinas Kesehatan", "ROOT", 12)])
        create_user("admin", PASSWORD, "admin")
        create_user("analis", PASSWORD, "analyst")
        create_user("camat", PASSWORD, "unit_head", units["KEC"].id)
        db.session.commit()
        return {code: u.id for code, u in units.items()}


def login(client, username: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    page = client.get("/hr/masuk").get_data(as_text=True)
    return client.post("/hr/masuk", data={"csrf_token": csrf_token(page), "username": username,
                                          "password": password})


def post_form(client, page_url: str, url: str, data: dict, **kw):  # type: ignore[no-untyped-def]
    page = client.get(page_url).get_data(as_text=True)
    return client.post(url, data={"csrf_token": csrf_token(page), **data}, **kw)


def test_pages_need_login_and_wrong_password_is_refused(client, users):
    assert client.get("/hr/").status_code == 302
    r = login(client, "admin", "wrong password!")
    assert "salah" in r.get_data(as_text=True)
    assert client.get("/hr/").status_code == 302
    assert login(client, "admin").status_code == 302
    assert client.get("/hr/").status_code == 200


def test_passwords_are_hashed(app, users):
    with app.app_context():
        from survey_app.models import User

        stored = db.session.scalar(sa.select(User.password_hash).where(User.username == "admin"))
    assert PASSWORD not in stored and stored.startswith(("scrypt:", "pbkdf2:"))


def test_unit_head_sees_only_own_subtree_and_cannot_manage_waves(client, users):
    login(client, "camat")
    html = client.get("/hr/unit").get_data(as_text=True)
    assert "Kecamatan Plaju" in html and "Kelurahan Plaju Ilir" in html
    assert "Dinas Kesehatan" not in html
    assert client.get("/hr/gelombang/baru").status_code == 403
    assert client.get("/hr/audit").status_code == 403


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows([["code", "name", "parent_code", "headcount"], *rows])
    return out.getvalue().encode()


def _upload(client, data: bytes, filename: str):  # type: ignore[no-untyped-def]
    return post_form(client, "/hr/unit", "/hr/unit", {"file": (io.BytesIO(data), filename)},
                     content_type="multipart/form-data")


def test_import_units_from_csv_and_excel(app, client, users):
    login(client, "admin")
    r = _upload(client, _csv([["KEL2", "Kelurahan Bagus Kuning", "KEC", "15"],
                              ["PUSK", "Puskesmas Plaju", "DINAS", "20"]]), "units.csv")
    assert r.status_code == 302
    book = Workbook()
    sheet = book.active
    sheet.append(["code", "name", "parent_code", "headcount"])
    sheet.append(["KEL3", "Kelurahan Talang Putri", "KEC", 9])
    sheet.append(["KEL1", "Kelurahan Plaju Ilir (baru)", "KEC", 11])
    data = io.BytesIO()
    book.save(data)
    assert _upload(client, data.getvalue(), "units.xlsx").status_code == 302
    with app.app_context():
        units = {u.code: u for u in db.session.scalars(sa.select(Unit))}
        assert units["KEL3"].parent.code == "KEC" and units["KEL3"].headcount == 9
        assert units["KEL1"].name == "Kelurahan Plaju Ilir (baru)"
        assert units["PUSK"].parent.code == "DINAS"
        assert len(units) == 7


@pytest.mark.parametrize(("rows", "message"), [
    ([["X1", "Unit X", "NOPE", "3"]], "Baris 3: kode induk NOPE tidak dikenal."),
    ([["X1", "Unit X", "KEC", "3"], ["X1", "Unit X lagi", "KEC", "3"]],
     "Baris 4: kode unit X1 muncul lebih dari sekali."),
    ([["X1", "", "KEC", "3"]], "Baris 3: nama unit X1 kosong."),
    ([["X1", "Unit X", "KEC", "tiga"]], "Baris 3: jumlah pegawai tiga bukan bilangan bulat"),
    ([["X1", "Unit X", "KEC", "-2"]], "Baris 3: jumlah pegawai -2"),
    ([["X1", "Unit X", "X2", "3"], ["X2", "Unit Y", "X1", "3"]],
     "Baris 3: unit X1 menjadi induk dari dirinya sendiri"),
    ([["KEC", "Kecamatan Plaju", "KEL1", "10"]], "unit KEC menjadi induk dari dirinya sendiri"),
])
def test_bad_import_rows_are_named_and_nothing_is_stored(app, client, users, rows, message):
    login(client, "admin")
    good = ["OK1", "Unit baik", "KEC", "4"]
    r = _upload(client, _csv([good, *rows]), "units.csv")
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    assert "Berkas ditolak; tidak ada yang disimpan" in html
    assert message in html
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Unit)) == 4
        assert db.session.scalar(sa.select(Unit.parent_id).where(Unit.code == "KEC")) == \
            users["ROOT"]


def test_import_errors_in_english(client, users):
    login(client, "admin")
    client.get("/hr/unit?lang=en")
    html = _upload(client, _csv([["X1", "Unit X", "NOPE", "3"]]), "u.csv").get_data(as_text=True)
    assert "Row 2: unknown parent code NOPE." in html


def test_import_without_required_columns_is_rejected(client, users):
    login(client, "admin")
    html = _upload(client, b"kode,nama\nA,B\n", "u.csv").get_data(as_text=True)
    assert "kolom wajib tidak ada: code, name, parent_code, headcount" in html


def _create_wave(client, users, **override):  # type: ignore[no-untyped-def]
    data = {"name": "Budaya 2026-Q2", "period": "2026-Q2",
            "instruments": ["tready@1.0", "tlearn@1.0"],
            "units": [str(users["KEC"]), str(users["KEL1"])], "opens_on": "2026-04-01",
            "closes_on": "2026-04-30", "k": "5", "cut": "", **override}
    return post_form(client, "/hr/gelombang/baru", "/hr/gelombang/baru", data)


def test_wave_life_cycle_codes_counts_and_audit(app, client, users):
    login(client, "admin")
    r = _create_wave(client, users)
    assert r.status_code == 302
    wave_url = r.headers["Location"]
    # k below 3 is refused by the form; a change while draft is audited.
    same = {"instruments": ["tready@1.0", "tlearn@1.0"],
            "units": [str(users["KEC"]), str(users["KEL1"])]}
    r = post_form(client, wave_url, wave_url, {"k": "2", "cut": "", "opens_on": "2026-04-01",
                                               "closes_on": "2026-04-30", **same})
    r = post_form(client, wave_url, wave_url, {"k": "3", "cut": "jabatan",
                                               "opens_on": "2026-04-01",
                                               "closes_on": "2026-04-30", **same})
    with app.app_context():
        wave = db.session.scalar(sa.select(Wave))
        wave_id = wave.id
        # pinned in the picker's order (SURVEY_ORDER, then by id), not the order posted
        assert (wave.k, wave.cut, wave.instrument_keys) == (3, "jabatan",
                                                             ["tlearn@1.0", "tready@1.0"])
    # Issue codes for the kelurahan (8) as CSV; only hashes are stored.
    r = post_form(client, wave_url, f"/hr/gelombang/{wave_id}/kode",
                  {"unit": str(users["KEL1"]), "count": "", "fmt": "csv"})
    rows = list(csv.DictReader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) == 8
    assert rows[0]["url"] == f"http://lentera.test/isi#{rows[0]['code']}"
    assert "?" not in rows[0]["url"]
    # Open: k is fixed and the draft form disappears.
    post_form(client, wave_url, f"/hr/gelombang/{wave_id}/buka", {})
    assert "Simpan perubahan" not in client.get(wave_url).get_data(as_text=True)
    respondent = app.test_client()
    for row in rows[:2]:
        assert submit(respondent, row["code"], FULL_ANSWERS).status_code == 200
    html = client.get(wave_url).get_data(as_text=True)
    assert "&lt; 3" in html  # two responses: below k, not shown
    assert submit(respondent, rows[2]["code"], FULL_ANSWERS).status_code == 200
    html = client.get(wave_url).get_data(as_text=True)
    assert "<td>3</td>" in html
    post_form(client, wave_url, f"/hr/gelombang/{wave_id}/tutup", {})
    assert submit(respondent, rows[3]["code"], FULL_ANSWERS).status_code == 409
    audit = client.get("/hr/audit").get_data(as_text=True)
    for sentence in ("Membuat gelombang Budaya 2026-Q2.", "Mengubah k gelombang Budaya 2026-Q2.",
                     "Mengubah pemilahan gelombang Budaya 2026-Q2.",
                     "Membuat kode partisipasi untuk gelombang Budaya 2026-Q2.",
                     "Membuka gelombang Budaya 2026-Q2.", "Menutup gelombang Budaya 2026-Q2.",
                     "Masuk ke Lentera."):
        assert sentence in audit
    with app.app_context():
        assert db.session.scalar(sa.select(AuditEntry.detail).where(
            AuditEntry.action == "wave.k")) == "5 -> 3"
        stored = list(db.session.scalars(sa.select(Code.hash)))
        assert all(row["code"].encode() not in b"".join(stored) for row in rows)


def test_draft_instruments_and_units_change_audited_but_units_with_codes_stay(app, client,
                                                                            users):
    login(client, "admin")
    wave_url = _create_wave(client, users).headers["Location"]
    wave_id = int(wave_url.rsplit("/", 1)[1])
    html = client.get(wave_url).get_data(as_text=True)
    assert re.search(r'<input checked[^>]*value="tready@1.0"', html)
    assert f'<option selected value="{users["KEL1"]}">' in html
    draft = {"k": "5", "cut": "", "opens_on": "2026-04-01", "closes_on": "2026-04-30"}
    r = post_form(client, wave_url, wave_url, {**draft, "instruments": ["tlearn@1.0"],
                                               "units": [str(users["KEC"])]})
    assert r.status_code == 302
    with app.app_context():
        wave = db.session.get(Wave, wave_id)
        assert wave.instrument_keys == ["tlearn@1.0"]
        assert [u.id for u in wave.units] == [users["KEC"]]
        actions = set(db.session.scalars(sa.select(AuditEntry.action)))
        assert {"wave.instruments", "wave.units"} <= actions
    # codes issued for a unit keep it in the wave; the page says so and nothing changes
    post_form(client, wave_url, f"/hr/gelombang/{wave_id}/kode",
              {"unit": str(users["KEC"]), "count": "2", "fmt": "csv"})
    r = post_form(client, wave_url, wave_url, {**draft, "instruments": ["tready@1.0"],
                                               "units": [str(users["KEL1"])]},
                  follow_redirects=True)
    assert "Unit yang sudah punya kode gelombang ini tetap di dalamnya" in r.get_data(
        as_text=True)
    with app.app_context():
        wave = db.session.get(Wave, wave_id)
        assert wave.instrument_keys == ["tlearn@1.0"]
        assert [u.id for u in wave.units] == [users["KEC"]]
    # nothing picked: refused by the form, in words
    r = post_form(client, wave_url, wave_url, {**draft, "units": [str(users["KEC"])]})
    assert "Pilih sedikitnya satu instrumen." in r.get_data(as_text=True)
    audit = client.get("/hr/audit").get_data(as_text=True)
    assert "Mengubah instrumen gelombang Budaya 2026-Q2." in audit
    assert "Mengubah unit gelombang Budaya 2026-Q2." in audit


def test_wave_rule_errors_are_explained(app, client, users):
    login(client, "admin")
    r = _create_wave(client, users, instruments=["tidakada"])
    assert "Instrumen tidakada tidak ditemukan." in r.get_data(as_text=True)
    r = _create_wave(client, users, opens_on="2026-05-01", closes_on="2026-04-01")
    assert "Tanggal tutup harus sesudah tanggal buka" in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Wave)) == 0


def test_k_cannot_change_once_open(app, users):
    from survey_app.services import WaveRuleError, create_wave, open_wave, update_draft

    with app.app_context():
        wave = create_wave(name="W", period="2026-Q3", instrument_keys=["tready"],
                           unit_ids=[users["KEC"]], opens_on=dt.date(2026, 7, 1),
                           closes_on=dt.date(2026, 7, 30), actor="t")
        open_wave(wave, actor="t")
        with pytest.raises(WaveRuleError, match="not_draft"):
            update_draft(wave, k=3, cut=None, opens_on=wave.opens_on, closes_on=wave.closes_on,
                         actor="t")
        with pytest.raises(sa.exc.IntegrityError):
            db.session.execute(sa.update(Wave).values(k=2))
            db.session.flush()


def test_slips_pdf_holds_every_issued_code(app, client, users):
    login(client, "admin")
    wave_url = _create_wave(client, users).headers["Location"]
    wave_id = wave_url.rsplit("/", 1)[1]
    r = post_form(client, wave_url, f"/hr/gelombang/{wave_id}/kode",
                  {"unit": "0", "count": "", "fmt": "pdf"})
    assert r.status_code == 200 and r.data.startswith(b"%PDF")
    assert r.headers["Cache-Control"] == "no-store"
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Code)) == 18


def test_training_events_per_unit(app, client, users):
    login(client, "camat")
    page = "/hr/pelatihan"
    r = post_form(client, page, page, {"unit": str(users["KEL1"]), "held_on": "2026-03-10",
                                       "title": "Pelayanan prima", "hours_jp": "8",
                                       "provider": "BPSDM Sumsel"})
    assert r.status_code == 302
    r = post_form(client, page, page, {"unit": str(users["DINAS"]), "held_on": "2026-03-10",
                                       "title": "Di luar wewenang", "hours_jp": "8"})
    assert r.status_code == 200  # not a choice for this unit head: form error, nothing stored
    r = post_form(client, page, page, {"unit": str(users["KEL1"]), "held_on": "2026-03-10",
                                       "title": "Nol jam", "hours_jp": "0"})
    with app.app_context():
        events = list(db.session.scalars(sa.select(TrainingEvent)))
    assert [(e.title, e.hours_jp) for e in events] == [("Pelayanan prima", 8.0)]
    assert "Pelayanan prima" in client.get(page).get_data(as_text=True)


def test_posted_unknown_unit_is_refused_and_stores_nothing(app, client, users, monkeypatch):
    login(client, "admin")
    wave_url = _create_wave(client, users).headers["Location"]
    wave_id = wave_url.rsplit("/", 1)[1]
    r = post_form(client, wave_url, f"/hr/gelombang/{wave_id}/kode",
                  {"unit": "999999", "count": "", "fmt": "csv"})
    assert r.status_code == 302  # not a choice of this wave: form error
    assert "Permintaan kode tidak lengkap." in client.get(wave_url).get_data(as_text=True)
    training = {"held_on": "2026-03-10", "title": "Pelayanan prima", "hours_jp": "8"}
    r = post_form(client, "/hr/pelatihan", "/hr/pelatihan", {"unit": "999999", **training})
    assert r.status_code == 200  # not a choice: form error
    # A choice whose unit no longer exists is a bad request, not a server error.
    import survey_app.hr.admin as admin_views

    real = admin_views.units_in_tree_order
    monkeypatch.setattr(admin_views, "units_in_tree_order", lambda visible=None: [
        *real(visible), (Unit(id=999999, code="GONE", name="Dihapus", headcount=1), 0)])
    r = post_form(client, "/hr/pelatihan", "/hr/pelatihan", {"unit": "999999", **training})
    assert r.status_code == 400 and "Unit tidak dikenal: 999999." in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Code)) == 0
        assert db.session.scalar(sa.select(sa.func.count()).select_from(TrainingEvent)) == 0


def test_unit_head_sees_counts_only_in_own_subtree_and_cannot_issue_codes(app, client, users):
    from survey_app.services import create_wave, issue_codes, open_wave

    from .conftest import CODE_KEY

    with app.app_context():
        wave = create_wave(name="W", period="2026-Q3", instrument_keys=["tready", "tlearn"],
                           unit_ids=[users["KEL1"], users["DINAS"]],
                           opens_on=dt.date(2026, 7, 1), closes_on=dt.date(2026, 7, 30), k=3,
                           actor="t")
        open_wave(wave, actor="t")
        unit = db.session.get(Unit, users["DINAS"])
        codes = [c.code for c in issue_codes(wave, unit, 4, key=CODE_KEY, actor="t")]
        wave_id = wave.id
        db.session.commit()
    respondent = app.test_client()
    for code in codes[:3]:
        assert submit(respondent, code, FULL_ANSWERS).status_code == 200
    login(client, "admin")
    # open: the subtree count as a band of width k (3 responses, k = 3), of 4 codes issued
    assert "Dinas Kesehatan</td><td>12</td><td>4</td><td>3–5</td><td>75–100%</td>" in \
        client.get(f"/hr/gelombang/{wave_id}").get_data(as_text=True)
    client.post("/hr/keluar", data={"csrf_token": csrf_token(
        client.get("/hr/").get_data(as_text=True))})
    login(client, "camat")
    html = client.get(f"/hr/gelombang/{wave_id}").get_data(as_text=True)
    assert "Kelurahan Plaju Ilir" in html and "Dinas Kesehatan" not in html
    assert "Buat kode" not in html
    r = post_form(client, f"/hr/gelombang/{wave_id}", f"/hr/gelombang/{wave_id}/kode",
                  {"unit": "0", "count": "", "fmt": "csv"})
    assert r.status_code == 403
    r = post_form(client, f"/hr/gelombang/{wave_id}", f"/hr/gelombang/{wave_id}/tutup", {})
    assert r.status_code == 403


def test_codes_for_all_units_skip_units_without_staff(app, client, users):
    login(client, "admin")
    wave_url = _create_wave(client, users, units=[str(users["ROOT"]), str(users["KEC"])]) \
        .headers["Location"]
    wave_id = wave_url.rsplit("/", 1)[1]
    r = post_form(client, wave_url, f"/hr/gelombang/{wave_id}/kode",
                  {"unit": "0", "count": "", "fmt": "csv"})
    rows = list(csv.DictReader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff"))))
    assert r.status_code == 200 and {row["unit_code"] for row in rows} == {"KEC"}
    assert len(rows) == 10
    runner = app.test_cli_runner()
    result = runner.invoke(args=["codes", "issue", wave_id, "--out", "/dev/null"])
    assert result.exit_code == 0, result.output
