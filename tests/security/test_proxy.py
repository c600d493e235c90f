"""Forged X-Forwarded-For (issue #12): the rate-limit key is the address the nearest trusted
proxy saw, never one the client wrote; the documented nginx setup overwrites the header."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from werkzeug.middleware.proxy_fix import ProxyFix

from survey_app import create_app
from survey_app.config import ConfigError, config_from_env

from .conftest import app_config, login

DEPLOY = Path(__file__).parents[2] / "docs" / "deploy.md"


def _client(app, remote: str, forwarded: str | None):  # type: ignore[no-untyped-def]
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = remote
    if forwarded is not None:
        client.environ_base["HTTP_X_FORWARDED_FOR"] = forwarded
    return client


def test_without_proxy_hops_a_forged_forwarded_for_does_not_change_the_key(app, users):
    assert app.config["LENTERA_PROXY_HOPS"] == 0
    for i in range(5):  # a fresh forged address on every attempt
        r = login(_client(app, "10.30.0.1", f"198.51.100.{i}"), "admin", "wrong")
        assert r.status_code == 200
    r = login(_client(app, "10.30.0.1", "198.51.100.99"), "admin")
    assert r.status_code == 429  # all six counted on the real address
    assert login(_client(app, "10.30.0.2", None), "admin").status_code == 302


def test_with_one_hop_the_rightmost_value_is_the_key(backend, tmp_path, request):
    url = f"sqlite:///{tmp_path / 'p.db'}" if backend == "sqlite" \
        else request.getfixturevalue("pg_schema_url")
    app = create_app({**app_config(url, tmp_path), "LENTERA_PROXY_HOPS": 1})
    from survey_app.database import upgrade_schema
    from survey_app.extensions import db
    from survey_app.services.users import create_user

    if backend == "sqlite":
        upgrade_schema(app)
    with app.app_context():
        create_user("admin", "correct horse battery", "admin")
        db.session.commit()
    try:
        # nginx connects from 127.0.0.1; the client prepends forged values of its own.
        for i in range(5):
            r = login(_client(app, "127.0.0.1", f"198.51.100.{i}, 203.0.113.9"), "admin", "x")
            assert r.status_code == 200
        r = login(_client(app, "127.0.0.1", "198.51.100.77, 203.0.113.9"), "admin")
        assert r.status_code == 429
        # Another real client behind the same proxy is not affected.
        assert login(_client(app, "127.0.0.1", "203.0.113.10"), "admin").status_code == 302
    finally:
        with app.app_context():
            if backend == "postgres":
                from tests.app.conftest import _truncate_pg

                _truncate_pg(app)
            db.engine.dispose()


def test_proxy_hops_is_read_by_the_config_module_and_checked(tmp_path):
    assert config_from_env({"LENTERA_PROXY_HOPS": "1"}) == {"LENTERA_PROXY_HOPS": "1"}
    base = app_config(f"sqlite:///{tmp_path / 'c.db'}", tmp_path)
    assert not isinstance(create_app(base).wsgi_app, ProxyFix)
    assert isinstance(create_app({**base, "LENTERA_PROXY_HOPS": "1"}).wsgi_app, ProxyFix)
    for bad in ("-1", "one", "9"):
        with pytest.raises(ConfigError, match="LENTERA_PROXY_HOPS"):
            create_app({**base, "LENTERA_PROXY_HOPS": bad})


def test_documented_nginx_overwrites_the_forwarded_headers():
    text = DEPLOY.read_text(encoding="utf-8")
    server = re.search(r"^ {4}server \{\n(.*?)^ {4}\}", text, re.MULTILINE | re.DOTALL)
    assert server, "no nginx server block in docs/deploy.md"
    block = server.group(1)
    assert re.search(r"proxy_set_header\s+X-Forwarded-For\s+\$remote_addr;", block)
    assert re.search(r"proxy_set_header\s+X-Forwarded-Proto\s+\$scheme;", block)
    assert "$proxy_add_x_forwarded_for" not in text  # appending keeps the client's values
    # A location with its own proxy_set_header would not inherit the two above.
    assert not re.search(r"location[^{]*\{[^}]*proxy_set_header", block)
    assert "LENTERA_PROXY_HOPS=1" in text
