"""Development plans (/hr/rencana): drafted only from a closed wave's supported "worse"
verdicts, edited one action at a time with Indonesian messages that keep what was typed,
exported as XLSX and PDF, training recorded against plan actions with JP as aggregates, a
unit head limited to their subtree, and every change in the audit log."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from instruments.model import Action, Text
from survey_app.extensions import db
from survey_app.models import (
    AuditEntry,
    DevelopmentPlan,
    LearningOffer,
    PlanAction,
    PublishedCell,
    TrainingEvent,
    Unit,
    Wave,
    WaveUnit,
)
from survey_app.services.plans import Draft, draft_plan
from tests.reports.pdftext import has_phrase, pdf_text

from .conftest import TEST_INSTRUMENTS, csrf_token
from .test_reporting import _login
from .test_reporting import waves as waves  # the fixture: two closed waves and an open one

KEY = "tready@1.0"
CATALOGUE = (Action("training", Text(id="Pelatihan komunikasi tim", en="Team communication "
                                                                          "training")),
             Action("elearning", Text(id="Modul e-learning umpan balik", en="Feedback "
                                                                              "e-learning")))


def _with_catalogue(app) -> None:  # type: ignore[no-untyped-def]
    """Give the first dimension of tready catalogue actions (the test instrument has none)."""
    instrument = TEST_INSTRUMENTS[KEY]
    scale = instrument.scales[0]
    dims = (dataclasses.replace(scale.dimensions[0], actions=CATALOGUE),
            *scale.dimensions[1:])
    patched = dataclasses.replace(instrument, scales=(dataclasses.replace(
        scale, dimensions=dims),))
    app.extensions["lentera_instruments"][KEY] = patched
    app.extensions["lentera_instruments"]["tready"] = patched


def _verdict(wave_id: int, unit_id: int, dim: str, **values: str) -> None:
    position = db.session.scalar(sa.select(WaveUnit.position).where(
        WaveUnit.wave_id == wave_id, WaveUnit.unit_id == unit_id))
    db.session.execute(sa.update(PublishedCell).where(
        PublishedCell.wave_id == wave_id, PublishedCell.position == position,
        PublishedCell.instrument_key == KEY, PublishedCell.dimension == dim,
        PublishedCell.cut == "").values(**values))


@pytest.fixture
def site(app, waves):  # type: ignore[no-untyped-def]
    """The closed 2026-Q4 wave with A clearly lower on RDD1 and down on RDD2 (ROOT has no
    supported "worse" verdict; C is below k and B is hidden with it), offers for RDD1 (one
    retired, one elsewhere)."""
    _with_catalogue(app)
    wave_id, units = waves["waves"]["2026-Q4"], waves["units"]
    with app.app_context():
        _verdict(wave_id, units["A"], "RDD1", comparison_verdict="lower")
        _verdict(wave_id, units["A"], "RDD2", change_verdict="down")
        _verdict(wave_id, units["ROOT"], "RDD1", comparison_verdict="higher")  # better
        db.session.add_all([
            LearningOffer(title="Kelas daring Corpu", path="elearning", provider="BPSDM",
                          url="https://corpu.example/kelas", instrument_key="tready@0.9",
                          dimension="RDD1", active=True),
            LearningOffer(title="Program lama", path="klasikal", instrument_key=KEY,
                          dimension="RDD1", active=False),
            LearningOffer(title="Program lain", path="kemitraan", instrument_key=KEY,
                          dimension="RDD9", active=True)])
        db.session.commit()
    return {"wave": wave_id, "open": waves["waves"]["open"], **units}


def _draft(app, wave_id: int, unit_id: int) -> Draft:  # type: ignore[no-untyped-def]
    with app.test_request_context():
        return draft_plan(db.session.get(Unit, unit_id), db.session.get(Wave, wave_id))


def test_draft_uses_only_supported_worse_verdicts(app, site):
    a = _draft(app, site["wave"], site["A"])
    assert [(w.dimension, w.worse_than_rest, w.worse_than_before) for w in a.weaknesses] == [
        ("RDD1", True, False), ("RDD2", False, True)]
    # RDD1: the catalogue's two actions and the active offer for any version of tready
    assert [(p.dimension, p.title, p.path, p.from_offer) for p in a.proposals] == [
        ("RDD1", "Pelatihan komunikasi tim", "klasikal", False),
        ("RDD1", "Modul e-learning umpan balik", "elearning", False),
        ("RDD1", "Kelas daring Corpu", "elearning", True)]
    assert a.reason == ""
    assert _draft(app, site["wave"], site["ROOT"]).reason == "no_weakness"
    for small in ("B", "C"):  # C below k, B hidden so that C cannot be subtracted
        hidden = _draft(app, site["wave"], site[small])
        assert (hidden.reason, hidden.shown_cells, hidden.proposals) == ("hidden", 0, ())


def test_a_weak_dimension_without_actions_says_so(app, site):
    with app.app_context():
        _verdict(site["wave"], site["ROOT"], "RDD2", change_verdict="down")
        db.session.commit()
    b = _draft(app, site["wave"], site["ROOT"])
    assert [w.dimension for w in b.weaknesses] == ["RDD2"] and b.reason == "no_actions"


def _post(client, page_url: str, url: str, data: dict[str, object], prefix: str = ""):  # type: ignore[no-untyped-def]
    """Fetch the page for a CSRF token (one per session: the logout form's serves every
    form), then post a form; a prefixed form posts its token under its prefix."""
    token = csrf_token(client.get(page_url).get_data(as_text=True))
    return client.post(url, data={f"{prefix}-csrf_token" if prefix else "csrf_token": token,
                                  **data})


def _create(client, site) -> int:  # type: ignore[no-untyped-def]
    url = f"/hr/rencana/susun/{site['wave']}/{site['A']}"
    response = _post(client, url, url, {"year": "2027"})
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(response.headers["Location"].rsplit("/", 1)[1])


def _action_data(prefix: str, **changes: object) -> dict[str, object]:
    data = {"title": "Pelatihan komunikasi tim", "target": f"{KEY}|RDD1", "competence": "",
            "target_group": "fungsional", "path": "klasikal", "provider": "BPSDM Provinsi",
            "start_month": "3", "end_month": "5", "hours_jp": "16", "budget": "15.000.000",
            "status": "direncanakan", **changes}
    return {f"{prefix}-{k}": v for k, v in data.items()}


def test_pages_draft_edit_and_audit(app, client, site):
    _login(client, "admin")
    unit_page = client.get(f"/hr/hasil/{site['wave']}/unit/{site['A']}").get_data(as_text=True)
    assert f'href="/hr/rencana/susun/{site["wave"]}/{site["A"]}"' in unit_page
    page = client.get(f"/hr/rencana/susun/{site['wave']}/{site['A']}").get_data(as_text=True)
    assert "Kelas daring Corpu" in page and "Program lama" not in page
    assert "jelas lebih buruk daripada bagian lain organisasi" in page
    hidden = client.get(f"/hr/rencana/susun/{site['wave']}/{site['C']}").get_data(as_text=True)
    assert "Hasil unit ini tidak ditampilkan pada gelombang Budaya 2026-Q4" in hidden
    assert "Januari–Desember, 8 JP per peserta" in page
    still_open = client.get(f"/hr/rencana/susun/{site['open']}/{site['A']}")
    assert still_open.status_code == 409 and "belum ditutup" in still_open.get_data(as_text=True)
    assert client.get(f"/hr/rencana/susun/{site['wave']}/999").status_code == 404
    calm = client.get(f"/hr/rencana/susun/{site['wave']}/{site['ROOT']}?lang=en")
    assert "The evidence supports no dimension of this unit as weaker" in calm.get_data(
        as_text=True)
    client.get("/hr/?lang=id")  # the language choice stays for the session

    plan_id = _create(client, site)
    with app.app_context():
        plan = db.session.get(DevelopmentPlan, plan_id)
        assert (plan.year, plan.status, plan.wave_id, len(plan.actions)) == (
            2027, "draft", site["wave"], 3)
        first = plan.actions[0].id
    typo = _post(client, f"/hr/rencana/susun/{site['wave']}/{site['A']}",
                 f"/hr/rencana/susun/{site['wave']}/{site['A']}", {"year": "2027a"})
    assert typo.status_code == 422
    assert "Tahun rencana harus bilangan bulat (diisi: 2027a)." in typo.get_data(as_text=True)
    again = _post(client, f"/hr/rencana/susun/{site['wave']}/{site['A']}",
                  f"/hr/rencana/susun/{site['wave']}/{site['A']}", {"year": "2027"})
    assert "sudah ada" in again.get_data(as_text=True)

    # bad input: a message in Indonesian per field, and every typed value is still there
    edit = f"/hr/rencana/{plan_id}"
    bad = _post(client, edit, f"{edit}/tindakan/{first}", _action_data(
        f"a{first}", title="Judul yang diketik", hours_jp="banyak", budget="-5",
        start_month="6", end_month="2"), prefix=f"a{first}")
    body = bad.get_data(as_text=True)
    assert bad.status_code == 422
    assert "harus berupa angka" in body and "rupiah bulat" in body
    assert "Bulan selesai tidak boleh sebelum bulan mulai." in body
    assert 'value="Judul yang diketik"' in body and 'value="banyak"' in body
    assert 'value="-5"' in body
    with app.app_context():
        assert db.session.get(PlanAction, first).title == "Pelatihan komunikasi tim"

    good = _post(client, edit, f"{edit}/tindakan/{first}", _action_data(f"a{first}"),
                 prefix=f"a{first}")
    assert good.status_code == 302
    added = _post(client, edit, f"{edit}/tindakan", _action_data(
        "baru", title="Kuliah kepemimpinan", target="", competence="Kepemimpinan",
        path="kemitraan", hours_jp="32,5", budget="Rp 40.000.000", status="berjalan"),
        prefix="baru")
    assert added.status_code == 302
    with app.app_context():
        plan = db.session.get(DevelopmentPlan, plan_id)
        a = plan.actions[0]
        assert (a.target_group, a.start_month, a.end_month, a.hours_jp, a.budget) == (
            "fungsional", 3, 5, 16.0, 15_000_000)
        new = plan.actions[-1]
        assert (new.dimension, new.competence, new.hours_jp, new.budget) == (
            None, "Kepemimpinan", 32.5, 40_000_000)
        third = plan.actions[2].id
    removed = _post(client, edit, f"{edit}/tindakan/{third}/hapus", {})
    assert removed.status_code == 302
    approved = _post(client, edit, f"{edit}/status", {"status": "approved"})
    assert approved.status_code == 302
    with app.app_context():
        plan = db.session.get(DevelopmentPlan, plan_id)
        assert plan.status == "approved" and len(plan.actions) == 3
        actions = list(db.session.scalars(sa.select(AuditEntry.action)
                                          .where(AuditEntry.action.like("plan.%"))))
    assert actions == ["plan.create", "plan.action_update", "plan.action_add",
                       "plan.action_remove", "plan.approved"]
    log = client.get("/hr/audit").get_data(as_text=True)
    assert "Menyusun rencana pengembangan kompetensi dari hasil gelombang Budaya 2026-Q4." in log
    assert "Tindakan tercatat: plan." not in log


def test_exports_xlsx_and_pdf(app, client, site):
    _login(client, "admin")
    plan_id = _create(client, site)
    with app.app_context():
        plan = db.session.get(DevelopmentPlan, plan_id)
        plan.actions[0].budget = 2_500_000
        plan.actions[1].status = "dibatalkan"
        plan.actions[1].budget = 9_000_000
        db.session.add(TrainingEvent(unit_id=site["A"], held_on=dt.date(2027, 4, 2),
                                     title="Kelas 1", hours_jp=8, participants=3,
                                     plan_action_id=plan.actions[0].id))
        db.session.commit()
    response = client.get(f"/hr/rencana/{plan_id}/rencana.xlsx")
    assert response.status_code == 200 and response.headers["Content-Disposition"].endswith(
        'rencana-A-2027.xlsx"')
    rows = [tuple(c for c in r) for r in load_workbook(io.BytesIO(response.data)).active
            .iter_rows(values_only=True)]
    head = {r[0]: r[1] for r in rows[1:7]}
    assert head["Unit kerja"] == "Kelurahan <b>Satu</b>" and head["Tahun"] == "2027"
    assert head["Status rencana"] == "Draf" and head["Disusun dari hasil gelombang"] == (
        "Budaya 2026-Q4")
    header = rows.index(next(r for r in rows if r[0] == "No"))
    actions = rows[header + 1:header + 4]
    assert [r[1] for r in actions] == ["Pelatihan komunikasi tim",
                                       "Modul e-learning umpan balik", "Kelas daring Corpu"]
    assert actions[0][2:11] == ("Instrumen tready: Dimensi 1", "Semua jabatan",
                                "Klasikal (pelatihan tatap muka)", None, "Januari–Desember 2027",
                                8.0, 2_500_000, "Direncanakan", 24.0)
    totals = rows[header + 4]
    assert totals[7:9] == (16.0, 2_500_000) and totals[10] == 24.0  # cancelled one left out
    jp = {r[0]: r[1] for r in rows[header + 5:] if r and r[0]}
    assert jp["Target: 20 JP × jumlah pegawai"] == 20 * 14
    assert jp["JP per ASN"] == pytest.approx(24 / 14)

    pdf = client.get(f"/hr/rencana/{plan_id}/rencana.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = pdf_text(pdf.data)
    assert "Rencana Pengembangan Kompetensi 2027" in text
    assert "Organisasi Pemerintah Kota Uji" in text and "Unit kerja Kelurahan <b>Satu</b>" in text
    assert has_phrase(text, "Kelas daring Corpu", gap=20)  # the cells of a row interleave
    assert has_phrase(text, "Rp 2.500.000") and has_phrase(text, "Dibatalkan")
    assert has_phrase(text, "Target: 20 JP × jumlah pegawai 280")
    english = pdf_text(client.get(f"/hr/rencana/{plan_id}/rencana.pdf?lang=en").data)
    assert "Competence Development Plan 2027" in english and "IDR 2,500,000" in english
    assert "Classroom" in english  # the path labels follow the document's language


def test_training_against_a_plan_action_and_jp(app, client, site):
    _login(client, "admin")
    plan_id = _create(client, site)
    with app.app_context():
        action_id = db.session.get(DevelopmentPlan, plan_id).actions[0].id
    data = {"unit": str(site["A"]), "held_on": "2027-03-10", "title": "Kelas komunikasi",
            "hours_jp": "8", "provider": "BPSDM", "participants": "7",
            "plan_action": str(action_id)}
    assert _post(client, "/hr/pelatihan", "/hr/pelatihan", data).status_code == 302
    other = _post(client, "/hr/pelatihan", "/hr/pelatihan", {**data, "unit": str(site["B"])})
    assert "milik unit Kelurahan <b>Satu</b>" not in other.get_data(as_text=True)  # escaped
    assert "milik unit Kelurahan &lt;b&gt;Satu&lt;/b&gt;" in other.get_data(as_text=True)
    zero = _post(client, "/hr/pelatihan", "/hr/pelatihan", {**data, "participants": "0"})
    assert "Jumlah peserta paling sedikit 1." in zero.get_data(as_text=True)
    assert 'value="Kelas komunikasi"' in zero.get_data(as_text=True)
    with app.app_context():
        events = list(db.session.scalars(sa.select(TrainingEvent).where(
            TrainingEvent.held_on >= dt.date(2027, 1, 1))))  # the fixture logged one in 2026
        assert [(e.participants, e.plan_action_id) for e in events] == [(7, action_id)]
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "plan.training")) == 1
    jp = client.get("/hr/rencana/jp?tahun=2027").get_data(as_text=True)
    row = jp.split('data-unit="A"', 1)[1].split("</tr>", 1)[0]
    # 8 JP x 7 participants = 56 of 20 x 14 = 280: 4,0 JP per ASN, 20 %
    assert ">280<" in row and ">56,0<" in row and ">4,0<" in row and ">20 %<" in row
    assert ">56,0<" not in client.get("/hr/rencana/jp?tahun=2026").get_data(as_text=True)
    assert client.get("/hr/rencana/jp?tahun=dua").status_code == 400
    plan_page = client.get(f"/hr/rencana/{plan_id}").get_data(as_text=True)
    assert "Terlaksana: 56,0 JP" in plan_page
    # removing the action keeps the event and its hours, unlinked
    _post(client, f"/hr/rencana/{plan_id}", f"/hr/rencana/{plan_id}/tindakan/{action_id}/hapus",
          {})
    with app.app_context():
        event = db.session.scalars(sa.select(TrainingEvent).where(
            TrainingEvent.held_on >= dt.date(2027, 1, 1))).one()
        assert (event.plan_action_id, event.hours_jp, event.participants) == (None, 8.0, 7)


def test_unit_head_sees_and_edits_only_their_subtree(app, client, site):
    _login(client, "admin")
    plan_a = _create(client, site)
    url_b = f"/hr/rencana/susun/{site['wave']}/{site['B']}"
    response = _post(client, url_b, url_b, {"year": "2027"})
    plan_b = int(response.headers["Location"].rsplit("/", 1)[1])
    client.post("/hr/keluar", data={"csrf_token": csrf_token(
        client.get("/hr/").get_data(as_text=True))})
    _login(client, "kepala.b")
    listing = client.get("/hr/rencana/?tahun=2027").get_data(as_text=True)
    assert "Kelurahan Dua" in listing and "Satu" not in listing
    assert client.get(f"/hr/rencana/{plan_b}").status_code == 200
    for url in (f"/hr/rencana/{plan_a}", f"/hr/rencana/{plan_a}/rencana.pdf",
                f"/hr/rencana/{plan_a}/rencana.xlsx",
                f"/hr/rencana/susun/{site['wave']}/{site['A']}"):
        assert client.get(url).status_code == 403, url
    token = csrf_token(client.get(f"/hr/rencana/{plan_b}").get_data(as_text=True))
    refused = client.post(f"/hr/rencana/{plan_a}/tindakan", data={"csrf_token": token})
    assert refused.status_code == 403
    assert client.get("/hr/rencana/tawaran").status_code == 403
    training = client.get("/hr/pelatihan").get_data(as_text=True)
    assert "Kelurahan Dua · 2027" not in training  # B's plan drafted nothing: no actions
    assert "Kelurahan <b>Satu</b> · 2027" not in training
    jp = client.get("/hr/rencana/jp?tahun=2027").get_data(as_text=True)
    assert 'data-unit="B"' in jp and 'data-unit="A"' not in jp


def test_offers_editor(app, client, site):
    _login(client, "admin")
    page = client.get("/hr/rencana/tawaran").get_data(as_text=True)
    assert "Kelas daring Corpu" in page
    bad = _post(client, "/hr/rencana/tawaran", "/hr/rencana/tawaran", {
        "baru-title": "Mentoring kepala seksi", "baru-path": "coaching",
        "baru-url": "javascript:alert(1)", "baru-target": f"{KEY}|RDD2",
        "baru-active": "y"}, prefix="baru")
    assert bad.status_code == 422
    assert "Tautan harus diawali https:// atau http://." in bad.get_data(as_text=True)
    assert 'value="Mentoring kepala seksi"' in bad.get_data(as_text=True)
    good = _post(client, "/hr/rencana/tawaran", "/hr/rencana/tawaran", {
        "baru-title": "Mentoring kepala seksi", "baru-path": "coaching",
        "baru-url": "https://mentor.example", "baru-target": f"{KEY}|RDD2",
        "baru-active": "y"}, prefix="baru")
    assert good.status_code == 302
    with app.app_context():
        offer = db.session.scalars(sa.select(LearningOffer).where(
            LearningOffer.title == "Mentoring kepala seksi")).one()
        assert (offer.instrument_key, offer.dimension, offer.active) == (KEY, "RDD2", True)
        oid = offer.id
    # retire it: an unchecked box posts nothing
    retired = _post(client, "/hr/rencana/tawaran", f"/hr/rencana/tawaran/{oid}", {
        f"o{oid}-title": "Mentoring kepala seksi", f"o{oid}-path": "coaching",
        f"o{oid}-url": "", f"o{oid}-target": ""}, prefix=f"o{oid}")
    assert retired.status_code == 302
    with app.app_context():
        offer = db.session.get(LearningOffer, oid)
        assert (offer.active, offer.dimension) == (False, None)
        assert [a for (a,) in db.session.execute(sa.select(AuditEntry.action).where(
            AuditEntry.action.like("offer.%")))] == ["offer.add", "offer.update"]


@pytest.mark.parametrize("values", [
    {"budget": -1}, {"hours_jp": 0}, {"path": "magang"}, {"target_group": "pak budi"},
    {"status": "batal"}, {"start_month": 0}, {"start_month": 5, "end_month": 4},
    {"dimension": None, "competence": ""},
])
def test_plan_action_constraints(app, site, values):
    with app.app_context():
        plan = DevelopmentPlan(unit_id=site["A"], year=2027, status="draft")
        db.session.add(plan)
        db.session.flush()
        row = {"plan_id": plan.id, "title": "x", "instrument_key": KEY, "dimension": "RDD1",
               "competence": "", "target_group": "semua", "path": "klasikal", "provider": "",
               "start_month": 1, "end_month": 12, "hours_jp": 8.0, "budget": 0,
               "status": "direncanakan"}
        if values.get("dimension", "") is None:
            row["instrument_key"] = None
        with pytest.raises(sa.exc.IntegrityError):
            db.session.execute(sa.insert(PlanAction).values(**{**row, **values}))
        db.session.rollback()


def test_training_participants_and_unique_plan_constraints(app, site):
    with app.app_context():
        with pytest.raises(sa.exc.IntegrityError):
            db.session.execute(sa.insert(TrainingEvent).values(
                unit_id=site["A"], held_on=dt.date(2027, 1, 1), title="x", hours_jp=2,
                provider="", participants=0))
        db.session.rollback()
        with pytest.raises(sa.exc.IntegrityError):  # kept through the table's rebuild
            db.session.execute(sa.insert(TrainingEvent).values(
                unit_id=site["A"], held_on=dt.date(2027, 1, 1), title="x", hours_jp=0,
                provider="", participants=1))
        db.session.rollback()
        db.session.add(DevelopmentPlan(unit_id=site["A"], year=2027, status="draft"))
        db.session.add(DevelopmentPlan(unit_id=site["A"], year=2027, status="draft"))
        with pytest.raises(sa.exc.IntegrityError):
            db.session.flush()
        db.session.rollback()


def test_targeted_dimensions_come_from_training_against_plan_actions(app, site):
    from survey_app.services.plans import targeted_dimensions

    with app.app_context():
        plan = DevelopmentPlan(unit_id=site["A"], year=2027, status="draft")
        free = PlanAction(title="Kepemimpinan", competence="Kepemimpinan", path="kemitraan",
                          start_month=1, end_month=12, hours_jp=8, budget=0)
        aimed = PlanAction(title="Dialog", instrument_key=KEY, dimension="RDD1",
                           path="klasikal", start_month=1, end_month=12, hours_jp=8, budget=0)
        idle = PlanAction(title="Belum", instrument_key=KEY, dimension="RDD2",
                          path="klasikal", start_month=1, end_month=12, hours_jp=8, budget=0)
        plan.actions = [free, aimed, idle]
        db.session.add(plan)
        db.session.flush()
        for held, action in ((dt.date(2027, 2, 1), aimed), (dt.date(2027, 3, 1), free),
                             (dt.date(2028, 1, 5), idle)):
            db.session.add(TrainingEvent(unit_id=site["A"], held_on=held, title="x",
                                         hours_jp=4, plan_action_id=action.id))
        db.session.flush()
        assert targeted_dimensions(dt.date(2026, 11, 20), dt.date(2027, 12, 31)) == {
            (KEY, "RDD1"): {site["A"]}}
        assert targeted_dimensions(dt.date(2027, 2, 1), dt.date(2027, 12, 31)) == {}
