"""The error pages (ops/errors.py): every status on a respondent path and an HR path is the
branded page in Bahasa Indonesia with English beneath (or the reverse with ?lang=en or the
session's language), with its status code and headers; a view's abort() description is shown,
Werkzeug's English defaults are not, and a 500 shows nothing of the exception."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

import pytest
from flask import Flask, abort, request
from werkzeug.exceptions import TooManyRequests

from survey_app import create_app
from survey_app.database import upgrade_schema
from survey_app.extensions import db
from survey_app.ops import errors
from survey_app.services.users import create_user

from .conftest import app_config, csrf_token

# (Bahasa Indonesia, English) titles, written out here so that a wrong catalogue entry fails.
TITLES = {
    400: ("Permintaan tidak dapat diproses", "The request could not be processed"),
    403: ("Akses ditolak", "Access denied"),
    404: ("Halaman tidak ditemukan", "Page not found"),
    405: ("Alamat ini tidak dapat dibuka dengan cara ini",
          "This address cannot be opened this way"),
    409: ("Belum dapat dilakukan", "This cannot be done now"),
    413: ("Formulir atau berkas terlalu besar", "Form or file too large"),
    429: ("Terlalu banyak permintaan", "Too many requests"),
    500: ("Terjadi kesalahan di server", "Something went wrong on the server"),
}
START = {"respond": "/isi", "hr": "/hr/"}
SECRET = "rahasia-internal-x7"  # what a crash's message must never show
ADDRESS = "203.0.113.77"
WERKZEUG_DEFAULTS = ("The requested URL was not found", "The method is not allowed",
                     "The browser (or proxy) sent a request", "CSRF token",
                     "Internal Server Error", "The server encountered an internal error",
                     "Request Entity Too Large", "You don't have the permission", "Conflict")


@pytest.fixture
def app(tmp_path) -> Iterator[Flask]:  # type: ignore[no-untyped-def]
    """An app (SQLite) with a route under /isi and one under /hr that raise a given status."""
    app = create_app(app_config(f"sqlite:///{tmp_path / 'errors.db'}", tmp_path))
    app.config["PROPAGATE_EXCEPTIONS"] = False  # a crash is answered as in production
    upgrade_schema(app)

    def fail(status: int) -> str:
        if status == 500:
            if request.args.get("d"):  # a view passing an exception's text on
                abort(500, description=SECRET)
            raise RuntimeError(SECRET)
        if status == 429:
            raise TooManyRequests(retry_after=90)
        abort(status, description="Alasan dari view <b>x</b>" if request.args.get("d") else None)

    app.add_url_rule("/isi/_uji/<int:status>", "respond_fail", fail)
    app.add_url_rule("/hr/_uji/<int:status>", "hr_fail", fail)
    app.add_url_rule("/isi/_uji/kunci", "missing_key", lambda: request.args["x"])
    yield app
    with app.app_context():
        db.engine.dispose()


def _request(client, where: str, status: int, query: str):  # type: ignore[no-untyped-def]
    """Cause `status` on the respondent (`where`="respond") or HR side, the way it happens
    where it can (no CSRF token, an unknown address, GET of a POST-only address, a huge form),
    else through the test route."""
    prefix = "/isi" if where == "respond" else "/hr"
    form_page = "/isi" if where == "respond" else "/hr/masuk"
    if status == 400:  # a form posted without its CSRF token
        return client.post(form_page + query, data={"code": "ABCD-EFGH-JKMN"})
    if status == 404:
        return client.get(f"{prefix}/tidak-ada{query}")
    if status == 405:
        return client.get(("/isi/survei" if where == "respond" else "/hr/keluar") + query)
    if status == 413:
        return client.post(form_page + query, data="x=" + "y" * 70_000,
                           content_type="application/x-www-form-urlencoded")
    return client.get(f"{prefix}/_uji/{status}{query}")


def _main(html: str) -> str:
    return html[html.index("<main"):html.index("</main>")]


@pytest.mark.parametrize("status", sorted(TITLES))
@pytest.mark.parametrize("where", ["respond", "hr"])
@pytest.mark.parametrize("lang", ["id", "en-query", "en-session"])
def test_every_status_is_the_bilingual_page(app, where, status, lang):
    client = app.test_client()
    query = "?lang=en" if lang == "en-query" else ""
    if lang == "en-session":
        assert client.get("/isi?lang=en").status_code == 200  # remembered in the session
    r = _request(client, where, status, query)
    assert r.status_code == status
    assert r.mimetype == "text/html"
    html = r.get_data(as_text=True)
    first, second = TITLES[status] if lang == "id" else TITLES[status][::-1]
    other = "en" if lang == "id" else "id"
    assert f'<html lang="{"id" if lang == "id" else "en"}">' in html
    assert re.search(rf"<title>{re.escape(first)} · Lentera</title>", html)
    assert f"<h1>{first}</h1>" in html
    assert f'<section class="other-lang" lang="{other}">\n<h2>{second}</h2>' in html
    main = _main(html)
    assert f'<a class="button" href="{START[where]}">' in main
    assert f'class="brand" href="{START[where]}"' in html
    assert not [text for text in WERKZEUG_DEFAULTS if text in html]
    assert SECRET not in html and "RuntimeError" not in html and "Traceback" not in html
    # The headers: the exception's own, then the security headers as on any page.
    assert r.headers["Cache-Control"] == "no-store"
    assert "script-src 'self'" in r.headers["Content-Security-Policy"]
    if status == 405:
        assert "POST" in r.headers["Allow"] and "GET" not in r.headers["Allow"]
    if status == 429:
        assert r.headers["Retry-After"] == "90"
        assert ("Tunggu 2 menit" if lang == "id" else "Wait 2 minute(s)") in main


@pytest.mark.parametrize("where", ["respond", "hr"])
@pytest.mark.parametrize("status", [400, 403, 404, 409])
def test_a_description_given_to_abort_is_shown_escaped(app, where, status):
    prefix = "/isi" if where == "respond" else "/hr"
    r = app.test_client().get(f"{prefix}/_uji/{status}?d=1")
    assert r.status_code == status
    main = _main(r.get_data(as_text=True))
    assert '<p class="alert">Alasan dari view &lt;b&gt;x&lt;/b&gt;</p>' in main
    assert "<b>x</b>" not in main


def test_a_missing_form_key_is_a_400_without_werkzeug_text(app):
    r = app.test_client().get("/isi/_uji/kunci")
    assert r.status_code == 400
    main = _main(r.get_data(as_text=True))
    assert "<h1>Permintaan tidak dapat diproses</h1>" in main
    assert "alert" not in main and "The browser" not in main


def test_a_role_refusal_says_why_in_the_users_language(app):
    with app.app_context():
        create_user("analis", "correct horse battery", "analyst")
        db.session.commit()
    client = app.test_client()
    page = client.get("/hr/masuk").get_data(as_text=True)
    assert client.post("/hr/masuk", data={"csrf_token": csrf_token(page), "username": "analis",
                                          "password": "correct horse battery"}).status_code == 302
    r = client.get("/hr/pengguna")
    assert r.status_code == 403
    assert "Hanya admin yang dapat mengelola pengguna" in _main(r.get_data(as_text=True))
    r = client.get("/hr/pengguna?lang=en")
    assert r.status_code == 403
    main = _main(r.get_data(as_text=True))
    assert "Only admins can manage users" in main and "<h1>Access denied</h1>" in main


def test_a_csrf_failure_says_so_in_both_languages(app):
    # (a survey page keeps its answers instead: test_respond, expired form token)
    r = app.test_client().post("/isi", data={"code": "ABCD-EFGH-JKMN"})
    assert r.status_code == 400
    html = r.get_data(as_text=True)
    assert "Pemeriksaan keamanan formulir gagal" in _main(html)
    assert "The form&#39;s security check failed" in html[html.index("other-lang"):]


def test_a_nul_refusal_keeps_its_message_in_the_page(app):
    client = app.test_client()
    r = client.get("/isi?x=a%00b")
    assert r.status_code == 400 and r.mimetype == "text/html"
    assert "Formulir berisi karakter yang tidak sah (NUL)" in _main(r.get_data(as_text=True))
    r = client.get("/isi?x=a%00b&lang=en")
    assert "The form contains an invalid character (NUL)" in _main(r.get_data(as_text=True))


def test_respond_pages_say_nothing_was_stored_only_where_it_is_true(app):
    client = app.test_client()
    stored = "Tidak ada yang disimpan"
    assert stored in client.get("/isi/survei").get_data(as_text=True)  # 405: before any view
    crash = client.get("/isi/_uji/500").get_data(as_text=True)
    assert stored not in crash  # a crash may come after the answers were committed
    assert "kode itu sudah dipakai, jawaban Anda sudah tersimpan" in crash


def test_a_get_of_a_form_only_address_says_so_and_a_post_to_a_page_does_not(app):
    client = app.test_client()
    assert "hanya menerima formulir" in client.get("/isi/survei").get_data(as_text=True)
    r = client.post("/hr/audit")
    assert r.status_code == 405 and "GET" in r.headers["Allow"]
    html = r.get_data(as_text=True)
    assert "hanya menerima formulir" not in html
    assert "Alamat ini tidak menerima permintaan seperti ini." in html


def test_a_path_outside_both_sides_leads_to_the_code_page(app):
    r = app.test_client().get("/tidak-ada")
    assert r.status_code == 404
    assert '<a class="button" href="/isi">' in r.get_data(as_text=True)


def test_a_crash_is_logged_without_address_and_on_respond_pages_without_its_message(app,
                                                                                    caplog):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = ADDRESS
    with caplog.at_level(logging.ERROR):
        r = client.get("/isi/_uji/500")
    assert r.status_code == 500
    assert SECRET not in r.get_data(as_text=True)
    assert [rec.getMessage().split("\n", 1)[0] for rec in caplog.records] == [
        "Exception on /isi/_uji/500 [GET]: RuntimeError (message not logged)"]
    assert "test_errors.py" in caplog.text  # where it failed is logged ...
    assert SECRET not in caplog.text and ADDRESS not in caplog.text  # ... what it said is not
    caplog.clear()
    with caplog.at_level(logging.ERROR):
        assert client.get("/hr/_uji/500").status_code == 500
    crashes = [rec for rec in caplog.records if rec.exc_info]
    assert [rec.getMessage() for rec in crashes] == ["Exception on /hr/_uji/500 [GET]"]
    assert SECRET in caplog.text and ADDRESS not in caplog.text  # HR crashes: Flask's own log


def test_a_500_never_shows_a_description(app):
    r = app.test_client().get("/isi/_uji/500?d=1")
    assert r.status_code == 500
    html = r.get_data(as_text=True)
    assert SECRET not in html and TITLES[500][0] in html


def test_a_broken_error_page_still_answers_500_in_both_languages(app, monkeypatch):
    def broken(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("template broken")

    monkeypatch.setattr(errors, "render_template", broken)
    r = app.test_client().get("/hr/_uji/500")
    assert r.status_code == 500
    assert r.get_data(as_text=True) == errors.FALLBACK
