"""The one error the instruments package raises, with its message in both languages."""

from __future__ import annotations

from .model import Text


class InstrumentError(ValueError):
    """A bad instrument file or lookup; the message names the file, the place and the problem.

    ``str(error)`` is the Bahasa Indonesia message; ``error.message("en")`` the English one.
    """

    def __init__(self, file: str, where: Text | None, problem: Text) -> None:
        self.file = file
        self.where = where
        self.problem = problem
        super().__init__(self.message("id"))

    def message(self, lang: str = "id") -> str:
        """The full message in `lang`: ``file: place: problem`` (place omitted for the file)."""
        parts = [self.file] if self.file else []
        if self.where is not None:
            parts.append(self.where.get(lang))
        parts.append(self.problem.get(lang))
        return ": ".join(parts)
