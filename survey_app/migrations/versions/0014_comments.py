"""Comments: respondents' free text, stored redacted and apart from the response

No response id, no time, a random id (SQLite WITHOUT ROWID). A closed wave's comments cannot
be added, removed or rewritten; only their `hidden` flag (HR moderation) can change.

Revision ID: 0014_comments
Revises: 0013_skm_followup
Create Date: 2026-12-08 00:30:00

"""
import sqlalchemy as sa
from alembic import op

revision = "0014_comments"
down_revision = "0013_skm_followup"
branch_labels = None
depends_on = None

MESSAGE = "wave is closed: its comments can only be hidden or shown"
CLOSED = "(SELECT state FROM wave WHERE id = {row}.wave_id) = 'closed'"
SQLITE_TRIGGERS = [
    ("trg_comment_insert_closed", "INSERT", "NEW"),
    ("trg_comment_delete_closed", "DELETE", "OLD"),
    ("trg_comment_update_closed", "UPDATE OF id, wave_id, unit_id, text", "OLD"),
]
PG_FUNCTION = f"""
CREATE FUNCTION lentera_comment_closed_guard() RETURNS trigger AS $$
DECLARE
    row_wave integer;
BEGIN
    row_wave := CASE WHEN TG_OP = 'INSERT' THEN NEW.wave_id ELSE OLD.wave_id END;
    IF (SELECT state FROM wave WHERE id = row_wave) = 'closed' AND (TG_OP <> 'UPDATE'
            OR (NEW.id, NEW.wave_id, NEW.unit_id, NEW.text)
               IS DISTINCT FROM (OLD.id, OLD.wave_id, OLD.unit_id, OLD.text)) THEN
        RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END;
$$ LANGUAGE plpgsql
"""


def upgrade():
    op.create_table(
        "comment",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("wave_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("hidden", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.CheckConstraint("length(text) BETWEEN 1 AND 4000",
                           name=op.f("ck_comment_text_length")),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name=op.f("fk_comment_unit_id_unit")),
        sa.ForeignKeyConstraint(["wave_id"], ["wave.id"], name=op.f("fk_comment_wave_id_wave")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comment")),
        sqlite_with_rowid=False,
    )
    op.create_index(op.f("ix_comment_wave_id"), "comment", ["wave_id"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_FUNCTION)
        op.execute("CREATE TRIGGER trg_comment_closed_wave BEFORE INSERT OR UPDATE OR DELETE "
                   "ON comment FOR EACH ROW EXECUTE FUNCTION lentera_comment_closed_guard()")
        return
    for name, event, row in SQLITE_TRIGGERS:
        op.execute(f"CREATE TRIGGER {name} BEFORE {event} ON comment "
                   f"WHEN {CLOSED.format(row=row)} BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER trg_comment_closed_wave ON comment")
        op.execute("DROP FUNCTION lentera_comment_closed_guard()")
    else:
        for name, *_ in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER {name}")
    op.drop_index(op.f("ix_comment_wave_id"), table_name="comment")
    op.drop_table("comment")
