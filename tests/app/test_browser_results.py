"""Browser test of the results pages (Playwright + Debian chromium) at 1280 and 360 px: axe-core
finds no violation of any impact on the overview and a unit page, the page never scrolls
sideways on a phone (wide tables scroll inside their own region), the charts load under the
CSP, and a unit head finds only their own subtree."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from pathlib import Path

import numpy as np
import pytest
import sqlalchemy as sa

from survey_app.extensions import db
from survey_app.instrument_store import get_instrument
from survey_app.models import Answer, PublishedCell, Response, TrainingEvent, Unit, WaveUnit
from survey_app.services import close_wave, create_wave, issue_codes, open_wave
from survey_app.services.users import create_user

from .test_browser import ROOT, _launch
from .test_browser import live_server as live_server  # the fixture, shared
from .test_browser import pytestmark as pytestmark  # browser mark; skipped without chromium
from .test_browser_errors import AXE

CULTURE = ["resistance", "readiness", "learning"]
PASSWORD = "correct horse battery"
SIZES = {"DINKES": 14, "PKM": 9, "DISDIK": 12, "SEKSI": 3}  # SEKSI is below k = 5
VIEWPORTS = [(1280, 900), (360, 740)]


def _answers(wave_id: int, unit_id: int, n: int, rng: np.random.Generator, shift: float,
             items: list[tuple[str, int]]) -> None:
    rows, answers = [], []
    for _ in range(n):
        rid = uuid.uuid4()
        rows.append({"id": rid, "wave_id": wave_id, "unit_id": unit_id, "cut": None})
        level = rng.normal(shift, 0.7)
        for code, points in items:
            value = int(np.clip(round((points + 1) / 2 + level + rng.normal(0, 0.9)), 1, points))
            answers.append({"response_id": rid, "item_code": code, "value": value,
                            "points": points})
    db.session.execute(sa.insert(Response), rows)
    db.session.execute(sa.insert(Answer), answers)


def _publish_verdicts(wave_id: int, verdicts: dict[tuple[int, str], dict[str, str]]) -> None:
    """Set the verdicts of the first dimension of an instrument in a unit's published cells."""
    for (unit_id, ident), values in verdicts.items():
        position = db.session.scalar(sa.select(WaveUnit.position).where(
            WaveUnit.wave_id == wave_id, WaveUnit.unit_id == unit_id))
        key = get_instrument(ident).key
        dim = get_instrument(ident).scales[0].dimensions[0].code
        db.session.execute(sa.update(PublishedCell).where(
            PublishedCell.wave_id == wave_id, PublishedCell.position == position,
            PublishedCell.instrument_key == key, PublishedCell.dimension == dim,
            PublishedCell.cut == "").values(**values))


@pytest.fixture
def results_site(live_server):  # type: ignore[no-untyped-def]
    """Two closed waves of the shipped culture instruments over a small tree, a training
    event between them, an HR analyst and the head of one unit."""
    app, _recorder = live_server
    rng = np.random.default_rng(11)
    with app.app_context():
        root = Unit(code="PLJ", name="Pemerintah Kota Plaju", headcount=0)
        units = {"ROOT": root,
                 "DINKES": Unit(code="PLJ-01", name="Dinas Kesehatan", parent=root,
                                headcount=16),
                 "DISDIK": Unit(code="PLJ-02", name="Dinas Pendidikan", parent=root,
                                headcount=14)}
        units["PKM"] = Unit(code="PLJ-01-1", name="Puskesmas Plaju Ulu",
                            parent=units["DINKES"], headcount=11)
        units["SEKSI"] = Unit(code="PLJ-02-1", name="Seksi Kurikulum", parent=units["DISDIK"],
                              headcount=4)
        db.session.add_all(units.values())
        db.session.flush()
        items = [(item.code, scale.points) for key in CULTURE
                 for scale in get_instrument(key).scales for item in scale.items]
        waves = {}
        for q, (opens, shift) in enumerate([(dt.date(2026, 8, 3), 0.0),
                                            (dt.date(2026, 11, 2), 0.4)]):
            wave = create_wave(name=f"Budaya kerja 2026-Q{q + 3}", period=f"2026-Q{q + 3}",
                               instrument_keys=CULTURE,
                               unit_ids=[units[c].id for c in SIZES], opens_on=opens,
                               closes_on=opens + dt.timedelta(days=18), k=5, actor="test")
            open_wave(wave, actor="test")
            for code, n in SIZES.items():
                issue_codes(wave, units[code], n + 2, key="browser-key", actor="test")
                _answers(wave.id, units[code].id, n, rng,
                         shift + (0.8 if code == "DISDIK" else 0.0), items)
            close_wave(wave, actor="test")
            waves[wave.period] = wave.id
        # clear verdicts are rare at these sizes; publish a few so the coloured cells, the
        # verdict tones and the needs-attention list are on the pages axe-core checks
        _publish_verdicts(waves["2026-Q4"], {
            (units["PKM"].id, "readiness"): {"comparison_verdict": "lower",
                                             "change_verdict": "down"},
            (units["DISDIK"].id, "learning"): {"comparison_verdict": "higher",
                                               "change_verdict": "up"}})
        db.session.add(TrainingEvent(unit=units["PKM"], held_on=dt.date(2026, 9, 20),
                                     title="Pelatihan kepemimpinan", hours_jp=24))
        create_user("analis", PASSWORD, "analyst")
        create_user("kepala.dinkes", PASSWORD, "unit_head", units["DINKES"].id)
        db.session.commit()
        ids = {c: u.id for c, u in units.items()}
    return app, waves["2026-Q4"], ids


