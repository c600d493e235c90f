"""Browser test of the citizen SKM form (Playwright + Debian chromium, 360x740 phone, with
JavaScript off): a citizen answers from the poster's QR URL, the kiosk at the counter shows a
blank form after each citizen and Back shows no earlier citizen's answers, and once the
period closes the public page shows the new responses. axe-core checks every page in a
second, JavaScript-on context fed the very same HTML.

The minimum time between opening and sending a form is set to 0 s here (a browser test clicks
faster than a person); tests/app/test_citizen_skm.py tests it with a simulated clock."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import segno
import sqlalchemy as sa

from survey_app.extensions import db
from survey_app.models import Answer, Response, Unit, Wave
from survey_app.services import close_wave, create_wave, open_wave
from survey_app.services.users import create_user

from .conftest import csrf_token
from .test_browser import _launch
from .test_browser import live_server as live_server  # the fixture, shared
from .test_browser import pytestmark as pytestmark  # browser mark; skipped without chromium
from .test_browser_errors import AXE

PASSWORD = "correct horse battery"
# A citizen's answers: U1..U9 and two of the four optional questions.
CITIZEN = {"U1": 4, "U2": 3, "U3": 2, "U4": 4, "U5": 3, "U6": 4, "U7": 3, "U8": 2, "U9": 1,
           "SKM-AGE": 2, "SKM-SEX": 1}
KIOSK = [{f"U{i}": 1 + (i + n) % 4 for i in range(1, 10)} for n in range(2)]


def _setup(app) -> tuple[int, int, str]:  # type: ignore[no-untyped-def]
    """An open SKM wave (k = 3) for Disdukcapil and an admin: (wave id, unit id, poster URL
    as HR prints it)."""
    app.config["LENTERA_SKM_MIN_SECONDS"] = 0
    with app.app_context():
        unit = Unit(code="DUK", name="Disdukcapil", headcount=40)
        db.session.add(unit)
        db.session.flush()
        wave = create_wave(name="SKM 2026 Disdukcapil", period="2026", instrument_keys=["skm"],
                           unit_ids=[unit.id], opens_on=dt.date(2026, 1, 1),
                           closes_on=dt.date(2026, 12, 31), k=3, actor="t")
        open_wave(wave, actor="t")
        create_user("admin", PASSWORD, "admin")
        db.session.commit()
        wave_id, unit_id = wave.id, unit.id
    hr = _hr(app)
    poster = hr.get(f"/hr/gelombang/{wave_id}/skm/{unit_id}/poster").get_data(as_text=True)
    url = re.search(r"<code>([^<]+)</code>", poster)
    assert url
    qr = segno.make(url.group(1), error="m", micro=False).svg_inline(scale=8, border=2)
    assert qr in poster  # the poster's QR code carries exactly the printed URL
    return wave_id, unit_id, url.group(1)


def _hr(app):  # type: ignore[no-untyped-def]
    hr = app.test_client()
    page = hr.get("/hr/masuk").get_data(as_text=True)
    assert hr.post("/hr/masuk", data={"csrf_token": csrf_token(page), "username": "admin",
                                      "password": PASSWORD}).status_code == 302
    return hr


def _kiosk_link(app, wave_id: int, unit_id: int) -> str:  # type: ignore[no-untyped-def]
    hr = _hr(app)
    page = hr.get(f"/hr/gelombang/{wave_id}/skm").get_data(as_text=True)
    r = hr.post(f"/hr/gelombang/{wave_id}/skm/kiosk",
                data={"csrf_token": csrf_token(page), "unit": unit_id, "label": "Loket 1"})
    link = re.search(r'id="activation-link">([^<]+)<', r.get_data(as_text=True))
    assert link
    return link.group(1)


def _fill(page, answers: dict[str, int]) -> None:  # type: ignore[no-untyped-def]
    for code, value in answers.items():
        page.check(f'input[name="{code}"][value="{value}"]')


def _checked(page) -> int:  # type: ignore[no-untyped-def]
    return int(page.evaluate("document.querySelectorAll('input:checked').length"))


def _fits(page) -> None:  # type: ignore[no-untyped-def]
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scroll


class Axe:
    """axe-core in a JavaScript-on context, run on the HTML a JavaScript-off page showed."""

    def __init__(self, browser) -> None:  # type: ignore[no-untyped-def]
        self.context = browser.new_context(viewport={"width": 360, "height": 740},
                                           is_mobile=True, java_script_enabled=True)
        self.page = self.context.new_page()
        self.source = AXE.read_text(encoding="utf-8")
        self.checked = 0

    def check(self, page) -> None:  # type: ignore[no-untyped-def]
        html, url = page.content(), page.url
        self.page.route(url, lambda route: route.fulfill(body=html,
                                                         content_type="text/html"))
        self.page.goto(url)
        self.page.unroute(url)
        self.page.evaluate(self.source)
        result = self.page.evaluate("axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', "
                                    "'wcag21a', 'wcag21aa', 'best-practice']})")
        assert result["violations"] == [], (url, [(v["id"], v["help"])
                                                  for v in result["violations"]])
        assert result["passes"]
        self.checked += 1


@pytest.mark.skipif(not AXE.is_file(), reason=f"axe-core not installed at {AXE}")
def test_a_citizen_answers_from_the_qr_url_the_kiosk_resets_and_results_are_public(
        live_server):
    from playwright.sync_api import sync_playwright

    app, recorder = live_server
    wave_id, unit_id, url = _setup(app)
    link = _kiosk_link(app, wave_id, unit_id)
    with sync_playwright() as p:
        browser = _launch(p)
        axe = Axe(browser)
        phone = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True,
                                    has_touch=True, java_script_enabled=False).new_page()
        phone.goto(url)
        assert phone.locator("fieldset[aria-required=true]").count() == 9
        _fits(phone)
        axe.check(phone)
        # One unsur forgotten: the form comes back with the error and every answer kept.
        _fill(phone, {k: v for k, v in CITIZEN.items() if k != "U5"})
        phone.click("text=Kirim jawaban")
        phone.wait_for_selector("text=Pertanyaan ini belum dijawab")
        assert _checked(phone) == len(CITIZEN) - 1
        _fits(phone)
        axe.check(phone)
        _fill(phone, {"U5": CITIZEN["U5"]})
        phone.click("text=Kirim jawaban")
        phone.wait_for_selector("text=Terima kasih, jawaban Anda sudah tersimpan")
        assert "Sangat mahal" not in phone.content() and "Gratis" in phone.content()  # U4 = 4
        _fits(phone)
        axe.check(phone)

        # The kiosk: HR's one-time link opened on the counter's tablet.
        tablet = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True,
                                     has_touch=True, java_script_enabled=False).new_page()
        tablet.goto(link)
        axe.check(tablet)
        tablet.click("text=Jadikan perangkat ini kiosk")
        tablet.wait_for_selector("fieldset")
        for answers in KIOSK:
            _fill(tablet, answers)
            tablet.click("text=Kirim jawaban")
            # Stored, and at once the next citizen's blank form with the thank-you above it.
            tablet.wait_for_selector("#thanks")
            assert _checked(tablet) == 0
            _fits(tablet)
            axe.check(tablet)
        try:  # Back: the browser may refetch (no-store) or refuse to resend; never old answers
            tablet.go_back()
        except Exception:  # noqa: BLE001, S110  (net::ERR_CACHE_MISS is one way to say no)
            pass
        assert _checked(tablet) == 0
        with app.app_context():
            assert db.session.scalar(sa.select(sa.func.count()).select_from(Response)) == 3
            stored = sorted(tuple(row) for row in db.session.execute(
                sa.select(Answer.item_code, Answer.value)))
        expected = sorted([*CITIZEN.items(), *(a for k in KIOSK for a in k.items())])
        assert stored == expected

        # The period closes; the public page shows the three responses.
        with app.app_context():
            close_wave(db.session.get(Wave, wave_id), actor="t")
            db.session.commit()
        public = browser.new_context(viewport={"width": 360, "height": 740},
                                     java_script_enabled=False).new_page()
        base = app.config["LENTERA_PUBLIC_URL"]
        public.goto(f"{base}/skm/hasil/{wave_id}/{unit_id}")
        assert public.inner_text("#respondents") == "3"
        rows = [CITIZEN, *KIOSK]
        nrr = [sum(r[f"U{i}"] for r in rows) / 3 for i in range(1, 10)]
        assert public.inner_text("#ikm") == f"{sum(nrr) / 9 * 25:.2f}"
        _fits(public)
        axe.check(public)
        phone.goto(url)  # the poster's URL now says the survey is closed
        assert "sudah ditutup" in phone.content()
        assert axe.checked == 7
        browser.close()
    # No form answer or token ever travelled in a URL.
    assert not any("U1=" in seen or "t=" in seen for seen in recorder.seen)
