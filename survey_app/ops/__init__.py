"""What keeps the app safe to run: request guards, security headers, rate limits, logging
without respondents' traces, the anonymity audit and backups (their commands are in `cli/`)."""

from flask import Flask

from . import errors, logs, request_guard, security_headers


def init_app(app: Flask) -> None:
    """Install the request guards, headers and log filters."""
    for module in (request_guard, security_headers, errors, logs):
        module.init_app(app)
