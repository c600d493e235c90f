"""SQLite: drop the submission store view and its trigger; a submission is stored by the app

A submission is one SQLAlchemy transaction on both databases (services/responses.py): mark the
code, insert the response, insert its answers. The row-less view `respond_store` and its
INSTEAD OF trigger (0005, 0006) are no longer used. The constraints and closed-wave guards on
`code`, `response` and `answer` are unchanged.

Revision ID: 0011_one_write_path
Revises: 0010_published_evidence
Create Date: 2026-12-02 19:20:00

"""
from alembic import op

revision = "0011_one_write_path"
down_revision = "0010_published_evidence"
branch_labels = None
depends_on = None

# The objects as 0005 and 0006 left them (a migration must not import another).
VIEW = ("CREATE VIEW respond_store AS SELECT CAST(NULL AS BLOB) AS digest, "
        "CAST(NULL AS TEXT) AS response_id, CAST(NULL AS TEXT) AS cut, "
        "CAST(NULL AS TEXT) AS answers WHERE 0")
TRIGGER = """
CREATE TRIGGER trg_respond_store INSTEAD OF INSERT ON respond_store
BEGIN
    UPDATE code SET used = TRUE WHERE hash = NEW.digest AND NOT used
        AND wave_id IN (SELECT id FROM wave WHERE state = 'open');
    SELECT RAISE(ABORT, 'lentera: code not markable') WHERE changes() <> 1;
    INSERT INTO response (id, wave_id, unit_id, cut)
        SELECT NEW.response_id, wave_id, unit_id, NEW.cut FROM code WHERE hash = NEW.digest;
    INSERT INTO answer (response_id, item_code, value, points)
        SELECT NEW.response_id, a.key, a.value, CAST(s.key AS INTEGER)
        FROM json_each(NEW.answers) AS s, json_each(s.value) AS a;
END
"""


def upgrade():
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS trg_respond_store")
        op.execute("DROP VIEW IF EXISTS respond_store")


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        op.execute(VIEW)
        op.execute(TRIGGER)
