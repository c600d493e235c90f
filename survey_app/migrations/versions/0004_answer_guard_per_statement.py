"""PostgreSQL: the closed-wave guard on answers checks once per statement, not per row

A response's ~50 answers are inserted with one statement; the row-level guard ran a PL/pgSQL
function with two look-ups for every one of them (about half of the database's CPU time per
submission, bench/submit.md). Statement-level AFTER triggers with transition tables make the
same check once per statement: any changed answer row whose response belongs to a closed wave
aborts the whole statement. The guard on `response` stays per row (one row per submission).
SQLite has no statement-level triggers; its guard is unchanged.

Revision ID: 0004_answer_guard_per_statement
Revises: 0003_user_active_export
Create Date: 2026-11-30 05:00:00

"""
from alembic import op

revision = "0004_answer_guard_per_statement"
down_revision = "0003_user_active_export"
branch_labels = None
depends_on = None

MESSAGE = "wave is closed: its responses and answers cannot change"

STATEMENT_FUNCTION = f"""
CREATE FUNCTION lentera_closed_wave_guard_answers() RETURNS trigger AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM changed_answers c
               JOIN response r ON r.id = c.response_id
               JOIN wave w ON w.id = r.wave_id
               WHERE w.state = 'closed') THEN
        RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql
"""

# (event, transition table that holds the affected rows)
EVENTS = [("INSERT", "NEW"), ("UPDATE", "OLD"), ("DELETE", "OLD")]


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER trg_answer_closed_wave ON answer")
    op.execute(STATEMENT_FUNCTION)
    for event, table in EVENTS:
        op.execute(f"CREATE TRIGGER trg_answer_{event.lower()}_closed_wave AFTER {event} ON answer "
                   f"REFERENCING {table} TABLE AS changed_answers FOR EACH STATEMENT "
                   f"EXECUTE FUNCTION lentera_closed_wave_guard_answers()")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for event, _table in EVENTS:
        op.execute(f"DROP TRIGGER trg_answer_{event.lower()}_closed_wave ON answer")
    op.execute("DROP FUNCTION lentera_closed_wave_guard_answers()")
    op.execute("CREATE TRIGGER trg_answer_closed_wave BEFORE INSERT OR UPDATE OR DELETE "
               "ON answer FOR EACH ROW EXECUTE FUNCTION lentera_closed_wave_guard()")
