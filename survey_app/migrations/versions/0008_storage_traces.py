"""SQLite: the code table WITHOUT ROWID, keyed by the code's hash

A rowid table numbers its rows in insertion order, and codes are inserted when they are issued,
so a code row's rowid gave its position on the printed slips and in the CSV without the key
(issue #12). WITHOUT ROWID, the table is a b-tree on the keyed hash: no row number, and rows
sit in hash order. SQLite cannot change this in place: the table is rebuilt (new table, copy,
drop, rename). The store trigger of migration 0006 reads and writes `code`, so it is dropped
before the rebuild and created again afterwards, word for word; the index on wave_id is
recreated. No trigger, view or foreign key is defined on `code` itself. PostgreSQL tables have
no rowid; nothing changes there.

Revision ID: 0008_storage_traces
Revises: 0007_frozen_waves
Create Date: 2026-12-01 09:00:00

"""
from alembic import op

revision = "0008_storage_traces"
down_revision = "0007_frozen_waves"
branch_labels = None
depends_on = None

# Frozen here (a migration must not import the app): the store trigger as migration 0006
# created it.
STORE_TRIGGER = """
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

CODE_TABLE = """
CREATE TABLE {name} (
    hash BLOB NOT NULL,
    wave_id INTEGER NOT NULL,
    unit_id INTEGER NOT NULL,
    used BOOLEAN NOT NULL,
    CONSTRAINT pk_code PRIMARY KEY (hash),
    CONSTRAINT fk_code_unit_id_unit FOREIGN KEY(unit_id) REFERENCES unit (id),
    CONSTRAINT fk_code_wave_id_wave FOREIGN KEY(wave_id) REFERENCES wave (id)
){options}
"""


def _rebuild_code(options: str) -> None:
    op.execute("DROP TRIGGER trg_respond_store")
    op.execute(CODE_TABLE.format(name="code_rebuilt", options=options))
    # In hash order: the new table's pages and cells carry no trace of the old row order.
    op.execute("INSERT INTO code_rebuilt (hash, wave_id, unit_id, used) "
               "SELECT hash, wave_id, unit_id, used FROM code ORDER BY hash")
    op.execute("DROP INDEX ix_code_wave_id")
    op.execute("DROP TABLE code")
    op.execute("ALTER TABLE code_rebuilt RENAME TO code")
    op.execute("CREATE INDEX ix_code_wave_id ON code (wave_id)")
    op.execute(STORE_TRIGGER)


def upgrade():
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_code(" WITHOUT ROWID")


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_code("")
