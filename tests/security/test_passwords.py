"""Common passwords (issue #12): refused for new users, resets and `flask create-admin`."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from survey_app.extensions import db
from survey_app.models import User

from .conftest import csrf_token, login

COMMON = ["password12", "admin12345", "qwerty123456", "lentera2026!"]
MESSAGE_ID = "Kata sandi terlalu mudah ditebak"


def _post(client, page: str, url: str, data: dict):  # type: ignore[no-untyped-def]
    token = csrf_token(client.get(page).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data})


@pytest.mark.parametrize("password", COMMON)
def test_common_password_is_refused_for_a_new_user(app, client, users, password):
    login(client, "admin")
    r = _post(client, "/hr/pengguna", "/hr/pengguna", {
        "username": "baru", "role": "analyst", "unit": "0", "password": password,
        "confirm": password})
    assert r.status_code == 422
    assert MESSAGE_ID in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(User.id).where(User.username == "baru")) is None


def test_common_password_is_refused_at_reset_and_explained_in_english(app, client, users):
    login(client, "admin")
    with app.app_context():
        analyst = db.session.scalar(sa.select(User.id).where(User.username == "analis"))
    page = f"/hr/pengguna/{analyst}"
    r = _post(client, page, f"{page}/sandi", {"password": "password12", "confirm": "password12"})
    assert r.status_code == 409 and MESSAGE_ID in r.get_data(as_text=True)
    client.get("/hr/?lang=en")
    r = _post(client, page, f"{page}/sandi", {"password": "password12", "confirm": "password12"})
    assert "too easy to guess" in r.get_data(as_text=True)
    # The username itself does not make a password.
    r = _post(client, page, f"{page}/sandi", {"password": "analis2026", "confirm": "analis2026"})
    assert r.status_code == 409


def test_cli_refuses_a_common_password_in_both_languages(app):
    r = app.test_cli_runner().invoke(args=["create-admin", "boss", "--password", "password12"])
    assert r.exit_code != 0
    assert MESSAGE_ID in r.output and "too easy to guess" in r.output
    assert r.output.index(MESSAGE_ID) < r.output.index("too easy to guess")


def test_a_strong_password_is_still_accepted(app):
    r = app.test_cli_runner().invoke(args=["create-admin", "boss", "--password",
                                           "kopi tubruk di seberang ulu"])
    assert r.exit_code == 0, r.output
