"""The migrations create exactly the models' schema, and downgrade cleanly."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from survey_app.database import MIGRATIONS
from survey_app.extensions import db


def test_migrated_schema_matches_the_models(app):
    with app.app_context(), db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    assert diff == []


def test_downgrade_to_base_and_upgrade_again(app, backend):
    with app.app_context():
        downgrade(directory=str(MIGRATIONS), revision="base")
        tables = set(sa.inspect(db.engine).get_table_names())
        assert tables <= {"alembic_version"}
        upgrade(directory=str(MIGRATIONS))
        assert {"response", "answer", "code", "wave"} <= set(
            sa.inspect(db.engine).get_table_names())
