"""The HR pages through the real app and database (CSRF on): logins in the audit log without
what was typed as a password, the log a page at a time and in words, the instrument picker,
units in tree order on the wave page, labelled navigation."""

from __future__ import annotations

import dataclasses
import re

import pytest
import sqlalchemy as sa

from survey_app.extensions import db
from survey_app.models import AuditEntry, User, Wave
from survey_app.services import add_audit_entry

from .conftest import TEST_INSTRUMENTS, csrf_token
from .test_hr import login, post_form
from .test_hr import users as users  # the fixture, shared

PLANTED = "Zq9#planted-Secret-7731"  # typed into the password field, must be stored nowhere
CODE_LIKE = "K7QM-4XPA-9TRW"  # a respondent's code typed into the username field by mistake
ROW = '<tr><td class="when"'


def audit_dump(app) -> str:  # type: ignore[no-untyped-def]
    """Every column of every audit row, as a database dump would show them."""
    with app.app_context():
        with db.engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT * FROM audit_entry")).all()
    return "\n".join(repr(tuple(r)) for r in rows)


def audit_rows(app) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    with app.app_context():
        return [tuple(r) for r in db.session.execute(  # type: ignore[misc]
            sa.select(AuditEntry.actor, AuditEntry.action, AuditEntry.detail)
            .order_by(AuditEntry.id))]


def logout(client) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/hr/").get_data(as_text=True)
    assert client.post("/hr/keluar", data={"csrf_token": csrf_token(page)}).status_code == 302


@pytest.fixture
def lenient(app):  # type: ignore[no-untyped-def]
    """Enough login attempts a minute for one test's deliberate failures."""
    app.config["LENTERA_LOGIN_PER_MINUTE"] = 100
    return app


def test_logins_failures_and_logouts_are_audited_without_anything_typed(lenient, client,
                                                                         users):
    app = lenient
    with app.app_context():
        db.session.execute(sa.update(User).where(User.username == "analis")
                           .values(active=False))
        db.session.commit()
    assert "salah" in login(client, "admin", PLANTED).get_data(as_text=True)
    login(client, "ADMIN ", PLANTED)  # the same account, typed differently
    login(client, PLANTED, PLANTED)  # the password typed into the username field too
    login(client, CODE_LIKE, PLANTED)
    login(client, "analis")  # right password, deactivated account
    assert login(client, "admin").status_code == 302
    logout(client)
    assert audit_rows(app) == [("admin", "login.failed", ""), ("admin", "login.failed", ""),
                               ("", "login.failed", ""), ("", "login.failed", ""),
                               ("analis", "login.inactive", ""), ("admin", "login", ""),
                               ("admin", "logout", "")]
    dump = audit_dump(app)
    assert PLANTED not in dump and PLANTED.lower() not in dump.lower()
    assert CODE_LIKE not in dump
    with app.app_context():  # an HR user's action carries its time, as every audit entry does
        assert all(at is not None for at in db.session.scalars(sa.select(AuditEntry.at)))
    login(client, "admin")
    html = client.get("/hr/audit").get_data(as_text=True)
    assert PLANTED not in html and CODE_LIKE not in html
    assert html.count("Gagal masuk: nama pengguna atau kata sandi salah.") == 4
    assert html.count("akun tidak dikenal") == 2
    assert "Masuk ditolak: akun ini dinonaktifkan." in html
    assert "Keluar dari Lentera." in html
    html = client.get("/hr/audit?lang=en").get_data(as_text=True)
    assert "Failed login: wrong username or password." in html and "unknown account" in html
    assert "Logged in." in html and "Logged out." in html


def test_a_refused_csrf_token_records_no_login_attempt(lenient, client, users):
    client.get("/hr/masuk")
    r = client.post("/hr/masuk", data={"csrf_token": "forged", "username": "admin",
                                       "password": PLANTED})
    assert r.status_code == 400
    assert audit_rows(lenient) == []


def _fill(app, n: int) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        for i in range(1, n + 1):
            add_audit_entry("t", "training.add", None, f"entry-{i:03d}")
        db.session.commit()


