"""Retries over real HTTP: a client whose request times out (the reply is lost) and who
sends the same submission again stores it exactly once and is told the code was used."""

from __future__ import annotations

import http.cookiejar
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator

import pytest
from werkzeug.serving import make_server

from tests.app.helpers import counts

from .conftest import FULL_ANSWERS, csrf_token

SLOW_REPLY = 1.0  # seconds the server holds every stored submission's reply
CLIENT_TIMEOUT = 0.3


@pytest.fixture
def server(app) -> Iterator[str]:
    """The app on a loopback port; replies to the survey POST arrive after SLOW_REPLY."""
    from flask import request

    @app.after_request
    def _slow(response):  # type: ignore[no-untyped-def]
        if request.endpoint == "respond.survey" and response.status_code == 200:
            time.sleep(SLOW_REPLY)  # the response is committed already; only the reply is late
        return response

    srv = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.server_port}"
    srv.shutdown()
    thread.join()


def _opener() -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))


def _post(opener, url: str, body: bytes, timeout: float):  # type: ignore[no-untyped-def]
    try:
        # noqa reason: the URL is the test's own loopback server.
        request = urllib.request.Request(url, data=body)  # noqa: S310
        with opener.open(request, timeout=timeout) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


@pytest.mark.parametrize("retries", [1, 3])
def test_timed_out_submission_retried_is_stored_once(app, open_wave_codes, server, retries):
    opener = _opener()
    with opener.open(server + "/isi", timeout=5) as r:
        token = csrf_token(r.read().decode())
    body = urllib.parse.urlencode({"csrf_token": token, "code": open_wave_codes["codes"]["A"][0],
                                   "answers": "1", **FULL_ANSWERS}).encode()
    with pytest.raises((TimeoutError, urllib.error.URLError)):
        _post(opener, server + "/isi/survei", body, CLIENT_TIMEOUT)  # the reply is lost
    replies = [_post(opener, server + "/isi/survei", body, 10) for _ in range(retries)]
    for status, html in replies:
        assert status == 409
        assert "Kode ini sudah dipakai" in html and "tidak ada yang disimpan lagi" in html
    assert counts(app) == (1, len(FULL_ANSWERS), 1)


def test_retry_racing_the_first_attempt_stores_once(app, open_wave_codes, server):
    """The impatient client re-sends while the first request is still being served."""
    opener = _opener()
    with opener.open(server + "/isi", timeout=5) as r:
        token = csrf_token(r.read().decode())
    body = urllib.parse.urlencode({"csrf_token": token, "code": open_wave_codes["codes"]["B"][0],
                                   "answers": "1", **FULL_ANSWERS}).encode()
    results: list[tuple[int, str]] = []
    threads = [threading.Thread(target=lambda: results.append(
        _post(opener, server + "/isi/survei", body, 10))) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    statuses = sorted(status for status, _ in results)
    assert statuses == [200, 409, 409, 409]
    assert counts(app) == (1, len(FULL_ANSWERS), 1)
