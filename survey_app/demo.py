"""`flask demo`: a realistic demo organisation with four quarterly waves of synthetic answers."""

from __future__ import annotations

import click


@click.command("demo")
def demo_command() -> None:
    """Build the demo organisation (not wired yet)."""
    raise click.ClickException("demo not implemented yet")
