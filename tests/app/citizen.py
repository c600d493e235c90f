"""Helpers for the citizen SKM tests: an open SKM wave over two service units, a simulated
clock (no sleeping), and a citizen answering through the real form (CSRF on)."""

from __future__ import annotations

import datetime as dt
import re
import time
from dataclasses import dataclass

from survey_app.extensions import db
from survey_app.models import Unit, Wave
from survey_app.services import create_wave, open_wave
from survey_app.services.citizens import poster_token
from survey_app.services.users import create_user

from .conftest import add_units, csrf_token

PASSWORD = "correct horse battery"
FORM_TOKEN_RE = re.compile(r'name="t" type="hidden" value="([^"]+)"')
# One answer per unsur (U1..U9) and every optional respondent question answered.
ANSWERS = {"U1": "4", "U2": "3", "U3": "2", "U4": "4", "U5": "3", "U6": "4", "U7": "4",
           "U8": "1", "U9": "3", "SKM-AGE": "3", "SKM-SEX": "2", "SKM-EDU": "5",
           "SKM-JOB": "4"}


class Clock:
    """time.time moved by the test: a citizen takes `seconds` without the test waiting."""

    def __init__(self, monkeypatch) -> None:  # type: ignore[no-untyped-def]
        self.now = time.time()
        monkeypatch.setattr(time, "time", lambda: self.now)

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass(frozen=True)
class SkmWave:
    wave_id: int
    units: dict[str, int]
    tokens: dict[str, str]

    def url(self, unit: str) -> str:
        return f"/skm/{self.tokens[unit]}"


def make_skm_wave(app, k: int = 3, state: str = "open") -> SkmWave:  # type: ignore[no-untyped-def]
    """An SKM wave (the shipped instrument) over two service units, with an admin user."""
    with app.app_context():
        units = add_units([("ROOT", "Pemkot", None, 0), ("DUK", "Disdukcapil", "ROOT", 30),
                           ("PKM", "Puskesmas Plaju", "ROOT", 20)])
        wave = create_wave(name="SKM 2026", period="2026", instrument_keys=["skm"],
                           unit_ids=[units["DUK"].id, units["PKM"].id],
                           opens_on=dt.date(2026, 1, 1), closes_on=dt.date(2026, 12, 31),
                           k=k, actor="test")
        if state == "open":
            open_wave(wave, actor="test")
        create_user("admin", PASSWORD, "admin")
        db.session.commit()
        tokens = {c: poster_token(wave, units[c]) for c in ("DUK", "PKM")}
        return SkmWave(wave.id, {c: u.id for c, u in units.items()}, tokens)


def form_fields(html: str) -> dict[str, str]:
    """The CSRF and form tokens of a citizen form page."""
    match = FORM_TOKEN_RE.search(html)
    assert match, "no form token in page"
    return {"csrf_token": csrf_token(html), "t": match.group(1)}


def answer(client, clock: Clock, url: str, answers: dict[str, str] | None = None,  # type: ignore[no-untyped-def]
           seconds: float = 90):
    """GET the form, take `seconds` to answer, POST it."""
    page = client.get(url)
    assert page.status_code == 200, page.status_code
    clock.advance(seconds)
    return client.post(url, data={**form_fields(page.get_data(as_text=True)),
                                  **(ANSWERS if answers is None else answers)})


def login(client, username: str = "admin"):  # type: ignore[no-untyped-def]
    page = client.get("/hr/masuk").get_data(as_text=True)
    return client.post("/hr/masuk", data={"csrf_token": csrf_token(page), "username": username,
                                          "password": PASSWORD})


def wave_and_unit(app, skm: SkmWave, unit: str) -> tuple[Wave, Unit]:  # type: ignore[no-untyped-def]
    wave, u = db.session.get(Wave, skm.wave_id), db.session.get(Unit, skm.units[unit])
    assert wave is not None and u is not None
    return wave, u
