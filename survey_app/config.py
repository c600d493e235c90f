"""Configuration: defaults, then environment variables, then the mapping given to create_app."""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

# The respondents' pages: no log line of ours about them may carry an address or a code.
RESPOND_PREFIX = "/isi"


class ConfigError(ValueError):
    """The configuration cannot work; the message says what to set."""


def database_uri(url: str) -> str:
    """Normalise a DATABASE_URL so that PostgreSQL uses psycopg 3; refuse other databases.

    Lentera runs on SQLite and PostgreSQL only: its migrations, closed-wave guards and the
    respondent hot path (services.responses) are written for those two.
    """
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    if url.startswith(("sqlite:", "postgresql+psycopg:")):
        return url
    scheme = url.split(":", 1)[0]
    raise ConfigError(
        f"DATABASE_URL: Lentera hanya berjalan di SQLite atau PostgreSQL, bukan '{scheme}' "
        f"(Lentera runs on SQLite or PostgreSQL only, not '{scheme}'). Contoh/example: "
        "sqlite:////srv/lentera/lentera.db atau/or postgresql://lentera@localhost/lentera")


def proxy_hops(value: object) -> int:
    """LENTERA_PROXY_HOPS as a count of trusted proxies (0, 1 or 2); refuse anything else."""
    text = str(value).strip()
    if not (text.isascii() and text.isdigit() and int(text) <= 2):
        raise ConfigError(
            f"LENTERA_PROXY_HOPS: {text!r} bukan 0, 1 atau 2 (jumlah proxy di depan Lentera "
            "yang menimpa X-Forwarded-For) / is not 0, 1 or 2 (the number of proxies in front "
            "of Lentera that overwrite X-Forwarded-For)")
    return int(text)


def default_config(instance_path: str) -> dict[str, Any]:
    """Settings that work on one machine with SQLite in the instance folder."""
    return {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(instance_path) / 'lentera.db'}",
        "SQLALCHEMY_ENGINE_OPTIONS": {},
        # The public form must keep working however long a respondent takes to answer.
        "WTF_CSRF_TIME_LIMIT": None,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_HTTPONLY": True,
        "BABEL_DEFAULT_LOCALE": "id",
        "BABEL_TRANSLATION_DIRECTORIES": str(Path(__file__).parent / "translations"),
        # A request body larger than this is refused (413) before it is read: the biggest
        # form, a survey of a few hundred items, is a few KB, and parsing a large urlencoded
        # body costs seconds of a worker. Views that take a file declare their own limit
        # (request_guard.accepts_upload, LENTERA_UPLOAD_MAX_BYTES).
        "MAX_CONTENT_LENGTH": 64 * 1024,
        "MAX_FORM_PARTS": 200,
        "LENTERA_UPLOAD_MAX_BYTES": 8 * 1024 * 1024,
        "LENTERA_INSTRUMENT_DIRS": (),
        "LENTERA_PUBLIC_URL": "http://127.0.0.1:5000",
        "LENTERA_HTTPS": False,
        # Only the respondents' HTML pages are compressed (respond/__init__.py); SECURITY.md
        # says why no compressed page mixes a secret with text an attacker chose (BREACH).
        "COMPRESS_REGISTER": False,
        "COMPRESS_MIMETYPES": ["text/html"],
        "COMPRESS_ALGORITHM": ["br", "gzip"],
        # Reverse proxies in front of the app that set X-Forwarded-For/-Proto (0: none, so
        # those headers come from the client and are ignored).
        "LENTERA_PROXY_HOPS": 0,
    }


