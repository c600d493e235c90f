"""What a published verdict means for a unit, with the scale's direction applied: the one
rule the results pages' needs-attention list and the development plans both read."""

from __future__ import annotations

from instruments.model import Direction


def worse_than_rest(code: str | None, direction: Direction) -> bool:
    """The comparison verdict says the unit is clearly worse than the rest of the
    organisation: lower on a higher-is-better scale, higher on a higher-is-worse one."""
    return code == ("higher" if direction == Direction.HIGHER_WORSE else "lower")


def worse_than_before(code: str | None, direction: Direction) -> bool:
    """The change verdict says the unit clearly got worse since the previous wave."""
    return code == ("up" if direction == Direction.HIGHER_WORSE else "down")
