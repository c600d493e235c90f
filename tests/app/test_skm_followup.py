"""An SKM period's follow-up plan (rencana tindak lanjut) and citizens' consultation forums:
pages through the real app and database (CSRF on), audit, subtree, and the SKM report."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pytest
import sqlalchemy as sa

from analysis.skm import mutu_for
from survey_app.extensions import db
from survey_app.models import Answer, AuditEntry, ConsultationForum, Response, SkmFollowUp, Wave
from survey_app.services.reports import skm_context
from survey_app.services.users import create_user
from tests.reports.pdftext import pdf_text

from .conftest import add_units, csrf_token
from .test_reporting import make_skm_wave

PASSWORD = "correct horse battery"


@pytest.fixture
def skm(app):  # type: ignore[no-untyped-def]
    """Units ROOT > A, B; a closed SKM wave of B; an admin and the head of A."""
    with app.app_context():
        units = add_units([("ROOT", "Kecamatan Uji", None, 0), ("A", "Kelurahan Satu", "ROOT", 9),
                           ("B", "Kelurahan Dua", "ROOT", 12)])
        create_user("admin", PASSWORD, "admin")
        create_user("kepala.a", PASSWORD, "unit_head", units["A"].id)
        db.session.commit()
        ids = {c: u.id for c, u in units.items()}
    return {"units": ids, "wave": make_skm_wave(app, ids["B"])}


def _login(client, username: str):  # type: ignore[no-untyped-def]
    page = client.get("/hr/masuk").get_data(as_text=True)
    client.post("/hr/masuk", data={"csrf_token": csrf_token(page), "username": username,
                                   "password": PASSWORD})


def _post(client, url: str, data: dict, page_url: str | None = None):  # type: ignore[no-untyped-def]
    page = client.get(page_url or url).get_data(as_text=True)
    return client.post(url, data={"csrf_token": csrf_token(page), **data})


def _nrr(app, wave_id: int) -> dict[str, float]:
    """The NRR of each unsur straight from the stored answers (independent of the app)."""
    with app.app_context():
        rows = db.session.execute(sa.select(Answer.item_code, Answer.value).join(Response)
                                  .where(Response.wave_id == wave_id)).all()
    return {f"SKM-{code}": float(np.mean([v for c, v in rows if c == code]))
            for code in sorted({c for c, _ in rows})}


def test_follow_up_page_marks_the_priority_unsur_and_records_lines(app, client, skm):
    url = f"/hr/skm/{skm['wave']}/unit/{skm['units']['B']}/tindak-lanjut"
    _login(client, "admin")
    html = client.get(url).get_data(as_text=True)
    nrr = _nrr(app, skm["wave"])
    below_b = {c for c, v in nrr.items() if mutu_for(v * 25) in ("C", "D")}
    lowest = {c for c, v in nrr.items() if abs(v - min(nrr.values())) < 0.005}
    marked = set(re.findall(r'data-unsur="([^"]+)"><th[^>]*>[^<]*</th><td[^>]*>[^<]*</td>'
                            r"<td><span aria-hidden=\"true\">★", html))
    assert marked == (below_b or lowest)
    for code, value in nrr.items():  # printed half up, as the SKM report prints it
        printed = Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        assert re.search(rf'data-unsur="{code}"><th[^>]*>[^<]*</th><td class="num">'
                         rf'{str(printed).replace(".", ",")}</td>', html)
    # a refused line keeps what was typed and says why
    r = _post(client, url, {"unsur": "SKM-U3", "action": "Loket antrean daring",
                            "owner": "", "due_on": "2027-03-31"})
    text = r.get_data(as_text=True)
    assert r.status_code == 200 and "Loket antrean daring" in text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(SkmFollowUp)) == 0
    r = _post(client, url, {"unsur": "SKM-U3", "action": "Loket antrean daring",
                            "owner": "Kepala Seksi Pelayanan", "due_on": "2027-03-31"})
    assert r.status_code == 302
    with app.app_context():
        line = db.session.scalar(sa.select(SkmFollowUp))
        assert (line.unsur, line.owner, line.due_on, line.status) == (
            "SKM-U3", "Kepala Seksi Pelayanan", dt.date(2027, 3, 31), "direncanakan")
        line_id = line.id
    r = _post(client, f"/hr/skm/tindak-lanjut/{line_id}/status", {f"s{line_id}-status": "berjalan"},
              page_url=url)
    assert r.status_code == 302
    r = _post(client, f"/hr/skm/tindak-lanjut/{line_id}/status", {f"s{line_id}-status": "hilang"},
              page_url=url)
    assert r.status_code == 400
    with app.app_context():
        assert db.session.get(SkmFollowUp, line_id).status == "berjalan"
        actions = list(db.session.scalars(sa.select(AuditEntry.action)))
        assert actions.count("skm.follow_up") == 1 and actions.count("skm.follow_up_status") == 1
    audit = client.get("/hr/audit").get_data(as_text=True)
    assert "Menambahkan rencana tindak lanjut SKM gelombang" in audit


def test_follow_up_page_only_for_closed_skm_waves_and_the_units_subtree(app, client, skm):
    _login(client, "kepala.a")  # head of A; the SKM wave is B's
    url = f"/hr/skm/{skm['wave']}/unit/{skm['units']['B']}/tindak-lanjut"
    assert client.get(url).status_code == 404
    with app.app_context():
        culture = db.session.scalar(sa.select(Wave.id).where(Wave.id != skm["wave"]))
    assert culture is None  # only the SKM wave exists here
    admin = app.test_client()
    _login(admin, "admin")
    assert admin.get(f"/hr/skm/999/unit/{skm['units']['B']}/tindak-lanjut").status_code == 404
    # a unit that is not the wave's service unit
    assert admin.get(f"/hr/skm/{skm['wave']}/unit/{skm['units']['A']}/tindak-lanjut"
                     ).status_code == 404


def test_forum_needs_are_mapped_listed_and_refused_in_words(app, client, skm):
    _login(client, "admin")
    base = {"unit": str(skm["units"]["B"]), "held_on": "2026-10-14",
            "topic": "Pelayanan KTP-el", "participants": "23"}
    r = _post(client, "/hr/forum", base)  # no need written
    text = r.get_data(as_text=True)
    assert "Tuliskan sedikitnya satu kebutuhan" in text and "Pelayanan KTP-el" in text
    needs = {"needs-0-text": "Antrean terlalu lama", "needs-0-target": "unsur:SKM-U3",
             "needs-1-text": "Petugas perlu pelatihan komunikasi",
             "needs-1-target": "dimension:learning:LC-CL", "needs-2-text": "Parkir sempit",
             "needs-2-target": ""}
    assert _post(client, "/hr/forum", {**base, **needs}).status_code == 302
    r = _post(client, "/hr/forum", {**base, "needs-0-text": "x", "needs-0-target": "unsur:NOPE"})
    assert "Unsur atau dimensi tidak dikenal: unsur:NOPE." in r.get_data(as_text=True)
    with app.app_context():
        forum = db.session.scalar(sa.select(ConsultationForum))
        assert [(n.text, n.target_kind, n.target) for n in forum.needs] == [
            ("Antrean terlalu lama", "unsur", "SKM-U3"),
            ("Petugas perlu pelatihan komunikasi", "dimension", "learning:LC-CL"),
            ("Parkir sempit", "", "")]
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ConsultationForum)) == 1
    html = client.get("/hr/forum").get_data(as_text=True)
    assert "Antrean terlalu lama" in html and "Waktu penyelesaian" in html
    head = app.test_client()
    _login(head, "kepala.a")
    html = head.get("/hr/forum").get_data(as_text=True)
    assert "Antrean terlalu lama" not in html and "Belum ada forum." in html


def test_skm_report_prints_priorities_follow_up_and_forums(app, client, skm):
    from reports.documents import render_skm_report

    _login(client, "admin")
    url = f"/hr/skm/{skm['wave']}/unit/{skm['units']['B']}/tindak-lanjut"
    _post(client, url, {"unsur": "SKM-U3", "action": "Loket antrean daring",
                        "owner": "Kepala Seksi Pelayanan", "due_on": "2027-03-31"})
    _post(client, "/hr/forum", {"unit": str(skm["units"]["B"]), "held_on": "2026-10-14",
                                "topic": "Pelayanan KTP-el", "participants": "23",
                                "needs-0-text": "Antrean terlalu lama",
                                "needs-0-target": "unsur:SKM-U3"})
    with app.app_context():
        wave = db.session.get(Wave, skm["wave"])
        ctx = skm_context(wave, wave.units[0])
        text = pdf_text(render_skm_report(ctx))
        english = pdf_text(render_skm_report(ctx, "en"))
    flat = " ".join(text.split())
    assert "Rencana tindak lanjut" in flat and "Loket antrean daring" in flat
    assert "Kepala Seksi Pelayanan" in flat and "2027-03-31" in flat and "direncanakan" in flat
    assert "2026-10-14: Pelayanan KTP-el (23 peserta)" in flat
    assert "Antrean terlalu lama (Waktu penyelesaian)" in flat
    assert "Unsur yang diprioritaskan untuk tindak lanjut" in flat
    assert "planned" in " ".join(english.split()) and "23 participants" in english


def test_an_skm_wave_of_two_service_units_gets_one_report_each_with_its_own_figures(app):
    from survey_app.models import SkmPopulation, Unit
    from survey_app.services import close_wave, create_wave, open_wave
    from survey_app.services.reports import skm_render_jobs

    rng = np.random.default_rng(3)
    with app.app_context():
        units = add_units([("ROOT", "Kota", None, 0), ("DUK", "Disdukcapil", "ROOT", 0),
                           ("PKM", "Puskesmas", "ROOT", 0)])
        wave = create_wave(name="SKM 2026", period="2026", instrument_keys=["skm"],
                           unit_ids=[units["DUK"].id, units["PKM"].id],
                           opens_on=dt.date(2026, 1, 1), closes_on=dt.date(2026, 12, 31), k=5,
                           actor="t")
        open_wave(wave, actor="t")
        sizes = {"DUK": 12, "PKM": 7}
        for code, n in sizes.items():
            for _ in range(n):
                rid = uuid.uuid4()
                db.session.add(Response(id=rid, wave_id=wave.id, unit_id=units[code].id))
                db.session.flush()
                db.session.add_all(Answer(response_id=rid, item_code=f"U{i}", points=4,
                                          value=int(rng.integers(1, 5))) for i in range(1, 10))
        db.session.add(SkmPopulation(wave_id=wave.id, unit_id=units["PKM"].id, population=500))
        close_wave(wave, actor="t")
        db.session.commit()
        jobs = {j.filename: j.context for j in skm_render_jobs(db.session.get(Wave, wave.id),
                                                              "id")}
        pkm_nrr = [np.mean([a.value for a in db.session.scalars(
            sa.select(Answer).join(Response).where(Response.unit_id == units["PKM"].id,
                                                   Answer.item_code == f"U{i}"))])
            for i in range(1, 10)]
        assert db.session.get(Unit, units["PKM"].id).name == "Puskesmas"
    assert set(jobs) == {f"skm-DUK-{wave.id}.pdf", f"skm-PKM-{wave.id}.pdf"}
    duk, pkm = jobs[f"skm-DUK-{wave.id}.pdf"], jobs[f"skm-PKM-{wave.id}.pdf"]
    assert (duk.service_unit, duk.n_respondents, duk.population) == ("Disdukcapil", 12, None)
    assert (pkm.service_unit, pkm.n_respondents, pkm.population) == ("Puskesmas", 7, 500)
    assert pkm.required_sample == 217  # Krejcie & Morgan for N = 500
    assert [u.nrr for u in pkm.unsur] == pytest.approx(pkm_nrr, abs=1e-12)
