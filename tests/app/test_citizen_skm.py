"""The citizens' SKM form (issue #16): a codeless public form per wave unit, its form token,
closed and unknown waves, nothing personal stored, kiosks, populations and the public page."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from analysis.skm import krejcie_morgan
from survey_app.extensions import db
from survey_app.models import Answer, Response, SkmRefusals, Wave
from survey_app.services import close_wave

from .citizen import ANSWERS, Clock, answer, form_fields, login, make_skm_wave
from .conftest import csrf_token

ADDRESS = "198.51.100.23"
USER_AGENT = "Mozilla/5.0 (Linux; Android 13; Pixel 7) TestAgent/1.0"


def snapshot(app) -> dict[str, set[tuple]]:  # type: ignore[no-untyped-def]
    """Every row of every table."""
    with app.app_context():
        meta = sa.MetaData()
        meta.reflect(db.engine)
        with db.engine.connect() as conn:
            rows = {name: set(map(tuple, conn.execute(sa.select(table))))
                    for name, table in meta.tables.items()}
        db.engine.dispose()
    return rows


def refused(app, skm, unit: str = "DUK") -> int:  # type: ignore[no-untyped-def]
    with app.app_context():
        return db.session.scalar(sa.select(SkmRefusals.refused).where(
            SkmRefusals.wave_id == skm.wave_id,
            SkmRefusals.unit_id == skm.units[unit])) or 0


def stored(app) -> int:  # type: ignore[no-untyped-def]
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(Response)) or 0


@pytest.fixture
def skm(app):  # type: ignore[no-untyped-def]
    return make_skm_wave(app)


@pytest.fixture
def clock(monkeypatch):  # type: ignore[no-untyped-def]
    return Clock(monkeypatch)


def test_the_form_is_the_regulations_nine_unsur_without_javascript(app, skm):
    client = app.test_client()
    r = client.get(skm.url("DUK"))
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store"
    assert "<script" not in html
    assert 'name="viewport" content="width=device-width' in html
    assert html.count('aria-required="true"') == 9  # the nine unsur, required
    assert "Disdukcapil" in html
    assert "kesesuaian persyaratan pelayanan dengan jenis pelayanannya" in html
    assert "Sangat mahal" in html and "Dikelola dengan baik" in html  # each unsur's own words
    for optional in ("Usia", "Jenis kelamin", "Pendidikan terakhir", "Pekerjaan utama"):
        assert optional in html
    en = client.get(skm.url("DUK") + "?lang=en").get_data(as_text=True)
    assert "How fair is the cost/tariff of the service?" in en and "Very expensive" in en


def test_a_citizen_answer_stores_the_answers_and_nothing_personal(app, skm, clock):
    client = app.test_client()
    client.environ_base.update({"REMOTE_ADDR": ADDRESS, "HTTP_USER_AGENT": USER_AGENT})
    before = snapshot(app)
    r = answer(client, clock, skm.url("DUK"))
    assert r.status_code == 200, r.get_data(as_text=True)
    html = r.get_data(as_text=True)
    assert "jawaban Anda sudah tersimpan" in html and "Gratis" in html  # the receipt, U4 = 4
    after = snapshot(app)
    new = {t: after[t] - before.get(t, set()) for t in after if after[t] - before.get(t, set())}
    # Exactly these tables get rows: the response, its answers, the used form's nonce and the
    # address's allowance (an HMAC key, never the address).
    assert set(new) == {"response", "answer", "skm_form_nonce", "rate_limit"}, set(new)
    (response,) = new["response"]
    with app.app_context():
        assert [c.name for c in Response.__table__.columns] == ["id", "wave_id", "unit_id", "cut"]
        assert [c.name for c in Answer.__table__.columns] == [
            "response_id", "item_code", "value", "points"]
    assert response[1:] == (skm.wave_id, skm.units["DUK"], None)
    assert sorted(a[1] for a in new["answer"]) == sorted(ANSWERS)
    assert {(a[1], a[2]) for a in new["answer"]} == {(k, int(v)) for k, v in ANSWERS.items()}
    ((digest, day),) = new["skm_form_nonce"]
    assert len(digest) == 32 and not hasattr(day, "hour")  # a day, no time of day
    ((key, _hits, _expires),) = new["rate_limit"]
    assert key.startswith("skm-addr:")
    # No column written anywhere holds the address, the user agent or the form's tokens.
    form = form_fields(client.get(skm.url("DUK")).get_data(as_text=True))
    text = repr(after)
    for secret in (ADDRESS, "TestAgent", "Pixel", form["t"][:20]):
        assert secret not in text
    # No cookie besides Flask's session (which holds the CSRF secret and nothing else).
    assert {c.key for c in client._cookies.values()} <= {"session"}


def test_unknown_draft_and_closed_waves_get_a_clear_page(app, clock):
    skm = make_skm_wave(app, state="draft")
    client = app.test_client()
    r = client.get("/skm/not-a-token")
    assert r.status_code == 404 and "Alamat survei ini tidak dikenal" in r.get_data(as_text=True)
    r = client.get(skm.url("DUK"))
    assert r.status_code == 404 and "belum dibuka" in r.get_data(as_text=True)
    with app.app_context():
        from survey_app.services import open_wave

        wave = db.session.get(Wave, skm.wave_id)
        open_wave(wave, actor="test")
        db.session.commit()
    page = client.get(skm.url("DUK"))
    with app.app_context():
        close_wave(db.session.get(Wave, skm.wave_id), actor="test")
        db.session.commit()
    clock.advance(60)
    r = client.post(skm.url("DUK"), data={**form_fields(page.get_data(as_text=True)), **ANSWERS})
    assert r.status_code == 410 and "sudah ditutup" in r.get_data(as_text=True)
    assert client.get(skm.url("DUK")).status_code == 410
    assert stored(app) == 0


def test_the_form_token_is_single_use_bound_and_short_lived(app, skm, clock):
    client = app.test_client()
    page = client.get(skm.url("DUK")).get_data(as_text=True)
    fields = form_fields(page)
    clock.advance(60)
    assert client.post(skm.url("DUK"), data={**fields, **ANSWERS}).status_code == 200
    r = client.post(skm.url("DUK"), data={**fields, **ANSWERS})  # the same form again
    assert r.status_code == 409 and "sudah tersimpan satu kali" in r.get_data(as_text=True)
    assert stored(app) == 1 and refused(app, skm) == 1
    # A token of the other unit, or a forged one: refused, counted, the answers kept.
    other = form_fields(client.get(skm.url("PKM")).get_data(as_text=True))
    clock.advance(60)
    for token in (other["t"], "forged"):
        r = client.post(skm.url("DUK"), data={**fields, "t": token, **ANSWERS})
        html = r.get_data(as_text=True)
        assert r.status_code == 400 and "Belum ada yang disimpan" in html
        assert re.search(r'name="U4" value="4" checked', html)
    assert stored(app) == 1 and refused(app, skm) == 3
    # Posted 3 s after it was issued: too fast for a person, refused with the answers kept.
    fresh = form_fields(client.get(skm.url("DUK")).get_data(as_text=True))
    clock.advance(3)
    r = client.post(skm.url("DUK"), data={**fresh, **ANSWERS})
    assert r.status_code == 429 and re.search(r'name="U9" value="3" checked', r.text)
    assert stored(app) == 1 and refused(app, skm) == 4
    # Left open longer than the token lives: expired, not counted, answers kept, a new token.
    clock.advance(31 * 60)
    r = client.post(skm.url("DUK"), data={**fresh, **ANSWERS})
    assert r.status_code == 400 and "kedaluwarsa" in r.text
    assert re.search(r'name="U1" value="4" checked', r.text)
    renewed = form_fields(r.text)
    assert renewed["t"] != fresh["t"]
    clock.advance(30)
    assert client.post(skm.url("DUK"), data={**renewed, **ANSWERS}).status_code == 200
    assert stored(app) == 2 and refused(app, skm) == 4


def test_missing_unsur_and_unknown_fields_store_nothing(app, skm, clock):
    client = app.test_client()
    partial = {k: v for k, v in ANSWERS.items() if k != "U3"}
    r = answer(client, clock, skm.url("DUK"), partial)
    assert r.status_code == 422 and "Pertanyaan ini belum dijawab" in r.text
    assert re.search(r'name="U2" value="3" checked', r.text)
    r = client.post(skm.url("DUK"), data={**form_fields(r.text), **ANSWERS})  # completed
    assert r.status_code == 200
    r = answer(client, clock, skm.url("DUK"), {**ANSWERS, "unit_id": "2"})
    assert r.status_code == 400 and "unit_id" in r.text
    optional_only = {k: v for k, v in ANSWERS.items() if not k.startswith("SKM-")}
    assert answer(client, clock, skm.url("DUK"), optional_only).status_code == 200
    assert stored(app) == 2


def test_hr_enters_populations_sees_progress_and_no_staff_headcount(app, skm, clock):
    hr = app.test_client()
    assert login(hr).status_code == 302
    page = hr.get(f"/hr/gelombang/{skm.wave_id}/skm").get_data(as_text=True)
    r = hr.post(f"/hr/gelombang/{skm.wave_id}/skm/populasi",
                data={"csrf_token": csrf_token(page), "unit": skm.units["DUK"],
                      "population": "1000"})
    assert r.status_code == 302
    for i in range(4):
        citizen = app.test_client()
        citizen.environ_base["REMOTE_ADDR"] = f"203.0.113.{i}"
        assert answer(citizen, clock, skm.url("DUK")).status_code == 200
    html = hr.get(f"/hr/gelombang/{skm.wave_id}").get_data(as_text=True)
    assert "Pegawai" not in html and "Kode dibagikan" not in html
    assert krejcie_morgan(1000) == 278
    row = re.search(r"<tr><td>Disdukcapil</td>(.*?)</tr>", html, re.S)
    assert row, html
    cells = re.findall(r"<td>(.*?)</td>", row.group(1), re.S)
    assert cells[:4] == ["1000", "278", "3–5", "1–2%"], cells  # 4 responses, k = 3: a band
    assert "0 kiriman ditolak" in row.group(1)
    assert "Cetak poster" in html
    pkm = re.search(r"<tr><td>Puskesmas Plaju</td>(.*?)</tr>", html, re.S)
    assert pkm and "&lt; 3" in pkm.group(1)
    poster = hr.get(f"/hr/gelombang/{skm.wave_id}/skm/{skm.units['DUK']}/poster")
    assert poster.status_code == 200 and "<svg" in poster.text
    assert f"http://lentera.test{skm.url('DUK')}" in poster.text
    audit = hr.get("/hr/audit").get_data(as_text=True)
    assert "Mencatat populasi unit layanan" in audit


def test_the_public_page_shows_the_published_aggregates_after_close(app, skm, clock):
    rows = [{**ANSWERS, "U1": v1, "U9": v9} for v1, v9 in (("4", "1"), ("3", "2"), ("2", "2"),
                                                          ("4", "4"))]
    for i, answers in enumerate(rows):
        citizen = app.test_client()
        citizen.environ_base["REMOTE_ADDR"] = f"203.0.113.{i}"
        assert answer(citizen, clock, skm.url("DUK"), answers).status_code == 200
    pkm = app.test_client()  # PKM gets 2 respondents: below k = 3
    for _ in range(2):
        assert answer(pkm, clock, skm.url("PKM")).status_code == 200
    hr = app.test_client()
    assert login(hr).status_code == 302
    page = hr.get(f"/hr/gelombang/{skm.wave_id}/skm").get_data(as_text=True)
    assert hr.post(f"/hr/gelombang/{skm.wave_id}/skm/populasi",
                   data={"csrf_token": csrf_token(page), "unit": skm.units["DUK"],
                         "population": "100"}).status_code == 302
    public = app.test_client()
    url = f"/skm/hasil/{skm.wave_id}/{skm.units['DUK']}"
    assert public.get(url).status_code == 404  # nothing before the period closes
    with app.app_context():
        close_wave(db.session.get(Wave, skm.wave_id), actor="test")
        db.session.commit()
    html = public.get(url).get_data(as_text=True)
    assert re.search(r'id="respondents">4<', html)
    assert re.search(r'id="required">80 · belum tercapai<', html)  # N = 100 needs 80
    nrr = [sum(int(r[f"U{i}"]) for r in rows) / 4 for i in range(1, 10)]
    ikm = sum(nrr) / 9
    assert f"{ikm * 25:.2f}" in html  # 25 x IKM, two decimals as the regulation prints it
    assert "3.25" in html and "2.25" in html  # NRR of U1 and U9
    grade = next(g for low, g in ((88.31, "A"), (76.61, "B"), (65.0, "C"), (0, "D"))
                 if round(ikm * 25, 2) >= low)
    assert re.search(rf'id="mutu">{grade} ', html)
    hidden = public.get(f"/skm/hasil/{skm.wave_id}/{skm.units['PKM']}").get_data(as_text=True)
    assert "kurang dari 3 orang" in hidden and "respondents" not in hidden
    assert public.get(f"/skm/hasil/{skm.wave_id}/{skm.units['ROOT']}").status_code == 404
    # the period's SKM report of each service unit holds the same citizens' answers
    from reports.documents import render_skm_report
    from survey_app.services.reports import skm_render_jobs
    from tests.reports.pdftext import pdf_text

    with app.app_context():
        jobs = {j.filename: j.context for j in skm_render_jobs(
            db.session.get(Wave, skm.wave_id), "id")}
    duk = jobs[f"skm-DUK-{skm.wave_id}.pdf"]
    assert (duk.n_respondents, duk.population, duk.required_sample) == (4, 100, 80)
    assert [u.nrr for u in duk.unsur] == pytest.approx(nrr)
    text = " ".join(pdf_text(render_skm_report(duk)).split())
    assert f"{ikm * 25:.2f}".replace(".", ",") in text and "Disdukcapil" in text
    assert jobs[f"skm-PKM-{skm.wave_id}.pdf"].unsur == ()  # 2 answers: below k, no figure


def test_kiosk_registration_activation_and_revocation(app, skm, clock):
    hr = app.test_client()
    assert login(hr).status_code == 302
    page = hr.get(f"/hr/gelombang/{skm.wave_id}/skm").get_data(as_text=True)
    r = hr.post(f"/hr/gelombang/{skm.wave_id}/skm/kiosk",
                data={"csrf_token": csrf_token(page), "unit": skm.units["DUK"],
                      "label": "Loket 1"})
    link = re.search(r'id="activation-link">http://lentera.test(/skm/kiosk/[^<]+)<', r.text)
    assert r.status_code == 200 and link
    tablet = app.test_client()
    activation = tablet.get(link.group(1))
    assert activation.status_code == 200
    r = tablet.post(link.group(1), data={"csrf_token": csrf_token(activation.text)})
    assert r.status_code == 302 and r.headers["Location"].endswith(skm.url("DUK"))
    cookie = tablet.get_cookie("lentera_kiosk", path="/skm")
    assert cookie is not None and cookie.http_only
    assert app.test_client().get(link.group(1)).status_code == 404  # the link works once
    r = answer(tablet, clock, skm.url("DUK"))
    # Stored, then straight to the next citizen's blank form with the thank-you above it.
    assert r.status_code == 303 and r.headers["Location"] == skm.url("DUK") + "?terkirim=1"
    blank = tablet.get(r.headers["Location"])
    assert "jawaban Anda sudah tersimpan" in blank.text and "checked" not in blank.text
    assert blank.headers["Cache-Control"] == "no-store" and 'autocomplete="off"' in blank.text
    assert stored(app) == 1
    # The banner is the kiosk's only: anyone else gets the plain form.
    assert "sudah tersimpan" not in app.test_client().get(r.headers["Location"]).text
    with app.app_context():
        from survey_app.models import Kiosk

        kiosk_id = db.session.scalar(sa.select(Kiosk.id))
    page = hr.get(f"/hr/gelombang/{skm.wave_id}/skm").get_data(as_text=True)
    assert "aktif" in page
    r = hr.post(f"/hr/gelombang/{skm.wave_id}/skm/kiosk/{kiosk_id}/cabut",
                data={"csrf_token": csrf_token(page)})
    assert r.status_code == 302
    r = answer(tablet, clock, skm.url("DUK"))
    assert r.status_code == 200 and "Tanda terima" in r.text  # a plain citizen's receipt now
    audit = hr.get("/hr/audit").get_data(as_text=True)
    assert "Mendaftarkan kiosk" in audit and "Mencabut kiosk" in audit


def test_the_language_switch_and_a_lost_cookie_keep_every_answer(app, skm, clock):
    client = app.test_client()
    page = client.get(skm.url("DUK")).get_data(as_text=True)
    fields = form_fields(page)
    r = client.post(skm.url("DUK") + "?lang=en", data={**fields, **ANSWERS, "relang": "1"})
    assert r.status_code == 200 and "Service unit: Disdukcapil" in r.text
    assert re.search(r'name="U4" value="4" checked', r.text) and stored(app) == 0
    assert form_fields(r.text)["t"] == fields["t"]  # the same form, the clock keeps running
    fresh = app.test_client()  # no session cookie: the CSRF check fails
    clock.advance(60)
    r = fresh.post(skm.url("DUK"), data={**fields, **ANSWERS})
    assert r.status_code == 400 and re.search(r'name="U9" value="3" checked', r.text)
    assert stored(app) == 0
    r = fresh.post(skm.url("DUK"), data={**form_fields(r.text), **ANSWERS})
    assert r.status_code == 429  # the new form token was just issued: too fast
    clock.advance(30)
    r = fresh.post(skm.url("DUK"), data={**form_fields(r.text), **ANSWERS})
    assert r.status_code == 200 and stored(app) == 1


def test_an_skm_wave_page_offers_no_participation_codes(app, skm):
    hr = app.test_client()
    assert login(hr).status_code == 302
    html = hr.get(f"/hr/gelombang/{skm.wave_id}").get_data(as_text=True)
    assert "Kode partisipasi" not in html and "Survei warga: populasi, poster QR" in html


def test_the_audit_flags_a_citizen_route_logged_with_an_address():
    from survey_app.ops.audit import audit_log_lines

    lines = [f'{ADDRESS} - - "GET /skm/WzEsMV0.abc HTTP/1.1" 200', '"GET /skm/WzEsMV0.abc" 200',
             f'{ADDRESS} "GET /hr/masuk" 200']
    assert [f.where for f in audit_log_lines("access.log", lines)] == ["access.log:1"]


def test_a_service_unit_under_another_is_counted_and_published_on_its_own(app, clock):
    import datetime as dt

    from survey_app.services import create_wave, open_wave
    from survey_app.services.citizens import poster_token, progress

    from .conftest import add_units

    with app.app_context():
        units = add_units([("PLJ", "Kecamatan Plaju", None, 10),
                           ("KEL", "Kelurahan Plaju Ilir", "PLJ", 5)])
        wave = create_wave(name="SKM Plaju", period="2026", instrument_keys=["skm"],
                           unit_ids=[units["PLJ"].id, units["KEL"].id],
                           opens_on=dt.date(2026, 1, 1), closes_on=dt.date(2026, 6, 30), k=3,
                           actor="t")
        open_wave(wave, actor="t")
        db.session.commit()
        urls = {c: f"/skm/{poster_token(wave, u)}" for c, u in units.items()}
        ids = {c: u.id for c, u in units.items()}
        wave_id = wave.id
    for code, n in (("PLJ", 3), ("KEL", 4)):
        for i in range(n):
            citizen = app.test_client()
            citizen.environ_base["REMOTE_ADDR"] = f"192.0.2.{10 * len(code) + i}"
            assert answer(citizen, clock, urls[code]).status_code == 200
    with app.app_context():
        wave = db.session.get(Wave, wave_id)
        rows = {r.name: (r.low, r.high) for r in progress(wave)}
        assert rows == {"Kecamatan Plaju": (3, 5), "Kelurahan Plaju Ilir": (3, 5)}
        close_wave(wave, actor="t")
        db.session.commit()
        rows = {r.name: (r.low, r.high) for r in progress(db.session.get(Wave, wave_id))}
        assert rows == {"Kecamatan Plaju": (3, 3), "Kelurahan Plaju Ilir": (4, 4)}
    public = app.test_client()
    for code, n in (("PLJ", 3), ("KEL", 4)):
        html = public.get(f"/skm/hasil/{wave_id}/{ids[code]}").get_data(as_text=True)
        assert re.search(rf'id="respondents">{n}<', html), code


def test_a_saran_is_stored_redacted_apart_and_shown_per_unit_from_ten(app, clock):
    from survey_app.models import Comment
    from survey_app.services import close_wave
    from survey_app.services.comments import comment_groups

    skm = make_skm_wave(app)
    planted = "Pak Budi di loket 3 lambat, hubungi 0812-3456-7890 atau budi@contoh.id"
    client = app.test_client()
    r = answer(client, clock, skm.url("DUK"), {**ANSWERS, "comment": planted})
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "Saran (disimpan terpisah" in html
    assert "[TELEPON]" in html and "0812" not in html and "budi@contoh.id" not in html
    long = answer(app.test_client(), clock, skm.url("DUK"), {**ANSWERS, "comment": "x" * 1001})
    assert long.status_code == 422 and "Saran terlalu panjang" in long.get_data(as_text=True)
    assert "x" * 1001 in long.get_data(as_text=True)  # the text typed is still there
    for i in range(13):  # DUK reaches 10 respondents, PKM 4: below 10
        unit = "DUK" if i < 9 else "PKM"
        assert answer(app.test_client(), clock, skm.url(unit),
                      {**ANSWERS, "comment": f"Saran nomor {i}"}).status_code == 200
    with app.app_context():
        texts = list(db.session.scalars(sa.select(Comment.text)))
        assert len(texts) == 14 and not any("0812" in t or "budi@" in t for t in texts)
        assert [c.name for c in Comment.__table__.columns] == [
            "id", "wave_id", "unit_id", "text", "hidden"]
        wave = db.session.get(Wave, skm.wave_id)
        close_wave(wave, actor="test")
        db.session.commit()
        groups = comment_groups(wave)
    # only the service unit with at least 10 answers, on its own, every saran of it
    assert {g.unit_id: len(g.comments) for g in groups} == {skm.units["DUK"]: 10}
    hr = app.test_client()
    assert login(hr).status_code == 302
    page = hr.get(f"/hr/gelombang/{skm.wave_id}/komentar").get_data(as_text=True)
    assert "Saran warga ditampilkan per unit layanan" in page  # the rule this wave follows
    assert "Saran nomor 0" in page and "Saran nomor 12" not in page  # PKM's: below 10
