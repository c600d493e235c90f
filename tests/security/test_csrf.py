"""CSRF: every state-changing route (found by walking app.url_map) refuses a POST without a
valid token and changes nothing; GET routes never change the database; the public form's
token still works hours after the page was loaded."""

from __future__ import annotations

import io
import time

import pytest
import sqlalchemy as sa

from survey_app.extensions import db
from tests.app.helpers import counts

from .conftest import FULL_ANSWERS, ROUTE_VALUES, client_at, csrf_token, login

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}


def snapshot(app) -> dict[str, list[tuple]]:  # type: ignore[no-untyped-def]
    """Every row of every table (sorted), so any change shows up."""
    with app.app_context():
        meta = sa.MetaData()
        meta.reflect(db.engine)
        with db.engine.connect() as conn:
            rows = {name: sorted(map(repr, conn.execute(sa.select(table))))
                    for name, table in sorted(meta.tables.items())}
        db.engine.dispose()
    return rows  # type: ignore[return-value]


def payload(endpoint: str, code: str, unit_id: int) -> dict:  # type: ignore[type-arg]
    """A request that would change state if it carried a valid token."""
    data = {
        "auth.login": {"username": "admin", "password": "correct horse battery"},
        "auth.logout": {"submit": "1"},
        "respond.enter": {"code": code},
        "respond.survey": {"code": code, "answers": "1", **FULL_ANSWERS},
        "admin.units": {"file": (io.BytesIO(b"code,name,parent_code,headcount\nX1,Baru,,4\n"),
                                 "units.csv")},
        "admin.wave_new": {"name": "Baru", "period": "2027-Q1", "instruments": "tready",
                           "units": str(unit_id), "opens_on": "2027-01-01",
                           "closes_on": "2027-01-31", "k": "5", "cut": ""},
        "admin.wave": {"k": "9", "cut": "", "opens_on": "2026-01-01",
                       "closes_on": "2026-02-01"},
        "admin.wave_state": {"submit": "1"},
        "admin.wave_codes": {"unit": "0", "count": "3", "fmt": "csv"},
        "admin.training": {"unit": str(unit_id), "held_on": "2026-03-01", "title": "Pelatihan",
                           "hours_jp": "8", "provider": "BPSDM"},
        "admin.users": {"username": "baru", "role": "analyst", "unit": "0",
                        "password": "a long password", "confirm": "a long password"},
        "admin.user_role": {"role": "analyst", "unit": "0"},
        "admin.user_password": {"password": "a long password", "confirm": "a long password"},
        "admin.user_active": {"value": "0"},
        "admin.user_export": {"value": "1"},
        "exports.respondents": {"fmt": "csv"},
        "admin.forums": {"unit": str(unit_id), "held_on": "2026-10-14", "topic": "Antrean",
                         "participants": "12", "needs-0-text": "Lebih cepat"},
        "admin.skm_follow_up": {"unsur": "SKM-U3", "action": "Loket daring",
                                "owner": "Kepala Seksi", "due_on": "2027-03-31"},
        "admin.skm_follow_up_status": {"s1-status": "selesai"},
    }
    return data.get(endpoint, {"submit": "1"})


def state_changing_rules(app):  # type: ignore[no-untyped-def]
    return [r for r in app.url_map.iter_rules() if r.methods & STATE_CHANGING]


def url_for_rule(rule, wave_id: int, unit_id: int = 1) -> str:  # type: ignore[no-untyped-def]
    values = {**ROUTE_VALUES, "wave_id": wave_id, "unit_id": unit_id}
    path = rule.rule
    for arg in rule.arguments:
        path = path.replace(f"<int:{arg}>", str(values[arg])).replace(f"<{arg}>",
                                                                       str(values[arg]))
    return path


@pytest.fixture
def admin_client(app, users):  # type: ignore[no-untyped-def]
    c = client_at(app, "10.9.0.1")
    assert login(c, "admin").status_code == 302
    return c


def test_url_map_has_the_expected_state_changing_routes(app):
    endpoints = {r.endpoint for r in state_changing_rules(app)}
    # A new POST route must get a payload above (the walk below still covers it generically).
    assert {"auth.login", "auth.logout", "respond.enter", "respond.survey",
            "admin.wave_codes", "admin.wave_state"} <= endpoints


@pytest.mark.parametrize("token", [None, "forged-token", "stale"])
def test_every_state_changing_route_refuses_a_post_without_a_valid_token(
        app, admin_client, open_wave_codes, token):
    wave_id, unit_id = open_wave_codes["wave_id"], open_wave_codes["unit_ids"]["A"]
    code = open_wave_codes["codes"]["A"][0]
    if token == "stale":  # a real token, but from another session
        other = app.test_client()
        token = csrf_token(other.get("/isi").get_data(as_text=True))
    before = snapshot(app)
    rules = state_changing_rules(app)
    assert rules
    for rule in rules:
        for method in sorted(rule.methods & STATE_CHANGING):
            data = payload(rule.endpoint, code, unit_id)
            if token:
                data["csrf_token"] = token
            r = admin_client.open(url_for_rule(rule, wave_id, unit_id), method=method,
                                  data=data)
            assert r.status_code == 400, (rule.endpoint, r.status_code)
            assert snapshot(app) == before, rule.endpoint
    assert admin_client.get("/hr/").status_code == 200  # the refused logout logged nobody out


def test_get_routes_change_nothing(app, admin_client, open_wave_codes):
    wave_id = open_wave_codes["wave_id"]
    before = snapshot(app)
    anonymous = app.test_client()
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        for c in (admin_client, anonymous):
            r = c.get(url_for_rule(rule, wave_id, open_wave_codes["unit_ids"]["A"]))
            assert r.status_code < 500, rule.endpoint
    assert snapshot(app) == before


@pytest.mark.parametrize("limit", [None, 3600])
def test_public_form_token_still_works_hours_later(app, open_wave_codes, monkeypatch, limit):
    """With the app's setting (no limit) the old token works; a one-hour limit would refuse it
    (the control case shows the ten-hour clock shift reaches the token)."""
    if limit is not None:
        app.config["WTF_CSRF_TIME_LIMIT"] = limit
    client = app.test_client()
    real_time = time.time
    # The page was loaded ten hours ago (the respondent left the tab open all day).
    monkeypatch.setattr(time, "time", lambda: real_time() - 10 * 3600)
    token = csrf_token(client.get("/isi").get_data(as_text=True))
    monkeypatch.setattr(time, "time", real_time)
    r = client.post("/isi/survei", data={"csrf_token": token, "answers": "1",
                                         "code": open_wave_codes["codes"]["A"][0],
                                         **FULL_ANSWERS})
    if limit is None:
        assert r.status_code == 200, r.get_data(as_text=True)[:300]
        assert counts(app)[0] == 1
    else:
        assert r.status_code == 400 and counts(app)[0] == 0
