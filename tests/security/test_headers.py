"""Security headers and cookie flags: strict CSP without inline script, no framing, no
referrer, no caching of HR and respond pages, HSTS and Secure cookies only over HTTPS, and
X-Forwarded-Proto trusted only behind a configured proxy."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from survey_app import create_app

from .conftest import app_config, login

APP = Path(__file__).resolve().parents[2] / "survey_app"


def _csp(response) -> dict[str, str]:  # type: ignore[no-untyped-def]
    policy = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part for part in (p.strip() for p in policy.split(";")) if part}


@pytest.mark.parametrize("path", ["/isi", "/hr/masuk", "/static/lentera.css"])
def test_every_response_has_the_security_headers(client, path):
    r = client.get(path)
    r.close()  # static files are streamed from an open file
    assert r.status_code == 200
    csp = _csp(r)
    assert csp["script-src"] == "script-src 'self'"
    assert "unsafe-inline" not in r.headers["Content-Security-Policy"]
    assert "unsafe-eval" not in r.headers["Content-Security-Policy"]
    assert csp["frame-ancestors"] == "frame-ancestors 'none'"
    assert csp["object-src"] == "object-src 'none'"
    assert csp["default-src"] == "default-src 'self'"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Referrer-Policy"] == "no-referrer"
    assert r.headers["X-Frame-Options"] == "DENY"
    assert "Strict-Transport-Security" not in r.headers  # plain HTTP


@pytest.mark.parametrize("path", ["/isi", "/hr/masuk", "/hr/"])
def test_hr_and_respond_pages_are_never_cached(client, path):
    assert client.get(path).headers["Cache-Control"] == "no-store"


def test_logged_in_hr_pages_are_not_cached(app, client):
    from survey_app.extensions import db
    from survey_app.services.users import create_user

    with app.app_context():
        create_user("admin", "correct horse battery", "admin")
        db.session.commit()
    assert login(client, "admin").status_code == 302
    r = client.get("/hr/")
    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store"


def test_templates_have_no_inline_script_or_handler():
    """The CSP would block them anyway; this keeps the pages working under it."""
    templates = sorted(APP.glob("**/templates/**/*.html"))
    assert len(templates) > 10
    for template in templates:
        text = template.read_text(encoding="utf-8")
        for tag in re.findall(r"<script\b[^>]*>", text):
            assert "src=" in tag, f"inline script in {template}"
        assert not re.search(r"<script\b[^>]*>\s*[^<\s]", text), f"inline script in {template}"
        assert not re.search(r"\son[a-z]+\s*=", text), f"inline event handler in {template}"
        assert "javascript:" not in text
        assert not re.search(r"\sstyle\s*=", text), f"inline style in {template}"
        assert "<style" not in text, f"inline style element in {template}"


def test_code_page_moves_the_fragment_with_a_static_script(client):
    html = client.get("/isi").get_data(as_text=True)
    assert re.search(r'<script src="/static/isi\.js[^"]*"></script>', html)
    with client.get("/static/isi.js") as js:
        assert js.status_code == 200 and "location.hash" in js.get_data(as_text=True)


def test_cookies_are_httponly_and_samesite_and_not_secure_over_http(client):
    r = client.get("/isi?lang=en")  # stores the language in the session: sets a cookie
    cookies = r.headers.getlist("Set-Cookie")
    assert cookies
    for cookie in cookies:
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
        assert "Secure" not in cookie


def test_https_gets_hsts_and_secure_cookies(client):
    r = client.get("/isi?lang=en", base_url="https://lentera.test")
    assert r.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    for cookie in r.headers.getlist("Set-Cookie"):
        assert "Secure" in cookie and "HttpOnly" in cookie


def test_forwarded_proto_is_ignored_without_a_configured_proxy(client):
    r = client.get("/isi?lang=en", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in r.headers
    assert all("Secure" not in c for c in r.headers.getlist("Set-Cookie"))


def test_forwarded_headers_are_trusted_behind_a_configured_proxy(tmp_path):
    url = f"sqlite:///{tmp_path / 'p.db'}"
    app = create_app({**app_config(url, tmp_path), "LENTERA_PROXY_HOPS": 1})

    @app.route("/_addr")
    def _addr():  # type: ignore[no-untyped-def]
        from flask import request

        return request.remote_addr or ""

    c = app.test_client()
    r = c.get("/_addr", headers={"X-Forwarded-Proto": "https",
                                 "X-Forwarded-For": "203.0.113.9"})
    assert r.headers["Strict-Transport-Security"].startswith("max-age=")
    assert r.get_data(as_text=True) == "203.0.113.9"


def test_https_only_deployments_mark_the_session_cookie_secure(tmp_path):
    url = f"sqlite:///{tmp_path / 's.db'}"
    app = create_app({**app_config(url, tmp_path), "LENTERA_HTTPS": True})
    assert app.config["SESSION_COOKIE_SECURE"] is True
