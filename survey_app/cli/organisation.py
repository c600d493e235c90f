"""`flask create-admin`, `flask import-units`, `flask wave create|list|open|close|publish` and
`flask codes issue`: setting up the organisation and its waves."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup, with_appcontext
from flask_babel import force_locale

from ..database import restrict_file
from ..extensions import db
from ..messages import row_error_message, user_rule_message, wave_rule_message
from ..models import PublishedCell, Unit, Wave, WaveState
from ..services import (
    CUT_CHOICES,
    ImportRejected,
    WaveRuleError,
    add_audit_entry,
    close_wave,
    create_wave,
    import_units,
    issue_codes,
    open_wave,
)
from ..services.publication import publish
from ..services.slips import codes_csv, slips_pdf
from ..services.storage import compact_storage, delete_wave_codes
from ..services.users import UserRuleError, create_user
from ..services.waves import WaveNotFound, find_wave
from .common import ACTOR, fail, needs_schema


def _wave(ident: str) -> Wave:
    try:
        return find_wave(ident)
    except WaveNotFound as exc:
        fail(str(exc))


@click.command("create-admin")
@with_appcontext
@needs_schema
@click.argument("username")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--role", default="admin", type=click.Choice(["admin", "analyst", "unit_head"]))
@click.option("--unit", "unit_code", default=None, help="Unit code (for a unit head).")
def create_admin(username: str, password: str, role: str, unit_code: str | None) -> None:
    """Create an HR user (admin by default)."""
    unit_id = None
    if unit_code:
        unit = db.session.scalar(sa.select(Unit).where(Unit.code == unit_code))
        if unit is None:
            fail(f"Unit tidak ditemukan / no such unit: {unit_code}")
        unit_id = unit.id
    try:
        create_user(username, password, role, unit_id, actor=ACTOR)
    except UserRuleError as exc:
        fail(f"{user_rule_message(exc)} / {exc}")  # Bahasa Indonesia, then English
    db.session.commit()
    click.echo(f"User {username} ({role}) created.")


@click.command("import-units")
@with_appcontext
@needs_schema
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--lang", default="id", type=click.Choice(["id", "en"]))
def import_units_command(path: Path, lang: str) -> None:
    """Import units from CSV or Excel (code, name, parent_code, headcount); all or nothing."""
    try:
        n = import_units(path.name, path.read_bytes())
    except ImportRejected as exc:
        with force_locale(lang):
            lines = [row_error_message(e) for e in exc.errors]
        fail("Berkas ditolak, tidak ada yang disimpan / file rejected, nothing stored:\n"
              + "\n".join(lines))
    db.session.commit()
    click.echo(f"{n} unit(s) imported.")


@click.group("wave", cls=AppGroup)
@with_appcontext
@needs_schema
def wave_group() -> None:
    """Create, open and close waves."""


@wave_group.command("create")
@click.option("--name", required=True)
@click.option("--period", required=True, help="e.g. 2026-Q4")
@click.option("--instruments", default="resistance,readiness,learning", show_default=True)
@click.option("--units", "unit_codes", default="", help="Comma-separated codes; default all.")
@click.option("--opens", "opens_on", required=True, type=click.DateTime(["%Y-%m-%d"]))
@click.option("--closes", "closes_on", required=True, type=click.DateTime(["%Y-%m-%d"]))
@click.option("--k", default=5, show_default=True, type=int)
@click.option("--cut", default=None, type=click.Choice(sorted(CUT_CHOICES)))
def wave_create(name: str, period: str, instruments: str, unit_codes: str,
                opens_on: dt.datetime, closes_on: dt.datetime, k: int, cut: str | None) -> None:
    """Create a draft wave."""
    query = sa.select(Unit.id)
    if unit_codes:
        query = query.where(Unit.code.in_([c.strip() for c in unit_codes.split(",")]))
    try:
        wave = create_wave(name=name, period=period,
                           instrument_keys=[s.strip() for s in instruments.split(",") if s],
                           unit_ids=list(db.session.scalars(query)), opens_on=opens_on.date(),
                           closes_on=closes_on.date(), k=k, cut=cut, actor=ACTOR)
    except WaveRuleError as exc:
        fail(wave_rule_message(exc))
    db.session.commit()
    click.echo(f"Wave {wave.id} '{wave.name}' created (draft).")


@wave_group.command("list")
def wave_list() -> None:
    """Every wave, oldest first: id, name, period, state, k, dates, units and instruments."""
    waves = list(db.session.scalars(sa.select(Wave).order_by(Wave.opens_on, Wave.id)))
    if not waves:
        click.echo("Belum ada gelombang / no waves yet.")
        return
    for w in waves:
        click.echo(f"{w.id:>4}  {w.name}  {w.period}  {w.state}  k={w.k}  "
                   f"{w.opens_on.isoformat()}..{w.closes_on.isoformat()}  "
                   f"{len(w.units)} unit  {','.join(w.instrument_keys)}")


@wave_group.command("open")
@click.argument("wave")
def wave_open(wave: str) -> None:
    """Open a draft wave (k is fixed from now on)."""
    _change_state(wave, open_wave)


@wave_group.command("close")
@click.argument("wave")
def wave_close(wave: str) -> None:
    """Close an open wave."""
    _change_state(wave, close_wave)
    compact_storage()  # after the commit: rewrite the files without submission order


@wave_group.command("publish")
@click.argument("wave")
def wave_publish(wave: str) -> None:
    """Publish a closed wave that has no published results (a database from before 0007)."""
    target = _wave(wave)
    if target.state != WaveState.CLOSED.value:
        fail(f"Gelombang {target.name} belum ditutup; penutupan menerbitkannya. / "
              f"Wave {target.name} is not closed; closing it publishes it.")
    if db.session.scalar(sa.select(PublishedCell.wave_id)
                         .where(PublishedCell.wave_id == target.id).limit(1)) is not None:
        fail(f"Gelombang {target.name} sudah diterbitkan; hasil terbit tidak dihitung ulang. "
              f"/ Wave {target.name} is published already; published results are never "
              f"recomputed.")
    publish(target)
    delete_wave_codes(target.id)  # its invited counts are frozen now
    add_audit_entry(ACTOR, "wave.publish", target.id)
    db.session.commit()
    compact_storage()
    click.echo(f"Wave {target.id} '{target.name}' published.")


def _change_state(ident: str, action: Callable[..., None]) -> None:
    wave = _wave(ident)
    try:
        action(wave, actor=ACTOR)
    except WaveRuleError as exc:
        fail(wave_rule_message(exc))
    db.session.commit()
    click.echo(f"Wave {wave.id} '{wave.name}' is now {wave.state}.")


@click.group("codes", cls=AppGroup)
@with_appcontext
@needs_schema
def codes_group() -> None:
    """Participation codes."""


@codes_group.command("issue")
@click.argument("wave")
@click.option("--unit", "unit_code", default=None, help="One unit; default every unit.")
@click.option("--count", default=None, type=int, help="Default: the unit's headcount.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Write the codes here (.csv, or .pdf for printable slips).")
def codes_issue(wave: str, unit_code: str | None, count: int | None, out: Path) -> None:
    """Issue codes and write them once to a CSV or slips PDF (only hashes are stored)."""
    w = _wave(wave)
    units = [u for u in w.units if unit_code is None or u.code == unit_code]
    if not units:
        fail(f"Unit tidak ada di gelombang / unit not in wave: {unit_code}")
    if unit_code is None and count is None:  # every unit at its headcount; skip empty ones
        units = [u for u in units if u.headcount > 0]
    key = current_app.config["LENTERA_CODE_KEY"]
    try:
        issued = [c for u in units
                  for c in issue_codes(w, u, count or u.headcount, key=key, actor=ACTOR)]
        with current_app.test_request_context():
            data = (slips_pdf(w, issued) if out.suffix.lower() == ".pdf"
                    else codes_csv(w, issued))
    except WaveRuleError as exc:
        fail(wave_rule_message(exc))
    restrict_file(out)  # every plain code of the wave: owner only, before a byte is written
    out.write_bytes(data)
    db.session.commit()
    click.echo(f"{len(issued)} code(s) written to {out}", file=sys.stderr)
