"""Shared fixtures: a per-session PostgreSQL database with a random name (or a skip)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator

import pytest

PG_URL = os.environ.get("LENTERA_TEST_PG_URL", "postgresql://root@127.0.0.1:5432/test")


def _admin_connect(dbname: str | None = None):  # type: ignore[no-untyped-def]
    import psycopg
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    params = conninfo_to_dict(PG_URL)
    if dbname:
        params["dbname"] = dbname
    return psycopg.connect(make_conninfo(**params), autocommit=True, connect_timeout=3)


def _url_for(dbname: str) -> str:
    from psycopg.conninfo import conninfo_to_dict

    p = conninfo_to_dict(PG_URL)
    user = p.get("user", "")
    auth = f"{user}@" if user else ""
    return f"postgresql://{auth}{p.get('host', '127.0.0.1')}:{p.get('port', 5432)}/{dbname}"


@pytest.fixture(scope="session")
def pg_server_database() -> Iterator[str]:
    """URL of a fresh, empty database `lentera_t_<random>` on the test server, dropped at the
    end; skips (or fails when LENTERA_REQUIRE_PG=1) when the server is unreachable."""
    try:
        conn = _admin_connect()
    except Exception as exc:  # any connection failure means: no server here
        if os.environ.get("LENTERA_REQUIRE_PG") == "1":
            pytest.fail(f"PostgreSQL required but unreachable at {PG_URL}: {exc}")
        pytest.skip(f"PostgreSQL unreachable at {PG_URL}: {exc}")
    name = f"lentera_t_{secrets.token_hex(6)}"
    with conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield _url_for(name)
    finally:
        with _admin_connect() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