def test_audit_log_pages_of_fifty_newest_first(app, client, users):
    _fill(app, 99)
    login(client, "admin")  # the 100th entry, the newest
    first = client.get("/hr/audit").get_data(as_text=True)
    assert first.count(ROW) == 50
    assert first.index("Masuk ke Lentera.") < first.index("entry-099") < first.index("entry-051")
    assert "entry-050" not in first
    assert "100 entri, terbaru di atas; halaman 1 dari 2." in first
    assert 'href="/hr/audit?halaman=2" rel="next"' in first and 'rel="prev"' not in first
    second = client.get("/hr/audit?halaman=2").get_data(as_text=True)
    assert second.count(ROW) == 50 and "entry-050" in second and "entry-001" in second
    assert 'href="/hr/audit?halaman=1" rel="prev"' in second and 'rel="next"' not in second
    assert 'href="/hr/audit?halaman=2" aria-current="page"' in second
    for bad in ("3", "0", "-1", "dua", ""):
        assert client.get(f"/hr/audit?halaman={bad}").status_code == 404, bad
    _fill(app, 1)  # one more: the oldest entry moves to a third page of its own
    third = client.get("/hr/audit?halaman=3").get_data(as_text=True)
    assert third.count(ROW) == 1 and "entry-001" in third
    assert "halaman 3 dari 3" in third


def test_a_short_log_has_no_page_links_and_an_unknown_action_is_named(app, client, users):
    with app.app_context():
        add_audit_entry("t", "plan.mystery", None, "x" * 300)  # one unbreakable word
        db.session.commit()
    login(client, "admin")
    html = client.get("/hr/audit").get_data(as_text=True)
    assert 'class="pager"' not in html
    assert "Tindakan tercatat: plan.mystery." in html
    assert "Recorded action: plan.mystery." in client.get("/hr/audit?lang=en").get_data(
        as_text=True)


WAVE = {"name": "Budaya 2026-Q2", "period": "2026-Q2", "opens_on": "2026-04-01",
        "closes_on": "2026-04-30", "k": "5", "cut": ""}


def _post_wave(client, users, instruments: list[str], **override: str):  # type: ignore[no-untyped-def]
    data = {**WAVE, "instruments": instruments,
            "units": [str(users["KEC"]), str(users["KEL1"])], **override}
    return post_form(client, "/hr/gelombang/baru", "/hr/gelombang/baru", data)


def _boxes(html: str) -> dict[str, bool]:
    """The instrument checkboxes of the page: value -> checked."""
    return {m.group(2): "checked" in m.group(0) for m in re.finditer(
        r'<input( checked)? id="instruments-\d+" name="instruments" type="checkbox" '
        r'value="([^"]+)"[^>]*>', html)}


def test_picker_lists_names_and_versions_and_stores_keys(app, client, users):
    login(client, "admin")
    html = client.get("/hr/gelombang/baru").get_data(as_text=True)
    for label in ("Sikap Saya terhadap Perubahan, versi 1.0",
                  "Kesiapan Unit Kami untuk Berubah, versi 1.0",
                  "Budaya Belajar di Unit Kami, versi 1.0",
                  "Survei Kepuasan Masyarakat, versi 1.0", "Instrumen tready, versi 1.0"):
        assert label in html
    assert 'name="instruments" type="text"' not in html
    boxes = _boxes(html)
    assert list(boxes)[:4] == ["resistance@1.0", "readiness@1.0", "learning@1.0", "tlearn@1.0"]
    assert list(boxes)[-2:] == ["skm@1.0", "tskm@1.0"]  # SKM instruments last
    assert [k for k, checked in boxes.items() if checked] == ["resistance@1.0",
                                                              "readiness@1.0", "learning@1.0"]
    english = client.get("/hr/gelombang/baru?lang=en").get_data(as_text=True)
    assert "Learning Culture in Our Unit, version 1.0" in english
    client.get("/hr/?lang=id")
    r = _post_wave(client, users, ["learning@1.0", "resistance@1.0"])
    assert r.status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(Wave)).instrument_keys == ["resistance@1.0",
                                                                      "learning@1.0"]
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "Sikap Saya terhadap Perubahan, versi 1.0<br>Budaya Belajar di Unit Kami, versi " \
           "1.0" in page
    # keys only as the draft form's checkbox values, never as text on the page
    assert "resistance@1.0" not in re.sub(r'value="[^"]*"', "", page)
    assert re.search(r'<input checked[^>]*value="resistance@1.0"', page)


