"""Exceptions raised by analysis/ for input a caller can fix."""


class AnalysisInputError(ValueError):
    """Input data has the wrong shape, type or range; the message says what to fix."""
