"""Browser test of the development plans (Playwright + Debian chromium): an analyst finds the
weakest unit in the needs-attention list of a closed wave, opens it, drafts its plan, edits an
action (a bad number first: the message is Indonesian and what was typed stays), downloads
the XLSX and the PDF and reads them back, records a training against a plan action and sees
the JP; axe-core finds no serious or critical violation on the plan pages at 1280 and 360 px;
a unit head finds only their own subtree's plans."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from survey_app.extensions import db
from survey_app.models import DevelopmentPlan, Unit, Wave
from survey_app.services.plans import create_plan, draft_plan
from tests.reports.pdftext import has_phrase, pdf_text

from .test_browser import _launch
from .test_browser import live_server as live_server  # the fixture, shared
from .test_browser import pytestmark as pytestmark  # browser mark; skipped without chromium
from .test_browser_errors import AXE
from .test_browser_results import _login, _screenshot
from .test_browser_results import results_site as results_site  # the fixture, shared

SERIOUS = ("serious", "critical")


def _axe(page, axe: str, width: int) -> None:  # type: ignore[no-untyped-def]
    """No serious or critical axe-core violation, and the page does not scroll sideways."""
    overflow = page.evaluate("document.documentElement.scrollWidth")
    wide = page.evaluate("[...document.querySelectorAll('main *')].filter(e => "
                         "e.getBoundingClientRect().right > innerWidth + 1).slice(0, 8)"
                         ".map(e => e.tagName + '.' + e.className + ' ' + "
                         "Math.round(e.getBoundingClientRect().width) + ' ' + "
                         "e.textContent.slice(0, 30))")
    assert overflow <= width, (page.url, width, overflow, wide)
    page.evaluate(axe)  # through the DevTools protocol: the page's CSP stays on
    result = page.evaluate("axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', "
                           "'wcag21aa', 'best-practice']})")
    bad = [(v["id"], v["impact"], v["help"], [n["target"] for n in v["nodes"]][:3])
           for v in result["violations"] if v["impact"] in SERIOUS]
    assert bad == [], (page.url, width, bad)
    assert result["passes"]


def _follow(page, target) -> None:  # type: ignore[no-untyped-def]
    """Click a link or a submit button (a selector or a locator) and wait for the next page:
    a count or a text read right after a bare click may still see the old page."""
    with page.expect_navigation():
        (page.locator(target) if isinstance(target, str) else target).click()


@pytest.mark.skipif(not AXE.is_file(), reason=f"axe-core not installed at {AXE} "
                    "(scripts/setup.sh dev)")
def test_analyst_drafts_edits_exports_and_follows_up_a_plan(results_site, tmp_path):
    from playwright.sync_api import sync_playwright

    app, wave_id, units = results_site
    base = app.config["LENTERA_PUBLIC_URL"]
    axe = AXE.read_text(encoding="utf-8")
    with sync_playwright() as p:
        browser = _launch(p)
        page = browser.new_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)
        _login(page, base, "analis")
        # the weakest units of the wave: its needs-attention list, then one of them
        page.goto(f"{base}/hr/hasil/{wave_id}?lang=id")
        weakest = page.locator("ul.attention > li > a")
        assert weakest.all_inner_texts() == ["Puskesmas Plaju Ulu"]
        _follow(page, weakest.first)
        assert page.url == f"{base}/hr/hasil/{wave_id}/unit/{units['PKM']}"
        _follow(page, "#susun-rencana")
        draft_url = page.url
        assert page.locator("#lemah li").count() == 1  # readiness, lower and down
        proposals = page.locator("#usulan tbody tr").count()
        assert proposals >= 1
        _axe(page, axe, 1280)
        _follow(page, "main form button[type=submit]")
        assert "/hr/rencana/" in page.url and page.locator("#tindakan tbody tr").count() == (
            proposals)
        plan_url = page.url.split("#")[0]
        plan_id = int(plan_url.rsplit("/", 1)[1])

        # edit the first action: a bad number first, then the right ones
        first = page.locator("section.action").first
        first.locator("input[name$='-hours_jp']").fill("dua belas")
        first.locator("input[name$='-budget']").fill("7.500.000")
        first.locator("select[name$='-target_group']").select_option("fungsional")
        _follow(page, first.locator("button[type=submit]").first)
        bad = page.locator("section.action.bad")
        assert bad.count() == 1
        assert "harus berupa angka" in bad.inner_text()
        assert bad.locator("input[name$='-hours_jp']").input_value() == "dua belas"
        assert bad.locator("input[name$='-budget']").input_value() == "7.500.000"
        assert bad.locator("select[name$='-target_group']").input_value() == "fungsional"
        _axe(page, axe, 1280)  # the page with a message on a field
        bad.locator("input[name$='-hours_jp']").fill("12")
        _follow(page, bad.locator("button[type=submit]").first)
        assert page.locator("section.action.bad").count() == 0
        row = page.locator("#tindakan tbody tr").first.inner_text()
        assert "Jabatan fungsional" in row and "Rp 7.500.000" in row and "12,0" in row
        title = page.locator("#tindakan tbody tr a").first.inner_text()

        # exports: the workbook and the PDF hold the edited action and the totals
        with page.expect_download() as got:
            page.click("#unduh-xlsx")
        assert got.value.suggested_filename.startswith("rencana-") and got.value.failure() \
            is None
        sheet = load_workbook(io.BytesIO(Path(got.value.path()).read_bytes())).active
        rows = list(sheet.iter_rows(values_only=True))
        assert ("Unit kerja", "Puskesmas Plaju Ulu") in [r[:2] for r in rows]
        action = next(r for r in rows if r[1] == title)
        assert action[3] == "Jabatan fungsional" and action[7:9] == (12.0, 7_500_000)
        with page.expect_download() as got:
            page.click("#unduh-pdf")
        text = pdf_text(Path(got.value.path()).read_bytes())
        assert "Rencana Pengembangan Kompetensi" in text and "Rp 7.500.000" in text
        assert has_phrase(text, "Unit kerja Puskesmas Plaju Ulu")

        # a training against the plan action, then the JP on the plan and summary pages
        page.goto(f"{base}/hr/pelatihan")
        page.select_option("select[name=unit]", str(units["PKM"]))
        page.fill("input[name=held_on]", "2027-03-15")
        page.fill("input[name=title]", "Kelas kesiapan perubahan")
        page.fill("input[name=hours_jp]", "6")
        page.fill("input[name=participants]", "11")
        page.select_option("select[name=plan_action]", label=f"Puskesmas Plaju Ulu · 2027 · "
                                                              f"{title}")
        _follow(page, "main form button[type=submit]")
        assert page.get_by_text(f"Rencana 2027: {title}").is_visible()
        page.goto(plan_url)
        # 6 JP x 11 participants = 66 of 20 JP x 11 staff = 220: 6,0 JP per ASN, 30 %
        assert "Terlaksana: 66,0 JP" in page.inner_text("main")
        assert "Per ASN: 6,0 JP, 30 % dari target." in page.inner_text("main")
        assert page.locator("#tindakan tbody tr").first.locator("td").last.inner_text() == (
            "66,0")
        # the next wave, after the training: the unit's page follows the plan action up
        later = _next_wave(app, units)
        page.goto(f"{base}/hr/hasil/{later}/unit/{units['PKM']}?lang=id")
        followup = page.locator("section[aria-labelledby=berhasil]")
        text = followup.inner_text()
        assert "Apakah berhasil?" in text and "sejak 2026-Q4" in text
        assert followup.locator("tbody tr").count() == 1  # the one dimension the plan targets
        # one comparison unit shown in both waves: too few to tell, and the page says so
        assert "Tidak dapat dihitung: hanya 1 unit pembanding" in text
        assert "berkat pelatihan" not in text and "karena pelatihan" not in text
        _axe(page, axe, 1280)
        for width, height in ((1280, 900), (360, 740)):
            phone = browser.new_page(viewport={"width": width, "height": height},
                                     is_mobile=width < 600, has_touch=width < 600)
            _login(phone, base, "analis")
            for url in (plan_url, draft_url, f"{base}/hr/rencana/?tahun=2027",
                        f"{base}/hr/rencana/jp?tahun=2027", f"{base}/hr/rencana/tawaran"):
                response = phone.goto(url)
                assert response is not None and response.status == 200, url
                _axe(phone, axe, width)
            if width == 1280:
                phone.goto(f"{plan_url}?lang=en")
                _screenshot(phone, "screenshot-plan.png", tmp_path)
            phone.close()
        browser.close()
    with app.app_context():
        plan = db.session.get(DevelopmentPlan, plan_id)
        assert plan.unit_id == units["PKM"] and plan.actions[0].hours_jp == 12.0


def _next_wave(app, units: dict[str, int]) -> int:  # type: ignore[no-untyped-def]
    """A third closed wave, opened after the training recorded in the test."""
    import datetime as dt

    import numpy as np

    from survey_app.instrument_store import get_instrument
    from survey_app.services import close_wave, create_wave, issue_codes, open_wave

    from .test_browser_results import CULTURE, SIZES, _answers

    rng = np.random.default_rng(12)
    with app.app_context():
        items = [(item.code, scale.points) for key in CULTURE
                 for scale in get_instrument(key).scales for item in scale.items]
        wave = create_wave(name="Budaya kerja 2027-Q2", period="2027-Q2",
                           instrument_keys=CULTURE, unit_ids=[units[c] for c in SIZES],
                           opens_on=dt.date(2027, 5, 3), closes_on=dt.date(2027, 5, 21), k=5,
                           actor="test")
        open_wave(wave, actor="test")
        for code, n in SIZES.items():
            issue_codes(wave, db.session.get(Unit, units[code]), n + 2, key="browser-key",
                        actor="test")
            _answers(wave.id, units[code], n, rng, 0.9 if code == "PKM" else 0.4, items)
        close_wave(wave, actor="test")
        db.session.commit()
        return int(wave.id)


def test_unit_head_finds_only_their_subtrees_plans(results_site):
    from playwright.sync_api import sync_playwright

    app, wave_id, units = results_site
    base = app.config["LENTERA_PUBLIC_URL"]
    with app.test_request_context():
        wave = db.session.get(Wave, wave_id)
        ids = {}
        for code in ("PKM", "DISDIK"):
            unit = db.session.get(Unit, units[code])
            ids[code] = create_plan(draft_plan(unit, wave), 2027, actor="test").id
        db.session.commit()
    with sync_playwright() as p:
        browser = _launch(p)
        page = browser.new_page(viewport={"width": 360, "height": 740}, is_mobile=True)
        _login(page, base, "kepala.dinkes")
        page.goto(f"{base}/hr/rencana/?tahun=2027")
        assert page.locator("table tbody td a").all_inner_texts() == ["Puskesmas Plaju Ulu"]
        assert page.goto(f"{base}/hr/rencana/{ids['PKM']}").status == 200  # type: ignore[union-attr]
        for url in (f"/hr/rencana/{ids['DISDIK']}", f"/hr/rencana/{ids['DISDIK']}/rencana.pdf",
                    f"/hr/rencana/susun/{wave_id}/{units['DISDIK']}"):
            response = page.goto(f"{base}{url}")
            assert response is not None and response.status == 403, url
        browser.close()
