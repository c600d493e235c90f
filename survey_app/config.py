"""Configuration: defaults, then environment variables, then the mapping given to create_app."""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

# The respondents' pages: no log line of ours about them may carry an address or a code.
RESPOND_PREFIX = "/isi"
# The citizens' SKM form and public results: the same log and cache rules as RESPOND_PREFIX.
CITIZEN_PREFIX = "/skm"
# The staff pages (every HR blueprint is mounted under it).
HR_PREFIX = "/hr"


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
        # The stylesheet and scripts may be reused for an hour without asking again: on a
        # slow phone each revalidation is a round trip per page (bench/pages.py). A new
        # release's files reach a browser within the hour.
        "SEND_FILE_MAX_AGE_DEFAULT": 3600,
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
        "LENTERA_ORG_NAME": "",  # empty: the name of the root unit
        "LENTERA_REPORT_DIR": "",  # empty: <instance>/reports
        "LENTERA_REPORT_WORKERS": 2,  # render processes of a job run without Redis
        "LENTERA_JOB_QUEUE": "lentera-reports",  # RQ queue name (one per installation)
        "LENTERA_AUDIT_LOGS": (),
        "LENTERA_ROSTER_FILE": "",  # empty: <instance>/roster.csv when it exists
        "LENTERA_REDIS_URL": "",  # empty: rate-limit counters in the database
        "LENTERA_RATELIMIT_PREFIX": "lentera:rl:",
        "LENTERA_LOGIN_PER_MINUTE": 5,
        "LENTERA_LOCKOUT_FAILURES": 10,
        "LENTERA_LOCKOUT_SECONDS": 15 * 60,
        "LENTERA_CODE_FAILURES": 20,
        "LENTERA_CODE_GLOBAL_FAILURES": 100,
        "LENTERA_CODE_WINDOW": 10 * 60,
        "LENTERA_CODE_TOKEN_SECONDS": 8 * 60 * 60,
        # The citizen SKM form (SECURITY.md, citizen SKM form): a form token lives 30 min and
        # is refused when posted sooner than 10 s after it was issued; an address may store 5
        # at once, then one more every 2 min; a kiosk 3 at once, then one every 15 s.
        "LENTERA_SKM_FORM_SECONDS": 30 * 60,
        "LENTERA_SKM_MIN_SECONDS": 10,
        "LENTERA_SKM_ADDRESS_BURST": 5,
        "LENTERA_SKM_ADDRESS_INTERVAL": 120,
        "LENTERA_SKM_KIOSK_BURST": 3,
        "LENTERA_SKM_KIOSK_INTERVAL": 15,
    }


def _positive_int(key: str, text: str) -> int:
    if not (text.strip().isascii() and text.strip().isdigit() and int(text) > 0):
        raise ConfigError(f"{key}: {text!r} bukan bilangan bulat positif / is not a positive "
                          "whole number")
    return int(text)


def _flag(key: str, text: str) -> bool:
    value = text.strip().lower()
    if value not in ("1", "true", "yes", "0", "false", "no"):
        raise ConfigError(f"{key}: {text!r} bukan 1 atau 0 / is not 1 or 0")
    return value in ("1", "true", "yes")


def _paths(_key: str, text: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in text.replace(",", os.pathsep).split(os.pathsep) if p.strip())


def _text(_key: str, text: str) -> str:
    return text


#: The rate-limit settings (SECURITY.md, rate limits).
RATE_LIMIT_KEYS = ("LENTERA_LOGIN_PER_MINUTE", "LENTERA_LOCKOUT_FAILURES",
                   "LENTERA_LOCKOUT_SECONDS", "LENTERA_CODE_FAILURES",
                   "LENTERA_CODE_GLOBAL_FAILURES", "LENTERA_CODE_WINDOW",
                   "LENTERA_CODE_TOKEN_SECONDS", "LENTERA_SKM_FORM_SECONDS",
                   "LENTERA_SKM_MIN_SECONDS", "LENTERA_SKM_ADDRESS_BURST",
                   "LENTERA_SKM_ADDRESS_INTERVAL", "LENTERA_SKM_KIOSK_BURST",
                   "LENTERA_SKM_KIOSK_INTERVAL")

#: Environment variable -> (config key, parser); docs/deploy.md#settings describes each.
ENVIRONMENT: dict[str, tuple[str, Callable[[str, str], Any]]] = {
    "DATABASE_URL": ("SQLALCHEMY_DATABASE_URI", _text),
    "LENTERA_SECRET_KEY": ("SECRET_KEY", _text),
    "LENTERA_CODE_KEY": ("LENTERA_CODE_KEY", _text),
    "LENTERA_PUBLIC_URL": ("LENTERA_PUBLIC_URL", _text),
    "LENTERA_HTTPS": ("LENTERA_HTTPS", _flag),
    "LENTERA_PROXY_HOPS": ("LENTERA_PROXY_HOPS", _text),  # checked by finish_config
    "LENTERA_ORG_NAME": ("LENTERA_ORG_NAME", _text),
    "LENTERA_INSTRUMENT_DIRS": ("LENTERA_INSTRUMENT_DIRS", _paths),
    "LENTERA_REPORT_DIR": ("LENTERA_REPORT_DIR", _text),
    "LENTERA_REPORT_WORKERS": ("LENTERA_REPORT_WORKERS", _positive_int),
    "LENTERA_JOB_QUEUE": ("LENTERA_JOB_QUEUE", _text),
    "LENTERA_AUDIT_LOGS": ("LENTERA_AUDIT_LOGS", _paths),
    "LENTERA_ROSTER_FILE": ("LENTERA_ROSTER_FILE", _text),
    "LENTERA_REDIS_URL": ("LENTERA_REDIS_URL", _text),
    "LENTERA_UPLOAD_MAX_BYTES": ("LENTERA_UPLOAD_MAX_BYTES", _positive_int),
    **{key: (key, _positive_int) for key in RATE_LIMIT_KEYS},
}


def config_from_env(environ: Mapping[str, str]) -> dict[str, Any]:
    """The settings given as environment variables (only those that are set)."""
    return {key: parse(name, environ[name])
            for name, (key, parse) in ENVIRONMENT.items() if environ.get(name)}


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
    roster = config.get("LENTERA_ROSTER_FILE") or ""
    if roster and not Path(roster).is_file():  # refused at start, not at a submission
        raise ValueError(f"LENTERA_ROSTER_FILE: berkas {roster} tidak ada / file {roster} "
                         f"does not exist")
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
