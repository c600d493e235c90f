"""closed waves are immutable: triggers refuse any change to their responses and answers

Revision ID: 0002_closed_wave_guard
Revises: f1417108322a
Create Date: 2026-11-30 02:05:00

"""
from alembic import op

revision = "0002_closed_wave_guard"
down_revision = "f1417108322a"
branch_labels = None
depends_on = None

MESSAGE = "wave is closed: its responses and answers cannot change"

# (trigger name, table, event, SQL giving the wave id of the affected row)
SQLITE_TRIGGERS = [
    ("trg_response_insert_closed", "response", "INSERT", "NEW.wave_id"),
    ("trg_response_update_closed", "response", "UPDATE", "OLD.wave_id"),
    ("trg_response_delete_closed", "response", "DELETE", "OLD.wave_id"),
    ("trg_answer_insert_closed", "answer", "INSERT",
     "(SELECT wave_id FROM response WHERE id = NEW.response_id)"),
    ("trg_answer_update_closed", "answer", "UPDATE",
     "(SELECT wave_id FROM response WHERE id = OLD.response_id)"),
    ("trg_answer_delete_closed", "answer", "DELETE",
     "(SELECT wave_id FROM response WHERE id = OLD.response_id)"),
]

PG_FUNCTION = f"""
CREATE FUNCTION lentera_closed_wave_guard() RETURNS trigger AS $$
DECLARE
    row_wave integer;
BEGIN
    IF TG_TABLE_NAME = 'response' THEN
        row_wave := CASE WHEN TG_OP = 'INSERT' THEN NEW.wave_id ELSE OLD.wave_id END;
    ELSE
        SELECT wave_id INTO row_wave FROM response WHERE id =
            CASE WHEN TG_OP = 'INSERT' THEN NEW.response_id ELSE OLD.response_id END;
    END IF;
    IF (SELECT state FROM wave WHERE id = row_wave) = 'closed' THEN
        RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END;
$$ LANGUAGE plpgsql
"""


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_FUNCTION)
        for table in ("response", "answer"):
            op.execute(f"CREATE TRIGGER trg_{table}_closed_wave BEFORE INSERT OR UPDATE OR DELETE "
                       f"ON {table} FOR EACH ROW EXECUTE FUNCTION lentera_closed_wave_guard()")
        return
    for name, table, event, wave in SQLITE_TRIGGERS:
        op.execute(f"CREATE TRIGGER {name} BEFORE {event} ON {table} "
                   f"WHEN (SELECT state FROM wave WHERE id = {wave}) = 'closed' "
                   f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for table in ("response", "answer"):
            op.execute(f"DROP TRIGGER trg_{table}_closed_wave ON {table}")
        op.execute("DROP FUNCTION lentera_closed_wave_guard()")
        return
    for name, *_ in SQLITE_TRIGGERS:
        op.execute(f"DROP TRIGGER {name}")
