"""Compression of the respondents' pages, and why it gives BREACH nothing to work with.

BREACH needs one compressed response that holds a secret (here the CSRF token, the entry token
or the respondent's code) next to text the attacker chose, and the victim's browser sending
that request many times on the attacker's behalf. These tests show that the only compressed
responses are the 2xx respond pages, that nothing an attacker can put into a cross-site GET
appears in them, and that a cross-site POST (no session cookie under SameSite=Lax, no CSRF
token) gets an uncompressed refusal.
"""

from __future__ import annotations

import gzip
import re

import brotli
import pytest

from tests.app.helpers import token

from .conftest import FULL_ANSWERS, csrf_token, enter_code, login

MARKER = "zqxj7attackerchosen"
GZIP = {"Accept-Encoding": "gzip"}


def _body(response) -> str:  # type: ignore[no-untyped-def]
    data = response.get_data()
    encoding = response.headers.get("Content-Encoding")
    if encoding == "gzip":
        data = gzip.decompress(data)
    elif encoding == "br":
        data = brotli.decompress(data)
    else:
        assert encoding is None, encoding
    return data.decode("utf-8")


@pytest.mark.parametrize("encoding", ["gzip", "br"])
def test_the_survey_page_is_compressed_and_reads_the_same(client, open_wave_codes, encoding):
    code = open_wave_codes["codes"]["A"][0]
    intro = enter_code(client, code).get_data(as_text=True)
    form = {"csrf_token": csrf_token(intro), "code": code}
    plain = client.post("/isi/survei", data=form)
    packed = client.post("/isi/survei", data=form, headers={"Accept-Encoding": encoding})
    assert plain.status_code == packed.status_code == 200
    assert "Content-Encoding" not in plain.headers
    assert packed.headers["Content-Encoding"] == encoding
    assert "Accept-Encoding" in packed.headers["Vary"]
    assert len(packed.get_data()) < len(plain.get_data()) / 2
    assert strip_tokens(_body(packed)) == strip_tokens(plain.get_data(as_text=True))


def strip_tokens(page: str) -> str:
    """The page without its form token and its entry token (each signed with the time)."""
    page = page.replace(csrf_token(page), "")
    return re.sub(r'name="entry" value="[^"]*"', 'name="entry" value=""', page)


def test_a_receipt_is_compressed_for_a_same_site_submission(client, open_wave_codes):
    data = {"csrf_token": token(client), "code": open_wave_codes["codes"]["A"][1],
            "answers": "1", **FULL_ANSWERS}
    r = client.post("/isi/survei", data=data, headers=GZIP)
    assert r.status_code == 200 and r.headers["Content-Encoding"] == "gzip"
    assert "Tanda terima" in _body(r)


def test_hr_pages_are_never_compressed(client, users):
    assert "Content-Encoding" not in client.get("/hr/masuk", headers=GZIP).headers
    login(client, "admin")
    r = client.get("/hr/", headers=GZIP)
    assert r.status_code == 200 and "Content-Encoding" not in r.headers


def test_text_an_attacker_puts_in_a_cross_site_get_is_not_in_the_compressed_page(client):
    r = client.get(f"/isi?lang={MARKER}&{MARKER}={MARKER}&code={MARKER}&error={MARKER}",
                   headers=GZIP)
    assert r.status_code == 200 and r.headers["Content-Encoding"] == "gzip"
    body = _body(r)
    assert 'name="csrf_token"' in body  # the secret is there ...
    assert MARKER not in body  # ... and nothing the attacker chose is
    for path in (f"/isi/{MARKER}", f"/isi/survei?{MARKER}=1"):
        r = client.get(path, headers=GZIP)
        assert r.status_code in (404, 405) and "Content-Encoding" not in r.headers


def test_a_cross_site_post_gets_an_uncompressed_refusal(app, open_wave_codes):
    outsider = app.test_client()  # no session cookie: what SameSite=Lax sends cross-site
    for path, extra in (("/isi", {}), ("/isi/survei", {"answers": "1", **FULL_ANSWERS})):
        r = outsider.post(path, data={"code": open_wave_codes["codes"]["A"][2],
                                      "csrf_token": MARKER, **extra}, headers=GZIP)
        assert r.status_code == 400 and "Content-Encoding" not in r.headers
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_a_refused_code_is_answered_uncompressed(client, open_wave_codes):
    r = client.post("/isi", data={"csrf_token": token(client), "code": MARKER[:12]},
                    headers=GZIP)
    assert r.status_code == 422 and "Content-Encoding" not in r.headers
