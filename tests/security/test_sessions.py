"""HR login and sessions (issue #12), as an attacker would probe them: login timing does not
tell which usernames exist, and a copied session cookie dies with logout, a password change
or reset, and deactivation."""

from __future__ import annotations

import statistics
import time

import pytest

from .conftest import client_at, login


def _wrong_login_ms(app, username: str, address: str) -> float:
    client = client_at(app, address)  # a fresh address: stay under the per-address limit
    start = time.perf_counter()
    r = login(client, username, "not the password")
    elapsed = (time.perf_counter() - start) * 1000
    assert r.status_code == 200
    return elapsed


def test_unknown_username_answers_as_slowly_as_a_known_one(app, users, backend):
    if backend != "sqlite":
        pytest.skip("timing is the hash's, not the database's: one backend is enough")
    _wrong_login_ms(app, "nobody", "10.20.0.250")  # warm-up (first request, dummy hash)
    known, unknown = [], []
    for i in range(5):  # interleaved, so load on the machine hits both alike
        known.append(_wrong_login_ms(app, "admin", f"10.20.1.{i}"))
        unknown.append(_wrong_login_ms(app, f"nobody{i}", f"10.20.2.{i}"))
    k, u = statistics.median(known), statistics.median(unknown)
    print(f"wrong password: known user {k:.0f} ms, unknown user {u:.0f} ms")
    assert abs(u - k) <= 0.5 * k, (k, u)


def _steal_session(app, victim):  # type: ignore[no-untyped-def]
    """A second client carrying a copy of the victim's session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", victim.get_cookie("session").value)
    assert thief.get("/hr/").status_code == 200  # the copy works while the victim is in
    return thief


def _user_id(app, username: str) -> int:  # type: ignore[no-untyped-def]
    import sqlalchemy as sa

    from survey_app.extensions import db
    from survey_app.models import User

    with app.app_context():
        return db.session.scalar(sa.select(User.id).where(User.username == username))


def _post(client, page: str, url: str, data: dict):  # type: ignore[no-untyped-def]
    from .conftest import csrf_token

    token = csrf_token(client.get(page).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data})


def test_a_copied_session_cookie_dies_at_logout(app, users):
    victim = app.test_client()
    assert login(victim, "analis").status_code == 302
    thief = _steal_session(app, victim)
    assert _post(victim, "/hr/", "/hr/keluar", {}).status_code == 302
    assert victim.get("/hr/").status_code == 302
    assert thief.get("/hr/").status_code == 302  # back to the login page
    assert login(victim, "analis").status_code == 302  # logging in again works
    assert victim.get("/hr/").status_code == 200 and thief.get("/hr/").status_code == 302


def test_a_copied_session_cookie_dies_at_password_reset(app, users):
    victim, admin = app.test_client(), app.test_client()
    login(victim, "analis")
    login(admin, "admin")
    thief = _steal_session(app, victim)
    page = f"/hr/pengguna/{_user_id(app, 'analis')}"
    new = "kopi tubruk di seberang ulu"
    assert _post(admin, page, f"{page}/sandi", {"password": new, "confirm": new}
                 ).status_code == 302
    assert thief.get("/hr/").status_code == 302
    assert victim.get("/hr/").status_code == 302
    assert admin.get("/hr/").status_code == 200  # the admin's own session is untouched


def test_an_admin_resetting_their_own_password_stays_logged_in_elsewhere_not(app, users):
    admin = app.test_client()
    login(admin, "admin")
    thief = _steal_session(app, admin)
    page = f"/hr/pengguna/{_user_id(app, 'admin')}"
    new = "kopi tubruk di seberang ulu"
    assert _post(admin, page, f"{page}/sandi", {"password": new, "confirm": new}
                 ).status_code == 302
    assert admin.get("/hr/").status_code == 200
    assert thief.get("/hr/").status_code == 302


def test_a_copied_session_cookie_stays_dead_after_deactivation_and_reactivation(app, users):
    victim, admin = app.test_client(), app.test_client()
    login(victim, "analis")
    login(admin, "admin")
    thief = _steal_session(app, victim)
    page = f"/hr/pengguna/{_user_id(app, 'analis')}"
    assert _post(admin, page, f"{page}/status", {"value": "0"}).status_code == 302
    assert _post(admin, page, f"{page}/status", {"value": "1"}).status_code == 302
    assert thief.get("/hr/").status_code == 302
    assert victim.get("/hr/").status_code == 302
