"""Configuration: environment variables, the generated code key (0600), PostgreSQL URLs."""

from __future__ import annotations

import logging
import stat

import pytest

from survey_app import create_app
from survey_app.config import ConfigError, config_from_env, database_uri


def test_code_key_is_generated_once_with_0600_and_a_log_line(tmp_path, monkeypatch, caplog):
    monkeypatch.delenv("LENTERA_CODE_KEY", raising=False)
    monkeypatch.delenv("LENTERA_SECRET_KEY", raising=False)
    caplog.set_level(logging.WARNING)
    config = {"LENTERA_INSTANCE_PATH": str(tmp_path), "DATABASE_URL": "sqlite://"}
    first = create_app(config).config["LENTERA_CODE_KEY"]
    key_file = tmp_path / "code_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert any("participation-code key" in r.getMessage() for r in caplog.records)
    assert first not in "\n".join(r.getMessage() for r in caplog.records)
    assert create_app(config).config["LENTERA_CODE_KEY"] == first
    assert len(first) == 64


def test_environment_variables_configure_the_app(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'env.db'}")
    monkeypatch.setenv("LENTERA_CODE_KEY", "from-env")
    monkeypatch.setenv("LENTERA_SECRET_KEY", "secret-from-env")
    app = create_app({"LENTERA_INSTANCE_PATH": str(tmp_path)})
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("env.db")
    assert app.config["LENTERA_CODE_KEY"] == "from-env"
    assert app.config["SECRET_KEY"] == "secret-from-env"
    assert app.config["WTF_CSRF_TIME_LIMIT"] is None
    assert not (tmp_path / "code_key").exists()


def test_postgres_urls_use_psycopg3():
    assert database_uri("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert database_uri("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert database_uri("sqlite:///x.db") == "sqlite:///x.db"
    assert database_uri("postgresql+psycopg://u@h/db") == "postgresql+psycopg://u@h/db"
    assert config_from_env({"LENTERA_INSTRUMENT_DIRS": "/a:/b"})["LENTERA_INSTRUMENT_DIRS"] \
        == ("/a", "/b")


@pytest.mark.parametrize("url", ["mysql://u@h/db", "postgresql+psycopg2://u@h/db", "lentera.db"])
def test_databases_other_than_sqlite_and_postgresql_are_refused_clearly(tmp_path, url):
    with pytest.raises(ConfigError, match="SQLite atau PostgreSQL") as info:
        create_app({"LENTERA_INSTANCE_PATH": str(tmp_path), "DATABASE_URL": url})
    assert "SQLite or PostgreSQL only" in str(info.value)


def test_sqlite_runs_with_a_rollback_journal_secure_delete_and_full_sync(tmp_path):
    from survey_app.extensions import db

    app = create_app({"LENTERA_INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x",
                      "LENTERA_CODE_KEY": "k", "DATABASE_URL": f"sqlite:///{tmp_path / 'w.db'}"})
    with app.app_context(), db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "delete"
        assert conn.exec_driver_sql("PRAGMA secure_delete").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        db.engine.dispose()


def test_every_environment_variable_is_in_the_settings_table_and_only_those():
    import re
    from pathlib import Path

    from survey_app.config import ENVIRONMENT

    doc = (Path(__file__).parents[2] / "docs" / "deploy.md").read_text(encoding="utf-8")
    table = doc.split("### Settings", 1)[1].split("\n\n", 3)[2]
    documented = set(re.findall(r"`((?:LENTERA_|DATABASE_)[A-Z_]+)`", table))
    assert documented == set(ENVIRONMENT)


def test_every_variable_reaches_its_setting_and_bad_values_are_refused(tmp_path):
    env = {"LENTERA_ORG_NAME": "Pemkot Palembang", "LENTERA_REPORT_DIR": str(tmp_path),
           "LENTERA_AUDIT_LOGS": "/a.log,/b.log", "LENTERA_HTTPS": "yes",
           "LENTERA_CODE_FAILURES": "7", "LENTERA_UPLOAD_MAX_BYTES": "1024"}
    found = config_from_env(env)
    assert found == {"LENTERA_ORG_NAME": "Pemkot Palembang", "LENTERA_REPORT_DIR": str(tmp_path),
                     "LENTERA_AUDIT_LOGS": ("/a.log", "/b.log"), "LENTERA_HTTPS": True,
                     "LENTERA_CODE_FAILURES": 7, "LENTERA_UPLOAD_MAX_BYTES": 1024}
    assert config_from_env({"LENTERA_HTTPS": "0"}) == {"LENTERA_HTTPS": False}
    for name, value in (("LENTERA_HTTPS", "maybe"), ("LENTERA_CODE_WINDOW", "ten")):
        with pytest.raises(ConfigError, match=name):
            config_from_env({name: value})
