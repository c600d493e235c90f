"""Rate limits shared by every worker: HR login and participation-code entry.

Counters live in the database (table `rate_limit`, works for SQLite and PostgreSQL) or in
Redis when `LENTERA_REDIS_URL` is set; never in per-process memory, because gunicorn runs
several workers and each would otherwise grant its own allowance.

Anonymity (design/anonymity.md, rule 2): a counter key is an HMAC of the client address with
a key derived from the app secret, never the address itself; it is written only when a code
is *refused* (a successful submission writes nothing here), lives in its own table that
references nothing, and expires after minutes. So no counter can be joined to a response.

The guards wrap the existing views in `init_app` (no edit to the views themselves):
- `auth.login`: at most `LENTERA_LOGIN_PER_MINUTE` (5) POSTs per address per minute, and an
  account is locked for `LENTERA_LOCKOUT_SECONDS` (15 min) after
  `LENTERA_LOCKOUT_FAILURES` (10) failed logins within that time;
- `respond.enter` / `respond.survey`: after `LENTERA_CODE_FAILURES` (20) refused codes from one
  address within `LENTERA_CODE_WINDOW` (600 s) every code POST from it is answered 429 until
  the window ends. Only refusals count, so one office behind a shared NAT address can submit
  hundreds of valid codes.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import logging
import os
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import sqlalchemy as sa
from flask import Flask, current_app, flash, render_template, request
from flask_babel import get_locale

from .database import dbapi_run, release_dbapi_connection
from .extensions import db

log = logging.getLogger(__name__)

DEFAULTS: dict[str, Any] = {
    "LENTERA_LOGIN_PER_MINUTE": 5,
    "LENTERA_LOCKOUT_FAILURES": 10,
    "LENTERA_LOCKOUT_SECONDS": 15 * 60,
    "LENTERA_CODE_FAILURES": 20,
    "LENTERA_CODE_WINDOW": 10 * 60,
    "LENTERA_RATELIMIT_PREFIX": "lentera:rl:",
}
# HTTP statuses with which the respond views refuse a code (CodeRefused): enter answers 422,
# the survey POST 409. 422 from the survey POST means invalid answers to a valid code.
CODE_REFUSED = {"respond.enter": {422}, "respond.survey": {409}}

rate_limit_table = sa.Table(
    "rate_limit",
    db.metadata,
    sa.Column("key", sa.String(96), primary_key=True),
    sa.Column("hits", sa.Integer, nullable=False),
    # Unix seconds at which the counter resets; this table references no other table.
    sa.Column("expires", sa.BigInteger, nullable=False),
    sa.CheckConstraint("hits >= 0", name="hits_nonnegative"),
)


class RateLimitStore(Protocol):
    """Counters with a fixed window that starts at the first hit."""

    def hit(self, key: str, ttl: int) -> int:
        """Add one to `key` (starting a `ttl`-second window if none is running); new count."""

    def peek(self, key: str) -> tuple[int, int]:
        """(count, seconds left) of `key`; (0, 0) when no window is running."""

    def clear(self, key: str) -> None:
        """Forget `key`."""


class DatabaseStore:
    """Counters in the `rate_limit` table, in the request's session, committed at once.

    The session is used (not a second connection) because SQLite takes its write lock at
    BEGIN: a second connection would wait on the request's own transaction.
    """

    _UPSERT = sa.text(
        "INSERT INTO rate_limit (key, hits, expires) VALUES (:key, 1, :expires) "
        "ON CONFLICT (key) DO UPDATE SET "
        "hits = CASE WHEN rate_limit.expires <= :now THEN 1 ELSE rate_limit.hits + 1 END, "
        "expires = CASE WHEN rate_limit.expires <= :now THEN :expires "
        "ELSE rate_limit.expires END "
        "RETURNING hits"
    )

    def hit(self, key: str, ttl: int) -> int:
        """Upsert the counter (one statement, atomic on both databases) and commit."""
        now = int(time.time())
        count = db.session.execute(self._UPSERT, {"key": key, "now": now,
                                                  "expires": now + ttl}).scalar_one()
        if secrets.randbelow(64) == 0:
            # Expired counters are deleted now and then, so the table stays small.
            db.session.execute(sa.delete(rate_limit_table).where(rate_limit_table.c.expires
                                                                 <= now))
        db.session.commit()
        return int(count)

    _PEEK = "SELECT hits, expires FROM rate_limit WHERE key = :key"

    def peek(self, key: str) -> tuple[int, int]:
        """Read the counter; an expired one reads as zero.

        On the request's DBAPI connection (`dbapi_connection`), outside the ORM session:
        every respondent POST peeks, so this read is on the hot path (bench/submit.md). On
        SQLite it is a short implicit read transaction that takes no write lock.
        """
        now = int(time.time())
        rows = dbapi_run(self._PEEK, {"key": key})
        if not rows or rows[0][1] <= now:
            return 0, 0
        hits, expires = rows[0]
        return int(hits), int(expires - now)

    def clear(self, key: str) -> None:
        """Delete the counter and commit."""
        db.session.execute(sa.delete(rate_limit_table).where(rate_limit_table.c.key == key))
        db.session.commit()


class RedisStore:
    """Counters in Redis: INCR plus EXPIRE NX, so the window starts at the first hit.

    If Redis cannot be reached the limits are not applied (a warning is logged, without any
    address): respondents must still be able to submit while the operator repairs Redis.
    """

    def __init__(self, url: str, prefix: str) -> None:
        import redis

        self.client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self.prefix = prefix
        self.errors: tuple[type[Exception], ...] = (redis.RedisError, OSError)

    def _unavailable(self, exc: Exception) -> None:
        log.warning("Rate limits not applied: Redis unavailable (%s)", type(exc).__name__)

    def hit(self, key: str, ttl: int) -> int:
        """INCR and set the expiry only when the key has none (one round trip)."""
        pipe = self.client.pipeline(transaction=True)
        pipe.incr(self.prefix + key)
        pipe.expire(self.prefix + key, ttl, nx=True)
        try:
            count, _ = pipe.execute()
        except self.errors as exc:
            self._unavailable(exc)
            return 0
        return int(count)

    def peek(self, key: str) -> tuple[int, int]:
        """GET and TTL of the counter."""
        pipe = self.client.pipeline(transaction=True)
        pipe.get(self.prefix + key)
        pipe.ttl(self.prefix + key)
        try:
            value, ttl = pipe.execute()
        except self.errors as exc:
            self._unavailable(exc)
            return 0, 0
        if value is None or ttl is None or ttl < 0:
            return 0, 0
        return int(value), int(ttl)

    def clear(self, key: str) -> None:
        """DEL the counter."""
        try:
            self.client.delete(self.prefix + key)
        except self.errors as exc:
            self._unavailable(exc)


@dataclass(frozen=True)
class Refusal:
    """Why a request is refused and for how many seconds."""

    reason: str
    retry_after: int


def get_store() -> RateLimitStore:
    """The store configured for this app (created once per app)."""
    store = current_app.extensions.get("lentera_ratelimit")
    if store is None:
        url = current_app.config.get("LENTERA_REDIS_URL")
        store = RedisStore(url, current_app.config["LENTERA_RATELIMIT_PREFIX"]) if url \
            else DatabaseStore()
        current_app.extensions["lentera_ratelimit"] = store
    return store


def keyed(kind: str, value: str) -> str:
    """`kind:` + a truncated HMAC of `value` under a key derived from the app secret."""
    secret = hmac.new(current_app.config["SECRET_KEY"].encode(), b"lentera-ratelimit",
                      hashlib.sha256).digest()
    digest = hmac.new(secret, value.encode("utf-8", "replace"), hashlib.sha256).hexdigest()
    return f"{kind}:{digest[:40]}"


def client_address() -> str:
    """The client address as the app sees it (ProxyFix has applied X-Forwarded-For if set)."""
    return request.remote_addr or "unknown"


# --- checks used by the view guards -------------------------------------------------------


def login_refusal(username: str) -> Refusal | None:
    """Count a login attempt of this address; refuse if over the limit or the account locked."""
    cfg, store = current_app.config, get_store()
    count = store.hit(keyed("login-addr", client_address()), 60)
    if count > cfg["LENTERA_LOGIN_PER_MINUTE"]:
        return Refusal("login-rate", store.peek(keyed("login-addr", client_address()))[1] or 60)
    locked, left = store.peek(keyed("lock", username.strip().lower()))
    if locked:
        return Refusal("locked", left)
    return None


def note_login_failure(username: str) -> None:
    """Count a failed login of the account; lock it once the failures reach the limit."""
    cfg, store = current_app.config, get_store()
    account = username.strip().lower()
    failures = store.hit(keyed("fail", account), cfg["LENTERA_LOCKOUT_SECONDS"])
    if failures >= cfg["LENTERA_LOCKOUT_FAILURES"]:
        store.hit(keyed("lock", account), cfg["LENTERA_LOCKOUT_SECONDS"])
        store.clear(keyed("fail", account))


def note_login_success(username: str) -> None:
    """A successful login forgets the account's failures."""
    get_store().clear(keyed("fail", username.strip().lower()))


