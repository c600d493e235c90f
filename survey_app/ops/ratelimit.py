"""Rate limits shared by every worker: HR login and participation-code entry.

Counters live in the database (table `rate_limit`, works for SQLite and PostgreSQL) or in
Redis when `LENTERA_REDIS_URL` is set; never in per-process memory, because gunicorn runs
several workers and each would otherwise grant its own allowance.

Anonymity (design/anonymity.md, rule 2): a counter key is an HMAC of the client address with
a key derived from the app secret, never the address itself; it is written only when a code
is *refused* (a successful submission writes nothing here), lives in its own table that
references nothing, and expires after minutes. So no counter can be joined to a response.

The limits are declared at the views (`login_limited`, `code_limited`); the views report
failures themselves (`note_login_failure`, `check_code_limited`), no status code is sniffed:
- `auth.login`: at most `LENTERA_LOGIN_PER_MINUTE` (5) POSTs per address per minute, and an
  account is locked for `LENTERA_LOCKOUT_SECONDS` (15 min) after
  `LENTERA_LOCKOUT_FAILURES` (10) failed logins within that time;
- `respond.enter` / `respond.survey`: a refused code counts against its address. Once an
  address has `LENTERA_CODE_FAILURES` (20) refusals within `LENTERA_CODE_WINDOW` (600 s), its
  codes are still checked — a valid one is accepted, so a colleague's typos behind the same
  office NAT never block it — but every further refusal answers 429 and also counts against
  one ceiling shared by all addresses, `LENTERA_CODE_GLOBAL_FAILURES` (100) per window; past
  that ceiling an over-limit address gets 429 without its code being checked. So guessing
  is bounded by 20 per address plus 100 in total per window (SECURITY.md, the arithmetic).
- A code accepted at the entry step yields a signed token (`entry_token`, bound to the code,
  valid `LENTERA_CODE_TOKEN_SECONDS`) carried in the survey form: a POST with a valid token
  cannot be a guess and is never limited, so a finished survey is never lost to a limit
  reached meanwhile by others on the same address.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import sqlalchemy as sa
from flask import current_app, request
from itsdangerous import BadSignature, URLSafeTimedSerializer

from ..extensions import db
from ..i18n import current_lang
from ..services.responses import CodeInfo, CodeRefused, check_code, code_hash

log = logging.getLogger(__name__)

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

    def take(self, key: str, interval: int, burst: int) -> bool:
        """Take one of `burst` tokens refilled one every `interval` seconds (GCRA): False,
        taking nothing, when none is left."""


class DatabaseStore:
    """Counters in the `rate_limit` table, in the request's session, committed with the
    request (a refusal is a view's answer, not an error, so it is committed).

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
        """Upsert the counter (one statement, atomic on both databases)."""
        now = int(time.time())
        count = db.session.execute(self._UPSERT, {"key": key, "now": now,
                                                  "expires": now + ttl}).scalar_one()
        if secrets.randbelow(64) == 0:
            # Expired counters are deleted now and then, so the table stays small.
            db.session.execute(sa.delete(rate_limit_table).where(rate_limit_table.c.expires
                                                                 <= now))
        return int(count)

    def peek(self, key: str) -> tuple[int, int]:
        """Read the counter; an expired one reads as zero."""
        now = int(time.time())
        row = db.session.execute(sa.select(rate_limit_table.c.hits, rate_limit_table.c.expires)
                                 .where(rate_limit_table.c.key == key)).one_or_none()
        if row is None or row.expires <= now:
            return 0, 0
        return int(row.hits), int(row.expires - now)

    def clear(self, key: str) -> None:
        """Delete the counter."""
        db.session.execute(sa.delete(rate_limit_table).where(rate_limit_table.c.key == key))

    # GCRA in one statement: `expires` holds the theoretical arrival time (TAT) and `hits`
    # says whether this call took a token (1) or not (0).
    _TAKE = sa.text(
        "INSERT INTO rate_limit (key, hits, expires) VALUES (:key, 1, :now + :interval) "
        "ON CONFLICT (key) DO UPDATE SET "
        "hits = CASE WHEN (CASE WHEN rate_limit.expires > :now THEN rate_limit.expires "
        "ELSE :now END) + :interval - :now <= :cap THEN 1 ELSE 0 END, "
        "expires = CASE WHEN (CASE WHEN rate_limit.expires > :now THEN rate_limit.expires "
        "ELSE :now END) + :interval - :now <= :cap THEN (CASE WHEN rate_limit.expires > :now "
        "THEN rate_limit.expires ELSE :now END) + :interval ELSE rate_limit.expires END "
        "RETURNING hits"
    )

    def take(self, key: str, interval: int, burst: int) -> bool:
        """GCRA upsert (one statement, atomic on both databases)."""
        now = int(time.time())
        took = db.session.execute(self._TAKE, {"key": key, "now": now, "interval": interval,
                                               "cap": interval * burst}).scalar_one()
        return bool(took)


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

    # GCRA: the key holds the theoretical arrival time, expiring when the bucket is full.
    _TAKE = """
local now, interval, cap = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local tat = tonumber(redis.call('GET', KEYS[1]) or ARGV[1])
if tat < now then tat = now end
if tat + interval - now > cap then return 0 end
redis.call('SET', KEYS[1], tat + interval, 'EX', tat + interval - now)
return 1
"""

    def take(self, key: str, interval: int, burst: int) -> bool:
        """One Lua script (atomic in Redis)."""
        try:
            took = self.client.eval(self._TAKE, 1, self.prefix + key, int(time.time()),
                                    interval, interval * burst)
        except self.errors as exc:
            self._unavailable(exc)
            return True
        return bool(took)


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


class RateLimited(Exception):
    """Raised inside a view whose limit is reached; the view's decorator answers 429."""

    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.reason)
        self.refusal = refusal