@pytest.mark.parametrize(("instruments", "override", "message"), [
    ([], {}, "Pilih sedikitnya satu instrumen."),
    (["tready@1.0", "nope@9"], {}, "Instrumen nope@9 tidak ditemukan."),
    (["tready@1.0", "tready@2.0"], {}, "Pilih satu versi saja untuk setiap instrumen "
     "(terpilih: Instrumen tready, versi 1.0; Instrumen tready, versi 2.0)."),
    (["tready@2.0", "tlearn@1.0"], {"opens_on": "2026-05-01"},  # refused by the service
     "Tanggal tutup harus sesudah tanggal buka"),
])
def test_picker_refuses_bad_choices_and_keeps_the_form(app, client, users, instruments,
                                                       override, message):
    newer = dataclasses.replace(TEST_INSTRUMENTS["tready@1.0"], version="2.0")
    app.config["LENTERA_INSTRUMENTS"] = {**TEST_INSTRUMENTS, newer.key: newer}
    app.extensions["lentera_instruments"][newer.key] = newer
    login(client, "admin")
    r = _post_wave(client, users, instruments, **override)
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and message in html
    assert 'value="Budaya 2026-Q2"' in html and 'value="2026-04-30"' in html  # kept
    for unit in ("KEC", "KEL1"):
        assert re.search(rf'<option selected value="{users[unit]}">', html), unit
    kept = {k for k, checked in _boxes(html).items() if checked}
    assert kept == set(instruments) - {"nope@9"}
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Wave)) == 0


def _wave_with(app, users, codes: list[str]) -> int:  # type: ignore[no-untyped-def]
    import datetime as dt

    from survey_app.services import create_wave

    with app.app_context():
        wave = create_wave(name="W", period="2026-Q3", instrument_keys=["tready"],
                           unit_ids=[users[c] for c in codes], opens_on=dt.date(2026, 7, 1),
                           closes_on=dt.date(2026, 7, 30), actor="t")
        db.session.commit()
        return wave.id


def test_wave_page_lists_units_parents_first(app, client, users):
    # By code the parent ROOT sorts after its children KEC and KEL1.
    wave_id = _wave_with(app, users, ["KEL1", "ROOT", "KEC"])
    login(client, "admin")
    html = client.get(f"/hr/gelombang/{wave_id}").get_data(as_text=True)
    table = html[html.index("<h2>Unit dan jumlah respons"):]
    positions = [table.index(name) for name in ("Pemkot", "Kecamatan Plaju",
                                                "Kelurahan Plaju Ilir")]
    assert positions == sorted(positions)
    assert '<td class="tree2">Kelurahan Plaju Ilir</td>' in table
    select = html[html.index('id="unit"'):html.index("</select>", html.index('id="unit"'))]
    options = [select.index(name) for name in ("Pemkot", "— Kecamatan Plaju",
                                               "— — Kelurahan Plaju Ilir")]
    assert options == sorted(options)
    post_form(client, f"/hr/gelombang/{wave_id}", f"/hr/gelombang/{wave_id}/buka", {})
    html = client.get(f"/hr/gelombang/{wave_id}").get_data(as_text=True)
    table = html[html.index("<h2>Unit dan jumlah respons"):]
    positions = [table.index(name) for name in ("Pemkot", "Kecamatan Plaju",
                                                "Kelurahan Plaju Ilir")]
    assert positions == sorted(positions)


NAV = re.compile(r"<nav\b([^>]*)>")
LABEL = re.compile(r'aria-label="([^"]+)"')


def _nav_labels(html: str) -> list[str]:
    navs = NAV.findall(html)
    assert navs
    labels = [m.group(1) for m in map(LABEL.search, navs) if m]
    assert len(labels) == len(navs), navs  # every <nav> has a name
    return labels


@pytest.mark.parametrize(("lang", "expected"), [("id", ["Pilihan bahasa", "Menu HR"]),
                                                ("en", ["Language", "HR menu"])])
def test_every_navigation_bar_is_labelled_in_the_page_language(app, client, users, lang,
                                                               expected):
    _fill(app, 60)
    assert _nav_labels(client.get(f"/hr/masuk?lang={lang}").get_data(as_text=True)) == \
        expected[:1]
    assert _nav_labels(client.get(f"/isi?lang={lang}").get_data(as_text=True)) == expected[:1]
    login(client, "admin")
    for path in ("/hr/", "/hr/pelatihan", "/hr/gelombang/baru", "/hr/unit"):
        html = client.get(f"{path}?lang={lang}").get_data(as_text=True)
        assert _nav_labels(html) == expected, path
    pager = {"id": "Halaman log audit", "en": "Audit log pages"}[lang]
    html = client.get(f"/hr/audit?lang={lang}").get_data(as_text=True)
    assert _nav_labels(html) == [*expected, pager]
