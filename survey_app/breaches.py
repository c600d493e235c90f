"""`flask audit`: inspect a live database for breaches of the anonymity rules."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from .extensions import db
from .models import K_MINIMUM, Answer, AuditEntry, Code, Response, Wave

ALLOWED_COLUMNS = {
    "response": {"id", "wave_id", "unit_id", "cut"},
    "answer": {"response_id", "item_code", "value", "points"},
    "code": {"hash", "wave_id", "unit_id", "used"},
}
TIME_TYPES = (sa.Date, sa.DateTime, sa.Time, sa.Interval)


def schema_breaches() -> list[str]:
    """Columns that could hold a code, an address, a user agent or a time; rowid tables."""
    inspector = sa.inspect(db.engine)
    found = []
    for table, allowed in ALLOWED_COLUMNS.items():
        columns = inspector.get_columns(table)
        extra = sorted({c["name"] for c in columns} - allowed)
        if extra:
            found.append(f"{table}: unexpected columns {', '.join(extra)}")
        found += [f"{table}.{c['name']}: a date/time column" for c in columns
                  if isinstance(c["type"], TIME_TYPES)]
    if db.engine.dialect.name == "sqlite":
        for table in ("response", "answer"):
            sql = db.session.scalar(sa.text("SELECT sql FROM sqlite_master WHERE name = :t"),
                                    {"t": table}) or ""
            if "WITHOUT ROWID" not in sql.upper():
                found.append(f"{table}: has a rowid (insertion order is recoverable)")
    return found


def data_breaches() -> list[str]:
    """Small k, used codes that do not match responses, answers out of range, k changed late."""
    found = [f"wave {name}: k={k} is below {K_MINIMUM}" for name, k in db.session.execute(
        sa.select(Wave.name, Wave.k).where(Wave.k < K_MINIMUM))]
    used = dict(db.session.execute(sa.select(Code.wave_id, sa.func.count())
                                   .where(Code.used.is_(True)).group_by(Code.wave_id)).all())
    stored = dict(db.session.execute(sa.select(Response.wave_id, sa.func.count())
                                     .group_by(Response.wave_id)).all())
    names = dict(db.session.execute(sa.select(Wave.id, Wave.name)).all())
    for wave_id in sorted(set(used) | set(stored)):
        if used.get(wave_id, 0) != stored.get(wave_id, 0):
            found.append(f"wave {names.get(wave_id)}: {used.get(wave_id, 0)} used codes but "
                         f"{stored.get(wave_id, 0)} responses")
    bad = db.session.scalar(sa.select(sa.func.count()).select_from(Answer).where(
        sa.or_(Answer.value < 1, Answer.value > Answer.points)))
    if bad:
        found.append(f"{bad} answers outside their scale")
    found += _late_k_changes(names)
    return found


def _late_k_changes(names: dict[int, str]) -> list[str]:
    """A k change recorded after the wave was opened."""
    opened = dict(db.session.execute(sa.select(AuditEntry.wave_id, sa.func.min(AuditEntry.id))
                                     .where(AuditEntry.action == "wave.open")
                                     .group_by(AuditEntry.wave_id)).all())
    late = db.session.execute(sa.select(AuditEntry.wave_id, AuditEntry.id)
                              .where(AuditEntry.action == "wave.k"))
    return [f"wave {names.get(w)}: k changed after opening" for w, i in late
            if w in opened and i > opened[w]]


@click.command("audit")
@with_appcontext
def audit_command() -> None:
    """Report any breach of the anonymity rules in the configured database."""
    found = schema_breaches() + data_breaches()
    for line in found:
        click.echo(f"BREACH: {line}")
    if found:
        raise click.ClickException(f"{len(found)} breach(es) found")
    click.echo("No breach of the anonymity rules found.")
