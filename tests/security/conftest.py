"""Security tests reuse the app fixtures (fresh migrated database per test on SQLite and,
where reachable, PostgreSQL) and add users, addresses and a per-test Redis key prefix."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import pytest

from survey_app.extensions import db
from survey_app.services.users import create_user
from tests.app import conftest as _app_fixtures
from tests.app.conftest import CODE_KEY, FULL_ANSWERS, add_units, app_config, csrf_token

# The app fixtures (fresh migrated database per test, SQLite and PostgreSQL) are reused by name.
backend = _app_fixtures.backend
pg_schema_url = _app_fixtures.pg_schema_url
app = _app_fixtures.app
client = _app_fixtures.client
open_wave_codes = _app_fixtures.open_wave_codes
__all__ = ["CODE_KEY", "FULL_ANSWERS", "add_units", "app_config", "csrf_token"]

PASSWORD = "correct horse battery"
# A value for every URL argument of the app's routes, for the tests that walk them all
# (wave_id and unit_id come from each test's own data).
ROUTE_VALUES = {"action": "tutup", "user_id": 1, "fmt": "csv", "job_id": 1, "part": 0,
                "line_id": 1, "token": "x", "kiosk_id": 1, "plan_id": 1, "action_id": 1,
                "offer_id": 1}
REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
def users(app):  # type: ignore[no-untyped-def]
    """An admin and an analyst with PASSWORD."""
    with app.app_context():
        create_user("admin", PASSWORD, "admin")
        create_user("analis", PASSWORD, "analyst")
        db.session.commit()


def client_at(app, address: str):  # type: ignore[no-untyped-def]
    """A test client whose requests come from `address`."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def login(client, username: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    """GET the login form for its CSRF token, then POST the credentials."""
    page = client.get("/hr/masuk").get_data(as_text=True)
    return client.post("/hr/masuk", data={"csrf_token": csrf_token(page), "username": username,
                                          "password": password})


def enter_code(client, code: str):  # type: ignore[no-untyped-def]
    """GET the code page for its CSRF token, then POST the code."""
    page = client.get("/isi").get_data(as_text=True)
    return client.post("/isi", data={"csrf_token": csrf_token(page), "code": code})


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    """A unique key prefix on the shared Redis server, deleted afterwards; skip if no server."""
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.skip(f"Redis unreachable at {REDIS_URL}: {exc}")
    prefix = f"lentera:test:{secrets.token_hex(6)}:"
    yield prefix
    keys = list(client.scan_iter(prefix + "*"))
    if keys:
        client.delete(*keys)
    client.close()
