"""Browser test of the paged survey (Playwright + Debian chromium, 360x740 phone), with
JavaScript off and on: answer half, switch language, go back a page, continue, submit, and
every answer given is on the receipt and in the database; with JavaScript a reload and a
closed tab lose nothing; axe-core finds nothing on any page or state of the survey.
`LENTERA_UPDATE_SCREENSHOT=1` refreshes docs/screenshot-paged-1.png and -2.png."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
import sqlalchemy as sa

from instruments import load_instrument
from survey_app.extensions import db
from survey_app.models import Answer, Response, Unit
from survey_app.respond.pages import paginate
from survey_app.services import create_wave, issue_codes, open_wave

from .test_browser import CULTURE, ROOT, _launch
from .test_browser import live_server as live_server  # the fixture, shared
from .test_browser import pytestmark as pytestmark  # browser mark; skipped without chromium
from .test_browser_errors import AXE

INSTRUMENTS = [load_instrument(i) for i in CULTURE]
PAGES = [[f for f in p.fields if f != "cut"] for p in paginate(INSTRUMENTS, cut=True)]
POINTS = {item.code: scale.points for inst in INSTRUMENTS for scale in inst.scales
          for item in scale.items}
ANSWERS = {code: str(1 + n % POINTS[code]) for n, code in enumerate(POINTS)}


def _wave(app, codes: int = 1) -> tuple[list[str], int]:  # type: ignore[no-untyped-def]
    """An open wave of the shipped culture instruments with `codes` codes: (codes, wave id)."""
    with app.app_context():
        unit = Unit(code="PLJ", name="Kecamatan Plaju", headcount=3)
        db.session.add(unit)
        db.session.flush()
        wave = create_wave(name="Budaya kerja 2026-Q1", period="2026-Q1",
                           instrument_keys=CULTURE, unit_ids=[unit.id],
                           opens_on=dt.date(2026, 1, 5), closes_on=dt.date(2026, 1, 30),
                           cut="jabatan", actor="t")
        open_wave(wave, actor="t")
        issued = issue_codes(wave, unit, codes, key=app.config["LENTERA_CODE_KEY"], actor="t")
        db.session.commit()
        return [c.code for c in issued], wave.id


def _phone(browser, js: bool):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True,
                                  has_touch=True, java_script_enabled=js)
    return context, context.new_page()


def _start(page, base: str, code: str, js: bool = True) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/isi")
    page.fill("#code", code)
    page.click('main button:has-text("Lanjut")')
    page.click("text=Mulai mengisi")
    page.wait_for_selector("text=Bagian 1 dari 5")
    if js:  # survey.js puts the kept answers back after an (async) digest
        page.wait_for_selector("#survey[data-kept]", state="attached")


def _answer(page, codes: list[str]) -> None:  # type: ignore[no-untyped-def]
    for code in codes:
        page.check(f'input[name="{code}"][value="{ANSWERS[code]}"]')


def _press(page, go: str, expect: str, js: bool = True) -> None:  # type: ignore[no-untyped-def]
    page.click(f'button[name="go"][value="{go}"]')
    page.wait_for_selector(f"text={expect}")
    if js:  # a survey page: survey.js has put back what it keeps; the receipt: nothing to wait
        page.wait_for_selector("#survey[data-kept], [data-clear]", state="attached")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scroll


def _checked(page, codes: list[str]) -> list[str]:  # type: ignore[no-untyped-def]
    """Those of `codes` whose given answer is checked on the page."""
    return [c for c in codes if page.is_checked(f'input[name="{c}"][value="{ANSWERS[c]}"]')]


def _screenshot(tmp_path: Path, n: int) -> Path:
    if os.environ.get("LENTERA_UPDATE_SCREENSHOT") == "1":
        return ROOT / "docs" / f"screenshot-paged-{n}.png"
    return tmp_path / f"screenshot-paged-{n}.png"


@pytest.mark.parametrize("js", [False, True], ids=["js-off", "js-on"])
def test_half_then_switch_language_go_back_continue_and_every_answer_is_on_the_receipt(
        live_server, tmp_path, js):
    from playwright.sync_api import sync_playwright

    app, recorder = live_server
    (code,), wave_id = _wave(app)
    base = app.config["LENTERA_PUBLIC_URL"]
    half = PAGES[2][:6]  # pages 1 and 2, half of page 3: 23 of 50 answers
    with sync_playwright() as p:
        browser = _launch(p)
        context, page = _phone(browser, js)
        console: list[str] = []
        page.on("console", lambda msg: console.append(msg.text))
        _start(page, base, code, js)
        assert page.get_attribute("progress", "value") == "1"
        _answer(page, PAGES[0])
        _press(page, "next", "Bagian 2 dari 5", js)
        _answer(page, PAGES[1])
        _press(page, "next", "Bagian 3 dari 5", js)
        _answer(page, half)
        page.click("button.langlink")  # English, the same page and answers
        page.wait_for_selector("text=Part 3 of 5")
        assert page.get_attribute("html", "lang") == "en"
        assert _checked(page, PAGES[2]) == half
        if js:
            # Two more answers, then a reload: only the phone's storage has them.
            _answer(page, PAGES[2][6:8])
            page.reload()
            page.wait_for_selector("text=Part 3 of 5")
            page.wait_for_selector("#survey[data-kept]", state="attached")
            assert _checked(page, PAGES[2]) == PAGES[2][:8]
            assert page.is_visible("#restored")
            stored = page.evaluate(f"localStorage.getItem('lentera-answers-{wave_id}')")
            assert code not in stored and "entry" not in stored and "csrf" not in stored
        _press(page, "back", "Part 2 of 5", js)
        assert _checked(page, PAGES[1]) == PAGES[1]
        _press(page, "next", "Part 3 of 5", js)
        assert _checked(page, PAGES[2]) == PAGES[2][:8 if js else 6]
        _answer(page, PAGES[2])
        _press(page, "next", "Part 4 of 5", js)
        _answer(page, PAGES[3])
        _press(page, "next", "Part 5 of 5", js)
        _answer(page, PAGES[4])
        page.check('input[name="cut"][value="fungsional"]')
        _press(page, "send", "Thank you, your answers are stored", js)
        rows = page.eval_on_selector_all(
            "table.answers tbody tr", "rows => rows.map(r => [...r.cells].map(c => c.innerText))")
        if js:
            assert page.evaluate("localStorage.length") == 0  # the receipt forgot them
        context.close()
        browser.close()
    labels = {item.code: (item.text.en, scale.options[int(ANSWERS[item.code]) - 1].label.en)
              for inst in INSTRUMENTS for scale in inst.scales for item in scale.items}
    assert sorted(map(tuple, rows)) == sorted(
        (text, f"{ANSWERS[c]} · {label}") for c, (text, label) in labels.items())
    with app.app_context():
        assert db.session.scalar(sa.select(Response.cut)) == "fungsional"
        assert {c: str(v) for c, v in db.session.execute(
            sa.select(Answer.item_code, Answer.value)).all()} == ANSWERS
    assert not [m for m in console if "Content Security Policy" in m]
    assert not any(code in seen or code.replace("-", "") in seen for seen in recorder.seen)


def test_a_closed_tab_loses_nothing_with_javascript(live_server):
    from playwright.sync_api import sync_playwright

    app, recorder = live_server
    (code,), wave_id = _wave(app)
    base = app.config["LENTERA_PUBLIC_URL"]
    with sync_playwright() as p:
        browser = _launch(p)
        context, page = _phone(browser, True)
        _start(page, base, code)
        _answer(page, PAGES[0])
        _press(page, "next", "Bagian 2 dari 5")
        _answer(page, PAGES[1][:3])
        seen = len(recorder.seen)
        page.close()  # the tab is gone; nothing was sent for page 2's answers
        assert len(recorder.seen) == seen
        page = context.new_page()
        _start(page, base, code)  # the code again, from the slip
        assert page.is_visible("#restored") and page.is_visible("#forget")
        assert _checked(page, PAGES[0]) == PAGES[0]
        _press(page, "next", "Bagian 2 dari 5")
        assert _checked(page, PAGES[1]) == PAGES[1][:3]
        assert not page.is_visible("#restored")  # nothing new to put back
        # Someone else's answers on a shared phone: the button removes them.
        page2 = context.new_page()
        _start(page2, base, code)
        page2.click("#forget")
        assert _checked(page2, PAGES[0]) == [] and not page2.is_visible("#restored")
        assert page2.evaluate(f"localStorage.getItem('lentera-answers-{wave_id}')") is None
        context.close()
        browser.close()
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Response)) == 0


def test_on_a_shared_phone_the_next_code_never_sees_the_kept_answers(live_server):
    from playwright.sync_api import sync_playwright

    app, _ = live_server
    (first, second), wave_id = _wave(app, codes=2)
    base = app.config["LENTERA_PUBLIC_URL"]
    with sync_playwright() as p:
        browser = _launch(p)
        context, page = _phone(browser, True)
        _start(page, base, first)
        _answer(page, PAGES[0])
        kept = page.evaluate(f"localStorage.getItem('lentera-answers-{wave_id}')")
        assert kept and first not in kept and first.replace("-", "") not in kept
        page.close()  # the first respondent leaves without sending
        page = context.new_page()
        _start(page, base, second)  # a colleague, on the same phone
        assert _checked(page, PAGES[0]) == [] and not page.is_visible("#restored")
        _answer(page, PAGES[0][:2])
        page.close()
        page = context.new_page()
        _start(page, base, first)  # the first code's answers were replaced, not kept aside
        assert _checked(page, PAGES[0]) == []
        context.close()
        browser.close()


def _axe(page, source: str, where: str) -> None:  # type: ignore[no-untyped-def]
    page.evaluate(source)  # through the DevTools protocol: the page's CSP stays on
    result = page.evaluate("axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', "
                           "'wcag21aa', 'best-practice']})")
    assert result["violations"] == [], (where, [(v["id"], v["impact"], v["help"],
                                                 [n["html"] for n in v["nodes"]][:3])
                                                for v in result["violations"]])
    assert result["passes"]


@pytest.mark.skipif(not AXE.is_file(), reason=f"axe-core not installed at {AXE} "
                    "(scripts/setup.sh dev)")
def test_every_survey_page_and_state_passes_axe_core(live_server, tmp_path):
    """With JavaScript on, because axe runs in the page; the markup is the same without it
    (the note about answers put back stays hidden)."""
    from playwright.sync_api import sync_playwright

    app, _recorder = live_server
    (code,), _wave_id = _wave(app)
    base = app.config["LENTERA_PUBLIC_URL"]
    source = AXE.read_text(encoding="utf-8")
    with sync_playwright() as p:
        browser = _launch(p)
        context, page = _phone(browser, True)
        page.goto(f"{base}/isi")
        page.fill("#code", code)
        page.click('main button:has-text("Lanjut")')
        page.wait_for_selector("text=Mulai mengisi")
        _axe(page, source, "intro")
        page.click("text=Mulai mengisi")
        page.wait_for_selector("text=Bagian 1 dari 5")
        for number, fields in enumerate(PAGES, start=1):
            _axe(page, source, f"page {number}")
            if number == 2:
                page.evaluate("window.scrollTo(0, 0)")
                page.screenshot(path=str(_screenshot(tmp_path, 1)))
            if number == 4:  # Next with nothing answered: the error summary
                _press(page, "next", "12 isian perlu diperbaiki")
                assert page.evaluate("document.activeElement.id") == "error-summary"
                _axe(page, source, f"page {number} with errors")
                page.evaluate("window.scrollTo(0, 0)")
                page.screenshot(path=str(_screenshot(tmp_path, 2)))
            _answer(page, fields)
            if number < len(PAGES):
                _press(page, "next", f"Bagian {number + 1} dari 5")
        # The note that answers were put back from the phone's storage.
        restored = context.new_page()
        _start(restored, base, code)
        assert restored.is_visible("#restored")
        _axe(restored, source, "page 1, answers put back")
        restored.close()
        page.click("button.langlink")
        page.wait_for_selector("text=Part 5 of 5")
        _axe(page, source, "page 5 in English")
        # The page left open past its form token: everything kept, to send again.
        token = page.input_value('input[name="csrf_token"]')
        page.evaluate("document.querySelector('input[name=\"csrf_token\"]').value = 'old'")
        page.click('button[name="go"][value="send"]')
        page.wait_for_selector("text=Send again")
        _axe(page, source, "expired form, answers kept")
        assert token and page.input_value('input[name="csrf_token"]') != "old"
        page.click("text=Send again")  # the kept form holds the send button's value too
        page.wait_for_selector("text=Thank you, your answers are stored")
        _axe(page, source, "receipt")
        context.close()
        browser.close()
