"""Browser test of the error pages (Playwright + Debian chromium, 360x740 phone viewport): a 404
and a 405, on the respondent and the HR side, in both languages, and a page with a long
description fit the phone's width and load only what the CSP allows."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from flask import abort

from .test_browser import _launch
from .test_browser import live_server as live_server  # the fixture, shared
from .test_browser import pytestmark as pytestmark  # browser mark; skipped without chromium

PAGES = [("/isi/tidak-ada", 404), ("/isi/survei", 405), ("/hr/tidak-ada", 404),
         ("/hr/keluar", 405), ("/hr/_uji/panjang", 409)]
LONG_WORD = "LAPORAN" * 12  # one unbreakable word, wider than the phone


def _long_description() -> str:
    abort(409, description=f"Belum ada laporan; jalankan: {LONG_WORD}")


@pytest.mark.parametrize("lang", ["id", "en"])
def test_error_pages_fit_a_phone_without_horizontal_scrolling(live_server, lang):
    from playwright.sync_api import sync_playwright

    app, _recorder = live_server
    app.add_url_rule("/hr/_uji/panjang", "long_description", _long_description)
    base = app.config["LENTERA_PUBLIC_URL"]
    with sync_playwright() as p:
        browser = _launch(p)
        # is_mobile: the page's viewport meta decides the layout width, as on a phone.
        page = browser.new_page(viewport={"width": 360, "height": 740}, is_mobile=True,
                                has_touch=True)
        console: list[str] = []
        page.on("console", lambda msg: console.append(msg.text))
        for path, status in PAGES:
            response = page.goto(f"{base}{path}?lang={lang}")
            assert response is not None and response.status == status
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 360, f"{path}: {width} px wide"
            assert page.evaluate("getComputedStyle(document.body).margin") == "0px"  # the CSS
            assert page.locator("h1").is_visible() and page.locator("a.button").is_visible()
        browser.close()
    assert not [m for m in console if "Content Security Policy" in m]


AXE_VERSION = "4.10.3"  # scripts/setup.sh installs this version (dev profile)
AXE = Path(os.environ.get("LENTERA_AXE_DIR", Path.home() / ".cache" / "lentera"
                          / f"axe-core-{AXE_VERSION}")) / "node_modules" / "axe-core" / "axe.min.js"


@pytest.mark.skipif(not AXE.is_file(), reason=f"axe-core not installed at {AXE} "
                    "(scripts/setup.sh dev)")
@pytest.mark.parametrize("lang", ["id", "en"])
def test_error_pages_pass_axe_core(live_server, lang):
    from playwright.sync_api import sync_playwright

    app, _recorder = live_server
    base = app.config["LENTERA_PUBLIC_URL"]
    source = AXE.read_text(encoding="utf-8")
    with sync_playwright() as p:
        browser = _launch(p)
        page = browser.new_page(viewport={"width": 360, "height": 740}, is_mobile=True)
        for path, status in PAGES[:4]:
            response = page.goto(f"{base}{path}?lang={lang}")
            assert response is not None and response.status == status
            page.evaluate(source)  # through the DevTools protocol: the page's CSP stays on
            result = page.evaluate("axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', "
                                   "'wcag21a', 'wcag21aa', 'best-practice']})")
            assert result["violations"] == [], (path, [(v["id"], v["help"])
                                                       for v in result["violations"]])
            assert result["passes"]  # it ran
        browser.close()
