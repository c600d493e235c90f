"""Logging rules for the respond routes: no IP address and no code in any log we control."""

from __future__ import annotations

import logging

from flask import Flask

from ..config import CITIZEN_PREFIX, RESPOND_PREFIX


class DropRespondRequests(logging.Filter):
    """Drop access-log records (werkzeug dev server) of the respond routes: they carry an IP."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Keep every record that does not mention a respond path."""
        message = record.getMessage()
        return RESPOND_PREFIX not in message and CITIZEN_PREFIX not in message


def init_app(app: Flask) -> None:
    """Attach the filter once to the werkzeug logger (the development server's access log)."""
    logger = logging.getLogger("werkzeug")
    if not any(isinstance(f, DropRespondRequests) for f in logger.filters):
        logger.addFilter(DropRespondRequests())
