"""Browser test (Playwright + Debian chromium, 360x740 phone viewport): a code from a generated
slip, the QR link with the code in the #fragment, the whole survey, the receipt, then the same
code again. `LENTERA_UPDATE_SCREENSHOT=1` refreshes docs/screenshot-form.png for the README."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from instruments import load_instrument
from survey_app import create_app
from survey_app.database import upgrade_schema
from survey_app.extensions import db
from survey_app.models import Unit
from survey_app.services import create_wave, open_wave

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[2]
CULTURE = ["resistance", "readiness", "learning"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(shutil.which(CHROMIUM) is None, reason=f"{CHROMIUM} is not installed"),
]


class PathRecorder:
    """WSGI middleware that remembers every path and query the server receives."""

    def __init__(self, app) -> None:  # type: ignore[no-untyped-def]
        self.app, self.seen = app, []

    def __call__(self, environ, start_response):  # type: ignore[no-untyped-def]
        self.seen.append(environ.get("PATH_INFO", "") + "?" + environ.get("QUERY_STRING", ""))
        return self.app(environ, start_response)


@pytest.fixture
def live_server(tmp_path):  # type: ignore[no-untyped-def]
    app = create_app({"LENTERA_INSTANCE_PATH": str(tmp_path),
                      "DATABASE_URL": f"sqlite:///{tmp_path / 'browser.db'}",
                      "SECRET_KEY": "browser-test", "LENTERA_CODE_KEY": "browser-key"})
    upgrade_schema(app)
    recorder = PathRecorder(app.wsgi_app)
    app.wsgi_app = recorder
    server = make_server("127.0.0.1", 0, app, threaded=True)
    app.config["LENTERA_PUBLIC_URL"] = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app, recorder
    server.shutdown()
    thread.join(10)
    with app.app_context():
        db.engine.dispose()


def _slip_url(app, tmp_path: Path) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """Create and open a wave, print slips (PDF) with the CLI, read a code and the address."""
    with app.app_context():
        unit = Unit(code="PLJ", name="Kecamatan Plaju", headcount=3)
        db.session.add(unit)
        db.session.flush()
        wave = create_wave(name="Budaya kerja 2026-Q1", period="2026-Q1",
                           instrument_keys=CULTURE, unit_ids=[unit.id],
                           opens_on=dt.date(2026, 1, 5), closes_on=dt.date(2026, 1, 30),
                           cut="jabatan", actor="t")
        open_wave(wave, actor="t")
        db.session.commit()
    out = tmp_path / "slips.pdf"
    result = app.test_cli_runner().invoke(args=["codes", "issue", "Budaya kerja 2026-Q1",
                                                "--out", str(out)])
    assert result.exit_code == 0, result.output
    text = _pdf_text(out)
    code = re.search(r"\b[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}\b", text).group(0)
    address = re.search(r"http://127\.0\.0\.1:\d+/isi", text).group(0)
    return code, f"{address}#{code}"  # what the slip's QR code carries


def _pdf_text(path: Path) -> str:
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        return "\n".join(page.extract_text() or "" for page in pdf.pages)


def _screenshot_path(tmp_path: Path) -> Path:
    """docs/screenshot-form.png when LENTERA_UPDATE_SCREENSHOT=1, else a temporary file (so a
    test run leaves the repository unchanged)."""
    if os.environ.get("LENTERA_UPDATE_SCREENSHOT") == "1":
        return ROOT / "docs" / "screenshot-form.png"
    return tmp_path / "screenshot-form.png"


def _launch(p):  # type: ignore[no-untyped-def]
    return p.chromium.launch(executable_path=CHROMIUM, args=[
        "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"])


def test_phone_answers_a_wave_from_a_slip_and_cannot_reuse_the_code(live_server, tmp_path):
    from playwright.sync_api import sync_playwright

    app, recorder = live_server
    code, url = _slip_url(app, tmp_path)
    assert url.endswith("/isi#" + code)
    items = [(item.code, scale.points) for ident in CULTURE
             for scale in load_instrument(ident).scales for item in scale.items]
    with sync_playwright() as p:
        browser = _launch(p)
        page = browser.new_page(viewport={"width": 360, "height": 740})
        console: list[str] = []
        page.on("console", lambda msg: console.append(msg.text))
        page.goto(url)
        assert page.input_value("#code") == code  # moved from the fragment by isi.js
        assert "#" not in page.url
        page.click("text=Lanjut")
        page.wait_for_selector("text=Apa yang disimpan dan apa yang tidak")
        page.click("text=Mulai mengisi")
        page.wait_for_selector("text=Bagian 1 dari 5")
        page.evaluate("window.scrollTo(0, 0)")
        shot = page.screenshot(path=str(_screenshot_path(tmp_path)))
        assert shot.startswith(b"\x89PNG")
        # Page by page (tests/app/test_browser_paged.py has Back and the language switch);
        # the last item left out first: the last page must keep the answers and say what is
        # missing.
        on_page = 'els => [...new Set(els.map(e => e.name))].filter(n => n !== "cut")'
        points, chosen = dict(items), {}
        for number in range(1, 6):
            names = page.eval_on_selector_all('input[type="radio"]', on_page)
            for item_code in names[:-1] if number == 5 else names:
                chosen[item_code] = 1 + len(chosen) % points[item_code]
                page.check(f'input[name="{item_code}"][value="{chosen[item_code]}"]')
            if number < 5:
                page.click('button[value="next"]')
                page.wait_for_selector(f"text=Bagian {number + 1} dari 5")
        assert len(chosen) == len(items) - 1
        page.check('input[name="cut"][value="fungsional"]')
        page.click("text=Kirim jawaban")
        page.wait_for_selector("text=1 isian perlu diperbaiki")
        assert page.is_checked(f'input[name="{names[0]}"][value="{chosen[names[0]]}"]')
        page.check(f'input[name="{items[-1][0]}"][value="2"]')
        page.click("text=Kirim jawaban")
        page.wait_for_selector("text=Terima kasih, jawaban Anda sudah tersimpan")
        receipt = page.inner_text("main")
        assert "Kecamatan Plaju" in receipt and code not in receipt
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360  # no horizontal scrolling on a phone
        # The same slip again: refused, nothing stored.
        page.goto(url)
        page.click("text=Lanjut")
        page.wait_for_selector("text=Kode ini sudah dipakai")
        browser.close()
    assert not [m for m in console if "Content Security Policy" in m]
    assert not any(code in seen or code.replace("-", "") in seen for seen in recorder.seen)
    with app.app_context():
        from survey_app.models import Response

        assert db.session.query(Response).count() == 1
