"""SQLite: the store trigger reads the answers grouped by scale length ({"6": {"RC-RS1": 3}})

The answers reached `respond_store` as a JSON array of [item code, value, points] triples, and
the trigger took each triple apart with three json_extract calls, each parsing the triple's
text again: 0.10-0.12 ms of a 0.5 ms store (bench/submit.md). Grouped by scale length, every
key and value comes straight out of json_each: one parse of the whole document. PostgreSQL's
store statement takes the same document (services/responses.py); it has no schema object for it.

Revision ID: 0006_sqlite_store_grouped_json
Revises: 0005_sqlite_one_statement_store
Create Date: 2026-11-30 09:10:00

"""
from alembic import op

revision = "0006_sqlite_store_grouped_json"
down_revision = "0005_sqlite_one_statement_store"
branch_labels = None
depends_on = None

# services/responses.py recognises a refused code by this message (frozen here: a migration
# must not import the app).
NOT_MARKABLE = "lentera: code not markable"

# changes() inside a trigger counts the trigger's own last statement (SQLite documents this).
TRIGGER = """
CREATE TRIGGER trg_respond_store INSTEAD OF INSERT ON respond_store
BEGIN
    UPDATE code SET used = TRUE WHERE hash = NEW.digest AND NOT used
        AND wave_id IN (SELECT id FROM wave WHERE state = 'open');
    SELECT RAISE(ABORT, '{not_markable}') WHERE changes() <> 1;
    INSERT INTO response (id, wave_id, unit_id, cut)
        SELECT NEW.response_id, wave_id, unit_id, NEW.cut FROM code WHERE hash = NEW.digest;
    INSERT INTO answer (response_id, item_code, value, points)
        SELECT NEW.response_id, {answers}
END
"""
GROUPED = ("a.key, a.value, CAST(s.key AS INTEGER)\n"
           "        FROM json_each(NEW.answers) AS s, json_each(s.value) AS a;")
TRIPLES = ("json_extract(j.value, '$[0]'), json_extract(j.value, '$[1]'),\n"
           "               json_extract(j.value, '$[2]')\n"
           "        FROM json_each(NEW.answers) AS j;")


def _replace_trigger(answers: str) -> None:
    op.execute("DROP TRIGGER trg_respond_store")
    op.execute(TRIGGER.format(not_markable=NOT_MARKABLE, answers=answers))


def upgrade():
    if op.get_bind().dialect.name == "sqlite":
        _replace_trigger(GROUPED)


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        _replace_trigger(TRIPLES)
