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
