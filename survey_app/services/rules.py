"""The refusal every service raises when an action breaks one of its rules."""

from __future__ import annotations


class RuleError(ValueError):
    """An action breaks a rule: `reason` names it (the key of the user's message), `detail`
    gives the value the message names."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail
