"""Errors the reports package raises; each message says what to fix."""

from __future__ import annotations


class ReportError(ValueError):
    """A report cannot be produced from the data given (the message says why)."""


class UnsupportedLanguageError(ReportError):
    """The requested report language is not one of ``instruments.model.LANGUAGES``."""


class RefusedURLError(ReportError):
    """The renderer was asked to fetch a resource outside the package's assets folder."""
