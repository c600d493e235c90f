"""`flask export`: a closed wave's results as CSV, Excel or SPSS."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext
from flask_babel import force_locale

from ..extensions import db
from ..services.exports import ExportRefused, export_bytes
from ..services.tables import FORMATS
from ..services.waves import WaveNotFound, find_wave
from .common import fail, needs_schema


@click.command("export")
@with_appcontext
@needs_schema
@click.option("--wave", "ident", required=True, help="Wave id, name or period (2026-Q4).")
@click.option("--format", "fmt", required=True, type=click.Choice(FORMATS))
@click.option("--respondents", is_flag=True,
              help="Respondent-level data (audited with actor cli) instead of aggregates.")
@click.option("--lang", default="id", show_default=True, type=click.Choice(["id", "en"]))
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path))
def export_command(ident: str, fmt: str, respondents: bool, lang: str, out: Path) -> None:
    """Export a closed wave's results (aggregated by default) as CSV, Excel or SPSS."""
    with force_locale(lang):
        try:
            wave = find_wave(ident)
            data, _name, rows = export_bytes(wave, fmt, respondents=respondents, actor="cli",
                                             lang=lang)
        except (WaveNotFound, ExportRefused) as exc:
            fail(str(exc))
    out.write_bytes(data)
    db.session.commit()  # the audit entry, once the file is written
    click.echo(f"{rows} baris / rows -> {out}")
