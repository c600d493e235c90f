"""SQLite: a submission is stored by one statement (a view with an INSTEAD OF INSERT trigger)

The store (mark the code used, insert the response, insert its ~50 answers) was five calls
between BEGIN IMMEDIATE and COMMIT. Between those calls the thread holding SQLite's single
write lock needs Python's GIL, which the other thread of its worker may keep for milliseconds;
meanwhile every other writer sleeps in SQLite's busy handler (bench/submit.md). As one INSERT
into `respond_store`, the whole store runs inside one SQLite call, without the GIL, and is
atomic on its own: any failure (a refused code included) undoes all of it.

The view holds no rows and stores nothing: its trigger writes to `code`, `response` and
`answer` exactly as before, under the same constraints and closed-wave guards. The response's
wave and unit come from the code row. PostgreSQL stores with one statement too (a
data-modifying WITH query, services/responses.py) and needs no schema object for it.

Revision ID: 0005_sqlite_one_statement_store
Revises: 0004_answer_guard_per_statement
Create Date: 2026-11-30 07:20:00

"""
from alembic import op

revision = "0005_sqlite_one_statement_store"
down_revision = "0004_answer_guard_per_statement"
branch_labels = None
depends_on = None

# services/responses.py recognises a refused code by this message (frozen here: a migration
# must not import the app).
NOT_MARKABLE = "lentera: code not markable"

VIEW = ("CREATE VIEW respond_store AS SELECT CAST(NULL AS BLOB) AS digest, "
        "CAST(NULL AS TEXT) AS response_id, CAST(NULL AS TEXT) AS cut, "
        "CAST(NULL AS TEXT) AS answers WHERE 0")

# changes() inside a trigger counts the trigger's own last statement (SQLite documents this).
TRIGGER = f"""
CREATE TRIGGER trg_respond_store INSTEAD OF INSERT ON respond_store
BEGIN
    UPDATE code SET used = TRUE WHERE hash = NEW.digest AND NOT used
        AND wave_id IN (SELECT id FROM wave WHERE state = 'open');
    SELECT RAISE(ABORT, '{NOT_MARKABLE}') WHERE changes() <> 1;
    INSERT INTO response (id, wave_id, unit_id, cut)
        SELECT NEW.response_id, wave_id, unit_id, NEW.cut FROM code WHERE hash = NEW.digest;
    INSERT INTO answer (response_id, item_code, value, points)
        SELECT NEW.response_id, json_extract(j.value, '$[0]'), json_extract(j.value, '$[1]'),
               json_extract(j.value, '$[2]')
        FROM json_each(NEW.answers) AS j;
END
"""


def upgrade():
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute(VIEW)
    op.execute(TRIGGER)


def downgrade():
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("DROP TRIGGER trg_respond_store")
    op.execute("DROP VIEW respond_store")
