"""A gunicorn logger that writes no access-log line for the respond routes and no client IP.

Used by gunicorn.conf.py. A reverse proxy in front of gunicorn needs the same treatment
(e.g. nginx: `location /isi { access_log off; }`), see docs/deploy.md.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from datetime import timedelta
from typing import Any

from gunicorn.glogging import Logger
from gunicorn.http import Request
from gunicorn.http.wsgi import Response

from ..config import CITIZEN_PREFIX, RESPOND_PREFIX

# No %(h)s (remote address), no %(u)s, no query string, no user agent, no referer.
ACCESS_LOG_FORMAT = '"%(m)s %(U)s" %(s)s %(B)s %(M)sms'


class AnonymousAccessLogger(Logger):
    """Drop access records of /isi...; write the others without identifying fields."""

    def access(self, resp: Response, req: Request, environ: MutableMapping[str, Any],
               request_time: timedelta) -> None:
        """Skip the respond routes entirely; log the rest with ACCESS_LOG_FORMAT."""
        if str(environ.get("PATH_INFO", "")).startswith((RESPOND_PREFIX, CITIZEN_PREFIX)):
            return
        super().access(resp, req, environ, request_time)
