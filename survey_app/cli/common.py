"""What the commands share: a clean failure and the check that the schema is current."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, NoReturn

import click
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from ..database import MIGRATIONS
from ..extensions import db

ACTOR = "cli"


def fail(message: str) -> NoReturn:
    """Undo what the command changed and exit 1 with `message`."""
    db.session.rollback()
    raise click.ClickException(message)


def schema_problem() -> str | None:
    """Why the database cannot be used yet (no schema, or an older one), else None."""
    with db.engine.connect() as conn:
        current = set(MigrationContext.configure(conn).get_current_heads())
    heads = set(ScriptDirectory(str(MIGRATIONS)).get_heads())
    if current == heads:
        return None
    if not current:
        return ("Database belum berisi skema Lentera; jalankan dulu `flask db upgrade`. / "
                "The database has no Lentera schema yet; run `flask db upgrade` first.")
    return ("Skema database lebih lama dari versi Lentera ini; jalankan `flask db upgrade`. / "
            "The database schema is older than this Lentera; run `flask db upgrade`.")


def needs_schema(command: Callable[..., Any]) -> Callable[..., Any]:
    """Run `command` only on a database whose schema is current (inside the app context)."""

    @functools.wraps(command)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        problem = schema_problem()
        if problem:
            raise click.ClickException(problem)
        return command(*args, **kwargs)

    return wrapped
