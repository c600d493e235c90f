"""`flask audit` (the anonymity rules against a live database and its logs), `flask backup`
and `flask restore`."""

from __future__ import annotations

import subprocess
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from ..extensions import db
from ..ops.audit import audit_logs, log_paths, run_audit
from ..ops.backup import BackupError, backup_database, restore_database


@click.command("audit")
@with_appcontext
@click.option("--log", "logs", multiple=True, type=click.Path(dir_okay=False),
              help="A log file to check (in addition to LENTERA_AUDIT_LOGS).")
def audit_command(logs: tuple[str, ...]) -> None:
    """Check the database and logs against the anonymity rules; exit 1 on any breach."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    findings = run_audit(app) + audit_logs(logs)
    checked = log_paths(app) + list(logs)
    click.echo(f"Audit anonimitas / anonymity audit: database + {len(checked)} log file(s)")
    for finding in findings:
        click.echo(f"PELANGGARAN / BREACH {finding}")
    if findings:
        click.echo(f"{len(findings)} pelanggaran / breach(es) found.")
        raise SystemExit(1)
    click.echo("Tidak ada pelanggaran aturan anonimitas. / No breach of the anonymity rules found.")


@click.command("backup")
@with_appcontext
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(path: Path) -> None:
    """Write an online, consistent copy of the database to PATH."""
    try:
        backup_database(db.engine, path)
    except (BackupError, subprocess.CalledProcessError) as exc:
        raise click.ClickException(f"Cadangan gagal / backup failed: {exc}") from exc
    click.echo(f"Cadangan tersimpan / backup written: {path} ({path.stat().st_size} bytes)")


@click.command("restore")
@with_appcontext
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite a database that is not empty.")
def restore_command(path: Path, force: bool) -> None:
    """Bring back the database from a file written by `flask backup` (stop the server first)."""
    try:
        restore_database(db.engine, path, force=force)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Dipulihkan / restored from {path}")
