"""Security headers and cookie flags for every response; ProxyFix behind a configured proxy.

- A strict Content-Security-Policy: scripts and styles only from our own static files (no
  inline script, so an injected `<script>` cannot run), no framing, forms post only to us.
- `Referrer-Policy: no-referrer`: no page URL ever leaves in a Referer header.
- HSTS only on HTTPS requests. `request.is_secure` trusts `X-Forwarded-Proto` only when
  `LENTERA_PROXY_HOPS` > 0 (werkzeug ProxyFix), i.e. when the operator says a proxy is there;
  otherwise any client could forge the header.
- Cookies: HttpOnly and SameSite=Lax always, Secure on HTTPS requests.
- `Cache-Control: no-store` on HR pages and respond pages: they carry a code or HR data.
"""

from __future__ import annotations

from flask import Flask, Response, has_request_context, request
from flask.sessions import SecureCookieSessionInterface
from werkzeug.middleware.proxy_fix import ProxyFix

from ..config import CITIZEN_PREFIX, HR_PREFIX, RESPOND_PREFIX

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
HSTS = "max-age=31536000; includeSubDomains"
# /isi pages carry a code in a hidden field: no shared cache, no back-button copy; /skm pages
# carry a citizen's answers (a kiosk's next citizen must not see them with Back).
NO_STORE_PREFIXES = (HR_PREFIX, RESPOND_PREFIX, CITIZEN_PREFIX)


def add_headers(response: Response) -> Response:
    """Set the security headers (and fix cookie flags) on one response."""
    headers = response.headers
    headers["Content-Security-Policy"] = CSP
    headers["X-Content-Type-Options"] = "nosniff"
    headers["X-Frame-Options"] = "DENY"
    headers["Referrer-Policy"] = "no-referrer"
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    if request.is_secure:
        headers["Strict-Transport-Security"] = HSTS
    if request.path.startswith(NO_STORE_PREFIXES):
        headers["Cache-Control"] = "no-store"
        headers["Pragma"] = "no-cache"
    _harden_cookies(response)
    return response


def _harden_cookies(response: Response) -> None:
    """Add HttpOnly, SameSite=Lax and (on HTTPS) Secure to every Set-Cookie lacking them."""
    cookies = response.headers.getlist("Set-Cookie")
    if not cookies:
        return
    response.headers.remove("Set-Cookie")
    for cookie in cookies:
        lower = cookie.lower()
        if "httponly" not in lower:
            cookie += "; HttpOnly"
        if "samesite" not in lower:
            cookie += "; SameSite=Lax"
        if request.is_secure and "; secure" not in lower:
            cookie += "; Secure"
        response.headers.add("Set-Cookie", cookie)


class HttpsAwareSessionInterface(SecureCookieSessionInterface):
    """The session cookie is Secure when configured so, or when this request came over HTTPS.

    (Flask writes the session cookie after the after_request hooks, so it is flagged here.)
    """

    def get_cookie_secure(self, app: Flask) -> bool:
        """Secure on HTTPS requests, or always when SESSION_COOKIE_SECURE is set."""
        return bool(super().get_cookie_secure(app)
                    or (has_request_context() and request.is_secure))


def init_app(app: Flask) -> None:
    """Register the header hook; install ProxyFix when LENTERA_PROXY_HOPS says a proxy exists.

    ProxyFix takes the client address from the `hops`-th X-Forwarded-For value counted from
    the right, i.e. the one the nearest trusted proxy wrote; anything the client put to the
    left of it is ignored. Host and prefix headers are not trusted: nothing needs them, and
    the documented nginx setup does not overwrite them.
    """
    hops = app.config["LENTERA_PROXY_HOPS"]
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops,  # type: ignore[method-assign]
                                x_host=0, x_prefix=0)
    app.session_interface = HttpsAwareSessionInterface()
    app.after_request(add_headers)
