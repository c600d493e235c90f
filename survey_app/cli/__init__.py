"""Every `flask` command of Lentera (`flask db` comes from Flask-Migrate)."""

from flask import Flask

from .demo import demo_command
from .exports import export_command
from .ops import audit_command, backup_command, restore_command
from .organisation import codes_group, create_admin, import_units_command, wave_group
from .reports import jobs_group, report_group

COMMANDS = (create_admin, import_units_command, wave_group, codes_group, report_group,
            export_command, audit_command, backup_command, restore_command, demo_command,
            jobs_group)


def init_app(app: Flask) -> None:
    """Register the commands on `flask`."""
    for command in COMMANDS:
        app.cli.add_command(command)