def config_from_env(environ: Mapping[str, str]) -> dict[str, Any]:
    """The settings given as environment variables (only those that are set)."""
    found: dict[str, Any] = {}
    if environ.get("DATABASE_URL"):
        found["SQLALCHEMY_DATABASE_URI"] = environ["DATABASE_URL"]
    if environ.get("LENTERA_SECRET_KEY"):
        found["SECRET_KEY"] = environ["LENTERA_SECRET_KEY"]
    if environ.get("LENTERA_CODE_KEY"):
        found["LENTERA_CODE_KEY"] = environ["LENTERA_CODE_KEY"]
    if environ.get("LENTERA_INSTRUMENT_DIRS"):
        found["LENTERA_INSTRUMENT_DIRS"] = tuple(
            p for p in environ["LENTERA_INSTRUMENT_DIRS"].split(os.pathsep) if p
        )
    if environ.get("LENTERA_HTTPS") in ("1", "true"):  # served only over HTTPS
        found["LENTERA_HTTPS"] = True
    if environ.get("LENTERA_PROXY_HOPS"):
        found["LENTERA_PROXY_HOPS"] = environ["LENTERA_PROXY_HOPS"]
    if environ.get("LENTERA_PUBLIC_URL"):
        found["LENTERA_PUBLIC_URL"] = environ["LENTERA_PUBLIC_URL"]
    if environ.get("LENTERA_REDIS_URL"):  # rate-limit counters (ratelimit.py)
        found["LENTERA_REDIS_URL"] = environ["LENTERA_REDIS_URL"]
    for key in RATE_LIMIT_KEYS:  # operators tune the limits by environment (SECURITY.md)
        if environ.get(key):
            found[key] = _positive_int(key, environ[key])
    return found


#: The rate-limit settings (defaults in ratelimit.DEFAULTS).
RATE_LIMIT_KEYS = ("LENTERA_LOGIN_PER_MINUTE", "LENTERA_LOCKOUT_FAILURES",
                   "LENTERA_LOCKOUT_SECONDS", "LENTERA_CODE_FAILURES",
                   "LENTERA_CODE_GLOBAL_FAILURES", "LENTERA_CODE_WINDOW",
                   "LENTERA_CODE_TOKEN_SECONDS")


def _positive_int(key: str, text: str) -> int:
    if not (text.strip().isascii() and text.strip().isdigit() and int(text) > 0):
        raise ConfigError(f"{key}: {text!r} bukan bilangan bulat positif / is not a positive "
                          "whole number")
    return int(text)


def secret_from_file(path: Path, what: str) -> str:
    """Read a secret from `path`, creating it (mode 0600) with a random value on first use."""
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(secrets.token_hex(32))
    log.warning("Generated %s into %s (mode 0600); keep it out of the database backups.",
                what, path)
    return path.read_text(encoding="ascii").strip()


def finish_config(config: dict[str, Any], instance_path: str) -> None:
    """Fill in secrets and engine options that depend on the other settings."""
    instance = Path(instance_path)
    if not config.get("LENTERA_CODE_KEY"):
        config["LENTERA_CODE_KEY"] = secret_from_file(instance / "code_key",
                                                      "the participation-code key")
    if not config.get("SECRET_KEY"):
        config["SECRET_KEY"] = secret_from_file(instance / "secret_key", "the session key")
    config["LENTERA_PROXY_HOPS"] = proxy_hops(config["LENTERA_PROXY_HOPS"])
    if config["LENTERA_HTTPS"]:  # the session cookie must never travel in clear text
        config["SESSION_COOKIE_SECURE"] = True
    uri = database_uri(config["SQLALCHEMY_DATABASE_URI"])
    config["SQLALCHEMY_DATABASE_URI"] = uri
    if uri.startswith("postgresql"):
        config["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_pre_ping": True,
                                               **config["SQLALCHEMY_ENGINE_OPTIONS"]}
    elif uri.startswith("sqlite"):
        # Each request finishes its transaction quickly; a 30 s wait covers any burst.
        opts = {"connect_args": {"timeout": 30}, **config["SQLALCHEMY_ENGINE_OPTIONS"]}
        config["SQLALCHEMY_ENGINE_OPTIONS"] = opts