def _code_addr_key() -> str:
    return keyed("code-addr", client_address())


def _entry_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="lentera-code-entry")


def _code_binding(digest: bytes) -> str:
    """A value that names the code to the token without being its stored hash."""
    return keyed("entry", digest.hex())


def entry_token(info: CodeInfo) -> str:
    """A signed token saying that this code was accepted (it never leaves the form)."""
    return _entry_serializer().dumps(_code_binding(info.hash))


def entry_token_valid(token: str | None, code_text: str) -> bool:
    """True when `token` was issued for the code in `code_text` within the token lifetime."""
    if not token or len(token) > 200:
        return False
    try:
        bound = _entry_serializer().loads(
            token, max_age=current_app.config["LENTERA_CODE_TOKEN_SECONDS"])
        digest = code_hash(code_text)
    except (BadSignature, CodeRefused):
        return False
    return isinstance(bound, str) and hmac.compare_digest(bound, _code_binding(digest))


def check_code_limited(code_text: str, token: str | None = None) -> CodeInfo:
    """`check_code` under the code-entry limits (module docstring); raises CodeRefused or
    RateLimited. A valid `token` for this code skips the limits: it is no guess."""
    if entry_token_valid(token, code_text):
        return check_code(code_text)
    cfg, store = current_app.config, get_store()
    failures, left = store.peek(_code_addr_key())
    over = failures >= cfg["LENTERA_CODE_FAILURES"]
    if over:
        ceiling, ceiling_left = store.peek("code-global")
        if ceiling >= cfg["LENTERA_CODE_GLOBAL_FAILURES"]:
            raise RateLimited(Refusal("code-rate", min(left, ceiling_left) or 1))
    try:
        return check_code(code_text)
    except CodeRefused:
        store.hit(_code_addr_key(), cfg["LENTERA_CODE_WINDOW"])
        if not over:
            raise
        store.hit("code-global", cfg["LENTERA_CODE_WINDOW"])
        raise RateLimited(Refusal("code-rate", left or 1)) from None


def citizen_refusal(kiosk_id: int | None) -> Refusal | None:
    """Take one stored citizen SKM submission from this address's allowance (a kiosk's own,
    larger one when `kiosk_id` is given): `LENTERA_SKM_*_BURST` at once, then one per
    `LENTERA_SKM_*_INTERVAL` seconds. A Refusal when none is left (SECURITY.md)."""
    cfg = current_app.config
    if kiosk_id is None:
        key, burst, interval = (keyed("skm-addr", client_address()),
                                cfg["LENTERA_SKM_ADDRESS_BURST"],
                                cfg["LENTERA_SKM_ADDRESS_INTERVAL"])
    else:
        key, burst, interval = (keyed("skm-kiosk", str(kiosk_id)), cfg["LENTERA_SKM_KIOSK_BURST"],
                                cfg["LENTERA_SKM_KIOSK_INTERVAL"])
    if get_store().take(key, interval, burst):
        return None
    return Refusal("skm-rate", interval)


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
        "skm-rate": ("Terlalu banyak kiriman dari alamat internet ini dalam waktu singkat. "
                     f"Jawaban Anda belum disimpan tetapi masih ada di halaman ini: tunggu "
                     f"{minutes} menit, lalu tekan Kirim lagi.",
                     "Too many submissions from this internet address in a short time. Your "
                     "answers were not stored yet but are still on this page: wait "
                     f"{minutes} minute(s), then press Send again."),
    }[refusal.reason]
    return texts[1] if current_lang() == "en" else texts[0]


def too_many(refusal: Refusal, html: str) -> tuple[str, int, dict[str, str]]:
    """A 429 answer with the page that explains the refusal."""
    return html, 429, {"Retry-After": str(refusal.retry_after)}


# --- view decorators: `refused` builds the view's own page for a refusal -------------------

Refused = Callable[[Refusal], Any]
View = Callable[..., Any]


def login_limited(refused: Refused) -> Callable[[View], View]:
    """The login view's limits: per-address attempts and the account lock, checked before the
    password is; the view reports the outcome (`note_login_failure`/`note_login_success`)."""

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if request.method == "POST":
                refusal = login_refusal(request.form.get("username", "")[:64])
                if refusal is not None:
                    return refused(refusal)
            return view(*args, **kwargs)

        return wrapped

    return decorate


def code_limited(refused: Refused) -> Callable[[View], View]:
    """A view that checks codes with `check_code_limited`: its RateLimited becomes `refused`."""

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            try:
                return view(*args, **kwargs)
            except RateLimited as exc:
                return refused(exc.refusal)

        return wrapped

    return decorate