def code_refusal() -> Refusal | None:
    """Refuse code entry from an address that had too many refused codes in the window."""
    count, left = get_store().peek(keyed("code-addr", client_address()))
    if count >= current_app.config["LENTERA_CODE_FAILURES"]:
        return Refusal("code-rate", left or 1)
    return None


def note_code_failure() -> None:
    """Count a refused code of this address."""
    get_store().hit(keyed("code-addr", client_address()), current_app.config["LENTERA_CODE_WINDOW"])


# --- messages (Bahasa Indonesia first; English when the respondent chose it) ----------------


def refusal_text(refusal: Refusal) -> str:
    """A plain message for the refusal in the current language."""
    minutes = max(1, -(-refusal.retry_after // 60))
    texts = {
        "login-rate": ("Terlalu banyak percobaan masuk dari alamat ini. Coba lagi dalam "
                       f"{minutes} menit.",
                       f"Too many login attempts from this address. Try again in {minutes} "
                       "minute(s)."),
        "locked": ("Akun ini dikunci sementara setelah terlalu banyak kata sandi salah. Coba "
                   f"lagi dalam {minutes} menit atau hubungi admin.",
                   "This account is locked for now after too many wrong passwords. Try again "
                   f"in {minutes} minute(s) or contact the administrator."),
        "code-rate": ("Terlalu banyak kode yang salah dari alamat ini. Tunggu "
                      f"{minutes} menit, lalu periksa kembali kode pada slip Anda. Tidak ada "
                      "yang disimpan.",
                      f"Too many wrong codes from this address. Wait {minutes} minute(s), then "
                      "check the code on your slip again. Nothing was stored."),
    }[refusal.reason]
    return texts[1] if str(get_locale() or "id") == "en" else texts[0]


def _too_many(refusal: Refusal, template: str, **context: Any):  # type: ignore[no-untyped-def]
    # The respond templates show `error`; the HR templates show flashed messages.
    if template.startswith("hr/"):
        flash(refusal_text(refusal))
    html = render_template(template, error=refusal_text(refusal), **context)
    return html, 429, {"Retry-After": str(refusal.retry_after)}


# --- view guards ---------------------------------------------------------------------------


def guard_login(view: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap the login view: per-address limit, per-account lockout, failure counting."""

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if request.method != "POST":
            return view(*args, **kwargs)
        from .forms import LoginForm

        username = request.form.get("username", "")[:64]
        refusal = login_refusal(username)
        if refusal is not None:
            return _too_many(refusal, "hr/login.html", form=LoginForm(formdata=None))
        response = current_app.make_response(view(*args, **kwargs))
        if response.status_code in (301, 302, 303):
            note_login_success(username)
        elif username:
            note_login_failure(username)
        return response

    return wrapped


def guard_code(view: Callable[..., Any], refused_statuses: set[int]) -> Callable[..., Any]:
    """Wrap a respond view: refuse blocked addresses, count refused codes."""

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if request.method != "POST":
            return view(*args, **kwargs)
        from .forms import CodeForm

        refusal = code_refusal()
        if refusal is not None:
            return _too_many(refusal, "respond/enter.html", form=CodeForm(formdata=None))
        response = current_app.make_response(view(*args, **kwargs))
        release_dbapi_connection()  # the view's reads are done; counting uses the session
        if response.status_code in refused_statuses:
            note_code_failure()
        return response

    return wrapped


def init_app(app: Flask) -> None:
    """Set defaults and wrap the login and respond views (call after they are registered)."""
    for key, value in DEFAULTS.items():
        if key not in app.config and os.environ.get(key):
            app.config[key] = type(value)(os.environ[key])  # operators tune limits by env
        app.config.setdefault(key, value)
    if "LENTERA_REDIS_URL" not in app.config and os.environ.get("LENTERA_REDIS_URL"):
        app.config["LENTERA_REDIS_URL"] = os.environ["LENTERA_REDIS_URL"]
    views = app.view_functions
    if "auth.login" in views:
        views["auth.login"] = guard_login(views["auth.login"])
    for endpoint, statuses in CODE_REFUSED.items():
        if endpoint in views:
            views[endpoint] = guard_code(views[endpoint], statuses)
