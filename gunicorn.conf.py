"""gunicorn settings for Lentera (`gunicorn -c gunicorn.conf.py "survey_app:create_app()"`).

Anonymity (design/anonymity.md rule 2): the respond routes (/isi...) must leave no IP address
or code in any log. The access log is therefore written by AnonymousAccessLogger, which skips
/isi entirely and never writes the client address; the error log carries no request data.
"""

import os

from survey_app.ops.gunicorn_logging import ACCESS_LOG_FORMAT, AnonymousAccessLogger

bind = os.environ.get("LENTERA_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("LENTERA_WORKERS", "2"))
worker_class = "gthread"
# 2 threads, not 4: the respond path is CPU-bound (GIL) and SQLite writers wait on one lock,
# so more threads per worker lowered throughput and raised p95 (bench/submit.md); nginx in
# front buffers slow clients, and the second thread still overlaps database waits.
threads = int(os.environ.get("LENTERA_THREADS", "2"))
logger_class = AnonymousAccessLogger
access_log_format = ACCESS_LOG_FORMAT
# LENTERA_ACCESS_LOG="" turns the access log off entirely.
accesslog = os.environ.get("LENTERA_ACCESS_LOG", "-") or None
errorlog = "-"
# Proxies may set X-Forwarded-For; we never read it, so keep gunicorn from trusting it either.
forwarded_allow_ips = ""
timeout = 60