def _screenshot(page, name: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """docs/<name> when LENTERA_UPDATE_SCREENSHOT=1 (for the README), else a temporary file."""
    folder = ROOT / "docs" if os.environ.get("LENTERA_UPDATE_SCREENSHOT") == "1" else tmp_path
    page.screenshot(path=str(folder / name), full_page=True)


def _login(page, base: str, username: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/hr/masuk")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/hr/")


def _check_page(page, url: str, width: int, axe: str) -> None:  # type: ignore[no-untyped-def]
    response = page.goto(url)
    assert response is not None and response.status == 200, url
    overflow = page.evaluate("document.documentElement.scrollWidth")
    wide = page.evaluate("[...document.querySelectorAll('body *')].filter(e => "
                         "!e.closest('.scroll') && e.getBoundingClientRect().right > "
                         "innerWidth + 1).slice(0, 5)"
                         ".map(e => e.tagName + '.' + e.className + ' ' + "
                         "e.textContent.slice(0, 40))")
    assert overflow <= width, (f"{url} at {width} px: {overflow} px wide", wide)
    # every chart decoded (a data: SVG the CSP allows) and drawn at a readable size
    sizes = page.evaluate("[...document.querySelectorAll('figure.chart img')].map(i => "
                          "[i.complete, i.naturalWidth, i.getBoundingClientRect().width])")
    assert sizes and all(done and natural > 0 and shown > 0 for done, natural, shown in sizes)
    # every chart has its data table right after it
    assert page.evaluate("[...document.querySelectorAll('figure.chart')].every(f => "
                         "f.nextElementSibling?.querySelector('table caption') || "
                         "f.nextElementSibling?.matches('figure.chart'))")
    page.evaluate(axe)  # through the DevTools protocol: the page's CSP stays on
    result = page.evaluate("axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', "
                           "'wcag21aa', 'best-practice']})")
    assert result["violations"] == [], (url, width, [
        (v["id"], v["impact"], v["help"], [n["target"] for n in v["nodes"]][:3])
        for v in result["violations"]])
    assert result["passes"]


@pytest.mark.skipif(not AXE.is_file(), reason=f"axe-core not installed at {AXE} "
                    "(scripts/setup.sh dev)")
@pytest.mark.parametrize("lang", ["id", "en"])
def test_results_pages_pass_axe_and_fit_a_phone(results_site, lang, tmp_path):
    from playwright.sync_api import sync_playwright

    app, wave_id, units = results_site
    base = app.config["LENTERA_PUBLIC_URL"]
    axe = AXE.read_text(encoding="utf-8")
    with sync_playwright() as p:
        browser = _launch(p)
        for width, height in VIEWPORTS:
            page = browser.new_page(viewport={"width": width, "height": height},
                                    is_mobile=width < 600, has_touch=width < 600)
            console: list[str] = []
            page.on("console", lambda msg, seen=console: seen.append(msg.text))
            _login(page, base, "analis")
            page.goto(f"{base}/hr/?lang={lang}")
            # from the navigation to the overview, then a plain link to a unit page
            page.click("nav >> text=" + ("Hasil" if lang == "id" else "Results"))
            page.click(f"a[href='/hr/hasil/{wave_id}']")
            assert page.url == f"{base}/hr/hasil/{wave_id}"
            _check_page(page, page.url, width, axe)
            assert page.locator("table.heat td.worse").count() == 1
            assert page.locator("table.heat td.better").count() == 1
            assert page.locator("ul.attention > li > a").all_inner_texts() == [
                "Puskesmas Plaju Ulu"]
            if (width, lang) == (1280, "en"):
                _screenshot(page, "screenshot-results.png", tmp_path)
            page.click(f"table.heat a[href='/hr/hasil/{wave_id}/unit/{units['PKM']}']")
            _check_page(page, page.url, width, axe)
            assert page.locator("table.trend caption").first.is_visible()
            assert page.get_by_text("Pelatihan kepemimpinan (24 JP)").first.is_visible()
            if (width, lang) == (1280, "en"):
                _screenshot(page, "screenshot-results-unit.png", tmp_path)
            _check_page(page, f"{base}/hr/hasil/{wave_id}/unit/{units['ROOT']}", width, axe)
            page.close()
            assert not [m for m in console if "Content Security Policy" in m]
        browser.close()


def test_unit_head_finds_only_their_subtree(results_site):
    from playwright.sync_api import sync_playwright

    app, wave_id, units = results_site
    base = app.config["LENTERA_PUBLIC_URL"]
    with sync_playwright() as p:
        browser = _launch(p)
        page = browser.new_page(viewport={"width": 360, "height": 740}, is_mobile=True)
        _login(page, base, "kepala.dinkes")
        page.goto(f"{base}/hr/hasil/{wave_id}")
        names = page.locator("table.heat tbody th").all_inner_texts()
        assert names == ["Dinas Kesehatan", "Puskesmas Plaju Ulu"]
        response = page.goto(f"{base}/hr/hasil/{wave_id}/unit/{units['DISDIK']}")
        assert response is not None and response.status == 403
        browser.close()
