"""A scripted flood of the citizen SKM form from one address is mostly refused and counted,
while citizens who share that address (a carrier's NAT, the counter's kiosk) still get
through at a human pace. The clock is simulated (tests/app/citizen.Clock), nothing sleeps.

With the default settings (LENTERA_SKM_MIN_SECONDS 10, an address allowance of
LENTERA_SKM_ADDRESS_BURST 5 refilled one every LENTERA_SKM_ADDRESS_INTERVAL 120 s), 500 posts
from one address within a minute store at most 5; SECURITY.md (citizen SKM form) explains why.
"""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from survey_app.extensions import db
from survey_app.models import Response, SkmRefusals
from tests.app.citizen import ANSWERS, Clock, answer, form_fields, login, make_skm_wave

from .conftest import REDIS_URL, client_at, csrf_token

FLOOD = 500
NAT = "100.64.12.34"  # a carrier-grade NAT address many phones share


@pytest.fixture(params=["database", "redis"])
def storage(request, app, backend):  # type: ignore[no-untyped-def]
    """Counters in the database, and once (SQLite only, to stay cheap) in Redis."""
    if request.param == "redis":
        if backend != "sqlite":
            pytest.skip("Redis counters are checked once, with SQLite")
        app.config["LENTERA_REDIS_URL"] = REDIS_URL
        app.config["LENTERA_RATELIMIT_PREFIX"] = request.getfixturevalue("redis_prefix")
    return request.param


def stored(app) -> int:  # type: ignore[no-untyped-def]
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(Response)) or 0


def refused(app, skm) -> int:  # type: ignore[no-untyped-def]
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.sum(SkmRefusals.refused))
                                 .where(SkmRefusals.wave_id == skm.wave_id)) or 0


def flood(app, clock: Clock, url: str, posts: int = FLOOD) -> list[int]:  # type: ignore[no-untyped-def]
    """`posts` scripted posts from NAT: half sent at once after each GET, half from tokens
    collected first and posted together once they are old enough."""
    bot = client_at(app, NAT)
    statuses = []
    for _ in range(posts // 2):  # GET, POST at once: a machine, not a person
        fields = form_fields(bot.get(url).get_data(as_text=True))
        statuses.append(bot.post(url, data={**fields, **ANSWERS}).status_code)
    tokens = [form_fields(bot.get(url).get_data(as_text=True)) for _ in range(posts // 2)]
    clock.advance(11)  # every collected token is now older than the minimum time
    statuses += [bot.post(url, data={**fields, **ANSWERS}).status_code for fields in tokens]
    return statuses


def test_a_flood_is_mostly_refused_and_counted_and_the_nat_still_gets_through(app, storage,
                                                                             monkeypatch):
    clock = Clock(monkeypatch)
    skm = make_skm_wave(app)
    statuses = flood(app, clock, skm.url("DUK"))
    through = statuses.count(200)
    assert len(statuses) == FLOOD
    assert through == stored(app) == app.config["LENTERA_SKM_ADDRESS_BURST"] == 5
    assert set(statuses) == {200, 429}
    assert refused(app, skm) == FLOOD - through == 495
    # HR sees the count on the wave page (the flood went to Disdukcapil).
    hr = app.test_client()
    assert login(hr).status_code == 302
    page = hr.get(f"/hr/gelombang/{skm.wave_id}").get_data(as_text=True)
    row = re.search(r"<tr><td>Disdukcapil</td>(.*?)</tr>", page, re.S)
    assert row and "495 kiriman ditolak" in row.group(1)
    # The 429 page is in Bahasa Indonesia and keeps the answers of whoever sent it.
    bot = client_at(app, NAT)
    fields = form_fields(bot.get(skm.url("DUK")).get_data(as_text=True))
    clock.advance(20)
    r = bot.post(skm.url("DUK"), data={**fields, **ANSWERS})
    assert r.status_code == 429 and "Terlalu banyak kiriman" in r.text
    assert r.headers["Retry-After"] == "120" and 'name="U4" value="4" checked' in r.text
    before = stored(app)
    # Another phone on the same address opens the form as the flood ends and answers the 13
    # questions in two and a half minutes.
    citizen = client_at(app, NAT)
    r = answer(citizen, clock, skm.url("DUK"), seconds=150)
    assert r.status_code == 200 and "sudah tersimpan" in r.text
    assert stored(app) == before + 1
    # The next ones on that address, each two minutes or more later, are stored too.
    for _ in range(3):
        assert answer(client_at(app, NAT), clock, skm.url("DUK"), seconds=120).status_code == 200
    assert stored(app) == before + 4


def test_the_kiosk_on_the_flooded_address_is_not_locked_out(app, storage, monkeypatch):
    clock = Clock(monkeypatch)
    skm = make_skm_wave(app)
    hr = app.test_client()
    assert login(hr).status_code == 302
    page = hr.get(f"/hr/gelombang/{skm.wave_id}/skm").get_data(as_text=True)
    r = hr.post(f"/hr/gelombang/{skm.wave_id}/skm/kiosk",
                data={"csrf_token": csrf_token(page), "unit": skm.units["DUK"],
                      "label": "Loket 1"})
    link = re.search(r'id="activation-link">http://lentera.test(/skm/kiosk/[^<]+)<', r.text)
    assert link
    tablet = client_at(app, NAT)  # the counter's tablet sits behind the same address
    page = tablet.get(link.group(1)).get_data(as_text=True)
    assert tablet.post(link.group(1), data={"csrf_token": csrf_token(page)}).status_code == 302
    # A smaller flood (50 posts) already uses up the address's allowance.
    assert flood(app, clock, skm.url("DUK"), posts=50).count(200) == 5
    before = stored(app)
    for _ in range(10):  # ten citizens in a row at the counter, one a minute
        r = answer(tablet, clock, skm.url("DUK"), seconds=60)
        assert r.status_code == 303  # stored; on to the next citizen's blank form
    assert stored(app) == before + 10
    # The kiosk has its own ceiling: a script on the tablet is refused too.
    tokens = [form_fields(tablet.get(skm.url("DUK")).get_data(as_text=True)) for _ in range(20)]
    clock.advance(60)
    statuses = [tablet.post(skm.url("DUK"), data={**f, **ANSWERS}).status_code for f in tokens]
    assert statuses.count(303) == app.config["LENTERA_SKM_KIOSK_BURST"] == 3
    assert statuses.count(429) == 17
