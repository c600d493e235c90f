"""Browser test of the HR audit log and training pages, and the new-wave form with its
instrument picker (Playwright + Debian chromium) at a 1280-px desktop and a 360-px phone: no
page wider than the screen, even with long unbroken details, and no axe-core violation, in
both languages."""

from __future__ import annotations

import datetime as dt

import pytest

from survey_app.extensions import db
from survey_app.models import Unit
from survey_app.services import add_audit_entry, add_training
from survey_app.services.users import create_user

from .test_browser import _launch
from .test_browser import live_server as live_server  # the fixture, shared
from .test_browser import pytestmark as pytestmark  # browser mark; skipped without chromium
from .test_browser_errors import AXE

PASSWORD = "browser test password"
LONG_WORD = "laporan-unit-" * 20  # one unbreakable word far wider than a phone
SCREENS = [({"width": 1280, "height": 800}, False), ({"width": 360, "height": 740}, True)]


def _seed(app) -> None:  # type: ignore[no-untyped-def]
    """An admin, a deep unit with a long name, long training rows, 60 audit entries."""
    with app.app_context():
        create_user("admin", PASSWORD, "admin")
        root = Unit(code="PLJ", name="Kecamatan Plaju", headcount=30)
        unit = Unit(code="PLJ-ILIR-01", name="Kelurahan Plaju Ilir Bagian Pelayanan Terpadu "
                    "Satu Pintu dan Administrasi Kependudukan", headcount=12, parent=root)
        db.session.add_all([root, unit])
        db.session.flush()
        for i in range(3):
            add_training(unit=unit, held_on=dt.date(2026, 3, 10 + i),
                         title=f"Pelatihan kepemimpinan perubahan angkatan {i} {LONG_WORD}",
                         hours_jp=8.5, provider=f"BPSDM Provinsi Sumatera Selatan {LONG_WORD}",
                         actor="admin")
        for i in range(55):
            add_audit_entry("admin", "units.import", None, f"{LONG_WORD}{i}.xlsx: 12 rows")
        add_audit_entry("admin", "plan.future_feature", None, LONG_WORD)
        db.session.commit()


def _login(page, base: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/hr/masuk")
    page.fill("#username", "admin")
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/hr/")


@pytest.mark.skipif(not AXE.is_file(), reason=f"axe-core not installed at {AXE} "
                    "(scripts/setup.sh dev)")
@pytest.mark.parametrize("lang", ["id", "en"])
def test_audit_log_and_training_fit_desktop_and_phone_and_pass_axe(live_server, lang):
    from playwright.sync_api import sync_playwright

    app, _recorder = live_server
    _seed(app)
    base = app.config["LENTERA_PUBLIC_URL"]
    source = AXE.read_text(encoding="utf-8")
    with sync_playwright() as p:
        browser = _launch(p)
        for viewport, phone in SCREENS:
            context = browser.new_context(viewport=viewport, is_mobile=phone, has_touch=phone)
            page = context.new_page()
            _login(page, base)
            for path in ("/hr/audit", "/hr/audit?halaman=2", "/hr/pelatihan",
                         "/hr/gelombang/baru"):
                response = page.goto(f"{base}{path}{'&' if '?' in path else '?'}lang={lang}")
                assert response is not None and response.status == 200, path
                if "baru" in path:  # the instrument picker: one checkbox per version
                    assert page.locator("input[name=instruments]").count() == 4
                else:
                    assert page.locator("table tbody tr").count() > 1, path
                width = page.evaluate("document.documentElement.scrollWidth")
                assert width <= viewport["width"], f"{path} at {viewport['width']}: {width} px"
                page.evaluate(source)  # through the DevTools protocol: the page's CSP stays on
                result = page.evaluate("axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', "
                                       "'wcag21a', 'wcag21aa', 'best-practice']})")
                assert result["violations"] == [], (path, viewport, [
                    (v["id"], v["help"], [n["target"] for n in v["nodes"]][:3])
                    for v in result["violations"]])
                assert result["passes"]  # it ran
            if phone:  # the rows are stacked: the header row is out of sight, labels in cells
                page.goto(f"{base}/hr/audit")
                assert page.locator("thead").bounding_box()["width"] <= 1
                cell = page.locator("tbody td").nth(2)
                label = cell.evaluate("e => getComputedStyle(e, '::before').content")
                assert label.strip('"').endswith(": ")
            context.close()
        browser.close()
